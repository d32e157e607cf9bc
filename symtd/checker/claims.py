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
    forward,
    matrix,
    rank,
    separates,
    split,
    tensor_network,
)
from .networks import Network, layer0, levels_of, template_matrix, weight_at
from .reader import CheckFailed, number

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
    bound; then rank [G]_{I,J} <= bound for ALL weights (tensor-network cut)."""
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
}
GRID_CLAIMS = {"rank", "rank_at_most", "grid_equals", "grid_is_pair_indicator"}
