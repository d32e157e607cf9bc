"""Pictures: circuit layout, matricization heatmap, rank plot; `symtd draw` and `symtd plot`."""

import numpy as np
import pytest

from symtd import deep, overlapping, recurrent, shallow, tree
from symtd.circuits.formats import save_network
from symtd.cli import main
from symtd.errors import SymtdError
from symtd.render.draw import (
    circuit_layout,
    draw_circuit,
    draw_matricization,
    plot_ranks,
    rank_curves,
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
