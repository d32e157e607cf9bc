"""Activation-pooling operators ρ(c_1..c_k) = P(σ(c_1), ..., σ(c_k)) (:doc:`/theory`).

For product, max and sum, ρ is the left fold of a commutative, associative binary
operator g(a, b) = P(σ(a), σ(b)); avg is sum followed by the window's factor 1/k.
Operators act elementwise on numpy arrays of any element kind symtd uses: float64,
exact integers, Fractions, sympy expressions and sympy polynomial-ring elements.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from fractions import Fraction
from functools import reduce
from typing import Any, Callable

import numpy as np

from symtd.circuits.expressions import (
    MAX_EXPONENT,
    VARIABLE,
    Price,
    check_operator,
    check_price,
    parse_tree,
    price_of,
    sympy_tree,
)
from symtd.errors import SymtdError, escape


def _is_symbolic(x: object) -> bool:
    sympy = sys.modules.get("sympy")  # no sympy loaded => no sympy objects exist
    return sympy is not None and isinstance(x, sympy.Basic) and not x.is_Number


def _max_scalar(a: Any, b: Any) -> Any:  # numbers or sympy expressions
    if _is_symbolic(a) or _is_symbolic(b):
        import sympy

        return sympy.Max(a, b)
    return a if a >= b else b


_max_objects = np.frompyfunc(_max_scalar, 2, 1)


def maximum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise max, symbolic (sympy Max) where the entries are symbolic."""
    if a.dtype == object or b.dtype == object:
        return _max_objects(a, b)
    return np.maximum(a, b)


def relu(a: np.ndarray) -> np.ndarray:
    """Elementwise max(a, 0)."""
    return maximum(
        a, np.zeros((), dtype=a.dtype) if a.dtype != object else np.array(0, dtype=object)
    )


@dataclass(frozen=True, eq=False)
class Operator:
    """An activation-pooling operator ρ(c_1, ..., c_k) = g(...g(c_1, c_2)..., c_k), σ(c) for k = 1.

    Two operators are equal when they have the same name and definition. Use the built-ins
    :data:`PRODUCT`, :data:`MAX`, :data:`SUM`, :data:`AVG` or :func:`custom_operator`.

    Parameters
    ----------
    name : str
        The operator's name (not one of the built-ins' for a new operator).
    g : callable
        The binary operator on broadcastable arrays.
    activation : callable
        σ on arrays (ρ of a single member is σ(c)).
    mean : bool, default False
        Marks avg: ρ = (1/k)·fold of g.
    positively_homogeneous : bool, default False
        g(c·a, c·b) = c·g(a, b) for c > 0 (max, sum, avg).
    latex_name : str, default ""
        LaTeX of ⊗_g.
    sigma : sympy.Lambda, optional
        σ of a user-defined operator (None for built-ins).
    pool : sympy.Lambda, optional
        P of a user-defined operator, g(a, b) = P(σ(a), σ(b)) (None for built-ins).

    Raises
    ------
    SymtdError
        When ``name`` belongs to a built-in operator.

    Examples
    --------
    >>> import numpy as np, symtd
    >>> [op.name for op in (symtd.PRODUCT, symtd.MAX, symtd.SUM, symtd.AVG)]
    ['product', 'max', 'sum', 'avg']
    >>> symtd.MAX.positively_homogeneous, symtd.PRODUCT.positively_homogeneous
    (True, False)
    >>> symtd.AVG(np.array([4, -1]), np.array([2, 6]))  # (relu(a) + relu(b)) / 2, exact
    array([Fraction(3, 1), Fraction(3, 1)], dtype=object)
    >>> symtd.MAX(np.array([-3, 2]))  # one member: ρ(c) = σ(c) = max(c, 0)
    array([0, 2])
    """

    name: str
    g: Callable[[np.ndarray, np.ndarray], np.ndarray]
    activation: Callable[[np.ndarray], np.ndarray]
    mean: bool = False
    positively_homogeneous: bool = False
    latex_name: str = ""
    sigma: Any = None  # a sympy Lambda (sympy is untyped); None for built-ins
    pool: Any = None  # likewise

    def __post_init__(self) -> None:
        if self.name in BUILTIN_NAMES and len(_BUILTINS) == len(BUILTIN_NAMES):
            raise SymtdError(f"the operator name {self.name!r} belongs to a built-in operator")

    def __call__(self, *children: np.ndarray) -> np.ndarray:
        """ρ(c_1, ..., c_k) on broadcastable arrays: the fold of g, or σ(c_1) when k = 1."""
        value = reduce(self.g, children) if len(children) > 1 else self.activation(children[0])
        return self.scale(value, len(children))

    def __reduce__(self) -> tuple[Callable[..., Operator], tuple[Any, ...]]:
        """Pickled by name (a built-in stays the one object ``is PRODUCT`` tests against) or by
        its expression form (re-checked when unpickled)."""
        if self.sigma is None:
            return get_operator, (self.name,)
        return operator_from_json, (operator_to_json(self),)

    def _key(self) -> tuple[str, bool, Any, Any]:
        return self.name, self.mean, self.sigma, self.pool

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Operator) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def scale(self, value: np.ndarray, k: int) -> np.ndarray:
        """The window factor: value · (1/k) for avg, value unchanged otherwise."""
        return value * _reciprocal(k, value) if self.mean else value

    def __repr__(self) -> str:
        return f"Operator({self.name!r})"


