"""Grid tensors G[d_1..d_N] = h_y(x^(d_1), ..., x^(d_N)), computed exactly (:doc:`/theory`).

Two independent paths:

* ``method="forward"``: the network itself, evaluated node by node (topological order
  of the circuit DAG) on the batch of all template tuples, each position's template
  index on its own broadcast axis;
* ``method="decomposition"``: the generalized tree recursion of the theory with leaf
  vectors F·a (:mod:`symtd.tensors.decomposition`).

Arithmetic: ``"exact"`` (concrete weights; a :class:`~symtd.algebra.rational.RationalTensor`,
computed on integer numerators over a common denominator, in int64 while a proven bound
allows, in exact Python ints beyond), ``"symbolic"`` (for product circuits a
:class:`~symtd.algebra.polynomial.PolynomialTensor` of FLINT polynomials; a sympy Array of Max
expressions for ReLU operators) or
``"float"`` (float64, inexact, for quick looks and cross-checks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Union, overload

import numpy as np
from numpy.typing import ArrayLike

from symtd.algebra.polynomial import Polynomial, PolynomialTensor
from symtd.algebra.rational import RationalTensor, check_prime, clear_denominators
from symtd.circuits.circuit import Circuit
from symtd.circuits.operators import BUILTIN, PRODUCT
from symtd.circuits.partitions import PartitionSpec, partition
from symtd.errors import SymtdError, escape
from symtd.tensors.decomposition import from_circuit, mode_dot_all, tree_to_tensor
from symtd.tensors.evaluate import (
    Elementwise,
    Modular,
    Polynomials,
    Scalar,
    ScaledIntegers,
    check_memory,
    circuit_ring,
    converter,
    forward,
    ring_block,
)

ARITHMETICS = ("exact", "symbolic", "float")
METHODS = ("forward", "decomposition")


#: What a grid tensor is in each arithmetic: exact, symbolic (FLINT polynomials for product
#: circuits, a sympy Array otherwise) or float.
Grid = Union[RationalTensor, PolynomialTensor, Any, np.ndarray]


def grid_tensor(
    circuit: Circuit,
    method: str = "forward",
    arithmetic: str | None = None,
    max_bytes: int | None = None,
) -> Grid:
    """Compute the grid tensor G of the circuit's output (order N, shape M × ... × M).

    G[d_1..d_N] = h_y(x^(d_1), ..., x^(d_N)), every entry exact unless ``arithmetic="float"``.

    Parameters
    ----------
    circuit : Circuit
        Any circuit, concrete or symbolic.
    method : str, default "forward"
        "forward" (the network, node by node) or "decomposition" (the tree recursion of the
        theory; tree circuits only).
    arithmetic : str, optional
        "exact", "symbolic" or "float"; defaults to "exact" for concrete circuits and
        "symbolic" otherwise.
    max_bytes : int, optional
        Memory allowed to the computation; a default limit when None.

    Returns
    -------
    RationalTensor or PolynomialTensor or sympy.Array or numpy.ndarray
        Exact: a :class:`~symtd.algebra.rational.RationalTensor`; symbolic: a
        :class:`~symtd.algebra.polynomial.PolynomialTensor` (product) or a sympy Array of Max
        expressions (ReLU operators); float: a float64 array.

    Raises
    ------
    SymtdError
        For an unknown method or arithmetic, exact or float arithmetic on symbolic weights, a
        decomposition of a non-tree circuit, or a computation that would not fit in memory
        (refused with the estimate, before starting it).

    Examples
    --------
    >>> import symtd
    >>> net = symtd.deep(4, 2, 2).at_random_point(seed=0)  # exact integer weights
    >>> G = symtd.grid_tensor(net)
    >>> G.shape
    (2, 2, 2, 2)
    >>> G == symtd.grid_tensor(net, method="decomposition")  # the two paths agree
    True
    >>> symtd.grid_tensor(symtd.shallow(2, 2, 1))[0, 1]  # symbolic weights: polynomials
    a^{0,1,1}_{1}*a^{0,2,1}_{2}*a^{1,1}_{1}
    """
    arithmetic = _arithmetic(circuit, arithmetic)
    if method not in METHODS:
        raise SymtdError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    check_memory(circuit, arithmetic, max_bytes)
    if arithmetic == "symbolic" and circuit.operator is PRODUCT:
        arith = Polynomials(circuit)
        if method == "forward":
            values = forward(circuit, arith)
        else:
            values = tree_to_tensor(from_circuit(circuit).map(arith.ring.array))
        return PolynomialTensor(np.array(values, dtype=object), arith.ring)
    if method == "forward":
        if arithmetic == "exact" and circuit.operator in BUILTIN.values():
            X, D = forward(circuit, ScaledIntegers(circuit))
            return RationalTensor(X, D)
        return _from_kind(forward(circuit, Elementwise(circuit, arithmetic)), arithmetic)
    tt = from_circuit(circuit).map(converter(circuit, arithmetic))
    return _from_kind(tree_to_tensor(tt), arithmetic)


def exact_grid_tensor(
    circuit: Circuit, method: str = "forward", max_bytes: int | None = None
) -> RationalTensor:
    """The exact grid tensor of a concrete circuit: :func:`grid_tensor` in exact arithmetic,
    typed as the RationalTensor it is (symbols are refused there with one clear line)."""
    G = grid_tensor(circuit, method, "exact", max_bytes)
    if not isinstance(G, RationalTensor):  # exact arithmetic gives nothing else
        raise SymtdError("an exact grid tensor needs concrete weights")
    return G


def coefficient_tensor(circuit: Circuit, arithmetic: str | None = None) -> Grid:
    """Compute the coefficient tensor A^y of a product tree circuit.

    h_y(X) = Σ_d A^y[d] Π_i f_{θ_{d_i}}(x_i), and the grid tensor is A^y ×_n F.

    Parameters
    ----------
    circuit : Circuit
        A product tree circuit.
    arithmetic : str, optional
        "exact", "symbolic" or "float", as in :func:`grid_tensor`.

    Returns
    -------
    RationalTensor or PolynomialTensor or sympy.Array or numpy.ndarray
        A^y, of order N, in the arithmetic asked.

    Raises
    ------
    SymtdError
        When the circuit is not a product tree circuit, the arithmetic is refused, or the
        tensor would not fit in memory.

    Examples
    --------
    >>> import symtd
    >>> net = symtd.Circuit(2, 2, [(1, [("x0", "A"), ("x1", "B")])], F=[[1, 1], [0, 1]],
    ...                     weights={"A": [[1, 2]], "B": [[3, 4]], "output": [1]})
    >>> symtd.coefficient_tensor(net)  # A^y = (1, 2) ⊗ (3, 4), whatever F is
    RationalTensor(['3', '4', '6', '8'], shape=(2, 2))
    >>> symtd.grid_tensor(net)  # G = F A^y Fᵀ: G[0, 0] = (1 + 2)(3 + 4)
    RationalTensor(['21', '12', '14', '8'], shape=(2, 2))
    """
    arithmetic = _arithmetic(circuit, arithmetic)
    check_memory(circuit, arithmetic)
    tt = from_circuit(circuit, coefficient=True)
    if arithmetic == "symbolic":
        ring = circuit_ring(circuit)
        return PolynomialTensor(np.array(tree_to_tensor(tt.map(ring.array)), dtype=object), ring)
    return _from_kind(tree_to_tensor(tt.map(converter(circuit, arithmetic))), arithmetic)


def grid_from_coefficients(
    A: RationalTensor | ArrayLike, F: ArrayLike
) -> RationalTensor | np.ndarray:
    """Compute A ×_1 F ×_2 F ... ×_N F, the grid tensor of coefficients A (:doc:`/theory`).

    Parameters
    ----------
    A : RationalTensor or array_like
        The coefficient tensor, of order N.
    F : array_like
        The M × M template matrix.

    Returns
    -------
    RationalTensor or numpy.ndarray
        Exact (a RationalTensor) for a RationalTensor A; an array of A's kind otherwise.

    Examples
    --------
    >>> import symtd
    >>> net = symtd.deep(4, 2, 2, F=[[1, 1], [0, 1]]).at_random_point(seed=0, bound=9)
    >>> A, G = symtd.coefficient_tensor(net), symtd.grid_tensor(net)
    >>> symtd.grid_from_coefficients(A, net.F) == G
    True
    >>> I = symtd.partition("odd-even", net)  # F invertible: the ranks agree, r^(N/2) = 4
    >>> symtd.rank(symtd.matricize(A, I)), symtd.rank(symtd.matricize(G, I))
    (4, 4)
    >>> G1 = symtd.grid_from_coefficients(A, [[1, 1], [1, 1]])  # F singular: rank 1
    >>> symtd.rank(symtd.matricize(G1, I))
    1
    """
    if isinstance(A, RationalTensor):
        F_int, dF = clear_denominators(F)
        X = mode_dot_all(A.numerator.astype(object), F_int.astype(object))
        return RationalTensor(X, A.denominator * dF**A.ndim)
    return mode_dot_all(A, F)


def network_function(circuit: Circuit, u: Sequence[Any]) -> Any:
    """Evaluate h_y as a function of the conv outputs u[j][γ] = (B_j x_j)[γ] at the positions.

    B_j is the block on position j's edge. The grid tensor is this function at
    u[j][γ] = (B_j F[d_j])[γ].

    Parameters
    ----------
    circuit : Circuit
        A circuit whose positions are members exactly once.
    u : sequence
        ``u[j]``: the conv output at position j, scalars of any kind the operator accepts
        (Fractions, sympy expressions).

    Returns
    -------
    object
        h_y, a scalar of the inputs' kind (a sympy expression for symbolic input).

    Raises
    ------
    SymtdError
        When a position feeds more than one node (use :func:`grid_entry`).

    Examples
    --------
    >>> import sympy, symtd
    >>> u0, u1 = sympy.symbols("u0 u1", real=True)
    >>> symtd.network_function(symtd.shallow(2, 2, 1), [[u0], [u1]])
    a^{1,1}_{1}*u0*u1
    >>> symtd.network_function(symtd.shallow(2, 2, 1, "max"), [[u0], [u1]])
    a^{1,1}_{1}*Max(0, u0, u1)
    >>> symtd.network_function(symtd.shallow(2, 2, 1, "sum"), [[u0], [u1]])  # f(u0) + g(u1)
    a^{1,1}_{1}*(Max(0, u0) + Max(0, u1))
    """
    shared = [f"x{j}" for j in range(circuit.N) if circuit.uses[f"x{j}"] != 1]
    if shared:
        raise SymtdError(
            f"network_function needs every position to feed exactly one node; "
            f"{shared[0]} feeds {circuit.uses[shared[0]]} (use grid_entry)"
        )
    return forward(circuit, Scalar(circuit, u, given_conv=True))


def grid_entry(circuit: Circuit, d: Sequence[int]) -> Any:
    """Compute one grid entry G[d] = h_y(x^(d_1), ..., x^(d_N)) without the whole grid.

    Cost: linear in the circuit's size times the entry's number of terms.

    Parameters
    ----------
    circuit : Circuit
        Any circuit, concrete or symbolic.
    d : sequence of int
        N template indices, 0-based.

    Returns
    -------
    object
        A Fraction for concrete circuits; for symbolic product circuits a
        :class:`~symtd.algebra.polynomial.Polynomial` (FLINT, its sympy expression on
        demand); a sympy Max expression for ReLU operators.

    Raises
    ------
    SymtdError
        When ``d`` is not N indices in 0..M-1.

    Examples
    --------
    >>> import symtd
    >>> entry = symtd.grid_entry(symtd.deep(4, 2, 1), (0, 1, 0, 1))
    >>> entry.nterms
    1
    >>> entry.to_sympy()
    a^{0,1,1}_{1}*a^{0,2,1}_{2}*a^{0,3,1}_{1}*a^{0,4,1}_{2}*a^{1,1,1}_{1}*a^{1,2,1}_{1}*a^{2,1}_{1}
    >>> symtd.grid_entry(symtd.shallow(3, 2, 1, "max"), (0, 0, 1))
    a^{1,1}_{1}*Max(0, a^{0,1,1}_{1}, a^{0,2,1}_{1}, a^{0,3,1}_{2})
    """
    d = tuple(int(x) for x in d)
    if len(d) != circuit.N or not all(0 <= x < circuit.M for x in d):
        raise SymtdError(
            f"entry index must be {circuit.N} template indices in 0..{circuit.M - 1}, "
            f"got {escape(d)}"
        )
    if circuit.operator is PRODUCT and not circuit.is_concrete:
        ring = circuit_ring(circuit)
        F = ring.array(circuit.F)
        block = {}

        def fetch(name):
            if name not in block:
                block[name] = ring_block(ring, circuit, name)
            return block[name]

        value = forward(circuit, Scalar(circuit, [F[i] for i in d], block=fetch))
        return Polynomial(value, ring)
    return forward(circuit, Scalar(circuit, [circuit.F[i] for i in d]))


def grid_numerators_mod(
    circuit: Circuit, prime: int, rows: PartitionSpec | None = None
) -> np.ndarray:
    """X mod p (int64 array), X the unreduced integer numerators of G = X / D (product networks).

    X is the numerator the exact forward pass builds before reducing to lowest terms, so
    X = c·G for a rational c != 0 and every step here is a ring operation mod p: ranks of
    its matricizations are sound lower bounds for the ranks over Q (p | c only lowers
    them). Needs a prime below 2^28. With ``rows`` (a partition's I) the result is the
    matricization [X]_{I,J} itself, computed with the axes in that order (no copy), and the
    root's channels are summed into the output one at a time (no array of width × M^N);
    ``rows`` is resolved like every partition (positions or a name such as "odd-even").
    """
    if circuit.operator is not PRODUCT or not circuit.is_concrete:
        raise SymtdError("grid_numerators_mod needs a concrete product network")
    check_prime(prime)
    if prime >= 2**28:
        raise SymtdError("grid_numerators_mod needs a prime below 2^28 (products must fit int64)")
    check_memory(circuit, "modular")
    if rows is None:
        return forward(circuit, Modular(circuit, prime))
    rows = partition(rows, circuit)
    order = rows + tuple(k for k in range(circuit.N) if k not in rows)
    X = forward(circuit, Modular(circuit, prime, order))
    return X.reshape(circuit.M ** len(rows), -1)


@overload
def grid_batch(
    circuit: Circuit, indices: Sequence[ArrayLike], prime: None = None
) -> RationalTensor: ...
@overload
def grid_batch(circuit: Circuit, indices: Sequence[ArrayLike], prime: int) -> np.ndarray: ...
def grid_batch(
    circuit: Circuit, indices: Sequence[ArrayLike], prime: int | None = None
) -> RationalTensor | np.ndarray:
    """Grid entries G[d] at a batch of template tuples d, by one batched forward pass.

    ``indices[j]``: the template indices of position j over the batch (integer arrays that
    broadcast to a common shape B, e.g. (k, 1) for row positions and (1, k) for column
    positions). No grid axis is made, so any N works and the cost is linear in the batch.
    Returns the exact entries (a RationalTensor of shape B; every operator), or with
    ``prime`` (concrete product circuits, prime < 2^28) the int64 residues of X = c·G mod
    p, c the product of the weights' and F's denominators (the numerators of
    :func:`grid_numerators_mod`: each step is a ring operation mod p).

    >>> import symtd
    >>> from symtd.tensors.grid import grid_batch, submatrix_indices
    >>> net = symtd.deep(4, 2, 2).at_random_point(seed=0, bound=9)
    >>> idx = submatrix_indices(4, (0, 2), [(0, 1), (1, 1)], [(1, 0)])  # (d0, d2), (d1, d3)
    >>> G = symtd.grid_tensor(net)
    >>> grid_batch(net, idx) == symtd.RationalTensor.from_rationals(
    ...     [[G[0, 1, 1, 0]], [G[1, 1, 1, 0]]])
    True
    """
    if len(indices) != circuit.N:
        raise SymtdError(f"grid_batch needs {circuit.N} index arrays, got {len(indices)}")
    if not circuit.is_concrete:
        raise SymtdError("grid_batch needs concrete weights (substitute them first)")
    arrays = [np.asarray(x) for x in indices]
    for x in arrays:
        if x.dtype.kind not in "iu" or (x.size and not (0 <= x.min() and x.max() < circuit.M)):
            raise SymtdError(f"template indices must be integers in 0..{circuit.M - 1}")
    if prime is not None:
        if circuit.operator is not PRODUCT:
            raise SymtdError("grid_batch modulo a prime needs a product circuit")
        check_prime(prime)
        if prime >= 2**28:
            raise SymtdError("grid_batch needs a prime below 2^28 (products must fit int64)")
        return forward(circuit, Modular(circuit, prime, indices=arrays))
    if circuit.operator in BUILTIN.values():
        X, D = forward(circuit, ScaledIntegers(circuit, indices=arrays))
        return RationalTensor(X, D)
    return _from_kind(forward(circuit, Elementwise(circuit, "exact", indices=arrays)), "exact")


def submatrix_indices(
    N: int, I: Sequence[int], row_tuples: ArrayLike, col_tuples: ArrayLike
) -> list[np.ndarray]:
    """The ``indices`` of :func:`grid_batch` for the submatrix of [G]_{I,J} at the given row
    tuples (templates of I's positions, I ascending) and column tuples (J's): position I[i]
    gets row_tuples[:, i] as a column (k_r, 1), position J[j] col_tuples[:, j] as a row."""
    I = tuple(I)
    J = tuple(k for k in range(N) if k not in set(I))
    rows = np.asarray(row_tuples, dtype=np.int64)
    cols = np.asarray(col_tuples, dtype=np.int64)
    rows = rows.reshape(rows.shape[0] if rows.ndim else 0, len(I))  # (k_r, |I|), |I| may be 0
    cols = cols.reshape(cols.shape[0] if cols.ndim else 0, len(J))
    indices: list[np.ndarray] = [np.zeros((1, 1), np.int64)] * N
    for i, position in enumerate(I):
        indices[position] = rows[:, i : i + 1]
    for j, position in enumerate(J):
        indices[position] = cols[:, j][None, :]
    return indices


def _arithmetic(circuit: Circuit, arithmetic: str | None) -> str:
    if arithmetic is None:
        return "exact" if circuit.is_concrete else "symbolic"
    if arithmetic not in ARITHMETICS:
        raise SymtdError(
            f"unknown arithmetic {arithmetic!r}; expected one of {', '.join(ARITHMETICS)}"
        )
    if arithmetic != "symbolic" and not circuit.is_concrete:
        names = ", ".join(sorted(map(str, circuit.free_symbols))[:3])
        raise SymtdError(
            f"{arithmetic} arithmetic needs concrete weights, but the circuit has symbols "
            f"({names}, ...); substitute them (Circuit.subs) or use arithmetic='symbolic'"
        )
    return arithmetic


def _from_kind(array, arithmetic):
    array = np.asarray(array)
    if arithmetic == "float":
        return np.ascontiguousarray(array, dtype=float)
    if arithmetic == "exact":
        return RationalTensor.from_rationals(array)
    import sympy

    flat = [
        x.as_expr() if hasattr(x, "as_expr") and not isinstance(x, sympy.Basic) else x
        for x in array.flat
    ]
    return sympy.ImmutableDenseNDimArray(flat, array.shape)
