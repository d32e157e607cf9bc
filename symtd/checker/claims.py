"""One verifier per claim kind, and the table ``CLAIMS`` that dispatches to them.

A verifier takes (claim, network, grid, certificate) — the grid is the checker's own forward
pass of the network, present for the kinds in ``GRID_CLAIMS`` — and returns None when the
claim holds, raising CheckFailed when it does not. Each one recomputes its claim from the data;
none of them trusts a number the certificate states without recomputing it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any, cast

from .arithmetic import (
    Grid,
    Symbolic,
    elimination_cost,
    forward,
    is_prime,
    matrix,
    minor_entries,
    minor_work,
    rank,
    rank_mod,
    scaled_bits,
    separates,
    split,
    tensor_network,
)
from .networks import Network, layer0, levels_of, scopes_of, structure, template_matrix, weight_at
from .reader import MAX_MINOR_WORK, MAX_RANK_WORK, CheckFailed, number

Verifier = Callable[[dict[str, Any], Network, Any, dict[str, Any]], None]


def verify_rank(claim: dict[str, Any], net: Network, G: Grid, cert: dict[str, Any]) -> None:
    """rank [G]_{I,J} = claim["rank"] exactly (the grid at the certificate's weight point)."""
    got = rank(matrix(G, net["N"], net["M"], claim["rows"]))
    if got != claim["rank"]:
        raise CheckFailed(f"{claim['network']}: rank is {got}, certificate claims {claim['rank']}")


def verify_rank_at_most(claim: dict[str, Any], net: Network, G: Grid, cert: dict[str, Any]) -> None:
    """rank [G]_{I,J} <= claim["bound"]."""
    got = rank(matrix(G, net["N"], net["M"], claim["rows"]))
    if got > claim["bound"]:
        raise CheckFailed(
            f"{claim['network']}: rank {got} exceeds the claimed bound {claim['bound']}"
        )


def verify_grid_equals(claim: dict[str, Any], net: Network, G: Grid, cert: dict[str, Any]) -> None:
    """The grid tensor, row-major, equals the claimed entries (exact strings)."""
    if [G[d] for d in sorted(G)] != [number(x) for x in claim["entries"]]:
        raise CheckFailed(f"{claim['network']}: grid tensor differs from the claimed entries")


def verify_grid_is_pair_indicator(
    claim: dict[str, Any], net: Network, G: Grid, cert: dict[str, Any]
) -> None:
    """G[d] = Π_j [d_{2j} = d_{2j+1}] (the T5 witness)."""
    if any(G[d] != all(d[2 * j] == d[2 * j + 1] for j in range(net["N"] // 2)) for d in G):
        raise CheckFailed(f"{claim['network']}: grid tensor is not the pairwise-equality indicator")


def verify_covering(claim: dict[str, Any], net: Network, G: Any, cert: dict[str, Any]) -> None:
    """The template matrix F is non-singular: rank F = M."""
    if rank(template_matrix(net)) != net["M"]:
        raise CheckFailed(f"{claim['network']}: F is singular")


def verify_templates(claim: dict[str, Any], net: Network, G: Any, cert: dict[str, Any]) -> None:
    """The network's F is F[i][d] = max(t_i - b_d, 0) of the claimed templates and biases."""
    if not len(claim["templates"]) == len(claim["biases"]) == net["M"]:
        raise CheckFailed(f"{claim['network']}: M = {net['M']} needs M templates and M biases")
    F = [
        [max(number(t) - number(b), Fraction(0)) for b in claim["biases"]]
        for t in claim["templates"]
    ]
    if F != template_matrix(net) or "F" not in net:
        raise CheckFailed(f"{claim['network']}: F is not relu(t_i - b_d) of the claimed templates")


def verify_singular(claim: dict[str, Any], net: Network, G: Any, cert: dict[str, Any]) -> None:
    """F x = 0 for the claimed x != 0, so F is singular."""
    x = [number(c) for c in claim["null"]]
    if not any(x) or any(
        sum(f * c for f, c in zip(row, x, strict=True)) for row in template_matrix(net)
    ):
        raise CheckFailed(f"{claim['network']}: the claimed null vector does not show F singular")


def verify_leaf_vectors(claim: dict[str, Any], net: Network, G: Any, cert: dict[str, Any]) -> None:
    """F·a^{0,j,γ} = v[j][γ] for every position j and channel γ."""
    F = template_matrix(net)
    for j in range(net["N"]):
        for a, v in zip(layer0(net, j), claim["vectors"][j], strict=True):
            if [sum(f * number(x) for f, x in zip(row, a, strict=True)) for row in F] != [
                number(x) for x in v
            ]:
                raise CheckFailed(
                    f"{claim['network']}: leaf vector at position {j} differs from F·a"
                )


def verify_separable(claim: dict[str, Any], net: Network, G: Any, cert: Any) -> None:
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


def verify_unreachable_target(
    claim: dict[str, Any], net: Any, G: Any, cert: dict[str, Any]
) -> None:
    """The claimed target tensor has the claimed rank >= 3 under the split (so no network whose
    split rank is <= 2 reaches it)."""
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


def verify_identity_in_region(
    claim: dict[str, Any], net: Network, G: Any, cert: dict[str, Any]
) -> None:
    """On the open region (strict signs), h = c·max(0, max_i π_i u_i) for all weights in it."""
    N, M, live, L = net["N"], net["M"], claim["live"], len(levels_of(net))
    if not (isinstance(live, int) and 0 <= live < min(net["widths"])):
        raise CheckFailed(f"live channel {live!r} is not a channel of every layer")
    F, signs = template_matrix(net), dict[str, int]()
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
                signs[f"u[{j}][{g}]"] = cast(int, found.pop())  # not None: checked
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


def verify_cut_bound(claim: dict[str, Any], net: Network, G: Any, cert: dict[str, Any]) -> None:
    """The claimed cut separates the I-legs from the J-legs and its capacities multiply to the
    bound; then rank [G]_{I,J} <= bound for ALL weights (tensor-network cut).

    Contracting the network on each side of the cut writes [G]_{I,J} as a product through the
    cut's indices, whose dimensions are the capacities
    (:func:`~symtd.checker.arithmetic.tensor_network`: a node's δ over [w], an edge
    min(w, dim), a leg ρ = rank F when the position has one edge, else M).
    """
    if net["operator"] != "product":
        raise CheckFailed("min-cut bounds hold for product circuits only")
    rows, cols = split(claim["rows"], net["N"])
    vertices, edges = tensor_network(net)
    removed_vertices: set[str] = set()
    removed_edges: set[frozenset[str]] = set()
    product = 1
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
    if not separates(vertices, edges, removed_vertices, removed_edges, rows, cols):
        raise CheckFailed("the claimed cut does not separate the I-legs from the J-legs")
    if product != claim["bound"]:
        raise CheckFailed(f"the cut's capacities multiply to {product}, not {claim['bound']}")


def minor_cost(claim: dict[str, Any], net: Network) -> tuple[list[int], list[int], int]:
    """The form and cost of a minor claim, before any work: rows ascending, r = "rank" =
    len(row_tuples) = len(col_tuples), the elimination within MAX_MINOR_ELIMINATION and the
    entries within MAX_MINOR_WORK, each tuple distinct, of its half's length, with
    templates in 0..M-1. Returns (I, J, r)."""
    N, M, r = net["N"], net["M"], claim["rank"]
    rows, cols = split(claim["rows"], N)
    if rows != sorted(rows):
        raise CheckFailed("a minor's rows must be listed in increasing order")
    tuples = (claim["row_tuples"], claim["col_tuples"])
    if not (
        isinstance(r, int)
        and not isinstance(r, bool)
        and all(isinstance(t, list) and len(t) == r for t in tuples)
    ):
        raise CheckFailed("a minor of rank r lists r row tuples and r column tuples")
    elimination_cost(r)
    work = minor_work(net, rows, r)
    if work > MAX_MINOR_WORK:
        raise CheckFailed(
            f"the minor's {r}×{r} entries need {work} multiply-adds, more than this checker "
            f"does ({MAX_MINOR_WORK})"
        )
    for half, length in zip(tuples, (len(rows), len(cols))):
        for t in half:
            if not (
                isinstance(t, list)
                and len(t) == length
                and all(isinstance(e, int) and not isinstance(e, bool) and 0 <= e < M for e in t)
            ):
                raise CheckFailed(
                    f"minor tuple {ascii(t)[:40]} is not {length} template indices in 0..{M - 1}"
                )
        if len({tuple(t) for t in half}) != r:
            raise CheckFailed("a minor lists a row or column tuple twice (it would be singular)")
    return rows, cols, r


def verify_minor(claim: dict[str, Any], net: Network, G: Any, cert: dict[str, Any]) -> None:
    """rank [G]_{I,J} >= r at the network's weights: the r×r submatrix on the claimed row
    and column tuples is non-singular.

    Its entries G[d] are recomputed exactly, each by a forward pass at the single tuple d
    (no grid). With "prime" null its rank over Q is computed exactly (Bareiss); with a prime
    P (proven prime here, 2 < P < 2^64) every entry's denominator must be a unit mod P and
    the rank of the reduction mod P is computed: reduction mod P is a ring map from the
    rationals with P-free denominators to Z/P, so det ≠ 0 mod P implies det ≠ 0 over Q.
    Either way a non-zero r×r minor proves rank >= r.

    Refused before any work: r³ > MAX_MINOR_ELIMINATION (3·10^7, r up to about 310), the
    entries' forward work beyond MAX_MINOR_WORK (10^7 multiply-adds, see
    :func:`~symtd.checker.arithmetic.minor_work`), and, once the entries are known, an exact
    rank over Q beyond MAX_RANK_WORK (in the units of
    :func:`~symtd.checker.arithmetic.rank_cost`; a prime has no such limit).
    """
    if "weights" not in net:
        raise CheckFailed(f"{claim['network']}: a minor needs the network's weights")
    rows, cols, r = minor_cost(claim, net)
    P = claim["prime"]
    if P is not None and not (
        isinstance(P, int) and not isinstance(P, bool) and 2 < P < 2**64 and is_prime(P)
    ):
        raise CheckFailed(f"{ascii(P)[:30]} is not a prime in 3..2^64-1")
    if r == 0:
        return  # rank >= 0: nothing to prove
    A = minor_entries(net, rows, claim["row_tuples"], claim["col_tuples"])
    if P is None:
        bits = scaled_bits(A)
        if r**3 * (r * max(bits, 1)) ** 1.6 / 10**6 > MAX_RANK_WORK:
            raise CheckFailed(
                f"an exact rank of a {r}×{r} minor of {bits}-bit entries is more than this "
                "checker computes (give a prime)"
            )
        got, over = rank(A), "over Q"
    else:
        if any(x.denominator % P == 0 for a in A for x in a):
            raise CheckFailed(f"the prime {P} divides the denominator of a minor entry")
        reduced = [[x.numerator * pow(x.denominator, -1, P) % P for x in a] for a in A]
        got, over = rank_mod(reduced, P), f"mod {P}"
    if got != r:
        raise CheckFailed(
            f"{claim['network']}: the minor has rank {got} {over}, certificate claims {r}"
        )


def verify_matrix_size(claim: dict[str, Any], net: Network, G: Any, cert: dict[str, Any]) -> None:
    """bound = min(M^|I|, M^|J|): [G]_{I,J} has M^|I| rows and M^|J| columns (all weights)."""
    rows, cols = split(claim["rows"], net["N"])
    size = net["M"] ** min(len(rows), len(cols))
    if claim["bound"] != size:
        raise CheckFailed(f"the matrix size bound is {size}, not {claim['bound']!r}")


def verify_split_bound(claim: dict[str, Any], net: Network, G: Any, cert: dict[str, Any]) -> None:
    """bound = 2 for a sum/avg circuit whose root members each lie wholly in I or in J.

    The root pools additively: G = Σ_α o_α·c·Σ_m relu(u_{m,α}) (c = 1, or 1/k for avg), and
    member m's value depends only on the templates at its own positions. With every member
    inside I or inside J, G[p, q] = f(p) + g(q), so [G]_{I,J} = f·1ᵀ + 1·gᵀ has rank <= 2, for
    all weights and every F.
    """
    if net["operator"] not in ("sum", "avg"):
        raise CheckFailed("the sum/avg split bound holds for sum and avg circuits only")
    rows, _ = split(claim["rows"], net["N"])
    nodes, _ = structure(net)
    scopes, inside = scopes_of(nodes, net["N"]), set(rows)
    members = [m for m, _ in nodes[-1][1]]
    if len(members) < 2:
        raise CheckFailed("the sum/avg split bound needs a root with two members at least")
    for m in members:
        if len({p in inside for p in scopes[m]}) != 1:
            raise CheckFailed(f"root member {m} has positions in both I and J: no sum/avg split")
    if claim["bound"] != 2:
        raise CheckFailed(f"the sum/avg split bound is 2, not {claim['bound']!r}")


def verify_max_lemma(claim: dict[str, Any], net: Network, G: Any, cert: dict[str, Any]) -> None:
    """bound = Z·min(|I|,|J|)·M for a shallow max circuit: one node of width Z pooling every
    position, |I|, |J| >= 1.

    Channel z is h_z = max(0, max_i u_{i,z}(d_i)) = max(a(p), b(q)) with a(p) =
    max(0, max_{i in I} u_{i,z}(p_i)) (b likewise on J). a takes at most |I|·M values (0 only
    when no u is positive, and a value u > 0 only as the largest), rows with equal a are
    equal, so [h_z]_{I,J} has rank <= |I|·M, and by columns <= |J|·M. G = Σ_z o_z h_z sums Z
    of them: rank <= Z·min(|I|,|J|)·M for all weights and every F.
    """
    nodes, _ = structure(net)
    N = net["N"]
    if net["operator"] != "max" or len(nodes) != 1:
        raise CheckFailed("the max lemma holds for shallow max circuits (one node) only")
    if sorted(m for m, _ in nodes[0][1]) != sorted(f"x{j}" for j in range(N)):
        raise CheckFailed("the max lemma needs the one node to pool every position")
    rows, cols = split(claim["rows"], N)
    if not rows or not cols:
        raise CheckFailed("the max lemma needs I and J non-empty")
    bound = nodes[0][0] * min(len(rows), len(cols)) * net["M"]
    if claim["bound"] != bound:
        raise CheckFailed(f"the max lemma bound is {bound}, not {claim['bound']!r}")


CLAIMS: dict[str, Verifier] = {
    "rank": verify_rank,
    "rank_at_most": verify_rank_at_most,
    "grid_equals": verify_grid_equals,
    "cut_bound": verify_cut_bound,
    "grid_is_pair_indicator": verify_grid_is_pair_indicator,
    "covering": verify_covering,
    "templates": verify_templates,
    "singular": verify_singular,
    "leaf_vectors": verify_leaf_vectors,
    "separable": verify_separable,
    "unreachable_target": verify_unreachable_target,
    "identity_in_region": verify_identity_in_region,
    "minor": verify_minor,
    "matrix_size": verify_matrix_size,
    "split_bound": verify_split_bound,
    "max_lemma": verify_max_lemma,
}
GRID_CLAIMS = {"rank", "rank_at_most", "grid_equals", "grid_is_pair_indicator"}
