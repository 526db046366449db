"""Your own data: a ``.npy``, ``.npz`` or ``.csv`` file."""

from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._common import scale_pixels

_LABEL_COLUMNS = ("label", "labels", "target", "y", "class")
_NPZ_DATA_KEYS = ("X", "data")
_NPZ_LABEL_KEYS = ("y", "target", "labels")
TABLE_SUFFIXES = (".npy", ".npz", ".csv")


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
        return scale_pixels(data, 255), shape
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
            f"Cannot load {path}: the suffix must be one of {TABLE_SUFFIXES}."
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
