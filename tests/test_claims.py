"""Theorem checks T1, T2, T4, T5 and the independent checker, with the tamper suite for T1–T7."""

import copy
import functools
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest

from symtd.checker import CheckFailed, check
from symtd.theorems import t4_convac_depth_efficiency
from symtd.theorems.claims import (
    check_t3,
    check_t4,
    check_t4_general,
    check_t5,
    check_t5_lemma,
    check_t6,
    check_t7,
    check_universality,
)


def random_target(shape, seed):
    rng = np.random.default_rng(seed)
    return np.array(
        [
            Fraction(int(x), int(q))
            for x, q in zip(rng.integers(-9, 9, np.prod(shape)), rng.integers(1, 4, np.prod(shape)))
        ],
        dtype=object,
    ).reshape(shape)


@pytest.mark.parametrize("operator,extra", [("product", 0), ("max", 1)])
@pytest.mark.parametrize("shape", [(2, 2, 2), (3, 3), (2, 2, 2, 2)])
def test_t1_t2_universality(operator, extra, shape):
    T = random_target(shape, 1)
    v = check_universality(T, operator)
    S = sum(T.flat) / (T.size - 1)  # max: one term 1 - δ_d per entry T[d] != S
    assert (
        v.verdict == "verified"
        and v.numbers["Z used"]
        == sum((x if operator == "product" else x - S) != 0 for x in T.flat)
        <= T.size + extra
    )
    assert check(v.certificate)
    F = [[1, 0, 0], [Fraction(1, 2), 1, 0], [2, -1, 3]][: shape[0]]
    F = [row[: shape[0]] for row in F]
    assert check(check_universality(random_target(shape, 2), operator, F=F).certificate)


