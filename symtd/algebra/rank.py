"""Exact matrix rank over Q, modular lower bounds, and exact rank over Q(weights).

How each result is proven is summed up in :doc:`/exactness`.

Exact rank of a rational matrix A (denominators cleared, so A is an integer matrix):

1. lower bound: rank of A mod a 61-bit prime p (FLINT ``nmod_mat``); a minor that is
   non-zero mod p is non-zero over Z, so rank_Q(A) >= rank_p(A). If it equals
   min(rows, cols) it is the rank.
2. upper bound certificate: r = rank_p(A) pivot columns C and rows R with A[R, C]
   invertible mod p (hence over Q); if A = A[:, C] · A[R, C]^{-1} · A[R, :] holds
   exactly (integer arithmetic in FLINT ``fmpz_mat``), every column lies in the span of
   r columns, so rank_Q(A) <= r, hence = r. Before this step, duplicate and zero
   rows and columns are dropped (rank unchanged); the certificate is used for low
   ranks (r <= min(m, n)/8), where FLINT's elimination over Z is slowest;
3. otherwise (or for an unlucky prime): FLINT's fraction-free ``fmpz_mat.rank``.

Every step is exact; the modular rank is only ever used as a lower bound.
sympy's ``Matrix.rank`` is never used on symbolic entries: it silently assumes an
undecidable pivot is non-zero (sympy issues #9480, #11238, #24613).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from symtd.algebra.modular import certify_rank, nmod_matrix
from symtd.algebra.polynomial import PolynomialTensor, Ring
from symtd.algebra.rational import (
    INT64_LIMIT,
    RationalTensor,
    as_fraction,
    check_prime,
    clear_denominators,
)
from symtd.errors import SymtdError

PRIME = 2**61 - 1
MULTIMODULAR_SIZE = 40_000  # entries from which a rank that is not full is certified prime by prime
SMALL_PRIME = 268435399  # < 2^28: products of two residues fit in int64


def integer_matrix(A: Any) -> np.ndarray:
    """A rational matrix as an integer ndarray with the same rank (rows scaled by a constant)."""
    if isinstance(A, RationalTensor):
        if A.ndim != 2:
            raise SymtdError(f"rank needs a matrix (2 dimensions), got {A.ndim}")
        return A.numerator
    if type(A).__module__.startswith("sympy"):
        if getattr(A, "free_symbols", None):
            raise SymtdError(
                "matrix has symbolic entries; use generic_rank or symbolic_rank, "
                "not the exact rank over Q"
            )
        A = np.array(A.tolist(), dtype=object).reshape(A.shape)
    A = np.asarray(A)
    if A.ndim != 2:
        raise SymtdError(f"rank needs a matrix (2 dimensions), got {A.ndim}")
    if A.dtype.kind == "f":
        raise SymtdError(
            "float matrix: its exact rank is not defined by symtd; use exact rationals "
            "(numpy.linalg.matrix_rank gives an inexact estimate)"
        )
    if A.dtype.kind == "u" and A.size and int(A.max()) > INT64_LIMIT:
        A = A.astype(object)
    if A.dtype.kind in "iu":
        return A.astype(np.int64) if A.dtype != np.int64 else A
    if A.dtype == object:
        try:
            X, _ = clear_denominators(A)
        except SymtdError:
            raise SymtdError(
                "matrix has non-rational entries; the exact rank over Q needs rationals "
                "(use generic_rank for symbolic matrices)"
            ) from None
        return X
    raise SymtdError(f"cannot take the exact rank of a {A.dtype} matrix")


def rank(A: Any) -> int:
    """Compute the exact rank over Q of a rational matrix.

    Parameters
    ----------
    A : RationalTensor or array_like or sympy.Matrix
        A matrix of exact rationals: a RationalTensor, nested ints or Fractions, an integer
        or Fraction ndarray, or a sympy Matrix without symbols.

    Returns
    -------
    int
        rank_Q(A), proven as described in :doc:`/exactness`.

    Raises
    ------
    SymtdError
        When ``A`` is not a matrix or holds floats or symbols (use :func:`symbolic_rank`).

    Examples
    --------
    >>> import numpy as np, symtd
    >>> from fractions import Fraction
    >>> symtd.rank([[1, 2], [2, 4]])
    1
    >>> symtd.rank(np.array([[Fraction(1, 2), 1], [1, Fraction(2, 3)]], dtype=object))
    2
    >>> net = symtd.deep(8, 2, 2).at_random_point(seed=0)
    >>> symtd.rank(symtd.matricize(symtd.grid_tensor(net), symtd.partition("odd-even", net)))
    16
    """
    return certified_rank(A).rank


@dataclass
class RankCertificate:
    """How an exact rank was established: the bounds and the method that closed the gap."""

    rank: int
    lower: str
    upper: str


def mod_matrix(X: np.ndarray, prime: int) -> tuple[np.ndarray, Any]:
    """(X mod p as int64 ndarray, the same as a FLINT nmod_mat) for an integer matrix X."""
    residues = X % prime
    residues = residues.astype(np.int64) if prime < 2**63 else residues.astype(np.uint64)
    return residues, nmod_matrix(residues, prime)


def certified_rank(A: Any, prime: int = PRIME, executor: Any = None) -> RankCertificate:
    """Compute the exact rank over Q of a rational matrix, with how it was proven.

    A rank mod ``prime`` bounds it from below; a full rank there, a certificate
    A = A[:, C] · A[R, C]^{-1} · A[R, :] checked exactly, or FLINT's fraction-free
    elimination closes the gap (see the module docstring).

    Parameters
    ----------
    A : RationalTensor or array_like or sympy.Matrix
        A matrix of exact rationals, as for :func:`rank`.
    prime : int, default 2^61 - 1
        The prime of the modular lower bound.
    executor : object, optional
        Anything with ``submit`` (e.g. a Dask Client) to run the multimodular certificate's
        primes; a process pool over this machine's cores when None.

    Returns
    -------
    RankCertificate
        The rank, with its lower and upper bounds stated.

    Raises
    ------
    SymtdError
        When ``A`` is not an exact matrix or ``prime`` is not a prime below 2^64.

    Examples
    --------
    >>> import symtd
    >>> symtd.certified_rank([[1, 2], [3, 4]])  # full rank mod p: the rank
    RankCertificate(rank=2, lower='rank mod 2305843009213693951 = 2', upper='2×2 matrix')
    >>> symtd.certified_rank([[1, 2, 3], [2, 4, 6], [1, 0, 1]]).rank
    2
    """
    check_prime(prime)
    X = integer_matrix(A)
    m, n = X.shape
    if m == 0 or n == 0 or not X.any():
        return RankCertificate(0, "trivial", "zero matrix")
    residues, Ap = mod_matrix(X, prime)
    r = Ap.rank()
    lower = f"rank mod {prime} = {r}"
    if r == min(m, n):
        return RankCertificate(r, lower, f"{m}×{n} matrix")
    X = distinct_lines(distinct_lines(X).T).T
    m, n = X.shape
    if r == min(m, n):
        return RankCertificate(
            r, lower, f"{m}×{n} matrix of its distinct non-zero rows and columns"
        )
    residues, Ap = mod_matrix(X, prime)
    rows, cols = pivots(Ap, residues, r, prime)
    if rows is not None and cols is not None and r <= min(m, n) // 8 and _spans(X, rows, cols):
        return RankCertificate(r, lower, f"A = A[:,C]·A[R,C]^-1·A[R,:] exactly, |C| = {r}")
    if rows is not None and cols is not None and m * n >= MULTIMODULAR_SIZE:
        proved, used = certify_rank(X, rows, cols, executor)
        if proved:
            return RankCertificate(
                r,
                lower,
                f"every bordered (r+1)-minor is 0: divisible by {used} primes whose "
                f"product exceeds Hadamard's bound",
            )
    return RankCertificate(_fmpz(X).rank(), "fraction-free elimination over Z", "the same")


def distinct_lines(X: np.ndarray) -> np.ndarray:
    """The distinct non-zero rows of X (same rank over Q and mod p), in first-seen order."""
    if X.dtype != object:
        nonzero = X[X.any(axis=1)]
        if len(nonzero) == 0:
            return X[:1]
        _, first = np.unique(nonzero, axis=0, return_index=True)
        return nonzero[np.sort(first)]
    seen: dict[tuple[Any, ...], int] = {}
    for i, row in enumerate(X.tolist()):
        if any(row):
            seen.setdefault(tuple(row), i)
    return X[sorted(seen.values())] if seen else X[:1]


def _fmpz(X: np.ndarray) -> Any:
    from flint import fmpz_mat

    return fmpz_mat(X.shape[0], X.shape[1], X.ravel().tolist())


def _spans(X: np.ndarray, rows: list[int], cols: list[int]) -> bool:
    """Exactly: A == A[:, C] · A[R, C]^{-1} · A[R, :] (so rank A <= |C|)."""
    try:
        numer, denom = _fmpz(X[np.ix_(rows, cols)]).solve(_fmpz(X[rows])).numer_denom()
    except ZeroDivisionError:
        return False
    return _fmpz(X[:, cols]) * numer == _fmpz(X) * denom


def pivots(
    Ap: Any, residues: np.ndarray, r: int, prime: int, seed: int = 0
) -> tuple[list[int] | None, list[int] | None]:
    """Rows R and columns C (r each) with A[R, C] invertible mod p, or (None, None)."""
    from flint import nmod_mat

    m, n = residues.shape
    rng = random.Random(seed)
    sketch_rows = min(m, r + 8)
    S = nmod_mat(sketch_rows, m, [rng.randrange(prime) for _ in range(sketch_rows * m)], prime)
    cols = _pivot_columns(S * Ap, r)
    if cols is None:
        return None, None
    AC_T = nmod_mat(r, m, residues[:, cols].T.ravel().tolist(), prime)
    rows = _pivot_columns(AC_T, r)
    return (rows, cols) if rows is not None else (None, None)


def _pivot_columns(M: Any, r: int) -> list[int] | None:
    """The first r pivot columns of M's reduced row echelon form, if it has rank r."""
    R, rank_ = M.rref()
    if rank_ != r:
        return None
    entries = np.array([int(x) for x in R.entries()], dtype=object).reshape(R.nrows(), R.ncols())[
        :r
    ]
    return [int(np.flatnonzero(row)[0]) for row in entries]


