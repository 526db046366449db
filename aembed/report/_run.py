"""run_report: what ``aembed compare`` runs, from a dataset to a folder.

The steps live in their own modules: ``_inputs`` checks everything and
splits the data, ``_fitting`` fits every method and the sweep, and
``_provenance``, ``_figures``, ``_interactive`` and ``_summary`` write the
files.
"""

import numbers
import sys
import time
import warnings

from ..compare._methods import TRAINED_METHODS, check_methods, check_sizes
from . import _animation, _curves, _figures, _interactive, _provenance, _tables
from ._colors import method_colors
from ._fitting import fit_all
from ._inputs import check_options, check_out, make_out, prepare, sweep_within
from ._summary import write_page


def _log(message):
    print(f"[aembed] {message}", file=sys.stderr, flush=True)


def _optional(what, function, *args):
    """``function(*args)``, or None with a warning: the page is written regardless."""
    try:
        return function(*args)
    except Exception as exc:  # noqa: BLE001 - any part's failure
        warnings.warn(
            f"The report's {what} could not be drawn and are left out of the "
            f"page ({type(exc).__name__}: {exc}).",
            UserWarning,
            stacklevel=3,
        )
        return None


def _page_extras(data, fit, seed, interactive, turned_off):
    """The page's interactive maps and curves and its training animations."""
    maps_note = "The interactive maps could not be drawn; the static maps are below."
    maps = _optional(
        "interactive maps",
        _interactive.page_maps,
        data,
        fit,
        seed,
        interactive,
        turned_off,
    )
    if maps is not None:
        maps, maps_note = maps
    trained = [m for m in fit.fitted if m in TRAINED_METHODS]
    curves = None
    if maps is not None and trained:
        histories = {m: fit.fitted[m].estimator.history_ for m in trained}
        curves = _optional(
            "interactive training curves",
            _curves.interactive_curves,
            histories,
            method_colors(trained),
        )
    animations = None
    if fit.snapshots:
        animations = _optional(
            "training animations",
            _animation.animations_html,
            fit.snapshots,
            data.y_test[fit.snapshot_rows],
            data.label_names,
            data.image_shape,
            method_colors(fit.snapshots),
        )
    return {
        "maps": maps,
        "maps_note": maps_note,
        "curves": curves,
        "animations": animations,
    }


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
    labelled_fraction=None,
    n_jobs=None,
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
        Latent sizes of the VAE sweep; empty to skip it. Sizes above the
        number of features are left out (a 6-column table sweeps 2 and 5).
    animate : bool, default=True
        Record embeddings and reconstructions during training for the
        page's animations (drawn by the page itself, at most
        40 epochs each).
    interactive : bool or "auto", default="auto"
        Draw the page's interactive maps and training curves with Bokeh
        (``pip install 'aembed[report]'``); ``"auto"`` draws them when Bokeh
        is installed and otherwise shows the static figures and says on the
        page how to get the interactive ones.
    overwrite : bool, default=False
        Write into a folder that already holds files, replacing the
        report's files there.
    verbose : int, default=1
        Show a progress bar over all methods and epochs when positive.
    command : str, default=None
        The command line that ran the report, for the provenance.
    labelled_fraction : float, default=None
        Semi-supervised maps: fit the aembed estimators (with
        ``supervision_weight=aembed.compare.SUPERVISION_WEIGHT``) and UMAP
        with this stratified share of the training labels, the other rows
        marked unlabelled (-1); PCA and t-SNE never see labels, and the VAE
        sweep stays unsupervised. The scores' k-NN classifier still uses
        every training label. None (the default) fits without labels.
    n_jobs : int, default=None
        Fit the methods and the sweep's models side by side in this many
        worker processes on the CPU, the cores shared out among them (-1:
        one per core, as scikit-learn's ``n_jobs``); None or 1 fits them one
        after another in this process. The results are the same either way
        (every fit draws from its own seeded streams, and no result depends
        on the thread count); each fit time is then that of one worker's
        threads. Ignored on an accelerator.

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
    turned_off = interactive is False
    sweep_sizes, interactive = check_options(
        n_components, test_size, validation_size, sweep_sizes, interactive
    )
    methods = check_methods(methods)
    if labelled_fraction is not None and not 0 < labelled_fraction <= 1:
        raise ValueError(
            "labelled_fraction must lie in (0, 1], the share of training "
            f"labels the methods see; got {labelled_fraction!r}."
        )
    if n_jobs is not None and (
        not isinstance(n_jobs, numbers.Integral)
        or isinstance(n_jobs, bool)
        or n_jobs == 0
    ):
        raise ValueError(
            "n_jobs must be a non-zero integer (1 for one process, -1 for one "
            f"per core) or None; got {n_jobs!r}."
        )
    data = prepare(dataset, test_size, validation_size, seed)
    sweep_sizes, too_wide = sweep_within(sweep_sizes, data.n_features)
    check_sizes(
        methods, len(data.X_train), len(data.X_test), data.n_features, n_components
    )
    out = check_out(out, overwrite)
    make_out(out)
    if verbose:
        _log(
            f"{data.name}: {len(data.X_train)} training rows ({len(data.X_valid)} "
            f"more held out for validation curves), {len(data.X_test)} test rows, "
            f"{data.n_features} features; methods {', '.join(methods)}"
        )
        if too_wide:
            _log(
                f"latent sizes {', '.join(map(str, too_wide))} left out of the "
                f"sweep: wider than the data's {data.n_features} features"
            )

    tables = _tables.TableWriter(
        out, _tables.metrics_for(data.scaling[0], images=data.image_shape is not None)
    )
    fit = fit_all(
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
        labelled_fraction=labelled_fraction,
        n_jobs=n_jobs,
    )
    record = _provenance.run_record(
        data, fit, command, n_components, device, seed, sweep_sizes
    )
    if labelled_fraction is not None:
        record["labelled_fraction"] = labelled_fraction
    record["wall_time_s"] = round(time.perf_counter() - started, 1)
    _provenance.write_run_json(out / "run.json", record)

    figures = _figures.draw_all(out, data, fit, seed)
    if verbose and not interactive and not turned_off:
        hint = _interactive.INSTALL_HINT
        _log(f"interactive maps skipped: Bokeh is not installed ({hint})")
    extras = _page_extras(data, fit, seed, interactive, turned_off)
    elapsed = time.perf_counter() - started
    record["wall_time_s"] = round(elapsed, 1)
    _provenance.write_run_json(out / "run.json", record)
    write_page(out, data, fit, tables, record, figures, extras, elapsed)
    if verbose:
        _log(f"report written to {out / 'index.html'} in {elapsed:.0f} s")
    return fit.results
