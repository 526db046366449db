"""The results table as people read it, and a reading of it in words.

``results.csv`` keeps the raw numbers; this module turns the summary table
(:func:`aembed.compare.summary`) into the page's table and ``results.md``:
method names as in the README, metrics with their units and the direction
that is better, three significant digits throughout, and the best value of
each column marked.
"""

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._files import atomic_path, write_text
from ..compare import per_class, summary
from ..compare._methods import method_name


@dataclass(frozen=True)
class Metric:
    """One column of the results table."""

    key: str
    name: str
    unit: str
    higher_is_better: bool

    @property
    def arrow(self):
        return "↑" if self.higher_is_better else "↓"


def metrics_for(scaling_mode, n_neighbors=5, images=False):
    """The table's columns; the MSE's unit follows the common scaling."""
    mse_unit = {
        "standard": "standardised units²",
        "minmax": "squared share of the range",
        "none": "squared data units",
    }[scaling_mode]
    if images and scaling_mode != "standard":
        mse_unit = "pixels in [0, 1], squared"
    return [
        Metric("knn_accuracy", f"{n_neighbors}-NN accuracy", "fraction", True),
        Metric("trustworthiness", "trustworthiness", "0 to 1", True),
        Metric("silhouette", "silhouette", "−1 to 1", True),
        Metric("ari", "ARI (k-means)", "−1 to 1", True),
        Metric("nmi", "NMI (k-means)", "0 to 1", True),
        Metric("mse", "MSE", mse_unit, False),
        Metric("psnr", "PSNR", "dB", True),
        Metric("fit_time", "fit time", "s", False),
        Metric("transform_time", "transform time", "s", False),
    ]


def format_value(value, digits=3):
    """``value`` to ``digits`` significant digits, without exponents; "—" for NaN.

    Examples
    --------
    >>> [format_value(v) for v in (0.91234, 12.345, 0.0426, 1234.5, float("nan"))]
    ['0.912', '12.3', '0.0426', '1,234', '—']
    """
    if value is None or not math.isfinite(value):
        return "—" if value is None or math.isnan(value) else str(value)
    if abs(value) >= 10**digits:
        return f"{value:,.0f}"
    text = f"{value:#.{digits}g}"
    if "e" in text:  # tiny values: keep the digits, drop the exponent
        decimals = digits - 1 - math.floor(math.log10(abs(value)))
        text = f"{value:.{decimals}f}"
    return text.rstrip(".")


def shown_metrics(table, metrics):
    """The metrics that have at least one value in ``table``."""
    return [m for m in metrics if m.key in table and np.isfinite(table[m.key]).any()]


def best_rows(table, metric):
    """Methods holding the best held-out value of ``metric`` (ties all)."""
    held_out = table[table["evaluation"] == "held-out"]
    values = held_out[metric.key].astype(float)
    values = values[np.isfinite(values)]
    if values.empty:
        return set()
    best = values.max() if metric.higher_is_better else values.min()
    # Compare at the precision shown, so that two cells that read the same
    # are both marked.
    return {m for m, v in values.items() if format_value(v) == format_value(best)}


def results_html(table, metrics, links=()):
    """The results table as an HTML fragment, best held-out values in bold."""
    metrics = shown_metrics(table, metrics)
    head = "".join(
        f'<th title="{html.escape(m.unit)}">{html.escape(m.name)} {m.arrow}'
        f'<br><span class="unit">{html.escape(m.unit)}</span></th>'
        for m in metrics
    )
    best = {m.key: best_rows(table, m) for m in metrics}
    rows = []
    for method, row in table.iterrows():
        cells = []
        for m in metrics:
            text = html.escape(format_value(float(row[m.key])))
            if method in best[m.key]:
                text = f'<strong class="best">{text}</strong>'
            cells.append(f"<td>{text}</td>")
        evaluation = html.escape(str(row["evaluation"]))
        rows.append(
            f'<tr><th scope="row">{html.escape(method_name(method))}</th>'
            f'<td class="evaluation">{evaluation}</td>{"".join(cells)}</tr>'
        )
    caption = (
        "Scores on the held-out rows; ↑ higher is better, ↓ lower is better. "
        "<strong>Bold</strong>: the best held-out value of each column."
    )
    if (table["evaluation"] == "transductive").any():
        caption += (
            " t-SNE cannot embed new rows: it embedded training and held-out "
            "rows together (transductive), so it is not ranked."
        )
    if links:
        # Named, not linked: the page may travel without its folder.
        caption += " The report's folder holds these tables as files: " + ", ".join(
            f"<code>{html.escape(text)}</code>" for _, text in links
        )
        caption += "."
    return (
        '<div class="scroll"><table class="results"><thead><tr>'
        '<th scope="col">method</th>'
        f'<th scope="col">evaluation</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        f'<p class="caption">{caption}</p>'
    )


def results_markdown(table, metrics):
    """The results table as GitHub Markdown, best held-out values in bold."""
    metrics = shown_metrics(table, metrics)
    header = ["method", "evaluation"] + [
        f"{m.name} {m.arrow} ({m.unit})" for m in metrics
    ]
    best = {m.key: best_rows(table, m) for m in metrics}
    rows = []
    for method, row in table.iterrows():
        cells = [method_name(method), str(row["evaluation"])]
        for m in metrics:
            text = format_value(float(row[m.key]))
            cells.append(f"**{text}**" if method in best[m.key] else text)
        rows.append(cells)
    return _markdown(header, rows)


def frame_markdown(frame):
    """Any small DataFrame as GitHub Markdown, numbers to three digits."""
    frame = frame.reset_index()
    rows = [
        [format_value(v) if isinstance(v, float) else str(v) for v in row]
        for row in frame.itertuples(index=False)
    ]
    return _markdown([str(c) for c in frame.columns], rows)


