"""Independent checker for symtd certificates: a small trusted path.

It re-verifies a certificate from its data alone and shares no code with the generator
(it imports nothing from symtd): its own validating reader of SPEC §7 network documents,
the plain forward recursion of SPEC §2 in Fractions (each node evaluated once per
assignment of templates to its positions), its own exact rank (fraction-free
elimination over Q), and its own canonical algebra for the symbolic claims (T3, T6).
"""
from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction

FORMAT = "symtd-certificate/1"
_NUMBER = re.compile(r"[+-]?([0-9]+(/[0-9]+)?|[0-9]+\.[0-9]*|\.[0-9]+)\Z")


class CheckFailed(Exception):
    """A certificate claim that does not hold (or cannot be read)."""


def number(x):
    if isinstance(x, bool) or not isinstance(x, (int, str)) or (isinstance(x, str) and not _NUMBER.match(x)):
        raise CheckFailed(f"not an exact number: {x!r}")
    if isinstance(x, str) and "/" in x and int(x.split("/")[1]) == 0:
        raise CheckFailed(f"zero denominator: {x!r}")
    return Fraction(x)


MAX_ENTRIES, MAX_WIDTH = 2**16, 2**12          # beyond these a certificate is refused, not evaluated
_KEYS = {"format", "architecture", "N", "M", "operator", "widths", "levels", "shared", "F", "weights"}


def levels_of(net):
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


def validate(net, name):
    """Check a SPEC §7 network document's structure and shapes; raises CheckFailed."""
    def fail(why):
        raise CheckFailed(f"network {name!r}: {why}")

    def positive(x):
        return isinstance(x, int) and not isinstance(x, bool) and x >= 1
    if not isinstance(net, dict) or set(net) - _KEYS or net.get("format") != "symtd-network/1":
        fail("not a symtd-network/1 document (or unknown keys)")
    N, M, arch = net["N"], net["M"], net["architecture"]
    if not (positive(N) and positive(M)) or net["operator"] not in ("product", "max", "sum", "avg"):
        fail("N, M must be positive integers and the operator one of product, max, sum, avg")
    if M ** N > MAX_ENTRIES:
        fail(f"M^N = {M}^{N} grid entries is more than this checker evaluates ({MAX_ENTRIES})")
    if arch == "deep" and (N < 2 or N & (N - 1)) or arch == "shallow" and N < 2 or \
            (arch == "tree") != ("levels" in net) or arch not in ("tree", "shallow", "deep"):
        fail(f"architecture {arch!r} does not fit N = {N} (or 'levels' misplaced)")
    levels, size = levels_of(net), N
    for level in levels:
        members = sorted(i for window in level for i in window) if isinstance(level, list) else None
        if members != list(range(size)) or any(not isinstance(w, list) or len(w) < 2 for w in level):
            fail("every level must partition the level below into windows of size >= 2")
        size = len(level)
    if size != 1:
        fail("the last level must be a single window (the root)")
    widths = net["widths"]
    if not isinstance(widths, list) or len(widths) != len(levels) or not all(map(positive, widths)) or \
            max(widths) > MAX_WIDTH:
        fail(f"widths must be {len(levels)} positive integers <= {MAX_WIDTH}")
    if "F" in net:
        _shaped(net["F"], [M, M], fail, "F")
    if "weights" in net:
        shared = net.get("shared", False)
        if shared not in (True, False):
            fail("shared must be true or false")
        counts = [N] + [len(level) for level in levels[:-1]]
        shapes = {f"layer{l}": ([] if shared else [counts[l]]) + [widths[l], M if l == 0 else widths[l - 1]]
                  for l in range(len(levels))}
        shapes["output"] = [widths[-1]]
        if set(net["weights"]) != set(shapes):
            fail(f"weights must have exactly the blocks {sorted(shapes)}")
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


