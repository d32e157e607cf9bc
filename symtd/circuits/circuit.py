"""Circuits: layered DAGs of pooling nodes with named conv blocks, immutable (format v2).

The file format is described in :doc:`/formats`, the mathematics in :doc:`/theory`.

A circuit has N positions x_0..x_{N-1}, each carrying the representation
rep(j, d) = f_{θ_d}(x_j), d in [M]; pooling nodes n_0..n_{K-1} in topological order
(the last is the root); and one output. Node k has a width w_k and members
(m_1, B_1), ..., (m_n, B_n): each member is a position "xJ" or an earlier node "nK",
paired with the name of a conv block B_i of shape w_k × dim(m_i), and

    value(n_k)[γ] = ρ((B_1 value(m_1))[γ], ..., (B_n value(m_n))[γ]),   γ in [w_k],
    y = Σ_α out[α] · value(root)[α],

with ρ the activation-pooling operator (one member: ρ(c) = σ(c)). A block name used
on several edges is one shared matrix. The uniform-depth pooling trees of format v1
are the special case built by :func:`symtd.circuits.builders.tree`; for them
``levels``, ``widths``, ``shared`` and :meth:`Circuit.weight_blocks` give the v1 view.

The networkx graph has nodes "xJ" (kind "input"), "nK" (kind "pool", ``width``) and
"y" (kind "output"); an edge member → node carries ``slot`` (its place in the pool)
and ``block`` (its name), the edge root → "y" the output block; every graph node has
its ``depth`` (longest path from a position). :meth:`Circuit.scope` gives the positions
under a member. Blocks are read-only numpy object arrays of Fractions or sympy
expressions; a circuit built without weights is symbolic, its symbols made when first
asked for.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, NamedTuple, Union

import networkx as nx
import numpy as np
from numpy.typing import ArrayLike

from symtd.algebra.rational import as_fraction, format_rational, parse_rational, short_int
from symtd.circuits.operators import Operator, get_operator, operator_from_json, operator_to_json
from symtd.errors import SymtdError, escape

MAX_POSITIONS, MAX_NODES, MAX_WIDTH = 10**5, 10**5, 2**16
MAX_WEIGHTS = 2**24  # weight entries (F included) a circuit may hold
BLOCK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}\Z")
MEMBER = re.compile(r"([xn])(0|[1-9][0-9]{0,9})\Z")


class Node(NamedTuple):
    """A pooling node: its width and its pool of (member, block name) pairs.

    Parameters
    ----------
    width : int
        Number of channels of the node.
    pool : tuple of (str, str)
        The members ("xJ" positions, "nK" earlier nodes), each with the block it passes through.

    Examples
    --------
    >>> import symtd
    >>> symtd.Node(2, (("x0", "A"), ("x1", "B"))).width
    2
    """

    width: int
    pool: tuple[tuple[str, str], ...]


# A node as Circuit takes it: a Node, a (width, [(member, block), ...]) pair or the
# {"width", "pool"} object of a v2 file (validated, so anything else is refused).
NodeSpec = Union[Node, tuple[int, Sequence[Sequence[str]]], Mapping[str, Any]]
# Weights as Circuit takes them: {block name: matrix of ints, Fractions, exact strings or
# sympy expressions}.
Weights = Mapping[str, ArrayLike]
# The v1 view of a uniform-depth tree: levels (windows as indices into the level below),
# widths r_0..r_{L-1} and whether each layer shares one block.
Levels = tuple[tuple[tuple[int, ...], ...], ...]
Layout = tuple[Levels, tuple[int, ...], bool]
# sympy objects are Any: sympy ships no type information.
SympyExpr = Any


class Circuit:
    """A circuit over N positions with M representation functions (format v2, :doc:`/formats`).

    Build with the functions of :mod:`symtd.circuits.builders`. ``uses`` maps every position
    and node to the number of pools it appears in; ``is_tree`` is True when each is used
    exactly once (the root feeds the output).

    Parameters
    ----------
    N : int
        Number of positions x0..x{N-1}.
    M : int
        Number of representation functions (the dimension of each position).
    nodes : sequence of Node
        :class:`Node` objects, ``(width, pool)`` pairs or dicts with keys "width" and "pool"
        (as in a v2 file), in topological order, the root last.
    operator : str or Operator, default "product"
        The activation-pooling operator.
    output : str, default "output"
        Name of the output block (a vector of the root's width).
    weights : dict, optional
        {block name: matrix} for every block; None: symbolic weights.
    F : array_like, optional
        The M × M template matrix; the identity when None.

    Raises
    ------
    SymtdError
        When the nodes break a rule of format v2, the circuit is too large, or the weights
        do not fit the blocks or are not exact.

    Examples
    --------
    >>> import symtd
    >>> net = symtd.Circuit(2, 2, [(1, [("x0", "A"), ("x1", "B")])], "product",
    ...                     weights={"A": [[1, 2]], "B": [[3, 4]], "output": [1]})
    >>> net.is_tree, net.scope("n0")
    (True, (0, 1))
    >>> symtd.grid_tensor(net)  # one product channel: (1, 2) ⊗ (3, 4), a rank-1 matrix
    RationalTensor(['3', '4', '6', '8'], shape=(2, 2))
    >>> symtd.Circuit(2, 2, [(2, [("x0", "A"), ("x1", "B")])]).shapes  # no weights: symbolic
    {'A': (2, 2), 'B': (2, 2), 'output': (2,)}
    """

    def __init__(
        self,
        N: int,
        M: int,
        nodes: Sequence[NodeSpec],
        operator: str | Operator = "product",
        *,
        output: str = "output",
        weights: Weights | None = None,
        F: ArrayLike | None = None,
    ) -> None:
        self.N = positive_int(N, "N", MAX_POSITIONS)
        self.M = positive_int(M, "M", MAX_WIDTH)
        self.nodes = _validate_nodes(nodes, self.N)
        self.output = _block_name(output)
        self.operator = get_operator(operator)
        self.shapes = _block_shapes(self.nodes, self.output, self.M)
        entries = self.M**2 + sum(math.prod(s) for s in self.shapes.values())
        if entries > MAX_WEIGHTS:
            raise SymtdError(
                f"the circuit would hold {entries:,} weight entries (F included); "
                f"at most {MAX_WEIGHTS:,}"
            )
        self.F = weight_array(np.eye(self.M, dtype=int) if F is None else F, (self.M, self.M), "F")
        self._blocks = None if weights is None else _weight_blocks(weights, self.shapes)
        self.graph = _build_graph(self)
        self._layout: tuple[Layout | None] | None = None  # (layout,) once computed
        self._scopes: dict[str, tuple[int, ...]] = {}
        self.uses = {n: d for n, d in self.graph.out_degree() if n != "y"}
        self.is_tree = all(d == 1 for d in self.uses.values())

    # -- structure ------------------------------------------------------------------
    @property
    def root(self) -> str:
        """Graph name of the root node."""
        return f"n{len(self.nodes) - 1}"

    def children(self, node: str) -> list[str]:
        """Members of a graph node in slot order (graph names)."""
        preds = self.graph.pred[node]
        return sorted(preds, key=lambda p: preds[p]["slot"])

    def scope(self, member: str) -> tuple[int, ...]:
        """The positions under a member ("xJ", "nK" or the output "y"), increasing."""
        if member not in self._scopes:
            if member == "y":
                return tuple(range(self.N))
            seen, stack, found = {member}, [member], set()
            while stack:
                item = stack.pop()
                if item[0] == "x":
                    found.add(int(item[1:]))
                    continue
                for m, _ in self.nodes[int(item[1:])].pool:
                    if m not in seen:
                        seen.add(m)
                        stack.append(m)
            self._scopes[member] = tuple(sorted(found))
        return self._scopes[member]

    def scope_sizes(self) -> list[int]:
        """``[|scope(n_k)| for every node k]``, by bitsets (linear in the circuit for small N)."""
        bits: list[int] = []
        for node in self.nodes:
            value = 0
            for m, _ in node.pool:
                value |= bits[int(m[1:])] if m[0] == "n" else 1 << int(m[1:])
            bits.append(value)
        return [b.bit_count() for b in bits]

    def dim(self, member: str) -> int:
        """Dimension of a member's value: M for a position, the width for a node."""
        return self.M if member[0] == "x" else self.nodes[int(member[1:])].width

    @property
    def depth(self) -> int:
        """Length of the longest path from a position to the root, counted in pooling nodes."""
        return self.graph.nodes[self.root]["depth"]

    # -- weights --------------------------------------------------------------------
    @property
    def blocks(self) -> dict[str, np.ndarray]:
        """{block name: read-only weight array} (symbols made on first access)."""
        if self._blocks is None:
            self._blocks = _symbolic_blocks(self)
        return self._blocks

    def block(self, name: str) -> np.ndarray:
        """The weight array of one block."""
        return self.blocks[name]

    @property
    def is_symbolic_architecture(self) -> bool:
        """True when every weight is a free symbol (the circuit was built without weights)."""
        return self._blocks is None

    @property
    def free_symbols(self) -> set[SympyExpr]:
        """Set of sympy symbols among the weights and F (empty for a concrete circuit)."""
        found: set[SympyExpr] = set()
        for array in [self.F, *self.blocks.values()]:
            for x in array.flat:
                if not isinstance(x, Fraction):
                    found |= x.free_symbols
        return found

    @property
    def is_concrete(self) -> bool:
        """True when every weight and every entry of F is an exact rational."""
        return self._blocks is not None and all(
            isinstance(x, Fraction)
            for array in [self.F, *self._blocks.values()]
            for x in array.flat
        )

    def with_weights(self, weights: Weights | None = None, F: ArrayLike | None = None) -> Circuit:
        """The same architecture with other weights (None: symbolic) and F (None: keep)."""
        return Circuit(
            self.N,
            self.M,
            self.nodes,
            self.operator,
            output=self.output,
            weights=weights,
            F=self.F if F is None else F,
        )

    def subs(self, values: Mapping[Any, Any]) -> Circuit:  # {Symbol or name: number or expr}
        """New circuit with symbols replaced (values: {Symbol or name: rational or expr})."""
        import sympy

        by_name = {
            str(k): sympy.Rational(v.numerator, v.denominator)
            if isinstance(v, Fraction)
            else sympy.sympify(v)
            for k, v in values.items()
        }

        def substitute(x: Fraction | SympyExpr) -> Fraction | SympyExpr:
            if isinstance(x, Fraction):
                return x
            y = x.subs({s: by_name[s.name] for s in x.free_symbols if s.name in by_name})
            return _exact_or_symbolic(y)

        vectorized = np.vectorize(substitute, otypes=[object])
        return self.with_weights(
            {k: vectorized(v) for k, v in self.blocks.items()}, vectorized(self.F)
        )

    def random_point(
        self, seed: int = 0, bound: int | tuple[int, int] = 10**6
    ) -> dict[SympyExpr, Fraction]:
        """A random rational point: each free symbol -> an integer in [-bound, bound] (or in
        [low, high] for bound = (low, high)).

        Wide ranges avoid the degenerate draws (zeros, parallel vectors) that make a
        sampled rank fall short of the generic rank. Symbols are drawn in order of name.
        """
        rng, (low, high) = random.Random(seed), _range(bound)
        return {s: Fraction(rng.randint(low, high)) for s in sorted(self.free_symbols, key=str)}

    def at_random_point(self, seed: int = 0, bound: int | tuple[int, int] = 10**6) -> Circuit:
        """``self.subs(self.random_point(seed, bound))``, without sympy when the weights are
        all symbols (the same values: symbols drawn in order of name)."""
        if not self.is_symbolic_architecture or not all(
            isinstance(x, Fraction) for x in self.F.flat
        ):
            point = self.random_point(seed, bound)
            return self.subs(point) if point else self
        names = {name: symbol_names(self, name) for name in self.shapes}
        order = sorted(
            (label, name, k) for name, labels in names.items() for k, label in enumerate(labels)
        )
        rng, (low, high) = random.Random(seed), _range(bound)
        flat: dict[str, list[Fraction | None]] = {
            name: [None] * len(labels) for name, labels in names.items()
        }
        for _, name, k in order:
            flat[name][k] = Fraction(rng.randint(low, high))
        return self.with_weights(
            {
                name: np.array(values, dtype=object).reshape(self.shapes[name])
                for name, values in flat.items()
            }
        )

    # -- the v1 view (uniform-depth trees) --------------------------------------------
    @property
    def layout(self) -> Layout | None:
        """(levels, widths, shared) of format v1 when the circuit is a uniform-depth tree
        with windows of size >= 2 and v1 weight sharing (all blocks of a layer distinct,
        or one per layer); None otherwise."""
        if self._layout is None:
            self._layout = (_v1_layout(self),)
        return self._layout[0]

    def _v1(self, what: str) -> Layout:
        if self.layout is None:
            raise SymtdError(
                f"{what} is defined for uniform-depth trees (format v1); this circuit "
                f"is a general DAG: use its nodes"
            )
        return self.layout

    @property
    def levels(self) -> Levels:
        """v1 levels: windows of each level as indices into the level below."""
        return self._v1("levels")[0]

    @property
    def widths(self) -> tuple[int, ...]:
        """v1 widths r_0, ..., r_{L-1}."""
        return self._v1("widths")[1]

    @property
    def shared(self) -> bool:
        """v1: one block per layer."""
        return self._v1("shared")[2]

    @property
    def L(self) -> int:
        """v1: number of levels."""
        return len(self._v1("L")[0])

    def weight_blocks(self) -> dict[str, np.ndarray]:
        """Weights in the v1 layout: {"layer0": ..., "layer1": ..., "output": ...} (format v1)."""
        levels, _, shared = self._v1("the v1 weight layout")
        blocks = {}
        for layer, names in enumerate(_layer_blocks(self, levels)):
            arrays = [self.block(n) for n in names]
            blocks[f"layer{layer}"] = arrays[0] if shared else np.stack(arrays)
        blocks["output"] = self.block(self.output)
        return blocks

    # -- interchange ----------------------------------------------------------------
    def to_node_link(self) -> dict[str, Any]:  # JSON values
        """networkx node-link data (JSON-serializable); weights as exact strings or srepr."""
        data = nx.node_link_data(self.graph, edges="edges")
        data["graph"] = {
            "N": self.N,
            "M": self.M,
            "operator": operator_to_json(self.operator),
            "output": self.output,
            "F": _encode(self.F),
            "weights": None
            if self._blocks is None
            else {k: _encode(v) for k, v in self._blocks.items()},
        }
        return data

    @classmethod
    def from_node_link(cls, data: Mapping[str, Any]) -> Circuit:  # JSON values
        """Inverse of :meth:`to_node_link`, for data symtd wrote itself: symbolic weights are
        read back from sympy's srepr with ``sympify``, which evaluates Python. Files from
        elsewhere go through :func:`~symtd.circuits.formats.load_network`, which never does."""
        meta = data["graph"]
        graph = nx.node_link_graph(data, edges="edges")
        nodes = [
            Node(
                graph.nodes[f"n{k}"]["width"],
                tuple(
                    (m, graph.edges[m, f"n{k}"]["block"])
                    for m in sorted(
                        graph.pred[f"n{k}"], key=lambda p: graph.edges[p, f"n{k}"]["slot"]
                    )
                ),
            )
            for k in range(sum(1 for _, kind in graph.nodes(data="kind") if kind == "pool"))
        ]
        weights = meta["weights"] and {k: _decode(v) for k, v in meta["weights"].items()}
        circuit = cls(
            meta["N"],
            meta["M"],
            nodes,
            operator_from_json(meta["operator"]),
            output=meta["output"],
            weights=weights,
            F=_decode(meta["F"]),
        )
        if not nx.utils.graphs_equal(_strip(circuit.graph), _strip(graph)):
            raise SymtdError("node-link data does not match the circuit its metadata describes")
        return circuit

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Circuit):
            return NotImplemented
        if (self.N, self.M, self.nodes, self.output, self.operator) != (
            other.N,
            other.M,
            other.nodes,
            other.output,
            other.operator,
        ):
            return False
        if (self._blocks is None) != (other._blocks is None):
            return False
        mine, theirs = self._blocks or {}, other._blocks or {}
        return np.array_equal(self.F, other.F) and all(
            np.array_equal(mine[k], theirs[k]) for k in mine
        )

    __hash__ = None  # type: ignore[assignment]  # compared by value, never hashed

    def __repr__(self) -> str:
        kind = "concrete" if self.is_concrete else "symbolic"
        shape = (
            f"levels={len(self.levels)}, widths={self.widths}, shared={self.shared}"
            if self.layout
            else f"nodes={len(self.nodes)}, {'tree' if self.is_tree else 'DAG'}"
        )
        return f"Circuit(N={self.N}, M={self.M}, operator={self.operator.name!r}, {shape}, {kind})"


