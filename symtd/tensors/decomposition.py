"""Generalized tensor decompositions (:doc:`/theory`): ⊗_g, generalized CP and tree (HT) formats.

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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from symtd.circuits.builders import validate_levels
from symtd.circuits.circuit import Circuit
from symtd.circuits.operators import PRODUCT, Operator, get_operator
from symtd.errors import SymtdError


def generalized_outer(A: ArrayLike, B: ArrayLike, operator: Operator | str = PRODUCT) -> np.ndarray:
    """Compute A ⊗_g B, the order P+Q tensor with entries g(A[i], B[j]).

    Parameters
    ----------
    A : array_like
        A tensor of order P.
    B : array_like
        A tensor of order Q.
    operator : Operator or str, default PRODUCT
        The operator whose g combines the entries.

    Returns
    -------
    numpy.ndarray
        The tensor of order P+Q, of the entries' kind.

    Raises
    ------
    SymtdError
        When the operator is unknown.

    Examples
    --------
    >>> import symtd
    >>> symtd.generalized_outer([1, -2], [3, -1])  # product: the outer product
    array([[ 3, -1],
           [-6,  2]])
    >>> symtd.generalized_outer([1, -2], [3, -1], "max")  # g(a, b) = max(a, b, 0)
    array([[3, 1],
           [3, 0]])
    """
    g = get_operator(operator).g
    A, B = np.asarray(A), np.asarray(B)
    return g(A.reshape(A.shape + (1,) * B.ndim), B.reshape((1,) * A.ndim + B.shape))


@dataclass(frozen=True)
class TreeTensor:
    """A tensor in generalized tree format over any pooling tree (the tree circuits of format v2).

    Node k's tensor is φ^{k,γ} = ρ(c_1^γ, ..., c_n^γ) with c_i^γ = v^{J,γ} or
    Σ_α B[γ, α] φ^{K,α}, combined by ⊗_g with modes in increasing position order;
    T = Σ_α output[α] φ^{root,α}. Every position and node is used exactly once.

    Parameters
    ----------
    nodes : tuple
        ``nodes[k]`` is node k's pool, a tuple of (member, array) in topological order (root
        last): a position "xJ" with its leaf vectors (w_k × M, row γ = v^{J,γ}), a node "nK"
        with the block B (w_k × w_K) that maps node K's tensor into node k.
    output : numpy.ndarray
        The output vector, of the root's width.
    operator : Operator, default PRODUCT
        The operator ρ of every node.

    Examples
    --------
    >>> import numpy as np, symtd
    >>> eye = np.eye(2, dtype=int)  # leaf vectors v^{j,γ} = e_γ at both positions
    >>> tt = symtd.TreeTensor(((("x0", eye), ("x1", eye)),), np.array([1, 1]))
    >>> symtd.validate_tree_tensor(tt)  # (shape, node widths)
    ((2, 2), (2,))
    """

    nodes: tuple
    output: np.ndarray
    operator: Operator = PRODUCT

    @classmethod
    def from_levels(
        cls,
        levels: Sequence[Sequence[Sequence[int]]],
        leaves: Sequence[np.ndarray],
        weights: Sequence[Sequence[np.ndarray]],
        output: np.ndarray,
        operator: Operator | str = PRODUCT,
    ) -> TreeTensor:
        """The HT / uniform-tree form of the theory: ``leaves[j]`` (r_0 × M, row α = v^{j,α}),
        ``weights[l-1][t]`` (r_l × r_{l-1}) the conv of window t of level l (1 <= l < L) applied
        after its pooling, ``output`` a^{L,1}; ``levels`` as in
        :func:`~symtd.circuits.builders.tree`."""
        levels = validate_levels(levels)
        if len(leaves) != sum(len(w) for w in levels[0]):
            raise SymtdError(
                f"tree tensor has {len(leaves)} leaves for "
                f"{sum(len(w) for w in levels[0])} positions"
            )
        if len(weights) != len(levels) - 1:
            raise SymtdError(
                f"tree tensor has {len(weights)} weight levels, expected {len(levels) - 1}"
            )
        nodes, first = [], 0
        for depth, level in enumerate(levels):
            for window in level:
                if depth == 0:
                    nodes.append(tuple((f"x{j}", leaves[j]) for j in window))
                else:
                    blocks = weights[depth - 1]
                    if len(blocks) != len(levels[depth - 1]):
                        raise SymtdError(
                            f"level {depth} has {len(levels[depth - 1])} windows but "
                            f"{len(blocks)} weight blocks"
                        )
                    base = first - len(levels[depth - 1])
                    nodes.append(tuple((f"n{base + t}", blocks[t]) for t in window))
            first += len(level)
        return cls(tuple(nodes), output, get_operator(operator))

    def map(self, convert: Callable[[np.ndarray], np.ndarray]) -> TreeTensor:
        """The same tree with every array passed through convert (e.g. to floats)."""
        return TreeTensor(
            tuple(tuple((m, convert(a)) for m, a in pool) for pool in self.nodes),
            convert(self.output),
            self.operator,
        )


@dataclass(frozen=True)
class CPTensor:
    """A tensor in generalized CP format: T = Σ_z λ_z · (v^{z,1} ⊗_g ... ⊗_g v^{z,N}).

    Parameters
    ----------
    weights : numpy.ndarray
        λ, of length Z.
    factors : tuple
        ``factors[i]`` of shape M_i × Z; column z is v^{z,i}.
    operator : Operator, default PRODUCT
        The operator whose g combines the factors.

    Examples
    --------
    >>> import numpy as np, symtd
    >>> cp = symtd.CPTensor(np.array([1, -1]), (np.eye(2, dtype=int),) * 3)
    >>> symtd.validate_cp_tensor(cp)  # (shape, rank Z)
    ((2, 2, 2), 2)
    """

    weights: np.ndarray
    factors: tuple
    operator: Operator = PRODUCT

    def as_tree(self) -> TreeTensor:
        """The CP tensor as a one-node tree (a shallow network)."""
        N = len(self.factors)
        return TreeTensor.from_levels(
            ((tuple(range(N)),),),
            [np.asarray(f).T for f in self.factors],
            (),
            np.asarray(self.weights),
            self.operator,
        )


def validate_cp_tensor(cp: CPTensor) -> tuple[tuple[int, ...], int]:
    """Check a CP tensor: its weights and factors must agree.

    Parameters
    ----------
    cp : CPTensor
        The tensor to check.

    Returns
    -------
    tuple
        (shape, rank): the dimensions M_i and the number of terms Z.

    Raises
    ------
    SymtdError
        When a factor is not M_i × Z or there are fewer than 2 factors.

    Examples
    --------
    >>> import numpy as np, symtd
    >>> symtd.validate_cp_tensor(symtd.CPTensor(np.array([1]), (np.ones((3, 1)),) * 2))
    ((3, 3), 1)
    """
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


def validate_cp_rank(
    tensor_shape: Sequence[int], rank: int | float | str = "same", rounding: str = "round"
) -> int:
    """Give the CP rank as an int, in tensorly's convention.

    Parameters
    ----------
    tensor_shape : sequence of int
        The shape M_1 × ... × M_N of the full tensor.
    rank : int or float or str, default "same"
        An int (>= 1) is returned as is; "same" (= 1.0) or a float f gives the rank R whose
        parameter count R·Σ_i M_i is f times the Π_i M_i entries of the full tensor.
    rounding : str, default "round"
        "round", "floor" or "ceil", applied to R for a float.

    Returns
    -------
    int
        The rank, at least 1.

    Raises
    ------
    SymtdError
        When ``rank`` or ``rounding`` is not one of the accepted forms.

    Examples
    --------
    >>> import symtd
    >>> symtd.validate_cp_rank((3, 3, 3)), symtd.validate_cp_rank((3, 3, 3), 2.0)  # 27 / 9
    (3, 6)
    """
    import math

    rounders: dict[str, Callable[[float], int]] = {
        "round": round,
        "floor": math.floor,
        "ceil": math.ceil,
    }
    rounder = rounders.get(rounding)
    if rounder is None:
        raise SymtdError(f"rounding must be round, floor or ceil, got {rounding!r}")
    if rank == "same":
        rank = 1.0
    if isinstance(rank, float):
        rank = max(1, int(rounder(rank * math.prod(tensor_shape) / sum(tensor_shape))))
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
        raise SymtdError(f"CP rank must be a positive int, 'same' or a float, got {rank!r}")
    return rank


def validate_tree_tensor(tt: TreeTensor) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Check a tree tensor: its arrays must agree with its tree.

    Parameters
    ----------
    tt : TreeTensor
        The tensor to check.

    Returns
    -------
    tuple
        (shape, node widths): the dimension of every position and the width of every node.

    Raises
    ------
    SymtdError
        When a member is not an unused position or earlier node, an array has the wrong
        shape, or a position or node is left out.

    Examples
    --------
    >>> import symtd
    >>> tt = symtd.from_circuit(symtd.deep(4, 2, 2).at_random_point(seed=0))
    >>> symtd.validate_tree_tensor(tt)
    ((2, 2, 2, 2), (2, 2, 2))
    """
    if not tt.nodes:
        raise SymtdError("a tree tensor needs at least one node")
    widths: list[Any] = []  # int once checked
    used: set[str] = set()
    shape: dict[int, Any] = {}
    for k, pool in enumerate(tt.nodes):
        if not pool:
            raise SymtdError(f"node {k} of the tree tensor has an empty pool")
        arrays = [np.asarray(a) for _, a in pool]
        width = arrays[0].shape[0] if arrays[0].ndim == 2 else None
        for (member, _), a in zip(pool, arrays):
            kind, index = member[:1], int(member[1:]) if member[1:].isdigit() else -1
            if (
                kind not in ("x", "n")
                or index < 0
                or (kind == "n" and index >= k)
                or member in used
            ):
                raise SymtdError(
                    f"node {k}: member {member!r} is not an unused position or an "
                    f"unused earlier node (a tree uses each exactly once)"
                )
            used.add(member)
            dim = widths[index] if kind == "n" else a.shape[-1] if a.ndim == 2 else None
            if a.ndim != 2 or a.shape != (width, dim):
                raise SymtdError(
                    f"node {k}: member {member} has an array of shape {a.shape}, "
                    f"expected ({width}, {dim if kind == 'n' else 'M'})"
                )
            if kind == "x":
                shape[index] = a.shape[1]
        widths.append(width)
    N = len(shape)
    unused = [f"n{k}" for k in range(len(tt.nodes) - 1) if f"n{k}" not in used]
    if sorted(shape) != list(range(N)) or unused:
        raise SymtdError("a tree tensor must use positions x0..x{N-1} and every node but the root")
    if np.asarray(tt.output).shape != (widths[-1],):
        raise SymtdError(
            f"output has shape {np.asarray(tt.output).shape}, expected ({widths[-1]},)"
        )
    return tuple(shape[j] for j in range(N)), tuple(widths)


