"""The page's interactive training curves (Bokeh).

One panel per term (reconstruction, KL divergence, neighbour term), one
line per model in the model's own colour (training solid, validation
dashed). Clicking a model in a legend hides it in every panel, and
hovering a line gives the model, the epoch and the value.
"""

import numpy as np

from ..compare._methods import method_name
from ..plotting._curves import _history_frame

_PANELS = (
    ("reconstruction", ("reconstruction", "loss")),
    ("KL divergence", ("kl",)),
    ("neighbour term", ("neighbor",)),
)


def _columns(frame, terms):
    """The train/valid columns of the first of ``terms`` the history has."""
    for term in terms:
        found = [f"{s}_{term}" for s in ("train", "valid") if f"{s}_{term}" in frame]
        if found:
            return found
    return []


def panels(histories):
    """Each panel's title and, for each model that has it, its columns."""
    frames = {name: _history_frame(h) for name, h in histories.items()}
    out = []
    for title, terms in _PANELS:
        # A plain autoencoder's loss is its reconstruction error; a model
        # with a separate reconstruction term has its loss elsewhere.
        models = {n: _columns(f, terms) for n, f in frames.items()}
        models = {n: c for n, c in models.items() if c}
        if models:
            out.append((title, models))
    return frames, out


def interactive_curves(histories, colors):
    """The Bokeh script and one ``<div>`` per panel, or None without curves.

    Parameters
    ----------
    histories : dict of str to DataFrame
        Each trained method's ``history_``, by method name.
    colors : dict of str to str
        Each method's colour.

    Returns
    -------
    script : str
        The ``<script>`` that builds the panels (BokehJS itself comes with
        the maps, in the page's head).
    divs : list of str
        One ``<div>`` per panel.
    """
    from bokeh.embed import components
    from bokeh.models import ColumnDataSource, HoverTool, Legend, LegendItem
    from bokeh.plotting import figure

    frames, found = panels(histories)
    if not found:
        return None
    plots, lines = [], {}
    for title, models in found:
        values = np.concatenate(
            [
                frames[n][c].to_numpy(dtype=float)
                for n, cols in models.items()
                for c in cols
            ]
        )
        finite = values[np.isfinite(values)]
        log = finite.size > 0 and finite.min() > 0 and finite.max() > 30 * finite.min()
        p = figure(
            width=560,
            height=330,
            title=title + (" (log scale)" if log else ""),
            x_axis_label="epoch",
            y_axis_type="log" if log else "linear",
            tools="pan,wheel_zoom,box_zoom,reset",
            toolbar_location="above",
            output_backend="canvas",
        )
        p.toolbar.logo = None
        items = []
        for name, columns in models.items():
            renderers = []
            for column in columns:
                split = column.split("_", 1)[0]
                frame = frames[name]
                y = frame[column].to_numpy(dtype=float)
                source = ColumnDataSource(
                    {
                        "epoch": np.asarray(frame.index, dtype=float),
                        "value": np.where(np.isfinite(y), y, np.nan),
                        "model": [method_name(name)] * len(frame),
                        "split": ["training" if split == "train" else "validation"]
                        * len(frame),
                    }
                )
                renderer = p.line(
                    "epoch",
                    "value",
                    source=source,
                    line_color=colors[name],
                    line_width=2,
                    line_dash="dashed" if split == "valid" else "solid",
                    name=f"{name}:{split}",
                )
                renderers.append(renderer)
                lines.setdefault((name, split), []).append(renderer)
            items.append(LegendItem(label=method_name(name), renderers=renderers))
        p.add_tools(
            HoverTool(
                tooltips=[
                    ("model", "@model"),
                    ("", "@split, epoch @epoch{0}"),
                    ("value", "@value{0.[000]}"),
                ],
                mode="mouse",
            )
        )
        legend = Legend(
            items=items,
            click_policy="hide",
            label_text_font_size="8pt",
            spacing=0,
            padding=4,
        )
        p.add_layout(legend, "right")
        plots.append(p)
    # Hiding a model in one legend hides it in every panel.
    for renderers in lines.values():
        for a in renderers:
            for b in renderers:
                if a is not b:
                    a.js_link("visible", b, "visible")
    script, divs = components(plots)
    return script, list(divs)
