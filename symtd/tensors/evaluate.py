"""The forward pass: a circuit evaluated node by node (topological order) in one of its
arithmetics, and the memory it will need, priced from sizes alone before anything is built."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import reduce
from typing import Any

import numpy as np

from symtd.algebra.polynomial import Ring, objects
from symtd.algebra.rational import INT64_LIMIT, clear_denominators, max_abs
from symtd.circuits.circuit import Circuit, symbol_names
from symtd.circuits.operators import BUILTIN, PRODUCT, maximum, relu
from symtd.errors import SymtdError

# -- memory ---------------------------------------------------------------------------------
MAX_ORDER = 32  # numpy iterates over at most 32 axes (np.vectorize, nditer)


def estimate_bytes(circuit: Circuit, arithmetic: str = "exact") -> int:
    """Estimate the peak memory of the forward pass from sizes alone (nothing is built).

    The values alive at each step (liveness over the DAG: a node's value is kept until its
    last consumer) plus the new one, in entries, times bytes per entry: 8 for float, for
    exact arithmetic 8 while a proven bound on every numerator fits int64 and a Python int's
    size beyond, 8 for "modular" (residues mod a prime below 2^28, product circuits:
    :func:`~symtd.tensors.grid.grid_numerators_mod`), 400 for symbolic entries; at least the
    grid itself.

    Parameters
    ----------
    circuit : Circuit
        Any circuit (concrete for "exact").
    arithmetic : str, default "exact"
        "exact", "symbolic", "float" or "modular".

    Returns
    -------
    int
        The estimate, in bytes.

    Examples
    --------
    >>> import symtd
    >>> net = symtd.deep(16, 2, 2)  # 2^16 grid entries
    >>> symtd.estimate_bytes(net, "float")  # the root's 2 channels and its inputs, 8 B each
    1064960
    >>> symtd.estimate_bytes(net.at_random_point(seed=0, bound=9))  # exact: beyond int64
    5990400
    >>> symtd.estimate_bytes(net, "symbolic") > 10**11  # polynomials: hundreds of GB
    True
    >>> symtd.estimate_bytes(net, "modular")  # residues mod p: int64, like float
    1064960
    """
    if arithmetic == "symbolic" and circuit.operator is PRODUCT:
        per_entry = 64 + terms_bound(circuit) * (16 + len(circuit.shapes) * 2)
    else:
        per_entry = {"float": 8, "modular": 8, "symbolic": 400}.get(
            arithmetic
        ) or _exact_entry_bytes(circuit)
    return per_entry * max(_peak_entries(circuit), circuit.M**circuit.N)


def _peak_entries(circuit):
    M, left, live, peak = circuit.M, dict(circuit.uses), {}, 0
    size = {f"x{j}": M for j in range(circuit.N)}
    scopes = circuit.scope_sizes()
    for k, node in enumerate(circuit.nodes):
        scope = scopes[k]
        step = sum(
            node.width * M ** (1 if m[0] == "x" else scopes[int(m[1:])]) for m, _ in node.pool
        )
        peak = max(peak, sum(live.values()) + step + node.width * M**scope)
        for m, _ in node.pool:
            live.setdefault(m, size[m])
            left[m] -= 1
            if not left[m]:
                del live[m]
        size[f"n{k}"] = live[f"n{k}"] = node.width * M**scope
    return peak


def _exact_entry_bytes(circuit):
    """Bytes per numerator of the exact forward pass, from the proven bounds it will use."""
    if circuit.operator not in BUILTIN.values():
        return 200  # Fractions through sympy
    bits = forward(circuit, Bounds(circuit))
    return 8 if bits < 62 else 32 + int(min(bits, 2.0**70)) // 8


def check_memory(circuit: Circuit, arithmetic: str = "exact", max_bytes: int | None = None) -> None:
    """Refuse, with the estimate, a grid computation over max_bytes (default: half the free
    memory) or with more than 32 positions (numpy's axis limit). Sizes are compared before
    anything is built; astronomically large ones without computing M^N. ``arithmetic``:
    "exact", "float", "symbolic" or "modular" (see :func:`estimate_bytes`)."""
    limit = max_bytes if max_bytes is not None else _available_bytes() // 2
    bits = circuit.N * math.log2(circuit.M)
    if bits > 200 or circuit.N > MAX_ORDER or arithmetic == "exact" and not circuit.is_concrete:
        need = 2 ** int(bits + 3) if bits > 200 else 8 * circuit.M**circuit.N  # the grid alone
    else:
        need = estimate_bytes(circuit, arithmetic)
    if need > limit:
        amount = f"2^{int(bits + 3)} B" if bits > 200 else _human(need)
        raise SymtdError(
            f"grid tensor of N={circuit.N}, M={circuit.M} ({_count(circuit.M, circuit.N)} "
            f"entries) needs about {amount} in {arithmetic} arithmetic, over the limit "
            f"of {_human(limit)}; refused"
        )
    if circuit.N > MAX_ORDER:
        raise SymtdError(
            f"grid tensors are limited to N <= {MAX_ORDER} positions (numpy iterates over at "
            f"most 32 axes), got N = {circuit.N}"
        )


def _available_bytes():
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 8 * 2**30


def available_bytes() -> int:
    """The memory this machine has free now (MemAvailable; 8 GiB when it cannot be read)."""
    return _available_bytes()


def human_bytes(n: int) -> str:
    """Byte count for people: "1.5 GiB"; beyond 1024 PiB as a power of two."""
    return _human(n)


def _human(n):
    """Byte count for people: "1.5 GiB"; beyond 1024 PiB as a power of two."""
    if n >= 1024**6:
        return f"2^{n.bit_length() - 1} B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def _count(M, N):
    """M^N written out when it is readable, as a power otherwise."""
    return f"{M**N:,}" if N * M.bit_length() <= 64 else f"{M}^{N}"


# -- the forward pass -----------------------------------------------------------------
def forward(circuit: Circuit, arith: Any) -> Any:
    """Evaluate the circuit node by node (topological order); a value is dropped after its
    last consumer. arith supplies representation(j), linear(block, value), pool(values) and
    result(value of the output)."""
    values, left = {}, dict(circuit.uses)
    for k, node in enumerate(circuit.nodes):
        children = []
        for member, block in node.pool:
            if member not in values:
                values[member] = arith.representation(int(member[1:]))
            children.append(arith.linear(block, values[member]))
            left[member] -= 1
            if not left[member]:
                del values[member]
        if k == len(circuit.nodes) - 1 and hasattr(arith, "pool_output"):
            return arith.result(arith.pool_output(children, circuit.output))
        values[f"n{k}"] = arith.pool(children)
    return arith.result(arith.linear(circuit.output, values[circuit.root], output=True))


class Blocks:
    """Per-block conversions, each made once (blocks are shared across edges)."""

    def __init__(self, circuit, convert):
        self.circuit, self.convert, self.cache = circuit, convert, {}

    def __call__(self, name, output=False):
        if (name, output) not in self.cache:
            W = self.circuit.block(name)
            self.cache[name, output] = self.convert(W[None, :] if output else W)
        return self.cache[name, output]


class Elementwise:
    """Node values are numpy arrays (channels, broadcast grid axes) of one element kind.

    With ``indices`` (see :func:`batch_shape`) the batch axes replace the grid axes."""

    def __init__(self, circuit, arithmetic, indices=None):
        self.circuit, self.convert = circuit, converter(circuit, arithmetic)
        self.blocks = Blocks(circuit, self.convert)
        self.indices = indices

    def representation(self, j):
        """The value at position j: its templates' rows of F, on the axis of position j."""
        F = self.convert(self.circuit.F)  # F[i, d], i = template
        return _at_position(F.T, self.circuit, j, self.indices)

    def linear(self, name, X, output=False):
        """A block (1x1 convolution) applied to a member's value; the output block if output."""
        return np.tensordot(self.blocks(name, output), X, axes=1)

    def pool(self, children):
        """The pooling of the members' values (the circuit's operator)."""
        return self.circuit.operator(*children)

    def result(self, value):
        """The output value in this arithmetic's result type."""
        return np.broadcast_to(value[0], batch_shape(self.circuit, self.indices))


class Polynomials(Elementwise):
    """Node values are object arrays of FLINT polynomials in the circuit's weights."""

    def __init__(self, circuit):
        self.circuit, self.ring = circuit, circuit_ring(circuit)
        self.convert, self.indices = self.ring.array, None
        self.blocks = lambda name, output=False: self._block(name, output)
        self._cache = {}

    def _block(self, name, output):
        if name not in self._cache:
            self._cache[name] = ring_block(self.ring, self.circuit, name)
        return self._cache[name][None, :] if output else self._cache[name]

    def result(self, value):
        """The output value in this arithmetic's result type."""
        return np.array(super().result(value), dtype=object)


class Scalar:
    """One evaluation: position j's value is inputs[j] (its representation vector, or with
    given_conv its conv output, the block then skipped)."""

    def __init__(self, circuit, inputs, given_conv=False, block=None):
        self.circuit, self.inputs, self.given_conv = circuit, inputs, given_conv
        self.block = block or circuit.block

    def representation(self, j):
        """The value at position j: its templates' rows of F, on the axis of position j."""
        return ("x", j)

    def linear(self, name, x, output=False):
        """A block (1x1 convolution) applied to a member's value; the output block if output."""
        W = self.block(name)
        if isinstance(x, tuple):
            if self.given_conv:
                return np.asarray(self.inputs[x[1]], dtype=object)
            x = np.asarray(self.inputs[x[1]], dtype=object)
        return np.dot(W[None, :] if output else W, x)

    def pool(self, children):
        """The pooling of the members' values (the circuit's operator)."""
        return self.circuit.operator(*children)

    def result(self, value):
        """The output value in this arithmetic's result type."""
        return value[0]


class ScaledIntegers:
    """Exact forward arithmetic on (numerators X, denominator D, bound B): value = X / D, |X| <= B.

    X is int64 while the proven bound B < 2^63 and exact Python ints beyond, so int64
    never wraps around. Built-in operators only (max/sum/avg use positive homogeneity).
    With ``indices`` (see :func:`batch_shape`) a batch of template tuples replaces the grid.
    """

    def __init__(self, circuit, indices=None):
        self.circuit, self.indices = circuit, indices
        self.blocks = Blocks(circuit, _integer_block)

    def representation(self, j):
        """The value at position j: its templates' rows of F, on the axis of position j."""
        X, D = clear_denominators(self.circuit.F.T)
        return _at_position(X, self.circuit, j, self.indices), D, max_abs(X)

    def linear(self, name, value, output=False):
        """A block (1x1 convolution) applied to a member's value; the output block if output."""
        X, D, B = value
        W, dW, row_sum = self.blocks(name, output)
        bound = row_sum * B
        if bound > INT64_LIMIT:
            X, W = X.astype(object), W.astype(object)
        elif X.dtype == object:
            W = W.astype(object)
        return np.tensordot(W, X, axes=1), D * dW, bound

    def pool(self, children):
        """The pooling of the members' values (the circuit's operator)."""
        op = self.circuit.operator
        if op is PRODUCT:
            bound = math.prod(B for _, _, B in children)
            arrays = [X.astype(object) if bound > INT64_LIMIT else X for X, _, _ in children]
            return reduce(np.multiply, arrays), math.prod(D for _, D, _ in children), bound
        common = math.lcm(*(D for _, D, _ in children))
        scaled = [(X, common // D, B * (common // D)) for X, D, B in children]
        bound = (max if op.name == "max" else sum)(B for _, _, B in scaled)
        big = bound > INT64_LIMIT or common > INT64_LIMIT
        arrays = []
        for X, s, _ in scaled:
            X = X.astype(object) if big and X.dtype != object else X
            arrays.append(X * s if s != 1 else X)
        if op.name == "max":
            value = reduce(maximum, arrays)
            value = relu(value) if big else np.maximum(value, 0, out=value)
        else:
            value = reduce(np.add, [relu(X) for X in arrays])
        return value, common * (len(children) if op.mean else 1), bound

    def result(self, value):
        """The output value in this arithmetic's result type."""
        X, D, _ = value
        return np.ascontiguousarray(
            np.broadcast_to(X[0], batch_shape(self.circuit, self.indices))
        ), D


def _integer_block(W):
    """(integer array X, denominator d, max_i Σ_k |X[i, k]|) with W = X / d."""
    X, d = clear_denominators(W)
    return X, d, max((sum(abs(int(w)) for w in row) for row in X), default=0)


class Bounds:
    """log2 of the bound B of :class:`ScaledIntegers` (and of its denominator), without arrays:
    floats, rounded up, so the memory estimate stays cheap when the numbers would not."""

    def __init__(self, circuit):
        self.circuit = circuit
        self.blocks = Blocks(circuit, lambda W: tuple(_log2(x) for x in _integer_block(W)[1:]))

    def representation(self, j):
        """The value at position j: its templates' rows of F, on the axis of position j."""
        X, D = clear_denominators(self.circuit.F)
        return _log2(D), _log2(max_abs(X))

    def linear(self, name, value, output=False):
        """A block (1x1 convolution) applied to a member's value; the output block if output."""
        d, row_sum = self.blocks(name, output)
        return value[0] + d, value[1] + row_sum

    def pool(self, children):
        """The pooling of the members' values (the circuit's operator)."""
        if self.circuit.operator is PRODUCT:
            return sum(D for D, _ in children), sum(B for _, B in children)
        common = sum(D for D, _ in children)  # lcm <= product
        scaled = [B + common - D for D, B in children]
        extra = 0 if self.circuit.operator.name == "max" else math.log2(len(children))
        return common + math.log2(len(children)), max(scaled) + extra

    def result(self, value):
        """The output value in this arithmetic's result type."""
        return value[1]


def _log2(n):
    """log2(n) rounded up a little, 0 for n <= 1."""
    return math.log2(n) * (1 + 1e-12) if n > 1 else 0.0


class Modular:
    """Forward arithmetic mod p on the numerators of :class:`ScaledIntegers` (product only);
    position ``order[k]`` on grid axis k, or with ``indices`` (see :func:`batch_shape`) a
    batch of template tuples instead of the grid."""

    def __init__(self, circuit, prime, order=None, indices=None):
        self.circuit, self.p, self.indices = circuit, prime, indices
        self.blocks = Blocks(circuit, self._mod)
        self.axis = {j: k for k, j in enumerate(order or range(circuit.N))}

    def _mod(self, values):
        X, _ = clear_denominators(values)
        return (X % self.p).astype(np.int64)

    def representation(self, j):
        """The value at position j: its templates' rows of F, on the axis of position j."""
        if self.indices is not None:
            return _at_position(self._mod(self.circuit.F.T), self.circuit, j, self.indices)
        shape = [1] * self.circuit.N
        shape[self.axis[j]] = self.circuit.M
        return self._mod(self.circuit.F.T).reshape((self.circuit.M, *shape))

    def linear(self, name, X, output=False):
        """A block (1x1 convolution) applied to a member's value; the output block if output."""
        W = self.blocks(name, output)
        if W.shape[1] * (self.p - 1) ** 2 > INT64_LIMIT:  # sums could overflow: one by one
            return reduce(
                lambda acc, k: (acc + np.multiply.outer(W[:, k], X[k]) % self.p) % self.p,
                range(W.shape[1]),
                np.zeros((W.shape[0],) + X.shape[1:], dtype=np.int64),
            )
        return np.tensordot(W, X, axes=1) % self.p

    def pool(self, children):
        """The pooling of the members' values (the circuit's operator)."""
        return reduce(lambda a, b: a * b % self.p, children)

    def pool_output(self, children, name):
        """Σ_α out[α]·Π_i c_i[α] mod p, one channel α at a time, the full-size products made
        in place (two arrays of M^N entries at most)."""
        out, p = self.blocks(name), self.p
        children = sorted(children, key=lambda c: c[0].size)
        total = buffer = None
        for alpha, weight in enumerate(out):
            head = reduce(lambda a, b: a * b % p, [c[alpha] for c in children[:-1]], 1)
            last = children[-1][alpha]
            if buffer is None:
                buffer = np.empty(np.broadcast_shapes(np.shape(head), last.shape), np.int64)
            np.multiply(head, last, out=buffer)
            np.remainder(buffer, p, out=buffer)
            np.multiply(buffer, int(weight), out=buffer)
            np.remainder(buffer, p, out=buffer)
            if total is None:
                total, buffer = buffer, None
            else:
                np.add(total, buffer, out=total)
                np.remainder(total, p, out=total)
        return total[None]

    def result(self, value):
        """The output value in this arithmetic's result type."""
        shape = batch_shape(self.circuit, self.indices)
        return np.ascontiguousarray(np.broadcast_to(value[0], shape))


def _axis_shape(circuit, j):
    shape = [1] * circuit.N
    shape[j] = circuit.M
    return tuple(shape)


def batch_shape(circuit: Circuit, indices: Sequence[np.ndarray] | None) -> tuple[int, ...]:
    """The shape of a forward pass's result: the grid's (M, ..., M) without ``indices``; with
    them the common broadcast shape of ``indices[j]``, the template indices of position j
    over a batch (e.g. shapes (k, 1) for I's positions and (1, k) for J's: a k×k block of
    the matricization, whatever N is: no grid axis is made)."""
    if indices is None:
        return (circuit.M,) * circuit.N
    return tuple(np.broadcast_shapes(*(np.shape(x) for x in indices)))


def _at_position(columns, circuit, j, indices):
    """columns[:, template] (rows: the value's entries) at position j: on grid axis j, or
    taken at the batch's template indices of position j."""
    if indices is None:
        return columns.reshape((circuit.M,) + _axis_shape(circuit, j))
    return columns[:, np.asarray(indices[j], dtype=np.intp)]


def terms_bound(circuit: Circuit) -> int:
    """An upper bound on the number of terms of one grid entry of a product circuit.

    A value is (terms per entry, how many of its entries can be non-zero). A position
    holds a row of F: constants, as many non-zero as the fullest row. A block sums that
    many products of a weight and an input entry: terms times inputs. Pooling multiplies
    the terms of its members.
    """
    support = max(sum(1 for x in row if x != 0) for row in circuit.F)

    class Count:
        def representation(self, j):
            return 1, support

        def linear(self, name, x, output=False):
            return x[0] * x[1], circuit.shapes[name][0] if not output else 1

        def pool(self, children):
            return math.prod(t for t, _ in children), children[0][1]

        def result(self, x):
            return x[0]

    return forward(circuit, Count())


def circuit_ring(circuit: Circuit) -> Ring:
    """The ring Q[w_1, ..., w_n] of a circuit's free symbols, sorted by name (for an
    architecture the names are made without sympy)."""
    if circuit.is_symbolic_architecture and all(isinstance(x, Fraction) for x in circuit.F.flat):
        return Ring(sorted(n for name in circuit.shapes for n in symbol_names(circuit, name)))
    return Ring(sorted(str(s) for s in circuit.free_symbols))


def ring_block(ring: Ring, circuit: Circuit, name: str) -> np.ndarray:
    """A circuit's block as ring elements (straight from the symbol names when the circuit is
    an architecture, so no sympy symbol is made)."""
    if circuit.is_symbolic_architecture:
        return objects([ring.gens[n] for n in symbol_names(circuit, name)], circuit.shapes[name])
    return ring.array(circuit.block(name))


# -- element kinds ------------------------------------------------------------------------
def converter(circuit: Circuit, arithmetic: str) -> Callable[[np.ndarray], np.ndarray]:
    """Function mapping an object array of Fractions/sympy values to the working element kind."""
    if arithmetic == "float":
        return lambda a: (
            np.vectorize(float, otypes=[float])(a) if np.size(a) else np.zeros(np.shape(a))
        )
    if arithmetic == "exact":
        return lambda a: np.asarray(a, dtype=object)
    import sympy

    if circuit.operator is PRODUCT:
        from sympy.polys.domains import QQ
        from sympy.polys.rings import ring

        R = ring(sorted(circuit.free_symbols, key=str) or [sympy.Dummy("x")], QQ)[0]

        def to_ring(x):
            if isinstance(x, Fraction):
                return R.ground_new(QQ(x.numerator, x.denominator))
            return R.from_expr(x)

        return np.vectorize(to_ring, otypes=[object])

    def to_expr(x):
        return sympy.Rational(x.numerator, x.denominator) if isinstance(x, Fraction) else x

    return np.vectorize(to_expr, otypes=[object])
