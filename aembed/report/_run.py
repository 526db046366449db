"""run_report: what ``aembed compare`` runs, from a dataset to a folder."""

import datetime
import html
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from .. import metrics
from .._files import atomic_path, write_text
from .._scaling import apply_scaling, undo_scaling
from ..callbacks import LatentSnapshots, ValidationLoss
from ..compare import (
    NEIGHBOR_METHODS,
    RESULT_COLUMNS,
    TRAINED_METHODS,
    _check_sizes,
    check_methods,
    common_scaling,
    make_method,
    method_name,
    per_class,
    progress_steps,
    run_methods,
    summary,
    warm_up_methods,
)
from . import _figures, _interactive, _page, _provenance, _tables
from ._sweep import latent_size_sweep

# Reconstructions whose spread around the training mean is below this share
# of the data's own spread are "close to the mean image".
MEAN_IMAGE_SPREAD = 0.15
# Rows of the held-out set the training animations follow.
_SNAPSHOT_ROWS = 1000


def _log(message):
    print(f"[aembed] {message}", file=sys.stderr, flush=True)


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


def _check_labels(y, name):
    if y is None:
        raise ValueError(
            "The comparison scores embeddings against class labels, and this "
            "dataset has none; give a table with a label column (label_column)."
        )
    y = np.asarray(y)
    metrics._check_comparable(y, "labels")
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


def _split(X, y, test_size, validation_size, seed):
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


def _check_out(out, overwrite):
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"out={str(out)!r} is a file, not a folder.")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(
            f"out={str(out)!r} already holds files; choose a new or empty folder, "
            "or pass overwrite=True to replace the report's files in it."
        )
    return out


def _check_sweep(sweep_sizes):
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


class _Tables:
    """Writes each table the moment its numbers exist, atomically."""

    def __init__(self, out, metrics_list):
        self.out = out
        self.metrics = metrics_list
        self.links = [("results.csv", "results.csv"), ("results.md", "results.md")]

    def results(self, results):
        table = summary(results)
        with atomic_path(self.out / "results.csv") as tmp:
            table.to_csv(tmp)
        classes = per_class(results)
        if not classes.empty:
            with atomic_path(self.out / "per_class.csv") as tmp:
                classes.to_csv(tmp, index=False)
            self._link("per_class.csv")
        return table

    def markdown(self, description, table, sweep_overall):
        md = [
            f"# aembed comparison\n\n{description}\n\n## Results\n\n",
            _tables.results_markdown(table, self.metrics),
        ]
        if sweep_overall is not None:
            md += [
                "\n## VAE latent-size sweep\n\n",
                _tables.frame_markdown(sweep_overall),
            ]
        write_text(self.out / "results.md", "".join(md))

    def sweep(self, sweep):
        with atomic_path(self.out / "latent_sweep.csv") as tmp:
            sweep.to_csv(tmp, index=False)
        self._link("latent_sweep.csv")

    def _link(self, name):
        if (name, name) not in self.links:
            self.links.append((name, name))


def _mean_image_notes(fitted, X_fit, X_test, image_shape):
    """Notes for models whose reconstructions hardly differ from the mean."""
    mean = X_fit.mean(axis=0, dtype=np.float64)
    spread = float(((X_test - mean) ** 2).sum(axis=1).mean())
    what = "image" if image_shape is not None else "row"
    notes = []
    if spread == 0:
        return notes
    for name, result in fitted.items():
        if result.X_test_rec is None:
            continue
        ratio = float(((result.X_test_rec - mean) ** 2).sum(axis=1).mean()) / spread
        if ratio < MEAN_IMAGE_SPREAD:
            notes.append(
                f"{html.escape(method_name(name))}'s reconstructions are close to "
                f"the mean {what} of the training rows: they vary {ratio:.0%} as "
                f"much about it as the rows themselves do. The model has learned "
                "little beyond the average; train it longer (max_epochs) or check "
                "its learning rate."
            )
    return notes


