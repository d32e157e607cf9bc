"""Proven upper bounds on the rank of [G]_{I,J} for every weight setting of an architecture.

Each bound holds for ALL weights of the circuit's architecture and states its proof in
its docstring. Every function taking a partition accepts row positions or a name
("odd-even", "low-high", "root", "I=..."), resolved by :func:`~symtd.circuits.partitions.partition`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import networkx as nx
import numpy as np
from networkx.algorithms import flow as flows

from symtd.algebra.rank import rank
from symtd.circuits.circuit import Circuit
from symtd.circuits.partitions import PartitionSpec, partition
from symtd.errors import SymtdError

MAX_UNROLLED = 50_000  # vertices of the unrolled tree a min-cut is computed on


_SCALE = 2**20  # log2 capacities as integers for the flow algorithm


@dataclass(frozen=True)
class Bound:
    """An upper bound on rank [G]_{I,J} for all weights: its value, name and how it was got."""

    value: int
    name: str
    detail: str = ""
    cut: tuple[Any, ...] = field(default=(), compare=False, repr=False)


# -- upper bounds --------------------------------------------------------------------------------
def upper_bounds(circuit: Circuit, I: PartitionSpec) -> list[Bound]:
    """List every upper bound on rank [G]_{I,J} that applies to the circuit, smallest first.

    Each is valid for ALL weights: the matrix size, the min-cut of the tensor network
    (product), the sum/avg split or the max lemma. Ties put structural bounds before
    "matrix size" (they say more about the circuit).

    Parameters
    ----------
    circuit : Circuit
        Any circuit (its weights play no part).
    I : str or iterable of int
        Row positions or a partition name.

    Returns
    -------
    list of Bound
        The bounds, each with its value, name and detail (how it was proven).

    Raises
    ------
    SymtdError
        When ``I`` is not a partition of the circuit's positions.

    Examples
    --------
    >>> import symtd
    >>> for bound in symtd.upper_bounds(symtd.shallow(4, 2, 1, "sum"), (0, 2)):
    ...     print(bound.value, bound.name)
    2 sum/avg split
    4 matrix size
    """
    I = partition(I, circuit)
    bounds = [matrix_size_bound(circuit, I)]
    if circuit.operator.name == "product":
        cut = min_cut_bound(circuit, I)
        if cut is not None:
            bounds.append(cut)
    if circuit.operator.name in ("sum", "avg"):
        split = sum_avg_split_bound(circuit, I)
        if split is not None:
            bounds.append(split)
    if circuit.operator.name == "max":
        lemma = max_lemma_bound(circuit, I)
        if lemma is not None:
            bounds.append(lemma)
    return sorted(bounds, key=lambda b: (b.value, b.name == "matrix size"))


def matrix_size_bound(circuit: Circuit, I: PartitionSpec) -> Bound:
    """rank <= min(M^|I|, M^|J|): a matrix's rank is at most its number of rows or columns."""
    I = partition(I, circuit)
    side = min(len(I), circuit.N - len(I))
    return Bound(circuit.M**side, "matrix size", f"min(M^|I|, M^|J|) = {circuit.M}^{side}")


def sum_avg_split_bound(circuit: Circuit, I: PartitionSpec) -> Bound | None:
    """rank <= 2 when every member of the root lies wholly in I or wholly in J (sum/avg).

    Proof: y = s · Σ_α out[α] Σ_i relu(c_i[α]) (s = 1, or 1/n for avg), and c_i depends
    only on the positions under member i. Grouping the members under I and those under J
    gives G[p, q] = f(p) + g(q), so [G]_{I,J} = f·1ᵀ + 1·gᵀ has rank at most 2 (theorem
    T3; the root split of every sum/avg tree, and every split of a shallow one).
    """
    if circuit.operator.name not in ("sum", "avg"):
        return None
    rows = set(partition(I, circuit))
    for member, _ in circuit.nodes[-1].pool:
        inside = {p in rows for p in circuit.scope(member)}
        if len(inside) != 1:
            return None
    if len(circuit.nodes[-1].pool) < 2:
        return None
    return Bound(2, "sum/avg split", "every root member lies in I or in J: G = f(d_I) + g(d_J)")


