"""What each theorem instance needs: its schema and the claims, with the values the theorem
predicts, dispatched through the table ``THEOREMS``.

A certificate's claims must be exactly :func:`needed_claims` of its instance; every field of
an instance is tied to something the checker recomputes (its networks, its claims, a fixed
value), except ``seed``, which is provenance only: it records which random draw symtd used to
find the weight point, the point itself is in the certificate, and no verdict reads the seed
(a different seed cannot make a false claim pass — the claims are checked at the weights given).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .arithmetic import split
from .networks import (
    Network,
    expected_levels,
    expected_nodes,
    levels_of,
    partition_rows,
    require,
    structure,
)
from .reader import (
    MAX_ENTRIES,
    MAX_NETWORKS,
    MAX_SYMBOLIC_N,
    MAX_SYMBOLIC_TUPLES,
    MAX_SYMBOLIC_WIDTH,
    MAX_WIDTH,
    CheckFailed,
    positive,
    same,
)

Claim = dict[str, Any]
Networks = dict[str, Network]
Instance = dict[str, Any]
ClaimsOf = Callable[[Networks, Instance, dict[Any, Claim]], list[Claim]]

INTEGERS = ("N", "M", "r", "Z", "count", "kernel", "stride", "rank", "live", "seed", "lower")
BOUNDS = {  # the upper bound a separation certificate names -> its claim kind
    "min-cut": "cut_bound",
    "matrix size": "matrix_size",
    "sum/avg split": "split_bound",
    "max lemma": "max_lemma",
}
PER_ENTRY = frozenset({"separation", "T4 network"})  # networks evaluated at single tuples
PROVENANCE = frozenset({"seed"})  # instance fields no verdict depends on (see the docstring)


@dataclass(frozen=True)
class Theorem:
    """One kind of theorem instance: its exact keys, the values some of them must have, the
    networks its certificates carry, and the claims it needs (a function of the networks, the
    instance and the certificate's claims by kind)."""

    keys: frozenset[str]
    fixed: dict[str, Any]
    networks: Callable[[Instance], set[Any]]
    claims: ClaimsOf
    provenance: frozenset[str] = field(default=frozenset())


def variant(theorem: Any, inst: Any) -> str:
    """The table key of a certificate's instance: its theorem, or "T4 recurrent",
    "T4 overlapping", "T4 network", "T3 network", "T5 lemma" for the instances of those
    forms."""
    if not isinstance(theorem, str) or not isinstance(inst, dict):
        raise CheckFailed("theorem must be a string and instance an object")
    if theorem in ("T3", "T4") and inst.get("architecture") == "network":
        return f"{theorem} network"
    if theorem == "T4" and inst.get("architecture") in ("recurrent", "overlapping"):
        return f"T4 {inst['architecture']}"
    if theorem == "T5" and inst.get("part") == "lemma":
        return "T5 lemma"
    return theorem


def schema(theorem: Any, inst: Any) -> str:
    """The instance has exactly its theorem's keys and fixed values, integers where integers
    belong; returns its table key."""
    name = variant(theorem, inst)
    if name not in THEOREMS:
        raise CheckFailed(f"unknown theorem {ascii(theorem)[:20]}")
    keys, fixed = THEOREMS[name].keys, THEOREMS[name].fixed
    if set(inst) != keys or not all(same(inst[k], v) for k, v in fixed.items()):
        raise CheckFailed(f"{name} instances have exactly the keys {sorted(keys)} with {fixed}")
    for key in INTEGERS:
        if key in inst and not (
            isinstance(inst[key], int)
            and not isinstance(inst[key], bool)
            and 0 <= inst[key] < 2**63
        ):
            raise CheckFailed(f"instance {key} must be a non-negative integer")
    return name


def needed_claims(cert: dict[str, Any]) -> list[Claim]:
    """The claims a theorem instance needs, with the values the theorem predicts."""
    nets, inst, theorem = cert["networks"], cert["instance"], cert["theorem"]
    name = schema(theorem, inst)
    N, M = inst["N"], inst["M"]
    if not (positive(N, MAX_ENTRIES) and positive(M, MAX_ENTRIES)):
        raise CheckFailed("instance N and M must be positive integers")
    if not 1 <= len(nets) <= MAX_NETWORKS:
        raise CheckFailed(f"a certificate carries 1..{MAX_NETWORKS} networks")
    claimed = {c.get("kind"): c for c in cert["claims"] if isinstance(c, dict)}
    count = inst.get("count", 0)
    if not (isinstance(count, int) and 0 <= count <= MAX_NETWORKS):
        raise CheckFailed(f"count must be an integer in 0..{MAX_NETWORKS}")
    required = THEOREMS[name].networks(inst)
    if set(nets) != required:
        raise CheckFailed(
            f"{theorem} certificates carry exactly the networks {sorted(map(str, required))}"
        )
    return THEOREMS[name].claims(nets, inst, claimed)


def odd_rows(N: int) -> list[int]:
    """The rows of the odd-even split (positions 1, 3, 5, ... counted from 1)."""
    return list(range(0, N, 2))


def universality(theorem: str, operator: str, extra: int) -> ClaimsOf:
    """T1 (product, Z <= M^N) or T2 (max, Z <= M^N + 1): the network's grid is the target."""

    def claims(nets: Networks, inst: Instance, claimed: dict[Any, Claim]) -> list[Claim]:
        (name,) = nets
        require(nets, name, operator, name)
        if (
            name not in ("shallow", "deep")
            or max(nets[name]["widths"]) > inst["M"] ** inst["N"] + extra
        ):
            raise CheckFailed(
                f"{theorem} needs a shallow or deep {operator} network of widths <= M^N + {extra}"
            )
        return [
            {"kind": "covering", "network": name},
            {"kind": "grid_equals", "network": name, "entries": inst["target"]},
        ]

    return claims


def t3_claims(nets: Networks, inst: Instance, claimed: dict[Any, Claim]) -> list[Claim]:
    """T3 on any tree: the network is the named architecture, all weights symbolic."""
    net = nets["net"]
    if net["operator"] not in ("sum", "avg") or "weights" in net or "F" in net:
        raise CheckFailed(
            "T3 is about sum/avg networks with all weights symbolic (no weights given)"
        )
    rows = claimed["separable"]["rows"]
    widths = t3_widths(net, inst)
    return t3_common(net, inst, claimed, rows, widths)


def t3_widths(net: Network, inst: Instance) -> list[int]:
    """The widths of a T3 network that is the instance's named architecture."""
    arch = inst["architecture"]
    if net["format"] == "symtd-network/2":
        nodes, _ = structure(net)
        widths = [w for w, _ in nodes]
        expected = (
            expected_nodes(dict(inst, r=widths[0], shared=True))[0] if arch == "recurrent" else None
        )
        if (
            arch != "recurrent"
            or [(w, pool) for w, pool in nodes] != expected
            or len(set(widths)) != 1
        ):
            raise CheckFailed("T3 v2 networks must be the named recurrent chain")
    else:
        widths = net["widths"]
        if arch not in ("shallow", "deep", "mirror", "dilated") or levels_of(
            net
        ) != expected_levels(arch, net["N"]):
            raise CheckFailed(f"T3 network is not the named {ascii(arch)[:20]} tree")
    return list(widths)


def t3_network_claims(nets: Networks, inst: Instance, claimed: dict[Any, Claim]) -> list[Claim]:
    """T3 on a user's network: any v1/v2 sum/avg circuit without weights (every weight and
    leaf symbolic, so F plays no part), split at its root: the grid is additively separable
    there for ALL weights (rank <= 2) and a target of rank >= 3 is out of reach."""
    net = nets["net"]
    if net["operator"] not in ("sum", "avg") or "weights" in net:
        raise CheckFailed("T3 is about sum/avg networks with all weights symbolic (no weights)")
    rows = partition_rows("root", net)
    if claimed.get("separable", {}).get("rows") != rows:
        raise CheckFailed(f"T3 on a network is about its root split, rows {rows}")
    if net["format"] == "symtd-network/2":
        widths = [w for w, _ in structure(net)[0]]  # one per node
    else:
        widths = list(net["widths"])  # one per level
    return t3_common(net, inst, claimed, rows, widths)


def t3_common(
    net: Network, inst: Instance, claimed: dict[Any, Claim], rows: Any, widths: list[int]
) -> list[Claim]:
    """The claims of a T3 instance (separable under the split, a target out of reach), after
    the instance's agreement with its network and the symbolic limits."""
    if [inst["rows"], inst["operator"], inst["widths"]] != [rows, net["operator"], widths]:
        raise CheckFailed("T3 instance disagrees with its network or split")
    if (
        net["N"] > MAX_SYMBOLIC_N
        or max(widths) > MAX_SYMBOLIC_WIDTH
        or net["M"] ** min(net["N"], 9) > MAX_SYMBOLIC_TUPLES
    ):
        raise CheckFailed(
            f"the symbolic T3 identity is checked for N <= {MAX_SYMBOLIC_N}, widths <= "
            f"{MAX_SYMBOLIC_WIDTH} and M^N <= {MAX_SYMBOLIC_TUPLES}"
        )
    return [
        {"kind": "separable", "network": "net", "rows": rows},
        {
            "kind": "unreachable_target",
            "rows": rows,
            "entries": claimed["unreachable_target"]["entries"],
            "rank": claimed["unreachable_target"]["rank"],
        },
    ]


def t4_claims(nets: Networks, inst: Instance, claimed: dict[Any, Claim]) -> list[Claim]:
    """T4 on a deep product tree of width r: F covers, the grid is as claimed, and the odd-even
    rank is min(r, M)^(N/2) at the certificate's weight point."""
    require(nets, "deep", "product", "deep")
    if any(w != inst["r"] for w in nets["deep"]["widths"]):
        raise CheckFailed(
            f"T4 instance r = {inst['r']} but the network has widths {nets['deep']['widths']}"
        )
    N, r = inst["N"], min(inst["r"], inst["M"])
    return [
        {"kind": "covering", "network": "deep"},
        {"kind": "grid_equals", "network": "deep", "entries": claimed["grid_equals"]["entries"]},
        {"kind": "rank", "network": "deep", "rows": odd_rows(N), "rank": r ** (N // 2)},
    ]


def t4_general_claims(nets: Networks, inst: Instance, claimed: dict[Any, Claim]) -> list[Claim]:
    """T4 for a recurrent or overlapping ConvAC: at the certificate's point the I-split has
    rank s (so the generic rank is >= s), a cut bounds it by s for all weights, and s > Z."""
    net = nets["arch"]
    if (
        net["format"] != "symtd-network/2"
        or net["operator"] != "product"
        or inst["operator"] != "product"
    ):
        raise CheckFailed("general T4 instances are v2 product networks")
    if not isinstance(inst["shared"], bool) or not positive(inst["r"], MAX_WIDTH):
        raise CheckFailed("shared must be a boolean and r a positive width")
    if structure(net) != expected_nodes(inst):
        raise CheckFailed(f"T4 network is not the named {inst['architecture']} architecture")
    rows, s, Z = inst["rows"], inst["rank"], inst["Z"]
    if partition_rows(inst["partition"], net) != rows:
        raise CheckFailed(
            f"partition {ascii(inst['partition'])[:30]} does not have the rows {rows}"
        )
    if not (positive(s, MAX_ENTRIES) and positive(Z, MAX_ENTRIES)) or s <= Z:
        raise CheckFailed(f"T4 needs a certified rank s > Z; got s = {s!r}, Z = {Z!r}")
    cut = claimed.get("cut_bound", {}).get("cut")
    return [
        {"kind": "covering", "network": "arch"},
        {"kind": "grid_equals", "network": "arch", "entries": claimed["grid_equals"]["entries"]},
        {"kind": "rank", "network": "arch", "rows": rows, "rank": s},
        {"kind": "cut_bound", "network": "arch", "rows": rows, "cut": cut, "bound": s},
    ]


def bracket(nets: Networks, inst: Instance, claimed: dict[Any, Claim], lower: Any) -> list[Claim]:
    """The two claims of a bracket lower <= rank*(I) <= upper on network "net" (with its
    weights: the point of the lower bound): a non-singular minor of size ``lower`` at the
    network's weights, then the upper bound the instance names (BOUNDS) equal to "upper"."""
    net, rows, upper = nets["net"], inst["rows"], inst["upper"]
    if "weights" not in net:
        raise CheckFailed("the network must carry weights: the point of the lower bound")
    split(rows, inst["N"])
    if rows != sorted(rows):
        raise CheckFailed("instance rows must be listed in increasing order")
    if not isinstance(upper, int) or isinstance(upper, bool) or upper < 0:
        raise CheckFailed("instance upper must be a non-negative integer")
    if lower > upper:
        raise CheckFailed(f"contradiction: the lower bound {lower} exceeds the upper bound {upper}")
    if not isinstance(inst["bound"], str) or inst["bound"] not in BOUNDS:
        raise CheckFailed(f"bound must be one of {sorted(BOUNDS)}")
    minor = claimed.get("minor", {})
    kind = BOUNDS[inst["bound"]]
    upper_claim = {"kind": kind, "network": "net", "rows": rows, "bound": upper}
    if kind == "cut_bound":
        upper_claim["cut"] = claimed.get("cut_bound", {}).get("cut")
    return [
        {
            "kind": "minor",
            "network": "net",
            "rows": rows,
            "row_tuples": minor.get("row_tuples"),
            "col_tuples": minor.get("col_tuples"),
            "prime": minor.get("prime"),
            "rank": lower,
        },
        upper_claim,
    ]


def separation_claims(nets: Networks, inst: Instance, claimed: dict[Any, Claim]) -> list[Claim]:
    """A separation bracket for one partition of a user's network: lower <= rank*(I) <=
    upper, rank*(I) the largest rank of [G]_{I,J} over all weights (a rank reached at the
    certificate's weights bounds it below; the named bound holds for all weights);
    "certified" when lower == upper."""
    if inst["operator"] != nets["net"]["operator"]:
        raise CheckFailed("separation instance disagrees with its network's operator")
    return bracket(nets, inst, claimed, inst["lower"])


def t4_network_claims(nets: Networks, inst: Instance, claimed: dict[Any, Claim]) -> list[Claim]:
    """T4 on a user's product network: rank [G]_{I,J} >= rank at the certificate's weights
    while every shallow ConvAC of width Z has rank <= Z across every partition (its grid is a
    sum of Z rank-one tensors); rank > Z >= 1 puts the network beyond every such shallow one
    (for almost all weights: a non-zero minor is a non-zero polynomial in the weights)."""
    if nets["net"]["operator"] != "product":
        raise CheckFailed("T4 on a network is about product networks")
    Z, s = inst["Z"], inst["rank"]
    if not (Z >= 1 and s > Z):
        raise CheckFailed(f"T4 needs a certified rank s > Z >= 1; got s = {s!r}, Z = {Z!r}")
    return bracket(nets, inst, claimed, s)


def t5_claims(nets: Networks, inst: Instance, claimed: dict[Any, Claim]) -> list[Claim]:
    """T5: the deep max witness of widths (M + 1, 2, ..., 2) has the pairwise-equality grid,
    whose odd-even rank is M^(N/2)."""
    N, M = inst["N"], inst["M"]
    require(nets, "witness", "max", "deep")
    if nets["witness"]["widths"] != [M + 1] + [2] * (len(nets["witness"]["widths"]) - 1):
        raise CheckFailed("T5 witness must have polynomial width r_0 = M + 1, r_l = 2")
    return [
        {"kind": "covering", "network": "witness"},
        {"kind": "grid_is_pair_indicator", "network": "witness"},
        {"kind": "rank", "network": "witness", "rows": odd_rows(N), "rank": M ** (N // 2)},
    ]


def t5_lemma_claims(nets: Networks, inst: Instance, claimed: dict[Any, Claim]) -> list[Claim]:
    """T5 lemma: each shallow max network of Z channels has odd-even rank <= Z·min(|I|,|J|)·M."""
    N, odd = inst["N"], odd_rows(inst["N"])
    bound = inst["Z"] * min(len(odd), N - len(odd)) * inst["M"]
    for name in nets:
        require(nets, name, "max", "shallow")
        if nets[name]["widths"] != [inst["Z"]]:
            raise CheckFailed(f"lemma network {name!r} must have Z = {inst['Z']}")
    return [{"kind": "rank_at_most", "network": name, "rows": odd, "bound": bound} for name in nets]


def t6_claims(nets: Networks, inst: Instance, claimed: dict[Any, Claim]) -> list[Claim]:
    """T6: on an open region the deep max network equals a shallow one of Z = 1 (a symbolic
    identity), and both grids at the region's interior point are the claimed entries."""
    require(nets, "deep", "max", "deep")
    require(nets, "shallow", "max", "shallow")
    if nets["shallow"]["widths"] != [1]:
        raise CheckFailed("T6 compares with a shallow max network of Z = 1")
    if inst["N"] > MAX_SYMBOLIC_N or max(nets["deep"]["widths"]) > MAX_SYMBOLIC_WIDTH:
        raise CheckFailed(
            f"symbolic claims are checked for N <= {MAX_SYMBOLIC_N} and widths <= "
            f"{MAX_SYMBOLIC_WIDTH}"
        )
    identity = claimed["identity_in_region"]
    entries = claimed["grid_equals"]["entries"]
    if [inst["live"], inst["widths"]] != [identity["live"], nets["deep"]["widths"]]:
        raise CheckFailed("T6 instance disagrees with its network or live channel")
    return [
        {
            "kind": "identity_in_region",
            "network": "deep",
            "live": identity["live"],
            "region": identity["region"],
        },
        {"kind": "grid_equals", "network": "deep", "entries": entries},
        {"kind": "grid_equals", "network": "shallow", "entries": entries},
    ]


def t7_claims(nets: Networks, inst: Instance, claimed: dict[Any, Claim]) -> list[Claim]:
    """T7: F = relu(t_i - b_d) of the instance's templates; covering (F non-singular, leaf
    vectors F·a, grid as claimed) or, for a non-covering instance, an exact null vector."""
    templates = {
        "kind": "templates",
        "network": "net",
        "templates": inst["templates"],
        "biases": inst["biases"],
    }
    if inst["operator"] != nets["net"]["operator"]:
        raise CheckFailed("T7 instance disagrees with its network's operator")
    if nets["net"]["format"] != "symtd-network/1" or nets["net"]["architecture"] != "deep":
        raise CheckFailed("T7 instance disagrees with its network's architecture (deep)")
    if not isinstance(inst["covering"], bool):
        raise CheckFailed("T7 instance covering must be true or false")
    if not inst["covering"]:
        return [
            templates,
            {"kind": "singular", "network": "net", "null": claimed["singular"]["null"]},
        ]
    return [
        templates,
        {"kind": "covering", "network": "net"},
        {
            "kind": "leaf_vectors",
            "network": "net",
            "vectors": claimed["leaf_vectors"]["vectors"],
        },
        {"kind": "grid_equals", "network": "net", "entries": claimed["grid_equals"]["entries"]},
    ]


T4_GENERAL_KEYS = frozenset(
    {"architecture", "operator", "N", "M", "r", "seed", "shared", "partition", "rows", "rank", "Z"}
)


def _named(inst: Instance) -> set[Any]:
    return {inst.get("architecture")}


THEOREMS: dict[str, Theorem] = {
    "T1": Theorem(
        frozenset({"architecture", "operator", "N", "M", "target"}),
        {"operator": "product"},
        _named,
        universality("T1", "product", 0),
    ),
    "T2": Theorem(
        frozenset({"architecture", "operator", "N", "M", "target"}),
        {"operator": "max"},
        _named,
        universality("T2", "max", 1),
    ),
    "T3": Theorem(
        frozenset({"N", "M", "architecture", "operator", "widths", "rows"}),
        {},
        lambda inst: {"net"},
        t3_claims,
    ),
    "T4": Theorem(
        frozenset({"architecture", "operator", "N", "M", "r", "seed"}),
        {"architecture": "deep", "operator": "product"},
        lambda inst: {"deep"},
        t4_claims,
        PROVENANCE,
    ),
    "T4 recurrent": Theorem(
        T4_GENERAL_KEYS,
        {"operator": "product"},
        lambda inst: {"arch"},
        t4_general_claims,
        PROVENANCE,
    ),
    "T4 overlapping": Theorem(
        T4_GENERAL_KEYS | {"kernel", "stride"},
        {"operator": "product"},
        lambda inst: {"arch"},
        t4_general_claims,
        PROVENANCE,
    ),
    "T4 network": Theorem(
        frozenset(
            {"architecture", "operator", "N", "M", "Z", "rows", "rank", "upper", "bound", "seed"}
        ),
        {"architecture": "network", "operator": "product"},
        lambda inst: {"net"},
        t4_network_claims,
        PROVENANCE,
    ),
    "T3 network": Theorem(
        frozenset({"N", "M", "architecture", "operator", "widths", "rows"}),
        {"architecture": "network"},
        lambda inst: {"net"},
        t3_network_claims,
    ),
    "separation": Theorem(
        frozenset({"N", "M", "operator", "rows", "lower", "upper", "bound", "seed"}),
        {},
        lambda inst: {"net"},
        separation_claims,
        PROVENANCE,
    ),
    "T5": Theorem(
        frozenset({"architecture", "operator", "N", "M"}),
        {"architecture": "deep", "operator": "max"},
        lambda inst: {"witness"},
        t5_claims,
    ),
    "T5 lemma": Theorem(
        frozenset({"architecture", "operator", "N", "M", "Z", "part", "count"}),
        {"architecture": "shallow", "operator": "max", "part": "lemma"},
        lambda inst: {f"net{k}" for k in range(inst["count"])},
        t5_lemma_claims,
    ),
    "T6": Theorem(
        frozenset({"architecture", "operator", "N", "M", "widths", "live", "seed"}),
        {"architecture": "deep", "operator": "max"},
        lambda inst: {"deep", "shallow"},
        t6_claims,
        PROVENANCE,
    ),
    "T7": Theorem(
        frozenset({"architecture", "N", "M", "templates", "biases", "operator", "covering"}),
        {"architecture": "deep"},
        lambda inst: {"net"},
        t7_claims,
    ),
}