def forward(net, leaf, weight, algebra, choices=1):
    """h_y by the recursion of SPEC §2 in the given algebra, for every template tuple.

    leaf(j, γ, d) is the layer-0 conv output at position j for template index d in
    range(choices); weight(path) is the weight at a JSON path such as "layer1[0][1][0]"
    or "output[2]"; pooling per SPEC §3. Each node is evaluated once per assignment of
    template indices to the positions under it. Returns {d: h_y} over all N-tuples d.
    """
    op, shared, widths = net["operator"], net.get("shared", False), net["widths"]
    nodes = [((j,), {(d,): [leaf(j, g, d) for g in range(widths[0])] for d in range(choices)})
             for j in range(net["N"])]
    levels = levels_of(net)
    for depth, level in enumerate(levels, start=1):
        outputs = []
        for t, window in enumerate(level):
            if depth < len(levels):
                prefix = f"layer{depth}" if shared else f"layer{depth}[{t}]"
                paths = [[f"{prefix}[{o}][{k}]" for k in range(widths[depth - 1])] for o in range(widths[depth])]
            else:
                paths = [[f"output[{k}]" for k in range(widths[depth - 1])]]
            scope = [p for i in window for p in nodes[i][0]]
            order = sorted(range(len(scope)), key=scope.__getitem__)
            table = {}
            for combo in itertools.product(*(nodes[i][1].items() for i in window)):
                d = [x for key, _ in combo for x in key]
                pooled = [algebra.pool(op, [values[ch] for _, values in combo]) for ch in range(widths[depth - 1])]
                table[tuple(d[k] for k in order)] = [
                    algebra.total([algebra.mul(weight(p), x) for p, x in zip(row, pooled)]) for row in paths]
            outputs.append((tuple(sorted(scope)), table))
        nodes = outputs
    return {d: values[0] for d, values in nodes[0][1].items()}


def weight_at(net, path):
    """The exact number at a JSON path of net["weights"], e.g. "layer1[0][1][0]"."""
    name, *indices = re.findall(r"[A-Za-z0-9]+", path)
    value = net["weights"][name]
    for k in indices:
        value = value[int(k)]
    return number(value)


def template_matrix(net):
    M = net["M"]
    if "F" in net:
        return [[number(x) for x in row] for row in net["F"]]
    return [[Fraction(int(i == k)) for k in range(M)] for i in range(M)]


def layer0(net, j):
    return net["weights"]["layer0"] if net.get("shared", False) else net["weights"]["layer0"][j]


def grid(net):
    """Dict tuple -> h_y over all M^N template tuples (SPEC §2), in Fractions."""
    F = template_matrix(net)
    blocks = [[[number(a) for a in row] for row in layer0(net, j)] for j in range(net["N"])]

    def leaf(j, g, d):
        return sum(a * f for a, f in zip(blocks[j][g], F[d]))
    return forward(net, leaf, lambda path: weight_at(net, path), RATIONAL, net["M"])


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
        return pool(self, op, xs)


RATIONAL = Rational()


def pool(algebra, op, xs):
    """ρ of SPEC §3 in terms of the algebra's mul, total, max0 and scale-by-constant."""
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
        self.signs = dict(signs or {})                 # symbol name -> +1 (> 0) or -1 (< 0)

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
            fs = 1 if isinstance(f, tuple) else self.signs.get(f)     # max0 atoms are >= 0
            if fs is None and p % 2:
                return None
            if fs == -1 and p % 2:
                s = -s
        return s

    def max0(self, xs):
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
            (m, c), = x.items()
            atom = next(((f, p) for f, p in m if isinstance(f, tuple) and p == 1), None)
            if atom is not None:
                rest = {m - {atom}: c}
                if self.sign(rest) == 1:
                    return [y for key in atom[0][1] for y in self._flatten(self.mul(rest, dict(key)))]
        return [x]

    def pool(self, op, xs):
        return pool(self, op, xs)


def split(rows, N):
    """(I, J) for a list of distinct row positions I in range(N)."""
    if not (isinstance(rows, list) and all(isinstance(k, int) and not isinstance(k, bool) and 0 <= k < N
                                           for k in rows) and len(set(rows)) == len(rows)):
        raise CheckFailed(f"rows {rows!r} are not distinct positions 0..{N - 1}")
    return rows, [k for k in range(N) if k not in rows]


def matrix(G, N, M, rows):
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


