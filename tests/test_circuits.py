"""General circuits (format v2): builders, structure rules, file round trips, both grid paths."""

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from support import evaluate_at, random_dags

import symtd
from symtd.circuits.formats import network_from_dict, network_to_dict
from symtd.tensors.grid import grid_tensor


@settings(max_examples=80, deadline=None)
@given(random_dags())
def test_forward_pass_equals_the_per_tuple_reference_on_any_dag(circuit):
    G = grid_tensor(circuit)
    for d in itertools.islice(itertools.product(range(circuit.M), repeat=circuit.N), 0, None, 3):
        assert G[d] == evaluate_at(circuit, d) == symtd.grid_entry(circuit, d)
    assert np.allclose(grid_tensor(circuit, arithmetic="float"), G.to_float())


@settings(max_examples=60, deadline=None)
@given(random_dags(tree=True))
def test_tree_circuits_forward_equals_decomposition(circuit):
    assert circuit.is_tree
    assert grid_tensor(circuit) == grid_tensor(circuit, method="decomposition")
    if circuit.operator.name == "product":
        assert symtd.grid_from_coefficients(
            symtd.coefficient_tensor(circuit), circuit.F
        ) == grid_tensor(circuit)


@settings(max_examples=60, deadline=None)
@given(random_dags())
def test_v2_files_round_trip(circuit):
    doc = json.loads(json.dumps(network_to_dict(circuit, version=2)))
    assert doc["format"] == "symtd-network/2"
    back = network_from_dict(doc)
    assert back == circuit and grid_tensor(back) == grid_tensor(circuit)
    architecture = network_from_dict(
        json.loads(json.dumps(network_to_dict(circuit, weights=False)))
    )
    assert architecture.is_symbolic_architecture and architecture.nodes == circuit.nodes


def test_decomposition_path_refuses_dags_clearly():
    c = symtd.overlapping(5, 2, 3, 1, 2).at_random_point(1, 9)
    with pytest.raises(symtd.SymtdError, match="applies to tree circuits.*x1 in 2 pools.*forward"):
        grid_tensor(c, method="decomposition")


def test_v1_is_the_v2_special_case():
    v1 = symtd.tree([[[0, 3], [1, 2]], [[0, 1]]], 2, [3, 2], "max", shared=True).at_random_point(
        4, 9
    )
    v2 = network_to_dict(v1, version=2)
    assert [n["pool"] for n in v2["nodes"]] == [
        [["x0", "layer0"], ["x3", "layer0"]],
        [["x1", "layer0"], ["x2", "layer0"]],
        [["n0", "layer1"], ["n1", "layer1"]],
    ]
    back = network_from_dict(v2)
    assert (
        back == v1
        and back.layout == v1.layout
        and network_to_dict(back)["format"] == "symtd-network/1"
    )
    unshared = symtd.deep(4, 2, 2).at_random_point(1)
    assert network_from_dict(network_to_dict(unshared, version=2)).weight_blocks().keys() == {
        "layer0",
        "layer1",
        "output",
    }


def test_builders_have_the_documented_geometry():
    r = symtd.recurrent(4, 2, 3)
    assert [n.pool for n in r.nodes] == [
        (("x0", "A"), ("x1", "B")),
        (("n0", "C"), ("x2", "B")),
        (("n1", "C"), ("x3", "B")),
    ]
    tt = symtd.recurrent(4, 2, 3, shared=False)
    assert sorted(tt.shapes) == ["A", "B1", "B2", "B3", "C2", "C3", "out"]
    o = symtd.overlapping(7, 2, 3, 2, 2, shared=True)
    assert [[m for m, _ in n.pool] for n in o.nodes[:3]] == [
        ["x0", "x1", "x2"],
        ["x2", "x3", "x4"],
        ["x4", "x5", "x6"],
    ]
    assert not o.is_tree and o.uses["x2"] == 2
    o = symtd.overlapping(6, 2, 3, 2, 2)  # the last window is moved to cover x5
    assert [m for m, _ in o.nodes[2].pool] == ["x3", "x4", "x5"]
    assert symtd.mirror(8, 2, 2).levels[1] == ((0, 3), (1, 2))
    assert symtd.partition("root", symtd.dilated(8, 2, 2)) == (0, 2, 4, 6)
    with pytest.raises(symtd.SymtdError, match="stride <= kernel"):
        symtd.overlapping(6, 2, 2, 3, 2)


