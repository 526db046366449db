"""Scores of an embedding: neighbours kept, classes separated and found."""

from numbers import Integral

import numpy as np
from sklearn.cluster import KMeans
from sklearn.manifold import trustworthiness as _sk_trustworthiness
from sklearn.metrics import (
    adjusted_rand_score,
    normalized_mutual_info_score,
    silhouette_score,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_array, check_consistent_length

from .._inputs import as_array
from ._checks import check_labels, reject_bools, rescale, subsample

# embedding_scores estimates the trustworthiness on this many rows at most:
# the exact value needs memory quadratic in the rows.
_TRUSTWORTHINESS_MAX_SAMPLES = 5000


@validate_params(
    {
        "Z_train": ["array-like"],
        "y_train": ["array-like"],
        "Z_test": ["array-like"],
        "y_test": ["array-like"],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def knn_accuracy(Z_train, y_train, Z_test, y_test, *, n_neighbors=5):
    """Held-out accuracy of a k-nearest-neighbours classifier on an embedding.

    The classifier is fitted on the training embedding and scored on the test
    embedding, so the score says how well classes stay separated in the
    embedded space for data the embedder has not seen.

    Parameters
    ----------
    Z_train : array-like of shape (n_train, n_components)
        Embedding of the training samples.
    y_train : array-like of shape (n_train,)
        Class labels of the training samples.
    Z_test : array-like of shape (n_test, n_components)
        Embedding of the test samples.
    y_test : array-like of shape (n_test,)
        Class labels of the test samples.
    n_neighbors : int, default=5
        Number of neighbours that vote; at most ``n_train``.

    Returns
    -------
    accuracy : float
        Fraction of test samples whose predicted class is right.

    See Also
    --------
    sklearn.neighbors.KNeighborsClassifier : The classifier used.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.metrics import knn_accuracy
    >>> Z_train = np.array([[0.0], [0.1], [1.0], [1.1]])
    >>> y_train = np.array([0, 0, 1, 1])
    >>> Z_test = np.array([[0.05], [1.05], [0.9]])
    >>> y_test = np.array([0, 1, 0])
    >>> round(knn_accuracy(Z_train, y_train, Z_test, y_test, n_neighbors=1), 3)
    0.667
    """
    reject_bools(n_neighbors=n_neighbors)
    Z_train = check_array(as_array(Z_train))
    Z_test = check_array(as_array(Z_test))
    y_train = check_labels(y_train, Z_train.shape[0], name="y_train")
    y_test = check_labels(y_test, Z_test.shape[0], name="y_test")
    if Z_train.shape[1] != Z_test.shape[1]:
        raise ValueError(
            f"Z_train has {Z_train.shape[1]} features but Z_test has {Z_test.shape[1]}."
        )
    if n_neighbors > Z_train.shape[0]:
        raise ValueError(
            f"n_neighbors={n_neighbors} is larger than the number of training "
            f"samples ({Z_train.shape[0]})."
        )
    # Both embeddings get one factor, so the neighbours stay the same.
    Z_train, Z_test = rescale(Z_train, Z_test)
    knn = KNeighborsClassifier(n_neighbors=n_neighbors).fit(Z_train, y_train)
    return float(knn.score(Z_test, y_test))


@validate_params(
    {
        "X": ["array-like"],
        "Z": ["array-like"],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "max_samples": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def trustworthiness(X, Z, *, n_neighbors=5, max_samples=None, random_state=0):
    """How well an embedding keeps the local neighbourhoods of the input.

    scikit-learn's :func:`sklearn.manifold.trustworthiness`, with the scale of
    `X` and of `Z` set aside (so huge or tiny values neither overflow nor
    lose precision). It needs memory quadratic in the number of samples: pass
    `max_samples` to compute it on a random subsample of that many rows, with
    neighbours searched within that subsample, an estimate of the full-data
    value rather than the value itself.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Input data.
    Z : array-like of shape (n_samples, n_components)
        Embedding of `X`.
    n_neighbors : int, default=5
        Size of the neighbourhoods compared; must be less than half the number
        of (subsampled) samples.
    max_samples : int or None, default=None
        Largest number of rows used. None uses every row and gives
        scikit-learn's number; 5,000 rows need about 200 MB and a few
        seconds.
    random_state : int, RandomState instance or None, default=0
        Seed of the subsample; only used when there are more than
        `max_samples` rows.

    Returns
    -------
    trustworthiness : float
        Between 0 and 1; 1 means every embedded neighbour is a true neighbour.

    See Also
    --------
    sklearn.manifold.trustworthiness : The score computed.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.metrics import trustworthiness
    >>> X = np.random.RandomState(0).normal(size=(50, 4))
    >>> round(trustworthiness(X, X[:, :2] * 10, n_neighbors=5), 3)
    0.857
    >>> trustworthiness(X, X, n_neighbors=5)
    1.0
    """
    reject_bools(n_neighbors=n_neighbors, max_samples=max_samples)
    X = check_array(as_array(X))
    Z = check_array(as_array(Z))
    check_consistent_length(X, Z)
    rows = subsample(X.shape[0], max_samples, random_state)
    X, Z = X[rows], Z[rows]
    if n_neighbors >= X.shape[0] / 2:
        raise ValueError(
            f"n_neighbors={n_neighbors} must be less than half the number of "
            f"samples used ({X.shape[0]}); lower n_neighbors or raise max_samples."
        )
    # Neighbour ranks within X and within Z ignore the scale of each.
    (X,), (Z,) = rescale(X), rescale(Z)
    return float(_sk_trustworthiness(X, Z, n_neighbors=n_neighbors))


@validate_params(
    {
        "Z": ["array-like"],
        "labels": ["array-like"],
        "max_samples": [Interval(Integral, 2, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def silhouette(Z, labels, *, max_samples=10000, random_state=0):
    """Silhouette score of an embedding, using the true classes as clusters.

    Like :func:`trustworthiness`, the score needs all pairwise distances, so
    above `max_samples` rows it is computed on a random subsample.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_components)
        Embedding.
    labels : array-like of shape (n_samples,)
        True class of each sample; at least 2 and at most ``n_samples - 1``
        distinct classes.
    max_samples : int or None, default=10000
        Largest number of rows used. None uses every row.
    random_state : int, RandomState instance or None, default=0
        Seed of the subsample; only used when there are more than
        `max_samples` rows.

    Returns
    -------
    silhouette : float
        Between -1 and 1; higher means tighter, better separated classes.

    See Also
    --------
    sklearn.metrics.silhouette_score : The score computed.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.metrics import silhouette
    >>> Z = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> round(silhouette(Z, [0, 0, 1, 1]), 3)
    0.9
    """
    reject_bools(max_samples=max_samples)
    Z = check_array(as_array(Z))
    labels = check_labels(labels, Z.shape[0])
    rows = subsample(Z.shape[0], max_samples, random_state)
    Z, labels = Z[rows], labels[rows]
    n_classes = np.unique(labels).size
    if not 2 <= n_classes <= Z.shape[0] - 1:
        raise ValueError(
            f"silhouette needs at least 2 classes and fewer classes than samples; "
            f"got {n_classes} classes in {Z.shape[0]} samples."
        )
    (Z,) = rescale(Z)
    return float(silhouette_score(Z, labels))


@validate_params(
    {
        "Z": ["array-like"],
        "labels": ["array-like"],
        "n_clusters": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def clustering_agreement(Z, labels, *, n_clusters=None, random_state=0):
    """Agreement between a k-means clustering of an embedding and the classes.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_components)
        Embedding.
    labels : array-like of shape (n_samples,)
        True class of each sample.
    n_clusters : int or None, default=None
        Number of k-means clusters. None uses the number of distinct classes.
    random_state : int, RandomState instance or None, default=0
        Seed of k-means (10 initialisations).

    Returns
    -------
    scores : dict
        ``{"ari": float, "nmi": float}``: the adjusted Rand index and the
        normalized mutual information between clusters and classes.

    See Also
    --------
    sklearn.metrics.adjusted_rand_score : The ARI.
    sklearn.metrics.normalized_mutual_info_score : The NMI.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.metrics import clustering_agreement
    >>> Z = np.array([[0.0], [0.1], [5.0], [5.1], [9.0], [9.1]])
    >>> scores = clustering_agreement(Z, ["a", "a", "b", "b", "c", "c"])
    >>> {name: round(value, 3) for name, value in scores.items()}
    {'ari': 1.0, 'nmi': 1.0}
    """
    reject_bools(n_clusters=n_clusters)
    Z = check_array(as_array(Z))
    labels = check_labels(labels, Z.shape[0])
    if n_clusters is None:
        n_clusters = np.unique(labels).size
    if n_clusters > Z.shape[0]:
        raise ValueError(
            f"n_clusters={n_clusters} is larger than the number of samples "
            f"({Z.shape[0]})."
        )
    kmeans = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state)
    # k-means++ and Lloyd's iterations are scale-free: only overflow is lost.
    (Z,) = rescale(Z)
    clusters = kmeans.fit_predict(Z)
    return {
        "ari": float(adjusted_rand_score(labels, clusters)),
        "nmi": float(normalized_mutual_info_score(labels, clusters)),
    }


@validate_params(
    {
        "Z_train": ["array-like"],
        "y_train": ["array-like"],
        "Z_test": ["array-like"],
        "y_test": ["array-like"],
        "X_test": ["array-like", None],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def embedding_scores(
    Z_train, y_train, Z_test, y_test, *, X_test=None, n_neighbors=5, random_state=0
):
    """The usual scores of an embedding, in one dict.

    Everything is computed on the test embedding, except the kNN accuracy,
    which is fitted on the training embedding and scored on the test one.
    For speed on large test sets, the trustworthiness is estimated on at
    most 5,000 rows and the silhouette on at most 10,000 (random subsamples;
    see their `max_samples`).

    Parameters
    ----------
    Z_train : array-like of shape (n_train, n_components)
        Embedding of the training samples.
    y_train : array-like of shape (n_train,)
        Class labels of the training samples.
    Z_test : array-like of shape (n_test, n_components)
        Embedding of the test samples.
    y_test : array-like of shape (n_test,)
        Class labels of the test samples.
    X_test : array-like of shape (n_test, n_features), default=None
        Test samples before embedding; needed for the trustworthiness.
    n_neighbors : int, default=5
        Neighbours used by the kNN accuracy and the trustworthiness.
    random_state : int, RandomState instance or None, default=0
        Seed of the subsamples and of k-means.

    Returns
    -------
    scores : dict
        ``knn_accuracy``, ``trustworthiness`` (NaN when `X_test` is None),
        ``silhouette``, ``ari`` and ``nmi``, all floats.

    See Also
    --------
    knn_accuracy : The kNN accuracy alone.
    trustworthiness : The trustworthiness alone.
    silhouette : The silhouette alone.
    clustering_agreement : The ARI and NMI alone.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.metrics import embedding_scores
    >>> rng = np.random.RandomState(0)
    >>> centers = np.array([[0.0, 0.0], [10.0, 10.0]])
    >>> y_train, y_test = np.repeat([0, 1], 20), np.repeat([0, 1], 10)
    >>> Z_train = centers[y_train] + rng.normal(size=(40, 2))
    >>> Z_test = centers[y_test] + rng.normal(size=(20, 2))
    >>> scores = embedding_scores(Z_train, y_train, Z_test, y_test)
    >>> sorted(scores)
    ['ari', 'knn_accuracy', 'nmi', 'silhouette', 'trustworthiness']
    >>> scores["knn_accuracy"], scores["ari"], scores["trustworthiness"]
    (1.0, 1.0, nan)
    """
    reject_bools(n_neighbors=n_neighbors)
    scores = {
        "knn_accuracy": knn_accuracy(
            Z_train, y_train, Z_test, y_test, n_neighbors=n_neighbors
        ),
        "trustworthiness": np.nan,
    }
    if X_test is not None:
        scores["trustworthiness"] = trustworthiness(
            X_test,
            Z_test,
            n_neighbors=n_neighbors,
            max_samples=_TRUSTWORTHINESS_MAX_SAMPLES,
            random_state=random_state,
        )
    scores["silhouette"] = silhouette(Z_test, y_test, random_state=random_state)
    scores.update(clustering_agreement(Z_test, y_test, random_state=random_state))
    return scores
