"""IDX files, the format MNIST and Fashion-MNIST are shipped in, and the
loaders of folders of them (Fashion-MNIST from Debian's package, MNIST)."""

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

from ._common import as_result, image_bunch, scale_pixels

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

_FASHION_MNIST_HINT = (
    "Install Debian's package with `apt-get install dataset-fashion-mnist`, "
    "or pass `path` to a folder holding the four Fashion-MNIST IDX files."
)
_MNIST_IDX_HINT = (
    "Pass `path` to a folder holding the four MNIST IDX files "
    "(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
    "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, gzipped or not)."
)


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
    return image_bunch(
        scale_pixels(images, 255),
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
    return as_result(bunch, return_X_y)


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
    fetch_mnist : Download MNIST from OpenML instead.

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
    return as_result(bunch, return_X_y)
