"""The checker's own arithmetic: the forward pass in an algebra (exact rationals, or canonical
symbolic expressions), matricizations and their exact rank, and the tensor network whose cuts
bound every rank.

The primitives here are the trusted core: :func:`rank` (fraction-free Gaussian elimination
over Q), :func:`forward` (one plain recursion over the circuit), :class:`Symbolic` (a canonical
form valid on a sign region) and :func:`separates` (a cut splits the I-legs from the J-legs).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from .networks import Network, scopes_of, structure, template_matrix, weight_at
from .reader import MAX_NODES, MAX_RANK_WORK, CheckFailed

Grid = dict[tuple[int, ...], Fraction]
Expression = dict[frozenset[tuple[Any, int]], Fraction]  # a Symbolic polynomial


def forward(
    net: Network,
    leaf: Callable[[int, int, int], Any] | None,
    weight: Callable[[str], Any],
    algebra: Any,
    choices: int = 1,
    rep: Callable[[int, int], list[Any]] | None = None,
) -> dict[tuple[int, ...], Any]:
    """h_y by the forward recursion of format v2 in the given algebra, for every template tuple.

    A position member contributes rep(j, d) (a vector of length M) through its block, or,
    without rep, leaf(j, γ, d) directly: its conv output (each position then feeds one
    node). weight(path) is the weight at a JSON path such as "layer1[0][1][0]", "A[1][0]"
    or "output[2]"; pooling by the operator's ρ (one member: σ). Each node is evaluated once per
    assignment of template indices in range(choices) to the positions under it. Returns
    {d: h_y} over all N-tuples d.
    """
    op, N = net["operator"], net["N"]
    nodes, output = structure(net)
    scopes = scopes_of(nodes, N)
    tables: dict[str, dict[tuple[int, ...], list[Any]]] = {}
    matrices: dict[str, list[list[Any]]] = {}

    def block(prefix: str, rows: int, cols: int) -> list[list[Any]]:
        if prefix not in matrices:
            matrices[prefix] = [
                [weight(f"{prefix}[{g}][{a}]") for a in range(cols)] for g in range(rows)
            ]
        return matrices[prefix]

    def conv(W: list[list[Any]], values: list[Any]) -> list[Any]:
        return [algebra.total([algebra.mul(w, x) for w, x in zip(row, values)]) for row in W]

    inputs_of: dict[tuple[str, str, int], list[Any]] = {}
    for k, (width, pool) in enumerate(nodes):
        scope = scopes[f"n{k}"]
        table = {}
        for d in itertools.product(range(choices), repeat=len(scope)):
            at = dict(zip(scope, d))
            inputs = []
            for member, name in pool:
                if member[0] == "x":  # a position: once per (edge, template)
                    key = (member, name, at[int(member[1:])])
                    if key not in inputs_of:
                        j, e = int(member[1:]), at[int(member[1:])]
                        if rep is not None:
                            inputs_of[key] = conv(block(name, width, net["M"]), rep(j, e))
                        elif leaf is not None:
                            inputs_of[key] = [leaf(j, g, e) for g in range(width)]
                        else:
                            raise TypeError("forward needs leaf or rep")
                    inputs.append(inputs_of[key])
                    continue
                values = tables[member][tuple(at[p] for p in scopes[member])]
                inputs.append(conv(block(name, width, len(values)), values))
            table[d] = [algebra.pool(op, [c[g] for c in inputs]) for g in range(width)]
        tables[f"n{k}"] = table
    root = tables[f"n{len(nodes) - 1}"]
    return {
        d: algebra.total([algebra.mul(weight(f"{output}[{a}]"), x) for a, x in enumerate(values)])
        for d, values in root.items()
    }


def grid(net: Network) -> Grid:
    """Dict tuple -> h_y over all M^N template tuples (the forward pass), in Fractions."""
    F = template_matrix(net)
    cache: dict[str, Fraction] = {}

    def weight(path: str) -> Fraction:
        if path not in cache:
            cache[path] = weight_at(net, path)
        return cache[path]

    return forward(net, None, weight, RATIONAL, net["M"], rep=lambda j, d: F[d])


def pool(algebra: Any, op: str, xs: list[Any]) -> Any:
    """The operator's ρ in terms of the algebra's mul, total, max0 and scale-by-constant (an
    algebra: :class:`Rational` or :class:`Symbolic`)."""
    if op == "product":
        value = xs[0]
        for x in xs[1:]:
            value = algebra.mul(value, x)
        return value
    if op == "max":
        return algebra.max0(xs)
    if op in ("sum", "avg"):
        value = algebra.total([algebra.max0([x]) for x in xs])
        return algebra.mul(algebra.constant(Fraction(1, len(xs))), value) if op == "avg" else value
    raise CheckFailed(f"unknown operator {op!r}")


class Rational:
    """Exact arithmetic on Fractions."""

    constant = staticmethod(Fraction)

    @staticmethod
    def mul(x: Fraction, y: Fraction) -> Fraction:
        """x·y."""
        return x * y

    @staticmethod
    def total(xs: Iterable[Fraction]) -> Fraction:
        """Σ xs."""
        return sum(xs, Fraction(0))

    @staticmethod
    def max0(xs: Iterable[Fraction]) -> Fraction:
        """max(0, xs)."""
        return max([Fraction(0)] + list(xs))

    def pool(self, op: str, xs: list[Fraction]) -> Fraction:
        """The operator ``op``'s pooling ρ(xs) in Fractions (see :func:`pool`)."""
        value: Fraction = pool(self, op, xs)
        return value


