"""T5, ReLU-max depth efficiency exists: a deep max network (widths M+1, 2, ..., 2) whose grid
tensor is Π_j [d_{2j-1} = d_{2j}], with odd-even matricization the identity of size M^(N/2);
by the max-term rank lemma (rank [G]_{I,J} <= Z·min(|I|,|J|)·M for a shallow max network) a
shallow network needs Z >= M^(N/2) / ((N/2)·M) channels to match it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from symtd.algebra.rank import rank
from symtd.circuits.builders import deep, shallow
from symtd.circuits.circuit import Circuit
from symtd.circuits.formats import network_to_dict
from symtd.errors import SymtdError
from symtd.ranks.matricization import matricization_rank
from symtd.tensors.grid import grid_tensor
from symtd.tensors.matricize import matricize
from symtd.theorems.common import Theorem, Verdict, affordable, certificate, levels_count, timed

STATEMENT = (
    "ReLU-max depth efficiency exists: identity witness of size M^(N/2); max-term rank lemma"
)
METHOD = (
    "The witness grid tensor is computed exactly and equals $\\prod_j [d_{2j-1} = d_{2j}]$; its "
    "odd-even matricization is the identity. The lemma's bound is checked with exact ranks on "
    "random networks (an exact check of those instances)."
)
OPTIONS: dict[str, Any] = {"N": 4, "M": 2}
WITNESSES = ((4, 2), (8, 2), (8, 3))  # (N, M) of the default witnesses
T5_LEMMA = ((6, 3, 2, 20), (8, 2, 1, 15), (4, 3, 1, 15))  # (N, M, Z, networks): 50 in all


def t5_witness(N: int, M: int) -> Circuit:
    """The T5 witness: deep max network, widths (M+1, 2, ..., 2), grid
    Π_j [d_{2j-1} = d_{2j}].

    Layer 0: channels 1 - [d = m] (m in [M]) and all-ones. Level 1 conv: channel 1 =
    Σ_m (1 - [d=m][d'=m]) - (M - 1) = 1 - [d = d'], channel 2 = 1. Every further max
    pooling of (1 - e, 1 - e') gives 1 - e·e' (identity conv); output: 1 - (1 - Π).
    """
    L = levels_count(N)
    if N < 4:
        raise SymtdError(f"the T5 witness needs N = 2^L >= 4, got N = {N}")
    blocks = {
        "layer0": [
            [[0 if d == m else 1 for d in range(M)] for m in range(M)] + [[1] * M] for _ in range(N)
        ],
        "layer1": [[[1] * M + [-(M - 1)], [0] * M + [1]] for _ in range(N // 2)],
        "output": [-1, 1],
    }
    for level in range(2, L):
        blocks[f"layer{level}"] = [[[1, 0], [0, 1]] for _ in range(N >> level)]
    return deep(N, M, [M + 1] + [2] * (L - 1), "max", weights=blocks)


@timed
def check_t5(N: int, M: int) -> Verdict:
    """T5: the witness's odd-even matricization is the identity of size M^(N/2)."""
    net = t5_witness(N, M)
    A = matricize(grid_tensor(net), tuple(range(0, N, 2)))
    identity = A.denominator == 1 and np.array_equal(
        A.numerator, np.eye(M ** (N // 2), dtype=np.int64)
    )
    got = rank(A)
    instance = {"architecture": "deep", "operator": "max", "N": N, "M": M}
    cert = certificate(
        "T5",
        instance,
        {"witness": network_to_dict(net)},
        [
            {"kind": "covering", "network": "witness"},
            {"kind": "grid_is_pair_indicator", "network": "witness"},
            {"kind": "rank", "network": "witness", "rows": list(range(0, N, 2)), "rank": got},
        ],
    )
    bound = -(-(M ** (N // 2)) // ((N // 2) * M))
    numbers = {"odd-even rank": got, "shallow Z >=": bound}
    if not (identity and got == M ** (N // 2)):
        return Verdict.refuted(
            "T5", instance, numbers, "the witness grid is not the pair indicator", cert
        )
    return Verdict.verified("T5", instance, numbers, cert)


@timed
def check_t5_lemma(N: int, M: int, Z: int, count: int, seed: int = 0) -> Verdict:
    """T5 lemma on random instances: rank [G]_{odd,even} <= Z·min(|I|,|J|)·M for shallow max
    networks.

    Exact ranks of `count` random rational networks: this checks the lemma on those
    instances (the general proof is the row argument of the T5 lemma), never a sampled proof.
    """
    I = tuple(range(0, N, 2))
    bound = Z * min(len(I), N - len(I)) * M
    nets, ranks = {}, []
    for k in range(count):
        net = shallow(N, M, Z, "max")
        net = net.subs(net.random_point(seed + k, bound=9))
        ranks.append(matricization_rank(net, I))
        nets[f"net{k}"] = network_to_dict(net)
    instance = {
        "architecture": "shallow",
        "operator": "max",
        "N": N,
        "M": M,
        "Z": Z,
        "part": "lemma",
        "count": count,
    }
    cert = certificate(
        "T5",
        instance,
        nets,
        [
            {"kind": "rank_at_most", "network": name, "rows": list(I), "bound": bound}
            for name in nets
        ],
    )
    numbers = {"networks": count, "max rank": max(ranks), "Z·min(|I|,|J|)·M": bound}
    if max(ranks) > bound:
        return Verdict.refuted("T5", instance, numbers, "a network exceeds the lemma's bound", cert)
    return Verdict.verified("T5", instance, numbers, cert)


def run(given: dict, seed: int) -> Iterator[tuple[Verdict, str]]:
    """``symtd prove T5``: the witnesses of WITNESSES and the lemma on the T5_LEMMA random
    networks; or the one witness the options give."""
    if given:
        N, M = given.get("N", OPTIONS["N"]), given.get("M", OPTIONS["M"])
        affordable("T5", [t5_witness(N, M)], [range(0, N, 2)])
        yield check_t5(N, M), "verified"
        return
    for N, M in WITNESSES:
        yield check_t5(N, M), "verified"
    for N, M, Z, count in T5_LEMMA:
        yield check_t5_lemma(N, M, Z, count, seed), "verified"


THEOREM = Theorem("T5", STATEMENT, METHOD, OPTIONS, run)
