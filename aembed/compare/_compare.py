"""compare(): every method on the same input, scored into one tidy table."""

import numpy as np
import pandas as pd

from .._console import warnings_above
from .._scaling import apply_scaling, fit_scaling
from ._fitting import progress_steps, run_methods, warm_up_methods
from ._methods import check_methods, check_sizes, make_method


def common_scaling(X_train, X_test, scaling="auto"):
    """Map both splits into the units every method of a comparison sees.

    The autoencoders rescale their input (``scaling="auto"``); PCA, t-SNE
    and UMAP do not. Scaling the data once, up front, with the same rule
    gives every method the same input, and reconstruction errors of every
    method the same units.

    Parameters
    ----------
    X_train, X_test : array-like of shape (n_samples, n_features)
        The training and held-out rows.
    scaling : {"auto", "minmax", "standard"} or None, default="auto"
        As the estimators' ``scaling``, fitted on ``X_train``: ``"auto"``
        keeps data within [0, 1], maps pixel-like data (non-negative, columns
        sharing one range) onto [0, 1], and standardises other tables.

    Returns
    -------
    X_train, X_test : ndarray of float32
        The scaled rows.
    scaling : tuple
        ``(mode, offset, scale)``: the map applied, ``"none"``,
        ``"minmax"`` or ``"standard"``, and its arrays, so that
        ``X = X_scaled * scale + offset``.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.compare import common_scaling
    >>> X = np.array([[1.0, 200.0], [3.0, 400.0]])
    >>> X_tr, X_te, (mode, offset, scale) = common_scaling(X, X[:1])
    >>> mode, X_tr.tolist(), offset.tolist()
    ('standard', [[-1.0, -1.0], [1.0, 1.0]], [2.0, 300.0])
    """
    X_train = np.asarray(X_train, dtype=np.float32)
    X_test = np.asarray(X_test, dtype=np.float32)
    mode, offset, scale = fit_scaling(X_train, scaling)
    return (
        apply_scaling(X_train, offset, scale),
        apply_scaling(X_test, offset, scale),
        (mode, offset, scale),
    )


def _resolve_data_range(X_train, data_range):
    """The PSNR's range: "auto" is 1.0 for data within [0, 1], else None."""
    if data_range != "auto":
        return data_range
    return 1.0 if X_train.min() >= 0 and X_train.max() <= 1 else None


RESULT_COLUMNS = ["method", "evaluation", "class", "metric", "value"]


