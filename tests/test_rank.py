"""Matricization conventions and exact ranks, checked against the theory and against sympy."""

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from support import random_geometry_circuits

import symtd
from symtd.algebra.rank import certified_rank, rank, symbolic_rank
from symtd.circuits.partitions import partition
from symtd.ranks.separation import generic_rank
from symtd.tensors.grid import grid_tensor
from symtd.tensors.matricize import matricize


def test_matricization_convention_on_hand_written_tensor():
    T = np.array([[[100 * i + 10 * j + k for k in range(2)] for j in range(3)] for i in range(2)])
    # rows: mode 0 and 2 (row-major, mode 2 fastest); columns: mode 1
    assert matricize(T, [2, 0]).tolist() == [
        [0, 10, 20],
        [1, 11, 21],
        [100, 110, 120],
        [101, 111, 121],
    ]
    assert matricize(T, []).shape == (1, 12) and matricize(T, [0, 1, 2]).shape == (12, 1)
    assert matricize(T, [1]).tolist()[2] == [20, 21, 120, 121]


def test_named_partitions():
    deep = symtd.deep(8, 2, 1)
    assert partition("odd-even", deep) == (0, 2, 4, 6)
    assert partition("low-high", 5) == (0, 1)
    assert partition("root", deep) == (0, 1, 2, 3)
    assert partition("root", symtd.shallow(3, 2, 1)) == (0,)
    mirror = symtd.tree([[[0, 3], [1, 2]], [[1, 0]]], 2, [1, 1])
    assert partition("root", mirror) == (1, 2)
    assert partition("I=", 4) == () and partition("I=3,1", 4) == (1, 3)
    for bad in ["I=0,0", "I=4", "I=a", "evens", "I=-1"]:
        with pytest.raises(symtd.SymtdError):
            partition(bad, 4)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.integers(0, 4), st.integers(0, 10**6))
def test_exact_rank_agrees_with_sympy_on_rationals(m, n, r, seed):
    rng = np.random.default_rng(seed)
    A = (
        (rng.integers(-3, 4, (m, r)) @ rng.integers(-3, 4, (r, n))).astype(object) * Fraction(1, 3)
        if r
        else np.zeros((m, n), dtype=object)
    )
    assert rank(A) == sympy.Matrix(A.tolist()).rank()


def test_low_rank_certificate_path():
    rng = np.random.default_rng(1)
    A = rng.integers(-50, 50, (200, 17)) @ rng.integers(-50, 50, (17, 300))
    cert = certified_rank(A)
    assert cert.rank == 17 and "exactly" in cert.upper
    A[5, 7] += 1  # one changed entry raises the rank by one
    assert rank(A) == 18


def test_duplicate_rows_and_columns_do_not_change_rank():
    rng = np.random.default_rng(2)
    U = np.vstack([np.eye(30, dtype=int), rng.integers(-9, 9, (10, 30))])  # 40 × 30, rank 30
    V = np.hstack([np.eye(30, dtype=int), rng.integers(-9, 9, (30, 20))])  # 30 × 50, rank 30
    rows, cols = (
        np.r_[np.arange(40), rng.integers(0, 40, 80)],
        np.r_[np.arange(50), rng.integers(0, 50, 100)],
    )
    A = (U @ V)[rows][:, cols]  # 120 × 150, rank 30
    A = np.vstack([A, np.zeros((3, 150), dtype=int)])
    assert rank(A) == 30
    assert certified_rank(A.astype(object) * 2**70).rank == 30
    A[-1, 0] = 1  # a new direction
    assert rank(A) == 31


def test_rank_with_huge_entries_is_exact():
    big = 2**200
    A = np.array([[big, big + 1], [big - 1, big]], dtype=object)  # det = 1
    assert rank(A) == 2
    assert rank(np.array([[big, 2 * big], [3, 6]], dtype=object)) == 1


