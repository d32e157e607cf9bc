"""Hostile input: one clear line, exit status 2, in bounded time (fuzz and targeted cases).

The contract, for every command-line entry point (grid, rank, separation, convert, latex,
draw, prove, check): malformed or oversize input exits with status 2, prints exactly ONE
line starting with "symtd: error:" on stderr, no traceback, nothing verdict-like on
stdout, and finishes in bounded time. Untrusted strings (file contents, names, options)
are printed escaped: no raw newline, control character or lone surrogate from the input
reaches stdout or stderr. ``symtd check`` exits 2 on a JSON value that is not a
certificate and 1 (never 0) on a tampered but well-formed one.

Calls that cannot hang run in-process (``symtd.cli.main`` with capsys, guarded by an alarm);
calls that might hang (oversize numbers, sizes, ``prove``) run as subprocesses with a
timeout whose expiry fails the test as a hang. The timeout is a hang detector, not a
performance assertion: no test measures durations.
"""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import sys
import unicodedata
from contextlib import contextmanager
from fractions import Fraction

import pytest
from conftest import DEEP_MAX_V1
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symtd.cli import main

HANG_TIMEOUT = 60  # seconds; expiry = the command hangs (generous on purpose)
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- valid base documents --------------------------------------------------------------------------
V1 = DEEP_MAX_V1

V2 = {
    "format": "symtd-network/2",
    "N": 4,
    "M": 2,
    "operator": "max",
    "F": [["1", "0"], ["1/2", "1"]],
    "nodes": [
        {"width": 3, "pool": [["x0", "A"], ["x1", "B"]]},
        {"width": 3, "pool": [["x2", "C"], ["x3", "D"]]},
        {"width": 2, "pool": [["n0", "E"], ["n1", "G"]]},
    ],
    "output": "out",
    "weights": {
        "A": [["1", "-1"], ["2", "1/3"], ["0", "1"]],
        "B": [["1", "0"], ["0", "1"], ["1", "1"]],
        "C": [["1", "2"], ["-1", "1"], ["0", "1/2"]],
        "D": [["3", "1"], ["1", "1"], ["1", "-1"]],
        "E": [["1", "-1", "2"], ["0", "1", "1"]],
        "G": [["2", "1", "-1"], ["1", "1", "1"]],
        "out": ["1", "-2/3"],
    },
}

# the shared-block variant: one block "S" used on all four position edges (same shape)
V2_SHARED = copy.deepcopy(V2)
for _node in V2_SHARED["nodes"][:2]:
    _node["pool"] = [[m, "S"] for m, _ in _node["pool"]]
V2_SHARED["weights"] = {
    "S": V2["weights"]["A"],
    "E": V2["weights"]["E"],
    "G": V2["weights"]["G"],
    "out": V2["weights"]["out"],
}

NETWORK_COMMANDS = {  # argv after the file name, per entry point that reads a network file
    "grid": ["grid", "{}"],
    "rank": ["rank", "{}", "--partition", "odd-even"],
    "separation": ["separation", "{}", "--points", "1"],
    "convert": ["convert", "{}"],
    "latex": ["latex", "{}"],
    "draw": ["draw", "{}", "--out", "{out}"],
}

_FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}  # control, surrogate, line/paragraph separators


# -- running the command line ---------------------------------------------------------------------
class Hang(Exception):
    pass


