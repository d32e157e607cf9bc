"""
Ranks against N: deep networks and what shallow channels reach
==============================================================

:func:`symtd.render.draw.rank_curves` computes, as the number of positions :math:`N` grows, the
exact ``odd-even`` rank of deep product, max and avg networks (widths 2, :math:`M = 2`,
the best of 5 random weight points), and what shallow networks reach: one rank per channel
for a CP decomposition (product), :math:`(N/2)\\cdot M` per channel for max (the T5
lemma), and 2 in all for sum and avg (T3). :func:`symtd.render.draw.plot_ranks` writes the same
plot to a file; here it is drawn on this page.

The deep ConvAC reaches :math:`2^{N/2}`, the bound of theorem T4, so a shallow ConvAC
needs that many channels.
"""

import matplotlib.pyplot as plt

from symtd.render.draw import rank_curves

Ns = (2, 4, 8, 16)
curves = rank_curves(Ns, M=2, r=2, seed=0)

fig, ax = plt.subplots(figsize=(7, 4.5))
for label, ranks in curves.items():
    ax.plot(Ns, ranks, "-o" if label.startswith("deep") else "--", label=label)
ax.set_xscale("log", base=2)
ax.set_yscale("log", base=2)
ax.set_xticks(Ns, [str(N) for N in Ns])
ax.set_xlabel("N (positions)")
ax.set_ylabel("exact odd-even rank")
ax.set_title("Deep networks at random weights (M = 2, widths 2) vs shallow reach", fontsize=10)
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
fig.tight_layout()

# %%
# The numbers behind the plot
for label, ranks in curves.items():
    print(f"{label:42s} {ranks}")
