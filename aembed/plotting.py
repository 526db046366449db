"""Figures for latent spaces, reconstructions and training curves.

Every function takes plain arrays or pandas objects (the output of
``transform`` / ``inverse_transform``, an estimator's ``history_``, a table
from :func:`aembed.metrics.per_class_reconstruction`), draws with matplotlib
and returns the :class:`~matplotlib.axes.Axes` or
:class:`~matplotlib.figure.Figure` it drew on, so that the figure can still be
restyled before :func:`save_figure`. matplotlib is imported inside the
functions, so importing :mod:`aembed` neither needs nor configures it.
"""

from contextlib import contextmanager
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd

from .metrics import _check_comparable

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

# Beyond this many classes a legend no longer fits beside the plot, so the
# classes are read off a colorbar instead.
_MAX_LEGEND_ENTRIES = 30

# Axis labels of the usual metric columns; others are shown as they are named.
_METRIC_LABELS = {"mse": "MSE", "psnr": "PSNR (dB)"}


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


def _reject_sparse(X, name):
    """Raise a TypeError for a scipy sparse matrix, which cannot be drawn."""
    if hasattr(X, "tocsr") and hasattr(X, "nnz"):
        raise TypeError(
            f"Sparse data was passed for {name}, but dense data is required. "
            "Use '.toarray()' to convert to a dense numpy array."
        )


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
    _check_comparable(labels, "labels")
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


def _check_image_shape(image_shape):
    """`image_shape` as a tuple of two or three positive ints."""
    try:
        shape = tuple(image_shape)
    except TypeError:
        raise TypeError(
            f"image_shape must be a tuple such as (height, width); got {image_shape!r}."
        ) from None
    if (
        len(shape) not in (2, 3)
        or any(isinstance(d, (bool, np.bool_)) for d in shape)
        or any(not isinstance(d, Integral) or d < 1 for d in shape)
        or (len(shape) == 3 and shape[0] not in (1, 3))
    ):
        raise ValueError(
            "image_shape must be (height, width) or (channels, height, width) "
            f"of positive integers, with 1 or 3 channels; got {image_shape!r}."
        )
    return tuple(int(d) for d in shape)


def _check_images(images, image_shape, name="images"):
    """`images` as an array of shape (n_images, height, width[, channels])."""
    image_shape = _check_image_shape(image_shape)
    images = np.asarray(images, dtype=float)
    if images.ndim == 1:
        images = images[np.newaxis]
    size = int(np.prod(image_shape))
    if images.ndim != 2 or images.shape[1] != size:
        raise ValueError(
            f"{name} must have shape (n_images, {size}) to hold images of shape "
            f"{image_shape}; got {images.shape}."
        )
    if images.shape[0] == 0:
        raise ValueError(
            f"{name} must hold at least one image; got shape {images.shape}."
        )
    if len(image_shape) == 2:
        return images.reshape(-1, *image_shape)
    # aembed's convolutional networks read rows as (channels, height, width);
    # matplotlib wants the channels last.
    images = images.reshape(-1, *image_shape).transpose(0, 2, 3, 1)
    return images[..., 0] if image_shape[0] == 1 else images


def _value_range(*arrays):
    """Common (vmin, vmax) of `arrays`, so that all images share one scale.

    Data within [0, 1] (pixels as aembed's loaders give them) keep that
    scale, so a dim image is not stretched to full contrast; other data are
    shown from their minimum to their maximum.
    """
    finite = np.concatenate([a[np.isfinite(a)].ravel() for a in arrays])
    if finite.size == 0:
        return 0.0, 1.0
    vmin, vmax = float(finite.min()), float(finite.max())
    if vmin >= 0.0 and vmax <= 1.0:
        return 0.0, 1.0
    if vmin == vmax:
        vmin, vmax = vmin - 0.5, vmax + 0.5
    return vmin, vmax


def _displayed(image, vmin, vmax):
    """`image` as imshow should get it: RGB images scaled into [0, 1].

    RGB images are not colour-mapped, so vmin and vmax do not apply to them;
    their gaps (NaN) are made white as the colormaps' are.
    """
    if image.ndim == 2:
        return image
    return np.nan_to_num(np.clip((image - vmin) / (vmax - vmin), 0, 1), nan=1.0)


def _imshow(ax, image, *, cmap, vmin, vmax, **kwargs):
    """Show one image (grey or RGB) without ticks."""
    image = _displayed(image, vmin, vmax)
    shown = ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, **kwargs)
    ax.set_xticks([])
    ax.set_yticks([])
    return shown


