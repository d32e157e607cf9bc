"""The expression form of custom operators: parsed, priced and proved without ``eval`` and
without sympy (:doc:`/formats`).

An expression is a tree of tuples: ("num", Fraction), ("var", name), ("neg", t),
("add" | "sub" | "mul" | "div", t, u), ("pow", t, k) and ("max" | "min" | "abs", (t, ...)).
Its :class:`Price` bounds what the exact checks cost before they run; ``identically_zero``
decides t ≡ 0 over the reals piece by piece, with exact linear algebra on the pieces' regions.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from symtd.errors import SymtdError, escape

#: Limits of the expression form, priced on the parsed tree before any sympy work: characters,
#: exponents and total degree (of σ, of P and of g = P(σ(a), σ(b))), parenthesis nesting,
#: bits of every constant and every intermediate coefficient (log2 of |numerator| +
#: |denominator|, bounded in log space), and linear pieces of the proofs (see
#: ``operator_price``).
MAX_EXPRESSION, MAX_EXPONENT, MAX_NESTING = 200, 8, 16
MAX_BITS, MAX_PIECES, MAX_PROOF_PIECES = 1024, 64, 4096
_TOKEN = re.compile(r"\s*(?:([0-9]+(?:\.[0-9]+)?)|([A-Za-z]+)|(\*\*|[-+*/^(),]))")
_FUNCTIONS = ("max", "min", "abs")


@dataclass(frozen=True)
class Price:
    """What the exact checks of an expression cost, bounded before they run.

    ``pieces``: an upper bound on the number of polynomial pieces (abs splits in 2, a max or
    min of k arguments in k, the variables' own pieces counted once each); ``degree``: a
    bound on the total degree (numerator and denominator together); ``bits``: a bound on
    log2(‖numerator‖₁ + ‖denominator‖₁) of every piece, which is subadditive under
    + − × ÷ and multiplied by e under ^e, so towers of constants are priced, not computed.
    """

    pieces: int = 1
    degree: int = 0
    bits: float = 0.0


VARIABLE = Price(1, 1, 1.0)


def _bits(value: Fraction) -> float:
    """log2(|p| + |q|) of a rational p/q (math.log2 takes integers of any size)."""
    return math.log2(abs(value.numerator) + value.denominator)


def price_of(tree: tuple, env: dict[str, Price]) -> Price:
    """The :class:`Price` of a parsed expression tree, variables priced by ``env``.

    Substituting an expression for a variable (as g = P(σ(a), σ(b)) does) is priced by
    passing that expression's price for the variable: its pieces count once however often
    the variable occurs, degrees multiply, bits scale by the outer degree.
    """
    own, variables = 1, set()
    memo: dict[int, tuple[int, float]] = {}

    def walk(node: tuple) -> tuple[int, float]:
        """(degree, bits) of a node; ``own`` collects the node's pieces."""
        nonlocal own
        key = id(node)
        if key in memo:
            return memo[key]
        kind = node[0]
        if kind == "num":
            result = (0, _bits(node[1]))
        elif kind == "var":
            variables.add(node[1])
            price = env.get(node[1], VARIABLE)  # a stray symbol of a Python callable
            result = (price.degree, price.bits)
        elif kind == "neg":
            result = walk(node[1])
        elif kind in ("add", "sub"):
            (d1, b1), (d2, b2) = walk(node[1]), walk(node[2])
            result = (max(d1, d2), b1 + b2)
        elif kind in ("mul", "div"):
            (d1, b1), (d2, b2) = walk(node[1]), walk(node[2])
            result = (d1 + d2, b1 + b2)
        elif kind == "pow":
            d, b = walk(node[1])
            result = (d * abs(node[2]), b * abs(node[2]))
        else:  # max, min, abs: every piece is one argument (up to sign)
            args = [walk(a) for a in node[1]]
            own *= 2 if kind == "abs" else len(args)
            result = (max(d for d, _ in args), max(b for _, b in args))
        memo[key] = result
        return result

    degree, bits = walk(tree)
    pieces = own
    for v in variables:
        pieces *= env.get(v, VARIABLE).pieces
    return Price(pieces, degree, bits)


class _Tokens:
    def __init__(self, tokens: list[tuple[str, str]], text: str) -> None:
        self.tokens, self.text, self.k = tokens, text, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.k] if self.k < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self.error("unexpected end")
        self.k += 1
        return token

    def expect(self, symbol: str) -> None:
        if self.take() != ("op", symbol):
            raise self.error(f"expected {symbol!r}")

    def error(self, why: str) -> SymtdError:
        return SymtdError(f"operator expression {escape(self.text)}: {why}")


