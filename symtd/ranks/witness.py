"""Witness minors: a proven lower bound on rank [G]_{I,J} without materializing the grid.

A :class:`Minor` names r row tuples (templates at I's positions) and r column tuples (at
J's) whose r×r submatrix of the grid matricization [G]_{I,J} is non-singular, so
rank [G]_{I,J} >= r: a matrix has rank at least the size of any non-singular square
submatrix. Non-singularity is proven modulo a prime p: every entry's denominator is
invertible mod p and the reduced r×r matrix has rank r over Z/p. The reduction mod p is a
ring map from the rationals whose denominators p does not divide onto Z/p; it takes the
determinant to the determinant of the reduced matrix, so det != 0 mod p gives det != 0
over Q. The independent checker re-verifies exactly this from the minor's data.

:func:`witness_minor` finds one, whatever N is:

* the whole matricization when it is small or the target is close to its size: [X]_{I,J}
  mod p (X = c·G the grid numerators, c != 0), its rank and pivot rows and columns;
* otherwise k×k blocks of it at random distinct row and column tuples, computed by one
  batched forward pass (:func:`~symtd.tensors.grid.grid_batch`: mod p for product circuits,
  exact integers for max/avg/sum), k growing from 2·target while the rank found falls
  short and the time limit allows. A submatrix's rank never exceeds the matrix's.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from symtd.algebra.modular import nmod_matrix
from symtd.algebra.rank import PRIME, SMALL_PRIME, pivots
from symtd.algebra.rational import clear_denominators
from symtd.circuits.circuit import Circuit
from symtd.circuits.operators import PRODUCT
from symtd.circuits.partitions import PartitionSpec, partition
from symtd.errors import SymtdError
from symtd.tensors.evaluate import available_bytes, check_memory, human_bytes
from symtd.tensors.grid import (
    exact_grid_tensor,
    grid_batch,
    grid_numerators_mod,
    submatrix_indices,
)
from symtd.tensors.matricize import matricize

FULL_ENTRIES = 1 << 20  # matricizations up to this many entries are always ranked whole
MAX_SAMPLE = 4096  # most rows (and columns) of a sampled block
FIRST_SAMPLE = 16  # fewest rows of the first sampled block
FIRST_MAX = 512  # most rows of the first sampled block (later ones are sized from its cost)
MAX_WORK = 10**11  # multiply-adds of the first sampled block beyond which a search is refused
STEP_WORK = 3 * 10**10  # multiply-adds of one block beyond which sampling stops (no time limit)
# Rough costs on one core, for deciding what fits a time limit (never for soundness):
SECONDS_PER_OP = 4e-9  # one multiply-add of the batched forward pass
SECONDS_PER_ENTRY = 1e-8  # one grid entry of one node of the full forward pass mod p
SECONDS_PER_PIVOT = 4e-10  # one step of elimination mod p (rows · rows · columns of them)


@dataclass(frozen=True)
class Minor:
    """r distinct row tuples and r distinct column tuples whose r×r submatrix of [G]_{I,J}
    is non-singular (over Q when prime is None, else modulo the prime, which proves it over
    Q), so rank [G]_{I,J} >= r.

    ``rows[a]``: the templates at I's positions (I ascending), ``cols[b]`` at J's; the
    entry (a, b) is G[d] with d those templates. ``how`` says how it was found;
    ``exhaustive`` is True when the whole matricization was ranked (r is then its rank
    mod p, so the exact rank unless p divides every maximal non-zero minor).

    >>> import symtd
    >>> from symtd.ranks.witness import witness_minor
    >>> net = symtd.deep(4, 2, 2).at_random_point(seed=0)
    >>> minor = witness_minor(net, "odd-even")
    >>> minor.rank, minor.rows[0], minor.exhaustive  # r^(N/2) = 4 rows of (d0, d2)
    (4, (0, 0), True)
    """

    rows: tuple[tuple[int, ...], ...]
    cols: tuple[tuple[int, ...], ...]
    prime: int | None
    how: str = field(default="", compare=False)
    exhaustive: bool = field(default=False, compare=False)

    @property
    def rank(self) -> int:
        """r, the number of rows (= columns): the rank the minor proves."""
        return len(self.rows)


def witness_minor(
    circuit: Circuit,
    I: PartitionSpec,
    target: int | None = None,
    seed: int = 0,
    time_limit: float | None = None,
) -> Minor:
    """A non-singular minor of [G]_{I,J} of a concrete circuit, of size ``target`` if it can
    find one (None: min(M^|I|, M^|J|)), else the largest found.

    Sound: the minor returned is re-verified non-singular mod its prime (see the module
    docstring), so rank [G]_{I,J} >= minor.rank at the circuit's weights, whichever way it
    was found. The whole matricization is ranked when it has at most FULL_ENTRIES entries,
    or fits in memory and the target is at least a quarter of its side; else k×k blocks at
    random distinct tuples (``seed``) are ranked, k = 2·target first (at least 16, at most
    512 and the sides), doubling (up to 4096) while the rank falls short. ``time_limit`` (seconds):
    no block or full ranking is started when the time measured so far predicts it would
    end past the limit; the best minor found so far is returned.

    >>> import symtd
    >>> net = symtd.deep(64, 2, 2).at_random_point(seed=0)  # 2^64 grid entries
    >>> witness_minor(net, "low-high", target=2).rank  # the cut at the root: rank r = 2
    2
    """
    if not circuit.is_concrete:
        raise SymtdError("a witness minor needs concrete weights (substitute them first)")
    I = partition(I, circuit)
    if time_limit is not None and not (isinstance(time_limit, (int, float)) and time_limit >= 0):
        raise SymtdError(f"time limit must be a number of seconds >= 0, got {time_limit!r}")
    search = _Search(circuit, I, target, seed, time_limit)
    return search.run()


def minor_entries(circuit: Circuit, I: PartitionSpec, minor: Minor) -> list[list[Fraction]]:
    """The exact entries G[d] of the minor's r×r submatrix (row a, column b: d = rows[a] at
    I's positions and cols[b] at J's), by one batched exact forward pass."""
    I = partition(I, circuit)
    if not minor.rows:
        return []
    G = grid_batch(circuit, submatrix_indices(circuit.N, I, minor.rows, minor.cols))
    return [[Fraction(x) for x in row] for row in G.to_fractions().tolist()]


def minor_is_nonsingular(circuit: Circuit, I: PartitionSpec, minor: Minor) -> bool:
    """True when the minor's exact entries have denominators invertible mod its prime and
    the reduced r×r matrix has rank r mod p (over Q, by exact elimination, when the prime
    is None): the check the independent checker makes, here by symtd's own forward pass."""
    entries = minor_entries(circuit, I, minor)
    r = minor.rank
    if minor.prime is None:
        from symtd.algebra.rank import rank

        return r == 0 or rank(np.array(entries, dtype=object)) == r
    p = minor.prime
    if any(x.denominator % p == 0 for row in entries for x in row):
        return False
    residues = [[x.numerator * pow(x.denominator, -1, p) % p for x in row] for row in entries]
    return r == 0 or nmod_matrix(np.array(residues, dtype=object), p).rank() == r


