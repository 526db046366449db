"""Sphinx configuration of the aembed documentation.

Build with ``bash tools/build_docs.sh`` (or ``sphinx-build -W --keep-going -b
html docs docs/_build/html``). The build works offline: links into the
scikit-learn, PyTorch, skorch, NumPy, pandas and matplotlib documentation
come from intersphinx only when ``AEMBED_DOCS_INTERSPHINX=1`` is set (it
downloads their inventories); without it, scikit-learn names and glossary
terms still link to scikit-learn's site and other external names are plain
text, with no warning either way.
"""

import os
import re

from docutils import nodes

import aembed

# -- Project -------------------------------------------------------------------

project = "aembed"
author = "The aembed developers"
copyright = "The aembed developers"
release = aembed.__version__
version = ".".join(release.split(".")[:2])

# -- General -------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/backreferences", "**.ipynb_checkpoints"]
default_role = "literal"
nitpicky = False

autosummary_generate = True
autodoc_typehints = "none"
autodoc_default_options = {"members": True}
# scikit-learn's base classes document get_params, set_params and friends on
# every estimator page; torch's nn.Module has hundreds of members, so the
# aembed.nn pages list only what aembed defines (see _templates/autosummary).

# -- numpydoc --------------------------------------------------------------------

numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True
# A malformed docstring fails the build (with -W): these checks run on every
# documented object. Left out: an extended summary (ES01) and See Also (SA01)
# on every function, scikit-learn's "name : type" Returns style (RT02) and
# imperative-mood first lines (SS05).
numpydoc_validation_checks = {"all", "ES01", "SA01", "RT02", "SS05", "GL08"}
numpydoc_validation_exclude = {
    # Inherited from scikit-learn's base classes, not ours to document.
    r"\.get_params$",
    r"\.set_params$",
    r"\.set_output$",
    r"\.fit_transform$",
    r"\.get_feature_names_out$",
    r"\.get_metadata_routing$",
    r"\.set_\w+_request$",
    # Shared by every estimator, defined in the private base class, whose
    # docstrings have no Examples section yet (EX01); the estimators' class
    # docstrings show them in use.
    r"^aembed\.(DenoisingAEEmbedder|VAEEmbedder|VQVAEEmbedder)\."
    r"(transform|inverse_transform|reconstruct)$",
    r"^aembed\.(DenoisingAEEmbedder|VQVAEEmbedder)\.score$",
}

# -- intersphinx -----------------------------------------------------------------

INTERSPHINX = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "scipy": ("https://docs.scipy.org/doc/scipy/", None),
    "pandas": ("https://pandas.pydata.org/docs/", None),
    "matplotlib": ("https://matplotlib.org/stable/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
    "torch": ("https://docs.pytorch.org/docs/stable/", None),
    "skorch": ("https://skorch.readthedocs.io/en/stable/", None),
}
ONLINE = os.environ.get("AEMBED_DOCS_INTERSPHINX", "0") not in ("", "0")
intersphinx_mapping = INTERSPHINX if ONLINE else {}
intersphinx_timeout = 10

# -- sphinx-gallery --------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("aembed",),
    "reference_url": {"aembed": None},
    "backreferences_dir": "generated/backreferences",
    "matplotlib_animations": (True, "jshtml"),
    # A cell ending in a plotting call shows its figure, not the repr of
    # the Axes or Figure object the call returns.
    "ignore_repr_types": r"^<class 'matplotlib\.",
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "min_reported_time": 1,
    "thumbnail_size": (400, 280),
}

# -- HTML ------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"aembed {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "install": [], "api": []}
html_static_path = ["_static"]
html_css_files = ["aembed.css"]
html_show_sourcelink = True

# -- offline fallbacks for links into scikit-learn -------------------------------

SKLEARN_URL = "https://scikit-learn.org/stable/"
# Labels of scikit-learn's documentation that the docstrings of its base
# classes (get_metadata_routing, set_output) refer to.
SKLEARN_LABELS = {
    "metadata_routing": "metadata_routing.html",
    "df_output_transform": "developers/develop.html#developer-api-for-set-output",
    "sphx_glr_auto_examples_miscellaneous_plot_set_output.py": (
        "auto_examples/miscellaneous/plot_set_output.html"
    ),
}


def _sklearn_page(target):
    """The generated page of a public scikit-learn name, or None."""
    parts = target.split(".")
    if parts[0] != "sklearn" or not all(re.fullmatch(r"\w+", p) for p in parts):
        return None
    if len(parts) == 3:
        return target
    if len(parts) == 4 and parts[2][:1].isupper():  # a method or attribute
        return ".".join(parts[:3])
    return None


def _external(url, contnode):
    ref = nodes.reference("", "", internal=False, refuri=url)
    ref += contnode
    return ref


def _resolve_offline(app, env, node, contnode):
    """Link scikit-learn's glossary terms, labels and API names without
    intersphinx, which needs the network; anything else stays unresolved
    (and, for our own labels and terms, still fails the build)."""
    domain, reftype = node.get("refdomain"), node.get("reftype")
    target = node.get("reftarget", "")
    if domain == "std" and reftype == "term":
        from sphinx.util.nodes import _make_id

        return _external(
            f"{SKLEARN_URL}glossary.html#{_make_id('term-' + target)}", contnode
        )
    if domain == "std" and reftype == "ref" and target in SKLEARN_LABELS:
        return _external(SKLEARN_URL + SKLEARN_LABELS[target], contnode)
    if domain == "py":
        page = _sklearn_page(target)
        if page is not None:
            url = f"{SKLEARN_URL}modules/generated/{page}.html#{target}"
            return _external(url, contnode)
    return None


# A bare name ending in "_" is a reStructuredText reference, so
# "of shape (n_samples, n_features_in_)" fails the build; scikit-learn quotes
# such names in backticks. Until every docstring does, quote this one here.
_BARE_N_FEATURES_IN = re.compile(r"(?<=[(, ])n_features_in_(?=[,)])")


def _quote_n_features_in(app, what, name, obj, options, lines):
    lines[:] = [_BARE_N_FEATURES_IN.sub("`n_features_in_`", line) for line in lines]


def setup(app):
    # After intersphinx (priority 500), so that its answer wins when online.
    app.connect("missing-reference", _resolve_offline, priority=900)
    # Before numpydoc (priority 500) parses the docstring.
    app.connect("autodoc-process-docstring", _quote_n_features_in, priority=400)