def tree_to_tensor(tt: TreeTensor) -> np.ndarray:
    """Compute the full tensor of a tree tensor by the generalized tree recursion (any tree).

    Parameters
    ----------
    tt : TreeTensor
        The tensor in tree format.

    Returns
    -------
    numpy.ndarray
        The full tensor, of order N, of the arrays' entry kind.

    Raises
    ------
    SymtdError
        When the tree tensor is malformed (see :func:`validate_tree_tensor`).

    Examples
    --------
    >>> import numpy as np, symtd
    >>> eye = np.eye(2, dtype=int)  # leaf vectors v^{j,γ} = e_γ at both positions
    >>> tt = symtd.TreeTensor(((("x0", eye), ("x1", eye)),), np.array([1, 1]))
    >>> symtd.tree_to_tensor(tt)  # product: Σ_γ e_γ ⊗ e_γ
    array([[1, 0],
           [0, 1]])
    >>> symtd.tree_to_tensor(symtd.TreeTensor(tt.nodes, tt.output, symtd.MAX))  # Σ_γ e_γ ⊗_max e_γ
    array([[1, 2],
           [2, 1]])
    """
    validate_tree_tensor(tt)
    op = get_operator(tt.operator)
    tensors: dict[int, tuple[np.ndarray, tuple[int, ...]]] = {}  # node k: (array, its positions)
    for k, pool in enumerate(tt.nodes):
        children: list[tuple[np.ndarray, tuple[int, ...]]] = []
        for member, array in pool:
            if member[0] == "x":
                children.append((np.asarray(array), (int(member[1:]),)))
            else:
                value, scope = tensors.pop(int(member[1:]))
                children.append((np.tensordot(np.asarray(array), value, axes=1), scope))
        tensors[k] = _pool_window(op, children)
    value, _ = tensors[len(tt.nodes) - 1]
    return np.tensordot(np.asarray(tt.output), value, axes=1)


