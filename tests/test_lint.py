"""The project's linter configuration (pyproject.toml, ruff) holds for all of its code."""

import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff") or [sys.executable, "-m", "ruff"]
    command = [ruff] if isinstance(ruff, str) else ruff
    done = subprocess.run(
        [*command, "check", "symtd", "tests", "proofs", "examples", "demos"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