def _reciprocal(k: int, like: np.ndarray) -> float | Fraction | Any:  # Any: sympy Rational
    if like.dtype.kind == "f":
        return 1.0 / k
    sympy = sys.modules.get("sympy")
    if (
        sympy is not None
        and like.dtype == object
        and any(isinstance(x, sympy.Basic) for x in like.flat)
    ):
        return sympy.Rational(1, k)
    return Fraction(1, k)


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a * b


def _max(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return relu(maximum(a, b))


def _sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return relu(a) + relu(b)


BUILTIN_NAMES = ("product", "max", "sum", "avg")
_BUILTINS: list[Operator] = []


def _identity(a: np.ndarray) -> np.ndarray:
    return a


#: ConvAC pooling: σ linear, P product, g(a, b) = a·b (⊗_g is the outer product).
PRODUCT = Operator("product", _product, _identity, latex_name=r"\otimes")
#: ReLU + max pooling: g(a, b) = max(a, b, 0).
MAX = Operator("max", _max, relu, positively_homogeneous=True, latex_name=r"\otimes_{\max}")
#: ReLU + sum pooling: g(a, b) = max(a, 0) + max(b, 0).
SUM = Operator("sum", _sum, relu, positively_homogeneous=True, latex_name=r"\otimes_{\mathrm{sum}}")
#: ReLU + average pooling: sum's fold times the window factor 1/k.
AVG = Operator(
    "avg", _sum, relu, mean=True, positively_homogeneous=True, latex_name=r"\otimes_{\mathrm{avg}}"
)

BUILTIN = {op.name: op for op in (PRODUCT, MAX, SUM, AVG)}
_BUILTINS.extend(BUILTIN.values())  # from here on, no other operator may take their names


def get_operator(name_or_operator: str | Operator) -> Operator:
    """Look up the built-in operator of that name (an Operator is returned as is).

    Parameters
    ----------
    name_or_operator : str or Operator
        "product", "max", "sum" or "avg", or an operator.

    Returns
    -------
    Operator
        The operator.

    Raises
    ------
    SymtdError
        For an unknown name.

    Examples
    --------
    >>> import symtd
    >>> symtd.get_operator("max") is symtd.MAX
    True
    >>> import numpy as np
    >>> c1, c2 = np.array([2, -1]), np.array([-5, -3])
    >>> symtd.MAX(c1, c2), symtd.SUM(c1, c2), symtd.PRODUCT(c1, c2)  # ρ, channel by channel
    (array([2, 0]), array([2, 0]), array([-10,   3]))
    """
    if isinstance(name_or_operator, Operator):
        return name_or_operator
    try:
        return BUILTIN[name_or_operator]
    except (KeyError, TypeError):
        raise SymtdError(
            f"unknown operator {escape(name_or_operator)}; expected one of "
            f"{', '.join(BUILTIN)} (or a custom_operator)"
        ) from None


def custom_operator(
    name: str, sigma: str | Callable[..., Any], pool: str | Callable[..., Any]
) -> Operator:
    """Define an operator from an activation σ and a binary pooling P: g(a, b) = P(σ(a), σ(b)).

    Accepted only when, for all real a, b, c, g is provably commutative and associative and
    σ(g(a, b)) = g(a, b). A rational counterexample refutes a property; a property that is
    neither refuted nor proved (by exact simplification, piece by piece for piecewise
    expressions) is refused.

    Parameters
    ----------
    name : str
        The operator's name, matching ``[A-Za-z][A-Za-z0-9_-]{0,31}``, not a built-in's.
    sigma : str or callable
        σ of one argument: a sympy Lambda, a callable, or a string in the expression form of
        :func:`~symtd.circuits.operators.parse_expression` (variable x).
    pool : str or callable
        P of two arguments, in the same forms (variables x, y).

    Returns
    -------
    Operator
        The checked operator.

    Raises
    ------
    SymtdError
        For a bad or taken name, an expression that cannot be read or holds a float, or a
        property refuted or not proved.

    Examples
    --------
    >>> import symtd
    >>> relumax = symtd.custom_operator("relumax", "max(x, 0)", "max(x, y)")
    >>> import numpy as np
    >>> relumax(np.array([-1, -1]), np.array([3, -2]))  # ρ = fold of g, exact
    array([Fraction(3, 1), Fraction(0, 1)], dtype=object)
    >>> symtd.custom_operator("square_sum", "x^2", "x + y")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtd.errors.SymtdError: operator 'square_sum' refused: g is not associative (...)
    """
    import sympy

    if not isinstance(name, str) or not OPERATOR_NAME.match(name):
        raise SymtdError(
            f"custom operator name {escape(name)} must match [A-Za-z][A-Za-z0-9_-]{{0,31}}"
        )
    if name in BUILTIN:
        raise SymtdError(f"custom operator name {name!r} is taken by a built-in operator")
    sigma_f = _lambda(
        parse_expression(sigma, ("x",)) if isinstance(sigma, str) else sigma, 1, "sigma"
    )
    pool_f = _lambda(
        parse_expression(pool, ("x", "y")) if isinstance(pool, str) else pool, 2, "pool"
    )
    for f, what in ((sigma_f, "σ"), (pool_f, "P")):
        names = [v.name for v in f.variables]
        if len(set(names)) != len(names) or not f.expr.free_symbols <= set(f.variables):
            raise SymtdError(
                f"operator {escape(name)} refused: {what} uses symbols other than its own arguments"
            )
    if sigma_f.expr.has(sympy.Float) or pool_f.expr.has(sympy.Float):
        raise SymtdError(f"operator {name!r} refused: σ or P holds a float; use exact rationals")
    try:
        sigma_tree, pool_tree = sympy_tree(sigma_f.expr), sympy_tree(pool_f.expr)
    except SymtdError as exc:
        raise SymtdError(f"operator {name!r} refused: {exc}") from None
    sx, pool_names = sigma_f.variables[0].name, tuple(v.name for v in pool_f.variables)
    for what, price in operator_price(sigma_tree, pool_tree, sx, pool_names):
        check_price(price, lambda why: SymtdError(f"operator {name!r} refused: {why}"), what)
    why = check_operator(sigma_tree, pool_tree, sx, pool_names)
    if why is not None:
        raise SymtdError(f"operator {name!r} refused: {why}")
    a, b = sympy.symbols("a b", real=True)
    g = sympy.Lambda((a, b), pool_f(sigma_f(a), sigma_f(b)))
    return Operator(
        name,
        _elementwise(g, 2),
        _elementwise(sigma_f, 1),
        latex_name=rf"\otimes_{{{name}}}",
        sigma=sigma_f,
        pool=pool_f,
    )


def _elementwise(f: Any, arity: int) -> Callable[..., np.ndarray]:  # f: a sympy Lambda
    """A sympy Lambda as a function on arrays: float64 via lambdify, exact entries via sympy."""
    import sympy

    f_float = sympy.lambdify(f.variables, f.expr, modules="numpy")
    f_exact = np.frompyfunc(lambda *xs: _exact(f(*map(sympy.sympify, xs))), arity, 1)

    def on_arrays(*arrays: np.ndarray) -> np.ndarray:
        if any(np.asarray(x).dtype.kind == "f" for x in arrays):
            return np.asarray(f_float(*arrays), dtype=float)
        return f_exact(*(np.asarray(x, dtype=object) for x in arrays))

    return on_arrays


# -- the expression form of custom operators (files) ---------------------------------------
OPERATOR_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}\Z")


