"""Bar charts: per-class scores and a VQ-VAE's codebook usage."""

from numbers import Real

import numpy as np
import pandas as pd

from ._common import _group_colors, _new_axes, _reject_sparse, _verbatim

# Axis labels of the usual metric columns; others are shown as they are named.
_METRIC_LABELS = {"mse": "MSE", "psnr": "PSNR (dB)"}


def plot_per_class_bars(
    table, *, metric="mse", group="model", ax=None, title=None, colors=None
):
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
    colors : dict, default=None
        Colour of each group's bars (any matplotlib colour), e.g. to keep
        one colour per model across figures; groups missing from it, and
        every group when None, take the qualitative colours in order.

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
    colors = _group_colors(groups, colors)
    for k, (name, color) in enumerate(zip(groups, colors, strict=True)):
        offset = (k - (len(groups) - 1) / 2) * width
        ax.bar(
            x + offset, wide[name].to_numpy(), width, color=color, label=_verbatim(name)
        )
    ax.set_xticks(x, [_verbatim(c) for c in wide.index])
    ax.set_xlabel("class")
    ax.set_ylabel(_METRIC_LABELS.get(metric, metric))
    ax.legend(title=_verbatim(group), loc="upper left", bbox_to_anchor=(1.01, 1.0))
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
