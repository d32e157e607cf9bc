"""The checker's separation certificates: the "minor" lower bound (a non-singular r×r submatrix
recomputed entry by entry, exactly or modulo a proven prime), the upper bounds for all weights
(min-cut with leg capacities rank F, matrix size, sum/avg split, max lemma), and the theorem
instances "separation", "T4 network" and "T3 network" — valid certificates accepted, tampered
ones rejected each with its own message, work beyond the limits refused before it starts."""

from __future__ import annotations

import copy
import itertools
import random
from fractions import Fraction
from typing import Any

import pytest
from forgeries import (
    FORGERIES,
    deep_product,
    point,
    separation,
    true_rank,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import symtd
from symtd import checker
from symtd.checker import CheckFailed, check

Cert = dict[str, Any]


def rejected(cert: Cert, message: str) -> None:
    with pytest.raises(CheckFailed, match=message):
        check(cert)


# -- valid certificates ------------------------------------------------------------------------
@pytest.mark.parametrize("prime", [None, 1_000_003, 2**61 - 1])
def test_deep_product_odd_even_minor_with_its_cut(prime: int | None) -> None:
    cert = deep_product(prime)
    assert check(cert)
    assert checker.summary(cert) == "rank* = 4 (certified)"


def test_a_cut_below_the_matrix_size_and_a_16_by_16_minor_mod_p() -> None:
    """Deep product N=8, M=3, widths 2: odd-even rank 2^4 = 16 < 81, cut through n0..n3."""
    net = point(symtd.deep(8, 3, 2))
    cut = [["vertex", f"n{k}"] for k in range(4)]
    cert = separation(net, [0, 2, 4, 6], "min-cut", 16, cut=cut, prime=2**31 - 1)
    assert check(cert)
    assert checker.summary(cert) == "rank* = 16 (certified)"


def test_shallow_max_bracketed_by_the_max_lemma() -> None:
    net = point(symtd.shallow(4, 3, 1, "max"))
    cert = separation(net, [0, 2], "max lemma", 1 * 2 * 3)
    assert check(cert)
    lower = cert["instance"]["lower"]
    assert 1 <= lower < 6 and checker.summary(cert) == f"{lower} <= rank* <= 6"


def test_avg_root_split_certified_two_by_the_split_bound() -> None:
    net = point(symtd.deep(4, 2, 2, "avg"))
    assert check(separation(net, [0, 1], "sum/avg split", 2))


def test_matrix_size_bound_certifies_a_full_rank_matricization() -> None:
    assert check(separation(point(symtd.deep(4, 2, 2)), [0, 2], "matrix size", 4))


SINGULAR_F = [["1", "0", "0"], ["0", "1", "0"], ["1", "1", "0"]]  # rank 2


def test_a_singular_f_makes_the_min_cut_smaller() -> None:
    """rank F = 2: each leg has capacity 2, so cutting the I-legs x0, x2 bounds the odd-even
    rank by 4 < 9 (the node cut n0, n1 still says 9), and rank 4 is reached."""
    net = point(symtd.deep(4, 3, 3), F=SINGULAR_F)
    vertices, edges = checker.tensor_network(net)
    assert vertices["x0"] == 2 and edges[frozenset(("x0", "n0"))] == 2 and vertices["n0"] == 3
    cert = separation(net, [0, 2], "min-cut", 4, cut=[["vertex", "x0"], ["vertex", "x2"]])
    assert check(cert) and cert["instance"]["lower"] == 4


def test_a_capacity_that_ignores_rank_f_is_rejected() -> None:
    net = point(symtd.deep(4, 3, 3), F=SINGULAR_F)
    cert = separation(net, [0, 2], "min-cut", 9, cut=[["vertex", "x0"], ["vertex", "x2"]])
    rejected(cert, "multiply to 4, not 9")


def test_past_the_grid_deep_product_n64_low_high_certified_two() -> None:
    """N = 64, M = 2: 2^64 grid entries, never built; a 2×2 minor at single tuples and the
    root edge to its first member (capacity 2)."""
    net = point(symtd.deep(64, 2, 2))
    rows, draw = list(range(32)), random.Random(5)
    root = len(net["nodes"]) - 1
    first = net["nodes"][root]["pool"][0][0]
    for _ in range(20):
        tuples = [[[draw.randrange(2) for _ in range(32)] for _ in range(2)] for _ in range(2)]
        if checker.rank(checker.minor_entries(net, rows, *tuples)) == 2:
            break
    cert = separation_from(net, rows, tuples, "min-cut", 2, [["edge", f"n{root}", first]])
    assert check(cert) and checker.summary(cert) == "rank* = 2 (certified)"
    with pytest.raises(CheckFailed, match="grid entries"):
        checker.validate(net, "net")  # the whole grid is refused ...
    assert checker.validate(net, "net", whole_grid=False) < checker.MAX_WORK  # ... one tuple not


def separation_from(
    net: dict[str, Any],
    rows: list[int],
    tuples: list[list[list[int]]],
    bound: str,
    upper: int,
    cut: list[list[str]] | None = None,
) -> Cert:
    """A separation certificate on given minor tuples (no grid needed)."""
    cert = separation(point(symtd.deep(4, 2, 2)), [0, 2], bound, upper, cut=cut)
    cert["networks"]["net"] = net
    cert["instance"].update(N=net["N"], M=net["M"], rows=rows, lower=len(tuples[0]))
    minor, bound_claim = cert["claims"]
    minor.update(rows=rows, row_tuples=tuples[0], col_tuples=tuples[1], rank=len(tuples[0]))
    bound_claim["rows"] = rows
    return cert


# -- tampered certificates, each with its own message -------------------------------------------
def test_a_repeated_row_tuple_is_rejected() -> None:
    cert = deep_product()
    minor = cert["claims"][0]
    minor["row_tuples"][1] = list(minor["row_tuples"][0])
    rejected(cert, "twice")


def test_a_minor_at_a_rank_deficient_point_is_rejected() -> None:
    rejected(FORGERIES["separation minor at a rank-deficient point"].certificate(), "rank 2 mod")


def test_a_rank_claimed_one_above_is_rejected() -> None:
    rejected(FORGERIES["separation minor one above the rank"].certificate(), "rank 4 over Q")


@pytest.mark.parametrize(
    "prime",
    [91, 3215031751, 3825123056546413051, 2, 1, 0, -7, 2**64 + 13, True, "1000003", 7.0],
)
def test_a_number_that_is_not_a_prime_in_range_is_rejected(prime: Any) -> None:
    cert = deep_product(1_000_003)
    cert["claims"][0]["prime"] = prime
    rejected(cert, "is not a prime")


def test_a_prime_dividing_a_denominator_is_rejected() -> None:
    cert = deep_product(7)
    output = cert["networks"]["net"]["weights"]["output"]
    output[:] = [f"{x}/7" for x in output]
    rejected(cert, "divides the denominator")
    cert["claims"][0]["prime"] = 1_000_003
    assert check(cert)  # the same point, a prime that keeps every entry defined


def test_forged_bounds_are_rejected_each_by_its_own_verifier() -> None:
    for name, message in [
        ("separation cut does not separate", "does not separate"),
        ("separation matrix size misstated", "matrix size bound is 4, not 3"),
        ("separation split cutting a root member", "positions in both I and J"),
        ("separation max lemma on a deep network", "shallow max circuits"),
    ]:
        rejected(FORGERIES[name].certificate(), message)


def test_lower_above_upper_is_a_contradiction() -> None:
    cert = deep_product()
    cert["instance"]["upper"] = cert["claims"][1]["bound"] = 3
    rejected(cert, "contradiction")


@pytest.mark.parametrize(
    "where, key, value",
    [
        ("minor", "rank", 3),
        ("minor", "rows", [1, 3]),
        ("bound", "rows", [1, 3]),
        ("bound", "bound", 5),
        ("minor", "network", "other"),
    ],
)
def test_a_claim_that_differs_from_its_instance_is_rejected(
    where: str, key: str, value: Any
) -> None:
    cert = deep_product()
    cert["claims"][0 if where == "minor" else 1][key] = value
    rejected(cert, "not those the theorem instance needs")


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("operator", "max", "disagrees"),
        ("bound", "Min-cut", "bound must be one of"),
        ("rows", [2, 0], "increasing order"),
        ("rows", [0, 4], "not distinct positions"),
        ("upper", -1, "non-negative"),
        ("lower", True, "non-negative integer"),
    ],
)
def test_an_instance_that_lies_is_rejected(key: str, value: Any, message: str) -> None:
    cert = deep_product()
    cert["instance"][key] = value
    rejected(cert, message)


