"""What every command shares: the argument parser that raises instead of exiting, option
types that refuse what they cannot read exactly, file writing, and one-line errors."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NoReturn

from symtd.algebra.rational import parse_rational
from symtd.circuits.circuit import Circuit
from symtd.circuits.formats import load_network
from symtd.errors import SymtdError, escape

NETWORK_FILE = "network JSON file (format symtd-network/1 or /2)"


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are SymtdErrors: one line, exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Raise the message as a SymtdError instead of exiting."""
        raise SymtdError(message)


def integer(text: str) -> int:
    """An integer option of at most 18 digits (longer ones are refused, not parsed)."""
    if not re.fullmatch(r"-?[0-9]{1,18}", text):
        raise argparse.ArgumentTypeError(
            f"expected an integer of at most 18 digits, got {escape(text, 40)}"
        )
    return int(text)


def rational(text: str) -> Fraction:
    """An exact rational option ("3", "-3/2", "0.25"; no exponents), at most 40 characters."""
    if len(text) > 40:
        raise ValueError(text)
    try:
        return parse_rational(text)
    except SymtdError:
        raise ValueError(text) from None


def boolean(text: str) -> bool:
    """A yes/no option."""
    if text not in ("yes", "no"):
        raise argparse.ArgumentTypeError(f"expected yes or no, got {escape(text)}")
    return text == "yes"


def numbers(kind: Callable[[str], Any]) -> Callable[[str], tuple]:
    """An option type: comma-separated values of ``kind`` (at most 1000 characters)."""

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


def write(path: str, text: str) -> None:
    """Write text and a newline to path; an OSError becomes one line."""
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    except OSError as exc:
        raise SymtdError(f"cannot write {path}: {exc.strerror}") from None


RANDOM_POINT_HELP = (
    "for a file without weights (an architecture): draw every weight as an integer, uniform "
    "in [-10^6, 10^6], from seed SEED (symbols in order of name; in Python: "
    "circuit.at_random_point(SEED)); refused for a file with weights"
)


def add_random_point(parser: argparse.ArgumentParser) -> None:
    """Add ``--random-point SEED`` (see :func:`network`)."""
    parser.add_argument("--random-point", type=integer, metavar="SEED", help=RANDOM_POINT_HELP)


def network(path: str, random_point: int | None = None) -> Circuit:
    """The file's circuit; with a seed, the architecture-only file at that random point: every
    weight an integer drawn uniformly from [-10^6, 10^6] (``Circuit.at_random_point``). A seed
    for a file that has weights is refused (one line), never silently ignored."""
    if random_point is not None and random_point < 0:
        raise SymtdError(f"--random-point must be a seed >= 0, got {random_point}")
    circuit = load_network(path)
    if random_point is None:
        return circuit
    if not circuit.is_symbolic_architecture:
        raise SymtdError(
            f"{escape(path, 120, quote=False)}: the file has weights; drop --random-point"
        )
    return circuit.at_random_point(random_point)


def concrete(path: str, random_point: int | None = None) -> Circuit:
    """A network file that must carry weights (grid, rank), or an architecture-only file at the
    random point ``random_point`` (see :func:`network`)."""
    circuit = network(path, random_point)
    if not circuit.is_concrete:
        raise SymtdError(
            f"{escape(path, 120, quote=False)} has no weights: it is an architecture; this command "
            f"needs concrete weights: give --random-point SEED for random ones (symtd separation "
            f"takes architectures)"
        )
    return circuit


def seconds(text: str) -> float:
    """A positive duration in seconds, at most 10^6 ("60", "0.5")."""
    if not re.fullmatch(r"[0-9]{1,7}(\.[0-9]{1,6})?", text) or not 0 < float(text) <= 10**6:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds in (0, 10^6], got {escape(text, 40)}"
        )
    return float(text)


def check_values(args: argparse.Namespace) -> None:
    """argparse turns an option value "--" into an empty list; refuse it instead of guessing."""
    for key, value in vars(args).items():
        if isinstance(value, list) and (not value or any(isinstance(x, list) for x in value)):
            raise SymtdError(f'--{key}: "--" is not a value')


def one_line(exc: BaseException) -> str:
    """The message on one line: control characters (a forged newline) escaped."""
    text = str(exc)
    return "".join(ch if ch.isprintable() else escape(ch)[1:-1] for ch in text)
