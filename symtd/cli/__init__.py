"""Command line: ``grid``, ``rank``, ``separation``, ``convert``, ``latex``, ``draw``, ``plot``
(:mod:`symtd.cli.networks`), ``certify``, ``compare`` (:mod:`symtd.cli.certify`), ``prove``,
``check`` (:mod:`symtd.cli.proofs`), ``sweep``, ``sweep-report`` (:mod:`symtd.cli.sweeps`),
``import`` (:mod:`symtd.cli.imports`), ``explore`` (:mod:`symtd.cli.explore`).

Bad input exits with status 2 and one line on stderr, never a traceback; untrusted text
is printed escaped. Each command module registers its parsers; the heavy imports happen
inside the commands, so ``symtd --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys

from symtd.cli import certify, explore, imports, networks, proofs, sweeps
from symtd.cli.common import Parser, check_values, one_line
from symtd.errors import SymtdError

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The ``symtd`` argument parser with every command."""
    from symtd import __version__

    parser = Parser(prog="symtd", description="Exact tensor analysis of convolutional networks.")
    parser.add_argument("--version", action="version", version=f"symtd {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in (networks, imports, certify, proofs, sweeps, explore):
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 on success, 1 when a check fails, 2 for bad or oversize input."""
    for stream in (sys.stdout, sys.stderr):  # never die on a character the terminal lacks
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = parser().parse_args(argv)
        check_values(args)
        return args.run(args) or 0
    except SymtdError as exc:
        print(f"symtd: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print("symtd: error: out of memory", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symtd: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