def test_a_network_without_weights_has_no_point_for_the_lower_bound() -> None:
    cert = deep_product()
    del cert["networks"]["net"]["weights"]
    rejected(cert, "must carry weights")


def test_a_minor_beyond_the_elimination_limit_is_refused_before_any_work() -> None:
    cert = deep_product()
    minor = cert["claims"][0]
    minor["row_tuples"] = minor["col_tuples"] = [[0, 0]] * 400
    minor["rank"] = cert["instance"]["lower"] = 400
    cert["instance"]["upper"] = cert["claims"][1]["bound"] = 400
    rejected(cert, "eliminating a 400×400 minor")


def test_a_minor_beyond_the_entry_work_limit_is_refused_before_any_work() -> None:
    net = point(symtd.deep(16, 3, 8))
    tuples = [[[0] * 8] * 300, [[1] * 8] * 300]
    cert = separation_from(net, list(range(0, 16, 2)), tuples, "matrix size", 3**8)
    rejected(cert, "multiply-adds, more than this checker does")
    with pytest.raises(ValueError, match="split the file"):
        checker.cost([cert] * 5)  # a file of them is priced too


def test_a_minor_whose_numbers_grow_too_long_is_refused_as_it_grows() -> None:
    """3,000-digit weights: the entries reach about 300,000 bits; the size-weighted work
    passes its limit after a few dozen evaluations of the root."""
    net = point(symtd.deep(16, 2, 2))
    draw = random.Random(3)

    def inflate(v: Any) -> Any:
        return [inflate(x) for x in v] if isinstance(v, list) else str(draw.randint(1, 10**3000))

    net["weights"] = {k: inflate(v) for k, v in net["weights"].items()}
    tuples = [[list(t) for t in itertools.product(range(2), repeat=8)][:16]] * 2
    cert = separation_from(net, list(range(0, 16, 2)), tuples, "matrix size", 256)
    rejected(cert, "grow to .*-bit numbers")


