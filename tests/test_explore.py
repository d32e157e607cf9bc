"""The explorer without a browser: its outputs against ranks known from the theory and against
the library computed independently, its widgets driven programmatically, refusals as the
command line's one line (never a traceback), and ``symtd explore``'s port check."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

import symtd
from symtd.cli import main
from symtd.cli.common import one_line
from symtd.errors import SymtdError
from symtd.explore.model import Settings, explore, parse_widths, rows
from symtd.render.latex import entry_latex

SLOW = pytest.mark.slow


def rank_shown(text: str) -> int:
    """k of "rank: k — ..."."""
    assert text.startswith("rank: "), text
    return int(text.split()[1])


def bracket_shown(text: str) -> tuple[int, int]:
    """(lower, upper) of "separation: lower ≤ rank* ≤ upper — ..."."""
    words = text.split()
    assert words[0] == "separation:" and words[2:4] == ["≤", "rank*"], text
    return int(words[1]), int(words[5])


# -- the outputs (symtd.explore.model) -----------------------------------------------------------
@pytest.mark.parametrize(
    ("N", "partition", "expected"),
    [(4, "odd-even", 4), (8, "odd-even", 16), (8, "low-high", 2), (4, "root", 2)],
)
def test_deep_product_ranks_are_the_theorys(N, partition, expected):
    """Deep ConvAC, r = 2: odd-even reaches r^(N/2), a cut at the root only r."""
    out = explore(Settings(builder="deep", N=N, M=2, widths="2", partition=partition))
    assert out.errors == []
    assert rank_shown(out.rank) == expected
    assert bracket_shown(out.separation) == (expected, expected)
    assert "certified" in out.separation and "not certified" not in out.separation


@pytest.mark.parametrize("partition", ["odd-even", "low-high", "balanced"])
def test_a_shallow_network_of_one_channel_has_rank_one(partition):
    out = explore(Settings(builder="shallow", N=6, M=3, widths="1", partition=partition))
    assert out.errors == [] and rank_shown(out.rank) == 1
    assert bracket_shown(out.separation) == (1, 1)


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param(Settings(builder="deep", N=8, operator="max", seed=3), marks=SLOW),
        pytest.param(
            Settings(builder="mirror", N=8, operator="avg", partition="root", seed=1), marks=SLOW
        ),
        Settings(builder="dilated", N=8, operator="sum", partition="low-high"),
        Settings(builder="overlapping", N=5, kernel=3, stride=1, partition="odd-even"),
        Settings(builder="recurrent", N=6, partition="positions", positions=(1, 4)),
        Settings(builder="tensor train", N=6, partition="balanced", balanced=4, seed=7),
    ],
    ids=["deep-max", "mirror-avg-root", "dilated-sum", "overlapping", "recurrent", "train"],
)
def test_every_output_agrees_with_the_library(settings):
    """Rank at the seed, bracket and entry, each recomputed here from the library's own calls."""
    out = explore(settings)
    assert out.errors == []
    net = {
        "deep": lambda: symtd.deep(8, 2, 2, settings.operator),
        "mirror": lambda: symtd.mirror(8, 2, 2, settings.operator),
        "dilated": lambda: symtd.dilated(8, 2, 2, settings.operator),
        "overlapping": lambda: symtd.overlapping(5, 2, 3, 1, 2, shared=True),
        "recurrent": lambda: symtd.recurrent(6, 2, 2),
        "tensor train": lambda: symtd.recurrent(6, 2, 2, shared=False),
    }[settings.builder]()
    I = rows(settings, net)
    if settings.partition == "balanced":
        assert I == symtd.partitions(["balanced"], 6)[settings.balanced][1]
    point = net.at_random_point(settings.seed)
    assert rank_shown(out.rank) == symtd.matricization_rank(point, I)
    s = symtd.separation_rank(net, I, seed=settings.seed, time_limit=10)
    assert bracket_shown(out.separation) == (s.lower, s.upper)
    assert ("not certified" in out.separation) == (s.lower != s.upper)
    assert s.lower <= rank_shown(out.rank) or settings.operator != "product"
    assert out.latex == f"G[{','.join(['0'] * net.N)}] = {entry_latex(net, (0,) * net.N, 20)}"


