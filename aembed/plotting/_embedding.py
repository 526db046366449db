"""Scatter plots of embeddings, still and animated over epochs."""

from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd

from .._files import atomic_path
from ..metrics._checks import check_comparable
from ._common import (
    _check_positive_number,
    _class_colors,
    _closed_on_error,
    _new_axes,
    _pyplot,
    _reject_sparse,
)

# Beyond this many classes a legend no longer fits beside the plot, so the
# classes are read off a colorbar instead.
_MAX_LEGEND_ENTRIES = 30


def _class_names(classes, class_names):
    """Legend names of `classes`, the distinct labels in sorted order.

    A sequence of names is indexed by the label, so the labels must then be
    whole numbers from 0 to ``len(class_names) - 1``, or their strings (as
    ``fetch_openml("mnist_784")`` gives the digits).
    """
    if class_names is None:
        return [str(c) for c in classes]
    if isinstance(class_names, dict):
        return [str(class_names.get(c, c)) for c in classes]
    n_names = len(class_names)
    classes = [int(c) if isinstance(c, str) and c.isdecimal() else c for c in classes]
    for c in classes:
        whole = isinstance(c, (Integral, np.bool_)) or (
            isinstance(c, Real) and float(c).is_integer()
        )
        if not whole or not 0 <= c < n_names:
            label = c.item() if isinstance(c, np.generic) else c
            raise ValueError(
                f"labels must be integers from 0 to {n_names - 1} to index "
                f"class_names, a sequence of {n_names} names; got label {label!r}. "
                "Pass class_names as a dict to name other labels."
            )
    return [str(class_names[int(c)]) for c in classes]


def _is_continuous(labels):
    """Whether `labels` are measurements (shown with a colorbar), not classes."""
    return labels.dtype.kind == "f" and not np.all(np.mod(labels, 1) == 0)


def _check_labels(labels, n_samples):
    """`labels` as a 1-d array with one entry per sample, of sortable values."""
    if labels is None:
        return None
    _reject_sparse(labels, "labels")
    labels = np.asarray(labels)
    if labels.shape != (n_samples,):
        raise ValueError(
            f"labels must have one entry per row of Z ({n_samples}); "
            f"got shape {labels.shape}."
        )
    check_comparable(labels, "labels")
    return labels


def _check_embedding(Z, name="Z"):
    """`Z` as a float array of at least two columns, and its axis labels."""
    _reject_sparse(Z, name)
    if isinstance(Z, pd.DataFrame):
        columns = [str(c) for c in Z.columns]
    else:
        columns = None
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2 or Z.shape[1] < 2:
        raise ValueError(
            f"{name} must be 2-d with at least two columns; got shape {Z.shape}."
        )
    if Z.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample; got shape {Z.shape}.")
    if columns is not None:
        labels = columns[:2]
    else:
        labels = ["dim 1", "dim 2"]
    if Z.shape[1] > 2:
        # Only the first two dimensions are drawn; the reader must not take
        # the picture for the whole latent space.
        labels = [f"{lab} (of {Z.shape[1]})" for lab in labels]
    return Z, labels