def compare(
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    methods=None,
    n_components=2,
    max_epochs=None,
    device="cpu",
    random_state=0,
    n_neighbors=5,
    method_params=None,
    scaling="auto",
    data_range="auto",
    warm_up=True,
    verbose=0,
    return_fitted=False,
):
    """Fit embedders on a training split and score them on held-out rows.

    Every method sees the same input: both splits are first mapped into
    common units by :func:`common_scaling`, and reconstruction errors are
    measured in those units.

    Parameters
    ----------
    X_train, y_train : array-like
        Training rows and their labels (labels are used only for scoring;
        any sortable labels: integers, strings).
    X_test, y_test : array-like
        Held-out rows and labels.
    methods : list of str, default=None
        Method names (see :func:`available_methods`), each at most once;
        None runs :func:`default_methods`.
    n_components : int, default=2
        Embedding dimension for every method.
    max_epochs : int, default=None
        Training epochs of the aembed estimators (their default when None).
    device : str, default="cpu"
        Device for the aembed estimators.
    random_state : int, default=0
        Seed for every method.
    n_neighbors : int, default=5
        Neighbours of the kNN classifier and of trustworthiness.
    method_params : dict of str to dict, default=None
        Extra parameters per aembed method, e.g.
        ``{"vae": {"beta": 0.5, "callbacks": [...]}}``.
    scaling : {"auto", "minmax", "standard"} or None, default="auto"
        The common input scaling (:func:`common_scaling`); None gives the
        data to every method as they are.
    data_range : float, "auto" or None, default="auto"
        The known value range of the data in the common units, for the
        PSNR. ``"auto"`` takes 1.0 when the scaled training rows lie within
        [0, 1] (pixels) and reports no PSNR otherwise; None reports none.
    warm_up : bool, default=True
        Fit each method once on a few rows first (:func:`warm_up_methods`), so that
        no method's ``fit_time`` includes PyTorch's or numba's one-off
        start-up.
    verbose : int, default=0
        Show a progress bar over all methods and epochs when positive.
    return_fitted : bool, default=False
        Also return the :class:`FittedMethod` of every method.

    Returns
    -------
    results : pandas.DataFrame
        Tidy: one row per method, class and metric, with columns
        ``method``, ``evaluation`` (``"held-out"``, or ``"transductive"``
        for t-SNE), ``class`` (``"all"`` for whole-split metrics, else a
        label: per-class ``mse`` and ``psnr``), ``metric`` and ``value``.
        Metrics: ``knn_accuracy``, ``trustworthiness``, ``silhouette``,
        ``ari``, ``nmi``, ``mse``, ``psnr``, ``fit_time`` and
        ``transform_time`` (seconds for all of ``X_test``). Methods that
        cannot reconstruct have NaN ``mse``/``psnr``. :func:`summary`
        pivots it to one row per method.
    fitted : dict of str to FittedMethod
        Only when ``return_fitted`` is True; embeddings and reconstructions
        are in the common units.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from aembed.compare import compare, summary
    >>> X, y = load_digits(return_X_y=True)
    >>> X_tr, X_te, y_tr, y_te = train_test_split(X / 16, y, random_state=0)
    >>> results = compare(X_tr, y_tr, X_te, y_te, methods=["pca", "dae"],
    ...                   max_epochs=5)
    >>> summary(results).shape
    (2, 10)
    """
    methods = check_methods(methods)
    X_train, X_test, _ = common_scaling(X_train, X_test, scaling)
    check_sizes(methods, len(X_train), len(X_test), X_train.shape[1], n_components)
    if warm_up:
        warm_up_methods(methods, X_train, n_components=n_components, device=device)
    data_range = _resolve_data_range(X_train, data_range)
    progress = None
    if verbose:
        from tqdm.auto import tqdm

        total = sum(
            progress_steps(m, make_method(m, max_epochs=max_epochs), len(X_train))
            for m in methods
        )
        progress = tqdm(total=total, unit="step", desc="aembed compare")
    rows, fitted = [], {}
    try:
        with warnings_above(progress):
            for name, result, method_rows in run_methods(
                methods,
                X_train,
                np.asarray(y_train),
                X_test,
                np.asarray(y_test),
                n_components=n_components,
                max_epochs=max_epochs,
                device=device,
                random_state=random_state,
                n_neighbors=n_neighbors,
                method_params=method_params,
                data_range=data_range,
                progress=progress,
            ):
                fitted[name] = result
                rows += method_rows
    finally:
        if progress is not None:
            progress.close()
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    return (results, fitted) if return_fitted else results


SUMMARY_COLUMNS = [
    "evaluation",
    "knn_accuracy",
    "trustworthiness",
    "silhouette",
    "ari",
    "nmi",
    "mse",
    "psnr",
    "fit_time",
    "transform_time",
]


def summary(results):
    """One row per method, one column per whole-split metric.

    Parameters
    ----------
    results : pandas.DataFrame
        The tidy output of :func:`compare`.

    Returns
    -------
    table : pandas.DataFrame
        Indexed by method, in the order the methods ran.

    See Also
    --------
    per_class : The per-class rows of the same table.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> X, y = load_digits(return_X_y=True)
    >>> X_tr, X_te, y_tr, y_te = train_test_split(X / 16, y, random_state=0)
    >>> from aembed.compare import compare, summary
    >>> table = summary(compare(X_tr, y_tr, X_te, y_te, methods=["pca"]))
    >>> table.index.tolist(), table.columns[:3].tolist()
    (['pca'], ['evaluation', 'knn_accuracy', 'trustworthiness'])
    """
    overall = results[results["class"] == "all"]
    order = list(dict.fromkeys(overall["method"]))
    table = overall.pivot(index="method", columns="metric", values="value")
    table.insert(0, "evaluation", overall.groupby("method")["evaluation"].first())
    return table.loc[
        order, SUMMARY_COLUMNS[:1] + [c for c in SUMMARY_COLUMNS[1:] if c in table]
    ]


def per_class(results):
    """Per-class ``mse`` and ``psnr``: one row per method and class.

    Parameters
    ----------
    results : pandas.DataFrame
        The tidy output of :func:`compare`.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``method``, ``class``, ``mse`` and ``psnr``, ready for
        :func:`aembed.plotting.plot_per_class_bars`.

    See Also
    --------
    summary : One row per method.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> X, y = load_digits(return_X_y=True)
    >>> X_tr, X_te, y_tr, y_te = train_test_split(X / 16, y, random_state=0)
    >>> from aembed.compare import compare, per_class
    >>> table = per_class(compare(X_tr, y_tr, X_te, y_te, methods=["pca"]))
    >>> table.columns.tolist(), len(table)
    (['method', 'class', 'mse', 'psnr'], 10)
    """
    rows = results[results["class"] != "all"]
    return rows.pivot_table(
        index=["method", "class"], columns="metric", values="value", sort=False
    ).reset_index()