def max_lemma_bound(circuit: Circuit, I: PartitionSpec) -> Bound | None:
    """rank <= Z · min(|I|, |J|) · M for a shallow max circuit (one node pooling every position).

    Proof (the T5 lemma): channel z of the root is max(0, max_i c_i[z]) = max(a_z(p), b_z(q))
    with a_z(p) = max(0, max_{i in I} c_i[z](d_i)), which takes at most |I|·M values (each
    is max(0, one of the |I|·M numbers c_i[z](m)); the 0 only occurs when one of them is
    <= 0). Equal a-values give equal rows, so the z-th term has at most |I|·M distinct rows
    and likewise at most |J|·M distinct columns: rank <= min(|I|, |J|)·M. The output is a
    combination of Z such terms.
    """
    if circuit.operator.name != "max" or len(circuit.nodes) != 1:
        return None
    I = partition(I, circuit)
    if sorted(m for m, _ in circuit.nodes[0].pool) != sorted(f"x{j}" for j in range(circuit.N)):
        return None
    Z, side = circuit.nodes[0].width, min(len(I), circuit.N - len(I))
    if side == 0:
        return None  # one row or one column: "matrix size" gives 1
    return Bound(Z * side * circuit.M, "max lemma", f"Z·min(|I|,|J|)·M = {Z}·{side}·{circuit.M}")


def min_cut_bound(circuit: Circuit, I: PartitionSpec) -> Bound | None:
    """The minimum cut of the circuit's tensor network between the I-legs and the J-legs
    (product circuits; Levine, Yakira, Cohen & Shashua, ICLR 2018).

    Proof: a product circuit is a tensor network: node k is a δ tensor over [w_k] joining
    its member legs and its output leg (value[γ] = Π_i c_i[γ]); each member edge is the
    matrix B_i (rank <= min(w_k, dim m_i)); position J is a δ over [M] joining its leg
    (the template index d_J) and its member edges. A position's member edge is the matrix
    d ↦ B_i·F[d] = B_i·Fᵀ·e_d: value(x_J) = F[d_J] lies in the row space of F, so that
    edge has rank <= min(w_k, rank F) (:func:`leaf_rank`; F is part of the architecture).
    A position used by one pool has a δ of two legs: cutting it is cutting the chain
    leg–F–B_i, rank <= min(M, rank F). A position used by t >= 2 pools keeps M: its value
    enters t times (degree t in F[d_J]), and {F[d]^⊗t} may span more than rank F
    dimensions (e.g. rank F = 2, M = 3, t = 2: F[d] = (1,0), (0,1), (1,1) give the three
    independent (u1², u1u2, u2²)). A node used by several pools is first duplicated with its
    whole sub-circuit (each use evaluates the same function), positions being copied by a
    δ tensor over [M] on the template index, which is linear. Split the network along any
    set S of edges and δ-vertices whose removal separates the I-legs from the J-legs:
    contracting each side separately writes [G]_{I,J} = A·B through the cut legs, where a
    cut edge contributes its rank bound and a cut δ over [w] the factor w (δ = Σ_γ e_γ ⊗
    e_γ ⊗ ... across any split of its legs). So rank <= Π_{s in S} cap(s) for every such
    S; the bound is that product, evaluated exactly on the cut found.

    How the cut is found: on the (unrolled) tree a dynamic programme over the nodes gives
    the minimum over all cuts of edges and node δs exactly, in exact integers, in linear
    time (copies of a node are identical subtrees, so one value per node serves them all;
    each position keeps its side, which loses nothing on a tree: cutting a position's one
    edge costs min(w, rank F) <= min(M, rank F)). A DAG's positions are shared by several
    copies, so there the value is also compared with a networkx minimum cut of the
    unrolled network (when it has at most MAX_FLOW vertices), which may cut a position's δ
    once; the smaller bound is kept. Either is a cut, so either is sound.
    """
    if circuit.operator.name != "product":
        return None
    rows = set(partition(I, circuit))
    if not rows or len(rows) == circuit.N:
        return Bound(1, "min-cut", "I or J is empty: no leg to separate")
    value, cut = tree_cut(circuit, rows)
    if not circuit.is_tree and sum(_copies(circuit).values()) + circuit.N <= MAX_FLOW:
        flow = flow_cut(circuit, rows)
        if flow[0] < value:
            value, cut = flow
    if cut is None:
        return Bound(value, "min-cut", "on the unrolled tree (too large to list the cut)")
    what = ", ".join(_item_text(item, cap) for item, cap in cut[:6])
    more = f" and {len(cut) - 6} more" if len(cut) > 6 else ""
    unrolled = "" if circuit.is_tree else " (on the unrolled tree)"
    return Bound(value, "min-cut", f"cut {what}{more}{unrolled}", tuple(item for item, _ in cut))


MAX_FLOW = 3_000  # vertices of an unrolled DAG network given to networkx max-flow


_S, _T, _X = 0, 1, 2  # a vertex on the I side, on the J side, or cut