def _tile(images, n_rows, n_cols, pad):
    """Arrange images on an n_rows x n_cols mosaic, gaps filled with NaN."""
    n, h, w = images.shape[:3]
    channels = images.shape[3:]
    mosaic = np.full(
        (n_rows * (h + pad) - pad, n_cols * (w + pad) - pad, *channels), np.nan
    )
    for i in range(min(n, n_rows * n_cols)):
        r, c = divmod(i, n_cols)
        top, left = r * (h + pad), c * (w + pad)
        mosaic[top : top + h, left : left + w] = images[i]
    return mosaic


def _mosaic_cmap(cmap):
    """`cmap` with NaN (the gaps between tiles) drawn white."""
    from matplotlib import colormaps

    return colormaps[cmap].with_extremes(bad="white")


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


def plot_reconstructions(
    X, reconstructions, *, image_shape, n=10, titles=None, fig=None, cmap="gray"
):
    """Original images above their reconstructions by one or more models.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Original images, flattened; the first `n` rows are shown.
    reconstructions : array-like of shape (n_samples, n_features) or dict
        Reconstructions of `X` (e.g. ``est.inverse_transform(est.transform(X))``),
        or a dict mapping a model's name to its reconstructions. Each gets a
        row, labelled on the left with its name ("reconstruction" for a single
        array).
    image_shape : tuple of int
        ``(height, width)`` or ``(channels, height, width)`` of one image.
    n : int, default=10
        Number of images (columns).
    titles : sequence of str, default=None
        Title above each column, e.g. the class of each image.
    fig : matplotlib.figure.Figure, default=None
        Figure to draw in; it is cleared first. None creates a new figure.
    cmap : str, default="gray"
        Colormap of grey-level images. All rows share one scale, [0, 1] for
        pixels within it and the originals' range otherwise, so a faint
        reconstruction looks faint.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure, with one row of axes for the originals and one per model.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.plotting import plot_reconstructions
    >>> X = np.random.RandomState(0).rand(4, 64)
    >>> fig = plot_reconstructions(X, {"AE": X * 0.9, "VAE": X * 0.8},
    ...                            image_shape=(8, 8), n=4)
    >>> len(fig.axes)
    12
    >>> [ax.get_ylabel() for ax in fig.axes[::4]]
    ['original', 'AE', 'VAE']
    """
    n = _check_positive_int(n, "n")
    if not isinstance(reconstructions, dict):
        reconstructions = {"reconstruction": reconstructions}
    originals = _check_images(X, image_shape, name="X")[:n]
    rows = {"original": originals}
    for name, X_rec in reconstructions.items():
        rows[str(name)] = _check_images(X_rec, image_shape, name=f"{name!r}")[:n]
    n = len(originals)
    vmin, vmax = _value_range(originals)

    fig = _new_figure(fig, figsize=(0.9 * n + 0.8, 0.95 * len(rows)))
    axes = fig.subplots(len(rows), n, squeeze=False)
    for axes_row, (name, images) in zip(axes, rows.items(), strict=True):
        for j, ax in enumerate(axes_row):
            if j < len(images):
                _imshow(ax, images[j], cmap=cmap, vmin=vmin, vmax=vmax)
            else:
                ax.set_axis_off()
        axes_row[0].set_ylabel(name, rotation=0, ha="right", va="center")
    if titles is not None:
        for ax, text in zip(axes[0], titles, strict=False):
            ax.set_title(str(text))
    return fig


