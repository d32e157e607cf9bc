"""Sweeps: exact ranks over many architectures and weight draws, on a Dask cluster.

The pipeline: a sweep file is read and validated (:mod:`symtd.sweeps.definition`), the
results file is checked (:mod:`symtd.sweeps.results`: a resumed file must come from the
same sweep), then the tasks run here. A task is one (cell, draw): the weights come from
(seed, cell, draw) alone, so results do not depend on the workers. For each partition it
computes the rank at that point — certified ("exact") or a modular lower bound ("lower")
— beside the cell's smallest proven upper bound and the shallow reach at every Z.

The engine is Dask distributed: a ``LocalCluster`` by default, or a scheduler address.
An address is checked before use: its form (``tcp://HOST:PORT``, or ``tls``, ``ws``,
``wss``), then, within Dask's connect timeout (``distributed.comm.timeouts.connect``),
that the endpoint completes a Dask handshake and answers as a scheduler — an endpoint that
accepts and never answers, or answers something else, is one clear error, not a hang.
Tasks are batched, retried when a worker dies, skipped on ``--resume`` when RESULTS has
them, and an interrupted sweep leaves a readable RESULTS with the rows done so far.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import socket
import struct
import sys
import threading
import time
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
]

MAX_BATCH = 256  # tasks per batch: a few scheduler round trips per worker, not one per task
MAX_HANDSHAKE = 2**20  # bytes: a Dask handshake is a few hundred
ADDRESS = re.compile(
    r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{0,15})://)?"
    r"(?P<host>\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))"
    r"(?::(?P<port>[0-9]{1,5}))?"
)
SCHEMES = ("tcp", "tls", "ws", "wss")


# -- one task ---------------------------------------------------------------------------------
def run_task(cell: Cell, draw: int, sweep: Sweep, executor: Any = None) -> list[dict[str, Any]]:
    """The rows of one (cell, draw): the rank of every partition at that weight point."""
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


def run_batch(sweep: Sweep, items: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """A batch of (cell key, draw) on a worker; certificates spread over the cluster."""
    cells = {c.key: c for c in sweep.cells}
    executor = _cluster_executor()
    return [row for key, draw in items for row in run_task(cells[key], draw, sweep, executor)]


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
    (:class:`~symtd.sweeps.results.Results`); tasks already there are skipped.
    ``on_batch(rows)`` is called as each batch arrives (tests use it to kill a worker).
    """
    from distributed import Client, as_completed

    results = Results(out, sweep, resume)
    done = results.done
    todo = [t for t in sweep.tasks if t not in done]
    if scheduler is not None and client is None:
        scheduler_address(scheduler)  # its form, before anything starts
    own_cluster = own_client = None
    try:
        if client is None:
            if scheduler is not None:
                client = own_client = connect(scheduler)
            else:
                own_cluster = local_cluster(workers)
                client = own_client = Client(own_cluster)
        try:
            _run(sweep, todo, client, results, quiet, on_batch, as_completed)
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
    as_completed: Callable,
) -> None:
    batches = _batches(todo, client)
    swept = client.scatter(sweep, broadcast=True, hash=False)  # a key of its own per run
    futures = [client.submit(run_batch, swept, batch, retries=3, pure=False) for batch in batches]
    progress = Progress(len(todo), quiet)
    for future in as_completed(futures):
        rows = future.result()
        results.write(rows)
        progress.update(len(rows) // len(sweep.partitions))
        if on_batch:
            on_batch(rows)
    progress.finish()


def local_cluster(workers: int | None = None) -> Any:
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


def _batches(todo: list[tuple[str, int]], client: Any) -> list[list[tuple[str, int]]]:
    """Batches of tasks with the cells interleaved (draw by draw), so that batches cost about
    the same: at least 4 per worker, at most MAX_BATCH tasks each (progress, lost work)."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    ordered = sorted(todo, key=lambda task: (task[1], task[0]))
    size = max(1, min(MAX_BATCH, math.ceil(len(ordered) / (4 * workers))))
    return [ordered[k : k + size] for k in range(0, len(ordered), size)]


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
