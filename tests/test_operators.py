"""Operators, custom operator checks, templates and covering."""

from fractions import Fraction

import numpy as np
import pytest
import sympy

import symtd
from symtd.circuits.operators import custom_operator
from symtd.tensors.grid import grid_tensor


def test_builtin_operators_on_numbers():
    a, b, c = np.array([3, -2, -1]), np.array([-5, -1, 4]), np.array([1, 1, -7])
    assert symtd.MAX(a, b, c).tolist() == [3, 1, 4]
    assert symtd.SUM(a, b, c).tolist() == [4, 1, 4]
    assert symtd.AVG(a.astype(object), b.astype(object)).tolist() == [Fraction(3, 2), 0, 2]
    assert symtd.PRODUCT(a, b, c).tolist() == [-15, 2, 28]


def test_custom_operator_accepted_and_used():
    x = sympy.Symbol("x", real=True)
    op = custom_operator("relumax", sympy.Lambda(x, sympy.Max(x, 0)), lambda u, v: sympy.Max(u, v))
    c = symtd.deep(4, 2, [2, 1], op)
    c = c.subs(c.random_point(seed=3, bound=9))
    as_max = symtd.deep(4, 2, [2, 1], "max", weights=c.weight_blocks())
    assert np.array_equal(
        grid_tensor(c, method="decomposition").to_fractions(), grid_tensor(as_max).to_fractions()
    )
    assert np.allclose(grid_tensor(c, arithmetic="float"), grid_tensor(as_max).to_float())


@pytest.mark.parametrize(
    "sigma,pool,reason",
    [
        (lambda x: x**2, lambda u, v: u + v, "associative"),
        (lambda x: x, lambda u, v: u - v, "commutative"),
        (lambda x: x, lambda u, v: u * v + 1, "associative"),
        (lambda x: sympy.Max(x, 0), lambda u, v: u - v - 5, "commutative"),
    ],
)
def test_custom_operator_refused(sigma, pool, reason):
    with pytest.raises(symtd.SymtdError, match=reason):
        custom_operator("bad", sigma, pool)


def test_custom_operator_sigma_must_fix_pooled_values():
    # g(a, b) = |a| + |b| is commutative and associative on |.|-images only if σ(g) = g:
    # |g| = g holds;
    # σ = -x breaks it: g(a, b) = -a - b, σ(g) = a + b.
    with pytest.raises(symtd.SymtdError, match="sigma leaves pooled values unchanged|associative"):
        custom_operator("neg", lambda x: -x, lambda u, v: u + v)


@pytest.mark.parametrize(
    "pool,reason",
    [
        (lambda u, v: u * v / (u + v), "not a finite exact real|divides by an expression"),
        (lambda u, v: u + v + sympy.Float(1.5), "float"),
    ],
)
def test_custom_operator_must_be_exact_and_total(pool, reason):
    with pytest.raises(symtd.SymtdError, match=reason):
        custom_operator("partial", lambda x: x, pool)


def test_unknown_operator():
    with pytest.raises(symtd.SymtdError, match="unknown operator 'min'"):
        symtd.get_operator("min")


def test_relu_templates_are_covering_and_solve():
    b = [0, 1, 2]
    F = symtd.template_matrix(
        [Fraction(1, 2), Fraction(3, 2), Fraction(5, 2)], symtd.relu_neurons(b)
    )
    assert symtd.is_covering(F)
    assert all(F[i, d] == 0 for i in range(3) for d in range(3) if d > i)  # lower triangular
    v = [1, -2, Fraction(7, 3)]
    a = symtd.leaf_weights(F, v)
    assert (F.dot(a) == np.array(v, dtype=object)).all()


def test_non_covering_templates_refused():
    F = symtd.template_matrix([3, 4, 5], symtd.relu_neurons([0, 1, 2]))  # all neurons linear there
    assert not symtd.is_covering(F)
    with pytest.raises(symtd.SymtdError, match="not covering"):
        symtd.leaf_weights(F, [1, 2, 3])
    with pytest.raises(symtd.SymtdError, match="float"):
        symtd.template_matrix([0.5, 1, 2], symtd.relu_neurons([0, 1, 2]))


def test_templates_feed_grid_tensor():
    F = symtd.template_matrix([1, 2], symtd.relu_neurons([0, 1]))
    c = symtd.shallow(
        2, 2, 1, "product", F=F, weights={"layer0": [[[1, 0]], [[0, 1]]], "output": [1]}
    )
    G = grid_tensor(c)  # G[i, j] = f_1(t_i) · f_2(t_j) with t = (1, 2)
    assert [[G[i, j] for j in range(2)] for i in range(2)] == [[0, 1], [0, 2]]


def test_built_in_names_cannot_be_borrowed():
    from symtd.circuits.operators import Operator

    with pytest.raises(symtd.SymtdError, match="belongs to a built-in operator"):
        Operator("product", lambda a, b: a * b + a + b, lambda a: a)