def _range(bound: int | tuple[int, int]) -> tuple[int, int]:
    """(low, high) of a random point's integers: [-bound, bound] or the pair itself."""
    return (-bound, bound) if isinstance(bound, int) else (int(bound[0]), int(bound[1]))


# -- validation ----------------------------------------------------------------------------
def positive_int(value: object, what: str, limit: int | None = None) -> int:
    """value as a Python int >= 1 (and <= limit); SymtdError otherwise (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SymtdError(f"{what} must be a positive integer, got {escape(value)}")
    if value < 1:
        raise SymtdError(f"{what} must be a positive integer, got {short_int(int(value))}")
    if limit is not None and value > limit:
        raise SymtdError(f"{what} = {short_int(int(value))} is too large (at most {limit:,})")
    return int(value)


def _block_name(name):
    if not isinstance(name, str) or not BLOCK_NAME.match(name):
        raise SymtdError(f"block name {escape(name)} must match [A-Za-z][A-Za-z0-9_]{{0,63}}")
    return name


def _member(text, N, k):
    """A member string checked against N positions and the k nodes before node k."""
    match = MEMBER.match(text) if isinstance(text, str) else None
    if match is None:
        raise SymtdError(
            f'node {k}: member {escape(text)} must be "xJ" (a position) or "nK" '
            f"(an earlier node), decimal without sign or leading zeros"
        )
    index = int(match.group(2))
    if match.group(1) == "x" and index >= N:
        raise SymtdError(f"node {k}: member {text} is not a position (N = {N})")
    if match.group(1) == "n" and index >= k:
        raise SymtdError(
            f"node {k}: member {text} is not an earlier node (forward references "
            f"and cycles are not allowed; nodes are listed in topological order)"
        )
    return text


def _validate_nodes(nodes, N):
    """Nodes as a tuple of Node, checked against the structure rules of format v2."""
    if isinstance(nodes, (str, bytes, dict)) or not hasattr(nodes, "__len__"):
        raise SymtdError("nodes must be a list of nodes")
    if not nodes:
        raise SymtdError("a circuit needs at least one node")
    if len(nodes) > MAX_NODES:
        raise SymtdError(f"{len(nodes):,} nodes is too many (at most {MAX_NODES:,})")
    out, used = [], set()
    for k, node in enumerate(nodes):
        if isinstance(node, dict):
            if set(node) != {"width", "pool"}:
                raise SymtdError(
                    f'node {k} must have exactly the keys "width" and "pool", '
                    f"got {escape(sorted(map(str, node)))}"
                )
            width, pool = node["width"], node["pool"]
        else:
            try:
                width, pool = node
            except (TypeError, ValueError):
                raise SymtdError(f"node {k} must be (width, pool)") from None
        width = positive_int(width, f"node {k}: width", MAX_WIDTH)
        if isinstance(pool, (str, bytes, dict)) or not isinstance(pool, (list, tuple)) or not pool:
            raise SymtdError(f"node {k}: pool must be a non-empty list of [member, block] pairs")
        members = []
        for entry in pool:
            if not isinstance(entry, (list, tuple)) or len(entry) != 2:
                raise SymtdError(f"node {k}: every pool entry must be a [member, block] pair")
            members.append((_member(entry[0], N, k), _block_name(entry[1])))
        names = [m for m, _ in members]
        if len(set(names)) != len(names):
            repeated = sorted({m for m in names if names.count(m) > 1})
            raise SymtdError(f"node {k}: member {repeated[0]} appears twice in one pool")
        used.update(names)
        out.append(Node(width, tuple(members)))
    missing = [f"x{j}" for j in range(N) if f"x{j}" not in used]
    if missing:
        raise SymtdError(
            f"position {missing[0]} is not a member of any node ({len(missing)} position(s) unused)"
        )
    dangling = [f"n{k}" for k in range(len(out) - 1) if f"n{k}" not in used]
    if dangling:
        raise SymtdError(
            f"node {dangling[0]} is not a member of a later node (only the root, the "
            f"last node, may feed the output)"
        )
    return tuple(out)


def _block_shapes(nodes, output, M):
    """{block: shape}: width × dim(member) on every edge, (root width,) for the output."""
    shapes, where = {}, {}

    def add(name, shape, place):
        if name in shapes and shapes[name] != shape:
            raise SymtdError(
                f"block {name} is used with shape {_shape_text(shapes[name])} at "
                f"{where[name]} and {_shape_text(shape)} at {place}"
            )
        shapes.setdefault(name, shape)
        where.setdefault(name, place)

    for k, node in enumerate(nodes):
        for member, block in node.pool:
            dim = M if member[0] == "x" else nodes[int(member[1:])].width
            add(block, (node.width, dim), f"{member} -> n{k}")
    add(output, (nodes[-1].width,), "the output")
    return shapes


def _shape_text(shape):
    return "×".join(map(str, shape))


def _exact_or_symbolic(x):
    """Fraction for a rational, a sympy expression otherwise (floats are refused)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return Fraction(int(x))
    if isinstance(x, str):
        return parse_rational(x)
    if isinstance(x, (float, bool, np.floating)):
        raise SymtdError(
            f"weight {x!r} is not exact; use an int, Fraction, rational string or sympy Rational"
        )
    import sympy

    if not isinstance(x, sympy.Basic):
        raise SymtdError(f"weight {escape(x)} is neither an exact rational nor a sympy expression")
    if x.is_Rational:
        return as_fraction(x)
    if x.is_Float or x.atoms(sympy.Float):
        raise SymtdError(f"weight {x} holds a float; use exact rationals")
    return x


