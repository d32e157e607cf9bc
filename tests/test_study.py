"""The committed training study (examples/study/) is valid and docs/training.md tells its numbers.

Bounds checked against the theory, not against the rows' own fields alone: a matricization of
a tensor of shape (M,)*N with |I| = N/2 has rank at most M^(N/2); a shallow ConvAC of width Z
is a sum of Z rank-one tensors (rank <= Z); a deep ConvAC's low-high split passes through the
top level's r channels (rank <= r); ReLU+avg (and sum) pooling gives rank <= 2 where T3's
split applies; a numerical rank (singular values above a positive threshold) is at most the
exact rank.
"""

from __future__ import annotations

import json
import math
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "examples" / "study"
ROWS = [json.loads(line) for line in (STUDY / "rows.jsonl").read_text().splitlines() if line]
PARTITIONS = ("odd-even", "low-high")
INTS = ["N", "M", "seed"] + [
    f"{k} {I}" for I in PARTITIONS for k in ("rank", "numerical", "lower", "upper")
]
FLOATS = ["train loss", "test loss", "train metric", "test metric", "train seconds"]


def _invariants(row: dict) -> None:
    """The bounds of the module docstring, for one row."""
    N, M, Z_or_r = row["N"], row["M"], row["widths"][0]
    assert row["operator"] in ("product", "max", "avg", "sum")
    assert row["geometry"] in ("deep", "shallow")
    for key in INTS:
        assert isinstance(row[key], int) and row[key] >= 0, key
    for key in FLOATS:
        assert isinstance(row[key], float) and math.isfinite(row[key]), key
    assert row["train metric"] <= 1 and row["test metric"] <= 1
    for I in PARTITIONS:
        exact, numerical = row[f"rank {I}"], row[f"numerical {I}"]
        lower, upper = row[f"lower {I}"], row[f"upper {I}"]
        assert 0 <= numerical <= exact <= upper, (I, row)
        assert 1 <= lower <= upper <= M ** (N // 2), (I, row)
        if row["operator"] == "product" and row["geometry"] == "shallow":
            assert exact <= Z_or_r and upper <= Z_or_r
        if row["operator"] == "product" and row["geometry"] == "deep" and I == "low-high":
            assert exact <= row["widths"][-1]
        if row["operator"] in ("avg", "sum") and (row["geometry"] == "shallow" or I == "low-high"):
            assert exact <= 2 and row[f"bound {I}"] == "sum/avg split"
        if f"teacher {I}" in row:
            assert 0 <= row[f"teacher numerical {I}"] <= row[f"teacher {I}"] <= M ** (N // 2)


def test_the_committed_rows_are_many_and_small():
    assert (STUDY / "rows.jsonl").stat().st_size < 200_000
    sections = {r["section"] for r in ROWS}
    assert sections == {"teacher-product", "teacher-max", "teacher16", "digits"}
    cells = {(r["section"], r["geometry"], r["operator"], tuple(r["widths"])) for r in ROWS}
    for cell in cells:  # three seeds per cell, each once
        seeds = sorted(r["seed"] for r in ROWS if (r["section"], r["geometry"], r["operator"],
                       tuple(r["widths"])) == cell)  # fmt: skip
        assert seeds == [0, 1, 2], cell


@pytest.mark.parametrize("k", range(len(ROWS)))
def test_every_row_obeys_the_theory(k):
    _invariants(ROWS[k])


def test_one_architecture_one_bracket():
    """The bracket belongs to the architecture: the same for every seed."""
    seen: dict = {}
    for row in ROWS:
        key = (row["section"], row["geometry"], row["operator"], tuple(row["widths"]))
        value = tuple(row[f"{k} {I}"] for I in PARTITIONS for k in ("lower", "upper", "bound"))
        assert seen.setdefault(key, value) == value, key


def test_the_page_tells_the_committed_numbers():
    make = runpy.run_path(str(STUDY / "make_figures.py"))
    table = make["markdown_table"](make["load"](STUDY / "rows.jsonl")).splitlines()
    page = (ROOT / "docs" / "training.md").read_text(encoding="utf-8")
    assert [line for line in table if line not in page] == []
    for name in ("ranks.png", "fit.png"):
        assert f"](../examples/study/{name})" in page and (STUDY / name).is_file()


@pytest.mark.slow
def test_make_figures_writes_the_pictures(tmp_path):
    pytest.importorskip("matplotlib")
    make = runpy.run_path(str(STUDY / "make_figures.py"))
    make["main"](["--out", str(tmp_path)])
    for name in ("ranks.png", "fit.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, name


@pytest.mark.slow
@pytest.mark.parametrize(
    "operator, widths", [("product", [4]), ("avg", [16])], ids=["product Z=4", "avg Z=16"]
)
def test_a_fresh_study_cell_obeys_the_theory(operator, widths):
    """One small cell trained from scratch (N = 8 teacher, shallow, few epochs) has the
    committed rows' keys and obeys the same bounds; the teacher's ranks match the row's."""
    pytest.importorskip("torch")
    from symtd.learn.study import study_cell

    row = study_cell(
        "teacher", operator, "shallow", 8, 2, widths, seed=1, epochs=60, lr=0.03,
        teacher=("product", 2), shared=False,
    )  # fmt: skip
    row["section"] = "teacher-product"
    assert set(row) == set(ROWS[0])
    _invariants(row)
    committed = next(
        r for r in ROWS
        if (r["section"], r["operator"], r["geometry"], r["widths"], r["seed"])
        == ("teacher-product", operator, "shallow", widths, 1)
    )  # fmt: skip
    for I in PARTITIONS:  # the data of seed 1 is the same teacher: same exact ranks
        assert row[f"teacher {I}"] == committed[f"teacher {I}"]
        assert row[f"teacher numerical {I}"] == committed[f"teacher numerical {I}"]
        assert (row[f"lower {I}"], row[f"upper {I}"]) == (
            committed[f"lower {I}"], committed[f"upper {I}"]
        )  # fmt: skip
