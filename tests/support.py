"""Shared test support: strategies for random circuits, reference evaluation, valid base network
documents, and the harness the hostile-input tests run the command line with.

Test modules import from here (``from support import ...``), never from each other or from
conftest (which holds fixtures only).

The hostile-input contract (tests/test_hostile_*.py), for every command-line entry point
(grid, rank, separation, convert, latex, draw, prove, check): malformed or oversize input
exits with status 2, prints exactly ONE line starting with "symtd: error:" on stderr, no
traceback, nothing verdict-like on stdout, and finishes in bounded time. Untrusted strings
(file contents, names, options) are printed escaped: no raw newline, control character or
lone surrogate from the input reaches stdout or stderr. ``symtd check`` exits 2 on a JSON
value that is not a certificate and 1 (never 0) on a tampered but well-formed one.

Calls that cannot hang run in-process (``symtd.cli.main`` with capsys, guarded by an alarm,
see :func:`call`); calls that might hang (oversize numbers, sizes, ``prove``) run as
subprocesses (:func:`run`) with a timeout whose expiry fails the test as a hang. The timeout
is a hang detector, not a performance assertion: no test measures durations.
"""

from __future__ import annotations

import copy
import json
import os
import random
import signal
import subprocess
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import symtd
from symtd.cli import main

# ==================================================================================================
# Random circuits over every pooling geometry and operator (hypothesis strategies)
# ==================================================================================================
GEOMETRIES = {
    "shallow3": [[[0, 1, 2]]],
    "deep4": [[[0, 1], [2, 3]], [[0, 1]]],
    "mirror4": [[[0, 3], [1, 2]], [[0, 1]]],
    "windows3": [[[0, 4, 2], [1, 3, 5]], [[0, 1]]],
    "deep8": [[[0, 1], [2, 3], [4, 5], [6, 7]], [[0, 1], [2, 3]], [[0, 1]]],
}
OPERATORS = ["product", "max", "sum", "avg"]


DEEP_MAX_V1 = {  # a small v1 network file: deep max, N=4, M=2, non-identity F
    "format": "symtd-network/1",
    "architecture": "deep",
    "N": 4,
    "M": 2,
    "operator": "max",
    "widths": [3, 2],
    "F": [["1", "0"], ["1/2", "1"]],
    "weights": {
        "layer0": [
            [[1, -1], [2, "1/3"], [0, 1]],
            [[1, 0], [0, 1], [1, 1]],
            [[1, 2], [-1, 1], [0, "0.5"]],
            [[3, 1], [1, 1], [1, -1]],
        ],
        "layer1": [[[1, -1, 2], [0, 1, 1]], [[2, 1, -1], [1, 1, 1]]],
        "output": [1, "-2/3"],
    },
}


