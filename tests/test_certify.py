"""symtd certify / symtd.certify: a "separation" certificate per partition that the independent
checker re-verifies; tampered certificates are rejected by symtd check (exit 1)."""

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import call

import symtd
from symtd import checker
from symtd.ranks.matricization import matricization_rank
from symtd.theorems.certify import CertifiedPartition, printable

ROOT = Path(__file__).resolve().parent.parent
YOURS = ROOT / "examples" / "yours"
FILES = sorted(YOURS.glob("*.json"))


def certificates(capsys, tmp_path, name, *extra):
    """symtd certify on examples/yours/NAME: (status, stdout lines, certificates written)."""
    out = tmp_path / "cert.json"
    status, stdout, err = call(capsys, "certify", YOURS / name, "--out", out, *extra)
    assert err == ""
    return status, stdout.splitlines(), json.loads(out.read_text()) if out.exists() else []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_example_is_certified_and_rechecked(capsys, tmp_path, path):
    status, lines, certs = certificates(capsys, tmp_path, path.name)
    parts = lines[:-1]
    assert certs and len(certs) == len(parts)
    assert all(line.endswith("re-verified by the checker") for line in parts)
    certified = sum(", certified (" in line for line in parts)
    assert lines[-1].startswith(f"{certified} of {len(parts)} partitions certified; ")
    assert status == (0 if certified == len(parts) else 1)
    assert call(capsys, "check", tmp_path / "cert.json")[0] == 0
    for cert in certs:  # every one says what it proves
        inst = cert["instance"]
        assert checker.summary(cert) in (
            f"rank* = {inst['lower']} (certified)",
            f"{inst['lower']} <= rank* <= {inst['upper']}",
        )


def test_known_ranks_of_a_deep_convac(capsys, tmp_path):
    """deep product N=8, widths 2: odd-even r^(N/2) = 16, low-high r = 2, both certified."""
    status, lines, certs = certificates(
        capsys,
        tmp_path,
        "deep_product_N8.json",
        "--partition",
        "odd-even",
        "--partition",
        "low-high",
    )
    assert status == 0
    assert lines[0].startswith("odd-even I=(0,2,4,6): rank* = 16, certified (min-cut: ")
    assert lines[1].startswith("low-high I=(0,1,2,3): rank* = 2, certified (min-cut: ")
    assert lines[-1] == (
        f"2 of 2 partitions certified; 2 certificate(s) written to {tmp_path / 'cert.json'}"
    )
    assert [c["instance"]["lower"] for c in certs] == [16, 2]
    assert all(c["theorem"] == "separation" and "weights" in c["networks"]["net"] for c in certs)


def test_a_bracket_exits_1_and_says_so(capsys, tmp_path):
    """deep max N=8 odd-even: only a bracket under the matrix size 16."""
    status, lines, certs = certificates(
        capsys, tmp_path, "deep_max_N8.json", "--partition", "odd-even"
    )
    assert status == 1
    assert " <= rank* <= 16 (matrix size: " in lines[0]
    assert lines[-1].startswith("0 of 1 partitions certified; 1 certificate(s) written")
    assert call(capsys, "check", tmp_path / "cert.json")[0] == 0


def test_balanced_partitions_expand(capsys, tmp_path):
    status, lines, certs = certificates(
        capsys, tmp_path, "avg_tree_N4.json", "--partition", "balanced"
    )
    assert [line.split(":")[0] for line in lines[:-1]] == ["I=0,1", "I=0,2", "I=0,3"]
    assert lines[0].startswith("I=0,1: rank* = 2, certified (sum/avg split: ")
    assert len(certs) == 3


# -- tampering --------------------------------------------------------------------------------
def _cut_item_dropped(cert):
    claim = cert["claims"][1]
    assert claim["kind"] == "cut_bound" and len(claim["cut"]) >= 1
    claim["cut"].pop()


def _capacity_edited(cert):
    cert["claims"][1]["bound"] += 1
    cert["instance"]["upper"] += 1


def _rank_plus_one(cert):
    cert["instance"]["lower"] += 1
    cert["claims"][0]["rank"] += 1


def _row_tuple_duplicated(cert):
    minor = cert["claims"][0]
    minor["row_tuples"][1] = list(minor["row_tuples"][0])


