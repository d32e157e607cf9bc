"""T3, T5 lemma, T6, T7, deep T1/T2 and too-small Z; the checker's symbolic algebra; prove and
check on the command line."""

import json
import random
from fractions import Fraction

import numpy as np
import pytest
from conftest import circuits
from hypothesis import given, settings
from hypothesis import strategies as st

import symtd
from symtd import checker
from symtd.algebra.rational import RationalTensor
from symtd.checker import CheckFailed, Rational, Symbolic, check, forward
from symtd.circuits.formats import network_to_dict
from symtd.cli import main
from symtd.tensors.grid import grid_tensor, network_function
from symtd.theorems.claims import (
    check_t3,
    check_t5_lemma,
    check_t6,
    check_t7,
    check_universality,
    diagonal_target,
    universal_network,
)
from symtd.theorems.prove import THEOREMS, prove, prove_all


# -- T3 -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "N,M,architecture,operator",
    [
        (4, 2, "shallow", "sum"),
        (4, 2, "shallow", "avg"),
        (4, 2, "deep", "sum"),
        (4, 2, "deep", "avg"),
        (3, 3, "shallow", "sum"),
        (6, 2, "shallow", "avg"),
        (4, 3, "deep", "avg"),
        (8, 2, "deep", "sum"),
    ],
)
def test_t3_verified_symbolically_and_rechecked(N, M, architecture, operator):
    v = check_t3(N, M, architecture, operator)
    assert v.verdict == "verified"
    rows = v.instance["rows"]
    assert v.numbers["target rank"] == min(M ** len(rows), M ** (N - len(rows))) >= 3
    assert check(v.certificate)


@pytest.mark.parametrize(
    "architecture,operator,rows",
    [("deep", "max", None), ("shallow", "max", None), ("deep", "sum", "odd-even")],
)
def test_t3_wrong_operator_or_split_is_refuted_with_a_rank_above_2(architecture, operator, rows):
    v = check_t3(4, 2, architecture, operator, rows=rows)
    assert v.verdict == "refuted" and v.numbers["rank at a point"] > 2 and v.certificate is None


def test_t3_product_identity_fails_but_is_not_called_verified():
    assert check_t3(4, 2, "deep", "product").verdict != "verified"


def test_t3_separable_target_is_inconclusive():
    target = np.array(
        [[[Fraction(i + j + k) for k in range(2)] for j in range(2)] for i in range(2)],
        dtype=object,
    )
    v = check_t3(3, 2, "shallow", "sum", target=target)
    assert v.verdict == "inconclusive" and v.numbers["target rank"] <= 2 and "rank" in v.reason


def test_network_function_agrees_with_grid_at_leaf_vectors():
    net = universal_network(diagonal_target(4, 2, (0, 1)), "max", "deep")
    G = grid_tensor(net)
    leaf = [np.dot(net.block(f"layer0_{j}"), net.F.T) for j in range(4)]  # r_0 × M
    for d in [(0, 0, 0, 0), (1, 0, 1, 0), (0, 1, 1, 1)]:
        assert network_function(net, [leaf[j][:, d[j]] for j in range(4)]) == G[d]
        assert symtd.grid_entry(net, d) == G[d]


def test_checker_separability_rejects_a_max_network():
    doc = network_to_dict(
        universal_network(diagonal_target(4, 2, (0, 1)), "max", "deep"), weights=False
    )
    with pytest.raises(CheckFailed, match="separability"):
        checker._separable({"network": "net", "rows": [0, 1]}, doc, None, None)


