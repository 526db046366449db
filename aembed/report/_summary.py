"""The report's words: its description, its notes, ``results.md`` and the page."""

import html

import numpy as np

from .. import metrics
from .._files import write_text
from ..compare import summary
from ..compare._methods import method_name
from . import _interactive, _page, _tables

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


def write_page(out, data, fit, tables, record, figures, maps, maps_note, elapsed):
    """``results.md`` and ``index.html``, from everything computed."""
    table = summary(fit.results)
    description = describe(data, record, elapsed)
    sweep_overall = _sweep_overall(fit.sweep, data.has_psnr)
    tables.markdown(description, table, sweep_overall)

    curves = [e for e in figures.entries if e[0] == "training_curves.png"]
    headings = {m: _interactive.method_heading(m, r) for m, r in fit.fitted.items()}
    page = _page.render(
        title=f"aembed comparison: {data.name}",
        lead=html.escape(description),
        reading=_tables.reading(table),
        notes=mean_image_notes(fit.fitted, data.X_train, data.X_test, data.image_shape),
        results=_tables.results_html(
            table, tables.metrics, links=[*tables.links, ("run.json", "run.json")]
        ),
        maps=_page.maps_block(maps, headings, maps_note),
        curves="".join(_page.figure_block(f, c) for f, c in curves)
        or '<p class="caption">No trained model in this comparison.</p>',
        figures="".join(
            _page.figure_block(f, c) for f, c in figures.entries if (f, c) not in curves
        ),
        sweep=_sweep_html(sweep_overall),
        provenance=_page.provenance_block(record),
        head=maps[0] if maps else "",
    )
    write_text(out / "index.html", page)


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
        f"fit of each method; the whole report took {elapsed:.0f} s."
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
        "<h3>VAE latent-size sweep</h3>"
        + sweep_overall.to_html(float_format=_tables.format_value, border=0)
        + '<p class="caption">Held-out reconstruction error of a VAE per '
        'latent size (<a href="latent_sweep.csv">latent_sweep.csv</a>).</p>'
    )
