"""The affine input scaling the estimators apply before training.

A network trains well on inputs of order one; users hand us pixel
intensities in [0, 255], standardised features, counts. The estimators fit
one of these maps on the training data, apply it on the way in and undo it
on the way out, so that ``inverse_transform`` speaks the caller's units.
"""

import numpy as np

# Data in [0, 1] are taken to be on the unit scale already (pixels) only if
# they span at least this much of it; smaller numbers are scaled like any.
_UNIT_SPAN = 0.5


class ColumnStats:
    """Per-column minimum, maximum, mean and variance, merged block by block.

    ``ColumnStats.of(X)`` describes one in-memory array; ``update`` folds in
    another block with Chan, Golub and LeVeque's pairwise formula, so that a
    dataset larger than memory is described in one streaming pass. One
    block gives exactly NumPy's ``mean`` and ``var`` in float64.
    """

    def __init__(self, n_features):
        self.n_samples = 0
        self.min = np.full(n_features, np.inf, dtype=np.float32)
        self.max = np.full(n_features, -np.inf, dtype=np.float32)
        self._mean = np.zeros(n_features)
        self._var = np.zeros(n_features)
        # A single block's mean and variance are computed when first read:
        # "minmax" and "none" scalings need only the range, and the
        # variance pass over a large table is a real share of a short fit.
        self._block = None

    @property
    def mean(self):
        self._settle()
        return self._mean

    @property
    def var(self):
        self._settle()
        return self._var

    def _settle(self):
        if self._block is not None:
            X, self._block = self._block, None
            self._mean = X.mean(axis=0, dtype=np.float64)
            self._var = X.var(axis=0, dtype=np.float64)

    @classmethod
    def of(cls, X):
        return cls(X.shape[1]).update(X)

    def update(self, X):
        """Fold the rows of ``X`` (float32, finite) into the statistics."""
        n = X.shape[0]
        if n == 0:
            return self
        np.minimum(self.min, X.min(axis=0), out=self.min)
        np.maximum(self.max, X.max(axis=0), out=self.max)
        if self.n_samples == 0:
            self._block = X
        else:
            self._settle()
            mean = X.mean(axis=0, dtype=np.float64)
            var = X.var(axis=0, dtype=np.float64)
            total = self.n_samples + n
            delta = mean - self._mean
            self._var = (
                self._var * self.n_samples
                + var * n
                + delta**2 * (self.n_samples * n / total)
            ) / total
            self._mean = self._mean + delta * (n / total)
        self.n_samples += n
        return self

    def scaled_range(self, offset, scale):
        """Minimum and maximum of ``apply_scaling(X, offset, scale)``.

        Exact: the map is increasing in every column, in float32 too.
        """
        low = apply_scaling(self.min, offset, scale)
        high = apply_scaling(self.max, offset, scale)
        return float(low.min()), float(high.max())


def _looks_like_one_unit(stats):
    """Whether all columns are non-negative and share one range, like pixels.

    "Share one range": at least three quarters of the non-constant columns
    span half the largest column range or more.

    Such data keep their geometry under one global scale (a pixel at 128 stays
    half as bright as one at 255), which per-column standardisation would
    distort: rarely-inked border pixels would be blown up to large values.
    """
    if stats.min.min() < 0:
        return False
    ranges = stats.max - stats.min
    ranges = ranges[ranges > 0]
    return ranges.size > 0 and np.percentile(ranges, 25) >= 0.5 * ranges.max()


def fit_scaling(X, scaling):
    """Choose and fit the input map ``X -> (X - offset) / scale``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32, or ColumnStats
        Training data, already validated (finite), or their statistics.
    scaling : {"auto", "minmax", "standard"} or None
        ``"minmax"`` maps the global range of ``X`` onto [0, 1] with one
        offset and one scale for all columns; ``"standard"`` centres and
        scales every column to unit variance (constant columns are only
        centred: those whose spread is within float32's rounding of their
        values); ``None`` keeps ``X`` as it is. ``"auto"`` keeps data that
        already lie in [0, 1] and span at least half of it, uses
        ``"minmax"`` when all columns are non-negative and share one range
        (images, counts of one kind), and ``"standard"`` otherwise.

    Returns
    -------
    mode : str
        The map used: ``"none"``, ``"minmax"`` or ``"standard"``.
    offset, scale : ndarray of shape (n_features,), float32

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0, 255], [255, 0]], dtype=np.float32)
    >>> mode, offset, scale = fit_scaling(X, "auto")
    >>> mode, offset.tolist(), scale.tolist()
    ('minmax', [0.0, 0.0], [255.0, 255.0])
    """
    stats = X if isinstance(X, ColumnStats) else ColumnStats.of(X)
    n_features = stats.min.shape[0]
    low, high = stats.min.min(), stats.max.max()
    if scaling == "auto":
        if low >= 0 and high <= 1 and high - low >= _UNIT_SPAN:
            scaling = None
        elif _looks_like_one_unit(stats):
            scaling = "minmax"
        else:
            scaling = "standard"

    if scaling is None:
        offset, scale = np.zeros(n_features), np.ones(n_features)
        mode = "none"
    elif scaling == "minmax":
        offset = np.full(n_features, low)
        scale = np.full(n_features, high - low if high > low else 1.0)
        mode = "minmax"
    elif scaling == "standard":
        offset = stats.mean
        scale = np.sqrt(stats.var)
        # Constant up to float32's rounding of the column's values, however
        # small they are: only centred.
        magnitude = np.maximum(np.abs(stats.min), np.abs(stats.max))
        rounding = 10 * np.finfo(np.float32).eps * magnitude
        scale[scale <= rounding] = 1.0
        mode = "standard"
    else:
        raise ValueError(f"unknown scaling {scaling!r}")
    return mode, offset.astype(np.float32), scale.astype(np.float32)


def apply_scaling(X, offset, scale):
    """``(X - offset) / scale`` as float32.

    Values beyond float32's range become infinite, silently: the callers
    check their outputs for non-finite values and explain them.
    """
    with np.errstate(over="ignore"):
        return ((X - offset) / scale).astype(np.float32, copy=False)


def undo_scaling(X, offset, scale):
    """The inverse of :func:`apply_scaling`: back to the caller's units."""
    return (X * scale + offset).astype(np.float32, copy=False)
