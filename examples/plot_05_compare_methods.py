"""
==============================================
Three autoencoders, PCA and t-SNE side by side
==============================================

:func:`aembed.compare.compare` fits several embedders on one training split
and scores them all on the same held-out digits. Here the three aembed
estimators, a denoising autoencoder, a VAE and a VQ-VAE, meet the two usual
baselines: PCA, linear and fast, and t-SNE, the reference for 2-D maps of
neighbourhoods, which can neither embed new points nor reconstruct.
"""

# %%
# Fitting and scoring
# -------------------
# Every method embeds into two dimensions. The autoencoders train for 20
# epochs on 2,000 digits, which keeps this example short; the scores below
# are not the best these models reach (raise ``max_epochs`` and the number
# of rows for that).
from sklearn.model_selection import train_test_split

from aembed.compare import compare, per_class, summary
from aembed.datasets import load_mnist_5k

X, y = load_mnist_5k(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=2000, test_size=1000, stratify=y, random_state=0
)

methods = ["dae", "vae", "vqvae", "pca", "tsne"]
results, fitted = compare(
    X_train,
    y_train,
    X_test,
    y_test,
    methods=methods,
    n_components=2,
    max_epochs=20,
    random_state=0,
    return_fitted=True,
)

# %%
# The table
# ---------
# :func:`~aembed.compare.summary` gives one row per method (shown here
# transposed, one column per method). All scores are on the held-out
# digits:
#
# - ``knn_accuracy``: a 5-nearest-neighbours classifier fitted on the
#   training embedding and scored on the held-out one;
# - ``trustworthiness``: the share of each point's embedded neighbours that
#   were neighbours in pixel space too (1 is perfect);
# - ``silhouette``, ``ari``, ``nmi``: how compact and separate the digit
#   classes are, and how well k-means clusters of the embedding match them;
# - ``mse`` and ``psnr``: the error of reconstructing each digit from its
#   two numbers (``inverse_transform``); t-SNE cannot reconstruct;
# - ``fit_time`` and ``transform_time``, in seconds.
#
# t-SNE has no ``transform``: its ``evaluation`` is ``"transductive"``, as it
# embeds the training and held-out digits together, which flatters it.
table = summary(results)
table.round(3).T

# %%
# t-SNE keeps neighbourhoods best, as it is built to; the autoencoders sit
# between it and PCA on the neighbourhood scores, and reconstruct better
# than PCA from the same two numbers. Unlike t-SNE, they embed new digits
# in milliseconds.
#
# The maps
# --------
import matplotlib.pyplot as plt

from aembed.plotting import plot_embedding

titles = {
    "dae": "denoising AE",
    "vae": "VAE",
    "vqvae": "VQ-VAE",
    "pca": "PCA",
    "tsne": "t-SNE (transductive)",
}
fig, axes = plt.subplots(2, 3, figsize=(12, 7.5), layout="constrained")
for ax, name in zip(axes.flat, methods, strict=False):
    plot_embedding(fitted[name].Z_test, y_test, ax=ax, title=titles[name])
    legend = ax.get_legend()
    legend.remove()
# The last panel holds the legend the others share.
axes.flat[-1].axis("off")
axes.flat[-1].legend(
    handles=legend.legend_handles,
    labels=[t.get_text() for t in legend.get_texts()],
    title="digit",
    loc="center",
    ncols=2,
    fontsize="large",
    markerscale=1.5,
)

# %%
# The VQ-VAE's map is the continuous encoder output; ``predict`` gives the
# index of the code each digit is snapped to, so the VQ-VAE doubles as a
# clusterer with ``n_codes`` clusters.
vqvae = fitted["vqvae"].estimator
codes = vqvae.predict(X_test)
print(f"{len(set(codes))} of {vqvae.n_codes} codes used by the held-out digits")

# %%
# Reconstructions from two numbers
# --------------------------------
# The first held-out digit of each class, rebuilt by every method that can.
import numpy as np

from aembed.plotting import plot_reconstructions

first = np.array([np.flatnonzero(y_test == d)[0] for d in range(10)])
plot_reconstructions(
    X_test[first],
    {titles[m]: fitted[m].X_test_rec[first] for m in ["dae", "vae", "vqvae", "pca"]},
    image_shape=(28, 28),
)

# %%
# Per-digit reconstruction quality
# --------------------------------
# :func:`~aembed.compare.per_class` holds the PSNR of every class, which
# :func:`~aembed.plotting.plot_per_class_bars` draws (higher is better).
from aembed.plotting import plot_per_class_bars

bars = per_class(results).replace({"method": titles})
ax = plot_per_class_bars(bars, metric="psnr", group="method")
ax.set_ylim(bottom=10)
ax.set_title("held-out digits, 2-D codes")
