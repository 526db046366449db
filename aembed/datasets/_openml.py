"""MNIST from OpenML, downloaded once and cached by scikit-learn."""

import warnings
from pathlib import Path

import numpy as np

from ._common import OFFLINE_CHOICES, as_result, image_bunch, scale_pixels

_MNIST_N_TRAIN = 60_000

_MNIST_DESCR = """\
MNIST handwritten digits
------------------------
70,000 handwritten digits (28x28 grey levels, classes 0-9) fetched from
OpenML (``mnist_784``, version 1) and cached by scikit-learn. The first
60,000 rows (``n_train``) are the standard training set, the last 10,000 the
standard test set. Pixels are scaled to [0, 1].
"""


def _mnist_is_cached(data_home):
    """Whether scikit-learn's OpenML cache seems to hold ``mnist_784`` v1.

    fetch_openml has no ``download_if_missing``, so look for the two files it
    would otherwise download first: the name lookup and the ARFF data.
    """
    from sklearn.datasets import get_data_home

    root = Path(get_data_home(data_home)) / "openml" / "openml.org"
    lookup = (
        root / "api/v1/json/data/list/data_name/mnist_784/limit/2/data_version/1.gz"
    )
    arff = (root / "data" / "v1" / "download").glob("*/mnist_784.arff.gz")
    return lookup.is_file() and any(arff)


def fetch_mnist(*, data_home=None, return_X_y=False, download_if_missing=True):
    """Download all 70,000 MNIST digits from OpenML, cached by scikit-learn.

    The first call downloads ``mnist_784`` through
    :func:`sklearn.datasets.fetch_openml`; later calls read scikit-learn's
    cache.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder scikit-learn downloads to and caches in; None means
        :func:`sklearn.datasets.get_data_home` (``~/scikit_learn_data``).

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    download_if_missing : bool, default=True
        If False, raise an :class:`OSError` instead of downloading when the
        data is not in the cache.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (ndarray of shape (70000, 784), float32 in [0, 1]),
        ``target`` (ndarray of shape (70000,), int64), ``target_names``,
        ``image_shape`` ``(28, 28)``, ``DESCR``, ``name`` and ``n_train``
        (60000): the first ``n_train`` rows are the standard training set,
        the rest the standard test set.

    (data, target) : tuple if ``return_X_y`` is True
        The arrays ``data`` and ``target`` of the Bunch.

    Raises
    ------
    OSError
        If the data is not cached and cannot be downloaded; the message
        lists the loaders that work offline.

    See Also
    --------
    load_mnist_5k : 5,000 MNIST digits, offline.

    Examples
    --------
    >>> from aembed.datasets import fetch_mnist
    >>> mnist = fetch_mnist()  # doctest: +SKIP
    >>> mnist.data.shape, mnist.n_train  # doctest: +SKIP
    ((70000, 784), 60000)
    """
    from sklearn.datasets import fetch_openml

    if not download_if_missing and not _mnist_is_cached(data_home):
        raise OSError(
            "MNIST (mnist_784) is not in scikit-learn's cache and "
            f"download_if_missing=False. {OFFLINE_CHOICES}"
        )
    try:
        raw = fetch_openml("mnist_784", version=1, as_frame=False, data_home=data_home)
    # URLError, ConnectionError and TimeoutError are all OSError subclasses.
    except OSError as exc:
        raise OSError(
            f"Could not download MNIST (mnist_784) from OpenML: {exc}. "
            f"{OFFLINE_CHOICES}"
        ) from exc
    bunch = image_bunch(
        scale_pixels(raw.data, 255),
        raw.target,
        image_shape=(28, 28),
        target_names=np.arange(10),
        descr=_MNIST_DESCR,
        name="mnist",
        n_train=_MNIST_N_TRAIN,
    )
    return as_result(bunch, return_X_y)


def load_mnist(*, data_home=None, return_X_y=False, download_if_missing=True):
    """Deprecated name of :func:`fetch_mnist`.

    Renamed because it downloads: in scikit-learn's naming, ``load_*``
    reads data that ships with a package and ``fetch_*`` downloads it.
    ``load_mnist`` will be removed in aembed 0.3.

    Parameters
    ----------
    data_home : str or path-like, default=None
        As for :func:`fetch_mnist`.
    return_X_y : bool, default=False
        As for :func:`fetch_mnist`.
    download_if_missing : bool, default=True
        As for :func:`fetch_mnist`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch` or tuple
        What :func:`fetch_mnist` returns.

    Warns
    -----
    FutureWarning
        Always: call :func:`fetch_mnist` instead.

    See Also
    --------
    fetch_mnist : The same loader under its new name.

    Examples
    --------
    >>> from aembed.datasets import load_mnist
    >>> mnist = load_mnist()  # doctest: +SKIP
    """
    warnings.warn(
        "load_mnist was renamed fetch_mnist (it downloads the data, and "
        "fetch_* is scikit-learn's name for loaders that download); "
        "load_mnist will be removed in aembed 0.3.",
        FutureWarning,
        stacklevel=2,
    )
    return fetch_mnist(
        data_home=data_home,
        return_X_y=return_X_y,
        download_if_missing=download_if_missing,
    )
