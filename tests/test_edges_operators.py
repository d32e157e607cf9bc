"""Custom operators: every expression is priced before any exact work, then accepted or
refused in bounded time (one line from the CLI, exit 2)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import alarm

import symtd
from symtd.circuits.expressions import MAX_BITS, MAX_PIECES, MAX_PROOF_PIECES, parse_tree
from symtd.cli import main

DEEP_MAX_V1 = {  # a small v1 network file
    "format": "symtd-network/1",
    "architecture": "deep",
    "N": 4,
    "M": 2,
    "operator": "max",
    "widths": [1, 1],
    "weights": {"layer0": [[[1, -1]]] * 4, "layer1": [[[1]], [[2]]], "output": [1]},
}
NESTED_ABS = "abs(abs(abs(abs(abs(abs(x-1)-1)-1)-1)-1)-1)"
TOWER = "max(x,y)+0*(" + "(" * 12 + "9" + "^8)" * 12 + ")"


@pytest.mark.parametrize(
    "sigma,pool,reason",
    [
        (NESTED_ABS, "max(x,y)", "pieces"),
        (NESTED_ABS, "x+y", "pieces"),
        ("x", TOWER, "bits"),
        ("x", "x*y+0*(9^8)^8^8", "unexpected|bits"),
        ("max(min(x,1),0)", "max(x,y)", "pieces"),
        ("1/x", "min(x,y)", "not defined|not a finite"),
        ("x", "max(x, 1/0)", "not defined|finite"),
    ],
)
def test_costly_or_undefined_operators_refused_quickly(sigma, pool, reason):
    with alarm(20), pytest.raises(symtd.SymtdError, match=reason):
        symtd.custom_operator("op", sigma, pool)


@pytest.mark.parametrize(
    "sigma,pool",
    [
        ("max(x,0)", "x+y"),
        ("abs(x)", "x+y"),
        ("max(x,0)", "max(x,y)"),
        ("x", "x*y"),
        ("x", "x+y+x*y"),
        ("min(x,0)", "min(x,y)"),
        ("max(x,0)", "x*y"),
    ],
)
def test_the_usual_operators_are_still_proved(sigma, pool):
    with alarm(20):
        op = symtd.custom_operator("op", sigma, pool)
    assert op.name == "op"


def test_a_nested_abs_operator_in_a_file_is_one_line(tmp_path, capsys):
    path = tmp_path / "net.json"
    doc = dict(DEEP_MAX_V1, operator={"name": "nest", "sigma": NESTED_ABS, "pool": "max(x,y)"})
    path.write_text(json.dumps(doc))
    with alarm(20):
        status = main(["grid", str(path)])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("symtd: error:") and err.count("\n") == 1


def test_limits_are_documented_numbers():
    assert MAX_BITS == 1024 and MAX_PIECES == 64 and MAX_PROOF_PIECES == 4096
    with pytest.raises(symtd.SymtdError, match="bits"):
        parse_tree("x*((9^8)^8)^8", ("x",))  # 9^512: about 1,623 bits, never computed
    parse_tree("x*(9^8)^8*" + "9" * 150, ("x",))  # about 203 + 499 bits: within the limit


def expressions(variables: tuple[str, ...]) -> st.SearchStrategy[str]:
    leaves = st.sampled_from([*variables, "0", "1", "2", "1/2", "0.5", "9", "9^8"])

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from("+-*/"), inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
            st.tuples(inner, st.integers(0, 8)).map(lambda t: f"({t[0]})^{t[1]}"),
            inner.map(lambda t: f"abs({t})"),
            inner.map(lambda t: f"-({t})"),
            st.tuples(st.sampled_from(["max", "min"]), st.lists(inner, min_size=1, max_size=3)).map(
                lambda t: f"{t[0]}({','.join(t[1])})"
            ),
        )

    return st.recursive(leaves, extend, max_leaves=12)


@settings(max_examples=40, deadline=None)
@given(expressions(("x",)), expressions(("x", "y")), st.booleans())
def test_any_expression_is_accepted_or_refused_in_bounded_time(sigma, pool, symmetric):
    if symmetric:  # commutative pools reach the proofs instead of a counterexample
        swapped = pool.replace("x", "T").replace("y", "x").replace("T", "y")
        pool = f"max({pool},{swapped})"
    with alarm(20):
        try:
            op = symtd.custom_operator("op", sigma, pool)
        except symtd.SymtdError as exc:
            assert "\n" not in str(exc)
        else:
            assert op.sigma is not None and op.pool is not None
