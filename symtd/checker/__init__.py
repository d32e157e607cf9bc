"""Independent checker for symtd certificates: a small trusted path.

It re-verifies a certificate from its data alone and shares no code with the generator
(it imports nothing from symtd): its own strict JSON reading (duplicate keys and
over-long numbers refused), its own validating reader of network documents (formats
v1 and v2), one plain forward recursion over the circuit in
Fractions (each node evaluated once per assignment of templates to its positions), its
own exact rank (fraction-free elimination over Q), its own check of min-cut bounds on
the circuit's tensor network, and its own canonical algebra for the symbolic claims
(T3, T6). It refuses work beyond explicit cost limits (LIMITS) instead of running long.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from fractions import Fraction

FORMAT = "symtd-certificate/1"
MAX_DIGITS = 10_000  # characters of one exact number (symtd's reader uses the same)
_NUMBER = re.compile(r"[+-]?([0-9]+(/[0-9]+)?|[0-9]+\.[0-9]*|\.[0-9]+)\Z")
MAX_ENTRIES, MAX_WIDTH, MAX_NODES = 2**16, 2**12, 2**12
MAX_WORK = 2 * 10**6  # multiply-adds of one forward pass (a few seconds in Fractions)
MAX_RANK_WORK = 2 * 10**6  # of one exact rank, in the units of _rank_cost (about 10 s)
MAX_NETWORKS, MAX_SYMBOLIC_WIDTH, MAX_SYMBOLIC_N = 64, 4, 16
MAX_SYMBOLIC_TUPLES = 256  # template tuples the symbolic T3 identity is expanded at
MAX_KERNEL = 64
LIMITS = {
    "grid entries per network": MAX_ENTRIES,
    "width": MAX_WIDTH,
    "nodes": MAX_NODES,
    "forward work": MAX_WORK,
    "rank work m·n·r·(r·bits)^1.6/10^6": MAX_RANK_WORK,
    "networks per certificate": MAX_NETWORKS,
    "digits per number": MAX_DIGITS,
    "width in symbolic claims": MAX_SYMBOLIC_WIDTH,
    "N in symbolic claims": MAX_SYMBOLIC_N,
    "M^N in the symbolic T3 identity": MAX_SYMBOLIC_TUPLES,
    "overlapping kernel": MAX_KERNEL,
    "forward work per file": 25 * MAX_WORK,
}
OPERATORS = ("product", "max", "sum", "avg")
_MEMBER = re.compile(r"([xn])(0|[1-9][0-9]{0,9})\Z")
_BLOCK = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}\Z")


class CheckFailed(Exception):
    """A certificate claim that does not hold (or cannot be read)."""


def loads(text):
    """Parse certificate JSON strictly; ValueError for duplicate keys, NaN or long numbers."""

    def pairs(items):
        obj = {}
        for key, value in items:
            if key in obj:
                raise ValueError(f"duplicate key {ascii(key)[:40]}")
            obj[key] = value
        return obj

    def integer(digits):
        if len(digits) > MAX_DIGITS + 1:
            raise ValueError(f"a number has more than {MAX_DIGITS} digits")
        return int(digits)

    def constant(name):
        raise ValueError(f"{name} is not valid JSON")

    def floating(digits):
        if len(digits) > MAX_DIGITS + 2:
            raise ValueError(f"a number has more than {MAX_DIGITS} digits")
        return float(digits)

    return json.loads(
        text,
        object_pairs_hook=pairs,
        parse_int=integer,
        parse_float=floating,
        parse_constant=constant,
    )


def number(x):
    """An exact number: a JSON integer or a string "-3", "-3/2", "0.25" (no spaces)."""
    if (
        isinstance(x, bool)
        or not isinstance(x, (int, str))
        or (isinstance(x, str) and (len(x) > MAX_DIGITS + 2 or not _NUMBER.match(x)))
        or (isinstance(x, int) and x.bit_length() > 3.33 * MAX_DIGITS)
    ):
        raise CheckFailed(f"not an exact number: {ascii(x)[:40]}")
    if isinstance(x, str) and "/" in x and int(x.split("/")[1]) == 0:
        raise CheckFailed(f"zero denominator: {x!r}")
    return Fraction(x)


def _positive(x, limit):
    return isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= limit


# -- network documents ---------------------------------------------------------------------------
_KEYS_V1 = {
    "format",
    "architecture",
    "N",
    "M",
    "operator",
    "widths",
    "levels",
    "shared",
    "F",
    "weights",
}
_KEYS_V2 = {"format", "N", "M", "operator", "F", "nodes", "output", "weights"}


def levels_of(net):
    """The levels of a v1 document (shallow and deep expanded)."""
    if net["architecture"] == "tree":
        return net["levels"]
    N = net["N"]
    if net["architecture"] == "shallow":
        return [[list(range(N))]]
    levels, size = [], N
    while size > 1:
        levels.append([[2 * t, 2 * t + 1] for t in range(size // 2)])
        size //= 2
    return levels


def structure(net):
    """(nodes, output): nodes[k] = (width, [(member, block prefix)]), the circuit of format v2.

    A v2 document lists them; for a v1 document position j feeds its level-1 window
    through "layer0[j]" ("layer0" when shared), node t of level l its parent through
    "layer{l}[t]", and the output is "output": so the JSON path of a weight is always
    prefix + "[γ][α]" (or "output[α]").
    """
    if net["format"] == "symtd-network/2":
        return [(node["width"], [tuple(e) for e in node["pool"]]) for node in net["nodes"]], net[
            "output"
        ]
    shared, widths, levels = net.get("shared", False), net["widths"], levels_of(net)
    nodes, names, first = [], [f"x{j}" for j in range(net["N"])], 0
    for depth, level in enumerate(levels):
        for window in level:
            nodes.append(
                (
                    widths[depth],
                    [
                        (names[i], f"layer{depth}" if shared else f"layer{depth}[{i}]")
                        for i in window
                    ],
                )
            )
        names = [f"n{first + t}" for t in range(len(level))]
        first += len(level)
    return nodes, "output"


def scopes_of(nodes, N):
    """{member: positions under it, increasing}."""
    scopes = {f"x{j}": (j,) for j in range(N)}
    for k, (_, pool) in enumerate(nodes):
        scopes[f"n{k}"] = tuple(sorted({p for m, _ in pool for p in scopes[m]}))
    return scopes


def validate(net, name):
    """Check a network document's structure, shapes and cost; returns the cost of its forward
    pass (multiply-adds); raises CheckFailed."""

    def fail(why):
        raise CheckFailed(f"network {ascii(name)[:40]}: {why}")

    if not isinstance(net, dict) or net.get("format") not in ("symtd-network/1", "symtd-network/2"):
        fail("not a symtd-network/1 or /2 document")
    v2 = net["format"] == "symtd-network/2"
    keys = _KEYS_V2 if v2 else _KEYS_V1
    required = {"format", "N", "M", "operator"} | (
        {"nodes", "output"} if v2 else {"architecture", "widths"}
    )
    if set(net) - keys or required - set(net):
        fail("unknown or missing keys")
    N, M = net["N"], net["M"]
    if (
        not (_positive(N, MAX_ENTRIES) and _positive(M, MAX_ENTRIES))
        or net["operator"] not in OPERATORS
    ):
        fail("N, M must be positive integers and the operator one of product, max, sum, avg")
    if M > 1 and N * math.log2(M) > 16 or M ** min(N, 17) > MAX_ENTRIES:
        fail(f"M^N = {M}^{N} grid entries is more than this checker evaluates ({MAX_ENTRIES})")
    if v2:
        _validate_v2(net, fail)
    else:
        _validate_v1(net, fail)
    nodes, output = structure(net)
    if len(nodes) > MAX_NODES:
        fail(f"more than {MAX_NODES} nodes")
    scopes = scopes_of(nodes, N)
    work = sum(
        M ** len(scopes[f"n{k}"])
        * sum(width * (M if m[0] == "x" else nodes[int(m[1:])][0]) for m, _ in pool)
        for k, (width, pool) in enumerate(nodes)
    )
    if work > MAX_WORK:
        fail(
            f"its forward pass needs {work} multiply-adds, more than this checker does ({MAX_WORK})"
        )
    if "F" in net:
        _shaped(net["F"], [M, M], fail, "F")
    return work


def _validate_v1(net, fail):
    N, arch = net["N"], net["architecture"]
    if (
        arch == "deep"
        and (N < 2 or N & (N - 1))
        or arch == "shallow"
        and N < 2
        or (arch == "tree") != ("levels" in net)
        or arch not in ("tree", "shallow", "deep")
    ):
        fail(f"architecture {ascii(arch)[:20]} does not fit N = {N} (or 'levels' misplaced)")
    levels, size = levels_of(net), N
    if not isinstance(levels, list) or not levels:
        fail("levels must be a non-empty list")
    for level in levels:
        ok = isinstance(level, list) and all(
            isinstance(w, list)
            and len(w) >= 2
            and all(isinstance(i, int) and not isinstance(i, bool) for i in w)
            for w in level
        )
        if not ok or sorted(i for window in level for i in window) != list(range(size)):
            fail("every level must partition the level below into windows of size >= 2")
        size = len(level)
    if size != 1:
        fail("the last level must be a single window (the root)")
    widths = net["widths"]
    if (
        not isinstance(widths, list)
        or len(widths) != len(levels)
        or not all(_positive(w, MAX_WIDTH) for w in widths)
    ):
        fail(f"widths must be {len(levels)} positive integers <= {MAX_WIDTH}")
    shared = net.get("shared", False)
    if shared not in (True, False):
        fail("shared must be true or false")
    if "weights" in net:
        M = net["M"]
        counts = [N] + [len(level) for level in levels[:-1]]
        shapes = {
            f"layer{l}": ([] if shared else [counts[l]])
            + [widths[l], M if l == 0 else widths[l - 1]]
            for l in range(len(levels))
        }
        shapes["output"] = [widths[-1]]
        if not isinstance(net["weights"], dict) or set(net["weights"]) != set(shapes):
            fail(f"weights must have exactly the blocks {sorted(shapes)}")
        for key, shape in shapes.items():
            _shaped(net["weights"][key], shape, fail, key)


def _validate_v2(net, fail):
    N, M, nodes = net["N"], net["M"], net["nodes"]
    if not isinstance(nodes, list) or not 1 <= len(nodes) <= MAX_NODES:
        fail(f"nodes must be a list of 1..{MAX_NODES} nodes")
    shapes, used = {}, set()
    for k, node in enumerate(nodes):
        if (
            not isinstance(node, dict)
            or set(node) != {"width", "pool"}
            or not _positive(node["width"], MAX_WIDTH)
            or not isinstance(node["pool"], list)
            or not node["pool"]
        ):
            fail(f"node {k} must be {{width: 1..{MAX_WIDTH}, pool: a non-empty list}}")
        members = []
        for entry in node["pool"]:
            if not (
                isinstance(entry, list)
                and len(entry) == 2
                and all(isinstance(e, str) for e in entry)
            ):
                fail(f"node {k}: pool entries are [member, block] strings")
            match, block = _MEMBER.match(entry[0]), entry[1]
            if (
                not match
                or not _BLOCK.match(block)
                or int(match.group(2)) >= (N if match.group(1) == "x" else k)
            ):
                fail(
                    f"node {k}: {ascii(entry)[:60]} is not a position or earlier node with a "
                    "block name"
                )
            dim = M if match.group(1) == "x" else nodes[int(match.group(2))]["width"]
            if shapes.setdefault(block, [node["width"], dim]) != [node["width"], dim]:
                fail(f"block {block} is used with two shapes")
            members.append(entry[0])
        if len(set(members)) != len(members):
            fail(f"node {k} lists a member twice")
        used.update(members)
    if used != {f"x{j}" for j in range(N)} | {f"n{k}" for k in range(len(nodes) - 1)}:
        fail("every position and every node but the root must be a member of a later node")
    output = net["output"]
    if not isinstance(output, str) or not _BLOCK.match(output) or output in shapes:
        fail("output must name a block of its own")
    shapes[output] = [nodes[-1]["width"]]
    if "weights" in net:
        if not isinstance(net["weights"], dict) or set(net["weights"]) != set(shapes):
            fail(f"weights must have exactly the blocks {sorted(shapes)[:8]}")
        for key, shape in shapes.items():
            _shaped(net["weights"][key], shape, fail, key)


def _shaped(value, shape, fail, what):
    """value is a nested list of exactly this shape with exact numbers at the leaves."""
    if not shape:
        number(value)
        return
    if not isinstance(value, list) or len(value) != shape[0]:
        fail(f"{what} must have shape {shape}")
    for x in value:
        _shaped(x, shape[1:], fail, what)


# -- evaluation ------------------------------------------------------------------------------------
def forward(net, leaf, weight, algebra, choices=1, rep=None):
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
    scopes, tables, matrices = scopes_of(nodes, N), {}, {}

    def block(prefix, rows, cols):
        if prefix not in matrices:
            matrices[prefix] = [
                [weight(f"{prefix}[{g}][{a}]") for a in range(cols)] for g in range(rows)
            ]
        return matrices[prefix]

    def conv(W, values):
        return [algebra.total([algebra.mul(w, x) for w, x in zip(row, values)]) for row in W]

    inputs_of = {}
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
                        inputs_of[key] = (
                            [leaf(j, g, e) for g in range(width)]
                            if rep is None
                            else conv(block(name, width, net["M"]), rep(j, e))
                        )
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


def weight_at(net, path):
    """The exact number at a JSON path of net["weights"], e.g. "layer1[0][1][0]" or "A[1][0]"."""
    name, *indices = re.findall(r"[A-Za-z0-9_]+", path)
    value = net["weights"][name]
    for k in indices:
        value = value[int(k)]
    return number(value)


def template_matrix(net):
    """The M × M template matrix of a network document, F[d][k] = f_k(x^(d)), in Fractions:
    its "F" entry, the identity when it has none."""
    M = net["M"]
    if "F" in net:
        return [[number(x) for x in row] for row in net["F"]]
    return [[Fraction(int(i == k)) for k in range(M)] for i in range(M)]


def layer0(net, j):
    """Layer-0 weights of position j in a v1 document."""
    return net["weights"]["layer0"] if net.get("shared", False) else net["weights"]["layer0"][j]


def grid(net):
    """Dict tuple -> h_y over all M^N template tuples (the forward pass), in Fractions."""
    F, cache = template_matrix(net), {}

    def weight(path):
        if path not in cache:
            cache[path] = weight_at(net, path)
        return cache[path]

    return forward(net, None, weight, RATIONAL, net["M"], rep=lambda j, d: F[d])


class Rational:
    """Exact arithmetic on Fractions."""

    constant = staticmethod(Fraction)

    @staticmethod
    def mul(x, y):
        return x * y

    @staticmethod
    def total(xs):
        return sum(xs, Fraction(0))

    @staticmethod
    def max0(xs):
        return max([Fraction(0)] + list(xs))

    def pool(self, op, xs):
        """The operator ``op``'s pooling ρ(xs) in Fractions (see :func:`pool`)."""
        return pool(self, op, xs)