def parse_tree(text: str, variables: tuple[str, ...]) -> tuple:
    """The expression form as a tree of tuples ("num", Fraction), ("var", name), ("neg", t),
    ("add"|"sub"|"mul"|"div", t, u), ("pow", t, k), ("max"|"min"|"abs", [t, ...]), refused
    (SymtdError) when it breaks a limit of
    :func:`~symtd.circuits.operators.parse_expression`. No sympy."""
    if not isinstance(text, str) or len(text) > MAX_EXPRESSION:
        raise SymtdError(
            f"operator expression must be a string of at most {MAX_EXPRESSION} "
            f"characters, got {escape(text)}"
        )
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None:
            raise SymtdError(
                f"operator expression {escape(text)}: unexpected character at {position}"
            )
        if match.group(1):
            tokens.append(("num", match.group(1)))
        elif match.group(2):
            tokens.append(("name", match.group(2)))
        else:
            tokens.append(("op", match.group(3)))
        position = match.end()
    stream = _Tokens(tokens, text)

    def expression(depth: int) -> tuple:
        if depth > MAX_NESTING:
            raise stream.error(f"nested more than {MAX_NESTING} deep")
        value = term(depth)
        while stream.peek() in (("op", "+"), ("op", "-")):
            kind = "add" if stream.take()[1] == "+" else "sub"
            value = (kind, value, term(depth))
        return value

    def term(depth: int) -> tuple:
        value = unary(depth)
        while stream.peek() in (("op", "*"), ("op", "/")):
            kind = "mul" if stream.take()[1] == "*" else "div"
            value = (kind, value, unary(depth))
        return value

    def unary(depth: int) -> tuple:
        if stream.peek() in (("op", "-"), ("op", "+")):
            if depth > MAX_NESTING:
                raise stream.error(f"nested more than {MAX_NESTING} deep")
            negative = stream.take()[1] == "-"
            inner = unary(depth + 1)
            return ("neg", inner) if negative else inner
        return power(depth)

    def power(depth: int) -> tuple:
        base = atom(depth)
        if stream.peek() in (("op", "^"), ("op", "**")):
            stream.take()
            negative = stream.peek() == ("op", "-") and stream.take()
            kind, digits = stream.take()
            if kind != "num" or not digits.isdigit() or len(digits) > 2:
                raise stream.error(f"exponents must be integers of at most {MAX_EXPONENT}")
            if int(digits) > MAX_EXPONENT:
                raise stream.error(f"exponents must be integers of at most {MAX_EXPONENT}")
            return ("pow", base, -int(digits) if negative else int(digits))
        return base

    def atom(depth: int) -> tuple:
        kind, value = stream.take()
        if kind == "num":
            return ("num", _decimal(value))
        if kind == "name" and value in variables:
            return ("var", value)
        if kind == "name" and value in _FUNCTIONS:
            stream.expect("(")
            args = [expression(depth + 1)]
            while stream.peek() == ("op", ","):
                stream.take()
                args.append(expression(depth + 1))
            stream.expect(")")
            if value == "abs" and len(args) != 1:
                raise stream.error("abs takes one argument")
            return (value, tuple(args))
        if (kind, value) == ("op", "("):
            inner = expression(depth + 1)
            stream.expect(")")
            return inner
        raise stream.error(f"unexpected {escape(value)}; the variables are {', '.join(variables)}")

    tree = expression(0)
    left = stream.peek()
    if left is not None:
        raise stream.error(f"unexpected {escape(left[1])}")
    price = price_of(tree, {v: VARIABLE for v in variables})
    check_price(price, stream.error, "")
    return tree


