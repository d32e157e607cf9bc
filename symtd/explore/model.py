"""What the explorer shows, computed without a browser: the settings of its widgets, the circuit
they build, and the texts of its outputs (each one line, or a ``symtd: error: ...`` line).

The explorer answers three questions about one architecture and one partition (I, J):

* the exact rank over Q of [G]_{I,J} at the random integer weight point drawn from the seed
  (:meth:`~symtd.circuits.circuit.Circuit.at_random_point`), a lower bound on rank*(I);
* the bracket lower <= rank*(I) <= upper of the separation rank (maximal rank over all
  weights, :func:`~symtd.ranks.separation.separation_rank`): "certified" only when
  lower == upper;
* the LaTeX of one symbolic grid-tensor entry G[d] (:func:`~symtd.render.latex.entry_latex`).

Input the library refuses gives the library's one line, as the command line prints it. The
explorer adds two limits of its own, so that a page stays responsive: the exact rank at a
point is computed for grids of at most ``MAX_GRID`` entries, and the separation search stops
after ``SEPARATION_SECONDS`` (its bracket stays sound, only wider).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from symtd.circuits.builders import deep, dilated, mirror, overlapping, recurrent, shallow
from symtd.circuits.circuit import Circuit
from symtd.circuits.operators import BUILTIN_NAMES
from symtd.circuits.partitions import partition, partitions
from symtd.errors import SymtdError, escape
from symtd.ranks.matricization import matricization_rank
from symtd.ranks.separation import separation_rank
from symtd.render.latex import entry_latex

BUILDERS = ("shallow", "deep", "mirror", "dilated", "overlapping", "recurrent", "tensor train")
OPERATORS = BUILTIN_NAMES
PARTITIONS = ("odd-even", "low-high", "root", "balanced", "positions")
MAX_GRID = 2**20  # grid entries M^N the explorer ranks exactly at a point
SEPARATION_SECONDS = 5.0  # the separation search's time limit (the bracket stays sound)
SHOWN_TERMS = 20  # terms of a symbolic entry shown before the abridgement


@dataclass(frozen=True)
class Settings:
    """The explorer's inputs, as its widgets hold them.

    ``widths``: "2" (every level) or "2,3,2" (one per level); shallow reads it as Z, the
    recurrent chain and the tensor train as r. ``partition``: "odd-even", "low-high", "root",
    "balanced" (the ``balanced``-th balanced partition of
    :func:`~symtd.circuits.partitions.partitions`) or "positions" (I = ``positions``).
    ``kernel`` and ``stride`` shape the overlapping circuit; ``entry`` is the grid index d
    of the LaTeX output ("0,1,0,1", 0-based; empty: all zeros).
    """

    builder: str = "deep"
    N: int = 4
    M: int = 2
    widths: str = "2"
    operator: str = "product"
    partition: str = "odd-even"
    balanced: int = 0
    positions: tuple[int, ...] = ()
    seed: int = 0
    kernel: int = 3
    stride: int = 1
    entry: str = ""


@dataclass
class Outputs:
    """The explorer's text outputs for one :class:`Settings`.

    ``rank``, ``separation`` and ``latex`` are the texts shown ("rank: 4 — ..."), ``errors``
    the ``symtd: error: ...`` lines of the outputs that were refused (empty when all were
    computed), ``circuit`` the architecture (symbolic weights; None when it was refused),
    ``point`` it at the weights drawn from ``seed`` and ``rows`` the partition's I.
    """

    rank: str
    separation: str
    latex: str
    errors: list[str]
    circuit: Circuit | None = None
    point: Circuit | None = None
    rows: tuple[int, ...] = ()
    seed: int = 0


def error_line(exc: BaseException | str) -> str:
    """The command line's one-line error: ``symtd: error: <message>``, control characters
    escaped (a forged newline stays on the line)."""
    text = "".join(ch if ch.isprintable() else escape(ch)[1:-1] for ch in str(exc))
    return f"symtd: error: {text}"


def parse_widths(text: str) -> int | list[int]:
    """ "2" -> 2, "2,3" -> [2, 3]; anything else is refused (one line).

    >>> parse_widths("2"), parse_widths(" 2, 3 ")
    (2, [2, 3])
    """
    if not re.fullmatch(r"\s*[0-9]{1,9}\s*(,\s*[0-9]{1,9}\s*)*", text or ""):
        raise SymtdError(
            f"widths must be a positive integer or a comma-separated list of them, got "
            f"{escape(text, 40)}"
        )
    values = [int(x) for x in text.split(",")]
    return values[0] if len(values) == 1 else values


def build(settings: Settings) -> Circuit:
    """The symbolic circuit (an architecture) the settings describe.

    >>> build(Settings(builder="deep", N=8, widths="2", operator="max"))
    Circuit(N=8, M=2, operator='max', levels=3, widths=(2, 2, 2), shared=False, symbolic)
    >>> build(Settings(builder="tensor train", N=4)).shapes["B2"]
    (2, 2)
    """
    s, op = settings, settings.operator
    if s.builder not in BUILDERS:
        raise SymtdError(f"unknown builder {escape(s.builder)}; expected one of {BUILDERS}")
    widths = parse_widths(s.widths)
    if s.builder == "shallow":
        if not isinstance(widths, int):
            raise SymtdError("a shallow network has one width, the number of channels Z")
        return shallow(s.N, s.M, widths, op)
    if s.builder in ("deep", "mirror", "dilated"):
        return {"deep": deep, "mirror": mirror, "dilated": dilated}[s.builder](s.N, s.M, widths, op)
    if s.builder == "overlapping":
        return overlapping(s.N, s.M, s.kernel, s.stride, widths, op, shared=True)
    return recurrent(s.N, s.M, widths, op, shared=s.builder == "recurrent")


def rows(settings: Settings, circuit: Circuit) -> tuple[int, ...]:
    """The row positions I of the settings' partition of ``circuit``.

    >>> net = build(Settings(N=4))
    >>> rows(Settings(partition="balanced", balanced=2), net)
    (0, 3)
    >>> rows(Settings(partition="positions", positions=(3, 1)), net)
    (1, 3)
    """
    if settings.partition == "positions":
        return partition(list(settings.positions), circuit)
    if settings.partition == "balanced":
        balanced = partitions(["balanced"], circuit)
        k = settings.balanced
        if not 0 <= k < len(balanced):
            raise SymtdError(
                f"balanced partition {k}: N = {circuit.N} has {len(balanced)} balanced "
                f"partitions up to complement, numbered 0..{len(balanced) - 1}"
            )
        return balanced[k][1]
    return partition(settings.partition, circuit)


def entry_index(text: str, N: int) -> tuple[int, ...]:
    """The grid index d of "0,1,0,1" (0-based template indices); empty: all zeros.

    >>> entry_index("", 3), entry_index("1, 0, 1", 3)
    ((0, 0, 0), (1, 0, 1))
    """
    if not (text or "").strip():
        return (0,) * N
    if not re.fullmatch(r"\s*[0-9]{1,9}\s*(,\s*[0-9]{1,9}\s*)*", text):
        raise SymtdError(f"entry d must be comma-separated indices, got {escape(text, 40)}")
    d = tuple(int(x) for x in text.split(","))
    if len(d) != N:
        raise SymtdError(f"entry d has {len(d)} indices; the network has N = {N} positions")
    return d


def positions_text(S: Sequence[int]) -> str:
    """{0, 2} as text."""
    return "{" + ", ".join(map(str, S)) + "}"


def rank_text(point: Circuit, I: tuple[int, ...], seed: int) -> str:
    """ "rank: k — exact rank at seed s ..." of [G]_{I,J} at the seed's weight point.

    >>> net = build(Settings(N=4)).at_random_point(0)
    >>> rank_text(net, (0, 2), 0)
    'rank: 4 — exact rank at seed 0 of [G]_{I,J}, I = {0, 2}, J = {1, 3} (4 × 4, over Q)'
    """
    entries = point.M**point.N
    if entries > MAX_GRID:
        raise SymtdError(
            f"the exact rank at a point needs the whole grid, M^N = {point.M}^{point.N} "
            f"entries; the explorer ranks at most {MAX_GRID:,} (symtd rank --random-point "
            f"takes more); the separation bracket does not need the grid"
        )
    J = tuple(k for k in range(point.N) if k not in I)
    shape = f"{point.M ** len(I)} × {point.M ** len(J)}"
    r = matricization_rank(point, I)
    return (
        f"rank: {r} — exact rank at seed {seed} of [G]_{{I,J}}, I = {positions_text(I)}, "
        f"J = {positions_text(J)} ({shape}, over Q)"
    )


def separation_text(circuit: Circuit, I: tuple[int, ...], seed: int) -> str:
    """ "separation: lower ≤ rank* ≤ upper — certified/not certified ..." for rank*(I).

    >>> separation_text(build(Settings(N=4)), (0, 2), 0)  # doctest: +ELLIPSIS
    'separation: 4 ≤ rank* ≤ 4 — certified: generic rank = 4 (upper bound min-cut: ...)'
    >>> separation_text(build(Settings(N=4, operator="max")), (0, 2), 0)  # doctest: +ELLIPSIS
    'separation: 3 ≤ rank* ≤ 4 — not certified: ... (upper bound matrix size: ...)'
    """
    s = separation_rank(circuit, I, seed=seed, time_limit=SEPARATION_SECONDS)
    what = "generic rank" if s.polynomial else "maximal rank"
    if s.certified:
        status = f"certified: {what} = {s.lower}"
    else:
        status = f"not certified: the {what} lies in [{s.lower}, {s.upper}]"
        if s.note:
            status += f"; {s.note}"
    return f"separation: {s.lower} ≤ rank* ≤ {s.upper} — {status} (upper bound {s.upper_reason})"


def latex_text(circuit: Circuit, d: tuple[int, ...]) -> str:
    """LaTeX of the symbolic entry G[d] (at most ``SHOWN_TERMS`` terms shown).

    >>> print(latex_text(build(Settings(N=2, widths="1")), (0, 1)))
    G[0,1] = a^{0,1,1}_{1} a^{0,2,1}_{2} a^{1,1}_{1}
    """
    return f"G[{','.join(map(str, d))}] = {entry_latex(circuit, d, SHOWN_TERMS)}"


def explore(settings: Settings) -> Outputs:
    """Every text output of the explorer for ``settings``; a refused output shows "—" and
    its one-line error is in ``errors`` (nothing raises: an unexpected exception, a bug, is
    shown as "internal error" on one line too).

    >>> out = explore(Settings(builder="deep", N=4, M=2, widths="2"))
    >>> out.rank[:7], out.errors
    ('rank: 4', [])
    >>> explore(Settings(N=2**20)).errors
    ['symtd: error: N = 1,048,576 is too large (at most 100,000)']
    """
    out = Outputs("rank: —", "separation: —", "—", [], seed=settings.seed)
    try:
        out.circuit = build(settings)
        out.rows = rows(settings, out.circuit)
        if isinstance(settings.seed, bool) or not 0 <= settings.seed < 2**63:
            raise SymtdError(f"the seed must be an integer in 0..2^63-1, got {settings.seed}")
    except SymtdError as exc:
        out.errors.append(error_line(exc))
        return out
    circuit, I, seed = out.circuit, out.rows, settings.seed
    for name, compute in (
        ("rank", lambda: rank_text(point(out), I, seed)),
        ("separation", lambda: separation_text(circuit, I, seed)),
        ("latex", lambda: latex_text(circuit, entry_index(settings.entry, circuit.N))),
    ):
        try:
            setattr(out, name, compute())
        except SymtdError as exc:
            out.errors.append(error_line(exc))
        except MemoryError:
            out.errors.append("symtd: error: out of memory")
        except Exception as exc:  # a bug below: one line on the page, not a dead page
            out.errors.append(
                error_line(f"internal error in the {name}: {type(exc).__name__}: {exc}")
            )
    return out


def point(out: Outputs) -> Circuit:
    """The architecture of ``out`` at random integer weights drawn from ``out.seed`` (drawn
    once, then kept)."""
    if out.point is None:
        if out.circuit is None:
            raise SymtdError("no circuit to draw weights for")
        out.point = out.circuit.at_random_point(out.seed)
    return out.point


def figures(out: Outputs) -> dict[str, Any]:
    """{"circuit": figure or error line, "heatmap": figure or error line} for the outputs'
    circuit (matplotlib figures of :mod:`symtd.render.draw`; the heatmap at the seed's point)."""
    from symtd.render.draw import circuit_figure, matricization_figure

    shown: dict[str, Any] = {}
    if out.circuit is None:
        return shown
    circuit = out.circuit
    for name, draw in (
        ("circuit", lambda: circuit_figure(circuit)),
        ("heatmap", lambda: matricization_figure(point(out), out.rows)),
    ):
        try:
            shown[name] = draw()
        except SymtdError as exc:
            shown[name] = error_line(exc)
    return shown
