"""Certificates of separation ranks for any network (``symtd certify``).

For one partition (I, J) of a network's positions, rank*(I) is the largest rank of the
matricization [G]_{I,J} over all weights. A "separation" certificate brackets it with two
claims the independent checker re-verifies from the certificate's data alone:

* lower bound: a rational weight point (the network's own weights, or a random point) and r
  row tuples and r column tuples whose r×r submatrix of the grid is non-singular (exactly, or
  modulo a prime: a ring map from the P-free rationals to Z/P, so det != 0 mod P implies
  det != 0 over Q). A non-zero r×r minor at one point proves rank [G]_{I,J} >= r there, hence
  rank*(I) >= r.
* upper bound: a bound proven for ALL weights: an explicit cut of the circuit's tensor network
  that separates the I-legs from the J-legs (the product of its capacities), the matrix size
  min(M^|I|, M^|J|), the sum/avg split (rank <= 2) or the max lemma (Z·min(|I|,|J|)·M).

"certified" means the two meet: rank*(I) is then known exactly. Nothing here is called
re-verified unless :func:`symtd.checker.check` ran on the certificate and passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from symtd import checker
from symtd.circuits.circuit import Circuit
from symtd.circuits.formats import network_to_dict
from symtd.circuits.partitions import NAMED, PartitionSpec, partition, partitions
from symtd.errors import SymtdError, escape
from symtd.ranks.bounds import Bound
from symtd.ranks.separation import SeparationRank, separation_rank
from symtd.theorems.common import certificate

__all__ = [
    "BOUND_CLAIMS",
    "CertifiedPartition",
    "bound_claim",
    "certify",
    "certify_partition",
    "concrete_point",
    "default_partitions",
    "minor_claim",
    "printable",
    "select_partitions",
]

BOUND_CLAIMS = dict(checker.BOUNDS)  # bound name -> the checker's claim kind
NET = "net"  # the name of the network inside every certificate written here


@dataclass(frozen=True)
class CertifiedPartition:
    """One partition's bracket lower <= rank*(I) <= upper and its "separation" certificate.

    ``certified`` is True when lower == upper; ``line()`` says it all in one line.

    Parameters
    ----------
    label : str
        The partition as given ("odd-even", "I=0,2").
    rows : tuple of int
        The row positions I.
    lower : int
        The rank the certificate proves reached (a non-singular minor at a weight point).
    upper : int
        The smallest upper bound the checker can re-verify (it may exceed
        ``separation.upper`` when the min-cut was found on an unrolled network).
    bound : str
        The name of that bound.
    reason : str
        How that bound was proven.
    separation : SeparationRank
        symtd's bracket (:func:`~symtd.ranks.separation.separation_rank`).
    certificate : dict or None
        The certificate document; None when none could be written (``note`` says why).
    rechecked : bool, default False
        True only when :func:`symtd.checker.check` passed on the certificate.
    note : str, default ""
        Why there is no certificate, or what was not reached.

    Examples
    --------
    >>> import symtd
    >>> [part] = symtd.certify(symtd.deep(4, 2, 2), ["odd-even"])
    >>> part.lower, part.upper, part.certified, part.rechecked
    (4, 4, True, True)
    >>> print(part.line())  # doctest: +ELLIPSIS
    odd-even I=(0,2): rank* = 4, certified (min-cut: cut ...); re-verified by the checker
    """

    label: str
    rows: tuple[int, ...]
    lower: int
    upper: int
    bound: str
    reason: str
    separation: SeparationRank = field(repr=False)
    certificate: dict | None = field(repr=False)
    rechecked: bool = False
    note: str = ""

    @property
    def certified(self) -> bool:
        """True when a certificate was written and its lower bound equals its upper bound."""
        return self.certificate is not None and self.lower == self.upper

    def line(self) -> str:
        """One line: the partition, the bracket, the bound's reason and the checker's part."""
        where = f"{self.label} I=({','.join(map(str, self.rows))})"
        if self.label.startswith("I="):
            where = self.label
        bracket = (
            f"rank* = {self.lower}, certified"
            if self.lower == self.upper
            else f"{self.lower} <= rank* <= {self.upper}"
        )
        if self.certificate is None:
            checked = f"no certificate: {self.note}"
        elif self.rechecked:
            checked = "re-verified by the checker"
        else:
            checked = f"not re-verified: {self.note}"
        extra = f" [{printable(self.separation_note)}]" if self.separation_note else ""
        return f"{where}: {bracket} ({printable(self.reason)}); {checked}{extra}"

    @property
    def separation_note(self) -> str:
        """The bracket's own note (e.g. a rank too large to reach in time), or ""."""
        return str(getattr(self.separation, "note", "") or "")


