"""Theorem instances T1–T7 (:doc:`/theory`), checked exactly, with certificates for symtd.checker.

Each ``check_*`` returns a :class:`Verdict`: "verified" only when every step was exact
(rational arithmetic, exact ranks, symbolic identities); "refuted" with an exact
counterexample; "inconclusive" otherwise, with the reason. Statements for all weights
(T3, T6) are proved symbolically with sympy, never by sampling.

Each check lives in its theorem's module (``symtd.theorems.t1_convac_universality`` …
``t7_covering_templates``); this module gathers them under one name.
"""

from __future__ import annotations

from symtd.theorems.common import Verdict, certificate
from symtd.theorems.t3_relu_sum_not_universal import check_t3, diagonal_target
from symtd.theorems.t4_convac_depth_efficiency import (
    check_t4,
    check_t4_general,
    general_architecture,
)
from symtd.theorems.t5_relu_max_depth_efficiency import check_t5, check_t5_lemma, t5_witness
from symtd.theorems.t6_relu_max_incomplete import check_t6
from symtd.theorems.t7_covering_templates import check_t7
from symtd.theorems.universality import check_universality, universal_network

__all__ = [
    "Verdict",
    "certificate",
    "check_universality",
    "universal_network",
    "check_t3",
    "diagonal_target",
    "check_t4",
    "check_t4_general",
    "general_architecture",
    "check_t5",
    "check_t5_lemma",
    "t5_witness",
    "check_t6",
    "check_t7",
]
