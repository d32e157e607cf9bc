"""T3, sum/avg pooling is not universal: for a ReLU network pooling by sum or average, every
split (I, J) at a node scope has rank [G]_{I,J} <= 2 for ALL weights, so a target of rank >= 3
under that split is the grid tensor of no such network.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from symtd import checker
from symtd.algebra.rank import rank
from symtd.algebra.rational import RationalTensor
from symtd.circuits.circuit import Circuit
from symtd.circuits.formats import load_network, network_to_dict
from symtd.circuits.partitions import partition
from symtd.errors import SymtdError, escape
from symtd.ranks.matricization import matricization_rank
from symtd.tensors.grid import network_function
from symtd.tensors.matricize import matricize
from symtd.theorems.common import Theorem, Verdict, affordable, certificate, entries, network, timed

STATEMENT = (
    "ReLU-sum/avg non-universality: rank <= 2 under the split for all weights; rank >= 3 "
    "unreachable"
)
METHOD = (
    "The identity $h(u_I,u_J) - h(u_I,u'_J) - h(u'_I,u_J) + h(u'_I,u'_J) \\equiv 0$ is expanded "
    "symbolically with every weight and every layer-0 output a free symbol, so the split has rank "
    "at most 2 for all weights; the target's exact rank is at least 3."
)
# None: the architecture's own (widths 2; partition odd-even for shallow, else root)
OPTIONS: dict[str, Any] = {
    "N": 4,
    "M": 2,
    "widths": None,
    "operator": "sum",
    "architecture": "deep",
    "partition": None,
    "network": None,
}
NETWORK_OPTIONS = ("network",)  # a user's file: its root split, every weight symbolic
FORMS = {
    "a named architecture": tuple(k for k in OPTIONS if k != "network"),
    "--network FILE": NETWORK_OPTIONS,
}


def default_rows(architecture: str) -> str:
    """The split T3 checks unless told: odd-even for a shallow network, else the root's."""
    return "odd-even" if architecture == "shallow" else "root"


def diagonal_target(N: int, M: int, rows: Sequence[int]) -> np.ndarray:
    """T[d] = [index of d_I = index of d_J]: its (I, J) matricization is [Id | 0], of rank
    min(M^|I|, M^|J|)."""
    cols = [k for k in range(N) if k not in rows]
    T = np.zeros((M,) * N, dtype=object)
    for d in itertools.product(range(M), repeat=N):
        p = sum(d[k] * M**e for e, k in enumerate(reversed(rows)))
        q = sum(d[k] * M**e for e, k in enumerate(reversed(cols)))
        T[d] = Fraction(int(p == q))
    return T


@timed
def check_t3(
    N: int = 4,
    M: int = 2,
    architecture: str = "deep",
    operator: str = "sum",
    widths: Sequence[int] | None = None,
    rows: Any = None,
    target: Any = None,
    seed: int = 0,
) -> Verdict:
    """T3: G[p,q] - G[p,q0] - G[p0,q] + G[p0,q0] ≡ 0 for ALL weights, so rank [G]_{I,J} <= 2;
    a target of rank >= 3 under (I, J) is then unreachable.

    Proved symbolically (sympy) on the network function of the layer-0 outputs u,
    h(u_I, u_J) - h(u_I, u'_J) - h(u'_I, u_J) + h(u'_I, u'_J) ≡ 0 with all weights
    symbols: the grid identity is its instance u = leaf vectors at (p, q), (p, q0), ...
    If the identity does not reduce to 0, exact random points look for a rank > 2
    (refuted); none found is inconclusive.
    """
    net = network(architecture, N, M, widths, operator)
    I = partition(rows if rows is not None else default_rows(architecture), net)
    widths = list(net.widths) if net.layout else [node.width for node in net.nodes]
    instance = {
        "N": N,
        "M": M,
        "architecture": architecture,
        "operator": net.operator.name,
        "widths": widths,
        "rows": list(I),
    }
    return t3_verdict(net, I, instance, target, seed)


def t3_verdict(net: Circuit, I: tuple[int, ...], instance: dict, target: Any, seed: int) -> Verdict:
    """The T3 decision for one symbolic sum/avg circuit and split I (see :func:`check_t3`):
    the separability identity expanded symbolically, then the target's rank."""
    import sympy

    N, M = net.N, net.M
    J = [k for k in range(N) if k not in I]
    T = RationalTensor.from_rationals(
        np.asarray(target, dtype=object) if target is not None else diagonal_target(N, M, I)
    )
    target_rank = rank(matricize(T, I))
    numbers: dict[str, Any] = {"target rank": target_rank}
    width = {m: net.nodes[k].width for k, node in enumerate(net.nodes) for m, _ in node.pool}
    u = [
        [
            [
                sympy.Symbol(f"u{prime}_{{{j + 1},{g + 1}}}", real=True)
                for g in range(width[f"x{j}"])
            ]
            for j in range(N)
        ]
        for prime in ("", "'")
    ]
    h = {
        (p, q): network_function(net, [u[p if j in I else q][j] for j in range(N)])
        for p in (0, 1)
        for q in (0, 1)
    }
    residue = (h[0, 0] - h[0, 1] - h[1, 0] + h[1, 1]).expand()
    if residue != 0:
        for s in range(5):
            point = net.at_random_point(seed + s, bound=9)
            r = matricization_rank(point, I)
            if r > 2:
                return Verdict.refuted(
                    "T3",
                    instance,
                    dict(numbers, **{"rank at a point": r}),
                    f"at exact random weights (seed {seed + s}) the {list(I)}|{J} rank is {r} > 2",
                )
        return Verdict.inconclusive(
            "T3",
            instance,
            numbers,
            "the separability identity does not reduce to 0 symbolically, and no sampled point "
            "has rank > 2",
        )
    numbers["rank <= 2"] = "all weights"
    if target_rank < 3:
        return Verdict.inconclusive(
            "T3",
            instance,
            numbers,
            f"the target has rank {target_rank} <= 2 under this split, so rank does not exclude it",
        )
    cert = certificate(
        "T3",
        instance,
        {"net": network_to_dict(net, weights=False)},
        [
            {"kind": "separable", "network": "net", "rows": list(I)},
            {
                "kind": "unreachable_target",
                "rows": list(I),
                "entries": T.to_strings(),
                "rank": target_rank,
            },
        ],
    )
    return Verdict.verified("T3", instance, numbers, cert)