def _markdown(header, rows):
    """A GitHub Markdown table of strings."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines) + "\n"


def _listed(methods):
    names = [method_name(m) for m in methods]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _ranked(table, key, higher_is_better):
    values = table.loc[table["evaluation"] == "held-out", key].astype(float)
    values = values[np.isfinite(values)]
    return values.sort_values(ascending=not higher_is_better)


def reading(table, n_neighbors=5):
    """Two sentences on the outcome, generated from the numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame(
    ...     {"evaluation": ["held-out"] * 3,
    ...      "knn_accuracy": [0.9, 0.7, 0.5], "trustworthiness": [0.95, 0.9, 0.8],
    ...      "mse": [float("nan"), 0.02, 0.05], "fit_time": [9.0, 4.0, 0.1]},
    ...     index=["umap", "vae", "pca"])
    >>> print(reading(table))  # doctest: +NORMALIZE_WHITESPACE
    UMAP separates the held-out classes best (5-NN accuracy 0.900, then
    VAEEmbedder at 0.700) and keeps their neighbourhoods best
    (trustworthiness 0.950). Of the methods that reconstruct, VAEEmbedder
    does so best (MSE 0.0200, 2.5 times lower than PCA's 0.0500); fits
    took from 0.100 s (PCA) to 9.00 s (UMAP).
    """
    parts = []
    knn = _ranked(table, "knn_accuracy", True)
    if not knn.empty:
        top = format_value(knn.iloc[0])
        tied = [m for m, v in knn.items() if format_value(v) == top]
        if len(tied) > 1:
            sentence = (
                f"{_listed(tied)} separate the held-out classes best "
                f"({n_neighbors}-NN accuracy {top} each"
            )
        else:
            sentence = (
                f"{method_name(tied[0])} separates the held-out classes best "
                f"({n_neighbors}-NN accuracy {top}"
            )
            if len(knn) > 1:
                sentence += (
                    f", then {method_name(knn.index[1])} at {format_value(knn.iloc[1])}"
                )
        sentence += ")"
        trust = _ranked(table, "trustworthiness", True)
        if not trust.empty:
            value = format_value(trust.iloc[0])
            if trust.index[0] == knn.index[0] and len(tied) == 1:
                sentence += (
                    f" and keeps their neighbourhoods best (trustworthiness {value})"
                )
            else:
                sentence += (
                    f"; {method_name(trust.index[0])} keeps neighbourhoods "
                    f"best (trustworthiness {value})"
                )
        parts.append(sentence + ".")
    mse = _ranked(table, "mse", False) if "mse" in table else knn[:0]
    times = table["fit_time"].astype(float).dropna() if "fit_time" in table else None
    sentence = ""
    if not mse.empty:
        best = method_name(mse.index[0])
        sentence = (
            f"Of the methods that reconstruct, {best} does so best "
            f"(MSE {format_value(mse.iloc[0])}"
        )
        if "pca" in mse.index and mse.index[0] != "pca" and mse.iloc[0] > 0:
            ratio = mse["pca"] / mse.iloc[0]
            sentence += (
                f", {ratio:.1f} times lower than PCA's {format_value(mse['pca'])}"
            )
        sentence += ")"
    if times is not None and len(times) > 1:
        fastest, slowest = times.idxmin(), times.idxmax()
        clause = (
            f"fits took from {format_value(times[fastest])} s "
            f"({method_name(fastest)}) to {format_value(times[slowest])} s "
            f"({method_name(slowest)})"
        )
        sentence = (
            f"{sentence}; {clause}" if sentence else clause[0].upper() + clause[1:]
        )
    if sentence:
        parts.append(sentence + ".")
    return " ".join(parts)


def csv_safe(frame):
    """``frame`` with text cells that a spreadsheet would run made inert.

    A class named ``=HYPERLINK(...)`` (or starting with ``+``, ``-``, ``@``,
    a tab or a carriage return) is a formula to Excel and LibreOffice when
    the CSV is opened; a leading apostrophe, OWASP's advice, keeps it text.
    """

    def cell(value):
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
        return value

    frame = frame.copy()
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].map(cell)
    if not pd.api.types.is_numeric_dtype(frame.index):
        frame.index = frame.index.map(cell)
    return frame


class TableWriter:
    """Writes each table the moment its numbers exist, atomically."""

    def __init__(self, out, metrics_list):
        self.out = out
        self.metrics = metrics_list
        self.links = [("results.csv", "results.csv"), ("results.md", "results.md")]

    def results(self, results):
        table = summary(results)
        with atomic_path(self.out / "results.csv") as tmp:
            csv_safe(table).to_csv(tmp)
        classes = per_class(results)
        if not classes.empty:
            with atomic_path(self.out / "per_class.csv") as tmp:
                csv_safe(classes).to_csv(tmp, index=False)
            self._link("per_class.csv")
        return table

    def markdown(self, description, table, sweep_overall):
        md = [
            f"# aembed comparison\n\n{description}\n\n## Results\n\n",
            results_markdown(table, self.metrics),
        ]
        if sweep_overall is not None:
            md += [
                "\n## VAE latent-size sweep\n\n",
                frame_markdown(sweep_overall),
            ]
        write_text(self.out / "results.md", "".join(md))

    def sweep(self, sweep):
        with atomic_path(self.out / "latent_sweep.csv") as tmp:
            csv_safe(sweep).to_csv(tmp, index=False)
        self._link("latent_sweep.csv")

    def _link(self, name):
        if (name, name) not in self.links:
            self.links.append((name, name))
