"""Maximal ranks over all weights (separation ranks), bracketed soundly (:doc:`/exactness`).

For an architecture and a partition (I, J), rank*(I) = max over real weights of
rank [G]_{I,J}. For product circuits the entries are polynomials in the weights, so
rank*(I) is the generic rank (attained outside a Lebesgue-null set); for ReLU operators
it is the largest rank any weights reach, and symtd never calls it generic.

* lower bound (:func:`separation_rank`): the rank at random rational weight points,
  integers in [-10^6, 10^6]. Each is the rank of the point's grid numerators modulo a
  prime: a minor that is non-zero mod p is non-zero over Q, so it is a proven lower
  bound on the rank at that point, hence on rank*(I).
* upper bounds (:func:`~symtd.ranks.bounds.upper_bounds`), each valid for ALL weights and
  proved in its function's docstring: "matrix size", "min-cut" (product circuits),
  "sum/avg split", "max lemma".

"certified" means lower == the smallest upper bound: rank*(I) is then known exactly.

:func:`generic_rank` brackets the same quantity with one exact rank at one rational point
as the lower bound; both return a :class:`SeparationRank`. Every partition argument takes
row positions or a name ("odd-even", "low-high", "root", "I=..."), resolved by
:func:`~symtd.circuits.partitions.partition`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from symtd.circuits.circuit import Circuit
from symtd.circuits.partitions import PartitionSpec, partition
from symtd.errors import SymtdError
from symtd.ranks.bounds import Bound, upper_bounds
from symtd.ranks.matricization import lower_rank, matricization_rank
from symtd.tensors.evaluate import check_memory


@dataclass(frozen=True)
class SeparationRank:
    """lower <= rank*(I) <= upper, rank*(I) = max over all weights of rank [G]_{I,J}.

    ``lower`` is a rank reached at a rational weight point (proven: a non-zero minor there),
    ``upper`` the smallest bound proven for ALL weights, named by ``upper_bound`` (every
    applicable bound in ``bounds``, smallest first). ``polynomial``: product circuits,
    whose entries are polynomials in the weights, so rank*(I) is the generic rank; for
    ReLU operators it is only the maximal rank. ``point``: the weight point at which
    ``lower`` is the exact rank (:func:`generic_rank`); None when ``lower`` is the best
    modular rank over several random points (:func:`separation_rank`).

    >>> import symtd
    >>> s = symtd.separation_rank(symtd.deep(4, 2, 2), (0, 2))  # deep ConvAC, odd-even
    >>> s
    SeparationRank(rows=(0, 2), lower=4, upper=4, upper_bound='min-cut', polynomial=True)
    >>> s.certified
    True
    >>> print(s)
    generic rank = 4, certified (a rank reached at a rational point equals the min-cut bound)
    """

    rows: tuple[int, ...]
    lower: int
    upper: int
    upper_bound: str
    bounds: tuple[Bound, ...] = field(repr=False)
    polynomial: bool = True
    point: dict[Any, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def certified(self) -> bool:
        """True when lower == upper: rank*(I) (the maximal rank over all weights) is known
        exactly."""
        return self.lower == self.upper

    @property
    def determined(self) -> bool:
        """True when the generic rank is pinned down exactly: a product circuit (polynomial
        entries, so the rank is constant off a null set of weights) with lower == upper."""
        return self.polynomial and self.certified

    @property
    def upper_reason(self) -> str:
        """ "name: detail" of the bound that gave ``upper`` (how it was proven)."""
        best = next((b for b in self.bounds if b.value == self.upper), None)
        return f"{best.name}: {best.detail}" if best is not None else self.upper_bound

    def __str__(self) -> str:
        if self.point is not None:
            return self._point_text()
        what = "generic rank" if self.polynomial else "maximal rank"
        if self.certified:
            return (
                f"{what} = {self.lower}, certified (a rank reached at a rational point equals "
                f"the {self.upper_bound} bound)"
            )
        return f"{self.lower} <= {what} <= {self.upper} ({self.upper_bound})"

    def _point_text(self) -> str:
        """The text of a bracket whose lower bound is the exact rank at one point."""
        if not self.polynomial:
            return (
                f"rank {self.lower} at a random rational point (piecewise entries: not a generic "
                f"rank); rank <= {self.upper} for all weights ({self.upper_reason})"
            )
        status = (
            f"generic rank = {self.lower}"
            if self.determined
            else f"{self.lower} <= generic rank <= {self.upper}"
        )
        return (
            f"{status} (lower bound: exact rank at a random rational point; "
            f"upper bound: {self.upper_reason})"
        )


# -- the bracket --------------------------------------------------------------------------------
def lower_bound(
    circuit: Circuit,
    I: PartitionSpec,
    points: int = 3,
    seed: int = 0,
    target: int | None = None,
) -> int:
    """max over ``points`` random rational weight points (integers in [-10^6, 10^6], seeds
    seed, seed+1, ...) of the rank of [G]_{I,J} modulo a prime: a proven lower bound on
    rank*(I) (see the module docstring). Stops early once ``target`` is reached."""
    I = partition(I, circuit)
    best = 0
    for k in range(points):
        best = max(best, lower_rank(circuit.at_random_point(seed + k), I))
        if target is not None and best >= target:
            break
    return best


def separation_rank(
    circuit: Circuit, I: PartitionSpec, points: int = 3, seed: int = 0
) -> SeparationRank:
    """Bracket rank*(I) = max over all weights of rank [G]_{I,J} (the separation rank).

    ``circuit`` may be symbolic or concrete (its weights are ignored: the question is about
    the architecture). ``I``: row positions or a named partition. The lower bound is the
    best modular rank over ``points`` random rational points, the upper the smallest proven
    bound. Returns a :class:`SeparationRank` whose ``certified`` is True only when
    lower == upper.

    >>> import symtd
    >>> tt = symtd.recurrent(8, 2, 2, shared=False)  # a tensor train
    >>> s = symtd.separation_rank(tt, "odd-even")
    >>> s.lower, s.upper, s.upper_bound, s.certified
    (16, 16, 'min-cut', True)
    >>> print(symtd.separation_rank(tt, "low-high"))
    generic rank = 2, certified (a rank reached at a rational point equals the min-cut bound)
    >>> print(symtd.separation_rank(symtd.deep(4, 2, 2, "max"), "odd-even"))  # not certified
    3 <= maximal rank <= 4 (matrix size)
    """
    I = partition(I, circuit)
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= 100:
        raise SymtdError(f"points must be an integer in 1..100, got {points!r}")
    architecture = circuit.with_weights(None) if not circuit.is_symbolic_architecture else circuit
    check_memory(architecture)  # the lower bound needs grids: refuse early
    bounds = tuple(upper_bounds(architecture, I))
    lower = lower_bound(architecture, I, points, seed, target=bounds[0].value)
    return _bracket(circuit, I, lower, bounds, None)


def generic_rank(
    circuit: Circuit, I: PartitionSpec, seed: int = 0, bound: int = 10**6
) -> SeparationRank:
    """Bracket the rank of [G]_{I,J} over the weights of a (symbolic) circuit by one point.

    The lower bound is the exact rank of the grid tensor at one random rational point
    (integers from [-bound, bound]: wide ranges avoid degenerate draws; a concrete circuit
    is taken at its own weights), computed by the fast exact forward path, never by
    substituting into expanded expressions; the upper bound is the smallest bound proven
    for all weights. For product networks the entries are polynomials, so the rank is
    generic (constant off a null set) and at least ``lower``: it is ``determined`` when
    lower == upper. For ReLU operators the rank varies between open regions of weights:
    ``lower`` then only proves that rank on a region around ``point``. Returns a
    :class:`SeparationRank` carrying ``point``.

    >>> import symtd
    >>> report = symtd.generic_rank(symtd.deep(8, 2, 2), "odd-even")
    >>> report.lower, report.upper, report.determined  # generic rank r^(N/2) = 16
    (16, 16, True)
    >>> report = symtd.generic_rank(symtd.shallow(4, 2, 1, "max"), (0, 2))
    >>> report.lower, report.upper, report.determined  # ReLU: a rank reached, never generic
    (2, 4, False)
    """
    I = partition(I, circuit)
    point = circuit.random_point(seed, bound)
    lower = matricization_rank(circuit.subs(point) if point else circuit, I)
    return _bracket(circuit, I, lower, tuple(upper_bounds(circuit, I)), point)


def _bracket(
    circuit: Circuit,
    I: tuple[int, ...],
    lower: int,
    bounds: tuple[Bound, ...],
    point: dict[Any, Any] | None,
) -> SeparationRank:
    """The result, after checking lower <= the smallest proven upper bound (else a bug)."""
    best = bounds[0]
    if lower > best.value:
        raise AssertionError(
            f"rank {lower} at a rational point exceeds the proven bound "
            f"{best.value} ({best.name}): a bug in symtd"
        )
    polynomial = circuit.operator.name == "product"
    return SeparationRank(I, lower, best.value, best.name, bounds, polynomial, point)
