"""Multimodular rank certificates: rank A <= r proved prime by prime, the primes in parallel.

For an integer matrix A and an r × r submatrix A[R, C] that is invertible, Kronecker's
bordering theorem says rank A = r iff every bordered minor det A[R+i, C+j] (i outside R,
j outside C) is zero. Each bordered minor is an integer with ``|det| <= H``, Hadamard's bound
(the product of the Euclidean norms of its rows). Modulo a prime p that does not divide
det A[R, C], the Schur complement S = A[R̄,C̄] − A[R̄,C]·A[R,C]⁻¹·A[R,C̄] satisfies
det A[R,C] · S[i, j] = det A[R+i, C+j], and rank_p A = r + rank_p S; so rank_p A = r
means every bordered minor is divisible by p. When the primes checked multiply to more
than H, every bordered minor is 0, hence rank A <= r. Each prime is an independent task:
they run on a process pool (the cores of this machine) or on any executor with
``submit`` (a Dask ``Client``).
"""

from __future__ import annotations

import ctypes
import functools
import math
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

PRIME_BITS = 64
CHUNK = 8  # primes per task


def hadamard_bits(X: np.ndarray, rows: Iterable[int], cols: Iterable[int]) -> int:
    """An integer >= log2 of every bordered minor ``|det X[R+i, C+j]|`` (Hadamard's bound).

    A bordered minor's row k (k in R or k = i) restricted to C ∪ {j} has squared norm at
    most ``|X[k, C]|² + max_j X[k, j]²`` (j outside C); the product of these norms over R and
    the largest one over i outside R bounds every such determinant. Each norm is rounded
    up to a power of two through bit lengths of exact integers.
    """
    rows, cols = list(rows), list(cols)
    other = [j for j in range(X.shape[1]) if j not in set(cols)]

    def bits(k: int) -> int:
        inside = sum(int(x) ** 2 for x in X[k, cols])
        outside = max((int(x) ** 2 for x in X[k, other]), default=0)
        return ((inside + outside).bit_length() + 1) // 2

    in_rows = set(rows)
    extra = max((bits(i) for i in range(X.shape[0]) if i not in in_rows), default=0)
    return sum(bits(k) for k in rows) + extra + 1


@functools.lru_cache(maxsize=8)
def primes(count: int, below: int = 2**PRIME_BITS) -> tuple[int, ...]:
    """The `count` largest primes below `below` (proven primes: FLINT's is_prime is exact
    below 2^64)."""
    from flint import fmpz

    found: list[int] = []
    n = below - 1
    while len(found) < count:
        if fmpz(n).is_prime():
            found.append(n)
        n -= 2 if n % 2 else 1
    return tuple(found)


def nmod_matrix(residues: ArrayLike, p: int) -> Any:  # a FLINT nmod_mat (flint is lazy)
    """A FLINT ``nmod_mat`` from an integer array of residues in [0, p).

    python-flint builds one Python ``nmod`` per entry (about 0.3 µs each: 5 s for 4096²).
    When the matrix is large and the object's memory holds FLINT 3's ``nmod_mat_struct``
    where expected — the entries pointer followed by rows, columns, stride and modulus,
    all read back and compared with the public ``nrows()``, ``ncols()`` and ``modulus()``
    — the residues are copied straight into FLINT's contiguous entry array; sampled
    entries are then read back through the public API. Anything unexpected takes the
    public constructor.
    """
    from flint import nmod_mat

    residues = np.asarray(residues)
    m, n = residues.shape
    if m * n >= FAST_ENTRIES and residues.dtype.kind in "iu":
        A = nmod_mat(m, n, p)
        pointer = _entries_pointer(A, m, n, p)
        if pointer is not None:
            data = np.ascontiguousarray(residues)
            data = data.view(np.uint64) if data.dtype == np.int64 else data.astype(np.uint64)
            ctypes.memmove(pointer, data.ctypes.data, data.nbytes)
            rng = np.random.default_rng(m * n)
            probes = zip(rng.integers(0, m, 64).tolist(), rng.integers(0, n, 64).tolist())
            if all(int(A[i, j]) == int(data[i, j]) for i, j in [(0, 0), (m - 1, n - 1), *probes]):
                return A
    return nmod_mat(m, n, np.asarray(residues, dtype=object).ravel().tolist(), p)


FAST_ENTRIES = 1 << 16


def _entries_pointer(A: Any, m: int, n: int, p: int) -> int | None:
    """Address of A's entries if its struct reads (entries, m, n, stride n, modulus p) at one
    offset of the object (FLINT 3), else None."""
    if A.nrows() != m or A.ncols() != n or A.modulus() != p or m == 0 or n == 0:
        return None
    found = []
    for offset in (16, 24, 32):
        words = (ctypes.c_uint64 * 5).from_address(id(A) + offset)
        if list(words)[1:] == [m, n, n, p] and words[0]:
            found.append(words[0])
    return found[0] if len(found) == 1 else None


_CACHE: dict[str, list[Any]] = {}  # token -> FLINT fmpz_mat blocks


