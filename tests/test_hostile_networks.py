"""Hostile input, network documents: unknown keys, numbers where integers or exact rationals
belong, shapes, sizes, operators and v2 structure, refused with one clear line by every
command (the contract: see tests/support.py).
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from support import (
    V1,
    V2,
    V2_SHARED,
    argv_for,
    assert_clean,
    assert_refused,
    call,
    delete,
    put,
    v2_node_with,
    v2_pool_with,
    v2_with,
    write_json,
)

# ==================================================================================================
# Unknown keys, numbers, sizes, v2 structure: targeted cases
# ==================================================================================================
BAD_NETWORKS = {
    # unknown keys
    "v1 unknown top-level key": dict(V1, comment="hi"),
    "v2 unknown top-level key": v2_with(levels=[[[0, 1], [2, 3]], [[0, 1]]]),
    "v2 unknown key in a node": v2_node_with(0, bias=1),
    "v1 unknown weight block": put(V1, ("weights", "layer9"), [1]),
    "v1 keys of v2": dict(V1, nodes=V2["nodes"]),
    "format missing": {k: v for k, v in V1.items() if k != "format"},
    "format 3": dict(V1, format="symtd-network/3"),
    "format with newline": dict(V1, format="symtd-network/1\n"),
    # numbers where integers belong
    "N float": dict(V1, N=4.0),
    "N true": dict(V1, N=True),
    "N string": dict(V1, N="4"),
    "N space string": dict(V1, N=" 4"),
    "M float": dict(V1, M=2.0),
    "widths float": dict(V1, widths=[3.0, 2]),
    "widths bool": dict(V1, widths=[True, 2]),
    "widths string": dict(V1, widths=["+3", 2]),
    "v2 width float": v2_node_with(0, width=3.0),
    "v2 width true": v2_node_with(2, width=True),
    "v2 width zero": v2_node_with(0, width=0),
    "v2 width negative": v2_node_with(0, width=-3),
    "shared as string": dict(V1, shared="false"),
    "shared as 0": dict(V1, shared=0),
    # numbers where exact rationals belong
    "weight float": put(V1, ("weights", "output", 0), 1.0),
    "weight true": put(V1, ("weights", "output", 0), True),
    "weight null": put(V1, ("weights", "output", 0), None),
    "weight space": put(V1, ("weights", "output", 0), " 3"),
    "weight trailing newline": put(V1, ("weights", "output", 0), "3\n"),
    "weight 1e5": put(V1, ("weights", "output", 0), "1e5"),
    "weight 3/0": put(V1, ("weights", "output", 0), "3/0"),
    "weight 1/-2": put(V1, ("weights", "output", 0), "1/-2"),
    "weight 1/2/3": put(V1, ("weights", "output", 0), "1/2/3"),
    "weight empty string": put(V1, ("weights", "output", 0), ""),
    "weight underscore": put(V1, ("weights", "output", 0), "1_000"),
    "weight hex": put(V1, ("weights", "output", 0), "0x10"),
    "weight unicode digit": put(V1, ("weights", "output", 0), "\u0663"),
    "weight fullwidth digit": put(V1, ("weights", "output", 0), "\uff13"),
    "weight nan string": put(V1, ("weights", "output", 0), "nan"),
    "weight inf string": put(V1, ("weights", "output", 0), "inf"),
    "weight object": put(V1, ("weights", "output", 0), {"num": 1}),
    "weight list": put(V1, ("weights", "output", 0), [1]),
    "v2 weight float": put(V2, ("weights", "A", 0, 0), 0.5),
    "v2 weight ANSI": put(V2, ("weights", "A", 0, 0), "\x1b[31m1"),
    "F null": dict(V1, F=None),
    "F float": put(V1, ("F", 0, 0), 1.0),
    "F wrong shape": dict(V1, F=[["1", "0"]]),
    "F 3/0": put(V1, ("F", 1, 0), "3/0"),
    # shapes
    "layer0 one position short": put(V1, ("weights", "layer0"), V1["weights"]["layer0"][:3]),
    "output too long": put(V1, ("weights", "output"), [1, 2, 3]),
    "weights a list": dict(V1, weights=[]),
    "weights null": dict(V1, weights=None),
    # sizes
    "N = 10^10": dict(V1, N=10**10),
    "N = 10^30": dict(V1, N=10**30),
    "M = 10^10": dict(V1, M=10**10),
    "widths 10^6": dict(V1, widths=[10**6, 2]),
    "widths empty": dict(V1, widths=[]),
    "M = 20000 without F": {k: v for k, v in dict(V1, M=20000).items() if k != "F"},
    "deep N=6": dict(V1, N=6),
    "shallow N=1": dict(V1, architecture="shallow", N=1, widths=[3]),
    "tree without levels": dict(V1, architecture="tree"),
    "levels with deep": dict(V1, levels=[[[0, 1], [2, 3]], [[0, 1]]]),
    "tree window of one": dict(V1, architecture="tree", levels=[[[0], [1, 2, 3]], [[0, 1]]]),
    "tree levels not a partition": dict(
        V1, architecture="tree", levels=[[[0, 1], [1, 3]], [[0, 1]]]
    ),
    "tree levels bool": dict(V1, architecture="tree", levels=[[[False, True], [2, 3]], [[0, 1]]]),
    "tree levels negative": dict(V1, architecture="tree", levels=[[[-1, 1], [2, 3]], [[0, 1]]]),
    "tree levels huge index": dict(
        V1, architecture="tree", levels=[[[10**30, 1], [2, 3]], [[0, 1]]]
    ),
    "architecture unknown": dict(V1, architecture="wide"),
    # operators
    "operator unknown": dict(V1, operator="min"),
    "operator newline": dict(V1, operator="max\n[0] T4 {}: ok"),
    "operator ANSI": dict(V1, operator="\x1b[31mmax"),
    "operator lone surrogate": dict(V1, operator="\ud800"),
    "operator number": dict(V1, operator=1),
    "operator list": dict(V1, operator=["max"]),
    "operator object missing keys": dict(V1, operator={"name": "mine"}),
    "custom operator bad name": dict(V1, operator={"name": "a\nb", "sigma": "x", "pool": "x*y"}),
    "custom operator taken name": dict(V1, operator={"name": "max", "sigma": "x", "pool": "x*y"}),
    "custom operator not associative": dict(
        V1, operator={"name": "mine", "sigma": "x", "pool": "x-y"}
    ),
    "custom operator division by zero": dict(
        V1, operator={"name": "mine", "sigma": "x", "pool": "x/0"}
    ),
    "custom operator unknown function": dict(
        V1, operator={"name": "mine", "sigma": "exp(x)", "pool": "x*y"}
    ),
    "custom operator with control chars": dict(
        V1, operator={"name": "mine", "sigma": "x\x1b[2J", "pool": "x*y"}
    ),
    # v2 structure
    "v2 empty nodes": v2_with(nodes=[]),
    "v2 nodes an object": v2_with(nodes={"0": V2["nodes"][0]}),
    "v2 node a list": v2_with(nodes=[[3, [["x0", "A"]]]] + V2["nodes"][1:]),
    "v2 forward reference n5": v2_pool_with(0, [["n5", "A"], ["x1", "B"]]),
    "v2 self reference": v2_pool_with(2, [["n2", "E"], ["n1", "G"]]),
    "v2 cycle n0 <-> n1": v2_with(
        nodes=[
            {"width": 3, "pool": [["n1", "A"], ["x1", "B"]]},
            {"width": 3, "pool": [["n0", "C"], ["x3", "D"]]},
            {"width": 2, "pool": [["n0", "E"], ["n1", "G"]]},
        ]
    ),
    "v2 member x01": v2_pool_with(0, [["x01", "A"], ["x1", "B"]]),
    "v2 member n-1": v2_pool_with(2, [["n-1", "E"], ["n1", "G"]]),
    "v2 member x1.0": v2_pool_with(0, [["x0", "A"], ["x1.0", "B"]]),
    "v2 member ' x0'": v2_pool_with(0, [[" x0", "A"], ["x1", "B"]]),
    "v2 member 'x0 '": v2_pool_with(0, [["x0 ", "A"], ["x1", "B"]]),
    "v2 member 'x0\\n'": v2_pool_with(0, [["x0\n", "A"], ["x1", "B"]]),
    "v2 member X0": v2_pool_with(0, [["X0", "A"], ["x1", "B"]]),
    "v2 member x+0": v2_pool_with(0, [["x+0", "A"], ["x1", "B"]]),
    "v2 member arabic digit": v2_pool_with(0, [["x\u0660", "A"], ["x1", "B"]]),
    "v2 member fullwidth digit": v2_pool_with(0, [["x\uff10", "A"], ["x1", "B"]]),
    "v2 member superscript digit": v2_pool_with(0, [["x\u2070", "A"], ["x1", "B"]]),
    "v2 member out of range": v2_pool_with(1, [["x2", "C"], ["x4", "D"]]),
    "v2 member huge index": v2_pool_with(1, [["x2", "C"], ["x" + "9" * 40, "D"]]),
    "v2 member number": v2_pool_with(0, [[0, "A"], ["x1", "B"]]),
    "v2 member twice in one pool": v2_pool_with(0, [["x0", "A"], ["x0", "B"], ["x1", "B"]]),
    "v2 pool entry of three": v2_pool_with(0, [["x0", "A", "B"], ["x1", "B"]]),
    "v2 pool entry a string": v2_pool_with(0, ["x0A", ["x1", "B"]]),
    "v2 empty pool": v2_with(nodes=[{"width": 3, "pool": []}] + V2["nodes"]),
    "v2 unused position": v2_with(N=5),
    "v2 unused node": v2_with(
        nodes=V2["nodes"][:2] + [{"width": 3, "pool": [["x0", "A"]]}] + V2["nodes"][2:]
    ),
    "v2 shared block two shapes": v2_pool_with(2, [["n0", "E"], ["n1", "A"]]),
    "v2 block name empty": v2_pool_with(0, [["x0", ""], ["x1", "B"]]),
    "v2 block name digit first": v2_pool_with(0, [["x0", "1A"], ["x1", "B"]]),
    "v2 block name underscore first": v2_pool_with(0, [["x0", "_A"], ["x1", "B"]]),
    "v2 block name dash": v2_pool_with(0, [["x0", "A-1"], ["x1", "B"]]),
    "v2 block name space": v2_pool_with(0, [["x0", "A 1"], ["x1", "B"]]),
    "v2 block name 65 chars": v2_pool_with(0, [["x0", "A" * 65], ["x1", "B"]]),
    "v2 block name non-ASCII letter": v2_pool_with(0, [["x0", "\u00c4"], ["x1", "B"]]),
    "v2 block name newline": v2_pool_with(0, [["x0", "A\n[0] T4: ok"], ["x1", "B"]]),
    "v2 block name lone surrogate": v2_pool_with(0, [["x0", "A\ud800"], ["x1", "B"]]),
    "v2 block name ANSI": v2_pool_with(0, [["x0", "A\x1b[31m"], ["x1", "B"]]),
    "v2 block name number": v2_pool_with(0, [["x0", 7], ["x1", "B"]]),
    "v2 output names an edge block": v2_with(output="A"),
    "v2 output bad name": v2_with(output="out\n"),
    "v2 output number": v2_with(output=1),
    "v2 weights for an unknown block": put(V2, ("weights", "Z"), [["1", "1"]]),
    "v2 weights missing a block": delete(V2, ("weights", "D")),
    "v2 weights unknown block with newline": put(V2, ("weights", "Z\n[0] T4: ok"), [["1"]]),
    "v2 weights block of wrong shape": put(V2, ("weights", "A"), [["1", "2"]]),
    "v2 node count 2*10^5": v2_with(nodes=[{"width": 1, "pool": [["x0", "A"]]}] * 200_000),
}


SLOW_NETWORKS = {"v2 node count 2*10^5"}  # a 200,000-node file: seconds per command


def network_cases(names):
    """The case names for parametrize, those in SLOW_NETWORKS marked slow."""
    return [pytest.param(c, marks=pytest.mark.slow) if c in SLOW_NETWORKS else c for c in names]


@pytest.mark.parametrize("case", network_cases(BAD_NETWORKS))
def test_bad_network_refused_by_grid(capsys, tmp_path, case):
    path = write_json(tmp_path / "net.json", BAD_NETWORKS[case])
    assert_refused(call(capsys, "grid", path), ["grid", case])


@pytest.mark.slow
@pytest.mark.parametrize(
    "case",
    network_cases(
        c
        for c in BAD_NETWORKS
        if c.startswith("v2") or "operator" in c or "unknown" in c or "N " in c
    ),
)
@pytest.mark.parametrize("command", ["separation", "convert", "latex", "rank"])
def test_bad_network_refused_by_other_commands(capsys, tmp_path, case, command):
    path = write_json(tmp_path / "net.json", BAD_NETWORKS[case])
    argv = argv_for(command, path, tmp_path)
    assert_refused(call(capsys, *argv), [command, case])


@pytest.mark.parametrize(
    "value,expected",
    [
        ("+3", Fraction(3)),
        (".5", Fraction(1, 2)),
        ("-0", 0),
        ("3.", Fraction(3)),
        ("007", Fraction(7)),
    ],
)
def test_lenient_number_forms_mean_their_value_or_are_refused(capsys, tmp_path, value, expected):
    """ "+3" or ".5" as a weight: either refused (exit 2, one line) or read as exactly that
    number (the same grid as the canonical spelling), never something else."""
    canonical = write_json(tmp_path / "a.json", put(V1, ("weights", "output", 0), str(expected)))
    odd = write_json(tmp_path / "b.json", put(V1, ("weights", "output", 0), value))
    want = call(capsys, "grid", canonical)
    assert want[0] == 0, want
    got = call(capsys, "grid", odd)
    if got[0] == 2:
        assert_refused(got, ["grid", value])
    else:
        assert got[0] == 0 and got[1] == want[1], f"weight {value!r} read as something else: {got}"


def test_v2_without_weights_refused_by_grid_and_rank_accepted_by_separation(capsys, tmp_path):
    path = write_json(tmp_path / "arch.json", {k: v for k, v in V2.items() if k != "weights"})
    assert_refused(call(capsys, "grid", path), "grid arch")
    result = call(capsys, "rank", path, "--partition", "odd-even")
    assert_refused(result, "rank arch")
    assert "weights" in result[2], result[2]
    status, out, err = call(capsys, "separation", path, "--points", "1", "--json")
    assert status == 0 and err == "", (status, err)
    assert json.loads(out)["partitions"]


def test_shared_block_same_shape_is_accepted(capsys, tmp_path):
    """Control for the two-shapes case: sharing one block with one shape is valid."""
    path = write_json(tmp_path / "shared.json", V2_SHARED)
    status, out, err = call(capsys, "grid", path)
    assert status == 0, err
    assert json.loads(out)["shape"] == [2, 2, 2, 2]


def test_separation_with_one_bad_file_among_good_ones(capsys, tmp_path):
    good = write_json(tmp_path / "good.json", V1)
    bad = write_json(tmp_path / "bad.json", dict(V1, N=4.0))
    assert_refused(call(capsys, "separation", good, bad, "--points", "1"), "separation good bad")


@pytest.mark.parametrize("form", ["", "--csv", "--latex", "--json"])
def test_separation_prints_file_names_escaped(capsys, tmp_path, form):
    """The table names each network by its path: a newline or escape in the name stays escaped."""
    path = write_json(tmp_path / "n\x1b[31m\n[0] T4 {}: ok\u2028.json", V1)
    status, out, err = call(capsys, "separation", path, "--points", "1", *([form] if form else []))
    assert status == 0, err
    assert_clean(out, f"separation {form} stdout")
    assert not any(line.startswith("[0] T4") for line in out.splitlines()), out
