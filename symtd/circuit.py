"""Circuits: pooling networks as immutable networkx DAGs with symbolic or exact weights.

Nodes (string ids) and their ``kind``:

* ``rep[j]``   input: the representation rep(j, d) = f_{θ_d}(x_j), d in [M];
* ``conv0[j]`` conv: a^{0,j,γ}_d, weights r_0 × M;
* ``pool{l}[t]`` pool: the t-th window of level l, ρ over its children's channels;
* ``conv{l}[t]`` conv (1 <= l < L): a^{l,t,γ}_α, weights r_l × r_{l-1};
* ``output``   output: a^{L,1}_α, weights 1 × r_{L-1}.

Every edge carries ``slot`` (the child's place in its parent's window) and every node
an ordered ``scope`` (the positions under it, increasing); weights are read-only
numpy object arrays of Fractions or sympy expressions. Indices are 0-based in code
and 1-based in symbol names, which follow the paper: ``a^{l,j,γ}_{α}``.
"""
from __future__ import annotations

import random
from fractions import Fraction

import networkx as nx
import numpy as np

from .errors import SymtdError
from .operators import get_operator
from .rational import as_fraction, format_rational, parse_rational


class Circuit:
    """A pooling network over N positions with M representation functions.

    ``levels[l]`` lists the windows of level l+1, each a tuple of indices into the
    level below (positions for the first level); ``widths`` = (r_0, ..., r_{L-1}).
    Build with :func:`shallow`, :func:`deep` or :func:`tree`. Immutable.
    """

    def __init__(self, levels, M, widths, operator, *, shared=False, weights=None, F=None):
        self.levels = validate_levels(levels)
        self.N = sum(len(w) for w in self.levels[0])
        self.L = len(self.levels)
        self.M = _positive_int(M, "M")
        self.widths = tuple(_positive_int(r, "width") for r in widths)
        if len(self.widths) != self.L:
            raise SymtdError(f"widths has {len(self.widths)} entries but the tree has {self.L} "
                             f"levels (one width r_0..r_{{L-1}} per level)")
        self.operator = get_operator(operator)
        self.shared = bool(shared)
        self.F = _matrix(F if F is not None else np.eye(self.M, dtype=int).tolist(),
                         (self.M, self.M), "F")
        self.scopes = _scopes(self.levels)
        blocks = _weight_blocks(self, weights)
        self.graph = _build_graph(self, blocks)

    # -- structure ---------------------------------------------------------------
    @property
    def root(self):
        return f"pool{self.L}[0]"

    def children(self, node):
        """Predecessors of node in slot order."""
        preds = self.graph.pred[node]
        return sorted(preds, key=lambda p: preds[p]["slot"])

    def weights(self, node):
        """Weight matrix (read-only object array) of a conv or output node."""
        return self.graph.nodes[node]["weights"]

    @property
    def conv_nodes(self):
        return [n for n, k in self.graph.nodes(data="kind") if k in ("conv", "output")]

    def weight_blocks(self):
        """Weights in the SPEC §7 layout: {"layer0": ..., "layer1": ..., "output": ...}."""
        blocks = {}
        for layer in range(self.L):
            count = 1 if self.shared else (self.N if layer == 0 else len(self.levels[layer - 1]))
            blocks[f"layer{layer}"] = (self.weights(f"conv{layer}[0]") if self.shared else
                                       np.stack([self.weights(f"conv{layer}[{t}]") for t in range(count)]))
        blocks["output"] = self.weights("output")[0]
        return blocks

    # -- symbols -----------------------------------------------------------------
    @property
    def free_symbols(self):
        """Set of sympy symbols among the weights and F (empty for a concrete circuit)."""
        found = set()
        for array in [self.F] + [self.weights(n) for n in self.conv_nodes]:
            for x in array.flat:
                if not isinstance(x, Fraction):
                    found |= x.free_symbols
        return found

    @property
    def is_concrete(self):
        return all(isinstance(x, Fraction) for array in [self.F] + [self.weights(n) for n in self.conv_nodes]
                   for x in array.flat)

    def subs(self, values):
        """New circuit with symbols replaced (values: {Symbol or name: rational or expr})."""
        import sympy

        by_name = {str(k): sympy.sympify(v) if not isinstance(v, Fraction)
                   else sympy.Rational(v.numerator, v.denominator) for k, v in values.items()}

        def substitute(x):
            if isinstance(x, Fraction):
                return x
            y = x.subs({s: by_name[s.name] for s in x.free_symbols if s.name in by_name})
            return _exact_or_symbolic(y)

        blocks = {k: np.vectorize(substitute, otypes=[object])(v) for k, v in self.weight_blocks().items()}
        F = np.vectorize(substitute, otypes=[object])(self.F)
        return self._replace(weights=blocks, F=F)

    def random_point(self, seed=0, bound=10**6):
        """A random rational point: each free symbol -> an integer in [-bound, bound].

        Wide ranges avoid the degenerate draws (zeros, parallel vectors) that make a
        sampled rank fall short of the generic rank.
        """
        rng = random.Random(seed)
        return {s: Fraction(rng.randint(-bound, bound)) for s in sorted(self.free_symbols, key=str)}

    def _replace(self, **changes):
        kwargs = dict(levels=self.levels, M=self.M, widths=self.widths, operator=self.operator,
                      shared=self.shared, weights=self.weight_blocks(), F=self.F)
        kwargs.update(changes)
        return Circuit(kwargs.pop("levels"), kwargs.pop("M"), kwargs.pop("widths"),
                       kwargs.pop("operator"), **kwargs)

    # -- interchange -------------------------------------------------------------
    def to_node_link(self):
        """networkx node-link data (JSON-serializable); weights as exact strings."""
        data = nx.node_link_data(self.graph, edges="edges")
        for node in data["nodes"]:
            if "weights" in node:
                node["weights"] = _encode(node["weights"])
            node["scope"] = list(node["scope"])
        data["graph"] = {"M": self.M, "operator": self.operator.name, "shared": self.shared,
                         "F": _encode(self.F), "widths": list(self.widths),
                         "levels": [[list(w) for w in level] for level in self.levels]}
        return data

    @classmethod
    def from_node_link(cls, data):
        """Inverse of :meth:`to_node_link`."""
        meta = data["graph"]
        graph = nx.node_link_graph(data, edges="edges")
        circuit = cls(meta["levels"], meta["M"], meta["widths"], meta["operator"],
                      shared=meta["shared"], F=_decode(meta["F"]),
                      weights=_blocks_from_nodes(meta, graph))
        if not nx.utils.graphs_equal(_strip(circuit.graph), _strip(graph)):
            raise SymtdError("node-link data does not match the circuit its metadata describes")
        return circuit

    def __eq__(self, other):
        if not isinstance(other, Circuit):
            return NotImplemented
        mine, theirs = self.weight_blocks(), other.weight_blocks()
        return (self.levels == other.levels and self.M == other.M and self.widths == other.widths
                and self.operator == other.operator and self.shared == other.shared
                and np.array_equal(self.F, other.F) and mine.keys() == theirs.keys()
                and all(np.array_equal(mine[k], theirs[k]) for k in mine))

    __hash__ = None

    def _latex(self, printer=None):
        """sympy's hook: ``sympy.latex(circuit)`` is the decomposition (:func:`symtd.latex.decomposition_latex`)."""
        from .latex import decomposition_latex
        return decomposition_latex(self)

    def __repr__(self):
        kind = "concrete" if self.is_concrete else "symbolic"
        return (f"Circuit(N={self.N}, M={self.M}, widths={self.widths}, operator={self.operator.name!r}, "
                f"levels={len(self.levels)}, shared={self.shared}, {kind})")