def test_single_member_nodes_apply_the_activation():
    # n0 = σ(A x0), n1 = ρ(B n0, C x1), y = n1; σ = relu for max, the identity for product
    nodes = [(1, [("x0", "A")]), (1, [("n0", "B"), ("x1", "C")])]
    weights = {"A": [[-2]], "B": [[-3]], "C": [[-1]], "out": [1]}
    relu_chain = symtd.circuit(nodes, 1, "max", output="out", weights=weights)
    assert grid_tensor(relu_chain)[0, 0] == 0  # relu(-2) = 0; without σ: max(6, -1, 0) = 6
    assert grid_tensor(relu_chain, method="decomposition")[0, 0] == 0
    product_chain = symtd.circuit(nodes, 1, "product", output="out", weights=weights)
    assert grid_tensor(product_chain)[0, 0] == -6  # ((-3)·(-2))·(-1)
    assert grid_tensor(product_chain, method="decomposition")[0, 0] == -6


BASE = {
    "format": "symtd-network/2",
    "N": 2,
    "M": 2,
    "operator": "product",
    "nodes": [{"width": 2, "pool": [["x0", "A"], ["x1", "B"]]}],
    "output": "out",
}


@pytest.mark.parametrize(
    "change,message",
    [
        ({"nodes": []}, "at least one node"),
        ({"nodes": [{"width": 2, "pool": [["x0", "A"], ["n0", "B"]]}]}, "not an earlier node"),
        ({"nodes": [{"width": 2, "pool": [["x0", "A"], ["n5", "B"]]}]}, "not an earlier node"),
        ({"nodes": [{"width": 2, "pool": [["x01", "A"], ["x1", "B"]]}]}, "decimal without sign"),
        ({"nodes": [{"width": 2, "pool": [["n-1", "A"], ["x1", "B"]]}]}, "decimal without sign"),
        (
            {"nodes": [{"width": 2, "pool": [["x0", "A"], ["x0", "B"], ["x1", "C"]]}]},
            "appears twice",
        ),
        ({"nodes": [{"width": 2, "pool": [["x0", "A"]]}]}, "x1 is not a member"),
        (
            {"nodes": [{"width": 2, "pool": [["x0", "A"]]}, {"width": 2, "pool": [["x1", "B"]]}]},
            "n0 is not a member of a later node",
        ),
        (
            {
                "nodes": [
                    {"width": 2, "pool": [["x0", "A"]]},
                    {"width": 3, "pool": [["n0", "A"], ["x1", "B"]]},
                ]
            },
            "block A is used with shape",
        ),
        ({"nodes": [{"width": 2, "pool": [["x0", "1A"], ["x1", "B"]]}]}, "must match"),
        (
            {"nodes": [{"width": 2, "pool": [["x0", "A"], ["x1", "B"]], "extra": 1}]},
            "exactly the keys",
        ),
        ({"nodes": [{"width": 0, "pool": [["x0", "A"], ["x1", "B"]]}]}, "positive"),
        ({"output": "A"}, "block A is used with shape"),
        ({"weights": {"A": [[1, 0], [0, 1]]}}, "missing weight block"),
        (
            {"weights": {"A": [[1, 0], [0, 1]], "B": [[1, 0], [0, 1]], "out": [1, 1], "Z": [1]}},
            "unknown weight block",
        ),
        ({"weights": {"A": [[1, 0]], "B": [[1, 0], [0, 1]], "out": [1, 1]}}, "wrong shape"),
        ({"colour": "red"}, "unknown key"),
        ({"F": None}, "wrong shape"),
        ({"N": 4.0}, "positive JSON integer"),
        ({"operator": {"name": "sq", "sigma": "x^2", "pool": "x + y"}}, "refused"),
    ],
)
def test_v2_structure_rules_are_clear_errors(change, message):
    with pytest.raises(symtd.SymtdError, match=message):
        network_from_dict(dict(BASE, **change))


