"""Witness minors: r×r grid submatrices non-singular mod a prime, found without the grid."""

import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import random_dags

import symtd
from symtd.ranks.bounds import upper_bounds
from symtd.ranks.matricization import matricization_rank
from symtd.ranks.witness import Minor, minor_entries, minor_is_nonsingular, witness_minor
from symtd.tensors.grid import grid_batch, submatrix_indices


def exact_det(rows: list[list[Fraction]]) -> Fraction:
    """The determinant by Gaussian elimination over Fractions (independent of symtd)."""
    A = [list(map(Fraction, row)) for row in rows]
    n, det = len(A), Fraction(1)
    for i in range(n):
        pivot = next((k for k in range(i, n) if A[k][i] != 0), None)
        if pivot is None:
            return Fraction(0)
        if pivot != i:
            A[i], A[pivot] = A[pivot], A[i]
            det = -det
        det *= A[i][i]
        for k in range(i + 1, n):
            f = A[k][i] / A[i][i]
            A[k] = [a - f * b for a, b in zip(A[k], A[i])]
    return det


def entries_one_by_one(circuit, I, minor):
    """The minor's entries by symtd.grid_entry, one tuple at a time."""
    J = [k for k in range(circuit.N) if k not in I]
    out = []
    for row in minor.rows:
        line = []
        for col in minor.cols:
            d = [0] * circuit.N
            for position, t in zip(I, row):
                d[position] = t
            for position, t in zip(J, col):
                d[position] = t
            line.append(Fraction(symtd.grid_entry(circuit, d)))
        out.append(line)
    return out


@pytest.mark.parametrize(
    "circuit,I,rank",
    [
        (symtd.deep(8, 2, 2), "odd-even", 16),  # r^(N/2)
        (symtd.deep(8, 3, 2), "low-high", 2),  # r at the root
        (symtd.recurrent(6, 2, 3, shared=False), (0,), 2),  # tensor train: min(bond, M^k)
        (symtd.recurrent(6, 2, 3, shared=False), (0, 1), 3),
        (symtd.shallow(4, 3, 2), (0, 2), 2),  # CP rank <= Z
    ],
)
def test_known_ranks_with_entries_recomputed_and_det_exact(circuit, I, rank):
    net = circuit.at_random_point(seed=1, bound=50)
    I = symtd.partition(I, net)
    minor = witness_minor(net, I, target=rank)
    assert minor.rank == rank and minor.prime is not None
    assert len(set(minor.rows)) == rank and len(set(minor.cols)) == rank
    entries = entries_one_by_one(net, I, minor)
    assert entries == minor_entries(net, I, minor)
    assert exact_det(entries) != 0  # rank >= r over Q, checked with no symtd code
    assert minor_is_nonsingular(net, I, minor)


def test_n64_product_and_tensor_train_sampled():
    deep = symtd.deep(64, 2, 2).at_random_point(0)
    minor = witness_minor(deep, "low-high", target=2)
    assert (
        minor.rank == 2 and not minor.exhaustive and minor_is_nonsingular(deep, "low-high", minor)
    )
    tt = symtd.recurrent(64, 3, 4, shared=False).at_random_point(0)
    I = tuple(range(32))
    minor = witness_minor(tt, I, target=4)
    assert minor.rank == 4 and all(len(t) == 32 for t in minor.rows)
    assert exact_det(minor_entries(tt, I, minor)) != 0


def test_max_circuit_at_n32_is_sampled_exactly():
    net = symtd.deep(32, 2, 2, "max").at_random_point(2, bound=20)
    minor = witness_minor(net, "odd-even", target=8, time_limit=30)
    assert minor.rank >= 1 and minor.prime == symtd.algebra.rank.PRIME
    assert minor_is_nonsingular(net, "odd-even", minor)


def test_a_singular_or_tampered_minor_is_rejected():
    net = symtd.deep(4, 2, 2).at_random_point(3)
    minor = witness_minor(net, "odd-even")
    assert minor_is_nonsingular(net, "odd-even", minor)
    doubled = Minor((minor.rows[0],) * 2, minor.cols[:2], minor.prime)
    assert not minor_is_nonsingular(net, "odd-even", doubled)
    other = net.with_weights(None).at_random_point(4)  # the same tuples elsewhere: still fine
    assert minor_is_nonsingular(other, "odd-even", minor)
    zero = net.with_weights({k: np.zeros_like(v) for k, v in net.blocks.items()})
    assert not minor_is_nonsingular(zero, "odd-even", minor)