class _Search:
    """One witness search: the full matricization or growing sampled blocks."""

    def __init__(self, circuit, I, target, seed, time_limit):
        self.circuit, self.I, self.seed, self.limit = circuit, I, seed, time_limit
        self.J = tuple(k for k in range(circuit.N) if k not in set(I))
        self.start = time.monotonic()
        M = circuit.M
        self.log_side = min(len(I), len(self.J)) * math.log2(M)  # log2 min(rows, cols)
        small = circuit.N * math.log2(M) <= 62
        self.m = M ** len(I) if small or len(I) * math.log2(M) <= 62 else None
        self.n = M ** len(self.J) if small or len(self.J) * math.log2(M) <= 62 else None
        side = min(x for x in (self.m, self.n) if x is not None) if self.m or self.n else None
        goal = side if side is not None else 2**62
        if target is not None:
            goal = min(goal, max(0, int(target)))
        self.goal = goal
        self.prime, self.modular = self._prime()
        self.width = max(max(node.width for node in circuit.nodes), circuit.M)

    # -- the two ways ---------------------------------------------------------------------
    def run(self) -> Minor:
        empty = Minor((), (), self.prime, "target 0", False)
        if self.goal == 0:
            return empty
        if self._full_fits() and (self._entries() <= FULL_ENTRIES or 4 * self.goal >= self._side()):
            if self._full_affordable():
                return self._full()
        return self._sampled(empty)

    def _full(self) -> Minor:
        """Rank the whole matricization mod p and take pivot rows and columns."""
        c, I = self.circuit, self.I
        if self.modular:
            residues = grid_numerators_mod(c, self.prime, rows=I)
        else:
            X = matricize(exact_grid_tensor(c), I).numerator
            residues = (X % self.prime).astype(np.uint64 if self.prime > 2**62 else np.int64)
        rows, cols, r = _pivots(residues, self.prime)
        m, n = residues.shape
        minor = Minor(
            _tuples(rows, len(I), c.M),
            _tuples(cols, len(self.J), c.M),
            self.prime,
            f"ranked the whole {m}×{n} matricization mod {self.prime}",
            True,
        )
        _confirm(residues, rows, cols, self.prime, r)
        return minor

    def _sampled(self, best: Minor) -> Minor:
        """Rank k×k blocks at random distinct tuples, k doubling while the rank falls short."""
        rng = np.random.default_rng(self.seed)
        c = self.circuit
        k = min(max(2 * self.goal, FIRST_SAMPLE), FIRST_MAX)
        while k > FIRST_SAMPLE and not self._first_fits(k):
            k //= 2
        if not self._first_fits(k, refuse=True):
            work = self._work(k, k)
            raise SymtdError(
                f"a {k}×{k} block of the matricization needs about {work:.1e} multiply-adds "
                f"and {human_bytes(self._bytes(k, k))} (N={c.N}, {len(c.nodes)} nodes, widths up "
                f"to {self.width}): too large; refused"
            )
        rows = np.zeros((0, len(self.I)), np.int64)
        cols = np.zeros((0, len(self.J)), np.int64)
        timing = None
        while True:
            kr, kc = min(k, self.m or k), min(k, self.n or k)
            if timing is not None and not self._affordable(kr, kc, *timing):
                break
            rows = _more_tuples(rng, rows, kr, c.M, self.m)
            cols = _more_tuples(rng, cols, kc, c.M, self.n)
            began = time.monotonic()
            residues = self._block(rows, cols)
            mid = time.monotonic()
            R, C, r = _pivots(residues, self.prime)
            timing = (len(rows), len(cols), mid - began, time.monotonic() - mid)
            exhaustive = len(rows) == self.m and len(cols) == self.n
            if r > best.rank or exhaustive:
                _confirm(residues, R, C, self.prime, r)
                how = (
                    f"ranked {len(rows)}×{len(cols)} sampled rows and columns mod {self.prime}"
                    if not exhaustive
                    else f"ranked the whole {len(rows)}×{len(cols)} matricization mod {self.prime}"
                )
                best = Minor(
                    tuple(map(tuple, rows[R].tolist())),
                    tuple(map(tuple, cols[C].tolist())),
                    self.prime,
                    how,
                    exhaustive,
                )
            if best.rank >= self.goal or exhaustive or k >= MAX_SAMPLE:
                break
            k = min(2 * k, MAX_SAMPLE)
            if (
                self.m is not None
                and self.n is not None
                and (4 * min(k, self.m) * min(k, self.n) >= self.m * self.n)
            ):
                if self._full_fits() and self._full_affordable():
                    return self._full()
        if not best.exhaustive and best.how and best.rank < self.goal:
            seconds = time.monotonic() - self.start
            best = Minor(
                best.rows,
                best.cols,
                best.prime,
                f"sampled {len(rows)}×{len(cols)} within {seconds:.0f} s",
                False,
            )
        return best

    def _block(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The block of [X]_{I,J} at the tuples, mod the prime (X = c·G, p ∤ c)."""
        indices = submatrix_indices(self.circuit.N, self.I, rows, cols)
        if self.modular:
            return grid_batch(self.circuit, indices, self.prime)
        G = grid_batch(self.circuit, indices)
        if G.denominator % self.prime == 0:  # never with the prime chosen: a bug
            raise AssertionError("the prime divides the grid's denominator: a bug in symtd")
        X = G.numerator % self.prime
        return X.astype(np.uint64 if self.prime > 2**62 else np.int64)

    # -- sizes and costs -------------------------------------------------------------------
    def _prime(self) -> tuple[int, bool]:
        """(p, modular): the product circuits' 28-bit prime when no weight's denominator is a
        multiple of it (then X = c·G with p ∤ c, and the forward pass runs mod p); else the
        61-bit prime (or the 28-bit one) not dividing the exact grid's denominators, which
        divide the product of the weights' denominators (its powers)."""
        c = self.circuit
        dens = [clear_denominators(c.F)[1]] + [clear_denominators(b)[1] for b in c.blocks.values()]
        if c.operator is PRODUCT and all(d % SMALL_PRIME for d in dens):
            return SMALL_PRIME, True
        for p in (PRIME, SMALL_PRIME):
            if all(d % p for d in dens):
                return p, False
        raise SymtdError(
            f"every weight denominator pattern is divisible by {PRIME} and {SMALL_PRIME}: "
            "no witness prime"
        )

    def _side(self) -> int:
        return min(self.m, self.n)

    def _entries(self) -> int:
        return self.m * self.n

    def _full_fits(self) -> bool:
        if self.m is None or self.n is None:
            return False
        try:
            check_memory(self.circuit, "modular" if self.modular else "exact")
        except SymtdError:
            return False
        return True

    def _full_affordable(self) -> bool:
        """Whether the whole matricization's predicted time fits the time left."""
        if self.limit is None:
            return True
        m, n = self.m, self.n
        seconds = SECONDS_PER_ENTRY * m * n * len(self.circuit.nodes) * (1 if self.modular else 5)
        seconds += SECONDS_PER_PIVOT * min(m, n) ** 2 * max(m, n)
        return self._elapsed() + seconds <= self.limit

    def _first_fits(self, k: int, refuse: bool = False) -> bool:
        """Whether the first k×k block fits in memory and (predicted from sizes) in time:
        STEP_WORK without a time limit, or MAX_WORK when deciding to refuse."""
        kr, kc = min(k, self.m or k), min(k, self.n or k)
        if self._bytes(kr, kc) > available_bytes() // 2:
            return False
        work = self._work(kr, kc)
        if refuse:
            return work <= MAX_WORK
        if self.limit is None:
            return work <= STEP_WORK
        seconds = SECONDS_PER_OP * work * (1 if self.modular else 10)
        return self._elapsed() + seconds <= self.limit or k <= FIRST_SAMPLE

    def _affordable(self, kr, kc, kr0, kc0, forward_s, rank_s) -> bool:
        """Whether a kr×kc block fits: in memory, and within the time limit, predicted from
        the last block (forward ∝ entries, elimination ∝ kr·kc·min), or within STEP_WORK
        without one."""
        if self._bytes(kr, kc) > available_bytes() // 2:
            return False
        if self.limit is None:
            return self._work(kr, kc) <= STEP_WORK
        grow = (kr * kc) / max(1, kr0 * kc0)
        seconds = forward_s * grow + rank_s * grow * min(kr, kc) / max(1, min(kr0, kc0))
        return self._elapsed() + seconds <= self.limit

    def _elapsed(self) -> float:
        return time.monotonic() - self.start

    def _bytes(self, kr: int, kc: int) -> int:
        """Memory of a kr×kc block's forward pass: a few values of the widest node (int64;
        exact numerators past int64 are Python ints, priced at 64 B)."""
        per_entry = 8 if self.modular else 64
        return 4 * kr * kc * self.width * per_entry

    def _work(self, kr: int, kc: int) -> int:
        """Multiply-adds of one batched forward pass over a kr×kc block: a node's value has
        kr (scope in I), kc (scope in J) or kr·kc entries per channel."""
        c, rows = self.circuit, set(self.I)
        side: dict[str, tuple[bool, bool]] = {}
        total = 0
        for j in range(c.N):
            side[f"x{j}"] = (j in rows, j not in rows)
        for k, node in enumerate(c.nodes):
            inI = any(side[m][0] for m, _ in node.pool)
            inJ = any(side[m][1] for m, _ in node.pool)
            side[f"n{k}"] = (inI, inJ)
            size = kr * kc if inI and inJ else kr if inI else kc
            total += size * node.width * sum(c.dim(m) + 1 for m, _ in node.pool)
        return total


def _pivots(residues: np.ndarray, p: int) -> tuple[list[int], list[int], int]:
    """(rows R, columns C, r): r = rank mod p of the residue matrix and A[R, C] an r×r
    submatrix of rank r mod p."""
    m, n = residues.shape
    if m == 0 or n == 0:
        return [], [], 0
    A = nmod_matrix(residues, p)
    r = int(A.rank())
    if r == 0:
        return [], [], 0
    if r == m == n:
        return list(range(m)), list(range(n)), r
    if r == m:  # full row rank: every row, pivot columns
        return list(range(m)), _pivot_columns(A, r), r
    if r == n:
        return _pivot_columns(nmod_matrix(residues.T, p), r), list(range(n)), r
    R, C = pivots(A, residues, r, p)
    if R is None or C is None:
        C = _pivot_columns(A, r)
        R = _pivot_columns(nmod_matrix(residues[:, C].T, p), r)
    return R, C, r


def _pivot_columns(A, r: int) -> list[int]:
    """The pivot columns of A's reduced row echelon form (A of rank r mod p)."""
    R, rank_ = A.rref()
    assert rank_ == r, "rank changed between two eliminations: a bug"
    found, col = [], 0
    for i in range(r):
        while int(R[i, col]) == 0:
            col += 1
        found.append(col)
        col += 1
    return found


def _confirm(residues: np.ndarray, rows: list[int], cols: list[int], p: int, r: int) -> None:
    """Re-verify that the r×r block residues[rows, cols] has rank r mod p (else symtd has a
    bug); when it is the whole matrix, its rank r was just computed from it."""
    if len(rows) != r or len(cols) != r:
        raise AssertionError("a witness minor is not square: a bug in symtd")
    if r == residues.shape[0] == residues.shape[1]:
        return
    block = residues[np.ix_(rows, cols)]
    if r and nmod_matrix(block, p).rank() != r:
        raise AssertionError("a witness minor is singular mod p: a bug in symtd")


def _tuples(indices: list[int], length: int, M: int) -> tuple[tuple[int, ...], ...]:
    """Row-major indices of a matricization's rows (or columns) as template tuples."""
    if length == 0:
        return tuple(() for _ in indices)
    arrays = np.unravel_index(np.asarray(indices, dtype=np.int64), (M,) * length)
    return tuple(zip(*(a.tolist() for a in arrays)))


def _more_tuples(
    rng: np.random.Generator, have: np.ndarray, k: int, M: int, total: int | None
) -> np.ndarray:
    """``have`` extended to k distinct template tuples (rows of length ``have.shape[1]``), the
    new ones uniform among the others; all ``total`` of them (in order) when k reaches it."""
    length = have.shape[1]
    if total is not None and k >= total:
        if not length:
            return np.zeros((1, 0), np.int64)
        arrays = np.unravel_index(np.arange(total, dtype=np.int64), (M,) * length)
        return np.stack(arrays, axis=1).astype(np.int64)
    seen = {tuple(t) for t in have.tolist()}
    out = [tuple(t) for t in have.tolist()]
    while len(out) < k:
        for t in rng.integers(0, M, size=(2 * (k - len(out)), length)).tolist():
            if tuple(t) not in seen and len(out) < k:
                seen.add(tuple(t))
                out.append(tuple(t))
    return np.array(out, dtype=np.int64).reshape(len(out), length)