def symbolic_rank(A: Any, seed: int = 0) -> int:
    """Compute the exact rank over Q(weights) of a matrix of polynomials in the weights.

    The entries become FLINT polynomials (``fmpq_mpoly``). First the rank at one random
    rational point (exact over Q): if it is full, so is the rank over Q(weights) (a minor
    that is non-zero at a point is a non-zero polynomial). Otherwise fraction-free
    elimination (Bareiss) over Q[weights] decides: each pivot is a polynomial tested
    non-zero exactly, each division is exact, and the rank is the number of pivots.

    Parameters
    ----------
    A : PolynomialTensor or sympy.Matrix or array_like
        A :class:`~symtd.algebra.polynomial.PolynomialTensor` of order 2 (a matricized
        symbolic grid tensor), a sympy Matrix, or a nested list / object array of sympy
        polynomials.
    seed : int, default 0
        Seed of the random rational point.

    Returns
    -------
    int
        The rank over the field of rational functions in the weights.

    Raises
    ------
    SymtdError
        When ``A`` is not a matrix or holds non-polynomial entries (Max, Piecewise) or floats.

    Examples
    --------
    >>> import sympy, symtd
    >>> a, b = sympy.symbols("a b")
    >>> symtd.symbolic_rank(sympy.Matrix([[a, b], [a**2, a*b]]))  # row 2 = a · row 1
    1
    >>> cp = symtd.shallow(4, 2, 2)  # a CP decomposition with Z = 2 terms
    >>> symtd.symbolic_rank(symtd.matricize(symtd.grid_tensor(cp), (0, 1)))
    2
    """
    if isinstance(A, PolynomialTensor):
        if A.ndim != 2:
            raise SymtdError(f"symbolic_rank needs a matrix, got {A.ndim} dimensions")
        polys, ring = A.polys, A.ring
    else:
        polys, ring = _polynomial_matrix(A)
    m, n = polys.shape
    if m == 0 or n == 0:
        return 0
    from flint import fmpq

    rng = random.Random(seed)
    point = [fmpq(rng.randint(-(10**6), 10**6)) for _ in ring.names]
    at_point = np.empty((m, n), dtype=object)
    for (i, j), p in np.ndenumerate(polys):
        v = p(*point) if ring.names else p.leading_coefficient() if not p.is_zero() else fmpq(0)
        at_point[i, j] = Fraction(int(v.p), int(v.q))
    if rank(at_point) == min(m, n):
        return min(m, n)
    return _bareiss_rank([list(row) for row in polys])


