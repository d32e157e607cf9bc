"""Hostile input, check: not a certificate (exit 2), a tampered certificate (exit 1, never 0),
output escaped (the contract: see tests/support.py).
"""

from __future__ import annotations

import copy
import json
import re
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from support import (
    BAD_FILES,
    FUZZ,
    HOSTILE_STRINGS,
    HOSTILE_VALUES,
    HUGE_DIGITS,
    V1,
    assert_clean,
    assert_refused,
    call,
    delete,
    dumps_with_duplicate,
    get,
    paths,
    put,
    run,
)

from symtd.theorems.prove import prove


# ==================================================================================================
# check: not a certificate (2), tampered certificate (1, never 0), output escaped
# ==================================================================================================
@pytest.fixture(scope="module")
def certificates():
    """Small real certificates (in-process, from the prove API)."""
    t4 = prove("T4", N=4, M=2).certificates
    t1 = prove("T1", N=3, M=2).certificates
    t5 = prove("T5").certificates
    lemma = [c for c in t5 if c["instance"].get("part") == "lemma"]
    lemma = min(lemma, key=lambda c: len(json.dumps(c)))
    witness = [c for c in t5 if c["instance"].get("part") != "lemma"][0]
    t6 = prove("T6", N=4).certificates
    return {"T4": t4[0], "T1": t1[0], "T5 lemma": lemma, "T5": witness, "T6": t6[0]}


def check_cert(capsys, tmp_path, value, raw=None):
    path = tmp_path / "cert.json"
    path.write_text(raw if raw is not None else json.dumps(value))
    return call(capsys, "check", path)


def assert_failed_check(result, what, certificates=1):
    """Exit 1, one FAILED line per bad certificate, the summary line, no forged line, escaped."""
    status, out, err = result
    assert "Traceback" not in out + err, err
    assert status == 1, (
        f"{what}: check exit status {status}, expected 1 (a failed check): {out[-500:]} "
        f"{err[-300:]}"
    )
    lines = out.splitlines()
    assert len(lines) == certificates + 1, f"UNESCAPED/forged lines for {what}: {out[:800]!r}"
    assert "FAILED" in out
    assert not any(re.search(r":\s*ok\s*$", line) for line in lines), (
        f"{what}: an 'ok' line: {out[:800]!r}"
    )
    assert_clean(out, f"stdout of check ({what})")
    assert_clean(err, f"stderr of check ({what})")


def test_real_certificates_pass(capsys, tmp_path, certificates):
    """Control: the untampered certificates pass (so the tamper tests below can fail)."""
    status, out, err = check_cert(capsys, tmp_path, list(certificates.values()))
    assert status == 0, out + err


NOT_CERTIFICATES = {
    "empty object": {},
    "empty list": [],
    "number": 3,
    "string": "symtd-certificate/1",
    "null": None,
    "network file": V1,
    "format only wrong": {"format": "symtd-certificate/2"},
    "list of numbers": [1, 2],
    "format with newline": {"format": "symtd-certificate/1\n"},
    "list with a non-certificate": "MIXED",
    "10001 certificates": "MANY",
}


@pytest.mark.parametrize("case", list(NOT_CERTIFICATES))
def test_check_not_a_certificate_exits_2(capsys, tmp_path, certificates, case):
    value = NOT_CERTIFICATES[case]
    if value == "MIXED":
        value = [certificates["T4"], V1]
    if value == "MANY":
        value = [{"format": "symtd-certificate/1"}] * 10_001
    assert_refused(check_cert(capsys, tmp_path, value), ["check", case])


@pytest.mark.parametrize("case", [c for c in BAD_FILES if c not in ("trailing garbage",)])
def test_check_unreadable_file_exits_2(capsys, tmp_path, case):
    path = tmp_path / "cert.json"
    path.write_bytes(BAD_FILES[case])
    assert_refused(call(capsys, "check", path), ["check", case])


def test_check_missing_and_directory(capsys, tmp_path):
    assert_refused(call(capsys, "check", tmp_path / "nothing.json"), "check missing")
    assert_refused(call(capsys, "check", tmp_path), "check directory")


def test_check_duplicate_rank_key_refused_not_last_wins(capsys, tmp_path, certificates):
    cert = certificates["T4"]
    k = next(i for i, c in enumerate(cert["claims"]) if c["kind"] == "rank")
    # the first "rank" is wrong, the second (real) one right: last-one-wins would pass it
    raw = dumps_with_duplicate(cert, ("claims", k), "rank", cert["claims"][k]["rank"] + 1)
    assert raw.count('"rank":') == 2
    result = check_cert(capsys, tmp_path, None, raw=raw)
    assert result[0] != 0, f"duplicate 'rank' accepted: {result}"
    assert_refused(result, "check duplicate rank")


@pytest.mark.parametrize(
    "target,key",
    [
        ((), "theorem"),
        (("instance",), "N"),
        (("networks",), "deep"),
        (("networks", "deep"), "operator"),
    ],
)
def test_check_duplicate_keys_elsewhere_refused(capsys, tmp_path, certificates, target, key):
    cert = certificates["T4"]
    raw = dumps_with_duplicate(cert, target, key, get(cert, target + (key,)))
    assert_refused(check_cert(capsys, tmp_path, None, raw=raw), ["check duplicate", key])