def check_price(
    price: Price, error: Callable[[str], SymtdError], what: str, pieces: int = MAX_PIECES
) -> None:
    """Refuse (raise ``error(why)``) a price beyond the documented limits (one side of
    associativity: only its pieces, at most ``pieces``)."""
    if what == "g(g(a, b), c): ":
        price = Price(price.pieces)
    if price.degree > MAX_EXPONENT:
        raise error(f"{what}degree above {MAX_EXPONENT} (the exact checks would not be bounded)")
    if price.bits > MAX_BITS:
        raise error(
            f"{what}constants of more than {MAX_BITS} bits (about {int(MAX_BITS * 0.30103)} "
            f"digits, towers of powers included; the exact checks would not be bounded)"
        )
    if price.pieces > pieces:
        raise error(
            f"{what}more than {pieces} linear pieces from abs, max and min (the exact "
            f"checks would not be bounded)"
        )


def _decimal(digits: str) -> Fraction:
    """A literal of the expression form ("12", "0.25") as an exact Fraction."""
    whole, _, fraction = digits.partition(".")
    return Fraction(int(whole + fraction), 10 ** len(fraction))


def sympy_tree(expr: Any) -> tuple:
    """A sympy expression built from rationals, symbols, + − × ÷, integer powers, Max, Min and
    Abs as a tree of :func:`parse_tree`'s shape; anything else is refused (SymtdError)."""
    import sympy

    def walk(e: Any) -> tuple:
        if not isinstance(e, sympy.Basic):
            raise SymtdError(f"{escape(e)} is not a sympy expression")
        if e.is_Symbol:
            return ("var", e.name)
        if e.is_Rational:
            return ("num", Fraction(int(e.p), int(e.q)))
        if (e.is_Add or e.is_Mul) and e.args:
            kind = "add" if e.is_Add else "mul"
            args = [walk(a) for a in e.args]
            out = args[0]
            for arg in args[1:]:
                out = (kind, out, arg)
            return out
        if e.is_Pow and e.exp.is_Integer:
            return ("pow", walk(e.base), int(e.exp))
        for cls, kind in ((sympy.Max, "max"), (sympy.Min, "min"), (sympy.Abs, "abs")):
            if isinstance(e, cls):
                return (kind, tuple(walk(a) for a in e.args))
        raise SymtdError(
            f"{escape(str(e), 60)} is outside the expression form (rationals, + - * /, integer "
            f"powers, max, min, abs)"
        )

    return walk(expr)


class Builder:
    """Trees built once per structure (hash-consed by the children's identity), so that a
    subexpression used twice is one node: one choice of piece, one price."""

    def __init__(self) -> None:
        self.nodes: dict[tuple, tuple] = {}

    def make(self, kind: str, *parts: object) -> tuple:
        """The node ``(kind, *parts)``, shared with an equal node made before (hash-consing)."""
        key = (kind,) + tuple(
            tuple(id(x) for x in p)
            if isinstance(p, tuple) and kind in _FUNCTIONS
            else (id(p) if isinstance(p, tuple) else p)
            for p in parts
        )
        if key not in self.nodes:
            self.nodes[key] = (kind, *parts)
        return self.nodes[key]

    def substitute(self, tree: tuple, env: dict[str, tuple]) -> tuple:
        """The tree with every variable replaced by ``env``'s tree (interned)."""
        memo: dict[int, tuple] = {}

        def walk(node: tuple) -> tuple:
            if id(node) in memo:
                return memo[id(node)]
            kind = node[0]
            if kind == "var":
                out = env[node[1]] if node[1] in env else self.make("var", node[1])
            elif kind == "num":
                out = self.make("num", node[1])
            elif kind in _FUNCTIONS:
                out = self.make(kind, tuple(walk(a) for a in node[1]))
            elif kind == "neg":
                out = self.make(kind, walk(node[1]))
            elif kind == "pow":
                out = self.make(kind, walk(node[1]), node[2])
            else:
                out = self.make(kind, walk(node[1]), walk(node[2]))
            memo[id(node)] = out
            return out

        return walk(tree)


