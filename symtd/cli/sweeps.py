"""Commands on sweeps: ``sweep`` and ``sweep-report``."""

from __future__ import annotations

import argparse
from typing import Any

from symtd.cli.common import integer
from symtd.errors import SymtdError, escape


def register(commands: Any) -> None:
    """Add this module's commands to the sub-parsers."""
    sweep = commands.add_parser(
        "sweep",
        help="exact ranks over a grid of architectures and "
        "weight draws, on a Dask cluster (a LocalCluster by default)",
    )
    sweep.add_argument("sweep", help="sweep JSON file (format symtd-sweep/1)")
    sweep.add_argument("--out", required=True, help="RESULTS file, .csv or .parquet")
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler, tcp://HOST:PORT (or tls://, ws://, wss://); it must answer "
        "within distributed.comm.timeouts.connect",
    )
    sweep.add_argument(
        "--workers",
        type=integer,
        help="LocalCluster worker processes (default: the number of cores)",
    )
    sweep.add_argument("--resume", action="store_true", help="skip the tasks RESULTS already has")
    sweep.add_argument(
        "--lower",
        action="store_true",
        help="modular lower bounds instead of certified ranks, for the whole sweep",
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(run=sweep_command)
    report = commands.add_parser(
        "sweep-report",
        help="fractions of draws beyond a shallow "
        "network's reach, with Wilson intervals, a plot and tables",
    )
    report.add_argument("results", help="RESULTS file written by symtd sweep")
    report.add_argument(
        "--out", required=True, help="folder for report.md, report.tex, fraction.png"
    )
    report.set_defaults(run=sweep_report_command)


def sweep_command(args: argparse.Namespace) -> None:
    """symtd sweep: exact ranks over a grid of architectures on Dask."""
    from symtd.sweeps.sweep import load_sweep, run_sweep, scheduler_address

    if args.workers is not None and not 1 <= args.workers <= 256:
        raise SymtdError("--workers must be in 1..256")
    if args.scheduler is not None and args.workers:
        raise SymtdError("--workers is for the LocalCluster; a --scheduler has its own workers")
    if args.scheduler is not None:
        scheduler_address(args.scheduler)  # its form, before the sweep file is read
    sweep = load_sweep(args.sweep, lower=args.lower)
    written = run_sweep(
        sweep,
        args.out,
        scheduler=args.scheduler,
        workers=args.workers,
        resume=args.resume,
        quiet=args.quiet,
    )
    print(
        f"{written} rows in {escape(args.out, 200, quote=False)} ({len(sweep.tasks)} tasks, "
        f"{len(sweep.cells)} cells, rank {sweep.rank_kind})"
    )


def sweep_report_command(args: argparse.Namespace) -> None:
    """symtd sweep-report: fractions beyond shallow reach, plots and tables."""
    from symtd.sweeps.report import sweep_report

    print(
        f"wrote {escape(str(sweep_report(args.results, args.out)), 200, quote=False)}/"
        f"report.md, report.tex, fraction.png"
    )
