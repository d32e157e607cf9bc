"""Ranks of a concrete circuit's matricizations [G]_{I,J}: exact, or a proven lower bound."""

from __future__ import annotations

from typing import Any

from symtd.algebra.modular import nmod_matrix
from symtd.algebra.rank import PRIME, SMALL_PRIME, certified_rank, mod_matrix
from symtd.circuits.circuit import Circuit
from symtd.circuits.partitions import PartitionSpec, partition
from symtd.tensors.grid import grid_numerators_mod, grid_tensor
from symtd.tensors.matricize import matricize


def matricization_rank(circuit: Circuit, I: PartitionSpec, executor: Any = None) -> int:
    """Compute the exact rank over Q of [G]_{I,J} for a concrete circuit.

    For product networks the grid is first computed mod a 28-bit prime in int64 (fast, no
    big integers); X = c·G for a rational c != 0, so rank_p [X]_{I,J} <= rank_Q [G]_{I,J}
    <= min(rows, cols), and a full rank there is the exact rank. Otherwise the exact grid
    tensor and :func:`~symtd.algebra.rank.certified_rank` decide.

    Parameters
    ----------
    circuit : Circuit
        A concrete circuit (exact rational weights).
    I : str or iterable of int
        Row positions or a partition name ("odd-even", "low-high", "root", "I=...").
    executor : object, optional
        Runs the multimodular pieces of :func:`~symtd.algebra.rank.certified_rank`.

    Returns
    -------
    int
        rank_Q [G]_{I,J}.

    Raises
    ------
    SymtdError
        When the circuit has symbols, ``I`` is not a partition, or the grid would not fit in
        memory.

    Examples
    --------
    >>> import symtd
    >>> net = symtd.deep(4, 2, 2).at_random_point(seed=0)  # deep ConvAC, widths r = 2
    >>> symtd.matricization_rank(net, "odd-even")  # r^(N/2) = 4
    4
    >>> symtd.matricization_rank(net, symtd.partition("low-high", net))  # cut at the root: r
    2
    >>> shallow = symtd.shallow(4, 2, 3).at_random_point(seed=0)  # Z = 3 channels: rank <= Z
    >>> symtd.matricization_rank(shallow, (0, 2))
    3
    """
    I = partition(I, circuit)
    if circuit.operator.name == "product" and circuit.is_concrete:
        r, shape = _product_rank_mod(circuit, I)
        if r == min(shape):
            return r
    return certified_rank(matricize(grid_tensor(circuit), I), executor=executor).rank


def lower_rank(circuit: Circuit, I: PartitionSpec) -> int:
    """Compute a proven lower bound on rank [G]_{I,J} of a concrete circuit, in one modular rank.

    The rank mod p of the grid's integer numerators X = c·G (c a non-zero rational): a minor
    that is non-zero mod p is non-zero over Z, so rank_Q >= rank_p. It equals the exact rank
    unless p divides every maximal non-zero minor. Product circuits use the modular forward
    pass (no big integers), others the exact grid.

    Parameters
    ----------
    circuit : Circuit
        A concrete circuit (exact rational weights).
    I : str or iterable of int
        Row positions or a partition name.

    Returns
    -------
    int
        A lower bound on rank_Q [G]_{I,J}.

    Raises
    ------
    SymtdError
        When the circuit has symbols, ``I`` is not a partition, or the grid would not fit in
        memory.

    Examples
    --------
    >>> import symtd
    >>> net = symtd.deep(8, 2, 2).at_random_point(seed=0)
    >>> symtd.lower_rank(net, "odd-even")  # >= 16: the full rank 2^(N/2)
    16
    >>> net = symtd.shallow(4, 2, 3, "max").at_random_point(seed=0)
    >>> symtd.lower_rank(net, (0, 2))  # rank >= 4, the matrix size: full rank
    4
    """
    I = partition(I, circuit)
    if circuit.operator.name == "product":
        return _product_rank_mod(circuit, I)[0]
    X = matricize(grid_tensor(circuit), I).numerator
    return int(mod_matrix(X, PRIME)[1].rank()) if X.size else 0


def _product_rank_mod(circuit: Circuit, I: PartitionSpec) -> tuple[int, tuple[int, int]]:
    """(rank of [X]_{I,J} mod a 28-bit prime p, its shape) for a concrete product circuit.

    X = c·G (c != 0 rational) are the grid numerators, computed mod p straight in
    matricized order and handed to FLINT without a Python list; rank_p X <= rank_Q G.
    """
    Xp = grid_numerators_mod(circuit, SMALL_PRIME, rows=I)
    shape = (int(Xp.shape[0]), int(Xp.shape[1]))
    if not Xp.size:
        return 0, shape
    A = nmod_matrix(Xp, SMALL_PRIME)
    del Xp  # FLINT's elimination copies A: keep one copy only
    return int(A.rank()), shape