def test_a_relu_bracket_is_not_certified():
    out = explore(Settings(builder="deep", N=4, operator="max"))
    lower, upper = bracket_shown(out.separation)
    assert (lower, upper) == (3, 4) and "not certified" in out.separation
    assert "maximal rank" in out.separation and "generic" not in out.separation


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        (Settings(N=2**20), "symtd: error: N = 1,048,576 is too large (at most 100,000)"),
        (Settings(N=6), "symtd: error: this geometry needs N = 2^L >= 2, got N=6"),
        (
            Settings(partition="positions", positions=(0, 9)),
            "symtd: error: partition I = [0, 9] has position(s) [9] outside 0..3",
        ),
        (
            Settings(partition="balanced", balanced=3),
            "symtd: error: balanced partition 3: N = 4 has 3 balanced partitions up to "
            "complement, numbered 0..2",
        ),
        (
            Settings(widths="2,x\n"),
            "symtd: error: widths must be a positive integer or a comma-separated list of "
            "them, got '2,x\\n'",
        ),
    ],
)
def test_refused_input_gives_the_command_lines_one_line(settings, line):
    out = explore(settings)
    assert out.errors == [line]
    assert (out.rank, out.separation, out.latex) == ("rank: —", "separation: —", "—")


@pytest.mark.parametrize("widths", ["2", "2,2", "0", "70000"])
def test_the_line_is_the_command_lines_format(widths):
    """Whatever the library refuses, the explorer shows as ``symtd.cli.main`` prints it."""
    with pytest.raises(SymtdError) as refused:
        symtd.deep(2**20 if widths == "2" else 8, 2, parse_widths(widths))
    assert explore(Settings(N=2**20 if widths == "2" else 8, widths=widths)).errors == [
        f"symtd: error: {one_line(refused.value)}"
    ]


@pytest.mark.slow  # the separation search runs to its time limit
def test_a_large_grid_refuses_only_what_needs_the_grid():
    """N = 32: the exact rank at a point needs 2^32 entries and the symbolic entry 2^31 terms
    (both refused, one line each); the separation bracket needs neither and is still shown,
    with r^(N/2) = 2^16 as its proven upper bound."""
    out = explore(Settings(N=32, widths="2", partition="odd-even"))
    assert len(out.errors) == 2
    assert out.errors[0].startswith("symtd: error: the exact rank at a point needs the whole grid")
    assert out.errors[1].startswith("symtd: error: a symbolic entry of this circuit may have")
    assert not any("\n" in e for e in out.errors) and out.rank == "rank: —"
    lower, upper = bracket_shown(out.separation)
    assert upper == 2**16 and 1 <= lower <= upper


def test_the_seed_is_the_random_point_of_the_library():
    """Different seeds draw different points (a ReLU rank that depends on the point) and each
    rank shown is the library's at that seed."""
    for seed in range(4):
        out = explore(Settings(N=8, operator="max", seed=seed))
        point = symtd.deep(8, 2, 2, "max").at_random_point(seed)
        assert rank_shown(out.rank) == symtd.matricization_rank(point, "odd-even")
        assert f"exact rank at seed {seed}" in out.rank


# -- the page (symtd.explore.app), widgets set from Python ------------------------------------
@pytest.fixture(scope="module")
def app():
    pytest.importorskip("panel")
    from symtd.explore.app import Explorer

    return Explorer()