RATIONAL = Rational()


class Symbolic:
    """Polynomials over Q in symbols and max(0, ...) atoms, under sign facts for symbols.

    An expression is {monomial: coefficient}; a monomial is a frozenset of (factor, power);
    a factor is a symbol name or ("max0", frozenset of argument keys), key(x) =
    frozenset(x.items()). Besides the ring laws the only rewrites are, for
    max(0, x_1, ..., x_k): drop an x_i that is <= 0; c·max(0, xs) = max(0, c·xs) when
    c >= 0; max(0, x) = x when x >= 0. Each is valid wherever the sign facts hold, so
    equal canonical forms are equal functions there; unequal forms prove nothing.
    """

    def __init__(self, signs: dict[str, int] | None = None) -> None:
        self.signs = dict(signs or {})  # symbol name -> +1 (> 0) or -1 (< 0)

    @staticmethod
    def constant(c: Any) -> Expression:
        """The constant c (the empty expression for 0)."""
        return {frozenset(): Fraction(c)} if c else {}

    @staticmethod
    def symbol(name: str) -> Expression:
        """The symbol ``name``."""
        return {frozenset({(name, 1)}): Fraction(1)}

    @staticmethod
    def total(xs: Iterable[Expression]) -> Expression:
        """Σ xs, zero terms dropped."""
        out: dict[frozenset[tuple[Any, int]], Fraction] = {}
        for x in xs:
            for m, c in x.items():
                out[m] = out.get(m, 0) + c
        return {m: c for m, c in out.items() if c}

    @staticmethod
    def mul(x: Expression, y: Expression) -> Expression:
        """x·y, expanded."""
        out: dict[frozenset[tuple[Any, int]], Fraction] = {}
        for m1, c1 in x.items():
            for m2, c2 in y.items():
                powers = dict(m1)
                for f, p in m2:
                    powers[f] = powers.get(f, 0) + p
                m = frozenset(powers.items())
                out[m] = out.get(m, 0) + c1 * c2
        return {m: c for m, c in out.items() if c}

    def sign(self, x: Expression) -> int | None:
        """+1 if x >= 0 wherever the sign facts hold, -1 if x <= 0, 0 if x = 0, None if unknown."""
        found = {self.term_sign(m, c) for m, c in x.items()}
        if not found:
            return 0
        return found.pop() if len(found) == 1 and None not in found else None

    def term_sign(self, m: frozenset[tuple[Any, int]], c: Fraction) -> int | None:
        """The sign of the term c·m on the region, None when unknown."""
        s = 1 if c > 0 else -1
        for f, p in m:
            fs = 1 if isinstance(f, tuple) else self.signs.get(f)  # max0 atoms are >= 0
            if fs is None and p % 2:
                return None
            if fs == -1 and p % 2:
                s = -s
        return s

    def max0(self, xs: Iterable[Expression]) -> Expression:
        """max(0, xs) in canonical form: arguments that are <= 0 dropped, nested max(0, ...)
        flattened through non-negative factors, the argument itself when it alone is >= 0."""
        args = {}
        for x in xs:
            for y in self.flatten(x):
                if self.sign(y) not in (0, -1):
                    args[frozenset(y.items())] = y
        if not args:
            return {}
        if len(args) == 1 and self.sign(next(iter(args.values()))) == 1:
            return next(iter(args.values()))
        return {frozenset({(("max0", frozenset(args)), 1)}): Fraction(1)}

    def flatten(self, x: Expression) -> list[Expression]:
        """[c·ys] for a single term x = c·max(0, ys) with c >= 0, else [x]."""
        if len(x) == 1:
            ((m, c),) = x.items()
            atom = next(((f, p) for f, p in m if isinstance(f, tuple) and p == 1), None)
            if atom is not None:
                rest = {m - {atom}: c}
                if self.sign(rest) == 1:
                    return [
                        y for key in atom[0][1] for y in self.flatten(self.mul(rest, dict(key)))
                    ]
        return [x]

    def pool(self, op: str, xs: list[Expression]) -> Expression:
        """The operator ``op``'s pooling ρ(xs) as a canonical expression (see :func:`pool`)."""
        value: Expression = pool(self, op, xs)
        return value


def split(rows: Any, N: int) -> tuple[list[int], list[int]]:
    """(I, J) for a list of distinct row positions I in range(N)."""
    if not (
        isinstance(rows, list)
        and all(isinstance(k, int) and not isinstance(k, bool) and 0 <= k < N for k in rows)
        and len(set(rows)) == len(rows)
    ):
        raise CheckFailed(f"rows {rows!r} are not distinct positions 0..{N - 1}")
    return rows, [k for k in range(N) if k not in rows]


