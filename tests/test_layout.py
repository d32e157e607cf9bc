"""The package's architecture, checked: floors that read as the pipeline, imports one way.

Floors, lowest first (a module may import its own floor or a lower one, never a higher one):
errors < algebra < circuits < tensors < ranks < checker < theorems < render < learn < sweeps
< explore < symtd (the public names) < cli.
Inside one floor the module import graph is acyclic. Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "symtd"
FLOORS = (
    "errors",
    "algebra",
    "circuits",
    "tensors",
    "ranks",
    "checker",
    "theorems",
    "render",
    "learn",
    "sweeps",
    "explore",
    "cli",
)
TOP = {"__main__", "bench"}  # the public face, python -m symtd, the bench launcher
MAX_LINES = 800


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def floor(module: str) -> float | None:
    """The floor of symtd.<floor>[...]; the public face (symtd itself) sits just below the
    command line; None for __main__ and the bench launcher, which nothing imports."""
    if module == "symtd":
        return FLOORS.index("cli") - 0.5
    head = module.split(".")[1]
    return None if head in TOP else FLOORS.index(head)


def imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The symtd modules a module imports, anywhere in its body (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                base = ".".join(up[: len(up) - node.level + 1] + ([base] if base else []))
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module and name != "symtd":
                out.add(name)
            elif name == "symtd" and module != "symtd":
                out.add("symtd")
    return out


def graph() -> nx.DiGraph:
    known = modules()
    G = nx.DiGraph()
    G.add_nodes_from(known)
    for module, path in known.items():
        for target in imports(module, path, known):
            G.add_edge(module, target)
    return G


def test_every_module_is_on_a_floor() -> None:
    for module in modules():
        if module != "symtd":
            floor(module)  # raises ValueError for a module outside the named floors


def test_imports_go_down_the_floors() -> None:
    climbs = [
        (a, b)
        for a, b in graph().edges
        if floor(a) is not None and (floor(b) is None or floor(b) > floor(a))
    ]
    assert not climbs, f"imports that climb a floor: {climbs}"


def test_no_import_circle_even_inside_functions() -> None:
    cycles = list(nx.simple_cycles(graph()))
    assert not cycles, f"import circles: {cycles}"


def test_only_the_command_line_imports_the_public_face() -> None:
    users = [a for a, b in graph().edges if b == "symtd" and not a.startswith("symtd.cli")]
    assert not users, f"modules importing the package's public face: {users}"


def test_no_private_name_crosses_a_module() -> None:
    known = modules()
    crossing = []
    for module, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("symtd"):
                crossing += [
                    (module, node.module, a.name)
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert not crossing, f"private names imported across modules: {crossing}"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_file_over_800_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE.parent)}: {lines} lines"


def test_the_floor_checker_catches_a_climb_and_a_circle(tmp_path: Path) -> None:
    """The checks above can fail: a climb and a circle inside functions are both seen."""
    G = nx.DiGraph([("symtd.algebra.rank", "symtd.ranks.bounds")])
    assert floor("symtd.ranks.bounds") > floor("symtd.algebra.rank")
    source = "def f():\n    from symtd.tensors.grid import grid_tensor\n"
    path = tmp_path / "x.py"
    path.write_text(source)
    known = {"symtd.algebra.x": path, "symtd.tensors.grid": path}
    assert imports("symtd.algebra.x", path, known) == {"symtd.tensors.grid"}
    G.add_edge("symtd.ranks.bounds", "symtd.algebra.rank")
    assert list(nx.simple_cycles(G))