def test_time_limit_returns_the_best_so_far():
    net = symtd.deep(32, 2, 2).at_random_point(0)  # odd-even rank 2^16: too large to reach
    minor = witness_minor(net, "odd-even", target=2**16, time_limit=1)
    assert 0 < minor.rank < 2**16 and not minor.exhaustive and "sampled" in minor.how
    s = symtd.separation_rank(symtd.deep(32, 2, 2), "odd-even", points=1, time_limit=1)
    assert not s.reached and not s.certified and s.upper == 2**16
    assert s.note.startswith(f"rank too large to reach: {s.lower} <= rank <= 65536 (min-cut)")


def test_refusals():
    with pytest.raises(symtd.SymtdError, match="concrete"):
        witness_minor(symtd.deep(4, 2, 2), "odd-even")
    with pytest.raises(symtd.SymtdError, match="time limit"):
        witness_minor(symtd.deep(4, 2, 2).at_random_point(0), "odd-even", time_limit=-1)
    with pytest.raises(symtd.SymtdError, match="template indices"):
        grid_batch(symtd.deep(4, 2, 2).at_random_point(0), [np.array([2])] * 4)
    assert witness_minor(symtd.deep(4, 2, 2).at_random_point(0), (0,), target=0).rank == 0


@settings(max_examples=40, deadline=None)
@given(random_dags(max_positions=5, max_nodes=5), st.integers(0, 10**6))
def test_witness_never_exceeds_the_rank_and_equals_it_when_exhaustive(circuit, seed):
    rng = random.Random(seed)
    I = tuple(sorted(rng.sample(range(circuit.N), rng.randint(0, circuit.N))))
    exact = matricization_rank(circuit, I)
    minor = witness_minor(circuit, I, seed=seed)
    assert minor.rank <= exact <= upper_bounds(circuit.with_weights(None), I)[0].value
    if minor.exhaustive:
        assert minor.rank == exact  # rank mod a prime: equal but for a prime dividing minors
    assert minor_is_nonsingular(circuit, I, minor)
    small = witness_minor(circuit, I, target=max(0, exact - 1), seed=seed)
    assert small.rank <= exact


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["product", "max", "sum", "avg"]), st.integers(0, 10**6))
def test_sampled_blocks_agree_with_the_grid(operator, seed):
    """A sampled block (batched forward pass) is the grid's submatrix at the same tuples."""
    rng = np.random.default_rng(seed)
    net = symtd.deep(8, 3, 2, operator).at_random_point(seed, bound=30)
    I = symtd.partition("odd-even", net)
    rows, cols = rng.integers(0, 3, (5, 4)), rng.integers(0, 3, (7, 4))
    block = grid_batch(net, submatrix_indices(8, I, rows, cols))
    A = symtd.matricize(symtd.grid_tensor(net), I)
    r_index = [int(np.ravel_multi_index(tuple(t), (3,) * 4)) for t in rows]
    c_index = [int(np.ravel_multi_index(tuple(t), (3,) * 4)) for t in cols]
    assert block == A[np.ix_(r_index, c_index)]


@pytest.mark.parametrize("operator", ["product", "max"])
@pytest.mark.parametrize("side", ["empty", "full"])
def test_a_trivial_partition_past_the_grid_has_rank_one(operator, side):
    """I = ∅ or I = [N] at N = 32 (no grid): [G]_{I,J} is one row or one column, so
    rank* = 1 for a network that is not identically zero, certified by the sampled path
    (the blocks have a side of length 0 positions: 1 × k or k × 1)."""
    net = symtd.deep(32, 2, 2, operator)
    I = [] if side == "empty" else list(range(32))
    s = symtd.separation_rank(net, I, seed=3)
    assert (s.lower, s.upper) == (1, 1)
    rows = np.zeros((1 if side == "empty" else 2, len(I)), np.int64)  # ∅ has one tuple
    cols = np.zeros((1 if side == "full" else 3, 32 - len(I)), np.int64)
    block = grid_batch(net.at_random_point(1), submatrix_indices(32, I, rows, cols))
    assert block.shape == (len(rows), len(cols))
