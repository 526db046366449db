"""The checks and helpers the metrics share."""

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, column_or_1d

from .._inputs import as_array, reject_bools  # noqa: F401 (shared)


def check_labels(labels, n_samples, name="labels"):
    """Return `labels` as a 1d array with one entry per sample."""
    labels = column_or_1d(labels)
    if labels.shape[0] != n_samples:
        raise ValueError(
            f"{name} has {labels.shape[0]} entries but the data has "
            f"{n_samples} samples."
        )
    check_comparable(labels, name)
    return labels


def check_comparable(labels, name):
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


def rescale(*arrays):
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


def subsample(n_samples, max_samples, random_state):
    """Row indices of a random subsample, or ``slice(None)`` to keep every row."""
    if max_samples is None or n_samples <= max_samples:
        return slice(None)
    rng = check_random_state(random_state)
    return np.sort(rng.choice(n_samples, size=max_samples, replace=False))
