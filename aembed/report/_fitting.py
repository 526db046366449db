"""Fitting for the report: every method, then the VAE's latent-size sweep.

Every trained method gets the callbacks the report draws from (validation
curves, training animations), and one progress bar counts every epoch.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._console import warnings_above
from ..callbacks import LatentSnapshots, ValidationLoss
from ..compare._compare import RESULT_COLUMNS
from ..compare._fitting import keep_labels, progress_steps
from ..compare._methods import (
    NEIGHBOR_METHODS,
    SUPERVISION_WEIGHT,
    TRAINED_METHODS,
    make_method,
    method_name,
)
from ..compare._pool import FitPool, Task, n_workers
from . import _figures
from ._sweep import latent_size_sweep

# Rows of the held-out set the training animations follow.
SNAPSHOT_ROWS = 1000


@dataclass
class Fit:
    """What fitting produced."""

    results: pd.DataFrame
    fitted: dict
    sweep: pd.DataFrame | None
    snapshots: dict
    snapshot_rows: np.ndarray
    # Worker processes that fitted the methods side by side (1: this one),
    # and the threads of each.
    n_processes: int = 1
    threads: int | None = None


def fit_all(
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
    labelled_fraction=None,
    n_jobs=None,
):
    """Warm up, fit and score every method, then the sweep, under one bar.

    With ``labelled_fraction``, the methods that learn from labels (the
    aembed estimators, with ``SUPERVISION_WEIGHT``, and UMAP) are fitted
    with that stratified share of the training labels, the others marked
    unlabelled; the sweep stays unsupervised.
    """
    method_params, snapshots, rows_followed = _watchers(data, methods, seed, animate)
    y_fit = None
    if labelled_fraction is not None:
        y_fit = keep_labels(data.y_train, labelled_fraction, seed)
        for m in methods:
            if m in TRAINED_METHODS:
                method_params.setdefault(m, {})
                method_params[m]["supervision_weight"] = SUPERVISION_WEIGHT
    # The sweep reuses the compared VAE at its size (callbacks only watch).
    reused = "vae" in methods and labelled_fraction is None
    sweep_new = [s for s in sweep_sizes if not (s == n_components and reused)]
    common = {"max_epochs": max_epochs, "device": device, "random_state": seed}
    tasks = [
        Task(m, m, {**common, "n_components": n_components, **method_params.get(m, {})})
        for m in methods
    ]
    tasks += [
        Task(("sweep", s), "vae", {**common, "n_components": s}, score=False)
        for s in sweep_new
    ]
    n_processes, threads = n_workers(n_jobs, len(tasks), device)
    n_train = len(data.X_train)
    total = sum(
        progress_steps(t.name, make_method(t.name, **t.params), n_train) for t in tasks
    )
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="step", desc="aembed compare", disable=not verbose)
    shared = {
        "X_train": data.X_train,
        "X_test": data.X_test,
        "y_train": data.y_train,
        "y_test": data.y_test,
        "y_fit": y_fit,
        "data_range": 1.0 if data.has_psnr else None,
    }
    rows, fitted, swept, sweep = {}, {}, {}, None
    try:
        with warnings_above(bar):
            bar.set_postfix_str(_doing(tasks, n_processes))
            pool = FitPool(shared, n_jobs=n_jobs, device=device, progress=bar)
            for key, result, method_rows in pool.run(tasks):
                if method_rows is None:
                    swept[key[1]] = result
                    continue
                fitted[key] = result
                rows[key] = method_rows
                done = [r for m in methods if m in rows for r in rows[m]]
                tables.results(pd.DataFrame(done, columns=RESULT_COLUMNS))
                bar.set_postfix_str(_doing(tasks, n_processes, fitted, swept))
            if sweep_sizes:
                if reused:
                    swept[n_components] = fitted["vae"].estimator
                sweep = latent_size_sweep(
                    data.X_train,
                    data.X_test,
                    data.y_test,
                    sweep_sizes,
                    data_range=shared["data_range"],
                    fitted=swept,
                )
                tables.sweep(sweep)
    finally:
        bar.close()
    fitted = {m: fitted[m] for m in methods}
    for m, result in fitted.items():
        if m in snapshots:
            # A worker's fit carries its own copy of the callback back.
            snapshots[m] = next(
                c for c in result.estimator.callbacks if isinstance(c, LatentSnapshots)
            )
    results = pd.DataFrame(
        [r for m in methods for r in rows[m]], columns=RESULT_COLUMNS
    )
    return Fit(results, fitted, sweep, snapshots, rows_followed, n_processes, threads)


def _doing(tasks, n_processes, fitted=(), swept=()):
    """What the progress bar says: the methods not done yet."""
    left = [
        method_name(t.key) if t.score else f"sweep {t.key[1]}"
        for t in tasks
        if t.key not in fitted and (t.score or t.key[1] not in swept)
    ]
    head = f"{n_processes} processes: " if n_processes > 1 else ""
    return head + ", ".join(left[:3]) + (" ..." if len(left) > 3 else "")


def _watchers(data, methods, seed, animate):
    """The callbacks of each trained method: validation curves, animations.

    Returns the per-method parameters for :func:`run_methods`, the
    :class:`~aembed.callbacks.LatentSnapshots` by method, and the held-out
    rows the animations follow (one per class first, then a random share).
    """
    rows_followed = np.random.default_rng(seed).permutation(len(data.X_test))
    rows_followed = np.concatenate(
        [_figures.one_per_class(data.y_test), rows_followed[:SNAPSHOT_ROWS]]
    )
    method_params, snapshots = {}, {}
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
            # Images as flat rows: the neighbour mode augments them.
            method_params[m]["augment"] = data.image_shape
    return method_params, snapshots, rows_followed
