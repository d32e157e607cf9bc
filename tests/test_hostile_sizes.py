"""Hostile input, oversize numbers and sizes: multi-million-digit numbers, astronomical grids,
deep chains, compounding weights and exponent towers are refused or answered in bounded
time. Subprocesses: a quadratic parse or a huge build would hang (the contract: see
tests/support.py).
"""

from __future__ import annotations

import json
import re

import pytest
from support import HUGE_DIGITS, V1, V2, assert_refused, run, write_json

# every test here starts python -m symtd on an oversize input: the quick loop (-m "not slow") skips
# them, the full suite runs them
pytestmark = pytest.mark.slow

# -- oversize numbers and sizes: subprocesses (a quadratic parse or a huge build would hang) -------


@pytest.mark.parametrize(
    "case",
    [
        "integer",
        "string",
        "negative string",
        "ratio",
        "decimal",
        "F entry",
        "N",
        "v2 width",
        "levels index",
    ],
)
def test_multi_million_digit_numbers_refused_quickly(tmp_path, case):
    digits = "7" * HUGE_DIGITS
    text = json.dumps(V1)
    doc_v2 = json.dumps(V2)
    raw = {
        "integer": text.replace('"output": [1,', '"output": [' + digits + ","),
        "string": text.replace('"output": [1,', '"output": ["' + digits + '",'),
        "negative string": text.replace('"output": [1,', '"output": ["-' + digits + '",'),
        "ratio": text.replace('"output": [1,', '"output": ["1/' + digits + '",'),
        "decimal": text.replace('"output": [1,', '"output": ["0.' + digits + '",'),
        "F entry": text.replace('"F": [["1",', '"F": [["' + digits + '",'),
        "N": text.replace('"N": 4', '"N": ' + digits),
        "v2 width": doc_v2.replace('"width": 3', '"width": ' + digits, 1),
        "levels index": json.dumps(
            dict(V1, architecture="tree", levels=[[[0, 1], [2, 3]], [[0, 1]]])
        ).replace("[[[0, 1]", "[[[" + digits + ", 1]"),
    }[case]
    assert raw != text and raw != doc_v2
    path = tmp_path / "huge.json"
    path.write_text(raw)
    assert_refused(run("grid", path), ["grid", case])


def test_huge_number_in_operator_position_and_keys(tmp_path):
    """A multi-million-digit number in an odd place (a key's value that is not numeric)."""
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(V1).replace('"operator": "max"', '"operator": ' + "9" * HUGE_DIGITS))
    assert_refused(run("convert", path), "convert huge operator")


def test_astronomical_grid_refused_with_estimate_not_built(tmp_path):
    """shallow N=100, M=2: the file is tiny, the grid has 2^100 entries."""
    N = 100
    doc = {
        "format": "symtd-network/1",
        "architecture": "shallow",
        "N": N,
        "M": 2,
        "operator": "product",
        "widths": [1],
        "weights": {"layer0": [[[1, 2]] for _ in range(N)], "output": [1]},
    }
    path = write_json(tmp_path / "big.json", doc)
    for argv in (
        ["grid", path],
        ["rank", path, "--partition", "odd-even"],
        ["latex", path, "--what", "matricization", "odd-even"],
        ["draw", path, "--out", tmp_path / "h.png", "--matricization", "odd-even"],
    ):
        status, out, err = result = run(*argv)
        assert_refused(result, argv)
        assert re.search(r"[0-9]", err) and re.search(
            r"entr|memory|large|many|byte|size|×|rows", err
        ), f"{argv[0]}: refusal does not state the size: {err!r}"


def test_astronomical_grid_answered_by_separation_without_the_grid(tmp_path):
    """N = 64, M = 2 (2^64 grid entries): the separation rank of a width-2 shallow network is
    answered exactly (a 2×2 witness minor and the min-cut 2), never by building the grid; a
    width past the limit is still refused in one line."""
    N = 64
    doc = {
        "format": "symtd-network/2",
        "N": N,
        "M": 2,
        "operator": "product",
        "nodes": [{"width": 2, "pool": [[f"x{j}", "A"] for j in range(N)]}],
        "output": "out",
    }
    path = write_json(tmp_path / "big.json", doc)
    status, out, err = run("separation", path, "--points", "1", "--partition", "odd-even")
    assert status == 0 and "Traceback" not in err, err
    assert re.search(r"^odd-even\s+\S+\s+2\s+2\s+min-cut\s+yes$", out, re.M), out
    doc["nodes"][0]["width"] = 10**6
    wide = write_json(tmp_path / "wide.json", doc)
    assert_refused(run("separation", wide, "--points", "1"), "separation width 10^6")


