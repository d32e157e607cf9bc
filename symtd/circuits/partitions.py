"""Partitions (I, J) of the positions [N] = {0, ..., N-1}, resolved in one place.

A partition is given by its row positions I (J = [N] \\ I): a list of positions, or a
name: "odd-even" (I = the even positions 0, 2, 4, ...), "low-high" (I = the first
floor(N/2) positions), "root" (I = the positions under the root's first-listed member;
needs a circuit) or "I=0,2,5" (as written on the command line; "I=" is the empty I).
Every function of symtd that takes a partition resolves it with :func:`partition`, so a
name and the positions it stands for give the same answer everywhere.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from typing import Any, Union

import numpy as np

from symtd.circuits.circuit import MAX_POSITIONS, Circuit
from symtd.errors import SymtdError, escape

NAMED = ("odd-even", "low-high", "root")
MAX_BALANCED = 10_000  # balanced partitions one "balanced" may expand into

#: What every partition parameter accepts: a name, "I=..." or row positions.
PartitionSpec = Union[str, Iterable[int]]


def validate_partition(I: Any, N: int) -> tuple[int, ...]:
    """Row positions I as a sorted tuple of distinct integers in 0..N-1; SymtdError otherwise.

    >>> validate_partition([3, 1], 4)
    (1, 3)
    """
    try:  # at most N + 1 items: a longer I is refused without reading it all
        items = None if isinstance(I, (str, bytes)) else list(itertools.islice(I, N + 1))
    except TypeError:
        items = None
    rows = [
        int(i) for i in items or () if not isinstance(i, bool) and isinstance(i, (int, np.integer))
    ]
    if items is None or len(rows) != len(items):
        raise SymtdError(f"partition I must be a list of positions (integers), got {escape(I)}")
    if len(rows) > N:
        raise SymtdError(f"partition I lists more than the N = {N} positions there are")
    if len(set(rows)) != len(rows):
        raise SymtdError(f"partition I = {escape(rows)} repeats a position")
    bad = [i for i in rows if not 0 <= i < N]
    if bad:
        raise SymtdError(
            f"partition I = {escape(rows)} has position(s) {escape(bad)} outside 0..{N - 1}"
        )
    return tuple(sorted(rows))


def partition(spec: PartitionSpec, circuit_or_N: Circuit | int) -> tuple[int, ...]:
    """Resolve a partition spec into the sorted row positions I.

    "odd-even": I = {0, 2, 4, ...}; "low-high": I = {0, ..., floor(N/2) - 1}; "root": the
    positions under the root's first-listed member; "I=0,2,5": those positions. This is the
    one resolver every partition parameter of symtd goes through.

    Parameters
    ----------
    spec : str or iterable of int
        A partition name, "I=..." or a list of positions (distinct, in 0..N-1).
    circuit_or_N : Circuit or int
        The circuit ("root" needs one) or just its number of positions N.

    Returns
    -------
    tuple of int
        The row positions I, sorted.

    Raises
    ------
    SymtdError
        For an unknown name, a position outside 0..N-1 or repeated, or "root" without a
        circuit.

    Examples
    --------
    >>> import symtd
    >>> symtd.partition("odd-even", 8), symtd.partition("low-high", 8)
    ((0, 2, 4, 6), (0, 1, 2, 3))
    >>> symtd.partition("I=0,3,4,7", 8)
    (0, 3, 4, 7)
    >>> symtd.partition("root", symtd.deep(8, 2, 2))  # under the root's first member
    (0, 1, 2, 3)
    >>> symtd.partition([6, 2], 8)
    (2, 6)
    >>> symtd.partition("I=0,8", 8)
    Traceback (most recent call last):
    ...
    symtd.errors.SymtdError: partition I = [0, 8] has position(s) [8] outside 0..7
    """
    circuit, N = _circuit_and_N(circuit_or_N)
    if isinstance(spec, str):
        if spec == "odd-even":
            return tuple(range(0, N, 2))
        if spec == "low-high":
            return tuple(range(N // 2))
        if spec == "root":
            if circuit is None:
                raise SymtdError(
                    "the root partition needs a circuit, not just N; give its positions instead"
                )
            return circuit.scope(circuit.nodes[-1].pool[0][0])
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


def partitions(
    specs: Iterable[PartitionSpec], circuit_or_N: Circuit | int
) -> list[tuple[str, tuple[int, ...]]]:
    """Resolve partition specs into (label, I) pairs, in order, duplicates dropped.

    "balanced" expands into every balanced partition up to complement: |I| = floor(N/2), and
    for even N only the I holding position 0 (I and J give transposed matricizations, of
    equal rank). That is C(N-1, N/2-1) partitions for even N, C(N, floor(N/2)) for odd N.

    Parameters
    ----------
    specs : iterable of str or iterable of int
        Partition specs as in :func:`partition`, or "balanced".
    circuit_or_N : Circuit or int
        The circuit or just its number of positions N.

    Returns
    -------
    list of tuple
        (label, I) pairs: the names as given ("odd-even"), "I=0,1,4" for expanded or
        positional ones.

    Raises
    ------
    SymtdError
        For any spec :func:`partition` refuses, or when "balanced" would expand into more
        than MAX_BALANCED partitions (counted before any is built).

    Examples
    --------
    >>> import symtd
    >>> [label for label, _ in symtd.partitions(["odd-even", "balanced"], 4)]
    ['odd-even', 'I=0,1', 'I=0,3']
    >>> len(symtd.partitions(["balanced"], 8))
    35
    """
    _, N = _circuit_and_N(circuit_or_N)
    out: dict[tuple[int, ...], str] = {}
    for spec in specs:
        if isinstance(spec, str) and spec == "balanced":
            half = N // 2
            count = math.comb(N - 1, half - 1) if N % 2 == 0 and half else math.comb(N, half)
            if count > MAX_BALANCED:
                raise SymtdError(
                    f"balanced: N = {N} has {count:,} balanced partitions up to complement, "
                    f"more than {MAX_BALANCED:,}; give --partition explicitly"
                )
            for rows in itertools.combinations(range(N), half):
                if N % 2 == 0 and half and rows[0] != 0:
                    continue
                out.setdefault(rows, "I=" + ",".join(map(str, rows)))
            continue
        rows = partition(spec, circuit_or_N)
        label = spec if isinstance(spec, str) else "I=" + ",".join(map(str, rows))
        out.setdefault(rows, label)
    return [(label, rows) for rows, label in out.items()]


def _circuit_and_N(circuit_or_N: Circuit | int) -> tuple[Circuit | None, int]:
    """(the circuit or None, the number of positions N)."""
    if isinstance(circuit_or_N, Circuit):
        return circuit_or_N, circuit_or_N.N
    if isinstance(circuit_or_N, (int, np.integer)) and not isinstance(circuit_or_N, bool):
        if 0 <= circuit_or_N <= MAX_POSITIONS:
            return None, int(circuit_or_N)
    raise SymtdError(
        f"a partition is taken of a circuit or of N positions (0 <= N <= {MAX_POSITIONS}), "
        f"got {escape(circuit_or_N)}"
    )
