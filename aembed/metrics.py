"""Scores for judging an embedding and the reconstructions behind it.

Every function takes plain NumPy arrays, so the scores apply to any embedder
(aembed's, PCA, UMAP, ...) and this module never imports torch.
"""

import time
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.manifold import trustworthiness as _sk_trustworthiness
from sklearn.metrics import (
    adjusted_rand_score,
    normalized_mutual_info_score,
    silhouette_score,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_array, check_consistent_length, column_or_1d

from ._inputs import as_array

__all__ = [
    "clustering_agreement",
    "embedding_scores",
    "knn_accuracy",
    "per_class_reconstruction",
    "psnr",
    "reconstruction_mse",
    "silhouette",
    "timed",
    "trustworthiness",
]

# embedding_scores estimates the trustworthiness on this many rows at most:
# the exact value needs memory quadratic in the rows.
_TRUSTWORTHINESS_MAX_SAMPLES = 5000


def _check_labels(labels, n_samples, name="labels"):
    """Return `labels` as a 1d array with one entry per sample."""
    labels = column_or_1d(labels)
    if labels.shape[0] != n_samples:
        raise ValueError(
            f"{name} has {labels.shape[0]} entries but the data has "
            f"{n_samples} samples."
        )
    _check_comparable(labels, name)
    return labels


def _check_comparable(labels, name):
    """Refuse labels that cannot be sorted into classes, such as None and ints."""
    if labels.dtype != object:
        return
    try:
        np.unique(labels)
    except TypeError:
        types = ", ".join(sorted({type(label).__name__ for label in labels}))
        raise TypeError(
            f"{name} must hold labels of one comparable type (all numbers "
            f"or all strings), got labels of types {types}."
        ) from None


def _reject_bools(**params):
    """Reject True and False, which sklearn's ``Interval(Integral, ...)`` admits."""
    for name, value in params.items():
        if isinstance(value, bool | np.bool_):
            raise TypeError(f"{name} must be an integer, got {value!r}.")


def _rescale(*arrays):
    """Divide arrays by the power of 2 that brings their largest value below 1.

    Distance-based scores that ignore the overall scale (neighbour ranks,
    silhouettes, k-means) get the same value from the rescaled arrays, exactly
    (dividing by a power of 2 is exact unless a value falls below float64's
    normal range, over 2**1022 times smaller than the largest); but squared
    distances between huge (1e200) or tiny (1e-200) values no longer overflow
    or underflow.
    The arrays share one factor, so pass together those that are compared
    with each other.
    """
    arrays = [check_array(as_array(a), dtype=[np.float64, np.float32]) for a in arrays]
    largest = max(np.abs(a).max() for a in arrays)
    if largest == 0:
        return arrays
    _, exponent = np.frexp(largest)
    return [np.ldexp(a, -exponent) for a in arrays]


def _subsample(n_samples, max_samples, random_state):
    """Row indices of a random subsample, or ``slice(None)`` to keep every row."""
    if max_samples is None or n_samples <= max_samples:
        return slice(None)
    rng = check_random_state(random_state)
    return np.sort(rng.choice(n_samples, size=max_samples, replace=False))


def _check_reconstruction(X, X_hat):
    """Validate a reference and its reconstruction, which must have equal shapes."""
    # float64 so that integer images (uint8 pixels) cannot wrap around when
    # subtracted.
    X = check_array(as_array(X), dtype=np.float64)
    X_hat = check_array(as_array(X_hat), dtype=np.float64)
    if X.shape != X_hat.shape:
        raise ValueError(
            f"X and X_hat must have the same shape, got {X.shape} and {X_hat.shape}."
        )
    return X, X_hat


def _resolve_data_range(X, data_range):
    """Return `data_range`, inferring it from the reference `X` when None."""
    if data_range is not None:
        return float(data_range)
    with np.errstate(over="ignore"):
        data_range = float(X.max() - X.min())
    if data_range == 0:
        raise ValueError(
            "X is constant, so data_range cannot be inferred from it; "
            "pass data_range explicitly."
        )
    if not np.isfinite(data_range):
        raise ValueError(
            f"X.max() - X.min() overflows float64 (X spans {X.min():.4g} to "
            f"{X.max():.4g}), so data_range cannot be inferred from it; "
            "pass data_range explicitly."
        )
    return data_range


def _psnr(X, X_hat, groups, data_range):
    """PSNR in dB of each group of rows, without overflow or underflow.

    ``10 * log10(data_range**2 / mse)`` is computed as
    ``20 * log10(data_range) - 10 * log10(mse)``, and each group's errors are
    divided by their largest absolute value before they are squared, that
    scale being added back in log space: squared errors of huge data would
    overflow float64, those of tiny data underflow. A group with no error
    gives ``inf``.

    Parameters
    ----------
    X, X_hat : ndarray of shape (n_samples, n_features)
        Reference and reconstruction, in float64.
    groups : ndarray of shape (n_samples,)
        Group of each row, from 0 to ``n_groups - 1``.
    data_range : float
        Finite, positive spread of possible values.

    Returns
    -------
    psnr : ndarray of shape (n_groups,)
    """
    n_groups = groups.max() + 1
    # Halving is exact and keeps even 1.7e308 - (-1.7e308) finite.
    half_error = np.abs(X / 2 - X_hat / 2)
    scale = np.zeros(n_groups)
    np.maximum.at(scale, groups, half_error.max(axis=1))
    row_scale = scale[groups, np.newaxis]
    ratio = np.divide(half_error, row_scale, out=np.zeros_like(X), where=row_scale > 0)
    sizes = np.bincount(groups, minlength=n_groups) * X.shape[1]
    mean = np.bincount(groups, (ratio**2).sum(axis=1), minlength=n_groups) / sizes
    with np.errstate(divide="ignore"):
        # mse = 4 * scale**2 * mean; log10(0) is -inf for a perfect group.
        log_mse = np.log10(4.0) + 2 * np.log10(scale) + np.log10(mean)
    return 20 * np.log10(data_range) - 10 * log_mse


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
    _reject_bools(n_neighbors=n_neighbors)
    Z_train = check_array(as_array(Z_train))
    Z_test = check_array(as_array(Z_test))
    y_train = _check_labels(y_train, Z_train.shape[0], name="y_train")
    y_test = _check_labels(y_test, Z_test.shape[0], name="y_test")
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
    Z_train, Z_test = _rescale(Z_train, Z_test)
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
    _reject_bools(n_neighbors=n_neighbors, max_samples=max_samples)
    X = check_array(as_array(X))
    Z = check_array(as_array(Z))
    check_consistent_length(X, Z)
    rows = _subsample(X.shape[0], max_samples, random_state)
    X, Z = X[rows], Z[rows]
    if n_neighbors >= X.shape[0] / 2:
        raise ValueError(
            f"n_neighbors={n_neighbors} must be less than half the number of "
            f"samples used ({X.shape[0]}); lower n_neighbors or raise max_samples."
        )
    # Neighbour ranks within X and within Z ignore the scale of each.
    (X,), (Z,) = _rescale(X), _rescale(Z)
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
    _reject_bools(max_samples=max_samples)
    Z = check_array(as_array(Z))
    labels = _check_labels(labels, Z.shape[0])
    rows = _subsample(Z.shape[0], max_samples, random_state)
    Z, labels = Z[rows], labels[rows]
    n_classes = np.unique(labels).size
    if not 2 <= n_classes <= Z.shape[0] - 1:
        raise ValueError(
            f"silhouette needs at least 2 classes and fewer classes than samples; "
            f"got {n_classes} classes in {Z.shape[0]} samples."
        )
    (Z,) = _rescale(Z)
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
    _reject_bools(n_clusters=n_clusters)
    Z = check_array(as_array(Z))
    labels = _check_labels(labels, Z.shape[0])
    if n_clusters is None:
        n_clusters = np.unique(labels).size
    if n_clusters > Z.shape[0]:
        raise ValueError(
            f"n_clusters={n_clusters} is larger than the number of samples "
            f"({Z.shape[0]})."
        )
    kmeans = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state)
    # k-means++ and Lloyd's iterations are scale-free: only overflow is lost.
    (Z,) = _rescale(Z)
    clusters = kmeans.fit_predict(Z)
    return {
        "ari": float(adjusted_rand_score(labels, clusters)),
        "nmi": float(normalized_mutual_info_score(labels, clusters)),
    }


