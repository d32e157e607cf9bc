"""Grid tensors: forward path == decomposition path == a plain per-tuple evaluation."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from support import circuits, evaluate_at, random_circuit, random_geometry_circuits

import symtd
from symtd.tensors.grid import grid_tensor


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(circuits())
def test_forward_equals_decomposition_equals_reference(circuit):
    forward = grid_tensor(circuit)
    assert forward == grid_tensor(circuit, method="decomposition")
    for d in itertools.islice(itertools.product(range(circuit.M), repeat=circuit.N), 0, None, 7):
        assert forward[d] == evaluate_at(circuit, d)


@settings(max_examples=60, deadline=None)
@given(random_geometry_circuits())
def test_paths_agree_on_random_geometries(circuit):
    forward = grid_tensor(circuit)
    assert forward == grid_tensor(circuit, method="decomposition")
    d = tuple((3 * i + 1) % circuit.M for i in range(circuit.N))
    assert forward[d] == evaluate_at(circuit, d)


def test_mixed_huge_denominators_with_a_zero_child():
    c = symtd.shallow(
        2, 1, 1, "max", weights={"layer0": [[[0]], [[Fraction(1, 2**70)]]], "output": [1]}
    )
    G = grid_tensor(c)
    assert G[0, 0] == Fraction(1, 2**70) == grid_tensor(c, method="decomposition")[0, 0]


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(circuits())
def test_float_path_agrees_with_exact(circuit):
    exact = grid_tensor(circuit).to_float()
    assert np.allclose(grid_tensor(circuit, arithmetic="float"), exact, rtol=1e-9, atol=1e-9)
    assert np.allclose(grid_tensor(circuit, method="decomposition", arithmetic="float"), exact)


@pytest.mark.parametrize("operator", ["product", "max", "sum", "avg"])
def test_int64_overflow_is_detected_not_wrapped(operator):
    c = random_circuit("deep8", 3, operator, False, seed=1, low=10**6, high=10**7)
    G = grid_tensor(c)
    assert G == grid_tensor(c, method="decomposition")
    d = (0, 1, 2, 0, 1, 2, 0, 1)
    assert G[d] == evaluate_at(c, d)
    if operator == "product":
        assert abs(G[d]) > 2**63  # the exact value really leaves int64


def test_symbolic_deep_product_matches_numeric_after_substitution():
    c = symtd.deep(4, 2, [2, 2], "product")
    S = grid_tensor(c)
    point = c.random_point(seed=5)
    numeric = grid_tensor(c.subs(point))
    subs = {s: sympy.Rational(v.numerator, v.denominator) for s, v in point.items()}
    for d in itertools.product(range(2), repeat=4):
        assert S[d].xreplace(subs) == numeric[d]
    assert S[0, 0, 0, 0].is_polynomial()


@pytest.mark.slow
@pytest.mark.parametrize("operator", ["max", "sum", "avg"])
def test_symbolic_relu_operators_match_numeric(operator):
    c = symtd.deep(4, 2, [1, 2], operator)
    S, S2 = grid_tensor(c), grid_tensor(c, method="decomposition")
    point = c.random_point(seed=2, bound=9)
    numeric = grid_tensor(c.subs(point))
    subs = {s: sympy.Rational(v.numerator) for s, v in point.items()}
    for d in itertools.product(range(2), repeat=4):
        assert S[d].xreplace(subs) == numeric[d] == S2[d].xreplace(subs)
    assert S[1, 0, 1, 0].has(sympy.Max)


def test_hand_computed_shallow_product():
    # one term: G = λ (F a) ⊗ (F b); F = [[1, 0], [1/2, 1]], a = (1, 2), b = (3, -1), λ = 2
    c = symtd.shallow(
        2,
        2,
        1,
        "product",
        F=[[1, 0], ["1/2", 1]],
        weights={"layer0": [[[1, 2]], [[3, -1]]], "output": [2]},
    )
    u, v = [1, Fraction(5, 2)], [3, Fraction(1, 2)]
    G = grid_tensor(c)
    assert [[G[i, j] for j in range(2)] for i in range(2)] == [[2 * x * y for y in v] for x in u]


@pytest.mark.parametrize("geometry", ["deep4", "mirror4", "windows3"])
def test_coefficient_tensor_identity(geometry):
    c = random_circuit(geometry, 3, "product", False, seed=3, identity_F=False)
    A = symtd.coefficient_tensor(c)
    assert symtd.grid_from_coefficients(A, c.F) == grid_tensor(c)
    identity = random_circuit(geometry, 3, "product", False, seed=3)
    assert symtd.coefficient_tensor(identity) == grid_tensor(identity)


def test_cp_to_tensor_is_sum_of_generalized_outer_products():
    rng = np.random.default_rng(0)
    factors = [rng.integers(-3, 4, (2, 3)).astype(object) for _ in range(3)]
    lam = np.array([1, -2, 3], dtype=object)
    for op in ["product", "max", "sum"]:
        cp = symtd.CPTensor(lam, tuple(factors), symtd.get_operator(op))
        expected = sum(
            lam[z]
            * symtd.generalized_outer(
                symtd.generalized_outer(factors[0][:, z], factors[1][:, z], op),
                factors[2][:, z],
                op,
            )
            for z in range(3)
        )
        assert np.array_equal(symtd.cp_to_tensor(cp), expected)
    with pytest.raises(symtd.SymtdError, match="CP factor 1"):
        symtd.validate_cp_tensor(symtd.CPTensor(lam, (factors[0], factors[1][:, :2])))


def test_memory_estimate_refuses_before_computing():
    c = symtd.deep(32, 2, [1] * 5, "max")
    with pytest.raises(symtd.SymtdError, match=r"4,294,967,296 entries\) needs about .* refused"):
        grid_tensor(c.subs(c.random_point()), max_bytes=2**30)


def test_memory_refusal_for_astronomical_sizes():
    c = symtd.shallow(1100, 2, 1, "max")
    with pytest.raises(symtd.SymtdError, match=r"2\^1100 entries\) needs about 2\^\d+ B"):
        grid_tensor(c.subs(c.random_point()))


def test_validate_cp_rank_tensorly_convention():
    assert symtd.validate_cp_rank((4, 4, 4), "same") == 5  # 64 / 12 = 5.33 -> 5
    assert symtd.validate_cp_rank((4, 4, 4), 0.5, rounding="ceil") == 3
    assert symtd.validate_cp_rank((4, 4, 4), 7) == 7
    with pytest.raises(symtd.SymtdError):
        symtd.validate_cp_rank((4, 4), 0)


def test_symbols_need_symbolic_arithmetic():
    with pytest.raises(symtd.SymtdError, match="needs concrete weights"):
        grid_tensor(symtd.shallow(2, 2, 1), arithmetic="exact")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(10**30), 10**30), min_size=1, max_size=20), st.integers(1, 10**25))
def test_rational_strings_are_lowest_terms(numerators, denominator):
    from symtd.algebra.rational import RationalTensor, format_rational

    T = RationalTensor(np.array(numerators, dtype=object), denominator)
    assert T.to_strings() == [format_rational(Fraction(x, denominator)) for x in numerators]
    small = [x % 1000 - 500 for x in numerators]
    T = RationalTensor(np.array(small, dtype=np.int64), 360)
    assert T.to_strings() == [format_rational(Fraction(x, 360)) for x in small]


def test_an_all_zero_grid_with_a_huge_denominator():
    c = symtd.circuit(
        [(1, [("x0", "A"), ("x1", "B")])],
        1,
        "product",
        output="out",
        weights={"A": [["1/10000000000"]], "B": [["1/10000000000"]], "out": [0]},
    )
    G = grid_tensor(c)
    assert G.to_strings() == ["0"] and G == grid_tensor(c, method="decomposition")
