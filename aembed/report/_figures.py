"""The report's static figures (PNG).

Each ``draw_*`` function draws one kind of figure from the fitted methods
and saves it through :class:`Figures`, which writes every file atomically
and remembers its caption and page section. Every figure gives a method
the colour of :func:`aembed.report._colors.method_colors`. The training
animations are drawn by the page itself (:mod:`._animation`).
"""

import warnings

import numpy as np

from .. import plotting
from ..compare import per_class
from ..compare._methods import TRAINED_METHODS, method_name
from ._colors import display_colors, method_colors


class Figures:
    """Saves figures into the report folder and collects them for the page.

    :func:`aembed.plotting.save_figure` writes each file atomically;
    ``entries`` holds ``(filename, caption, section)`` in drawing order.
    """

    def __init__(self, out):
        self.out = out
        self.entries = []

    def save(self, fig, filename, caption, section="figures"):
        plotting.save_figure(fig, self.out / filename)
        self.entries.append((filename, caption, section))

    def of(self, section):
        """The ``(filename, caption)`` of the figures of one page section."""
        return [(f, c) for f, c, s in self.entries if s == section]


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
    colors = method_colors(fitted)
    for ax, (name, result) in zip(axes.flat, fitted.items(), strict=False):
        plotting.plot_embedding(
            result.Z_test,
            y_test,
            ax=ax,
            title=f"{method_name(name)} ({result.evaluation})",
            class_names=label_names,
        )
        ax.title.set_color(colors[name])
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    figures.save(
        fig,
        "embeddings.png",
        "Held-out rows embedded by each method, coloured by class "
        "(t-SNE: the held-out part of a joint embedding).",
        "maps",
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
        "reconstructions",
    )


def draw_training_curves(figures, fitted, has_validation):
    trained = [n for n in fitted if n in TRAINED_METHODS]
    if not trained:
        return
    histories = {method_name(n): fitted[n].estimator.history_ for n in trained}
    fig = plotting.plot_loss_and_kl(histories, colors=display_colors(trained))
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
        "curves",
    )


# PSNR is a decreasing function of MSE, so the per-class bars show MSE
# only: PSNR bars would repeat them (per_class.csv has both).
def draw_per_class(figures, results):
    table = per_class(results)
    if table.empty:
        return
    table = table.assign(model=table["method"].map(method_name))
    fig = plotting.plot_per_class_bars(
        table,
        metric="mse",
        title="Held-out MSE per class",
        colors=display_colors(table["method"].unique()),
    ).figure
    figures.save(
        fig,
        "per_class_mse.png",
        "Held-out reconstruction MSE per class (per_class.csv also has PSNR).",
        "reconstructions",
    )


def draw_sweep(figures, sweep):
    table = sweep[sweep["class"] != "all"].assign(
        model=lambda t: "latent size " + t["n_components"].astype(str)
    )
    # Latent sizes are ordered: a sequential map, not the methods' colours.
    from matplotlib import colormaps

    sizes = list(table["model"].unique())
    shades = colormaps["viridis"](np.linspace(0.1, 0.85, len(sizes)))
    fig = plotting.plot_per_class_bars(
        table,
        metric="mse",
        title="VAE: held-out MSE per class and latent size",
        colors=dict(zip(sizes, map(tuple, shades), strict=True)),
    ).figure
    figures.save(
        fig,
        "latent_sweep_mse.png",
        "Held-out MSE per class of a VAE for each latent size "
        "(latent_sweep.csv also has PSNR).",
        "sweep",
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
            "generated",
        )
    if "vae" in fitted:
        samples = fitted["vae"].estimator.sample(50, random_state=seed)
        ax = plotting.plot_image_grid(
            samples, image_shape=image_shape, title="VAE: samples from the prior"
        )
        figures.save(
            ax.figure,
            "vae_samples.png",
            "Images decoded from prior draws.",
            "generated",
        )
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
        "codebook",
    )


def draw_all(out, data, fit, seed):
    """Every static figure; returns the :class:`Figures` that saved them.

    A figure that fails is left out with a warning: the models are fitted
    and the tables written by now, and the page must still be.
    """
    fitted, names = fit.fitted, data.label_names
    figures = Figures(out)

    def draw(what, function, *args):
        try:
            function(figures, *args)
        except Exception as exc:  # noqa: BLE001 - any figure's failure
            warnings.warn(
                f"The report's {what} could not be drawn and are left out of "
                f"the page ({type(exc).__name__}: {exc}).",
                UserWarning,
                stacklevel=4,
            )

    draw("maps of the embeddings", draw_embeddings, fitted, data.y_test, names)
    draw("training curves", draw_training_curves, fitted, len(data.X_valid) > 0)
    draw("per-class bars", draw_per_class, fit.results)
    if fit.sweep is not None:
        draw("sweep figures", draw_sweep, fit.sweep)
    draw("codebook figures", draw_codebook, fitted, data.X_train)
    if data.image_shape is not None:
        draw(
            "reconstructions",
            draw_reconstructions,
            fitted,
            data.X_test,
            data.y_test,
            data.image_shape,
            names,
        )
        draw("generated images", draw_generative, fitted, data.image_shape, seed)
    return figures