def evaluate(tree: tuple, point: dict[str, Fraction]) -> Fraction:
    """The exact value of a tree at a rational point (ZeroDivisionError at a pole)."""
    memo: dict[int, Fraction] = {}

    def walk(node: tuple) -> Fraction:
        if id(node) in memo:
            return memo[id(node)]
        kind = node[0]
        if kind == "num":
            out = node[1]
        elif kind == "var":
            out = point[node[1]]
        elif kind == "neg":
            out = -walk(node[1])
        elif kind == "pow":
            out = walk(node[1]) ** node[2]
        elif kind in _FUNCTIONS:
            args = [walk(a) for a in node[1]]
            out = abs(args[0]) if kind == "abs" else max(args) if kind == "max" else min(args)
        else:
            x, y = walk(node[1]), walk(node[2])
            out = x + y if kind == "add" else x - y if kind == "sub" else x * y
            out = x / y if kind == "div" else out
        memo[id(node)] = out
        return out

    return walk(tree)


def _order(tree: tuple) -> list[tuple]:
    """The distinct nodes of a tree, children before parents."""
    seen: set[int] = set()
    out: list[tuple] = []
    stack: list[tuple[tuple, bool]] = [(tree, False)]
    while stack:
        node, done = stack.pop()
        if done:
            out.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        kind = node[0]
        children = (
            node[1]
            if kind in _FUNCTIONS
            else node[1:2]
            if kind in ("neg", "pow")
            else (node[1:3] if kind not in ("num", "var") else ())
        )
        stack.extend((c, False) for c in children if id(c) not in seen)
    return out


def divides_by_a_variable(tree: tuple) -> bool:
    """Whether some division (or negative power) of the tree has a divisor that holds a
    variable: such an expression may be undefined at a real point even when every piece of the
    simplified result is a polynomial (1/max(1/(x - 3/7), 5) at x = 3/7), so it is refused."""
    for node in _order(tree):
        divisor = node[2] if node[0] == "div" else node[1] if node[0] == "pow" else None
        if node[0] == "pow" and node[2] >= 0:
            divisor = None
        if divisor is not None and any(n[0] == "var" for n in _order(divisor)):
            return True
    return False