# -- builders ---------------------------------------------------------------------
def shallow(N, M, Z, operator="product", **kwargs):
    """Shallow network: one hidden layer of Z channels, global pooling over all N positions."""
    N = _positive_int(N, "N")
    if N < 2:
        raise SymtdError("a network needs N >= 2 positions (pooling windows have size >= 2)")
    return Circuit([[tuple(range(N))]], M, [Z], operator, **kwargs)


def deep(N, M, widths, operator="product", **kwargs):
    """Deep network: N = 2^L, binary tree of contiguous size-2 windows, widths r_0..r_{L-1}."""
    N = _positive_int(N, "N")
    L = N.bit_length() - 1
    if N < 2 or N != 2**L:
        raise SymtdError(f"deep networks need N = 2^L >= 2, got N={N}")
    if isinstance(widths, int):
        widths = [widths] * L
    levels, size = [], N
    while size > 1:
        levels.append([(2 * t, 2 * t + 1) for t in range(size // 2)])
        size //= 2
    return Circuit(levels, M, widths, operator, **kwargs)


def tree(levels, M, widths, operator="product", **kwargs):
    """Any uniform-depth pooling tree, given level by level as in SPEC §7."""
    return Circuit(levels, M, widths, operator, **kwargs)


def symbol_name(layer, node, channel, index, shared=False, output=False):
    """Paper notation a^{l,j,γ}_α (1-based); shared layers drop j, the output is a^{L,1}_α."""
    if output:
        return f"a^{{{layer},1}}_{{{index + 1}}}"
    if shared:
        return f"a^{{{layer},{channel + 1}}}_{{{index + 1}}}"
    return f"a^{{{layer},{node + 1},{channel + 1}}}_{{{index + 1}}}"


# -- construction helpers ------------------------------------------------------------
def _positive_int(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise SymtdError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def validate_levels(levels):
    """Levels as nested tuples, checked: each level partitions the one below, windows >= 2, one root."""
    try:
        levels = tuple(tuple(tuple(int(i) for i in window) for window in level) for level in levels)
    except (TypeError, ValueError):
        raise SymtdError("levels must be a list of levels, each a list of windows (lists of integers)") from None
    if not levels:
        raise SymtdError("levels is empty: a network needs at least one pooling level")
    below = sum(len(w) for w in levels[0])
    for depth, level in enumerate(levels, start=1):
        members = sorted(i for window in level for i in window)
        if members != list(range(below)):
            what = "positions" if depth == 1 else f"nodes of level {depth - 1}"
            raise SymtdError(f"level {depth} does not partition the {below} {what} below it "
                             f"(windows {[list(w) for w in level]})")
        for window in level:
            if len(window) < 2:
                raise SymtdError(f"level {depth} has window {list(window)} of size {len(window)}; "
                                 f"pooling windows need at least 2 members")
        below = len(level)
    if len(levels[-1]) != 1:
        raise SymtdError(f"the last level must be a single window (the root), got {len(levels[-1])}")
    return levels


def _scopes(levels):
    scopes = [[(j,) for j in range(sum(len(w) for w in levels[0]))]]
    for level in levels:
        scopes.append([tuple(sorted(p for i in window for p in scopes[-1][i])) for window in level])
    return scopes


def _exact_or_symbolic(x):
    """Fraction for a rational, a sympy expression otherwise (floats are refused)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return Fraction(int(x))
    if isinstance(x, str):
        return parse_rational(x)
    if isinstance(x, (float, bool, np.floating)):
        raise SymtdError(f"weight {x!r} is not exact; use an int, Fraction, rational string or sympy Rational")
    import sympy

    if not isinstance(x, sympy.Basic):
        raise SymtdError(f"weight {x!r} is neither an exact rational nor a sympy expression")
    if x.is_Rational:
        return as_fraction(x)
    if x.is_Float or x.atoms(sympy.Float):
        raise SymtdError(f"weight {x} holds a float; use exact rationals")
    return x


def _matrix(values, shape, what):
    try:
        array = np.array(values, dtype=object)
    except ValueError:
        raise SymtdError(f"{what} is ragged; expected shape {'×'.join(map(str, shape))}") from None
    if array.shape != shape:
        raise SymtdError(f"{what} has shape {'×'.join(map(str, array.shape)) or 'scalar'}, "
                         f"expected {'×'.join(map(str, shape))}")
    out = np.empty(shape, dtype=object)
    out.flat[:] = [_exact_or_symbolic(x) for x in array.flat]
    out.flags.writeable = False
    return out


def weight_shapes(levels, M, widths, shared):
    """{block name: shape} of the weights in the SPEC §7 layout."""
    shapes = {}
    for layer, width in enumerate(widths):
        fan_in = M if layer == 0 else widths[layer - 1]
        count = sum(len(w) for w in levels[0]) if layer == 0 else len(levels[layer - 1])
        shapes[f"layer{layer}"] = (width, fan_in) if shared else (count, width, fan_in)
    shapes["output"] = (widths[-1],)
    return shapes


def _symbolic_blocks(circuit):
    import sympy

    blocks = {}
    for name, shape in weight_shapes(circuit.levels, circuit.M, circuit.widths, circuit.shared).items():
        layer = circuit.L if name == "output" else int(name[5:])
        array = np.empty(shape, dtype=object)
        for idx in np.ndindex(*shape):
            if name == "output":
                label = symbol_name(layer, 0, 0, idx[0], output=True)
            elif circuit.shared:
                label = symbol_name(layer, 0, idx[0], idx[1], shared=True)
            else:
                label = symbol_name(layer, *idx)
            array[idx] = sympy.Symbol(label, real=True)
        blocks[name] = array
    return blocks


def _weight_blocks(circuit, weights):
    shapes = weight_shapes(circuit.levels, circuit.M, circuit.widths, circuit.shared)
    if weights is None:
        weights = _symbolic_blocks(circuit)
    unknown = set(weights) - set(shapes)
    if unknown:
        raise SymtdError(f"unknown weight block(s) {sorted(unknown)}; expected {list(shapes)}")
    missing = set(shapes) - set(weights)
    if missing:
        raise SymtdError(f"missing weight block(s) {sorted(missing, key=list(shapes).index)}")
    return {name: _matrix(weights[name], shape, f"weights[{name!r}]") for name, shape in shapes.items()}


def _block(array):
    array = np.array(array, dtype=object)
    array.flags.writeable = False
    return array


def _build_graph(circuit, blocks):
    g = nx.DiGraph(N=circuit.N, M=circuit.M, L=circuit.L, operator=circuit.operator.name)
    for j in range(circuit.N):
        g.add_node(f"rep[{j}]", kind="input", layer=0, index=j, scope=(j,), channels=circuit.M)
        w = blocks["layer0"] if circuit.shared else blocks["layer0"][j]
        g.add_node(f"conv0[{j}]", kind="conv", layer=0, index=j, scope=(j,),
                   channels=circuit.widths[0], weights=_block(w))
        g.add_edge(f"rep[{j}]", f"conv0[{j}]", slot=0)
    for depth, level in enumerate(circuit.levels, start=1):
        for t, window in enumerate(level):
            pool = f"pool{depth}[{t}]"
            g.add_node(pool, kind="pool", layer=depth, index=t, scope=circuit.scopes[depth][t],
                       channels=circuit.widths[depth - 1], operator=circuit.operator.name)
            for slot, child in enumerate(window):
                g.add_edge(f"conv{depth - 1}[{child}]", pool, slot=slot)
            if depth < circuit.L:
                w = blocks[f"layer{depth}"] if circuit.shared else blocks[f"layer{depth}"][t]
                g.add_node(f"conv{depth}[{t}]", kind="conv", layer=depth, index=t,
                           scope=circuit.scopes[depth][t], channels=circuit.widths[depth],
                           weights=_block(w))
                g.add_edge(pool, f"conv{depth}[{t}]", slot=0)
    g.add_node("output", kind="output", layer=circuit.L, index=0, scope=tuple(range(circuit.N)),
               channels=1, weights=_block([blocks["output"]]))
    g.add_edge(circuit.root, "output", slot=0)
    return nx.freeze(g)


# -- node-link encoding ----------------------------------------------------------------
def _encode(array):
    import sympy

    def one(x):
        return format_rational(x) if isinstance(x, Fraction) else {"sympy": sympy.srepr(x)}
    return np.vectorize(one, otypes=[object])(np.asarray(array, dtype=object)).tolist()


def _decode(nested):
    import sympy

    def one(x):
        return sympy.sympify(x["sympy"]) if isinstance(x, dict) else parse_rational(x)
    array = np.array(nested, dtype=object)
    return np.vectorize(one, otypes=[object])(array) if array.size else array


def _blocks_from_nodes(meta, graph):
    nodes = graph.nodes
    L, shared = len(meta["levels"]), meta["shared"]
    blocks = {}
    for layer in range(L):
        count = 1 if shared else (sum(len(w) for w in meta["levels"][0]) if layer == 0
                                  else len(meta["levels"][layer - 1]))
        mats = [_decode(nodes[f"conv{layer}[{t}]"]["weights"]) for t in range(count)]
        blocks[f"layer{layer}"] = mats[0] if shared else np.stack(mats)
    blocks["output"] = _decode(nodes["output"]["weights"])[0]
    return blocks


def _strip(graph):
    """Graph structure without weights, for comparing a decoded graph with a rebuilt one."""
    h = nx.DiGraph()
    for n, d in graph.nodes(data=True):
        h.add_node(n, **{k: (tuple(v) if k == "scope" else v) for k, v in d.items() if k != "weights"})
    h.add_edges_from(graph.edges(data=True))
    return h