def parse_expression(text: str, variables: tuple[str, ...]) -> Any:  # a sympy Lambda
    """A sympy Lambda from the expression form, parsed without ``eval``.

    Grammar: numbers (``3``, ``0.5``, read exactly), the variables (x for σ; x, y for P),
    ``+ - * /``, ``^`` or ``**`` with an integer exponent, parentheses and ``max(...)``,
    ``min(...)``, ``abs(...)``; at most 200 characters, nesting at most 16, total degree at
    most 8, every constant and intermediate coefficient at most
    ``MAX_BITS`` bits and at most
    ``MAX_PIECES`` pieces — all priced on the parsed tree
    before sympy sees it.
    """
    tree = parse_tree(text, variables)
    return _to_lambda(tree, variables, text)


def _to_lambda(tree: tuple, variables: tuple[str, ...], text: str) -> Any:  # a sympy Lambda
    """The sympy Lambda of a priced tree (built bottom-up, constants folded exactly)."""
    import sympy

    symbols = {v: sympy.Symbol(v, real=True) for v in variables}
    functions = {"max": sympy.Max, "min": sympy.Min, "abs": sympy.Abs}

    def build(node: tuple) -> Any:
        kind = node[0]
        if kind == "num":
            return sympy.Rational(node[1].numerator, node[1].denominator)
        if kind == "var":
            return symbols[node[1]]
        if kind == "neg":
            return -build(node[1])
        if kind == "pow":
            return build(node[1]) ** node[2]
        if kind in functions:
            return functions[kind](*(build(a) for a in node[1]))
        a, b = build(node[1]), build(node[2])
        return {"add": a + b, "sub": a - b, "mul": a * b}[kind] if kind != "div" else a / b

    try:
        return sympy.Lambda(tuple(symbols.values()), build(tree))
    except (ValueError, TypeError, ArithmeticError):  # sympy: Max(zoo, 0) and kin
        raise SymtdError(
            f"operator expression {escape(text)}: not defined for all real arguments"
        ) from None


