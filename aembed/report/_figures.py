"""The report's static figures (PNG) and animations (GIF).

Each ``draw_*`` function draws one kind of figure from the fitted methods
and saves it through :class:`Figures`, which writes every file atomically
and remembers its caption for the page.
"""

import numpy as np

from .. import plotting
from ..compare import per_class
from ..compare._methods import TRAINED_METHODS, method_name


class Figures:
    """Saves figures into the report folder and collects their captions.

    :func:`aembed.plotting.save_figure` and the GIF writers write each file
    atomically.
    """

    def __init__(self, out):
        self.out = out
        self.entries = []

    def save(self, fig, filename, caption):
        plotting.save_figure(fig, self.out / filename)
        self.entries.append((filename, caption))

    def animation(self, write, filename, caption, **kwargs):
        """Write a GIF with ``write(path=..., **kwargs)``."""
        write(path=self.out / filename, **kwargs)
        self.entries.append((filename, caption))


def one_per_class(y, n=10):
    """Indices of the first row of each class (up to ``n`` rows)."""
    _, first = np.unique(y, return_index=True)
    return np.sort(first)[:n]


def draw_embeddings(figures, fitted, y_test, label_names):
    import matplotlib.pyplot as plt

    n = len(fitted)
    n_cols = min(n, 3)
    n_rows = -(-n // n_cols)
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(5.5 * n_cols, 4.5 * n_rows), squeeze=False
    )
    for ax, (name, result) in zip(axes.flat, fitted.items(), strict=False):
        plotting.plot_embedding(
            result.Z_test,
            y_test,
            ax=ax,
            title=f"{method_name(name)} ({result.evaluation})",
            class_names=label_names,
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


def draw_reconstructions(figures, fitted, X_test, y_test, image_shape, label_names):
    idx = one_per_class(y_test)
    recs = {
        method_name(name): r.X_test_rec[idx]
        for name, r in fitted.items()
        if r.X_test_rec is not None
    }
    if not recs:
        return
    fig = plotting.plot_reconstructions(
        X_test[idx],
        recs,
        image_shape=image_shape,
        n=len(idx),
        titles=[label_names[c] for c in y_test[idx]],
    )
    figures.save(
        fig,
        "reconstructions.png",
        "One held-out image per class (top) and each model's reconstruction.",
    )


def draw_training_curves(figures, fitted, has_validation):
    histories = {
        method_name(n): r.estimator.history_
        for n, r in fitted.items()
        if n in TRAINED_METHODS
    }
    if not histories:
        return
    fig = plotting.plot_loss_and_kl(histories)
    validation = (
        "training solid, validation dashed (on rows held out from training, "
        "which no method was fitted on)"
        if has_validation
        else "on the training rows only"
    )
    figures.save(
        fig,
        "training_curves.png",
        f"Reconstruction loss per epoch, {validation}; the VAE's KL term; "
        "and the neighbour term of the models trained with one.",
    )


def draw_per_class(figures, results, has_psnr):
    table = per_class(results)
    if table.empty:
        return
    table = table.assign(model=table["method"].map(method_name))
    for metric, unit in (("mse", "MSE"), ("psnr", "PSNR (dB)")):
        if metric == "psnr" and not has_psnr:
            continue
        fig = plotting.plot_per_class_bars(
            table, metric=metric, title=f"Held-out {unit} per class"
        ).figure
        figures.save(
            fig,
            f"per_class_{metric}.png",
            f"Held-out reconstruction {unit} per class.",
        )


def draw_sweep(figures, sweep, has_psnr):
    table = sweep[sweep["class"] != "all"].assign(
        model=lambda t: "latent size " + t["n_components"].astype(str)
    )
    for metric, unit in (("mse", "MSE"), ("psnr", "PSNR (dB)")):
        if metric == "psnr" and not has_psnr:
            continue
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


def draw_generative(figures, fitted, image_shape, seed):
    import matplotlib.pyplot as plt

    for name in TRAINED_METHODS:
        result = fitted.get(name)
        if result is None or result.Z_train.shape[1] != 2:
            continue
        low = np.percentile(result.Z_train, 2, axis=0)
        high = np.percentile(result.Z_train, 98, axis=0)
        if not (low < high).all():
            continue  # a collapsed latent space has no grid to decode
        ax = plotting.plot_latent_grid(
            result.estimator.inverse_transform,
            extent=(low[0], high[0], low[1], high[1]),
            image_shape=image_shape,
        )
        ax.set_title(
            f"{method_name(name)}:\nimages decoded from a grid of latent points"
        )
        figures.save(
            ax.figure,
            f"latent_grid_{name}.png",
            f"{method_name(name)}: the 2-D latent space decoded on a grid "
            "spanning the central 96% of the training embedding.",
        )
    if "vae" in fitted:
        samples = fitted["vae"].estimator.sample(50, random_state=seed)
        ax = plotting.plot_image_grid(
            samples, image_shape=image_shape, title="VAE: samples from the prior"
        )
        figures.save(ax.figure, "vae_samples.png", "Images decoded from prior draws.")
    plt.close("all")


def draw_codebook(figures, fitted, X_train):
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


def draw_animations(figures, snapshots, y_snap, image_shape, label_names):
    for name, snap in snapshots.items():
        if snap.embeddings_[0].shape[1] < 2:
            continue
        titles = [f"{method_name(name)}, epoch {e}" for e in snap.epochs_]
        figures.animation(
            plotting.save_animation,
            f"latent_evolution_{name}.gif",
            f"{method_name(name)}: the latent space over training.",
            frames=[z[:, :2] for z in snap.embeddings_],
            labels=y_snap,
            titles=titles,
            class_names=label_names,
        )
        if image_shape is not None:
            figures.animation(
                plotting.save_image_animation,
                f"reconstruction_evolution_{name}.gif",
                f"{method_name(name)}: reconstructions over training.",
                frames=snap.reconstructions_,
                image_shape=image_shape,
                originals=np.asarray(snap.X)[: snap.n_reconstructions],
                titles=titles,
            )


def draw_all(out, data, fit, seed):
    """Every static figure and animation; returns the collected entries."""
    fitted, names = fit.fitted, data.label_names
    figures = Figures(out)
    draw_embeddings(figures, fitted, data.y_test, names)
    draw_training_curves(figures, fitted, len(data.X_valid) > 0)
    draw_per_class(figures, fit.results, data.has_psnr)
    if fit.sweep is not None:
        draw_sweep(figures, fit.sweep, data.has_psnr)
    draw_codebook(figures, fitted, data.X_train)
    if data.image_shape is not None:
        draw_reconstructions(
            figures, fitted, data.X_test, data.y_test, data.image_shape, names
        )
        draw_generative(figures, fitted, data.image_shape, seed)
    if fit.snapshots:
        draw_animations(
            figures,
            fit.snapshots,
            data.y_test[fit.snapshot_rows],
            data.image_shape,
            names,
        )
    return figures