RATIONAL = Rational()


def pool(algebra, op, xs):
    """The operator's ρ in terms of the algebra's mul, total, max0 and scale-by-constant."""
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


class Symbolic:
    """Polynomials over Q in symbols and max(0, ...) atoms, under sign facts for symbols.

    An expression is {monomial: coefficient}; a monomial is a frozenset of (factor, power);
    a factor is a symbol name or ("max0", frozenset of argument keys), key(x) =
    frozenset(x.items()). Besides the ring laws the only rewrites are, for
    max(0, x_1, ..., x_k): drop an x_i that is <= 0; c·max(0, xs) = max(0, c·xs) when
    c >= 0; max(0, x) = x when x >= 0. Each is valid wherever the sign facts hold, so
    equal canonical forms are equal functions there; unequal forms prove nothing.
    """

    def __init__(self, signs=None):
        self.signs = dict(signs or {})  # symbol name -> +1 (> 0) or -1 (< 0)

    @staticmethod
    def constant(c):
        return {frozenset(): Fraction(c)} if c else {}

    @staticmethod
    def symbol(name):
        return {frozenset({(name, 1)}): Fraction(1)}

    @staticmethod
    def total(xs):
        out = {}
        for x in xs:
            for m, c in x.items():
                out[m] = out.get(m, 0) + c
        return {m: c for m, c in out.items() if c}

    @staticmethod
    def mul(x, y):
        out = {}
        for m1, c1 in x.items():
            for m2, c2 in y.items():
                powers = dict(m1)
                for f, p in m2:
                    powers[f] = powers.get(f, 0) + p
                m = frozenset(powers.items())
                out[m] = out.get(m, 0) + c1 * c2
        return {m: c for m, c in out.items() if c}

    def sign(self, x):
        """+1 if x >= 0 wherever the sign facts hold, -1 if x <= 0, 0 if x = 0, None if unknown."""
        found = {self._term_sign(m, c) for m, c in x.items()}
        if not found:
            return 0
        return found.pop() if len(found) == 1 and None not in found else None

    def _term_sign(self, m, c):
        s = 1 if c > 0 else -1
        for f, p in m:
            fs = 1 if isinstance(f, tuple) else self.signs.get(f)  # max0 atoms are >= 0
            if fs is None and p % 2:
                return None
            if fs == -1 and p % 2:
                s = -s
        return s

    def max0(self, xs):
        """max(0, xs) in canonical form: arguments that are <= 0 dropped, nested max(0, ...)
        flattened through non-negative factors, the argument itself when it alone is >= 0."""
        args = {}
        for x in xs:
            for y in self._flatten(x):
                if self.sign(y) not in (0, -1):
                    args[frozenset(y.items())] = y
        if not args:
            return {}
        if len(args) == 1 and self.sign(next(iter(args.values()))) == 1:
            return next(iter(args.values()))
        return {frozenset({(("max0", frozenset(args)), 1)}): Fraction(1)}

    def _flatten(self, x):
        """[c·ys] for a single term x = c·max(0, ys) with c >= 0, else [x]."""
        if len(x) == 1:
            ((m, c),) = x.items()
            atom = next(((f, p) for f, p in m if isinstance(f, tuple) and p == 1), None)
            if atom is not None:
                rest = {m - {atom}: c}
                if self.sign(rest) == 1:
                    return [
                        y for key in atom[0][1] for y in self._flatten(self.mul(rest, dict(key)))
                    ]
        return [x]

    def pool(self, op, xs):
        """The operator ``op``'s pooling ρ(xs) as a canonical expression (see :func:`pool`)."""
        return pool(self, op, xs)


