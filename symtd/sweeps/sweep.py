"""Sweeps: exact ranks over many architectures and weight draws, on a Dask cluster.

The pipeline: a sweep file is read and validated (:mod:`symtd.sweeps.definition`), the
results file is checked (:mod:`symtd.sweeps.results`: a resumed file must come from the
same sweep), then the tasks run here. A task is one (cell, draw): the weights come from
(seed, cell, draw) alone, so results do not depend on the workers. For each partition it
computes the rank at that point — certified ("exact") or a modular lower bound ("lower")
— beside the cell's smallest proven upper bound and the shallow reach at every Z.

A training sweep (:mod:`symtd.sweeps.training`) trains each cell's network instead:
draw d is one training seed for every cell, and the rank is that of the learned function.

The engine is Dask distributed: a ``LocalCluster`` by default, or a scheduler address.
An address is checked before use: its form (``tcp://HOST:PORT``, or ``tls``, ``ws``,
``wss``), then, within Dask's connect timeout (``distributed.comm.timeouts.connect``),
that the endpoint completes a Dask handshake and answers as a scheduler — an endpoint that
accepts and never answers, or answers something else, is one clear error, not a hang.
Tasks are batched, retried when a worker dies, skipped on ``--resume`` when RESULTS has
them, and an interrupted sweep leaves a readable RESULTS with the rows done so far.

Using the cores: a LocalCluster's workers import symtd as they start (a preload); batches
are sized from the measured cost of each cell's tasks and handed out longest first, about
two per worker thread in flight (``Planner``), so workers neither wait on round trips
nor finish unevenly; a task's certificate runs in its own worker (its primes are spread
over the cluster only when the sweep has fewer tasks than worker threads); rows are
written in coalesced appends (``Buffered``). To reuse a running cluster and skip the
start, give ``--scheduler ADDRESS`` (e.g. ``dask scheduler`` and ``dask worker ADDRESS
--nworkers K --nthreads 1 --preload symtd.sweeps.sweep``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import socket
import statistics
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from symtd.errors import SymtdError, escape
from symtd.ranks.matricization import lower_rank, matricization_rank
from symtd.sweeps.definition import (
    COLUMNS,
    Cell,
    Sweep,
    expected_row,
    load_sweep,
    sweep_from_dict,
    task_seed,
)
from symtd.sweeps.results import Results, read_results
from symtd.sweeps.training import draw_seed
from symtd.tensors.grid import exact_grid_tensor

__all__ = [
    "COLUMNS",
    "Cell",
    "Results",
    "Sweep",
    "connect",
    "load_sweep",
    "local_cluster",
    "read_results",
    "run_batch",
    "run_sweep",
    "run_task",
    "scheduler_address",
    "sweep_from_dict",
    "task_seed",
    "timed_batch",
]

MAX_BATCH = 1024  # tasks per batch at most (progress, work lost with a worker)
GROWTH = 8  # a batch holds at most GROWTH tasks of a cell per task of it measured
MAX_HANDSHAKE = 2**20  # bytes: a Dask handshake is a few hundred
ADDRESS = re.compile(
    r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{0,15})://)?"
    r"(?P<host>\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))"
    r"(?::(?P<port>[0-9]{1,5}))?"
)
SCHEMES = ("tcp", "tls", "ws", "wss")


# -- one task ---------------------------------------------------------------------------------
def run_task(cell: Cell, draw: int, sweep: Sweep, executor: Any = None) -> list[dict[str, Any]]:
    """The rows of one (cell, draw): the rank of every partition at that weight point.

    ``executor`` runs a multimodular certificate's primes (a process pool of this machine's
    cores when None; ``INLINE`` runs them here, in this process)."""
    if sweep.training is not None:
        return trained_rows(cell, draw, sweep, executor)
    seed = task_seed(sweep.seed, cell.key, draw)
    point = cell.circuit.at_random_point(seed, (sweep.low, sweep.high))
    rows = []
    for name in sweep.partitions:
        I = cell.bounds[name][0]
        if sweep.rank_kind == "lower":
            value = lower_rank(point, I)
        else:
            value = matricization_rank(point, I, executor=executor)
        rows.append(dict(expected_row(sweep, cell, name, draw), rank=value))
    return rows


def trained_rows(cell: Cell, draw: int, sweep: Sweep, executor: Any = None) -> list[dict[str, Any]]:
    """The rows of one task of a training sweep (:mod:`symtd.sweeps.training`): train the
    cell's student at the draw's seed on one CPU thread (deterministic, so the rows do not
    depend on the workers), export it exactly, and measure every partition: the rank of the
    learned grid (exact, or a modular lower bound), its numerical rank, the teacher's ranks
    (-1 for digits), losses and metrics."""
    from symtd.learn.study import numerical_rank, train_network  # PyTorch: the learn extra

    training = sweep.training
    if training is None:
        raise SymtdError("not a training sweep")
    about = cell.description
    try:
        trained = train_network(
            training.data, about["operator"], about["architecture"], about["N"], about["M"],
            list(cell.circuit.widths), draw_seed(sweep.seed, draw), epochs=training.epochs,
            lr=training.lr, batch_size=training.batch_size, teacher=training.teacher,
            shared=training.shared, device="cpu",
        )  # fmt: skip
    except SymtdError as exc:  # a diverged training: one line, naming the task
        raise SymtdError(f"cell {escape(cell.key, 120, quote=False)} draw {draw}: {exc}") from None
    teacher = trained.dataset.teacher
    T = exact_grid_tensor(teacher).to_float() if teacher is not None else None
    history = trained.history
    measured = {  # an overflowing float32 forward pass (finite weights): NaN, not infinity
        column: value if math.isfinite(value := float(getattr(history, column))) else math.nan
        for column in ("train_loss", "test_loss", "train_metric", "test_metric")
    }
    rows = []
    for name in sweep.partitions:
        I = cell.bounds[name][0]
        if sweep.rank_kind == "lower":
            value = lower_rank(trained.net, I)
        else:
            value = matricization_rank(trained.net, I, executor=executor)
        row = dict(expected_row(sweep, cell, name, draw), rank=value, **measured)
        row["numerical"] = numerical_rank(trained.G, I)
        row["teacher_rank"] = -1 if teacher is None else matricization_rank(teacher, I)
        row["teacher_numerical"] = -1 if T is None else numerical_rank(T, I)
        rows.append(row)
    return rows


def run_batch(
    sweep: Sweep, items: list[tuple[str, int]], spread: bool = False
) -> list[dict[str, Any]]:
    """The rows of a batch of (cell key, draw), computed in this process; with ``spread`` on a
    Dask worker, a certificate's primes are spread over the cluster (for sweeps with fewer
    tasks than workers)."""
    return timed_batch(sweep, items, spread)[0]


def timed_batch(
    sweep: Sweep, items: list[tuple[str, int]], spread: bool = False
) -> tuple[list[dict[str, Any]], list[tuple[str, float]]]:
    """(rows, [(cell key, seconds)] per task) of a batch: :func:`run_batch` with the measured
    cost of every task, from which the next batches are sized."""
    cells = sweep.cells_by_key
    executor = (_cluster_executor() if spread else None) or INLINE
    rows: list[dict[str, Any]] = []
    timings = []
    for key, draw in items:
        start = time.perf_counter()
        rows += run_task(cells[key], draw, sweep, executor)
        timings.append((key, time.perf_counter() - start))
    return rows, timings


class Inline:
    """An executor that runs each call at once, in this process: a sweep's parallelism is
    its tasks, so a certificate inside one task needs no pool of its own."""

    def submit(self, fn: Callable, *args: Any) -> Done:
        """``fn(*args)`` now; its value (or exception) held by the returned :class:`Done`."""
        try:
            return Done(fn(*args))
        except Exception as exc:  # raised again by result(), as a future would
            return Done(None, exc)


class Done:
    """The outcome of a call that has already run: ``result()`` returns or raises it."""

    def __init__(self, value: Any, error: Exception | None = None) -> None:
        self.value, self.error = value, error

    def result(self) -> Any:
        """The call's value, or its exception raised."""
        if self.error is not None:
            raise self.error
        return self.value

    def cancel(self) -> bool:
        """Nothing to cancel: the call has run."""
        return False