def tree_cut(circuit: Circuit, rows: PartitionSpec) -> tuple[int, list[Any] | None]:
    """(value, cut items with capacities) of the minimum cut of the unrolled tree whose
    positions keep their sides (rows: the I side); cut None when the unrolled tree is too
    large to list. The value is a product of capacities, an upper bound by
    :func:`min_cut_bound`'s proof."""
    rows = set(partition(rows, circuit))
    rho = leaf_rank(circuit)
    INF = math.inf
    best: dict[str, tuple[Any, ...]] = {}  # member -> costs of its three states
    for j in range(circuit.N):
        best[f"x{j}"] = (1, INF, INF) if j in rows else (INF, 1, INF)
    choice = {}
    for k, node in enumerate(circuit.nodes):
        costs, picks = [], []
        for state in (_S, _T, _X):
            total, pick = node.width if state == _X else 1, []
            for member, _ in node.pool:
                edge = edge_capacity(circuit, node.width, member, rho)
                options = [
                    best[member][t] * (edge if {state, t} == {_S, _T} else 1) for t in (_S, _T, _X)
                ]
                t = min(range(3), key=options.__getitem__)
                total *= options[t]
                pick.append(t)
            costs.append(total)
            picks.append(pick)
        best[f"n{k}"], choice[f"n{k}"] = tuple(costs), picks
    root = f"n{len(circuit.nodes) - 1}"
    state = min(range(3), key=best[root].__getitem__)
    value = best[root][state]
    if not circuit.is_tree and sum(_copies(circuit).values()) > MAX_UNROLLED:
        return value, None
    cut: list[tuple[tuple[Any, ...], int]] = []
    stack = [(len(circuit.nodes) - 1, "", state)]
    while stack:
        k, path, state = stack.pop()
        node = circuit.nodes[k]
        name = f"n{k}" if circuit.is_tree else f"n{k}/{path}"
        if state == _X:
            cut.append((("vertex", name), node.width))
        for slot, ((member, _), t) in enumerate(zip(node.pool, choice[f"n{k}"][state])):
            child_path = f"{path}.{slot}" if path else str(slot)
            child = member if member[0] == "x" or circuit.is_tree else f"{member}/{child_path}"
            if {state, t} == {_S, _T}:
                cut.append((("edge", name, child), edge_capacity(circuit, node.width, member, rho)))
            if member[0] == "n":
                stack.append((int(member[1:]), child_path, t))
    assert math.prod(cap for _, cap in cut) == value
    return value, sorted(cut, key=str)


def flow_cut(circuit: Circuit, rows: PartitionSpec) -> tuple[int, list[Any]]:
    """(value, cut) of a networkx minimum cut of the unrolled network (vertex capacities by
    splitting; log capacities; the product re-evaluated exactly on the cut found). Any
    cut separating the I-legs from the J-legs bounds the rank (:func:`min_cut_bound`), so
    the rounding of the log capacities can cost optimality, never soundness."""
    rows = set(partition(rows, circuit))
    graph = tensor_network(circuit)
    if graph is None:
        raise SymtdError(
            f"the unrolled network has over {MAX_UNROLLED} vertices: no flow cut is computed"
        )
    flow = nx.DiGraph()
    for vertex, data in graph.nodes(data=True):
        flow.add_edge(
            ("in", vertex),
            ("out", vertex),
            capacity=_log(data["capacity"]),
            exact=data["capacity"],
            item=("vertex", vertex),
        )
        if data.get("position") is not None:
            if data["position"] in rows:
                flow.add_edge("s", ("in", vertex))
            else:
                flow.add_edge(("out", vertex), "t")
    for u, v, data in graph.edges(data=True):
        for a, b in ((u, v), (v, u)):
            flow.add_edge(
                ("out", a),
                ("in", b),
                capacity=_log(data["capacity"]),
                exact=data["capacity"],
                item=("edge", u, v),
            )
    _, (source_side, _) = nx.minimum_cut(flow, "s", "t", flow_func=flows.preflow_push)
    cut = sorted(
        {
            (data["item"], data["exact"])
            for a, b, data in flow.edges(data=True)
            if a in source_side and b not in source_side
        },
        key=str,
    )
    return math.prod(exact for _, exact in cut), cut


def _log(capacity: int) -> int:
    return round(math.log2(capacity) * _SCALE) if capacity > 1 else 0


def _item_text(item: tuple[Any, ...], exact: int) -> str:
    if item[0] == "vertex":
        return f"δ {item[1]} ({exact})"
    return f"{item[1]}–{item[2]} ({exact})"


