"""Representation functions, templates and the matrix F (:doc:`/theory`).

F[i, d] = f_{θ_d}(x^(i)): row i is template i. Templates are *covering* when F is
non-singular; then leaf vectors v = F·a and layer-0 weights a are in bijection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike

from symtd.algebra.rank import rank, symbolic_rank
from symtd.algebra.rational import as_fraction
from symtd.errors import SymtdError


def relu_neurons(
    biases: Sequence[object], slopes: Sequence[object] | None = None
) -> list[Callable[[Fraction], Fraction]]:
    """Make representation functions f_d(x) = max(w_d·x - b_d, 0) as sympy Lambdas.

    Parameters
    ----------
    biases : sequence
        The biases b_d, exact numbers or strings ("3/2").
    slopes : sequence, optional
        The slopes w_d; all 1 when None.

    Returns
    -------
    list of sympy.Lambda
        One function of a real x per bias.

    Examples
    --------
    >>> import symtd
    >>> [str(f(2)) for f in symtd.relu_neurons([0, "3/2"])]  # max(2 - b, 0)
    ['2', '1/2']
    >>> [str(f(1)) for f in symtd.relu_neurons([0, 1], slopes=[2, "1/2"])]  # max(w - b, 0)
    ['2', '0']
    """
    import sympy

    x = sympy.Symbol("x", real=True)
    slopes = slopes if slopes is not None else [1] * len(biases)
    return [
        sympy.Lambda(x, sympy.Max(sympy.nsimplify(w) * x - sympy.nsimplify(b), 0))
        for w, b in zip(slopes, biases)
    ]


def template_matrix(templates: Sequence[object], functions: Sequence[Callable]) -> np.ndarray:
    """Compute the template matrix F[i, d] = f_d(x^(i)) exactly.

    Parameters
    ----------
    templates : sequence
        M points x^(i): exact numbers, or tuples for s > 1 coordinates.
    functions : sequence of callable
        M callables or sympy Lambdas of s real arguments.

    Returns
    -------
    numpy.ndarray
        The M × M object array of Fractions (or sympy expressions where not rational).

    Raises
    ------
    SymtdError
        When there are not as many functions as templates, or a template holds a float.

    Examples
    --------
    >>> import symtd
    >>> F = symtd.template_matrix([1, 2, 3], symtd.relu_neurons([0, "3/2", "5/2"]))
    >>> [[str(x) for x in row] for row in F]  # F[i, d] = max(t_i - b_d, 0)
    [['1', '0', '0'], ['2', '1/2', '0'], ['3', '3/2', '1/2']]
    >>> symtd.is_covering(F)  # lower triangular with a positive diagonal
    True
    >>> [str(x) for x in symtd.leaf_weights(F, [1, 0, 0])]  # a with F·a = v
    ['1', '-4', '6']
    """
    import sympy

    if len(templates) != len(functions):
        raise SymtdError(
            f"{len(templates)} templates but {len(functions)} representation functions; "
            f"F must be square (M × M)"
        )
    M = len(templates)
    F = np.empty((M, M), dtype=object)
    for i, x in enumerate(templates):
        point = [
            sympy.nsimplify(c, rational=True) if isinstance(c, str) else sympy.sympify(c)
            for c in (x if isinstance(x, (tuple, list)) else (x,))
        ]
        if any(c.has(sympy.Float) for c in point):
            raise SymtdError(
                f"template {x!r} holds a float; give exact rationals (ints, Fractions, '1/2')"
            )
        for d, f in enumerate(functions):
            value = sympy.simplify(f(*point))
            F[i, d] = as_fraction(value) if value.is_Rational else value
    return F


def is_covering(F: ArrayLike) -> bool:
    """Decide exactly whether F is non-singular (the templates are covering).

    Parameters
    ----------
    F : array_like
        A square matrix of exact rationals or sympy expressions.

    Returns
    -------
    bool
        rank F == M, over Q (or over Q(symbols) for symbolic F).

    Raises
    ------
    SymtdError
        When F is not square or holds floats.

    Examples
    --------
    >>> import symtd
    >>> symtd.is_covering([[1, 1], [0, 1]]), symtd.is_covering([[1, 1], [1, 1]])
    (True, False)
    """
    F = np.asarray(F, dtype=object)
    if F.ndim != 2 or F.shape[0] != F.shape[1]:
        raise SymtdError(f"F must be square, got shape {F.shape}")
    if any(isinstance(x, (float, np.floating)) or getattr(x, "is_Float", False) for x in F.flat):
        raise SymtdError("F holds floats; covering is decided exactly, so give exact rationals")
    if all(isinstance(x, (int, Fraction)) or getattr(x, "is_Rational", False) for x in F.flat):
        return rank(F) == F.shape[0]
    return symbolic_rank(F) == F.shape[0]


def leaf_weights(F: ArrayLike, v: ArrayLike) -> np.ndarray:
    """Solve F·a = v exactly: the layer-0 weights a of the leaf vectors v.

    Parameters
    ----------
    F : array_like
        A non-singular M × M matrix of exact rationals or sympy expressions.
    v : array_like
        A vector of length M or a matrix with M rows.

    Returns
    -------
    numpy.ndarray
        a = F^-1 v, of v's shape (Fractions where rational).

    Raises
    ------
    SymtdError
        When F is singular (the templates are not covering), not square or holds floats.

    Examples
    --------
    >>> import symtd
    >>> [str(x) for x in symtd.leaf_weights([[1, 1], [0, 1]], [3, 1])]  # a = (2, 1)
    ['2', '1']
    """
    import sympy

    Fs = sympy.Matrix(np.asarray(F, dtype=object).tolist())
    values = np.asarray(v, dtype=object)
    V = sympy.Matrix(values.reshape(values.shape[0], -1).tolist())
    if not is_covering(np.array(Fs.tolist(), dtype=object)):
        raise SymtdError(
            "F is singular: the templates are not covering, so a = F^-1 v does not exist"
        )
    a = Fs.LUsolve(V).applyfunc(sympy.simplify)
    out = np.array([as_fraction(x) if x.is_Rational else x for x in a], dtype=object)
    return out.reshape(values.shape)