def test_v2_huge_fan_in_grid_refused(tmp_path):
    """N=40 positions into one node, M=2: 2^40 grid entries."""
    N = 40
    doc = {
        "format": "symtd-network/2",
        "N": N,
        "M": 2,
        "operator": "max",
        "nodes": [{"width": 1, "pool": [[f"x{j}", "A"] for j in range(N)]}],
        "output": "out",
        "weights": {"A": [["1", "2"]], "out": ["1"]},
    }
    path = write_json(tmp_path / "fan.json", doc)
    assert_refused(run("grid", path), "grid fan-in 40")


def test_deep_N64_M1_is_answered_or_refused_cleanly(tmp_path):
    """N = 64 with M = 1: one grid entry, but a 64-dimensional tensor."""
    N = 64
    doc = {
        "format": "symtd-network/1",
        "architecture": "deep",
        "N": N,
        "M": 1,
        "operator": "product",
        "widths": [1] * 6,
        "weights": {
            "layer0": [[[2]] for _ in range(N)],
            **{f"layer{l}": [[[1]] for _ in range(N >> l)] for l in range(1, 6)},
            "output": [1],
        },
    }
    path = write_json(tmp_path / "m1.json", doc)
    for argv in (["grid", path], ["rank", path, "--partition", "odd-even"]):
        status, out, err = result = run(*argv)
        if status == 2:
            assert_refused(result, argv)
        else:
            assert status == 0 and "Traceback" not in err, result
            if argv[0] == "grid":
                assert json.loads(out) == {"shape": [1] * N, "entries": [str(2**N)]}
            else:
                assert out.split()[-1] == "1"


def test_long_v2_chain_is_answered_or_refused_cleanly(tmp_path):
    """A recurrent chain of 50,000 one-member nodes (deep recursion bait)."""
    K = 50_000
    nodes = [{"width": 1, "pool": [["x0", "A"], ["x1", "B"]]}]
    nodes += [{"width": 1, "pool": [[f"n{k - 1}", "C"]]} for k in range(1, K)]
    doc = {
        "format": "symtd-network/2",
        "N": 2,
        "M": 2,
        "operator": "product",
        "nodes": nodes,
        "output": "out",
        "weights": {"A": [["1", "1"]], "B": [["1", "1"]], "C": [["1"]], "out": ["1"]},
    }
    path = write_json(tmp_path / "chain.json", doc)
    status, out, err = result = run("grid", path)
    if status == 2:
        assert_refused(result, "grid chain")
    else:
        assert status == 0 and "Traceback" not in err, result
        assert json.loads(out)["entries"] == ["1"] * 4  # every node value is 1·1


def test_huge_weights_compounding_in_a_deep_product_network(tmp_path):
    """10,000-digit weights are allowed one by one, but a deep product network multiplies them:
    N = 16, M = 2 gives 65,536 entries of ~500,000 digits each. Answer or refuse, in bounded
    time."""
    N, big = 16, "9" * 10_000
    doc = {
        "format": "symtd-network/1",
        "architecture": "deep",
        "N": N,
        "M": 2,
        "operator": "product",
        "widths": [2] * 4,
        "weights": {
            "layer0": [[[big, big], [big, "-" + big]] for _ in range(N)],
            **{f"layer{l}": [[[big, big], [big, big]] for _ in range(N >> l)] for l in range(1, 4)},
            "output": [big, big],
        },
    }
    path = write_json(tmp_path / "bigweights.json", doc)
    status, out, err = result = run("grid", path, "--out", tmp_path / "g.json")
    if status == 2:
        assert_refused(result, "grid huge weights")
    else:
        assert status == 0 and "Traceback" not in err, result


@pytest.mark.parametrize(
    "pool",
    [
        "((((((((((x^8)^8)^8)^8)^8)^8)^8)^8)^8)^8)*y",
        "x*y*((((((((((x^8)^8)^8)^8)^8)^8)^8)^8)^8)^8)",
    ],
)
def test_custom_operator_exponent_tower_refused_quickly(tmp_path, pool):
    """Each exponent is <= 8, but nested parentheses multiply them: x^(8^10). The operator check
    must refuse (or decide) it in bounded time, not evaluate 5^(8^10)."""
    path = write_json(
        tmp_path / "tower.json", dict(V1, operator={"name": "tower", "sigma": "x", "pool": pool})
    )
    assert_refused(run("grid", path), ["grid", "exponent tower"])