def symbolic_limits(N: int, M: int, widths: Sequence[int]) -> None:
    """Refuse (SymtdError) an instance beyond the checker's limits for the symbolic identity."""
    if (
        N > checker.MAX_SYMBOLIC_N
        or max(widths) > checker.MAX_SYMBOLIC_WIDTH
        or entries(N, M) > checker.MAX_SYMBOLIC_TUPLES
    ):
        raise SymtdError(
            f"T3 is proved symbolically for all weights: at most N = {checker.MAX_SYMBOLIC_N}, "
            f"widths <= {checker.MAX_SYMBOLIC_WIDTH} and M^N <= "
            f"{checker.MAX_SYMBOLIC_TUPLES} (the checker's limits)"
        )


def network_circuit(network: Any) -> Circuit:
    """A ``network`` option: a Circuit, or the path of a network file (loaded)."""
    if isinstance(network, Circuit):
        return network
    if isinstance(network, str):
        return load_network(network)
    raise SymtdError(f"network must be a Circuit or a file name, got {escape(network)}")


@timed
def check_t3_network(network: Any, seed: int = 0) -> Verdict:
    """T3 on a user's sum/avg network (any v1/v2 file; its weights, if any, are ignored):
    at its root split G = f(d_I) + g(d_J) for ALL weights (rank <= 2, proved symbolically
    as in :func:`check_t3`), so the diagonal target of rank min(M^|I|, M^|J|) >= 3 is the
    grid tensor of no weight setting of this architecture.

    >>> import symtd
    >>> from symtd.theorems.t3_relu_sum_not_universal import check_t3_network
    >>> v = check_t3_network(symtd.deep(4, 2, 2, "avg"))
    >>> v.verdict, v.instance["architecture"], v.instance["rows"]
    ('verified', 'network', [0, 1])
    """
    circuit = network_circuit(network)
    if circuit.operator.name not in ("sum", "avg"):
        raise SymtdError(
            f"T3 is about sum/avg networks; this one pools by {escape(circuit.operator.name)} "
            f"(symtd certify FILE brackets its separation ranks)"
        )
    net = circuit.with_weights(None) if not circuit.is_symbolic_architecture else circuit
    doc = network_to_dict(net, weights=False)
    widths = (
        [node["width"] for node in doc["nodes"]]
        if doc["format"] == "symtd-network/2"
        else list(doc["widths"])
    )
    symbolic_limits(net.N, net.M, widths)
    I = partition("root", net)
    if not 0 < len(I) < net.N:
        raise SymtdError("T3 needs a root with positions on both sides of its split")
    affordable("T3", [net], [I])
    instance = {
        "N": net.N,
        "M": net.M,
        "architecture": "network",
        "operator": net.operator.name,
        "widths": widths,
        "rows": list(I),
    }
    return t3_verdict(net, I, instance, None, seed)


def form(given: dict) -> str:
    """The instance form the options select: a user's file or a named architecture."""
    return "--network FILE" if "network" in given else "a named architecture"


def accepts(given: dict) -> Sequence[str]:
    """A file takes --network alone (its root split); a named architecture the others."""
    return FORMS[form(given)]


def run(given: dict, seed: int) -> Iterator[tuple[Verdict, str]]:
    """``symtd prove T3``: shallow and deep, sum and avg, N = 4, M = 2, and a recurrent sum chain
    with M = 3; or the one instance the options give (a named architecture, or a user's file
    with --network), within the checker's symbolic limits."""
    if "network" in given:
        yield check_t3_network(given["network"], seed), "verified"
        return
    if given:
        arch = given.get("architecture", OPTIONS["architecture"])
        N, M = given.get("N", OPTIONS["N"]), given.get("M", OPTIONS["M"])
        operator = given.get("operator", OPTIONS["operator"])
        net = network(arch, N, M, given.get("widths"), operator)
        symbolic_limits(N, M, [node.width for node in net.nodes])
        rows = partition(given.get("partition") or default_rows(arch), net)
        affordable("T3", [net], [rows])
        verdict = check_t3(
            N, M, arch, operator, given.get("widths"), given.get("partition"), seed=seed
        )
        yield verdict, "verified"
        return
    for architecture in ("shallow", "deep"):
        for operator in ("sum", "avg"):
            yield check_t3(4, 2, architecture, operator, seed=seed), "verified"
    yield check_t3(4, 3, "recurrent", "sum", seed=seed), "verified"


THEOREM = Theorem("T3", STATEMENT, METHOD, OPTIONS, run, accepts, FORMS, form)
