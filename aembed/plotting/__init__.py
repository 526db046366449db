"""Figures for latent spaces, reconstructions and training curves.

Every function takes plain arrays or pandas objects (the output of
``transform`` / ``inverse_transform``, an estimator's ``history_``, a table
from :func:`aembed.metrics.per_class_reconstruction`), draws with matplotlib
and returns the :class:`~matplotlib.axes.Axes` or
:class:`~matplotlib.figure.Figure` it drew on, so that the figure can still be
restyled before :func:`save_figure`. matplotlib is imported inside the
functions, so importing :mod:`aembed` neither needs nor configures it.

One module per kind of figure: ``_embedding`` (scatter plots and their
animation), ``_images`` (reconstructions, latent grids, samples), ``_curves``
(training curves), ``_bars`` (per-class scores, codebook usage) and
``_common`` (shared checks and :func:`save_figure`).
"""

from ._bars import plot_codebook_usage, plot_per_class_bars
from ._common import save_figure
from ._curves import plot_history, plot_loss_and_kl
from ._embedding import plot_embedding, save_animation
from ._images import (
    plot_image_grid,
    plot_latent_grid,
    plot_latent_strip,
    plot_reconstructions,
    save_image_animation,
)

__all__ = [
    "plot_codebook_usage",
    "plot_embedding",
    "plot_history",
    "plot_image_grid",
    "plot_latent_grid",
    "plot_latent_strip",
    "plot_loss_and_kl",
    "plot_per_class_bars",
    "plot_reconstructions",
    "save_animation",
    "save_figure",
    "save_image_animation",
]
