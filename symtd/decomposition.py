"""Generalized tensor decompositions (SPEC §4): ⊗_g, generalized CP and tree (HT) formats.

Arrays may hold any element kind symtd computes with (float64, Fractions, sympy
expressions, polynomial-ring elements); the operator supplies g.

* (A ⊗_g B)[d_1..d_{P+Q}] = g(A[d_1..d_P], B[d_{P+1}..d_{P+Q}]).
* CP:   T = Σ_z λ_z · (v^{z,1} ⊗_g ... ⊗_g v^{z,N}).
* tree: φ^{leaf j, α} = v^{j,α}; at a window t with children t_1..t_k,
  φ^{t,γ} = Σ_α a^{t,γ}_α · ρ(φ^{t_1,α}, ..., φ^{t_k,α}), modes put in increasing
  position order; T = Σ_α a^{L,1}_α · ρ(root children). Binary contiguous trees give
  the hierarchical Tucker (HT) format.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import SymtdError
from .operators import PRODUCT, Operator, get_operator


def generalized_outer(A, B, operator=PRODUCT):
    """A ⊗_g B: order P+Q tensor with entries g(A[i], B[j])."""
    g = get_operator(operator).g
    A, B = np.asarray(A), np.asarray(B)
    return g(A.reshape(A.shape + (1,) * B.ndim), B.reshape((1,) * A.ndim + B.shape))


@dataclass(frozen=True)
class TreeTensor:
    """A tensor in generalized tree format over a pooling tree.

    ``leaves[j]``: array r_0 × M whose row α is v^{j,α}; ``weights[l-1][t]``: the
    r_l × r_{l-1} matrix of window t of level l (1 <= l < L); ``output``: a^{L,1}, length
    r_{L-1}; ``levels`` as in :class:`symtd.circuit.Circuit`.
    """

    levels: tuple
    leaves: tuple
    weights: tuple
    output: np.ndarray
    operator: Operator = PRODUCT

    def map(self, convert):
        """The same tree with every array passed through convert (e.g. to floats)."""
        return TreeTensor(self.levels, tuple(convert(v) for v in self.leaves),
                          tuple(tuple(convert(w) for w in level) for level in self.weights),
                          convert(self.output), self.operator)


@dataclass(frozen=True)
class CPTensor:
    """Generalized CP: ``weights`` λ (length Z), ``factors[i]`` of shape M_i × Z (column z = v^{z,i})."""

    weights: np.ndarray
    factors: tuple
    operator: Operator = PRODUCT

    def as_tree(self):
        """The CP tensor as a one-level tree (a shallow network)."""
        N = len(self.factors)
        return TreeTensor(((tuple(range(N)),),), tuple(np.asarray(f).T for f in self.factors), (),
                          np.asarray(self.weights), get_operator(self.operator))


def validate_cp_tensor(cp):
    """(shape, rank) of a CP tensor, or SymtdError if weights and factors disagree."""
    Z = len(cp.weights)
    shape = []
    for i, factor in enumerate(cp.factors):
        factor = np.asarray(factor)
        if factor.ndim != 2 or factor.shape[1] != Z:
            raise SymtdError(f"CP factor {i} has shape {factor.shape}, expected (M_{i}, {Z})")
        shape.append(factor.shape[0])
    if len(shape) < 2:
        raise SymtdError("a CP tensor needs at least 2 factors")
    return tuple(shape), Z


def validate_cp_rank(tensor_shape, rank="same", rounding="round"):
    """CP rank as an int, in tensorly's convention.

    An int is returned as is (it must be >= 1); "same" (= 1.0) or a float f gives the rank
    R whose parameter count R·Σ_i M_i is f times the Π_i M_i entries of the full tensor.
    """
    import math

    rounder = {"round": round, "floor": math.floor, "ceil": math.ceil}.get(rounding)
    if rounder is None:
        raise SymtdError(f"rounding must be round, floor or ceil, got {rounding!r}")
    if rank == "same":
        rank = 1.0
    if isinstance(rank, float):
        rank = max(1, int(rounder(rank * math.prod(tensor_shape) / sum(tensor_shape))))
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
        raise SymtdError(f"CP rank must be a positive int, 'same' or a float, got {rank!r}")
    return rank


def validate_tree_tensor(tt):
    """(shape, widths) of a tree tensor, or SymtdError if its arrays disagree with its tree."""
    from .circuit import validate_levels

    levels = validate_levels(tt.levels)
    N = sum(len(w) for w in levels[0])
    if len(tt.leaves) != N:
        raise SymtdError(f"tree tensor has {len(tt.leaves)} leaves for {N} positions")
    r0 = np.asarray(tt.leaves[0]).shape[0]
    shape = []
    for j, leaf in enumerate(tt.leaves):
        leaf = np.asarray(leaf)
        if leaf.ndim != 2 or leaf.shape[0] != r0:
            raise SymtdError(f"leaf {j} has shape {leaf.shape}, expected ({r0}, M)")
        shape.append(leaf.shape[1])
    widths = [r0]
    if len(tt.weights) != len(levels) - 1:
        raise SymtdError(f"tree tensor has {len(tt.weights)} weight levels, expected {len(levels) - 1}")
    for depth, (level, blocks) in enumerate(zip(levels, tt.weights), start=1):
        if len(blocks) != len(level):
            raise SymtdError(f"level {depth} has {len(level)} windows but {len(blocks)} weight blocks")
        r = np.asarray(blocks[0]).shape[0]
        for t, w in enumerate(blocks):
            if np.asarray(w).shape != (r, widths[-1]):
                raise SymtdError(f"weights of window {t} at level {depth} have shape "
                                 f"{np.asarray(w).shape}, expected ({r}, {widths[-1]})")
        widths.append(r)
    if np.asarray(tt.output).shape != (widths[-1],):
        raise SymtdError(f"output has shape {np.asarray(tt.output).shape}, expected ({widths[-1]},)")
    return tuple(shape), tuple(widths)


def tree_to_tensor(tt):
    """Full tensor of a tree tensor by the recursion of SPEC §4."""
    validate_tree_tensor(tt)
    op = get_operator(tt.operator)
    # each node: (array of shape (channels, M, ..., M), positions of its modes)
    nodes = [(np.asarray(v), (j,)) for j, v in enumerate(tt.leaves)]
    for depth, level in enumerate(tt.levels, start=1):
        parents = []
        for t, window in enumerate(level):
            value, scope = _pool_window(op, [nodes[i] for i in window])
            W = tt.weights[depth - 1][t] if depth < len(tt.levels) else np.asarray(tt.output)[None, :]
            parents.append((np.tensordot(np.asarray(W), value, axes=1), scope))
        nodes = parents
    return nodes[0][0][0]


def _pool_window(op, children):
    """ρ over a window, per channel: ⊗_g of the children, then modes in increasing position."""
    value, scope = children[0]
    for array, positions in children[1:]:
        a = value.reshape(value.shape + (1,) * (array.ndim - 1))
        b = array.reshape(array.shape[:1] + (1,) * (value.ndim - 1) + array.shape[1:])
        value, scope = op.g(a, b), scope + positions
    value = op.scale(value, len(children))
    order = np.argsort(scope)
    return value.transpose((0,) + tuple(1 + order)), tuple(sorted(scope))


def cp_to_tensor(cp):
    """Full tensor of a generalized CP tensor."""
    validate_cp_tensor(cp)
    return tree_to_tensor(cp.as_tree())


def mode_dot_all(T, F):
    """T ×_1 F ×_2 F ... ×_N F: result[d] = Σ_e T[e] Π_i F[d_i, e_i]."""
    F = np.asarray(F)
    for axis in range(np.ndim(T)):
        T = np.moveaxis(np.tensordot(F, T, axes=([1], [axis])), 0, axis)
    return T


def from_circuit(circuit, coefficient=False):
    """The circuit's tree decomposition (SPEC §4 grid-tensor claims).

    Leaf vectors are v^{j,α} = F · a^{0,j,α} (so the tensor is the grid tensor) or, with
    ``coefficient=True`` (product only), the layer-0 weights a^{0,j,α} themselves (so
    the tensor is the coefficient tensor A^y). Entries stay Fractions / sympy objects.
    """
    if coefficient and circuit.operator is not PRODUCT:
        raise SymtdError("the coefficient tensor A^y is defined for product networks only")
    leaves = []
    for j in range(circuit.N):
        a = circuit.weights(f"conv0[{j}]")                     # r_0 × M, row α = a^{0,j,α}
        leaves.append(a if coefficient else np.dot(a, circuit.F.T))
    weights = tuple(tuple(circuit.weights(f"conv{depth}[{t}]") for t in range(len(level)))
                    for depth, level in enumerate(circuit.levels[:-1], start=1))
    return TreeTensor(circuit.levels, tuple(leaves), weights, circuit.weights("output")[0],
                      circuit.operator)
