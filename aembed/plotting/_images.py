"""Images: originals and reconstructions, latent grids, samples, strips, GIFs."""

from numbers import Integral
from pathlib import Path

import numpy as np

from .._files import atomic_path
from ._common import (
    _check_positive_int,
    _check_positive_number,
    _new_axes,
    _new_figure,
    _pyplot,
    _reject_sparse,
    _verbatim,
)
from ._embedding import _check_labels, _frame_titles, _scatter

# The most values a mosaic of decoded images holds (about 8,000 pixels square).
_MAX_MOSAIC = 2**26


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
        axes_row[0].set_ylabel(_verbatim(name), rotation=0, ha="right", va="center")
    if titles is not None:
        for ax, text in zip(axes[0], titles, strict=False):
            ax.set_title(_verbatim(text))
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
    pixels = int(np.prod(_check_image_shape(image_shape)))
    if n * n * pixels > _MAX_MOSAIC:
        largest = int((_MAX_MOSAIC // pixels) ** 0.5)
        raise ValueError(
            f"n={n} asks for a mosaic of {n}**2 images of {pixels:,} pixels "
            f"({n * n * pixels:,} values), more than a figure can show; "
            f"n={largest} or less fits in {_MAX_MOSAIC:,}."
        )
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
        with atomic_path(path) as tmp, writer.saving(fig, tmp, dpi=dpi):
            for images, title in zip(frames, titles, strict=True):
                image.set_data(_displayed(mosaic(images), vmin, vmax))
                suptitle.set_text(title)
                writer.grab_frame()
    finally:
        plt.close(fig)
    return path