def split(rows, N):
    """(I, J) for a list of distinct row positions I in range(N)."""
    if not (
        isinstance(rows, list)
        and all(isinstance(k, int) and not isinstance(k, bool) and 0 <= k < N for k in rows)
        and len(set(rows)) == len(rows)
    ):
        raise CheckFailed(f"rows {rows!r} are not distinct positions 0..{N - 1}")
    return rows, [k for k in range(N) if k not in rows]


def matrix(G, N, M, rows):
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


def rank(A):
    """Exact rank over Q: rows scaled to integers, then fraction-free (Bareiss) elimination."""
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


# -- min-cut bounds ------------------------------------------------------------------------------
def tensor_network(net):
    """The tensor network of a product circuit as {vertex: capacity} and {edge: capacity}.

    Vertices: "xJ" (position J's leg, a δ over [M]) and a δ over [w_k] per node; a node used
    by several pools is duplicated with its sub-circuit, copies named "nK/p" (p: the slots
    on the path from the root, dot-separated; the root is "nR/"); a tree keeps "nK". Each
    member edge joins the member's vertex to its node's with capacity min(w_k, dim).
    """
    nodes, _ = structure(net)
    N, M = net["N"], net["M"]
    uses = {}
    for _, pool in nodes:
        for m, _ in pool:
            uses[m] = uses.get(m, 0) + 1
    tree = all(count == 1 for count in uses.values())
    vertices = {f"x{j}": M for j in range(N)}
    edges, stack = {}, [(len(nodes) - 1, "")]
    while stack:
        k, path = stack.pop()
        name = f"n{k}" if tree else f"n{k}/{path}"
        width, pool = nodes[k]
        vertices[name] = width
        if len(vertices) > 4 * MAX_NODES:
            raise CheckFailed(f"the unrolled tensor network has more than {4 * MAX_NODES} vertices")
        for slot, (member, _) in enumerate(pool):
            dim = M if member[0] == "x" else nodes[int(member[1:])][0]
            if member[0] == "x":
                edges[frozenset((name, member))] = min(width, dim)
                continue
            child = f"{path}.{slot}" if path else str(slot)
            edges[frozenset((name, f"{member}" if tree else f"{member}/{child}"))] = min(width, dim)
            stack.append((int(member[1:]), child))
    return vertices, edges


