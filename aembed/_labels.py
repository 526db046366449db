"""Class labels of a supervised fit: what marks a row unlabelled, and the codes.

With ``supervision_weight`` > 0, ``fit(X, y)`` and ``partial_fit(X, y)``
learn from the labelled rows of ``y``. ``-1`` marks an unlabelled row, as in
:mod:`sklearn.semi_supervised`, and so do ``None`` and NaN where the array
can hold them (float and object arrays). The first fit fixes the classes
(``classes_``, sorted, as a label encoder sorts them); every later block of
a warm fit must hold only those.
"""

import warnings
from numbers import Real

import numpy as np
import torch
from sklearn.utils.multiclass import type_of_target

# The code of an unlabelled row.
UNLABELLED = -1


def _unlabelled(y):
    """Which entries of the 1-D array ``y`` mark an unlabelled row."""
    if y.dtype.kind in "iu":
        return y == UNLABELLED
    if y.dtype.kind == "f":
        return np.isnan(y) | (y == UNLABELLED)
    if y.dtype.kind == "O":
        return np.array(
            [
                v is None
                or (
                    isinstance(v, Real)
                    and not isinstance(v, bool | np.bool_)
                    and (v != v or v == UNLABELLED)
                )
                for v in y
            ],
            dtype=bool,
        )
    return np.zeros(len(y), dtype=bool)  # strings, booleans: all labelled


def _as_1d(y, n_samples):
    if isinstance(y, torch.Tensor):
        y = y.detach().cpu().numpy()
    y = np.asarray(getattr(y, "to_numpy", lambda: y)())
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            "supervision_weight > 0 needs y as one class label per row (a 1-D "
            f"array), got an array of shape {y.shape}."
        )
    if len(y) != n_samples:
        raise ValueError(
            f"y has {len(y)} labels but X has {n_samples} rows; they must "
            "match (use -1 for an unlabelled row)."
        )
    return y


def encode_labels(est, y, n_samples, first, in_memory=True):
    """The class codes of ``y`` for ``est`` (``-1`` unlabelled), or None.

    None, and ``y`` ignored, when ``est.supervision_weight`` is 0; None
    with a warning when no row is labelled (training is then unsupervised).
    ``first`` (a fit that creates the network) sets ``est.classes_``;
    otherwise the labels must be among them. Labels need the rows in memory
    (``in_memory``): rows read in blocks are refused.
    """
    if first:
        vars(est).pop("classes_", None)  # an earlier fit's
    if est.supervision_weight == 0:
        return None
    if y is None:
        y = np.full(n_samples, UNLABELLED)
    y = _as_1d(y, n_samples)
    unlabelled = _unlabelled(y)
    if unlabelled.all():
        warnings.warn(
            f"supervision_weight={est.supervision_weight} but no row of y is "
            "labelled (y is None, or every label is -1): training is "
            "unsupervised.",
            UserWarning,
            stacklevel=6,
        )
        return None
    labels = y[~unlabelled]
    if labels.dtype.kind == "f" and not np.isfinite(labels).all():
        raise ValueError("y holds infinite labels; use -1 or NaN for unlabelled rows.")
    try:
        kind = type_of_target(labels)
        found = np.unique(labels)
    except TypeError:
        raise ValueError(
            "y mixes label types that cannot be ordered (such as strings and "
            "numbers); give every labelled row a label of one type."
        ) from None
    if kind.startswith("continuous"):
        raise ValueError(
            "supervision_weight > 0 learns from class labels, but y holds "
            "continuous values (floats that are not whole numbers); "
            "regression targets are not supported. Bin them into classes, "
            "or set supervision_weight=0."
        )
    if first:
        if len(found) < 2:
            raise ValueError(
                f"y holds 1 class ({found[0]!r}) among its labelled rows; "
                "supervision_weight > 0 needs at least 2 classes."
            )
        est.classes_ = found
    elif not hasattr(est, "classes_"):
        raise ValueError(
            "supervision_weight > 0 and y has labels, but the fitted network "
            "has no classifier head: it was first fitted without labels (or "
            "with supervision_weight=0). Fit a new network (warm_start=False) "
            "with the labels."
        )
    else:
        unseen = found[~np.isin(found, est.classes_)]
        if unseen.size:
            raise ValueError(
                f"y holds labels the first fit did not see: {unseen.tolist()!r} "
                f"(known: {est.classes_.tolist()!r}). The first fit (or first "
                "partial_fit block) fixes the classes: include every class "
                "in it."
            )
    if not in_memory:
        raise ValueError(
            "supervision_weight > 0 needs the training rows in memory, but "
            "X is read in blocks. Fit on an in-memory sample (e.g. "
            "np.asarray(X[rows])), or set supervision_weight=0."
        )
    codes = np.full(n_samples, UNLABELLED, dtype=np.int64)
    codes[~unlabelled] = np.searchsorted(est.classes_, labels)
    return codes
