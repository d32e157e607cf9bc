"""T6, ReLU-max depth efficiency is incomplete: on an open region of a deep max network's weights
(one live channel with positive paths, every other channel dead) the network function is
h_y = c·max(0, max_i π_i u_i), which a shallow max network with Z = 1 channel computes; an open
non-empty region has positive measure.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from symtd import checker
from symtd.circuits.builders import deep, shallow
from symtd.circuits.circuit import Circuit, symbol_name
from symtd.circuits.formats import network_to_dict
from symtd.errors import SymtdError
from symtd.tensors.grid import exact_grid_tensor, grid_tensor, network_function
from symtd.theorems.common import (
    Theorem,
    Verdict,
    affordable,
    certificate,
    levels_count,
    random_rationals,
    timed,
)

STATEMENT = (
    "ReLU-max depth efficiency is incomplete: an open region where deep = shallow with Z = 1"
)
METHOD = (
    "On the region's strict sign conditions the network function reduces symbolically to "
    "$c\\cdot\\max(0, \\max_i \\pi_i u_i)$ for all weights in the region; an exact interior point "
    "shows the open region is non-empty."
)
# the options of ``symtd prove T6`` and their defaults (widths None: 2 at every level)
OPTIONS: dict[str, Any] = {"N": 4, "M": 2, "widths": None}
DEFAULTS = ((4, 2, (2, 2)), (8, 2, (2, 2, 2)))  # (N, M, widths) of the default instances


def _sympy_region(net: Circuit, live: int) -> dict:
    """Substitutions putting the T6 sign conditions on the conv weights of layers >= 1."""
    import sympy

    sub = {}
    for l in range(1, net.L):
        for t in range(len(net.levels[l - 1])):
            for g in range(net.widths[l]):
                name = symbol_name(l, t, g, live)
                s = sympy.Symbol(name, positive=True)
                sub[name] = s if g == live else -s
    return sub


def _pull_positive(expr: Any) -> Any:
    """k·Max(x_1, ..., x_n) = Max(k·x_1, ..., k·x_n) for k > 0, applied bottom-up."""
    import sympy

    def scaled_max(e: Any) -> bool:
        return e.is_Mul and sum(isinstance(f, sympy.Max) for f in e.args) == 1

    def pull(e: Any) -> Any:
        m = next(f for f in e.args if isinstance(f, sympy.Max))
        k = e / m
        return sympy.Max(*[k * a for a in m.args]) if k.is_positive else e

    return expr.replace(scaled_max, pull)


@timed
def check_t6(
    N: int = 4, M: int = 2, widths: Sequence[int] | None = None, live: int = 0, seed: int = 0
) -> Verdict:
    """T6: on an open region of deep max weights, h_y = c·max(0, max_i π_i u_i): a shallow Z = 1
    network.

    The identity is proved symbolically (sympy, sign assumptions) for all weights in the
    region, in terms of the layer-0 outputs u; an exact interior point shows the region
    is non-empty (open and non-empty: positive measure), and the point's deep and
    shallow grid tensors are compared exactly.
    """
    import sympy

    L = levels_count(N)
    if N < 4:
        raise SymtdError(f"T6 needs a deep network with N = 2^L >= 4, got N = {N}")
    widths = list(widths or [2] * L)
    net = deep(N, M, widths, "max")
    if not 0 <= live < min(widths):
        raise SymtdError(f"live channel {live} does not exist in widths {widths}")
    instance = {
        "architecture": "deep",
        "operator": "max",
        "N": N,
        "M": M,
        "widths": widths,
        "live": live,
        "seed": seed,
    }
    # the identity for all weights in the region
    u = [
        [
            sympy.Symbol(f"u_{{{j + 1},{g + 1}}}", real=True)
            if g == live
            else -sympy.Symbol(f"u_{{{j + 1},{g + 1}}}", positive=True)
            for g in range(widths[0])
        ]
        for j in range(N)
    ]
    sub = _sympy_region(net, live)
    h = _pull_positive(network_function(net.subs(sub), u))
    c = next(x for x in net.free_symbols if x.name == symbol_name(L, 0, 0, live, output=True))
    paths = [
        sympy.Mul(*[sub[symbol_name(l, i >> l, live, live)] for l in range(1, L)]) for i in range(N)
    ]
    identity = h == c * sympy.Max(0, *[p * u[i][live] for i, p in enumerate(paths)])
    # an exact interior point and the region as certificate inequalities
    rng = np.random.default_rng(seed)
    weights = {"layer0": random_rationals(rng, (N, widths[0], M))}
    region = []
    for j, g in itertools.product(range(N), range(widths[0])):
        if g != live:
            weights["layer0"][j, g] = random_rationals(rng, (M,), -1)
            region += [[f"v[{j}][{g}][{d}]", "<"] for d in range(M)]
    for l in range(1, L):
        block = random_rationals(rng, (N >> l, widths[l], widths[l - 1]))
        for t, g in itertools.product(range(N >> l), range(widths[l])):
            block[t, g, live] = random_rationals(rng, (1,), 1 if g == live else -1)[0]
            region.append([f"layer{l}[{t}][{g}][{live}]", ">" if g == live else "<"])
        weights[f"layer{l}"] = block
    weights["output"] = random_rationals(rng, (widths[-1],), 1)
    point = deep(N, M, widths, "max", weights=weights)
    pi = [
        math.prod(
            (weights[f"layer{l}"][i >> l, live, live] for l in range(1, L)), start=Fraction(1)
        )
        for i in range(N)
    ]
    one = shallow(
        N,
        M,
        1,
        "max",
        weights={
            "layer0": [[pi[i] * weights["layer0"][i, live]] for i in range(N)],
            "output": [weights["output"][live]],
        },
    )
    G = exact_grid_tensor(point)
    free = sum(np.size(w) for w in weights.values()) - len(region)
    numbers = {"region": f"{len(region)} strict inequalities, {free} free weights", "shallow Z": 1}
    if not (identity and G == grid_tensor(one)):
        return Verdict.inconclusive(
            "T6", instance, numbers, "the identity did not reduce to a single max term"
        )
    cert = certificate(
        "T6",
        instance,
        {"deep": network_to_dict(point), "shallow": network_to_dict(one)},
        [
            {"kind": "identity_in_region", "network": "deep", "live": live, "region": region},
            {"kind": "grid_equals", "network": "deep", "entries": G.to_strings()},
            {"kind": "grid_equals", "network": "shallow", "entries": G.to_strings()},
        ],
    )
    return Verdict.verified("T6", instance, numbers, cert)


def run(given: dict, seed: int) -> Iterator[tuple[Verdict, str]]:
    """``symtd prove T6``: the DEFAULTS instances, or the one the options give, within the
    checker's symbolic limits."""
    if given:
        N, M = given.get("N", OPTIONS["N"]), given.get("M", OPTIONS["M"])
        widths = given.get("widths") or [2] * levels_count(N)
        if N > checker.MAX_SYMBOLIC_N or max(widths) > checker.MAX_SYMBOLIC_WIDTH:
            raise SymtdError(
                f"T6 is proved symbolically on a region: at most N = {checker.MAX_SYMBOLIC_N} "
                f"and widths <= {checker.MAX_SYMBOLIC_WIDTH} (the checker's limits)"
            )
        affordable("T6", [deep(N, M, list(widths), "max"), shallow(N, M, 1, "max")])
        yield check_t6(N, M, given.get("widths"), seed=seed), "verified"
        return
    for N, M, widths in DEFAULTS:
        yield check_t6(N, M, widths, seed=seed), "verified"


THEOREM = Theorem("T6", STATEMENT, METHOD, OPTIONS, run)
