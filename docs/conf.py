"""Sphinx configuration of the symtd documentation.

Build (warnings are errors, every reference must resolve):

    python3 -m sphinx -W --keep-going -n -b html docs docs/_build/html
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the package from this checkout, installed or not
os.environ.setdefault("MPLBACKEND", "Agg")

import symtd  # noqa: E402

project = "symtd"
author = "the symtd developers"
copyright = "the symtd developers"
release = symtd.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static/mathjax: formulas render offline
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# sg_execution_times.rst: the gallery's timing pages load DataTables and jQuery from CDNs, so
# they are not written (write_computation_times below) and stale copies are not built.
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "sg_execution_times.rst",
    "gallery/sg_execution_times.rst",
]
templates_path = []

# -- mathematics: MathJax bundled with the site, no CDN -------------------------------------------
# sphinx-mathjax-offline copies its MathJax (fonts included) into _static/mathjax when the build
# ends; a path without "://" is relative to _static, so the built pages load no external script
# and a site opened without a network still shows typeset formulas.
mathjax_path = "mathjax/tex-chtml.js"

# -- MyST: Markdown pages, $...$ and $$...$$ math typeset by MathJax -------------------------
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_dmath_double_inline = True
myst_heading_anchors = 3

# -- autodoc / autosummary -----------------------------------------------------------------------
autosummary_generate = False  # the API pages are written by hand (docs/api/), no stubs
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
add_module_names = False

# Docstrings use plain-text mathematics: |I|, |J|, |X|, ... (sizes) read as reST substitutions,
# so they are defined to print themselves.
rst_prolog = r"""
.. |I| replace:: \|I\|
.. |J| replace:: \|J\|
.. |X| replace:: \|X\|
.. |p| replace:: \|p\|
.. |q| replace:: \|q\|
.. |numerator| replace:: \|numerator\|
.. |denominator| replace:: \|denominator\|
"""

# Nitpicky mode: every reference must resolve. Types of other libraries are not documented
# here (no network access for intersphinx), so their names are accepted as they are.
nitpicky = True
nitpick_ignore_regex = [
    ("py:class", r"(np|numpy|sympy|flint|nx|networkx|fractions|pathlib|typing|collections|os)\..*"),
    ("py:class", r"(Fraction|Callable|Path|Expr)"),
    ("py:class", r"symtd\.theorems\.common\.C|list\[tuple\[.*"),  # a TypeVar; a split annotation
]

# -- HTML ------------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"symtd {release}"
html_static_path = []
html_show_sourcelink = False

# -- the gallery: examples/gallery/plot_*.py, run at every build ------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples" / "gallery"),
    "gallery_dirs": "gallery",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "write_computation_times": False,  # its pages load scripts from CDNs
    "remove_config_comments": True,
    "backreferences_dir": None,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "capture_repr": ("_repr_html_", "__repr__"),
    "plot_gallery": "True",
}
