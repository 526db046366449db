"""Data sets by name or path, as the command line names them."""

import os
from pathlib import Path

from ._bundled import load_digits, load_mnist_5k
from ._idx import load_fashion_mnist
from ._openml import fetch_mnist
from ._tables import TABLE_SUFFIXES, load_table

NAMED_LOADERS = {
    "mnist-5k": load_mnist_5k,
    "mnist": fetch_mnist,
    "fashion-mnist": load_fashion_mnist,
    "digits": load_digits,
}


def load_dataset(name="mnist-5k"):
    """Load a data set by name or path, as the command line does.

    Parameters
    ----------
    name : str or path-like, default="mnist-5k"
        ``"mnist-5k"`` (:func:`load_mnist_5k`, offline), ``"mnist"``
        (:func:`fetch_mnist`), ``"fashion-mnist"`` (:func:`load_fashion_mnist`,
        training set), ``"digits"`` (scikit-learn's 8x8
        :func:`~sklearn.datasets.load_digits`, pixels divided by 16,
        ``image_shape`` ``(8, 8)``), or the path of a ``.npy``, ``.npz`` or
        ``.csv`` file (:func:`load_table`).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        The loader's Bunch, with at least ``data``, ``target``,
        ``target_names``, ``image_shape``, ``DESCR`` and ``name``.

    Raises
    ------
    ValueError
        If ``name`` is neither a known name nor a supported file; the
        message lists the valid names.

    Examples
    --------
    >>> from aembed.datasets import load_dataset
    >>> digits = load_dataset("digits")
    >>> digits.data.shape, digits.data.dtype, digits.image_shape
    ((1797, 64), dtype('float32'), (8, 8))
    >>> float(digits.data.max())
    1.0
    """
    if isinstance(name, str) and name in NAMED_LOADERS:
        return NAMED_LOADERS[name]()
    if isinstance(name, (str, os.PathLike)):
        if Path(name).suffix.lower() in TABLE_SUFFIXES:
            return load_table(name)
    valid = ", ".join(repr(known) for known in NAMED_LOADERS)
    raise ValueError(
        f"Unknown data set {name!r}. Valid names are {valid}, or the path of a "
        f"{', '.join(TABLE_SUFFIXES)} file."
    )