# -- T5 lemma, T6, T7 ---------------------------------------------------------------------
@pytest.mark.parametrize("N,M,Z", [(6, 3, 2), (8, 2, 1), (4, 3, 1)])
def test_t5_lemma_bound_holds_and_is_rechecked(N, M, Z):
    v = check_t5_lemma(N, M, Z, 4, seed=7)
    assert v.verdict == "verified" and v.numbers["max rank"] <= Z * (N // 2) * M
    assert check(v.certificate)


@pytest.mark.parametrize(
    "kwargs,inequalities",
    [
        (dict(N=4, M=2, widths=[2, 2]), 12),
        (dict(N=8, M=2, widths=[2, 2, 2]), 28),
        (dict(N=4, M=3, widths=[3, 2]), 28),
        (dict(N=4, M=2, widths=[2, 3], live=1), 14),
    ],
)
def test_t6_identity_on_region_and_interior_point(kwargs, inequalities):
    v = check_t6(**kwargs)
    assert v.verdict == "verified" and v.numbers["shallow Z"] == 1
    assert v.numbers["region"].startswith(f"{inequalities} strict")
    assert check(v.certificate)
    deep, shallow = v.certificate["networks"]["deep"], v.certificate["networks"]["shallow"]
    assert checker.grid(deep) == checker.grid(shallow)


@pytest.mark.parametrize(
    "templates,biases",
    [((1, 2, 3), (0, "3/2", "5/2")), ((0, 1, 2, 3), (-1, "1/2", "3/2", "5/2")), ((2, 5), (1, 4))],
)
def test_t7_covering_templates(templates, biases):
    v = check_t7(templates, biases)
    assert v.verdict == "verified" and v.instance["covering"] and check(v.certificate)


@pytest.mark.parametrize(
    "templates,biases", [((1, 2, 3), (0, 0, 0)), ((1, 2, 3), (3, 4, 5)), ((1, 1), (0, "1/2"))]
)
def test_t7_singular_templates_are_refuted_with_a_null_vector(templates, biases):
    v = check_t7(templates, biases)
    assert v.verdict == "refuted" and not v.instance["covering"]
    assert check(v.certificate)  # the null vector re-checks


# -- T1/T2: deep emulation, too-small Z ---------------------------------------------------------
def random_target(shape, seed):
    rng = random.Random(seed)
    return np.array(
        [Fraction(rng.randint(-9, 9), rng.randint(1, 3)) for _ in range(int(np.prod(shape)))],
        dtype=object,
    ).reshape(shape)


@pytest.mark.parametrize("operator", ["product", "max"])
@pytest.mark.parametrize("N,M", [(4, 2), (2, 3), (4, 3)])
def test_deep_networks_realize_random_targets(operator, N, M):
    T = random_target((M,) * N, N * M)
    v = check_universality(T, operator, "deep")
    assert v.verdict == "verified" and check(v.certificate)
    assert grid_tensor(universal_network(T, operator, "deep")) == RationalTensor.from_rationals(T)


def test_too_small_Z_is_refuted_by_a_matricization_rank():
    v = check_universality(diagonal_target(4, 2, (0, 1)), "product", Z=3)
    assert v.verdict == "refuted" and v.numbers["rank"] == 4 > 3 and v.certificate is None


def test_deep_too_small_Z_uses_only_node_scope_splits():
    from symtd import deep

    net = deep(4, 2, [2, 2], "product")
    net = net.subs(net.random_point(3, bound=9))
    T = grid_tensor(net).to_fractions()  # a deep width-2 network reaches it: never "refuted"
    v = check_universality(T, "product", "deep", Z=2)
    assert v.verdict == "inconclusive"
    assert (
        check_universality(T, "product", "shallow", Z=2).verdict == "refuted"
    )  # odd-even rank 4 > 2


def test_too_small_Z_without_rank_obstruction_is_inconclusive():
    v = check_universality(
        diagonal_target(4, 2, (0, 1)), "max", Z=2
    )  # max reaches rank 2·2·2 = 8 >= 4
    assert v.verdict == "inconclusive" and v.certificate is None


# -- the checker's symbolic algebra is sound: canonical forms evaluate like the network -------
def value(expr, point):
    total = Fraction(0)
    for monomial, c in expr.items():
        term = c
        for factor, power in monomial:
            x = (
                point[factor]
                if isinstance(factor, str)
                else max([Fraction(0)] + [value(dict(k), point) for k in factor[1]])
            )
            term *= x**power
        total += term
    return total


@settings(max_examples=60, deadline=None)
@given(circuits(), st.integers(0, 10**6))
def test_symbolic_forward_under_signs_equals_rational_forward(circuit, seed):
    doc = network_to_dict(circuit)
    names = []
    recorder = Symbolic()

    def symbol(name):
        names.append(name)
        return recorder.symbol(name)

    forward(doc, lambda j, g, d: symbol(f"u[{j}][{g}]"), symbol, recorder)
    rng = random.Random(seed)
    signs = {n: rng.choice([1, -1]) for n in names if rng.random() < 0.6}
    point = {
        n: Fraction(rng.randint(1, 9), rng.randint(1, 4)) * signs.get(n, rng.choice([1, -1]))
        for n in names
    }
    algebra = Symbolic(signs)
    (expr,) = forward(
        doc, lambda j, g, d: algebra.symbol(f"u[{j}][{g}]"), algebra.symbol, algebra
    ).values()
    (exact,) = forward(
        doc, lambda j, g, d: point[f"u[{j}][{g}]"], point.__getitem__, Rational()
    ).values()
    assert value(expr, point) == exact


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.integers(0, 4), st.integers(0, 10**6))
def test_checker_rank_agrees_with_symtd_rank(m, n, r, seed):
    from symtd.algebra.rank import rank as symtd_rank

    rng = random.Random(seed)  # a sum of r rank-1 terms, some columns zero
    A = [[Fraction(0)] * n for _ in range(m)]
    for _ in range(r):
        u = [Fraction(rng.randint(-3, 3), rng.randint(1, 3)) for _ in range(m)]
        v = [Fraction(rng.randint(-3, 3)) if rng.random() < 0.7 else Fraction(0) for _ in range(n)]
        for i in range(m):
            for j in range(n):
                A[i][j] += u[i] * v[j]
    assert checker.rank(A) == symtd_rank(np.array(A, dtype=object)) <= r


