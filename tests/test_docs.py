"""The documentation stays true: docstring examples and the guide's examples run, every public
name has a docstring and a place in the API reference, the site builds strictly and loads
nothing from the network (MathJax bundled), and nothing in the repository points outside it."""

import doctest
import importlib
import inspect
import pkgutil
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import symtd

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
MODULES = sorted(  # every module of the package, dotted below symtd ("tensors.grid")
    m.name.removeprefix("symtd.")
    for m in pkgutil.walk_packages(symtd.__path__, "symtd.")
    if not m.name.endswith("__main__")
)
TOOLS = {"cli", "bench"}  # documented on the command-line and performance pages
MAIN = [  # the names a newcomer meets first: each shows an example
    "shallow",
    "deep",
    "tree",
    "mirror",
    "dilated",
    "overlapping",
    "recurrent",
    "circuit",
    "Circuit",
    "grid_tensor",
    "grid_entry",
    "network_function",
    "matricize",
    "partition",
    "rank",
    "certified_rank",
    "lower_rank",
    "matricization_rank",
    "symbolic_rank",
    "separation_rank",
    "upper_bounds",
    "load_network",
    "save_network",
    "custom_operator",
    "entry_latex",
    "rank_latex",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"symtd.{name}")
    result = doctest.testmod(module, optionflags=FLAGS, report=True)
    assert result.failed == 0


def _blocks(path):
    """The fenced Python blocks of a Markdown file that are doctest sessions."""
    text = path.read_text(encoding="utf-8")
    for match in re.finditer(r"```(?:python|pycon)\n(.*?)```", text, re.S):
        if match.group(1).lstrip().startswith(">>>"):
            yield match.group(1)


PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_guide_examples_run(page):
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=FLAGS)
    for k, block in enumerate(_blocks(page)):
        test = parser.get_doctest(block, {}, f"{page.name}[{k}]", str(page), 0)
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_main_functions_show_an_example():
    assert [n for n in MAIN if ">>>" not in (inspect.getdoc(getattr(symtd, n)) or "")] == []


def _public(module):
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj) or inspect.isclass(obj):
            yield name, obj
            if inspect.isclass(obj):
                for attribute, value in vars(obj).items():
                    if not attribute.startswith("_") and (
                        inspect.isfunction(value) or isinstance(value, property)
                    ):
                        yield f"{name}.{attribute}", value


def test_every_public_function_and_class_has_a_docstring():
    missing = []
    for name in MODULES:
        module = importlib.import_module(f"symtd.{name}")
        if not inspect.getdoc(module):
            missing.append(name)
        missing += [
            f"{name}.{attr}"
            for attr, obj in _public(module)
            if not (getattr(obj, "__doc__", None) or "").strip()
        ]
    assert missing == []


def test_every_module_and_public_name_is_in_the_api_reference():
    index = (DOCS / "api" / "index.rst").read_text(encoding="utf-8")
    for name in {m for m in MODULES if m.split(".")[0] not in TOOLS}:
        page = DOCS / "api" / f"symtd.{name}.rst"
        assert page.exists() and f".. automodule:: symtd.{name}" in page.read_text(), name
        assert re.search(rf"^\s+symtd\.{re.escape(name)}$", index, re.M), name
    listed = {}
    for module, attr in re.findall(r"~(symtd(?:\.\w+)+)\.(\w+)", index):
        listed[attr] = module
    assert set(symtd.__all__) <= set(listed)
    for attr, module in listed.items():  # each name links to the module that defines it
        assert attr in vars(importlib.import_module(module)), f"{module}.{attr}"


def test_nothing_refers_outside_the_repository():
    own = {Path(__file__).resolve()}
    offenders = []
    generated = {("docs", "_build"), ("docs", "gallery")}  # build products, not sources
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT).parts
        parts = set(relative)
        if (
            not path.is_file()
            or tuple(relative[:2]) in generated
            or parts & {".git", "__pycache__", ".hypothesis", ".pytest_cache"}
            or path.suffix in {".png", ".pdf", ".parquet", ".pyc"}
            or path.resolve() in own
            or any(p.endswith(".egg-info") for p in parts)
        ):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "../shared" in text or "SPEC.md" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


