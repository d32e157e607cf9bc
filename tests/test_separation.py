"""Separation ranks (maximal rank over all weights): sound bounds, certified values, the CLI."""

import json
import random
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import random_dags, random_levels

import symtd
from symtd.cli import main
from symtd.ranks.bounds import (
    flow_cut,
    min_cut_bound,
    structural_upper_bound,
    tree_cut,
    upper_bounds,
)
from symtd.ranks.matricization import matricization_rank
from symtd.ranks.separation import SeparationRank, generic_rank, separation_rank


@st.composite
def random_tree_products(draw):
    """A random product tree circuit (random shape and widths) and a random partition."""
    if draw(st.booleans()):
        levels = draw(random_levels(max_positions=7))
        c = symtd.tree(levels, draw(st.integers(2, 3)), [draw(st.integers(1, 3)) for _ in levels])
    else:
        c = draw(random_dags(max_positions=6, tree=True)).with_weights(None)
        c = symtd.circuit(c.nodes, c.M, "product", N=c.N, output=c.output)
    rng = random.Random(draw(st.integers(0, 10**6)))
    return c, tuple(sorted(rng.sample(range(c.N), rng.randint(0, c.N))))


@settings(max_examples=60, deadline=None)
@given(random_tree_products())
def test_lower_never_exceeds_upper_on_random_trees(case):
    c, I = case
    s = separation_rank(c, I, points=2, seed=1)
    assert s.lower <= s.upper == upper_bounds(c, I)[0].value
    assert s.certified == (s.lower == s.upper)
    point = c.at_random_point(7)
    assert matricization_rank(point, I) <= s.upper  # an exact rank elsewhere obeys the bound


@settings(max_examples=60, deadline=None)
@given(random_tree_products())
def test_dynamic_programme_finds_the_networkx_minimum_cut_on_trees(case):
    c, I = case
    if 0 < len(I) < c.N:
        assert tree_cut(c, set(I))[0] == flow_cut(c, set(I))[0]


@settings(max_examples=40, deadline=None)
@given(random_dags(max_positions=5, max_nodes=5))
def test_bounds_hold_on_dags_at_exact_points(circuit):
    arch = circuit.with_weights(None)
    for seed in range(2):
        I = tuple(
            sorted(
                random.Random(seed).sample(
                    range(arch.N), random.Random(seed + 9).randint(0, arch.N)
                )
            )
        )
        exact = matricization_rank(arch.at_random_point(seed, 5), I)
        for bound in upper_bounds(arch, I):
            assert exact <= bound.value, bound