# -- prove / check on the command line ------------------------------------------------------------
def test_prove_all_seven_verified_and_certificates_pass(tmp_path, capsys):
    cert = tmp_path / "all.json"
    assert main(["prove", "all", "--cert", str(cert)]) == 0
    out = capsys.readouterr().out
    assert out.count("verified") >= 7 and "7 of 7 verified" in out
    assert main(["check", str(cert)]) == 0
    assert "26 of 26 certificates pass" in capsys.readouterr().out


def test_prove_rows_cover_every_theorem():
    rows = prove_all()
    assert [r.theorem for r in rows] == list(THEOREMS) and all(
        r.verdict == "verified" for r in rows
    )


@pytest.mark.parametrize(
    "args,verdict",
    [
        (["T3", "--operator", "max"], "refuted"),
        (["T3", "--architecture", "deep", "--partition", "odd-even"], "refuted"),
        (["T7", "--templates", "1,2,3", "--biases", "0,0,0"], "refuted"),
        (["T1", "--N", "4", "--Z", "3"], "refuted"),
    ],
)
def test_prove_failures_exit_1(args, verdict, capsys):
    assert main(["prove", *args, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)[0]["verdict"] == verdict


@pytest.mark.parametrize(
    "args",
    [
        ["T3", "--N", "4", "--M", "3"],
        ["T6", "--N", "4", "--M", "3", "--widths", "3,2"],
        ["T4", "--N", "8", "--M", "3", "--r", "2"],
        ["T5", "--N", "8", "--M", "2"],
        ["T7", "--templates", "0,1,2,3", "--biases=-1,1/2,3/2,5/2"],
        ["T2", "--N", "2", "--M", "3", "--architecture", "deep"],
    ],
)
def test_prove_one_instance_exit_0(args, tmp_path, capsys):
    cert = tmp_path / "c.json"
    assert main(["prove", *args, "--cert", str(cert)]) == 0
    assert main(["check", str(cert)]) == 0


@pytest.mark.parametrize(
    "args",
    [
        ["T9"],
        ["all", "--N", "4"],
        ["T4", "--templates", "1,2"],
        ["T6", "--widths", "2,x"],
        ["T4", "--N", "6"],
        ["T3", "--architecture", "ring"],
        ["T3", "--N", "64"],
        ["T1", "--N", "0"],
        ["all", "--seed", "-5"],
        ["T4", "--N", "2"],
        ["T6", "--N", "2"],
        ["T1", "--Z", "-1"],
        ["T2", "--architecture", "foo"],
        ["T4", "--pdf"],
    ],
)
def test_prove_bad_options_exit_2_with_one_line(args, capsys):
    assert main(["prove", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symtd: error:") and err.count("\n") == 1


def test_check_rejects_a_tampered_file_and_bad_input(tmp_path, capsys):
    good = check_t6(4, 2).certificate
    bad = json.loads(json.dumps(good))
    bad["claims"][0]["region"].pop()  # one region inequality dropped
    path = tmp_path / "certs.json"
    path.write_text(json.dumps([good, bad]))
    assert main(["check", str(path)]) == 1
    assert "1 of 2 certificates pass" in capsys.readouterr().out
    (tmp_path / "x.json").write_text("{not json")
    assert main(["check", str(tmp_path / "x.json")]) == 2
    assert main(["check", str(tmp_path / "missing.json")]) == 2


def test_prove_json_is_machine_readable(capsys):
    assert main(["prove", "T4", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["theorem"] == "T4" and row["verdict"] == "verified"
    assert row["parts"][0]["numbers"]["odd-even rank"] == 4


def test_prove_one_theorem_default_parts():
    assert len(prove("T5").parts) == 6 and len(prove("T7").parts) == 2
    assert [expected for _, expected in prove("T7").parts] == ["verified", "refuted"]
