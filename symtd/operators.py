"""Activation-pooling operators ρ(c_1..c_k) = P(σ(c_1), ..., σ(c_k)) (SPEC §3).

For product, max and sum, ρ is the left fold of a commutative, associative binary
operator g(a, b) = P(σ(a), σ(b)); avg is sum followed by the window's factor 1/k.
Operators act elementwise on numpy arrays of any element kind symtd uses: float64,
exact integers, Fractions, sympy expressions and sympy polynomial-ring elements.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from fractions import Fraction
from functools import reduce
from typing import Callable

import numpy as np

from .errors import SymtdError


def _is_symbolic(x):
    sympy = sys.modules.get("sympy")  # no sympy loaded => no sympy objects exist
    return sympy is not None and isinstance(x, sympy.Basic) and not x.is_Number


def _max_scalar(a, b):
    if _is_symbolic(a) or _is_symbolic(b):
        import sympy
        return sympy.Max(a, b)
    return a if a >= b else b


_max_objects = np.frompyfunc(_max_scalar, 2, 1)


def maximum(a, b):
    """Elementwise max, symbolic (sympy Max) where the entries are symbolic."""
    if a.dtype == object or b.dtype == object:
        return _max_objects(a, b)
    return np.maximum(a, b)


def relu(a):
    """Elementwise max(a, 0)."""
    return maximum(a, np.zeros((), dtype=a.dtype) if a.dtype != object else np.array(0, dtype=object))


@dataclass(frozen=True)
class Operator:
    """An activation-pooling operator.

    ``g`` is the binary operator on arrays; ``mean`` marks avg (ρ = (1/k)·fold of g);
    ``sigma``/``pool`` are sympy Lambdas for user-defined operators (None for built-ins).
    ``positively_homogeneous``: g(c·a, c·b) = c·g(a, b) for c > 0 (max, sum, avg).
    """

    name: str
    g: Callable
    mean: bool = False
    positively_homogeneous: bool = False
    latex_name: str = ""
    sigma: object = None
    pool: object = None

    def __call__(self, *children):
        """ρ(c_1, ..., c_k) on broadcastable arrays."""
        return self.scale(reduce(self.g, children), len(children))

    def scale(self, value, k):
        """The window factor: value · (1/k) for avg, value unchanged otherwise."""
        return value * _reciprocal(k, value) if self.mean else value

    def __repr__(self):
        return f"Operator({self.name!r})"


def _reciprocal(k, like):
    if like.dtype.kind == "f":
        return 1.0 / k
    sympy = sys.modules.get("sympy")
    if sympy is not None and like.dtype == object and any(isinstance(x, sympy.Basic) for x in like.flat):
        return sympy.Rational(1, k)
    return Fraction(1, k)


def _product(a, b):
    return a * b


def _max(a, b):
    return relu(maximum(a, b))


def _sum(a, b):
    return relu(a) + relu(b)


PRODUCT = Operator("product", _product, latex_name=r"\otimes")
MAX = Operator("max", _max, positively_homogeneous=True, latex_name=r"\otimes_{\max}")
SUM = Operator("sum", _sum, positively_homogeneous=True, latex_name=r"\otimes_{\mathrm{sum}}")
AVG = Operator("avg", _sum, mean=True, positively_homogeneous=True,
               latex_name=r"\otimes_{\mathrm{avg}}")

BUILTIN = {op.name: op for op in (PRODUCT, MAX, SUM, AVG)}


def get_operator(name_or_operator):
    """The built-in operator of that name (an Operator is returned as is)."""
    if isinstance(name_or_operator, Operator):
        return name_or_operator
    try:
        return BUILTIN[name_or_operator]
    except (KeyError, TypeError):
        raise SymtdError(f"unknown operator {name_or_operator!r}; expected one of "
                         f"{', '.join(BUILTIN)} (or a custom_operator)") from None


def custom_operator(name, sigma, pool):
    """A user-defined operator from activation σ and binary pooling P (sympy Lambdas).

    Accepted only when, for all real a, b, c, g(a, b) = P(σ(a), σ(b)) is provably
    commutative and associative and σ(g(a, b)) = g(a, b) (SPEC §3). A rational
    counterexample refutes a property; a property that is neither refuted nor proved
    (by exact simplification, piece by piece for piecewise expressions) is refused.
    """
    import sympy

    if name in BUILTIN:
        raise SymtdError(f"custom operator name {name!r} is taken by a built-in operator")
    sigma, pool = _lambda(sigma, 1, "sigma"), _lambda(pool, 2, "pool")
    a, b, c = sympy.symbols("a b c", real=True)
    g = sympy.Lambda((a, b), pool(sigma(a), sigma(b)))
    if g.expr.has(sympy.Float):
        raise SymtdError(f"operator {name!r} refused: g(a, b) = {g.expr} holds a float; use exact rationals")
    for x in _PROBES:
        for y in _PROBES:
            value = g(_rational(x), _rational(y))
            if not value.is_Rational:
                raise SymtdError(f"operator {name!r} refused: g({x}, {y}) = {value} is not a finite "
                                 f"exact real, so g is not defined for all real arguments")
    claims = {
        "commutative": (g(a, b), g(b, a)),
        "associative": (g(g(a, b), c), g(a, g(b, c))),
        "sigma leaves pooled values unchanged": (sigma(g(a, b)), g(a, b)),
    }
    for claim, (lhs, rhs) in claims.items():
        counterexample = _rational_counterexample(lhs - rhs, (a, b, c))
        if counterexample is not None:
            raise SymtdError(f"operator {name!r} refused: g is not {claim} "
                             f"(counterexample {counterexample})")
        if not _identically_zero(lhs - rhs):
            raise SymtdError(f"operator {name!r} refused: could not prove exactly that g is {claim}")
    g_float = sympy.lambdify((a, b), g(a, b), modules="numpy")
    g_exact = np.frompyfunc(lambda x, y: _exact(g(sympy.sympify(x), sympy.sympify(y))), 2, 1)

    def g_array(x, y):
        if x.dtype.kind == "f" or y.dtype.kind == "f":
            return np.asarray(g_float(x, y), dtype=float)
        return g_exact(np.asarray(x, dtype=object), np.asarray(y, dtype=object))

    return Operator(name, g_array, latex_name=rf"\otimes_{{{name}}}", sigma=sigma, pool=pool)


def _exact(value):
    """A sympy Rational back to Fraction (symbolic values stay sympy)."""
    return Fraction(int(value.p), int(value.q)) if value.is_Rational else value


def _lambda(f, arity, what):
    import sympy

    if isinstance(f, sympy.Lambda):
        if len(f.variables) != arity:
            raise SymtdError(f"{what} must take {arity} argument(s), got {len(f.variables)}")
        return f
    try:
        args = sympy.symbols(f"x0:{arity}", real=True)
        return sympy.Lambda(args, f(*args))
    except Exception as exc:  # a user callable that fails on symbols
        raise SymtdError(f"{what} could not be applied to sympy symbols: {exc}") from None


_PROBES = (-3, -1, 0, Fraction(1, 2), 1, 2, 5)


def _rational_counterexample(expr, symbols):
    import itertools

    for values in itertools.product(_PROBES, repeat=len(symbols)):
        point = {s: _rational(v) for s, v in zip(symbols, values)}
        value = expr.subs(point)
        if value.is_number and value.is_zero is False:
            return {str(s): str(v) for s, v in point.items()}
    return None


def _rational(v):
    import sympy
    v = Fraction(v)
    return sympy.Rational(v.numerator, v.denominator)


def _identically_zero(expr):
    """Exact proof that expr ≡ 0 over the reals (False means: not proved)."""
    import sympy

    expr = sympy.simplify(expr)
    if expr == 0:
        return True
    folded = sympy.piecewise_fold(expr.rewrite(sympy.Piecewise))
    pieces = folded.args if isinstance(folded, sympy.Piecewise) else [(folded, True)]
    for piece, condition in pieces:
        if condition is sympy.false:
            continue
        if sympy.expand(sympy.simplify(piece)) != 0:
            return False
    return True