def _scatter(ax, Z, labels, *, class_names, s, alpha, legend=True):
    """Scatter the first two columns of `Z` coloured by `labels`.

    Returns the PathCollection and the row order it was drawn in.
    """
    n_samples = Z.shape[0]
    # Drawn in a fixed random order rather than class by class: otherwise the
    # last class drawn covers the others wherever they overlap.
    order = np.random.RandomState(0).permutation(n_samples)
    if labels is None:
        points = ax.scatter(Z[order, 0], Z[order, 1], s=s, alpha=alpha, linewidths=0)
        return points, order

    labels = _check_labels(labels, n_samples)
    if _is_continuous(labels):
        points = ax.scatter(
            Z[order, 0],
            Z[order, 1],
            c=labels[order],
            cmap="viridis",
            s=s,
            alpha=alpha,
            linewidths=0,
        )
        if legend:
            ax.figure.colorbar(points, ax=ax)
        return points, order

    classes, index = np.unique(labels, return_inverse=True)
    names = _class_names(classes, class_names)
    colors = np.asarray(_class_colors(len(classes)))
    points = ax.scatter(
        Z[order, 0],
        Z[order, 1],
        c=colors[index[order]],
        s=s,
        alpha=alpha,
        linewidths=0,
    )
    if not legend:
        return points, order
    if len(classes) > _MAX_LEGEND_ENTRIES:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import BoundaryNorm, ListedColormap

        norm = BoundaryNorm(np.arange(len(classes) + 1) - 0.5, len(classes))
        mappable = ScalarMappable(norm=norm, cmap=ListedColormap(colors))
        bar = ax.figure.colorbar(mappable, ax=ax, label="class")
        ticks = np.unique(np.linspace(0, len(classes) - 1, 10).round().astype(int))
        bar.set_ticks(ticks, labels=[names[i] for i in ticks])
    else:
        from matplotlib.lines import Line2D

        # Proxy markers: the scatter itself is a single artist, and its tiny,
        # translucent points would make illegible legend keys.
        handles = [
            Line2D([], [], linestyle="", marker="o", color=color, label=name)
            for color, name in zip(colors, names, strict=True)
        ]
        ax.legend(
            handles=handles,
            title="class",
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0.0,
            ncols=1 + len(classes) // 16,
        )
    return points, order


def plot_embedding(
    Z,
    labels=None,
    *,
    ax=None,
    title=None,
    class_names=None,
    s=5,
    alpha=0.7,
):
    """Scatter a 2-d embedding, coloured by class.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_components)
        Embedding, e.g. the output of ``transform``. With more than two
        components only the first two are drawn, and the axis labels say so
        ("dim 1 (of 10)"). A DataFrame's column names label the axes.
    labels : array-like of shape (n_samples,), default=None
        Class of each sample; each class gets its own colour and legend entry
        (tab10 up to ten classes, evenly spaced viridis colours beyond, and a
        colorbar instead of the legend past 30 classes). Floats that are not
        whole numbers are taken as a measurement and shown on a colorbar.
        None draws every point in one colour.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on. None creates a new figure.
    title : str, default=None
        Title of the axes.
    class_names : dict or sequence of str, default=None
        Names shown in the legend. A dict maps labels to names; a sequence is
        indexed by the label, like the ``target_names`` of
        :mod:`aembed.datasets` (labels must then be integers from 0 to
        ``len(class_names) - 1``). None shows the labels themselves.
    s : float, default=5
        Marker size, in points squared.
    alpha : float, default=0.7
        Marker opacity.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    See Also
    --------
    save_animation : The same scatter, one frame per epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.plotting import plot_embedding
    >>> rng = np.random.RandomState(0)
    >>> Z = rng.normal(size=(30, 3))
    >>> ax = plot_embedding(Z, rng.randint(3, size=30), class_names=["a", "b", "c"])
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('dim 1 (of 3)', 'dim 2 (of 3)')
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['a', 'b', 'c']
    """
    Z, axis_labels = _check_embedding(Z)
    labels = _check_labels(labels, Z.shape[0])
    if labels is not None and not _is_continuous(labels):
        _class_names(np.unique(labels), class_names)
    created = ax is None
    ax = _new_axes(ax, figsize=(6.5, 5))
    with _closed_on_error(ax.figure if created else None):
        _scatter(ax, Z, labels, class_names=class_names, s=s, alpha=alpha)
        ax.set_xlabel(axis_labels[0])
        ax.set_ylabel(axis_labels[1])
        if title is not None:
            ax.set_title(title)
    return ax


def _frame_titles(titles, n_frames):
    if titles is None:
        return [f"epoch {k}" for k in range(1, n_frames + 1)]
    titles = [str(t) for t in titles]
    if len(titles) != n_frames:
        raise ValueError(f"Got {len(titles)} titles for {n_frames} frames.")
    return titles


