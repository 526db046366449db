"""Fit several embedders on one split and score them side by side.

Parametric methods (the aembed estimators, PCA, UMAP, openTSNE) are fitted on
the training rows and embed the held-out rows they never saw. scikit-learn's
t-SNE cannot embed new points; rather than fake a ``transform``, it embeds
training and held-out rows together (without their labels) and its scores are
marked ``"transductive"``.
"""

import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import metrics

AEMBED_METHODS = ("dae", "vae", "vqvae")
# The same estimators with the neighbour-preserving term switched on.
NEIGHBOR_METHODS = ("dae-nb", "vae-nb", "vqvae-nb")
NEIGHBOR_WEIGHT = 0.05


def available_methods():
    """Names of the methods :func:`compare` accepts in this environment.

    ``"umap"`` and ``"opentsne"`` are listed only when umap-learn and
    openTSNE are installed. ``"dae-nb"``, ``"vae-nb"`` and ``"vqvae-nb"``
    are the aembed estimators with ``neighbor_weight=0.05``.

    Returns
    -------
    names : list of str
        ``"dae"``, ``"vae"``, ``"vqvae"``, ``"pca"``, ``"tsne"``, then
        ``"umap"`` and ``"opentsne"`` where available, then the
        neighbour-preserving variants.

    See Also
    --------
    default_methods : The subset :func:`compare` runs by default.

    Examples
    --------
    >>> from aembed.compare import available_methods
    >>> available_methods()[:5]
    ['dae', 'vae', 'vqvae', 'pca', 'tsne']
    """
    names = [*AEMBED_METHODS, "pca", "tsne"]
    for name, module in (("umap", "umap"), ("opentsne", "openTSNE")):
        if _importable(module):
            names.append(name)
    return [*names, *NEIGHBOR_METHODS]


def default_methods():
    """The methods :func:`compare` runs by default.

    Returns
    -------
    names : list of str
        The three aembed estimators, PCA, t-SNE, and UMAP when umap-learn is
        installed.

    See Also
    --------
    available_methods : Every method that can run here.

    Examples
    --------
    >>> from aembed.compare import default_methods
    >>> default_methods()[:5]
    ['dae', 'vae', 'vqvae', 'pca', 'tsne']
    """
    return [
        m for m in available_methods() if m != "opentsne" and m not in NEIGHBOR_METHODS
    ]


def _importable(module):
    import importlib.util

    return importlib.util.find_spec(module) is not None


def make_method(
    name, *, n_components=2, random_state=0, max_epochs=None, device="cpu", **params
):
    """A fresh, unfitted estimator for a method name.

    Parameters
    ----------
    name : str
        One of :func:`available_methods`.
    n_components : int, default=2
        Embedding dimension.
    random_state : int, default=0
        Seed.
    max_epochs : int, default=None
        Training epochs for the aembed estimators (their default when None).
    device : str, default="cpu"
        Device for the aembed estimators.
    **params
        Further parameters for an aembed estimator (e.g. ``callbacks``).

    Returns
    -------
    estimator : object
        Has ``fit`` (and ``transform`` except for t-SNE).

    Examples
    --------
    >>> from aembed.compare import make_method
    >>> make_method("vae", n_components=3, max_epochs=5)
    VAEEmbedder(max_epochs=5, n_components=3, random_state=0)
    >>> make_method("dae-nb")
    DenoisingAEEmbedder(neighbor_weight=0.05, random_state=0)
    """
    if name in NEIGHBOR_METHODS:
        params.setdefault("neighbor_weight", NEIGHBOR_WEIGHT)
        return make_method(
            name.removesuffix("-nb"),
            n_components=n_components,
            random_state=random_state,
            max_epochs=max_epochs,
            device=device,
            **params,
        )
    if name in AEMBED_METHODS:
        from . import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder

        cls = {"dae": DenoisingAEEmbedder, "vae": VAEEmbedder, "vqvae": VQVAEEmbedder}
        if max_epochs is not None:
            params["max_epochs"] = max_epochs
        if device != "cpu":
            params["device"] = device
        return cls[name](n_components=n_components, random_state=random_state, **params)
    if name == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=n_components, random_state=random_state)
    if name == "tsne":
        from sklearn.manifold import TSNE

        method = "barnes_hut" if n_components <= 3 else "exact"
        return TSNE(n_components, method=method, random_state=random_state)
    if name == "umap":
        import umap

        # A seed makes umap-learn single-threaded; say so rather than be warned.
        return umap.UMAP(n_components=n_components, random_state=random_state, n_jobs=1)
    if name == "opentsne":
        from openTSNE import TSNE as OpenTSNE

        return OpenTSNE(n_components=n_components, random_state=random_state)
    raise ValueError(
        f"Unknown method {name!r}; choose from {', '.join(available_methods())}."
    )


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


