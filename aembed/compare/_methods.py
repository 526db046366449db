"""The methods a comparison can run: their names, estimators and checks."""

AEMBED_METHODS = ("dae", "vae", "vqvae")
# The same estimators with the neighbour-preserving term switched on.
NEIGHBOR_METHODS = ("dae-nb", "vae-nb", "vqvae-nb")
# The weight of the neighbour term in the -nb methods: set here only.
NEIGHBOR_WEIGHT = 1.0
# The supervision weight of the aembed methods when the comparison is given
# partial labels (``aembed compare --labelled-fraction``).
SUPERVISION_WEIGHT = 3.0
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
    >>> from aembed.compare._methods import method_name
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
        from .. import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder

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
    >>> from aembed.compare._methods import check_methods
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


def check_sizes(methods, n_train, n_test, n_features, n_components):
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
