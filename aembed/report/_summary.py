"""The report's words: its description, its notes, ``results.md`` and the page."""

import html
import warnings

import numpy as np

from .. import metrics
from .._files import write_text
from ..compare import summary
from ..compare._methods import method_name
from . import _interactive, _page, _tables
from ._colors import method_colors

# Reconstructions whose spread around the training mean is below this share
# of the data's own spread are "close to the mean image".
MEAN_IMAGE_SPREAD = 0.15


def mean_image_notes(fitted, X_fit, X_test, image_shape):
    """Notes for models whose reconstructions hardly differ from the mean."""
    mean = X_fit.mean(axis=0, dtype=np.float64)
    spread = float(((X_test - mean) ** 2).sum(axis=1).mean())
    what = "image" if image_shape is not None else "row"
    notes = []
    if spread == 0:
        return notes
    for name, result in fitted.items():
        if result.X_test_rec is None:
            continue
        ratio = float(((result.X_test_rec - mean) ** 2).sum(axis=1).mean()) / spread
        if ratio < MEAN_IMAGE_SPREAD:
            notes.append(
                f"{html.escape(method_name(name))}'s reconstructions are close to "
                f"the mean {what} of the training rows: they vary {ratio:.0%} as "
                f"much about it as the rows themselves do. The model has learned "
                "little beyond the average; train it longer (max_epochs) or check "
                "its learning rate."
            )
    return notes


def write_page(out, data, fit, tables, record, figures, extras, elapsed):
    """``results.md`` and ``index.html``, from everything computed.

    ``extras`` holds the page's interactive parts, each None when absent:
    ``maps`` (with ``maps_note``), ``curves`` and ``animations``. The page
    keeps within :data:`~._page.PAGE_BUDGET_MB`: past it, the animations
    give way first (with a note saying so), then a warning says by how much.
    """
    table = summary(fit.results)
    description = describe(data, record, elapsed)
    sweep_overall = _sweep_overall(fit.sweep, data.has_psnr)
    tables.markdown(description, table, sweep_overall)

    colors = method_colors(fit.fitted)
    headings = {m: _interactive.method_heading(m, r) for m, r in fit.fitted.items()}
    maps = extras["maps"]
    maps_html = _page.maps_block(maps, headings, colors, extras["maps_note"])
    if maps is None:
        maps_html += _page.figures_block(out, figures.of("maps"))
    curves_html = (
        _page.curves_block(extras["curves"], len(data.X_valid) > 0)
        if extras["curves"] is not None
        else _page.figures_block(out, figures.of("curves"))
    )
    notes = mean_image_notes(fit.fitted, data.X_train, data.X_test, data.image_shape)

    def render(animations, budget_note=""):
        sections = [
            (
                "results",
                "Results",
                _tables.results_html(table, tables.metrics, links=tables.links),
                True,
            ),
            ("maps", "Maps of the held-out rows", maps_html, True),
            ("curves", "Training curves", curves_html, True),
            ("training", "Training, epoch by epoch", animations or budget_note, True),
            (
                "reconstructions",
                "Reconstructions",
                _page.figures_block(out, figures.of("reconstructions")),
                True,
            ),
            (
                "sweep",
                "VAE latent-size sweep",
                _sweep_html(sweep_overall)
                + _page.figures_block(out, figures.of("sweep")),
                True,
            ),
            (
                "generated",
                "Decoded latent grids and samples",
                _page.figures_block(out, figures.of("generated")),
                False,
            ),
            (
                "codebook",
                "VQ-VAE codebook",
                _page.figures_block(out, figures.of("codebook")),
                False,
            ),
            ("provenance", "Provenance", _page.provenance_block(record), False),
        ]
        return _page.render(
            title=f"aembed comparison: {data.name}",
            lead=html.escape(description),
            reading=_tables.reading(table),
            notes=notes,
            sections=sections,
            footer=_FOOTER,
            head=maps[0] if maps else "",
        )

    page = render(extras["animations"])
    if _megabytes(page) > _page.PAGE_BUDGET_MB and extras["animations"]:
        page = render(
            "",
            '<p class="note">The training animations are left out: with them '
            f"this page would weigh more than {_page.PAGE_BUDGET_MB} MB.</p>",
        )
    size = _megabytes(page)
    if size > _page.PAGE_BUDGET_MB:
        warnings.warn(
            f"The report's page weighs {size:.1f} MB, more than its budget of "
            f"{_page.PAGE_BUDGET_MB} MB; draw fewer methods or rows.",
            UserWarning,
            stacklevel=3,
        )
    write_text(out / "index.html", page.replace(_SIZE, f"{size:.1f} MB"))


_SIZE = "<!--size-->"
_FOOTER = (
    f"This page is one file of {_SIZE} (its budget is {_page.PAGE_BUDGET_MB} MB): "
    "every figure and animation is inside it, so it can be sent on its own and "
    "opened offline. The report's folder also holds the tables (CSV, Markdown), "
    "<code>run.json</code> and each figure as a PNG file."
)


def _megabytes(text):
    return len(text.encode()) / 1e6


def describe(data, record, elapsed):
    """The paragraph that opens the page and ``results.md``."""
    mean_mse = metrics.reconstruction_mse(
        data.X_test, np.broadcast_to(data.X_train.mean(axis=0), data.X_test.shape)
    )
    return (
        f"{data.name}: {len(data.X_train):,} training rows, {len(data.X_test):,} "
        f"held-out rows (stratified, seed {data.seed}), "
        f"{record['n_components']}-D embeddings. Input: "
        f"{record['input_scaling']}. Scores are on the held-out rows: "
        "kNN accuracy (a classifier fitted on the training embedding), "
        "trustworthiness, silhouette, k-means agreement (ARI, NMI), "
        "reconstruction MSE in the common units"
        + (" and PSNR" if data.has_psnr else "")
        + "; predicting the training mean for every row gives MSE "
        f"{_tables.format_value(mean_mse)}. Times are seconds after a warm-up "
        f"fit of each method, fitted {record['fitting']}; the whole report "
        f"took {elapsed:.0f} s."
    )


def _sweep_overall(sweep, has_psnr):
    """The sweep's whole-split errors by latent size, or None without a sweep."""
    if sweep is None:
        return None
    columns = ["mse", "psnr"] if has_psnr else ["mse"]
    return sweep[sweep["class"] == "all"].set_index("n_components")[columns]


def _sweep_html(sweep_overall):
    if sweep_overall is None:
        return ""
    return (
        sweep_overall.to_html(float_format=_tables.format_value, border=0)
        + '<p class="caption">Held-out reconstruction error of a VAE per '
        "latent size (<code>latent_sweep.csv</code>).</p>"
    )
