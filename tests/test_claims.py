"""Theorem checks T4, T5 and the independent certificate checker, including tampering."""
import copy

import pytest

from symtd.checker import CheckFailed, check
from symtd.claims import check_t4, check_t5


@pytest.mark.parametrize("N,M,r", [(4, 2, 2), (8, 2, 2), (4, 3, 3), (8, 3, 2)])
def test_t4_verified_and_certificate_checks(N, M, r):
    v = check_t4(N, M, r)
    assert v.verdict == "verified" and v.numbers["odd-even rank"] == min(r, M) ** (N // 2)
    assert check(v.certificate)


@pytest.mark.parametrize("N,M", [(4, 2), (8, 2), (4, 3)])
def test_t5_witness_verified(N, M):
    v = check_t5(N, M)
    assert v.verdict == "verified" and v.numbers["odd-even rank"] == M ** (N // 2)
    assert check(v.certificate)


def tampered(cert, change):
    cert = copy.deepcopy(cert)
    change(cert)
    return cert


T4 = check_t4(4, 2, 2).certificate
T5 = check_t5(4, 2).certificate
TAMPERS = {
    "T4 one weight": (T4, lambda c: c["networks"]["deep"]["weights"]["layer0"][0][0].__setitem__(0, "0")),
    "T4 all layer0 weights equal": (T4, lambda c: c["networks"]["deep"]["weights"].__setitem__(
        "layer0", [[["1", "1"], ["1", "1"]]] * 4)),
    "T4 claimed rank": (T4, lambda c: c["claims"][2].__setitem__("rank", 3)),
    "T4 one grid entry": (T4, lambda c: c["claims"][1]["entries"].__setitem__(5, "7/3")),
    "T4 singular F": (T4, lambda c: c["networks"]["deep"].__setitem__("F", [["1", "1"], ["1", "1"]])),
    "T4 wrong operator": (T4, lambda c: c["networks"]["deep"].__setitem__("operator", "sum")),
    "T4 dropped claim": (T4, lambda c: c["claims"].pop(0)),
    "T5 one weight": (T5, lambda c: c["networks"]["witness"]["weights"]["layer1"][0][0].__setitem__(0, "2")),
    "T5 output weight": (T5, lambda c: c["networks"]["witness"]["weights"]["output"].__setitem__(0, "-2")),
    "T5 claimed rank": (T5, lambda c: c["claims"][2].__setitem__("rank", 5)),
    "T5 wide witness": (T5, lambda c: c["networks"]["witness"].__setitem__("widths", [4, 2])),
    "wrong format": (T5, lambda c: c.__setitem__("format", "symtd-certificate/0")),
    "missing networks": (T5, lambda c: c.pop("networks")),
    "float weight": (T4, lambda c: c["networks"]["deep"]["weights"]["output"].__setitem__(0, 1.5)),
}


@pytest.mark.parametrize("case", sorted(TAMPERS))
def test_tampered_certificates_are_rejected(case):
    cert, change = TAMPERS[case]
    with pytest.raises(CheckFailed):
        check(tampered(cert, change))