# -- T4 and T3 on a user's network ------------------------------------------------------------
def t4_network(Z: int) -> Cert:
    cert = deep_product()
    inst = cert["instance"]
    cert["theorem"] = "T4"
    cert["instance"] = {
        "architecture": "network",
        "operator": "product",
        "N": 4,
        "M": 2,
        "Z": Z,
        "rows": inst["rows"],
        "rank": inst["lower"],
        "upper": inst["upper"],
        "bound": inst["bound"],
        "seed": 1,
    }
    return cert


def test_t4_on_a_network_proves_a_rank_beyond_a_shallow_width() -> None:
    assert check(t4_network(3))
    assert checker.summary(t4_network(3)).startswith("rank* >= 4 > Z = 3")
    rejected(t4_network(4), "rank s > Z")
    rejected(t4_network(0), "rank s > Z")
    cert = t4_network(3)
    cert["networks"]["net"]["operator"] = cert["instance"]["operator"] = "max"
    rejected(cert, "product")


def t3_network(version: int, rows: list[int]) -> Cert:
    net = symtd.network_to_dict(symtd.deep(4, 2, 2, "sum"), weights=False, version=version)
    target = [
        str(int(d[0] == d[2] and d[1] == d[3])) for d in itertools.product(range(2), repeat=4)
    ]
    widths = [n["width"] for n in net["nodes"]] if version == 2 else net["widths"]
    return {
        "format": checker.FORMAT,
        "theorem": "T3",
        "instance": {
            "architecture": "network",
            "N": 4,
            "M": 2,
            "operator": "sum",
            "widths": widths,
            "rows": rows,
        },
        "networks": {"net": net},
        "claims": [
            {"kind": "separable", "network": "net", "rows": rows},
            {"kind": "unreachable_target", "rows": rows, "entries": target, "rank": 4},
        ],
    }


