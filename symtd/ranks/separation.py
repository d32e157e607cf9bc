"""Maximal ranks over all weights (separation ranks), bracketed soundly (:doc:`/exactness`).

For an architecture and a partition (I, J), rank*(I) = max over real weights of
rank [G]_{I,J}. For product circuits the entries are polynomials in the weights, so
rank*(I) is the generic rank (attained outside a Lebesgue-null set); for ReLU operators
it is the largest rank any weights reach, and symtd never calls it generic.

* lower bound (:func:`separation_rank`): the largest witness minor
  (:func:`~symtd.ranks.witness.witness_minor`) found at random rational weight points,
  integers in [-10^6, 10^6] (or at the circuit's own weights): r×r submatrices of the
  grid matricization non-singular modulo a prime, hence over Q, so rank [G]_{I,J} >= r at
  that point, hence rank*(I) >= r. The grid is never needed whole: past a size, k×k blocks
  at random rows and columns are ranked, for any N.
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

import time
from dataclasses import dataclass, field
from typing import Any

from symtd.circuits.circuit import Circuit
from symtd.circuits.partitions import PartitionSpec, partition
from symtd.errors import SymtdError
from symtd.ranks.bounds import Bound, upper_bounds
from symtd.ranks.matricization import matricization_rank
from symtd.ranks.witness import Minor, witness_minor
from symtd.tensors.evaluate import check_memory


@dataclass(frozen=True)
class SeparationRank:
    """A bracket lower <= rank*(I) <= upper; rank*(I) = max over all weights of rank [G]_{I,J}.

    ``certified`` is True when lower == upper; ``determined`` when moreover the circuit is a
    product circuit (the generic rank is then known exactly).

    Parameters
    ----------
    rows : tuple of int
        The row positions I.
    lower : int
        A rank reached at a rational weight point (proven: a non-zero minor there).
    upper : int
        The smallest bound proven for ALL weights.
    upper_bound : str
        The name of that bound.
    bounds : tuple of Bound
        Every applicable bound, smallest first.
    polynomial : bool, default True
        Product circuits, whose entries are polynomials in the weights, so rank*(I) is the
        generic rank; for ReLU operators it is only the maximal rank.
    point : dict, optional
        The weight point of ``lower`` (:func:`generic_rank`: symbols -> values, ``lower`` the
        exact rank there; :func:`separation_rank`: {block name: weights} of the point whose
        ``witness`` proves ``lower``).
    witness : Minor, optional
        The :class:`~symtd.ranks.witness.Minor` proving ``lower`` at ``point``.
    reached : bool, default True
        False when the search stopped short of ``upper`` for size or time (the rank may be
        larger than ``lower``).
    note : str, default ""
        One line saying why, when not ``reached``.
    exact : bool, default False
        ``lower`` is the exact rank at ``point``.

    Examples
    --------
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
    witness: Minor | None = field(default=None, repr=False, compare=False)
    reached: bool = field(default=True, repr=False, compare=False)
    note: str = field(default="", repr=False, compare=False)
    exact: bool = field(default=False, repr=False, compare=False)

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
        if self.exact:
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
    time_limit: float | None = None,
) -> int:
    """max over ``points`` random rational weight points (integers in [-10^6, 10^6], seeds
    seed, seed+1, ...) of the rank of a witness minor of [G]_{I,J}: a proven lower bound on
    rank*(I) (see the module docstring). Stops early once ``target`` is reached."""
    return best_witness(circuit, I, points, seed, target, time_limit)[0]