@contextmanager
def alarm(seconds=HANG_TIMEOUT):
    """Fail an in-process call that runs longer than the hang timeout (Python-level loops)."""

    def on_alarm(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def call(capsys, *argv):
    """symtd.cli.main(argv) in-process: (status, stdout, stderr). An exception escaping main()
    is what a traceback would be on the command line: the test fails."""
    argv = [os.fspath(a) if isinstance(a, os.PathLike) else a for a in argv]
    capsys.readouterr()
    try:
        with alarm():
            status = main(list(argv))
    except Hang:
        pytest.fail(f"HANG: symtd {argv!r} did not finish within {HANG_TIMEOUT} s")
    except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt included
        out, err = capsys.readouterr()
        pytest.fail(
            f"TRACEBACK: symtd {ascii(argv)[:300]} raised {type(exc).__name__}: "
            f"{ascii(str(exc))[:300]} (stdout {out[:200]!r}, stderr {err[:200]!r})"
        )
    out, err = capsys.readouterr()
    return status, out, err


def run(*argv, cwd=None, timeout=HANG_TIMEOUT):
    """``python -m symtd argv`` as a subprocess: (status, stdout, stderr); bytes on the pipes are
    decoded with surrogateescape, so an invalid byte shows up as a surrogate."""
    args = [
        sys.executable,
        "-m",
        "symtd",
        *[os.fspath(a) if isinstance(a, os.PathLike) else a for a in argv],
    ]
    try:
        done = subprocess.run(args, capture_output=True, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        pytest.fail(f"HANG: symtd {ascii(argv)[:300]} did not finish within {timeout} s")
    decode = lambda b: b.decode("utf-8", "surrogateescape")  # noqa: E731
    return done.returncode, decode(done.stdout), decode(done.stderr)


def assert_clean(text, what):
    """No raw control character, surrogate or line separator (other than line ends)."""
    bad = [ch for ch in text if ch != "\n" and unicodedata.category(ch) in _FORBIDDEN_CATEGORIES]
    assert not bad, (
        f"UNESCAPED: {what} holds raw character(s) {ascii(''.join(bad[:10]))}: {text[:300]!r}"
    )


def assert_refused(result, argv=""):
    """Exit status 2, exactly one stderr line 'symtd: error: ...', nothing on stdout, escaped."""
    status, out, err = result
    where = f"symtd {ascii(argv)[:200]}"
    assert "Traceback" not in out + err, f"TRACEBACK from {where}:\n{err[-2000:]}"
    assert status == 2, (
        f"{where}: exit status {status}, expected 2 (stdout {out[:300]!r}, stderr {err[:300]!r})"
    )
    assert err.startswith("symtd: error:"), (
        f"{where}: stderr does not start with 'symtd: error:': {err[:300]!r}"
    )
    assert err.endswith("\n") and err.count("\n") == 1, (
        f"{where}: stderr is not exactly one line: {err[:500]!r}"
    )
    assert out.strip() == "", f"{where}: refused input but printed on stdout: {out[:300]!r}"
    assert_clean(err, f"stderr of {where}")
    assert_clean(out, f"stdout of {where}")


def write_json(path, value, **kwargs):
    path.write_text(json.dumps(value, **kwargs), encoding="utf-8")
    return path


def argv_for(command, path, tmp_path):
    return [a.format(path, out=tmp_path / "picture.png") for a in NETWORK_COMMANDS[command]]


# -- a JSON serializer that can repeat a key ------------------------------------------------------
def dumps_with_duplicate(value, target, key, duplicate_value):
    """JSON text of value where the object at path ``target`` lists ``key`` twice: first with
    ``duplicate_value``, then with its real value (a reader where the last one wins accepts it)."""

    def emit(x, path):
        if isinstance(x, dict):
            items = [json.dumps(k) + ": " + emit(v, path + (k,)) for k, v in x.items()]
            if path == target:
                items.insert(0, json.dumps(key) + ": " + json.dumps(duplicate_value))
            return "{" + ", ".join(items) + "}"
        if isinstance(x, list):
            return "[" + ", ".join(emit(v, path + (i,)) for i, v in enumerate(x)) + "]"
        return json.dumps(x)

    return emit(value, ())


def paths(value, prefix=()):
    """Every path (tuple of keys / indices) in a JSON value, the root excluded."""
    out = []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return out
    for k, v in items:
        out.append(prefix + (k,))
        out.extend(paths(v, prefix + (k,)))
    return out


def get(value, path):
    for k in path:
        value = value[k]
    return value


def put(value, path, new):
    value = copy.deepcopy(value)
    get(value, path[:-1])[path[-1]] = new
    return value


def delete(value, path):
    value = copy.deepcopy(value)
    del get(value, path[:-1])[path[-1]]
    return value


# ==================================================================================================
# 1. Unreadable files, for every command that reads a network file
# ==================================================================================================
DEEP = "[" * 100_000 + "]" * 100_000
BAD_FILES = {
    "malformed JSON": b'{"format": "symtd-network/1", "N": 4,',
    "trailing garbage": json.dumps(V1).encode() + b" x",
    "invalid UTF-8": b'{"format": "symtd-network/1", "operator": "\xff\xfe"}',
    "UTF-8 BOM only": b"\xef\xbb\xbf",
    "NUL bytes": b"\x00\x00\x00",
    "empty": b"",
    "whitespace only": b" \n\t ",
    "JSON array": b"[1, 2, 3]",
    "JSON number": b"4",
    "JSON string": b'"symtd-network/1"',
    "JSON null": b"null",
    "deeply nested arrays": DEEP.encode(),
    "deeply nested objects": ('{"a":' * 50_000 + "1" + "}" * 50_000).encode(),
    "NaN literal": json.dumps(V1).replace('"N": 4', '"N": NaN').encode(),
    "Infinity literal": json.dumps(V1).replace('"N": 4', '"N": Infinity').encode(),
    "-Infinity weight": json.dumps(V1).replace('"output": [1,', '"output": [-Infinity,').encode(),
}


@pytest.mark.parametrize("command", list(NETWORK_COMMANDS))
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_unreadable_network_file(capsys, tmp_path, command, case):
    path = tmp_path / "net.json"
    path.write_bytes(BAD_FILES[case])
    argv = argv_for(command, path, tmp_path)
    assert_refused(call(capsys, *argv), argv)


@pytest.mark.parametrize("command", list(NETWORK_COMMANDS))
@pytest.mark.parametrize(
    "case",
    ["missing file", "a directory", "newline in the file name", "ANSI escape in the file name"],
)
def test_missing_directory_and_odd_file_names(capsys, tmp_path, command, case):
    if case == "missing file":
        path = tmp_path / "no-such-file.json"
    elif case == "a directory":
        path = tmp_path / "dir.json"
        path.mkdir()
    elif case == "newline in the file name":
        path = tmp_path / "bad\n[0] T4 {}: ok\nname.json"
        path.write_text("{not json")
    else:
        path = tmp_path / "bad\x1b[2J\x1b[31mname.json"
        path.write_text("[]")
    argv = argv_for(command, path, tmp_path)
    result = call(capsys, *argv)
    assert_refused(result, argv)


def test_file_name_with_undecodable_bytes_subprocess(tmp_path):
    """A file name that is not UTF-8 (argv decoded with surrogateescape): escaped, not raw."""
    name = os.fsencode(str(tmp_path)) + b"/bad\xff\n[0] T4: ok.json"
    with open(name, "wb") as handle:
        handle.write(b"{oops")
    assert_refused(run("grid", os.fsdecode(name)), "grid <bytes name>")
    assert_refused(run("check", os.fsdecode(name)), "check <bytes name>")


@pytest.mark.parametrize("name", ["\ud800.json", "a\udfffb.json", "x\ud800\n.json"])
def test_file_name_with_lone_surrogate_in_process(capsys, name):
    """symtd.cli.main called with a lone surrogate in a file name (possible from Python): the
    file cannot exist; one clear line, not an exception."""
    for command in ("grid", "convert", "check"):
        assert_refused(call(capsys, command, name), [command, name])


# ==================================================================================================
# 2. Duplicate keys anywhere: refused, never "last one wins"
# ==================================================================================================
@pytest.mark.parametrize(
    "doc,target,key,value",
    [
        (V1, (), "operator", "product"),
        (V1, (), "operator", "max"),  # even the same value twice
        (V1, (), "N", 4),
        (V1, ("weights",), "output", [5, 5]),
        (V2, (), "operator", "sum"),
        (V2, ("nodes", 0), "width", 3),
        (V2, ("weights",), "A", [["9", "9"], ["9", "9"], ["9", "9"]]),
    ],
)
@pytest.mark.parametrize("command", ["grid", "convert", "separation"])
def test_duplicate_keys_in_network_refused(capsys, tmp_path, doc, target, key, value, command):
    path = tmp_path / "dup.json"
    path.write_text(dumps_with_duplicate(doc, target, key, value))
    argv = argv_for(command, path, tmp_path)
    assert_refused(call(capsys, *argv), argv)


# ==================================================================================================
# 3. Unknown keys, numbers, sizes, v2 structure: targeted cases
# ==================================================================================================
def _v2(**changes):
    doc = copy.deepcopy(V2)
    doc.update(changes)
    return doc


def _node(k, **changes):
    doc = copy.deepcopy(V2)
    doc["nodes"][k].update(changes)
    return doc


def _pool(k, pool):
    return _node(k, pool=pool)


BAD_NETWORKS = {
    # unknown keys
    "v1 unknown top-level key": dict(V1, comment="hi"),
    "v2 unknown top-level key": _v2(levels=[[[0, 1], [2, 3]], [[0, 1]]]),
    "v2 unknown key in a node": _node(0, bias=1),
    "v1 unknown weight block": put(V1, ("weights", "layer9"), [1]),
    "v1 keys of v2": dict(V1, nodes=V2["nodes"]),
    "format missing": {k: v for k, v in V1.items() if k != "format"},
    "format 3": dict(V1, format="symtd-network/3"),
    "format with newline": dict(V1, format="symtd-network/1\n"),
    # numbers where integers belong
    "N float": dict(V1, N=4.0),
    "N true": dict(V1, N=True),
    "N string": dict(V1, N="4"),
    "N space string": dict(V1, N=" 4"),
    "M float": dict(V1, M=2.0),
    "widths float": dict(V1, widths=[3.0, 2]),
    "widths bool": dict(V1, widths=[True, 2]),
    "widths string": dict(V1, widths=["+3", 2]),
    "v2 width float": _node(0, width=3.0),
    "v2 width true": _node(2, width=True),
    "v2 width zero": _node(0, width=0),
    "v2 width negative": _node(0, width=-3),
    "shared as string": dict(V1, shared="false"),
    "shared as 0": dict(V1, shared=0),
    # numbers where exact rationals belong
    "weight float": put(V1, ("weights", "output", 0), 1.0),
    "weight true": put(V1, ("weights", "output", 0), True),
    "weight null": put(V1, ("weights", "output", 0), None),
    "weight space": put(V1, ("weights", "output", 0), " 3"),
    "weight trailing newline": put(V1, ("weights", "output", 0), "3\n"),
    "weight 1e5": put(V1, ("weights", "output", 0), "1e5"),
    "weight 3/0": put(V1, ("weights", "output", 0), "3/0"),
    "weight 1/-2": put(V1, ("weights", "output", 0), "1/-2"),
    "weight 1/2/3": put(V1, ("weights", "output", 0), "1/2/3"),
    "weight empty string": put(V1, ("weights", "output", 0), ""),
    "weight underscore": put(V1, ("weights", "output", 0), "1_000"),
    "weight hex": put(V1, ("weights", "output", 0), "0x10"),
    "weight unicode digit": put(V1, ("weights", "output", 0), "\u0663"),
    "weight fullwidth digit": put(V1, ("weights", "output", 0), "\uff13"),
    "weight nan string": put(V1, ("weights", "output", 0), "nan"),
    "weight inf string": put(V1, ("weights", "output", 0), "inf"),
    "weight object": put(V1, ("weights", "output", 0), {"num": 1}),
    "weight list": put(V1, ("weights", "output", 0), [1]),
    "v2 weight float": put(V2, ("weights", "A", 0, 0), 0.5),
    "v2 weight ANSI": put(V2, ("weights", "A", 0, 0), "\x1b[31m1"),
    "F null": dict(V1, F=None),
    "F float": put(V1, ("F", 0, 0), 1.0),
    "F wrong shape": dict(V1, F=[["1", "0"]]),
    "F 3/0": put(V1, ("F", 1, 0), "3/0"),
    # shapes
    "layer0 one position short": put(V1, ("weights", "layer0"), V1["weights"]["layer0"][:3]),
    "output too long": put(V1, ("weights", "output"), [1, 2, 3]),
    "weights a list": dict(V1, weights=[]),
    "weights null": dict(V1, weights=None),
    # sizes
    "N = 10^10": dict(V1, N=10**10),
    "N = 10^30": dict(V1, N=10**30),
    "M = 10^10": dict(V1, M=10**10),
    "widths 10^6": dict(V1, widths=[10**6, 2]),
    "widths empty": dict(V1, widths=[]),
    "M = 20000 without F": {k: v for k, v in dict(V1, M=20000).items() if k != "F"},
    "deep N=6": dict(V1, N=6),
    "shallow N=1": dict(V1, architecture="shallow", N=1, widths=[3]),
    "tree without levels": dict(V1, architecture="tree"),
    "levels with deep": dict(V1, levels=[[[0, 1], [2, 3]], [[0, 1]]]),
    "tree window of one": dict(V1, architecture="tree", levels=[[[0], [1, 2, 3]], [[0, 1]]]),
    "tree levels not a partition": dict(
        V1, architecture="tree", levels=[[[0, 1], [1, 3]], [[0, 1]]]
    ),
    "tree levels bool": dict(V1, architecture="tree", levels=[[[False, True], [2, 3]], [[0, 1]]]),
    "tree levels negative": dict(V1, architecture="tree", levels=[[[-1, 1], [2, 3]], [[0, 1]]]),
    "tree levels huge index": dict(
        V1, architecture="tree", levels=[[[10**30, 1], [2, 3]], [[0, 1]]]
    ),
    "architecture unknown": dict(V1, architecture="wide"),
    # operators
    "operator unknown": dict(V1, operator="min"),
    "operator newline": dict(V1, operator="max\n[0] T4 {}: ok"),
    "operator ANSI": dict(V1, operator="\x1b[31mmax"),
    "operator lone surrogate": dict(V1, operator="\ud800"),
    "operator number": dict(V1, operator=1),
    "operator list": dict(V1, operator=["max"]),
    "operator object missing keys": dict(V1, operator={"name": "mine"}),
    "custom operator bad name": dict(V1, operator={"name": "a\nb", "sigma": "x", "pool": "x*y"}),
    "custom operator taken name": dict(V1, operator={"name": "max", "sigma": "x", "pool": "x*y"}),
    "custom operator not associative": dict(
        V1, operator={"name": "mine", "sigma": "x", "pool": "x-y"}
    ),
    "custom operator division by zero": dict(
        V1, operator={"name": "mine", "sigma": "x", "pool": "x/0"}
    ),
    "custom operator unknown function": dict(
        V1, operator={"name": "mine", "sigma": "exp(x)", "pool": "x*y"}
    ),
    "custom operator with control chars": dict(
        V1, operator={"name": "mine", "sigma": "x\x1b[2J", "pool": "x*y"}
    ),
    # v2 structure
    "v2 empty nodes": _v2(nodes=[]),
    "v2 nodes an object": _v2(nodes={"0": V2["nodes"][0]}),
    "v2 node a list": _v2(nodes=[[3, [["x0", "A"]]]] + V2["nodes"][1:]),
    "v2 forward reference n5": _pool(0, [["n5", "A"], ["x1", "B"]]),
    "v2 self reference": _pool(2, [["n2", "E"], ["n1", "G"]]),
    "v2 cycle n0 <-> n1": _v2(
        nodes=[
            {"width": 3, "pool": [["n1", "A"], ["x1", "B"]]},
            {"width": 3, "pool": [["n0", "C"], ["x3", "D"]]},
            {"width": 2, "pool": [["n0", "E"], ["n1", "G"]]},
        ]
    ),
    "v2 member x01": _pool(0, [["x01", "A"], ["x1", "B"]]),
    "v2 member n-1": _pool(2, [["n-1", "E"], ["n1", "G"]]),
    "v2 member x1.0": _pool(0, [["x0", "A"], ["x1.0", "B"]]),
    "v2 member ' x0'": _pool(0, [[" x0", "A"], ["x1", "B"]]),
    "v2 member 'x0 '": _pool(0, [["x0 ", "A"], ["x1", "B"]]),
    "v2 member 'x0\\n'": _pool(0, [["x0\n", "A"], ["x1", "B"]]),
    "v2 member X0": _pool(0, [["X0", "A"], ["x1", "B"]]),
    "v2 member x+0": _pool(0, [["x+0", "A"], ["x1", "B"]]),
    "v2 member arabic digit": _pool(0, [["x\u0660", "A"], ["x1", "B"]]),
    "v2 member fullwidth digit": _pool(0, [["x\uff10", "A"], ["x1", "B"]]),
    "v2 member superscript digit": _pool(0, [["x\u2070", "A"], ["x1", "B"]]),
    "v2 member out of range": _pool(1, [["x2", "C"], ["x4", "D"]]),
    "v2 member huge index": _pool(1, [["x2", "C"], ["x" + "9" * 40, "D"]]),
    "v2 member number": _pool(0, [[0, "A"], ["x1", "B"]]),
    "v2 member twice in one pool": _pool(0, [["x0", "A"], ["x0", "B"], ["x1", "B"]]),
    "v2 pool entry of three": _pool(0, [["x0", "A", "B"], ["x1", "B"]]),
    "v2 pool entry a string": _pool(0, ["x0A", ["x1", "B"]]),
    "v2 empty pool": _v2(nodes=[{"width": 3, "pool": []}] + V2["nodes"]),
    "v2 unused position": _v2(N=5),
    "v2 unused node": _v2(
        nodes=V2["nodes"][:2] + [{"width": 3, "pool": [["x0", "A"]]}] + V2["nodes"][2:]
    ),
    "v2 shared block two shapes": _pool(2, [["n0", "E"], ["n1", "A"]]),
    "v2 block name empty": _pool(0, [["x0", ""], ["x1", "B"]]),
    "v2 block name digit first": _pool(0, [["x0", "1A"], ["x1", "B"]]),
    "v2 block name underscore first": _pool(0, [["x0", "_A"], ["x1", "B"]]),
    "v2 block name dash": _pool(0, [["x0", "A-1"], ["x1", "B"]]),
    "v2 block name space": _pool(0, [["x0", "A 1"], ["x1", "B"]]),
    "v2 block name 65 chars": _pool(0, [["x0", "A" * 65], ["x1", "B"]]),
    "v2 block name non-ASCII letter": _pool(0, [["x0", "\u00c4"], ["x1", "B"]]),
    "v2 block name newline": _pool(0, [["x0", "A\n[0] T4: ok"], ["x1", "B"]]),
    "v2 block name lone surrogate": _pool(0, [["x0", "A\ud800"], ["x1", "B"]]),
    "v2 block name ANSI": _pool(0, [["x0", "A\x1b[31m"], ["x1", "B"]]),
    "v2 block name number": _pool(0, [["x0", 7], ["x1", "B"]]),
    "v2 output names an edge block": _v2(output="A"),
    "v2 output bad name": _v2(output="out\n"),
    "v2 output number": _v2(output=1),
    "v2 weights for an unknown block": put(V2, ("weights", "Z"), [["1", "1"]]),
    "v2 weights missing a block": delete(V2, ("weights", "D")),
    "v2 weights unknown block with newline": put(V2, ("weights", "Z\n[0] T4: ok"), [["1"]]),
    "v2 weights block of wrong shape": put(V2, ("weights", "A"), [["1", "2"]]),
    "v2 node count 2*10^5": _v2(nodes=[{"width": 1, "pool": [["x0", "A"]]}] * 200_000),
}


@pytest.mark.parametrize("case", list(BAD_NETWORKS))
def test_bad_network_refused_by_grid(capsys, tmp_path, case):
    path = write_json(tmp_path / "net.json", BAD_NETWORKS[case])
    assert_refused(call(capsys, "grid", path), ["grid", case])


@pytest.mark.parametrize(
    "case",
    [
        c
        for c in BAD_NETWORKS
        if c.startswith("v2") or "operator" in c or "unknown" in c or "N " in c
    ],
)
@pytest.mark.parametrize("command", ["separation", "convert", "latex", "rank"])
def test_bad_network_refused_by_other_commands(capsys, tmp_path, case, command):
    path = write_json(tmp_path / "net.json", BAD_NETWORKS[case])
    argv = argv_for(command, path, tmp_path)
    assert_refused(call(capsys, *argv), [command, case])


@pytest.mark.parametrize(
    "value,expected",
    [
        ("+3", Fraction(3)),
        (".5", Fraction(1, 2)),
        ("-0", 0),
        ("3.", Fraction(3)),
        ("007", Fraction(7)),
    ],
)
def test_lenient_number_forms_mean_their_value_or_are_refused(capsys, tmp_path, value, expected):
    """ "+3" or ".5" as a weight: either refused (exit 2, one line) or read as exactly that
    number (the same grid as the canonical spelling), never something else."""
    canonical = write_json(tmp_path / "a.json", put(V1, ("weights", "output", 0), str(expected)))
    odd = write_json(tmp_path / "b.json", put(V1, ("weights", "output", 0), value))
    want = call(capsys, "grid", canonical)
    assert want[0] == 0, want
    got = call(capsys, "grid", odd)
    if got[0] == 2:
        assert_refused(got, ["grid", value])
    else:
        assert got[0] == 0 and got[1] == want[1], f"weight {value!r} read as something else: {got}"


def test_v2_without_weights_refused_by_grid_and_rank_accepted_by_separation(capsys, tmp_path):
    path = write_json(tmp_path / "arch.json", {k: v for k, v in V2.items() if k != "weights"})
    assert_refused(call(capsys, "grid", path), "grid arch")
    result = call(capsys, "rank", path, "--partition", "odd-even")
    assert_refused(result, "rank arch")
    assert "weights" in result[2], result[2]
    status, out, err = call(capsys, "separation", path, "--points", "1", "--json")
    assert status == 0 and err == "", (status, err)
    assert json.loads(out)["partitions"]


def test_shared_block_same_shape_is_accepted(capsys, tmp_path):
    """Control for the two-shapes case: sharing one block with one shape is valid."""
    path = write_json(tmp_path / "shared.json", V2_SHARED)
    status, out, err = call(capsys, "grid", path)
    assert status == 0, err
    assert json.loads(out)["shape"] == [2, 2, 2, 2]


# -- oversize numbers and sizes: subprocesses (a quadratic parse or a huge build would hang) -------
HUGE_DIGITS = 3_000_000


@pytest.mark.parametrize(
    "case",
    [
        "integer",
        "string",
        "negative string",
        "ratio",
        "decimal",
        "F entry",
        "N",
        "v2 width",
        "levels index",
    ],
)
def test_multi_million_digit_numbers_refused_quickly(tmp_path, case):
    digits = "7" * HUGE_DIGITS
    text = json.dumps(V1)
    doc_v2 = json.dumps(V2)
    raw = {
        "integer": text.replace('"output": [1,', '"output": [' + digits + ","),
        "string": text.replace('"output": [1,', '"output": ["' + digits + '",'),
        "negative string": text.replace('"output": [1,', '"output": ["-' + digits + '",'),
        "ratio": text.replace('"output": [1,', '"output": ["1/' + digits + '",'),
        "decimal": text.replace('"output": [1,', '"output": ["0.' + digits + '",'),
        "F entry": text.replace('"F": [["1",', '"F": [["' + digits + '",'),
        "N": text.replace('"N": 4', '"N": ' + digits),
        "v2 width": doc_v2.replace('"width": 3', '"width": ' + digits, 1),
        "levels index": json.dumps(
            dict(V1, architecture="tree", levels=[[[0, 1], [2, 3]], [[0, 1]]])
        ).replace("[[[0, 1]", "[[[" + digits + ", 1]"),
    }[case]
    assert raw != text and raw != doc_v2
    path = tmp_path / "huge.json"
    path.write_text(raw)
    assert_refused(run("grid", path), ["grid", case])


def test_huge_number_in_operator_position_and_keys(tmp_path):
    """A multi-million-digit number in an odd place (a key's value that is not numeric)."""
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(V1).replace('"operator": "max"', '"operator": ' + "9" * HUGE_DIGITS))
    assert_refused(run("convert", path), "convert huge operator")


def test_astronomical_grid_refused_with_estimate_not_built(tmp_path):
    """shallow N=100, M=2: the file is tiny, the grid has 2^100 entries."""
    N = 100
    doc = {
        "format": "symtd-network/1",
        "architecture": "shallow",
        "N": N,
        "M": 2,
        "operator": "product",
        "widths": [1],
        "weights": {"layer0": [[[1, 2]] for _ in range(N)], "output": [1]},
    }
    path = write_json(tmp_path / "big.json", doc)
    for argv in (
        ["grid", path],
        ["rank", path, "--partition", "odd-even"],
        ["latex", path, "--what", "matricization", "odd-even"],
        ["draw", path, "--out", tmp_path / "h.png", "--matricization", "odd-even"],
    ):
        status, out, err = result = run(*argv)
        assert_refused(result, argv)
        assert re.search(r"[0-9]", err) and re.search(
            r"entr|memory|large|many|byte|size|×|rows", err
        ), f"{argv[0]}: refusal does not state the size: {err!r}"


def test_astronomical_architecture_refused_by_separation(tmp_path):
    N = 64
    doc = {
        "format": "symtd-network/2",
        "N": N,
        "M": 2,
        "operator": "product",
        "nodes": [{"width": 2, "pool": [[f"x{j}", "A"] for j in range(N)]}],
        "output": "out",
    }
    path = write_json(tmp_path / "big.json", doc)
    assert_refused(run("separation", path, "--points", "1"), "separation N=64")


def test_v2_huge_fan_in_grid_refused(tmp_path):
    """N=40 positions into one node, M=2: 2^40 grid entries."""
    N = 40
    doc = {
        "format": "symtd-network/2",
        "N": N,
        "M": 2,
        "operator": "max",
        "nodes": [{"width": 1, "pool": [[f"x{j}", "A"] for j in range(N)]}],
        "output": "out",
        "weights": {"A": [["1", "2"]], "out": ["1"]},
    }
    path = write_json(tmp_path / "fan.json", doc)
    assert_refused(run("grid", path), "grid fan-in 40")


def test_deep_N64_M1_is_answered_or_refused_cleanly(tmp_path):
    """N = 64 with M = 1: one grid entry, but a 64-dimensional tensor."""
    N = 64
    doc = {
        "format": "symtd-network/1",
        "architecture": "deep",
        "N": N,
        "M": 1,
        "operator": "product",
        "widths": [1] * 6,
        "weights": {
            "layer0": [[[2]] for _ in range(N)],
            **{f"layer{l}": [[[1]] for _ in range(N >> l)] for l in range(1, 6)},
            "output": [1],
        },
    }
    path = write_json(tmp_path / "m1.json", doc)
    for argv in (["grid", path], ["rank", path, "--partition", "odd-even"]):
        status, out, err = result = run(*argv)
        if status == 2:
            assert_refused(result, argv)
        else:
            assert status == 0 and "Traceback" not in err, result
            if argv[0] == "grid":
                assert json.loads(out) == {"shape": [1] * N, "entries": [str(2**N)]}
            else:
                assert out.split()[-1] == "1"


def test_long_v2_chain_is_answered_or_refused_cleanly(tmp_path):
    """A recurrent chain of 50,000 one-member nodes (deep recursion bait)."""
    K = 50_000
    nodes = [{"width": 1, "pool": [["x0", "A"], ["x1", "B"]]}]
    nodes += [{"width": 1, "pool": [[f"n{k - 1}", "C"]]} for k in range(1, K)]
    doc = {
        "format": "symtd-network/2",
        "N": 2,
        "M": 2,
        "operator": "product",
        "nodes": nodes,
        "output": "out",
        "weights": {"A": [["1", "1"]], "B": [["1", "1"]], "C": [["1"]], "out": ["1"]},
    }
    path = write_json(tmp_path / "chain.json", doc)
    status, out, err = result = run("grid", path)
    if status == 2:
        assert_refused(result, "grid chain")
    else:
        assert status == 0 and "Traceback" not in err, result
        assert json.loads(out)["entries"] == ["1"] * 4  # every node value is 1·1


def test_huge_weights_compounding_in_a_deep_product_network(tmp_path):
    """10,000-digit weights are allowed one by one, but a deep product network multiplies them:
    N = 16, M = 2 gives 65,536 entries of ~500,000 digits each. Answer or refuse, in bounded
    time."""
    N, big = 16, "9" * 10_000
    doc = {
        "format": "symtd-network/1",
        "architecture": "deep",
        "N": N,
        "M": 2,
        "operator": "product",
        "widths": [2] * 4,
        "weights": {
            "layer0": [[[big, big], [big, "-" + big]] for _ in range(N)],
            **{f"layer{l}": [[[big, big], [big, big]] for _ in range(N >> l)] for l in range(1, 4)},
            "output": [big, big],
        },
    }
    path = write_json(tmp_path / "bigweights.json", doc)
    status, out, err = result = run("grid", path, "--out", tmp_path / "g.json")
    if status == 2:
        assert_refused(result, "grid huge weights")
    else:
        assert status == 0 and "Traceback" not in err, result


@pytest.mark.parametrize(
    "pool",
    [
        "((((((((((x^8)^8)^8)^8)^8)^8)^8)^8)^8)^8)*y",
        "x*y*((((((((((x^8)^8)^8)^8)^8)^8)^8)^8)^8)^8)",
    ],
)
def test_custom_operator_exponent_tower_refused_quickly(tmp_path, pool):
    """Each exponent is <= 8, but nested parentheses multiply them: x^(8^10). The operator check
    must refuse (or decide) it in bounded time, not evaluate 5^(8^10)."""
    path = write_json(
        tmp_path / "tower.json", dict(V1, operator={"name": "tower", "sigma": "x", "pool": pool})
    )
    assert_refused(run("grid", path), ["grid", "exponent tower"])


def test_separation_with_one_bad_file_among_good_ones(capsys, tmp_path):
    good = write_json(tmp_path / "good.json", V1)
    bad = write_json(tmp_path / "bad.json", dict(V1, N=4.0))
    assert_refused(call(capsys, "separation", good, bad, "--points", "1"), "separation good bad")


@pytest.mark.parametrize("form", ["", "--csv", "--latex", "--json"])
def test_separation_prints_file_names_escaped(capsys, tmp_path, form):
    """The table names each network by its path: a newline or escape in the name stays escaped."""
    path = write_json(tmp_path / "n\x1b[31m\n[0] T4 {}: ok\u2028.json", V1)
    status, out, err = call(capsys, "separation", path, "--points", "1", *([form] if form else []))
    assert status == 0, err
    assert_clean(out, f"separation {form} stdout")
    assert not any(line.startswith("[0] T4") for line in out.splitlines()), out


# ==================================================================================================
# 4. Partitions, --what arguments and other options with odd strings
# ==================================================================================================
BAD_PARTITIONS = [
    "I=0,\n1",
    "I=0,1\n",
    "I=\n0",
    "odd-even\n",
    "odd-even\x1b[31m",
    "I=\ud800",
    "I=0,\ud800",
    "I=\u0660",
    "I=\uff10",
    "I=0,0",
    "I=4",
    "I=-1",
    "I=0,,1",
    "I=0 1",
    "I=1e0",
    "I=" + "9" * 30,
    "I=0\x00",
    "I=\x1f",
    "root\r",
    "low-high\u2028",
    "",
    "I",
    "i=0",
    "I=0;1",
    "I=" + ",".join(["0"] * 10),
]


@pytest.mark.parametrize("spec", BAD_PARTITIONS)
def test_bad_partition_refused_by_rank(capsys, tmp_path, spec):
    path = write_json(tmp_path / "net.json", V1)
    assert_refused(call(capsys, "rank", path, "--partition", spec), ["rank", spec])


@pytest.mark.parametrize("spec", ["I=0,\n1", "odd-even\x1b[31m", "I=\ud800", "I=4"])
def test_bad_partition_refused_by_separation_and_draw(capsys, tmp_path, spec):
    path = write_json(tmp_path / "net.json", V1)
    assert_refused(
        call(capsys, "separation", path, "--partition", spec, "--points", "1"), ["separation", spec]
    )
    assert_refused(
        call(capsys, "draw", path, "--out", tmp_path / "h.png", "--matricization", spec),
        ["draw", spec],
    )
    assert_refused(call(capsys, "latex", path, "--what", "matricization", spec), ["latex", spec])


@pytest.mark.parametrize(
    "what",
    [
        ["entry", "0,1,0"],
        ["entry", "0,1,0,2"],
        ["entry", "0,1,0,1\n"],
        ["entry", "0,1,0,\u0661"],
        ["entry", " 0,1,0,1"],
        ["entry", "+0,1,0,1"],
        ["entry", "0,1,0,-1"],
        ["entry", "9" * 5000 + ",0,0,0"],
        ["entry", "0,1,0,1_0"],
        ["entry", "\ud800"],
        ["entry"],
        ["matricization"],
        ["decomposition", "x"],
        ["nonsense\n[0] T4: ok"],
        ["matricization", "odd-even", "extra"],
    ],
)
def test_bad_latex_what_refused(capsys, tmp_path, what):
    path = write_json(tmp_path / "net.json", V1)
    assert_refused(call(capsys, "latex", path, "--what", *what), ["latex", *what])


@pytest.mark.parametrize(
    "argv",
    [
        ["separation", "{net}", "--points", "0"],
        ["separation", "{net}", "--points", "101"],
        ["separation", "{net}", "--points", "9" * 30],
        ["separation", "{net}", "--seed", "-1"],
        ["separation", "{net}", "--json", "--csv"],
        ["draw", "{net}", "--out", "{tmp}/x.gif"],
        ["draw", "{net}", "--out", "{tmp}/no/such/dir/x\n[0] T4: ok.png"],
        ["grid", "{net}", "--out", "{tmp}/no/such/dir/g\n[0] T4: ok.json"],
        ["grid"],
        ["rank", "{net}"],
        ["nosuchcommand\x1b[2J"],
        ["grid", "{net}", "--bogus\n"],
        ["rank", "{net}", "--partition=--"],
        ["separation", "{net}", "--partition=--"],
    ],
)
def test_bad_options_refused(capsys, tmp_path, argv):
    path = write_json(tmp_path / "net.json", V1)
    argv = [a.format(net=path, tmp=tmp_path) for a in argv]
    assert_refused(call(capsys, *argv), argv)


def test_draw_out_name_with_newline_is_escaped(capsys, tmp_path):
    """A successful draw names the picture it wrote: a newline in that name must not split the
    line (it would let a file name forge output lines)."""
    path = write_json(tmp_path / "net.json", V1)
    status, out, err = call(capsys, "draw", path, "--out", tmp_path / "pic\n[0] T4 {}: ok.png")
    assert status in (0, 2), (status, out, err)
    if status == 2:
        assert_refused((status, out, err), "draw newline out")
    else:
        assert out.count("\n") == 1, (
            f"UNESCAPED: one picture, but stdout has several lines: {out!r}"
        )
        assert_clean(out, "stdout of draw")


# ==================================================================================================
# 5. prove: oversize and invalid instances are refused quickly; what prove writes, check can check
# ==================================================================================================
PROVE_REFUSED = [
    ["T4", "--N", "10000000000"],
    ["T1", "--N", "40", "--M", "1"],
    ["T4", "--N", "40", "--M", "1"],
    ["T5", "--N", "40", "--M", "1"],
    ["T6", "--N", "40", "--M", "1"],
    ["T1", "--N", "16", "--M", "2"],
    ["T2", "--N", "16", "--M", "2"],
    ["T3", "--widths", "5000,2"],
    ["T4", "--N", "16"],
    ["T4", "--N", "0"],
    ["T4", "--N", "-4"],
    ["T4", "--M", "0"],
    ["T4", "--r", "0"],
    ["T4", "--r", "-1"],
    ["T1", "--Z", "0"],
    ["T3", "--widths", "0,2"],
    ["T3", "--widths", "-1,2"],
    ["T3", "--widths", "2,,2"],
    ["T4", "--seed", "-1"],
    ["T4", "--N", "123456789012345678901234567890"],
    ["T4", "--seed", "123456789012345678901234567890"],
    ["T4", "--M", "9" * 30],
    ["T4", "--N", "4.0"],
    ["T4", "--N", " 4"],
    ["T4", "--N", "+4"],
    ["T4", "--N", "\u0664"],
    ["T4", "--architecture", "wide"],
    ["T1", "--architecture", "wide"],
    ["T3", "--architecture", "wide"],
    ["T4", "--architecture", "deep\n[0] ok"],
    ["T3", "--operator", "min"],
    ["T3", "--operator", "\ud800"],
    ["T3", "--partition", "I=0,\n1"],
    ["T3", "--partition", "I=9"],
    ["T8"],
    ["t4"],
    ["T4\n"],
    ["\x1b[31mT4"],
    ["\ud800"],
    ["all", "--N", "4"],
    ["T4", "--architecture", "overlapping", "--kernel", "1"],
    ["T4", "--architecture", "overlapping", "--stride", "0"],
    ["T4", "--shared", "maybe"],
    ["T3", "--widths=--"],
    ["T7", "--templates=--"],
    ["T4", "--N=--"],
    ["T5", "--Z", "3"],
    ["T6", "--N", "16", "--widths", "9,9,9,9"],
    ["T7", "--N", "16"],
    ["T7", "--templates", "1/0,2,3"],
    ["T7", "--templates", "nan,2,3"],
    ["T7", "--templates", "inf,2,3"],
    ["T7", "--templates", "1e99999999,2,3"],
    ["T7", "--biases=1e-99999999,0,1"],
    ["T7", "--templates", "1e999999999999,2"],
    ["T7", "--templates", ",".join(["1"] * 400)],
    ["T1", "--cert", "/no/such/dir/c\n[0] T1: ok.json", "--N", "3"],
    ["T4", "--N", "4", "--latex", "/no/such/dir/r.tex"],
    ["T4", "--N", "4", "--latex", "r\n.tex"],
    ["T4", "--pdf"],
]


_PROVE_ARGV = [
    a for a in PROVE_REFUSED if not any("\ud800" in x for x in a)
]  # real argv can't hold them


@pytest.mark.parametrize("argv", _PROVE_ARGV, ids=[ascii(" ".join(a))[:60] for a in _PROVE_ARGV])
def test_prove_refuses_bad_or_oversize_instances(tmp_path, argv):
    assert_refused(run("prove", *argv, cwd=tmp_path), ["prove", *argv])


@pytest.mark.parametrize("argv", [a for a in PROVE_REFUSED if any("\ud800" in x for x in a)])
def test_prove_refuses_lone_surrogates_in_process(capsys, argv):
    assert_refused(call(capsys, "prove", *argv), ["prove", *argv])


@pytest.mark.parametrize(
    "argv",
    [
        ["T4", "--N", "32", "--M", "1"],  # control: passes quickly
        ["T5", "--N", "16"],  # a 256 × 256 identity: within the checker's limits
        ["T6", "--N", "16", "--widths", "8,8,8,8"],
        [
            "T4",
            "--architecture",
            "overlapping",
            "--N",
            "12",
            "--M",
            "2",
            "--r",
            "8",
            "--kernel",
            "2",
            "--stride",
            "1",
        ],
        ["T4", "--architecture", "overlapping", "--kernel", "100000"],  # checker: kernel <= 64
        ["T3", "--N", "8", "--widths", "8,8,8"],
    ],
    ids=lambda a: " ".join(a),
)
def test_check_finishes_on_what_prove_writes(tmp_path, argv):
    """Boundary instances prove accepts: the certificates it writes must be checkable in
    bounded time (prove refuses what the checker cannot check)."""
    cert = tmp_path / "c.json"
    status, out, err = run("prove", *argv, "--cert", cert)
    if status == 2:
        assert_refused((status, out, err), ["prove", *argv])
        return
    assert status == 0 and "Traceback" not in err, (status, out, err)
    status, out, err = run("check", cert)
    assert status == 0, (
        f"check of prove {' '.join(argv)}: status {status}: {out[-500:]} {err[-500:]}"
    )
    assert out.strip().splitlines()[-1].endswith("certificates pass")


# ==================================================================================================
# 6. check: not a certificate (2), tampered certificate (1, never 0), output escaped
# ==================================================================================================
@pytest.fixture(scope="module")
def certificates():
    """Small real certificates (in-process, from the prove API)."""
    from symtd.theorems.prove import prove

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


# ==================================================================================================
# 7. Fuzzing network files
# ==================================================================================================
HOSTILE_STRINGS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\n",
            "x0\n",
            "\x1b[31m",
            "\ud800",
            "\udfff",
            "a\u2028b",
            "\x00",
            "\x85",
            "[0] T4: ok\n",
            "max\n",
            "1e5",
            " 3",
            "3 ",
            "3/0",
            "NaN",
            "Infinity",
            "\u0663",
            "0x1",
            "1_0",
            "--",
            "I=0",
            "\u202e",
            "\ufeff",
        ]
    ),
    st.text(max_size=12),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3F), max_size=8),
)
HOSTILE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 1.0, -1.0, 4.0, 1e300, 10**30, -(10**30), 2**63, -(2**63) - 1]),
    HOSTILE_STRINGS,
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(HOSTILE_STRINGS, st.integers(0, 3), max_size=2),
)
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
    doc = _pool(0, [[member, "A"], ["x1", "B"]])
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
    has_control = any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in spec)
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
