"""T2, ReLU-max universality: every tensor T of order N and size M is the grid tensor of a
shallow max network with Z <= M^N + 1 channels (and of a deep one emulating it).

The construction (terms 1 - δ_{d*} with λ_{d*} = S - T[d*], S = ΣT/(M^N - 1)) lives in
:mod:`symtd.theorems.universality`, shared with T1.
"""

from __future__ import annotations

from symtd.theorems.common import Theorem
from symtd.theorems.universality import OPTIONS, universality_run

STATEMENT = (
    "ReLU-max universality: every tensor is a shallow (and deep) max network's grid, Z <= M^N + 1"
)
METHOD = (
    "The construction with terms $1 - \\delta_{d^*}$ is built and its grid tensor compared "
    "with the target in exact rationals; the deep network emulates the shallow one."
)
THEOREM = Theorem("T2", STATEMENT, METHOD, OPTIONS, universality_run("max"))
