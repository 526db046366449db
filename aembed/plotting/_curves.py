"""Training curves from an estimator's ``history_``."""

import pandas as pd

from ._common import _class_colors, _group_colors, _new_axes, _new_figure, _verbatim

# Up to this many curves in a panel, its legend sits inside it.
_LEGEND_INSIDE = 6


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
            label=_verbatim(prefix + column.replace("_", " ")),
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
    ax.set_ylabel(_verbatim(terms[0]) if len(terms) == 1 else "value")
    ax.legend()
    if title is not None:
        ax.set_title(title)
    return ax


def plot_loss_and_kl(history, *, fig=None, colors=None):
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
    colors : dict, default=None
        Colour of each model of a dict of histories (any matplotlib colour),
        e.g. to keep one colour per model across figures; models missing
        from it, and every model when None, take the qualitative colours in
        order.

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

    n_entries = max(sum(len(c) for c in models.values()) for models in panels.values())
    # Many curves: the legends go below the panels, where they hide nothing.
    below = n_entries > _LEGEND_INSIDE
    height = 4 + (0.2 * n_entries if below else 0)
    fig = _new_figure(fig, figsize=(5.5 * len(panels), height))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    model_colors = dict(
        zip(histories, _group_colors(list(histories), colors), strict=True)
    )
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
        if below:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), fontsize="small")
        else:
            ax.legend()
    return fig
