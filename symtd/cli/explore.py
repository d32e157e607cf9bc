"""``symtd explore``: the interactive explorer (:mod:`symtd.explore`), served on 127.0.0.1."""

from __future__ import annotations

import argparse
from typing import Any

from symtd.cli.common import integer
from symtd.errors import SymtdError


def register(commands: Any) -> None:
    """Add the ``explore`` parser."""
    explore = commands.add_parser(
        "explore",
        help="the interactive explorer in a browser: circuits, matricizations, exact ranks and "
        "certified separation ranks as you change the architecture and the partition",
    )
    explore.add_argument(
        "--port", type=integer, default=5006, help="TCP port on 127.0.0.1 (default 5006)"
    )
    explore.add_argument(
        "--no-browser", action="store_true", help="only print the address; open no browser"
    )
    explore.set_defaults(run=explore_command)


def explore_command(args: argparse.Namespace) -> None:
    """symtd explore: serve the explorer at http://127.0.0.1:PORT/ until Ctrl-C."""
    if not 1 <= args.port <= 65535:
        raise SymtdError(f"--port must be in 1..65535, got {args.port}")
    from symtd.explore.app import serve

    serve(args.port, open_browser=not args.no_browser)