@pytest.mark.slow  # imports panel
def test_widgets_drive_the_outputs(app):
    assert rank_shown(app.rank.object) == 4 and not app.alert.visible
    assert app.positions.value == [0, 2]  # odd-even, shown as pressed positions
    app.N.value = 8
    assert rank_shown(app.rank.object) == 16 and app.positions.value == [0, 2, 4, 6]
    app.operator.value = "max"
    point = symtd.deep(8, 2, 2, "max").at_random_point(0)
    assert rank_shown(app.rank.object) == symtd.matricization_rank(point, "odd-even")
    app.positions.value = [0, 1, 2, 3]  # pressing buttons chooses the positions partition
    assert app.partition.value == "positions"
    assert rank_shown(app.rank.object) == symtd.matricization_rank(point, (0, 1, 2, 3))
    app.operator.value = "product"
    assert rank_shown(app.rank.object) == 2  # a cut at the root: r
    app.partition.value = "odd-even"
    assert app.positions.value == [0, 2, 4, 6] and rank_shown(app.rank.object) == 16
    assert app.circuit.object is not None and app.heatmap.object is not None


@pytest.mark.slow  # imports panel
def test_the_page_shows_refusals_as_one_escaped_line(app):
    app.N.value = 2**20
    assert app.alert.visible
    assert app.alert.object == "<p>symtd: error: N = 1,048,576 is too large (at most 100,000)</p>"
    assert app.rank.object == "rank: —" and app.circuit.object is None
    app.N.value = 4
    app.widths.value = "<b>2</b>"
    assert "<b>" not in app.alert.object and "&lt;b&gt;2&lt;/b&gt;" in app.alert.object
    app.widths.value = "2"
    assert not app.alert.visible and rank_shown(app.rank.object) == 4
    texts = [app.alert.object, app.rank.object, app.separation.object, app.latex.object]
    assert not any("Traceback" in t for t in texts)


@pytest.mark.slow  # imports panel
def test_the_explorer_builds_every_geometry(app):
    from symtd.explore.model import BUILDERS

    app.N.value = 4
    for builder in BUILDERS:
        app.builder.value = builder
        app.widths.value = "1" if builder == "shallow" else "2"
        assert not app.alert.visible, (builder, app.alert.object)
        expected = explore(app.settings())
        assert app.rank.object == expected.rank and app.separation.object == expected.separation
    app.builder.value = "overlapping"
    assert app.kernel.visible and app.stride.visible
    app.builder.value = "deep"
    assert not app.kernel.visible and not app.stride.visible


# -- symtd explore: the port -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("port", "message"),
    [
        ("0", "symtd: error: --port must be in 1..65535, got 0"),
        ("65536", "symtd: error: --port must be in 1..65535, got 65536"),
        ("x", "symtd: error: argument --port: expected an integer of at most 18 digits, got 'x'"),
    ],
)
def test_a_bad_port_is_one_line_and_status_2(port, message, capsys):
    assert main(["explore", "--port", port, "--no-browser"]) == 2
    captured = capsys.readouterr()
    assert captured.err == message + "\n" and captured.out == ""


def test_serve_refuses_a_bad_port_before_importing_panel():
    from symtd.explore.app import serve

    for port in (0, 70000, True, "80"):
        with pytest.raises(SymtdError, match="port must be an integer in 1..65535"):
            serve(port, open_browser=False)  # type: ignore[arg-type]


@pytest.mark.slow  # one python -m symtd that imports panel
def test_a_port_in_use_is_one_line_and_status_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "symtd", "explore", "--port", str(port), "--no-browser"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == f"symtd: error: cannot serve on 127.0.0.1:{port}: Address already in use\n"


@pytest.mark.slow  # starts a Jupyter kernel and imports panel in it
def test_the_explorer_displays_in_jupyter():
    """In a real kernel, after ``panel.extension()``, ``explorer()`` displays as Panel's
    widget bundle (not a plain repr), and its widgets drive the rank there as in the page."""
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    cells = [
        "import panel as pn\npn.extension()",
        "from symtd.explore import explorer\nexplorer()",
        "from symtd.explore import Explorer\napp = Explorer()\napp.N.value = 8\n"
        "print(app.rank.object)",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, timeout=180, kernel_name="python3").execute()
    shown = notebook.cells[1].outputs
    kinds = {kind for out in shown for kind in out.get("data", {})}
    assert any("holoviews" in kind or "bokeh" in kind for kind in kinds), kinds
    printed = "".join(out.get("text", "") for out in notebook.cells[2].outputs)
    assert rank_shown(printed) == 16, printed
