"""Every proofs/ script runs, asserts its own results and ends with the independent re-check."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "proofs").glob("t[1-7]_*.py"))


def test_one_script_per_theorem():
    assert [p.name[:2] for p in SCRIPTS] == ["t1", "t2", "t3", "t4", "t5", "t6", "t7"]


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_proof_script_runs_and_rechecks(script):
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True
    ).stdout
    assert "Why this proves it" in out
    assert out.rstrip().endswith("certificate re-checked independently: ok")
