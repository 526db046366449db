"""The page's interactive maps: one Bokeh scatter per method, linked.

Every method's map draws the same held-out rows from one shared data
source, so selecting points in one map (box or lasso) selects the same rows
in all of them. Hovering a point shows the row itself (the image, or the
feature values of a table) and, for methods that reconstruct, its
reconstruction. Bokeh's JavaScript is inlined, so the page works offline;
Bokeh is optional (``pip install 'aembed[report]'``) and without it the page
shows the static figures instead.
"""

import base64
import html
import importlib.util
import io

import numpy as np

from ..compare._methods import method_name
from ._colors import class_colors

INSTALL_HINT = "pip install 'aembed[report]'"
# The most rows a map draws: each image row carries a thumbnail per
# reconstructing method, and the page should stay a few megabytes.
MAX_POINTS = 1000
# Beyond this many features the hover shows the first ones only.
MAX_FEATURES = 15
_THUMB_PX = 56


def bokeh_available():
    """Whether Bokeh is installed (the interactive maps need it)."""
    return importlib.util.find_spec("bokeh") is not None


def shown_rows(n_rows, seed, max_points=MAX_POINTS):
    """Indices of the rows the maps draw: all, or a random ``max_points``."""
    if n_rows <= max_points:
        return np.arange(n_rows)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_rows, size=max_points, replace=False))


