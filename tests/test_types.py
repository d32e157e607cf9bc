"""Types: the public API is annotated, the package says so (py.typed), and mypy agrees."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import symtd

ROOT = Path(__file__).resolve().parent.parent


def public_callables() -> list[tuple[str, object]]:
    """(name, function) for every function, method and property in symtd.__all__."""
    found = []
    for name in symtd.__all__:
        obj = getattr(symtd, name)
        if inspect.isfunction(obj):
            found.append((name, obj))
        elif inspect.isclass(obj) and obj.__module__.startswith("symtd"):
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                if isinstance(member, property):
                    member = member.fget
                elif isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if inspect.isfunction(member) and member.__qualname__.startswith(obj.__name__):
                    found.append((f"{name}.{attr}", member))
    return found


def missing_annotations(function: object) -> list[str]:
    """The parameters (and 'return') of a function that carry no annotation."""
    signature = inspect.signature(function)  # type: ignore[arg-type]
    missing = [
        p.name
        for p in signature.parameters.values()
        if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty
    ]
    if signature.return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


def test_public_api_is_annotated() -> None:
    bare = {}
    for name, function in public_callables():
        missing = missing_annotations(function)
        if missing:
            bare[name] = missing
    assert not bare, f"public functions without annotations: {bare}"


def test_the_annotation_check_can_fail() -> None:
    def f(x, y: int):  # noqa: ANN001
        return x

    assert missing_annotations(f) == ["x", "return"]


def test_package_is_marked_typed() -> None:
    assert (ROOT / "symtd" / "py.typed").is_file()


@pytest.mark.slow
def test_mypy_passes_on_the_package() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
