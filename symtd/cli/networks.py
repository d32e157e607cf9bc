"""Commands on network files: ``grid``, ``rank``, ``separation``, ``convert``, ``latex``,
``draw``, ``plot``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from symtd.circuits.circuit import Circuit
from symtd.cli.common import (
    NETWORK_FILE,
    add_random_point,
    concrete,
    integer,
    network,
    numbers,
    seconds,
    write,
)
from symtd.errors import SymtdError, escape


def register(commands: Any) -> None:
    """Add this module's commands to the sub-parsers."""
    grid = commands.add_parser("grid", help="print the exact grid tensor of a network file")
    grid.add_argument("network", help=NETWORK_FILE)
    grid.add_argument("--out", help="write the JSON here instead of standard output")
    add_random_point(grid)
    grid.set_defaults(run=grid_command)
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
    add_random_point(rank)
    rank.set_defaults(run=rank_command)
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
        help="odd-even, low-high, root, I=0,2,... or balanced (every partition with |I| = "
        "floor(N/2), up to complement); repeatable; default: the named ones with non-empty "
        "I and J",
    )
    separation.add_argument(
        "--points",
        type=integer,
        default=3,
        help="random weight points for the lower bound (default 3)",
    )
    separation.add_argument(
        "--seed", type=integer, default=0, help="seed of the first point (default 0)"
    )
    separation.add_argument(
        "--time-limit",
        type=seconds,
        default=60.0,
        metavar="SECONDS",
        help="time for the lower bound of each partition (default 60); past it the bracket "
        "reached so far is printed, with a note",
    )
    form = separation.add_mutually_exclusive_group()
    for name in ("json", "csv", "latex"):
        form.add_argument(
            f"--{name}", action="store_true", help=f"print {name.upper()} instead of a table"
        )
    separation.set_defaults(run=separation_command)
    convert = commands.add_parser("convert", help="print a network file in format symtd-network/2")
    convert.add_argument("network", help=NETWORK_FILE)
    convert.set_defaults(run=convert_command)
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
    weights = latex.add_mutually_exclusive_group()
    weights.add_argument(
        "--symbolic",
        action="store_true",
        help="replace the file's weights by symbols a^{l,j,γ}_α (for entry: the expression)",
    )
    add_random_point(weights)
    latex.set_defaults(run=latex_command)
    draw = commands.add_parser(
        "draw", help="picture of a network (PNG or SVG), or a heatmap of a matricization"
    )
    draw.add_argument("network", help=NETWORK_FILE)
    draw.add_argument("--out", required=True, help="picture file, .png or .svg")
    draw.add_argument(
        "--matricization", metavar="P", help="heatmap of this matricization (odd-even, root, I=...)"
    )
    add_random_point(draw)
    draw.set_defaults(run=draw_command)
    plot = commands.add_parser(
        "plot", help="plots: ranks (odd-even ranks of deep networks against N)"
    )
    plot.add_argument("what", choices=["ranks"])
    plot.add_argument("--out", required=True, help="picture file, .png or .svg")
    plot.add_argument(
        "--N", type=numbers(int), default=(2, 4, 8, 16), help="values of N (default 2,4,8,16)"
    )
    plot.add_argument("--M", type=integer, default=2, help="number of templates (default 2)")
    plot.add_argument("--r", type=integer, default=2, help="width of every layer (default 2)")
    plot.add_argument(
        "--seed", type=integer, default=0, help="first random weight seed (default 0)"
    )
    plot.set_defaults(run=plot_command)


def grid_command(args: argparse.Namespace) -> None:
    """symtd grid: the exact grid tensor as JSON."""
    from symtd.tensors.grid import exact_grid_tensor

    G = exact_grid_tensor(concrete(args.network, args.random_point))
    text = json.dumps({"shape": list(G.shape), "entries": G.to_strings()}, separators=(",", ":"))
    if args.out:
        write(args.out, text)
    else:
        sys.stdout.write(text + "\n")


def rank_command(args: argparse.Namespace) -> None:
    """symtd rank: the exact rank of one matricization (or a proven lower bound)."""
    from symtd.circuits.partitions import partition
    from symtd.ranks.matricization import lower_rank, matricization_rank

    circuit = concrete(args.network, args.random_point)
    I = partition(args.partition, circuit)
    if args.lower:
        print(f">= {lower_rank(circuit, I)}")
    else:
        print(matricization_rank(circuit, I))