def test_custom_operators_survive_a_file_round_trip(tmp_path):
    op = symtd.custom_operator("relumax", "max(x, 0)", "max(x, y)")
    c = symtd.recurrent(4, 2, 2, op).at_random_point(3, 9)
    symtd.save_network(c, tmp_path / "c.json")
    text = (tmp_path / "c.json").read_text()
    assert '"sigma": "max(0, x)"' in text
    back = symtd.load_network(tmp_path / "c.json")
    assert back == c and grid_tensor(back) == grid_tensor(c)
    as_max = symtd.recurrent(4, 2, 2, "max", weights=c.blocks)
    assert grid_tensor(back) == grid_tensor(as_max)
    doc = json.loads(text)
    doc["operator"]["pool"] = "x + y"  # relu(a)+relu(b) is still a valid operator
    assert symtd.network_from_dict(doc).operator.name == "relumax"
    doc["operator"]["pool"] = "x - y"
    with pytest.raises(symtd.SymtdError, match="not commutative"):
        symtd.network_from_dict(doc)
    doc["operator"]["pool"] = "__import__('os')"
    with pytest.raises(symtd.SymtdError, match="unexpected"):
        symtd.network_from_dict(doc)


def test_expression_form_parser_is_exact_and_bounded():
    from symtd.circuits.operators import expression_text, parse_expression

    f = parse_expression("max(x, 0)^2 * 3/2 - abs(y) + 0.25", ("x", "y"))
    assert expression_text(f) and parse_expression(expression_text(f), ("x", "y")) == f
    for bad in (
        "x^9",
        "x**-9",
        "exp(x)",
        "x y",
        "(" * 20 + "x" + ")" * 20,
        "1e5",
        "x" * 201,
        "",
        "max()",
    ):
        with pytest.raises(symtd.SymtdError):
            parse_expression(bad, ("x", "y"))


def test_architecture_files_are_refused_by_grid_and_rank(tmp_path, capsys):
    from symtd.cli import main

    symtd.save_network(symtd.recurrent(4, 2, 2), tmp_path / "arch.json")
    for command in (["grid"], ["rank", "--partition", "odd-even"]):
        assert main([command[0], str(tmp_path / "arch.json"), *command[1:]]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "has no weights" in err


def test_convert_prints_v2_that_means_the_same_network(tmp_path, capsys):
    from symtd.cli import main

    c = symtd.deep(4, 2, [3, 2], "avg", shared=True).at_random_point(5, 9)
    symtd.save_network(c, tmp_path / "v1.json")
    assert main(["convert", str(tmp_path / "v1.json")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "symtd-network/2" and network_from_dict(doc) == c
    assert grid_tensor(network_from_dict(doc)) == grid_tensor(c)


def test_node_link_round_trip_of_a_dag():
    c = symtd.overlapping(5, 2, 3, 1, 2, "max", shared=True)
    for circuit in (c, c.at_random_point(2, 9)):
        data = json.loads(json.dumps(circuit.to_node_link()))
        assert symtd.Circuit.from_node_link(data) == circuit


def test_memory_estimate_counts_what_is_alive():
    # a chain keeps one value alive at a time; sizes come from scopes, nothing is built
    c = symtd.recurrent(20, 2, 2).at_random_point(1, 1)  # a proven bound inside int64
    assert 8 * 2**20 < symtd.estimate_bytes(c) <= 8 * 5 * 2**20  # a few values of each size alive
    wide = symtd.recurrent(20, 2, 2).at_random_point(1, 10**6)  # numerators beyond int64
    assert symtd.estimate_bytes(wide) > 4 * symtd.estimate_bytes(c)
    big = symtd.overlapping(40, 2, 3, 1, 2).at_random_point(1, 9)
    with pytest.raises(symtd.SymtdError, match=r"2\^40 entries|1,099,511,627,776 entries"):
        grid_tensor(big)
