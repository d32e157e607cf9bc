"""Commands on a user's network: ``certify`` (separation certificates the independent checker
re-verifies) and ``compare`` (against every shallow network of width Z)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from symtd.cli.common import NETWORK_FILE, integer, seconds, write
from symtd.errors import SymtdError, escape

PARTITION_HELP = (
    "odd-even, low-high, root, I=0,2,... or balanced (every partition with |I| = floor(N/2), "
    "up to complement); repeatable; default: the named ones with non-empty I and J"
)


def register(commands: Any) -> None:
    """Add this module's commands to the sub-parsers."""
    certify = commands.add_parser(
        "certify",
        help="certificates of separation ranks for any network, re-checkable by symtd check",
    )
    certify.add_argument("network", help=NETWORK_FILE + " (with or without weights)")
    certify.add_argument("--partition", action="append", metavar="P", help=PARTITION_HELP)
    certify.add_argument(
        "--out", required=True, metavar="CERT", help="write the certificates (a JSON list) here"
    )
    common_options(certify)
    certify.set_defaults(run=certify_command)
    compare = commands.add_parser(
        "compare", help="a deep network against every shallow network of width Z"
    )
    compare.add_argument("network", help=NETWORK_FILE + " (with or without weights)")
    compare.add_argument(
        "--shallow",
        type=integer,
        required=True,
        metavar="Z",
        help="the width Z of the shallow networks (same operator) to compare with",
    )
    compare.add_argument("--partition", action="append", metavar="P", help=PARTITION_HELP)
    common_options(compare)
    compare.add_argument(
        "--out-shallow",
        metavar="FILE",
        help="when within reach by construction: write the shallow network (with weights) here",
    )
    compare.add_argument(
        "--cert", metavar="FILE", help="write the certificates of the 'beyond' partitions here"
    )
    compare.add_argument(
        "--json", action="store_true", help="print the verdicts as JSON instead of lines"
    )
    compare.set_defaults(run=compare_command)


def common_options(parser: argparse.ArgumentParser) -> None:
    """--seed, --points and --time-limit, shared by certify and compare."""
    parser.add_argument(
        "--seed",
        type=integer,
        default=0,
        help="seed of the first random weight point, for a file without weights (default 0)",
    )
    parser.add_argument(
        "--points",
        type=integer,
        default=3,
        help="random weight points tried for a file without weights, best kept (default 3)",
    )
    parser.add_argument(
        "--time-limit",
        type=seconds,
        default=60.0,
        metavar="SECONDS",
        help="time for each partition's minor search (default 60); past it the bracket "
        "reached so far is kept",
    )


def check_numbers(args: argparse.Namespace) -> None:
    """Refuse a negative seed or a number of points outside 1..100 (one line)."""
    if args.seed < 0 or not 1 <= args.points <= 100:
        raise SymtdError("--seed must be >= 0 and --points in 1..100")


def certify_command(args: argparse.Namespace) -> int:
    """symtd certify: a "separation" certificate per partition; 0 when every partition is
    certified (lower == upper), 1 when some are only bracketed."""
    from symtd import checker
    from symtd.circuits.formats import load_network
    from symtd.theorems.certify import certify

    check_numbers(args)
    circuit = load_network(args.network)
    parts = certify(circuit, args.partition, args.seed, args.points, args.time_limit)
    certificates = [p.certificate for p in parts if p.certificate is not None]
    for part in parts:
        print(part.line())
    path = escape(args.out, 120, quote=False)
    if certificates:
        write(args.out, json.dumps(certificates, indent=1))
    certified = sum(p.certified for p in parts)
    written = (
        f"{len(certificates)} certificate(s) written to {path}"
        if certificates
        else f"nothing written to {path}: no certificate"
    )
    print(f"{certified} of {len(parts)} partitions certified; {written}")
    try:
        checker.cost(certificates)
    except ValueError as exc:
        print(f"note: symtd check refuses the file as a whole ({exc})")
    return 0 if certified == len(parts) else 1


def compare_command(args: argparse.Namespace) -> int:
    """symtd compare: per partition "beyond", "within reach by construction" or
    "inconclusive", then the overall verdict; 0 when decided (beyond or within), 1 when
    inconclusive."""
    from symtd.circuits.formats import load_network
    from symtd.theorems.compare import compare

    check_numbers(args)
    circuit = load_network(args.network)
    result = compare(circuit, args.shallow, args.partition, args.seed, args.points, args.time_limit)
    notes = []
    if args.out_shallow:
        if result.shallow is not None:
            write(args.out_shallow, json.dumps(result.shallow, indent=1))
            notes.append(f"shallow network written to {escape(args.out_shallow, 120, quote=False)}")
        else:
            notes.append("no shallow network written: no construction applies")
    if args.cert:
        if result.certificates:
            write(args.cert, json.dumps(result.certificates, indent=1))
            notes.append(
                f"{len(result.certificates)} certificate(s) written to "
                f"{escape(args.cert, 120, quote=False)}"
            )
        else:
            notes.append("no certificate written: no partition is beyond with a certificate")
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
    else:
        print("\n".join(result.lines() + notes))
    return 1 if result.verdict == "inconclusive" else 0