def _cut_bound(claim, net, G, cert):
    """The claimed cut separates the I-legs from the J-legs and its capacities multiply to the
    bound; then rank [G]_{I,J} <= bound for ALL weights (tensor-network cut)."""
    if net["operator"] != "product":
        raise CheckFailed("min-cut bounds hold for product circuits only")
    rows, cols = split(claim["rows"], net["N"])
    vertices, edges = tensor_network(net)
    removed_vertices, removed_edges, product = set(), set(), 1
    for item in claim["cut"]:
        if (
            isinstance(item, list)
            and len(item) == 2
            and item[0] == "vertex"
            and item[1] in vertices
        ):
            removed_vertices.add(item[1])
            product *= vertices[item[1]]
        elif (
            isinstance(item, list)
            and len(item) == 3
            and item[0] == "edge"
            and frozenset(item[1:]) in edges
            and len(set(item[1:])) == 2
        ):
            removed_edges.add(frozenset(item[1:]))
            product *= edges[frozenset(item[1:])]
        else:
            raise CheckFailed(f"cut item {ascii(item)[:60]} is not a vertex or edge of the network")
    if len(removed_vertices) + len(removed_edges) != len(claim["cut"]):
        raise CheckFailed("the cut lists an item twice")
    neighbours = {v: [] for v in vertices}
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
    if any(f"x{j}" in seen for j in cols):
        raise CheckFailed("the claimed cut does not separate the I-legs from the J-legs")
    if product != claim["bound"]:
        raise CheckFailed(f"the cut's capacities multiply to {product}, not {claim['bound']}")


# -- the claims each theorem instance needs ------------------------------------------------------
_T4_GENERAL = {
    "architecture",
    "operator",
    "N",
    "M",
    "r",
    "seed",
    "shared",
    "partition",
    "rows",
    "rank",
    "Z",
}
_INSTANCE = {  # theorem: (keys of its instance, values they must have)
    "T1": ({"architecture", "operator", "N", "M", "target"}, {"operator": "product"}),
    "T2": ({"architecture", "operator", "N", "M", "target"}, {"operator": "max"}),
    "T3": ({"N", "M", "architecture", "operator", "widths", "rows"}, {}),
    "T4": (
        {"architecture", "operator", "N", "M", "r", "seed"},
        {"architecture": "deep", "operator": "product"},
    ),
    "T4 recurrent": (_T4_GENERAL, {"operator": "product"}),
    "T4 overlapping": (_T4_GENERAL | {"kernel", "stride"}, {"operator": "product"}),
    "T5": ({"architecture", "operator", "N", "M"}, {"architecture": "deep", "operator": "max"}),
    "T5 lemma": (
        {"architecture", "operator", "N", "M", "Z", "part", "count"},
        {"architecture": "shallow", "operator": "max", "part": "lemma"},
    ),
    "T6": (
        {"architecture", "operator", "N", "M", "widths", "live", "seed"},
        {"architecture": "deep", "operator": "max"},
    ),
    "T7": (
        {"architecture", "N", "M", "templates", "biases", "operator", "covering"},
        {"architecture": "deep"},
    ),
}
_INTEGERS = ("N", "M", "r", "Z", "count", "kernel", "stride", "rank", "live", "seed")


def _schema(theorem, inst):
    """The instance has exactly its theorem's keys and fixed values, integers where integers
    belong."""
    if not isinstance(theorem, str) or not isinstance(inst, dict):
        raise CheckFailed("theorem must be a string and instance an object")
    name = theorem
    if theorem == "T4" and inst.get("architecture") in ("recurrent", "overlapping"):
        name = f"T4 {inst['architecture']}"
    if theorem == "T5" and inst.get("part") == "lemma":
        name = "T5 lemma"
    if name not in _INSTANCE:
        raise CheckFailed(f"unknown theorem {ascii(theorem)[:20]}")
    keys, fixed = _INSTANCE[name]
    if set(inst) != keys or not all(same(inst[k], v) for k, v in fixed.items()):
        raise CheckFailed(f"{name} instances have exactly the keys {sorted(keys)} with {fixed}")
    for key in _INTEGERS:
        if key in inst and not (
            isinstance(inst[key], int)
            and not isinstance(inst[key], bool)
            and 0 <= inst[key] < 2**63
        ):
            raise CheckFailed(f"instance {key} must be a non-negative integer")
    return name