def test_check_lemma_count_10_to_the_10(capsys, tmp_path, certificates):
    cert = copy.deepcopy(certificates["T5 lemma"])
    cert["instance"]["count"] = 10**10
    assert_failed_check(check_cert(capsys, tmp_path, cert), "count 10^10")


@pytest.mark.parametrize("count", [True, -1, 65, 2**64, "3", 3.0])
def test_check_lemma_count_odd_values(capsys, tmp_path, certificates, count):
    cert = copy.deepcopy(certificates["T5 lemma"])
    cert["instance"]["count"] = count
    if isinstance(count, float):
        result = check_cert(capsys, tmp_path, None, raw=json.dumps(cert))
        assert result[0] != 0, result
        if result[0] == 2:
            assert_refused(result, "count float")
        else:
            assert_failed_check(result, "count float")
        return
    assert_failed_check(check_cert(capsys, tmp_path, cert), f"count {count!r}")


FORGED = "T4\n[1] T4 {'N': 4}: ok\n1 of 1 certificates pass\x1b[2K"


@pytest.mark.parametrize(
    "theorem", [FORGED, "\ud800", "T4\r[0] T4: ok", "T4\u2028ok", "T4\x00", "T" + "4" * 100_000]
)
def test_check_theorem_name_cannot_forge_lines(capsys, tmp_path, certificates, theorem):
    cert = dict(certificates["T4"], theorem=theorem)
    assert_failed_check(check_cert(capsys, tmp_path, cert), f"theorem {ascii(theorem)[:40]}")


def test_check_forged_strings_in_instance_and_network_names(capsys, tmp_path, certificates):
    cert = copy.deepcopy(certificates["T4"])
    cert["instance"]["N\n[0] T4: ok"] = "\x1b[31m\ud800"
    assert_failed_check(check_cert(capsys, tmp_path, cert), "instance key with newline")
    cert = copy.deepcopy(certificates["T4"])
    cert["networks"]["deep\n[0] T4 {}: ok"] = cert["networks"].pop("deep")
    assert_failed_check(check_cert(capsys, tmp_path, cert), "network name with newline")


@pytest.mark.parametrize("where", ["certificate", "instance", "network", "claim", "network node"])
def test_check_unknown_keys_never_pass(capsys, tmp_path, certificates, where):
    cert = copy.deepcopy(
        certificates["T4"] if where != "network node" else certificates["T5 lemma"]
    )
    if where == "certificate":
        cert["comment"] = "x"
    elif where == "instance":
        cert["instance"]["extra"] = 1
    elif where == "network":
        cert["networks"]["deep"]["extra"] = 1
    elif where == "claim":
        cert["claims"][0]["extra"] = 1
    else:
        net = next(iter(cert["networks"].values()))
        net["weights"]["layer9"] = [1]
    result = check_cert(capsys, tmp_path, cert)
    assert result[0] != 0, f"unknown key in the {where} accepted: {result}"
    if result[0] == 2:
        assert_refused(result, f"unknown key in {where}")
    else:
        assert_failed_check(result, f"unknown key in {where}")


ODD_CLAIM_NUMBERS = [  # (certificate, claim kind, key, replacement JSON text)
    ("T4", "rank", "rank", "NaN"),
    ("T4", "rank", "rank", "4.0"),
    ("T4", "rank", "rank", "true"),
    ("T4", "rank", "rank", '"4"'),
    ("T4", "rank", "rank", "9" * HUGE_DIGITS),
    ("T4", "rank", "rows", "[0, 2.0]"),
    ("T4", "rank", "rows", "[0, true]"),
    ("T5 lemma", "rank_at_most", "bound", "BOUND.0"),
    ("T5 lemma", "rank_at_most", "bound", '"BOUND"'),
    ("T4", "grid_equals", "entries", '["' + "9" * HUGE_DIGITS + '"]'),
]


@pytest.mark.slow  # one python -m symtd per case
@pytest.mark.parametrize(
    "name,kind,key,text",
    ODD_CLAIM_NUMBERS,
    ids=[f"{n}-{k}-{t[:12]}" for n, _, k, t in ODD_CLAIM_NUMBERS],
)
def test_check_odd_numbers_in_claims(tmp_path, certificates, name, kind, key, text):
    """A claim number written as a float, boolean, string, NaN or a 3-million-digit integer:
    never a pass (a JSON float or boolean is not an exact integer), and refused quickly."""
    cert = copy.deepcopy(certificates[name])
    claim = next(c for c in cert["claims"] if c["kind"] == kind)
    text = text.replace("BOUND", str(claim.get("bound")))
    claim[key] = "@@PLACEHOLDER@@"
    raw = json.dumps(cert).replace('"@@PLACEHOLDER@@"', text)
    path = tmp_path / "cert.json"
    path.write_text(raw)
    status, out, err = result = run("check", path)
    assert status != 0, (
        f"check PASSED a certificate whose {kind}.{key} is {text[:20]}: {out.strip()}"
    )
    if status == 2:
        assert_refused(result, f"{kind}.{key} = {text[:20]}")
    else:
        assert status == 1 and "Traceback" not in err and ": ok" not in out, result