def _bareiss_rank(rows: list[list[Any]]) -> int:
    """Number of pivots of fraction-free elimination over an integral domain (exact division)."""
    m, n = len(rows), len(rows[0])
    r, previous = 0, None
    for c in range(n):
        candidates = [i for i in range(r, m) if not rows[i][c].is_zero()]
        if not candidates:
            continue
        pivot = min(candidates, key=lambda i: len(rows[i][c]))  # the smallest polynomial
        rows[r], rows[pivot] = rows[pivot], rows[r]
        p = rows[r]
        for i in range(r + 1, m):
            q = rows[i][c]
            for j in range(c + 1, n):
                value = p[c] * rows[i][j] - q * p[j]
                rows[i][j] = value if previous is None else value / previous  # exact
            rows[i][c] = q - q
        previous, r = p[c], r + 1
    return r


def _polynomial_matrix(A: Any) -> tuple[np.ndarray, Ring]:
    """(object array of FLINT polynomials, Ring) from a sympy Matrix or nested lists."""
    import sympy

    M = sympy.Matrix(A.tolist() if hasattr(A, "tolist") else A)
    if any(e.has(sympy.Float) for e in M):
        raise SymtdError("matrix holds floats; exact ranks need exact rationals")
    symbols = sorted(M.free_symbols, key=str)
    if any(not e.is_polynomial(*symbols) for e in M):
        raise SymtdError(
            "symbolic_rank needs polynomial entries; Max/Piecewise entries have no rank "
            "over Q(weights) (use separation_rank for proven bounds)"
        )
    ring = Ring([str(s) for s in symbols])
    polys = np.empty(M.shape, dtype=object)
    for i in range(M.rows):
        for j in range(M.cols):
            e = M[i, j]
            polys[i, j] = ring.constant(as_fraction(e)) if e.is_Rational else ring.element(e)
    return polys, ring