@pytest.mark.parametrize("version", [1, 2])
def test_t3_on_a_network_at_its_root_split(version: int) -> None:
    assert check(t3_network(version, [0, 1]))
    rejected(t3_network(version, [0, 2]), "root split")


# -- properties ----------------------------------------------------------------------------------
CIRCUITS = st.sampled_from(
    [
        ("deep", 4),
        ("shallow", 3),
        ("mirror", 4),
        ("recurrent", 4),
    ]
)


def random_network(
    kind: str, N: int, M: int, op: str, seed: int, singular: bool, v1: bool = False
) -> dict:
    builders = {
        "deep": lambda: symtd.deep(N, M, 2, op),
        "shallow": lambda: symtd.shallow(N, M, 2, op),
        "mirror": lambda: symtd.mirror(N, M, 2, op),
        "recurrent": lambda: symtd.recurrent(N, M, 2, op),
    }
    F = None
    if singular:  # rank F = M - 1 (first row repeated), with a fraction in it
        rows = [
            [str(Fraction(random.Random(seed + i).randint(-3, 3), 2)) for _ in range(M)]
            for i in range(M)
        ]
        F = [rows[0]] + rows[1:-1] + [rows[0]] if M > 1 else [["0"]]
    if v1 and kind != "recurrent":
        net = symtd.network_to_dict(builders[kind]().at_random_point(seed, 50), version=1)
        return dict(net, F=F) if F is not None else net
    return point(builders[kind](), seed, F=F)


@settings(max_examples=20, deadline=None)
@given(
    CIRCUITS,
    st.integers(2, 3),
    st.sampled_from(["product", "max", "sum", "avg"]),
    st.integers(0, 10**6),
    st.booleans(),
    st.booleans(),
)
def test_an_entry_by_its_own_forward_pass_is_the_grid_entry(
    circuit: tuple[str, int], M: int, op: str, seed: int, singular: bool, v1: bool
) -> None:
    net = random_network(*circuit, M, op, seed, singular, v1)
    G = checker.grid(net)
    for d in random.Random(seed).sample(sorted(G), 6):
        assert checker.entry(net, d) == G[d]