@pytest.mark.parametrize("N,M,r", [(4, 2, 2), (8, 2, 2), (4, 3, 3), (8, 3, 2)])
def test_t4_verified_and_certificate_checks(N, M, r):
    v = check_t4(N, M, r)
    assert v.verdict == "verified" and v.numbers["odd-even rank"] == min(r, M) ** (N // 2)
    assert check(v.certificate)


def test_t4_degenerate_point_is_inconclusive_and_rejected(monkeypatch):
    monkeypatch.setattr(t4_convac_depth_efficiency, "matricization_rank", lambda circuit, I: 3)
    v = check_t4(4, 2, 2)
    assert v.verdict == "inconclusive" and v.certificate is None
    assert v.reason == "5 degenerate weight points; try other seeds"
    with pytest.raises(CheckFailed):
        check(v.certificate)


@pytest.mark.parametrize("N,M", [(4, 2), (8, 2), (4, 3)])
def test_t5_witness_verified(N, M):
    v = check_t5(N, M)
    assert v.verdict == "verified" and v.numbers["odd-even rank"] == M ** (N // 2)
    assert check(v.certificate)


def tampered(cert, change):
    cert = copy.deepcopy(cert)
    change(cert)
    return cert


def lazy(build: Callable[[], dict]) -> Callable[[], dict]:
    """A certificate made on first use (collection stays quick), then shared."""
    return functools.cache(build)


T1 = lazy(lambda: check_universality(random_target((2, 2, 2), 3), "product").certificate)
T2 = lazy(lambda: check_universality(random_target((2, 2, 2), 3), "max").certificate)
T4 = lazy(lambda: check_t4(4, 2, 2).certificate)
T5 = lazy(lambda: check_t5(4, 2).certificate)
T1_DEEP = lazy(
    lambda: check_universality(random_target((2, 2, 2, 2), 4), "product", "deep").certificate
)
T3 = lazy(lambda: check_t3(4, 2, "deep", "sum").certificate)
LEMMA = lazy(lambda: check_t5_lemma(4, 3, 1, 3).certificate)
T6 = lazy(lambda: check_t6(4, 2).certificate)
T7 = lazy(lambda: check_t7().certificate)
T7_CONTROL = lazy(lambda: check_t7(biases=(0, 0, 0)).certificate)
REC = lazy(lambda: check_t4_general("recurrent", 6, 2, 2).certificate)
TT = lazy(lambda: check_t4_general("recurrent", 6, 3, 2, shared=False).certificate)
OVER = lazy(lambda: check_t4_general("overlapping", 6, 3, 2).certificate)
T3_REC = lazy(lambda: check_t3(4, 3, "recurrent", "sum").certificate)
T3_MIRROR = lazy(lambda: check_t3(8, 2, "mirror", "avg").certificate)
DEAD = ["v[0][1][0]", "<"]  # position 0, channel 1 is dead: all leaf entries < 0
TAMPERS = {  # name: (the certificate, built on first use; the change)
    "T1 target entry": (T1, lambda c: c["instance"]["target"].__setitem__(3, "11/7")),
    "T1 target and claimed grid": (
        T1,
        lambda c: [
            c["instance"]["target"].__setitem__(3, "11/7"),
            c["claims"][1]["entries"].__setitem__(3, "11/7"),
        ],
    ),
    "T1 one weight": (
        T1,
        lambda c: c["networks"]["shallow"]["weights"]["output"].__setitem__(0, "123/7"),
    ),
    "T1 as max": (T1, lambda c: c["networks"]["shallow"].__setitem__("operator", "max")),
    "T2 one leaf weight": (
        T2,
        lambda c: c["networks"]["shallow"]["weights"]["layer0"][1][2].__setitem__(0, "7"),
    ),
    "T2 claimed as T1": (T2, lambda c: c.__setitem__("theorem", "T1")),
    "T4 one weight": (
        T4,
        lambda c: c["networks"]["deep"]["weights"]["layer0"][0][0].__setitem__(0, "0"),
    ),
    "T4 all layer0 weights equal": (
        T4,
        lambda c: c["networks"]["deep"]["weights"].__setitem__(
            "layer0", [[["1", "1"], ["1", "1"]]] * 4
        ),
    ),
    "T4 claimed rank": (T4, lambda c: c["claims"][2].__setitem__("rank", 3)),
    "T4 one grid entry": (T4, lambda c: c["claims"][1]["entries"].__setitem__(5, "7/3")),
    "T4 singular F": (
        T4,
        lambda c: c["networks"]["deep"].__setitem__("F", [["1", "1"], ["1", "1"]]),
    ),
    "T4 wrong operator": (T4, lambda c: c["networks"]["deep"].__setitem__("operator", "sum")),
    "T4 dropped claim": (T4, lambda c: c["claims"].pop(0)),
    "T5 one weight": (
        T5,
        lambda c: c["networks"]["witness"]["weights"]["layer1"][0][0].__setitem__(0, "2"),
    ),
    "T5 output weight": (
        T5,
        lambda c: c["networks"]["witness"]["weights"]["output"].__setitem__(0, "-2"),
    ),
    "T5 claimed rank": (T5, lambda c: c["claims"][2].__setitem__("rank", 5)),
    "T5 wide witness": (T5, lambda c: c["networks"]["witness"].__setitem__("widths", [4, 2])),
    "T1 deep one identity weight": (
        T1_DEEP,
        lambda c: c["networks"]["deep"]["weights"]["layer1"][0][0].__setitem__(0, "2"),
    ),
    "T1 deep too wide": (T1_DEEP, lambda c: c["networks"]["deep"].__setitem__("widths", [17, 17])),
    "T3 target entry": (T3, lambda c: c["claims"][1]["entries"].__setitem__(0, "0")),
    "T3 claimed rank": (T3, lambda c: c["claims"][1].__setitem__("rank", 3)),
    "T3 separable target": (
        T3,
        lambda c: [
            c["claims"][1].__setitem__("entries", ["1"] * 16),
            c["claims"][1].__setitem__("rank", 1),
        ],
    ),
    "T3 as max": (T3, lambda c: c["networks"]["net"].__setitem__("operator", "max")),
    "T3 odd-even split": (
        T3,
        lambda c: [
            c["claims"][0].__setitem__("rows", [0, 2]),
            c["claims"][1].__setitem__("rows", [0, 2]),
            c["instance"].__setitem__("rows", [0, 2]),
        ],
    ),
    "T3 with weights": (T3, lambda c: c["networks"]["net"].__setitem__("weights", {})),
    "T5 lemma bound": (LEMMA, lambda c: [x.__setitem__("bound", 2) for x in c["claims"]]),
    "T5 lemma wider Z": (LEMMA, lambda c: c["networks"]["net0"].__setitem__("widths", [2])),
    "T5 lemma larger Z claimed": (LEMMA, lambda c: c["instance"].__setitem__("Z", 5)),
    "T6 region inequality dropped": (T6, lambda c: c["claims"][0]["region"].remove(DEAD)),
    "T6 region inequality flipped": (
        T6,
        lambda c: c["claims"][0]["region"][c["claims"][0]["region"].index(DEAD)].__setitem__(
            1, ">"
        ),
    ),
    "T6 conv sign dropped": (T6, lambda c: c["claims"][0]["region"].pop()),
    "T6 non-strict inequality": (T6, lambda c: c["claims"][0]["region"][0].__setitem__(1, "<=")),
    "T6 one weight leaves the region": (
        T6,
        lambda c: c["networks"]["deep"]["weights"]["layer0"][0][1].__setitem__(0, "1"),
    ),
    "T6 other live channel": (
        T6,
        lambda c: [c["claims"][0].__setitem__("live", 1), c["instance"].__setitem__("live", 1)],
    ),
    "T6 shallow weight": (
        T6,
        lambda c: c["networks"]["shallow"]["weights"]["output"].__setitem__(0, "5"),
    ),
    "T6 shallow Z = 2": (T6, lambda c: c["networks"]["shallow"].__setitem__("widths", [2])),
    "T7 one template": (T7, lambda c: c["instance"]["templates"].__setitem__(0, "5/4")),
    "T7 one leaf vector entry": (T7, lambda c: c["claims"][2]["vectors"][0][0].__setitem__(0, "9")),
    "T7 one leaf weight": (
        T7,
        lambda c: c["networks"]["net"]["weights"]["layer0"][1][0].__setitem__(1, "9"),
    ),
    "T7 F entry": (T7, lambda c: c["networks"]["net"]["F"][0].__setitem__(0, "2")),
    "T7 control null vector": (
        T7_CONTROL,
        lambda c: c["claims"][1].__setitem__("null", ["1", "1", "0"]),
    ),
    "T7 control zero vector": (
        T7_CONTROL,
        lambda c: c["claims"][1].__setitem__("null", ["0", "0", "0"]),
    ),
    "T7 control claimed covering": (
        T7_CONTROL,
        lambda c: c["instance"].__setitem__("covering", True),
    ),
    "T6 region on a name that is no weight": (
        T6,
        lambda c: c["claims"][0]["region"].__setitem__(
            c["claims"][0]["region"].index(DEAD), ["u[0][1]", "<"]
        ),
    ),
    "T6 region on a layer-0 weight path": (
        T6,
        lambda c: c["claims"][0]["region"].__setitem__(
            c["claims"][0]["region"].index(DEAD), ["layer0[0][1][0]", "<"]
        ),
    ),
    "T6 region leaf out of range": (
        T6,
        lambda c: c["claims"][0]["region"].append(["v[9][1][0]", "<"]),
    ),
    "T6 extra weights block": (
        T6,
        lambda c: c["networks"]["deep"]["weights"].__setitem__("u", [["-1"]]),
    ),
    "T6 extra network": (
        T6,
        lambda c: c["networks"].__setitem__("spare", c["networks"]["shallow"]),
    ),
    "T6 live out of range": (
        T6,
        lambda c: [c["claims"][0].__setitem__("live", 5), c["instance"].__setitem__("live", 5)],
    ),
    "T6 instance widths": (T6, lambda c: c["instance"].__setitem__("widths", [5, 5])),
    "T7 extra template row in F": (
        T7,
        lambda c: [
            c["networks"]["net"]["F"].append(["1", "0", "0"]),
            c["instance"]["templates"].append("1"),
            c["instance"]["biases"].append("0"),
        ],
    ),
    "T7 control garbage network": (
        T7_CONTROL,
        lambda c: c["networks"]["net"].__setitem__("operator", "xor"),
    ),
    "T1 deep with N = 3": (
        T1_DEEP,
        lambda c: [c["networks"]["deep"].__setitem__("N", 3), c["instance"].__setitem__("N", 3)],
    ),
    "T1 weight row as a string": (
        T1,
        lambda c: c["networks"]["shallow"]["weights"]["layer0"][0].__setitem__(0, "10"),
    ),
    "T3 duplicated rows": (
        T3,
        lambda c: [
            c["claims"][0].__setitem__("rows", [0, 0]),
            c["claims"][1].__setitem__("rows", [0, 0]),
            c["instance"].__setitem__("rows", [0, 0]),
        ],
    ),
    "T3 instance rows": (T3, lambda c: c["instance"].__setitem__("rows", [0, 2])),
    "T3 huge N": (
        T3,
        lambda c: [c["networks"]["net"].__setitem__("N", 64), c["instance"].__setitem__("N", 64)],
    ),
    "T4 instance r": (T4, lambda c: c["instance"].__setitem__("r", 99)),
    "T5 lemma without networks": (
        LEMMA,
        lambda c: [
            c.__setitem__("networks", {}),
            c.__setitem__("claims", []),
            c["instance"].__setitem__("count", 0),
        ],
    ),
    "T5 lemma one network fewer": (LEMMA, lambda c: [c["networks"].pop("net2"), c["claims"].pop()]),
    "wrong format": (T5, lambda c: c.__setitem__("format", "symtd-certificate/0")),
    "T4 recurrent one weight": (
        REC,
        lambda c: c["networks"]["arch"]["weights"]["B"][0].__setitem__(0, "0"),
    ),
    "T4 recurrent claimed rank": (
        REC,
        lambda c: [
            c["claims"][2].__setitem__("rank", 9),
            c["claims"][3].__setitem__("bound", 9),
            c["instance"].__setitem__("rank", 9),
        ],
    ),
    "T4 recurrent cut drops an edge": (REC, lambda c: c["claims"][3]["cut"].pop()),
    "T4 recurrent cut of the wrong edge": (
        REC,
        lambda c: c["claims"][3]["cut"].__setitem__(0, ["edge", "n0", "x0"]),
    ),
    "T4 recurrent cut item twice": (
        REC,
        lambda c: c["claims"][3]["cut"].append(c["claims"][3]["cut"][0]),
    ),
    "T4 recurrent cut of a vertex that is no vertex": (
        REC,
        lambda c: c["claims"][3]["cut"].__setitem__(0, ["vertex", "n99"]),
    ),
    "T4 recurrent Z not below the rank": (REC, lambda c: c["instance"].__setitem__("Z", 8)),
    "T4 recurrent is not a chain": (
        REC,
        lambda c: c["networks"]["arch"]["nodes"][1]["pool"].reverse(),
    ),
    "T4 recurrent claimed unshared": (REC, lambda c: c["instance"].__setitem__("shared", False)),
    "T4 recurrent unknown instance key": (REC, lambda c: c["instance"].__setitem__("note", "x")),
    "T4 tensor train block shape": (
        TT,
        lambda c: c["networks"]["arch"]["weights"]["C2"].append(["1", "1"]),
    ),
    "T4 tensor train as max": (TT, lambda c: c["networks"]["arch"].__setitem__("operator", "max")),
    "T4 overlapping other stride": (OVER, lambda c: c["instance"].__setitem__("stride", 2)),
    "T4 recurrent partition relabelled": (
        REC,
        lambda c: c["instance"].__setitem__("partition", "low-high"),
    ),
    "T4 overlapping one grid entry": (
        OVER,
        lambda c: c["claims"][1]["entries"].__setitem__(7, "1"),
    ),
    "T4 overlapping cut on a copy that does not exist": (
        OVER,
        lambda c: c["claims"][3]["cut"].__setitem__(0, ["vertex", "n3/9.9"]),
    ),
    "T3 recurrent as max": (T3_REC, lambda c: c["networks"]["net"].__setitem__("operator", "max")),
    "T3 recurrent other chain": (
        T3_REC,
        lambda c: c["networks"]["net"]["nodes"][1]["pool"][0].__setitem__(1, "A"),
    ),
    "T3 mirror called deep": (
        T3_MIRROR,
        lambda c: c["instance"].__setitem__("architecture", "deep"),
    ),
    "T3 mirror target entry": (T3_MIRROR, lambda c: c["claims"][1]["entries"].__setitem__(0, "0")),
    "unknown certificate key": (T5, lambda c: c.__setitem__("signature", "trust me")),
    "T5 lemma count of 10^10": (LEMMA, lambda c: c["instance"].__setitem__("count", 10**10)),
    "missing networks": (T5, lambda c: c.pop("networks")),
    "float weight": (T4, lambda c: c["networks"]["deep"]["weights"]["output"].__setitem__(0, 1.5)),
}


@pytest.mark.parametrize("case", sorted(TAMPERS))
def test_tampered_certificates_are_rejected(case):
    cert, change = TAMPERS[case]
    with pytest.raises(CheckFailed):
        check(tampered(cert(), change))
