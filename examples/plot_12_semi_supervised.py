"""
===================================================
Semi-supervised maps: ten labelled digits per class
===================================================

Labels are often few. With ``supervision_weight`` above 0, ``fit(X, y)``
learns from the labelled rows of ``y`` and still from every row's
reconstruction; ``-1`` marks a row without a label, as in
:mod:`sklearn.semi_supervised`. A small classifier head reads the
embedding, and with ``neighbor_weight > 0`` the labels are also spread over
the neighbour graph to the unlabelled rows it reaches with confidence.

This example keeps the labels of 10 training digits per class (100 of
3,600), trains the same neighbour-preserving autoencoder without and with
them, and compares the maps of held-out digits neither model saw.
"""

# %%
# A hundred labels
# ----------------
import numpy as np
from sklearn.model_selection import train_test_split

from aembed import DenoisingAEEmbedder
from aembed.datasets import load_mnist_5k

X, y = load_mnist_5k(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=0
)
rng = np.random.default_rng(0)
y_partial = np.full_like(y_train, -1)
for digit in range(10):
    keep = rng.choice(np.flatnonzero(y_train == digit), 10, replace=False)
    y_partial[keep] = digit
labelled = y_partial != -1
print(f"{labelled.sum()} labelled training digits of {len(y_train)}")

# %%
# Two models
# ----------
# The same estimator twice; the first ignores ``y`` (``supervision_weight=0``
# by default), the second learns from its 100 labels. ``augment=(28, 28)``
# trains on slightly rotated, scaled and shifted copies of the digits: the
# neighbour term's, and the head's. (``max_epochs=20`` keeps the example
# quick; the user guide's numbers use the default 53.)
models = {}
for name, weight in [("without labels", 0.0), ("10 labels per class", 3.0)]:
    models[name] = DenoisingAEEmbedder(
        neighbor_weight=1.0,
        supervision_weight=weight,
        augment=(28, 28),
        teacher_weight=0.0,  # the neighbour term alone: a quicker fit
        max_epochs=20,
        random_state=0,
    ).fit(X_train, y_partial)

# %%
# The supervised term in the history
# ----------------------------------
# ``history_`` records the head's cross-entropy as ``train_supervision``.
models["10 labels per class"].history_[["train_reconstruction", "train_supervision"]]

# %%
# Held-out digits, before and after
# ---------------------------------
import matplotlib.pyplot as plt

from aembed.plotting import plot_embedding

# sphinx_gallery_thumbnail_number = 1

fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
for ax, (name, model) in zip(axes, models.items(), strict=True):
    plot_embedding(model.transform(X_test), y_test, ax=ax, title=name)
axes[0].get_legend().remove()

# %%
# Scores
# ------
# A 5-NN classifier fitted on the embeddings of the 100 labelled training
# digits alone classifies the held-out digits; the reconstruction error
# shows what the labels cost the decoder.
import pandas as pd

from aembed import metrics

rows = {}
for name, model in models.items():
    Z_train, Z_test = model.transform(X_train), model.transform(X_test)
    rows[name] = {
        "5-NN accuracy (100 labels)": metrics.knn_accuracy(
            Z_train[labelled], y_train[labelled], Z_test, y_test
        ),
        "reconstruction MSE": metrics.reconstruction_mse(
            X_test, model.reconstruct(X_test)
        ),
    }
pd.DataFrame(rows).T.round(4)