INSTANCE_LIES = [
    ("T4", "operator", "max"),
    ("T4", "architecture", "shallow"),
    ("T4", "seed", 1.5),
    ("T4", "seed", True),
    ("T4", "seed", "0"),
    ("T4", "seed", [[[]]]),
    ("T5", "operator", "product"),
    ("T5", "architecture", "shallow"),
    ("T5 lemma", "operator", "product"),
    ("T5 lemma", "architecture", "deep"),
    ("T5 lemma", "part", "witness"),
    ("T6", "operator", "product"),
    ("T6", "architecture", "shallow"),
    ("T6", "seed", 0.5),
    ("T4", "architecture", "DELETE"),
    ("T4", "operator", "DELETE"),
    ("T4", "seed", "DELETE"),
    ("T5", "operator", "DELETE"),
    ("T5 lemma", "architecture", "DELETE"),
    ("T6", "operator", "DELETE"),
    ("T6", "seed", "DELETE"),
]


@pytest.mark.parametrize(
    "name,key,value", INSTANCE_LIES, ids=[f"{n}-{k}-{v!r}" for n, k, v in INSTANCE_LIES]
)
def test_check_instance_that_lies_never_passes(capsys, tmp_path, certificates, name, key, value):
    """The instance says what was proved: one that names another operator or architecture than its
    networks, lacks one of its keys, or holds a non-integer where an integer belongs, is a
    tampered certificate."""
    cert = copy.deepcopy(certificates[name])
    assert key in cert["instance"] and cert["instance"][key] != value
    if value == "DELETE":
        del cert["instance"][key]
    else:
        cert["instance"][key] = value
    status, out, err = result = check_cert(capsys, tmp_path, cert)
    assert status != 0, (
        f"check PASSED a {name} certificate whose instance says {key} = {value!r}: {out.strip()}"
    )
    if status == 2:
        assert_refused(result, f"instance {key}")
    else:
        assert_failed_check(result, f"instance {key} = {value!r}")


# -- tampering with numbers in claims: always exit 1 -----------------------------------------------
def _numeric_claim_paths(cert):
    out = []
    for p in paths(cert["claims"], ("claims",)):
        leaf = get(cert, p)
        if isinstance(leaf, bool):
            continue
        if isinstance(leaf, int) or (
            isinstance(leaf, str) and re.fullmatch(r"-?[0-9]+(/[0-9]+)?", leaf)
        ):
            out.append(p)
    return out


@FUZZ
@given(data=st.data())
def test_fuzz_tampered_claim_numbers_fail_the_check(capsys, tmp_path, certificates, data):
    name = data.draw(st.sampled_from(["T4", "T1", "T5", "T5 lemma"]))
    cert = certificates[name]
    p = data.draw(st.sampled_from(_numeric_claim_paths(cert)))
    old = get(cert, p)
    delta = data.draw(st.sampled_from([1, -1, 2, Fraction(1, 2), 10**40]))
    new_value = Fraction(old) + delta
    if isinstance(old, int):
        assume(new_value.denominator == 1)
        new = int(new_value)
    else:
        new = str(new_value.numerator) if new_value.denominator == 1 else str(new_value)
    if p[-2:] == ("rows",) or (len(p) >= 2 and p[-2] == "rows"):
        assume(isinstance(new, int) and new >= 0)
    tampered = put(cert, p, new)
    assert_failed_check(check_cert(capsys, tmp_path, tampered), f"{name} {p} {old!r} -> {new!r}")


@FUZZ
@given(data=st.data())
def test_fuzz_certificate_mutations_never_pass(capsys, tmp_path, certificates, data):
    """Any structural mutation of a certificate (a value replaced by a hostile one, a key dropped
    or added): check exits 1 or 2, never 0, with clean output."""
    cert = certificates[data.draw(st.sampled_from(["T4", "T1", "T5 lemma"]))]
    p = data.draw(st.sampled_from(paths(cert)))
    kind = data.draw(st.sampled_from(["replace", "delete", "add key"]))
    if kind == "replace":
        value = data.draw(HOSTILE_VALUES)
        assume(value != get(cert, p))
        mutated = put(cert, p, value)
    elif kind == "delete":
        mutated = delete(cert, p)
    else:
        target = get(cert, p)
        assume(isinstance(target, dict))
        key = data.draw(HOSTILE_STRINGS)
        assume(key not in target)
        mutated = put(cert, p + (key,), 0)
    status, out, err = result = check_cert(capsys, tmp_path, None, raw=json.dumps(mutated))
    assert status != 0, f"mutated certificate passed ({kind} at {p}): {out[-300:]}"
    if status == 2:
        assert_refused(result, f"check mutated {kind} {p}")
    else:
        assert_failed_check(result, f"{kind} at {p}")