def printable(text: str, limit: int = 200) -> str:
    """Text on one line for a terminal: printable characters kept (the "–" of a cut edge),
    every other one (controls, bidi overrides) escaped; cut to ``limit`` characters."""
    out = "".join(ch if ch.isprintable() else escape(ch)[1:-1] for ch in str(text))
    return out if len(out) <= limit else out[: limit - 3] + "..."


# -- claims ---------------------------------------------------------------------------------
def minor_claim(name: str, rows: Sequence[int], minor: Any) -> dict:
    """The "minor" claim of a witness minor: r row tuples (templates at I's positions, I
    ascending) and r column tuples (at J's) whose r×r grid submatrix is non-singular over Q
    (prime None) or modulo the prime, so rank [G]_{I,J} >= r at the network's weights."""
    return {
        "kind": "minor",
        "network": name,
        "rows": list(rows),
        "row_tuples": [[int(x) for x in t] for t in minor.rows],
        "col_tuples": [[int(x) for x in t] for t in minor.cols],
        "prime": None if minor.prime is None else int(minor.prime),
        "rank": len(minor.rows),
    }


def bound_claim(doc: dict, rows: Sequence[int], bounds: Iterable[Bound]) -> tuple[Bound, dict]:
    """The smallest bound (``bounds`` smallest first) the checker can re-verify on the network
    document ``doc``, with its claim: a min-cut with its listed cut (verified here by the
    checker's own cut test; a cut found on an unrolled network is skipped), the matrix size,
    the sum/avg split or the max lemma. The matrix size always applies, so one is found."""
    for b in bounds:
        kind = BOUND_CLAIMS.get(b.name)
        if kind is None or (kind == "cut_bound" and not b.cut):
            continue
        claim = {"kind": kind, "network": NET, "rows": list(rows), "bound": int(b.value)}
        if kind == "cut_bound":
            claim = {
                "kind": kind,
                "network": NET,
                "rows": list(rows),
                "cut": [list(item) for item in b.cut],
                "bound": int(b.value),
            }
        try:
            checker.CLAIMS[kind](claim, doc, None, {})
        except checker.CheckFailed:
            continue  # not a bound of this network's tensor network (e.g. an unrolled cut)
        return b, claim
    raise AssertionError("the matrix size bound always applies: a bug in symtd")


def concrete_point(circuit: Circuit, s: SeparationRank, own: bool) -> Circuit:
    """The concrete circuit of a bracket's lower bound: the circuit itself (its own weights),
    or the architecture at the bracket's weight point ``s.point``."""
    if own:
        return circuit
    point = s.point
    if isinstance(point, Circuit):
        return point
    architecture = circuit.with_weights(None) if circuit.is_concrete else circuit
    if isinstance(point, Mapping) and point:
        if all(isinstance(k, str) for k in point):  # weight blocks by name
            return architecture.with_weights(dict(point))
        return architecture.subs(point)
    raise SymtdError("the bracket carries no weight point: no certificate can be written")


# -- one partition --------------------------------------------------------------------------
def certify_partition(
    circuit: Circuit,
    rows: PartitionSpec,
    label: str | None = None,
    seed: int = 0,
    points: int = 3,
    time_limit: float | None = None,
    recheck: bool = True,
) -> CertifiedPartition:
    """Bracket rank*(I) for one partition and write its "separation" certificate.

    The weight point is the circuit's own weights when it has them, else the best of
    ``points`` random points (seeds seed, seed+1, ...). The certificate is prechecked by
    the independent checker (form, limits) and, when ``recheck``, re-verified by it.
    """
    I = partition(rows, circuit)
    if not 0 < len(I) < circuit.N:
        raise SymtdError(f"partition {escape(label or list(I))}: I and J must both be non-empty")
    own = circuit.is_concrete
    s = separation_rank(
        circuit, I, points=points, seed=seed, own_weights=own, time_limit=time_limit
    )
    label = label or "I=" + ",".join(map(str, I))
    net = concrete_point(circuit, s, own)
    doc = network_to_dict(net)
    b, upper = bound_claim(doc, I, s.bounds)
    reason = f"{b.name}: {b.detail}"
    minor = s.witness
    if minor is None:
        return CertifiedPartition(
            label, I, s.lower, b.value, b.name, reason, s, None, False, "no witness minor found"
        )
    lower = len(minor.rows)
    instance = {
        "N": circuit.N,
        "M": circuit.M,
        "operator": circuit.operator.name,
        "rows": list(I),
        "lower": lower,
        "upper": int(b.value),
        "bound": b.name,
        "seed": int(seed),
    }
    cert = certificate("separation", instance, {NET: doc}, [minor_claim(NET, I, minor), upper])
    written, rechecked, note = self_check(cert, recheck)
    return CertifiedPartition(
        label, I, lower, int(b.value), b.name, reason, s, written, rechecked, note
    )


