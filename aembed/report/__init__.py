"""The comparison report: tables, figures and a self-contained HTML page.

:func:`run_report` is what ``aembed compare`` runs: it splits a dataset,
fits every method on the same input (:mod:`aembed.compare`), sweeps the
VAE's latent size, and writes into one folder ``results.csv``,
``per_class.csv``, ``latent_sweep.csv``, ``results.md``, ``run.json`` (what
was run), the figures and animations, and ``index.html``: the results
table, interactive maps of the held-out rows (with Bokeh, ``pip install
'aembed[report]'``), training and validation curves, every figure, and the
provenance. The page works offline.

The package has one module per part: ``_run`` (the run), ``_tables`` (the
results table and its reading), ``_figures`` (static figures),
``_interactive`` (the Bokeh maps), ``_page`` (the HTML), ``_provenance``
(versions and parameters) and ``_sweep`` (the latent-size sweep).
"""

from ._run import label_names, run_report
from ._sweep import latent_size_sweep

__all__ = ["label_names", "latent_size_sweep", "run_report"]
