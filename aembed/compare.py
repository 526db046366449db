"""Fit several embedders on one split and score them side by side.

Parametric methods (the aembed estimators, PCA, UMAP, openTSNE) are fitted on
the training rows and embed the held-out rows they never saw. scikit-learn's
t-SNE cannot embed new points; rather than fake a ``transform``, it embeds
training and held-out rows together (without their labels) and its scores are
marked ``"transductive"``.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from skorch.callbacks import Callback

from . import metrics
from ._scaling import apply_scaling, fit_scaling

AEMBED_METHODS = ("dae", "vae", "vqvae")
# The same estimators with the neighbour-preserving term switched on.
NEIGHBOR_METHODS = ("dae-nb", "vae-nb", "vqvae-nb")
# The weight of the neighbour term in the -nb methods: set here only.
NEIGHBOR_WEIGHT = 1.0
# Methods that train by epochs (and have a history_).
TRAINED_METHODS = (*AEMBED_METHODS, *NEIGHBOR_METHODS)
# Optional methods: the module each imports, its package and aembed's extra.
OPTIONAL_METHODS = {
    "umap": ("umap", "umap-learn", "umap"),
    "opentsne": ("openTSNE", "openTSNE", "opentsne"),
}

_CLASS_NAMES = {
    "dae": "DenoisingAEEmbedder",
    "vae": "VAEEmbedder",
    "vqvae": "VQVAEEmbedder",
}
METHOD_NAMES = {
    **_CLASS_NAMES,
    **{
        f"{name}-nb": f"{cls} (neighbor_weight={NEIGHBOR_WEIGHT:g})"
        for name, cls in _CLASS_NAMES.items()
    },
    "pca": "PCA",
    "tsne": "t-SNE",
    "umap": "UMAP",
    "opentsne": "openTSNE",
}
"""Names the tables and figures show for each method, as in the README."""


def method_name(name):
    """The name a table shows for a method: ``"vae"`` is ``"VAEEmbedder"``.

    Parameters
    ----------
    name : str
        A method name of :func:`available_methods`.

    Returns
    -------
    display_name : str
        The class name of an aembed estimator (with its ``neighbor_weight``
        for the ``-nb`` methods) or the baseline's usual name; an unknown
        name is returned as it is.

    Examples
    --------
    >>> from aembed.compare import method_name
    >>> method_name("tsne"), method_name("dae-nb")
    ('t-SNE', 'DenoisingAEEmbedder (neighbor_weight=1)')
    """
    return METHOD_NAMES.get(name, name)


def available_methods():
    """Names of the methods :func:`compare` accepts in this environment.

    ``"umap"`` and ``"opentsne"`` are listed only when umap-learn and
    openTSNE are installed. ``"dae-nb"``, ``"vae-nb"`` and ``"vqvae-nb"``
    are the aembed estimators with the neighbour-preserving term, at
    ``neighbor_weight=NEIGHBOR_WEIGHT`` (1.0).

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
    names += [m for m, (module, *_) in OPTIONAL_METHODS.items() if _importable(module)]
    return [*names, *NEIGHBOR_METHODS]


def default_methods():
    """The methods :func:`compare` runs by default.

    Returns
    -------
    names : list of str
        The three aembed estimators, PCA, t-SNE, UMAP when umap-learn is
        installed, and the three estimators with the neighbour-preserving
        term (``"dae-nb"``, ``"vae-nb"``, ``"vqvae-nb"``).

    See Also
    --------
    available_methods : Every method that can run here.

    Examples
    --------
    >>> from aembed.compare import default_methods
    >>> default_methods()[:5]
    ['dae', 'vae', 'vqvae', 'pca', 'tsne']
    """
    return [m for m in available_methods() if m != "opentsne"]


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
    DenoisingAEEmbedder(neighbor_weight=1.0, random_state=0)
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


