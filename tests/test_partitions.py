"""One partition vocabulary: every function that takes a partition (I, J) accepts the names
("odd-even", "low-high", "root", "I=...") and position lists, and a name gives the same
answer as the positions it resolves to."""

from __future__ import annotations

import dataclasses
import itertools
import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import random_dags

import symtd
from symtd.circuits.partitions import NAMED, partition, validate_partition
from symtd.ranks.bounds import (
    flow_cut,
    matrix_size_bound,
    max_lemma_bound,
    min_cut_bound,
    structural_upper_bound,
    sum_avg_split_bound,
    tree_cut,
    upper_bounds,
)
from symtd.ranks.matricization import lower_rank, matricization_rank
from symtd.ranks.separation import generic_rank, lower_bound, separation_rank
from symtd.tensors.grid import grid_numerators_mod, grid_tensor
from symtd.tensors.matricize import matricize

SMALL_PRIME = 268435399


@st.composite
def specs(draw: st.DrawFn, N: int) -> str | list[int]:
    """A partition of N positions as a name, an "I=..." string (positions in any order) or
    a shuffled list of positions."""
    subset = draw(st.lists(st.integers(0, N - 1), unique=True, max_size=N)) if N else []
    kind = draw(st.sampled_from(["name", "I=", "list"]))
    if kind == "name":
        return draw(st.sampled_from(NAMED))
    if kind == "I=":
        return "I=" + ",".join(map(str, subset))
    return subset


