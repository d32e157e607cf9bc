"""Theorem instances of SPEC §6, verified exactly, with certificates for symtd.checker.

Implemented so far: T4 (ConvAC depth efficiency) and T5 (ReLU-max depth efficiency
witness). A verdict is "verified" only when every step was exact.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .checker import FORMAT
from .circuit import deep
from .errors import SymtdError
from .grid import grid_tensor
from .matricize import matricize
from .network_json import network_to_dict
from .rank import matricization_rank, rank
from .representation import is_covering


@dataclass
class Verdict:
    theorem: str
    instance: dict
    verdict: str                 # "verified" | "refuted" | "inconclusive"
    numbers: dict
    seconds: float
    certificate: dict = field(repr=False)


def check_t4(N, M, r, seed=0):
    """T4: a deep product network whose odd-even rank is min(r, M)^(N/2) at a rational point.

    rank <= min(r_0, M)^(N/2) holds for all weights (SPEC §5), so one exact witness point
    proves the generic rank; a shallow CP network then needs Z >= that many channels.
    """
    start = time.perf_counter()
    L = N.bit_length() - 1
    net = deep(N, M, [r] * L, "product")
    net = net.subs(net.random_point(seed))
    target = min(r, M) ** (N // 2)
    got = matricization_rank(net, tuple(range(0, N, 2)))
    verdict = "verified" if got == target and is_covering(net.F) else "refuted"
    doc = network_to_dict(net)
    doc["architecture"] = "deep"
    del doc["levels"]
    cert = {"format": FORMAT, "theorem": "T4", "instance": {"N": N, "M": M, "r": r, "seed": seed},
            "networks": {"deep": doc},
            "claims": [{"kind": "covering", "network": "deep"},
                       {"kind": "grid_equals", "network": "deep", "entries": grid_tensor(net).to_strings()},
                       {"kind": "rank", "network": "deep", "rows": list(range(0, N, 2)), "rank": got}]}
    return Verdict("T4", cert["instance"], verdict, {"odd-even rank": got, "r^(N/2)": target,
                                                     "shallow Z needed": target},
                   time.perf_counter() - start, cert)


def t5_witness(N, M):
    """The SPEC §6 T5 witness: deep max network, widths (M+1, 2, ..., 2), grid Π_j [d_{2j-1} = d_{2j}].

    Layer 0: channels 1 - [d = m] (m in [M]) and all-ones. Level 1 conv: channel 1 =
    Σ_m (1 - [d=m][d'=m]) - (M - 1) = 1 - [d = d'], channel 2 = 1. Every further max
    pooling of (1 - e, 1 - e') gives 1 - e·e' (identity conv); output: 1 - (1 - Π).
    """
    L = N.bit_length() - 1
    if N < 4 or N != 2**L:
        raise SymtdError(f"the T5 witness needs N = 2^L >= 4, got N = {N}")
    blocks = {"layer0": [[[0 if d == m else 1 for d in range(M)] for m in range(M)] + [[1] * M]
                         for _ in range(N)],
              "layer1": [[[1] * M + [-(M - 1)], [0] * M + [1]] for _ in range(N // 2)],
              "output": [-1, 1]}
    for level in range(2, L):
        blocks[f"layer{level}"] = [[[1, 0], [0, 1]] for _ in range(N >> level)]
    return deep(N, M, [M + 1] + [2] * (L - 1), "max", weights=blocks)


def check_t5(N, M):
    """T5: the witness's odd-even matricization is the identity of size M^(N/2)."""
    start = time.perf_counter()
    net = t5_witness(N, M)
    G = grid_tensor(net)
    A = matricize(G, tuple(range(0, N, 2)))
    identity = A.denominator == 1 and np.array_equal(A.numerator, np.eye(M ** (N // 2), dtype=np.int64))
    got = rank(A)
    verdict = "verified" if identity and got == M ** (N // 2) else "refuted"
    doc = network_to_dict(net)
    doc["architecture"] = "deep"
    del doc["levels"]
    cert = {"format": FORMAT, "theorem": "T5", "instance": {"N": N, "M": M},
            "networks": {"witness": doc},
            "claims": [{"kind": "covering", "network": "witness"},
                       {"kind": "grid_is_pair_indicator", "network": "witness"},
                       {"kind": "rank", "network": "witness", "rows": list(range(0, N, 2)), "rank": got}]}
    bound = -(-M ** (N // 2) // ((N // 2) * M))
    return Verdict("T5", cert["instance"], verdict, {"odd-even rank": got, "shallow Z >=": bound},
                   time.perf_counter() - start, cert)