def weight_array(values: ArrayLike, shape: tuple[int, ...], what: str) -> np.ndarray:
    """A read-only object array of the given shape holding exact or symbolic entries."""
    try:
        array = np.array(values, dtype=object)
    except ValueError:
        raise SymtdError(f"{what} is ragged; expected shape {_shape_text(shape)}") from None
    if array.shape != shape:
        raise SymtdError(
            f"{what} has shape {_shape_text(array.shape) or 'scalar'}, "
            f"expected {_shape_text(shape)}"
        )
    out = np.empty(shape, dtype=object)
    out.flat[:] = [_exact_or_symbolic(x) for x in array.flat]
    out.flags.writeable = False
    return out


def _weight_blocks(weights, shapes):
    if not isinstance(weights, dict):
        raise SymtdError("weights must be a dict {block name: matrix}")
    unknown = sorted(set(map(str, weights)) - set(shapes))
    if unknown:
        raise SymtdError(
            f"unknown weight block(s) {escape(unknown[:5])}; expected {list(shapes)[:8]}"
        )
    missing = [k for k in shapes if k not in weights]
    if missing:
        raise SymtdError(f"missing weight block(s) {missing[:8]}")
    return {
        name: weight_array(weights[name], shape, f"weights[{name!r}]")
        for name, shape in shapes.items()
    }