@settings(max_examples=12, deadline=None)
@given(
    CIRCUITS,
    st.sampled_from(["product", "max", "sum", "avg"]),
    st.integers(0, 10**6),
    st.sampled_from([None, 1_000_003]),
    st.data(),
)
def test_the_full_minor_is_accepted_and_one_more_tuple_is_not(
    circuit: tuple[str, int], op: str, seed: int, prime: int | None, data: st.DataObject
) -> None:
    """At a random point and partition: the rank's minor with the matrix size passes; any
    minor one larger (two tuples appended) is singular, so it fails."""
    kind, N = circuit
    net = random_network(kind, N, 2, op, seed, False)
    rows = sorted(data.draw(st.sets(st.integers(0, N - 1), min_size=1, max_size=N - 1)))
    size = 2 ** min(len(rows), N - len(rows))
    cert = separation(net, rows, "matrix size", size, prime=prime)
    r = cert["instance"]["lower"]
    assert r == true_rank(cert, "net", rows) and check(cert)
    minor = cert["claims"][0]
    extra = [
        next(list(t) for t in itertools.product(range(2), repeat=n) if list(t) not in half)
        for half, n in ((minor["row_tuples"], len(rows)), (minor["col_tuples"], N - len(rows)))
        if len(half) < 2**n
    ]
    if len(extra) < 2:
        return  # the minor already spans every row or every column: nothing larger exists
    bigger = copy.deepcopy(cert)
    bigger["claims"][0]["row_tuples"].append(extra[0])
    bigger["claims"][0]["col_tuples"].append(extra[1])
    bigger["claims"][0]["rank"] = bigger["instance"]["lower"] = r + 1
    bigger["instance"]["upper"] = bigger["claims"][1]["bound"] = max(size, r + 1)
    with pytest.raises(CheckFailed):
        check(bigger)


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(["product", "max", "avg"]),
    st.integers(0, 10**6),
    st.sampled_from(["row_tuples", "col_tuples"]),
    st.integers(0, 3),
    st.integers(0, 1),
    st.sampled_from([None, 5, 1_000_003]),
)
def test_a_changed_tuple_passes_only_when_its_minor_is_really_non_singular(
    op: str, seed: int, half: str, which: int, position: int, prime: int | None
) -> None:
    """One template of the minor changed: the checker's verdict equals the truth, computed
    from the whole grid (the r×r submatrix's rank over Q, or mod p)."""
    net = random_network("deep", 4, 2, op, seed, False)
    cert = separation(net, [0, 2], "matrix size", 4, prime=prime)
    minor = cert["claims"][0]
    if which >= len(minor[half]):
        return
    minor[half][which][position] ^= 1
    A = checker.matrix(checker.grid(net), 4, 2, [0, 2])
    index = {(a, b): 2 * a + b for a in range(2) for b in range(2)}
    sub = [
        [A[index[tuple(p)]][index[tuple(q)]] for q in minor["col_tuples"]]
        for p in minor["row_tuples"]
    ]
    distinct = all(
        len({tuple(t) for t in minor[h]}) == len(minor[h]) for h in ("row_tuples", "col_tuples")
    )
    if prime is None:
        true = distinct and checker.rank(sub) == len(sub)
    else:
        units = all(x.denominator % prime for row in sub for x in row)
        reduced = (
            [[x.numerator * pow(x.denominator, -1, prime) % prime for x in row] for row in sub]
            if units
            else []
        )
        true = distinct and units and checker.rank_mod(reduced, prime) == len(sub)
    try:
        assert check(cert) and true
    except CheckFailed:
        assert not true


def trial_division(n: int) -> bool:
    return n >= 2 and all(n % q for q in range(2, int(n**0.5) + 1))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**7))
def test_the_primality_proof_agrees_with_trial_division(n: int) -> None:
    assert checker.is_prime(n) == trial_division(n)


@pytest.mark.parametrize(
    "n, prime",
    [
        (2**61 - 1, True),
        (2**64 - 59, True),
        (3215031751, False),  # strong pseudoprime to the bases 2, 3, 5, 7
        (3825123056546413051, False),  # strong pseudoprime to every base up to 31
        (318665857834031151167461, False),  # strong pseudoprime to every base up to 37
        (2**64 - 1, False),
    ],
)
def test_the_primality_proof_on_known_numbers(n: int, prime: bool) -> None:
    assert checker.is_prime(n) is prime


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(-5, 5), min_size=4, max_size=4), min_size=1, max_size=5))
def test_a_rank_mod_p_never_exceeds_the_rank_over_q(A: list[list[int]]) -> None:
    assert checker.rank_mod(A, 3) <= checker.rank(A)
    assert checker.rank_mod(A, 1_000_003) == checker.rank(A)  # entries too small to vanish


def test_the_new_limits_are_listed() -> None:
    assert checker.LIMITS["multiply-adds for a minor's entries"] == checker.MAX_MINOR_WORK
    assert checker.LIMITS["r³ of a minor's elimination"] == checker.MAX_MINOR_ELIMINATION
    assert set(checker.BOUNDS.values()) <= set(checker.CLAIMS)
    assert "seed" in checker.THEOREMS["separation"].provenance