def self_check(cert: dict, recheck: bool = True) -> tuple[dict | None, bool, str]:
    """(the certificate or None, re-verified, note): precheck it (None, with the checker's
    reason, when the checker would refuse it: beyond its LIMITS); then, when ``recheck``,
    re-verify it in full. A certificate the checker rejects after its precheck passed is a bug
    in symtd and raises AssertionError."""
    try:
        checker.precheck(cert)
    except checker.CheckFailed as exc:
        return None, False, f"the independent checker would refuse it ({exc})"
    if not recheck:
        return cert, False, "the checker was not run (recheck=False)"
    try:
        checker.check(cert)
    except checker.CheckFailed as exc:
        raise AssertionError(f"the checker rejects a certificate symtd wrote: {exc}") from None
    return cert, True, ""


# -- many partitions ------------------------------------------------------------------------
def default_partitions(circuit: Circuit) -> list[str]:
    """The named partitions (odd-even, low-high, root) whose I and J are both non-empty."""
    named = [n for n in NAMED if 0 < len(partition(n, circuit)) < circuit.N]
    if not named:
        raise SymtdError("no named partition has non-empty I and J; give partitions explicitly")
    return named


def select_partitions(
    circuit: Circuit, specs: Sequence[PartitionSpec] | None
) -> list[tuple[str, tuple[int, ...]]]:
    """(label, I) for the specs ("balanced" expanded; duplicates dropped), or for the default
    named partitions; a partition with I or J empty is refused (one line)."""
    if specs is not None and (isinstance(specs, str) or not isinstance(specs, Sequence)):
        raise SymtdError(f"partitions must be a list of partition specs, got {escape(specs)}")
    chosen = partitions(list(specs) if specs else default_partitions(circuit), circuit)
    for label, rows in chosen:
        if not 0 < len(rows) < circuit.N:
            raise SymtdError(f"partition {escape(label)}: I and J must both be non-empty")
    return chosen


def certify(
    circuit: Circuit,
    partitions: Sequence[PartitionSpec] | None = None,
    seed: int = 0,
    points: int = 3,
    time_limit: float | None = None,
    recheck: bool = True,
) -> list[CertifiedPartition]:
    """Write a "separation" certificate per partition of any network (with or without weights).

    Each result brackets rank*(I), the largest rank of [G]_{I,J} over all weights: lower =
    the size of a non-singular minor at the weight point (own weights, else the best of
    ``points`` random points from ``seed``), upper = the smallest bound the checker
    re-verifies; ``certified`` when they meet.

    Parameters
    ----------
    circuit : Circuit
        Any circuit, concrete or symbolic.
    partitions : sequence of str or sequence of int, optional
        Specs ("odd-even", "I=0,2", (0, 2), "balanced"); default: the named ones with
        non-empty I and J.
    seed : int, default 0
        Seed of the random points.
    points : int, default 3
        Number of random points tried (1..100).
    time_limit : float, optional
        Seconds allowed to each partition's search for the minor; past it the bracket
        reached is kept.
    recheck : bool, default True
        Run the independent checker on every certificate written.

    Returns
    -------
    list of CertifiedPartition
        One per partition, in order.

    Raises
    ------
    SymtdError
        When ``circuit`` is not a Circuit, ``seed`` or ``points`` is out of range, or a
        partition is refused (I or J empty included).

    Examples
    --------
    >>> import symtd
    >>> tt = symtd.recurrent(6, 2, 2, shared=False)  # a tensor train, no weights
    >>> [(p.label, p.lower, p.upper, p.bound) for p in symtd.certify(tt, ["low-high"])]
    [('low-high', 2, 2, 'min-cut')]
    """
    if not isinstance(circuit, Circuit):
        raise SymtdError(f"certify takes a Circuit, got {escape(type(circuit).__name__)}")
    for name, value, low, high in (("seed", seed, 0, 2**63 - 1), ("points", points, 1, 100)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise SymtdError(f"{name} must be an integer in {low}..{high}, got {escape(value)}")
    chosen = select_partitions(circuit, partitions)
    return [
        certify_partition(circuit, rows, label, seed, points, time_limit, recheck)
        for label, rows in chosen
    ]
