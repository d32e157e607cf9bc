"""
A certificate, re-checked and tampered with
===========================================

:func:`symtd.theorems.t4_convac_depth_efficiency.check_t4` verifies one instance of
theorem T4 (complete depth efficiency of ConvACs): a deep product network with
:math:`N = 4`, :math:`M = 2` and widths 2 whose ``odd-even`` matricization has rank
:math:`\\min(r_0, M)^{N/2} = 4` at an exact rational weight point. Its certificate
(format ``symtd-certificate/1``) carries the network, the claimed grid and the claimed rank;
:func:`symtd.checker.check`, which shares no code with the rest of symtd, recomputes all of
it. Change one number and the check fails.
"""

import copy
import json
import textwrap
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np

from symtd import checker
from symtd.theorems.t4_convac_depth_efficiency import check_t4


def show(value, width=76):
    """A JSON value on lines of at most ``width`` characters; past three lines it is cut,
    and the cut says how long the whole value is."""
    text = json.dumps(value)
    if len(text) > 3 * width:
        text = text[: 3 * width - 40] + f" ... (cut: {len(text)} characters in all)"
    print(textwrap.fill(text, width, subsequent_indent="  "))


verdict = check_t4(N=4, M=2, r=2, seed=0)
print(verdict.verdict, verdict.numbers)
certificate = verdict.certificate

# %%
# What the certificate holds
# --------------------------
# The instance, one network in format ``symtd-network/1`` and three claims.
show(certificate["instance"])
show(certificate["networks"]["deep"]["weights"]["layer1"])
for claim in certificate["claims"]:
    show(claim)

# %%
# The independent checker recomputes every claim
# ----------------------------------------------
# It rebuilds the claims a T4 instance needs (covering templates, the grid, rank 4 under
# odd-even), evaluates the network in Fractions and takes the rank by its own
# fraction-free elimination.
print("check:", checker.check(certificate))

# %%
# The claimed grid, matricized
# ----------------------------
# Rows are the template indices at positions 0 and 2, columns those at 1 and 3
# (row-major): the 4 × 4 matricization whose rank the certificate claims.
entries = [Fraction(x) for x in certificate["claims"][1]["entries"]]
grid = np.array(entries, dtype=object).reshape(2, 2, 2, 2)
matrix = grid.transpose(0, 2, 1, 3).reshape(4, 4)
scale = max(abs(x) for x in entries)
fig, ax = plt.subplots(figsize=(4.5, 4))
image = ax.imshow(np.vectorize(lambda x: float(x / scale))(matrix), cmap="RdBu_r", vmin=-1, vmax=1)
for (i, j), x in np.ndenumerate(matrix):
    ax.text(j, i, f"{float(x):.2g}", ha="center", va="center", fontsize=7)
ax.set_xticks(range(4), ["00", "01", "10", "11"])
ax.set_yticks(range(4), ["00", "01", "10", "11"])
ax.set_xlabel("d1 d3")
ax.set_ylabel("d0 d2")
ax.set_title("odd-even rank 4, certified (entries rounded here)", fontsize=10)
fig.colorbar(image, ax=ax, shrink=0.8)
fig.tight_layout()


# %%
# Tampering
# ---------
# Each copy changes one number. The checker names the first claim that fails.
def rejected(change):
    tampered = copy.deepcopy(certificate)
    change(tampered)
    try:
        checker.check(tampered)
    except checker.CheckFailed as failure:
        return f"rejected: {failure}"
    return "accepted"


def claim_rank_3(c):
    c["claims"][2]["rank"] = 3


def change_a_weight(c):
    c["networks"]["deep"]["weights"]["output"][0] = "-61"


def change_an_entry(c):
    c["claims"][1]["entries"][0] = "0"


for change in (claim_rank_3, change_a_weight, change_an_entry):
    print(f"{change.__name__}:\n    {rejected(change)}")
