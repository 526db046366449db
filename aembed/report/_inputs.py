"""The report's inputs, checked before anything is fitted, and the split.

The options, the output folder and the labels are checked first; then the
rows are split (stratified) and mapped into the common units every method
sees.
"""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from .._scaling import apply_scaling, undo_scaling
from ..compare import common_scaling
from ..metrics._checks import check_comparable
from . import _interactive


def check_options(n_components, test_size, validation_size, sweep_sizes, interactive):
    """Options checked before the data is looked at; the sweep and interactive."""
    if (
        isinstance(n_components, bool)
        or not isinstance(n_components, (int, np.integer))
        or n_components < 2
    ):
        raise ValueError(
            f"n_components={n_components!r}: the report draws 2-D maps of the "
            "embeddings and needs n_components of at least 2."
        )
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must lie between 0 and 1; got {test_size!r}.")
    if not 0 <= validation_size < 1:
        raise ValueError(
            f"validation_size must lie in [0, 1); got {validation_size!r}."
        )
    if interactive is True and not _interactive.bokeh_available():
        raise ImportError(
            "interactive=True draws the maps with Bokeh, which is not installed; "
            f"install it with: {_interactive.INSTALL_HINT}"
        )
    interactive = interactive is True or (
        interactive == "auto" and _interactive.bokeh_available()
    )
    return check_sweep(sweep_sizes), interactive


def check_out(out, overwrite):
    if not os.fspath(out):
        # Path("") is the current folder, which the report would fill.
        raise ValueError("out='' is empty; give the folder to write the report to.")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"out={str(out)!r} is a file, not a folder.")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(
            f"out={str(out)!r} already holds files; choose a new or empty folder, "
            "or pass overwrite=True to replace the report's files in it."
        )
    return out


def make_out(out):
    """Create ``out`` and check that files can be written there, before fitting."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise type(exc)(
            exc.errno,
            f"{exc.strerror}; the report cannot be written to this folder",
            str(out),
        ) from None


def check_sweep(sweep_sizes):
    sizes = list(sweep_sizes or ())
    bad = [
        s
        for s in sizes
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1
    ]
    if bad:
        raise ValueError(f"sweep_sizes must be positive integers; got {bad}.")
    if len(set(sizes)) != len(sizes):
        raise ValueError(f"sweep_sizes names a size more than once: {sizes}.")
    return [int(s) for s in sizes]


def sweep_within(sweep_sizes, n_features):
    """The sweep's sizes up to the number of features, and those left out.

    A latent space as wide as the data already holds it all: a wider one
    reconstructs no better and says nothing about compression.
    """
    kept = [s for s in sweep_sizes if s <= n_features]
    return kept, [s for s in sweep_sizes if s > n_features]


def label_names(labels, target_names=None):
    """A dict from each distinct label to the name shown for it.

    ``target_names`` indexed by the label (as the built-in loaders give
    them, labels 0 to K-1) names the classes; any other labels (strings,
    1 to K, sparse codes) are their own names.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        The labels, of any sortable kind.
    target_names : sequence, default=None
        A dataset's ``target_names``.

    Returns
    -------
    names : dict
        Each distinct label, in sorted order, to its name.

    Examples
    --------
    >>> from aembed.report import label_names
    >>> label_names([0, 1, 1], ["cat", "dog"])
    {0: 'cat', 1: 'dog'}
    >>> label_names([1, 2, 3], [1, 2, 3])
    {1: '1', 2: '2', 3: '3'}
    >>> label_names(["b", "a"])
    {'a': 'a', 'b': 'b'}
    """
    classes = np.unique(np.asarray(labels))
    plain = [c.item() if isinstance(c, np.generic) else c for c in classes]
    if target_names is not None:
        names = list(target_names)
        indexable = all(
            isinstance(c, (int, np.integer)) and 0 <= c < len(names) for c in plain
        )
        if indexable and [str(c) for c in plain] != [str(n) for n in names]:
            return {c: str(names[c]) for c in plain}
    return {c: str(c) for c in plain}


def check_labels(y, name):
    if y is None:
        raise ValueError(
            "The comparison scores embeddings against class labels, and this "
            "dataset has none; give a table with a label column (label_column)."
        )
    y = np.asarray(y)
    check_comparable(y, "labels")
    classes, counts = np.unique(y, return_counts=True)
    if "all" in [str(c) for c in classes]:
        raise ValueError(
            f"{name} has a class named 'all', which the tables use for the rows "
            "that score the whole split; rename that class."
        )
    if len(classes) < 2:
        raise ValueError(
            f"{name} has a single class ({classes[0]!r}); the comparison scores "
            "how well an embedding separates classes and needs at least two."
        )
    if counts.min() < 2:
        rare = [
            c.item() if isinstance(c, np.generic) else c for c in classes[counts < 2]
        ]
        raise ValueError(
            f"{name} has classes with a single row ({', '.join(map(repr, rare[:5]))}"
            f"{' ...' if len(rare) > 5 else ''}); the stratified split needs at "
            "least two rows per class: drop or merge them."
        )
    return y


def split(X, y, test_size, validation_size, seed):
    """Stratified train / held-out split, and a validation share of train."""
    n_classes = len(np.unique(y))
    for share, what, n in (
        (test_size, "test_size", len(y)),
        (validation_size, "validation_size", round(len(y) * (1 - test_size))),
    ):
        if share and round(share * n) < n_classes:
            raise ValueError(
                f"{what}={share} holds out {round(share * n)} of {n} rows, fewer "
                f"than the {n_classes} classes; a stratified split needs one row "
                f"per class at least: raise {what} or use more rows."
            )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed
    )
    X_valid = X_train[:0]
    if validation_size:
        X_train, X_valid, y_train, _ = train_test_split(
            X_train,
            y_train,
            test_size=validation_size,
            stratify=y_train,
            random_state=seed,
        )
    return X_train, X_valid, X_test, y_train, y_test


@dataclass
class Data:
    """The split in the common units, and what the figures need to know."""

    name: str
    n_rows: int
    n_features: int
    X_train: np.ndarray
    X_valid: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    scaling: tuple
    image_shape: tuple | None
    label_names: dict
    feature_names: object
    test_size: float
    validation_size: float
    seed: int

    @property
    def has_psnr(self):
        # A known pixel range: images, which the common scaling leaves in (or
        # maps onto) [0, 1].
        return (
            self.image_shape is not None
            and self.X_train.min() >= 0
            and self.X_train.max() <= 1
        )

    def to_data_units(self, rows):
        _, offset, scale = self.scaling
        return undo_scaling(rows, offset, scale)


def prepare(dataset, test_size, validation_size, seed):
    """Check the labels, split, and map every split into the common units."""
    name = dataset.get("name", "data")
    X = np.asarray(dataset.data, dtype=np.float32)
    y = check_labels(dataset.target, f"dataset {name!r}")
    X_fit, X_valid, X_test, y_train, y_test = split(
        X, y, test_size, validation_size, seed
    )
    X_train, X_test, scaling = common_scaling(X_fit, X_test)
    _, offset, scale = scaling
    return Data(
        name=name,
        n_rows=X.shape[0],
        n_features=X.shape[1],
        X_train=X_train,
        X_valid=apply_scaling(X_valid, offset, scale),
        X_test=X_test,
        y_train=y_train,
        y_test=y_test,
        scaling=scaling,
        image_shape=dataset.get("image_shape"),
        label_names=label_names(y, dataset.get("target_names")),
        feature_names=dataset.get("feature_names"),
        test_size=test_size,
        validation_size=validation_size,
        seed=seed,
    )