# -- symbols ----------------------------------------------------------------------------
def symbol_name(
    layer: int, node: int, channel: int, index: int, shared: bool = False, output: bool = False
) -> str:
    """Name a weight in the paper's notation a^{l,j,γ}_α (1-based).

    Parameters
    ----------
    layer : int
        The layer l.
    node : int
        The node j (0-based), dropped when ``shared``.
    channel : int
        The output channel γ (0-based).
    index : int
        The input index α (0-based).
    shared : bool, default False
        A shared layer: a^{l,γ}_α.
    output : bool, default False
        The output vector: a^{l,1}_α (``node`` and ``channel`` ignored).

    Returns
    -------
    str
        The symbol's name, valid LaTeX.

    Examples
    --------
    >>> import symtd
    >>> symtd.symbol_name(1, 0, 1, 0), symtd.symbol_name(2, 0, 0, 1, output=True)
    ('a^{1,1,2}_{1}', 'a^{2,1}_{2}')
    """
    if output:
        return f"a^{{{layer},1}}_{{{index + 1}}}"
    if shared:
        return f"a^{{{layer},{channel + 1}}}_{{{index + 1}}}"
    return f"a^{{{layer},{node + 1},{channel + 1}}}_{{{index + 1}}}"


_V1_BLOCK = re.compile(r"layer(0|[1-9][0-9]*)(?:_(0|[1-9][0-9]*))?\Z")