def plot_latent_strip(
    X, Z, X_rec, *, image_shape, n=5, fig=None, cmap="gray", labels=None
):
    """Each sample at its three stages: image, latent code, reconstruction.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Original images, flattened; the first `n` rows get a row of the
        figure.
    Z : array-like of shape (n_samples, n_components)
        Their latent codes, all finite. A 2-d code is shown as its place (a
        red cross) among all the rows of `Z` (grey, or coloured by `labels`);
        a longer code as a bar per coordinate, on a y-axis shared by all rows.
    X_rec : array-like of shape (n_samples, n_features)
        Reconstructions of `X` from `Z`.
    image_shape : tuple of int
        ``(height, width)`` or ``(channels, height, width)`` of one image.
    n : int, default=5
        Number of samples (rows of the figure).
    fig : matplotlib.figure.Figure, default=None
        Figure to draw in; it is cleared first. None creates a new figure.
    cmap : str, default="gray"
        Colormap of grey-level images.
    labels : array-like of shape (n_samples,), default=None
        Classes colouring the background points of a 2-d latent space.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure, with ``n`` rows of three axes.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.plotting import plot_latent_strip
    >>> rng = np.random.RandomState(0)
    >>> X, Z = rng.rand(20, 64), rng.normal(size=(20, 4))
    >>> fig = plot_latent_strip(X, Z, X * 0.9, image_shape=(8, 8), n=3)
    >>> [ax.get_title() for ax in fig.axes[:3]]
    ['original', 'latent code', 'reconstruction']
    >>> len(fig.axes[1].patches)
    4
    """
    n = _check_positive_int(n, "n")
    originals = _check_images(X, image_shape, name="X")
    rebuilt = _check_images(X_rec, image_shape, name="X_rec")
    _reject_sparse(Z, "Z")
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2 or Z.shape[1] == 0 or not len(originals) == len(Z) == len(rebuilt):
        raise ValueError(
            "X, Z and X_rec must have one row per sample and Z must be 2-d with "
            f"at least one column; got shapes {np.shape(X)}, {Z.shape} and "
            f"{np.shape(X_rec)}."
        )
    if not np.isfinite(Z).all():
        rows = np.flatnonzero(~np.isfinite(Z).all(axis=1))
        raise ValueError(
            "Z must be finite to be drawn; got NaN or infinity in rows "
            f"{rows[:10].tolist()}"
            f"{' ...' if len(rows) > 10 else ''}."
        )
    if Z.shape[1] == 2:
        labels = _check_labels(labels, Z.shape[0])
    n = min(n, len(Z))
    n_components = Z.shape[1]
    vmin, vmax = _value_range(originals[:n])

    fig = _new_figure(fig, figsize=(7.5, 2.2 * n))
    axes = fig.subplots(n, 3, squeeze=False, width_ratios=[1, 1.4, 1])
    if n_components == 2:
        margin = 0.05 * np.ptp(Z, axis=0)
        lower, upper = Z.min(axis=0) - margin, Z.max(axis=0) + margin
    else:
        low, high = min(Z[:n].min(), 0.0), max(Z[:n].max(), 0.0)
        pad = 0.05 * (high - low or 1.0)
        lower, upper = low - pad, high + pad
    for i, (ax_in, ax_z, ax_out) in enumerate(axes):
        _imshow(ax_in, originals[i], cmap=cmap, vmin=vmin, vmax=vmax)
        _imshow(ax_out, rebuilt[i], cmap=cmap, vmin=vmin, vmax=vmax)
        if n_components == 2:
            if labels is None:
                ax_z.scatter(Z[:, 0], Z[:, 1], s=3, color="0.75", linewidths=0)
            else:
                _scatter(
                    ax_z, Z, labels, class_names=None, s=3, alpha=0.4, legend=False
                )
            ax_z.scatter(*Z[i], s=80, marker="X", color="red", edgecolors="black")
            ax_z.set(xlim=(lower[0], upper[0]), ylim=(lower[1], upper[1]))
            ax_z.set_xlabel("dim 1")
            ax_z.set_ylabel("dim 2")
        else:
            ax_z.bar(np.arange(1, n_components + 1), Z[i], color="tab:blue")
            ax_z.axhline(0, color="black", linewidth=0.8)
            ax_z.set_ylim(lower, upper)
            ax_z.set_xlabel("latent dimension")
            ax_z.set_ylabel("value")
            if n_components <= 20:
                ax_z.set_xticks(np.arange(1, n_components + 1))
    axes[0, 0].set_title("original")
    axes[0, 1].set_title("latent point" if n_components == 2 else "latent code")
    axes[0, 2].set_title("reconstruction")
    return fig


def _history_frame(history):
    """`history` as a DataFrame indexed by epoch, with str column names."""
    if isinstance(history, pd.DataFrame):
        frame = history
    else:
        # A skorch History (a list of dicts) or anything DataFrame() accepts.
        try:
            if isinstance(history, dict):
                frame = pd.DataFrame(history)
            else:
                frame = pd.DataFrame(list(history))
        except (TypeError, ValueError):
            raise TypeError(
                "history must be a DataFrame or a list of dicts, one per epoch; "
                f"got {type(history).__name__}."
            ) from None
        if "epoch" in frame:
            frame = frame.set_index("epoch")
    bad = [c for c in frame.columns if not isinstance(c, str)]
    if bad:
        raise TypeError(
            "history must have str column names such as 'train_loss'; got "
            f"{bad[0]!r} ({type(bad[0]).__name__})."
        )
    return frame


