"""Scores of reconstructions: mean squared error and PSNR, overall and per class."""

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_array

from .._inputs import as_array
from ._checks import check_labels


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
    labels = check_labels(labels, X.shape[0])
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
