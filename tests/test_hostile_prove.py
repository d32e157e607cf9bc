"""Hostile input, prove: oversize and invalid instances are refused quickly; what prove writes,
check can check (the contract: see tests/support.py).
"""

from __future__ import annotations

import pytest
from support import assert_refused, call, run

# ==================================================================================================
# prove: oversize and invalid instances are refused quickly; what prove writes, check can check
# ==================================================================================================
PROVE_REFUSED = [
    ["T4", "--N", "10000000000"],
    ["T1", "--N", "40", "--M", "1"],
    ["T4", "--N", "40", "--M", "1"],
    ["T5", "--N", "40", "--M", "1"],
    ["T6", "--N", "40", "--M", "1"],
    ["T1", "--N", "16", "--M", "2"],
    ["T2", "--N", "16", "--M", "2"],
    ["T3", "--widths", "5000,2"],
    ["T4", "--N", "16"],
    ["T4", "--N", "0"],
    ["T4", "--N", "-4"],
    ["T4", "--M", "0"],
    ["T4", "--r", "0"],
    ["T4", "--r", "-1"],
    ["T1", "--Z", "0"],
    ["T3", "--widths", "0,2"],
    ["T3", "--widths", "-1,2"],
    ["T3", "--widths", "2,,2"],
    ["T4", "--seed", "-1"],
    ["T4", "--N", "123456789012345678901234567890"],
    ["T4", "--seed", "123456789012345678901234567890"],
    ["T4", "--M", "9" * 30],
    ["T4", "--N", "4.0"],
    ["T4", "--N", " 4"],
    ["T4", "--N", "+4"],
    ["T4", "--N", "\u0664"],
    ["T4", "--architecture", "wide"],
    ["T1", "--architecture", "wide"],
    ["T3", "--architecture", "wide"],
    ["T4", "--architecture", "deep\n[0] ok"],
    ["T3", "--operator", "min"],
    ["T3", "--operator", "\ud800"],
    ["T3", "--partition", "I=0,\n1"],
    ["T3", "--partition", "I=9"],
    ["T8"],
    ["t4"],
    ["T4\n"],
    ["\x1b[31mT4"],
    ["\ud800"],
    ["all", "--N", "4"],
    ["T4", "--architecture", "overlapping", "--kernel", "1"],
    ["T4", "--architecture", "overlapping", "--stride", "0"],
    ["T4", "--shared", "maybe"],
    ["T3", "--widths=--"],
    ["T7", "--templates=--"],
    ["T4", "--N=--"],
    ["T5", "--Z", "3"],
    ["T6", "--N", "16", "--widths", "9,9,9,9"],
    ["T7", "--N", "16"],
    ["T7", "--templates", "1/0,2,3"],
    ["T7", "--templates", "nan,2,3"],
    ["T7", "--templates", "inf,2,3"],
    ["T7", "--templates", "1e99999999,2,3"],
    ["T7", "--biases=1e-99999999,0,1"],
    ["T7", "--templates", "1e999999999999,2"],
    ["T7", "--templates", ",".join(["1"] * 400)],
    ["T1", "--cert", "/no/such/dir/c\n[0] T1: ok.json", "--N", "3"],
    ["T4", "--N", "4", "--latex", "/no/such/dir/r.tex"],
    ["T4", "--N", "4", "--latex", "r\n.tex"],
    ["T4", "--pdf"],
]


_PROVE_ARGV = [
    a for a in PROVE_REFUSED if not any("\ud800" in x for x in a)
]  # real argv can't hold them


@pytest.mark.slow  # one python -m symtd per case
@pytest.mark.parametrize("argv", _PROVE_ARGV, ids=[ascii(" ".join(a))[:60] for a in _PROVE_ARGV])
def test_prove_refuses_bad_or_oversize_instances(tmp_path, argv):
    assert_refused(run("prove", *argv, cwd=tmp_path), ["prove", *argv])


@pytest.mark.parametrize("argv", [a for a in PROVE_REFUSED if any("\ud800" in x for x in a)])
def test_prove_refuses_lone_surrogates_in_process(capsys, argv):
    assert_refused(call(capsys, "prove", *argv), ["prove", *argv])


@pytest.mark.parametrize(
    "argv",
    [
        ["T4", "--N", "32", "--M", "1"],  # control: passes quickly
        ["T5", "--N", "16"],  # a 256 × 256 identity: within the checker's limits
        ["T6", "--N", "16", "--widths", "8,8,8,8"],
        [
            "T4",
            "--architecture",
            "overlapping",
            "--N",
            "12",
            "--M",
            "2",
            "--r",
            "8",
            "--kernel",
            "2",
            "--stride",
            "1",
        ],
        ["T4", "--architecture", "overlapping", "--kernel", "100000"],  # checker: kernel <= 64
        ["T3", "--N", "8", "--widths", "8,8,8"],
    ],
    ids=lambda a: " ".join(a),
)
@pytest.mark.slow  # two subprocesses per case; T5 --N 16 alone takes ~30 s
def test_check_finishes_on_what_prove_writes(tmp_path, argv):
    """Boundary instances prove accepts: the certificates it writes must be checkable in
    bounded time (prove refuses what the checker cannot check)."""
    cert = tmp_path / "c.json"
    status, out, err = run("prove", *argv, "--cert", cert)
    if status == 2:
        assert_refused((status, out, err), ["prove", *argv])
        return
    assert status == 0 and "Traceback" not in err, (status, out, err)
    status, out, err = run("check", cert)
    assert status == 0, (
        f"check of prove {' '.join(argv)}: status {status}: {out[-500:]} {err[-500:]}"
    )
    assert out.strip().splitlines()[-1].endswith("certificates pass")
