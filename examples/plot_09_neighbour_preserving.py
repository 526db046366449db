"""
===============================================
Neighbour-preserving training: a better 2-D map
===============================================

An autoencoder with a 2-D bottleneck keeps what it needs to reconstruct,
not which digits were neighbours: its classes overlap. Parametric UMAP
showed that adding UMAP's neighbour-graph loss to the autoencoder's fixes
much of that while it still reconstructs. In aembed that is one parameter,
the same for all three estimators: ``neighbor_weight`` (0 by default, which
trains each model exactly as its paper defines it) with ``n_neighbors``.

This example trains a VAE twice on the same digits, without and with the
term, and compares the two maps of held-out digits the models never saw.
"""

# %%
# Two VAEs
# --------
# ``neighbor_weight=1.0``, the recommended weight (UMAP's loss 1:1 against
# the per-pixel reconstruction loss, as in Parametric UMAP), builds UMAP's
# fuzzy 15-nearest-neighbour graph of the training digits, optimises the
# digits' layout on it as UMAP does (the teacher, ``teacher_weight=1.0`` by
# default), starts the encoder from that layout, and adds UMAP's
# cross-entropy on edges sampled in every batch, and the pull towards the
# teacher, to the VAE's loss. ``augment=(28, 28)`` tells the dense network
# that its rows are 28 x 28 images, so that the neighbour term also sees
# slightly rotated, scaled and shifted copies of them. ``transform`` is
# still one encoder pass: held-out digits are embedded without any graph.
import time

from sklearn.model_selection import train_test_split

from aembed import VAEEmbedder
from aembed.datasets import load_mnist_5k

X, y = load_mnist_5k(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=0
)

models, fit_seconds = {}, {}
for name, weight in [("VAE", 0.0), ("VAE + neighbours", 1.0)]:
    start = time.perf_counter()
    vae = VAEEmbedder(neighbor_weight=weight, augment=(28, 28), random_state=0)
    models[name] = vae.fit(X_train)
    fit_seconds[name] = time.perf_counter() - start

# %%
# The neighbour term in the history
# ---------------------------------
# ``history_`` records the term as ``train_neighbor`` and the teacher's pull
# as ``train_teacher`` beside the reconstruction and KL terms;
# ``train_loss`` is the model's own loss plus each of them times its weight
# and the number of features.
from aembed.plotting import plot_loss_and_kl

plot_loss_and_kl({name: model.history_ for name, model in models.items()})

# %%
# Held-out digits, side by side
# -----------------------------
# With the term, digits of a class gather in one region and fewer classes
# overlap.
import matplotlib.pyplot as plt

from aembed.plotting import plot_embedding

# sphinx_gallery_thumbnail_number = 2

fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
for ax, (name, model) in zip(axes, models.items(), strict=True):
    plot_embedding(model.transform(X_test), y_test, ax=ax, title=name)
axes[0].get_legend().remove()

# %%
# Scores
# ------
# The held-out 5-NN accuracy and trustworthiness measure how much of the
# digits' neighbourhoods the map keeps; the reconstruction error shows what
# the term costs the decoder.
import pandas as pd

from aembed import metrics

rows = {}
for name, model in models.items():
    Z_train, Z_test = model.transform(X_train), model.transform(X_test)
    rows[name] = {
        "5-NN accuracy": metrics.knn_accuracy(Z_train, y_train, Z_test, y_test),
        "trustworthiness": metrics.trustworthiness(X_test, Z_test),
        "reconstruction MSE": metrics.reconstruction_mse(
            X_test, model.reconstruct(X_test)
        ),
        "fit (s)": fit_seconds[name],
    }
pd.DataFrame(rows).T.round(4)