def best_witness(
    circuit: Circuit,
    I: PartitionSpec,
    points: int = 3,
    seed: int = 0,
    target: int | None = None,
    time_limit: float | None = None,
    own_weights: bool = False,
) -> tuple[int, Minor | None, Circuit | None, bool]:
    """(rank, minor, concrete circuit, exhaustive) of the largest witness minor over the
    points: the circuit's own weights when ``own_weights``, else random rational points
    (seeds seed, seed+1, ...); stops at ``target`` or when ``time_limit`` seconds are spent.
    ``exhaustive``: every point's whole matricization was ranked (nothing cut short).

    Sound: each minor is non-singular mod a prime at its point (re-verified), so
    rank [G]_{I,J} >= its size there, and rank*(I) is the maximum over all points.
    """
    I = partition(I, circuit)
    started = time.monotonic()
    if own_weights and not circuit.is_concrete:
        raise SymtdError("own weights were asked for, but the circuit has none (or symbols)")
    architecture = circuit.with_weights(None) if circuit.is_concrete else circuit
    best: tuple[int, Minor | None, Circuit | None] = (-1, None, None)
    exhaustive = True
    for k in range(1 if own_weights else points):
        left = None if time_limit is None else max(0.0, time_limit - (time.monotonic() - started))
        if left is not None and left <= 0 and best[1] is not None:
            exhaustive = False
            break
        point = circuit if own_weights else architecture.at_random_point(seed + k)
        minor = witness_minor(point, I, target, seed + k, left)
        exhaustive = exhaustive and minor.exhaustive
        if minor.rank > best[0]:
            best = (minor.rank, minor, point)
        if target is not None and best[0] >= target:
            break
    return best[0], best[1], best[2], exhaustive


def separation_rank(
    circuit: Circuit,
    I: PartitionSpec,
    points: int = 3,
    seed: int = 0,
    time_limit: float | None = None,
    own_weights: bool = False,
) -> SeparationRank:
    """Bracket the separation rank rank*(I) = max over all weights of rank [G]_{I,J}.

    The lower bound is the largest witness minor over ``points`` random rational points
    (:func:`best_witness`), the upper the smallest proven bound; ``time_limit`` bounds the
    search, never the soundness.

    Parameters
    ----------
    circuit : Circuit
        A symbolic or concrete circuit; its weights are ignored (the question is about the
        architecture) unless ``own_weights``.
    I : str or iterable of int
        Row positions or a partition name.
    points : int, default 3
        Number of random rational points tried (1..100).
    seed : int, default 0
        Seed of the random points.
    time_limit : float, optional
        Seconds allowed to the search for a larger minor; None: no limit.
    own_weights : bool, default False
        Take the lower bound at the circuit's own weights.

    Returns
    -------
    SeparationRank
        The bracket, with ``witness`` and ``point``: the minor and the weights proving
        ``lower``; ``certified`` only when lower == upper.

    Raises
    ------
    SymtdError
        When ``I`` is not a partition, ``points`` or ``time_limit`` is out of range, or
        ``own_weights`` is asked of a circuit without concrete weights.

    Examples
    --------
    >>> import symtd
    >>> tt = symtd.recurrent(8, 2, 2, shared=False)  # a tensor train
    >>> s = symtd.separation_rank(tt, "odd-even")
    >>> s.lower, s.upper, s.upper_bound, s.certified
    (16, 16, 'min-cut', True)
    >>> print(symtd.separation_rank(tt, "low-high"))
    generic rank = 2, certified (a rank reached at a rational point equals the min-cut bound)
    >>> print(symtd.separation_rank(symtd.deep(4, 2, 2, "max"), "odd-even"))  # not certified
    3 <= maximal rank <= 4 (matrix size)
    >>> s = symtd.separation_rank(symtd.deep(64, 2, 2), "low-high")  # 2^64 grid entries
    >>> s.lower, s.upper, s.witness.rank
    (2, 2, 2)
    """
    I = partition(I, circuit)
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= 100:
        raise SymtdError(f"points must be an integer in 1..100, got {points!r}")
    if time_limit is not None and (
        isinstance(time_limit, bool)
        or not isinstance(time_limit, (int, float))
        or not 0 <= time_limit < 10**7
    ):
        raise SymtdError(f"time limit must be a number of seconds >= 0, got {time_limit!r}")
    architecture = circuit.with_weights(None) if not circuit.is_symbolic_architecture else circuit
    bounds = tuple(upper_bounds(architecture, I))
    lower, minor, point, exhaustive = best_witness(
        circuit, I, points, seed, bounds[0].value, time_limit, own_weights
    )
    result = _bracket(circuit, I, lower, bounds, None)
    reached = lower >= result.upper or exhaustive
    note = ""
    if not reached:
        how = minor.how if minor is not None and minor.how else "searched"
        note = (
            f"rank too large to reach: {lower} <= rank <= {result.upper} "
            f"({result.upper_bound}), {how}"
        )
    weights = None if point is None else _weights(point)
    return SeparationRank(
        result.rows,
        result.lower,
        result.upper,
        result.upper_bound,
        result.bounds,
        result.polynomial,
        weights,
        minor,
        reached,
        note,
    )