def separation_command(args: argparse.Namespace) -> None:
    """symtd separation: brackets of the maximal rank over all weights."""
    from symtd.circuits.formats import load_network
    from symtd.circuits.partitions import partition
    from symtd.ranks.separation import separation_rank
    from symtd.render import tables

    if not 1 <= args.points <= 100 or args.seed < 0:
        raise SymtdError("--points must be in 1..100 and --seed >= 0")
    circuits = [(path, load_network(path)) for path in args.networks]
    names = (
        columns(args.partition, [c for _, c in circuits])
        if args.partition
        else [n for n in tables.NAMED if all(0 < len(partition(n, c)) < c.N for _, c in circuits)]
    )
    if not names:
        raise SymtdError(
            "no named partition has non-empty I and J for every network; give --partition"
        )
    table = [
        (
            path,
            [
                separation_rank(
                    c, partition(n, c), args.points, args.seed, time_limit=args.time_limit
                )
                for n in names
            ],
        )
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
    notes = tables.notes(table, names)
    if notes:  # machine-readable forms keep standard output to themselves
        print(notes, file=sys.stderr if args.json or args.csv or args.latex else sys.stdout)


def columns(specs: list[str], circuits: list[Circuit]) -> list[str]:
    """The column labels of --partition specs for every circuit: "balanced" expanded into "I=..."
    labels (:func:`symtd.circuits.partitions.partitions`), the same partition (rows) once.
    Networks whose expansions differ (another N) are refused together."""
    from symtd.circuits.partitions import partitions

    labels = {tuple(label for label, _ in partitions(specs, c)) for c in circuits}
    if len(labels) == 1:
        return list(labels.pop())
    if "balanced" in specs:
        raise SymtdError(
            "--partition balanced: the networks have different numbers of positions N, so "
            "different balanced partitions; run them separately"
        )
    return list(dict.fromkeys(specs))  # names meaning other rows in different networks


def convert_command(args: argparse.Namespace) -> None:
    """symtd convert: the file in format v2."""
    from symtd.circuits.formats import dumps, load_network, network_to_dict

    circuit = load_network(args.network)
    print(dumps(network_to_dict(circuit, weights=circuit.is_concrete, version=2)))


def latex_command(args: argparse.Namespace) -> None:
    """symtd latex: LaTeX of a decomposition, a grid entry or a matricization."""
    from symtd.circuits.partitions import partition
    from symtd.render import latex
    from symtd.tensors.matricize import matricize

    circuit = network(args.network, args.random_point)
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
            raise SymtdError(
                "matricization needs concrete weights (drop --symbolic)"
                if args.symbolic
                else "matricization needs concrete weights; the file has none: give "
                "--random-point SEED for random ones"
            )
        I = partition(rest[0], circuit)
        A = matricize(grid_tensor(circuit), I)
        print(latex.matrix_latex(A))
        print(latex.rank_latex(I, circuit.N, rank(A)))


def draw_command(args: argparse.Namespace) -> None:
    """symtd draw: a picture of the circuit or a matricization heatmap."""
    from symtd.render.draw import draw_circuit, draw_matricization

    circuit = network(args.network, args.random_point)
    if args.matricization:
        if not circuit.is_concrete:
            raise SymtdError(
                "a heatmap needs concrete weights; the file has none: give --random-point SEED "
                "for random ones, or draw the circuit without --matricization"
            )
        path = draw_matricization(circuit, args.matricization, args.out)
    else:
        path = draw_circuit(circuit, args.out)
    print(f"wrote {escape(str(path), 200, quote=False)}")


def plot_command(args: argparse.Namespace) -> None:
    """symtd plot ranks: odd-even ranks of deep networks against N."""
    from symtd.render.draw import plot_ranks

    if args.M < 1 or args.r < 1 or args.seed < 0:
        raise SymtdError("--M and --r must be positive and --seed >= 0")
    path = plot_ranks(args.out, args.N, args.M, args.r, args.seed)
    print(f"wrote {escape(str(path), 200, quote=False)}")