def symbol_names(circuit: Circuit, name: str) -> list[str]:
    """Symbol names of a block's entries, row-major: v1 blocks ("layer{l}_{t}", "layer{l}",
    the output "output") in the paper's a^{l,j,γ}_α, any other block B as B_{γ,α} (with "."
    for "_" in B, so that every name is also valid LaTeX)."""
    shape = circuit.shapes[name]
    match = _V1_BLOCK.match(name)
    base = name.replace("_", ".")
    if name == circuit.output and name == "output":
        return [symbol_name(circuit.depth, 0, 0, a, output=True) for a in range(shape[0])]
    if name == circuit.output:
        return [f"{base}_{{{a + 1}}}" for a in range(shape[0])]
    if match and match.group(2) is not None:
        layer, node = int(match.group(1)), int(match.group(2))
        return [symbol_name(layer, node, g, a) for g, a in np.ndindex(*shape)]
    if match:
        return [
            symbol_name(int(match.group(1)), 0, g, a, shared=True) for g, a in np.ndindex(*shape)
        ]
    return [f"{base}_{{{g + 1},{a + 1}}}" for g, a in np.ndindex(*shape)]


def _symbolic_blocks(circuit):
    import sympy

    blocks = {}
    for name, shape in circuit.shapes.items():
        array = np.empty(shape, dtype=object)
        array.flat[:] = [sympy.Symbol(label, real=True) for label in symbol_names(circuit, name)]
        array.flags.writeable = False
        blocks[name] = array
    return blocks