def fit_method(name, estimator, X_train, X_test):
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

    _, fit_time = metrics.timed(estimator.fit, X_train)
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
        Value range for the PSNR; None infers it from ``X_test``.

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
    >>> rows = score_method(fitted, X_te, y_tr, y_te)
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
    if fitted.X_test_rec is not None:
        scores["mse"] = metrics.reconstruction_mse(X_test, fitted.X_test_rec)
        scores["psnr"] = metrics.psnr(X_test, fitted.X_test_rec, data_range=data_range)
    else:
        scores["mse"] = scores["psnr"] = np.nan
    scores["fit_time"] = fitted.fit_time
    scores["transform_time"] = fitted.transform_time

    base = {"method": fitted.name, "evaluation": fitted.evaluation}
    rows = [
        {**base, "class": "all", "metric": k, "value": v} for k, v in scores.items()
    ]
    if fitted.X_test_rec is not None:
        per_class = metrics.per_class_reconstruction(
            X_test, fitted.X_test_rec, y_test, data_range=data_range
        )
        for label, row in per_class.iterrows():
            for metric in ("mse", "psnr"):
                rows.append(
                    {**base, "class": label, "metric": metric, "value": row[metric]}
                )
    return rows


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
    verbose=0,
    return_fitted=False,
):
    """Fit embedders on a training split and score them on held-out rows.

    Parameters
    ----------
    X_train, y_train : array-like
        Training rows and their labels (labels are used only for scoring).
    X_test, y_test : array-like
        Held-out rows and labels.
    methods : list of str, default=None
        Method names (see :func:`available_methods`); None runs
        :func:`default_methods`.
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
    verbose : int, default=0
        Print a line per method to standard error when positive.
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
        Only when ``return_fitted`` is True.

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
    methods = default_methods() if methods is None else list(methods)
    if not methods:
        raise ValueError("methods is empty; name at least one method to compare.")
    unknown = [m for m in methods if m not in available_methods()]
    if unknown:
        raise ValueError(
            f"Unknown or unavailable method(s) {unknown}; available here: "
            f"{', '.join(available_methods())}."
        )
    X_train = np.asarray(X_train, dtype=np.float32)
    X_test = np.asarray(X_test, dtype=np.float32)
    data_range = float(X_train.max() - X_train.min())
    method_params = method_params or {}

    rows, fitted = [], {}
    for name in methods:
        if verbose:
            print(f"[aembed] fitting {name} ...", file=sys.stderr, flush=True)
        estimator = make_method(
            name,
            n_components=n_components,
            random_state=random_state,
            max_epochs=max_epochs,
            device=device,
            **method_params.get(name, {}),
        )
        fitted[name] = fit_method(name, estimator, X_train, X_test)
        rows += score_method(
            fitted[name],
            X_test,
            y_train,
            y_test,
            n_neighbors=n_neighbors,
            data_range=data_range,
        )
        if verbose:
            print(
                f"[aembed] {name}: fit {fitted[name].fit_time:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    results = pd.DataFrame(
        rows, columns=["method", "evaluation", "class", "metric", "value"]
    )
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
