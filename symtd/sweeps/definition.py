"""Sweep files (``symtd-sweep/1``): reading, validating, and everything a task needs.

A sweep file lists a grid of architectures (the cross product of its lists), optional
network files, partitions, a weight distribution, draws per cell, the shallow widths Z to
compare with and a base seed. Everything is checked before any work starts, and each cell
is prepared once: its proven upper bound per partition and the shallow reach at every Z.

The shallow reach at Z under a split (I, J) is the smallest proven upper bound on
rank [G]_{I,J} over every shallow circuit with Z channels *of the cell's operator*
(:func:`symtd.ranks.bounds.upper_bounds` on that circuit): min(Z, M^s) for product
(min-cut), min(Z·s·M, M^s) for max (the T5 lemma), min(2, M^s) for sum and avg (T3),
and M^s (matrix size, nothing more is proven) for a custom operator, s = min(|I|, |J|).
A rank above the reach proves that no such shallow circuit computes the deep one.

A sweep's fingerprint hashes what fixes its rows: the sweep document (Z sorted), the
rank kind actually used (``"rank"`` or ``--lower``) and each network file's architecture
(its weights are ignored). Results files carry it, so a resumed file must come from the
same sweep.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from symtd.circuits import builders
from symtd.circuits.circuit import Circuit
from symtd.circuits.formats import load_network, network_to_dict, read_json
from symtd.circuits.operators import Operator
from symtd.circuits.partitions import NAMED, partition
from symtd.errors import SymtdError, escape
from symtd.ranks.bounds import upper_bounds
from symtd.sweeps.training import (
    FLOAT_TRAINED,
    INTEGER_TRAINED,
    TRAINED_COLUMNS,
    Training,
    check_cell,
    draw_seed,
    training_from_dict,
)
from symtd.tensors.evaluate import check_memory

FORMAT = "symtd-sweep/1"
ROWS_VERSION = "symtd-sweep-rows/2"  # hashed into every fingerprint: what a row means
ARCHITECTURES = ("shallow", "deep", "mirror", "dilated", "overlapping", "recurrent")
OPERATORS = ("product", "max", "sum", "avg")
_KEYS = {
    "format",
    "grid",
    "networks",
    "partitions",
    "draws",
    "weights",
    "Z",
    "rank",
    "seed",
    "train",
}
_GRID_KEYS = {"architecture", "N", "M", "widths", "operator", "kernel", "stride"}
MAX_TASKS, MAX_DRAWS, MAX_CELLS = 10**7, 10**6, 10**5
MAX_SHALLOW_WIDTH = 2**16  # the widest shallow circuit the builders make
COLUMNS = [
    "cell",
    "architecture",
    "N",
    "M",
    "widths",
    "operator",
    "kernel",
    "stride",
    "network",
    "partition",
    "rows",
    "draw",
    "seed",
    "rank",
    "rank_kind",
    "upper",
    "upper_bound",
    "fingerprint",
]
INTEGER_COLUMNS = frozenset({"N", "M", "draw", "rank", "upper", *INTEGER_TRAINED})


def is_integer_column(column: str) -> bool:
    """True for the integer columns of a results row (N, M, draw, rank, upper, reach_Z<z>,
    and a training sweep's numerical and teacher ranks); the others hold strings, except a
    training sweep's losses and metrics (floats)."""
    return column in INTEGER_COLUMNS or column.startswith("reach_Z")


def typed(column: str, value: Any) -> Any:
    """A value as its column stores it: an int in an integer column, a float in a loss or
    metric column, a string otherwise."""
    if is_integer_column(column):
        return int(value)
    return float(value) if column in FLOAT_TRAINED else str(value)


@dataclass
class Cell:
    """One architecture of the sweep: its description, its symbolic circuit, and per partition
    name (rows I, proven upper bound, the bound's name, {Z: shallow reach})."""

    key: str
    description: dict[str, Any]
    circuit: Circuit
    bounds: dict[str, tuple[tuple[int, ...], int, str, dict[int, int]]] = field(
        default_factory=dict
    )


@dataclass
class Sweep:
    """A validated sweep: its :class:`Cell` list, partitions, draws per cell, integer weights
    drawn from [``low``, ``high``], shallow widths ``Z``, ``rank_kind`` ("exact" or "lower"),
    base seed and the fingerprint its results files carry; ``training`` for a training sweep
    (:mod:`symtd.sweeps.training`: the weights are trained, not drawn)."""

    cells: list[Cell]
    partitions: list[str]
    draws: int
    low: int
    high: int
    Z: list[int]
    rank_kind: str
    seed: int
    fingerprint: str = ""
    training: Training | None = None

    @property
    def tasks(self) -> list[tuple[str, int]]:
        """Every task, one (cell key, draw) pair per cell and draw, draws innermost."""
        return [(cell.key, draw) for cell in self.cells for draw in range(self.draws)]

    @cached_property
    def cells_by_key(self) -> dict[str, Cell]:
        """The cells by key (built once per copy of the sweep)."""
        return {cell.key: cell for cell in self.cells}

    @property
    def columns(self) -> list[str]:
        """The RESULTS columns: the fixed ones, then one ``reach_Z<z>`` per shallow width z."""
        trained = TRAINED_COLUMNS if self.training else []
        return COLUMNS + trained + [f"reach_Z{z}" for z in self.Z]


# -- reading and validating -----------------------------------------------------------------------
def load_sweep(path: str | Path, lower: bool = False) -> Sweep:
    """Read and validate a sweep file; everything is checked before any work starts."""
    data = read_json(path, "sweep file")
    try:
        return sweep_from_dict(data, base=Path(path).parent, lower=lower)
    except SymtdError as exc:
        raise SymtdError(f"{escape(str(path), 120, quote=False)}: {exc}") from None


def sweep_from_dict(data: Any, base: Path = Path("."), lower: bool = False) -> Sweep:
    """A validated :class:`Sweep` from a parsed sweep document (format ``symtd-sweep/1``);
    ``lower`` asks for modular lower bounds whatever the document's ``"rank"`` says."""
    if not isinstance(data, dict):
        raise SymtdError("a sweep file must hold a JSON object")
    if data.get("format") != FORMAT:
        raise SymtdError(f"format must be {FORMAT!r}, got {escape(data.get('format'))}")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise SymtdError(f"unknown key(s) {escape(unknown[:5])}")
    training = training_from_dict(data["train"]) if "train" in data else None
    required = ("grid", "partitions", "draws", "Z", "seed") + (() if training else ("weights",))
    for key in required:
        if key not in data:
            raise SymtdError(f"missing required key {key!r}")
    if training and "weights" in data:
        raise SymtdError('a training sweep trains its weights: remove "weights"')
    if training and "networks" in data:
        raise SymtdError('a training sweep trains grid cells only: remove "networks"')
    draws = _integer(data["draws"], "draws", 1, MAX_DRAWS)
    seed = _integer(data["seed"], "seed", 0, 2**63 - 1)
    Z = _list(data["Z"], "Z")
    Z = sorted({_integer(z, "Z entry", 1, 2**31) for z in Z})
    low, high = _weights(data["weights"]) if not training else (0, 0)
    kind = data.get("rank", "exact")
    if kind not in ("exact", "lower"):
        raise SymtdError(f'rank must be "exact" or "lower", got {escape(kind)}')
    partitions = [_partition_name(p) for p in _list(data["partitions"], "partitions")]
    if len(set(partitions)) != len(partitions):
        raise SymtdError("a partition is listed twice")
    cells = _grid_cells(data["grid"], training)
    networks = data.get("networks", [])
    if not isinstance(networks, list):
        raise SymtdError("networks must be a list of network file names")
    cells += [_file_cell(name, base) for name in networks]
    if not cells:
        raise SymtdError("the sweep has no cells: the grid is empty and there are no networks")
    if len(cells) > MAX_CELLS or len(cells) * draws > MAX_TASKS:
        raise SymtdError(f"{len(cells)} cells × {draws} draws is more than {MAX_TASKS:,} tasks")
    keys = [c.key for c in cells]
    if len(set(keys)) != len(keys):
        raise SymtdError(
            f"a cell is listed twice: {escape(next(k for k in keys if keys.count(k) > 1))}"
        )
    kind = "lower" if lower else kind
    sweep = Sweep(cells, partitions, draws, low, high, Z, kind, seed, training=training)
    reach_cache: dict[tuple, int] = {}
    for cell in cells:
        _prepare(cell, partitions, Z, reach_cache)
    sweep.fingerprint = fingerprint(data, cells, kind)
    return sweep


def fingerprint(data: dict[str, Any], cells: list[Cell], rank_kind: str) -> str:
    """16 hex digits of SHA-256 over what fixes the rows: the sweep document (Z sorted, the
    rank kind as used), each file cell's architecture, and the meaning of a row."""
    document = {k: v for k, v in data.items() if k != "rank"}
    document["Z"] = sorted(set(data["Z"]))
    networks = {
        c.key: network_to_dict(c.circuit, weights=False, version=2)
        for c in cells
        if c.description["architecture"] == "file"
    }
    text = json.dumps(
        {"rows": ROWS_VERSION, "sweep": document, "rank": rank_kind, "networks": networks},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]


def _integer(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SymtdError(f"{what} must be an integer in {low}..{high:,}, got {escape(value)}")
    return value


def _list(value: Any, what: str) -> list:
    if not isinstance(value, list) or not value:
        raise SymtdError(f"{what} must be a non-empty list")
    if len(value) > 1000:
        raise SymtdError(f"{what} lists more than 1000 values")
    return value


def _weights(value: Any) -> tuple[int, int]:
    if not isinstance(value, dict) or set(value) != {"integers"}:
        raise SymtdError('weights must be {"integers": [low, high]}')
    bounds = value["integers"]
    if not (isinstance(bounds, list) and len(bounds) == 2):
        raise SymtdError('weights must be {"integers": [low, high]}')
    low = _integer(bounds[0], "the lowest weight", -(10**18), 10**18)
    high = _integer(bounds[1], "the highest weight", low, 10**18)
    if low == high == 0:
        raise SymtdError("weights in [0, 0] give the zero network")
    return low, high


def _partition_name(name: Any) -> str:
    if not isinstance(name, str) or not (name in NAMED or name.startswith("I=")) or len(name) > 200:
        raise SymtdError(
            f"partition {escape(name)}: expected odd-even, low-high, root or I=0,2,..."
        )
    return name


def _grid_cells(grid: Any, training: Training | None = None) -> list[Cell]:
    if not isinstance(grid, dict):
        raise SymtdError("grid must be an object of lists")
    unknown = sorted(set(grid) - _GRID_KEYS)
    if unknown:
        raise SymtdError(f"unknown grid key(s) {escape(unknown[:5])}")
    if not grid:
        return []
    for key in ("architecture", "N", "M", "widths", "operator"):
        if key not in grid:
            raise SymtdError(f"grid needs {key!r}")
    lists = {k: _list(v, f"grid {k}") for k, v in grid.items()}
    for name in lists["architecture"]:
        if name not in ARCHITECTURES:
            raise SymtdError(
                f"unknown architecture {escape(name)}; expected one of {', '.join(ARCHITECTURES)}"
            )
    for name in lists["operator"]:
        if name not in OPERATORS:
            raise SymtdError(f"unknown operator {escape(name)}; expected {', '.join(OPERATORS)}")
    for key in ("N", "M", "kernel", "stride"):
        for v in lists.get(key, []):
            _integer(v, f"grid {key} entry", 1, 10**5)
    if ("kernel" in lists or "stride" in lists) and "overlapping" not in lists["architecture"]:
        raise SymtdError("kernel and stride belong to the overlapping architecture")
    if "overlapping" in lists["architecture"] and not ("kernel" in lists and "stride" in lists):
        raise SymtdError("the overlapping architecture needs grid kernel and stride lists")
    total = math.prod(len(v) for k, v in lists.items() if k not in ("kernel", "stride"))
    if total > MAX_CELLS:
        raise SymtdError(f"the grid has more than {MAX_CELLS:,} cells")
    cells = []
    for arch, N, M, w, op in itertools.product(
        *(lists[k] for k in ("architecture", "N", "M", "widths", "operator"))
    ):
        shapes = (
            itertools.product(lists["kernel"], lists["stride"])
            if arch == "overlapping"
            else [(None, None)]
        )
        for kernel, stride in shapes:
            if training:
                try:
                    check_cell(training, arch, N, M, op)
                except SymtdError as exc:
                    raise SymtdError(f"cell {arch} N={N} M={M} {op}: {exc}") from None
            shared = training.shared if training else None
            cells.append(_builder_cell(arch, N, M, w, op, kernel, stride, shared))
    return cells


def _layers(circuit: Circuit) -> str:
    """The widths column: "2,2,2" (layer widths of a layered circuit, node widths otherwise)."""
    widths = circuit.widths if circuit.layout else [n.width for n in circuit.nodes]
    return ",".join(map(str, widths))


def _builder_cell(
    arch: str,
    N: int,
    M: int,
    widths: Any,
    operator: str,
    kernel: int | None = None,
    stride: int | None = None,
    shared: bool | None = None,
) -> Cell:
    if isinstance(widths, list):
        widths = [_integer(w, "widths entry", 1, 2**16) for w in widths]
    else:
        widths = _integer(widths, "widths entry", 1, 2**16)
    sharing = {} if shared is None else {"shared": shared}  # a training sweep's students
    try:
        if arch == "shallow":
            circuit = builders.shallow(
                N, M, widths if isinstance(widths, int) else widths[0], operator, **sharing
            )
        elif arch == "overlapping":
            if kernel is None or stride is None:  # the grid check gives both to overlapping
                raise SymtdError("the overlapping architecture needs kernel and stride")
            circuit = builders.overlapping(N, M, kernel, stride, widths, operator, shared=True)
        elif arch == "recurrent":
            circuit = builders.recurrent(N, M, widths, operator)
        else:
            circuit = getattr(builders, arch)(N, M, widths, operator, **sharing)
    except SymtdError as exc:
        raise SymtdError(f"cell {arch} N={N} M={M} widths={widths}: {exc}") from None
    layers = _layers(circuit)
    description = {
        "architecture": arch,
        "N": N,
        "M": M,
        "widths": layers,
        "operator": operator,
        "kernel": kernel or "",
        "stride": stride or "",
        "network": "",
    }
    extra = f" kernel={kernel} stride={stride}" if arch == "overlapping" else ""
    key = f"{arch} N={N} M={M} widths={layers} {operator}{extra}"
    return Cell(key, description, circuit)


def _file_cell(name: Any, base: Path) -> Cell:
    if not isinstance(name, str) or not name:
        raise SymtdError("networks must be a list of file names")
    circuit = load_network(base / name)
    circuit = circuit.with_weights(None) if not circuit.is_symbolic_architecture else circuit
    description = {
        "architecture": "file",
        "N": circuit.N,
        "M": circuit.M,
        "widths": _layers(circuit),
        "operator": circuit.operator.name,
        "kernel": "",
        "stride": "",
        "network": name,
    }
    return Cell(f"file {name}", description, circuit)


def _prepare(cell: Cell, partitions: list[str], Z: list[int], cache: dict[tuple, int]) -> None:
    """Check the cell fits in memory; its bounds and shallow reach per partition (before any
    work)."""
    try:
        check_memory(cell.circuit)
        for name in partitions:
            rows = partition(name, cell.circuit)
            best = upper_bounds(cell.circuit, rows)[0]
            reach = {}
            for z in Z:
                key = (cell.circuit.operator, cell.circuit.N, cell.circuit.M, rows, z)
                if key not in cache:
                    cache[key] = shallow_reach(*key)
                reach[z] = cache[key]
            cell.bounds[name] = (rows, best.value, best.name, reach)
    except SymtdError as exc:
        raise SymtdError(f"cell {escape(cell.key, 120, quote=False)}: {exc}") from None


def shallow_reach(operator: Operator, N: int, M: int, rows: tuple[int, ...], Z: int) -> int:
    """The smallest proven upper bound on rank [G]_{I,J} (I = ``rows``) over every shallow
    circuit with Z channels of this operator: :func:`~symtd.ranks.bounds.upper_bounds` of
    that circuit, so a custom operator gets only what is proven for it (matrix size).

    Wider than the builders allow (or N < 2), the matrix-size bound min(M^|I|, M^|J|),
    which holds for every circuit, is used.

    >>> import symtd
    >>> shallow_reach(symtd.PRODUCT, 4, 2, (0, 2), 1), shallow_reach(symtd.SUM, 4, 2, (0, 2), 9)
    (1, 2)
    >>> mine = symtd.custom_operator("mine", "x", "x*y")  # a product by another name
    >>> shallow_reach(mine, 4, 2, (0, 2), 1)  # only matrix size is proven for it
    4
    """
    shallow = None
    if N >= 2 and Z <= MAX_SHALLOW_WIDTH:
        try:
            shallow = builders.shallow(N, M, Z, operator)
        except SymtdError:
            shallow = None
    if shallow is None:
        side = min(len(rows), N - len(rows))
        return M**side
    return upper_bounds(shallow, rows)[0].value  # matrix size is among them


def task_seed(base: int, cell_key: str, draw: int) -> int:
    """The seed of one (cell, draw): a hash of the base seed, the cell and the draw."""
    digest = hashlib.sha256(f"{base}|{cell_key}|{draw}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def expected_row(sweep: Sweep, cell: Cell, name: str, draw: int) -> dict[str, Any]:
    """Every column of the row of (cell, partition ``name``, draw) except ``rank``: what the
    sweep determines before any rank is computed."""
    rows, upper, bound, reach = cell.bounds[name]
    row = dict(
        cell.description,
        cell=cell.key,
        partition=name,
        rows=" ".join(map(str, rows)),
        draw=draw,
        seed=str(
            draw_seed(sweep.seed, draw) if sweep.training else task_seed(sweep.seed, cell.key, draw)
        ),
        rank_kind=sweep.rank_kind,
        upper=upper,
        upper_bound=bound,
        fingerprint=sweep.fingerprint,
    )
    if sweep.training:
        row["data"] = sweep.training.data
    for z in sweep.Z:
        row[f"reach_Z{z}"] = reach[z]
    return {column: typed(column, value) for column, value in row.items()}
