"""A position whose leg reaches the root along several paths is a copy tensor over [M]: the
capacity rank F holds only for a position with one edge in the unrolled network. Found by an
adversarial review: with F singular, a reused position (or a reused node holding one) reached
rank 3 while both the checker and the generator's min-cut said 2."""

from __future__ import annotations

import random

import pytest

import symtd
from symtd import checker

F = [["1", "0", "0"], ["0", "1", "0"], ["1", "1", "0"]]  # rank 2


def network(reuse: str) -> dict:
    """N = 3, M = 3, product, F of rank 2; x0 feeds two pools ("position"), or the node
    holding x0 feeds two pools ("node")."""
    rnd = random.Random(3)

    def mat(r: int, c: int) -> list[list[str]]:
        return [[str(rnd.randint(-5, 5)) for _ in range(c)] for _ in range(r)]

    if reuse == "position":
        nodes = [
            {"width": 3, "pool": [["x0", "A"], ["x1", "B"]]},
            {"width": 3, "pool": [["x0", "C"], ["x2", "E"]]},
            {"width": 3, "pool": [["n0", "D"], ["n1", "G"]]},
        ]
    else:
        nodes = [
            {"width": 3, "pool": [["x0", "A"]]},
            {"width": 3, "pool": [["n0", "C"], ["x1", "B"], ["x2", "E"]]},
            {"width": 3, "pool": [["n0", "D"], ["n1", "G"]]},
        ]
    return {
        "format": "symtd-network/2",
        "N": 3,
        "M": 3,
        "operator": "product",
        "F": F,
        "nodes": nodes,
        "output": "out",
        "weights": {b: mat(3, 3) for b in "ABCDEG"} | {"out": [str(rnd.randint(-5, 5))] * 3},
    }


@pytest.mark.parametrize("reuse", ["position", "node"])
def test_a_reused_leg_keeps_capacity_M(reuse: str) -> None:
    net = network(reuse)
    circuit = symtd.network_from_dict(net)
    true = symtd.matricization_rank(circuit, [0])
    vertices, _ = checker.tensor_network(net)
    assert vertices["x0"] == 3  # not rank F = 2: x0 has two edges once unrolled
    assert vertices["x1"] == 2  # one edge: rank F
    s = symtd.separation_rank(circuit, [0])
    assert s.lower <= true <= s.upper and true == 3


def test_a_cut_at_a_reused_leg_priced_by_rank_F_is_rejected() -> None:
    net = network("position")
    claim = {"kind": "cut_bound", "network": "net", "rows": [0], "bound": 2,
             "cut": [["vertex", "x0"]]}  # fmt: skip
    with pytest.raises(checker.CheckFailed, match="multiply to 3, not 2"):
        checker.verify_cut_bound(claim, net, None, {})