def _weight_point_changed(cert):
    weights = cert["networks"]["net"]["weights"]
    weights["output"] = ["0"] * len(weights["output"])  # the grid is 0: every minor singular


def _lower_above_upper(cert):
    cert["instance"]["upper"] = cert["instance"]["lower"] - 1
    cert["claims"][1]["bound"] = cert["instance"]["upper"]


TAMPER = [
    _rank_plus_one,
    _row_tuple_duplicated,
    _weight_point_changed,
    _cut_item_dropped,
    _capacity_edited,
    _lower_above_upper,
]


@pytest.fixture(scope="module")
def deep_certificate():
    """The odd-even certificate of the deep ConvAC N=4 with weights (rank 4, a min-cut)."""
    circuit = symtd.load_network(YOURS / "deep_product_N4_weights.json")
    [part] = symtd.certify(circuit, ["odd-even"])
    assert part.certified and part.rechecked and part.bound == "min-cut"
    return part.certificate


@pytest.mark.parametrize("tamper", TAMPER, ids=lambda f: f.__name__.strip("_"))
def test_tampered_certificates_are_rejected(capsys, tmp_path, deep_certificate, tamper):
    cert = copy.deepcopy(deep_certificate)
    tamper(cert)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([cert]))
    status, out, _ = call(capsys, "check", path)
    assert status == 1 and ": FAILED: " in out
    with pytest.raises(checker.CheckFailed):
        checker.check(cert)


# -- the Python API ---------------------------------------------------------------------------
@settings(max_examples=12, deadline=None)
@given(
    st.sampled_from(["product", "max", "sum", "avg"]),
    st.sampled_from([1, 2]),
    st.sampled_from([2, 3]),
    st.sampled_from(["odd-even", "low-high", "I=0,3", "I=1"]),
    st.booleans(),
    st.integers(0, 50),
)
def test_certificates_are_sound_and_rechecked(operator, width, M, spec, weights, seed):
    """For random small deep circuits: the bracket's certificate passes the checker, lower <=
    upper, and with weights the lower bound never exceeds the exact rank at those weights."""
    circuit = symtd.deep(4, M, width, operator)
    if weights:
        circuit = circuit.at_random_point(seed, bound=5)
    [part] = symtd.certify(circuit, [spec], seed=seed, points=1)
    assert isinstance(part, CertifiedPartition)
    assert part.rechecked and checker.check(part.certificate)
    assert 0 <= part.lower <= part.upper  # a ReLU grid may be 0 at one point
    assert part.certified == (part.lower == part.upper)
    if weights:
        assert part.lower <= matricization_rank(circuit, part.rows)
    inst = part.certificate["instance"]
    assert (inst["lower"], inst["upper"], inst["bound"]) == (part.lower, part.upper, part.bound)


def test_a_file_with_weights_is_certified_at_its_own_weights():
    circuit = symtd.load_network(YOURS / "deep_product_N4_weights.json")
    [part] = symtd.certify(circuit, ["odd-even"])
    assert symtd.network_from_dict(part.certificate["networks"]["net"]) == circuit


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"partitions": ["I="]}, "partition"),
        ({"partitions": ["I=0,1,2,3"]}, "I and J must both be non-empty"),
        ({"partitions": "odd-even"}, "a list of partition specs"),
        ({"seed": -1}, "seed must be an integer"),
        ({"points": 0}, "points must be an integer"),
    ],
)
def test_bad_arguments_are_one_clear_error(kwargs, message):
    with pytest.raises(symtd.SymtdError, match=message):
        symtd.certify(symtd.deep(4, 2, 2), **kwargs)


def test_printable_escapes_controls_but_keeps_dashes():
    assert printable("cut n0–x1 (2)") == "cut n0–x1 (2)"
    assert "\n" not in printable("a\nb\x1b[31m\u202e") and "\\n" in printable("a\nb")


@pytest.mark.parametrize(
    "argv",
    [
        ["certify", "missing.json", "--out", "c.json"],
        ["certify", YOURS / "deep_product_N8.json", "--out", "c.json", "--points", "0"],
        ["certify", YOURS / "deep_product_N8.json", "--out", "c.json", "--partition", "I=9"],
        ["certify", YOURS / "deep_product_N8.json"],
    ],
)
def test_bad_input_is_one_line_and_status_2(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    status, out, err = call(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("symtd: error: ") and err.count("\n") == 1