def pieces(tree: tuple, variables: tuple[str, ...]) -> list[tuple]:
    """The pieces of a tree over the reals: (numerator, denominator) pairs of FLINT rational
    polynomials, one for each choice of an argument at every max, min and abs whose region
    (where the choices hold) has interior points — as far as exact linear algebra decides:
    regions cut out by linear conditions are decided exactly (Fourier–Motzkin), others kept.
    The kept regions cover a dense set, so a continuous function whose every piece is zero is
    zero. Work: at most the product of the choices (the price's pieces)."""
    import flint

    ctx = flint.fmpq_mpoly_ctx.get(variables, "lex")
    gens = dict(zip(variables, ctx.gens()))
    one = ctx.from_dict({(0,) * len(variables): 1})
    order = _order(tree)
    values: dict[int, tuple] = {}
    found: list[tuple] = []

    def value(node: tuple) -> tuple:
        kind = node[0]
        if kind == "num":
            q = flint.fmpq(node[1].numerator, node[1].denominator)
            return ctx.from_dict({(0,) * len(variables): q}), one
        if kind == "var":
            return gens[node[1]], one
        if kind == "neg":
            n, d = values[id(node[1])]
            return -n, d
        if kind == "pow":
            n, d = values[id(node[1])]
            if node[2] < 0:
                if n.is_zero():
                    raise ZeroDivisionError
                n, d = d, n
            return n ** abs(node[2]), d ** abs(node[2])
        (n1, d1), (n2, d2) = values[id(node[1])], values[id(node[2])]
        if kind == "add":
            return n1 * d2 + n2 * d1, d1 * d2
        if kind == "sub":
            return n1 * d2 - n2 * d1, d1 * d2
        if kind == "mul":
            return n1 * n2, d1 * d2
        if n2.is_zero():
            raise ZeroDivisionError
        return n1 * d2, d1 * n2

    def linear(n: Any, d: Any) -> list[Fraction] | None:
        """Coefficients (constant last) of n/d when it is affine with a constant d."""
        if not d.is_constant() or n.total_degree() > 1:
            return None
        scale = Fraction(int(d.coeffs()[0].p), int(d.coeffs()[0].q))
        row = [Fraction(0)] * (len(variables) + 1)
        for monom, coeff in zip(n.monoms(), n.coeffs()):
            k = monom.index(1) if 1 in monom else len(variables)
            row[k] = Fraction(int(coeff.p), int(coeff.q)) / scale
        return row

    def walk(k: int, region: list[list[Fraction]]) -> None:
        while k < len(order) and order[k][0] not in _FUNCTIONS:
            values[id(order[k])] = value(order[k])
            k += 1
        if k == len(order):
            found.append(values[id(tree)])
            return
        node = order[k]
        args = [values[id(a)] for a in node[1]]
        options = [(0, 1), (0, -1)] if node[0] == "abs" else [(i, 1) for i in range(len(args))]
        for i, branch in options:  # branch -1: the negated argument of abs
            n, d = args[i]
            rows: list[list[Fraction]] = []
            possible = True
            others = [(n, d)] if node[0] == "abs" else [a for j, a in enumerate(args) if j != i]
            for n2, d2 in others:  # the chosen argument is >= each other one (<= for min)
                diff = n if node[0] == "abs" else n * d2 - n2 * d
                den = d if node[0] == "abs" else d * d2
                if node[0] == "min" or branch < 0:
                    diff = -diff
                row = linear(diff, den)
                if row is None:  # non-linear: decided by monomial signs where they agree
                    possible = possible and _definite_sign(diff, den, region + rows) != -1
                    continue
                if all(x == 0 for x in row[:-1]):
                    possible = possible and row[-1] >= 0
                else:
                    rows.append(row)
            if possible and _interior(region + rows):
                values[id(node)] = (n, d) if branch > 0 else (-n, d)
                walk(k + 1, region + rows)

    walk(0, [])
    return found


def _definite_sign(n: Any, d: Any, rows: list[list[Fraction]]) -> int:
    """+1 or -1 when n/d (d constant) has that strict sign on the open region ``rows`` because
    every monomial does (the variables' signs read from rows c·v + e > 0), else 0."""
    if not d.is_constant():
        return 0
    signs: dict[int, int] = {}
    for row in rows:
        used = [k for k, x in enumerate(row[:-1]) if x != 0]
        if len(used) == 1:
            k, (coef, const) = used[0], (row[used[0]], row[-1])
            if coef > 0 and const <= 0:
                signs[k] = 1
            elif coef < 0 and const <= 0:
                signs[k] = -1
    scale = 1 if d.coeffs()[0] > 0 else -1
    found = set()
    for monom, coeff in zip(n.monoms(), n.coeffs()):
        sign = scale * (1 if coeff > 0 else -1)
        for k, e in enumerate(monom):
            if e and k not in signs:
                return 0
            sign *= signs.get(k, 1) ** e
        found.add(sign)
    return found.pop() if len(found) == 1 else 0


def _interior(rows: list[list[Fraction]]) -> bool:
    """Whether {x : row·(x, 1) > 0 for every row} is non-empty (Fourier–Motzkin, exact)."""
    rows = _normalized(rows)
    for v in range(len(rows[0]) - 1 if rows else 0):
        up = [r for r in rows if r[v] > 0]
        down = [r for r in rows if r[v] < 0]
        rest = [r for r in rows if r[v] == 0]
        rows = _normalized(
            rest + [[p[j] / p[v] - q[j] / q[v] for j in range(len(p))] for p in up for q in down]
        )
    return all(r[-1] > 0 for r in rows)


