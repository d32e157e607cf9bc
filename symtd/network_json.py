"""The SPEC §7 network file format "symtd-network/1": strict reading and writing."""
from __future__ import annotations

import json

import numpy as np

from .circuit import Circuit, validate_levels, weight_shapes
from .errors import SymtdError
from .operators import BUILTIN
from .rational import format_rational, parse_rational

FORMAT = "symtd-network/1"
_KEYS = {"format", "architecture", "N", "M", "operator", "widths", "levels", "shared", "F", "weights"}
MAX_POSITIONS = 10**5
_REQUIRED = ("format", "architecture", "N", "M", "operator", "widths", "weights")


def load_network(path):
    """Read a network file into a Circuit (SymtdError with one clear line on any problem)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise SymtdError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SymtdError(f"{path}: cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SymtdError(f"{path}: invalid JSON: {exc}") from None
    except RecursionError:
        raise SymtdError(f"{path}: invalid JSON: nested too deeply") from None
    try:
        return network_from_dict(data)
    except SymtdError as exc:
        raise SymtdError(f"{path}: {exc}") from None


def save_network(circuit, path):
    """Write a concrete circuit as a network file."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(network_to_dict(circuit), handle, indent=1)
        handle.write("\n")


def network_from_dict(data):
    """Validate a parsed network document and build its Circuit."""
    if not isinstance(data, dict):
        raise SymtdError("a network file must hold a JSON object")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise SymtdError(f"unknown key(s) {unknown}")
    for key in _REQUIRED:
        if key not in data:
            raise SymtdError(f"missing required key {key!r}")
    if data["format"] != FORMAT:
        raise SymtdError(f"format must be {FORMAT!r}, got {data['format']!r}")
    N, M = _integer(data["N"], "N"), _integer(data["M"], "M")
    if N > MAX_POSITIONS:
        raise SymtdError(f"N = {N} is too large (at most {MAX_POSITIONS} positions)")
    operator = data["operator"]
    if not isinstance(operator, str) or operator not in BUILTIN:
        raise SymtdError(f"unknown operator {json.dumps(operator)}; expected one of {', '.join(BUILTIN)}")
    widths = data["widths"]
    if not isinstance(widths, list) or not widths:
        raise SymtdError("widths must be a non-empty list of positive integers")
    widths = [_integer(r, "widths entry") for r in widths]
    shared = data.get("shared", False)
    if not isinstance(shared, bool):
        raise SymtdError("shared must be true or false")
    levels = _levels(data, N, len(widths))
    F = data.get("F")
    if F is not None:
        F = _rationals(F, (M, M), "F")
    return Circuit(levels, M, widths, operator, shared=shared, F=F,
                   weights=_weights(data["weights"], levels, M, widths, shared))


def network_to_dict(circuit, weights=True):
    """The SPEC §7 document of a circuit, exact strings; "shallow"/"deep" when the tree is one.

    weights=False gives the architecture alone (no "weights", no "F"): the form
    certificates use for claims about all weights.
    """
    if weights and not circuit.is_concrete:
        raise SymtdError("only circuits with concrete rational weights can be written to a "
                         "network file; substitute the symbols first (Circuit.subs)")
    levels = [[list(w) for w in level] for level in circuit.levels]
    doc = {"format": FORMAT, "architecture": _architecture(levels, circuit.N), "N": circuit.N,
           "M": circuit.M, "operator": circuit.operator.name, "widths": list(circuit.widths)}
    if doc["architecture"] == "tree":
        doc["levels"] = levels
    doc["shared"] = circuit.shared
    if weights:
        strings = np.vectorize(format_rational, otypes=[object])
        doc["F"] = strings(circuit.F).tolist()
        doc["weights"] = {k: strings(v).tolist() for k, v in circuit.weight_blocks().items()}
    return doc


def _architecture(levels, N):
    if len(levels) == 1:
        return "shallow"
    pairs = all(level == [[2 * t, 2 * t + 1] for t in range(len(level))] for level in levels)
    return "deep" if pairs and len(levels[-1]) == 1 else "tree"


def _integer(value, what):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SymtdError(f"{what} must be a positive JSON integer, got {json.dumps(value)}")
    return value


def _levels(data, N, L):
    architecture = data["architecture"]
    if architecture == "tree":
        if "levels" not in data:
            raise SymtdError("architecture 'tree' needs 'levels'")
        levels = data["levels"]
        if not (isinstance(levels, list) and all(isinstance(level, list) and all(
                isinstance(w, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in w)
                for w in level) for level in levels)):
            raise SymtdError("levels must be a list of levels, each a list of windows of integers")
        levels = validate_levels(levels)
        if sum(len(w) for w in levels[0]) != N:
            raise SymtdError(f"N = {N} disagrees with levels, which cover "
                             f"{sum(len(w) for w in levels[0])} positions")
    else:
        if "levels" in data:
            raise SymtdError(f"'levels' is only allowed with architecture 'tree', not {architecture!r}")
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
            raise SymtdError(f"unknown architecture {architecture!r}; expected tree, shallow or deep")
    if len(levels) != L:
        raise SymtdError(f"widths has {L} entries but the tree has {len(levels)} levels")
    return levels


def _shape_of(nested):
    shape, x = [], nested
    while isinstance(x, list):
        shape.append(len(x))
        x = x[0] if x else None
    return tuple(shape)


def _rationals(nested, shape, what):
    """Parse a nested list of exact numbers of exactly the given shape."""
    def walk(x, depth, where):
        if depth == len(shape):
            if isinstance(x, list):
                raise SymtdError(f"{what} has shape mismatch at {where}: expected a number, got a list")
            return parse_rational(x, f"{what}{where}")
        if not isinstance(x, list) or len(x) != shape[depth]:
            got = f"length {len(x)}" if isinstance(x, list) else json.dumps(x)
            raise SymtdError(f"{what} has wrong shape: expected {'×'.join(map(str, shape))} "
                             f"(found {got} at {what}{where})")
        return [walk(y, depth + 1, f"{where}[{i}]") for i, y in enumerate(x)]
    return walk(nested, 0, "")


def _weights(weights, levels, M, widths, shared):
    if not isinstance(weights, dict):
        raise SymtdError("weights must be an object with blocks layer0, ..., output")
    shapes = weight_shapes(levels, M, widths, shared)
    unknown = sorted(set(weights) - set(shapes))
    if unknown:
        raise SymtdError(f"unknown weight block(s) {unknown}; expected {list(shapes)}")
    missing = [k for k in shapes if k not in weights]
    if missing:
        raise SymtdError(f"missing weight block(s) {missing}")
    return {k: _rationals(weights[k], shape, f"weights.{k}") for k, shape in shapes.items()}

