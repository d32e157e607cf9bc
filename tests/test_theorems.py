"""T3, T5 lemma, T6, T7, deep T1/T2 and too-small Z; the checker's symbolic algebra; prove and
check on the command line."""

import ast
import importlib
import json
import random
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import circuits

import symtd
from symtd import checker
from symtd.algebra.rational import RationalTensor
from symtd.checker import CheckFailed, Rational, Symbolic, check, forward
from symtd.circuits.formats import network_to_dict
from symtd.cli import main
from symtd.render.report import report_latex
from symtd.tensors.grid import grid_tensor, network_function
from symtd.theorems import claims
from symtd.theorems import prove as prove_module
from symtd.theorems.common import Verdict, timed
from symtd.theorems.prove import OPTIONS, THEOREMS, Row, prove, prove_all
from symtd.theorems.registry import REGISTRY, lookup
from symtd.theorems.t3_relu_sum_not_universal import check_t3, diagonal_target
from symtd.theorems.t5_relu_max_depth_efficiency import check_t5_lemma
from symtd.theorems.t6_relu_max_incomplete import check_t6
from symtd.theorems.t7_covering_templates import check_t7
from symtd.theorems.universality import check_universality, universal_network


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
        pytest.param(8, 2, "deep", "sum", marks=pytest.mark.slow),
    ],
)
def test_t3_verified_symbolically_and_rechecked(N, M, architecture, operator):
    v = check_t3(N, M, architecture, operator)
    assert v.verdict == "verified"
    rows = v.instance["rows"]
    assert v.numbers["target rank"] == min(M ** len(rows), M ** (N - len(rows))) >= 3
    assert check(v.certificate)


@pytest.mark.slow
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
        checker.verify_separable({"network": "net", "rows": [0, 1]}, doc, None, None)


# -- T5 lemma, T6, T7 ---------------------------------------------------------------------
@pytest.mark.parametrize("N,M,Z", [(6, 3, 2), (8, 2, 1), (4, 3, 1)])
def test_t5_lemma_bound_holds_and_is_rechecked(N, M, Z):
    v = check_t5_lemma(N, M, Z, 4, seed=7)
    assert v.verdict == "verified" and v.numbers["max rank"] <= Z * (N // 2) * M
    assert check(v.certificate)


@pytest.mark.slow
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
@pytest.mark.parametrize("N,M", [(4, 2), (2, 3), pytest.param(4, 3, marks=pytest.mark.slow)])
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
@pytest.mark.slow
def test_prove_all_seven_verified_and_certificates_pass(tmp_path, capsys):
    cert = tmp_path / "all.json"
    assert main(["prove", "all", "--cert", str(cert)]) == 0
    out = capsys.readouterr().out
    assert out.count("verified") >= 7 and "7 of 7 verified" in out
    assert main(["check", str(cert)]) == 0
    assert "26 of 26 certificates pass" in capsys.readouterr().out


@pytest.mark.slow
def test_prove_rows_cover_every_theorem():
    rows = prove_all()
    assert [r.theorem for r in rows] == list(THEOREMS) and all(
        r.verdict == "verified" for r in rows
    )


@pytest.mark.slow
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


@pytest.mark.slow
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


# -- one home per theorem: the registry ------------------------------------------------------
THEOREM_FILES = sorted((Path(symtd.__file__).parent / "theorems").glob("t[1-7]_*.py"))


def test_registry_holds_one_module_per_theorem_in_order():
    assert THEOREMS == tuple(REGISTRY) == ("T1", "T2", "T3", "T4", "T5", "T6", "T7")
    assert [p.name[:2] for p in THEOREM_FILES] == ["t1", "t2", "t3", "t4", "t5", "t6", "t7"]
    for path, (name, spec) in zip(THEOREM_FILES, REGISTRY.items()):
        module = importlib.import_module(f"symtd.theorems.{path.stem}")
        assert module.THEOREM is spec and spec.name == name
        assert spec.statement == module.STATEMENT and spec.method == module.METHOD
        assert set(spec.options) <= set(OPTIONS) - {"seed"}
        assert prove_module.STATEMENTS[name] == spec.statement


def test_no_if_chain_over_theorem_names():
    """Nothing compares a value with "T1".."T7": what differs per theorem is in its module."""
    files = [*sorted((Path(symtd.__file__).parent / "theorems").glob("*.py"))]
    files.append(Path(symtd.__file__).parent / "render" / "report.py")
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                names = [
                    c.value
                    for c in [node.left, *node.comparators]
                    if isinstance(c, ast.Constant) and c.value in THEOREMS
                ]
                assert not names, f"{path.name}:{node.lineno} compares with {names}"


def test_verdicts_are_built_by_name_never_positionally():
    """Only common.py calls Verdict(...) itself; every check uses Verdict.verified/refuted/
    inconclusive and gets its time from @timed."""
    for path in sorted((Path(symtd.__file__).parent / "theorems").glob("*.py")):
        if path.name == "common.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "Verdict", f"{path.name}:{node.lineno}"
            if isinstance(node, ast.Attribute) and node.attr == "perf_counter":
                raise AssertionError(f"{path.name}:{node.lineno} times a check by hand")


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(THEOREMS),
    st.sampled_from(["verified", "refuted", "inconclusive"]),
    st.text(alphabet="ab c_{}$", max_size=20),
)
def test_verdict_constructors_and_timing(name, kind, reason):
    cert = {"format": checker.FORMAT} if kind != "inconclusive" else None
    make = {
        "verified": lambda: Verdict.verified(name, {"N": 4}, {"x": 1}, cert),
        "refuted": lambda: Verdict.refuted(name, {"N": 4}, {"x": 1}, reason or "r", cert),
        "inconclusive": lambda: Verdict.inconclusive(name, {"N": 4}, {"x": 1}, reason or "r"),
    }[kind]
    v = timed(make)()
    assert (v.theorem, v.verdict, v.certificate) == (name, kind, cert)
    assert v.reason == ("" if kind == "verified" else reason or "r")
    assert isinstance(v.seconds, float) and v.seconds >= 0
    assert timed(make).__name__ == "<lambda>"  # wraps keeps the check's name and docstring


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(THEOREMS),
    st.sets(st.sampled_from([k for k in OPTIONS if k != "seed"])),
    st.sampled_from(["deep", "recurrent", "overlapping", "shallow"]),
)
def test_each_theorem_refuses_exactly_the_options_it_does_not_take(name, keys, architecture):
    spec = lookup(name)
    given_options = {k: (architecture if k == "architecture" else 1) for k in keys}
    allowed = spec.accepts(given_options) if spec.accepts else tuple(spec.options)
    extra = keys - set(allowed)
    if extra:
        with pytest.raises(symtd.SymtdError) as err:
            spec.check_options(given_options)
        message = str(err.value)
        assert message.startswith(f"{name} takes no option(s)")
        assert all(f"--{k}" in message for k in extra) and "\n" not in message
    else:
        spec.check_options(given_options)


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=8))
def test_unknown_theorem_names_are_refused_by_the_registry(name):
    if name in REGISTRY:
        assert lookup(name).name == name
    else:
        with pytest.raises(symtd.SymtdError, match="unknown theorem"):
            lookup(name)


