"""How a sweep scales with the workers it is given: one sequential loop against
``run_sweep`` on LocalClusters of P = 1, 2, 4, ... worker processes.

    python benchmarks/sweep_scaling.py --workers 1,2,4,8,16 --seconds 60 --json OUT.json

The work is two sweeps of exact ranks, sized together to about ``--seconds`` of sequential
work on this machine (measured first on a few draws):

* the README study (examples/sweeps/study.json: 9 deep cells, 2-40 ms tasks), all its
  200 draws when they fit in 40% of the budget, fewer otherwise;
* a sweep of mixed task costs, 0.02-2.5 s (deep N=16, M=2, widths 3 and 4, with product,
  max and avg; deep N=8, M=4, widths 4, with product and avg), its draws filling the rest.
  A task's cost varies with its draw (0.06-2.5 s for the same max cell), as in real sweeps.

The sequential loop (every task in this process, certificates inline) runs once and gives
the reference rows (its CPU time beside its wall time: on a shared machine their ratio
shows how much CPU the benchmark really had). Then for each P a LocalCluster starts
(timed: "start"), both sweeps run on it (timed: "sweep", the wall time of ``run_sweep``
alone), the cluster closes, and every row written must equal the sequential row set.
Printed per P: start, sweep, speed-up (sequential / sweep) and efficiency (speed-up / P),
then the same with the start included.
A P whose run would not fit in ``--budget`` seconds (estimated from the sequential time)
is skipped with a line saying so. Exit status 1 when a row set differs.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import sys
import tempfile
import time
from typing import Any

from symtd.sweeps.sweep import (
    Sweep,
    local_cluster,
    read_results,
    run_batch,
    run_sweep,
    sweep_from_dict,
)

ROOT = pathlib.Path(__file__).resolve().parent.parent
MIXED_GRID = {
    "architecture": ["deep"],
    "N": [16],
    "M": [2],
    "widths": [3, 4],
    "operator": ["product", "max", "avg"],
}
MIXED_FILES = {  # deep N=8, M=4, widths 4 (its max takes up to 5 s a task: left out)
    f"deep8x4-{op}.json": {
        "format": "symtd-network/1",
        "architecture": "deep",
        "N": 8,
        "M": 4,
        "widths": [4, 4, 4],
        "operator": op,
    }
    for op in ("product", "avg")
}


def mixed_document(draws: int) -> dict[str, Any]:
    """The mixed-cost sweep with ``draws`` draws per cell."""
    return {
        "format": "symtd-sweep/1",
        "grid": MIXED_GRID,
        "networks": sorted(MIXED_FILES),
        "partitions": ["odd-even"],
        "draws": draws,
        "weights": {"integers": [-1000, 1000]},
        "Z": [1, 2, 4, 8],
        "seed": 1,
    }


def per_draw(sweep: Sweep, draws: range) -> float:
    """Measured seconds of one draw of every cell (mean over ``draws``)."""
    tasks = [(cell.key, d) for cell in sweep.cells for d in draws]
    start = time.perf_counter()
    run_batch(sweep, tasks)
    return (time.perf_counter() - start) / len(draws)


def build(seconds: float, folder: pathlib.Path) -> list[tuple[str, Sweep]]:
    """The study and the mixed sweep, sized to about ``seconds`` of sequential work."""
    for name, network in MIXED_FILES.items():
        (folder / name).write_text(json.dumps(network))
    study_doc = json.loads((ROOT / "examples" / "sweeps" / "study.json").read_text())
    study_cost = per_draw(sweep_from_dict(dict(study_doc, draws=3)), range(3))
    study_draws = max(1, min(study_doc["draws"], int(0.4 * seconds / study_cost)))
    mixed_cost = per_draw(sweep_from_dict(mixed_document(2), base=folder), range(2))
    rest = max(0.0, seconds - study_draws * study_cost)
    mixed_draws = max(2, math.ceil(1.1 * rest / mixed_cost))
    return [
        ("study", sweep_from_dict(dict(study_doc, draws=study_draws))),
        ("mixed", sweep_from_dict(mixed_document(mixed_draws), base=folder)),
    ]


def row_set(rows: list[dict[str, Any]], sweep: Sweep) -> list[tuple]:
    """Rows as sorted tuples of every column (the comparison ignores the order only)."""
    return sorted(tuple(row[c] for c in sweep.columns) for row in rows)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (module docstring); 0 when every row set matched."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4,8,16", help="P values, comma-separated")
    parser.add_argument("--seconds", type=float, default=60.0, help="sequential work to build")
    parser.add_argument("--budget", type=float, default=280.0, help="seconds for everything")
    parser.add_argument("--json", help="write the measurements here")
    args = parser.parse_args(argv)
    try:
        counts = sorted({int(p) for p in args.workers.split(",")})
    except ValueError:
        parser.error("--workers takes positive integers separated by commas")
    if not counts or counts[0] < 1 or counts[-1] > 256:
        parser.error("--workers takes integers in 1..256")
    began = time.perf_counter()
    report: dict[str, Any] = {"seconds_asked": args.seconds, "runs": [], "skipped": []}
    with tempfile.TemporaryDirectory() as name:
        folder = pathlib.Path(name)
        sweeps = build(args.seconds, folder)
        reference, sequential = {}, 0.0
        for label, sweep in sweeps:
            start, cpu = time.perf_counter(), time.process_time()
            reference[label] = row_set(run_batch(sweep, sweep.tasks), sweep)
            took = time.perf_counter() - start
            cpu = time.process_time() - cpu
            sequential += took
            report[label] = {
                "cells": len(sweep.cells),
                "draws": sweep.draws,
                "tasks": len(sweep.tasks),
                "sequential_s": round(took, 3),
                "sequential_cpu_s": round(cpu, 3),
            }
            print(
                f"{label}: {len(sweep.cells)} cells x {sweep.draws} draws = "
                f"{len(sweep.tasks)} tasks, sequential {took:.1f}s (CPU {cpu:.1f}s)",
                flush=True,
            )
        report["sequential_s"] = round(sequential, 3)
        print(f"sequential loop: {sequential:.1f}s in all\n")
        print(
            f"{'P':>3} {'start':>7} {'sweep':>7} {'speed-up':>9} {'eff.':>5} "
            f"{'+start':>7} {'speed-up':>9} {'eff.':>5}  rows"
        )
        failed = False
        for P in counts:
            left = args.budget - (time.perf_counter() - began)
            if sequential / (0.5 * P) + 10 > left:
                report["skipped"].append(P)
                print(
                    f"{P:>3} skipped: about {sequential / (0.5 * P) + 10:.0f}s needed, "
                    f"{left:.0f}s of --budget left"
                )
                continue
            run = measure(P, sweeps, reference, folder)
            run["speedup"] = round(sequential / run["sweep_s"], 3)
            run["efficiency"] = round(run["speedup"] / P, 3)
            with_start = run["sweep_s"] + run["start_s"]
            run["speedup_with_start"] = round(sequential / with_start, 3)
            run["efficiency_with_start"] = round(run["speedup_with_start"] / P, 3)
            report["runs"].append(run)
            failed |= not run["rows_match"]
            print(
                f"{P:>3} {run['start_s']:>6.2f}s {run['sweep_s']:>6.2f}s "
                f"{run['speedup']:>8.2f}x {run['efficiency']:>5.2f} {with_start:>6.2f}s "
                f"{run['speedup_with_start']:>8.2f}x {run['efficiency_with_start']:>5.2f}  "
                f"{'same' if run['rows_match'] else 'DIFFERENT'}",
                flush=True,
            )
    target = [r for r in report["runs"] if r["workers"] >= 16]
    for run in target:
        verdict = "met" if run["speedup"] >= 0.6 * run["workers"] else "NOT met"
        print(f"target >= 0.6 x P on P = {run['workers']}: {run['speedup']:.2f}x, {verdict}")
    report["total_s"] = round(time.perf_counter() - began, 1)
    print(f"total {report['total_s']:.0f}s")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    return 1 if failed else 0


def measure(
    P: int, sweeps: list[tuple[str, Sweep]], reference: dict[str, list], folder: pathlib.Path
) -> dict[str, Any]:
    """One LocalCluster of P workers: its start, both sweeps' wall time, the rows compared."""
    from distributed import Client

    start = time.perf_counter()
    cluster = local_cluster(P)
    client = Client(cluster)
    started = time.perf_counter() - start
    try:
        wall, client_cpu, batches, same = 0.0, 0.0, 0, True
        for label, sweep in sweeps:
            out = folder / f"{label}-{P}.csv"
            count = []
            begin, cpu = time.perf_counter(), time.process_time()
            run_sweep(
                sweep, out, client=client, quiet=True, on_batch=lambda r: count.append(len(r))
            )
            wall += time.perf_counter() - begin
            client_cpu += time.process_time() - cpu
            batches += len(count)
            same &= row_set(read_results(out), sweep) == reference[label]
    finally:
        client.close()
        cluster.close()
    return {
        "workers": P,
        "start_s": round(started, 3),
        "sweep_s": round(wall, 3),
        "batches": batches,
        "rows_match": same,
        "client_cpu_s": round(client_cpu, 3),  # this process: the scheduler and the client
    }


if __name__ == "__main__":  # worker processes start by importing this file: run nothing then
    sys.exit(main())