def same(a: object, b: object) -> bool:
    """Equality that also compares numpy arrays and RationalTensors entry by entry."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    return bool(a == b)


@settings(max_examples=40, deadline=None)
@given(random_dags(max_positions=5, max_nodes=4), st.data())
def test_every_function_gives_the_same_answer_for_a_name_and_its_positions(circuit, data):
    spec = data.draw(specs(circuit.N), label="spec")
    rows = partition(spec, circuit)
    assert rows == tuple(sorted(rows)) and all(0 <= i < circuit.N for i in rows)
    functions = {
        "upper_bounds": lambda I: upper_bounds(circuit, I),
        "structural_upper_bound": lambda I: structural_upper_bound(circuit, I),
        "matrix_size_bound": lambda I: matrix_size_bound(circuit, I),
        "min_cut_bound": lambda I: min_cut_bound(circuit, I),
        "sum_avg_split_bound": lambda I: sum_avg_split_bound(circuit, I),
        "max_lemma_bound": lambda I: max_lemma_bound(circuit, I),
        "matricization_rank": lambda I: matricization_rank(circuit, I),
        "lower_rank": lambda I: lower_rank(circuit, I),
        "lower_bound": lambda I: lower_bound(circuit, I, points=1, seed=3),
        "separation_rank": lambda I: separation_rank(circuit, I, points=1, seed=3),
        "generic_rank": lambda I: generic_rank(circuit, I),
    }
    if circuit.operator.name == "product":
        functions["grid_numerators_mod"] = lambda I: grid_numerators_mod(circuit, SMALL_PRIME, I)
        if 0 < len(rows) < circuit.N:
            functions["tree_cut"] = lambda I: tree_cut(circuit, I)[0]
            functions["flow_cut"] = lambda I: flow_cut(circuit, I)[0]
    G = grid_tensor(circuit)
    if spec != "root":  # matricize knows only the tensor's order N, not the circuit
        functions["matricize"] = lambda I: matricize(G, I)
    else:
        with pytest.raises(symtd.SymtdError, match="needs a circuit"):
            matricize(G, spec)
    for name, f in functions.items():
        assert same(f(spec), f(rows)), (name, spec, rows)
        assert same(f(spec), f(list(reversed(rows)))), (name, spec, rows)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 12),
    st.integers(1, 3),
    st.sampled_from(["product", "max", "sum", "avg"]),
    st.sampled_from(["deep", "shallow", "recurrent"]),
    st.data(),
)
def test_bounds_of_larger_architectures_agree_on_names(N, r, operator, shape, data):
    """Up to N = 12 positions (bounds only: no grid is computed)."""
    if shape == "deep":
        levels = [[list(range(N))]] if N < 4 else _pairs(N)
        circuit = symtd.tree(levels, 2, [r] * len(levels), operator)
    elif shape == "shallow":
        circuit = symtd.shallow(N, 2, r, operator)
    else:
        circuit = symtd.recurrent(N, 2, r, operator)
    spec = data.draw(specs(N), label="spec")
    rows = partition(spec, circuit)
    assert upper_bounds(circuit, spec) == upper_bounds(circuit, rows)
    assert structural_upper_bound(circuit, spec) == structural_upper_bound(circuit, rows)
    if operator == "product" and 0 < len(rows) < N:
        assert tree_cut(circuit, spec) == tree_cut(circuit, rows)


def _pairs(N: int) -> list[list[list[int]]]:
    """Levels of a pooling tree over N positions: windows of 2 (a last window of 3)."""
    levels, size = [], N
    while size > 1:
        windows = [list(range(i, min(i + 2, size))) for i in range(0, size - size % 2, 2)]
        if size % 2:
            windows[-1].append(size - 1)
        levels.append(windows)
        size = len(windows)
    return levels


@pytest.mark.parametrize("N", [1, 2, 3, 7, 8, 13])
def test_the_names_mean_what_they_say(N):
    assert partition("odd-even", N) == tuple(j for j in range(N) if j % 2 == 0)
    assert partition("low-high", N) == tuple(range(N // 2))
    if N >= 2:
        c = symtd.shallow(N, 2, 1)
        assert partition("root", c) == (0,)  # the root's first member is position 0
    assert partition("I=", N) == ()
    assert partition(f"I={N - 1}", N) == (N - 1,)


def test_the_root_partition_of_deep_and_mirror_trees():
    assert partition("root", symtd.deep(8, 2, 1)) == (0, 1, 2, 3)
    assert partition("root", symtd.dilated(8, 2, 1)) == (0, 2, 4, 6)
    mirror = symtd.tree([[[0, 3], [1, 2]], [[1, 0]]], 2, [1, 1])
    assert partition("root", mirror) == (1, 2)


def test_matricize_refuses_the_root_partition_in_one_line():
    with pytest.raises(symtd.SymtdError) as error:
        matricize(np.zeros((2, 2, 2)), "root")
    assert "\n" not in str(error.value) and "circuit" in str(error.value)


def test_matricize_takes_names_from_the_tensor_order():
    T = np.arange(3**5).reshape((3,) * 5)
    assert np.array_equal(matricize(T, "odd-even"), matricize(T, [4, 0, 2]))
    assert np.array_equal(matricize(T, "low-high"), matricize(T, (0, 1)))
    assert np.array_equal(matricize(T, "I=3"), matricize(T, [3]))
    assert matricize(T, "odd-even").shape == (27, 9)


def test_position_lists_in_every_form():
    assert partition(np.array([3, 1]), 4) == (1, 3)
    assert partition((j for j in (2, 0)), 4) == (0, 2)  # a generator, read once
    assert partition({2, 1}, np.int64(4)) == (1, 2)
    assert partition([np.int32(1)], 2) == (1,)
    assert validate_partition([], 0) == ()
    with pytest.raises(symtd.SymtdError, match="more than the N = 4"):
        partition(range(10**12), 4)  # refused without reading it all
    with pytest.raises(symtd.SymtdError, match="more than the N = 4"):
        partition(itertools.count(), 4)


@pytest.mark.parametrize(
    "spec",
    [
        [True],
        [0.0],
        [[0]],
        ["0"],
        [0, 0],
        [4],
        [-1],
        None,
        3,
        b"\x00",
        "",
        "evens",
        "I=0,,1",
        "I=0 ,1",
        "I=1e3",
        "I=9999999999",
        "odd-even\n",
        "ROOT",
    ],
)
def test_bad_partitions_are_refused_with_one_line(spec):
    with pytest.raises(symtd.SymtdError) as error:
        partition(spec, symtd.deep(4, 2, 1))
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("what", [-1, 10**9, 2.0, True, None, "4", object()])
def test_a_partition_of_something_that_is_not_a_circuit_or_N_is_refused(what):
    with pytest.raises(symtd.SymtdError, match="circuit or of N"):
        partition("odd-even", what)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.integers(0, 9))
def test_any_text_is_a_partition_or_one_clear_error(text, N):
    try:
        rows = partition(text, N)
    except symtd.SymtdError as error:
        assert "\n" not in str(error) and "\x1b" not in str(error)
        return
    assert text in NAMED or text.startswith("I=")
    assert rows == tuple(sorted(set(rows))) and all(0 <= i < N for i in rows)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-3, 12), max_size=12), st.integers(0, 9))
def test_position_lists_are_accepted_exactly_when_valid(positions, N):
    valid = len(set(positions)) == len(positions) and all(0 <= i < N for i in positions)
    if valid:
        assert partition(positions, N) == tuple(sorted(positions))
        assert partition("I=" + ",".join(map(str, positions)), N) == tuple(sorted(positions))
    else:
        with pytest.raises(symtd.SymtdError):
            partition(positions, N)


def test_named_partitions_of_a_dag_used_by_separation_rank():
    rng = random.Random(0)
    c = symtd.overlapping(5, 2, 3, 2, 2, "product")
    for name in NAMED:
        assert separation_rank(c, name, points=1) == separation_rank(
            c, list(rng.sample(partition(name, c), len(partition(name, c)))), points=1
        )


# -- "balanced": every balanced partition up to complement ----------------------------------
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 11))
def test_balanced_is_every_balanced_partition_once_up_to_complement(N):
    got = [rows for _, rows in symtd.partitions(["balanced"], N)]
    half = N // 2
    assert all(len(rows) == half and rows == tuple(sorted(rows)) for rows in got)
    assert len(set(got)) == len(got)
    for rows in itertools.combinations(range(N), half):
        complement = tuple(i for i in range(N) if i not in rows)
        if N % 2 == 0 and N:  # exactly one of I and its complement (same size)
            assert (rows in got) != (complement in got)
        else:  # the complement is larger: I itself
            assert rows in got
    labels = [label for label, _ in symtd.partitions(["balanced"], N)]
    assert labels == ["I=" + ",".join(map(str, rows)) for rows in got]


def test_balanced_counts_and_refuses_too_many_before_building_them():
    assert len(symtd.partitions(["balanced"], 8)) == 35
    assert len(symtd.partitions(["odd-even", "balanced", "I=6,4,2,0"], 8)) == 35
    assert symtd.partitions(["odd-even", "balanced"], 8)[0] == ("odd-even", (0, 2, 4, 6))
    with pytest.raises(symtd.SymtdError, match="more than 10,000"):
        symtd.partitions(["balanced"], 64)


# -- symtd separation: --partition balanced, the legend, --time-limit, notes -----------------
def separation(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `symtd separation ARGS` in-process: (status, stdout, stderr)."""
    from symtd.cli import main

    status = main(["separation", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def files(tmp_path):
    """Architecture files: a deep ConvAC (N = 8), a deep max network (N = 8), a chain (N = 4)."""
    paths = {}
    for name, circuit in {
        "deep": symtd.deep(8, 2, 2),
        "max": symtd.deep(8, 2, 2, "max"),
        "chain": symtd.recurrent(4, 2, 2, shared=False),
    }.items():
        paths[name] = str(tmp_path / f"{name}.json")
        symtd.save_network(circuit, paths[name])
    return paths


def test_separation_takes_balanced_and_labels_its_rows(files, capsys):
    status, out, _ = separation([files["chain"], "--partition", "balanced"], capsys)
    assert status == 0
    lines = out.splitlines()
    assert [line.split()[:2] for line in lines[1:4]] == [
        ["I=0,1", "0,1"],
        ["I=0,2", "0,2"],
        ["I=0,3", "0,3"],
    ]
    status, out, _ = separation([files["deep"], "--partition", "balanced", "--json"], capsys)
    rows = json.loads(out)["partitions"]
    assert len(rows) == 35 and rows[0]["partition"] == "I=0,1,2,3"
    assert {tuple(r["rows"]) for r in rows} == {
        rows for _, rows in symtd.partitions(["balanced"], 8)
    }
    status, out, err = separation(
        [files["deep"], files["chain"], "--partition", "balanced"], capsys
    )
    assert status == 2 and "different numbers of positions" in err and err.count("\n") == 1


def test_the_legend_says_only_what_the_table_shows(files, capsys):
    _, out, _ = separation([files["max"], "--partition", "odd-even"], capsys)
    assert "certified" in out.splitlines()[0] and " no" in out.splitlines()[1]
    assert "certified: lower == upper" not in out  # no row is certified
    _, out, _ = separation([files["deep"], "--partition", "odd-even"], capsys)
    assert out.splitlines()[-1].startswith("certified: lower == upper")
    _, out, _ = separation([files["deep"], files["chain"], "--partition", "odd-even"], capsys)
    assert out.splitlines()[-1] == "a number: certified rank*(I) (lower == upper)"
    _, out, _ = separation([files["deep"], files["max"], "--partition", "odd-even"], capsys)
    assert out.splitlines()[-1] == (
        "a number: certified rank*(I) (lower == upper); a–b: the bounds; "
        "* ReLU circuit: maximal rank, not generic"
    )


def test_time_limit_is_passed_on_and_notes_follow_the_table(files, capsys, monkeypatch):
    from symtd.ranks import separation as module

    calls = []
    real = module.separation_rank

    def noted(*args, **kwargs):
        calls.append(kwargs.get("time_limit"))
        return dataclasses.replace(real(*args, **kwargs), note="rank too large to reach: 1 <= x")

    monkeypatch.setattr(module, "separation_rank", noted)
    status, out, err = separation(
        [files["chain"], "--partition", "odd-even", "--time-limit", "2.5"], capsys
    )
    assert status == 0 and calls == [2.5] and err == ""
    assert out.splitlines()[-1] == "odd-even: rank too large to reach: 1 <= x"
    status, out, err = separation([files["chain"], "--partition", "odd-even", "--json"], capsys)
    assert calls[-1] == 60.0 and json.loads(out)["partitions"][0]["lower"] == 4
    assert err == "odd-even: rank too large to reach: 1 <= x\n"


@pytest.mark.parametrize("limit", ["0", "-1", "1e3", "soon", "99999999"])
def test_bad_time_limits_are_refused(files, capsys, limit):
    status, _, err = separation([files["chain"], "--time-limit", limit], capsys)
    assert status == 2 and err.startswith("symtd: error:") and err.count("\n") == 1