def check_methods(methods):
    """The method names to run, checked before anything is fitted.

    Parameters
    ----------
    methods : sequence of str or None
        Method names; None means :func:`default_methods`.

    Returns
    -------
    methods : list of str
        The names in the order given, or the defaults.

    Raises
    ------
    ValueError
        If the list is empty, names a method twice or names an unknown one.
    ImportError
        If a method needs a package that is not installed; the message gives
        the command that installs it.

    Examples
    --------
    >>> from aembed.compare import check_methods
    >>> check_methods(["pca", "dae"])
    ['pca', 'dae']
    >>> check_methods(["pca", "pca"])
    Traceback (most recent call last):
    ...
    ValueError: methods names 'pca' more than once; name each method once.
    """
    methods = default_methods() if methods is None else list(methods)
    if not methods:
        raise ValueError("methods is empty; name at least one method to compare.")
    repeated = [m for m in dict.fromkeys(methods) if methods.count(m) > 1]
    if repeated:
        raise ValueError(
            f"methods names {', '.join(map(repr, repeated))} more than once; "
            "name each method once."
        )
    for name in methods:
        if name in OPTIONAL_METHODS and not _importable(OPTIONAL_METHODS[name][0]):
            _, package, extra = OPTIONAL_METHODS[name]
            raise ImportError(
                f"Method {name!r} needs {package}, which is not installed; "
                f"install it with: pip install 'aembed[{extra}]'"
            )
    unknown = [m for m in methods if m not in available_methods()]
    if unknown:
        raise ValueError(
            f"Unknown method(s) {', '.join(map(repr, unknown))}; choose from "
            f"{', '.join(available_methods())}."
        )
    return methods


def _check_sizes(methods, n_train, n_test, n_features, n_components):
    """Refuse, before any fitting, a size some method cannot work with."""
    if "pca" in methods and n_components > min(n_train, n_features):
        raise ValueError(
            f"n_components={n_components} is more than PCA can give for "
            f"{n_train} training rows of {n_features} features; choose at most "
            f"{min(n_train, n_features)}."
        )
    # scikit-learn's t-SNE needs more rows than its perplexity (30).
    if "tsne" in methods and n_train + n_test <= 30:
        raise ValueError(
            f"t-SNE needs more than 30 rows (its perplexity), got "
            f"{n_train + n_test}; leave 'tsne' out of methods."
        )


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


class _EpochTicks(Callback):
    """Advances a progress bar by one at the end of every epoch."""

    def __init__(self, bar):
        self.bar = bar

    def on_epoch_end(self, net, **kwargs):
        self.bar.update(1)


def progress_steps(name, estimator, n_samples):
    """Steps a method takes on the progress bar: its epochs on ``n_samples``
    training rows (``max_epochs="auto"`` resolved), or one."""
    if name in TRAINED_METHODS:
        return estimator._resolve_epochs(n_samples)
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

    Yields
    ------
    name : str
    fitted : FittedMethod
    rows : list of dict
        The method's rows of the tidy results table.
    """
    method_params = method_params or {}
    for name in methods:
        params = dict(method_params.get(name, {}))
        if progress is not None and name in TRAINED_METHODS:
            ticks = _EpochTicks(progress)
            params["callbacks"] = [*(params.get("callbacks") or []), ticks]
        estimator = make_method(
            name,
            n_components=n_components,
            random_state=random_state,
            max_epochs=max_epochs,
            device=device,
            **params,
        )
        if progress is not None:
            progress.set_postfix_str(method_name(name), refresh=True)
            before = progress.n
        fitted = fit_method(name, estimator, X_train, X_test)
        if progress is not None:
            # Early stopping may end before max_epochs.
            steps = progress_steps(name, estimator, len(X_train))
            progress.update(before + steps - progress.n)
        rows = score_method(
            fitted,
            X_test,
            y_train,
            y_test,
            n_neighbors=n_neighbors,
            data_range=data_range,
        )
        yield name, fitted, rows


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
    _check_sizes(methods, len(X_train), len(X_test), X_train.shape[1], n_components)
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
