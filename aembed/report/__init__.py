"""The comparison report: tables, figures and a self-contained HTML page.

:func:`run_report` is what ``aembed compare`` runs: it splits a dataset,
fits every method on the same input (:mod:`aembed.compare`), sweeps the
VAE's latent size, and writes into one folder ``results.csv``,
``per_class.csv``, ``latent_sweep.csv``, ``results.md``, ``run.json`` (what
was run), the figures and animations, and ``index.html``: the results
table, interactive maps of the held-out rows (with Bokeh, ``pip install
'aembed[report]'``), training and validation curves, every figure, and the
provenance. The page works offline.

The package has one module per part: ``_run`` (the run, step by step),
``_inputs`` (the checks and the split), ``_fitting`` (every method and the
sweep under one progress bar), ``_sweep`` (the latent-size sweep),
``_tables`` (the results table, its reading and the table files),
``_figures`` (static figures), ``_interactive`` (the Bokeh maps),
``_summary`` (the description, the notes, ``results.md`` and
``index.html``), ``_page`` (the HTML) and ``_provenance`` (versions and
parameters).
"""

from ._inputs import label_names
from ._run import run_report
from ._sweep import latent_size_sweep

__all__ = ["label_names", "latent_size_sweep", "run_report"]