def _pool_window(op, children):
    """ρ over a window, per channel: ⊗_g of the children (σ of a single child), then modes in
    increasing position."""
    value, scope = children[0]
    if len(children) == 1:
        value = op.activation(value)
    for array, positions in children[1:]:
        a = value.reshape(value.shape + (1,) * (array.ndim - 1))
        b = array.reshape(array.shape[:1] + (1,) * (value.ndim - 1) + array.shape[1:])
        value, scope = op.g(a, b), scope + positions
    value = op.scale(value, len(children))
    order = np.argsort(scope)
    return value.transpose((0,) + tuple(1 + order)), tuple(sorted(scope))


def cp_to_tensor(cp: CPTensor) -> np.ndarray:
    """Compute the full tensor of a generalized CP tensor.

    Parameters
    ----------
    cp : CPTensor
        The tensor in CP format.

    Returns
    -------
    numpy.ndarray
        The full tensor, of order N.

    Raises
    ------
    SymtdError
        When the CP tensor is malformed (see :func:`validate_cp_tensor`).

    Examples
    --------
    >>> import numpy as np, symtd
    >>> cp = symtd.CPTensor(np.array([1, -1]), (np.array([[1, 0], [0, 1]]),) * 2)
    >>> symtd.cp_to_tensor(cp)  # e_1 ⊗ e_1 - e_2 ⊗ e_2
    array([[ 1,  0],
           [ 0, -1]])
    """
    validate_cp_tensor(cp)
    return tree_to_tensor(cp.as_tree())