# -- the graph --------------------------------------------------------------------------
def _build_graph(circuit):
    g = nx.DiGraph(N=circuit.N, M=circuit.M, operator=circuit.operator.name)
    depths = {}
    for j in range(circuit.N):
        g.add_node(f"x{j}", kind="input", index=j, depth=0)
        depths[f"x{j}"] = 0
    for k, node in enumerate(circuit.nodes):
        depths[f"n{k}"] = 1 + max(depths[m] for m, _ in node.pool)
        g.add_node(f"n{k}", kind="pool", index=k, width=node.width, depth=depths[f"n{k}"])
        for slot, (member, block) in enumerate(node.pool):
            g.add_edge(member, f"n{k}", slot=slot, block=block)
    g.add_node("y", kind="output", index=0, depth=depths[f"n{len(circuit.nodes) - 1}"] + 1)
    g.add_edge(f"n{len(circuit.nodes) - 1}", "y", slot=0, block=circuit.output)
    return nx.freeze(g)


def _v1_layout(circuit):
    """(levels, widths, shared) when the circuit is a v1 tree, else None (see Circuit.layout)."""
    if not circuit.is_tree or any(len(node.pool) < 2 for node in circuit.nodes):
        return None
    nodes = circuit.graph.nodes
    by_depth = {}
    for k, node in enumerate(circuit.nodes):
        depths = {nodes[m]["depth"] for m, _ in node.pool}
        if len(depths) != 1:
            return None
        by_depth.setdefault(nodes[f"n{k}"]["depth"], []).append(k)
    L = circuit.depth
    if sorted(by_depth) != list(range(1, L + 1)) or [
        k for d in range(1, L + 1) for k in by_depth[d]
    ] != list(range(len(circuit.nodes))):
        return None
    index = {f"x{j}": j for j in range(circuit.N)}
    levels, widths = [], []
    for depth in range(1, L + 1):
        ks = by_depth[depth]
        if len({circuit.nodes[k].width for k in ks}) != 1:
            return None
        levels.append(tuple(tuple(index[m] for m, _ in circuit.nodes[k].pool) for k in ks))
        widths.append(circuit.nodes[ks[0]].width)
        index = {f"n{k}": t for t, k in enumerate(ks)}
    levels = tuple(levels)
    layers = _layer_blocks(circuit, levels)
    names = [n for layer in layers for n in layer]
    if circuit.output in names:
        return None
    if all(len(set(layer)) == 1 for layer in layers) and len({layer[0] for layer in layers}) == len(
        layers
    ):
        return levels, tuple(widths), True
    if len(set(names)) == len(names):
        return levels, tuple(widths), False
    return None