def random_nonsingular(M: int, rng: random.Random) -> list[list[Fraction]]:
    """A random M×M rational matrix F with det F ≠ 0 (a covering template matrix)."""
    while True:
        F = [[Fraction(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(M)] for _ in range(M)]
        if symtd.is_covering(np.array(F, dtype=object)):
            return F


def random_circuit(
    geometry: str,
    M: int,
    operator: str,
    shared: bool,
    seed: int,
    identity_F: bool = True,
    low: int = -5,
    high: int = 5,
) -> symtd.Circuit:
    """A tree circuit over ``GEOMETRIES[geometry]`` with random widths 1-3 and every weight a
    random rational (numerator in [low, high], denominator 1-4), reproducible from ``seed``."""
    rng = random.Random(seed)
    levels = GEOMETRIES[geometry]
    widths = [rng.randint(1, 3) for _ in levels]
    F = None if identity_F else random_nonsingular(M, rng)
    c = symtd.tree(levels, M, widths, operator, shared=shared, F=F)
    point = {s: Fraction(rng.randint(low, high), rng.randint(1, 4)) for s in c.free_symbols}
    return c.subs(point)


@st.composite
def circuits(
    draw: st.DrawFn,
    geometries: Sequence[str] = tuple(GEOMETRIES),
    operators: Sequence[str] = tuple(OPERATORS),
) -> symtd.Circuit:
    """A random numeric tree circuit (geometry, M ∈ {2, 3}, operator, sharing, F)."""
    return random_circuit(
        draw(st.sampled_from(geometries)),
        draw(st.integers(2, 3)),
        draw(st.sampled_from(operators)),
        draw(st.booleans()),
        draw(st.integers(0, 10**6)),
        identity_F=draw(st.booleans()),
    )


@st.composite
def random_levels(draw: st.DrawFn, max_positions: int = 7) -> list[list[list[int]]]:
    """A random uniform-depth pooling tree: shuffled (non-contiguous) windows of size 2 or 3."""
    N = draw(st.integers(2, max_positions))
    levels, size = [], N
    while size > 1:
        order = draw(st.permutations(range(size)))
        windows, i = [], 0
        while i < size:
            k = (
                size - i
                if size - i <= 3
                else draw(st.sampled_from([2, 3] if size - i != 4 else [2]))
            )
            windows.append(list(order[i : i + k]))
            i += k
        levels.append(windows)
        size = len(windows)
    return levels


@st.composite
def random_geometry_circuits(draw: st.DrawFn) -> symtd.Circuit:
    """A random numeric tree circuit over a random pooling tree (:func:`random_levels`)."""
    levels = draw(random_levels())
    M = draw(st.integers(1, 3)) if sum(len(w) for w in levels[0]) <= 5 else 2
    rng = random.Random(draw(st.integers(0, 10**6)))
    c = symtd.tree(
        levels,
        M,
        [rng.randint(1, 3) for _ in levels],
        draw(st.sampled_from(OPERATORS)),
        shared=draw(st.booleans()),
        F=None if draw(st.booleans()) else random_nonsingular(M, rng),
    )
    return c.subs({s: Fraction(rng.randint(-6, 6), rng.randint(1, 5)) for s in c.free_symbols})


@st.composite
def random_dags(
    draw: st.DrawFn, max_positions: int = 6, max_nodes: int = 6, tree: bool = False
) -> symtd.Circuit:
    """A random circuit: nodes pool 1-3 members (positions or earlier nodes); blocks are shared
    at random between edges of equal shape; every position and node ends up used."""
    rng = random.Random(draw(st.integers(0, 10**6)))
    N, K, M = rng.randint(1, max_positions), rng.randint(1, max_nodes), rng.randint(1, 3)
    widths = [rng.randint(1, 3) for _ in range(K)]
    unused = [f"x{j}" for j in range(N)]
    nodes = []
    for k in range(K):
        if k == K - 1:
            pool = list(unused)
        else:
            fresh = rng.sample(unused, min(len(unused), rng.randint(1, 2)))
            pool = (
                fresh
                if tree
                else fresh
                + rng.sample(
                    [f"x{j}" for j in range(N)] + [f"n{i}" for i in range(k)], rng.randint(0, 1)
                )
            )
        pool = list(dict.fromkeys(pool)) or [f"n{k - 1}" if k else "x0"]
        for m in pool:
            if m in unused:
                unused.remove(m)
        unused.append(f"n{k}")
        names = []
        for m in pool:
            dim = M if m[0] == "x" else widths[int(m[1:])]
            names.append((m, f"B{widths[k]}_{dim}_{rng.randint(0, 2 if not tree else 10**6)}"))
        nodes.append((widths[k], names))
    operator = draw(st.sampled_from(OPERATORS))
    F = None if rng.random() < 0.5 else random_nonsingular(M, rng)
    c = symtd.circuit(nodes, M, operator, N=N, output="out", F=F)
    return c.subs({s: Fraction(rng.randint(-5, 5), rng.randint(1, 3)) for s in c.free_symbols})


def evaluate_at(circuit: symtd.Circuit, d: Sequence[int]) -> Fraction:
    """Reference: the circuit at one template tuple d, in Fractions, written from the circuit
    equations of format v2 alone
    (value of xJ = F[d_J]; node k pools B_i·value(m_i) channel by channel; y = out·root)."""
    value = {f"x{j}": list(circuit.F[d[j]]) for j in range(circuit.N)}
    name = circuit.operator.name
    for k, node in enumerate(circuit.nodes):
        inputs = []
        for member, block in node.pool:
            B = circuit.block(block)
            inputs.append(
                [
                    sum(B[g, e] * value[member][e] for e in range(B.shape[1]))
                    for g in range(node.width)
                ]
            )
        pooled = []
        for g in range(node.width):
            xs = [c[g] for c in inputs]
            if name == "product":
                p = Fraction(1)
                for x in xs:
                    p *= x
            elif name == "max":
                p = max(max(xs), 0)
            else:
                p = Fraction(sum(max(x, 0) for x in xs)) / (len(xs) if name == "avg" else 1)
            pooled.append(p)
        value[f"n{k}"] = pooled
    out = circuit.block(circuit.output)
    return sum(out[a] * value[circuit.root][a] for a in range(len(out)))


# ==================================================================================================
# Hostile input: the harness
# ==================================================================================================
HANG_TIMEOUT = 60  # seconds; expiry = the command hangs (generous on purpose)
HUGE_DIGITS = 3_000_000
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}  # control, surrogate, line/paragraph separators


class Hang(Exception):
    """An in-process call ran past the hang timeout."""