def _split_key(column):
    """('train', 'loss') for 'train_loss'; (None, column) without a split."""
    for split in ("train", "valid"):
        if column.startswith(split + "_"):
            return split, column[len(split) + 1 :]
    return None, column


def _resolve_keys(frame, keys):
    """Column names meant by `keys`, where 'kl' means train_kl and valid_kl."""
    columns = []
    for key in keys:
        if key in frame.columns:
            columns.append(key)
            continue
        expanded = [f"{s}_{key}" for s in ("train", "valid") if f"{s}_{key}" in frame]
        if not expanded:
            raise KeyError(
                f"history has no column {key!r} (nor train_{key} / valid_{key}); "
                f"its columns are {list(frame.columns)}."
            )
        columns.extend(expanded)
    return list(dict.fromkeys(columns))


def _draw_curves(ax, frame, columns, *, colors, prefix=""):
    """Plot `columns` of `frame`: one colour per term, valid dashed."""
    markers = "o" if len(frame) <= 30 else None
    for column in columns:
        split, term = _split_key(column)
        values = pd.to_numeric(frame[column], errors="coerce")
        ax.plot(
            frame.index,
            values,
            color=colors[term],
            linestyle="--" if split == "valid" else "-",
            marker=markers,
            markersize=3,
            label=prefix + column.replace("_", " "),
        )
    # Epochs are whole numbers: no 1.5 on the axis of a short fit.
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def plot_history(history, *, keys=None, ax=None, title=None):
    """Training curves from an estimator's ``history_``.

    Parameters
    ----------
    history : pandas.DataFrame or list of dict
        One row per epoch, indexed by epoch, e.g. an embedder's ``history_``
        (or a skorch ``History``).
    keys : str or sequence of str, default=None
        Columns to plot; a single str is one key. A bare term such as
        ``"kl"`` means both ``train_kl`` and ``valid_kl`` (whichever exist).
        None plots the loss: ``train_loss`` and ``valid_loss``.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on. None creates a new figure.
    title : str, default=None
        Title of the axes.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on. Each term (loss, kl, ...) has its own colour;
        training curves are solid and validation curves dashed.

    See Also
    --------
    plot_loss_and_kl : Reconstruction and KL terms side by side.

    Examples
    --------
    >>> import pandas as pd
    >>> from aembed.plotting import plot_history
    >>> history = pd.DataFrame(
    ...     {"train_loss": [3.0, 2.0, 1.5], "valid_loss": [3.2, 2.4, 2.0],
    ...      "train_kl": [0.1, 0.3, 0.4]},
    ...     index=pd.Index([1, 2, 3], name="epoch"))
    >>> ax = plot_history(history, keys=["loss", "kl"])
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['train loss', 'valid loss', 'train kl']
    >>> [line.get_linestyle() for line in ax.get_lines()]
    ['-', '--', '-']
    """
    frame = _history_frame(history)
    if keys is None:
        keys = ["loss"]
    elif isinstance(keys, str):
        keys = [keys]
    columns = _resolve_keys(frame, keys)
    terms = list(dict.fromkeys(_split_key(c)[1] for c in columns))
    colors = dict(zip(terms, _class_colors(len(terms)), strict=True))
    ax = _new_axes(ax, figsize=(6, 4))
    _draw_curves(ax, frame, columns, colors=colors)
    ax.set_xlabel("epoch")
    ax.set_ylabel(terms[0] if len(terms) == 1 else "value")
    ax.legend()
    if title is not None:
        ax.set_title(title)
    return ax


