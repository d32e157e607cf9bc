"""Network files: "symtd-network/1" and "symtd-network/2" (:doc:`/formats`), read strictly.

JSON is read with duplicate keys, NaN/Infinity and numbers of more than
:data:`~symtd.algebra.rational.MAX_DIGITS` digits refused. Both formats become one
:class:`~symtd.circuits.circuit.Circuit`; a v1 file is the v2 circuit whose position j feeds its
level-1 window through block "layer0_j" (or "layer0" when shared), node t of level l its
parent through "layer{l}_t" (or "layer{l}"), with output block "output". A file without
"weights" is an architecture: its weights are symbols.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from symtd.algebra.rational import (
    MAX_DIGITS,
    count_digits,
    format_rational,
    parse_rational,
    str_to_int,
)
from symtd.circuits.builders import tree, v1_shapes, validate_levels
from symtd.circuits.circuit import MAX_POSITIONS, MAX_WIDTH, Circuit
from symtd.circuits.operators import BUILTIN, Operator, operator_from_json, operator_to_json
from symtd.errors import SymtdError, escape

FORMAT_V1, FORMAT_V2 = "symtd-network/1", "symtd-network/2"
FORMAT = FORMAT_V1
MAX_FILE_BYTES = 2**29
# A file's path, as the readers and writers take it.
FilePath = str | os.PathLike[str]
_KEYS_V1 = {
    "format",
    "architecture",
    "N",
    "M",
    "operator",
    "widths",
    "levels",
    "shared",
    "F",
    "weights",
}
_KEYS_V2 = {"format", "N", "M", "operator", "F", "nodes", "output", "weights"}
_REQUIRED = {
    FORMAT_V1: ("format", "architecture", "N", "M", "operator", "widths"),
    FORMAT_V2: ("format", "N", "M", "operator", "nodes", "output"),
}


# -- strict JSON ------------------------------------------------------------------------------
def loads(text: str | bytes, where: str = "input") -> Any:  # any JSON value
    """Parse JSON text strictly: duplicate keys, NaN/Infinity and over-long numbers refused."""

    def pairs(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
        obj = {}
        for key, value in items:
            if key in obj:
                raise SymtdError(
                    f"{where}: duplicate key {escape(key)} (JSON objects must not repeat a key)"
                )
            obj[key] = value
        return obj

    def integer(digits: str) -> int:
        if len(digits) > MAX_DIGITS + 1 or count_digits(digits) > MAX_DIGITS:
            raise SymtdError(f"{where}: a number has more than {MAX_DIGITS:,} digits")
        return str_to_int(digits)

    def floating(digits: str) -> float:
        if len(digits) > MAX_DIGITS + 2 or count_digits(digits) > MAX_DIGITS:
            raise SymtdError(f"{where}: a number has more than {MAX_DIGITS:,} digits")
        return float(digits)

    def constant(name: str) -> Any:
        raise SymtdError(f"{where}: {name} is not valid JSON")

    try:
        return json.loads(
            text,
            object_pairs_hook=pairs,
            parse_int=integer,
            parse_float=floating,
            parse_constant=constant,
        )
    except json.JSONDecodeError as exc:
        raise SymtdError(f"{where}: invalid JSON: {exc}") from None
    except RecursionError:
        raise SymtdError(f"{where}: invalid JSON: nested too deeply") from None


def read_json(path: FilePath, what: str = "file") -> Any:  # any JSON value
    """Read and strictly parse a JSON file (at most 512 MiB)."""
    where = escape(os.fspath(path), 120, quote=False)
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            raise SymtdError(f"{where}: the {what} is larger than {MAX_FILE_BYTES // 2**20} MiB")
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise SymtdError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise SymtdError(f"{where}: is a directory, not a {what}") from None
    except (OSError, UnicodeError) as exc:
        raise SymtdError(f"{where}: cannot read: {escape(str(exc))}") from None
    return loads(text, where)


# -- reading -----------------------------------------------------------------------------------
def load_network(path: FilePath) -> Circuit:
    """Read a v1 or v2 network file into a Circuit.

    Parameters
    ----------
    path : str or os.PathLike
        The network file (JSON, :doc:`/formats`).

    Returns
    -------
    Circuit
        The validated circuit.

    Raises
    ------
    SymtdError
        On any problem (unreadable file, invalid JSON or document), in one clear line.

    Examples
    --------
    >>> import os, tempfile, symtd
    >>> net = symtd.deep(4, 2, 2).at_random_point(seed=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "deep.json")
    >>> symtd.save_network(net, path)  # format v1: a deep tree
    >>> symtd.load_network(path) == net
    True
    """
    data = read_json(path, "network file")
    try:
        return network_from_dict(data)
    except SymtdError as exc:
        raise SymtdError(f"{escape(os.fspath(path), 120, quote=False)}: {exc}") from None


def network_from_dict(data: object) -> Circuit:  # a parsed JSON document, validated
    """Validate a parsed network document (v1 or v2) and build its Circuit.

    Parameters
    ----------
    data : object
        The parsed JSON document (:doc:`/formats`).

    Returns
    -------
    Circuit
        The validated circuit.

    Raises
    ------
    SymtdError
        When the document breaks a rule of its format.

    Examples
    --------
    >>> import symtd
    >>> doc = {"format": "symtd-network/2", "N": 3, "M": 2, "operator": "product",
    ...        "nodes": [{"width": 1, "pool": [["x0", "A"], ["x1", "A"]]},
    ...                  {"width": 1, "pool": [["n0", "C"], ["x2", "A"]]}],
    ...        "output": "out",
    ...        "weights": {"A": [["1", "2"]], "C": [["1"]], "out": ["1/2"]}}
    >>> net = symtd.network_from_dict(doc)
    >>> net
    Circuit(N=3, M=2, operator='product', nodes=2, tree, concrete)
    >>> symtd.grid_tensor(net).to_strings()
    ['1/2', '1', '1', '2', '1', '2', '2', '4']
    >>> symtd.network_from_dict(dict(doc, N=4))
    Traceback (most recent call last):
    ...
    symtd.errors.SymtdError: position x3 is not a member of any node (1 position(s) unused)
    """
    if not isinstance(data, dict):
        raise SymtdError("a network file must hold a JSON object")
    version = data.get("format")
    if version not in (FORMAT_V1, FORMAT_V2):
        raise SymtdError(f"format must be {FORMAT_V1!r} or {FORMAT_V2!r}, got {escape(version)}")
    unknown = sorted(set(data) - (_KEYS_V1 if version == FORMAT_V1 else _KEYS_V2))
    if unknown:
        raise SymtdError(f"unknown key(s) {escape(unknown[:5])}")
    for key in _REQUIRED[version]:
        if key not in data:
            raise SymtdError(f"missing required key {key!r}")
    N = _integer(data["N"], "N", MAX_POSITIONS)
    M = _integer(data["M"], "M", MAX_WIDTH)
    operator = _operator(data["operator"])
    F = None
    if "F" in data:
        F = _rationals(data["F"], (M, M), "F")
    if version == FORMAT_V1:
        return _v1(data, N, M, operator, F)
    return _v2(data, N, M, operator, F)


def _v1(
    data: Mapping[str, Any], N: int, M: int, operator: Operator, F: np.ndarray | None
) -> Circuit:
    widths = data["widths"]
    if not isinstance(widths, list) or not widths:
        raise SymtdError("widths must be a non-empty list of positive integers")
    widths = [_integer(r, "widths entry", MAX_WIDTH) for r in widths]
    shared = data.get("shared", False)
    if not isinstance(shared, bool):
        raise SymtdError("shared must be true or false")
    levels = _levels(data, N, len(widths))
    weights = None
    if "weights" in data:
        if not isinstance(data["weights"], dict):
            raise SymtdError("weights must be an object with blocks layer0, ..., output")
        shapes = v1_shapes(levels, M, widths, shared)
        _check_block_names(data["weights"], shapes)
        weights = {
            k: _rationals(data["weights"][k], shape, f"weights.{k}") for k, shape in shapes.items()
        }
    return tree(levels, M, widths, operator, shared=shared, F=F, weights=weights)


def _v2(
    data: Mapping[str, Any], N: int, M: int, operator: Operator, F: np.ndarray | None
) -> Circuit:
    nodes, output = data["nodes"], data["output"]
    if not isinstance(nodes, list):
        raise SymtdError('nodes must be a list of {"width": ..., "pool": [[member, block], ...]}')
    for k, node in enumerate(nodes):
        if not isinstance(node, dict):
            raise SymtdError(f'node {k} must be an object {{"width": ..., "pool": [...]}}')
        if "width" in node:
            _integer(node["width"], f"node {k}: width", MAX_WIDTH)
    circuit = Circuit(N, M, nodes, operator, output=output, F=F)
    if "weights" not in data:
        return circuit
    weights = data["weights"]
    if not isinstance(weights, dict):
        raise SymtdError("weights must be an object {block name: matrix}")
    _check_block_names(weights, circuit.shapes)
    return circuit.with_weights(
        {
            name: _rationals(weights[name], shape, f"weights.{name}")
            for name, shape in circuit.shapes.items()
        }
    )


def _check_block_names(weights, shapes):
    unknown = sorted(set(weights) - set(shapes))
    if unknown:
        raise SymtdError(
            f"unknown weight block(s) {escape(unknown[:5])}; the circuit's blocks are "
            f"{escape(list(shapes)[:8])}"
        )
    missing = [k for k in shapes if k not in weights]
    if missing:
        raise SymtdError(f"missing weight block(s) {escape(missing[:8])}")


def _operator(value):
    if isinstance(value, str) and value not in BUILTIN:
        raise SymtdError(f"unknown operator {escape(value)}; expected one of {', '.join(BUILTIN)}")
    return operator_from_json(value)


def _integer(value, what, limit):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SymtdError(f"{what} must be a positive JSON integer, got {escape(value)}")
    if value > limit:
        raise SymtdError(f"{what} is too large (at most {limit:,})")
    return value


def _levels(data, N, L):
    architecture = data["architecture"]
    if architecture == "tree":
        if "levels" not in data:
            raise SymtdError("architecture 'tree' needs 'levels'")
        levels = data["levels"]
        if not (
            isinstance(levels, list)
            and all(
                isinstance(level, list)
                and all(
                    isinstance(w, list)
                    and all(isinstance(i, int) and not isinstance(i, bool) for i in w)
                    for w in level
                )
                for level in levels
            )
        ):
            raise SymtdError("levels must be a list of levels, each a list of windows of integers")
        levels = validate_levels(levels)
        if sum(len(w) for w in levels[0]) != N:
            raise SymtdError(
                f"N = {N} disagrees with levels, which cover "
                f"{sum(len(w) for w in levels[0])} positions"
            )
    else:
        if "levels" in data:
            raise SymtdError(
                f"'levels' is only allowed with architecture 'tree', not {escape(architecture)}"
            )
        if architecture == "shallow":
            if N < 2:
                raise SymtdError("shallow networks need N >= 2 (pooling windows have size >= 2)")
            levels = [[list(range(N))]]
        elif architecture == "deep":
            if N < 2 or N & (N - 1):
                raise SymtdError(f"architecture 'deep' needs N = 2^L >= 2, got N = {N}")
            levels, size = [], N
            while size > 1:
                levels.append([[2 * t, 2 * t + 1] for t in range(size // 2)])
                size //= 2
        else:
            raise SymtdError(
                f"unknown architecture {escape(architecture)}; expected tree, shallow or deep"
            )
    if len(levels) != L:
        raise SymtdError(f"widths has {L} entries but the tree has {len(levels)} levels")
    return levels


def _rationals(nested, shape, what):
    """Parse a nested list of exact numbers of exactly the given shape (an object array)."""
    out = np.empty(shape, dtype=object)
    flat = []

    def walk(x, depth, where):
        if depth == len(shape):
            if isinstance(x, list):
                raise SymtdError(
                    f"{what} has shape mismatch at {where}: expected a number, got a list"
                )
            flat.append(parse_rational(x, f"{what}{where}"))
            return
        if not isinstance(x, list) or len(x) != shape[depth]:
            got = f"length {len(x)}" if isinstance(x, list) else escape(x)
            raise SymtdError(
                f"{what} has wrong shape: expected {'×'.join(map(str, shape))} "
                f"(found {got} at {what}{where})"
            )
        for i, y in enumerate(x):
            walk(y, depth + 1, f"{where}[{i}]")

    walk(nested, 0, "")
    out.flat[:] = flat
    return out


# -- writing -----------------------------------------------------------------------------------
def save_network(circuit: Circuit, path: FilePath, version: int | None = None) -> None:
    """Write a circuit as a network file.

    The file is v1 when the circuit is a uniform-depth tree (unless version=2), v2 otherwise;
    symbolic circuits are written as architectures (no weights).

    Parameters
    ----------
    circuit : Circuit
        The circuit.
    path : str or os.PathLike
        The file to write.
    version : int, optional
        1 or 2 to force a format; None chooses.

    Raises
    ------
    SymtdError
        When the file cannot be written or the version does not fit the circuit.

    Examples
    --------
    >>> import os, tempfile, symtd
    >>> net = symtd.recurrent(4, 2, 2).at_random_point(seed=0)  # a chain: format v2
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "chain.json")
    ...     symtd.save_network(net, path)
    ...     again = symtd.load_network(path)
    >>> again == net, symtd.grid_tensor(again) == symtd.grid_tensor(net)  # exact round trip
    (True, True)
    """
    doc = network_to_dict(circuit, weights=circuit.is_concrete, version=version)
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(dumps(doc) + "\n")
    except OSError as exc:
        raise SymtdError(
            f"cannot write {escape(os.fspath(path), 120, quote=False)}: {exc.strerror}"
        ) from None


def dumps(doc: Mapping[str, Any]) -> str:  # a network document (JSON values)
    """A network document as JSON text: one line per key, per node and per weight block."""

    def compact(value: Any) -> str:
        return json.dumps(value, separators=(", ", ": "))

    lines = []
    for key, value in doc.items():
        if key == "nodes":
            inner = ",\n".join(f"  {compact(node)}" for node in value)
            lines.append(f' "nodes": [\n{inner}\n ]')
        elif key == "weights":
            inner = ",\n".join(
                f"  {json.dumps(name)}: {compact(block)}" for name, block in value.items()
            )
            lines.append(f' "weights": {{\n{inner}\n }}')
        else:
            lines.append(f" {json.dumps(key)}: {compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n}"


def network_to_dict(
    circuit: Circuit, weights: bool = True, version: int | None = None
) -> dict[str, Any]:  # JSON values
    """Write a circuit as a network document, every number an exact string.

    The document is v1 ("shallow"/"deep" when the tree is one) when the circuit is a
    uniform-depth tree and version is not 2; v2 otherwise.

    Parameters
    ----------
    circuit : Circuit
        The circuit.
    weights : bool, default True
        False gives the architecture alone (no "weights"; no "F" in v1): the form
        certificates use for claims about all weights.
    version : int, optional
        1 or 2 to force a format; None chooses.

    Returns
    -------
    dict
        The document, JSON values only.

    Raises
    ------
    SymtdError
        For weights of a symbolic circuit, version 1 of a circuit that has no v1 form, or a
        version other than 1 or 2.

    Examples
    --------
    >>> import symtd
    >>> doc = symtd.network_to_dict(symtd.deep(4, 2, 2, "max"), weights=False)
    >>> doc["format"], doc["architecture"], doc["widths"]
    ('symtd-network/1', 'deep', [2, 2])
    >>> net = symtd.shallow(2, 2, 1).at_random_point(seed=0, bound=9)
    >>> symtd.network_to_dict(net)["weights"]  # exact numbers as strings
    {'layer0': [[['3', '4']], [['-8', '-1']]], 'output': ['7']}
    >>> symtd.network_from_dict(symtd.network_to_dict(net)) == net
    True
    >>> symtd.network_to_dict(symtd.recurrent(3, 2, 1), weights=False)["format"]  # not v1
    'symtd-network/2'
    """
    if version not in (None, 1, 2):
        raise SymtdError(f"version must be 1 or 2, got {escape(version)}")
    if weights and not circuit.is_concrete:
        raise SymtdError(
            "only circuits with concrete rational weights can be written with "
            "weights; substitute the symbols first (Circuit.subs) or write the "
            "architecture (weights=False)"
        )
    if version == 1 and circuit.layout is None:
        raise SymtdError(
            "this circuit is not a uniform-depth tree with v1 weight sharing; it "
            "has only the v2 form"
        )
    if version == 1 or version is None and _v1_named(circuit):
        return _v1_dict(circuit, weights)
    return _v2_dict(circuit, weights)


def _v1_named(circuit: Circuit) -> bool:
    """True for a v1 tree whose blocks carry the names v1 gives them (so v1 loses nothing)."""
    if circuit.layout is None or circuit.output != "output":
        return False
    levels, _, shared = circuit.layout
    return (
        tree(levels, circuit.M, circuit.layout[1], circuit.operator, shared=shared).nodes
        == circuit.nodes
    )


def _strings(array: np.ndarray) -> list[Any]:  # nested lists of strings
    return np.vectorize(format_rational, otypes=[object])(array).tolist()


def _v1_dict(circuit: Circuit, weights: bool) -> dict[str, Any]:
    levels = [[list(w) for w in level] for level in circuit.levels]
    doc = {
        "format": FORMAT_V1,
        "architecture": architecture_name(levels),
        "N": circuit.N,
        "M": circuit.M,
        "operator": operator_to_json(circuit.operator),
        "widths": list(circuit.widths),
    }
    if doc["architecture"] == "tree":
        doc["levels"] = levels
    doc["shared"] = circuit.shared
    if weights:
        doc["F"] = _strings(circuit.F)
        doc["weights"] = {k: _strings(v) for k, v in circuit.weight_blocks().items()}
    return doc


def _v2_dict(circuit: Circuit, weights: bool) -> dict[str, Any]:
    doc = {
        "format": FORMAT_V2,
        "N": circuit.N,
        "M": circuit.M,
        "operator": operator_to_json(circuit.operator),
    }
    identity = all(x == int(i == k) for (i, k), x in np.ndenumerate(circuit.F))
    if weights or not identity:
        if not all(isinstance(x, Fraction) for x in circuit.F.flat):
            raise SymtdError("F must be exact rationals to be written")
        doc["F"] = _strings(circuit.F)
    doc["nodes"] = [
        {"width": node.width, "pool": [list(entry) for entry in node.pool]}
        for node in circuit.nodes
    ]
    doc["output"] = circuit.output
    if weights:
        doc["weights"] = {k: _strings(v) for k, v in circuit.blocks.items()}
    return doc


def architecture_name(levels: list) -> str:
    """The v1 architecture of uniform-depth tree levels: "shallow" (one level), "deep"
    (windows {2t, 2t+1} up to one root) or "tree"."""
    if len(levels) == 1:
        return "shallow"
    pairs = all(level == [[2 * t, 2 * t + 1] for t in range(len(level))] for level in levels)
    return "deep" if pairs and len(levels[-1]) == 1 else "tree"
