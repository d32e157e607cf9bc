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
import operator
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any, cast

from .networks import Network, scopes_of, structure, template_matrix, weight_at
from .reader import (
    MAX_MINOR_ELIMINATION,
    MAX_MINOR_WORK,
    MAX_NODES,
    MAX_RANK_WORK,
    MINOR_GROWTH,
    CheckFailed,
    number,
)

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


def scaled_bits(rows: Iterable[Iterable[Any]]) -> int:
    """The largest size in bits of the integers :func:`rank` eliminates: each row times the
    lcm L of its denominators (pairwise coprime denominators make L, not one entry, large)."""
    bits = 1
    for row in rows:
        row = [Fraction(x) for x in row]
        scale = math.lcm(*(x.denominator for x in row)) if row else 1
        bits = max(
            bits,
            max((abs(x.numerator) * (scale // x.denominator)).bit_length() for x in row)
            if row
            else 1,
        )
    return bits


def rank_cost(N: int, M: int, rows: Any, entries: Iterable[Fraction]) -> None:
    """Refuse an exact rank beyond MAX_RANK_WORK: m·n·r·(r·B)^1.6 / 10^6 with r = min(m, n) and
    B a bound on the entry size in bits after the rows are scaled to integers (the largest
    numerator's bits plus those of the lcm of all denominators; fraction-free elimination
    grows entries to r·B bits)."""
    rows, cols = split(rows, N)
    m, n = M ** len(rows), M ** len(cols)
    r = min(m, n)
    top, scale = 1, 1
    for x in entries:
        top = max(top, x.numerator.bit_length())
        scale = math.lcm(scale, x.denominator)
        if scale.bit_length() > 10**6:
            break  # far beyond any limit: refused below
    bits = top + scale.bit_length()
    work = m * n * r * (r * max(bits, 1)) ** 1.6 / 10**6
    if work > MAX_RANK_WORK:
        raise CheckFailed(
            f"an exact rank of a {m}×{n} matrix of {bits}-bit entries is more than this "
            f"checker computes"
        )


# -- min-cut bounds ------------------------------------------------------------------------------
def tensor_network(net: Network) -> tuple[dict[str, int], dict[frozenset[str], int]]:
    """The tensor network of a product circuit as {vertex: capacity} and {edge: capacity}.

    Vertices: "xJ" (position J's leg) and a δ over [w_k] per node; a node used by several
    pools is duplicated with its sub-circuit, copies named "nK/p" (p: the slots on the path
    from the root, dot-separated; the root is "nR/"); a tree keeps "nK". Each member edge
    joins the member's vertex to its node's with capacity min(w_k, dim), dim the member's
    width, or ρ = rank F for a position.

    Leg capacities: position J is a δ over [M] on the template index d_J, and each of its
    edges is the matrix d_J -> W·F[d_J] (W the pool's conv block), of rank <= min(w_k, ρ),
    ρ = rank F. A position with ONE edge in the unrolled network: F = U·V with U of size
    M×ρ, so the leg is d_J -U- (a δ over [ρ]) -V·W- node, and the vertex "xJ" has capacity
    ρ. A position with several edges (overlap, or a reused node copied) is a copy tensor
    over [M] whose legs each carry F[d_J]: G is then of degree >= 2 in that row, the copies
    are not confined to ρ dimensions, and the vertex keeps capacity M. With F the identity
    (ρ = M) these are the plain capacities M and min(w_k, M). The unrolled network is
    refused beyond 4·MAX_NODES vertices or edges, counted as they are added.
    """
    nodes, _ = structure(net)
    N = net["N"]
    rho = f_rank(net)
    uses: dict[str, int] = {}
    for _, members in nodes:
        for m, _ in members:
            uses[m] = uses.get(m, 0) + 1
    tree = all(count == 1 for count in uses.values())
    vertices = {f"x{j}": net["M"] for j in range(N)}
    edges: dict[frozenset[str], int] = {}
    degree = {f"x{j}": 0 for j in range(N)}
    stack = [(len(nodes) - 1, "")]
    while stack:
        k, path = stack.pop()
        name = f"n{k}" if tree else f"n{k}/{path}"
        width, members = nodes[k]
        vertices[name] = width
        if len(vertices) + len(edges) + len(members) > 4 * MAX_NODES:
            raise CheckFailed(
                f"the unrolled tensor network has more than {4 * MAX_NODES} vertices and edges"
            )
        for slot, (member, _) in enumerate(members):
            dim = rho if member[0] == "x" else nodes[int(member[1:])][0]
            if member[0] == "x":
                edges[frozenset((name, member))] = min(width, dim)
                degree[member] += 1
                continue
            child = f"{path}.{slot}" if path else str(slot)
            edges[frozenset((name, f"{member}" if tree else f"{member}/{child}"))] = min(width, dim)
            stack.append((int(member[1:]), child))
    for position, count in degree.items():
        if count == 1:
            vertices[position] = min(net["M"], rho)
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


def f_rank(net: Network) -> int:
    """rank F, exactly (M for a network without F, the identity); refused beyond
    MAX_RANK_WORK in the units of :func:`~symtd.checker.arithmetic.rank_cost`."""
    M = net["M"]
    if "F" not in net:
        return int(M)
    F = template_matrix(net)
    bits = scaled_bits(F)
    if M**3 * (M * max(bits, 1)) ** 1.6 / 10**6 > MAX_RANK_WORK:
        raise CheckFailed(f"the exact rank of a {M}×{M} F is more than this checker computes")
    return min(M, rank(F))


# -- single grid entries and minors ------------------------------------------------------------
def exact(x: Fraction) -> Fraction | int:
    """x as an int when it is one (ints keep the forward pass fast; mixed with Fractions
    every operation stays exact)."""
    return x.numerator if x.denominator == 1 else x


class Exact(Rational):
    """Exact arithmetic on ints and Fractions (sums start from the int 0)."""

    @staticmethod
    def total(xs: Iterable[Any]) -> Any:
        """Σ xs."""
        return sum(xs, 0)

    @staticmethod
    def max0(xs: Iterable[Any]) -> Any:
        """max(0, xs)."""
        return max(0, *xs)


EXACT = Exact()


class Circuit:
    """A network with weights, ready for the forward pass at single template tuples: the
    nodes of format v2 with each member's conv block as exact numbers (ints where integral),
    the output weights, and W·F[e] for the position blocks, read only where used (without F,
    the identity, that is column e of W: F is never built)."""

    def __init__(self, net: Network) -> None:
        self.op, self.N, self.M = net["operator"], net["N"], net["M"]
        self.nodes, output = structure(net)
        self.net = net
        self.blocks: dict[str, list[list[Any]]] = {}
        self.leaves: dict[tuple[str, int], list[Any]] = {}
        # node k's members: (is a position, its index, its block's prefix)
        self.members = [
            [(m[0] == "x", int(m[1:]), prefix) for m, prefix in pool] for _, pool in self.nodes
        ]
        self.output = [exact(weight_at(net, f"{output}[{a}]")) for a in range(self.nodes[-1][0])]

    def block(self, prefix: str, rows: int, cols: int) -> list[list[Any]]:
        """The conv block at ``prefix`` (rows × cols), read once."""
        if prefix not in self.blocks:
            self.blocks[prefix] = [
                [exact(weight_at(self.net, f"{prefix}[{g}][{a}]")) for a in range(cols)]
                for g in range(rows)
            ]
        return self.blocks[prefix]

    def leaf(self, prefix: str, width: int, e: int) -> list[Any]:
        """W·F[e] for the position block W at ``prefix``: column e of W when F is absent."""
        if (prefix, e) not in self.leaves:
            W = self.block(prefix, width, self.M)
            if "F" in self.net:
                f = [exact(number(x)) for x in self.net["F"][e]]
                self.leaves[prefix, e] = [sum(map(operator.mul, row, f)) for row in W]
            else:
                self.leaves[prefix, e] = [row[e] for row in W]
        return self.leaves[prefix, e]

    def node(self, k: int, args: list[Any]) -> list[Any]:
        """h of node k from its members' arguments: a position's template e (its input is
        W·F[e]) or a node's value x (its input is W·x), pooled channel by channel by the
        operator's ρ (as :func:`pool`: product, max(0, ·), Σ relu, or its mean)."""
        width = self.nodes[k][0]
        inputs = []
        for (position, _, prefix), x in zip(self.members[k], args):
            if position:
                inputs.append(self.leaf(prefix, width, x))
                continue
            W = self.block(prefix, width, len(x))
            inputs.append([sum(map(operator.mul, row, x)) for row in W])
        channels = zip(*inputs)
        if self.op == "product":
            return [math.prod(c) for c in channels]
        if self.op == "max":
            return [max(0, *c) for c in channels]
        sums = [sum(x for x in c if x > 0) for c in channels]
        return [Fraction(x, len(inputs)) for x in sums] if self.op == "avg" else sums

    def value(self, root: list[Any]) -> Fraction:
        """The output Σ_α output[α]·h_α of the root node's value."""
        return Fraction(sum(map(operator.mul, self.output, root)))


def entry(net: Network, d: Any) -> Fraction:
    """G[d] for one template tuple d (the forward pass at d alone: each node once), exactly;
    the same number as ``grid(net)[d]``."""
    circuit = Circuit(net)
    values: list[list[Any]] = []
    for members in circuit.members:
        values.append(circuit.node(len(values), [d[m] if x else values[m] for x, m, _ in members]))
    return circuit.value(values[-1])


def size(x: Any) -> int:
    """Bits of an exact number (numerator and denominator)."""
    return int(x.bit_length()) if isinstance(x, int) else size(x.numerator) + size(x.denominator)


def minor_work(net: Network, rows: list[int], r: int) -> int:
    """Multiply-adds for the r×r grid entries of a minor (an upper bound): node k is
    evaluated once per distinct restriction of the tuples to its positions S, at most
    min(r, M^|S∩I|)·min(r, M^|S∩J|) times, at width × Σ member dims each; plus, per entry,
    one step per position, node and output weight (building the tuple, looking values up)."""
    nodes, _ = structure(net)
    N, M = net["N"], net["M"]
    scopes, inside = scopes_of(nodes, N), set(rows)

    def distinct(count: int) -> int:
        return r if count * math.log2(max(M, 2)) > 64 else min(r, M**count)

    work = r * r * (N + len(nodes) + nodes[-1][0])
    for k, (width, pool) in enumerate(nodes):
        a = sum(p in inside for p in scopes[f"n{k}"])
        times = distinct(a) * distinct(len(scopes[f"n{k}"]) - a)
        work += times * sum(width * (M if m[0] == "x" else nodes[int(m[1:])][0]) for m, _ in pool)
    return work


def minor_entries(
    net: Network, rows: list[int], row_tuples: list[list[int]], col_tuples: list[list[int]]
) -> list[list[Fraction]]:
    """The r×r matrix [G[d(p, q)]] over the row tuples p (templates at the positions I =
    ``rows``) and column tuples q (at J, increasing), by forward passes at single tuples.

    Node k's value depends only on the templates at its own positions, so it is kept per
    distinct restriction (named by its members' templates and ids); each entry evaluates
    only the nodes whose restriction is new. Refused beyond MAX_MINOR_WORK before any work,
    and as soon as the work weighted by the numbers' sizes (long weights make long entries)
    passes MINOR_GROWTH times that.
    """
    rows, cols = split(rows, net["N"])
    r = len(row_tuples)
    work = minor_work(net, rows, r)
    if work > MAX_MINOR_WORK:
        raise CheckFailed(
            f"the minor's {r}×{r} entries need {work} multiply-adds, more than this checker "
            f"does ({MAX_MINOR_WORK})"
        )
    circuit = Circuit(net)
    work_of = [
        width * sum(circuit.M if x else circuit.nodes[m][0] for x, m, _ in members)
        for (width, _), members in zip(circuit.nodes, circuit.members)
    ]
    spent = 0.0  # multiply-adds, each weighted by the size of the numbers, (1 + bits/64)^1.6
    seen: list[dict[tuple[Any, ...], int]] = [{} for _ in circuit.members]  # key -> id
    kept: list[list[list[Any]]] = [[] for _ in circuit.members]  # id -> value
    at_j = {j: [q[t] for q in col_tuples] for t, j in enumerate(cols)}
    matrix_ = []
    for p in row_tuples:
        at = dict(at_j)
        at.update((j, [p[t]] * len(col_tuples)) for t, j in enumerate(rows))
        ids: dict[int, list[int]] = {}
        for k, members in enumerate(circuit.members):
            # a node's key on each column: its members' templates (positions) and ids (nodes)
            keys = list(zip(*(at[m] if x else ids[m] for x, m, _ in members)))
            found = [seen[k].get(key) for key in keys]
            for t in (t for t, i in enumerate(found) if i is None):
                key = keys[t]
                if key not in seen[k]:
                    args = [e if x else kept[m][e] for (x, m, _), e in zip(members, key)]
                    seen[k][key] = len(kept[k])
                    kept[k].append(circuit.node(k, args))
                    bits = max(size(x) for x in kept[k][-1])
                    spent += work_of[k] * (1 + bits / 64) ** 1.6
                    if spent > MAX_MINOR_WORK * MINOR_GROWTH:
                        raise CheckFailed(
                            f"the minor's entries grow to {bits}-bit numbers: more arithmetic "
                            "than this checker does"
                        )
                found[t] = seen[k][key]
            ids[k] = cast(list[int], found)
        matrix_.append([circuit.value(kept[-1][i]) for i in ids[len(kept) - 1]])
    return matrix_


def elimination_cost(r: int) -> None:
    """Refuse an r×r elimination beyond MAX_MINOR_ELIMINATION (r³ operations)."""
    if r**3 > MAX_MINOR_ELIMINATION:
        raise CheckFailed(
            f"eliminating a {r}×{r} minor ({r**3} operations) is more than this checker does "
            f"({MAX_MINOR_ELIMINATION})"
        )


WITNESSES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)


def is_prime(n: int) -> bool:
    """Whether n is prime, for 0 <= n < 3.3·10^24: trial division below 41², else
    Miller–Rabin to the bases 2, 3, ..., 41 (the first 13 primes), which no composite below
    3.317·10^24 passes (Sorenson & Webster 2015), so the answer is a proof there."""
    if not 0 <= n < 3_317_044_064_679_887_385_961_981:
        raise CheckFailed("primality is proven here below 3.3·10^24 only")
    if n < 41 * 41:
        return n >= 2 and all(n % q for q in range(2, math.isqrt(n) + 1))
    s, t = 0, n - 1
    while t % 2 == 0:
        s, t = s + 1, t // 2
    for a in WITNESSES:
        x = pow(a, t, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def rank_mod(A: list[list[int]], p: int) -> int:
    """The rank over the field Z/p (p prime) of an integer matrix: Gaussian elimination, the
    rows kept from the current column on (about n³/3 operations for n×n; fastest for
    p < 2^31, whose products stay small)."""
    rows = [[x % p for x in row] for row in A]
    r = 0
    while rows and rows[0]:
        pivot = next((i for i, row in enumerate(rows) if row[0]), None)
        if pivot is None:
            rows = [row[1:] for row in rows]
            continue
        top = rows.pop(pivot)
        inverse = pow(top[0], -1, p)
        top = [x * inverse % p for x in top[1:]]
        reduced = []
        for row in rows:
            f = p - row[0]  # row - row[0]·top, as row + (p - row[0])·top
            reduced.append([(x + f * y) % p for x, y in zip(row[1:], top)] if f < p else row[1:])
        rows = reduced
        r += 1
    return r
