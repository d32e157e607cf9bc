"""LaTeX of derived expressions in the paper's notation (sympy's printer for expressions).

* :func:`decomposition_latex` — the circuit's generalized CP / HT / tree recursion with
  ⊗_g named by its operator and the circuit's actual widths;
* :func:`entry_latex` — one grid-tensor entry G[d] (a polynomial or Max expression for
  symbolic weights, a rational for concrete ones);
* :func:`matrix_latex` — a small matricization as a ``bmatrix``;
* :func:`rank_latex` — a rank statement rank [A]_{I,J} = k (positions 1-based, as in the paper).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .errors import SymtdError
from .grid import network_function
from .rational import RationalTensor, as_fraction

G_DEFINITIONS = {
    "product": r"g(a,b) = a\,b",
    "max": r"g(a,b) = \max\{a, b, 0\}",
    "sum": r"g(a,b) = \max\{a,0\} + \max\{b,0\}",
    "avg": r"\rho(c_1,\dots,c_k) = \tfrac{1}{k}\textstyle\sum_i \max\{c_i,0\}",
}
MAX_MATRIX = 32


def _otimes(circuit):
    op = circuit.operator
    return op.latex_name or rf"\otimes_{{\mathrm{{{op.name}}}}}"


def _children(terms, otimes):
    return f" {otimes} ".join(terms)


def decomposition_latex(circuit):
    """An ``align*`` environment: the decomposition of the circuit's grid tensor (SPEC §4).

    Leaf vectors v^{j,α} = F a^{0,j,α}; a shallow circuit gives the generalized CP form,
    a deep one the hierarchical Tucker recursion (one generic line per level), any other
    tree one line per node. The last line defines g for the circuit's operator.
    """
    ox, L, w = _otimes(circuit), circuit.L, circuit.widths
    lines = []
    if L == 1:
        leaves = _children([rf"\mathbf{{v}}^{{{j + 1},z}}" for j in range(circuit.N)], ox)
        lines.append(rf"\mathcal{{A}}^y &= \sum_{{z=1}}^{{{w[0]}}} a^{{1,1}}_{{z}}\; {leaves}")
    else:
        contiguous = all(list(win) == [2 * t, 2 * t + 1] for level in circuit.levels for t, win in enumerate(level))
        for l, level in enumerate(circuit.levels, start=1):
            previous = (lambda k, a: rf"\mathbf{{v}}^{{{k},{a}}}") if l == 1 else \
                (lambda k, a, l=l: rf"\boldsymbol{{\phi}}^{{{l - 1},{k},{a}}}")
            head = (r"\mathcal{A}^y" if l == L else None)
            if contiguous and l < L:
                body = _children([previous("2t-1", r"\alpha"), previous("2t", r"\alpha")], ox)
                lines.append(rf"\boldsymbol{{\phi}}^{{{l},t,\gamma}} &= \sum_{{\alpha=1}}^{{{w[l - 1]}}} "
                             rf"a^{{{l},t,\gamma}}_{{\alpha}}\; {body}, && t \in [{len(level)}],\ \gamma \in [{w[l]}]")
                continue
            for t, window in enumerate(level):
                body = _children([previous(k + 1, r"\alpha") for k in window], ox)
                if head:
                    lines.append(rf"{head} &= \sum_{{\alpha=1}}^{{{w[l - 1]}}} a^{{{L},1}}_{{\alpha}}\; {body}")
                else:
                    lines.append(rf"\boldsymbol{{\phi}}^{{{l},{t + 1},\gamma}} &= \sum_{{\alpha=1}}^{{{w[l - 1]}}} "
                                 rf"a^{{{l},{t + 1},\gamma}}_{{\alpha}}\; {body}, && \gamma \in [{w[l]}]")
    name = circuit.operator.name
    definition = G_DEFINITIONS.get(name, rf"g = \mathrm{{{name}}}")
    lines.append(rf"&\text{{where }} \mathbf{{v}}^{{j,\alpha}} = F\,\mathbf{{a}}^{{0,j,\alpha}},\quad "
                 rf"{ox} \text{{ built from }} {definition}")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def entry_latex(circuit, d):
    """LaTeX of the grid-tensor entry G[d] = h_y(x^(d_1), ..., x^(d_N)) (d 0-based)."""
    import sympy

    d = _index(d, circuit)
    u = [np.dot(circuit.weights(f"conv0[{j}]"), circuit.F[d[j]]) for j in range(circuit.N)]
    value = network_function(circuit, u)
    if isinstance(value, Fraction):
        return _rational(value)
    return sympy.latex(sympy.expand(value) if circuit.operator.name == "product" else value)


def matrix_latex(A):
    """A rational matrix (RationalTensor or nested numbers) as a bmatrix; at most 32 × 32."""
    A = A.to_fractions() if isinstance(A, RationalTensor) else np.asarray(A, dtype=object)
    if A.ndim != 2:
        raise SymtdError(f"a matrix is needed, got shape {A.shape}")
    if max(A.shape) > MAX_MATRIX:
        raise SymtdError(f"a {A.shape[0]} × {A.shape[1]} matrix is too large to typeset (at most "
                         f"{MAX_MATRIX} × {MAX_MATRIX}); use symtd rank for its rank")
    rows = [" & ".join(_rational(as_fraction(x)) for x in row) for row in A]
    return "\\begin{bmatrix}\n" + " \\\\\n".join(rows) + "\n\\end{bmatrix}"


def rank_latex(I, N, rank, tensor=r"\mathcal{A}^y"):
    """rank [A]_{I,J} = k with I, J written out (1-based positions, as in the paper)."""
    J = [k for k in range(N) if k not in I]

    def positions(S):
        return r"\{" + ",".join(str(k + 1) for k in S) + r"\}" if S else r"\emptyset"
    return (rf"\operatorname{{rank}}\,[{tensor}]_{{I,J}} = {rank}, \qquad I = {positions(sorted(I))},\ "
            rf"J = {positions(J)}")


def _rational(x):
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    sign = "-" if x < 0 else ""
    return rf"{sign}\frac{{{abs(x.numerator)}}}{{{x.denominator}}}"


def _index(d, circuit):
    d = tuple(int(x) for x in d)
    if len(d) != circuit.N or not all(0 <= x < circuit.M for x in d):
        raise SymtdError(f"entry index must be {circuit.N} template indices in 0..{circuit.M - 1}, got {d}")
    return d
