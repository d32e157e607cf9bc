"""Builders: the pooling geometries of the theory as circuits
(:class:`~symtd.circuits.circuit.Circuit`).

Uniform-depth trees (format v1): :func:`shallow`, :func:`deep`, :func:`tree`, and the
geometries :func:`mirror` and :func:`dilated`. General circuits: :func:`overlapping`
(convolutions with stride < kernel), :func:`recurrent` (recurrent chains and tensor
trains) and :func:`circuit` (any layered DAG). Every builder returns a symbolic circuit
unless weights are given; ``F`` defaults to the identity.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from symtd.algebra.rational import short_int
from symtd.circuits.circuit import (
    MAX_NODES,
    MAX_POSITIONS,
    Circuit,
    Levels,
    Node,
    NodeSpec,
    Weights,
    positive_int,
    weight_array,
)
from symtd.circuits.operators import Operator
from symtd.errors import SymtdError, escape


# -- uniform-depth trees (format v1) ---------------------------------------------------------
def tree(
    levels: Sequence[Sequence[Sequence[int]]],
    M: int,
    widths: int | Sequence[int],
    operator: str | Operator = "product",
    *,
    shared: bool = False,
    weights: Weights | None = None,
    F: ArrayLike | None = None,
) -> Circuit:
    """Build any uniform-depth pooling tree, given level by level as in format v1 (:doc:`/formats`).

    Blocks: "layer0_j" feeds position j into its window, "layer{l}_t" node t of level l into
    its parent ("layer{l}" when ``shared``), and "output" is the output vector.

    Parameters
    ----------
    levels : sequence of sequence of sequence of int
        ``levels[l]`` lists the windows of level l+1, each a list of indices into the level
        below (positions for the first level); each level partitions the one below, windows
        have at least 2 members and the last level is one window (the root).
    M : int
        Number of representation functions (the dimension of each position).
    widths : int or sequence of int
        (r_0, ..., r_{L-1}): level l+1 nodes have width r_l; an int is used at every level.
    operator : str or Operator, default "product"
        The activation-pooling operator ("product", "max", "sum", "avg" or an
        :class:`~symtd.circuits.operators.Operator`).
    shared : bool, default False
        One weight block per level (convolutional weight sharing).
    weights : dict, optional
        Weights in the v1 layout {"layer0": N × r_0 × M (r_0 × M when shared),
        "layer{l}": n_l × r_l × r_{l-1}, "output": r_{L-1}}; None: symbolic.
    F : array_like, optional
        The M × M template matrix; the identity when None.

    Returns
    -------
    Circuit
        The tree as a circuit.

    Raises
    ------
    SymtdError
        When the levels do not form a tree, a width is not a positive int, or the weights
        have unknown, missing or misshaped blocks.

    Examples
    --------
    >>> import symtd
    >>> net = symtd.tree([[[0, 2], [1, 3]], [[0, 1]]], 2, [2, 1], "sum")  # interleaved windows
    >>> net.nodes[0]
    Node(width=2, pool=(('x0', 'layer0_0'), ('x2', 'layer0_2')))
    >>> symtd.partition("root", net)
    (0, 2)
    """
    checked = validate_levels(levels)
    N = sum(len(w) for w in checked[0])
    if isinstance(widths, (int, np.integer)):  # one width for every level (bools refused below)
        widths = [widths] * len(checked)
    per_level = [positive_int(r, "width") for r in widths]
    if len(per_level) != len(checked):
        raise SymtdError(
            f"widths has {len(per_level)} entries but the tree has {len(checked)} "
            f"levels (one width r_0..r_{{L-1}} per level)"
        )
    if not isinstance(shared, bool):
        raise SymtdError("shared must be True or False")

    def block(layer: int, item: int) -> str:
        return f"layer{layer}" if shared else f"layer{layer}_{item}"

    nodes: list[Node] = []
    first, names = 0, [f"x{j}" for j in range(N)]
    for depth, level in enumerate(checked):
        for window in level:
            pool = [(names[i], block(depth, i)) for i in window]
            nodes.append(Node(per_level[depth], tuple(pool)))
        names = [f"n{first + t}" for t in range(len(level))]
        first += len(level)
    blocks = None if weights is None else v1_blocks(weights, checked, M, per_level, shared)
    return Circuit(N, M, nodes, operator, output="output", weights=blocks, F=F)


def v1_shapes(
    levels: Sequence[Sequence[Sequence[int]]], M: int, widths: Sequence[int], shared: bool
) -> dict[str, tuple[int, ...]]:
    """{v1 weight block: shape} (format v1, :doc:`/formats`)."""
    shapes: dict[str, tuple[int, ...]] = {}
    for layer, width in enumerate(widths):
        fan_in = M if layer == 0 else widths[layer - 1]
        count = sum(len(w) for w in levels[0]) if layer == 0 else len(levels[layer - 1])
        shapes[f"layer{layer}"] = (width, fan_in) if shared else (count, width, fan_in)
    shapes["output"] = (widths[-1],)
    return shapes


def v1_blocks(
    weights: Weights,
    levels: Sequence[Sequence[Sequence[int]]],
    M: int,
    widths: Sequence[int],
    shared: bool,
) -> dict[str, ArrayLike]:
    """Named blocks of :func:`tree` from weights in the v1 layout (shapes checked)."""
    if not isinstance(weights, dict):
        raise SymtdError("weights must be a dict with blocks layer0, ..., output")
    shapes = v1_shapes(levels, M, widths, shared)
    unknown = sorted(set(map(str, weights)) - set(shapes))
    if unknown:
        raise SymtdError(f"unknown weight block(s) {escape(unknown[:5])}; expected {list(shapes)}")
    missing = [k for k in shapes if k not in weights]
    if missing:
        raise SymtdError(f"missing weight block(s) {missing}")
    blocks = {"output": weights["output"]}
    for layer in range(len(widths)):
        array = weight_array(
            weights[f"layer{layer}"], shapes[f"layer{layer}"], f"weights['layer{layer}']"
        )
        if shared:
            blocks[f"layer{layer}"] = array
        else:
            blocks.update({f"layer{layer}_{t}": array[t] for t in range(len(array))})
    return blocks


def validate_levels(levels: Sequence[Sequence[Sequence[int]]]) -> Levels:
    """Levels as nested tuples, checked: each level partitions the one below, windows >= 2,
    one root."""
    try:
        checked = tuple(
            tuple(tuple(_index(i) for i in window) for window in level) for level in levels
        )
    except (TypeError, ValueError):
        raise SymtdError(
            "levels must be a list of levels, each a list of windows (lists of integers)"
        ) from None
    if not checked:
        raise SymtdError("levels is empty: a network needs at least one pooling level")
    below = sum(len(w) for w in checked[0])
    if below > MAX_NODES:
        raise SymtdError(f"{below:,} positions is too many (at most {MAX_NODES:,})")
    for depth, level in enumerate(checked, start=1):
        members = sorted(i for window in level for i in window)
        if members != list(range(below)):
            what = "positions" if depth == 1 else f"nodes of level {depth - 1}"
            raise SymtdError(
                f"level {depth} does not partition the {below} {what} below it "
                f"(windows {escape([list(w) for w in level])})"
            )
        for window in level:
            if len(window) < 2:
                raise SymtdError(
                    f"level {depth} has window {list(window)} of size {len(window)}; "
                    f"pooling windows need at least 2 members"
                )
        below = len(level)
    if len(checked[-1]) != 1:
        raise SymtdError(
            f"the last level must be a single window (the root), got {len(checked[-1])}"
        )
    return checked


def _index(i: object) -> int:
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
        raise TypeError(i)
    return int(i)


def shallow(N: int, M: int, Z: int, operator: str | Operator = "product", **kwargs: Any) -> Circuit:
    """Build a shallow network: one hidden layer of Z channels pooled over all N positions.

    Its grid tensor is a generalized CP decomposition with Z terms.

    Parameters
    ----------
    N : int
        Number of positions (N >= 2).
    M : int
        Number of representation functions.
    Z : int
        Number of channels (the width of the single hidden layer).
    operator : str or Operator, default "product"
        The activation-pooling operator.
    **kwargs
        ``shared``, ``weights`` and ``F``, as in :func:`tree`.

    Returns
    -------
    Circuit
        The one-level tree over positions 0..N-1.

    Raises
    ------
    SymtdError
        When N < 2 or any argument is refused by :func:`tree`.

    Examples
    --------
    >>> import symtd
    >>> symtd.shallow(4, 2, 3, "max")
    Circuit(N=4, M=2, operator='max', levels=1, widths=(3,), shared=False, symbolic)
    """
    N = positive_int(N, "N", MAX_POSITIONS)
    if N < 2:
        raise SymtdError("a network needs N >= 2 positions (pooling windows have size >= 2)")
    return tree([[tuple(range(N))]], M, [Z], operator, **kwargs)


def _levels_of_pairs(
    N: int, pair: Callable[[int], list[tuple[int, int]]]
) -> list[list[tuple[int, int]]]:
    """Binary levels over N = 2^L items: pair(n) lists the windows over n items."""
    N = positive_int(N, "N", MAX_POSITIONS)
    if N < 2 or N & (N - 1):
        raise SymtdError(f"this geometry needs N = 2^L >= 2, got N={N}")
    levels, size = [], N
    while size > 1:
        levels.append(pair(size))
        size //= 2
    return levels


def deep(
    N: int, M: int, widths: int | Sequence[int], operator: str | Operator = "product", **kwargs: Any
) -> Circuit:
    """Build a deep network: a binary tree of contiguous size-2 windows {2t, 2t+1} over N = 2^L.

    With widths r_0..r_{L-1} this is the hierarchical Tucker format.

    Parameters
    ----------
    N : int
        Number of positions, a power of 2 (N >= 2).
    M : int
        Number of representation functions.
    widths : int or sequence of int
        r_0, ..., r_{L-1} (an int: the same width at every level).
    operator : str or Operator, default "product"
        The activation-pooling operator.
    **kwargs
        ``shared``, ``weights`` and ``F``, as in :func:`tree`.

    Returns
    -------
    Circuit
        The binary tree of L = log2(N) levels.

    Raises
    ------
    SymtdError
        When N is not a power of 2 or any argument is refused by :func:`tree`.

    Examples
    --------
    >>> import symtd
    >>> net = symtd.deep(8, 2, [2, 2, 2], "max")
    >>> net
    Circuit(N=8, M=2, operator='max', levels=3, widths=(2, 2, 2), shared=False, symbolic)
    >>> net.levels[0]
    ((0, 1), (2, 3), (4, 5), (6, 7))
    >>> net.nodes[-1]  # the root pools nodes n4 and n5 through their conv blocks
    Node(width=2, pool=(('n4', 'layer2_0'), ('n5', 'layer2_1')))
    """
    levels = _levels_of_pairs(N, lambda n: [(2 * t, 2 * t + 1) for t in range(n // 2)])
    return tree(levels, M, widths, operator, **kwargs)


def mirror(
    N: int, M: int, widths: int | Sequence[int], operator: str | Operator = "product", **kwargs: Any
) -> Circuit:
    """Build a mirror-pooling tree: at every level item i is pooled with its mirror image n-1-i.

    Over N = 2^L positions (n items in the level below), the root split is an interleaved
    partition ({0, 3, 4, 7} for N = 8) and low-high splits every window.

    Parameters
    ----------
    N : int
        Number of positions, a power of 2 (N >= 2).
    M : int
        Number of representation functions.
    widths : int or sequence of int
        r_0, ..., r_{L-1} (an int: the same width at every level).
    operator : str or Operator, default "product"
        The activation-pooling operator.
    **kwargs
        ``shared``, ``weights`` and ``F``, as in :func:`tree`.

    Returns
    -------
    Circuit
        The binary tree of L = log2(N) levels.

    Raises
    ------
    SymtdError
        When N is not a power of 2 or any argument is refused by :func:`tree`.

    Examples
    --------
    >>> import symtd
    >>> symtd.partition("root", symtd.mirror(8, 2, 2))
    (0, 3, 4, 7)
    """
    levels = _levels_of_pairs(N, lambda n: [(i, n - 1 - i) for i in range(n // 2)])
    return tree(levels, M, widths, operator, **kwargs)


def dilated(
    N: int, M: int, widths: int | Sequence[int], operator: str | Operator = "product", **kwargs: Any
) -> Circuit:
    """Build a dilated-pooling tree: at every level item i is pooled with item i + n/2.

    Over N = 2^L positions (dilation n/2 over n items), the root split is odd-even and
    low-high splits every window.

    Parameters
    ----------
    N : int
        Number of positions, a power of 2 (N >= 2).
    M : int
        Number of representation functions.
    widths : int or sequence of int
        r_0, ..., r_{L-1} (an int: the same width at every level).
    operator : str or Operator, default "product"
        The activation-pooling operator.
    **kwargs
        ``shared``, ``weights`` and ``F``, as in :func:`tree`.

    Returns
    -------
    Circuit
        The binary tree of L = log2(N) levels.

    Raises
    ------
    SymtdError
        When N is not a power of 2 or any argument is refused by :func:`tree`.

    Examples
    --------
    >>> import symtd
    >>> symtd.partition("root", symtd.dilated(8, 2, 2))
    (0, 2, 4, 6)
    """
    levels = _levels_of_pairs(N, lambda n: [(i, i + n // 2) for i in range(n // 2)])
    return tree(levels, M, widths, operator, **kwargs)


# -- general circuits -------------------------------------------------------------------------
def _per_layer(value: int | Sequence[int], layer: int, what: str) -> int:
    values = [value] if isinstance(value, (int, np.integer)) else list(value)
    if not values:
        raise SymtdError(f"{what} must be a positive integer or a non-empty list of them")
    return positive_int(values[min(layer, len(values) - 1)], what)


def overlapping(
    N: int,
    M: int,
    kernel: int | Sequence[int],
    stride: int | Sequence[int],
    widths: int | Sequence[int],
    operator: str | Operator = "product",
    *,
    shared: bool = False,
    weights: Weights | None = None,
    F: ArrayLike | None = None,
) -> Circuit:
    """Build a 1-D overlapping ConvAC (Sharir & Shashua, ICLR 2018).

    Every layer pools windows of ``kernel`` consecutive items taken every ``stride`` items
    (1 <= stride <= kernel). If the windows do not end at the last item, one more window
    covers the last ``kernel`` items; a layer with at most ``kernel`` items pools them all
    (the root). A window's member at offset i passes through the block "W{l}_{i}"
    (``shared``) or "W{l}_{t}_{i}" (window t); the output block is "out".

    Parameters
    ----------
    N : int
        Number of positions.
    M : int
        Number of representation functions.
    kernel : int or sequence of int
        Window size (>= 2), one for every layer or a list per layer (the last entry repeats).
    stride : int or sequence of int
        Step between windows, per layer like ``kernel``.
    widths : int or sequence of int
        Node width, per layer like ``kernel``.
    operator : str or Operator, default "product"
        The activation-pooling operator.
    shared : bool, default False
        Convolutional weights: the same blocks at every window of a layer.
    weights : dict, optional
        {block name: matrix} for every block; None: symbolic.
    F : array_like, optional
        The M × M template matrix; the identity when None.

    Returns
    -------
    Circuit
        The layered DAG (positions and nodes may feed several windows).

    Raises
    ------
    SymtdError
        When kernel < 2, stride > kernel, a list has the wrong length, or the circuit would
        be too large.

    Examples
    --------
    >>> import symtd
    >>> conv = symtd.overlapping(4, 2, kernel=3, stride=1, widths=2, shared=True)
    >>> [[member for member, _ in node.pool] for node in conv.nodes]
    [['x0', 'x1', 'x2'], ['x1', 'x2', 'x3'], ['n0', 'n1']]
    >>> conv.is_tree, conv.uses["x1"]  # x1 and x2 feed two windows: a DAG
    (False, 2)
    >>> sorted(conv.shapes)  # shared: one block per layer and offset
    ['W1_0', 'W1_1', 'W1_2', 'W2_0', 'W2_1', 'out']
    """
    N = positive_int(N, "N", MAX_POSITIONS)
    nodes: list[Node] = []
    items, layer = [f"x{j}" for j in range(N)], 0
    while len(items) > 1 or layer == 0:
        k = _per_layer(kernel, layer, "kernel")
        s = _per_layer(stride, layer, "stride")
        width = _per_layer(widths, layer, "width")
        if k < 2 or s > k:
            raise SymtdError(
                f"layer {layer + 1}: need kernel >= 2 and 1 <= stride <= kernel, got "
                f"kernel {short_int(k)}, stride {short_int(s)}"
            )
        n = len(items)
        starts = [0] if n <= k else list(range(0, n - k + 1, s))
        if starts[-1] + min(k, n) < n:
            starts.append(n - k)
        if len(nodes) + len(starts) > MAX_NODES:
            raise SymtdError(
                f"an overlapping circuit of N = {N} needs more than {MAX_NODES:,} nodes"
            )
        first = len(nodes)
        for t, start in enumerate(starts):
            window = items[start : start + k]
            pool = [
                (m, f"W{layer + 1}_{i}" if shared else f"W{layer + 1}_{t}_{i}")
                for i, m in enumerate(window)
            ]
            nodes.append(Node(width, tuple(pool)))
        items = [f"n{first + t}" for t in range(len(starts))]
        layer += 1
    if not isinstance(widths, (int, np.integer)) and len(list(widths)) not in (1, layer):
        raise SymtdError(f"widths lists {len(list(widths))} layers, but the circuit has {layer}")
    return Circuit(N, M, nodes, operator, output="out", weights=weights, F=F)


def recurrent(
    N: int,
    M: int,
    r: int | Sequence[int],
    operator: str | Operator = "product",
    *,
    shared: bool = True,
    weights: Weights | None = None,
    F: ArrayLike | None = None,
) -> Circuit:
    """Build a recurrent chain h_t = ρ(C h_{t-1}, B x_t), with h_1 = ρ(A x_0, B x_1).

    The output is y = out · h_{N-1}. With ``shared=False`` every step has its own blocks
    (A, B1..B{N-1}, C2..C{N-1}): the tensor-train (matrix product state) form of Khrulkov,
    Novikov & Oseledets (ICLR 2018).

    Parameters
    ----------
    N : int
        Number of positions (N >= 2).
    M : int
        Number of representation functions.
    r : int or sequence of int
        The width of every hidden state, or a list of N-1 widths.
    operator : str or Operator, default "product"
        The activation-pooling operator.
    shared : bool, default True
        The same blocks B and C at every step.
    weights : dict, optional
        {block name: matrix} for every block; None: symbolic.
    F : array_like, optional
        The M × M template matrix; the identity when None.

    Returns
    -------
    Circuit
        The chain of N-1 nodes.

    Raises
    ------
    SymtdError
        When N < 2 or ``r`` is not one width or N-1 widths.

    Examples
    --------
    >>> import symtd
    >>> chain = symtd.recurrent(4, 2, 2)
    >>> [node.pool for node in chain.nodes]
    [(('x0', 'A'), ('x1', 'B')), (('n0', 'C'), ('x2', 'B')), (('n1', 'C'), ('x3', 'B'))]
    >>> sorted(symtd.recurrent(4, 2, 2, shared=False).shapes)  # the tensor train
    ['A', 'B1', 'B2', 'B3', 'C2', 'C3', 'out']
    """
    N = positive_int(N, "N", MAX_NODES)
    if N < 2:
        raise SymtdError("a recurrent chain needs N >= 2 positions")
    widths = [r] * (N - 1) if isinstance(r, (int, np.integer)) else list(r)
    if len(widths) != N - 1:
        raise SymtdError(f"r must be one width or N - 1 = {N - 1} widths, got {len(widths)}")

    def name(kind: str, t: int) -> str:
        return kind if shared or kind == "A" else f"{kind}{t}"

    nodes = [Node(widths[0], (("x0", "A"), ("x1", name("B", 1))))]
    for t in range(2, N):
        nodes.append(Node(widths[t - 1], ((f"n{t - 2}", name("C", t)), (f"x{t}", name("B", t)))))
    return Circuit(N, M, nodes, operator, output="out", weights=weights, F=F)


def circuit(
    nodes: Sequence[NodeSpec],
    M: int,
    operator: str | Operator = "product",
    *,
    N: int | None = None,
    output: str = "output",
    weights: Weights | None = None,
    F: ArrayLike | None = None,
) -> Circuit:
    """Build any circuit of format v2 (:doc:`/formats`): a layered DAG of pooling nodes.

    Parameters
    ----------
    nodes : sequence
        (width, [(member, block), ...]) pairs (or dicts {"width", "pool"}) in topological
        order, the root last; members are positions "xJ" or earlier nodes "nK".
    M : int
        Number of representation functions.
    operator : str or Operator, default "product"
        The activation-pooling operator.
    N : int, optional
        Number of positions; defaults to 1 + the largest position named.
    output : str, default "output"
        Name of the output block.
    weights : dict, optional
        {block name: matrix} for every block; None: symbolic.
    F : array_like, optional
        The M × M template matrix; the identity when None.

    Returns
    -------
    Circuit
        The circuit, validated against the structure rules of format v2.

    Raises
    ------
    SymtdError
        When the nodes break a rule of format v2 or the weights do not fit the blocks.

    Examples
    --------
    >>> import symtd
    >>> skip = symtd.circuit([(2, [("x0", "A"), ("x1", "B")]),
    ...                       (2, [("n0", "C"), ("x2", "B"), ("x0", "D")])], M=2)
    >>> skip.N, skip.is_tree  # x0 feeds both nodes: a skip connection
    (3, False)
    """
    if N is None:
        named = [
            int(m[1:])
            for node in _pools(nodes)
            for m, _ in node
            if isinstance(m, str) and re.fullmatch(r"x[0-9]+", m)
        ]
        N = max(named, default=-1) + 1
    return Circuit(N, M, nodes, operator, output=output, weights=weights, F=F)


def _pools(nodes: object) -> Iterator[list[Any]]:
    for node in nodes if isinstance(nodes, (list, tuple)) else ():
        pool = (
            node.get("pool")
            if isinstance(node, dict)
            else node[1]
            if isinstance(node, (list, tuple)) and len(node) == 2
            else ()
        )
        yield (
            [entry for entry in pool if isinstance(entry, (list, tuple)) and len(entry) == 2]
            if isinstance(pool, (list, tuple))
            else []
        )