def save_animation(
    frames,
    path,
    *,
    labels=None,
    fps=4,
    titles=None,
    class_names=None,
    s=5,
    alpha=0.7,
    dpi=100,
):
    """Save an animated GIF of an embedding changing, e.g. over epochs.

    Parameters
    ----------
    frames : sequence of array-like of shape (n_samples, n_components)
        One embedding of the same samples per frame, e.g. ``transform(X)``
        after each epoch. The first two components are drawn.
    path : str or path-like
        Where to write the GIF.
    labels : array-like of shape (n_samples,), default=None
        Class of each sample, as in :func:`plot_embedding`.
    fps : float, default=4
        Frames per second.
    titles : sequence of str, default=None
        Title of each frame. None numbers them ``"epoch 1"``, ``"epoch 2"``, ...
    class_names : dict or sequence of str, default=None
        Names of the classes, as in :func:`plot_embedding`.
    s : float, default=5
        Marker size, in points squared.
    alpha : float, default=0.7
        Marker opacity.
    dpi : float, default=100
        Resolution of the frames.

    Returns
    -------
    path : pathlib.Path
        The path written.

    Notes
    -----
    Every frame shares the same axis limits, those covering all the frames,
    so that the motion seen is the embedding's and not the axes'. The GIF is
    written by matplotlib's :class:`~matplotlib.animation.PillowWriter`,
    which needs Pillow (a dependency of matplotlib).

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.plotting import save_animation
    >>> rng = np.random.RandomState(0)
    >>> frames = [rng.normal(scale=k, size=(20, 2)) for k in (1, 2, 3)]
    >>> path = save_animation(frames, getfixture("tmp_path") / "latent.gif",
    ...                       labels=rng.randint(2, size=20))
    >>> path.suffix
    '.gif'
    """
    from matplotlib.animation import PillowWriter

    frames = [_check_embedding(Z, name=f"frames[{k}]") for k, Z in enumerate(frames)]
    if not frames:
        raise ValueError("frames is empty.")
    axis_labels = frames[0][1]
    frames = [Z for Z, _ in frames]
    if len({Z.shape[0] for Z in frames}) != 1:
        raise ValueError("Every frame must embed the same number of samples.")
    titles = _frame_titles(titles, len(frames))
    fps = _check_positive_number(fps, "fps")
    dpi = _check_positive_number(dpi, "dpi")
    path = Path(path)
    labels = _check_labels(labels, frames[0].shape[0])
    if labels is not None and not _is_continuous(labels):
        _class_names(np.unique(labels), class_names)

    # Points at NaN or infinity are not drawn, so they must not set the limits.
    both = np.concatenate([Z[:, :2] for Z in frames])
    both[~np.isfinite(both)] = np.nan
    undrawable = np.isnan(both).all(axis=0)
    if undrawable.any():
        raise ValueError(
            "frames hold no finite value to draw in column "
            f"{int(np.argmax(undrawable))}; it is NaN or infinite in every frame."
        )
    lower, upper = np.nanmin(both, axis=0), np.nanmax(both, axis=0)
    margin = 0.05 * np.where(upper > lower, upper - lower, 1.0)
    lower, upper = lower - margin, upper + margin

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 5), layout="constrained")
    try:
        points, order = _scatter(
            ax, frames[0], labels, class_names=class_names, s=s, alpha=alpha
        )
        ax.set(xlim=(lower[0], upper[0]), ylim=(lower[1], upper[1]))
        ax.set_xlabel(axis_labels[0])
        ax.set_ylabel(axis_labels[1])
        # Lay the figure out once, with a title to make room for, and freeze
        # it, so that only the points and the title change between frames.
        ax.set_title(titles[0])
        fig.canvas.draw()
        fig.set_layout_engine("none")
        writer = PillowWriter(fps=fps)
        with atomic_path(path) as tmp, writer.saving(fig, tmp, dpi=dpi):
            for Z, title in zip(frames, titles, strict=True):
                points.set_offsets(Z[order, :2])
                ax.set_title(title)
                writer.grab_frame()
    finally:
        plt.close(fig)
    return path
