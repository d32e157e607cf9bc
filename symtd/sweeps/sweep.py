"""Sweeps: exact ranks over many architectures and weight draws, on a Dask cluster.

A sweep file ("symtd-sweep/1") lists a grid of architectures (the cross product of its
lists), optional network files, partitions, a weight distribution, draws per cell, the
shallow widths Z to compare with, and a base seed. A task is one (cell, draw): the
weights come from (seed, cell, draw) alone, so results do not depend on the workers.
For each partition it computes the rank at that point — certified ("exact") or a
modular lower bound ("lower") — beside the cell's smallest proven upper bound and the
shallow reach at every Z: a shallow circuit with Z channels has rank at most Z (product,
CP), Z·min(|I|,|J|)·M (max, the T5 lemma) or 2 (sum and avg, T3) under every split, so a
rank above the reach proves that no such shallow circuit computes the deep one.

Rows go to CSV or Parquet (by extension) as batches finish. The engine is Dask
distributed: a ``LocalCluster`` by default, any scheduler address otherwise; tasks are
batched, retried when a worker dies, skipped on ``--resume`` when RESULTS has them, and an
interrupted sweep leaves a readable RESULTS with the rows done so far.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import logging
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from symtd.circuits import builders
from symtd.circuits.formats import load_network, read_json
from symtd.circuits.partitions import NAMED, partition
from symtd.errors import SymtdError, escape
from symtd.ranks.bounds import upper_bounds
from symtd.ranks.matricization import lower_rank, matricization_rank
from symtd.tensors.evaluate import check_memory

FORMAT = "symtd-sweep/1"
ARCHITECTURES = ("shallow", "deep", "mirror", "dilated", "overlapping", "recurrent")
OPERATORS = ("product", "max", "sum", "avg")
_KEYS = {"format", "grid", "networks", "partitions", "draws", "weights", "Z", "rank", "seed"}
_GRID_KEYS = {"architecture", "N", "M", "widths", "operator", "kernel", "stride"}
MAX_TASKS, MAX_DRAWS, MAX_CELLS = 10**7, 10**6, 10**5
MAX_BATCH = 256  # tasks per batch: a few scheduler round trips per worker, not one per task
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
]


@dataclass
class Cell:
    """One architecture of the sweep: its description, its symbolic circuit, its bounds."""

    key: str
    description: dict
    circuit: object
    bounds: dict = field(default_factory=dict)  # partition name -> (rows, upper, name)


@dataclass
class Sweep:
    """A validated sweep: its :class:`Cell` list, partitions, draws per cell, integer weights
    drawn from [``low``, ``high``], shallow widths ``Z``, ``rank_kind`` ("exact" or "lower")
    and base seed."""

    cells: list
    partitions: list
    draws: int
    low: int
    high: int
    Z: list
    rank_kind: str
    seed: int

    @property
    def tasks(self):
        """Every task, one (cell key, draw) pair per cell and draw, draws innermost."""
        return [(cell.key, draw) for cell in self.cells for draw in range(self.draws)]

    @property
    def columns(self):
        """The RESULTS columns: the fixed ones, then one ``reach_Z<z>`` per shallow width z."""
        return COLUMNS + [f"reach_Z{z}" for z in self.Z]


# -- reading and validating -----------------------------------------------------------------------
def load_sweep(path, lower=False):
    """Read and validate a sweep file; everything is checked before any work starts."""
    data = read_json(path, "sweep file")
    try:
        return sweep_from_dict(data, base=Path(path).parent, lower=lower)
    except SymtdError as exc:
        raise SymtdError(f"{escape(str(path), 120, quote=False)}: {exc}") from None


def sweep_from_dict(data, base=Path("."), lower=False):
    """A validated :class:`Sweep` from a parsed sweep document (format ``symtd-sweep/1``)."""
    if not isinstance(data, dict):
        raise SymtdError("a sweep file must hold a JSON object")
    if data.get("format") != FORMAT:
        raise SymtdError(f"format must be {FORMAT!r}, got {escape(data.get('format'))}")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise SymtdError(f"unknown key(s) {escape(unknown[:5])}")
    for key in ("grid", "partitions", "draws", "weights", "Z", "seed"):
        if key not in data:
            raise SymtdError(f"missing required key {key!r}")
    draws = _integer(data["draws"], "draws", 1, MAX_DRAWS)
    seed = _integer(data["seed"], "seed", 0, 2**63 - 1)
    Z = _list(data["Z"], "Z")
    Z = sorted({_integer(z, "Z entry", 1, 2**31) for z in Z})
    low, high = _weights(data["weights"])
    kind = data.get("rank", "exact")
    if kind not in ("exact", "lower"):
        raise SymtdError(f'rank must be "exact" or "lower", got {escape(kind)}')
    partitions = [_partition_name(p) for p in _list(data["partitions"], "partitions")]
    cells = _grid_cells(data["grid"])
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
    sweep = Sweep(cells, partitions, draws, low, high, Z, "lower" if lower else kind, seed)
    for cell in cells:
        _prepare(cell, partitions)
    return sweep


def _integer(value, what, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SymtdError(f"{what} must be an integer in {low}..{high:,}, got {escape(value)}")
    return value


def _list(value, what):
    if not isinstance(value, list) or not value:
        raise SymtdError(f"{what} must be a non-empty list")
    if len(value) > 1000:
        raise SymtdError(f"{what} lists more than 1000 values")
    return value


def _weights(value):
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


def _partition_name(name):

    if not isinstance(name, str) or not (name in NAMED or name.startswith("I=")) or len(name) > 200:
        raise SymtdError(
            f"partition {escape(name)}: expected odd-even, low-high, root or I=0,2,..."
        )
    return name


def _grid_cells(grid):
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
            cells.append(_builder_cell(arch, N, M, w, op, kernel, stride))
    return cells


def _builder_cell(arch, N, M, widths, operator, kernel=None, stride=None):

    if isinstance(widths, list):
        widths = [_integer(w, "widths entry", 1, 2**16) for w in widths]
    else:
        widths = _integer(widths, "widths entry", 1, 2**16)
    try:
        if arch == "shallow":
            circuit = builders.shallow(
                N, M, widths if isinstance(widths, int) else widths[0], operator
            )
        elif arch == "overlapping":
            circuit = builders.overlapping(N, M, kernel, stride, widths, operator, shared=True)
        elif arch == "recurrent":
            circuit = builders.recurrent(N, M, widths, operator)
        else:
            circuit = getattr(builders, arch)(N, M, widths, operator)
    except SymtdError as exc:
        raise SymtdError(f"cell {arch} N={N} M={M} widths={widths}: {exc}") from None
    layers = (
        ",".join(str(n.width) for n in circuit.nodes)
        if not circuit.layout
        else ",".join(map(str, circuit.widths))
    )
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


def _file_cell(name, base):

    if not isinstance(name, str) or not name:
        raise SymtdError("networks must be a list of file names")
    circuit = load_network(base / name)
    circuit = circuit.with_weights(None) if not circuit.is_symbolic_architecture else circuit
    layers = (
        ",".join(str(n.width) for n in circuit.nodes)
        if not circuit.layout
        else ",".join(map(str, circuit.widths))
    )
    description = {
        "architecture": "file",
        "N": circuit.N,
        "M": circuit.M,
        "widths": layers,
        "operator": circuit.operator.name,
        "kernel": "",
        "stride": "",
        "network": name,
    }
    return Cell(f"file {name}", description, circuit)


def _prepare(cell, partitions):
    """Check the cell fits in memory and compute its bounds per partition (before any work)."""
    try:
        check_memory(cell.circuit)
        for name in partitions:
            rows = partition(name, cell.circuit)
            best = upper_bounds(cell.circuit, rows)[0]
            cell.bounds[name] = (rows, best.value, best.name)
    except SymtdError as exc:
        raise SymtdError(f"cell {escape(cell.key, 120, quote=False)}: {exc}") from None


# -- one task ---------------------------------------------------------------------------------
def task_seed(base, cell_key, draw):
    """The seed of one (cell, draw): a hash of the base seed, the cell and the draw."""
    digest = hashlib.sha256(f"{base}|{cell_key}|{draw}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def reach(operator, rows, N, M, Z):
    """The largest rank a shallow circuit with Z channels reaches under the split (proven)."""
    side = min(len(rows), N - len(rows))
    if operator == "product":
        return min(Z, M**side)
    if operator == "max":
        return Z * side * M if side else 1
    return 2 if side else 1


def run_task(cell, draw, sweep, executor=None):
    """The rows of one (cell, draw): the rank of every partition at that weight point."""
    seed = task_seed(sweep.seed, cell.key, draw)
    point = cell.circuit.at_random_point(seed, (sweep.low, sweep.high))
    rows = []
    for name in sweep.partitions:
        I, upper, bound = cell.bounds[name]
        if sweep.rank_kind == "lower":
            value = lower_rank(point, I)
        else:
            value = matricization_rank(point, I, executor=executor)
        row = dict(
            cell.description,
            cell=cell.key,
            partition=name,
            rows=" ".join(map(str, I)),
            draw=draw,
            seed=str(seed),
            rank=value,
            rank_kind=sweep.rank_kind,
            upper=upper,
            upper_bound=bound,
        )
        for z in sweep.Z:
            row[f"reach_Z{z}"] = reach(cell.circuit.operator.name, I, point.N, point.M, z)
        rows.append(row)
    return rows


def run_batch(sweep, items):
    """A batch of (cell key, draw) on a worker; certificates spread over the cluster."""
    cells = {c.key: c for c in sweep.cells}
    executor = _cluster_executor()
    return [row for key, draw in items for row in run_task(cells[key], draw, sweep, executor)]


def _cluster_executor():
    """The Dask cluster the task runs on, as an executor for per-prime certificate pieces
    (None outside a Dask worker)."""
    try:
        from distributed import get_worker

        get_worker()
    except (ImportError, ValueError):
        return None
    return _WorkerExecutor()


class _WorkerExecutor:
    """``submit`` to the cluster from inside a task; waiting secedes from the worker's pool so
    that the pieces can run on it."""

    def submit(self, fn, *args):
        from distributed import get_client

        return _Seceding(get_client().submit(fn, *args, pure=False))


class _Seceding:
    def __init__(self, future):
        self.future = future

    def result(self):
        from distributed import rejoin, secede

        secede()
        try:
            return self.future.result()
        finally:
            rejoin()

    def cancel(self):
        self.future.cancel()


# -- results files ---------------------------------------------------------------------------
class Results:
    """RESULTS as CSV (rows appended as they come) or Parquet (row groups; an existing file is
    carried over into a fresh one that replaces it when the sweep stops)."""

    def __init__(self, path, columns, resume):
        self.path, self.columns = Path(path), columns
        self.parquet = self.path.suffix.lower() == ".parquet"
        if not self.parquet and self.path.suffix.lower() != ".csv":
            raise SymtdError(f"RESULTS must end in .csv or .parquet, got {escape(str(path))}")
        self.existing = read_results(self.path) if resume and self.path.exists() else []
        if self.existing and list(self.existing[0]) != columns:
            raise SymtdError(
                f"{escape(str(path))} has other columns than this sweep writes; "
                f"it is not this sweep's results"
            )
        self.written = len(self.existing)
        if self.parquet:
            import pyarrow as pa
            import pyarrow.parquet as pq

            self.schema = pa.schema(
                [
                    (
                        c,
                        pa.int64()
                        if c in _INTEGER_COLUMNS or c.startswith("reach_")
                        else pa.string(),
                    )
                    for c in columns
                ]
            )
            self.tmp = self.path.with_name(self.path.name + ".partial")
            self.writer = pq.ParquetWriter(self.tmp, self.schema)
            if self.existing:
                self._parquet(self.existing)
        else:
            fresh = not (resume and self.path.exists())
            self.handle = open(self.path, "w" if fresh else "a", newline="", encoding="utf-8")
            self.csv = csv.DictWriter(self.handle, columns)
            if fresh:
                self.csv.writeheader()

    def write(self, rows):
        """Append rows (dicts by column) to RESULTS: CSV lines flushed at once, or a Parquet row
        group."""
        if self.parquet:
            self._parquet(rows)
        else:
            self.csv.writerows(rows)
            self.handle.flush()
        self.written += len(rows)

    def _parquet(self, rows):
        import pyarrow as pa

        columns = {c: [_typed(c, r[c]) for r in rows] for c in self.columns}
        self.writer.write_table(pa.table(columns, schema=self.schema))

    def close(self):
        """Finish RESULTS: a Parquet file replaces the old one only now, a CSV file is closed."""
        if self.parquet:
            self.writer.close()
            os.replace(self.tmp, self.path)
        else:
            self.handle.close()


_INTEGER_COLUMNS = {"N", "M", "draw", "rank", "upper"}


def _typed(column, value):
    if column in _INTEGER_COLUMNS or column.startswith("reach_"):
        return int(value)
    return str(value)


def read_results(path):
    """The rows of a results file (CSV or Parquet) as dicts of strings and integers."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_table(path).to_pylist()
        with open(path, newline="", encoding="utf-8") as handle:
            return [
                {
                    k: int(v) if k in _INTEGER_COLUMNS or k.startswith("reach_") else v
                    for k, v in row.items()
                }
                for row in csv.DictReader(handle)
            ]
    except (OSError, ValueError, KeyError) as exc:
        raise SymtdError(f"cannot read results {escape(str(path))}: {escape(str(exc))}") from None
    except Exception as exc:  # pyarrow's errors on a damaged file
        raise SymtdError(f"cannot read results {escape(str(path))}: {escape(str(exc))}") from None