def _png_data_uri(image):
    """A grey (h, w) or RGB (h, w, 3) image in [0, 1] as a PNG data URI."""
    from PIL import Image

    pixels = np.round(np.clip(np.nan_to_num(image), 0, 1) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _as_images(rows, image_shape):
    """Flat rows as (n, h, w) or (n, h, w, 3) arrays for Pillow."""
    if len(image_shape) == 2:
        return rows.reshape(-1, *image_shape)
    images = rows.reshape(-1, *image_shape).transpose(0, 2, 3, 1)
    return images[..., 0] if image_shape[0] == 1 else images


def _pixel_range(rows):
    """A display scale: [0, 1] for pixels within it, else the rows' range."""
    low, high = float(np.nanmin(rows)), float(np.nanmax(rows))
    if low >= 0 and high <= 1:
        return 0.0, 1.0
    return low, high if high > low else low + 1.0


def thumbnails(rows, image_shape, value_range):
    """One PNG data URI per row, on the common ``value_range``."""
    low, high = value_range
    images = _as_images(
        (np.asarray(rows, dtype=float) - low) / (high - low), image_shape
    )
    return [_png_data_uri(image) for image in images]


def feature_tables(rows, feature_names, reconstruction=None):
    """One small HTML table per row: feature values (and reconstructions)."""
    rows = np.asarray(rows, dtype=float)
    n_features = rows.shape[1]
    names = (
        [str(n) for n in feature_names]
        if feature_names is not None
        else [f"x{j}" for j in range(n_features)]
    )
    shown = min(n_features, MAX_FEATURES)
    more = (
        f'<tr><td colspan="3">… and {n_features - shown} more</td></tr>'
        if n_features > shown
        else ""
    )
    head = "<tr><th></th><th>value</th><th>reconstructed</th></tr>"
    tables = []
    for i, row in enumerate(rows):
        cells = []
        for j in range(shown):
            rec = "" if reconstruction is None else f"{reconstruction[i, j]:.3g}"
            cells.append(
                f"<tr><th>{html.escape(names[j])}</th><td>{row[j]:.3g}</td>"
                f"<td>{rec}</td></tr>"
            )
        tables.append(
            '<table class="tip">'
            + (head if reconstruction is not None else "")
            + "".join(cells)
            + more
            + "</table>"
        )
    return tables


def _tooltip(name, has_rec, image_shape):
    """The hover template of one method's map."""
    rec = f"@rec_{_key(name)}{{safe}}" if image_shape is None else ""
    if image_shape is not None:
        size = f'width="{_THUMB_PX}" height="{_THUMB_PX}"'
        pictures = f'<img src="@thumb" {size} alt="row" class="thumb">'
        if has_rec:
            pictures += (
                f'<img src="@rec_{_key(name)}" {size} alt="reconstruction" '
                'class="thumb">'
            )
        body = f'<div class="pictures">{pictures}</div>'
        if has_rec:
            body += '<div class="legend">row · reconstruction</div>'
    else:
        body = f"<div>{rec if has_rec else '@features{safe}'}</div>"
    return (
        '<div class="aembed-tip">'
        f"{body}<div><b>class</b> @label · <b>row</b> @row</div></div>"
    )


def _key(name):
    """A column-name-safe form of a method name."""
    return name.replace("-", "_")


def interactive_maps(
    fitted,
    X_test,
    y_test,
    *,
    label_names,
    image_shape=None,
    feature_names=None,
    to_data_units=None,
    seed=0,
    max_points=MAX_POINTS,
):
    """The Bokeh script and one ``<div>`` per method, for the page.

    Parameters
    ----------
    fitted : dict of str to FittedMethod
        The methods, in the order their maps appear.
    X_test : ndarray of shape (n_test, n_features)
        The held-out rows, in the common units the methods saw.
    y_test : ndarray of shape (n_test,)
        Their labels.
    label_names : dict
        Label to the name shown (legend, hover).
    image_shape : tuple of int, default=None
        Shape of one image; None for tables.
    feature_names : sequence of str, default=None
        Column names of a table.
    to_data_units : callable, default=None
        Maps rows from the common units back to the data's own, in which a
        table's values are shown; None shows them as they are.
    seed : int, default=0
        Seed of the subsample when there are more than ``max_points`` rows.
    max_points : int, default=MAX_POINTS
        The most rows drawn.

    Returns
    -------
    head : str
        The ``<script>`` holding BokehJS, inline.
    script : str
        The ``<script>`` that builds the maps.
    divs : dict of str to str
        Each method's ``<div>``.
    shown : ndarray of int
        The held-out rows drawn.
    """
    from bokeh.embed import components
    from bokeh.models import ColumnDataSource, HoverTool, Legend, LegendItem
    from bokeh.plotting import figure
    from bokeh.resources import Resources

    shown = shown_rows(len(X_test), seed, max_points)
    X = np.asarray(X_test)[shown]
    labels = np.asarray(y_test)[shown]
    classes = list(dict.fromkeys(sorted(label_names)))
    names = [str(label_names[c]) for c in classes]
    colors = dict(zip(classes, class_colors(len(classes)), strict=True))
    data = {
        "row": shown.tolist(),
        "label": [str(label_names[c]) for c in labels],
        "color": [colors[c] for c in labels],
    }
    if image_shape is not None:
        value_range = _pixel_range(X)
        data["thumb"] = thumbnails(X, image_shape, value_range)
    else:
        undo = to_data_units or (lambda rows: rows)
        data["features"] = feature_tables(undo(X), feature_names)
    for name, result in fitted.items():
        Z = np.asarray(result.Z_test)[shown]
        data[f"x_{_key(name)}"] = Z[:, 0].tolist()
        data[f"y_{_key(name)}"] = Z[:, 1].tolist()
        if result.X_test_rec is not None:
            rec = np.asarray(result.X_test_rec)[shown]
            data[f"rec_{_key(name)}"] = (
                thumbnails(rec, image_shape, value_range)
                if image_shape is not None
                else feature_tables(undo(X), feature_names, reconstruction=undo(rec))
            )
    source = ColumnDataSource(data)
    # A legend entry draws the glyph of one row of its class.
    first = {
        c: int(np.flatnonzero(labels == c)[0]) for c in classes if (labels == c).any()
    }

    plots = {}
    for name, result in fitted.items():
        n_dims = np.shape(result.Z_test)[1]
        of = f" (of {n_dims})" if n_dims > 2 else ""
        p = figure(
            width=380,
            height=340,
            tools="pan,wheel_zoom,box_zoom,box_select,lasso_select,tap,reset",
            active_drag="pan",
            toolbar_location="above",
            x_axis_label=f"dim 1{of}",
            y_axis_label=f"dim 2{of}",
            output_backend="canvas",
        )
        p.toolbar.logo = None
        renderer = p.scatter(
            f"x_{_key(name)}",
            f"y_{_key(name)}",
            source=source,
            size=5,
            fill_color="color",
            line_color=None,
            fill_alpha=0.75,
            nonselection_fill_alpha=0.08,
            selection_fill_alpha=1.0,
            selection_line_color="black",
        )
        p.add_tools(
            HoverTool(
                renderers=[renderer],
                tooltips=_tooltip(name, result.X_test_rec is not None, image_shape),
            )
        )
        if len(classes) <= 20:
            legend = Legend(
                items=[
                    LegendItem(label=label, renderers=[renderer], index=first[c])
                    for c, label in zip(classes, names, strict=True)
                    if c in first
                ],
                label_text_font_size="8pt",
                spacing=0,
                padding=2,
                glyph_height=10,
                glyph_width=10,
            )
            p.add_layout(legend, "right")
        plots[_key(name)] = p
    script, divs = components(plots)
    head = Resources(mode="inline", components=["bokeh"]).render_js()
    return head, script, {name: divs[_key(name)] for name in fitted}, shown


def method_heading(name, result):
    """The heading above one map."""
    return f"{html.escape(method_name(name))} ({html.escape(result.evaluation)})"


def page_maps(data, fit, seed, interactive, turned_off=False):
    """The page's interactive maps (or None) and the sentence above them."""
    if turned_off:
        return None, (
            "The interactive maps were turned off (interactive=False, or "
            "<code>--no-interactive</code>); the static maps and curves are "
            "shown instead."
        )
    if not interactive:
        return None, (
            "The interactive maps need Bokeh, which is not installed: "
            f"<code>{INSTALL_HINT}</code>; the static maps and curves are shown "
            "instead."
        )
    maps = interactive_maps(
        fit.fitted,
        data.X_test,
        data.y_test,
        label_names=data.label_names,
        image_shape=data.image_shape,
        feature_names=data.feature_names,
        to_data_units=data.to_data_units,
        seed=seed,
        max_points=MAX_POINTS,
    )
    shown, n_test = len(maps[3]), len(data.X_test)
    what = "the image" if data.image_shape is not None else "its feature values"
    rec = (
        " and, for the methods that reconstruct, its reconstruction"
        if any(r.X_test_rec is not None for r in fit.fitted.values())
        else ""
    )
    drawn = (
        f"The maps draw {shown:,} of the {n_test:,} held-out rows, drawn at "
        "random, to keep the page light."
        if shown < n_test
        else f"All {n_test:,} held-out rows are drawn."
    )
    return maps, (
        "Drag to pan; pick the wheel-zoom or box-zoom tool to zoom. Select "
        "rows with the box or lasso tool: the same rows light up in every map. "
        f"Hover a point to see the row ({what}){rec}. {drawn}"
    )
