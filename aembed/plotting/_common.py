"""Shared helpers of the figures: pyplot on demand, new axes, checks, saving."""

from contextlib import contextmanager
from numbers import Integral, Real
from pathlib import Path

import numpy as np

from .._files import atomic_path


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _new_axes(ax, figsize):
    """Return `ax`, or the axes of a new figure when `ax` is None."""
    if ax is None:
        _, ax = _pyplot().subplots(figsize=figsize, layout="constrained")
    return ax


@contextmanager
def _closed_on_error(fig):
    """Close `fig` if the block raises; None (a caller's figure) is left open."""
    try:
        yield
    except BaseException:
        if fig is not None:
            _pyplot().close(fig)
        raise


def _new_figure(fig, figsize):
    """Return `fig` emptied, or a new figure when `fig` is None."""
    if fig is None:
        return _pyplot().figure(figsize=figsize, layout="constrained")
    fig.clear()
    return fig


def _class_colors(n_classes):
    """`n_classes` colours that tell the classes apart.

    tab10 is the clearest qualitative map but has only ten colours; past that
    an evenly sampled perceptual map keeps neighbouring classes distinct in
    lightness instead of recycling colours.
    """
    from matplotlib import colormaps

    if n_classes <= 10:
        return colormaps["tab10"].colors[:n_classes]
    return colormaps["viridis"](np.linspace(0, 1, n_classes))


def _group_colors(groups, colors):
    """One colour per group: ``colors[group]`` where given, else qualitative."""
    if colors is not None and not isinstance(colors, dict):
        raise TypeError(
            "colors must be a dict mapping each name to a colour; got "
            f"{type(colors).__name__}."
        )
    defaults = _class_colors(len(groups))
    colors = colors or {}
    return [colors.get(g, default) for g, default in zip(groups, defaults, strict=True)]


def _reject_sparse(X, name):
    """Raise a TypeError for a scipy sparse matrix, which cannot be drawn."""
    if hasattr(X, "tocsr") and hasattr(X, "nnz"):
        raise TypeError(
            f"Sparse data was passed for {name}, but dense data is required. "
            "Use '.toarray()' to convert to a dense numpy array."
        )


def _verbatim(text):
    """``text`` as matplotlib shows it verbatim: ``$`` does not start maths.

    A class named ``$0-$50`` would otherwise lose its dollar signs, and one
    named ``range_$5_to_$10`` crash the figure in the maths parser.
    """
    return str(text).replace("$", r"\$")


def _legend_name(text, width=16):
    """A legend entry on at most two lines of ``width`` characters.

    Long class names would otherwise widen the legend beside a plot until
    the plot itself shrinks to a fraction of the figure; a name too long
    for two lines keeps its start and its end.
    """
    text = str(text)
    if len(text) <= width:
        return _verbatim(text)
    if len(text) > 2 * width:
        text = text[: width - 1] + "\u2026" + text[-width:]
    return _verbatim(text[:width]) + "\n" + _verbatim(text[width:])


def _check_positive_int(value, name):
    if not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}.")
    return int(value)


def _check_positive_number(value, name):
    """`value` as a float, which must be positive and finite (fps, dpi)."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, Real)
        or not 0 < value < np.inf
    ):
        raise ValueError(f"{name} must be a positive finite number; got {value!r}.")
    return float(value)


def save_figure(fig, path, dpi=120):
    """Save a figure tightly cropped, then close it to free its memory.

    The file is written whole or not at all: to a temporary name beside
    ``path``, then moved into place, so a failure never leaves a truncated
    image where a good one was.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.axes.Axes
        The figure, or an axes of it (as the ``plot_*`` functions return).
    path : str or path-like
        Where to write; the extension picks the format (png, pdf, svg, ...).
    dpi : float or "figure", default=120
        Resolution of raster formats; ``"figure"`` uses the figure's own dpi.

    Returns
    -------
    path : pathlib.Path
        The path written.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.plotting import plot_embedding, save_figure
    >>> ax = plot_embedding(np.random.RandomState(0).normal(size=(10, 2)))
    >>> save_figure(ax, getfixture("tmp_path") / "embedding.png").name
    'embedding.png'
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(fig, Axes):
        fig = fig.figure
    if not isinstance(fig, Figure):
        raise TypeError(
            "fig must be a matplotlib Figure or Axes; got "
            f"{type(fig).__name__}: {fig!r}."
        )
    if not (isinstance(dpi, str) and dpi == "figure"):
        dpi = _check_positive_number(dpi, "dpi")
    path = Path(path)
    if not path.suffix:  # matplotlib names such a file with its default format
        from matplotlib import rcParams

        path = path.with_name(f"{path.name}.{rcParams['savefig.format']}")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=path.suffix[1:])
    _pyplot().close(fig)
    return path
