"""Command line (SPEC §7): ``symtd grid`` and ``symtd rank``.

Bad input exits with status 2 and one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys

from .errors import SymtdError


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise SymtdError(message)


def _parser():
    from . import __version__

    parser = _Parser(prog="symtd", description="Exact tensor analysis of convolutional networks.")
    parser.add_argument("--version", action="version", version=f"symtd {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    grid = commands.add_parser("grid", help="print the exact grid tensor of a network file")
    grid.add_argument("network", help="network JSON file (format symtd-network/1)")
    grid.add_argument("--out", help="write the JSON here instead of standard output")
    rank = commands.add_parser("rank", help="print the exact rank of a matricization")
    rank.add_argument("network", help="network JSON file (format symtd-network/1)")
    rank.add_argument("--partition", required=True,
                      help="odd-even, low-high, root, or I=0,2,... (0-based row positions)")
    return parser


def _grid(args):
    from .grid import grid_tensor
    from .network_json import load_network

    G = grid_tensor(load_network(args.network))
    text = json.dumps({"shape": list(G.shape), "entries": G.to_strings()}, separators=(",", ":"))
    if args.out:
        try:
            with open(args.out, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as exc:
            raise SymtdError(f"cannot write {args.out}: {exc.strerror}") from None
    else:
        sys.stdout.write(text + "\n")


def _rank(args):
    from .matricize import partition
    from .network_json import load_network
    from .rank import matricization_rank

    circuit = load_network(args.network)
    print(matricization_rank(circuit, partition(args.partition, circuit)))



def main(argv=None):
    try:
        args = _parser().parse_args(argv)
        {"grid": _grid, "rank": _rank}[args.command](args)
    except SymtdError as exc:
        print(f"symtd: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print("symtd: error: out of memory", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
