"""Sphinx configuration of the symtd documentation.

Build (warnings are errors, every reference must resolve):

    python3 -m sphinx -W --keep-going -n -b html docs docs/_build/html
"""

import inspect
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the package from this checkout, installed or not
os.environ.setdefault("MPLBACKEND", "Agg")
# The lessons' kernels are child processes: they import symtd from this checkout too.
_paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in _paths if p)

import symtd  # noqa: E402

project = "symtd"
author = "the symtd developers"
copyright = "the symtd developers"
release = symtd.__version__
version = release

extensions = [
    "myst_nb",  # MyST Markdown pages and the lessons (Jupyter notebooks), executed at build
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",  # Parameters / Returns / Raises / Examples sections, validated (below)
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static/mathjax: formulas render offline
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
# sg_execution_times.rst: the gallery's timing pages load DataTables and jQuery from CDNs, so
# they are not written (write_computation_times below) and stale copies are not built.
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "sg_execution_times.rst",
    "gallery/sg_execution_times.rst",
    "gallery/*.ipynb",  # sphinx-gallery's notebook downloads: not pages (myst-nb reads .ipynb)
    "**/.ipynb_checkpoints",
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

# -- the lessons: demos/*.ipynb, executed at every build ---------------------------------------
# The notebooks live in demos/ (committed without outputs) and myst-nb reads only sources inside
# docs/, so each build copies them into docs/lessons/ (git-ignored copies; docs/lessons/index.md
# is the committed page that lists them) and executes them: the pages show the outputs of the
# code as it is now, figures included. A copy is rewritten only when it differs (so Sphinx
# re-reads only changed lessons), and copies of lessons that no longer exist are removed.
LESSONS = Path(__file__).resolve().parent / "lessons"


def copy_lessons(source: Path = ROOT / "demos", target: Path = LESSONS) -> list[str]:
    """Copy demos/*.ipynb into docs/lessons/; return the lesson names."""
    target.mkdir(exist_ok=True)
    names = []
    for notebook in sorted(source.glob("*.ipynb")):
        copy = target / notebook.name
        if not copy.exists() or copy.read_bytes() != notebook.read_bytes():
            copy.write_bytes(notebook.read_bytes())
        names.append(notebook.stem)
    for stale in target.glob("*.ipynb"):
        if stale.stem not in names:
            stale.unlink()
    return names


copy_lessons()
nb_execution_mode = "force"  # outputs always those of the current code (~1 min for all seven)
nb_execution_timeout = 300  # seconds per cell
nb_execution_raise_on_error = True  # a failing lesson fails the build
nb_execution_show_tb = True  # ... and its traceback is in the build log
nb_execution_in_temp = True  # files a lesson writes go to a temporary folder
nb_merge_streams = True  # one printed block per cell, not one per print() call

# -- autodoc / autosummary -----------------------------------------------------------------------
autosummary_generate = False  # the API pages are written by hand (docs/api/), no stubs
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
add_module_names = False

# -- numpydoc: docstring sections rendered; the public API's docstrings validated ----------------
numpydoc_show_class_members = False  # autodoc lists the members; no autosummary tables
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False  # parameter types are plain text, not references to chase
# The checks of tests/test_numpydoc.py: all but the extended summary, See Also, and the
# capital-letter rules (descriptions often start with the mathematics). A failure is a
# warning, so -W stops the build.
numpydoc_validation_checks = {"all", "ES01", "SA01", "PR08", "RT04"}
# Validated: the public functions and classes (symtd.__all__), where they are defined; the
# modules' other documented names keep their short docstrings.
_PUBLIC = sorted(
    f"{obj.__module__}.{name}"
    for name, obj in ((n, getattr(symtd, n)) for n in symtd.__all__)
    if inspect.isfunction(obj) or inspect.isclass(obj)
)
numpydoc_validation_exclude = {rf"^(?!(?:{'|'.join(map(re.escape, _PUBLIC))})$)"}

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
    ("py:class", r"(torch|onnx)\..*"),
    ("py:class", r"(Fraction|Callable|Path|Expr|ArrayLike)"),
    ("py:class", r"symtd\.theorems\.common\.C|list\[tuple\[.*"),  # a TypeVar; a split annotation
]

# -- HTML ------------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"symtd {release}"
html_static_path = ["_static"]
html_css_files = ["tables.css"]  # wide tables scroll inside the content column
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