@pytest.mark.parametrize("name", THEOREMS)
def test_report_reads_statement_and_method_from_the_theorem_module(name):
    spec = REGISTRY[name]
    v = Verdict.inconclusive(name, {"N": 4}, {"x": 1}, "not tried")
    tex = report_latex([Row(name, [(v, "verified")])])
    assert spec.method in tex and rf"\section*{{{name}}}" in tex
    assert "Statement." in tex and "inconclusive" in tex


def test_claims_re_exports_every_check():
    for check_name in claims.__all__:
        assert getattr(claims, check_name) is not None
    assert claims.check_t4.__module__ == "symtd.theorems.t4_convac_depth_efficiency"
    assert claims.check_universality.__doc__.startswith("T1 (product")


# -- T3 and T4 on a user's network (--network) ---------------------------------------------
EXAMPLES_YOURS = Path(__file__).resolve().parent.parent / "examples" / "yours"


def test_prove_t3_on_a_network_file(capsys, tmp_path):
    cert = tmp_path / "t3.json"
    status = main(
        ["prove", "T3", "--network", str(EXAMPLES_YOURS / "avg_tree_N4.json"), "--cert", str(cert)]
    )
    out = capsys.readouterr().out
    assert status == 0 and "network avg N=4 M=2 widths=(2,2) I=(0,1)" in out
    [c] = json.loads(cert.read_text())
    assert c["instance"]["architecture"] == "network" and check(c)


def test_prove_t4_on_a_network_file(capsys, tmp_path):
    cert = tmp_path / "t4.json"
    path = str(EXAMPLES_YOURS / "deep_product_N8.json")
    status = main(["prove", "T4", "--network", path, "--Z", "10", "--cert", str(cert)])
    out = capsys.readouterr().out
    assert status == 0 and "partition odd-even, rank 16" in out
    [c] = json.loads(cert.read_text())
    assert c["instance"]["Z"] == 10 and c["instance"]["rank"] == 16 and check(c)
    assert checker.summary(c).startswith("rank* >= 16 > Z = 10")
    # no partition beats Z = 16 = the min-cut of every partition tried: inconclusive, exit 1
    assert main(["prove", "T4", "--network", path, "--Z", "16"]) == 1
    assert "inconclusive" in capsys.readouterr().out
    # Z >= M^N: T1 reaches every tensor
    assert main(["prove", "T4", "--network", path, "--Z", "256"]) == 1
    assert "refuted" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["T4", "--Z", "3"], "T4 takes no option(s) --Z with --architecture deep (the default)"),
        (
            ["T4", "--Z", "3"],
            "--Z: with --architecture recurrent or overlapping, or with --network",
        ),
        (["T4", "--network", "deep_max_N8.json", "--Z", "3"], "symtd compare"),
        (["T4", "--network", "deep_product_N8.json"], "needs --Z"),
        (["T3", "--network", "deep_product_N8.json"], "T3 is about sum/avg networks"),
        (["T3", "--network", "avg_tree_N4.json", "--N", "4"], "with --network FILE"),
        (["T5", "--network", "avg_tree_N4.json"], "T5 takes no option(s) --network"),
    ],
)
def test_prove_network_forms_refuse_clearly(capsys, monkeypatch, argv, message):
    monkeypatch.chdir(EXAMPLES_YOURS)
    assert main(["prove", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
