"""T4, ConvAC depth efficiency is complete: for almost every weight setting of a deep product
network (widths r, N = 2^L), the odd-even matricization has rank min(r, M)^(N/2), so a shallow
ConvAC needs Z >= min(r, M)^(N/2) channels to match it. Beyond trees of pairs: recurrent
(tensor-train) and overlapping ConvACs whose separation rank under a split is certified.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from symtd.circuits.builders import deep, overlapping, recurrent
from symtd.circuits.circuit import Circuit
from symtd.circuits.formats import load_network, network_to_dict
from symtd.circuits.partitions import NAMED, partition, partitions
from symtd.errors import SymtdError, escape
from symtd.ranks.matricization import matricization_rank
from symtd.ranks.separation import separation_rank
from symtd.tensors.grid import exact_grid_tensor
from symtd.tensors.representation import is_covering
from symtd.theorems.certify import CertifiedPartition, certify_partition, self_check
from symtd.theorems.common import Theorem, Verdict, affordable, certificate, levels_count, timed

STATEMENT = "ConvAC complete depth efficiency: odd-even rank r^(N/2) at a witness point (generic)"
METHOD = (
    "At one exact rational weight point the odd-even matricization has rank $r^{N/2}$; a non-zero "
    "minor is a non-zero polynomial, so this rank holds outside a null set, and the upper bound "
    "holds for all weights. For recurrent (tensor-train) and overlapping circuits the upper bound "
    "is a cut of the circuit's tensor network whose capacities multiply to the same rank."
)
# defaults of a deep instance; None: derived (r = M deep, else 2; Z = the certified rank - 1).
# A recurrent or overlapping instance has N = GENERAL_N unless told.
OPTIONS: dict[str, Any] = {
    "N": 4,
    "M": 2,
    "r": None,
    "Z": None,
    "architecture": "deep",
    "partition": "odd-even",
    "kernel": 3,
    "stride": 1,
    "shared": True,
    "network": None,
}
DEEP_OPTIONS = ("N", "M", "r", "architecture")
GENERAL_OPTIONS = tuple(k for k in OPTIONS if k != "network")
NETWORK_OPTIONS = ("network", "Z", "partition")
FORMS = {
    "--architecture deep (the default)": DEEP_OPTIONS,
    "--architecture recurrent or overlapping": GENERAL_OPTIONS,
    "--network FILE": NETWORK_OPTIONS,
}
NETWORK_BALANCED = 16  # balanced partitions tried after root, low-high and odd-even
NETWORK_TIME = 60.0  # seconds for each partition's minor search (a bracket is kept past it)
GENERAL_N = 6  # the default N of a recurrent or overlapping instance
T4_GENERAL = (
    ("recurrent", 8, 2, 2, True),
    ("recurrent", 6, 3, 2, False),
    ("overlapping", 6, 3, 2, True),
)


def witness_claims(name: str, point: Circuit, rows: Iterable[int], rank: int) -> list[dict]:
    """The claims of a T4 witness: covering templates, the exact grid at the point, and
    rank [G]_{I,J} = ``rank`` under the rows I (what the checker recomputes)."""
    return [
        {"kind": "covering", "network": name},
        {"kind": "grid_equals", "network": name, "entries": exact_grid_tensor(point).to_strings()},
        {"kind": "rank", "network": name, "rows": list(rows), "rank": rank},
    ]


@timed
def check_t4(N: int, M: int, r: int, seed: int = 0) -> Verdict:
    """T4: a deep product network whose odd-even rank is min(r, M)^(N/2) at a rational point.

    rank <= min(r_0, M)^(N/2) holds for all weights (the odd-even bound), so one exact witness
    point proves the generic rank (a non-zero minor is a non-zero polynomial); a shallow CP
    network then needs Z >= that many channels.

    >>> from symtd import checker
    >>> from symtd.theorems.t4_convac_depth_efficiency import check_t4
    >>> verdict = check_t4(N=4, M=2, r=2)
    >>> verdict.verdict, verdict.numbers
    ('verified', {'odd-even rank': 4, 'r^(N/2)': 4, 'shallow Z >=': 4})
    >>> [claim["kind"] for claim in verdict.certificate["claims"]]
    ['covering', 'grid_equals', 'rank']
    >>> checker.check(verdict.certificate)  # re-verified independently
    True
    """
    if N < 4:
        raise SymtdError(f"T4 needs a deep network with N = 2^L >= 4, got N = {N}")
    symbolic = deep(N, M, [r] * levels_count(N), "product")
    target = min(r, M) ** (N // 2)
    for attempt in range(seed, seed + 5):  # a lower rank only means a degenerate point (a null set)
        net = symbolic.subs(symbolic.random_point(attempt, bound=99))
        got = matricization_rank(net, tuple(range(0, N, 2)))
        if got > target:
            raise AssertionError(f"rank {got} exceeds the proven bound {target}: a bug in symtd")
        if got == target:
            break
    instance = {
        "architecture": "deep",
        "operator": "product",
        "N": N,
        "M": M,
        "r": r,
        "seed": attempt,
    }
    numbers = {"odd-even rank": got, "r^(N/2)": target, "shallow Z >=": target}
    if not (got == target and is_covering(net.F)):
        return Verdict.inconclusive(
            "T4", instance, numbers, "5 degenerate weight points; try other seeds"
        )
    cert = certificate(
        "T4",
        instance,
        {"deep": network_to_dict(net)},
        witness_claims("deep", net, range(0, N, 2), got),
    )
    return Verdict.verified("T4", instance, numbers, cert)


def general_architecture(
    architecture: str,
    N: int,
    M: int,
    r: int,
    shared: bool = True,
    kernel: int = 3,
    stride: int = 1,
) -> Circuit:
    """A recurrent chain (tensor train when unshared) or a 1-D overlapping ConvAC, product."""
    if architecture == "recurrent":
        return recurrent(N, M, r, "product", shared=shared)
    if architecture == "overlapping":
        return overlapping(N, M, kernel, stride, r, "product", shared=shared)
    raise SymtdError(
        f"unknown architecture {escape(architecture)}; expected recurrent or overlapping"
    )


@timed
def check_t4_general(
    architecture: str,
    N: int,
    M: int,
    r: int,
    Z: int | None = None,
    rows: Any = "odd-even",
    kernel: int = 3,
    stride: int = 1,
    shared: bool = True,
    seed: int = 0,
) -> Verdict:
    """T4 beyond trees of pairs: a recurrent / tensor-train or overlapping ConvAC whose
    separation rank s under (I, J) is certified (lower == upper) and exceeds Z (default s - 1).

    Lower: an exact rational weight point where rank [G]_{I,J} = s; its non-zero s-minor is a
    non-zero polynomial in the weights, so rank >= s outside a null set. Upper: a cut of the
    circuit's tensor network with capacities multiplying to s, so rank <= s for all weights
    (the min-cut bound). A shallow ConvAC with Z channels has rank <= Z under every split, so for
    almost every weight setting of the deep circuit no shallow network with Z < s matches it.
    """
    arch = general_architecture(architecture, N, M, r, shared, kernel, stride)
    name = rows if isinstance(rows, str) else "I=" + ",".join(map(str, rows))
    I = partition(rows, arch)
    s = separation_rank(arch, I, points=5, seed=seed)
    cut = next((b for b in s.bounds if b.name == "min-cut" and b.value == s.upper and b.cut), None)
    Z = s.upper - 1 if Z is None else Z
    instance = {
        "architecture": architecture,
        "operator": "product",
        "N": N,
        "M": M,
        "r": r,
        "shared": shared,
        "partition": name,
        "rows": list(I),
        "rank": s.upper,
        "Z": Z,
    }
    if architecture == "overlapping":
        instance.update(kernel=kernel, stride=stride)
    numbers = {
        "partition": name,
        "lower": s.lower,
        "upper": s.upper,
        "upper bound": s.upper_bound,
        "shallow Z": Z,
    }
    reason = _not_certified(s.certified, cut is not None, s.upper, Z)
    point = None
    for attempt in range(seed, seed + 5) if not reason else ():
        candidate = arch.at_random_point(attempt, bound=99)
        if matricization_rank(candidate, I) == s.upper:
            point, instance["seed"] = candidate, attempt
            break
    if point is None or cut is None:
        return Verdict.inconclusive(
            "T4", instance, numbers, reason or "no exact witness point among 5 small-range draws"
        )
    cert = certificate(
        "T4",
        instance,
        {"arch": network_to_dict(point)},
        [
            *witness_claims("arch", point, I, s.upper),
            {
                "kind": "cut_bound",
                "network": "arch",
                "rows": list(I),
                "cut": [list(item) for item in cut.cut],
                "bound": s.upper,
            },
        ],
    )
    numbers["shallow Z >="] = s.upper
    return Verdict.verified("T4", instance, numbers, cert)


def _not_certified(certified: bool, has_cut: bool, rank: int, Z: int) -> str:
    """Why a general T4 instance cannot be verified ("" when it can be tried)."""
    if not certified:
        return "the bounds differ (lower < upper)"
    if not has_cut:
        return "no min-cut bound to certify the upper bound"
    if rank <= Z or Z < 1:
        return (
            f"rank {rank} <= Z = {Z}: a shallow network of Z channels is not ruled out"
            if Z >= 1
            else f"rank {rank}: every shallow network (Z >= 1) reaches it"
        )
    return ""


def network_candidates(circuit: Circuit, rows: Any = None) -> list[tuple[str, tuple[int, ...]]]:
    """The partitions T4 --network tries, in order: the one given, else root, low-high,
    odd-even, then up to NETWORK_BALANCED balanced ones (I and J non-empty, each once)."""
    if rows is not None:
        chosen = partitions([rows], circuit)
    else:
        chosen = partitions(list(NAMED), circuit)
        seen = {I for _, I in chosen}
        balanced = [(l, I) for l, I in partitions(["balanced"], circuit) if I not in seen]
        chosen += balanced[:NETWORK_BALANCED]
    named = {"root": 0, "low-high": 1, "odd-even": 2}
    chosen.sort(key=lambda item: named.get(item[0], 3))
    return [(label, I) for label, I in chosen if 0 < len(I) < circuit.N]


@timed
def check_t4_network(network: Any, Z: int | None, rows: Any = None, seed: int = 0) -> Verdict:
    """T4 on a user's product network: a certified rank above Z on some partition (I, J).

    At the file's weights (or a random rational point for an architecture) a non-singular
    s×s minor of [G]_{I,J} proves rank >= s; a shallow ConvAC of width Z has rank <= Z
    under every partition (its grid is a sum of Z rank-one tensors), so s > Z puts this
    grid tensor beyond every shallow ConvAC of width Z (for an architecture: for almost
    every weight setting, a non-zero minor being a non-zero polynomial in the weights).
    The partitions are tried in the order of :func:`network_candidates`. Z >= M^N is
    refuted: T1 builds a shallow network of width M^N for every tensor.

    >>> import symtd
    >>> from symtd.theorems.t4_convac_depth_efficiency import check_t4_network
    >>> v = check_t4_network(symtd.deep(4, 2, 2), Z=3)
    >>> v.verdict, v.numbers["partition"], v.numbers["rank"]
    ('verified', 'odd-even', 4)
    """
    circuit = network if isinstance(network, Circuit) else None
    if circuit is None:
        if not isinstance(network, str):
            raise SymtdError(f"network must be a Circuit or a file name, got {escape(network)}")
        circuit = load_network(network)
    if circuit.operator.name != "product":
        raise SymtdError(
            f"T4 is about product networks (ConvACs); this one pools by "
            f"{escape(circuit.operator.name)}: symtd compare FILE --shallow Z compares it with "
            f"shallow networks of its own operator"
        )
    if Z is None:
        raise SymtdError("T4 --network needs --Z, the shallow width to beat")
    N, M = circuit.N, circuit.M
    instance: dict[str, Any] = {
        "architecture": "network",
        "operator": "product",
        "N": N,
        "M": M,
        "Z": Z,
    }
    if Z >= M**N:
        return Verdict.refuted(
            "T4",
            instance,
            {"shallow Z": Z, "M^N": M**N},
            f"Z >= M^N = {M}^{N}: every grid tensor is a shallow ConvAC of width Z (T1; "
            f"symtd compare FILE --shallow Z builds one)",
        )
    tried: list[CertifiedPartition] = []
    for label, I in network_candidates(circuit, rows):
        part = certify_partition(circuit, I, label, seed, 3, NETWORK_TIME, recheck=False)
        tried.append(part)
        if part.certificate is None or part.lower <= Z:
            continue
        inst = dict(
            instance,
            rows=list(I),
            rank=part.lower,
            upper=part.upper,
            bound=part.bound,
            seed=seed,
        )
        cert = certificate("T4", inst, part.certificate["networks"], part.certificate["claims"])
        written, _, note = self_check(cert)
        numbers = {"partition": label, "rank": part.lower, "upper": part.upper, "shallow Z": Z}
        if written is None:
            return Verdict.inconclusive("T4", inst, numbers, f"no certificate: {note}")
        return Verdict.verified("T4", inst, numbers, written)
    best = max(tried, key=lambda p: p.lower)
    numbers = {"partition": best.label, "rank": best.lower, "upper": best.upper, "shallow Z": Z}
    ceiling = max(p.upper for p in tried)
    reason = (
        f"every partition tried ({len(tried)}) has rank* <= {ceiling} <= Z = {Z}: a shallow "
        f"network of Z channels is not ruled out by these partitions"
        if ceiling <= Z
        else f"no rank above Z = {Z} reached on the {len(tried)} partitions tried (best: "
        f"{best.label}, {best.lower} <= rank* <= {best.upper})"
    )
    return Verdict.inconclusive("T4", dict(instance, rows=list(best.rows)), numbers, reason)


def form(given: dict) -> str:
    """The instance form the options select: a file, a deep network, or a recurrent /
    overlapping one."""
    if "network" in given:
        return "--network FILE"
    if given.get("architecture", OPTIONS["architecture"]) == "deep":
        return "--architecture deep (the default)"
    return "--architecture recurrent or overlapping"


def accepts(given: dict) -> Sequence[str]:
    """A deep instance takes N, M, r and architecture; a recurrent or overlapping one all but
    network; a file (--network) takes network, Z and partition."""
    return FORMS[form(given)]


def run(given: dict, seed: int) -> Iterator[tuple[Verdict, str]]:
    """``symtd prove T4``: deep (N, M, r) = (4,2,2), (8,2,2), (4,3,3), (8,3,3) and the
    T4_GENERAL circuits; or the one instance the options give (a user's product network
    with --network and --Z: :func:`check_t4_network`)."""
    if "network" in given:
        verdict = check_t4_network(given["network"], given.get("Z"), given.get("partition"), seed)
        yield verdict, "verified"
        return
    arch = given.get("architecture", OPTIONS["architecture"])
    if given and arch == "deep":
        N, M = given.get("N", OPTIONS["N"]), given.get("M", OPTIONS["M"])
        if N < 4 or N & (N - 1):
            raise SymtdError(f"T4 needs a deep network with N = 2^L >= 4, got N = {N}")
        r = given.get("r", M)
        affordable("T4", [deep(N, M, r, "product")], [range(0, N, 2)])
        yield check_t4(N, M, r, seed), "verified"
        return
    if given:
        N, M, r = given.get("N", GENERAL_N), given.get("M", OPTIONS["M"]), given.get("r", 2)
        kernel = given.get("kernel", OPTIONS["kernel"])
        stride = given.get("stride", OPTIONS["stride"])
        shared = given.get("shared", OPTIONS["shared"])
        rows = given.get("partition", OPTIONS["partition"])
        if N < 2:
            raise SymtdError("T4 needs N >= 2")
        net = general_architecture(arch, N, M, r, shared, kernel, stride)
        affordable("T4", [net], [partition(rows, net)])
        verdict = check_t4_general(
            arch, N, M, r, given.get("Z"), rows, kernel, stride, shared, seed
        )
        yield verdict, "verified"
        return
    for N, M, r in ((4, 2, 2), (8, 2, 2), (4, 3, 3), (8, 3, 3)):
        yield check_t4(N, M, r, seed), "verified"
    for architecture, N, M, r, shared in T4_GENERAL:
        yield check_t4_general(architecture, N, M, r, shared=shared, seed=seed), "verified"


THEOREM = Theorem("T4", STATEMENT, METHOD, OPTIONS, run, accepts, FORMS, form)