def _layer_blocks(circuit, levels):
    """Block names of each v1 layer l: the edges leaving level-l items (positions for l = 0),
    in the order of those items."""
    parent = {m: b for node in circuit.nodes for m, b in node.pool}
    layers = [[parent[f"x{j}"] for j in range(circuit.N)]]
    first = 0
    for level in levels[:-1]:
        layers.append([parent[f"n{first + t}"] for t in range(len(level))])
        first += len(level)
    return layers


# -- node-link encoding ---------------------------------------------------------------------
def _encode(array):
    def one(x):
        if isinstance(x, Fraction):
            return format_rational(x)
        import sympy

        return {"sympy": sympy.srepr(x)}

    return np.vectorize(one, otypes=[object])(np.asarray(array, dtype=object)).tolist()


def _decode(nested):
    def one(x):
        if isinstance(x, dict):
            import sympy

            return sympy.sympify(x["sympy"])
        return parse_rational(x)

    array = np.array(nested, dtype=object)
    return np.vectorize(one, otypes=[object])(array) if array.size else array


def _strip(graph):
    """Graph structure without weights, for comparing a decoded graph with a rebuilt one."""
    h = nx.DiGraph()
    for n, d in graph.nodes(data=True):
        h.add_node(n, **d)
    h.add_edges_from(graph.edges(data=True))
    return h