def run_report(
    dataset,
    out,
    *,
    methods=None,
    n_components=2,
    max_epochs=None,
    device="cpu",
    seed=0,
    test_size=0.2,
    validation_size=0.1,
    sweep_sizes=(2, 5, 10, 15, 20),
    animate=True,
    interactive="auto",
    overwrite=False,
    verbose=1,
    command=None,
):
    """Run the comparison on a dataset and write the report folder.

    Everything is checked before anything is fitted: the labels, the split,
    the methods (and the packages they need), the sizes and the folder.
    Each table is written as soon as its numbers exist and every file is
    written atomically, so a later failure loses nothing already computed.

    Parameters
    ----------
    dataset : sklearn.utils.Bunch
        As returned by :func:`aembed.datasets.load_dataset`: ``data``,
        ``target`` (labels of any sortable kind: integers, strings),
        ``image_shape`` (None for tables), ``target_names``, ``name`` and
        optionally ``feature_names``.
    out : str or path
        Folder to write (created if needed). It must be empty or new unless
        ``overwrite`` is True.
    methods : list of str, default=None
        Methods to compare, each once; None for
        :func:`aembed.compare.default_methods`.
    n_components : int, default=2
        Embedding dimension; at least 2, since the report draws maps.
    max_epochs : int, default=None
        Training epochs of the aembed estimators (their default when None).
    device : str, default="cpu"
        Device of the aembed estimators.
    seed : int, default=0
        Seed of the splits and of every method.
    test_size : float, default=0.2
        Held-out share (stratified by class), on which every score is taken.
    validation_size : float, default=0.1
        Share of the training rows held out for the validation curves of the
        trained models (:class:`aembed.callbacks.ValidationLoss`); no method
        is fitted on them. 0 draws training curves only.
    sweep_sizes : sequence of int, default=(2, 5, 10, 15, 20)
        Latent sizes of the VAE sweep; empty to skip it.
    animate : bool, default=True
        Record embeddings during training and write the animated GIFs.
    interactive : bool or "auto", default="auto"
        Draw the page's interactive maps with Bokeh (``pip install
        'aembed[report]'``); ``"auto"`` draws them when Bokeh is installed
        and otherwise says on the page how to get them.
    overwrite : bool, default=False
        Write into a folder that already holds files, replacing the
        report's files there.
    verbose : int, default=1
        Show a progress bar over all methods and epochs when positive.
    command : str, default=None
        The command line that ran the report, for the provenance.

    Returns
    -------
    results : pandas.DataFrame
        The tidy table of :func:`aembed.compare.compare`.

    Examples
    --------
    >>> from aembed.datasets import load_dataset
    >>> from aembed.report import run_report
    >>> out = getfixture("tmp_path") / "report"
    >>> results = run_report(load_dataset("digits"), out, methods=["pca"],
    ...                      sweep_sizes=(), animate=False, verbose=0)
    >>> sorted(p.name for p in out.glob("*.*"))[:3]
    ['embeddings.png', 'index.html', 'per_class.csv']
    """
    started = time.perf_counter()
    sweep_sizes, interactive = _check_options(
        n_components, test_size, validation_size, sweep_sizes, interactive
    )
    methods = check_methods(methods)
    data = _prepare(dataset, test_size, validation_size, seed)
    _check_sizes(
        methods, len(data.X_train), len(data.X_test), data.n_features, n_components
    )
    out = _check_out(out, overwrite)
    out.mkdir(parents=True, exist_ok=True)
    if verbose:
        _log(
            f"{data.name}: {len(data.X_train)} training rows ({len(data.X_valid)} "
            f"more held out for validation curves), {len(data.X_test)} test rows, "
            f"{data.n_features} features; methods {', '.join(methods)}"
        )

    tables = _Tables(
        out, _tables.metrics_for(data.scaling[0], images=data.image_shape is not None)
    )
    fit = _fit_all(
        data,
        methods,
        tables,
        n_components=n_components,
        max_epochs=max_epochs,
        device=device,
        seed=seed,
        sweep_sizes=sweep_sizes,
        animate=animate,
        verbose=verbose,
    )
    record = _record(data, fit, command, n_components, device, seed, sweep_sizes)
    record["wall_time_s"] = round(time.perf_counter() - started, 1)
    _provenance.write_run_json(out / "run.json", record)

    figures = _draw_figures(out, data, fit, seed)
    maps, maps_note = _maps(data, fit, seed, interactive, verbose)
    elapsed = time.perf_counter() - started
    record["wall_time_s"] = round(elapsed, 1)
    _provenance.write_run_json(out / "run.json", record)
    _write_page(out, data, fit, tables, record, figures, maps, maps_note, elapsed)
    if verbose:
        _log(f"report written to {out / 'index.html'} in {elapsed:.0f} s")
    return fit.results