class _Loads(HTMLParser):
    """The addresses a page makes the browser fetch: every <script src> and <link href>."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.scripts.append(values["src"])
        elif tag == "link" and values.get("href"):
            self.links.append(values["href"])


def _loads(text: str) -> tuple[list[str], list[str]]:
    parser = _Loads()
    parser.feed(text)
    parser.close()
    return parser.scripts, parser.links


def _external(address: str) -> bool:
    """Whether an address leaves the site: a host (http://, https://, //cdn...) or a scheme
    other than data:."""
    parts = urlsplit(address.strip())
    return bool(parts.netloc) or parts.scheme.lower() not in ("", "data")


@pytest.mark.parametrize(
    ("page", "external"),
    [
        ('<script defer src="_static/mathjax/tex-chtml.js"></script>', []),
        ('<link rel="stylesheet" href="../_static/pygments.css"/>', []),
        ('<link rel="icon" href="data:image/png;base64,AAAA"/>', []),
        ('<a href="https://example.org/">a link is not loaded</a>', []),
        (
            '<SCRIPT SRC="https://cdn.example.org/mathjax.js"></SCRIPT>',
            ["https://cdn.example.org/mathjax.js"],
        ),
        ("<script src='http://x.example/a.js'></script>", ["http://x.example/a.js"]),
        ('<link href=" //cdn.example.org/a.css" rel="stylesheet">', [" //cdn.example.org/a.css"]),
        (
            '<p><link rel="preload" href="HTTPS://X.EXAMPLE/f.woff"/></p>',
            ["HTTPS://X.EXAMPLE/f.woff"],
        ),
    ],
)
def test_the_page_scan_finds_external_loads(page, external):
    scripts, links = _loads(page)
    assert [a for a in scripts + links if _external(a)] == external


# the site: the session fixture ``site`` of tests/conftest.py (one build for every test file)


@pytest.mark.slow
def test_the_site_builds_strictly(site):
    """The pages the guide promises are there, each gallery script with its figure."""
    build, html = site
    assert build.returncode == 0, build.stderr[-4000:]
    pages = ("theory", "formats", "cli", "exactness", "performance", "contributing", "teach")
    for page in (*pages, "lessons/index"):
        assert (html / f"{page}.html").exists(), page
    for name in {m for m in MODULES if m.split(".")[0] not in TOOLS}:
        assert (html / "api" / f"symtd.{name}.html").exists(), name
    scripts = sorted((ROOT / "examples" / "gallery").glob("plot_*.py"))
    assert len(scripts) >= 5
    for script in scripts:
        page = (html / "gallery" / f"{script.stem}.html").read_text(encoding="utf-8")
        assert f"sphx_glr_{script.stem}_001.png" in page, script.name
    theory = (html / "theory.html").read_text(encoding="utf-8")
    assert "mathjax" in theory.lower()


@pytest.mark.slow
def test_the_site_loads_nothing_from_the_network(site):
    """Opened without a network the site is whole: no page loads a script or stylesheet from
    another host, and the MathJax the pages load (with its fonts) lies inside the build."""
    build, html = site
    assert (html / "theory.html").is_file(), build.stderr[-4000:]
    external, mathjax = [], set()
    for page in sorted(html.rglob("*.html")):
        scripts, links = _loads(page.read_text(encoding="utf-8"))
        name = page.relative_to(html).as_posix()
        external += [f"{name}: {a}" for a in scripts + links if _external(a)]
        for address in scripts:
            if "mathjax" in address.lower() and not _external(address):
                mathjax.add((page.parent / urlsplit(address).path).resolve())
    assert external == []
    theory_scripts, _ = _loads((html / "theory.html").read_text(encoding="utf-8"))
    assert any("mathjax" in a.lower() for a in theory_scripts)
    root = html.resolve()
    assert mathjax and all(p.is_file() and p.is_relative_to(root) for p in mathjax), mathjax
    for script in (s for s in mathjax if "chtml" in s.name):  # CHTML draws with web fonts
        assert any((script.parent / "output" / "chtml" / "fonts").rglob("*.woff*")), script