@validate_params(
    {"X": ["array-like"], "X_hat": ["array-like"], "per_sample": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def reconstruction_mse(X, X_hat, *, per_sample=False):
    """Mean squared error between data and its reconstruction.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Reference data.
    X_hat : array-like of shape (n_samples, n_features)
        Reconstruction of `X`, for instance ``embedder.inverse_transform(Z)``.
    per_sample : bool, default=False
        If True, return the MSE of each row instead of the overall one.

    Returns
    -------
    mse : float or ndarray of shape (n_samples,)
        Mean over all entries, or over each row's entries.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.metrics import reconstruction_mse
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> X_hat = np.array([[0.0, 1.0], [1.0, 1.0]])
    >>> reconstruction_mse(X, X_hat)
    0.25
    >>> reconstruction_mse(X, X_hat, per_sample=True).tolist()
    [0.5, 0.0]
    """
    X, X_hat = _check_reconstruction(X, X_hat)
    squared_error = (X - X_hat) ** 2
    if per_sample:
        return squared_error.mean(axis=1)
    return float(squared_error.mean())


@validate_params(
    {
        "X": ["array-like"],
        "X_hat": ["array-like"],
        "data_range": [Interval(Real, 0, None, closed="neither"), None],
        "per_sample": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def psnr(X, X_hat, *, data_range=None, per_sample=False):
    """Peak signal-to-noise ratio of a reconstruction, in decibels.

    ``10 * log10(data_range**2 / mse)``, from the overall MSE or, with
    `per_sample`, from each row's MSE. A perfect reconstruction (MSE of 0)
    gives ``inf``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Reference data.
    X_hat : array-like of shape (n_samples, n_features)
        Reconstruction of `X`.
    data_range : float or None, default=None
        Spread of possible values (1.0 for images in [0, 1], 255 for uint8).
        None uses ``X.max() - X.min()`` of the reference, which must not be
        constant.
    per_sample : bool, default=False
        If True, return the PSNR of each row instead of the overall one.

    Returns
    -------
    psnr : float or ndarray of shape (n_samples,)
        PSNR in dB; ``inf`` where the MSE is 0.

    See Also
    --------
    reconstruction_mse : The MSE the PSNR is computed from.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.metrics import psnr
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> X_hat = np.array([[0.1, 0.9], [1.0, 0.0]])
    >>> round(psnr(X, X_hat), 2)
    23.01
    >>> np.round(psnr(X, X_hat, per_sample=True), 2).tolist()
    [20.0, inf]
    """
    X, X_hat = _check_reconstruction(X, X_hat)
    data_range = _resolve_data_range(X, data_range)
    if per_sample:
        return _psnr(X, X_hat, np.arange(X.shape[0]), data_range)
    return float(_psnr(X, X_hat, np.zeros(X.shape[0], dtype=int), data_range)[0])


@validate_params(
    {
        "X": ["array-like"],
        "X_hat": ["array-like"],
        "labels": ["array-like"],
        "data_range": [Interval(Real, 0, None, closed="neither"), None],
    },
    prefer_skip_nested_validation=True,
)
def per_class_reconstruction(X, X_hat, labels, *, data_range=None):
    """Reconstruction error of each class, to spot the classes an embedder loses.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Reference data.
    X_hat : array-like of shape (n_samples, n_features)
        Reconstruction of `X`.
    labels : array-like of shape (n_samples,)
        Class of each sample.
    data_range : float or None, default=None
        Spread of possible values, shared by every class so that their PSNRs
        are comparable. None uses ``X.max() - X.min()`` of the whole `X`.

    Returns
    -------
    table : pandas.DataFrame
        One row per class, sorted, with columns ``n_samples``, ``mse`` (mean
        over that class's entries) and ``psnr`` (in dB, from that MSE; ``inf``
        for a perfectly reconstructed class).

    See Also
    --------
    reconstruction_mse : The overall MSE.
    psnr : The overall PSNR.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.metrics import per_class_reconstruction
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> X_hat = np.array([[0.1, 0.9], [1.0, 0.0], [0.0, 1.0]])
    >>> print(per_class_reconstruction(X, X_hat, ["a", "a", "b"]).round(3))
           n_samples    mse   psnr
    class
    a              2  0.005  23.01
    b              1  0.500   3.01
    """
    X, X_hat = _check_reconstruction(X, X_hat)
    labels = _check_labels(labels, X.shape[0])
    data_range = _resolve_data_range(X, data_range)
    classes, class_index = np.unique(labels, return_inverse=True)
    row_mse = reconstruction_mse(X, X_hat, per_sample=True)
    # Every row has the same number of entries, so a class's mean over its
    # entries is the mean of its rows' MSEs.
    n_samples = np.bincount(class_index, minlength=classes.size)
    mse = np.bincount(class_index, weights=row_mse, minlength=classes.size) / n_samples
    return pd.DataFrame(
        {
            "n_samples": n_samples,
            "mse": mse,
            "psnr": _psnr(X, X_hat, class_index, data_range),
        },
        index=pd.Index(classes, name="class"),
    )


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
    _reject_bools(n_neighbors=n_neighbors)
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


def timed(func, *args, **kwargs):
    """Call a function and measure how long it took.

    Parameters
    ----------
    func : callable
        Function to call.
    *args, **kwargs
        Arguments passed to `func`.

    Returns
    -------
    result : object
        What ``func(*args, **kwargs)`` returned.
    seconds : float
        Wall-clock duration of the call, from :func:`time.perf_counter`.

    Examples
    --------
    >>> from aembed.metrics import timed
    >>> result, seconds = timed(sum, [1, 2, 3])
    >>> result, seconds >= 0
    (6, True)
    """
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start
