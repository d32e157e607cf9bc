"""Independent checker for symtd certificates: a small trusted path.

It re-verifies a certificate from its data alone and shares no code with the generator
(it imports nothing from symtd, and only the standard library): its own strict JSON reading
(duplicate keys and over-long numbers refused; ``symtd.checker.reader``), its own validating
reader of network documents (formats v1 and v2; ``symtd.checker.networks``), one plain
forward recursion over the circuit in Fractions (each node evaluated once per assignment of
templates to its positions), its own exact rank (fraction-free elimination over Q), its own
check of min-cut bounds on the circuit's tensor network, and its own canonical algebra for the
symbolic claims (T3, T6), single grid entries by a forward pass at one template tuple (for
the minors of separation certificates, whose networks are never expanded to a grid, so M^N
is not limited there) and proven primes for minors checked modulo a prime
(``symtd.checker.arithmetic``). Each claim kind has one verifier,
dispatched through the table ``CLAIMS`` (``symtd.checker.claims``); each theorem instance
names the claims it needs through the table ``THEOREMS`` (``symtd.checker.theorems``). It
refuses work beyond explicit cost limits (LIMITS) instead of running long.

Every field of a certificate is either recomputed or compared with something recomputed,
except an instance's ``seed``: it is provenance (which random draw symtd used to find the
weight point). The weight point itself is in the certificate and every claim is checked at it,
so the verdict never depends on the seed, and changing it cannot make a false claim pass.
"""

from __future__ import annotations

from typing import Any

from .arithmetic import (
    RATIONAL,
    Circuit,
    Rational,
    Symbolic,
    entry,
    f_rank,
    forward,
    grid,
    is_prime,
    matrix,
    minor_entries,
    minor_work,
    pool,
    rank,
    rank_cost,
    rank_mod,
    separates,
    split,
    tensor_network,
)
from .claims import (
    CLAIMS,
    GRID_CLAIMS,
    minor_cost,
    verify_covering,
    verify_cut_bound,
    verify_grid_equals,
    verify_grid_is_pair_indicator,
    verify_identity_in_region,
    verify_leaf_vectors,
    verify_matrix_size,
    verify_max_lemma,
    verify_minor,
    verify_rank,
    verify_rank_at_most,
    verify_separable,
    verify_singular,
    verify_split_bound,
    verify_templates,
    verify_unreachable_target,
)
from .networks import (
    OPERATORS,
    expected_levels,
    expected_nodes,
    layer0,
    levels_of,
    partition_rows,
    scopes_of,
    structure,
    template_matrix,
    validate,
    weight_at,
)
from .reader import (
    FORMAT,
    LIMITS,
    MAX_DIGITS,
    MAX_ENTRIES,
    MAX_FILE_WORK,
    MAX_KERNEL,
    MAX_MINOR_ELIMINATION,
    MAX_MINOR_WORK,
    MAX_NETWORKS,
    MAX_NODES,
    MAX_RANK_WORK,
    MAX_SYMBOLIC_N,
    MAX_SYMBOLIC_TUPLES,
    MAX_SYMBOLIC_WIDTH,
    MAX_WIDTH,
    MAX_WORK,
    MINOR_GROWTH,
    CheckFailed,
    loads,
    number,
    same,
)
from .theorems import BOUNDS, PER_ENTRY, PROVENANCE, THEOREMS, needed_claims, schema, variant

__all__ = [
    "BOUNDS",
    "CLAIMS",
    "FORMAT",
    "GRID_CLAIMS",
    "LIMITS",
    "MAX_DIGITS",
    "MAX_ENTRIES",
    "MAX_FILE_WORK",
    "MAX_KERNEL",
    "MAX_MINOR_ELIMINATION",
    "MAX_MINOR_WORK",
    "MAX_NETWORKS",
    "MAX_NODES",
    "MAX_RANK_WORK",
    "MAX_SYMBOLIC_N",
    "MAX_SYMBOLIC_TUPLES",
    "MAX_SYMBOLIC_WIDTH",
    "MAX_WIDTH",
    "MAX_WORK",
    "MINOR_GROWTH",
    "OPERATORS",
    "PER_ENTRY",
    "PROVENANCE",
    "RATIONAL",
    "THEOREMS",
    "CheckFailed",
    "Circuit",
    "Rational",
    "Symbolic",
    "check",
    "cost",
    "entry",
    "expected_levels",
    "expected_nodes",
    "f_rank",
    "forward",
    "grid",
    "is_prime",
    "layer0",
    "levels_of",
    "loads",
    "matrix",
    "minor_cost",
    "minor_entries",
    "minor_work",
    "needed_claims",
    "number",
    "partition_rows",
    "per_entry",
    "pool",
    "precheck",
    "rank",
    "rank_cost",
    "rank_mod",
    "same",
    "schema",
    "scopes_of",
    "separates",
    "split",
    "structure",
    "summary",
    "template_matrix",
    "tensor_network",
    "validate",
    "variant",
    "verify",
    "verify_covering",
    "verify_cut_bound",
    "verify_grid_equals",
    "verify_grid_is_pair_indicator",
    "verify_identity_in_region",
    "verify_leaf_vectors",
    "verify_matrix_size",
    "verify_max_lemma",
    "verify_minor",
    "verify_rank",
    "verify_rank_at_most",
    "verify_separable",
    "verify_singular",
    "verify_split_bound",
    "verify_templates",
    "verify_unreachable_target",
    "weight_at",
]

CERTIFICATE_KEYS = {"format", "theorem", "instance", "networks", "claims"}


