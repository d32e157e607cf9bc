"""Commands on theorems and certificates: ``prove`` and ``check``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from symtd.cli.common import boolean, integer, numbers, rational, write
from symtd.errors import SymtdError, escape


def register(commands: Any) -> None:
    """Add this module's commands to the sub-parsers."""
    prove = commands.add_parser(
        "prove", help="verify theorem instances (T1-T7) and print the verdict table"
    )
    prove.add_argument("theorem", help="T1 ... T7, or all (the default instance set)")
    for name, kind, text in (
        ("N", integer, "number of positions"),
        ("M", integer, "number of templates"),
        ("r", integer, "T4: width r of every layer"),
        ("Z", integer, "T1/T2/T4: number of shallow channels"),
        ("widths", numbers(integer), "widths r_0,r_1,... (e.g. 2,2)"),
        ("operator", str, "product, max, sum or avg"),
        ("architecture", str, "shallow, deep, mirror, dilated, recurrent, overlapping"),
        ("kernel", integer, "T4 overlapping: window size (default 3)"),
        ("stride", integer, "T4 overlapping: stride (default 1)"),
        ("shared", boolean, "T4 recurrent/overlapping: shared weights, yes or no"),
        ("partition", str, "T3 split / T4 --network partition: odd-even, low-high, root or I=..."),
        (
            "network",
            str,
            "T3: a sum/avg network file (its root split, every weight symbolic); T4: a product "
            "network file, with --Z (a certified rank above Z on some partition)",
        ),
        ("templates", numbers(rational), "T7 templates on a line, e.g. 1,2,3"),
        (
            "biases",
            numbers(rational),
            "T7 ReLU biases b_d of f_d(x) = max(x - b_d, 0); write --biases=-1,0 "
            "for a leading minus",
        ),
    ):
        prove.add_argument(f"--{name}", type=kind, help=text)
    prove.add_argument(
        "--seed", type=integer, default=0, help="seed of the random instances (default 0)"
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
    prove.set_defaults(run=prove_command)
    check = commands.add_parser("check", help="re-verify certificates with the independent checker")
    check.add_argument("certificate", help="certificate JSON file (one certificate or a list)")

    check.set_defaults(run=check_command)


def prove_command(args: argparse.Namespace) -> int | None:
    """symtd prove: verify theorem instances; 0 when all are verified."""
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
        write(args.cert, json.dumps([c for row in rows for c in row.certificates], indent=1))
    print(to_json(rows) if args.json else table(rows))
    if args.latex:
        from symtd.render.report import write_report

        print(write_report(rows, args.latex, pdf=args.pdf), file=sys.stderr)
    return 0 if all(row.verdict == "verified" for row in rows) else 1


def check_command(args: argparse.Namespace) -> int | None:
    """symtd check: re-verify certificates with the independent checker; 0 when all pass."""
    from symtd.checker import FORMAT, CheckFailed, check, cost, loads, summary
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
            what = summary(cert)  # what a bracket or a T4 on a network proves; else just ok
            more = "" if what.endswith(" holds") else f" — {escape(what, 120, quote=False)}"
            print(f"{label}: ok{more}")
        except CheckFailed as exc:
            failed += 1
            print(f"{label}: FAILED: {escape(str(exc), 200, quote=False)}")
    print(f"{len(certificates) - failed} of {len(certificates)} certificates pass")
    return 1 if failed else 0
