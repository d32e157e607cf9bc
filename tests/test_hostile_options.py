"""Hostile input, options: partitions, --what arguments and other options with odd strings
(the contract: see tests/support.py).
"""

from __future__ import annotations

import pytest
from support import V1, assert_clean, assert_refused, call, write_json

# ==================================================================================================
# Partitions, --what arguments and other options with odd strings
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