def test_rank_refuses_inexact_and_symbolic_input():
    with pytest.raises(symtd.SymtdError, match="float"):
        rank(np.eye(3))
    with pytest.raises(symtd.SymtdError, match="symbolic"):
        rank(sympy.Matrix([[sympy.Symbol("x"), 1], [1, 1]]))


@pytest.mark.parametrize("Z", [1, 2, 3, 4])
def test_cp_rank_equals_Z_generically(Z):
    c = symtd.shallow(4, 2, Z, "product")
    report = generic_rank(c, partition("odd-even", c))
    assert report.upper == Z and report.lower == Z and report.determined


@pytest.mark.parametrize("N,M,r", [(4, 2, 2), (8, 2, 2), (4, 3, 3)])
def test_deep_product_odd_even_rank(N, M, r):
    c = symtd.deep(N, M, r, "product")
    report = generic_rank(c, partition("odd-even", c))
    assert report.lower == report.upper == min(r, M) ** (N // 2)
    assert "min-cut" in report.upper_reason


def test_deep_product_narrow_first_layer_bound():
    c = symtd.deep(4, 3, [2, 3], "product")
    assert generic_rank(c, (0, 2)).lower == 4  # min(r_0, M)^(N/2) = 2^2 < M^2 = 9


@pytest.mark.parametrize("operator", ["sum", "avg"])
@pytest.mark.parametrize("seed", range(4))
def test_sum_avg_root_split_rank_at_most_two(operator, seed):
    c = symtd.deep(8, 3, 3, operator)
    report = generic_rank(c, partition("root", c), seed=seed)
    assert report.upper == 2 and report.lower <= 2
    assert not report.determined and "not a generic rank" in str(report)
    shallow = symtd.shallow(4, 3, 5, operator)
    assert generic_rank(shallow, (0, 2), seed=seed).lower <= 2


def test_symbolic_rank_is_exact_over_rational_functions():
    x, y = sympy.symbols("x y")
    assert symbolic_rank(sympy.Matrix([[x, y], [x**2, x * y]])) == 1
    assert symbolic_rank(sympy.Matrix([[x, y], [y, x]])) == 2
    # a rank-deficient matrix that a single unlucky point could not reveal as deficient
    assert symbolic_rank(sympy.Matrix([[x, y, x + y], [y, x, x + y], [1, 1, 2]])) == 2
    G = grid_tensor(symtd.deep(4, 2, [1, 1], "product"))
    assert symbolic_rank(matricize(G, (0, 2))) == 1
    G = grid_tensor(symtd.deep(4, 2, [2, 2], "product"))
    assert symbolic_rank(matricize(G, (0, 2))) == 4
    with pytest.raises(symtd.SymtdError, match="polynomial"):
        symbolic_rank(sympy.Matrix([[sympy.Max(x, 0)]]))


def test_symbolic_rank_with_fractional_coefficients():
    x = sympy.Symbol("x")
    half = sympy.Rational(1, 2)
    assert symbolic_rank(sympy.Matrix([[half, 1], [1, 2]])) == 1
    assert symbolic_rank(sympy.Matrix([[x / 2, half], [x, 1]])) == 1
    assert not symtd.is_covering(np.array([[x / 2, half], [x, 1]], dtype=object))
    c = symtd.deep(4, 2, [1, 1], "product", F=[[Fraction(1, 2), 0], [0, Fraction(1, 3)]])
    assert symbolic_rank(matricize(grid_tensor(c), (0, 2))) == 1
    with pytest.raises(symtd.SymtdError, match="float"):
        symtd.is_covering(np.array([[0.5, 1.0], [1.0, 2.0]]))


@pytest.mark.parametrize("operator", ["product", "max", "sum", "avg"])
@pytest.mark.parametrize("I", [(), (0, 1, 2)])
def test_bounds_hold_for_empty_and_full_partitions(operator, I):
    c = symtd.shallow(3, 2, 2, operator)
    report = generic_rank(c, I)
    assert report.lower == report.upper == 1


def test_symbolic_rank_when_the_modular_rank_drops():
    x = sympy.Symbol("x")
    p = 2**61 - 1
    assert symbolic_rank(sympy.Matrix([[p, 0], [0, 0]])) == 1
    assert symbolic_rank(sympy.Matrix([[p * x, p], [0, 0], [0, 0]])) == 1


def test_non_prime_modulus_refused():
    with pytest.raises(symtd.SymtdError, match="prime"):
        certified_rank(np.eye(2, dtype=int), prime=4)


def test_unsigned_matrices_are_not_wrapped():
    A = np.array([[2**64 - 1, 1], [1, 2**64 - 1]], dtype=np.uint64)
    assert rank(A) == 2


def test_t5_witness_odd_even_is_identity():
    # the T5 witness, M = 2, N = 4: layer 0 channels 1 - [d = m] and all-ones
    M = 2
    layer0 = [
        [[0 if d == m else 1 for d in range(M)] for m in range(M)] + [[1] * M] for _ in range(4)
    ]
    # pooled channel m: 1 - [d=m][d'=m]; conv: 1 - [d = d'] = sum_m (1 - [d=m][d'=m]) - (M - 1)·1
    layer1 = [[[1] * M + [-(M - 1)], [0] * M + [1]] for _ in range(2)]
    c = symtd.deep(
        4, M, [M + 1, 2], "max", weights={"layer0": layer0, "layer1": layer1, "output": [-1, 1]}
    )
    G = grid_tensor(c)
    assert np.array_equal(matricize(G, (0, 2)).numerator, np.eye(4, dtype=int))
    assert rank(matricize(G, (0, 2))) == M**2


@settings(max_examples=40, deadline=None)
@given(random_geometry_circuits())
def test_modular_grid_is_a_multiple_of_the_exact_numerators(circuit):
    from symtd.algebra.rank import SMALL_PRIME as p
    from symtd.tensors.grid import grid_numerators_mod

    circuit = symtd.tree(
        circuit.levels,
        circuit.M,
        circuit.widths,
        "product",
        shared=circuit.shared,
        F=circuit.F,
        weights=circuit.weight_blocks(),
    )
    exact = grid_tensor(circuit).numerator.astype(object) % p
    residues = grid_numerators_mod(circuit, p).astype(object)
    nonzero = np.flatnonzero(exact)
    if len(nonzero) == 0:
        assert not residues.any()
        return
    e = nonzero[0]
    scale = int(residues.flat[e]) * pow(int(exact.flat[e]), -1, p) % p
    assert scale != 0 and ((exact * scale - residues) % p == 0).all()


@pytest.mark.parametrize("operator", ["product", "max"])
def test_matricization_rank_matches_exact_path(operator):
    from symtd.ranks.matricization import matricization_rank

    for seed in range(3):
        c = symtd.deep(8, 2, 2, operator)
        c = c.subs(c.random_point(seed))
        for I in [(0, 2, 4, 6), (0, 1, 2, 3), (0,)]:
            assert matricization_rank(c, I) == rank(matricize(grid_tensor(c), I))
    degenerate = symtd.deep(4, 2, [1, 1], "product")  # rank 1: not full, exact path decides
    assert matricization_rank(degenerate.subs(degenerate.random_point()), (0, 2)) == 1


def test_modular_grid_with_wide_fan_in():
    from symtd.algebra.rank import SMALL_PRIME as p
    from symtd.tensors.grid import grid_numerators_mod

    c = symtd.shallow(2, 2, 200, "product")  # fan-in 200 at the output: chunked sums
    c = c.subs(c.random_point(1))
    exact = grid_tensor(c)
    assert exact.denominator == 1
    assert (grid_numerators_mod(c, p) == exact.numerator.astype(object) % p).all()