def operator_price(
    sigma: tuple, pool: tuple, sx: str = "x", pv: tuple[str, str] = ("x", "y")
) -> list[tuple[str, Price]]:
    """The prices of σ, P and g(a, b) = P(σ(a), σ(b)) (trees of
    :func:`~symtd.circuits.expressions.parse_tree`; g priced by substitution,
    :func:`~symtd.circuits.expressions.price_of`), each held to the limits of
    :func:`~symtd.circuits.operators.parse_expression`."""
    s_one = price_of(sigma, {sx: VARIABLE})
    return [
        ("sigma: ", s_one),
        ("pool: ", price_of(pool, {v: VARIABLE for v in pv})),
        ("g: ", price_of(pool, {v: s_one for v in pv})),
    ]


def expression_text(f: Any) -> str:  # f: a sympy Lambda (sympy is untyped)
    """The expression form of a sympy Lambda's body (inverse of :func:`parse_expression`)."""
    import sympy

    names = {v: name for v, name in zip(f.variables, ("x", "y"))}

    def text(e: Any) -> str:
        if e in names:
            return names[e]
        if e.is_Integer:
            return str(e) if e >= 0 else f"({e})"
        if e.is_Rational:
            return f"({e.p}/{e.q})"
        if e.is_Add:
            return "(" + " + ".join(text(a) for a in e.args) + ")"
        if e.is_Mul:
            return "(" + "*".join(text(a) for a in e.args) + ")"
        if e.is_Pow and e.exp.is_Integer and abs(int(e.exp)) <= MAX_EXPONENT:
            return (
                f"({text(e.base)}^{int(e.exp)})"
                if e.exp > 0
                else f"(1/{text(e.base)}^{-int(e.exp)})"
            )
        for cls, name in ((sympy.Max, "max"), (sympy.Min, "min"), (sympy.Abs, "abs")):
            if isinstance(e, cls):
                return f"{name}(" + ", ".join(text(a) for a in e.args) + ")"
        raise SymtdError(
            f"{e} has no expression form (allowed: + - * / ^, max, min, abs, rationals)"
        )

    return text(f.expr)


def operator_to_json(operator: Operator) -> str | dict[str, str]:
    """A built-in operator's name, or {"name", "sigma", "pool"} for a custom one."""
    if operator.name in BUILTIN and BUILTIN[operator.name] == operator:
        return operator.name
    return {
        "name": operator.name,
        "sigma": expression_text(operator.sigma),
        "pool": expression_text(operator.pool),
    }


def operator_from_json(value: object) -> Operator:
    """Inverse of :func:`operator_to_json`; a custom operator is re-checked exactly."""
    if isinstance(value, str):
        return get_operator(value)
    if not isinstance(value, dict) or set(value) != {"name", "sigma", "pool"}:
        raise SymtdError(
            f"operator must be one of {', '.join(BUILTIN)}, or a custom operator "
            f'{{"name", "sigma", "pool"}} (expression strings); '
            f"got {escape(value)}"
        )
    return custom_operator(value["name"], value["sigma"], value["pool"])


def _exact(value: Any) -> Any:  # a sympy value -> a Fraction or the sympy value
    """A sympy Rational back to Fraction (symbolic values stay sympy)."""
    return Fraction(int(value.p), int(value.q)) if value.is_Rational else value


def _lambda(f: Any, arity: int, what: str) -> Any:  # a sympy Lambda or a callable -> Lambda
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
