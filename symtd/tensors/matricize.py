"""Matricization [T]_{I,J} (:doc:`/theory`).

Rows enumerate the modes in I, columns those in J = [N] \\ I, each in increasing mode
order and row-major (the last listed mode varies fastest). Positions are 0-based.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symtd.circuits.partitions import PartitionSpec, partition


def matricize(T: Any, I: PartitionSpec) -> Any:
    """Matricize T with rows I: [T]_{I,J}[(d_i)_{i in I}, (d_j)_{j in J}] = T[d_0, ..., d_{N-1}].

    Rows enumerate the modes in I, columns the other modes J, each row-major in increasing
    mode order.

    Parameters
    ----------
    T : RationalTensor or PolynomialTensor or numpy.ndarray or sympy.Array
        A tensor of order N.
    I : str or iterable of int
        Row positions or a partition name resolved with N = the order of T (see
        :func:`~symtd.circuits.partitions.partition`; "root" needs a circuit and is refused).

    Returns
    -------
    RationalTensor or PolynomialTensor or numpy.ndarray or sympy.Matrix
        The matrix, of T's kind (a sympy Matrix for sympy input).

    Raises
    ------
    SymtdError
        When ``I`` is not a valid partition of the N positions.

    Examples
    --------
    >>> import numpy as np, symtd
    >>> T = np.arange(8).reshape(2, 2, 2)  # T[d0, d1, d2] = 4 d0 + 2 d1 + d2
    >>> symtd.matricize(T, [1])  # rows: d1; columns: (d0, d2), row-major
    array([[0, 1, 4, 5],
           [2, 3, 6, 7]])
    >>> symtd.matricize(T, "odd-even").shape  # rows: (d0, d2)
    (4, 2)
    """
    sympy_input = type(T).__module__.startswith("sympy")
    array = np.array(T.tolist(), dtype=object).reshape(T.shape) if sympy_input else T
    rows = partition(I, len(array.shape))
    cols = tuple(k for k in range(len(array.shape)) if k not in rows)
    n_rows = int(np.prod([array.shape[k] for k in rows], dtype=object))
    n_cols = int(np.prod([array.shape[k] for k in cols], dtype=object))
    matrix = array.transpose(rows + cols).reshape(n_rows, n_cols)
    if sympy_input:
        import sympy

        return (
            sympy.ImmutableMatrix(matrix.tolist())
            if n_rows and n_cols
            else sympy.zeros(n_rows, n_cols)
        )
    return matrix