def plot_loss_and_kl(history, *, fig=None):
    """Reconstruction, KL divergence and neighbour terms over epochs.

    Parameters
    ----------
    history : pandas.DataFrame or dict
        An embedder's ``history_``, or a dict mapping model names to their
        histories to compare models (e.g. an autoencoder and a VAE; each model
        gets a colour). The left panel shows the ``train_reconstruction`` and
        ``valid_reconstruction`` columns, or the loss of a model that has none
        (a plain autoencoder's loss is its reconstruction error); the right
        panel ``train_kl`` and ``valid_kl``, and a third panel the
        ``train_neighbor`` term of models trained with ``neighbor_weight``;
        a panel no model has is left out. Validation curves are dashed.
    fig : matplotlib.figure.Figure, default=None
        Figure to draw in; it is cleared first. None creates a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure, with one axes per panel.

    See Also
    --------
    plot_history : Any columns of one history on one axes.

    Examples
    --------
    >>> import pandas as pd
    >>> from aembed.plotting import plot_loss_and_kl
    >>> epoch = pd.Index([1, 2, 3], name="epoch")
    >>> vae = pd.DataFrame({"train_reconstruction": [90.0, 80, 75],
    ...                     "valid_reconstruction": [92.0, 83, 79],
    ...                     "train_kl": [5.0, 8, 9], "valid_kl": [5.0, 8, 9]},
    ...                    index=epoch)
    >>> ae = pd.DataFrame({"train_loss": [85.0, 70, 65]}, index=epoch)
    >>> fig = plot_loss_and_kl({"AE": ae, "VAE": vae})
    >>> [ax.get_title() for ax in fig.axes]
    ['reconstruction', 'KL divergence']
    >>> len(fig.axes[0].get_lines()), len(fig.axes[1].get_lines())
    (3, 2)
    """
    if isinstance(history, dict):
        if not history:
            raise ValueError(
                "history is an empty dict; pass one history, or a dict mapping "
                "at least one model name to its history."
            )
        histories = {str(k): _history_frame(v) for k, v in history.items()}
    else:
        histories = {"": _history_frame(history)}

    def columns_of(frame, term):
        return [f"{s}_{term}" for s in ("train", "valid") if f"{s}_{term}" in frame]

    panels = {"reconstruction": {}, "KL divergence": {}, "neighbour term": {}}
    for name, frame in histories.items():
        reconstruction = columns_of(frame, "reconstruction") or columns_of(
            frame, "loss"
        )
        if not reconstruction:
            raise KeyError(
                f"history {name!r} has no reconstruction or loss column; its "
                f"columns are {list(frame.columns)}."
            )
        panels["reconstruction"][name] = reconstruction
        if columns_of(frame, "kl"):
            panels["KL divergence"][name] = columns_of(frame, "kl")
        if columns_of(frame, "neighbor"):
            panels["neighbour term"][name] = columns_of(frame, "neighbor")
    panels = {title: models for title, models in panels.items() if models}

    fig = _new_figure(fig, figsize=(5.5 * len(panels), 4))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    model_colors = dict(zip(histories, _class_colors(len(histories)), strict=True))
    for ax, (title, models) in zip(axes, panels.items(), strict=True):
        for name, columns in models.items():
            frame = histories[name]
            colors = {_split_key(c)[1]: model_colors[name] for c in columns}
            _draw_curves(
                ax, frame, columns, colors=colors, prefix=f"{name}: " if name else ""
            )
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.set_ylabel(title)
        ax.legend()
    return fig


