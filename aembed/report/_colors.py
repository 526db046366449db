"""One colour per method, shared by every figure and map of the report.

The static figures (matplotlib) and the page's interactive plots (Bokeh)
both read :func:`method_colors`, so a model keeps its colour from the maps
to the curves and the bars. The colours are tab10's (Bokeh's Category10),
fixed per method rather than per position, so a method has the same
colour in every report whichever methods run beside it.
"""

import numpy as np

from ..compare._methods import METHOD_NAMES

_TAB10 = (
    "#1f77b4",  # blue
    "#ff7f0e",  # orange
    "#2ca02c",  # green
    "#d62728",  # red
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#7f7f7f",  # grey
    "#bcbd22",  # olive
    "#17becf",  # cyan
)
METHOD_COLORS = {
    "dae": _TAB10[0],
    "vae": _TAB10[1],
    "vqvae": _TAB10[2],
    "pca": _TAB10[7],
    "tsne": _TAB10[4],
    "umap": _TAB10[5],
    "opentsne": _TAB10[6],
    "dae-nb": _TAB10[9],
    "vae-nb": _TAB10[3],
    "vqvae-nb": _TAB10[8],
}


def method_colors(methods):
    """Each method's colour, as ``"#rrggbb"``.

    Parameters
    ----------
    methods : iterable of str
        Method names of :func:`aembed.compare.available_methods`.

    Returns
    -------
    colors : dict of str to str
        The colour of each method; two methods never share one.

    Examples
    --------
    >>> from aembed.report._colors import method_colors
    >>> method_colors(["pca", "dae"])
    {'pca': '#7f7f7f', 'dae': '#1f77b4'}
    """
    return {m: METHOD_COLORS[m] for m in methods}


def display_colors(methods):
    """The same colours keyed by the names the figures show (``method_name``)."""
    return {METHOD_NAMES.get(m, m): c for m, c in method_colors(methods).items()}


def class_colors(n):
    """``n`` class colours as ``"#rrggbb"``: the maps', the animations' and
    the static scatter plots' (tab10, tab20, then viridis sampled evenly).
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    if n <= 10:
        return list(_TAB10[:n])
    if n <= 20:
        return [to_hex(c) for c in colormaps["tab20"].colors[:n]]
    return [to_hex(c) for c in colormaps["viridis"](np.linspace(0, 1, n))]
