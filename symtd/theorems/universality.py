"""The universality construction T1 (product pooling) and T2 (max pooling) share: every tensor
is the grid tensor of a shallow network (and of a deep one emulating it), checked exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from symtd import checker
from symtd.algebra.rank import rank
from symtd.algebra.rational import RationalTensor
from symtd.circuits.builders import deep, shallow
from symtd.circuits.circuit import Circuit
from symtd.circuits.formats import network_to_dict
from symtd.errors import SymtdError
from symtd.tensors.grid import exact_grid_tensor
from symtd.tensors.matricize import matricize
from symtd.tensors.representation import is_covering, leaf_weights
from symtd.theorems.common import (
    Run,
    Verdict,
    affordable,
    certificate,
    entries,
    levels_count,
    network,
    random_target,
    timed,
)

# the options of ``symtd prove T1/T2`` and their defaults (Z None: as many as the construction uses)
OPTIONS: dict[str, Any] = {"N": 3, "M": 2, "Z": None, "architecture": "shallow"}
THEOREM_OF = {"product": "T1", "max": "T2"}


def universal_terms(target: np.ndarray, operator: str) -> list[tuple[Fraction, list]]:
    """(λ_z, leaf vectors v^{z,i}) with Σ_z λ_z (v^{z,1} ⊗_g ... ⊗_g v^{z,N}) = target (theorems
    T1/T2).

    product: one term λ_d = T[d], v^{d,i} = e_{d_i} per non-zero entry. max: terms
    1 - δ_{d*} (v^{i}[d] = -1 at d = d*_i, else 1) with λ_{d*} = S - T[d*], S = ΣT/(M^N - 1),
    plus the all-ones term (λ = 0 here, so it is dropped); zero-λ terms are dropped.
    """
    N, M = target.ndim, target.shape[0]
    indices = list(itertools.product(range(M), repeat=N))
    if operator == "product":
        terms = [
            (Fraction(target[d]), [[int(k == d[i]) for k in range(M)] for i in range(N)])
            for d in indices
        ]
    else:
        S = sum((Fraction(target[d]) for d in indices), Fraction(0)) / (len(indices) - 1)
        terms = [
            (
                S - Fraction(target[d]),
                [[-1 if k == d[i] else 1 for k in range(M)] for i in range(N)],
            )
            for d in indices
        ]
    return [t for t in terms if t[0] != 0] or [(Fraction(0), [[1] * M] * N)]


def universal_network(
    target: Any, operator: str = "product", architecture: str = "shallow", F: Any = None
) -> Circuit:
    """A shallow (or deep emulating) network whose grid tensor is target; leaf weights a = F^-1 v.

    The deep network has width Z at every level, passes channel z to channel z (identity
    conv) and so computes the shallow network's function: Π of Π, or max(0, max(0, ·)).
    """
    target = np.asarray(target, dtype=object)
    N, M = target.ndim, target.shape[0]
    F = np.eye(M, dtype=int).astype(object) if F is None else np.asarray(F, dtype=object)
    terms = universal_terms(target, operator)
    Z = len(terms)
    layer0 = [[list(leaf_weights(F, v[i])) for _, v in terms] for i in range(N)]
    output = [lam for lam, _ in terms]
    if architecture == "shallow":
        return shallow(
            N, M, Z, operator, F=F.tolist(), weights={"layer0": layer0, "output": output}
        )
    L = levels_count(N)
    identity = np.eye(Z, dtype=int).tolist()
    weights = {"layer0": layer0, "output": output}
    weights.update({f"layer{l}": [identity] * (N >> l) for l in range(1, L)})
    return deep(N, M, [Z] * L, operator, F=F.tolist(), weights=weights)


@timed
def check_universality(
    target: Any,
    operator: str = "product",
    architecture: str = "shallow",
    F: Any = None,
    Z: int | None = None,
) -> Verdict:
    """T1 (product, Z <= M^N) or T2 (max, Z <= M^N + 1): build a network, verify grid == target.

    With Z given and smaller than the construction needs: "refuted" when a matricization
    of the target has rank above what Z channels can reach (Z for product, the T5 lemma's
    Z·min(|I|,|J|)·M for max), "inconclusive" otherwise.
    """
    target = np.asarray(target, dtype=object)
    if operator not in ("product", "max") or architecture not in ("shallow", "deep"):
        raise SymtdError("universality is checked for product or max networks, shallow or deep")
    if Z is not None and Z < 1:
        raise SymtdError(f"Z must be a positive number of channels, got {Z}")
    theorem = THEOREM_OF[operator]
    N, M = target.ndim, target.shape[0]
    instance = {"architecture": architecture, "operator": operator, "N": N, "M": M}
    net = universal_network(target, operator, architecture, F)
    used = net.widths[0]
    if Z is not None and Z < used:
        return _too_small(theorem, instance, target, operator, architecture, Z, used)
    T = RationalTensor.from_rationals(target)
    G = exact_grid_tensor(net)
    doc = network_to_dict(net)
    name = doc["architecture"]  # a deep network of N = 2 is shallow
    cert = certificate(
        theorem,
        dict(instance, architecture=name, target=T.to_strings()),
        {name: doc},
        [
            {"kind": "covering", "network": name},
            {"kind": "grid_equals", "network": name, "entries": G.to_strings()},
        ],
    )
    numbers = {"Z used": used, "M^N": M**N}
    if not (G == T and is_covering(net.F)):
        return Verdict.refuted(
            theorem, instance, numbers, "the constructed grid differs from the target", cert
        )
    return Verdict.verified(theorem, instance, numbers, cert)


def _too_small(
    theorem: str,
    instance: dict,
    target: np.ndarray,
    operator: str,
    architecture: str,
    Z: int,
    used: int,
) -> Verdict:
    """Can Z channels be ruled out? Shallow: rank <= Z (CP) or Z·min(|I|,|J|)·M (T5 lemma) for
    every split; deep product: rank <= Z for the splits at node scopes; deep max: no bound used."""
    T = RationalTensor.from_rationals(target)
    N, M = T.ndim, T.shape[0]
    if architecture == "shallow":
        splits = [
            I for size in range(1, N // 2 + 1) for I in itertools.combinations(range(N), size)
        ]
    elif operator == "product":
        splits = [
            tuple(range(t * 2**l, (t + 1) * 2**l))
            for l in range(1, levels_count(N))
            for t in range(N >> l)
        ]
        splits += [(k,) for k in range(N)]
    else:
        splits = []
    worst = 0
    for I in splits:
        r = rank(matricize(T, I))
        reach = Z if operator == "product" else Z * min(len(I), N - len(I)) * M
        if r > reach:
            return Verdict.refuted(
                theorem,
                dict(instance, Z=Z),
                {"Z": Z, "rank": r, "rows": list(I), "Z can reach": reach},
                f"rank {r} of the I={list(I)} matricization exceeds {reach}, the most Z = {Z} "
                f"channels can reach",
            )
        worst = max(worst, r)
    return Verdict.inconclusive(
        theorem,
        dict(instance, Z=Z),
        {"Z": Z, "construction needs": used, "max matricization rank": worst},
        f"the construction needs Z = {used} > {Z}, and no matricization rank rules Z = {Z} out",
    )


def universality_run(operator: str) -> Run:
    """``symtd prove`` runs of T1 (product) or T2 (max): a random target of order 3 realised by
    a shallow network and one of order 4 by a deep one; or the instance the options give."""
    theorem = THEOREM_OF[operator]

    def run(given: dict, seed: int) -> Iterator[tuple[Verdict, str]]:
        if given:
            N, M = given.get("N", OPTIONS["N"]), given.get("M", OPTIONS["M"])
            arch = given.get("architecture", OPTIONS["architecture"])
            Z = entries(N, M) + (operator == "max")
            if Z > checker.MAX_WIDTH:
                raise SymtdError(
                    f"{theorem} with M^N = {M}^{N} may need Z = {Z} channels, more than the "
                    f"checker's width limit {checker.MAX_WIDTH}"
                )
            widths = [Z] * (1 if arch == "shallow" else levels_count(N))
            affordable(theorem, [network(arch, N, M, widths, operator)])
            target = random_target(N, M, seed)
            yield check_universality(target, operator, arch, Z=given.get("Z")), "verified"
            return
        yield check_universality(random_target(3, 2, seed), operator, "shallow"), "verified"
        yield check_universality(random_target(4, 2, seed), operator, "deep"), "verified"

    return run