INLINE = Inline()


def _cluster_executor() -> Any:
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

    def submit(self, fn: Callable, *args: Any) -> _Seceding:
        """Run ``fn(*args)`` on the cluster; the returned future secedes while it waits."""
        from distributed import get_client

        return _Seceding(get_client().submit(fn, *args, pure=False))


class _Seceding:
    """A Dask future whose ``result`` leaves the worker's thread pool while it waits."""

    def __init__(self, future: Any) -> None:
        self.future = future

    def result(self) -> Any:
        """The future's value, waited for outside the worker's pool."""
        from distributed import rejoin, secede

        secede()
        try:
            return self.future.result()
        finally:
            rejoin()

    def cancel(self) -> None:
        """Cancel the future."""
        self.future.cancel()


# -- schedulers ---------------------------------------------------------------------------------
def scheduler_address(text: Any) -> str:
    """The Dask address of ``--scheduler``: ``tcp://HOST:PORT`` (``HOST:PORT`` means tcp),
    ``tls://``, ``ws://`` or ``wss://``; anything else is refused with one line."""
    shown = escape(text, 80)
    if not isinstance(text, str) or not (match := ADDRESS.fullmatch(text)):
        raise SymtdError(f"--scheduler {shown}: expected a Dask address, tcp://HOST:PORT")
    scheme = (match["scheme"] or "tcp").lower()
    if scheme == "inproc":
        raise SymtdError(
            f"--scheduler {shown}: an inproc address lives inside one Python process; give "
            f"the scheduler's network address, tcp://HOST:PORT"
        )
    if scheme not in SCHEMES:
        raise SymtdError(
            f"--scheduler {shown}: unsupported protocol {escape(scheme)}; expected "
            f"{', '.join(s + '://' for s in SCHEMES)}"
        )
    if match["port"] is None or not 1 <= int(match["port"]) <= 65535:
        raise SymtdError(f"--scheduler {shown}: expected a port in 1..65535, {scheme}://HOST:PORT")
    return f"{scheme}://{match['host']}:{int(match['port'])}"


