"""Maximal ranks over all weights (separation ranks), bracketed soundly (:doc:`/exactness`).

For an architecture and a partition (I, J), rank*(I) = max over real weights of
rank [G]_{I,J}. For product circuits the entries are polynomials in the weights, so
rank*(I) is the generic rank (attained outside a Lebesgue-null set); for ReLU operators
it is the largest rank any weights reach, and symtd never calls it generic.

* lower bound (:func:`separation_rank`): the rank at random rational weight points,
  integers in [-10^6, 10^6]. Each is the rank of the point's grid numerators modulo a
  prime: a minor that is non-zero mod p is non-zero over Q, so it is a proven lower
  bound on the rank at that point, hence on rank*(I).
* upper bounds (:func:`upper_bounds`), each valid for ALL weights and proved in its
  function's docstring: "matrix size", "min-cut" (product circuits), "sum/avg split",
  "max lemma".

"certified" means lower == the smallest upper bound: rank*(I) is then known exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from symtd.circuits.partitions import partition, validate_partition
from symtd.errors import SymtdError
from symtd.ranks.bounds import structural_upper_bound, upper_bounds
from symtd.ranks.matricization import lower_rank, matricization_rank
from symtd.tensors.evaluate import check_memory


@dataclass(frozen=True)
class SeparationRank:
    """lower <= rank*(I) <= upper; ``upper_bound`` names the bound that gave ``upper``.

    >>> import symtd
    >>> s = symtd.separation_rank(symtd.deep(4, 2, 2), (0, 2))  # deep ConvAC, odd-even
    >>> s
    SeparationRank(rows=(0, 2), lower=4, upper=4, upper_bound='min-cut', polynomial=True)
    >>> s.certified
    True
    >>> print(s)
    generic rank = 4, certified (a rank reached at a rational point equals the min-cut bound)
    """

    rows: tuple
    lower: int
    upper: int
    upper_bound: str
    bounds: tuple = field(repr=False)
    polynomial: bool = True

    @property
    def certified(self):
        """True when lower == upper: rank*(I) is known exactly."""
        return self.lower == self.upper

    def __str__(self):
        what = "generic rank" if self.polynomial else "maximal rank"
        if self.certified:
            return (
                f"{what} = {self.lower}, certified (a rank reached at a rational point equals "
                f"the {self.upper_bound} bound)"
            )
        return f"{self.lower} <= {what} <= {self.upper} ({self.upper_bound})"


# -- the bracket --------------------------------------------------------------------------------
def lower_bound(circuit, I, points=3, seed=0, target=None):
    """max over ``points`` random rational weight points (integers in [-10^6, 10^6], seeds
    seed, seed+1, ...) of the rank of [G]_{I,J} modulo a prime: a proven lower bound on
    rank*(I) (see the module docstring). Stops early once ``target`` is reached."""
    best = 0
    for k in range(points):
        best = max(best, lower_rank(circuit.at_random_point(seed + k), I))
        if target is not None and best >= target:
            break
    return best


def separation_rank(circuit, I, points=3, seed=0):
    """Bracket rank*(I) = max over all weights of rank [G]_{I,J} (the separation rank).

    ``circuit`` may be symbolic or concrete (its weights are ignored: the question is about
    the architecture). ``I``: row positions or a named partition. Returns a
    :class:`SeparationRank` whose ``certified`` is True only when lower == upper.

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
    if isinstance(I, str):
        I = partition(I, circuit)
    I = validate_partition(I, circuit.N)
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= 100:
        raise SymtdError(f"points must be an integer in 1..100, got {points!r}")
    architecture = circuit.with_weights(None) if not circuit.is_symbolic_architecture else circuit
    check_memory(architecture)  # the lower bound needs grids: refuse early
    bounds = tuple(upper_bounds(architecture, I))
    best = bounds[0]
    lower = lower_bound(architecture, I, points, seed, target=best.value)
    if lower > best.value:
        raise AssertionError(
            f"rank {lower} at a rational point exceeds the proven bound "
            f"{best.value} ({best.name}): a bug in symtd"
        )
    return SeparationRank(
        I, lower, best.value, best.name, bounds, polynomial=circuit.operator.name == "product"
    )


@dataclass
class GenericRankReport:
    """Rank of a matricization over the weights: a certified lower and an all-weights upper bound.

    ``lower`` is the exact rank at the rational point ``point``. ``upper`` holds for all
    weights, from the structure named in ``upper_reason``. For product networks the grid
    entries are polynomials, so the rank is generic (constant off a null set) and at
    least ``lower``; it is determined when lower == upper. For ReLU operators entries
    are piecewise and the rank varies between open regions of weights: ``lower`` then
    only proves that rank on a region around ``point``, not almost everywhere.
    """

    lower: int
    upper: int
    upper_reason: str
    point: dict = field(repr=False)
    polynomial: bool = True

    @property
    def determined(self):
        """True when the generic rank (product networks only) is pinned down exactly."""
        return self.polynomial and self.lower == self.upper

    def __str__(self):
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


def generic_rank(circuit, I, seed=0, bound=10**6):
    """Certified report on the rank of [G]_{I,J} of a (symbolic) circuit (see GenericRankReport).

    The lower bound is the exact rank of the grid tensor at one random rational point
    (integers from [-bound, bound]: wide ranges avoid degenerate draws), computed by the
    fast exact forward path, never by substituting into expanded expressions.

    >>> import symtd
    >>> report = symtd.generic_rank(symtd.deep(8, 2, 2), (0, 2, 4, 6))
    >>> report.lower, report.upper, report.determined  # generic rank r^(N/2) = 16
    (16, 16, True)
    >>> report = symtd.generic_rank(symtd.shallow(4, 2, 1, "max"), (0, 2))
    >>> report.lower, report.upper, report.determined  # ReLU: a rank reached, never generic
    (2, 4, False)
    """
    point = circuit.random_point(seed, bound)
    lower = matricization_rank(circuit.subs(point) if point else circuit, I)
    upper, reason = structural_upper_bound(circuit, I)
    if lower > upper:
        raise AssertionError(
            f"rank {lower} at a rational point exceeds the proven bound {upper} "
            f"({reason}): a bug in symtd"
        )
    return GenericRankReport(
        lower, upper, reason, point, polynomial=circuit.operator.name == "product"
    )
