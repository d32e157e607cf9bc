"""T1, ConvAC universality: every tensor T of order N and size M is the grid tensor of a
shallow product network with Z <= M^N channels (and of a deep one emulating it).

The construction (one channel per non-zero entry, leaf vectors e_{d_i}) lives in
:mod:`symtd.theorems.universality`, shared with T2.
"""

from __future__ import annotations

from symtd.theorems.common import Theorem
from symtd.theorems.universality import OPTIONS, universality_run

STATEMENT = (
    "ConvAC universality: every tensor is a shallow (and deep) product network's grid, Z <= M^N"
)
METHOD = (
    "The universality construction (one channel per non-zero entry, leaf vectors $e_{d_i}$, "
    "$a = F^{-1}v$) is built and its grid tensor compared with the target in exact rationals; "
    "the deep network passes channel $z$ to channel $z$."
)
THEOREM = Theorem("T1", STATEMENT, METHOD, OPTIONS, universality_run("product"))
