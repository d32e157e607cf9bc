"""Partitions (I, J) of the positions: names ("odd-even", "low-high", "root", "I=...") and
position lists, resolved in one place. Positions are 0-based."""

from __future__ import annotations

import re

import numpy as np

from symtd.errors import SymtdError, escape

NAMED = ("odd-even", "low-high", "root")


def validate_partition(I, N):
    """Row modes as a sorted tuple; SymtdError for unknown or repeated positions."""
    try:
        rows = [int(i) for i in I if not isinstance(i, bool) and isinstance(i, (int, np.integer))]
    except TypeError:
        rows = None
    if rows is None or isinstance(I, (str, bytes)) or len(rows) != len(I):
        raise SymtdError(f"partition I must be a list of positions (integers), got {escape(I)}")
    if len(set(rows)) != len(rows):
        raise SymtdError(f"partition I = {escape(rows)} repeats a position")
    bad = [i for i in rows if not 0 <= i < N]
    if bad:
        raise SymtdError(
            f"partition I = {escape(rows)} has position(s) {escape(bad)} outside 0..{N - 1}"
        )
    return tuple(sorted(rows))


def partition(spec, circuit_or_N):
    """Row positions I of a named partition ("odd-even", "low-high", "root") or an explicit I.

    ``spec`` may also be a string "I=0,2,5" (as on the command line; "I=" is the empty I).
    "root" needs a circuit: the positions under the root's first-listed member.

    >>> import symtd
    >>> symtd.partition("odd-even", 8), symtd.partition("low-high", 8)
    ((0, 2, 4, 6), (0, 1, 2, 3))
    >>> symtd.partition("I=0,3,4,7", 8)
    (0, 3, 4, 7)
    >>> symtd.partition("root", symtd.deep(8, 2, 2))  # under the root's first member
    (0, 1, 2, 3)
    >>> symtd.partition("I=0,8", 8)
    Traceback (most recent call last):
    ...
    symtd.errors.SymtdError: partition I = [0, 8] has position(s) [8] outside 0..7
    """
    N = circuit_or_N if isinstance(circuit_or_N, int) else circuit_or_N.N
    if isinstance(spec, str):
        if spec == "odd-even":
            return tuple(range(0, N, 2))
        if spec == "low-high":
            return tuple(range(N // 2))
        if spec == "root":
            if isinstance(circuit_or_N, int):
                raise SymtdError("the root partition needs a circuit, not just N")
            c = circuit_or_N
            return c.scope(c.nodes[-1].pool[0][0])
        if spec.startswith("I="):
            if not re.fullmatch(r"I=([0-9]{1,9}(,[0-9]{1,9})*)?", spec):
                raise SymtdError(
                    f"partition {escape(spec)}: positions must be integers, e.g. I=0,2"
                )
            rows = [int(x) for x in spec[2:].split(",")] if spec != "I=" else []
            return validate_partition(rows, N)
        raise SymtdError(
            f"unknown partition {escape(spec)}; expected odd-even, low-high, root or I=0,2,..."
        )
    return validate_partition(spec, N)