def _blocks(token: str, X: np.ndarray | None, r: int) -> list[Any]:
    """The blocks X[R,C], X[R,C̄], X[R̄,C], X[R̄,C̄] as FLINT integer matrices (X has R, C
    first), built once per worker process."""
    if token not in _CACHE:
        from flint import fmpz_mat

        if X is None:  # a pool's initializer gives each worker X before its first task
            raise RuntimeError("a worker process was given no matrix for this task")
        matrix = X

        def block(rows: slice, cols: slice) -> Any:
            Y = np.ascontiguousarray(matrix[rows, cols])
            return fmpz_mat(Y.shape[0], Y.shape[1], Y.ravel().tolist())

        _CACHE.clear()
        head, tail = slice(0, r), slice(r, None)
        _CACHE[token] = [block(a, b) for a in (head, tail) for b in (head, tail)]
    return _CACHE[token]


def check_primes(
    token: str, X: np.ndarray | None, r: int, chunk: Sequence[int]
) -> list[tuple[int, bool, bool]]:
    """For each prime p: (p, X[R,C] invertible mod p, Schur complement ≡ 0 mod p)."""
    from flint import nmod_mat

    A11, A12, A21, A22 = _blocks(token, X, r)
    rows_first = A21.nrows() <= A12.ncols()  # solve with the fewer right-hand sides
    out = []
    for p in chunk:
        try:
            if rows_first:  # Y = A21·A11⁻¹, then Y·A12 ≡ A22?
                Y = nmod_mat(A11, p).transpose().solve(nmod_mat(A21, p).transpose()).transpose()
                vanishes = Y * nmod_mat(A12, p) == nmod_mat(A22, p)
            else:  # Y = A11⁻¹·A12, then A21·Y ≡ A22?
                vanishes = nmod_mat(A21, p) * nmod_mat(A11, p).solve(nmod_mat(A12, p)) == nmod_mat(
                    A22, p
                )
        except ZeroDivisionError:  # A11 singular mod p: skip p
            out.append((p, False, False))
            continue
        out.append((p, True, vanishes))
    return out


def _initialize(token: str, X: np.ndarray, r: int) -> None:
    _blocks(token, X, r)


def certify_rank(
    X: np.ndarray,
    rows: Sequence[int],
    cols: Sequence[int],
    executor: Any = None,  # anything with submit(fn, *args) -> a future: a Dask Client
    workers: int | None = None,
) -> tuple[bool, int | str]:
    """(True, number of primes) if rank X = r = ``len(rows)`` is proved; (False, reason) otherwise.

    X: integer ndarray; rows, cols: R and C with X[R, C] meant to be invertible (rank X >= r
    then; a prime where it is invertible proves it). Modulo each prime p: A11 = X[R,C]
    invertible mod p (else p is skipped) and A21·A11⁻¹·A12 ≡ A22, i.e. the Schur complement
    vanishes mod p. The primes are checked in chunks by
    `executor` (anything with ``submit``: a Dask Client), or by a process pool of
    `workers` processes (default: the machine's cores) that receive X once each. A prime
    where the complement is not 0 refutes the claim: then rank_p X > r, so rank X > r.
    """
    r = len(rows)
    if r != len(cols) or r == 0:
        return False, "R and C must have the same positive size"
    other_rows = [i for i in range(X.shape[0]) if i not in set(rows)]
    other_cols = [j for j in range(X.shape[1]) if j not in set(cols)]
    Y = np.ascontiguousarray(X[np.ix_(list(rows) + other_rows, list(cols) + other_cols)])
    if not other_rows or not other_cols:  # no bordered minor: rank <= r;
        from flint import fmpz_mat, nmod_mat  # rank >= r iff A[R,C] is invertible

        head = fmpz_mat(r, r, Y[:r, :r].ravel().tolist())
        if any(nmod_mat(head, p).rank() == r for p in primes(4)):
            return True, 1
        return False, "A[R,C] is singular"
    needed = hadamard_bits(Y, range(r), range(r))
    token = uuid.uuid4().hex
    candidates = primes(needed // (PRIME_BITS - 1) + 8)
    chunks = [candidates[k : k + CHUNK] for k in range(0, len(candidates), CHUNK)]
    own = executor is None
    if own:
        workers = workers or os.cpu_count() or 1
        pool = _Inline if workers == 1 else functools.partial(ProcessPoolExecutor, workers)
        executor = pool(initializer=_initialize, initargs=(token, Y, r))
    try:
        futures = [
            executor.submit(check_primes, token, Y if not own else None, r, chunk)
            for chunk in chunks
        ]
        proved, used = 0.0, 0
        for future in futures:
            for p, invertible, vanishes in future.result():
                if invertible and not vanishes:
                    return False, f"the Schur complement is not 0 mod {p}: rank > {r}"
                if invertible:
                    proved += math.log2(p)
                    used += 1
            if proved > needed:
                return True, used
        return False, f"only {proved:.0f} of {needed} bits of primes usable (A[R,C] singular?)"
    finally:
        if own:
            executor.shutdown(cancel_futures=True)


class _Inline:
    """An executor that runs each task at once in this process."""

    def __init__(
        self, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
    ) -> None:
        if initializer:
            initializer(*initargs)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        value = fn(*args)

        class Done:
            def result(self) -> Any:
                return value

        return Done()

    def shutdown(self, cancel_futures: bool = False) -> None:
        pass
