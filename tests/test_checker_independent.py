"""The checker is independent: no file under symtd/checker imports anything from symtd outside
symtd.checker, nor anything outside the standard library (imports inside functions count)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHECKER = Path(__file__).resolve().parent.parent / "symtd" / "checker"


def foreign_imports(source: str, depth: int = 1) -> list[str]:
    """The imports of a module of the checker package that reach outside it: ``symtd`` (other
    than symtd.checker), anything not in the standard library, and relative imports that climb
    out of the package. ``depth`` is how deep the module sits below symtd/checker (1 for its
    own files)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level > depth:
                    found.append("." * node.level + (node.module or ""))
                continue
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top == "symtd":
                if name != "symtd.checker" and not name.startswith("symtd.checker."):
                    found.append(name)
            elif top not in sys.stdlib_module_names and top != "__future__":
                found.append(name)
    return found


def test_the_checker_is_a_package_of_small_files() -> None:
    files = sorted(CHECKER.rglob("*.py"))
    assert len(files) >= 5
    assert all(p.read_text(encoding="utf-8").count("\n") <= 800 for p in files)


@pytest.mark.parametrize("path", sorted(CHECKER.rglob("*.py")), ids=lambda p: p.name)
def test_checker_module_imports_only_itself_and_the_standard_library(path: Path) -> None:
    depth = len(path.relative_to(CHECKER).parts)
    assert foreign_imports(path.read_text(encoding="utf-8"), depth) == []


@pytest.mark.parametrize(
    "source",
    [
        "import symtd",
        "from symtd import claims",
        "from symtd.algebra.rank import rank",
        "import numpy",
        "from sympy import Matrix",
        "def f():\n    import flint\n",
        "def f():\n    from symtd.tensors.grid import grid_tensor\n",
        "from .. import errors",
        "from ..errors import escape",
        "import symtd.checkers",
        "try:\n    import numpy as np\nexcept ImportError:\n    np = None\n",
    ],
)
def test_the_independence_test_catches_a_foreign_import(source: str) -> None:
    assert foreign_imports(source)


@pytest.mark.parametrize(
    "source",
    [
        "import itertools, json, math, re",
        "from fractions import Fraction",
        "from .reader import CheckFailed",
        "from . import networks",
        "from symtd.checker.reader import number",
        "import symtd.checker",
        "from __future__ import annotations",
    ],
)
def test_the_independence_test_allows_the_package_and_the_standard_library(source: str) -> None:
    assert foreign_imports(source) == []


def test_the_checker_imports_cleanly_without_the_rest_of_symtd(tmp_path: Path) -> None:
    """A copy of the checker folder, alone on the path under another name, imports and checks:
    nothing in it reaches for symtd."""
    shutil.copytree(CHECKER, tmp_path / "standalone_checker")
    code = (
        "import sys, standalone_checker as c\n"
        "assert not any(m == 'symtd' or m.startswith('symtd.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('symtd'))\n"
        "assert c.rank([[1, 2], [2, 4]]) == 1\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