@pytest.mark.parametrize(
    "N,M,r", [(4, 2, 1), (4, 2, 2), (8, 2, 2), (4, 3, 2), (4, 3, 3), (8, 3, 2)]
)
def test_min_cut_is_tight_on_deep_binary_trees(N, M, r):
    c = symtd.deep(N, M, r)
    s = separation_rank(c, "odd-even")
    assert s.certified and s.lower == min(r, M) ** (N // 2) and s.upper_bound == "min-cut"


@pytest.mark.parametrize(
    "N,M,r,shared",
    [(4, 2, 2, True), (6, 2, 2, False), (6, 3, 2, False), (5, 3, 3, True), (8, 2, 1, True)],
)
def test_min_cut_is_tight_on_recurrent_chains_with_equal_widths(N, M, r, shared):
    c = symtd.recurrent(N, M, r, shared=shared)
    for name in ("odd-even", "low-high"):
        s = separation_rank(c, name)
        assert s.certified, (name, s)
    # the middle cut of a tensor train is capped by its rank r
    assert separation_rank(c, "low-high").lower == min(r, M ** (N // 2), M ** (N - N // 2))


def test_shallow_product_is_cp_and_max_lemma_and_sum_split():
    assert separation_rank(symtd.shallow(4, 3, 2), "odd-even").lower == 2  # CP: rank <= Z
    best = upper_bounds(symtd.shallow(6, 3, 2, "max"), (0, 2, 4))[0]
    assert (best.value, best.name) == (18, "max lemma") and "2·3·3" in best.detail
    s = separation_rank(symtd.mirror(8, 3, 2, "avg"), "root")
    assert s.upper == 2 and s.upper_bound == "sum/avg split" and not s.polynomial
    assert "generic" not in str(s)
    # the split bound needs every root member on one side
    assert all(
        b.name != "sum/avg split" for b in upper_bounds(symtd.deep(8, 2, 2, "sum"), (0, 2, 4, 6))
    )
    overlapping = symtd.overlapping(5, 2, 3, 2, 2, "sum")  # x2 under both root members
    assert all(b.name != "sum/avg split" for b in upper_bounds(overlapping, (0, 1, 2)))


@pytest.mark.slow
def test_min_cut_of_a_ten_thousand_node_chain():
    c = symtd.recurrent(10_001, 2, 2)
    b = min_cut_bound(c, tuple(range(0, c.N, 2)))
    assert b.value == 2**5000 and len(b.cut) == 5000  # one edge per odd position


def test_separation_cli_json_is_exactly_spec(tmp_path, capsys):
    symtd.save_network(symtd.deep(8, 2, 2), tmp_path / "deep.json")
    assert main(["separation", str(tmp_path / "deep.json"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["partitions"]
    assert [p["partition"] for p in doc["partitions"]] == ["odd-even", "low-high", "root"]
    assert doc["partitions"][0] == {
        "partition": "odd-even",
        "rows": [0, 2, 4, 6],
        "lower": 16,
        "upper": 16,
        "upper_bound": "min-cut",
        "certified": True,
    }
    concrete = symtd.deep(8, 2, 2).at_random_point(3)  # weights in the file are ignored
    symtd.save_network(concrete, tmp_path / "weighted.json")
    assert (
        main(["separation", str(tmp_path / "weighted.json"), "--json", "--partition", "I=0,2"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["partitions"][0]["lower"] == 4


def test_separation_table_of_several_architectures_csv_and_latex(tmp_path, capsys):
    files = []
    for name, c in (
        ("deep", symtd.deep(8, 2, 2)),
        ("dilated", symtd.dilated(8, 2, 2)),
        ("max", symtd.deep(8, 2, 2, "max")),
    ):
        symtd.save_network(c, tmp_path / f"{name}.json")
        files.append(str(tmp_path / f"{name}.json"))
    assert main(["separation", *files, "--partition", "odd-even", "--partition", "low-high"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[1:] == ["16", "2"] and out[2].split()[1:] == ["2", "16"]
    assert out[3].split()[1] == "*"  # ReLU: marked, never "generic"
    assert main(["separation", *files, "--partition", "odd-even", "--csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "network,partition,rows,lower,upper,upper_bound,certified"
    assert rows[1].endswith(",odd-even,0 2 4 6,16,16,min-cut,true") and rows[1].startswith(files[0])
    assert main(["separation", *files[:2], "--partition", "odd-even", "--latex"]) == 0
    table = capsys.readouterr().out
    assert r"\toprule" in table and r"\bottomrule" in table
    if subprocess.run(["which", "pdflatex"], capture_output=True).returncode == 0:
        tex = tmp_path / "t.tex"
        tex.write_text(
            "\\documentclass{article}\\usepackage{booktabs}\\begin{document}\n"
            + table
            + "\n\\end{document}\n"
        )
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout[-2000:]


def test_separation_refuses_bad_requests(tmp_path, capsys):
    symtd.save_network(symtd.deep(4, 2, 2), tmp_path / "d.json")
    for argv in (["--partition", "I=9"], ["--points", "0"], ["--points", "1000"], ["--seed", "-1"]):
        assert main(["separation", str(tmp_path / "d.json"), *argv]) == 2
        assert capsys.readouterr().err.startswith("symtd: error:")


# -- one result type for both brackets ----------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(random_tree_products(), st.sampled_from(["product", "max", "sum", "avg"]))
def test_generic_and_separation_rank_bracket_the_same_quantity(case, operator):
    """Both return a SeparationRank over the same proven bounds; each lower bound is a rank
    reached at a point, so neither exceeds the other's upper bound."""
    c, I = case
    c = symtd.circuit(c.nodes, c.M, operator, N=c.N, output=c.output)
    s, g = separation_rank(c, I, points=1, seed=2), generic_rank(c, I, seed=5)
    assert type(s) is type(g) is SeparationRank
    assert (s.rows, s.upper, s.upper_bound, s.bounds, s.polynomial) == (
        g.rows,
        g.upper,
        g.upper_bound,
        g.bounds,
        g.polynomial,
    )
    assert max(s.lower, g.lower) <= s.upper == upper_bounds(c, I)[0].value
    assert isinstance(s.point, dict) and isinstance(g.point, dict)
    assert s.witness is not None and s.witness.rank == s.lower  # the minor proving lower
    assert s.reached or not s.certified
    assert g.upper_reason == s.upper_reason == structural_upper_bound(c, I)[1]
    assert g.determined == (g.polynomial and g.certified) and g.certified == (g.lower == g.upper)


def test_the_two_texts_of_the_one_result_type():
    deep = symtd.deep(8, 2, 2)
    s, g = separation_rank(deep, "odd-even"), generic_rank(deep, "odd-even")
    assert str(s) == (
        "generic rank = 16, certified (a rank reached at a rational point equals the min-cut bound)"
    )
    assert str(g) == (
        "generic rank = 16 (lower bound: exact rank at a random rational point; upper bound: "
        "min-cut: cut n0–x1 (2), n1–x3 (2), n2–x5 (2), n3–x7 (2))"
    )
    assert s == g and hash(s) == hash(g)  # the weight point is not part of the value
    assert repr(g) == (
        "SeparationRank(rows=(0, 2, 4, 6), lower=16, upper=16, upper_bound='min-cut', "
        "polynomial=True)"
    )
    relu = symtd.shallow(4, 2, 1, "max")
    g = generic_rank(relu, (0, 2))
    assert str(g) == (
        "rank 2 at a random rational point (piecewise entries: not a generic rank); "
        "rank <= 4 for all weights (max lemma: Z·min(|I|,|J|)·M = 1·2·2)"
    )
    assert not g.determined and not g.certified
    s = separation_rank(symtd.shallow(4, 2, 3, "max"), (0, 2))
    assert s.certified and not s.determined  # the maximal rank, never a generic one
    assert str(s).startswith("maximal rank = 4, certified")


# -- leaf capacities min(M, rank F); reused nodes ------------------------------------------------
def test_min_cut_uses_rank_F_and_is_reached():
    F = [[1, 0, 0], [0, 1, 0], [1, 1, 0]]  # rank 2 < M = 3
    c = symtd.deep(4, 3, 3, F=F)
    b = min_cut_bound(c, "odd-even")
    assert b.value == 4 and all(cap == 2 for cap in [2])  # min(w, rank F) per leaf edge
    s = separation_rank(c, "odd-even")
    assert s.certified and s.lower == 4  # was 9 (= min(w, M)^2) before
    assert symtd.ranks.bounds.leaf_rank(c) == 2


def test_a_position_feeding_two_pools_keeps_capacity_M():
    """rank F = 2 but x0 enters twice: its values (u1², u1·u2, u2²) reach rank 3, so the
    δ of x0 must keep capacity M = 3 (min(M, rank F) = 2 would be an unsound bound)."""
    F = [[1, 0, 0], [0, 1, 0], [1, 1, 0]]
    c = symtd.Circuit(
        3,
        3,
        [
            (3, [("x0", "A")]),
            (3, [("x0", "B")]),
            (3, [("n0", "C"), ("n1", "D"), ("x1", "E"), ("x2", "G")]),
        ],
        F=F,
    )
    reached = max(matricization_rank(c.at_random_point(seed, 50), (0,)) for seed in range(3))
    assert reached == 3 <= upper_bounds(c, (0,))[0].value
    assert tensor_network_capacity(c, "x0") == 3


def tensor_network_capacity(c, vertex):
    return symtd.ranks.bounds.tensor_network(c).nodes[vertex]["capacity"]


def test_a_reused_node_leaves_the_min_cut_unreached():
    reused = symtd.Circuit(
        2,
        4,
        [
            (2, [("x0", "A"), ("x1", "B")]),
            (1, [("n0", "C")]),
            (1, [("n0", "D")]),
            (1, [("n1", "E"), ("n2", "H")]),
        ],
    )
    s = separation_rank(reused, (0,), points=3)
    assert (s.lower, s.upper, s.certified) == (3, 4, False)  # rank <= 2·3/2 for all weights
    assert s.reached  # the whole matrix was ranked: the bound, not the search, is loose
    assert "not certified" not in str(s) and str(s) == "3 <= generic rank <= 4 (min-cut)"


def test_own_weights_and_the_witness_point():
    net = symtd.deep(8, 2, 2).at_random_point(5)
    s = separation_rank(net, "odd-even", own_weights=True)
    assert s.lower == 16 and s.witness.rank == 16
    assert all((s.point[k] == net.block(k)).all() for k in net.shapes)
    with pytest.raises(symtd.SymtdError, match="own weights"):
        separation_rank(symtd.deep(8, 2, 2), "odd-even", own_weights=True)
    s = separation_rank(symtd.deep(8, 2, 2), "odd-even")
    point = symtd.deep(8, 2, 2).with_weights(s.point)
    assert matricization_rank(point, "odd-even") >= s.witness.rank


def test_n64_separation_is_certified_quickly():
    s = separation_rank(symtd.deep(64, 2, 2), "low-high")
    assert s.certified and s.lower == 2 and s.reached and s.note == ""
    tt = separation_rank(symtd.recurrent(64, 3, 4, shared=False), tuple(range(32)))
    assert tt.certified and tt.lower == 4
