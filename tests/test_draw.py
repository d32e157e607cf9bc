"""Pictures: circuit layout, matricization heatmap, rank plot; `symtd draw` and `symtd plot`."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symtd import circuit, deep, overlapping, recurrent, shallow, tree
from symtd.circuits.formats import save_network
from symtd.cli import main
from symtd.errors import SymtdError
from symtd.render.draw import (
    circuit_bars,
    circuit_figure,
    circuit_layout,
    draw_circuit,
    draw_matricization,
    matricization_figure,
    plot_ranks,
    pyplot,
    rank_curves,
    ranks_figure,
    signed_log_scale,
)
from symtd.theorems.claims import t5_witness

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "circuit",
    [
        deep(16, 2, [2, 2, 2, 2], "max"),
        shallow(5, 2, 3, "sum"),
        tree([[[0, 3, 4], [1, 2, 5]], [[0, 1]]], 2, [2, 2], "avg"),
        overlapping(9, 2, 3, 2, 2),
        recurrent(6, 2, 2, "max"),
    ],
)
def test_layout_puts_every_pooling_node_over_its_members_one_layer_up(circuit):
    xy = circuit_layout(circuit)
    assert set(xy) == set(circuit.graph.nodes)
    scopes = [circuit.scope(n) for n in circuit.graph.nodes]
    contiguous = all(list(s) == list(range(s[0], s[0] + len(s))) for s in scopes)
    for node, data in circuit.graph.nodes(data=True):
        children = circuit.children(node)
        if data["kind"] == "pool" and contiguous and circuit.layout:
            assert xy[node][0] == pytest.approx(np.mean([xy[c][0] for c in children]))
        for c in children:
            assert xy[c][1] < xy[node][1]
    depths = {}
    for k in range(len(circuit.nodes)):
        depths.setdefault(xy[f"n{k}"][1], []).append(xy[f"n{k}"][0])
    for xs in depths.values():  # no two nodes of a layer overlap
        xs = sorted(xs)
        assert all(b - a >= 1 - 1e-9 for a, b in zip(xs, xs[1:]))
    xs = sorted(xy[f"x{j}"][0] for j in range(circuit.N))
    assert xs == list(range(circuit.N))  # positions evenly spaced: readable up to N = 16


@pytest.mark.slow
def test_overlapping_windows_and_shared_blocks_are_drawn(tmp_path):
    svg = draw_circuit(overlapping(8, 2, 3, 1, 2, shared=True), tmp_path / "o.svg").read_text()
    assert "W1_1" in svg and "W2_0" in svg  # shared blocks labelled on their edges
    assert svg.count("stroke-linecap: round") >= 13  # one window bar per node


def test_circuit_png_and_svg(tmp_path):
    png = draw_circuit(deep(16, 2, [3, 2, 2, 2], "max"), tmp_path / "c.png")
    assert png.read_bytes()[:8] == PNG and png.stat().st_size > 20000
    svg = (draw_circuit(deep(4, 3, [4, 2], "product"), tmp_path / "c.svg")).read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "product" in svg


def test_heatmap_of_the_t5_witness_shows_the_identity(tmp_path):
    out = draw_matricization(t5_witness(8, 2), "odd-even", tmp_path / "h.svg").read_text()
    assert "exact rank 16" in out and "I = {0,2,4,6}" in out


@pytest.mark.slow
def test_heatmap_of_huge_and_tiny_entries(tmp_path):
    from fractions import Fraction

    net = deep(8, 2, [2, 2, 2], "product")
    for scale in (Fraction(10**60), Fraction(1, 10**120)):
        concrete = net.subs(
            {s: scale * (k + 1) for k, s in enumerate(sorted(net.free_symbols, key=str))}
        )
        assert draw_matricization(concrete, "odd-even", tmp_path / "h.png").read_bytes()[:8] == PNG


def test_circuit_of_a_non_contiguous_tree_names_its_windows(tmp_path):
    levels = [[[k, 7 - k] for k in range(4)], [[0, 1], [2, 3]], [[0, 1]]]
    svg = draw_circuit(tree(levels, 2, [2, 2, 2], "max"), tmp_path / "t.svg").read_text()
    assert "{0,7}" in svg and "{3,4}" in svg


def test_rank_curves_follow_the_theory():
    curves = rank_curves((2, 4, 8), M=2, r=2, draws=2)
    assert curves["deep product (best of 2 random weights)"] == [2, 4, 16]  # r^(N/2), T4
    assert curves["shallow max, per channel ((N/2)·M)"] == [2, 4, 8]  # T5 lemma
    assert (
        curves["deep avg (best of 2 random weights)"][0] <= 2
    )  # N = 2: odd-even is the root split, T3


@pytest.mark.slow
def test_plot_ranks_png(tmp_path):
    assert plot_ranks(tmp_path / "r.png", (2, 4, 8)).read_bytes()[:8] == PNG


@pytest.mark.slow
def test_cli_draw_and_plot(tmp_path, capsys):
    net = deep(8, 2, [2, 2, 2], "max")
    path = tmp_path / "n.json"
    save_network(net.subs(net.random_point(1, bound=9)), path)
    assert main(["draw", str(path), "--out", str(tmp_path / "n.png")]) == 0
    assert (
        main(["draw", str(path), "--out", str(tmp_path / "h.png"), "--matricization", "odd-even"])
        == 0
    )
    assert main(["plot", "ranks", "--out", str(tmp_path / "p.svg"), "--N", "2,4"]) == 0
    assert all((tmp_path / f).exists() for f in ("n.png", "h.png", "p.svg"))


@pytest.mark.parametrize(
    "args",
    [
        ["draw", "NET", "--out", "x.pdf"],
        ["draw", "NET", "--out", "x.png", "--matricization", "I=9"],
        ["plot", "ranks", "--out", "p.png", "--N", "3"],
        ["plot", "ranks", "--out", "p.png", "--M", "0"],
        ["plot", "bars", "--out", "p.png"],
        ["plot", "ranks", "--out", "p.png", "--N", "128", "--M", "1"],
        ["plot", "ranks", "--out", "p.png", "--N", "2", "--r", "100000"],
        ["draw", "NET", "--out", "/no/such/dir/x.png"],
    ],
)
def test_cli_pictures_bad_input_exit_2(args, tmp_path, capsys):
    path = tmp_path / "n.json"
    save_network(_concrete(), path)
    args = [str(path) if a == "NET" else a for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("symtd: error:") and err.count("\n") == 1


def _concrete():
    net = deep(4, 2, [1, 1], "max")
    return net.subs(net.random_point(2, bound=9))


# -- --random-point SEED: heatmaps of architecture-only files --------------------------------
def test_heatmap_of_an_architecture_needs_a_random_point(tmp_path, capsys):
    arch = tmp_path / "arch.json"
    save_network(recurrent(4, 2, 2, shared=False), arch)
    heat = ["--out", str(tmp_path / "h.png"), "--matricization", "odd-even"]
    assert main(["draw", str(arch), *heat]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "give --random-point SEED" in err and "symbolic" not in err
    assert main(["draw", str(arch), *heat, "--random-point", "7"]) == 0
    assert (tmp_path / "h.png").read_bytes()[:8] == PNG
    with pytest.raises(SymtdError, match="at_random_point"):
        draw_matricization(recurrent(4, 2, 2), "odd-even", tmp_path / "x.png")


def test_random_point_is_refused_for_a_drawing_of_a_file_with_weights(tmp_path, capsys):
    path = tmp_path / "n.json"
    save_network(_concrete(), path)
    assert main(["draw", str(path), "--out", str(tmp_path / "c.png"), "--random-point", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.endswith("the file has weights; drop --random-point\n")
    assert not (tmp_path / "c.png").exists()


# -- pictures that tell the truth ------------------------------------------------------------
def dag_with_reuse():
    """n0 feeds both n2 and n3: n3 sees {0,1,3,4,5}, two runs (a non-contiguous scope)."""
    return circuit(
        [
            (2, [("x0", "A"), ("x1", "B")]),
            (2, [("x4", "A"), ("x5", "B")]),
            (2, [("n0", "C"), ("x2", "D")]),
            (2, [("n0", "E"), ("n1", "C"), ("x3", "D")]),
            (1, [("n2", "F"), ("n3", "G")]),
        ],
        M=2,
        operator="max",
    )


def drawn_bars(fig) -> dict[str, list[tuple[float, float, float]]]:
    """{node: [(x0, x1, y)]} read back from the Line2D artists tagged gid "bar:nK"."""
    bars: dict[str, list[tuple[float, float, float]]] = {}
    for line in fig.axes[0].get_lines():
        gid = line.get_gid() or ""
        if gid.startswith("bar:"):
            (x0, x1), (y0, y1) = line.get_xdata(), line.get_ydata()
            assert y0 == y1  # a horizontal bar
            bars.setdefault(gid[4:], []).append((min(x0, x1), max(x0, x1), y0))
    return bars


def assert_bars_are_scopes(net) -> None:
    fig = circuit_figure(net)
    try:
        bars, xy = drawn_bars(fig), circuit_layout(net)
    finally:
        pyplot().close(fig)
    assert bars == circuit_bars(net)
    assert set(bars) == {f"n{k}" for k in range(len(net.nodes))}
    for name, segments in bars.items():
        covered = {j for j in range(net.N) for x0, x1, _ in segments if x0 <= j <= x1}
        assert covered == set(net.scope(name)), name  # the bar spans exactly the positions seen
        for x0, x1, y in segments:  # ends a quarter beyond a seen position, under the node
            assert round(x0 + 0.25) in covered and round(x1 - 0.25) in covered
            assert x0 + 0.25 == pytest.approx(round(x0 + 0.25))
            assert y < xy[name][1]


@pytest.mark.parametrize(
    "net",
    [
        deep(8, 2, [2, 2, 2], "max"),
        overlapping(8, 2, 3, 1, 2),
        recurrent(6, 2, 2, "max"),
        dag_with_reuse(),
        tree([[[k, 7 - k] for k in range(4)], [[0, 1], [2, 3]], [[0, 1]]], 2, [2, 2, 2], "max"),
    ],
    ids=["deep", "overlapping", "recurrent", "dag-reuse", "non-contiguous"],
)
def test_each_bar_spans_the_scope_of_its_node(net):
    assert_bars_are_scopes(net)


def test_root_bar_of_deep_and_overlapping_covers_every_position():
    for net in (deep(8, 2, [2, 2, 2], "max"), overlapping(8, 2, 3, 1, 2)):
        ((x0, x1, _),) = circuit_bars(net)[net.root]
        assert (x0, x1) == (-0.25, 7.25)  # x0 ... x7, not just the root's children
    assert len(circuit_bars(dag_with_reuse())["n3"]) == 2  # {0,1} and {3,4,5}


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 9), st.integers(2, 4), st.integers(1, 4))
def test_bars_are_scopes_for_any_overlapping_network(N, kernel, stride):
    assert_bars_are_scopes(overlapping(N, 2, kernel, min(stride, kernel), 1))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-(10**400), 10**400), min_size=1, max_size=12), st.integers(1, 10**50))
def test_signed_log_scale_keeps_sign_order_and_zero(values, factor):
    s = signed_log_scale(np.array(values, dtype=object))
    assert all(np.sign(a) == np.sign(v) for a, v in zip(s, values))  # 0 -> 0, sign kept
    assert all(abs(a) >= np.log10(2) - 1e-12 for a, v in zip(s, values) if v)
    order = sorted(range(len(values)), key=values.__getitem__)
    assert all(s[i] <= s[j] for i, j in zip(order, order[1:]))  # increasing
    assert all(s[i] < s[j] for i, j in zip(order, order[1:]) if values[i] < values[j])
    scaled = signed_log_scale(np.array([factor * v for v in values], dtype=object))
    assert np.allclose(scaled, s)  # scale-free: a common factor (the denominator) cancels


def test_heatmap_is_not_dominated_by_its_largest_entry():
    net = deep(8, 2, [2, 2, 2], "product")
    fig = matricization_figure(net.subs(net.random_point(1)), "odd-even")
    try:
        image = fig.axes[0].images[0]
        label = fig.axes[1].get_ylabel()
        values = np.asarray(image.get_array(), dtype=float)
        median = float(np.median(np.abs(values[values != 0])))
        assert abs(float(image.norm(median)) - 0.5) > 0.2  # far from white
        assert image.norm(0.0) == pytest.approx(0.5)  # white is exactly zero
        assert "log10" in label and "g_min" in label  # the scale is stated
    finally:
        pyplot().close(fig)


def test_heatmap_of_the_identity_keeps_zeros_white_and_ones_coloured():
    fig = matricization_figure(t5_witness(4, 2), "odd-even")
    try:
        image = fig.axes[0].images[0]
        values = np.asarray(image.get_array(), dtype=float)
        assert ((values != 0) == np.eye(4, dtype=bool)).all()
        assert (image.norm(values[values != 0]) > 0.9).all()
    finally:
        pyplot().close(fig)


def test_rank_axis_ticks_are_integers_and_the_title_fits():
    fig = ranks_figure((2, 4))
    try:
        ax = fig.axes[0]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == ["1", "2", "4"]  # ranks up to 4: powers of two written as numbers
        assert ax.get_yaxis().get_minor_locator().tick_values(1, 4) == []
        assert fig.get_layout_engine() is not None  # constrained: the title keeps a margin
        fig.canvas.draw()
        title = ax.title.get_window_extent()
        assert title.y1 < fig.bbox.y1 and title.x0 > 0 and title.x1 < fig.bbox.x1
        annotated = {t.get_text() for t in ax.texts}
        assert {"2", "4"} <= annotated  # deep ranks written at their points
    finally:
        pyplot().close(fig)