def tensor_network(circuit: Circuit) -> nx.Graph | None:
    """The circuit's tensor network as an undirected graph, or None if too large to unroll.

    Vertices: "xJ" (the δ over [M] carrying position J's leg: capacity min(M, rank F) when
    position J feeds one pool, M when it feeds several; attribute ``position`` = J) and one
    δ vertex per pool node (capacity w_k); an edge per member edge with capacity
    min(w_k, dim m), min(w_k, rank F) for a position (see :func:`min_cut_bound`). A node
    used by several pools is duplicated with its sub-circuit: copies are named "nK/p" with
    p the path of slots from the root.
    """
    copies = _copies(circuit)
    if sum(copies.values()) > MAX_UNROLLED:
        return None
    rho = leaf_rank(circuit)
    degree = dict.fromkeys((f"x{j}" for j in range(circuit.N)), 0)
    for k, node in enumerate(circuit.nodes):  # edges of each position in the UNROLLED network
        for member, _ in node.pool:
            if member[0] == "x":
                degree[member] += copies.get(k, 0)
    graph = nx.Graph()
    for j in range(circuit.N):
        once = degree[f"x{j}"] == 1  # a copy of a reused node is a second edge too
        graph.add_node(f"x{j}", capacity=min(circuit.M, rho) if once else circuit.M, position=j)
    tree = circuit.is_tree
    stack = [(len(circuit.nodes) - 1, "")]
    while stack:
        k, path = stack.pop()
        name = f"n{k}" if tree else f"n{k}/{path}"
        width = circuit.nodes[k].width
        graph.add_node(name, capacity=width, position=None)
        for slot, (member, _) in enumerate(circuit.nodes[k].pool):
            capacity = edge_capacity(circuit, width, member, rho)
            if member[0] == "x":
                graph.add_edge(name, member, capacity=capacity)
            else:
                child = int(member[1:])
                child_path = f"{path}.{slot}" if path else str(slot)
                graph.add_edge(
                    name, f"n{child}" if tree else f"n{child}/{child_path}", capacity=capacity
                )
                stack.append((child, child_path))
    return graph


def leaf_rank(circuit: Circuit) -> int:
    """rank F over Q, exactly (M when F has symbols: no smaller bound is known then).

    >>> import symtd
    >>> leaf_rank(symtd.deep(4, 3, 2, F=[[1, 0, 0], [0, 1, 0], [1, 1, 0]]))
    2
    """
    F = circuit.F
    if not all(isinstance(x, Fraction) for x in F.flat):
        return circuit.M
    key = tuple(F.flat) if circuit.M <= 256 else None
    if key is not None and key in _LEAF_RANKS:
        return _LEAF_RANKS[key]
    value = rank(np.asarray(F, dtype=object))
    if key is not None:
        if len(_LEAF_RANKS) > 256:
            _LEAF_RANKS.clear()
        _LEAF_RANKS[key] = value
    return value


_LEAF_RANKS: dict[tuple[Fraction, ...], int] = {}


def edge_capacity(circuit: Circuit, width: int, member: str, rho: int) -> int:
    """The capacity of a member edge into a node of ``width``: min(width, dim m), and
    min(width, rank F) = min(width, rho) for a position (see :func:`min_cut_bound`)."""
    if member[0] == "x":
        return min(width, rho)
    return min(width, circuit.dim(member))


def _copies(circuit: Circuit) -> dict[int, int]:
    """{node index: number of copies in the unrolled tree} (paths to the root)."""
    copies: dict[int, int] = {len(circuit.nodes) - 1: 1}
    for k in range(len(circuit.nodes) - 1, -1, -1):
        for member, _ in circuit.nodes[k].pool:
            if member[0] == "n":
                copies[int(member[1:])] = copies.get(int(member[1:]), 0) + copies.get(k, 0)
    return copies


def structural_upper_bound(circuit: Circuit, I: PartitionSpec) -> tuple[int, str]:
    """Give the smallest upper bound on rank [G]_{I,J} valid for ALL weights, with its reason.

    It is the first of :func:`~symtd.ranks.bounds.upper_bounds`; its proof is that bound's.

    Parameters
    ----------
    circuit : Circuit
        Any circuit (its weights play no part).
    I : str or iterable of int
        Row positions or a partition name.

    Returns
    -------
    tuple
        (bound, reason): the value and "name: detail" of the bound.

    Raises
    ------
    SymtdError
        When ``I`` is not a partition of the circuit's positions.

    Examples
    --------
    >>> import symtd
    >>> symtd.structural_upper_bound(symtd.deep(4, 2, 2), (0, 2))
    (4, 'min-cut: cut n0–x1 (2), n1–x3 (2)')
    >>> symtd.structural_upper_bound(symtd.shallow(4, 2, 3), (0, 2))  # Z = 3 channels
    (3, 'min-cut: cut δ n0 (3)')
    >>> symtd.structural_upper_bound(symtd.shallow(4, 2, 1, "sum"), (0, 2))[0]  # T3
    2
    """
    best = upper_bounds(circuit, I)[0]
    return best.value, f"{best.name}: {best.detail}"
