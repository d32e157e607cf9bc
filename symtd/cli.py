"""Command line: ``grid``, ``rank``, ``separation``, ``convert``, ``prove``,
``check``, ``latex``, ``draw``, ``plot``, ``sweep``, ``sweep-report``.

Bad input exits with status 2 and one line on stderr, never a traceback; untrusted text
is printed escaped.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NoReturn

from symtd.errors import SymtdError, escape

if TYPE_CHECKING:
    from symtd.circuits.circuit import Circuit

NETWORK_FILE = "network JSON file (format symtd-network/1 or /2)"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise SymtdError(message)


def _parser() -> argparse.ArgumentParser:
    from symtd import __version__

    parser = _Parser(prog="symtd", description="Exact tensor analysis of convolutional networks.")
    parser.add_argument("--version", action="version", version=f"symtd {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    grid = commands.add_parser("grid", help="print the exact grid tensor of a network file")
    grid.add_argument("network", help=NETWORK_FILE)
    grid.add_argument("--out", help="write the JSON here instead of standard output")
    rank = commands.add_parser("rank", help="print the exact rank of a matricization")
    rank.add_argument("network", help=NETWORK_FILE)
    rank.add_argument(
        "--partition",
        required=True,
        help="odd-even, low-high, root, or I=0,2,... (0-based row positions)",
    )
    rank.add_argument(
        "--lower",
        action="store_true",
        help="print only a proven lower bound, '>= r' (one rank modulo a prime, no certificate)",
    )
    separation = commands.add_parser(
        "separation",
        help="bracket the maximal rank over all weights "
        "(separation rank) of one or several architectures",
    )
    separation.add_argument(
        "networks",
        nargs="+",
        metavar="network",
        help=NETWORK_FILE + "; weights, when given, are ignored",
    )
    separation.add_argument(
        "--partition",
        action="append",
        metavar="P",
        help="odd-even, low-high, root or I=0,2,... (repeatable; default: the "
        "named ones with non-empty I and J)",
    )
    separation.add_argument(
        "--points",
        type=_integer,
        default=3,
        help="random weight points for the lower bound (default 3)",
    )
    separation.add_argument(
        "--seed", type=_integer, default=0, help="seed of the first point (default 0)"
    )
    form = separation.add_mutually_exclusive_group()
    for name in ("json", "csv", "latex"):
        form.add_argument(
            f"--{name}", action="store_true", help=f"print {name.upper()} instead of a table"
        )
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
        type=_integer,
        help="LocalCluster worker processes (default: the number of cores)",
    )
    sweep.add_argument("--resume", action="store_true", help="skip the tasks RESULTS already has")
    sweep.add_argument(
        "--lower",
        action="store_true",
        help="modular lower bounds instead of certified ranks, for the whole sweep",
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    report = commands.add_parser(
        "sweep-report",
        help="fractions of draws beyond a shallow "
        "network's reach, with Wilson intervals, a plot and tables",
    )
    report.add_argument("results", help="RESULTS file written by symtd sweep")
    report.add_argument(
        "--out", required=True, help="folder for report.md, report.tex, fraction.png"
    )
    convert = commands.add_parser("convert", help="print a network file in format symtd-network/2")
    convert.add_argument("network", help=NETWORK_FILE)
    prove = commands.add_parser(
        "prove", help="verify theorem instances (T1-T7) and print the verdict table"
    )
    prove.add_argument("theorem", help="T1 ... T7, or all (the default instance set)")
    for name, kind, text in (
        ("N", _integer, "number of positions"),
        ("M", _integer, "number of templates"),
        ("r", _integer, "T4: width r of every layer"),
        ("Z", _integer, "T1/T2/T4: number of shallow channels"),
        ("widths", _numbers(_integer), "widths r_0,r_1,... (e.g. 2,2)"),
        ("operator", str, "product, max, sum or avg"),
        ("architecture", str, "shallow, deep, mirror, dilated, recurrent, overlapping"),
        ("kernel", _integer, "T4 overlapping: window size (default 3)"),
        ("stride", _integer, "T4 overlapping: stride (default 1)"),
        ("shared", _boolean, "T4 recurrent/overlapping: shared weights, yes or no"),
        ("partition", str, "T3 split: odd-even, low-high, root or I=0,2,..."),
        ("templates", _numbers(_rational), "T7 templates on a line, e.g. 1,2,3"),
        (
            "biases",
            _numbers(_rational),
            "T7 ReLU biases b_d of f_d(x) = max(x - b_d, 0); write --biases=-1,0 "
            "for a leading minus",
        ),
    ):
        prove.add_argument(f"--{name}", type=kind, help=text)
    prove.add_argument(
        "--seed", type=_integer, default=0, help="seed of the random instances (default 0)"
    )
    prove.add_argument("--cert", help="write the certificates (a JSON list) to this file")
    prove.add_argument(
        "--json", action="store_true", help="print the results as JSON instead of a table"
    )
    prove.add_argument(
        "--latex", metavar="FILE", help="write a standalone LaTeX report (compiles with pdflatex)"
    )
    prove.add_argument(
        "--pdf", action="store_true", help="with --latex: also run pdflatex, when it is installed"
    )
    latex = commands.add_parser(
        "latex", help="LaTeX of a network's decomposition, a grid entry or a matricization"
    )
    latex.add_argument("network", help=NETWORK_FILE)
    latex.add_argument(
        "--what",
        nargs="+",
        default=["decomposition"],
        metavar="KIND",
        help="decomposition | entry D (e.g. entry 0,1,0,1) | matricization P (e.g. matricization "
        "odd-even)",
    )
    latex.add_argument(
        "--symbolic",
        action="store_true",
        help="replace the file's weights by symbols a^{l,j,γ}_α (for entry: the expression)",
    )
    draw = commands.add_parser(
        "draw", help="picture of a network (PNG or SVG), or a heatmap of a matricization"
    )
    draw.add_argument("network", help=NETWORK_FILE)
    draw.add_argument("--out", required=True, help="picture file, .png or .svg")
    draw.add_argument(
        "--matricization", metavar="P", help="heatmap of this matricization (odd-even, root, I=...)"
    )
    plot = commands.add_parser(
        "plot", help="plots: ranks (odd-even ranks of deep networks against N)"
    )
    plot.add_argument("what", choices=["ranks"])
    plot.add_argument("--out", required=True, help="picture file, .png or .svg")
    plot.add_argument(
        "--N", type=_numbers(int), default=(2, 4, 8, 16), help="values of N (default 2,4,8,16)"
    )
    plot.add_argument("--M", type=_integer, default=2, help="number of templates (default 2)")
    plot.add_argument("--r", type=_integer, default=2, help="width of every layer (default 2)")
    plot.add_argument(
        "--seed", type=_integer, default=0, help="first random weight seed (default 0)"
    )
    check = commands.add_parser("check", help="re-verify certificates with the independent checker")
    check.add_argument("certificate", help="certificate JSON file (one certificate or a list)")
    return parser


def _integer(text: str) -> int:
    """An integer option of at most 18 digits (longer ones are refused, not parsed)."""
    if not re.fullmatch(r"-?[0-9]{1,18}", text):
        raise argparse.ArgumentTypeError(
            f"expected an integer of at most 18 digits, got {escape(text, 40)}"
        )
    return int(text)


def _rational(text: str) -> Fraction:
    """An exact rational option ("3", "-3/2", "0.25"; no exponents), at most 40 characters."""
    from symtd.algebra.rational import parse_rational

    if len(text) > 40:
        raise ValueError(text)
    try:
        return parse_rational(text)
    except SymtdError:
        raise ValueError(text) from None


def _boolean(text: str) -> bool:
    if text not in ("yes", "no"):
        raise argparse.ArgumentTypeError(f"expected yes or no, got {escape(text)}")
    return text == "yes"


def _numbers(kind: Callable[[str], Any]) -> Callable[[str], tuple]:
    def parse(text: str) -> tuple:
        if len(text) > 1000:
            raise argparse.ArgumentTypeError("the list is too long")
        try:
            return tuple(kind(x) for x in text.split(","))
        except (ValueError, ZeroDivisionError):
            raise argparse.ArgumentTypeError(
                f"expected comma-separated numbers, got {escape(text)}"
            ) from None

    return parse


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    except OSError as exc:
        raise SymtdError(f"cannot write {path}: {exc.strerror}") from None


def _prove(args: argparse.Namespace) -> int | None:
    from symtd.theorems.prove import OPTIONS, prove, prove_all, table, to_json

    options = {k: getattr(args, k) for k in OPTIONS if k != "seed"}
    if args.pdf and not args.latex:
        raise SymtdError("--pdf needs --latex FILE")
    if args.latex is not None:
        from symtd.render.report import check_report_path

        check_report_path(args.latex)
    if args.theorem == "all":
        if any(v is not None for v in options.values()):
            raise SymtdError(
                "prove all runs the default instances; instance options need one theorem"
            )
        rows = prove_all(args.seed)
    else:
        rows = [prove(args.theorem, seed=args.seed, **options)]
    if args.cert:
        _write(args.cert, json.dumps([c for row in rows for c in row.certificates], indent=1))
    print(to_json(rows) if args.json else table(rows))
    if args.latex:
        from symtd.render.report import write_report

        print(write_report(rows, args.latex, pdf=args.pdf), file=sys.stderr)
    return 0 if all(row.verdict == "verified" for row in rows) else 1


def _check(args: argparse.Namespace) -> int | None:
    from symtd.checker import FORMAT, CheckFailed, check, cost, loads
    from symtd.circuits.formats import MAX_FILE_BYTES

    path = escape(args.certificate, 120, quote=False)
    try:
        with open(args.certificate, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise SymtdError(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MiB")
        data = loads(raw.decode("utf-8"))
    except OSError as exc:
        raise SymtdError(f"cannot read {path}: {exc.strerror}") from None
    except (ValueError, RecursionError) as exc:  # UnicodeError is a ValueError
        raise SymtdError(
            f"{path} is not readable JSON: {escape(str(exc), 80, quote=False)}"
        ) from None
    certificates = data if isinstance(data, list) else [data]
    if not certificates or not all(
        isinstance(c, dict) and c.get("format") == FORMAT for c in certificates
    ):
        raise SymtdError(
            f'{path}: expected a certificate object ("format": "{FORMAT}") or a '
            f"non-empty list of them"
        )
    if len(certificates) > 1000:
        raise SymtdError(f"{path}: more than 1,000 certificates in one file")
    try:
        cost(certificates)
    except ValueError as exc:
        raise SymtdError(f"{path}: {exc}") from None
    failed = 0
    for k, cert in enumerate(certificates):
        label = (
            f"[{k}] {escape(cert.get('theorem', '?'), 12)} {escape(cert.get('instance', {}), 60)}"
        )
        try:
            check(cert)
            print(f"{label}: ok")
        except CheckFailed as exc:
            failed += 1
            print(f"{label}: FAILED: {escape(str(exc), 200, quote=False)}")
    print(f"{len(certificates) - failed} of {len(certificates)} certificates pass")
    return 1 if failed else 0


def _latex(args: argparse.Namespace) -> None:
    from symtd.circuits.formats import load_network
    from symtd.circuits.partitions import partition
    from symtd.render import latex
    from symtd.tensors.matricize import matricize

    circuit = load_network(args.network)
    if args.symbolic:
        circuit = circuit.with_weights(None)
    kind, *rest = args.what
    expected = {"decomposition": 0, "entry": 1, "matricization": 1}
    if kind not in expected or len(rest) != expected[kind]:
        raise SymtdError(
            "--what takes: decomposition | entry D (e.g. entry 0,1,0,1) | matricization P "
            "(e.g. matricization odd-even)"
        )
    if kind == "decomposition":
        print(latex.decomposition_latex(circuit))
    elif kind == "entry":
        if not re.fullmatch(r"[0-9]{1,9}(,[0-9]{1,9}){0,63}", rest[0]):
            raise SymtdError(
                f"entry index {escape(rest[0], 40)}: expected comma-separated integers, "
                f"e.g. 0,1,0,1"
            )
        d = [int(x) for x in rest[0].split(",")]
        print(latex.entry_latex(circuit, d))
    else:
        from symtd.algebra.rank import rank
        from symtd.tensors.grid import grid_tensor

        if not circuit.is_concrete:
            raise SymtdError("matricization needs concrete weights (drop --symbolic)")
        I = partition(rest[0], circuit)
        A = matricize(grid_tensor(circuit), I)
        print(latex.matrix_latex(A))
        print(latex.rank_latex(I, circuit.N, rank(A)))


def _draw(args: argparse.Namespace) -> None:
    from symtd.circuits.formats import load_network
    from symtd.render.draw import draw_circuit, draw_matricization

    circuit = load_network(args.network)
    if args.matricization:
        path = draw_matricization(circuit, args.matricization, args.out)
    else:
        path = draw_circuit(circuit, args.out)
    print(f"wrote {escape(str(path), 200, quote=False)}")


def _plot(args: argparse.Namespace) -> None:
    from symtd.render.draw import plot_ranks

    if args.M < 1 or args.r < 1 or args.seed < 0:
        raise SymtdError("--M and --r must be positive and --seed >= 0")
    path = plot_ranks(args.out, args.N, args.M, args.r, args.seed)
    print(f"wrote {escape(str(path), 200, quote=False)}")


def _concrete(path: str) -> Circuit:
    """A network file that must carry weights (grid, rank)."""
    from symtd.circuits.formats import load_network

    circuit = load_network(path)
    if not circuit.is_concrete:
        raise SymtdError(
            f"{escape(path, 120, quote=False)} has no weights: it is an architecture; this command "
            f"needs concrete weights (symtd separation takes architectures)"
        )
    return circuit


def _grid(args: argparse.Namespace) -> None:
    from symtd.tensors.grid import exact_grid_tensor

    G = exact_grid_tensor(_concrete(args.network))
    text = json.dumps({"shape": list(G.shape), "entries": G.to_strings()}, separators=(",", ":"))
    if args.out:
        _write(args.out, text)
    else:
        sys.stdout.write(text + "\n")


def _rank(args: argparse.Namespace) -> None:
    from symtd.circuits.partitions import partition
    from symtd.ranks.matricization import lower_rank, matricization_rank

    circuit = _concrete(args.network)
    I = partition(args.partition, circuit)
    if args.lower:
        print(f">= {lower_rank(circuit, I)}")
    else:
        print(matricization_rank(circuit, I))


def _separation(args: argparse.Namespace) -> None:
    from symtd.circuits.formats import load_network
    from symtd.circuits.partitions import partition
    from symtd.ranks.separation import separation_rank
    from symtd.render import tables

    if not 1 <= args.points <= 100 or args.seed < 0:
        raise SymtdError("--points must be in 1..100 and --seed >= 0")
    circuits = [(path, load_network(path)) for path in args.networks]
    names = args.partition or [
        n for n in tables.NAMED if all(0 < len(partition(n, c)) < c.N for _, c in circuits)
    ]
    if not names:
        raise SymtdError(
            "no named partition has non-empty I and J for every network; give --partition"
        )
    table = [
        (path, [separation_rank(c, partition(n, c), args.points, args.seed) for n in names])
        for path, c in circuits
    ]
    render = (
        tables.to_json
        if args.json
        else tables.to_csv
        if args.csv
        else tables.to_latex
        if args.latex
        else tables.to_text
    )
    print(render(table, names))


def _sweep(args: argparse.Namespace) -> None:
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


def _sweep_report(args: argparse.Namespace) -> None:
    from symtd.sweeps.report import sweep_report

    print(
        f"wrote {escape(str(sweep_report(args.results, args.out)), 200, quote=False)}/"
        f"report.md, report.tex, fraction.png"
    )


def _convert(args: argparse.Namespace) -> None:
    from symtd.circuits.formats import dumps, load_network, network_to_dict

    circuit = load_network(args.network)
    print(dumps(network_to_dict(circuit, weights=circuit.is_concrete, version=2)))


COMMANDS = {
    "grid": _grid,
    "rank": _rank,
    "separation": _separation,
    "convert": _convert,
    "sweep": _sweep,
    "sweep-report": _sweep_report,
    "prove": _prove,
    "check": _check,
    "latex": _latex,
    "draw": _draw,
    "plot": _plot,
}


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 on success, 1 when a check fails, 2 for bad or oversize input."""
    for stream in (sys.stdout, sys.stderr):  # never die on a character the terminal lacks
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = _parser().parse_args(argv)
        _check_values(args)
        return COMMANDS[args.command](args) or 0
    except SymtdError as exc:
        print(f"symtd: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print("symtd: error: out of memory", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symtd: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _check_values(args: argparse.Namespace) -> None:
    """argparse turns an option value "--" into an empty list; refuse it instead of guessing."""
    for key, value in vars(args).items():
        if isinstance(value, list) and (not value or any(isinstance(x, list) for x in value)):
            raise SymtdError(f'--{key}: "--" is not a value')


def _one_line(exc: BaseException) -> str:
    """The message on one line: control characters (a forged newline) escaped."""
    text = str(exc)
    return "".join(ch if ch.isprintable() else escape(ch)[1:-1] for ch in text)


if __name__ == "__main__":
    sys.exit(main())
