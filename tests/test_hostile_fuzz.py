"""Hostile input, fuzzing: random mutations of valid network files, random JSON documents and
bytes, member, block, partition and weight strings, prove's option values (the contract:
see tests/support.py).
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata

from hypothesis import assume, given
from hypothesis import strategies as st
from support import (
    FORBIDDEN_CATEGORIES,
    FUZZ,
    HOSTILE_STRINGS,
    HOSTILE_VALUES,
    V1,
    V2,
    V2_SHARED,
    argv_for,
    assert_refused,
    call,
    delete,
    dumps_with_duplicate,
    get,
    paths,
    put,
    v2_pool_with,
    write_json,
)

# ==================================================================================================
# Fuzzing network files, names, partition and weight strings, prove's option values
# ==================================================================================================
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_STRINGS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(HOSTILE_STRINGS, children, max_size=4)
    ),
    max_leaves=20,
)
INVALID_SUBTREES = st.one_of(  # values no list or object of V1/V2 may be replaced by
    st.none(),
    st.booleans(),
    st.floats(),
    HOSTILE_STRINGS.filter(lambda s: not s.isalnum()),
    st.just([]),
    st.lists(st.none(), min_size=1, max_size=3),
    st.dictionaries(HOSTILE_STRINGS, st.integers(0, 3), max_size=2),
)
_SPECIAL_STRINGS = {
    "product",
    "max",
    "sum",
    "avg",
    "deep",
    "shallow",
    "tree",
    "symtd-network/1",
    "symtd-network/2",
}
_RATIONAL = re.compile(r"[+-]?([0-9]+(/[0-9]+)?|[0-9]+\.[0-9]*|\.[0-9]+)\Z")


def _clearly_invalid_replacement(value):
    """A replacement that no leaf of V1/V2 can take: not an int, not a rational/special string."""
    if isinstance(value, str):
        return (
            value not in _SPECIAL_STRINGS
            and not _RATIONAL.match(value)
            and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,63}|[xn](0|[1-9][0-9]*)", value)
        )
    return isinstance(value, (float, bool, list, dict)) or value is None


def _is_leaf(doc, p):
    return not isinstance(get(doc, p), (dict, list))


@FUZZ
@given(data=st.data())
def test_fuzz_network_mutations_are_refused(capsys, tmp_path, data):
    """One hostile change to a valid v1 or v2 file: a leaf replaced by a value no leaf may hold,
    a key added, a key or list element dropped (other than the optional "F"), or a key repeated.
    Every command must refuse it with one clean line."""
    doc = data.draw(st.sampled_from([V1, V2, V2_SHARED]))
    command = data.draw(st.sampled_from(["grid", "rank", "convert", "latex"]))
    kind = data.draw(
        st.sampled_from(["replace leaf", "replace subtree", "add key", "delete", "duplicate"])
    )
    p = data.draw(st.sampled_from(paths(doc)))
    raw = None
    if kind == "replace leaf":
        assume(_is_leaf(doc, p))
        value = data.draw(HOSTILE_VALUES)
        assume(_clearly_invalid_replacement(value))
        mutated = put(doc, p, value)
    elif kind == "replace subtree":
        assume(not _is_leaf(doc, p))
        value = data.draw(INVALID_SUBTREES)
        assume(value != get(doc, p))
        mutated = put(doc, p, value)
    elif kind == "add key":
        target = get(doc, p) if not _is_leaf(doc, p) else doc
        assume(isinstance(target, dict))
        key = data.draw(HOSTILE_STRINGS)
        assume(key not in target)
        mutated = put(doc, (p if isinstance(get(doc, p), dict) else ()) + (key,), 1)
    elif kind == "delete":
        assume(p != ("F",) and not (command in ("convert", "latex") and p == ("weights",)))
        mutated = delete(doc, p)
    else:
        target = get(doc, p)
        assume(isinstance(target, dict) and target)
        key = data.draw(st.sampled_from(sorted(target)))
        raw = dumps_with_duplicate(
            doc, p, key, data.draw(st.one_of(st.just(target[key]), HOSTILE_VALUES))
        )
        mutated = None
    path = tmp_path / "mutant.json"
    path.write_text(raw if raw is not None else json.dumps(mutated))
    argv = argv_for(command, path, tmp_path)
    assert_refused(call(capsys, *argv), [command, kind, p])


@FUZZ
@given(value=JSON_VALUES)
def test_fuzz_random_json_documents_are_refused(capsys, tmp_path, value):
    path = write_json(tmp_path / "random.json", value)
    assert_refused(call(capsys, "grid", path), ["grid", value])
    assert_refused(call(capsys, "check", path), ["check", value])


@FUZZ
@given(blob=st.binary(max_size=200))
def test_fuzz_random_bytes_are_refused(capsys, tmp_path, blob):
    path = tmp_path / "blob.json"
    path.write_bytes(blob)
    assert_refused(call(capsys, "convert", path), ["convert", blob])
    assert_refused(call(capsys, "check", path), ["check", blob])


@FUZZ
@given(
    member=st.one_of(
        HOSTILE_STRINGS, st.from_regex(r"[xnX][-+ 0-9\u0660-\u0669.]{0,4}", fullmatch=True)
    )
)
def test_fuzz_v2_member_names(capsys, tmp_path, member):
    """Replace member "x0" of node 0 by any other string: x0 is then unused (or the string is
    invalid), so the file must be refused."""
    assume(member != "x0")
    doc = v2_pool_with(0, [[member, "A"], ["x1", "B"]])
    path = write_json(tmp_path / "m.json", doc)
    assert_refused(call(capsys, "grid", path), ["grid member", member])


@FUZZ
@given(
    name=st.one_of(
        HOSTILE_STRINGS, st.from_regex(r"[A-Za-z_0-9\u00c0-\u00ff-]{1,70}", fullmatch=True)
    )
)
def test_fuzz_block_names(capsys, tmp_path, name):
    """Rename block "A" (pool and weights): valid exactly when the name matches
    [A-Za-z][A-Za-z0-9_]{0,63} and is not another block's name."""
    doc = copy.deepcopy(V2)
    doc["nodes"][0]["pool"][0][1] = name
    doc["weights"] = {(name if k == "A" else k): v for k, v in V2["weights"].items()}
    assume(len(doc["weights"]) == len(V2["weights"]))
    path = write_json(tmp_path / "b.json", doc)
    result = call(capsys, "grid", path)
    valid = re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,63}", name) is not None
    if valid:
        assert result[0] == 0, f"valid block name {name!r} refused: {result}"
    else:
        assert_refused(result, ["grid block", name])