def connect_timeout() -> float:
    """Seconds allowed to reach a scheduler: Dask's ``distributed.comm.timeouts.connect``."""
    import dask
    import distributed  # noqa: F401  (loads Dask's distributed configuration)
    from dask.utils import parse_timedelta

    return float(parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), "s"))


def connect(address: str, timeout: float | None = None) -> Any:
    """A Dask ``Client`` of the scheduler at ``address`` once it has proven to be one: within
    ``timeout`` seconds (default ``connect_timeout()``) the endpoint must accept, complete a
    Dask handshake and answer ``identity`` as a scheduler; else one clear SymtdError."""
    from distributed import Client

    address = scheduler_address(address)
    timeout = connect_timeout() if timeout is None else timeout
    start = time.monotonic()
    shown = escape(address, 80, quote=False)
    if address.startswith("tcp://"):
        _first_frame(address, timeout)
    left = max(0.5, timeout - (time.monotonic() - start))
    try:
        identity = _in_thread(
            lambda: asyncio.run(asyncio.wait_for(_identity(address, left), left)), left + 2
        )
    except (asyncio.TimeoutError, TimeoutError):
        raise SymtdError(
            f"no answer from a Dask scheduler at {shown} within {timeout:g} s "
            f"(distributed.comm.timeouts.connect)"
        ) from None
    except OSError as exc:  # refused, reset, closed (Dask's CommClosedError is an OSError)
        raise SymtdError(
            f"cannot reach a Dask scheduler at {shown}: {escape(str(exc), 120, quote=False)}"
        ) from None
    except Exception as exc:  # MemoryError, a garbled or unexpected message
        raise SymtdError(
            f"{shown} did not answer as a Dask scheduler: "
            f"{escape(str(exc) or type(exc).__name__, 120, quote=False)}"
        ) from None
    if not isinstance(identity, dict) or identity.get("type") != "Scheduler":
        raise SymtdError(f"{shown} answered, but not as a Dask scheduler")
    left = max(1.0, timeout - (time.monotonic() - start))
    try:
        return Client(address, timeout=left)
    except Exception as exc:
        raise SymtdError(
            f"cannot connect to the Dask scheduler at {shown}: {escape(str(exc), 120, quote=False)}"
        ) from None