def plot_per_class_bars(table, *, metric="mse", group="model", ax=None, title=None):
    """Grouped bars of a per-class score, one bar per model in each class.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy table with a ``class`` column, a `group` column and a `metric`
        column (columns may also be index levels), e.g.
        ``pd.concat({name: per_class_reconstruction(X, X_rec, y), ...},
        names=["model"])``. Repeated (class, group) pairs are averaged.
    metric : str, default="mse"
        Column holding the bar heights.
    group : str, default="model"
        Column whose values get one bar (and colour) each within a class,
        e.g. a model's name or its latent size; bars keep the order in which
        the groups first appear.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on. None creates a new figure.
    title : str, default=None
        Title of the axes.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on, with a legend titled `group`. Non-finite scores
        (the infinite PSNR of a perfect reconstruction) get no bar.

    See Also
    --------
    aembed.metrics.per_class_reconstruction : Per-class MSE and PSNR.

    Examples
    --------
    >>> import pandas as pd
    >>> from aembed.plotting import plot_per_class_bars
    >>> table = pd.DataFrame({"latent size": [5, 5, 10, 10],
    ...                       "class": [0, 1, 0, 1],
    ...                       "psnr": [14.0, 18.0, 16.0, 20.0]})
    >>> ax = plot_per_class_bars(table, metric="psnr", group="latent size")
    >>> len(ax.patches), ax.get_ylabel()
    (4, 'PSNR (dB)')
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['5', '10']
    """
    table = pd.DataFrame(table)
    missing = [c for c in ("class", group, metric) if c not in table.columns]
    if missing and any(m in (table.index.names or []) for m in missing):
        table = table.reset_index()
        missing = [c for c in ("class", group, metric) if c not in table.columns]
    if missing:
        raise KeyError(
            f"table has no column(s) {missing}; its columns are {list(table.columns)}."
        )
    if table.empty:
        raise ValueError("table has no rows to draw.")
    values = pd.to_numeric(table[metric], errors="coerce")
    table = table.assign(**{metric: values.where(np.isfinite(values))})
    groups = list(pd.unique(table[group]))
    wide = table.pivot_table(
        index="class", columns=group, values=metric, aggfunc="mean", dropna=False
    ).reindex(columns=groups)

    n_bars = len(wide) * len(groups)
    ax = _new_axes(ax, figsize=(min(max(6.0, 0.25 * n_bars + 2.0), 12.0), 4))
    x = np.arange(len(wide))
    width = 0.8 / len(groups)
    colors = _class_colors(len(groups))
    for k, (name, color) in enumerate(zip(groups, colors, strict=True)):
        offset = (k - (len(groups) - 1) / 2) * width
        ax.bar(x + offset, wide[name].to_numpy(), width, color=color, label=str(name))
    ax.set_xticks(x, [str(c) for c in wide.index])
    ax.set_xlabel("class")
    ax.set_ylabel(_METRIC_LABELS.get(metric, metric))
    ax.legend(title=group, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if title is not None:
        ax.set_title(title)
    return ax


def _check_extent(extent):
    """`extent` as four finite floats (xmin, xmax, ymin, ymax), min < max."""
    try:
        bounds = [float(v) for v in extent]
    except (TypeError, ValueError):
        bounds = []
    if (
        len(bounds) != 4
        or not np.isfinite(bounds).all()
        or not (bounds[0] < bounds[1] and bounds[2] < bounds[3])
    ):
        raise ValueError(
            "extent must be four finite numbers (xmin, xmax, ymin, ymax) with "
            f"xmin < xmax and ymin < ymax; got {extent!r}."
        )
    return bounds


def plot_latent_grid(decode, *, extent, n=15, image_shape, ax=None, cmap="gray"):
    """Decode a grid of 2-d latent points and tile the images: the manifold.

    Parameters
    ----------
    decode : callable
        Maps an array of shape (n_points, 2) to images of shape
        (n_points, n_features), e.g. ``est.inverse_transform`` of an embedder
        with ``n_components=2``.
    extent : tuple of float
        ``(xmin, xmax, ymin, ymax)``, the (finite) region of the latent plane
        shown. It is cut into n x n equal cells and each cell shows the image
        decoded from its centre, so the axes' ticks read as latent coordinates.
    n : int, default=15
        Number of images along each side.
    image_shape : tuple of int
        ``(height, width)`` or ``(channels, height, width)`` of one image.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on. None creates a new figure.
    cmap : str, default="gray"
        Colormap of grey-level images.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on, holding one mosaic image.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.plotting import plot_latent_grid
    >>> def decode(Z):  # toy decoder: top half is x, bottom half y
    ...     return np.repeat(Z, 8, axis=1)
    >>> ax = plot_latent_grid(decode, extent=(-2, 2, -2, 2), n=5,
    ...                       image_shape=(4, 4))
    >>> ax.images[0].get_array().shape
    (20, 20)
    >>> [float(v) for v in ax.get_xlim()]
    [-2.0, 2.0]
    """
    n = _check_positive_int(n, "n")
    xmin, xmax, ymin, ymax = _check_extent(extent)
    steps = (np.arange(n) + 0.5) / n
    xs = xmin + steps * (xmax - xmin)
    # The top row of the mosaic holds the largest y, as on the plot's axis.
    ys = ymax - steps * (ymax - ymin)
    grid = np.array([[x, y] for y in ys for x in xs])
    images = _check_images(np.asarray(decode(grid)), image_shape, name="decode(Z)")
    if len(images) != n * n:
        raise ValueError(
            f"decode returned {len(images)} images for {n * n} latent points."
        )
    mosaic = _tile(images, n, n, pad=0)
    vmin, vmax = _value_range(mosaic)
    ax = _new_axes(ax, figsize=(6, 6))
    ax.imshow(
        _displayed(mosaic, vmin, vmax),
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        extent=(xmin, xmax, ymin, ymax),
        interpolation="nearest",
    )
    ax.set_xlabel("dim 1")
    ax.set_ylabel("dim 2")
    return ax


def plot_image_grid(
    images, *, image_shape, n_cols=10, ax=None, title=None, cmap="gray"
):
    """Tile images on a grid, e.g. samples drawn from a VAE's prior.

    Parameters
    ----------
    images : array-like of shape (n_images, n_features)
        Flattened images, laid out row by row.
    image_shape : tuple of int
        ``(height, width)`` or ``(channels, height, width)`` of one image.
    n_cols : int, default=10
        Images per row.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on. None creates a new figure.
    title : str, default=None
        Title of the axes.
    cmap : str, default="gray"
        Colormap of grey-level images; all images share one scale ([0, 1]
        for pixels within it, else the images' range).

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on, holding one mosaic image with white gaps between
        the tiles.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.plotting import plot_image_grid
    >>> images = np.random.RandomState(0).rand(7, 16)
    >>> ax = plot_image_grid(images, image_shape=(4, 4), n_cols=5)
    >>> ax.images[0].get_array().shape  # 2 rows x 5 columns of 4x4, 1px gaps
    (9, 24)
    """
    n_cols = _check_positive_int(n_cols, "n_cols")
    images = _check_images(images, image_shape)
    n_cols = min(n_cols, len(images))
    n_rows = -(-len(images) // n_cols)
    mosaic = _tile(images, n_rows, n_cols, pad=1)
    vmin, vmax = _value_range(images)
    ax = _new_axes(ax, figsize=(0.8 * n_cols, 0.8 * n_rows + 0.4))
    _imshow(
        ax,
        mosaic,
        cmap=_mosaic_cmap(cmap),
        vmin=vmin,
        vmax=vmax,
        interpolation="nearest",
    )
    ax.set_frame_on(False)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_codebook_usage(counts, *, ax=None):
    """How often each code of a VQ-VAE's codebook is used, most used first.

    Parameters
    ----------
    counts : array-like of shape (n_codes,)
        Number of samples (or latent positions) assigned to each code, finite
        and non-negative; codes never used count 0.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on. None creates a new figure.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on, one bar per code. The title gives the share of
        codes used and the perplexity, ``exp`` of the entropy of the usage:
        the number of equally used codes that would be as spread out (at most
        ``n_codes``).

    Examples
    --------
    >>> from aembed.plotting import plot_codebook_usage
    >>> ax = plot_codebook_usage([10, 0, 30, 0])
    >>> ax.get_title()
    'codes used: 2 of 4 (50%), perplexity 1.75'
    >>> [float(p.get_height()) for p in ax.patches]
    [30.0, 10.0, 0.0, 0.0]
    """
    _reject_sparse(counts, "counts")
    raw = np.asarray(counts)
    try:
        if raw.dtype.kind in "USO" and not all(
            isinstance(c, Real) for c in raw.ravel()
        ):
            raise TypeError
        counts = raw.astype(float)
    except (TypeError, ValueError):
        raise TypeError(
            f"counts must hold numbers; got {raw.ravel()[:5].tolist()}"
            f"{' ...' if raw.size > 5 else ''} of dtype {raw.dtype}."
        ) from None
    if counts.ndim != 1 or counts.size == 0:
        raise ValueError(
            f"counts must be a non-empty 1-d array; got shape {counts.shape}."
        )
    if not (np.isfinite(counts) & (counts >= 0)).all():
        bad = counts[~(np.isfinite(counts) & (counts >= 0))]
        raise ValueError(
            f"counts must be finite and non-negative; got {bad[:5].tolist()}"
            f"{' ...' if len(bad) > 5 else ''}."
        )
    total = counts.sum()
    if total > 0:
        p = counts[counts > 0] / total
        perplexity = float(np.exp(-np.sum(p * np.log(p))))
    else:
        perplexity = 0.0
    n_used = int(np.count_nonzero(counts))
    ax = _new_axes(ax, figsize=(max(5.0, min(0.25 * counts.size, 12.0)), 3.5))
    ax.bar(np.arange(counts.size), np.sort(counts)[::-1], width=0.9, color="tab:blue")
    ax.set_xlabel("code, most used first")
    ax.set_ylabel("count")
    ax.set_xlim(-0.5 - 0.01 * counts.size, counts.size - 0.5 + 0.01 * counts.size)
    ax.set_title(
        f"codes used: {n_used} of {counts.size} ({n_used / counts.size:.0%}), "
        f"perplexity {perplexity:.2f}"
    )
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
        with writer.saving(fig, path, dpi=dpi):
            for Z, title in zip(frames, titles, strict=True):
                points.set_offsets(Z[order, :2])
                ax.set_title(title)
                writer.grab_frame()
    finally:
        plt.close(fig)
    return path


def save_image_animation(
    frames,
    path,
    *,
    image_shape,
    originals=None,
    n_cols=10,
    fps=4,
    titles=None,
    cmap="gray",
    dpi=100,
):
    """Save an animated GIF of the same images changing, e.g. over epochs.

    Parameters
    ----------
    frames : sequence of array-like of shape (n_images, n_features)
        The images of each frame, e.g. the reconstructions of a few fixed
        rows after each epoch.
    path : str or path-like
        Where to write the GIF.
    image_shape : tuple of int
        ``(height, width)`` or ``(channels, height, width)`` of one image.
    originals : array-like of shape (n_images, n_features), default=None
        Targets shown, unchanging, above the animated images.
    n_cols : int, default=10
        Images per row.
    fps : float, default=4
        Frames per second.
    titles : sequence of str, default=None
        Title of each frame. None numbers them ``"epoch 1"``, ``"epoch 2"``, ...
    cmap : str, default="gray"
        Colormap of grey-level images. Every frame (and `originals`) shares
        one scale, so brightening and fading show.
    dpi : float, default=100
        Resolution of the frames.

    Returns
    -------
    path : pathlib.Path
        The path written.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed.plotting import save_image_animation
    >>> X = np.random.RandomState(0).rand(3, 16)
    >>> frames = [X * k / 3 for k in (1, 2, 3)]
    >>> path = save_image_animation(frames, getfixture("tmp_path") / "rec.gif",
    ...                             image_shape=(4, 4), originals=X)
    >>> path.name
    'rec.gif'
    """
    from matplotlib.animation import PillowWriter

    n_cols = _check_positive_int(n_cols, "n_cols")
    frames = [
        _check_images(f, image_shape, name=f"frames[{k}]") for k, f in enumerate(frames)
    ]
    if not frames:
        raise ValueError("frames is empty.")
    if len({f.shape for f in frames}) != 1:
        raise ValueError("Every frame must hold the same number of images.")
    titles = _frame_titles(titles, len(frames))
    fps = _check_positive_number(fps, "fps")
    dpi = _check_positive_number(dpi, "dpi")
    path = Path(path)

    if originals is not None:
        originals = _check_images(originals, image_shape, name="originals")
        if len(originals) != len(frames[0]):
            raise ValueError(
                f"originals has {len(originals)} images but each frame "
                f"{len(frames[0])}."
            )
    vmin, vmax = _value_range(*frames, *([] if originals is None else [originals]))
    n_images = len(frames[0])
    n_cols = min(n_cols, n_images)
    n_rows = -(-n_images // n_cols)
    panels = 1 if originals is None else 2

    def mosaic(images):
        return _tile(images, n_rows, n_cols, pad=1)

    plt = _pyplot()
    height = panels * (0.8 * n_rows + 0.35) + 0.4
    fig, axes = plt.subplots(
        panels,
        1,
        figsize=(0.8 * n_cols + 0.3, height),
        squeeze=False,
        layout="constrained",
    )
    try:
        show = {"cmap": _mosaic_cmap(cmap), "vmin": vmin, "vmax": vmax}
        if originals is not None:
            _imshow(axes[0, 0], mosaic(originals), interpolation="nearest", **show)
            axes[0, 0].set_title("original", fontsize="medium")
        ax = axes[-1, 0]
        image = _imshow(ax, mosaic(frames[0]), interpolation="nearest", **show)
        if originals is not None:
            ax.set_title("reconstruction", fontsize="medium")
        for a in axes[:, 0]:
            a.set_frame_on(False)
        suptitle = fig.suptitle(titles[0])
        fig.canvas.draw()
        fig.set_layout_engine("none")
        writer = PillowWriter(fps=fps)
        with writer.saving(fig, path, dpi=dpi):
            for images, title in zip(frames, titles, strict=True):
                image.set_data(_displayed(mosaic(images), vmin, vmax))
                suptitle.set_text(title)
                writer.grab_frame()
    finally:
        plt.close(fig)
    return path


def save_figure(fig, path, dpi=120):
    """Save a figure tightly cropped, then close it to free its memory.

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
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    _pyplot().close(fig)
    return path