def _strict_partition(spec, N=4):
    if spec in ("odd-even", "low-high", "root"):
        return True
    m = re.fullmatch(r"I=([0-9]+(?:,[0-9]+)*)?", spec)
    if not m:
        return False
    items = [int(x) for x in m.group(1).split(",")] if m.group(1) else []
    return len(set(items)) == len(items) and all(i < N for i in items)


@FUZZ
@given(
    spec=st.one_of(
        HOSTILE_STRINGS,
        st.from_regex(
            r"I=[0-9, \n\t\x0b\x0c\x1c-\x1f\x85\u2028\u0660-\u0663]{0,6}", fullmatch=True
        ),
        st.sampled_from(["odd-even", "low-high", "root"]).map(lambda s: s + "\n"),
    )
)
def test_fuzz_partition_strings(capsys, tmp_path, spec):
    """A partition is accepted only when it is a named one or I= with distinct positions in
    range; any control or line-separator character means refusal (never silently stripped)."""
    path = write_json(tmp_path / "net.json", V1)
    result = call(capsys, "rank", path, "--partition", spec)
    has_control = any(unicodedata.category(ch) in FORBIDDEN_CATEGORIES for ch in spec)
    if has_control or not (_strict_partition(spec) or _strict_partition(spec.replace(" ", ""))):
        assert_refused(result, ["rank", spec])
    elif _strict_partition(spec):
        assert result[0] == 0, f"valid partition {spec!r} refused: {result}"
        assert re.fullmatch(r"[0-9]+", result[1].strip().splitlines()[-1])
    else:  # only spaces differ: either way, cleanly
        if result[0] == 2:
            assert_refused(result, ["rank", spec])
        else:
            assert result[0] == 0


@FUZZ
@given(
    weight=st.one_of(
        HOSTILE_STRINGS,
        st.from_regex(r"[-+ ]?[0-9.]{0,4}[/eE_ ]?[-+0-9.]{0,3}", fullmatch=True),
        st.floats(),
        st.booleans(),
        st.integers(-(10**40), 10**40),
    )
)
def test_fuzz_weight_values(capsys, tmp_path, weight):
    """A weight is an int or a string in the exact-rational grammar (integer, p/q with q > 0,
    decimal); anything else exits 2. A valid one is read exactly."""
    doc = put(V1, ("weights", "output", 0), weight)
    path = write_json(tmp_path / "w.json", doc)
    result = call(capsys, "grid", path)
    if isinstance(weight, bool) or isinstance(weight, float):
        valid = False
    elif isinstance(weight, int):
        valid = True
    else:
        valid = _RATIONAL.match(weight) is not None and not re.search(r"/0+\Z", weight)
    if valid:
        assert result[0] == 0, f"valid weight {weight!r} refused: {result}"
    else:
        assert_refused(result, ["grid weight", weight])


@FUZZ
@given(
    opt=st.sampled_from(["--N", "--M", "--r", "--Z", "--seed", "--widths", "--kernel", "--stride"]),
    value=st.one_of(
        HOSTILE_STRINGS, st.integers(-(10**30), 0).map(str), st.integers(10**9, 10**40).map(str)
    ),
)
def test_fuzz_prove_option_values_in_process(capsys, opt, value):
    """Hostile values of prove's integer options (non-positive, huge, non-numeric) are refused
    before any work. In-process, because refusal happens while parsing; a hang is caught by
    the alarm."""
    assume(
        not (
            opt == "--seed"
            and value.lstrip("-").isdigit()
            and 0 <= int(value) < 2**63
            and value.isascii()
            and value == str(int(value))
        )
    )
    assume(not (re.fullmatch(r"[0-9]{1,18}", value) and 0 < int(value) < 10**9))  # may be valid
    if opt in ("--Z", "--kernel", "--stride"):  # a large budget / window may be legitimate here
        assume(not re.fullmatch(r"[0-9]{1,18}", value))
    if opt in ("--kernel", "--stride"):
        argv = ["prove", "T4", "--architecture=overlapping", f"{opt}={value}"]
    elif opt == "--Z":
        argv = ["prove", "T1", f"{opt}={value}"]
    elif opt == "--widths":
        argv = ["prove", "T3", f"{opt}={value}"]
    else:
        argv = ["prove", "T4", f"{opt}={value}"]
    assert_refused(call(capsys, *argv), argv)