def _weights(point: Circuit) -> dict[str, Any]:
    """The weight point as {block name: weights} (F is the architecture's)."""
    return {name: point.block(name) for name in point.shapes}


def generic_rank(
    circuit: Circuit, I: PartitionSpec, seed: int = 0, bound: int = 10**6
) -> SeparationRank:
    """Bracket the rank of [G]_{I,J} over the weights of a (symbolic) circuit by one point.

    The lower bound is the exact rank of the grid tensor at one random rational point,
    computed by the fast exact forward path; the upper bound is the smallest bound proven for
    all weights. For product networks the entries are polynomials, so the rank is generic
    (constant off a null set) and at least ``lower``: it is ``determined`` when
    lower == upper. For ReLU operators the rank varies between open regions of weights:
    ``lower`` then only proves that rank on a region around ``point``.

    Parameters
    ----------
    circuit : Circuit
        A symbolic circuit (a concrete one is taken at its own weights).
    I : str or iterable of int
        Row positions or a partition name.
    seed : int, default 0
        Seed of the random point.
    bound : int, default 10^6
        The point's integers are drawn from [-bound, bound] (wide ranges avoid degenerate
        draws).

    Returns
    -------
    SeparationRank
        The bracket, carrying ``point``. When the grid does not fit in memory, ``lower`` is
        the size of a witness minor at that point instead (``exact`` False, ``witness`` set).

    Raises
    ------
    SymtdError
        When ``I`` is not a partition of the circuit's positions.

    Examples
    --------
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
    concrete = circuit.subs(point) if point else circuit
    bounds = tuple(upper_bounds(circuit, I))
    if _grid_fits(concrete):
        lower = matricization_rank(concrete, I)
        return _bracket(circuit, I, lower, bounds, point)
    minor = witness_minor(concrete, I, bounds[0].value, seed)
    s = _bracket(circuit, I, minor.rank, bounds, point)
    reached = minor.rank >= s.upper or minor.exhaustive
    note = "" if reached else f"rank too large to reach: {s.lower} <= rank <= {s.upper}"
    return SeparationRank(
        s.rows,
        s.lower,
        s.upper,
        s.upper_bound,
        s.bounds,
        s.polynomial,
        point,
        minor,
        reached,
        note,
        False,
    )


def _grid_fits(circuit: Circuit) -> bool:
    """Whether the exact grid of a concrete circuit fits in memory (and in numpy's axes)."""
    try:
        check_memory(circuit)
    except SymtdError:
        return False
    return True


def _bracket(
    circuit: Circuit,
    I: tuple[int, ...],
    lower: int,
    bounds: tuple[Bound, ...],
    point: dict[Any, Any] | None,
) -> SeparationRank:
    """The result, after checking lower <= the smallest proven upper bound (else a bug);
    ``exact`` when a point is given (``lower`` is the exact rank there)."""
    best = bounds[0]
    if lower > best.value:
        raise AssertionError(
            f"rank {lower} at a rational point exceeds the proven bound "
            f"{best.value} ({best.name}): a bug in symtd"
        )
    polynomial = circuit.operator.name == "product"
    return SeparationRank(
        I, max(lower, 0), best.value, best.name, bounds, polynomial, point, exact=point is not None
    )