def check(cert: Any) -> bool:
    """Re-verify a certificate (dict); True when every claim holds, CheckFailed on the first
    failure.

    The claims must be exactly those the theorem instance needs (with the values the
    theorem predicts), and each is recomputed here by its verifier in CLAIMS. Malformed data,
    unknown keys and work beyond LIMITS fail the check too.
    """
    try:
        return verify(cert)
    except CheckFailed:
        raise
    except (
        KeyError,
        IndexError,
        TypeError,
        ValueError,
        AttributeError,
        ZeroDivisionError,
        RecursionError,
        OverflowError,
    ) as exc:
        raise CheckFailed(
            f"malformed certificate: {type(exc).__name__}: {ascii(str(exc))[:80]}"
        ) from None


def verify(cert: Any) -> bool:
    """:func:`precheck`, then each claim by its verifier (the grid computed once per network);
    errors other than CheckFailed propagate (:func:`check` turns them into CheckFailed)."""
    precheck(cert)
    grids = {}
    for claim in cert["claims"]:
        name = claim.get("network")
        net = cert["networks"].get(name)
        if claim["kind"] in GRID_CLAIMS and name not in grids:
            if "weights" not in net:
                raise CheckFailed(f"network {name!r} has no weights: its grid is not defined")
            grids[name] = grid(net)
        if claim["kind"] in ("rank", "rank_at_most"):
            rank_cost(net["N"], net["M"], claim["rows"], grids[name].values())
        CLAIMS[claim["kind"]](claim, net, grids.get(name), cert)
    return True


def precheck(cert: Any) -> None:
    """Everything but the recomputation: the certificate's form, its networks' structure and
    cost, the claims its theorem needs, and the cost of each exact rank (entry sizes read
    from the claimed grid). Raises CheckFailed; symtd's prove runs it on what it writes."""
    if not isinstance(cert, dict) or cert.get("format") != FORMAT:
        raise CheckFailed(f"format must be {FORMAT!r}")
    if set(cert) != CERTIFICATE_KEYS:
        raise CheckFailed(f"a certificate has exactly the keys {sorted(CERTIFICATE_KEYS)}")
    if not isinstance(cert["networks"], dict) or not isinstance(cert["claims"], list):
        raise CheckFailed("networks must be an object and claims a list")
    if len(cert["networks"]) > MAX_NETWORKS:
        raise CheckFailed(f"more than {MAX_NETWORKS} networks")
    whole = not per_entry(cert)
    for name, net in cert["networks"].items():
        validate(net, name, whole_grid=whole)
    if not same(cert["claims"], needed_claims(cert)):
        raise CheckFailed("the claims are not those the theorem instance needs")
    N, M = cert["instance"]["N"], cert["instance"]["M"]
    for name, net in cert["networks"].items():
        if (net["N"], net["M"]) != (N, M):
            raise CheckFailed(f"network {name!r} does not match the instance's N and M")
    claimed = {
        c.get("network"): c["entries"]
        for c in cert["claims"]
        if c["kind"] in ("grid_equals", "unreachable_target")
    }
    for claim in cert["claims"]:
        if claim["kind"] in ("rank", "rank_at_most", "unreachable_target"):
            entries = claimed.get(claim.get("network"), ["1"])
            rank_cost(N, M, claim["rows"], (number(x) for x in entries))
        if claim["kind"] == "minor":
            minor_cost(claim, cert["networks"][claim["network"]])


def per_entry(cert: Any) -> bool:
    """Whether the certificate's networks are only evaluated at single template tuples
    (the instances in PER_ENTRY: their grids are never built, so M^N is not limited)."""
    try:
        return variant(cert.get("theorem"), cert.get("instance")) in PER_ENTRY
    except CheckFailed:
        return False  # refused later, by the schema


def summary(cert: Any) -> str:
    """One line saying what a certificate proves (call it once :func:`check` has passed):
    "rank* = r (certified)" or "l <= rank* <= u" for a separation bracket (rank* the largest
    rank of [G]_{I,J} over all weights), "rank* >= s > Z" for T4 on a network, else the
    theorem's name."""
    if not isinstance(cert, dict):
        return "?"
    inst: Any = cert.get("instance")
    name = per_entry(cert) and variant(cert.get("theorem"), inst)
    if name == "separation":
        lower, upper = inst["lower"], inst["upper"]
        return f"rank* = {lower} (certified)" if lower == upper else f"{lower} <= rank* <= {upper}"
    if name == "T4 network":
        return (
            f"rank* >= {inst['rank']} > Z = {inst['Z']}: beyond every shallow ConvAC of "
            f"width {inst['Z']}"
        )
    theorem = cert.get("theorem")
    return f"{ascii(theorem)[1:-1][:20]} holds" if isinstance(theorem, str) else "?"


def cost(certificates: list[Any]) -> int:
    """Refuse (ValueError) a list of certificates whose networks (and minors) together need
    more forward work than MAX_FILE_WORK, so that checking a whole file stays bounded too;
    returns the total."""
    total = 0
    for cert in certificates:
        whole = not per_entry(cert)
        for name, net in (
            cert.get("networks", {}).items() if isinstance(cert.get("networks"), dict) else ()
        ):
            try:
                total += validate(net, name, whole_grid=whole)
            except CheckFailed:
                total += 0  # refused later, when that certificate is checked
        for claim in cert.get("claims", []) if isinstance(cert.get("claims"), list) else ():
            if not isinstance(claim, dict) or claim.get("kind") != "minor":
                continue
            try:
                total += minor_work(
                    cert["networks"][claim["network"]],
                    claim["rows"],
                    len(claim["row_tuples"]),
                )
            except (CheckFailed, KeyError, TypeError, ValueError, AttributeError, IndexError):
                total += 0  # not a well-formed minor claim: refused when checked
    if total > MAX_FILE_WORK:
        raise ValueError(
            f"the certificates need {total} multiply-adds in all, more than one check "
            f"does ({MAX_FILE_WORK}); split the file"
        )
    return total
