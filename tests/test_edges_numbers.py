"""Numbers: the 10,000-digit limit is exact, and big integers are read and written without
changing Python's process-wide conversion limit."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symtd
from symtd.algebra.rational import MAX_DIGITS, int_to_str, parse_rational, str_to_int
from symtd.circuits.formats import loads
from symtd.cli import main


@pytest.mark.parametrize("sign", ["", "-", "+"])
def test_digit_limit_is_exact_for_strings(sign):
    assert (
        parse_rational(sign + "7" * MAX_DIGITS)
        == int((sign + "7" * MAX_DIGITS)[:1] != "-" and 1 or -1) * (10**MAX_DIGITS - 1) * 7 // 9
    )
    with pytest.raises(symtd.SymtdError, match="10,000 digits"):
        parse_rational(sign + "7" * (MAX_DIGITS + 1))


def test_digit_limit_is_exact_for_ratios_decimals_and_ints():
    parse_rational("1" * 5000 + "/" + "3" * 5000)
    parse_rational("0." + "5" * (MAX_DIGITS - 1))
    parse_rational(10**MAX_DIGITS - 1)
    for bad in ("1" * 5000 + "/" + "3" * 5001, "0." + "5" * MAX_DIGITS, 10**MAX_DIGITS):
        with pytest.raises(symtd.SymtdError, match="10,000 digits"):
            parse_rational(bad)


def test_json_integers_limit_is_exact():
    assert loads("[" + "9" * MAX_DIGITS + "]")[0] == 10**MAX_DIGITS - 1
    assert loads("[-" + "9" * MAX_DIGITS + "]")[0] == 1 - 10**MAX_DIGITS
    with pytest.raises(symtd.SymtdError, match="10,000 digits"):
        loads("[" + "9" * (MAX_DIGITS + 1) + "]")


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=-(10**9000), max_value=10**9000))
def test_int_text_round_trip(n):
    assert str_to_int(int_to_str(n)) == n


def test_import_leaves_the_conversion_limit_alone():
    code = (
        "import sys; before = sys.get_int_max_str_digits(); import symtd; "
        "print(before == sys.get_int_max_str_digits())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_a_9000_digit_weight_round_trips_through_a_file_and_grid(tmp_path, capsys):
    big = "3" * 9000
    doc = {
        "format": "symtd-network/2",
        "N": 2,
        "M": 1,
        "operator": "product",
        "nodes": [{"width": 1, "pool": [["x0", "A"], ["x1", "B"]]}],
        "output": "out",
        "weights": {"A": [[big]], "B": [["1"]], "out": ["1"]},
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc))
    net = symtd.load_network(path)
    symtd.save_network(net, tmp_path / "again.json")
    assert symtd.load_network(tmp_path / "again.json") == net
    assert main(["grid", str(path)]) == 0
    assert big in capsys.readouterr().out
