"""run_report: what ``aembed compare`` runs, from a dataset to a folder."""

import datetime
import html
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from .. import metrics
from .._files import atomic_path, write_text
from .._scaling import undo_scaling
from ..callbacks import LatentSnapshots, ValidationLoss
from ..compare import (
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
    # -- everything checked before any fitting ---------------------------------
    if (
        isinstance(n_components, bool)
        or not isinstance(n_components, (int, np.integer))
        or n_components < 2
    ):
        raise ValueError(
            f"n_components={n_components!r}: the report draws 2-D maps of the "
            "embeddings and needs n_components of at least 2."
        )
    methods = check_methods(methods)
    for share, what, low in (
        (test_size, "test_size", 0),
        (validation_size, "validation_size", 0),
    ):
        if not (low < share < 1 or (what == "validation_size" and share == 0)):
            raise ValueError(f"{what} must lie between 0 and 1; got {share!r}.")
    sweep_sizes = _check_sweep(sweep_sizes)
    if interactive is True and not _interactive.bokeh_available():
        raise ImportError(
            "interactive=True draws the maps with Bokeh, which is not installed; "
            f"install it with: {_interactive.INSTALL_HINT}"
        )
    interactive = interactive is True or (
        interactive == "auto" and _interactive.bokeh_available()
    )
    name = dataset.get("name", "data")
    X = np.asarray(dataset.data, dtype=np.float32)
    y = _check_labels(dataset.target, f"dataset {name!r}")
    X_fit, X_valid, X_test_raw, y_train, y_test = _split(
        X, y, test_size, validation_size, seed
    )
    _check_sizes(methods, len(X_fit), len(X_test_raw), X.shape[1], n_components)
    out = _check_out(out, overwrite)
    out.mkdir(parents=True, exist_ok=True)

    image_shape = dataset.get("image_shape")
    names = label_names(y, dataset.get("target_names"))
    X_train, X_test, (mode, offset, scale) = common_scaling(X_fit, X_test_raw)
    X_valid = common_scaling(X_fit, X_valid)[1]
    # PSNR needs a known pixel range: images, which the common scaling
    # leaves in (or maps onto) [0, 1].
    has_psnr = image_shape is not None and X_train.min() >= 0 and X_train.max() <= 1
    data_range = 1.0 if has_psnr else None
    scores = _tables.metrics_for(mode)
    if verbose:
        _log(
            f"{name}: {len(X_train)} training rows ({len(X_valid)} more held out "
            f"for validation curves), {len(X_test)} test rows, {X.shape[1]} "
            f"features; methods {', '.join(methods)}"
        )

    # -- fitting, each table written as soon as its numbers exist ---------------
    method_params, snapshots = {}, {}
    snap_idx = np.random.default_rng(seed).permutation(len(X_test))[:_SNAPSHOT_ROWS]
    snap_idx = np.concatenate([_figures.one_per_class(y_test), snap_idx])
    for m in methods:
        if m not in TRAINED_METHODS:
            continue
        callbacks = []
        if len(X_valid):
            callbacks.append(ValidationLoss(X_valid))
        if animate:
            snapshots[m] = LatentSnapshots(X_test[snap_idx], n_reconstructions=10)
            callbacks.append(snapshots[m])
        method_params[m] = {"callbacks": callbacks}

    sweep_new = [s for s in sweep_sizes if not (s == n_components and "vae" in methods)]
    steps = sum(
        progress_steps(m, make_method(m, max_epochs=max_epochs)) for m in methods
    ) + len(sweep_new) * progress_steps(
        "vae", make_method("vae", max_epochs=max_epochs)
    )
    from tqdm.auto import tqdm

    bar = tqdm(total=steps, unit="step", desc="aembed compare", disable=not verbose)
    tables = _Tables(out, scores)
    rows, fitted = [], {}
    try:
        bar.set_postfix_str("warm-up")
        warm_up_methods(methods, X_train, n_components=n_components, device=device)
        for m, result, method_rows in run_methods(
            methods,
            X_train,
            y_train,
            X_test,
            y_test,
            n_components=n_components,
            max_epochs=max_epochs,
            device=device,
            random_state=seed,
            method_params=method_params,
            data_range=data_range,
            progress=bar,
        ):
            fitted[m] = result
            rows += method_rows
            table = tables.results(pd.DataFrame(rows, columns=RESULT_COLUMNS))
        results = pd.DataFrame(rows, columns=RESULT_COLUMNS)

        sweep = None
        if sweep_sizes:
            bar.set_postfix_str("VAE latent-size sweep")
            epochs = progress_steps("vae", make_method("vae", max_epochs=max_epochs))
            sweep = latent_size_sweep(
                X_train,
                X_test,
                y_test,
                sweep_sizes,
                data_range=data_range,
                random_state=seed,
                max_epochs=max_epochs,
                device=device,
                # Callbacks only watch training: the compared VAE is the same.
                fitted={n_components: fitted["vae"].estimator}
                if "vae" in fitted
                else None,
                on_size=lambda size: bar.update(0 if size not in sweep_new else epochs),
            )
            tables.sweep(sweep)
    finally:
        bar.close()

    # -- provenance, then figures and the page ------------------------------------
    record = {
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "command": command,
        "versions": _provenance.versions(),
        "dataset": {
            "name": name,
            "n_rows": int(X.shape[0]),
            "n_features": int(X.shape[1]),
            "n_classes": len(names),
            "classes": list(names.values()),
            "image_shape": None if image_shape is None else list(image_shape),
        },
        "split": {
            "n_train": int(len(X_train)),
            "n_validation": int(len(X_valid)),
            "n_test": int(len(X_test)),
            "test_size": test_size,
            "validation_size": validation_size,
            "stratified": True,
            "seed": seed,
        },
        "input_scaling": {
            "none": "used as given (already within [0, 1])",
            "minmax": "mapped onto [0, 1] by one offset and scale for all columns",
            "standard": "every column standardised (zero mean, unit variance)",
        }[mode]
        + ", fitted on the training rows, the same for every method",
        "n_components": n_components,
        "device": device,
        "seed": seed,
        "warm_up": "each method fitted once on 200 rows before the timed fits",
        "methods": [_provenance.method_record(m, r) for m, r in fitted.items()],
        "sweep_sizes": sweep_sizes,
        "wall_time_s": round(time.perf_counter() - started, 1),
    }
    _provenance.write_run_json(out / "run.json", record)

    figures = _figures.Figures(out)
    _figures.draw_embeddings(figures, fitted, y_test, names)
    _figures.draw_training_curves(figures, fitted, has_validation=len(X_valid) > 0)
    curves = figures.entries[-1:] if any(m in TRAINED_METHODS for m in fitted) else []
    _figures.draw_per_class(figures, results, has_psnr)
    if sweep is not None:
        _figures.draw_sweep(figures, sweep, has_psnr)
    _figures.draw_codebook(figures, fitted, X_train)
    if image_shape is not None:
        _figures.draw_reconstructions(
            figures, fitted, X_test, y_test, image_shape, names
        )
        _figures.draw_generative(figures, fitted, image_shape, seed)
    if snapshots:
        _figures.draw_animations(
            figures, snapshots, y_test[snap_idx], image_shape, names
        )

    maps, maps_note = None, ""
    headings = {m: _interactive.method_heading(m, r) for m, r in fitted.items()}
    if interactive:
        maps = _interactive.interactive_maps(
            fitted,
            X_test,
            y_test,
            label_names=names,
            image_shape=image_shape,
            feature_names=dataset.get("feature_names"),
            to_data_units=lambda rows: undo_scaling(rows, offset, scale),
            seed=seed,
            max_points=_interactive.MAX_POINTS,
        )
        shown = len(maps[3])
        what = "image" if image_shape is not None else "feature values"
        rec = (
            " and, for the autoencoders and PCA, its reconstruction"
            if any(r.X_test_rec is not None for r in fitted.values())
            else ""
        )
        maps_note = (
            "Drag to pan; pick the wheel-zoom or box-zoom tool to zoom. Select "
            "rows with the box or lasso tool: the same rows light up in every "
            f"map. Hover a point to see the row ({what}){rec}. "
            + (
                f"The maps draw {shown:,} of the {len(X_test):,} held-out rows, "
                "drawn at random, to keep the page light."
                if shown < len(X_test)
                else f"All {len(X_test):,} held-out rows are drawn."
            )
        )
    else:
        maps_note = (
            "The interactive maps need Bokeh, which is not installed: "
            f"<code>{_interactive.INSTALL_HINT}</code>. The static maps are "
            'below (<a href="embeddings.png">embeddings.png</a>).'
        )
        if verbose:
            hint = _interactive.INSTALL_HINT
            _log(f"interactive maps skipped: Bokeh is not installed ({hint})")

    table = summary(results)
    mean_mse = metrics.reconstruction_mse(
        X_test, np.broadcast_to(X_train.mean(axis=0), X_test.shape)
    )
    notes = _mean_image_notes(fitted, X_train, X_test, image_shape)
    elapsed = time.perf_counter() - started
    record["wall_time_s"] = round(elapsed, 1)
    _provenance.write_run_json(out / "run.json", record)

    description = (
        f"{name}: {len(X_train):,} training rows, {len(X_test):,} held-out rows "
        f"(stratified, seed {seed}), {n_components}-D embeddings. Every method "
        f"sees the same input ({record['input_scaling']}). Scores are on the "
        "held-out rows: kNN accuracy (a classifier fitted on the training "
        "embedding), trustworthiness, silhouette, k-means agreement (ARI, "
        "NMI), reconstruction MSE in the common units"
        + (" and PSNR" if has_psnr else "")
        + f"; predicting the training mean for every row gives MSE "
        f"{_tables.format_value(mean_mse)}. Times are seconds after a warm-up "
        f"fit of each method; the whole report took {elapsed:.0f} s."
    )
    sweep_overall = None
    sweep_html = ""
    if sweep is not None:
        sweep_overall = sweep[sweep["class"] == "all"].set_index("n_components")[
            ["mse", "psnr"] if has_psnr else ["mse"]
        ]
        sweep_html = (
            "<h3>VAE latent-size sweep</h3>"
            + sweep_overall.to_html(float_format=_tables.format_value, border=0)
            + '<p class="caption">Held-out reconstruction error of a VAE per '
            'latent size (<a href="latent_sweep.csv">latent_sweep.csv</a>).</p>'
        )
    tables.markdown(description, table, sweep_overall)
    reading = _tables.reading(table)
    curves_html = (
        "".join(_page.figure_block(f, c) for f, c in curves)
        or '<p class="caption">No trained model in this comparison.</p>'
    )
    page = _page.render(
        title=f"aembed comparison: {name}",
        lead=html.escape(description),
        reading=reading,
        notes=notes,
        results=_tables.results_html(
            table, scores, links=[*tables.links, ("run.json", "run.json")]
        ),
        maps=_page.maps_block(maps, headings, maps_note),
        curves=curves_html,
        figures="".join(
            _page.figure_block(f, c) for f, c in figures.entries if (f, c) not in curves
        ),
        sweep=sweep_html,
        provenance=_page.provenance_block(record),
        head=maps[0] if maps else "",
    )
    write_text(out / "index.html", page)
    if verbose:
        _log(f"report written to {out / 'index.html'} in {elapsed:.0f} s")
    return results
