"""LaTeX of derived expressions in the paper's notation (sympy's printer for expressions).

Importing this module registers sympy's ``_latex`` hook on :class:`~symtd.circuits.circuit.Circuit`
(its decomposition) and :class:`~symtd.algebra.rational.RationalTensor` (a bracketed matrix), so
``sympy.latex(x)`` works on both while the lower layers never import the printer.

* :func:`decomposition_latex` — the circuit's generalized CP / HT / tree recursion with
  ⊗_g named by its operator and the circuit's actual widths;
* :func:`entry_latex` — one grid-tensor entry G[d] (a polynomial or Max expression for
  symbolic weights, a rational for concrete ones);
* :func:`matrix_latex` — a small matricization as a bracketed ``array`` (any column count);
* :func:`rank_latex` — a rank statement rank [A]_{I,J} = k (positions 1-based, as in the paper).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike

from symtd.algebra.polynomial import Polynomial
from symtd.algebra.rational import RationalTensor, as_fraction, int_to_str, short_int
from symtd.circuits.circuit import Circuit
from symtd.errors import SymtdError
from symtd.tensors.evaluate import terms_bound
from symtd.tensors.grid import grid_entry

G_DEFINITIONS = {
    "product": r"g(a,b) = a\,b",
    "max": r"g(a,b) = \max\{a, b, 0\}",
    "sum": r"g(a,b) = \max\{a,0\} + \max\{b,0\}",
    "avg": r"g(a,b) = \max\{a,0\} + \max\{b,0\}\text{ and the window factor }\tfrac{1}{k}",
}
MAX_MATRIX, MAX_SYMBOLIC_N, MAX_POLYNOMIAL_TERMS = 32, 8, 10**6
MAX_SHOWN_TERMS = 200  # beyond this many terms an entry is shown abridged
GAMMA, ALPHA = r"\gamma", r"\alpha"


def _otimes(circuit: Circuit) -> str:
    """⊗_g of the operator (avg pools with ⊗_sum and the window factor 1/k)."""
    op = circuit.operator
    if op.name == "avg":
        return r"\otimes_{\mathrm{sum}}"
    return op.latex_name or rf"\otimes_{{\mathrm{{{_escape(op.name)}}}}}"


def _escape(name: str) -> str:
    return "".join(
        "\\" + ch if ch in "#$%&_{}" else ch for ch in name if ch.isprintable() and ch not in "\\^~"
    )


def _pooled(terms: list[str], circuit: Circuit) -> str:
    """φ_1 ⊗_g ... ⊗_g φ_k, written with \\cdots beyond four factors; avg adds 1/k."""
    ox = _otimes(circuit)
    body = (
        f" {ox} ".join(terms)
        if len(terms) <= 4
        else f" {ox} ".join(terms[:2] + [r"\cdots"] + terms[-1:])
    )
    return rf"\tfrac{{1}}{{{len(terms)}}}\left({body}\right)" if circuit.operator.mean else body


def decomposition_latex(circuit: Circuit) -> str:
    r"""Write the decomposition of the circuit's grid tensor T^y as an ``align*`` environment.

    Leaf vectors v^{j,α} = F a^{0,j,α}; a shallow circuit gives the generalized CP form,
    a deep one the hierarchical Tucker recursion (one generic line per level), any other
    tree one line per node (its tensor indexed by its positions in increasing order).
    Shared layers drop the node index of the weights; avg shows its window factor 1/k.
    The last line defines g for the circuit's operator.

    Parameters
    ----------
    circuit : Circuit
        Any circuit; one that is not a uniform-depth tree gets its equations, one per node.

    Returns
    -------
    str
        LaTeX source of the ``align*`` environment.

    Examples
    --------
    >>> import symtd
    >>> lines = symtd.decomposition_latex(symtd.shallow(2, 2, 3)).splitlines()
    >>> print(lines[1])  # generalized CP with Z = 3 terms
    \mathcal{T}^y &= \sum_{z=1}^{3} a^{1,y}_{z}\; \mathbf{v}^{1,z} \otimes \mathbf{v}^{2,z} \\
    >>> r"\otimes_{\max}" in symtd.decomposition_latex(symtd.deep(4, 2, 2, "max"))
    True
    """
    if circuit.layout is None:
        return circuit_latex(circuit)
    L, w = circuit.L, circuit.widths

    def weight(l: int, node: int | str, channel: int | str, index: int | str) -> str:
        return (
            rf"a^{{{l},{channel}}}_{{{index}}}"
            if circuit.shared and l < L
            else rf"a^{{{l},{node},{channel}}}_{{{index}}}"
            if l < L
            else rf"a^{{{l},y}}_{{{index}}}"
        )

    lines = []
    if L == 1:
        leaves = _pooled([rf"\mathbf{{v}}^{{{j + 1},z}}" for j in range(circuit.N)], circuit)
        lines.append(
            rf"\mathcal{{T}}^y &= \sum_{{z=1}}^{{{w[0]}}} {weight(1, 1, 1, 'z')}\; {leaves}"
        )
    else:
        contiguous = all(
            list(win) == [2 * t, 2 * t + 1]
            for level in circuit.levels
            for t, win in enumerate(level)
        )
        for l, level in enumerate(circuit.levels, start=1):

            def previous(k: int | str, a: str, l: int = l) -> str:
                return (
                    rf"\mathbf{{v}}^{{{k},{a}}}"
                    if l == 1
                    else rf"\boldsymbol{{\phi}}^{{{l - 1},{k},{a}}}"
                )

            if contiguous and l < L:
                body = _pooled([previous("2t-1", r"\alpha"), previous("2t", r"\alpha")], circuit)
                lines.append(
                    rf"\boldsymbol{{\phi}}^{{{l},t,\gamma}} &= \sum_{{\alpha=1}}^{{{w[l - 1]}}} "
                    rf"{weight(l, 't', GAMMA, ALPHA)}\; {body}, && t \in [{len(level)}],\ "
                    rf"\gamma \in [{w[l]}]"
                )
                continue
            for t, window in enumerate(level):
                body = _pooled([previous(k + 1, r"\alpha") for k in window], circuit)
                if l == L:
                    lines.append(
                        rf"\mathcal{{T}}^y &= \sum_{{\alpha=1}}^{{{w[l - 1]}}} "
                        rf"{weight(L, 1, 1, ALPHA)}\; {body}"
                    )
                else:
                    lines.append(
                        rf"\boldsymbol{{\phi}}^{{{l},{t + 1},\gamma}} &= "
                        rf"\sum_{{\alpha=1}}^{{{w[l - 1]}}} "
                        rf"{weight(l, t + 1, GAMMA, ALPHA)}\; {body}, && \gamma \in [{w[l]}]"
                    )
        if not contiguous:
            lines.append(
                r"&\text{(each tensor is indexed by the positions under its node, in increasing "
                r"order)}"
            )
    name = circuit.operator.name
    definition = G_DEFINITIONS.get(name, rf"g = \mathrm{{{_escape(name)}}}")
    lines.append(
        rf"&\text{{where }} \mathbf{{v}}^{{j,\alpha}} = F\,\mathbf{{a}}^{{0,j,\alpha}},\quad "
        rf"{_otimes(circuit)} \text{{ built from }} {definition}"
    )
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def circuit_latex(circuit: Circuit) -> str:
    """An ``align*`` environment: the equations of a general circuit (format v2), one per node.

    A tree circuit is written as its generalized tree decomposition, φ^{k,γ} = ⊗_g over
    the members of (B_i φ^{m_i})_γ, with leaf vectors v^{j,γ}_B = F B_{γ,:} for a position j
    entering through block B; a circuit with overlap or reuse is written as its forward
    pass h^{k}_γ = ρ(...), which defines its grid tensor. At most 40 node lines.
    """
    tree = circuit.is_tree
    ox = _otimes(circuit)
    value = (
        (lambda k: rf"\boldsymbol{{\phi}}^{{{k}}}")
        if tree
        else (lambda k: rf"\mathbf{{h}}^{{{k}}}")
    )

    def member(m: str, block: str) -> str:
        if m[0] == "x":
            return rf"\mathbf{{v}}^{{{int(m[1:]) + 1},\gamma}}_{{{_block(block)}}}"
        return rf"\left({_block(block)}\,{value(int(m[1:]))}\right)_{{\gamma}}"

    lines = []
    for k, node in enumerate(circuit.nodes[:40]):
        terms = [member(m, b) for m, b in node.pool]
        if tree:
            body = (
                _pooled(terms, circuit) if len(terms) > 1 else rf"\sigma\!\left({terms[0]}\right)"
            )
        else:
            shown = terms if len(terms) <= 4 else terms[:2] + [r"\dots"] + terms[-1:]
            body = rf"\rho\!\left({', '.join(shown)}\right)"
        lines.append(rf"{value(k)}_{{\gamma}} &= {body}, && \gamma \in [{node.width}]")
    if len(circuit.nodes) > 40:
        lines.append(rf"&\vdots && \text{{({len(circuit.nodes) - 40} more nodes)}}")
    root = len(circuit.nodes) - 1
    lines.append(
        rf"\mathcal{{T}}^y &= \sum_{{\alpha=1}}^{{{circuit.nodes[-1].width}}} "
        rf"{_block(circuit.output)}_{{\alpha}}\, {value(root)}_{{\alpha}}"
    )
    kind = (
        r"\text{a tree: the generalized tree decomposition (tensors indexed by their positions "
        r"in increasing order)}"
        if tree
        else r"\text{overlap or reuse: the forward pass defines the grid tensor}"
    )
    definition = G_DEFINITIONS.get(
        circuit.operator.name, rf"g = \mathrm{{{_escape(circuit.operator.name)}}}"
    )
    lines.append(
        rf"&\text{{where }} \mathbf{{v}}^{{j,\gamma}}_{{B}} = F\,B_{{\gamma,:}}^{{\top}},\quad "
        rf"{ox} \text{{ built from }} {definition};\ {kind}"
    )
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def _block(name: str) -> str:
    return rf"\mathsf{{{_escape(name)}}}"


def entry_latex(circuit: Circuit, d: Sequence[int], max_terms: int = MAX_SHOWN_TERMS) -> str:
    r"""Write the grid-tensor entry G[d] = h_y(x^(d_1), ..., x^(d_N)) in LaTeX.

    Symbolic product entries are printed straight from their FLINT polynomial: beyond
    ``max_terms`` terms, the first ones, ``\cdots`` and the number of terms.

    Parameters
    ----------
    circuit : Circuit
        Any circuit, concrete or symbolic.
    d : sequence of int
        N template indices, 0-based.
    max_terms : int, default 200
        The most terms of a polynomial written out.

    Returns
    -------
    str
        LaTeX source of the entry (a rational, a polynomial or a max expression).

    Raises
    ------
    SymtdError
        When ``d`` is not N indices in 0..M-1, or a symbolic entry is too long to typeset:
        ReLU operators beyond N = 8 (Max expressions grow exponentially), product entries
        beyond 10^6 terms (the bound is computed first).

    Examples
    --------
    >>> import symtd
    >>> print(symtd.entry_latex(symtd.deep(4, 2, 1), (0, 1, 0, 1)))
    a^{0,1,1}_{1} a^{0,2,1}_{2} a^{0,3,1}_{1} a^{0,4,1}_{2} a^{1,1,1}_{1} a^{1,2,1}_{1} a^{2,1}_{1}
    >>> print(symtd.entry_latex(symtd.shallow(3, 2, 1, "max"), (0, 0, 1)))
    a^{1,1}_{1} \max\left(0, a^{0,1,1}_{1}, a^{0,2,1}_{1}, a^{0,3,1}_{2}\right)
    """
    d = _index(d, circuit)
    if not circuit.is_concrete:
        if circuit.operator.name != "product" and circuit.N > MAX_SYMBOLIC_N:
            raise SymtdError(
                f"a symbolic {circuit.operator.name} entry of N = {circuit.N} positions is too "
                f"long to typeset (Max expressions grow exponentially); at most "
                f"N = {MAX_SYMBOLIC_N}, or use concrete weights"
            )
        terms = terms_bound(circuit) if circuit.operator.name == "product" else 0
        if terms > MAX_POLYNOMIAL_TERMS:
            raise SymtdError(
                f"a symbolic entry of this circuit may have {short_int(terms)} terms, more than "
                f"{MAX_POLYNOMIAL_TERMS:,}; use concrete weights"
            )
    value = grid_entry(circuit, d)
    if isinstance(value, Fraction):
        return _rational(value)
    if isinstance(value, Polynomial):
        return value.latex(max_terms)
    import sympy

    return sympy.latex(value)


def matrix_latex(A: RationalTensor | ArrayLike) -> str:
    r"""Write a rational matrix in brackets, in LaTeX.

    Parameters
    ----------
    A : RationalTensor or array_like
        A matrix of exact rationals (a RationalTensor or nested numbers), at most 32 × 32.

    Returns
    -------
    str
        LaTeX source of a bracketed ``array``.

    Raises
    ------
    SymtdError
        When ``A`` is not a matrix or is larger than 32 × 32.

    Examples
    --------
    >>> import symtd
    >>> print(symtd.matrix_latex(symtd.RationalTensor([[1, 2], [3, 4]], 6)))
    \left[\begin{array}{*{2}{c}}
    \frac{1}{6} & \frac{1}{3} \\
    \frac{1}{2} & \frac{2}{3}
    \end{array}\right]
    """
    A = A.to_fractions() if isinstance(A, RationalTensor) else np.asarray(A, dtype=object)
    if A.ndim != 2:
        raise SymtdError(f"a matrix is needed, got shape {A.shape}")
    if max(A.shape) > MAX_MATRIX:
        raise SymtdError(
            f"a {A.shape[0]} × {A.shape[1]} matrix is too large to typeset (at most "
            f"{MAX_MATRIX} × {MAX_MATRIX}); use symtd rank for its rank"
        )
    rows = [" & ".join(_rational(as_fraction(x)) for x in row) for row in A]
    return (
        f"\\left[\\begin{{array}}{{*{{{A.shape[1]}}}{{c}}}}\n"
        + " \\\\\n".join(rows)
        + "\n\\end{array}\\right]"
    )


def rank_latex(I: Collection[int], N: int, rank: int, tensor: str = r"\mathcal{T}^y") -> str:
    r"""Write rank [T]_{I,J} = k with I and J spelled out (1-based positions, as in the paper).

    Parameters
    ----------
    I : collection of int
        The row positions, 0-based.
    N : int
        Number of positions; J is the complement of I in 0..N-1.
    rank : int
        The rank k.
    tensor : str, default r"\mathcal{T}^y"
        LaTeX of the matricized tensor.

    Returns
    -------
    str
        LaTeX source of the statement.

    Examples
    --------
    >>> import symtd
    >>> print(symtd.rank_latex((0, 2), 4, 4))
    \operatorname{rank}\,[\mathcal{T}^y]_{I,J} = 4, \qquad I = \{1,3\},\ J = \{2,4\}
    """
    J = [k for k in range(N) if k not in I]

    def positions(S: Sequence[int]) -> str:
        return r"\{" + ",".join(int_to_str(k + 1) for k in S) + r"\}" if S else r"\emptyset"

    return (
        rf"\operatorname{{rank}}\,[{tensor}]_{{I,J}} = {rank}, \qquad I = {positions(sorted(I))},\ "
        rf"J = {positions(J)}"
    )


def _rational(x: Fraction) -> str:
    if x.denominator == 1:
        return int_to_str(x.numerator)
    sign = "-" if x < 0 else ""
    return rf"{sign}\frac{{{int_to_str(abs(x.numerator))}}}{{{int_to_str(x.denominator)}}}"


def _index(d: Sequence[int], circuit: Circuit) -> tuple[int, ...]:
    d = tuple(int(x) for x in d)
    if len(d) != circuit.N or not all(0 <= x < circuit.M for x in d):
        raise SymtdError(
            f"entry index must be {circuit.N} template indices in 0..{circuit.M - 1}, "
            f"got ({', '.join(short_int(x) for x in d[:16])}{', ...' if len(d) > 16 else ''})"
        )
    return d


def _register() -> None:
    """sympy's printer calls ``obj._latex(printer)``; give the two symtd types theirs."""
    # set from above, so that the lower floors never import the printer
    setattr(Circuit, "_latex", lambda self, printer=None: decomposition_latex(self))
    setattr(RationalTensor, "_latex", lambda self, printer=None: matrix_latex(self))


_register()
