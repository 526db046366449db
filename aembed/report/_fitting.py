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
from ..compare._fitting import (
    keep_labels,
    progress_steps,
    run_methods,
    warm_up_methods,
)
from ..compare._methods import (
    NEIGHBOR_METHODS,
    SUPERVISION_WEIGHT,
    TRAINED_METHODS,
    make_method,
)
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
    n_train = len(data.X_train)
    vae_epochs = _steps("vae", max_epochs, n_train)
    total = len(sweep_new) * vae_epochs + sum(
        _steps(m, max_epochs, n_train) for m in methods
    )
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="step", desc="aembed compare", disable=not verbose)
    rows, fitted, sweep = [], {}, None
    try:
        with warnings_above(bar):
            bar.set_postfix_str("warm-up")
            warm_up_methods(
                methods, data.X_train, n_components=n_components, device=device
            )
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
                y_fit=y_fit,
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
                    if "vae" in fitted and reused
                    else None,
                    on_size=lambda s: bar.update(vae_epochs if s in sweep_new else 0),
                )
                tables.sweep(sweep)
    finally:
        bar.close()
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    return Fit(results, fitted, sweep, snapshots, rows_followed)


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


def _steps(name, max_epochs, n_train):
    """Progress-bar steps of one method's fit on ``n_train`` rows."""
    return progress_steps(name, make_method(name, max_epochs=max_epochs), n_train)
