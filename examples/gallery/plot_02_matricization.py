"""
A matricization and its exact rank
==================================

:func:`symtd.render.draw.draw_matricization` shows :math:`[\\mathcal{G}]_{I,J}`: one row per
assignment of the templates at the positions in :math:`I`, one column per assignment at
the positions in :math:`J`, both row-major with 0-based positions; the title carries the
exact rank over :math:`\\mathbb{Q}`.

A deep ConvAC with contiguous windows at random integer weights: the interleaved
``odd-even`` partition reaches the full rank 16 of its :math:`16\\times16` matricization,
while ``low-high``, the root's own split, has rank :math:`r = 2`.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import symtd
from symtd.render.draw import draw_matricization

# Integer weights in [-5, 5] keep the numbers small. Such a narrow range can hit
# degenerate points (seed 1 gives low-high rank 1), which is why separation ranks draw their
# points from [-10^6, 10^6].
net = symtd.deep(8, 2, 2, "product").at_random_point(seed=0, bound=5)


def show(circuit, partition):
    """Draw the heatmap to a temporary PNG and show it as a figure of this page."""
    with tempfile.TemporaryDirectory() as folder:
        image = plt.imread(draw_matricization(circuit, partition, Path(folder) / "heat.png"))
    fig, ax = plt.subplots(figsize=(7, 7 * image.shape[0] / image.shape[1]))
    ax.imshow(image)
    ax.set_axis_off()
    fig.tight_layout()


# %%
# The interleaved partition: full rank
show(net, "odd-even")

# %%
# The root split: rank 2, the width of the root's members
show(net, "low-high")

# %%
# The same numbers without pictures
G = symtd.grid_tensor(net)
for name in ("odd-even", "low-high", "I=0,3,4,7"):
    rows = symtd.partition(name, net)
    A = symtd.matricize(G, rows)
    print(f"{name:10s} rows I = {rows}: {A.shape[0]}×{A.shape[1]}, exact rank {symtd.rank(A)}")
