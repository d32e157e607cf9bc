"""
Pooling geometries as circuits
==============================

Every architecture symtd knows is a :class:`~symtd.circuits.circuit.Circuit`: positions ``xJ``
(0-based, as in network files), pooling nodes ``nK`` with their operator and width, and
the output ``y``. :func:`symtd.render.draw.draw_circuit` draws one; under every node a coloured
bar spans the positions it sees. Shared blocks are named once, in the legend, by the colour
of their edges (the edge's slot in its window); other blocks of a DAG, or blocks used twice,
are written on their edges, no two labels overlapping.

Beside each picture, the separation ranks of the architecture under the interleaved
``odd-even`` and the contiguous ``low-high`` partitions: pooling geometry decides which
partitions get high ranks. "certified" means a rank reached at a rational point equals the
proven min-cut upper bound, so it is the generic rank.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import symtd
from symtd.render.draw import draw_circuit


def show(circuit, title):
    """Draw the circuit to a temporary PNG and show it as a figure of this page."""
    with tempfile.TemporaryDirectory() as folder:
        image = plt.imread(draw_circuit(circuit, Path(folder) / "circuit.png"))
    fig, ax = plt.subplots(figsize=(7, 7 * image.shape[0] / image.shape[1]))
    ax.imshow(image)
    ax.set_axis_off()
    ax.set_title(title, fontsize=11)
    fig.tight_layout()


def ranks(circuit):
    """The separation ranks under odd-even and low-high (product circuits), one short line
    each: the rank and how it is known."""
    for name in ("odd-even", "low-high"):
        r = symtd.separation_rank(circuit, name)
        what = "generic rank" if r.polynomial else "maximal rank"
        value = f"= {r.lower}, certified" if r.certified else f"in [{r.lower}, {r.upper}]"
        print(f"{name:9s} {what} {value} ({r.upper_bound} bound)")


# %%
# Shallow: one node pools every position (a generalized CP decomposition)
# -------------------------------------------------------------------------
shallow = symtd.shallow(4, 2, 3)
show(shallow, "shallow(4, 2, Z=3)")
ranks(shallow)

# %%
# Deep: contiguous pairs, then pairs of pairs (hierarchical Tucker)
# -------------------------------------------------------------------
deep = symtd.deep(8, 2, 2)
show(deep, "deep(8, 2, widths 2)")
ranks(deep)

# %%
# Mirror: every level pools item i with item n-1-i
# --------------------------------------------------
mirror = symtd.mirror(8, 2, 2)
show(mirror, "mirror(8, 2, widths 2): root split {0, 3, 4, 7}")
ranks(mirror)

# %%
# A non-contiguous tree given level by level
# --------------------------------------------
# Windows ``{0, 4, 2}`` and ``{1, 3, 5}``, then the root: the node labels list the
# positions under each node.
tree = symtd.tree([[[0, 4, 2], [1, 3, 5]], [[0, 1]]], 2, [2, 2])
show(tree, "tree: windows {0,2,4} and {1,3,5}")
ranks(tree)

# %%
# Dilated: every level pools item i with item i + n/2
# -----------------------------------------------------
dilated = symtd.dilated(8, 2, 2)
show(dilated, "dilated(8, 2, widths 2): root split odd-even")
ranks(dilated)

# %%
# Overlapping convolutions: kernel 3, stride 1, shared weights
# --------------------------------------------------------------
# Positions feed several windows, so the circuit is a DAG. Edges are coloured by their
# offset in the window and the legend names the shared block ``W{layer}_{offset}`` of each
# row; the root's blocks and ``out``, used once, are written on their edges.
overlapping = symtd.overlapping(6, 2, kernel=3, stride=1, widths=2, shared=True)
show(overlapping, "overlapping(6, 2, kernel 3, stride 1, shared)")
ranks(overlapping)

# %%
# Recurrent chain: h_1 = ρ(A x_0, B x_1), h_t = ρ(C h_{t-1}, B x_t)
# -------------------------------------------------------------------
recurrent = symtd.recurrent(6, 2, 2)
show(recurrent, "recurrent(6, 2, r=2): shared blocks A, B, C")
ranks(recurrent)
