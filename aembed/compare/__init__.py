"""Fit several embedders on one split and score them side by side.

Parametric methods (the aembed estimators, PCA, UMAP, openTSNE) are fitted on
the training rows and embed the held-out rows they never saw. scikit-learn's
t-SNE cannot embed new points; rather than fake a ``transform``, it embeds
training and held-out rows together (without their labels) and its scores are
marked ``"transductive"``.

:func:`compare` runs the whole comparison; :func:`summary` and
:func:`per_class` pivot its tidy table. :func:`make_method`,
:func:`fit_method` and :func:`score_method` are its steps, for one method at
a time. The package has one module per part: ``_methods`` (the methods,
their names and checks), ``_fitting`` (fitting and scoring one method, and
the loop over methods) and ``_compare`` (the common input and the tables).
"""

from ._compare import common_scaling, compare, per_class, summary
from ._fitting import FittedMethod, fit_method, score_method
from ._methods import (
    NEIGHBOR_WEIGHT,
    SUPERVISION_WEIGHT,
    available_methods,
    default_methods,
    make_method,
)

__all__ = [
    "NEIGHBOR_WEIGHT",
    "SUPERVISION_WEIGHT",
    "FittedMethod",
    "available_methods",
    "common_scaling",
    "compare",
    "default_methods",
    "fit_method",
    "make_method",
    "per_class",
    "score_method",
    "summary",
]
