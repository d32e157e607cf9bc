"""The stable command line (docs/cli.md), and the network file format."""

import json
import subprocess
import sys

import pytest
from support import DEEP_MAX_V1, random_circuit

import symtd
from symtd.tensors.grid import grid_tensor

NET = DEEP_MAX_V1


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "symtd", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


@pytest.fixture
def net(tmp_path):
    path = tmp_path / "net.json"
    path.write_text(json.dumps(NET))
    return path


@pytest.mark.slow
def test_grid_prints_exact_row_major_entries(net, tmp_path):
    out = run("grid", net)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    G = grid_tensor(symtd.load_network(net))
    assert data == {"shape": [2, 2, 2, 2], "entries": G.to_strings()}
    assert all("/" not in e or int(e.split("/")[1]) > 1 for e in data["entries"])
    assert run("grid", net, "--out", tmp_path / "g.json").stdout == ""
    assert json.loads((tmp_path / "g.json").read_text()) == data


@pytest.mark.slow  # one python -m symtd per case
@pytest.mark.parametrize(
    "partition,expected",
    [
        ("odd-even", None),
        ("low-high", None),
        ("root", None),
        ("I=", 1),
        ("I=0,1,2,3", 1),
        ("I=3", None),
    ],
)
def test_rank_prints_exact_rank_last(net, partition, expected):
    from symtd.algebra.rank import rank
    from symtd.circuits.partitions import partition as named
    from symtd.tensors.matricize import matricize

    out = run("rank", net, "--partition", partition)
    assert out.returncode == 0, out.stderr
    c = symtd.load_network(net)
    want = rank(matricize(grid_tensor(c), named(partition, c))) if expected is None else expected
    assert out.stdout.strip().splitlines()[-1] == str(want)


def test_rank_of_deep_product_file(tmp_path):
    c = symtd.deep(8, 2, 2, "product")
    c = c.subs(c.random_point(seed=4))
    symtd.save_network(c, tmp_path / "p.json")
    assert symtd.load_network(tmp_path / "p.json") == c
    assert run("rank", tmp_path / "p.json", "--partition", "odd-even").stdout.split()[-1] == "16"


def mutate(change):
    data = json.loads(json.dumps(NET))
    change(data)
    return data


BAD = {
    "bad JSON": "{not json",
    "float number": mutate(lambda d: d["weights"]["output"].__setitem__(0, 1.5)),
    "boolean number": mutate(lambda d: d["weights"]["output"].__setitem__(0, True)),
    "non-numeric string": mutate(lambda d: d["weights"]["output"].__setitem__(0, "x")),
    "zero denominator": mutate(lambda d: d["weights"]["output"].__setitem__(0, "1/0")),
    "shape mismatch": mutate(lambda d: d["weights"]["layer1"].pop()),
    "F shape": mutate(lambda d: d.__setitem__("F", [["1", "0"]])),
    "window of size 1": mutate(
        lambda d: d.update(architecture="tree", levels=[[[0, 1], [2, 3]], [[0], [1]]])
    ),
    "not a partition": mutate(
        lambda d: d.update(architecture="tree", levels=[[[0, 1], [1, 3]], [[0, 1]]])
    ),
    "unknown operator": mutate(lambda d: d.__setitem__("operator", "min")),
    "unknown key": mutate(lambda d: d.__setitem__("colour", 1)),
    "missing format": mutate(lambda d: d.pop("format")),
    "wrong format": mutate(lambda d: d.__setitem__("format", "symtd-network/2")),
    "N mismatch": mutate(lambda d: d.__setitem__("N", 8)),
    "deep N not power of two": mutate(lambda d: d.__setitem__("N", 6)),
    "missing block": mutate(lambda d: d["weights"].pop("output")),
    "extra block": mutate(lambda d: d["weights"].__setitem__("layer2", [])),
    "widths mismatch": mutate(lambda d: d.__setitem__("widths", [3])),
    "top level list": [],
    "operator not a string": mutate(lambda d: d.__setitem__("operator", [])),
    "operator an object": mutate(lambda d: d.__setitem__("operator", {})),
    "unicode digits": mutate(lambda d: d["weights"]["output"].__setitem__(0, "\u0661")),
    "astronomical N": mutate(lambda d: d.update(architecture="shallow", N=10**30, widths=[1])),
    "nested too deep": "[" * 100000 + "]" * 100000,
}


@pytest.mark.slow  # one python -m symtd per case (48); tests/test_hostile_* run these in-process
@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("command", [["grid"], ["rank", "--partition", "odd-even"]])
def test_bad_input_exits_2_with_one_line(case, command, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(BAD[case] if isinstance(BAD[case], str) else json.dumps(BAD[case]))
    out = run(command[0], path, *command[1:])
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert (
        len(lines) == 1 and lines[0].startswith("symtd: error: ") and "Traceback" not in out.stderr
    )


@pytest.mark.parametrize(
    "args",
    [
        ["grid", "missing.json"],
        ["rank", "NET", "--partition", "I=0,9"],
        ["rank", "NET", "--partition", "I=1,1"],
        ["rank", "NET", "--partition", "half"],
        ["rank", "NET", "--partition", "I=\u0661"],
        ["rank", "NET", "--partition", "I=0, 1"],
        ["rank", "NET"],
        ["frobnicate"],
        [],
    ],
)
@pytest.mark.slow  # one python -m symtd per case
def test_bad_command_lines_exit_2(args, net):
    out = run(*[str(net) if a == "NET" else a for a in args])
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "Traceback" not in out.stderr


def test_huge_exact_integers_are_read_and_printed(tmp_path):
    data = mutate(lambda d: d.update(operator="product"))
    data["weights"]["output"] = ["1" + "0" * 5000, 0]  # 10^5000, written without str(int)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data))
    out = run("grid", path)
    assert out.returncode == 0, out.stderr
    entries = json.loads(out.stdout)["entries"]
    assert any(len(e.lstrip("-").split("/")[0]) > 4300 for e in entries)


def test_grid_cli_does_not_import_sympy(net):
    code = (
        "import sys; from symtd.cli import main; main(['grid', sys.argv[1]]); "
        "assert 'sympy' not in sys.modules, 'sympy imported'"
    )
    out = subprocess.run([sys.executable, "-c", code, str(net)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_node_link_round_trip_symbolic_and_concrete():
    for c in [
        symtd.tree([[[0, 3], [1, 2]], [[0, 1]]], 2, [2, 1], "sum"),
        random_circuit("windows3", 3, "avg", True, seed=2, identity_F=False),
    ]:
        data = json.loads(json.dumps(c.to_node_link()))
        assert symtd.Circuit.from_node_link(data) == c
        edges = data["edges"]
        assert all("slot" in e for e in edges)


def test_circuit_is_immutable():
    c = symtd.deep(4, 2, 1)
    with pytest.raises(Exception):
        c.graph.add_node("x")
    with pytest.raises(ValueError):
        c.block("output")[0] = 1
    with pytest.raises(ValueError):
        c.F[0, 0] = 2
