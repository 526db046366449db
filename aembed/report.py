"""The comparison report: tables, figures and an offline HTML page.

:func:`run_report` is what ``aembed compare`` runs: it splits a dataset,
fits every method with :func:`aembed.compare.compare`, sweeps the VAE's
latent size, draws the figures the seed studies show, and writes them with
``results.csv``, ``results.md`` and ``index.html`` into one folder.
"""

import html
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from . import metrics, plotting
from .callbacks import LatentSnapshots
from .compare import (
    AEMBED_METHODS,
    NEIGHBOR_METHODS,
    compare,
    make_method,
    per_class,
    summary,
)

# The trained (and generative) models: the autoencoders and their -nb variants.
TRAINED = (*AEMBED_METHODS, *NEIGHBOR_METHODS)
METHOD_LABELS = {
    "dae": "Denoising AE",
    "vae": "VAE",
    "vqvae": "VQ-VAE",
    "dae-nb": "Denoising AE + neighbours",
    "vae-nb": "VAE + neighbours",
    "vqvae-nb": "VQ-VAE + neighbours",
    "pca": "PCA",
    "tsne": "t-SNE",
    "umap": "UMAP",
    "opentsne": "openTSNE",
}


def _log(message):
    print(f"[aembed] {message}", file=sys.stderr, flush=True)


def _label(name):
    return METHOD_LABELS.get(name, name)


def _one_per_class(y, n=10):
    """Indices of the first row of each class (up to ``n`` rows)."""
    _, first = np.unique(y, return_index=True)
    return np.sort(first)[:n]


def latent_size_sweep(
    X_train,
    X_test,
    y_test,
    sizes,
    *,
    method="vae",
    data_range=None,
    fitted=None,
    **params,
):
    """Fit one method per latent size; per-class held-out MSE and PSNR.

    Parameters
    ----------
    X_train : array-like of shape (n_train, n_features)
        Rows to fit on.
    X_test : array-like of shape (n_test, n_features)
        Held-out rows to reconstruct.
    y_test : array-like of shape (n_test,)
        Classes of the held-out rows.
    sizes : sequence of int
        The latent sizes (``n_components``) to try.
    method : str, default="vae"
        An aembed method name (``"dae"``, ``"vae"`` or ``"vqvae"``).
    data_range : float, default=None
        Value range for the PSNR; None infers it from ``X_test``.
    fitted : dict of int to estimator, default=None
        Estimators already fitted with the same parameters, by latent size,
        which are reused instead of trained again.
    **params
        Passed to :func:`aembed.compare.make_method`, e.g. ``max_epochs``
        and ``random_state``.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``n_components``, ``class`` (``"all"`` or a label),
        ``mse``, ``psnr``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from aembed.report import latent_size_sweep
    >>> X, y = load_digits(return_X_y=True)
    >>> table = latent_size_sweep(X[:300] / 16, X[300:400] / 16, y[300:400],
    ...                           [2, 4], max_epochs=2)
    >>> table.columns.tolist(), table["n_components"].unique().tolist()
    (['n_components', 'class', 'mse', 'psnr'], [2, 4])
    """
    rows = []
    fitted = fitted or {}
    for size in sizes:
        est = fitted.get(size)
        if est is None:
            est = make_method(method, n_components=size, **params).fit(X_train)
        X_rec = est.reconstruct(X_test)
        table = metrics.per_class_reconstruction(
            X_test, X_rec, y_test, data_range=data_range
        ).reset_index()
        table.insert(0, "n_components", size)
        rows.append(table.drop(columns="n_samples"))
        mse = metrics.reconstruction_mse(X_test, X_rec)
        rows.append(
            pd.DataFrame(
                [
                    {
                        "n_components": size,
                        "class": "all",
                        "mse": mse,
                        "psnr": metrics.psnr(X_test, X_rec, data_range=data_range),
                    }
                ]
            )
        )
    return pd.concat(rows, ignore_index=True)


