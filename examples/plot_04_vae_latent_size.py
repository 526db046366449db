"""
=========================================
How large a latent space? A β-VAE study
=========================================

How many latent dimensions does a VAE need to rebuild MNIST digits? This
example trains :class:`~aembed.VAEEmbedder` with latent sizes 5, 10, 15 and
20 and measures the reconstruction error of every digit class on held-out
images, as mean squared error (MSE) and peak signal-to-noise ratio (PSNR).
It then looks closer at one model: its training curves, a t-SNE map of its
latent codes, and images from the full model (encode, then decode) next to
images from its decoder alone, decoding latent points drawn from the prior.
"""

# %%
# One model per latent size
# -------------------------
# ``beta`` weighs the KL term of the loss; 1 is the classic VAE, larger
# values trade reconstruction for a latent space closer to the prior.
# ``kl_warmup_epochs=5`` raises the KL weight from 0 over the first five
# epochs, so that the encoder learns to use its code before the prior pulls
# on it, and ``batch_size=64`` takes more optimisation steps per epoch,
# which helps on a few thousand rows. ``early_stopping=True`` keeps 10% of
# the training digits aside to record validation losses.
from sklearn.model_selection import train_test_split

from aembed import VAEEmbedder
from aembed.datasets import load_mnist_5k

X, y = load_mnist_5k(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=3000, test_size=1000, stratify=y, random_state=0
)

sizes = [5, 10, 15, 20]
models = {
    size: VAEEmbedder(
        n_components=size,
        beta=1.0,
        kl_warmup_epochs=5,
        batch_size=64,
        max_epochs=20,
        early_stopping=True,
        random_state=0,
    ).fit(X_train)
    for size in sizes
}

# %%
# Reconstruction error per digit
# -------------------------------
# :func:`~aembed.metrics.per_class_reconstruction` gives each class's MSE
# and PSNR. ``data_range=1.0`` is the span of the pixel values, which makes
# PSNR comparable across classes and models (higher is better).
import pandas as pd

from aembed import metrics

per_class = pd.concat(
    {
        size: metrics.per_class_reconstruction(
            X_test, model.reconstruct(X_test), y_test, data_range=1.0
        )
        for size, model in models.items()
    },
    names=["latent size"],
).reset_index()

overall = pd.DataFrame(
    {
        size: {
            "MSE": metrics.reconstruction_mse(X_test, model.reconstruct(X_test)),
            "PSNR (dB)": metrics.psnr(
                X_test, model.reconstruct(X_test), data_range=1.0
            ),
        }
        for size, model in models.items()
    }
).T.rename_axis("latent size")
overall.round(4)

# %%
# The error falls from 5 to 10 dimensions and stops improving beyond; after
# the same 20 epochs the 20-dimensional model is even slightly worse. The
# digit 1, a single stroke, is the easiest to rebuild at every size; digits
# with loops and junctions, such as 2 and 8, are among the hardest.
import matplotlib.pyplot as plt

from aembed.plotting import plot_per_class_bars

fig, axes = plt.subplots(2, 1, figsize=(9, 7), layout="constrained", sharex=True)
plot_per_class_bars(per_class, metric="mse", group="latent size", ax=axes[0])
plot_per_class_bars(per_class, metric="psnr", group="latent size", ax=axes[1])
axes[1].set_ylim(bottom=10)
axes[1].get_legend().remove()

# %%
# How many dimensions are used
# ----------------------------
# Why more dimensions stop helping: a latent dimension carries information
# only where the encoder moves its posterior away from the prior. The
# average KL of each dimension over the held-out digits counts those in use
# (here, more than 0.1 nats); the KL term keeps the others at the prior,
# whatever the input. Beyond about ten dimensions the extra ones go
# unused.
import numpy as np
import torch

for size, model in models.items():
    module = model.net_.module_
    with torch.no_grad():
        mean, logvar = module.posterior(torch.from_numpy(X_test))
        kl = 0.5 * (mean**2 + logvar.exp() - 1 - logvar)
    per_dim = kl.mean(dim=0).numpy()
    print(f"latent size {size:2d}: {np.sum(per_dim > 0.1):2d} dimensions in use")

# %%
# A closer look at the 15-dimensional model
# ------------------------------------------
# Its training and validation losses over the epochs, from ``history_``.
# The validation loss runs below the training loss: validation decodes each
# digit's posterior mean, training a noisy draw from the posterior, which
# is harder to rebuild from.
from aembed.plotting import plot_history

vae = models[15]
plot_history(vae.history_, title="VAE, 15 latent dimensions")

# %%
# The latent codes through t-SNE
# ------------------------------
# Fifteen dimensions cannot be drawn, so t-SNE maps the held-out codes
# (``transform`` returns the posterior means) to a plane. Each digit forms
# its own cluster: the codes keep the class structure even though the VAE
# never saw a label.
from sklearn.manifold import TSNE

from aembed.plotting import plot_embedding

Z_2d = TSNE(n_components=2, random_state=0).fit_transform(vae.transform(X_test))
ax = plot_embedding(Z_2d, y_test, title="t-SNE of the 15-D VAE codes")
ax.set_xlabel("t-SNE 1")
ax.set_ylabel("t-SNE 2")

# %%
# Full model and decoder alone
# ----------------------------
# The full model encodes a digit and decodes its code: most reconstructions
# follow their originals, while unusual handwriting comes back blurred
# towards a typical digit. The decoder alone decodes latent points drawn
# from the standard normal prior (:meth:`~aembed.VAEEmbedder.sample`): no
# input image is involved, and the VAE generates new digits, blurrier and
# now and then ambiguous, as a VAE's samples are.
from aembed.plotting import plot_image_grid

# sphinx_gallery_thumbnail_number = 3

first_of_each = np.array([np.flatnonzero(y_test == d)[0] for d in range(10)])
originals = X_test[first_of_each]
fig, axes = plt.subplots(3, 1, figsize=(8, 3.2), layout="constrained")
plot_image_grid(originals, image_shape=(28, 28), ax=axes[0], title="original")
plot_image_grid(
    vae.reconstruct(originals),
    image_shape=(28, 28),
    ax=axes[1],
    title="full VAE: encode, then decode",
)
plot_image_grid(
    vae.sample(10, random_state=0),
    image_shape=(28, 28),
    ax=axes[2],
    title="decoder only: latent points drawn from the prior",
)