def _first_frame(address: str, timeout: float) -> None:
    """A plain TCP look at a scheduler: it accepts within ``timeout`` and first sends a Dask
    handshake (an 8-byte frame length, then that many bytes — a few hundred)."""
    shown = escape(address, 80, quote=False)
    host, _, port = address[len("tcp://") :].rpartition(":")
    host = host.strip("[]")
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as sock:
            head = b""
            while len(head) < 8:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = sock.recv(8 - len(head))
                if not chunk:
                    raise SymtdError(f"{shown} closed the connection without a Dask handshake")
                head += chunk
    except (TimeoutError, socket.timeout):
        raise SymtdError(
            f"no Dask handshake from {shown} within {timeout:g} s (it accepted but did not "
            f"answer, or did not accept; distributed.comm.timeouts.connect)"
        ) from None
    except OSError as exc:
        raise SymtdError(
            f"cannot reach a Dask scheduler at {shown}: "
            f"{escape(exc.strerror or str(exc), quote=False)}"
        ) from None
    (length,) = struct.unpack("Q", head)  # as Dask frames it
    if not 0 < length <= MAX_HANDSHAKE:
        raise SymtdError(f"{shown} answered something that is not a Dask handshake")


def _in_thread(fn: Callable[[], Any], timeout: float) -> Any:
    """fn() in a thread of its own (its own event loop, whatever the caller runs), waited for
    at most ``timeout`` seconds (TimeoutError), its exception raised here."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # handed to the caller
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="symtd-scheduler-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


async def _identity(address: str, timeout: float) -> Any:
    """Connect (handshake included), ask ``identity``, return the answer (not unpickled)."""
    from distributed.comm import connect as dask_connect

    comm = await dask_connect(address, timeout=timeout, deserialize=False)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


# -- running ----------------------------------------------------------------------------------
def run_sweep(
    sweep: Sweep,
    out: str | Path,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    quiet: bool = False,
    on_batch: Callable[[list[dict[str, Any]]], None] | None = None,
) -> int:
    """Run the sweep's tasks on Dask (``client``, or a scheduler address, or a LocalCluster of
    ``workers`` processes) and write the rows to ``out``; returns the number of rows there.

    ``out`` and, with ``resume``, the rows it holds are checked before any cluster starts
    (:class:`~symtd.sweeps.results.Results`); tasks already there are skipped. Batches are
    sized from the measured cost of each cell's tasks (``Planner``); a task's rows
    depend on (seed, cell, draw) alone, so the row set depends neither on the batches nor on
    the workers. ``on_batch(rows)`` is called as each batch arrives (tests use it to kill a
    worker).
    """
    results = Results(out, sweep, resume)
    done = results.done
    todo = [t for t in sweep.tasks if t not in done]
    if scheduler is not None and client is None:
        scheduler_address(scheduler)  # its form, before anything starts
    own_cluster = own_client = None
    try:
        if client is None:
            from distributed import Client

            if scheduler is not None:
                client = own_client = connect(scheduler)
            else:
                own_cluster = local_cluster(workers)
                client = own_client = Client(own_cluster)
        try:
            _run(sweep, todo, client, results, quiet, on_batch)
        except KeyboardInterrupt:
            print(
                f"\nsymtd: interrupted; {results.written} rows in {escape(str(out))}",
                file=sys.stderr,
            )
            raise
        finally:
            results.close()
        return results.written
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()


def _run(
    sweep: Sweep,
    todo: list[tuple[str, int]],
    client: Any,
    results: Results,
    quiet: bool,
    on_batch: Callable | None,
) -> None:
    """Keep about two batches per worker thread in flight, sized by the planner from the
    costs measured so far; rows are written as they come, coalesced (``Buffered``)."""
    from distributed import as_completed

    if not todo:
        return
    planner = Planner(todo)
    slots = Slots(client)
    spread = len(todo) < slots.count  # fewer tasks than workers: certificates spread out
    swept = client.scatter(sweep, broadcast=True, hash=False)  # a key of its own per run
    running = as_completed()
    flying: set[Any] = set()
    progress = Progress(len(todo), quiet)
    out = Buffered(results)

    def top_up() -> None:
        threads = slots.count
        while len(flying) < 2 * threads and (batch := planner.next_batch(threads)):
            future = client.submit(timed_batch, swept, batch, spread, retries=3, pure=False)
            flying.add(future)
            running.add(future)

    try:
        top_up()
        for future in running:
            flying.discard(future)
            rows, timings = future.result()
            planner.record(timings)
            top_up()
            out.write(rows)
            progress.update(len(timings))
            if on_batch:
                on_batch(rows)
    finally:
        out.flush()
        if flying:  # interrupted or failed: free the cluster (a user's client lives on)
            client.cancel(list(flying))
    progress.finish()


class Slots:
    """The cluster's worker threads (at least 1), read again at most once a second: workers
    may join or leave a running scheduler."""

    def __init__(self, client: Any, every: float = 1.0) -> None:
        self.client, self.every = client, every
        self.last = -math.inf
        self.value = 1

    @property
    def count(self) -> int:
        """Worker threads now (as last read)."""
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self.value = max(1, sum(self.client.nthreads().values()))
        return self.value


class Planner:
    """Batches sized from the measured cost of each cell's tasks.

    A cell's first task is a probe; until some cost is known each batch holds one task, then
    an unmeasured cell's tasks are priced at the median measured cost. A batch aims at
    ``T = remaining work / (4 · threads)`` seconds, clamped to [``shortest``, ``longest``]:
    large enough that a scheduler round trip (milliseconds) is a small part of it, small
    enough that the last batches end together. Probes go first (to learn), then the cells
    longest task first; a task that costs T or more goes alone. A batch holds at most
    GROWTH tasks of a cell per task of it measured, at most GROWTH probes per cell
    measured, and MAX_BATCH in all, so one cheap first measurement cannot hand out a huge
    batch. Only the grouping depends on the timings, never a row. The order of the cells
    is revised at most ``every`` seconds (and when newly measured cells wait), so a batch
    costs O(its size) however many cells there are."""

    def __init__(
        self,
        todo: list[tuple[str, int]],
        shortest: float = 0.05,
        longest: float = 2.0,
        every: float = 0.25,
    ) -> None:
        self.pending: dict[str, list[int]] = {}
        for key, draw in todo:
            self.pending.setdefault(key, []).append(draw)
        for draws in self.pending.values():
            draws.reverse()  # popped from the end: draws in increasing order
        self.fresh = deque(self.pending)  # cells not probed yet
        self.spent: dict[str, list[float]] = {}  # cell: [seconds, tasks] measured
        self.shortest, self.longest, self.every = shortest, longest, every
        self.revised = -math.inf
        self.prior = 0.0
        self.order: list[str] = []  # measured cells with tasks left, longest task first
        self.work = 0.0  # seconds of work left, as priced at the last revision
        self.stale = False  # cells measured since the last revision

    def record(self, timings: list[tuple[str, float]]) -> None:
        """Add measured (cell key, seconds) of finished tasks."""
        for key, seconds in timings:
            if key not in self.spent:
                self.stale = True  # a cell to add to the order
            total = self.spent.setdefault(key, [0.0, 0])
            total[0] += max(0.0, seconds)
            total[1] += 1

    def cost(self, key: str) -> float:
        """Mean measured seconds per task of a cell (the median cell's when unmeasured)."""
        if key not in self.spent:
            return self.prior
        seconds, count = self.spent[key]
        return seconds / count

    def next_batch(self, threads: int) -> list[tuple[str, int]]:
        """The next batch of (cell key, draw); empty when every task is handed out."""
        if not self.pending:
            return []
        if not self.spent:  # nothing to price a task by: one probe, or one task
            return [self._take(self.fresh[0] if self.fresh else next(iter(self.pending)))]
        if time.monotonic() - self.revised >= self.every or (self.stale and not self.fresh):
            self._revise()
        target = min(self.longest, max(self.shortest, self.work / (4 * max(1, threads))))
        batch: list[tuple[str, int]] = []
        priced = 0.0
        if self.fresh:  # probes first: one task of each unmeasured cell
            most = min(MAX_BATCH, GROWTH * len(self.spent))
            while self.fresh and len(batch) < most and (not batch or priced < target):
                batch.append(self._take(self.fresh[0]))
                priced += self.prior
            return batch
        for key in self.order:
            cost = self.cost(key)
            most = min(MAX_BATCH - len(batch), int(GROWTH * self.spent[key][1]))
            taken = 0
            while self.pending.get(key) and taken < most and (not batch or priced < target):
                batch.append(self._take(key))
                priced += cost
                taken += 1
            if priced >= target or len(batch) >= MAX_BATCH:
                break
        if not batch and any(k in self.spent for k in self.pending):
            self._revise()  # the order ran out of cells measured before
            return self.next_batch(threads)
        if not batch:  # only cells whose probes are still out: one task
            batch.append(self._take(next(iter(self.pending))))
        return batch

    def _revise(self) -> None:
        """Price again: the median cell's cost, the cells longest first, the work left."""
        self.revised, self.stale = time.monotonic(), False
        self.prior = statistics.median(s / n for s, n in self.spent.values())
        self.order = sorted((k for k in self.pending if k in self.spent), key=self.cost)
        self.order.reverse()
        self.work = sum(self.cost(k) * len(draws) for k, draws in self.pending.items())

    def _take(self, key: str) -> tuple[str, int]:
        if self.fresh and self.fresh[0] == key:
            self.fresh.popleft()
        draws = self.pending[key]
        draw = draws.pop()
        if not draws:
            del self.pending[key]
        return key, draw


class Buffered:
    """Rows held back and written to RESULTS together: every ``every`` seconds, or once
    ``most`` rows wait, and at :meth:`flush` — each write still whole lines (CSV) or one
    row group (Parquet), fewer and larger, off the loop that feeds the workers."""

    def __init__(self, results: Results, every: float = 0.5, most: int = 20_000) -> None:
        self.results, self.every, self.most = results, every, most
        self.rows: list[dict[str, Any]] = []
        self.last = time.monotonic()

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Hold rows; write what is held when it is time."""
        self.rows += rows
        if len(self.rows) >= self.most or time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        """Write every held row now."""
        if self.rows:
            self.results.write(self.rows)
            self.rows = []
        self.last = time.monotonic()


def local_cluster(workers: int | None = None) -> Any:
    """A Dask LocalCluster of worker processes with one thread each and logs silenced, tuned
    for symtd's CPU-bound Python tasks: each worker imports symtd as it starts (a preload, so
    the first batch does not pay it), Dask's statistical profiler (a stack sample every
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
            preload=[__name__],
        )


class Progress:
    """tasks done / total, rate and ETA on the terminal (stderr), one line redrawn."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.quiet = quiet or not self.total

    def update(self, n: int) -> None:
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

    def finish(self) -> None:
        """End the progress line (a newline on stderr unless quiet)."""
        if not self.quiet:
            print(file=sys.stderr)