def expected_nodes(inst):
    """The node list of the named general architecture (as symtd's builders make it), for T4
    instances."""
    N, r, shared = inst["N"], inst["r"], inst["shared"]
    if inst["architecture"] == "recurrent":

        def name(kind, t):
            return kind if shared or kind == "A" else f"{kind}{t}"

        nodes = [(r, [("x0", "A"), ("x1", name("B", 1))])]
        nodes += [(r, [(f"n{t - 2}", name("C", t)), (f"x{t}", name("B", t))]) for t in range(2, N)]
        return nodes, "out"
    k, s = inst["kernel"], inst["stride"]
    if not (_positive(k, MAX_KERNEL) and _positive(s, k) and k >= 2):
        raise CheckFailed(
            f"overlapping instances need 2 <= kernel <= {MAX_KERNEL} and 1 <= stride <= kernel"
        )
    nodes, items, layer = [], [f"x{j}" for j in range(N)], 0
    while len(items) > 1 or layer == 0:
        n = len(items)
        starts = [0] if n <= k else list(range(0, n - k + 1, s))
        if starts[-1] + min(k, n) < n:
            starts.append(n - k)
        first = len(nodes)
        for t, start in enumerate(starts):
            nodes.append(
                (
                    r,
                    [
                        (m, f"W{layer + 1}_{i}" if shared else f"W{layer + 1}_{t}_{i}")
                        for i, m in enumerate(items[start : start + k])
                    ],
                )
            )
        items, layer = [f"n{first + t}" for t in range(len(starts))], layer + 1
        if len(nodes) > MAX_NODES:
            raise CheckFailed("the overlapping architecture is too large for this checker")
    return nodes, "out"