def mode_dot_all(T: ArrayLike, F: ArrayLike) -> np.ndarray:
    """Compute T ×_1 F ×_2 F ... ×_N F: result[d] = Σ_e T[e] Π_i F[d_i, e_i].

    Parameters
    ----------
    T : array_like
        A tensor of order N.
    F : array_like
        The matrix applied along every mode.

    Returns
    -------
    numpy.ndarray
        The tensor of order N.

    Examples
    --------
    >>> import numpy as np, symtd
    >>> symtd.mode_dot_all(np.eye(2, dtype=int), [[1, 1], [0, 1]])  # F I Fᵀ
    array([[2, 1],
           [1, 1]])
    """
    F = np.asarray(F)
    out = np.asarray(T)
    for axis in range(out.ndim):
        out = np.moveaxis(np.tensordot(F, out, axes=([1], [axis])), 0, axis)
    return out


def from_circuit(circuit: Circuit, coefficient: bool = False) -> TreeTensor:
    """Decompose a tree circuit's grid tensor in tree format (the claims of :doc:`/theory`).

    Leaf vectors are v^{J,γ} = F · B[γ] for the block B on position J's edge (so the tensor
    is the grid tensor) or, with ``coefficient=True``, the rows of B themselves (so the
    tensor is the coefficient tensor A^y). Entries stay Fractions / sympy objects.

    Parameters
    ----------
    circuit : Circuit
        A tree circuit.
    coefficient : bool, default False
        Decompose the coefficient tensor A^y instead (product circuits only).

    Returns
    -------
    TreeTensor
        The circuit's tree decomposition.

    Raises
    ------
    SymtdError
        When the circuit is not a tree, or ``coefficient`` is asked of a non-product circuit.

    Examples
    --------
    >>> import symtd
    >>> net = symtd.deep(4, 2, 2, "max").at_random_point(seed=0)
    >>> tt = symtd.from_circuit(net)
    >>> [[member for member, _ in pool] for pool in tt.nodes]  # the tree: two windows, a root
    [['x0', 'x1'], ['x2', 'x3'], ['n0', 'n1']]
    >>> T = symtd.tree_to_tensor(tt)  # Fractions
    >>> symtd.RationalTensor.from_rationals(T) == symtd.grid_tensor(net)  # the grid tensor
    True
    """
    if coefficient and circuit.operator is not PRODUCT:
        raise SymtdError("the coefficient tensor A^y is defined for product networks only")
    if not circuit.is_tree:
        reused = sorted((m for m, uses in circuit.uses.items() if uses > 1), key=_member_order)
        raise SymtdError(
            f"the decomposition path applies to tree circuits; this circuit uses "
            f"{reused[0]} in {circuit.uses[reused[0]]} pools (overlap or reuse): "
            f"use the forward path (method='forward')"
        )
    nodes = []
    for node in circuit.nodes:
        pool = []
        for member, block in node.pool:
            B = circuit.block(block)
            pool.append((member, B if coefficient or member[0] == "n" else np.dot(B, circuit.F.T)))
        nodes.append(tuple(pool))
    return TreeTensor(tuple(nodes), circuit.block(circuit.output), circuit.operator)


def _member_order(member):
    return member[0] != "x", int(member[1:])
