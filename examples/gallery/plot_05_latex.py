"""
LaTeX derivations, rendered
===========================

:mod:`symtd.render.latex` writes what symtd computes in the papers' notation. For a deep max
network with :math:`N = 4`, :func:`symtd.render.latex.decomposition_latex` gives the generalized
hierarchical Tucker recursion with :math:`\\otimes_g` named by the operator,

.. math::

   (\\mathcal{A} \\otimes_g \\mathcal{B})[d_1, \\dots, d_{P+Q}]
   = g\\big(\\mathcal{A}[d_1, \\dots, d_P],\\ \\mathcal{B}[d_{P+1}, \\dots, d_{P+Q}]\\big),
   \\qquad g(a, b) = \\max\\{a, b, 0\\},

:func:`symtd.render.latex.entry_latex` one grid entry as a polynomial in the weights, and
:func:`symtd.render.latex.rank_latex` a rank statement. The LaTeX strings below are produced when
this page is built, and typeset by MathJax (the derivation) and by matplotlib's mathtext
(the entry and the rank, in the last figure).
"""

# sphinx_gallery_thumbnail_number = 1
import textwrap

import matplotlib.pyplot as plt

import symtd
from symtd.render.draw import circuit_figure


class Math:
    """A LaTeX string shown as typeset display math on this page (MathJax)."""

    def __init__(self, latex):
        self.latex = latex

    def _repr_html_(self):
        # inside display math an align* environment becomes the equivalent aligned block
        body = self.latex.replace("{align*}", "{aligned}")
        return f'<div class="math notranslate nohighlight">\\[{body}\\]</div>'

    def __repr__(self):
        return self.latex


def print_source(latex, width=76):
    """Print LaTeX source with its long lines broken at spaces (LaTeX reads a line break as a
    space), never inside a control space ``\\ ``, so the lines fit the output box."""
    for line in latex.replace("\\ ", "\\\0").splitlines():
        wrapped = textwrap.fill(line, width, subsequent_indent="    ", break_long_words=False)
        print(wrapped.replace("\0", " "))


# %%
# The network: a deep max circuit with N = 4
# -------------------------------------------
# Two pooling nodes of width 2 over the pairs {0, 1} and {2, 3}, then the root; the
# derivation below writes one line per layer of this tree.
net = symtd.deep(4, 2, 2, "max")
fig = circuit_figure(net)

# %%
# The derivation, as LaTeX source (long lines broken at spaces, which LaTeX reads as spaces)
derivation = symtd.decomposition_latex(net)
print_source(derivation)

# %%
# Rendered by MathJax
Math(derivation)

# %%
# A non-contiguous tree: one line per node
# ----------------------------------------
# Each tensor is indexed by the positions under its node, in increasing order.
Math(symtd.decomposition_latex(symtd.mirror(4, 2, 2, "sum")))

# %%
# A grid entry and a rank, rendered by mathtext
# ---------------------------------------------
# ``G[0, 1, 0, 1]`` of a deep ConvAC with widths 1 is one monomial in its seven weights;
# the odd-even rank of a deep ConvAC with widths 2 at a random rational point is 4
# (positions are 1-based in rank statements, as in the papers).
entry = symtd.entry_latex(symtd.deep(4, 2, 1), (0, 1, 0, 1))
convac = symtd.deep(4, 2, 2).at_random_point(seed=0)
rows = symtd.partition("odd-even", convac)
rank = symtd.rank(symtd.matricize(symtd.grid_tensor(convac), rows))
statement = symtd.rank_latex(rows, 4, rank)
print_source(entry)
print_source(statement)

fig = plt.figure(figsize=(7.5, 1.6))
entry_text = fig.text(0.02, 0.68, rf"$\mathcal{{G}}[0,1,0,1] = {entry}$", fontsize=12)
rank_text = fig.text(0.02, 0.22, f"${statement}$", fontsize=12)
