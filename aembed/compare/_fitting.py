"""Fit one method, score it, and run a list of methods one after another."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from .. import metrics
from .._training import resolve_epochs
from .._training._callbacks import EpochTicks
from ._methods import TRAINED_METHODS, make_method, method_name


@dataclass
class FittedMethod:
    """One method's fitted estimator, embeddings and reconstructions.

    What :func:`fit_method` returns and :func:`compare` gives back with
    ``return_fitted=True``.

    Parameters
    ----------
    name : str
        The method's name, e.g. ``"vae"``.
    estimator : object
        The fitted estimator (for openTSNE, its fitted embedding).
    evaluation : {"held-out", "transductive"}
        Whether the test rows were embedded by a model fitted without them.
    Z_train : ndarray of shape (n_train, n_components)
        Embedding of the training rows.
    Z_test : ndarray of shape (n_test, n_components)
        Embedding of the held-out rows.
    X_test_rec : ndarray of shape (n_test, n_features) or None
        Reconstructions of the held-out rows; None for methods that cannot
        reconstruct.
    fit_time : float
        Seconds spent in ``fit``.
    transform_time : float
        Seconds to embed the held-out rows (NaN for t-SNE).
    extras : dict, default={}
        Anything else worth keeping.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from aembed.compare import fit_method
    >>> X, _ = load_digits(return_X_y=True)
    >>> fitted = fit_method("pca", PCA(2), X[:100], X[100:150])
    >>> fitted.evaluation, fitted.Z_test.shape, fitted.X_test_rec.shape
    ('held-out', (50, 2), (50, 64))
    """

    name: str
    estimator: Any
    evaluation: str  # "held-out" or "transductive"
    Z_train: np.ndarray
    Z_test: np.ndarray
    X_test_rec: np.ndarray | None
    fit_time: float
    transform_time: float
    extras: dict = field(default_factory=dict)


def keep_labels(y, fraction, seed):
    """Class codes of ``y``, all but a stratified ``fraction`` of rows set to -1.

    The labels a semi-supervised fit gets: in each class, ``fraction`` of
    its rows (at least one), drawn with ``seed``, keep their class code (the
    position of their label in the sorted labels); the others are marked
    unlabelled.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.compare._fitting import keep_labels
    >>> codes = keep_labels(np.array(["a", "b"] * 10), 0.2, seed=0)
    >>> sorted(codes.tolist()).count(-1), sorted(set(codes.tolist()))
    (16, [-1, 0, 1])
    """
    classes, codes = np.unique(y, return_inverse=True)
    rng = np.random.default_rng(seed)
    partial = np.full(len(codes), -1, dtype=np.int64)
    for c in range(len(classes)):
        rows = np.flatnonzero(codes == c)
        n_kept = max(1, round(fraction * len(rows)))
        partial[rng.permutation(rows)[:n_kept]] = c
    return partial


def fit_method(name, estimator, X_train, X_test, y=None):
    """Fit one estimator, embed both splits and reconstruct the held-out rows.

    Parameters
    ----------
    name : str
        The method's name (see :func:`available_methods`); ``"tsne"`` and
        ``"opentsne"`` are fitted their own way.
    estimator : object
        An unfitted estimator, e.g. from :func:`make_method`.
    X_train : array-like of shape (n_train, n_features)
        Rows to fit on.
    X_test : array-like of shape (n_test, n_features)
        Held-out rows to embed and reconstruct.
    y : array-like of shape (n_train,), default=None
        Labels of the training rows (``-1`` for unlabelled ones) for the
        methods that learn from them (the aembed estimators with
        ``supervision_weight`` > 0, UMAP); None fits without labels. t-SNE
        and openTSNE never see them.

    Returns
    -------
    fitted : FittedMethod
        The fitted estimator, both embeddings, the reconstructions of
        ``X_test`` (when the method has ``inverse_transform``) and the
        timings.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from aembed.compare import fit_method, make_method
    >>> X, _ = load_digits(return_X_y=True)
    >>> fitted = fit_method("pca", make_method("pca"), X[:100], X[100:150])
    >>> fitted.Z_train.shape, fitted.Z_test.shape
    ((100, 2), (50, 2))
    """
    if name == "tsne":
        # One OpenMP thread: scikit-learn's Barnes-Hut gradient sums in
        # threads, and its map would depend on the machine's thread count.
        with threadpool_limits(1, user_api="openmp"):
            joint, fit_time = metrics.timed(
                estimator.fit_transform, np.vstack([X_train, X_test])
            )
        n = len(X_train)
        return FittedMethod(
            name,
            estimator,
            "transductive",
            joint[:n],
            joint[n:],
            None,
            fit_time,
            np.nan,
        )
    if name == "opentsne":
        embedding, fit_time = metrics.timed(estimator.fit, X_train)
        Z_test, transform_time = metrics.timed(embedding.transform, X_test)
        return FittedMethod(
            name,
            embedding,
            "held-out",
            np.asarray(embedding),
            np.asarray(Z_test),
            None,
            fit_time,
            transform_time,
        )

    _, fit_time = metrics.timed(estimator.fit, X_train, y)
    Z_test, transform_time = metrics.timed(estimator.transform, X_test)
    Z_train = estimator.transform(X_train)
    # umap-learn's inverse_transform costs ~0.2 s a point: not worth a report.
    X_rec = None if name == "umap" else estimator.inverse_transform(Z_test)
    return FittedMethod(
        name, estimator, "held-out", Z_train, Z_test, X_rec, fit_time, transform_time
    )


def score_method(fitted, X_test, y_train, y_test, *, n_neighbors=5, data_range=None):
    """Tidy rows of every metric for one fitted method.

    Parameters
    ----------
    fitted : FittedMethod
        The output of :func:`fit_method`.
    X_test : array-like of shape (n_test, n_features)
        The held-out rows, for trustworthiness and reconstruction errors.
    y_train : array-like of shape (n_train,)
        Labels of the training rows (for the kNN classifier).
    y_test : array-like of shape (n_test,)
        Labels of the held-out rows.
    n_neighbors : int, default=5
        Neighbours of the kNN classifier and of trustworthiness.
    data_range : float, default=None
        The known value range of the data (1.0 for pixels in [0, 1]), for
        the PSNR; None reports no PSNR (NaN), as for tables, where a peak
        signal means nothing.

    Returns
    -------
    rows : list of dict
        Keys ``method``, ``evaluation``, ``class`` (``"all"`` or a label),
        ``metric`` and ``value``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> X, y = load_digits(return_X_y=True)
    >>> X_tr, X_te, y_tr, y_te = train_test_split(X / 16, y, random_state=0)
    >>> from aembed.compare import fit_method, make_method, score_method
    >>> fitted = fit_method("pca", make_method("pca"), X_tr, X_te)
    >>> rows = score_method(fitted, X_te, y_tr, y_te, data_range=1.0)
    >>> rows[0]["method"], rows[0]["class"], rows[0]["metric"]
    ('pca', 'all', 'knn_accuracy')
    """
    scores = metrics.embedding_scores(
        fitted.Z_train,
        y_train,
        fitted.Z_test,
        y_test,
        X_test=X_test,
        n_neighbors=n_neighbors,
    )
    scores["mse"] = scores["psnr"] = np.nan
    if fitted.X_test_rec is not None:
        scores["mse"] = metrics.reconstruction_mse(X_test, fitted.X_test_rec)
        if data_range is not None:
            scores["psnr"] = metrics.psnr(
                X_test, fitted.X_test_rec, data_range=data_range
            )
    scores["fit_time"] = fitted.fit_time
    scores["transform_time"] = fitted.transform_time

    base = {"method": fitted.name, "evaluation": fitted.evaluation}
    rows = [
        {**base, "class": "all", "metric": k, "value": v} for k, v in scores.items()
    ]
    if fitted.X_test_rec is not None:
        per_class = metrics.per_class_reconstruction(
            X_test, fitted.X_test_rec, y_test, data_range=data_range or 1.0
        )
        if data_range is None:
            per_class["psnr"] = np.nan
        for label, row in per_class.iterrows():
            for metric in ("mse", "psnr"):
                rows.append(
                    {**base, "class": label, "metric": metric, "value": row[metric]}
                )
    return rows


def progress_steps(name, estimator, n_samples):
    """Steps a method takes on the progress bar: its epochs on ``n_samples``
    training rows (``max_epochs="auto"`` resolved), or one."""
    if name in TRAINED_METHODS:
        return resolve_epochs(estimator.max_epochs, n_samples)
    return 1


def warm_up_methods(methods, X_train, *, n_components=2, device="cpu", n_rows=200):
    """Fit each method once on a few rows, so no timed fit pays a start-up.

    The first PyTorch fit in a process pays about a second of one-off
    set-up, and umap-learn compiles its numba functions on first use; after
    this warm-up (a fit and a transform of each method) the times no longer
    depend on the order of the methods. scikit-learn's t-SNE has no such
    cost and is skipped.

    Parameters
    ----------
    methods : sequence of str
        Method names.
    X_train : ndarray of shape (n_samples, n_features)
        Rows to take the first ``n_rows`` of.
    n_components : int, default=2
        Embedding dimension.
    device : str, default="cpu"
        Device of the aembed estimators.
    n_rows : int, default=200
        Rows of the warm-up fits.
    """
    X = np.asarray(X_train[:n_rows], dtype=np.float32)
    for name in methods:
        if name == "tsne" or len(X) <= n_components + 1:
            continue
        est = make_method(
            name, n_components=n_components, device=device, random_state=0
        )
        if name in TRAINED_METHODS:
            est.set_params(max_epochs=1)
        if name == "umap":
            est.set_params(n_epochs=10, n_neighbors=min(15, len(X) - 1))
        if name == "opentsne":
            est.perplexity = min(est.perplexity, (len(X) - 1) / 3)
        # transform too: umap-learn compiles its transform on first use.
        fit_method(name, est, X, X[:20])


def run_methods(
    methods,
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    n_components=2,
    max_epochs=None,
    device="cpu",
    random_state=0,
    n_neighbors=5,
    method_params=None,
    data_range=None,
    progress=None,
    y_fit=None,
):
    """Fit and score methods one at a time, yielding each as soon as it is done.

    The loop of :func:`compare`, for callers that write each method's
    scores as they come (the report does): the data are used as given.

    Parameters
    ----------
    methods : list of str
        Checked method names (:func:`check_methods`).
    X_train, y_train, X_test, y_test : ndarray
        The split, in the common units (:func:`common_scaling`).
    n_components, max_epochs, device, random_state, n_neighbors, method_params
        As for :func:`compare`.
    data_range : float, default=None
        The PSNR's value range, None for no PSNR.
    progress : tqdm.tqdm, default=None
        A progress bar whose total counts :func:`progress_steps` of every
        method; advanced by one per epoch of the trained methods and by one
        for each other method.
    y_fit : ndarray of shape (n_train,), default=None
        The labels the methods are fitted with (see :func:`fit_method`);
        None fits without labels. The scores use ``y_train`` regardless.

    Yields
    ------
    name : str
    fitted : FittedMethod
    rows : list of dict
        The method's rows of the tidy results table.
    """
    method_params = method_params or {}
    data = {
        "X_train": X_train,
        "X_test": X_test,
        "y_train": y_train,
        "y_test": y_test,
        "y_fit": y_fit,
        "n_neighbors": n_neighbors,
        "data_range": data_range,
    }
    common = {
        "n_components": n_components,
        "random_state": random_state,
        "max_epochs": max_epochs,
        "device": device,
    }
    for name in methods:
        if progress is not None:
            progress.set_postfix_str(method_name(name), refresh=True)
        params = {**common, **method_params.get(name, {})}
        fitted, rows = fit_one(name, params, data, progress=progress)
        yield name, fitted, rows


def fit_one(name, params, data, *, progress=None, score=True):
    """Make one method, fit it on ``data`` and, with ``score``, score it.

    The one fit of :func:`run_methods` and of the report's worker processes.

    Parameters
    ----------
    name : str
        The method's name.
    params : dict
        Its parameters for :func:`make_method` (``n_components``,
        ``max_epochs``, callbacks...).
    data : dict
        ``X_train``, ``X_test``, ``y_train``, ``y_test`` and optionally
        ``y_fit`` (the labels it is fitted with), ``n_neighbors`` and
        ``data_range`` (see :func:`run_methods`).
    progress : object with an ``update(n)`` method, default=None
        Advanced by :func:`progress_steps` of the method: by one per epoch
        as it trains, the rest (early stopping) at the end.
    score : bool, default=True
        Fit, embed and score the method (:func:`fit_method`,
        :func:`score_method`); False only fits it.

    Returns
    -------
    fitted : FittedMethod or estimator
        The fitted method (the fitted estimator when not scored).
    rows : list of dict or None
        Its rows of the tidy results table; None when not scored.
    """
    params = dict(params)
    if progress is not None and name in TRAINED_METHODS:
        params["callbacks"] = [*(params.get("callbacks") or []), EpochTicks(progress)]
    estimator = make_method(name, **params)
    if score:
        fitted = fit_method(
            name, estimator, data["X_train"], data["X_test"], data.get("y_fit")
        )
    else:
        fitted = estimator.fit(data["X_train"])
    if progress is not None:
        # One step for a method without epochs; early stopping skips some.
        done = len(estimator.history_) if name in TRAINED_METHODS else 0
        steps = progress_steps(name, estimator, len(data["X_train"]))
        progress.update(max(0, steps - done))
    if not score:
        return fitted, None
    rows = score_method(
        fitted,
        data["X_test"],
        data["y_train"],
        data["y_test"],
        n_neighbors=data.get("n_neighbors", 5),
        data_range=data.get("data_range"),
    )
    return fitted, rows
