"""T7, covering templates: ReLU representation neurons f_d(x) = max(x - b_d, 0) at templates
t_1..t_M give F[i][d] = relu(t_i - b_d); when F is non-singular (the templates cover) every
choice of leaf vectors v is realised by leaf weights a = F^-1 v, and the network's grid tensor at
the templates equals the generalized decomposition of v.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from symtd.algebra.rational import RationalTensor, format_rational
from symtd.circuits.builders import deep, tree
from symtd.circuits.formats import network_to_dict
from symtd.tensors.decomposition import TreeTensor, tree_to_tensor
from symtd.tensors.grid import exact_grid_tensor
from symtd.tensors.representation import is_covering, leaf_weights, relu_neurons, template_matrix
from symtd.theorems.common import (
    Theorem,
    Verdict,
    affordable,
    certificate,
    levels_count,
    network,
    random_rationals,
    strings,
    timed,
)

STATEMENT = "Covering templates: F decided non-singular exactly; grid = generalized decomposition"
METHOD = (
    "$F$ is decided non-singular by an exact rank; $a = F^{-1}v$ exactly; the network's grid "
    "tensor equals the generalized decomposition of the leaf vectors $v$. A singular $F$ is "
    "shown by an exact null vector."
)
# biases None: (0, 3/2, 5/2) for three templates, else t_i - 1/2
OPTIONS: dict[str, Any] = {
    "N": 4,
    "templates": (1, 2, 3),
    "biases": None,
    "widths": None,
    "operator": "max",
}


def default_biases(templates: Sequence[Any]) -> tuple:
    """The biases T7 uses unless told: (0, 3/2, 5/2) for three templates, else t_i - 1/2."""
    if len(templates) == 3:
        return (0, Fraction(3, 2), Fraction(5, 2))
    return tuple(Fraction(t) - Fraction(1, 2) for t in templates)


@timed
def check_t7(
    templates: Sequence[Any] = (1, 2, 3),
    biases: Sequence[Any] = (0, "3/2", "5/2"),
    N: int = 4,
    widths: Sequence[int] | None = None,
    operator: str = "max",
    seed: int = 0,
) -> Verdict:
    """T7: F[i][d] = relu(t_i - b_d) decided non-singular exactly; then for random leaf vectors v,
    a = F^-1 v and the network's grid at the templates equals the generalized decomposition of v.

    A singular F gives "refuted" with an exact null vector (the templates do not cover).
    """
    import sympy

    M = len(templates)
    F = template_matrix(list(templates), relu_neurons(list(biases)))
    instance = {
        "architecture": "deep",
        "N": N,
        "M": M,
        "templates": [str(Fraction(t)) for t in templates],
        "biases": [str(Fraction(b)) for b in biases],
        "operator": operator,
    }
    net = network("deep", N, M, widths, operator, F=F)
    point = net.subs(net.random_point(seed, bound=9))
    instance["covering"] = is_covering(F)
    built_from = {  # the first claim either way: F is built from these
        "kind": "templates",
        "network": "net",
        "templates": instance["templates"],
        "biases": instance["biases"],
    }
    if not instance["covering"]:
        null = [Fraction(int(x.p), int(x.q)) for x in sympy.Matrix(F.tolist()).nullspace()[0]]
        cert = certificate(
            "T7",
            instance,
            {"net": network_to_dict(point)},
            [
                built_from,
                {"kind": "singular", "network": "net", "null": [format_rational(x) for x in null]},
            ],
        )
        return Verdict.refuted(
            "T7",
            instance,
            {"F": "singular", "null vector": [format_rational(x) for x in null]},
            "F is singular: these templates do not cover",
            cert,
        )
    rng = np.random.default_rng(seed)
    v = random_rationals(rng, (N, net.widths[0], M))
    blocks = point.weight_blocks()
    blocks["layer0"] = np.array([leaf_weights(F, v[j].T).T for j in range(N)], dtype=object)
    point = tree(point.levels, M, point.widths, operator, F=F, weights=blocks)
    decomposition = TreeTensor.from_levels(
        point.levels,
        tuple(v),
        tuple(tuple(blocks[f"layer{l}"]) for l in range(1, point.L)),
        blocks["output"],
        point.operator,
    )
    G = exact_grid_tensor(point)
    cert = certificate(
        "T7",
        instance,
        {"net": network_to_dict(point)},
        [
            built_from,
            {"kind": "covering", "network": "net"},
            {"kind": "leaf_vectors", "network": "net", "vectors": strings(v)},
            {"kind": "grid_equals", "network": "net", "entries": G.to_strings()},
        ],
    )
    numbers = {"F": "non-singular", "grid entries": M**N}
    if G != RationalTensor.from_rationals(tree_to_tensor(decomposition)):
        return Verdict.refuted(
            "T7", instance, numbers, "network grid differs from the decomposition", cert
        )
    return Verdict.verified("T7", instance, numbers, cert)


def run(given: dict, seed: int) -> Iterator[tuple[Verdict, str]]:
    """``symtd prove T7``: the default templates (covering) and, unless templates or biases are
    given, the non-covering control with every bias 0, expected "refuted"."""
    options = {k: given[k] for k in ("N", "widths", "operator") if k in given}
    templates = given.get("templates", OPTIONS["templates"])
    biases = given.get("biases", default_biases(templates))
    if given:
        N = given.get("N", OPTIONS["N"])
        widths = given.get("widths") or [2] * levels_count(N)
        operator = given.get("operator", OPTIONS["operator"])
        affordable("T7", [deep(N, len(templates), list(widths), operator)])
    yield check_t7(templates, biases, seed=seed, **options), "verified"
    if "templates" not in given and "biases" not in given:  # the non-covering control
        yield check_t7(templates, (0,) * len(templates), seed=seed, **options), "refuted"


THEOREM = Theorem("T7", STATEMENT, METHOD, OPTIONS, run)
