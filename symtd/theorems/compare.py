"""A deep network against every shallow network of width Z (``symtd compare``).

For each partition (I, J) one of three verdicts, decided exactly:

* **beyond every shallow network of width Z**: a rank r reached by [G]_{I,J} (a non-singular
  r×r minor at the file's weights, or at a random rational point for an architecture)
  exceeds the bound b that every shallow network of width Z and the same operator obeys
  under that partition, for ALL its weights and every template matrix F:

  - product: b = Z (a shallow ConvAC's grid is a sum of Z rank-one tensors, theorem T4);
  - max: b = Z·min(|I|,|J|)·M (the T5 max lemma);
  - sum/avg: b = 2 (theorem T3: a shallow sum/avg grid is f(d_I) + g(d_J) for every split).

  Equal grid tensors have equal matricizations, hence equal ranks, so rank > b proves that
  no shallow network of width Z has this grid tensor. One partition suffices; the verdict
  carries a "separation" certificate of the minor (and of an upper bound) that the
  independent checker re-verifies. For an architecture the rank is reached at one random
  point: for product networks a non-zero minor is a non-zero polynomial in the weights, so
  the verdict then holds for almost every weight setting.
* **within reach by construction**: a shallow network of width at most Z is built (the T1
  construction for product, T2 for max: one channel per term) and its grid tensor is
  compared with the deep network's exactly; for an architecture only when Z reaches the
  universal size (M^N for product, M^N + 1 for max), so that every weight setting is
  reached, shown at one random point. Bounded sizes only (M^N <= MAX_CONSTRUCTION).
* **inconclusive: the rank test cannot decide**: the rank reached is at most b.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from symtd.circuits.builders import shallow
from symtd.circuits.circuit import Circuit
from symtd.circuits.formats import network_to_dict
from symtd.circuits.partitions import PartitionSpec
from symtd.errors import SymtdError, escape
from symtd.tensors.grid import exact_grid_tensor
from symtd.tensors.representation import is_covering, leaf_weights
from symtd.theorems.certify import CertifiedPartition, certify_partition, select_partitions
from symtd.theorems.universality import universal_terms

__all__ = [
    "BEYOND",
    "INCONCLUSIVE",
    "MAX_CONSTRUCTION",
    "WITHIN",
    "Comparison",
    "ComparedPartition",
    "compare",
    "construction",
    "shallow_bound",
    "shallow_network",
]

BEYOND = "beyond every shallow network of width {Z}"
WITHIN = "within reach by construction"
INCONCLUSIVE = "inconclusive: the rank test cannot decide"
MAX_CONSTRUCTION = 1024  # grid entries M^N up to which a shallow construction is built and checked
MAX_Z = 10**12  # widths beyond this are refused (every bound is computed exactly anyway)


def shallow_bound(operator: str, Z: int, M: int, N: int, rows: Sequence[int]) -> tuple[int, str]:
    """(b, why): rank [G']_{I,J} <= b for every shallow network of width Z with this operator,
    for all weights and every F (sum and avg: 2, whatever Z).

    >>> shallow_bound("product", 10, 2, 8, (0, 2, 4, 6))
    (10, 'a shallow ConvAC of width Z is a sum of Z rank-one tensors')
    >>> shallow_bound("max", 10, 2, 8, (0, 2, 4, 6))[0]  # Z·min(|I|,|J|)·M
    80
    """
    if operator == "product":
        return Z, "a shallow ConvAC of width Z is a sum of Z rank-one tensors"
    if operator == "max":
        side = min(len(rows), N - len(rows))
        return Z * side * M, f"the T5 max lemma: Z·min(|I|,|J|)·M = {Z}·{side}·{M}"
    if operator in ("sum", "avg"):
        return 2, "T3: a shallow sum/avg network is f(d_I) + g(d_J) under every split"
    raise SymtdError(f"no shallow bound is known for the operator {escape(operator)}")


@dataclass(frozen=True)
class ComparedPartition:
    """One partition's verdict against every shallow network of width Z.

    Parameters
    ----------
    label : str
        The partition as given.
    rows : tuple of int
        The row positions I.
    verdict : str
        "beyond", "within" or "inconclusive".
    Z : int
        The shallow width compared with.
    rank : int, optional
        The rank reached (None for "within").
    bound : int, optional
        The shallow bound b: every shallow network of width Z has rank <= b.
    why : str, default ""
        How b is proven.
    part : CertifiedPartition, optional
        The certified bracket behind the rank; its certificate backs a "beyond" verdict
        (None when the checker's limits forbid one; ``part.note`` says so).

    Examples
    --------
    >>> import symtd
    >>> [part] = symtd.compare(symtd.deep(4, 2, 2), 3, ["odd-even"]).parts
    >>> part.verdict, part.rank, part.bound, part.certificate is not None
    ('beyond', 4, 3, True)
    """

    label: str
    rows: tuple[int, ...]
    verdict: str
    Z: int
    rank: int | None = None
    bound: int | None = None
    why: str = ""
    part: CertifiedPartition | None = field(default=None, repr=False)

    @property
    def certificate(self) -> dict | None:
        """The "separation" certificate of a "beyond" verdict (the minor of rank > b)."""
        return self.part.certificate if self.part is not None and self.beyond else None

    @property
    def beyond(self) -> bool:
        """True when the rank reached exceeds every shallow network's bound."""
        return self.verdict == "beyond"

    @property
    def text(self) -> str:
        """The verdict, worded exactly (e.g. "beyond every shallow network of width 10")."""
        if self.verdict == "beyond":
            return BEYOND.format(Z=self.Z)
        return WITHIN if self.verdict == "within" else INCONCLUSIVE

    def line(self) -> str:
        """E.g. "odd-even I=(0,2,4,6): beyond every shallow network of width 10 (rank 16 > 10:
        ...)"."""
        where = self.label
        if not where.startswith("I="):
            where += f" I=({','.join(map(str, self.rows))})"
        if self.verdict == "beyond":
            note = "" if self.certificate is not None or self.part is None else "; no certificate"
            return f"{where}: {self.text} (rank {self.rank} > {self.bound}: {self.why}{note})"
        if self.verdict == "inconclusive":
            return f"{where}: {self.text} (rank {self.rank} <= bound {self.bound})"
        return f"{where}: {self.text}"


@dataclass(frozen=True)
class Comparison:
    """The verdicts of one network against every shallow network of width Z, per partition.

    The overall verdict is "beyond" when any partition is beyond (one suffices), else
    "within" when a construction was checked, else "inconclusive".

    Parameters
    ----------
    Z : int
        The shallow width compared with.
    operator : str
        The operator's name, shared by both networks.
    parts : tuple of ComparedPartition
        The verdict of every partition.
    shallow : dict, optional
        The constructed shallow network's document (weights written out) when within reach.
    shallow_width : int, optional
        The width of that construction.

    Examples
    --------
    >>> import symtd
    >>> result = symtd.compare(symtd.deep(4, 2, 2), 3, ["odd-even"])
    >>> print(result.overall_line())
    overall: beyond every shallow network of width 3 (odd-even)
    """

    Z: int
    operator: str
    parts: tuple[ComparedPartition, ...]
    shallow: dict | None = field(default=None, repr=False)
    shallow_width: int | None = None

    @property
    def verdict(self) -> str:
        """ "beyond", "within" or "inconclusive" (the overall verdict)."""
        if any(p.beyond for p in self.parts):
            return "beyond"
        return "within" if self.shallow is not None else "inconclusive"

    @property
    def certificates(self) -> list[dict]:
        """The certificates of the "beyond" partitions."""
        return [p.certificate for p in self.parts if p.certificate is not None]

    def overall_line(self) -> str:
        """E.g. "overall: beyond every shallow network of width 10 (odd-even)"."""
        if self.verdict == "beyond":
            labels = ", ".join(p.label for p in self.parts if p.beyond)
            return f"overall: {BEYOND.format(Z=self.Z)} ({labels})"
        if self.verdict == "within":
            return (
                f"overall: {WITHIN} (a shallow network of width {self.shallow_width} <= "
                f"{self.Z} has the same grid tensor, checked exactly)"
            )
        return f"overall: {INCONCLUSIVE}"

    def lines(self) -> list[str]:
        """Every partition's line, then the overall line."""
        return [p.line() for p in self.parts] + [self.overall_line()]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: Z, operator, overall verdict and text, shallow width, the partitions."""
        return {
            "Z": self.Z,
            "operator": self.operator,
            "verdict": self.verdict,
            "overall": self.overall_line().removeprefix("overall: "),
            "shallow_width": self.shallow_width,
            "partitions": [
                {
                    "partition": p.label,
                    "rows": list(p.rows),
                    "verdict": p.verdict,
                    "text": p.text,
                    "rank": p.rank,
                    "bound": p.bound,
                    "certificate": p.certificate is not None,
                }
                for p in self.parts
            ],
        }


def shallow_network(
    terms: list[tuple[Fraction, list]], N: int, M: int, operator: str, F: Any
) -> Circuit:
    """The shallow network of the T1/T2 construction's terms (λ_z, leaf vectors v^{z,i}):
    output weights λ, leaf weights a = F^-1 v (F itself when it is non-singular, so that the
    same templates are used; the identity otherwise), F^-1 computed once, exactly."""
    F = np.asarray(F, dtype=object)
    if not is_covering(F):
        F = np.eye(M, dtype=int).astype(object)
    identity = all(F[i, k] == (i == k) for i in range(M) for k in range(M))
    inverse = None if identity else leaf_weights(F, np.eye(M, dtype=int).astype(object))
    layer0 = [
        [
            list(v[i])
            if inverse is None
            else [sum(Fraction(inverse[k, m]) * v[i][m] for m in range(M)) for k in range(M)]
            for _, v in terms
        ]
        for i in range(N)
    ]
    weights = {"layer0": layer0, "output": [lam for lam, _ in terms]}
    return shallow(N, M, len(terms), operator, F=F.tolist(), weights=weights)


def construction(circuit: Circuit, Z: int, seed: int = 0) -> tuple[dict, int] | None:
    """(the shallow network's document, its width) when a shallow network of width <= Z with
    the same operator has the circuit's grid tensor, built and checked exactly; None when no
    construction applies (sum/avg, too few channels, or a grid beyond MAX_CONSTRUCTION while
    Z is below the universal size).

    With weights, the T1/T2 construction at those weights (one channel per non-zero term:
    at most M^N for product, M^N + 1 for max); an architecture only when Z reaches that
    universal size (then every weight setting is reached), built at the random point
    ``seed``. A construction that would decide but exceeds MAX_CONSTRUCTION grid entries
    is refused (one line)."""
    operator, N, M = circuit.operator.name, circuit.N, circuit.M
    if operator not in ("product", "max"):
        return None
    universal = M**N + (operator == "max")
    if not circuit.is_concrete and Z < universal:
        return None
    if M**N > MAX_CONSTRUCTION:
        if Z >= universal:
            raise SymtdError(
                f"Z = {Z} reaches the universal size of M^N = {M}^{N} grid entries, but a "
                f"construction is built and checked only up to {MAX_CONSTRUCTION} entries"
            )
        return None
    point = circuit if circuit.is_concrete else circuit.at_random_point(seed)
    G = exact_grid_tensor(point)
    terms = universal_terms(G.to_fractions(), operator)
    if len(terms) > Z:
        return None
    net = shallow_network(terms, N, M, operator, point.F)
    if exact_grid_tensor(net) != G:
        raise AssertionError("the shallow construction's grid differs: a bug in symtd")
    return network_to_dict(net), len(terms)


def compare(
    circuit: Circuit,
    Z: int,
    partitions: Sequence[PartitionSpec] | None = None,
    seed: int = 0,
    points: int = 3,
    time_limit: float | None = None,
) -> Comparison:
    """Decide whether some shallow network of width Z (same operator) has the grid tensor.

    Per partition: "beyond" when the rank reached exceeds b (see :func:`shallow_bound`;
    rank > b proves no shallow network of width Z has this grid tensor: equal tensors have
    equal matricization ranks), "within" when :func:`construction` builds one (checked
    exactly), "inconclusive" otherwise.

    Parameters
    ----------
    circuit : Circuit
        Any circuit, concrete or symbolic.
    Z : int
        The shallow width, in 1..10^12.
    partitions : sequence of str or sequence of int, optional
        As in :func:`~symtd.theorems.certify.certify`.
    seed : int, default 0
        Seed of the random points.
    points : int, default 3
        Number of random points tried per partition.
    time_limit : float, optional
        Seconds allowed to each partition's search for a minor.

    Returns
    -------
    Comparison
        The verdict of every partition and the overall one.

    Raises
    ------
    SymtdError
        When ``circuit`` is not a Circuit, Z is out of range, no shallow bound is known for
        the operator, or a partition is refused.

    Examples
    --------
    >>> import symtd
    >>> net = symtd.deep(4, 2, 2, "max")
    >>> print(symtd.compare(net, 10, ["odd-even"]).lines()[0])
    odd-even I=(0,2): inconclusive: the rank test cannot decide (rank 3 <= bound 40)
    """
    if not isinstance(circuit, Circuit):
        raise SymtdError(f"compare takes a Circuit, got {escape(type(circuit).__name__)}")
    if isinstance(Z, bool) or not isinstance(Z, int) or not 1 <= Z <= MAX_Z:
        raise SymtdError(f"Z must be a width in 1..10^12, got {escape(Z)}")
    operator = circuit.operator.name
    shallow_bound(operator, Z, circuit.M, circuit.N, ())  # refuses unknown operators early
    chosen = select_partitions(circuit, partitions)
    built = construction(circuit, Z, seed)
    if built is not None:
        parts = tuple(ComparedPartition(label, rows, "within", Z) for label, rows in chosen)
        return Comparison(Z, operator, parts, built[0], built[1])
    compared: list[ComparedPartition] = []
    for label, rows in chosen:
        b, why = shallow_bound(operator, Z, circuit.M, circuit.N, rows)
        part = certify_partition(circuit, rows, label, seed, points, time_limit)
        verdict = "beyond" if part.lower > b else "inconclusive"
        compared.append(ComparedPartition(label, rows, verdict, Z, part.lower, b, why, part))
    return Comparison(Z, operator, tuple(compared))