def expected_levels(architecture, N):
    """Levels of the named v1 geometries (N = 2^L where binary)."""
    if architecture == "shallow":
        return [[list(range(N))]]
    pair = {
        "deep": lambda n: [[2 * t, 2 * t + 1] for t in range(n // 2)],
        "mirror": lambda n: [[i, n - 1 - i] for i in range(n // 2)],
        "dilated": lambda n: [[i, i + n // 2] for i in range(n // 2)],
    }[architecture]
    levels, size = [], N
    while size > 1:
        levels.append(pair(size))
        size //= 2
    return levels


def _theorem(cert):
    """The claims a theorem instance needs, with the values the theorem predicts."""
    nets, inst, theorem = cert["networks"], cert["instance"], cert["theorem"]
    _schema(theorem, inst)
    N, M = inst["N"], inst["M"]
    if not (_positive(N, MAX_ENTRIES) and _positive(M, MAX_ENTRIES)):
        raise CheckFailed("instance N and M must be positive integers")
    if not 1 <= len(nets) <= MAX_NETWORKS:
        raise CheckFailed(f"a certificate carries 1..{MAX_NETWORKS} networks")
    odd = list(range(0, N, 2))
    claimed = {c.get("kind"): c for c in cert["claims"] if isinstance(c, dict)}
    count = inst.get("count", 0)
    if not (isinstance(count, int) and 0 <= count <= MAX_NETWORKS):
        raise CheckFailed(f"count must be an integer in 0..{MAX_NETWORKS}")
    four = {"deep"} if inst.get("architecture") not in ("recurrent", "overlapping") else {"arch"}
    required = {
        "T1": {inst.get("architecture")},
        "T2": {inst.get("architecture")},
        "T3": {"net"},
        "T4": four,
        "T6": {"deep", "shallow"},
        "T7": {"net"},
        "T5": {f"net{k}" for k in range(count)} if inst.get("part") == "lemma" else {"witness"},
    }
    if set(nets) != required[theorem]:
        raise CheckFailed(
            f"{theorem} certificates carry exactly the networks "
            f"{sorted(map(str, required[theorem]))}"
        )
    if theorem == "T4" and four == {"arch"}:
        return _t4_general(nets["arch"], inst, claimed)
    if theorem == "T4":
        _require(nets, "deep", "product", "deep")
        if any(w != inst["r"] for w in nets["deep"]["widths"]):
            raise CheckFailed(
                f"T4 instance r = {inst['r']} but the network has widths {nets['deep']['widths']}"
            )
        r = min(inst["r"], M)
        return [
            {"kind": "covering", "network": "deep"},
            {
                "kind": "grid_equals",
                "network": "deep",
                "entries": claimed["grid_equals"]["entries"],
            },
            {"kind": "rank", "network": "deep", "rows": odd, "rank": r ** (N // 2)},
        ]
    if theorem == "T5" and inst.get("part") == "lemma":  # rank <= Z·min(|I|,|J|)·M (odd-even)
        bound = inst["Z"] * min(len(odd), N - len(odd)) * M
        for name in nets:
            _require(nets, name, "max", "shallow")
            if nets[name]["widths"] != [inst["Z"]]:
                raise CheckFailed(f"lemma network {name!r} must have Z = {inst['Z']}")
        return [
            {"kind": "rank_at_most", "network": name, "rows": odd, "bound": bound} for name in nets
        ]
    if theorem == "T5":
        _require(nets, "witness", "max", "deep")
        if nets["witness"]["widths"] != [M + 1] + [2] * (len(nets["witness"]["widths"]) - 1):
            raise CheckFailed("T5 witness must have polynomial width r_0 = M + 1, r_l = 2")
        return [
            {"kind": "covering", "network": "witness"},
            {"kind": "grid_is_pair_indicator", "network": "witness"},
            {"kind": "rank", "network": "witness", "rows": odd, "rank": M ** (N // 2)},
        ]
    if theorem in ("T1", "T2"):
        (name,) = nets
        operator, extra = ("product", 0) if theorem == "T1" else ("max", 1)
        _require(nets, name, operator, name)
        if name not in ("shallow", "deep") or max(nets[name]["widths"]) > M**N + extra:
            raise CheckFailed(
                f"{theorem} needs a shallow or deep {operator} network of widths <= M^N + {extra}"
            )
        return [
            {"kind": "covering", "network": name},
            {"kind": "grid_equals", "network": name, "entries": inst["target"]},
        ]
    if theorem == "T3":
        return _t3(nets["net"], inst, claimed)
    if theorem == "T6":
        _require(nets, "deep", "max", "deep")
        _require(nets, "shallow", "max", "shallow")
        if nets["shallow"]["widths"] != [1]:
            raise CheckFailed("T6 compares with a shallow max network of Z = 1")
        if N > MAX_SYMBOLIC_N or max(nets["deep"]["widths"]) > MAX_SYMBOLIC_WIDTH:
            raise CheckFailed(
                f"symbolic claims are checked for N <= {MAX_SYMBOLIC_N} and widths <= "
                f"{MAX_SYMBOLIC_WIDTH}"
            )
        identity = claimed["identity_in_region"]
        entries = claimed["grid_equals"]["entries"]
        if [inst["live"], inst["widths"]] != [identity["live"], nets["deep"]["widths"]]:
            raise CheckFailed("T6 instance disagrees with its network or live channel")
        return [
            {
                "kind": "identity_in_region",
                "network": "deep",
                "live": identity["live"],
                "region": identity["region"],
            },
            {"kind": "grid_equals", "network": "deep", "entries": entries},
            {"kind": "grid_equals", "network": "shallow", "entries": entries},
        ]
    if theorem == "T7":
        templates = {
            "kind": "templates",
            "network": "net",
            "templates": inst["templates"],
            "biases": inst["biases"],
        }
        if inst["operator"] != nets["net"]["operator"]:
            raise CheckFailed("T7 instance disagrees with its network's operator")
        if not inst["covering"]:
            return [
                templates,
                {"kind": "singular", "network": "net", "null": claimed["singular"]["null"]},
            ]
        return [
            templates,
            {"kind": "covering", "network": "net"},
            {
                "kind": "leaf_vectors",
                "network": "net",
                "vectors": claimed["leaf_vectors"]["vectors"],
            },
            {"kind": "grid_equals", "network": "net", "entries": claimed["grid_equals"]["entries"]},
        ]


def _t3(net, inst, claimed):
    """T3 on any tree: the network is the named architecture, all weights symbolic."""
    if net["operator"] not in ("sum", "avg") or "weights" in net or "F" in net:
        raise CheckFailed(
            "T3 is about sum/avg networks with all weights symbolic (no weights given)"
        )
    rows = claimed["separable"]["rows"]
    arch = inst["architecture"]
    if net["format"] == "symtd-network/2":
        nodes, _ = structure(net)
        widths = [w for w, _ in nodes]
        expected = (
            expected_nodes(dict(inst, r=widths[0], shared=True))[0] if arch == "recurrent" else None
        )
        if (
            arch != "recurrent"
            or [(w, pool) for w, pool in nodes] != expected
            or len(set(widths)) != 1
        ):
            raise CheckFailed("T3 v2 networks must be the named recurrent chain")
    else:
        widths = net["widths"]
        if arch not in ("shallow", "deep", "mirror", "dilated") or levels_of(
            net
        ) != expected_levels(arch, net["N"]):
            raise CheckFailed(f"T3 network is not the named {ascii(arch)[:20]} tree")
    if [inst["rows"], inst["operator"], inst["widths"]] != [rows, net["operator"], widths]:
        raise CheckFailed("T3 instance disagrees with its network or split")
    if (
        net["N"] > MAX_SYMBOLIC_N
        or max(widths) > MAX_SYMBOLIC_WIDTH
        or net["M"] ** min(net["N"], 9) > MAX_SYMBOLIC_TUPLES
    ):
        raise CheckFailed(
            f"the symbolic T3 identity is checked for N <= {MAX_SYMBOLIC_N}, widths <= "
            f"{MAX_SYMBOLIC_WIDTH} and M^N <= {MAX_SYMBOLIC_TUPLES}"
        )
    return [
        {"kind": "separable", "network": "net", "rows": rows},
        {
            "kind": "unreachable_target",
            "rows": rows,
            "entries": claimed["unreachable_target"]["entries"],
            "rank": claimed["unreachable_target"]["rank"],
        },
    ]


def _t4_general(net, inst, claimed):
    """T4 for a recurrent or overlapping ConvAC: at the certificate's point the I-split has
    rank s (so the generic rank is >= s), a cut bounds it by s for all weights, and s > Z."""
    if (
        net["format"] != "symtd-network/2"
        or net["operator"] != "product"
        or inst["operator"] != "product"
    ):
        raise CheckFailed("general T4 instances are v2 product networks")
    if not isinstance(inst["shared"], bool) or not _positive(inst["r"], MAX_WIDTH):
        raise CheckFailed("shared must be a boolean and r a positive width")
    if structure(net) != expected_nodes(inst):
        raise CheckFailed(f"T4 network is not the named {inst['architecture']} architecture")
    rows, s, Z = inst["rows"], inst["rank"], inst["Z"]
    if partition_rows(inst["partition"], net) != rows:
        raise CheckFailed(
            f"partition {ascii(inst['partition'])[:30]} does not have the rows {rows}"
        )
    if not (_positive(s, MAX_ENTRIES) and _positive(Z, MAX_ENTRIES)) or s <= Z:
        raise CheckFailed(f"T4 needs a certified rank s > Z; got s = {s!r}, Z = {Z!r}")
    cut = claimed.get("cut_bound", {}).get("cut")
    return [
        {"kind": "covering", "network": "arch"},
        {"kind": "grid_equals", "network": "arch", "entries": claimed["grid_equals"]["entries"]},
        {"kind": "rank", "network": "arch", "rows": rows, "rank": s},
        {"kind": "cut_bound", "network": "arch", "rows": rows, "cut": cut, "bound": s},
    ]


def partition_rows(name, net):
    """The rows of a named partition (odd-even, low-high, root, I=...) of a network, or None."""
    N = net["N"]
    if name == "odd-even":
        return list(range(0, N, 2))
    if name == "low-high":
        return list(range(N // 2))
    if name == "root":
        nodes, _ = structure(net)
        return list(scopes_of(nodes, N)[nodes[-1][1][0][0]])
    if isinstance(name, str) and re.fullmatch(r"I=([0-9]{1,9}(,[0-9]{1,9})*)?", name):
        return [int(x) for x in name[2:].split(",")] if name != "I=" else []
    return None


def _require(nets, name, operator, architecture):
    net = nets[name]
    if (
        net["format"] != "symtd-network/1"
        or net["operator"] != operator
        or net["architecture"] != architecture
        or net.get("shared", False)
    ):
        raise CheckFailed(f"network {name!r} must be an unshared {architecture} {operator} network")


_CERTIFICATE_KEYS = {"format", "theorem", "instance", "networks", "claims"}


def check(cert):
    """Re-verify a certificate (dict); raises CheckFailed on the first failure.

    The claims must be exactly those the theorem instance needs (with the values the
    theorem predicts), and each is recomputed here. Malformed data, unknown keys and work
    beyond LIMITS fail the check too.
    """
    try:
        return _check(cert)
    except CheckFailed:
        raise
    except (
        KeyError,
        IndexError,
        TypeError,
        ValueError,
        AttributeError,
        ZeroDivisionError,
        RecursionError,
        OverflowError,
    ) as exc:
        raise CheckFailed(
            f"malformed certificate: {type(exc).__name__}: {ascii(str(exc))[:80]}"
        ) from None


def _check(cert):
    precheck(cert)
    grids = {}
    for claim in cert["claims"]:
        name = claim.get("network")
        net = cert["networks"].get(name)
        if claim["kind"] in _GRID_CLAIMS and name not in grids:
            if "weights" not in net:
                raise CheckFailed(f"network {name!r} has no weights: its grid is not defined")
            grids[name] = grid(net)
        if claim["kind"] in ("rank", "rank_at_most"):
            _rank_cost(net["N"], net["M"], claim["rows"], grids[name].values())
        _CLAIMS[claim["kind"]](claim, net, grids.get(name), cert)
    return True


def precheck(cert):
    """Everything but the recomputation: the certificate's form, its networks' structure and
    cost, the claims its theorem needs, and the cost of each exact rank (entry sizes read
    from the claimed grid). Raises CheckFailed; symtd's prove runs it on what it writes."""
    if not isinstance(cert, dict) or cert.get("format") != FORMAT:
        raise CheckFailed(f"format must be {FORMAT!r}")
    if set(cert) != _CERTIFICATE_KEYS:
        raise CheckFailed(f"a certificate has exactly the keys {sorted(_CERTIFICATE_KEYS)}")
    if not isinstance(cert["networks"], dict) or not isinstance(cert["claims"], list):
        raise CheckFailed("networks must be an object and claims a list")
    if len(cert["networks"]) > MAX_NETWORKS:
        raise CheckFailed(f"more than {MAX_NETWORKS} networks")
    for name, net in cert["networks"].items():
        validate(net, name)
    if not same(cert["claims"], _theorem(cert)):
        raise CheckFailed("the claims are not those the theorem instance needs")
    N, M = cert["instance"]["N"], cert["instance"]["M"]
    for name, net in cert["networks"].items():
        if (net["N"], net["M"]) != (N, M):
            raise CheckFailed(f"network {name!r} does not match the instance's N and M")
    claimed = {
        c.get("network"): c["entries"]
        for c in cert["claims"]
        if c["kind"] in ("grid_equals", "unreachable_target")
    }
    for claim in cert["claims"]:
        if claim["kind"] in ("rank", "rank_at_most", "unreachable_target"):
            entries = claimed.get(claim.get("network"), ["1"])
            _rank_cost(N, M, claim["rows"], (number(x) for x in entries))


MAX_FILE_WORK = 25 * MAX_WORK


def cost(certificates):
    """Refuse (ValueError) a list of certificates whose networks together need more forward work
    than MAX_FILE_WORK, so that checking a whole file stays bounded too."""
    total = 0
    for cert in certificates:
        for name, net in (
            cert.get("networks", {}).items() if isinstance(cert.get("networks"), dict) else ()
        ):
            try:
                total += validate(net, name)
            except CheckFailed:
                total += 0  # refused later, when that certificate is checked
    if total > MAX_FILE_WORK:
        raise ValueError(
            f"the certificates need {total} multiply-adds in all, more than one check "
            f"does ({MAX_FILE_WORK}); split the file"
        )
    return total


def same(a, b):
    """JSON equality that tells 4 from 4.0 and 1 from true (Python's == does not)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def _rank_cost(N, M, rows, entries):
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


def _rank(claim, net, G, cert):
    got = rank(matrix(G, net["N"], net["M"], claim["rows"]))
    if got != claim["rank"]:
        raise CheckFailed(f"{claim['network']}: rank is {got}, certificate claims {claim['rank']}")


def _rank_at_most(claim, net, G, cert):
    got = rank(matrix(G, net["N"], net["M"], claim["rows"]))
    if got > claim["bound"]:
        raise CheckFailed(
            f"{claim['network']}: rank {got} exceeds the claimed bound {claim['bound']}"
        )


def _grid_equals(claim, net, G, cert):  # row-major entries, exact strings
    if [G[d] for d in sorted(G)] != [number(x) for x in claim["entries"]]:
        raise CheckFailed(f"{claim['network']}: grid tensor differs from the claimed entries")


def _grid_is_pair_indicator(claim, net, G, cert):  # G[d] = Π_j [d_{2j} = d_{2j+1}] (T5 witness)
    if any(G[d] != all(d[2 * j] == d[2 * j + 1] for j in range(net["N"] // 2)) for d in G):
        raise CheckFailed(f"{claim['network']}: grid tensor is not the pairwise-equality indicator")


def _covering(claim, net, G, cert):
    if rank(template_matrix(net)) != net["M"]:
        raise CheckFailed(f"{claim['network']}: F is singular")


def _templates(claim, net, G, cert):  # F[i][d] = max(t_i - b_d, 0)
    if not len(claim["templates"]) == len(claim["biases"]) == net["M"]:
        raise CheckFailed(f"{claim['network']}: M = {net['M']} needs M templates and M biases")
    F = [
        [max(number(t) - number(b), Fraction(0)) for b in claim["biases"]]
        for t in claim["templates"]
    ]
    if F != template_matrix(net) or "F" not in net:
        raise CheckFailed(f"{claim['network']}: F is not relu(t_i - b_d) of the claimed templates")


def _singular(claim, net, G, cert):  # F x = 0 with x != 0
    x = [number(c) for c in claim["null"]]
    if not any(x) or any(
        sum(f * c for f, c in zip(row, x, strict=True)) for row in template_matrix(net)
    ):
        raise CheckFailed(f"{claim['network']}: the claimed null vector does not show F singular")


def _leaf_vectors(claim, net, G, cert):  # F·a^{0,j,γ} = v[j][γ]
    F = template_matrix(net)
    for j in range(net["N"]):
        for a, v in zip(layer0(net, j), claim["vectors"][j], strict=True):
            if [sum(f * number(x) for f, x in zip(row, a, strict=True)) for row in F] != [
                number(x) for x in v
            ]:
                raise CheckFailed(
                    f"{claim['network']}: leaf vector at position {j} differs from F·a"
                )


def _separable(claim, net, G, cert):
    """G[p,q] - G[p,q0] - G[p0,q] + G[p0,q0] = 0 for all weights and leaf vectors: rank <= 2."""
    N, M, rows = net["N"], net["M"], claim["rows"]
    algebra = Symbolic()
    G = forward(
        net, lambda j, g, d: algebra.symbol(f"v[{j}][{g}][{d}]"), algebra.symbol, algebra, M
    )
    rows, cols = split(rows, N)
    for p in itertools.product(range(M), repeat=len(rows)):
        for q in itertools.product(range(M), repeat=len(cols)):
            terms = []
            for pp, qq, sign in (
                (p, q, 1),
                (p, (0,) * len(cols), -1),
                ((0,) * len(rows), q, -1),
                ((0,) * len(rows), (0,) * len(cols), 1),
            ):
                d = [0] * N
                for k, v in zip(rows, pp):
                    d[k] = v
                for k, v in zip(cols, qq):
                    d[k] = v
                terms.append(algebra.mul(algebra.constant(sign), G[tuple(d)]))
            if algebra.total(terms):
                raise CheckFailed(
                    f"{claim['network']}: the separability identity does not reduce to 0 at {p}, "
                    f"{q}"
                )


def _unreachable_target(claim, net, G, cert):
    T = dict(
        zip(
            itertools.product(range(cert["instance"]["M"]), repeat=cert["instance"]["N"]),
            (number(x) for x in claim["entries"]),
            strict=True,
        )
    )
    got = rank(matrix(T, cert["instance"]["N"], cert["instance"]["M"], claim["rows"]))
    if got != claim["rank"] or got < 3:
        raise CheckFailed(
            f"target rank is {got}, certificate claims {claim['rank']} (unreachable needs >= 3)"
        )


def _identity_in_region(claim, net, G, cert):
    """On the open region (strict signs), h = c·max(0, max_i π_i u_i) for all weights in it."""
    N, M, live, L = net["N"], net["M"], claim["live"], len(levels_of(net))
    if not (isinstance(live, int) and 0 <= live < min(net["widths"])):
        raise CheckFailed(f"live channel {live!r} is not a channel of every layer")
    F, signs = template_matrix(net), {}
    for name, relation in claim["region"]:
        if relation not in ("<", ">") or name in signs:
            raise CheckFailed(
                f"region inequality {name} {relation} 0 is not a strict sign condition"
            )
        leaf = re.fullmatch(r"v\[(\d+)\]\[(\d+)\]\[(\d+)\]", name)
        conv = re.fullmatch(r"layer([1-9][0-9]*)\[\d+\]\[\d+\]\[\d+\]|output\[\d+\]", name)
        if leaf:  # v[j][γ][d] = (F·a^{0,j,γ})[d]
            j, g, d = map(int, leaf.groups())
            if not (j < N and g < net["widths"][0] and d < M):
                raise CheckFailed(f"region name {name} is not a leaf entry of this network")
            value = sum(f * number(a) for f, a in zip(F[d], layer0(net, j)[g], strict=True))
        elif conv and (conv.group(1) is None or int(conv.group(1)) < L):
            value = weight_at(net, name)  # a weight the forward pass uses
        else:
            raise CheckFailed(
                f"region name {name!r} is neither a leaf entry v[j][γ][d] nor a conv weight"
            )
        signs[name] = 1 if relation == ">" else -1
        if value * signs[name] <= 0:  # the point lies strictly inside
            raise CheckFailed(f"the interior point violates {name} {relation} 0")
    for j in range(N):  # u[j][γ] = v[j][γ][d_j] for every d
        for g in range(net["widths"][0]):
            found = {signs.get(f"v[{j}][{g}][{d}]") for d in range(M)}
            if len(found) == 1 and None not in found:
                signs[f"u[{j}][{g}]"] = found.pop()
    algebra = Symbolic(signs)
    h = forward(net, lambda j, g, d: algebra.symbol(f"u[{j}][{g}]"), algebra.symbol, algebra)[
        (0,) * N
    ]
    terms = []
    for i in range(N):
        term = algebra.symbol(f"u[{i}][{live}]")
        for level in range(1, L):
            term = algebra.mul(algebra.symbol(f"layer{level}[{i >> level}][{live}][{live}]"), term)
        terms.append(term)
    shallow = algebra.mul(algebra.symbol(f"output[{live}]"), algebra.max0(terms))
    if any(
        signs.get(f"layer{level}[{i >> level}][{live}][{live}]") != 1
        for level in range(1, L)
        for i in range(N)
    ):
        raise CheckFailed("the path weights π_i must be positive on the region")
    if h != shallow:
        raise CheckFailed(
            "the network function does not reduce to c·max(0, max_i π_i u_i) on the region"
        )


_CLAIMS = {
    "rank": _rank,
    "rank_at_most": _rank_at_most,
    "grid_equals": _grid_equals,
    "cut_bound": _cut_bound,
    "grid_is_pair_indicator": _grid_is_pair_indicator,
    "covering": _covering,
    "templates": _templates,
    "singular": _singular,
    "leaf_vectors": _leaf_vectors,
    "separable": _separable,
    "unreachable_target": _unreachable_target,
    "identity_in_region": _identity_in_region,
}
_GRID_CLAIMS = {"rank", "rank_at_most", "grid_equals", "grid_is_pair_indicator"}
