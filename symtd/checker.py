"""Independent checker for symtd certificates: a small trusted path.

It re-verifies a certificate from its data alone and shares no code with the generator
(no import of symtd's circuit, grid, decomposition, rank or network_json modules): its
own reading of SPEC §7 network documents, a plain per-tuple forward evaluation in
Fractions (SPEC §2), and its own exact rank (Gaussian elimination over Q).
"""
from __future__ import annotations

import itertools
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


def evaluate(net, d):
    """h_y at the template tuple d (SPEC §2), in Fractions."""
    M, op, shared = net["M"], net["operator"], net.get("shared", False)
    F = [[number(x) for x in row] for row in net["F"]] if "F" in net else \
        [[Fraction(int(i == k)) for k in range(M)] for i in range(M)]
    W = net["weights"]

    def block(name, node):
        b = W[name] if shared else W[name][node]
        return [[number(x) for x in row] for row in b]

    values = []
    for j in range(net["N"]):
        A = block("layer0", j)
        values.append([sum(a[k] * F[d[j]][k] for k in range(M)) for a in A])
    levels = levels_of(net)
    for depth, level in enumerate(levels, start=1):
        pooled_level = []
        for t, window in enumerate(level):
            pooled = []
            for ch in range(len(values[window[0]])):
                xs = [values[i][ch] for i in window]
                if op == "product":
                    p = Fraction(1)
                    for x in xs:
                        p *= x
                elif op == "max":
                    p = max(max(xs), Fraction(0))
                elif op in ("sum", "avg"):
                    p = sum((max(x, Fraction(0)) for x in xs), Fraction(0))
                    p = p / len(xs) if op == "avg" else p
                else:
                    raise CheckFailed(f"unknown operator {op!r}")
                pooled.append(p)
            if depth < len(levels):
                A = block(f"layer{depth}", t)
            else:
                A = [[number(x) for x in W["output"]]]
            pooled_level.append([sum(a[k] * pooled[k] for k in range(len(pooled))) for a in A])
        values = pooled_level
    return values[0][0]


def grid(net):
    """Dict tuple -> value over all M^N template tuples."""
    return {d: evaluate(net, d) for d in itertools.product(range(net["M"]), repeat=net["N"])}


def matrix(G, N, M, rows):
    cols = [k for k in range(N) if k not in rows]
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
    """Exact rank over Q by Gaussian elimination on Fractions."""
    A = [list(row) for row in A]
    r = 0
    for c in range(len(A[0]) if A else 0):
        pivot = next((i for i in range(r, len(A)) if A[i][c] != 0), None)
        if pivot is None:
            continue
        A[r], A[pivot] = A[pivot], A[r]
        for i in range(r + 1, len(A)):
            if A[i][c] != 0:
                f = A[i][c] / A[r][c]
                A[i] = [x - f * y for x, y in zip(A[i], A[r])]
        r += 1
    return r


def _theorem(cert):
    """The claims a theorem instance needs, with the values the theorem predicts."""
    nets, inst = cert["networks"], cert["instance"]
    N, M = inst["N"], inst["M"]
    odd = list(range(0, N, 2))
    if cert["theorem"] == "T4":
        net = nets["deep"]
        if net["operator"] != "product" or net["architecture"] != "deep" or net.get("shared", False):
            raise CheckFailed("T4 needs an unshared deep product network")
        r = min(net["widths"][0], M)
        entries = next((c.get("entries") for c in cert["claims"] if c.get("kind") == "grid_equals"), None)
        return [{"kind": "covering", "network": "deep"},
                {"kind": "grid_equals", "network": "deep", "entries": entries},
                {"kind": "rank", "network": "deep", "rows": odd, "rank": r ** (N // 2)}]
    if cert["theorem"] == "T5":
        net = nets["witness"]
        if net["operator"] != "max" or net["architecture"] != "deep":
            raise CheckFailed("T5 needs a deep max network as witness")
        if net["widths"] != [M + 1] + [2] * (len(net["widths"]) - 1):
            raise CheckFailed("T5 witness must have polynomial width r_0 = M + 1, r_l = 2")
        return [{"kind": "covering", "network": "witness"},
                {"kind": "grid_is_pair_indicator", "network": "witness"},
                {"kind": "rank", "network": "witness", "rows": odd, "rank": M ** (N // 2)}]
    if cert["theorem"] in ("T1", "T2"):
        net = nets["shallow"]
        operator, extra = ("product", 0) if cert["theorem"] == "T1" else ("max", 1)
        if net["operator"] != operator or net["architecture"] != "shallow" or net.get("shared", False):
            raise CheckFailed(f"{cert['theorem']} needs an unshared shallow {operator} network")
        if net["widths"][0] > M ** N + extra:
            raise CheckFailed(f"{cert['theorem']} allows Z <= M^N + {extra}, got Z = {net['widths'][0]}")
        return [{"kind": "covering", "network": "shallow"},
                {"kind": "grid_equals", "network": "shallow", "entries": inst["target"]}]
    raise CheckFailed(f"unknown theorem {cert.get('theorem')!r}")


def check(cert):
    """Re-verify a certificate (dict); raises CheckFailed on the first failure.

    The claims must be exactly those the theorem instance needs (with the values the
    theorem predicts), and each is recomputed here. Malformed data fails the check too.
    """
    try:
        return _check(cert)
    except CheckFailed:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, ZeroDivisionError) as exc:
        raise CheckFailed(f"malformed certificate: {type(exc).__name__}: {exc}") from None


def _check(cert):
    if cert.get("format") != FORMAT:
        raise CheckFailed(f"format must be {FORMAT!r}")
    if cert["claims"] != _theorem(cert):
        raise CheckFailed("the claims are not those the theorem instance needs")
    for name, net in cert["networks"].items():
        if (net["N"], net["M"]) != (cert["instance"]["N"], cert["instance"]["M"]):
            raise CheckFailed(f"network {name!r} does not match the instance's N and M")
    nets, grids = cert["networks"], {}
    for claim in cert["claims"]:
        net = nets[claim["network"]]
        if claim["network"] not in grids:
            grids[claim["network"]] = grid(net)
        G = grids[claim["network"]]
        kind = claim["kind"]
        if kind == "rank":
            got = rank(matrix(G, net["N"], net["M"], claim["rows"]))
            if got != claim["rank"]:
                raise CheckFailed(f"{claim['network']}: rank is {got}, certificate claims {claim['rank']}")
        elif kind == "rank_at_most":
            got = rank(matrix(G, net["N"], net["M"], claim["rows"]))
            if got > claim["bound"]:
                raise CheckFailed(f"{claim['network']}: rank {got} exceeds the claimed bound {claim['bound']}")
        elif kind == "grid_equals":                 # row-major entries, exact strings
            if [G[d] for d in sorted(G)] != [number(x) for x in claim["entries"]]:
                raise CheckFailed(f"{claim['network']}: grid tensor differs from the claimed entries")
        elif kind == "grid_is_pair_indicator":      # G[d] = Π_j [d_{2j} = d_{2j+1}] (T5 witness)
            if any(G[d] != all(d[2 * j] == d[2 * j + 1] for j in range(net["N"] // 2)) for d in G):
                raise CheckFailed(f"{claim['network']}: grid tensor is not the pairwise-equality indicator")
        elif kind == "covering":
            F = [[number(x) for x in row] for row in net["F"]] if "F" in net else None
            if F is not None and rank(F) != net["M"]:
                raise CheckFailed(f"{claim['network']}: F is singular")
        else:
            raise CheckFailed(f"unknown claim kind {kind!r}")
    return True