@contextmanager
def alarm(seconds: int = HANG_TIMEOUT) -> Iterator[None]:
    """Fail an in-process call that runs longer than the hang timeout (Python-level loops)."""

    def on_alarm(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def call(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str, str]:
    """symtd.cli.main(argv) in-process: (status, stdout, stderr). An exception escaping main()
    is what a traceback would be on the command line: the test fails."""
    args = [os.fspath(a) if isinstance(a, os.PathLike) else a for a in argv]
    capsys.readouterr()
    try:
        with alarm():
            status = main(list(args))
    except Hang:
        pytest.fail(f"HANG: symtd {args!r} did not finish within {HANG_TIMEOUT} s")
    except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt included
        out, err = capsys.readouterr()
        pytest.fail(
            f"TRACEBACK: symtd {ascii(args)[:300]} raised {type(exc).__name__}: "
            f"{ascii(str(exc))[:300]} (stdout {out[:200]!r}, stderr {err[:200]!r})"
        )
    out, err = capsys.readouterr()
    return status, out, err


def run(
    *argv: Any, cwd: os.PathLike[str] | None = None, timeout: int = HANG_TIMEOUT
) -> tuple[int, str, str]:
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

    def decode(b: bytes) -> str:
        return b.decode("utf-8", "surrogateescape")

    return done.returncode, decode(done.stdout), decode(done.stderr)


def assert_clean(text: str, what: str) -> None:
    """No raw control character, surrogate or line separator (other than line ends)."""
    bad = [ch for ch in text if ch != "\n" and unicodedata.category(ch) in FORBIDDEN_CATEGORIES]
    assert not bad, (
        f"UNESCAPED: {what} holds raw character(s) {ascii(''.join(bad[:10]))}: {text[:300]!r}"
    )


def assert_refused(result: tuple[int, str, str], argv: object = "") -> None:
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


def write_json(path: Any, value: Any, **kwargs: Any) -> Any:
    """Write ``value`` as JSON text to ``path`` (a pathlib.Path) and return the path."""
    path.write_text(json.dumps(value, **kwargs), encoding="utf-8")
    return path


# -- a JSON serializer that can repeat a key, and paths into JSON values ---------------------------
def dumps_with_duplicate(value: Any, target: tuple, key: str, duplicate_value: Any) -> str:
    """JSON text of value where the object at path ``target`` lists ``key`` twice: first with
    ``duplicate_value``, then with its real value (a reader where the last one wins accepts it)."""

    def emit(x: Any, path: tuple) -> str:
        if isinstance(x, dict):
            items = [json.dumps(k) + ": " + emit(v, path + (k,)) for k, v in x.items()]
            if path == target:
                items.insert(0, json.dumps(key) + ": " + json.dumps(duplicate_value))
            return "{" + ", ".join(items) + "}"
        if isinstance(x, list):
            return "[" + ", ".join(emit(v, path + (i,)) for i, v in enumerate(x)) + "]"
        return json.dumps(x)

    return emit(value, ())


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys / indices) in a JSON value, the root excluded."""
    out: list[tuple] = []
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return out
    for k, v in items:
        out.append(prefix + (k,))
        out.extend(paths(v, prefix + (k,)))
    return out


def get(value: Any, path: tuple) -> Any:
    """The part of a JSON value at ``path``."""
    for k in path:
        value = value[k]
    return value


def put(value: Any, path: tuple, new: Any) -> Any:
    """A deep copy of ``value`` with the part at ``path`` replaced by ``new``."""
    value = copy.deepcopy(value)
    get(value, path[:-1])[path[-1]] = new
    return value


def delete(value: Any, path: tuple) -> Any:
    """A deep copy of ``value`` without the part at ``path``."""
    value = copy.deepcopy(value)
    del get(value, path[:-1])[path[-1]]
    return value


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
del _node


def v2_with(**changes: Any) -> dict:
    """A copy of V2 with top-level keys changed."""
    doc = copy.deepcopy(V2)
    doc.update(changes)
    return doc


def v2_node_with(k: int, **changes: Any) -> dict:
    """A copy of V2 with keys of node k changed."""
    doc = copy.deepcopy(V2)
    doc["nodes"][k].update(changes)
    return doc


def v2_pool_with(k: int, pool: list) -> dict:
    """A copy of V2 whose node k pools ``pool``."""
    return v2_node_with(k, pool=pool)


NETWORK_COMMANDS = {  # argv after the file name, per entry point that reads a network file
    "grid": ["grid", "{}"],
    "rank": ["rank", "{}", "--partition", "odd-even"],
    "separation": ["separation", "{}", "--points", "1"],
    "convert": ["convert", "{}"],
    "latex": ["latex", "{}"],
    "draw": ["draw", "{}", "--out", "{out}"],
    "certify": ["certify", "{}", "--out", "{out}", "--points", "1"],
    "compare": ["compare", "{}", "--shallow", "2", "--points", "1"],
}


def argv_for(command: str, path: Any, tmp_path: Any) -> list[str]:
    """The argv of NETWORK_COMMANDS[command] reading the network file ``path``."""
    return [a.format(path, out=tmp_path / "picture.png") for a in NETWORK_COMMANDS[command]]


DEEP = "[" * 100_000 + "]" * 100_000
BAD_FILES = {  # files no reader of JSON documents may accept
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

# -- hostile strings and values (hypothesis strategies) --------------------------------------------
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