def _markdown(frame, floatfmt="{:.4g}"):
    """A GitHub-flavoured Markdown table (no extra dependency)."""
    frame = frame.reset_index()
    cells = [
        [floatfmt.format(v) if isinstance(v, float) else str(v) for v in row]
        for row in frame.itertuples(index=False)
    ]
    header = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines) + "\n"


def _html_page(title, description, tables, figures):
    css = (
        "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;"
        "color:#222}table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
        "th{background:#f3f3f3}figure{margin:2em 0}img{max-width:100%}"
        "figcaption{color:#555}"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{css}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(description)}</p>",
    ]
    for heading, frame in tables:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(frame.to_html(float_format=lambda v: f"{v:.4g}", border=0))
    parts.append("<h2>Figures</h2>")
    for filename, caption in figures:
        parts.append(
            f'<figure><img src="{html.escape(filename)}" alt="{html.escape(caption)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


class _Figures:
    """Collects the figures written to the report folder, with captions."""

    def __init__(self, out):
        self.out = out
        self.entries = []

    def save(self, fig, filename, caption):
        plotting.save_figure(fig, self.out / filename)
        self.entries.append((filename, caption))

    def add(self, filename, caption):
        self.entries.append((filename, caption))


def _draw_embeddings(figures, fitted, y_test, class_names):
    import matplotlib.pyplot as plt

    n = len(fitted)
    n_cols = min(n, 3)
    n_rows = -(-n // n_cols)
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(5.5 * n_cols, 4.5 * n_rows), squeeze=False
    )
    for ax, (name, result) in zip(axes.flat, fitted.items(), strict=False):
        title = f"{_label(name)} ({result.evaluation})"
        plotting.plot_embedding(
            result.Z_test, y_test, ax=ax, title=title, class_names=class_names
        )
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    figures.save(
        fig,
        "embeddings.png",
        "Held-out rows embedded by each method, coloured by class "
        "(t-SNE: the held-out part of a joint embedding).",
    )


def _draw_reconstructions(figures, fitted, X_test, y_test, image_shape):
    idx = _one_per_class(y_test)
    recs = {
        _label(name): r.X_test_rec[idx]
        for name, r in fitted.items()
        if r.X_test_rec is not None
    }
    if not recs:
        return
    fig = plotting.plot_reconstructions(
        X_test[idx], recs, image_shape=image_shape, n=len(idx)
    )
    figures.save(
        fig,
        "reconstructions.png",
        "One held-out image per class (top) and each model's reconstruction.",
    )


def _draw_training_curves(figures, fitted):
    histories = {
        _label(n): r.estimator.history_ for n, r in fitted.items() if n in TRAINED
    }
    if not histories:
        return
    fig = plotting.plot_loss_and_kl(histories)
    figures.save(
        fig,
        "training_curves.png",
        "Reconstruction loss per epoch (training solid, validation dashed) and "
        "the VAE's KL term (and the neighbour term, for models trained with one).",
    )


def _draw_per_class(figures, results):
    table = per_class(results)
    if table.empty:
        return
    table = table.assign(model=table["method"].map(_label))
    for metric, unit in (("mse", "MSE"), ("psnr", "PSNR (dB)")):
        fig = plotting.plot_per_class_bars(
            table, metric=metric, title=f"Held-out {unit} per class"
        ).figure
        figures.save(
            fig, f"per_class_{metric}.png", f"Held-out reconstruction {unit} per class."
        )


def _draw_sweep(figures, sweep):
    table = sweep[sweep["class"] != "all"].assign(
        model=lambda t: "latent size " + t["n_components"].astype(str)
    )
    for metric, unit in (("mse", "MSE"), ("psnr", "PSNR (dB)")):
        fig = plotting.plot_per_class_bars(
            table,
            metric=metric,
            title=f"VAE: held-out {unit} per class and latent size",
        ).figure
        figures.save(
            fig,
            f"latent_sweep_{metric}.png",
            f"Held-out {unit} per class of a VAE for each latent size.",
        )


def _draw_generative(figures, fitted, image_shape, seed):
    import matplotlib.pyplot as plt

    for name in TRAINED:
        result = fitted.get(name)
        if result is None or result.Z_train.shape[1] != 2:
            continue
        low = np.percentile(result.Z_train, 2, axis=0)
        high = np.percentile(result.Z_train, 98, axis=0)
        ax = plotting.plot_latent_grid(
            result.estimator.inverse_transform,
            extent=(low[0], high[0], low[1], high[1]),
            image_shape=image_shape,
        )
        ax.set_title(f"{_label(name)}: images decoded from a grid of latent points")
        figures.save(
            ax.figure,
            f"latent_grid_{name}.png",
            f"{_label(name)}: the 2-D latent space decoded on a grid spanning "
            "the central 96% of the training embedding.",
        )
    if "vae" in fitted:
        samples = fitted["vae"].estimator.sample(50, random_state=seed)
        ax = plotting.plot_image_grid(
            samples, image_shape=image_shape, title="VAE: samples from the prior"
        )
        figures.save(ax.figure, "vae_samples.png", "Images decoded from prior draws.")
    plt.close("all")


def _draw_codebook(figures, fitted, X_train):
    if "vqvae" not in fitted:
        return
    est = fitted["vqvae"].estimator
    counts = np.bincount(est.predict(X_train), minlength=len(est.codebook_))
    ax = plotting.plot_codebook_usage(counts)
    figures.save(
        ax.figure,
        "codebook_usage.png",
        "How many training rows each VQ-VAE code encodes, most used first.",
    )


def _draw_animations(figures, snapshots, y_snap, image_shape, class_names):
    for name, snap in snapshots.items():
        if snap.embeddings_[0].shape[1] < 2:
            continue
        filename = f"latent_evolution_{name}.gif"
        plotting.save_animation(
            [z[:, :2] for z in snap.embeddings_],
            figures.out / filename,
            labels=y_snap,
            titles=[f"{_label(name)}, epoch {e}" for e in snap.epochs_],
            class_names=class_names,
        )
        figures.add(filename, f"{_label(name)}: the latent space over training.")
        if image_shape is not None:
            filename = f"reconstruction_evolution_{name}.gif"
            plotting.save_image_animation(
                snap.reconstructions_,
                figures.out / filename,
                image_shape=image_shape,
                originals=np.asarray(snap.X)[: snap.n_reconstructions],
                titles=[f"{_label(name)}, epoch {e}" for e in snap.epochs_],
            )
            figures.add(filename, f"{_label(name)}: reconstructions over training.")


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
    sweep_sizes=(2, 5, 10, 15, 20),
    animate=True,
):
    """Run the comparison on a dataset and write the report folder.

    Parameters
    ----------
    dataset : sklearn.utils.Bunch
        As returned by :func:`aembed.datasets.load_dataset`: ``data``,
        ``target`` (labels are needed for the scores), ``image_shape``
        (None for tables), ``target_names`` and ``name``.
    out : str or path
        Folder to write (created if needed).
    methods : list of str, default=None
        Methods to compare; None for :func:`aembed.compare.default_methods`.
    n_components : int, default=2
        Embedding dimension.
    max_epochs : int, default=None
        Training epochs of the aembed estimators (their default when None).
    device : str, default="cpu"
        Device of the aembed estimators.
    seed : int, default=0
        Seed of the split and of every method.
    test_size : float, default=0.2
        Held-out share (stratified by class).
    sweep_sizes : sequence of int, default=(2, 5, 10, 15, 20)
        Latent sizes of the VAE sweep; empty to skip it.
    animate : bool, default=True
        Record embeddings during training and write the animated GIFs.

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
    ...                      sweep_sizes=(), animate=False)
    >>> sorted(p.name for p in out.glob("*.*"))[:3]
    ['embeddings.png', 'index.html', 'per_class.csv']
    """
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    X, y = np.asarray(dataset.data, dtype=np.float32), dataset.target
    if y is None:
        raise ValueError(
            "The comparison scores embeddings against class labels, and this "
            "dataset has none; give a table with a label column."
        )
    y = np.asarray(y)
    image_shape = dataset.get("image_shape")
    class_names = dataset.get("target_names")
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed
    )
    _log(
        f"{dataset.get('name', 'data')}: {len(X_train)} training and "
        f"{len(X_test)} held-out rows, {X.shape[1]} features"
    )

    method_params, snapshots = {}, {}
    snap_idx = np.random.default_rng(seed).permutation(len(X_test))[:1000]
    snap_idx = np.concatenate([_one_per_class(y_test), snap_idx])
    if animate:
        for name in methods or AEMBED_METHODS:
            if name in TRAINED:
                snapshots[name] = LatentSnapshots(
                    X_test[snap_idx], n_reconstructions=10
                )
                method_params[name] = {"callbacks": [snapshots[name]]}

    results, fitted = compare(
        X_train,
        y_train,
        X_test,
        y_test,
        methods=methods,
        n_components=n_components,
        max_epochs=max_epochs,
        device=device,
        random_state=seed,
        method_params=method_params,
        verbose=1,
        return_fitted=True,
    )
    table = summary(results)
    data_range = float(X_train.max() - X_train.min())

    sweep = None
    if sweep_sizes:
        _log(f"latent-size sweep of the VAE: {', '.join(map(str, sweep_sizes))}")
        sweep = latent_size_sweep(
            X_train,
            X_test,
            y_test,
            sweep_sizes,
            data_range=data_range,
            random_state=seed,
            max_epochs=max_epochs,
            device=device,
            # Snapshots only watch training, so the compared VAE is the same.
            fitted={n_components: fitted["vae"].estimator} if "vae" in fitted else None,
        )

    _log("drawing figures")
    figures = _Figures(out)
    _draw_embeddings(figures, fitted, y_test, class_names)
    _draw_training_curves(figures, fitted)
    _draw_per_class(figures, results)
    if sweep is not None:
        _draw_sweep(figures, sweep)
    _draw_codebook(figures, fitted, X_train)
    if image_shape is not None:
        _draw_reconstructions(figures, fitted, X_test, y_test, image_shape)
        _draw_generative(figures, fitted, image_shape, seed)
    if snapshots:
        _draw_animations(figures, snapshots, y_test[snap_idx], image_shape, class_names)

    table.to_csv(out / "results.csv")
    per_class(results).to_csv(out / "per_class.csv", index=False)
    if sweep is not None:
        sweep.to_csv(out / "latent_sweep.csv", index=False)
    elapsed = time.perf_counter() - started
    description = (
        f"Dataset {dataset.get('name', 'data')}: {len(X_train)} training rows, "
        f"{len(X_test)} held-out rows (stratified, seed {seed}); "
        f"{n_components}-D embeddings. Scores are on the held-out rows: kNN "
        "accuracy (classifier fitted on the training embedding), "
        "trustworthiness, silhouette, KMeans agreement (ARI, NMI), "
        "reconstruction MSE and PSNR; times in seconds. t-SNE cannot embed new "
        "rows: it embeds training and held-out rows together (transductive). "
        f"The whole report took {elapsed:.0f} s."
    )
    if "umap" in fitted:
        description += (
            " UMAP's fit time includes numba's one-off compilation in a new process."
        )
    tables = [("Results", table)]
    if sweep is not None:
        overall = sweep[sweep["class"] == "all"].set_index("n_components")
        tables.append(("VAE latent-size sweep", overall[["mse", "psnr"]]))
    md = [f"# aembed comparison\n\n{description}\n\n## Results\n\n", _markdown(table)]
    if sweep is not None:
        md += ["\n## VAE latent-size sweep\n\n", _markdown(tables[1][1])]
    (out / "results.md").write_text("".join(md))
    (out / "index.html").write_text(
        _html_page("aembed comparison", description, tables, figures.entries)
    )
    _log(f"report written to {out} in {elapsed:.0f} s")
    return results
