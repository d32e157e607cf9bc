"""The registry of theorems T1–T7: name → :class:`~symtd.theorems.common.Theorem`, one module
each. ``symtd prove``, its verdict table and the LaTeX report read everything they say about a
theorem (statement, method, options, runs) from here.
"""

from __future__ import annotations

from symtd.errors import SymtdError, escape
from symtd.theorems import (
    t1_convac_universality,
    t2_relu_max_universality,
    t3_relu_sum_not_universal,
    t4_convac_depth_efficiency,
    t5_relu_max_depth_efficiency,
    t6_relu_max_incomplete,
    t7_covering_templates,
)
from symtd.theorems.common import Theorem

REGISTRY: dict[str, Theorem] = {
    module.THEOREM.name: module.THEOREM
    for module in (
        t1_convac_universality,
        t2_relu_max_universality,
        t3_relu_sum_not_universal,
        t4_convac_depth_efficiency,
        t5_relu_max_depth_efficiency,
        t6_relu_max_incomplete,
        t7_covering_templates,
    )
}
THEOREMS = tuple(REGISTRY)  # ("T1", ..., "T7"), in order


def lookup(name: str) -> Theorem:
    """The registered theorem called ``name``; SymtdError naming the known ones otherwise."""
    if not isinstance(name, str) or name not in REGISTRY:
        raise SymtdError(
            f"unknown theorem {escape(name)}; expected one of {', '.join(THEOREMS)} or all"
        )
    return REGISTRY[name]