def _theorem(cert):
    """The claims a theorem instance needs, with the values the theorem predicts."""
    nets, inst, theorem = cert["networks"], cert["instance"], cert["theorem"]
    N, M = inst["N"], inst["M"]
    odd = list(range(0, N, 2))
    claimed = {c["kind"]: c for c in cert["claims"]}
    required = {"T1": {inst.get("architecture")}, "T2": {inst.get("architecture")}, "T3": {"net"},
                "T4": {"deep"}, "T6": {"deep", "shallow"}, "T7": {"net"},
                "T5": {f"net{k}" for k in range(inst.get("count", 0))} if inst.get("part") == "lemma" else {"witness"}}
    if theorem not in required:
        raise CheckFailed(f"unknown theorem {theorem!r}")
    if set(nets) != required[theorem] or not nets:
        raise CheckFailed(f"{theorem} certificates carry exactly the networks {sorted(map(str, required[theorem]))}")
    if theorem == "T4":
        _require(nets, "deep", "product", "deep")
        if any(w != inst["r"] for w in nets["deep"]["widths"]):
            raise CheckFailed(f"T4 instance r = {inst['r']} but the network has widths {nets['deep']['widths']}")
        r = min(inst["r"], M)
        return [{"kind": "covering", "network": "deep"},
                {"kind": "grid_equals", "network": "deep", "entries": claimed["grid_equals"]["entries"]},
                {"kind": "rank", "network": "deep", "rows": odd, "rank": r ** (N // 2)}]
    if theorem == "T5" and inst.get("part") == "lemma":     # rank <= Z·min(|I|,|J|)·M (odd-even)
        bound = inst["Z"] * min(len(odd), N - len(odd)) * M
        for name in nets:
            _require(nets, name, "max", "shallow")
            if nets[name]["widths"] != [inst["Z"]]:
                raise CheckFailed(f"lemma network {name!r} must have Z = {inst['Z']}")
        return [{"kind": "rank_at_most", "network": name, "rows": odd, "bound": bound} for name in nets]
    if theorem == "T5":
        _require(nets, "witness", "max", "deep")
        if nets["witness"]["widths"] != [M + 1] + [2] * (len(nets["witness"]["widths"]) - 1):
            raise CheckFailed("T5 witness must have polynomial width r_0 = M + 1, r_l = 2")
        return [{"kind": "covering", "network": "witness"},
                {"kind": "grid_is_pair_indicator", "network": "witness"},
                {"kind": "rank", "network": "witness", "rows": odd, "rank": M ** (N // 2)}]
    if theorem in ("T1", "T2"):
        (name,) = nets
        operator, extra = ("product", 0) if theorem == "T1" else ("max", 1)
        _require(nets, name, operator, name)
        if name not in ("shallow", "deep") or max(nets[name]["widths"]) > M ** N + extra:
            raise CheckFailed(f"{theorem} needs a shallow or deep {operator} network of widths <= M^N + {extra}")
        return [{"kind": "covering", "network": name},
                {"kind": "grid_equals", "network": name, "entries": inst["target"]}]
    if theorem == "T3":
        net = nets["net"]
        if net["operator"] not in ("sum", "avg") or "weights" in net or "F" in net:
            raise CheckFailed("T3 is about sum/avg networks with all weights symbolic (no weights given)")
        rows = claimed["separable"]["rows"]
        if [inst["rows"], inst["operator"], inst["widths"], inst["architecture"]] != \
                [rows, net["operator"], net["widths"], net["architecture"]]:
            raise CheckFailed("T3 instance disagrees with its network or split")
        return [{"kind": "separable", "network": "net", "rows": rows},
                {"kind": "unreachable_target", "rows": rows, "entries": claimed["unreachable_target"]["entries"],
                 "rank": claimed["unreachable_target"]["rank"]}]
    if theorem == "T6":
        _require(nets, "deep", "max", "deep")
        _require(nets, "shallow", "max", "shallow")
        if nets["shallow"]["widths"] != [1]:
            raise CheckFailed("T6 compares with a shallow max network of Z = 1")
        identity = claimed["identity_in_region"]
        entries = claimed["grid_equals"]["entries"]
        if [inst["live"], inst["widths"]] != [identity["live"], nets["deep"]["widths"]]:
            raise CheckFailed("T6 instance disagrees with its network or live channel")
        return [{"kind": "identity_in_region", "network": "deep", "live": identity["live"],
                 "region": identity["region"]},
                {"kind": "grid_equals", "network": "deep", "entries": entries},
                {"kind": "grid_equals", "network": "shallow", "entries": entries}]
    if theorem == "T7":
        templates = {"kind": "templates", "network": "net", "templates": inst["templates"], "biases": inst["biases"]}
        if inst["operator"] != nets["net"]["operator"]:
            raise CheckFailed("T7 instance disagrees with its network's operator")
        if not inst["covering"]:
            return [templates, {"kind": "singular", "network": "net", "null": claimed["singular"]["null"]}]
        return [templates, {"kind": "covering", "network": "net"},
                {"kind": "leaf_vectors", "network": "net", "vectors": claimed["leaf_vectors"]["vectors"]},
                {"kind": "grid_equals", "network": "net", "entries": claimed["grid_equals"]["entries"]}]


def _require(nets, name, operator, architecture):
    net = nets[name]
    if net["operator"] != operator or net["architecture"] != architecture or net.get("shared", False):
        raise CheckFailed(f"network {name!r} must be an unshared {architecture} {operator} network")


def check(cert):
    """Re-verify a certificate (dict); raises CheckFailed on the first failure.

    The claims must be exactly those the theorem instance needs (with the values the
    theorem predicts), and each is recomputed here. Malformed data fails the check too.
    """
    try:
        return _check(cert)
    except CheckFailed:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, ZeroDivisionError, RecursionError) as exc:
        raise CheckFailed(f"malformed certificate: {type(exc).__name__}: {exc}") from None


def _check(cert):
    if cert.get("format") != FORMAT:
        raise CheckFailed(f"format must be {FORMAT!r}")
    for name, net in cert["networks"].items():
        validate(net, name)
    if cert["claims"] != _theorem(cert):
        raise CheckFailed("the claims are not those the theorem instance needs")
    for name, net in cert["networks"].items():
        if (net["N"], net["M"]) != (cert["instance"]["N"], cert["instance"]["M"]):
            raise CheckFailed(f"network {name!r} does not match the instance's N and M")
    grids = {}
    for claim in cert["claims"]:
        name = claim.get("network")
        net = cert["networks"].get(name)
        if claim["kind"] in _GRID_CLAIMS and name not in grids:
            grids[name] = grid(net)
        _CLAIMS[claim["kind"]](claim, net, grids.get(name), cert)
    return True


def _rank(claim, net, G, cert):
    got = rank(matrix(G, net["N"], net["M"], claim["rows"]))
    if got != claim["rank"]:
        raise CheckFailed(f"{claim['network']}: rank is {got}, certificate claims {claim['rank']}")


def _rank_at_most(claim, net, G, cert):
    got = rank(matrix(G, net["N"], net["M"], claim["rows"]))
    if got > claim["bound"]:
        raise CheckFailed(f"{claim['network']}: rank {got} exceeds the claimed bound {claim['bound']}")


def _grid_equals(claim, net, G, cert):                      # row-major entries, exact strings
    if [G[d] for d in sorted(G)] != [number(x) for x in claim["entries"]]:
        raise CheckFailed(f"{claim['network']}: grid tensor differs from the claimed entries")


def _grid_is_pair_indicator(claim, net, G, cert):           # G[d] = Π_j [d_{2j} = d_{2j+1}] (T5 witness)
    if any(G[d] != all(d[2 * j] == d[2 * j + 1] for j in range(net["N"] // 2)) for d in G):
        raise CheckFailed(f"{claim['network']}: grid tensor is not the pairwise-equality indicator")


def _covering(claim, net, G, cert):
    if rank(template_matrix(net)) != net["M"]:
        raise CheckFailed(f"{claim['network']}: F is singular")


def _templates(claim, net, G, cert):                        # F[i][d] = max(t_i - b_d, 0)
    if not len(claim["templates"]) == len(claim["biases"]) == net["M"]:
        raise CheckFailed(f"{claim['network']}: M = {net['M']} needs M templates and M biases")
    F = [[max(number(t) - number(b), Fraction(0)) for b in claim["biases"]] for t in claim["templates"]]
    if F != template_matrix(net) or "F" not in net:
        raise CheckFailed(f"{claim['network']}: F is not relu(t_i - b_d) of the claimed templates")


def _singular(claim, net, G, cert):                         # F x = 0 with x != 0
    x = [number(c) for c in claim["null"]]
    if not any(x) or any(sum(f * c for f, c in zip(row, x, strict=True)) for row in template_matrix(net)):
        raise CheckFailed(f"{claim['network']}: the claimed null vector does not show F singular")


def _leaf_vectors(claim, net, G, cert):                     # F·a^{0,j,γ} = v[j][γ]
    F = template_matrix(net)
    for j in range(net["N"]):
        for a, v in zip(layer0(net, j), claim["vectors"][j], strict=True):
            if [sum(f * number(x) for f, x in zip(row, a, strict=True)) for row in F] != [number(x) for x in v]:
                raise CheckFailed(f"{claim['network']}: leaf vector at position {j} differs from F·a")


def _separable(claim, net, G, cert):
    """G[p,q] - G[p,q0] - G[p0,q] + G[p0,q0] = 0 for all weights and leaf vectors: rank <= 2."""
    N, M, rows = net["N"], net["M"], claim["rows"]
    algebra = Symbolic()
    G = forward(net, lambda j, g, d: algebra.symbol(f"v[{j}][{g}][{d}]"), algebra.symbol, algebra, M)
    rows, cols = split(rows, N)
    for p in itertools.product(range(M), repeat=len(rows)):
        for q in itertools.product(range(M), repeat=len(cols)):
            terms = []
            for pp, qq, sign in ((p, q, 1), (p, (0,) * len(cols), -1), ((0,) * len(rows), q, -1),
                                 ((0,) * len(rows), (0,) * len(cols), 1)):
                d = [0] * N
                for k, v in zip(rows, pp):
                    d[k] = v
                for k, v in zip(cols, qq):
                    d[k] = v
                terms.append(algebra.mul(algebra.constant(sign), G[tuple(d)]))
            if algebra.total(terms):
                raise CheckFailed(f"{claim['network']}: the separability identity does not reduce to 0 at {p}, {q}")


def _unreachable_target(claim, net, G, cert):
    T = dict(zip(itertools.product(range(cert["instance"]["M"]), repeat=cert["instance"]["N"]),
                 (number(x) for x in claim["entries"]), strict=True))
    got = rank(matrix(T, cert["instance"]["N"], cert["instance"]["M"], claim["rows"]))
    if got != claim["rank"] or got < 3:
        raise CheckFailed(f"target rank is {got}, certificate claims {claim['rank']} (unreachable needs >= 3)")


def _identity_in_region(claim, net, G, cert):
    """On the open region (strict signs), h = c·max(0, max_i π_i u_i) for all weights in it."""
    N, M, live, L = net["N"], net["M"], claim["live"], len(levels_of(net))
    if not (isinstance(live, int) and 0 <= live < min(net["widths"])):
        raise CheckFailed(f"live channel {live!r} is not a channel of every layer")
    F, signs = template_matrix(net), {}
    for name, relation in claim["region"]:
        if relation not in ("<", ">") or name in signs:
            raise CheckFailed(f"region inequality {name} {relation} 0 is not a strict sign condition")
        leaf = re.fullmatch(r"v\[(\d+)\]\[(\d+)\]\[(\d+)\]", name)
        conv = re.fullmatch(r"layer([1-9][0-9]*)\[\d+\]\[\d+\]\[\d+\]|output\[\d+\]", name)
        if leaf:                                             # v[j][γ][d] = (F·a^{0,j,γ})[d]
            j, g, d = map(int, leaf.groups())
            if not (j < N and g < net["widths"][0] and d < M):
                raise CheckFailed(f"region name {name} is not a leaf entry of this network")
            value = sum(f * number(a) for f, a in zip(F[d], layer0(net, j)[g], strict=True))
        elif conv and (conv.group(1) is None or int(conv.group(1)) < L):
            value = weight_at(net, name)                    # a weight the forward pass uses
        else:
            raise CheckFailed(f"region name {name!r} is neither a leaf entry v[j][γ][d] nor a conv weight")
        signs[name] = 1 if relation == ">" else -1
        if value * signs[name] <= 0:                         # the point lies strictly inside
            raise CheckFailed(f"the interior point violates {name} {relation} 0")
    for j in range(N):                                       # u[j][γ] = v[j][γ][d_j] for every d
        for g in range(net["widths"][0]):
            found = {signs.get(f"v[{j}][{g}][{d}]") for d in range(M)}
            if len(found) == 1 and None not in found:
                signs[f"u[{j}][{g}]"] = found.pop()
    algebra = Symbolic(signs)
    h = forward(net, lambda j, g, d: algebra.symbol(f"u[{j}][{g}]"), algebra.symbol, algebra)[(0,) * N]
    terms = []
    for i in range(N):
        term = algebra.symbol(f"u[{i}][{live}]")
        for level in range(1, L):
            term = algebra.mul(algebra.symbol(f"layer{level}[{i >> level}][{live}][{live}]"), term)
        terms.append(term)
    shallow = algebra.mul(algebra.symbol(f"output[{live}]"), algebra.max0(terms))
    if any(signs.get(f"layer{level}[{i >> level}][{live}][{live}]") != 1 for level in range(1, L) for i in range(N)):
        raise CheckFailed("the path weights π_i must be positive on the region")
    if h != shallow:
        raise CheckFailed("the network function does not reduce to c·max(0, max_i π_i u_i) on the region")


_CLAIMS = {"rank": _rank, "rank_at_most": _rank_at_most, "grid_equals": _grid_equals,
           "grid_is_pair_indicator": _grid_is_pair_indicator, "covering": _covering, "templates": _templates,
           "singular": _singular, "leaf_vectors": _leaf_vectors, "separable": _separable,
           "unreachable_target": _unreachable_target, "identity_in_region": _identity_in_region}
_GRID_CLAIMS = {"rank", "rank_at_most", "grid_equals", "grid_is_pair_indicator"}