def matrix(G: dict[tuple[int, ...], Any], N: int, M: int, rows: Any) -> list[list[Any]]:
    """The matricization [G]_{I,J} as a list of rows: row index the templates at positions
    I = ``rows``, column index those at the rest J, both in lexicographic order."""
    rows, cols = split(rows, N)
    out = []
    for r in itertools.product(range(M), repeat=len(rows)):
        line = []
        for c in itertools.product(range(M), repeat=len(cols)):
            d = [0] * N
            for k, v in zip(rows, r):
                d[k] = v
            for k, v in zip(cols, c):
                d[k] = v
            line.append(G[tuple(d)])
        out.append(line)
    return out


def rank(A: list[list[Any]]) -> int:
    """Exact rank over Q: rows scaled to integers, then fraction-free (Bareiss) elimination.

    Each step keeps every entry an integer minor of the original matrix (Bareiss' identity:
    the division by the previous pivot is exact), so the count of pivots is the rank.
    """
    rows = []
    for row in A:
        scale = math.lcm(*(Fraction(x).denominator for x in row)) if row else 1
        rows.append([int(Fraction(x) * scale) for x in row])
    r, previous = 0, 1
    for c in range(len(rows[0]) if rows else 0):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c]), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        p = rows[r]
        for i in range(r + 1, len(rows)):
            q = rows[i][c]
            rows[i] = [(p[c] * x - q * y) // previous for x, y in zip(rows[i], p)]
        previous, r = p[c], r + 1
    return r


def rank_cost(N: int, M: int, rows: Any, entries: Iterable[Fraction]) -> None:
    """Refuse an exact rank beyond MAX_RANK_WORK: m·n·r·(r·B)^1.6 / 10^6 with r = min(m, n) and
    B the largest entry size in bits (fraction-free elimination grows entries to r·B bits)."""
    rows, cols = split(rows, N)
    m, n = M ** len(rows), M ** len(cols)
    r = min(m, n)
    bits = max((x.numerator.bit_length() + x.denominator.bit_length() for x in entries), default=1)
    work = m * n * r * (r * max(bits, 1)) ** 1.6 / 10**6
    if work > MAX_RANK_WORK:
        raise CheckFailed(
            f"an exact rank of a {m}×{n} matrix of {bits}-bit entries is more than this "
            f"checker computes"
        )


# -- min-cut bounds ------------------------------------------------------------------------------
def tensor_network(net: Network) -> tuple[dict[str, int], dict[frozenset[str], int]]:
    """The tensor network of a product circuit as {vertex: capacity} and {edge: capacity}.

    Vertices: "xJ" (position J's leg, a δ over [M]) and a δ over [w_k] per node; a node used
    by several pools is duplicated with its sub-circuit, copies named "nK/p" (p: the slots
    on the path from the root, dot-separated; the root is "nR/"); a tree keeps "nK". Each
    member edge joins the member's vertex to its node's with capacity min(w_k, dim).
    """
    nodes, _ = structure(net)
    N, M = net["N"], net["M"]
    uses: dict[str, int] = {}
    for _, members in nodes:
        for m, _ in members:
            uses[m] = uses.get(m, 0) + 1
    tree = all(count == 1 for count in uses.values())
    vertices = {f"x{j}": M for j in range(N)}
    edges: dict[frozenset[str], int] = {}
    stack = [(len(nodes) - 1, "")]
    while stack:
        k, path = stack.pop()
        name = f"n{k}" if tree else f"n{k}/{path}"
        width, members = nodes[k]
        vertices[name] = width
        if len(vertices) > 4 * MAX_NODES:
            raise CheckFailed(f"the unrolled tensor network has more than {4 * MAX_NODES} vertices")
        for slot, (member, _) in enumerate(members):
            dim = M if member[0] == "x" else nodes[int(member[1:])][0]
            if member[0] == "x":
                edges[frozenset((name, member))] = min(width, dim)
                continue
            child = f"{path}.{slot}" if path else str(slot)
            edges[frozenset((name, f"{member}" if tree else f"{member}/{child}"))] = min(width, dim)
            stack.append((int(member[1:]), child))
    return vertices, edges


def separates(
    vertices: Iterable[str],
    edges: Iterable[frozenset[str]],
    removed_vertices: set[str],
    removed_edges: set[frozenset[str]],
    rows: list[int],
    cols: list[int],
) -> bool:
    """Whether removing these vertices and edges leaves no path from a leg x_i (i in rows) to a
    leg x_j (j in cols): a search from the I-legs that never reaches a J-leg."""
    neighbours: dict[str, list[str]] = {v: [] for v in vertices}
    for edge in edges:
        if edge not in removed_edges:
            a, b = tuple(edge)
            neighbours[a].append(b)
            neighbours[b].append(a)
    seen = {f"x{j}" for j in rows} - removed_vertices
    frontier = list(seen)
    while frontier:
        for w in neighbours[frontier.pop()]:
            if w not in seen and w not in removed_vertices:
                seen.add(w)
                frontier.append(w)
    return not any(f"x{j}" in seen for j in cols)