def _check_options(n_components, test_size, validation_size, sweep_sizes, interactive):
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
    return _check_sweep(sweep_sizes), interactive


@dataclass
class _Data:
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


def _prepare(dataset, test_size, validation_size, seed):
    """Check the labels, split, and map every split into the common units."""
    name = dataset.get("name", "data")
    X = np.asarray(dataset.data, dtype=np.float32)
    y = _check_labels(dataset.target, f"dataset {name!r}")
    X_fit, X_valid, X_test, y_train, y_test = _split(
        X, y, test_size, validation_size, seed
    )
    X_train, X_test, scaling = common_scaling(X_fit, X_test)
    _, offset, scale = scaling
    return _Data(
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


@dataclass
class _Fit:
    """What fitting produced."""

    results: pd.DataFrame
    fitted: dict
    sweep: pd.DataFrame | None
    snapshots: dict
    snapshot_rows: np.ndarray


def _fit_all(
    data,
    methods,
    tables,
    *,
    n_components,
    max_epochs,
    device,
    seed,
    sweep_sizes,
    animate,
    verbose,
):
    """Warm up, fit and score every method, then the sweep, under one bar."""
    method_params, snapshots = {}, {}
    rows_followed = np.random.default_rng(seed).permutation(len(data.X_test))
    rows_followed = np.concatenate(
        [_figures.one_per_class(data.y_test), rows_followed[:_SNAPSHOT_ROWS]]
    )
    for m in methods:
        if m not in TRAINED_METHODS:
            continue
        callbacks = [ValidationLoss(data.X_valid)] if len(data.X_valid) else []
        if animate:
            snapshots[m] = LatentSnapshots(
                data.X_test[rows_followed], n_reconstructions=10
            )
            callbacks.append(snapshots[m])
        method_params[m] = {"callbacks": callbacks}
        if m in NEIGHBOR_METHODS and data.image_shape is not None:
            # Images: the neighbour mode trains on rotated, scaled and
            # shifted copies, with the estimator's own (dense) network.
            method_params[m]["augment"] = tuple(data.image_shape)

    # The sweep reuses the compared VAE at its size (callbacks only watch).
    sweep_new = [s for s in sweep_sizes if not (s == n_components and "vae" in methods)]
    n_train = len(data.X_train)
    vae_epochs = progress_steps(
        "vae", make_method("vae", max_epochs=max_epochs), n_train
    )
    steps = len(sweep_new) * vae_epochs + sum(
        progress_steps(m, make_method(m, max_epochs=max_epochs), n_train)
        for m in methods
    )
    from tqdm.auto import tqdm

    bar = tqdm(total=steps, unit="step", desc="aembed compare", disable=not verbose)
    rows, fitted, sweep = [], {}, None
    try:
        bar.set_postfix_str("warm-up")
        warm_up_methods(methods, data.X_train, n_components=n_components, device=device)
        for m, result, method_rows in run_methods(
            methods,
            data.X_train,
            data.y_train,
            data.X_test,
            data.y_test,
            n_components=n_components,
            max_epochs=max_epochs,
            device=device,
            random_state=seed,
            method_params=method_params,
            data_range=1.0 if data.has_psnr else None,
            progress=bar,
        ):
            fitted[m] = result
            rows += method_rows
            tables.results(pd.DataFrame(rows, columns=RESULT_COLUMNS))
        if sweep_sizes:
            bar.set_postfix_str("VAE latent-size sweep")
            sweep = latent_size_sweep(
                data.X_train,
                data.X_test,
                data.y_test,
                sweep_sizes,
                data_range=1.0 if data.has_psnr else None,
                random_state=seed,
                max_epochs=max_epochs,
                device=device,
                fitted={n_components: fitted["vae"].estimator}
                if "vae" in fitted
                else None,
                on_size=lambda s: bar.update(vae_epochs if s in sweep_new else 0),
            )
            tables.sweep(sweep)
    finally:
        bar.close()
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    return _Fit(results, fitted, sweep, snapshots, rows_followed)


_SCALING_TEXT = {
    "none": "used as given, already within [0, 1]",
    "minmax": "mapped onto [0, 1] by one offset and scale for all columns",
    "standard": "every column standardised (zero mean, unit variance)",
}


def _record(data, fit, command, n_components, device, seed, sweep_sizes):
    """The provenance: what ``run.json`` holds and the page shows."""
    now = datetime.datetime.now(datetime.timezone.utc)
    image_shape = data.image_shape
    return {
        "created": now.isoformat(timespec="seconds"),
        "command": command,
        "versions": _provenance.versions(),
        "dataset": {
            "name": data.name,
            "n_rows": int(data.n_rows),
            "n_features": int(data.n_features),
            "n_classes": len(data.label_names),
            "classes": list(data.label_names.values()),
            "image_shape": None if image_shape is None else list(image_shape),
        },
        "split": {
            "n_train": len(data.X_train),
            "n_validation": len(data.X_valid),
            "n_test": len(data.X_test),
            "test_size": data.test_size,
            "validation_size": data.validation_size,
            "stratified": True,
            "seed": seed,
        },
        "input_scaling": _SCALING_TEXT[data.scaling[0]]
        + ("" if data.scaling[0] == "none" else ", fitted on the training rows")
        + ", the same for every method",
        "n_components": n_components,
        "device": device,
        "seed": seed,
        "warm_up": "each method fitted once on 200 rows before the timed fits",
        "methods": [_provenance.method_record(m, r) for m, r in fit.fitted.items()],
        "sweep_sizes": sweep_sizes,
        "wall_time_s": None,
    }


def _draw_figures(out, data, fit, seed):
    """Every static figure and animation; returns the collected entries."""
    fitted, names = fit.fitted, data.label_names
    figures = _figures.Figures(out)
    _figures.draw_embeddings(figures, fitted, data.y_test, names)
    _figures.draw_training_curves(figures, fitted, len(data.X_valid) > 0)
    _figures.draw_per_class(figures, fit.results, data.has_psnr)
    if fit.sweep is not None:
        _figures.draw_sweep(figures, fit.sweep, data.has_psnr)
    _figures.draw_codebook(figures, fitted, data.X_train)
    if data.image_shape is not None:
        _figures.draw_reconstructions(
            figures, fitted, data.X_test, data.y_test, data.image_shape, names
        )
        _figures.draw_generative(figures, fitted, data.image_shape, seed)
    if fit.snapshots:
        _figures.draw_animations(
            figures,
            fit.snapshots,
            data.y_test[fit.snapshot_rows],
            data.image_shape,
            names,
        )
    return figures


def _maps(data, fit, seed, interactive, verbose):
    """The interactive maps (or None) and the sentence that goes above them."""
    if not interactive:
        if verbose:
            hint = _interactive.INSTALL_HINT
            _log(f"interactive maps skipped: Bokeh is not installed ({hint})")
        return None, (
            "The interactive maps need Bokeh, which is not installed: "
            f"<code>{_interactive.INSTALL_HINT}</code>. The static maps are "
            'below (<a href="embeddings.png">embeddings.png</a>).'
        )
    maps = _interactive.interactive_maps(
        fit.fitted,
        data.X_test,
        data.y_test,
        label_names=data.label_names,
        image_shape=data.image_shape,
        feature_names=data.feature_names,
        to_data_units=data.to_data_units,
        seed=seed,
        max_points=_interactive.MAX_POINTS,
    )
    shown, n_test = len(maps[3]), len(data.X_test)
    what = "the image" if data.image_shape is not None else "its feature values"
    rec = (
        " and, for the methods that reconstruct, its reconstruction"
        if any(r.X_test_rec is not None for r in fit.fitted.values())
        else ""
    )
    drawn = (
        f"The maps draw {shown:,} of the {n_test:,} held-out rows, drawn at "
        "random, to keep the page light."
        if shown < n_test
        else f"All {n_test:,} held-out rows are drawn."
    )
    return maps, (
        "Drag to pan; pick the wheel-zoom or box-zoom tool to zoom. Select "
        "rows with the box or lasso tool: the same rows light up in every map. "
        f"Hover a point to see the row ({what}){rec}. {drawn}"
    )


def _write_page(out, data, fit, tables, record, figures, maps, maps_note, elapsed):
    """``results.md`` and ``index.html``, from everything computed."""
    table = summary(fit.results)
    mean_mse = metrics.reconstruction_mse(
        data.X_test, np.broadcast_to(data.X_train.mean(axis=0), data.X_test.shape)
    )
    description = (
        f"{data.name}: {len(data.X_train):,} training rows, {len(data.X_test):,} "
        f"held-out rows (stratified, seed {data.seed}), "
        f"{record['n_components']}-D embeddings. Input: "
        f"{record['input_scaling']}. Scores are on the held-out rows: "
        "kNN accuracy (a classifier fitted on the training embedding), "
        "trustworthiness, silhouette, k-means agreement (ARI, NMI), "
        "reconstruction MSE in the common units"
        + (" and PSNR" if data.has_psnr else "")
        + "; predicting the training mean for every row gives MSE "
        f"{_tables.format_value(mean_mse)}. Times are seconds after a warm-up "
        f"fit of each method; the whole report took {elapsed:.0f} s."
    )
    sweep_overall, sweep_html = None, ""
    if fit.sweep is not None:
        columns = ["mse", "psnr"] if data.has_psnr else ["mse"]
        sweep_overall = fit.sweep[fit.sweep["class"] == "all"].set_index(
            "n_components"
        )[columns]
        sweep_html = (
            "<h3>VAE latent-size sweep</h3>"
            + sweep_overall.to_html(float_format=_tables.format_value, border=0)
            + '<p class="caption">Held-out reconstruction error of a VAE per '
            'latent size (<a href="latent_sweep.csv">latent_sweep.csv</a>).</p>'
        )
    tables.markdown(description, table, sweep_overall)

    curves = [e for e in figures.entries if e[0] == "training_curves.png"]
    headings = {m: _interactive.method_heading(m, r) for m, r in fit.fitted.items()}
    page = _page.render(
        title=f"aembed comparison: {data.name}",
        lead=html.escape(description),
        reading=_tables.reading(table),
        notes=_mean_image_notes(
            fit.fitted, data.X_train, data.X_test, data.image_shape
        ),
        results=_tables.results_html(
            table, tables.metrics, links=[*tables.links, ("run.json", "run.json")]
        ),
        maps=_page.maps_block(maps, headings, maps_note),
        curves="".join(_page.figure_block(f, c) for f, c in curves)
        or '<p class="caption">No trained model in this comparison.</p>',
        figures="".join(
            _page.figure_block(f, c) for f, c in figures.entries if (f, c) not in curves
        ),
        sweep=sweep_html,
        provenance=_page.provenance_block(record),
        head=maps[0] if maps else "",
    )
    write_text(out / "index.html", page)