def _normalized(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    """Rows scaled so that their largest |coefficient| is 1, duplicates dropped."""
    out: dict[tuple[Fraction, ...], None] = {}
    for r in rows:
        m = max(abs(x) for x in r)
        if m:
            out[tuple(x / m for x in r)] = None
        else:
            out[tuple(r)] = None
    return [list(r) for r in out]


PROBES = (
    Fraction(-3),
    Fraction(-1),
    Fraction(0),
    Fraction(1, 2),
    Fraction(1),
    Fraction(2),
    Fraction(5),
)


def choices(tree: tuple) -> int:
    """The product of the choices (2 per abs, k per max or min of k) over the distinct nodes:
    the most pieces :func:`pieces` can visit."""
    total = 1
    for node in _order(tree):
        if node[0] in _FUNCTIONS:
            total *= 2 if node[0] == "abs" else len(node[1])
    return total


def check_operator(sigma: tuple, pool: tuple, sx: str, pv: tuple[str, str]) -> str | None:
    """Why g(a, b) = P(σ(a), σ(b)) is not a valid operator, or None when it provably is: g is
    a finite exact real at rational probes, polynomial on each piece (no division by its
    arguments), commutative, associative and fixed by σ, each proved piece by piece
    (:func:`pieces`) after a search for a rational counterexample. Work is priced first:
    at most ``MAX_PROOF_PIECES`` pieces per claim."""
    if divides_by_a_variable(sigma) or divides_by_a_variable(pool):
        return "σ or P divides by an expression in its argument(s): not defined for all reals"
    build = Builder()
    a, b, c = (build.make("var", v) for v in ("a", "b", "c"))

    def s(u: tuple) -> tuple:
        return build.substitute(sigma, {sx: u})

    def g(u: tuple, v: tuple) -> tuple:
        return build.substitute(pool, {pv[0]: s(u), pv[1]: s(v)})

    gab = g(a, b)
    for x, y in itertools.product(PROBES, repeat=2):
        try:
            evaluate(gab, {"a": Fraction(x), "b": Fraction(y)})
        except (ZeroDivisionError, KeyError):
            return (
                f"g({x}, {y}) is not a finite exact real, so g is not defined for all real "
                f"arguments"
            )
    claims = {
        "commutative": (gab, g(b, a)),
        "associative": (g(gab, c), g(a, g(b, c))),
        "sigma leaves pooled values unchanged": (s(gab), gab),
    }
    for claim, (lhs, rhs) in claims.items():
        diff = build.make("sub", lhs, rhs)
        if choices(diff) > MAX_PROOF_PIECES:
            return (
                f"proving that g is {claim} would visit {choices(diff):,} pieces of abs, max and "
                f"min, more than {MAX_PROOF_PIECES:,}"
            )
    for claim, (lhs, rhs) in claims.items():
        for point in itertools.product(PROBES, repeat=3):
            values = dict(zip("abc", map(Fraction, point)))
            try:
                if evaluate(lhs, values) != evaluate(rhs, values):
                    shown = {k: str(v) for k, v in values.items()}
                    return f"g is not {claim} (counterexample {shown})"
            except ZeroDivisionError:
                return f"g is not defined for all real arguments (at {point})"
    try:
        if any(not d.is_constant() for _, d in pieces(gab, ("a", "b"))):
            return "g divides by an expression in its arguments (not defined for all reals)"
        for claim, (lhs, rhs) in claims.items():
            found = pieces(build.make("sub", lhs, rhs), ("a", "b", "c"))
            if any(not n.is_zero() or not d.is_constant() for n, d in found):
                return f"could not prove exactly that g is {claim}"
    except ZeroDivisionError:
        return "g divides by zero on some piece (not defined for all real arguments)"
    return None
