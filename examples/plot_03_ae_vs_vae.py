"""
======================================
Autoencoder vs variational autoencoder
======================================

A plain autoencoder and a variational autoencoder (VAE) with the same
network, trained on the same digits. The VAE's loss adds a KL divergence
that pulls each digit's latent distribution towards a standard normal: this
example plots both models' training and validation losses, the KL curve,
and the two latent spaces the objectives produce.
"""

# %%
# Two models, one network
# -----------------------
# ``early_stopping=True`` holds out ``validation_fraction`` of the training
# rows and records validation losses every epoch. With ``n_iter_no_change``
# above ``max_epochs`` nothing stops early, but the weights of the best
# validation epoch are kept at the end.
from sklearn.model_selection import train_test_split

from aembed import DenoisingAEEmbedder, VAEEmbedder
from aembed.datasets import load_mnist_5k

X, y = load_mnist_5k(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=3000, test_size=1000, stratify=y, random_state=0
)

shared = dict(
    n_components=2,
    max_epochs=30,
    early_stopping=True,
    validation_fraction=0.2,
    n_iter_no_change=100,
    random_state=0,
)
ae = DenoisingAEEmbedder(noise_level=0.0, **shared).fit(X_train)
vae = VAEEmbedder(beta=1.0, **shared).fit(X_train)

# %%
# What each model records
# -----------------------
# ``history_`` has one row per epoch. The autoencoder's loss is its
# reconstruction error alone; the VAE records the two terms of its loss,
# ``reconstruction`` and ``kl``, for the training and the validation rows.
vae.history_.round(2).tail()

# %%
# Training and validation losses
# ------------------------------
# Solid lines are training losses, dashed lines validation losses, in nats
# per digit. The autoencoder's validation loss flattens while its training
# loss keeps falling: it has started to memorise its training digits. The
# VAE's two curves stay closer together, its KL term and the noise of
# sampling from the posterior acting as a regulariser.
import matplotlib.pyplot as plt

from aembed.plotting import plot_history

fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained", sharey=True)
plot_history(ae.history_, ax=axes[0], title="autoencoder")
plot_history(vae.history_, ax=axes[1], title="VAE")

# %%
# Reconstruction and KL
# ---------------------
# :func:`~aembed.plotting.plot_loss_and_kl` splits the VAE's loss into its
# terms and sets the autoencoder's reconstruction beside it. On its
# training digits the VAE reconstructs less well than the autoencoder: that
# is the price of the KL term, which keeps its codes close to the prior. On
# the validation digits the two are about even. The KL starts near zero
# and climbs steeply over the first epochs, as the encoder learns to put
# information about each digit into its code, then keeps growing slowly.
from aembed.plotting import plot_loss_and_kl

plot_loss_and_kl({"autoencoder": ae.history_, "VAE": vae.history_})

# %%
# The two latent spaces
# ---------------------
# The autoencoder's codes go wherever reconstruction wants them, at any
# scale. The VAE's are held near the origin on the scale of the standard
# normal prior (mostly within ±3), with the classes packed against each
# other: the prior leaves little empty space, which is what lets the decoder
# turn a draw from it into a plausible digit.
from aembed.plotting import plot_embedding

# sphinx_gallery_thumbnail_number = 3

fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
plot_embedding(ae.transform(X_test), y_test, ax=axes[0], title="autoencoder")
plot_embedding(vae.transform(X_test), y_test, ax=axes[1], title="VAE")
axes[0].get_legend().remove()

# %%
# Scores
# ------
# :mod:`aembed.metrics` measures what the pictures suggest, on the held-out
# digits: the kNN accuracy (how well classes stay apart), the
# trustworthiness (how well neighbourhoods of the pixel space survive) and
# the reconstruction error.
import pandas as pd

from aembed import metrics

rows = {}
for name, model in [("autoencoder", ae), ("VAE", vae)]:
    Z_train, Z_test = model.transform(X_train), model.transform(X_test)
    rows[name] = {
        "5-NN accuracy": metrics.knn_accuracy(Z_train, y_train, Z_test, y_test),
        "trustworthiness": metrics.trustworthiness(X_test, Z_test),
        "reconstruction MSE": metrics.reconstruction_mse(
            X_test, model.reconstruct(X_test)
        ),
    }
pd.DataFrame(rows).T.round(4)