# -- running ----------------------------------------------------------------------------------
def run_sweep(
    sweep, out, client=None, scheduler=None, workers=None, resume=False, quiet=False, on_batch=None
):
    """Run the sweep's tasks on Dask (``client``, or a scheduler address, or a LocalCluster of
    ``workers`` processes) and write the rows to ``out``; returns the number of rows written.

    Tasks already in ``out`` are skipped with ``resume``; ``on_batch(rows)`` is called as
    each batch arrives (tests use it to kill a worker mid-sweep).
    """
    from distributed import Client, as_completed

    results = Results(out, sweep.columns, resume)
    done = {(r["cell"], int(r["draw"])) for r in results.existing}
    todo = [t for t in sweep.tasks if t not in done]
    own_cluster = own_client = None
    try:
        if client is None:
            if scheduler:
                client = own_client = Client(scheduler, timeout="20s")
            else:
                own_cluster = local_cluster(workers)
                client = own_client = Client(own_cluster)
        batches = _batches(todo, client)
        swept = client.scatter(sweep, broadcast=True, hash=False)  # a key of its own per run
        futures = [
            client.submit(run_batch, swept, batch, retries=3, pure=False) for batch in batches
        ]
        progress = Progress(len(todo), quiet)
        for future in as_completed(futures):
            rows = future.result()
            results.write(rows)
            progress.update(len(rows) // len(sweep.partitions))
            if on_batch:
                on_batch(rows)
        progress.finish()
        return results.written
    except KeyboardInterrupt:
        print(
            f"\nsymtd: interrupted; {results.written} rows in {escape(str(out))}", file=sys.stderr
        )
        raise
    finally:
        results.close()
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()


def local_cluster(workers=None):
    """A Dask LocalCluster of worker processes with one thread each and logs silenced, tuned
    for symtd's CPU-bound Python tasks: Dask's statistical profiler (a stack sample every
    10 ms, taking the GIL) is off, and glibc's memory trimming is left near its default
    (Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_`` to 64 KiB, which slows symtd's many
    short-lived numpy arrays). Measured: tasks run about 30% faster."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(
        {
            "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 2**27,
            "distributed.worker.profile.enabled": False,
        }
    ):
        return LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: several clusters side by side, no warning
            silence_logs=logging.CRITICAL,
        )


def _batches(todo, client):
    """Batches of tasks with the cells interleaved (draw by draw), so that batches cost about
    the same: at least 4 per worker, at most MAX_BATCH tasks each (progress, lost work)."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    ordered = sorted(todo, key=lambda task: (task[1], task[0]))
    size = max(1, min(MAX_BATCH, math.ceil(len(ordered) / (4 * workers))))
    return [ordered[k : k + size] for k in range(0, len(ordered), size)]


class Progress:
    """tasks done / total, rate and ETA on the terminal (stderr), one line redrawn."""

    def __init__(self, total, quiet):
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.quiet = quiet or not self.total

    def update(self, n):
        """Count n more tasks done and redraw the line: a bar, done/total, rate and ETA."""
        self.done += n
        if self.quiet:
            return
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate else 0.0
        width = 30
        filled = int(width * self.done / self.total)
        print(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} tasks "
            f"{rate:.1f}/s ETA {eta:.0f}s",
            end="",
            file=sys.stderr,
            flush=True,
        )

    def finish(self):
        """End the progress line (a newline on stderr unless quiet)."""
        if not self.quiet:
            print(file=sys.stderr)
