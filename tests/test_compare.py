"""symtd compare / symtd.compare: each of the three verdicts on networks shipped in examples/,
with their exact wording, the certificate of "beyond" and the construction of "within"."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import call

import symtd
from symtd import checker
from symtd.theorems.compare import BEYOND, INCONCLUSIVE, WITHIN, shallow_bound

YOURS = Path(__file__).resolve().parent.parent / "examples" / "yours"
DEEP = YOURS / "deep_product_N8.json"


def test_beyond_on_odd_even(capsys, tmp_path):
    """A deep ConvAC N=8, widths 2 against Z=10: odd-even rank 16 > 10."""
    cert = tmp_path / "beyond.json"
    status, out, err = call(capsys, "compare", DEEP, "--shallow", "10", "--cert", cert)
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "odd-even I=(0,2,4,6): beyond every shallow network of width 10 (rank 16 > 10: a "
        "shallow ConvAC of width Z is a sum of Z rank-one tensors)",
        "low-high I=(0,1,2,3): inconclusive: the rank test cannot decide (rank 2 <= bound 10)",
        "overall: beyond every shallow network of width 10 (odd-even)",
        f"1 certificate(s) written to {cert}",
    ]
    [written] = json.loads(cert.read_text())
    assert written["instance"]["lower"] == 16 and checker.check(written)
    assert call(capsys, "check", cert)[0] == 0


def test_within_reach_by_construction(capsys, tmp_path):
    """The same architecture against Z = M^N = 256: the T1 construction, checked exactly."""
    shallow = tmp_path / "shallow.json"
    status, out, err = call(capsys, "compare", DEEP, "--shallow", "256", "--out-shallow", shallow)
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "odd-even I=(0,2,4,6): within reach by construction",
        "low-high I=(0,1,2,3): within reach by construction",
        "overall: within reach by construction (a shallow network of width 256 <= 256 has the "
        "same grid tensor, checked exactly)",
        f"shallow network written to {shallow}",
    ]
    net = symtd.load_network(shallow)
    assert net.is_concrete and len(net.nodes) == 1 and net.nodes[0].width <= 256
    deep = symtd.load_network(DEEP).at_random_point(0)  # the point the construction used
    assert symtd.grid_tensor(net, arithmetic="exact") == symtd.grid_tensor(deep, arithmetic="exact")


def test_inconclusive_for_a_deep_max_network(capsys):
    """A deep max network N=8 against Z = 100: the max lemma allows rank 100·4·2 = 800."""
    status, out, err = call(
        capsys,
        "compare",
        YOURS / "deep_max_N8.json",
        "--shallow",
        "100",
        "--partition",
        "odd-even",
    )
    assert (status, err) == (1, "")
    lines = out.splitlines()
    assert lines[0].startswith("odd-even I=(0,2,4,6): inconclusive: the rank test cannot decide")
    assert lines[0].endswith(" <= bound 800)")
    assert lines[1] == "overall: inconclusive: the rank test cannot decide"


def test_json_output(capsys):
    status, out, _ = call(capsys, "compare", YOURS / "avg_tree_N4.json", "--shallow", "7", "--json")
    data = json.loads(out)
    assert status == 0 and data["verdict"] == "beyond" and data["Z"] == 7
    [odd, low] = data["partitions"]
    assert (odd["verdict"], odd["bound"], odd["certificate"]) == ("beyond", 2, True)
    assert (low["verdict"], low["text"]) == ("inconclusive", INCONCLUSIVE)


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(["product", "max", "sum", "avg"]), st.integers(1, 20), st.integers(0, 9))
def test_verdicts_agree_with_the_bounds(operator, Z, seed):
    """Beyond exactly when the rank reached exceeds b; a construction only where one exists;
    every beyond verdict's certificate passes the checker."""
    circuit = symtd.deep(4, 2, 2, operator).at_random_point(seed, bound=9)
    result = symtd.compare(circuit, Z, ["odd-even", "low-high"], seed=seed)
    for part in result.parts:
        if part.verdict == "within":
            assert operator in ("product", "max") and result.shallow is not None
            continue
        b, _ = shallow_bound(operator, Z, 2, 4, part.rows)
        assert part.bound == b and part.beyond == (part.rank > b)
        assert part.text == (BEYOND.format(Z=Z) if part.beyond else INCONCLUSIVE)
        if part.beyond:
            assert checker.check(part.certificate)
    assert result.verdict == (
        "beyond"
        if any(p.beyond for p in result.parts)
        else "within"
        if result.shallow
        else "inconclusive"
    )
    if result.verdict == "within":
        assert result.overall_line().startswith(f"overall: {WITHIN}")


@pytest.mark.parametrize(
    "argv",
    [
        ["compare", DEEP, "--shallow", "0"],
        ["compare", DEEP, "--shallow", "x"],
        ["compare", DEEP],
        ["compare", "missing.json", "--shallow", "3"],
        ["compare", DEEP, "--shallow", "3", "--partition", "I=0,1,2,3,4,5,6,7"],
    ],
)
def test_bad_input_is_one_line_and_status_2(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    status, out, err = call(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("symtd: error: ") and err.count("\n") == 1


def test_a_construction_beyond_the_size_limit_is_refused():
    with pytest.raises(symtd.SymtdError, match="construction is built and checked only up to"):
        symtd.compare(symtd.deep(16, 2, 2), 2**16)
