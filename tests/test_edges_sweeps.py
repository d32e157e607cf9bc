"""The edges of sweeps, as classes: results files are data with a provenance, never trusted.

* shallow reach: computed from what is proven for the cell's own operator, never borrowed;
* resume: only rows this very sweep would write (fingerprint, columns, cells, values,
  complete tasks), appended after a guaranteed line end; a refused Parquet file leaves
  no ``.partial`` behind;
* sweep-report: every value checked (missing, null, NaN, text, negative ranks, null
  cells, reach columns, duplicates), every text cell escaped in every output format.

No cluster starts here: rows come from ``run_task`` in this process, and every refusal
happens before a cluster would.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import FUZZ, HOSTILE_STRINGS, assert_clean, assert_refused, call

import symtd
from symtd.ranks.bounds import upper_bounds
from symtd.ranks.separation import lower_bound, separation_rank
from symtd.sweeps.definition import shallow_reach
from symtd.sweeps.report import label, latex, markdown, md, summarize
from symtd.sweeps.results import Results, read_results
from symtd.sweeps.sweep import Sweep, load_sweep, run_task

SWEEP = {
    "format": "symtd-sweep/1",
    "grid": {
        "architecture": ["deep"],
        "N": [4],
        "M": [2],
        "widths": [2],
        "operator": ["product", "max"],
    },
    "partitions": ["odd-even", "root"],
    "draws": 3,
    "weights": {"integers": [-9, 9]},
    "Z": [1, 2, 4],
    "seed": 5,
}
PRODUCT_BY_ANOTHER_NAME = symtd.custom_operator("prod2", "x", "x*y")
CUSTOM = [
    PRODUCT_BY_ANOTHER_NAME,
    symtd.custom_operator("relumax2", "max(x, 0)", "max(x, y)"),
    symtd.custom_operator("linear", "x", "x + y"),
]


def key(row: dict[str, Any]) -> tuple:
    return row["cell"], row["draw"], row["partition"]


def rows_of(sweep: Sweep) -> list[dict[str, Any]]:
    cells = {c.key: c for c in sweep.cells}
    return [row for k, draw in sweep.tasks for row in run_task(cells[k], draw, sweep)]


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Sweep, list[dict]]:
    """(sweep file, Sweep, every row of it) for a 2-cell, 3-draw, 2-partition sweep."""
    folder = tmp_path_factory.mktemp("swept")
    path = folder / "sweep.json"
    path.write_text(json.dumps(SWEEP))
    sweep = load_sweep(path)
    return path, sweep, rows_of(sweep)


def write(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> Path:
    """Rows as a CSV or Parquet file, whatever their values (so forged files can be made)."""
    if path.suffix == ".parquet":
        arrays = {}
        for c in columns:
            values = [r.get(c) for r in rows]
            try:
                arrays[c] = pa.array(values)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                arrays[c] = pa.array([None if v is None else str(v) for v in values])
        pq.write_table(pa.table(arrays), path)
    else:
        import csv

        with open(path, "w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(columns)
            out.writerows([["" if r.get(c) is None else r.get(c) for c in columns] for r in rows])
    return path


# == shallow reach =================================================================================
def test_a_custom_product_gets_its_own_proven_reach_not_sum_avg_s(tmp_path: Path) -> None:
    """The issue's case: σ = x, P = x*y. A shallow width-4 circuit of it is certified to reach
    4 under odd-even; the sweep's reach_Z4 must not say 2 (sum/avg's bound)."""
    net = {
        "format": "symtd-network/1",
        "architecture": "deep",
        "N": 4,
        "M": 2,
        "widths": [2, 2],
        "operator": {"name": "prod2", "sigma": "x", "pool": "x*y"},
    }
    (tmp_path / "net.json").write_text(json.dumps(net))
    doc = dict(SWEEP, grid={}, networks=["net.json"], partitions=["odd-even"], draws=1)
    (tmp_path / "sweep.json").write_text(json.dumps(doc))
    sweep = load_sweep(tmp_path / "sweep.json")
    (row,) = run_task(sweep.cells[0], 0, sweep)
    shallow4 = symtd.shallow(4, 2, 4, PRODUCT_BY_ANOTHER_NAME)
    certified = separation_rank(shallow4, "odd-even")
    assert certified.certified and certified.lower == 4
    assert row["reach_Z4"] == 4 >= certified.lower
    assert row["reach_Z1"] == 4  # only matrix size is proven for a custom operator


@FUZZ
@given(
    st.sampled_from([symtd.PRODUCT, symtd.MAX, symtd.SUM, symtd.AVG, *CUSTOM]),
    st.integers(2, 5),
    st.integers(1, 3),
    st.integers(1, 5),
    st.data(),
)
def test_the_reach_is_the_proven_bound_of_that_operator_and_never_beaten(
    operator: symtd.Operator, N: int, M: int, Z: int, data: st.DataObject
) -> None:
    """reach = the smallest proven bound of a shallow width-Z circuit of the same operator
    (matrix size for a custom one), and no rank reached by such a circuit exceeds it."""
    rows = tuple(sorted(data.draw(st.sets(st.integers(0, N - 1)), label="I")))
    reach = shallow_reach(operator, N, M, rows, Z)
    shallow = symtd.shallow(N, M, Z, operator)
    assert reach == upper_bounds(shallow, rows)[0].value
    side = min(len(rows), N - len(rows))
    if operator.name not in ("product", "max", "sum", "avg"):
        assert reach == M**side
    seed = data.draw(st.integers(0, 10**6), label="seed")
    assert lower_bound(shallow, rows, points=2, seed=seed) <= reach


def test_reach_beyond_the_widest_shallow_circuit_is_matrix_size() -> None:
    assert shallow_reach(symtd.MAX, 4, 2, (0, 2), 2**20) == 4
    assert shallow_reach(PRODUCT_BY_ANOTHER_NAME, 4, 3, (0,), 2**31) == 3


# == sweep-report: its input checked ===============================================================
BAD_REPORT_INPUTS = {
    "missing rank column": lambda cols, rows: ([c for c in cols if c != "rank"], rows),
    "null rank": lambda cols, rows: (cols, [dict(rows[0], rank=None), *rows[1:]]),
    "NaN rank": lambda cols, rows: (cols, [dict(rows[0], rank=math.nan), *rows[1:]]),
    "string rank": lambda cols, rows: (cols, [dict(rows[0], rank="four"), *rows[1:]]),
    "negative rank": lambda cols, rows: (cols, [dict(rows[0], rank=-3), *rows[1:]]),
    "rank above upper": lambda cols, rows: (cols, [dict(rows[0], rank=999), *rows[1:]]),
    "null cell": lambda cols, rows: (cols, [dict(rows[0], cell=None), *rows[1:]]),
    "no reach columns": lambda cols, rows: ([c for c in cols if not c.startswith("reach")], rows),
    "reach_Zabc column": lambda cols, rows: (
        cols + ["reach_Zabc"],
        [dict(r, reach_Zabc=1) for r in rows],
    ),
    "rows repeated 50 times": lambda cols, rows: (cols, rows * 50),
    "no rows": lambda cols, rows: (cols, []),
}


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("case", sorted(BAD_REPORT_INPUTS))
def test_sweep_report_refuses_bad_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], swept: tuple, case: str, suffix: str
) -> None:
    _, sweep, rows = swept
    columns, bad = BAD_REPORT_INPUTS[case](sweep.columns, rows)
    path = write(tmp_path / f"r{suffix}", columns, bad)
    argv = ["sweep-report", path, "--out", tmp_path / "rep"]
    assert_refused(call(capsys, *argv), argv)
    assert not (tmp_path / "rep").exists()  # nothing written for a refused file


INVALID_VALUES = {
    "rank": st.one_of(
        st.none(),
        st.just(math.nan),
        st.integers(max_value=-1),
        st.integers(min_value=2**63),
        st.floats(allow_nan=True),
        HOSTILE_STRINGS.filter(lambda s: not s.strip().isdigit()),
    ),
    "N": st.one_of(
        st.none(),
        st.integers(max_value=0),
        HOSTILE_STRINGS.filter(lambda s: not s.strip().lstrip("-").isdigit()),
    ),
    "draw": st.one_of(st.none(), st.integers(max_value=-1), st.just("1.5"), st.just(math.inf)),
    "upper": st.one_of(st.none(), st.integers(max_value=-1), st.just("x")),
    "reach_Z2": st.one_of(st.none(), st.integers(max_value=-1), st.just("2.0")),
    "cell": st.one_of(st.none(), st.just("")),
    "rank_kind": HOSTILE_STRINGS.filter(lambda s: s not in ("exact", "lower")),
    "fingerprint": HOSTILE_STRINGS,
    "seed": st.one_of(st.just("-1"), st.just("1e5"), st.none()),
}


@FUZZ
@given(
    st.sampled_from(sorted(INVALID_VALUES)).flatmap(
        lambda c: st.tuples(st.just(c), INVALID_VALUES[c])
    ),
    st.integers(0, 11),
    st.sampled_from([".csv", ".parquet"]),
)
def test_any_invalid_value_anywhere_is_refused_in_one_line(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    swept: tuple,
    change: tuple[str, Any],
    where: int,
    suffix: str,
) -> None:
    _, sweep, rows = swept
    column, value = change
    rows = [dict(r) for r in rows]
    rows[where][column] = value
    folder = tmp_path_factory.mktemp("bad")
    path = write(folder / f"r{suffix}", sweep.columns, rows)
    argv = ["sweep-report", path, "--out", folder / "rep"]
    assert_refused(call(capsys, *argv), argv)


@FUZZ
@given(st.lists(st.integers(0, 11), min_size=1, max_size=5), st.integers(2, 60))
def test_duplicates_never_count_as_draws(swept: tuple, repeated: list[int], times: int) -> None:
    """The issue: 3 draws repeated 50 times became 150 draws and a shrunken interval."""
    _, _, rows = swept
    forged = rows + [rows[k] for k in repeated for _ in range(times - 1)]
    random.Random(times).shuffle(forged)
    with pytest.raises(symtd.SymtdError, match="duplicate row is not another draw"):
        summarize(forged)
    summaries, _ = summarize(rows)
    assert {s["draws"] for s in summaries} == {3}


# == sweep-report: every cell escaped ==============================================================
NAMES = st.one_of(
    HOSTILE_STRINGS.filter(bool),
    st.text(min_size=1, max_size=20),
    st.sampled_from(["a|b", "x\n| 1 | 2 |", "| forged |\n|---|", "$\\frac{", "100%", "`<b>`"]),
)


@FUZZ
@given(st.lists(NAMES, min_size=1, max_size=3, unique=True), NAMES, NAMES)
def test_markdown_and_latex_hold_one_line_per_summary_whatever_the_names(
    swept: tuple, cells: list[str], partition: str, bound: str
) -> None:
    _, sweep, rows = swept
    forged = [
        dict(r, cell=cells[k % len(cells)], partition=partition, upper_bound=bound, draw=k)
        for k, r in enumerate(
            r for r in rows if r["operator"] == "product" and r["partition"] == "odd-even"
        )
    ]
    summaries, Zs = summarize(forged)
    text = markdown(summaries, Zs)
    assert_clean(text, "report.md")
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(summaries)  # no forged row
    columns = 6 + len(Zs)
    for line in table[2:]:
        unescaped = sum(1 for k, ch in enumerate(line) if ch == "|" and _unescaped(line, k))
        assert unescaped == columns + 1, line  # no forged column
    tex_text = latex(summaries, Zs)
    assert_clean(tex_text, "report.tex")
    body = tex_text.splitlines()[4:-2]
    assert len(body) == len(summaries)
    for line in body:
        assert line.endswith(r" \\")
        ampersands = sum(1 for k, ch in enumerate(line) if ch == "&" and _unescaped(line, k))
        assert ampersands == 4 + len(Zs), line
        assert "%" not in line.replace(r"\%", "")  # no comment eating the row's end


def _unescaped(line: str, k: int) -> bool:
    """True when the character at k is not escaped by an odd run of backslashes."""
    run = 0
    while k - run - 1 >= 0 and line[k - run - 1] == "\\":
        run += 1
    return run % 2 == 0


@FUZZ
@given(NAMES)
def test_plot_labels_and_markdown_cells_are_one_inert_line(name: str) -> None:
    text = label(name)
    assert "\n" not in text and len(text.replace("\\$", "$")) <= 60
    assert all(k and text[k - 1] == "\\" for k, ch in enumerate(text) if ch == "$")  # no mathtext
    cell = md(name)
    assert "\n" not in cell and all(
        not _unescaped(cell, k) for k, ch in enumerate(cell) if ch in "|<>`"
    )


def test_sweep_report_writes_hostile_names_escaped_in_all_three_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], swept: tuple
) -> None:
    """A cell name with a pipe and a newline, a partition with mathtext: still one row each,
    and the plot draws (mathtext off)."""
    _, sweep, rows = swept
    forged = [
        dict(r, cell="a|b\n| x | y |" if r["operator"] == "max" else r["cell"])
        for r in rows
        if r["partition"] == "odd-even"
    ]
    forged = [dict(r, partition="$\\frac{", architecture="$x^{") for r in forged]
    path = write(tmp_path / "r.csv", sweep.columns, forged)
    status, out, err = call(capsys, "sweep-report", path, "--out", tmp_path / "rep")
    assert status == 0, err
    md_text = (tmp_path / "rep" / "report.md").read_text()
    assert len([line for line in md_text.splitlines() if line.startswith("|")]) == 4
    assert r"a\|b\\n\| x \| y \|" in md_text
    assert "$|$" in (tmp_path / "rep" / "report.tex").read_text()
    assert (tmp_path / "rep" / "fraction.png").read_bytes()[:4] == b"\x89PNG"


# == resume: only this sweep's rows ================================================================
def resumable(path: Path, sweep: Sweep) -> Results:
    return Results(path, sweep, resume=True)


MUTATIONS = {
    "another fingerprint": lambda rows, rng: _set(rows, rng, "fingerprint", "0123456789abcdef"),
    "another rank kind": lambda rows, rng: _set(rows, rng, "rank_kind", "lower"),
    "rank above upper": lambda rows, rng: _set(rows, rng, "rank", 999),
    "another upper": lambda rows, rng: _set(rows, rng, "upper", 3),
    "another reach": lambda rows, rng: _set(rows, rng, "reach_Z4", 2),
    "another seed": lambda rows, rng: _set(rows, rng, "seed", "12345"),
    "another architecture": lambda rows, rng: _set(rows, rng, "architecture", "mirror"),
    "unknown cell": lambda rows, rng: _set(rows, rng, "cell", "deep N=4 M=2 widths=9,9 product"),
    "unknown partition": lambda rows, rng: _set(rows, rng, "partition", "low-high"),
    "draw beyond the sweep": lambda rows, rng: _set(rows, rng, "draw", 3),
    "a duplicate row": lambda rows, rng: rows + [rows[rng.randrange(len(rows))]],
    "an incomplete task": lambda rows, rng: [r for k, r in enumerate(rows) if k != 1],
}


def _set(rows: list[dict], rng: random.Random, column: str, value: Any) -> list[dict]:
    rows = [dict(r) for r in rows]
    rows[rng.randrange(len(rows))][column] = value
    return rows


@FUZZ
@given(
    st.sampled_from(sorted(MUTATIONS)),
    st.integers(0, 2**32),
    st.sampled_from([".csv", ".parquet"]),
)
def test_resume_refuses_rows_this_sweep_would_not_write(
    tmp_path_factory: pytest.TempPathFactory,
    swept: tuple,
    mutation: str,
    seed: int,
    suffix: str,
) -> None:
    _, sweep, rows = swept
    rng = random.Random(seed)
    done = [r for r in rows if r["draw"] < 2]  # an interrupted sweep's rows
    forged = MUTATIONS[mutation](done, rng)
    folder = tmp_path_factory.mktemp("resume")
    path = write(folder / f"r{suffix}", sweep.columns, forged)
    before = path.read_bytes()
    with pytest.raises(symtd.SymtdError) as refused:
        resumable(path, sweep)
    assert "\n" not in str(refused.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [path.name]  # no .partial


def test_a_lower_sweeps_rows_are_never_taken_as_exact(tmp_path: Path, swept: tuple) -> None:
    path, sweep, _ = swept
    lower = load_sweep(path, lower=True)
    rows = rows_of(lower)[:4]
    assert {r["rank_kind"] for r in rows} == {"lower"}
    forged = write(tmp_path / "r.csv", lower.columns, [dict(r, rank_kind="exact") for r in rows])
    for target in (lower, sweep):  # resumed as the lower sweep, or as the exact one
        with pytest.raises(symtd.SymtdError, match="rank_kind|another sweep"):
            resumable(forged, target)
    honest = write(tmp_path / "h.csv", lower.columns, rows)
    with pytest.raises(symtd.SymtdError, match="another sweep"):
        resumable(honest, sweep)  # lower bounds never continue an exact sweep
    assert resumable(honest, lower).done == {(r["cell"], r["draw"]) for r in rows}


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_resume_of_another_sweep_or_rank_kind_is_refused_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], swept: tuple, suffix: str
) -> None:
    path, sweep, rows = swept
    out = write(tmp_path / f"r{suffix}", sweep.columns, rows[:4])
    other = tmp_path / "other.json"
    other.write_text(json.dumps(dict(SWEEP, seed=6)))  # same cells and columns, other weights
    for argv in (
        ["sweep", other, "--out", out, "--resume", "--quiet"],
        ["sweep", path, "--out", out, "--resume", "--lower", "--quiet"],
    ):
        result = call(capsys, *argv)
        assert_refused(result, argv)
        assert "another sweep" in result[2]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["other.json", out.name])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("value", [None, math.nan, "four", -3])
def test_resume_onto_a_parquet_or_csv_with_a_bad_rank_leaves_nothing_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], swept: tuple, suffix: str, value: Any
) -> None:
    path, sweep, rows = swept
    out = write(tmp_path / f"r{suffix}", sweep.columns, [dict(rows[0], rank=value), *rows[1:4]])
    before = out.read_bytes()
    argv = ["sweep", path, "--out", out, "--resume", "--quiet"]
    assert_refused(call(capsys, *argv), argv)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no RESULTS.parquet.partial


@FUZZ
@given(st.integers(1, 5), st.sampled_from(["", "\r", "\n", "\r\n"]), st.booleans())
def test_resume_appends_after_a_guaranteed_line_end(
    tmp_path_factory: pytest.TempPathFactory,
    swept: tuple,
    tasks_done: int,
    ending: str,
    through_results: bool,
) -> None:
    """A last line without its newline (an editor, a crash between the row and its line end)
    must not glue the next row onto it."""
    _, sweep, rows = swept
    per_task = len(sweep.partitions)
    ordered = sorted(
        rows, key=lambda r: (r["cell"], r["draw"], sweep.partitions.index(r["partition"]))
    )
    done, rest = ordered[: tasks_done * per_task], ordered[tasks_done * per_task :]
    path = tmp_path_factory.mktemp("newline") / "r.csv"
    first = Results(path, sweep)
    first.write(done)
    first.close()
    text = path.read_bytes().rstrip(b"\r\n") + ending.encode()
    path.write_bytes(text)
    again = resumable(path, sweep)
    assert again.done == {(r["cell"], r["draw"]) for r in done}
    if through_results:
        for k in range(0, len(rest), per_task):  # batch by batch, as a sweep writes
            again.write(rest[k : k + per_task])
    else:
        again.write(rest)
    again.close()
    assert sorted(read_results(path), key=key) == sorted(rows, key=key)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_resume_keeps_this_sweeps_rows_and_adds_the_rest(
    tmp_path: Path, swept: tuple, suffix: str
) -> None:
    _, sweep, rows = swept
    path = tmp_path / f"r{suffix}"
    first = Results(path, sweep)
    first.write([r for r in rows if r["draw"] == 0])
    first.close()
    again = resumable(path, sweep)
    assert again.done == {(c.key, 0) for c in sweep.cells}
    again.write([r for r in rows if r["draw"] > 0])
    again.close()
    assert sorted(read_results(path), key=key) == sorted(rows, key=key)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_every_write_leaves_whole_lines(tmp_path: Path, swept: tuple) -> None:
    """Each batch is one write of whole lines: after every write the file reads back."""
    _, sweep, rows = swept
    path = tmp_path / "r.csv"
    results = Results(path, sweep)
    for k in range(0, len(rows), 2):
        results.write(rows[k : k + 2])
        assert path.read_bytes().endswith(b"\r\n")
        assert len(read_results(path)) == k + 2
    results.close()


def test_a_fingerprint_ties_rows_to_what_fixes_them(tmp_path: Path) -> None:
    """Whitespace and key order do not change it; the seed, draws, weights, --lower and a
    network file's architecture do."""
    path = tmp_path / "s.json"
    path.write_text(json.dumps(SWEEP))
    base = load_sweep(path).fingerprint
    path.write_text(json.dumps(dict(reversed(list(SWEEP.items()))), indent=3))
    assert load_sweep(path).fingerprint == base
    assert load_sweep(path, lower=True).fingerprint != base
    for change in ({"seed": 6}, {"draws": 4}, {"weights": {"integers": [-8, 9]}}):
        path.write_text(json.dumps(dict(SWEEP, **change)))
        assert load_sweep(path).fingerprint != base, change
    prints = set()
    for widths in ([2, 2], [2, 3]):
        net = {"format": "symtd-network/1", "architecture": "deep", "N": 4, "M": 2}
        (tmp_path / "n.json").write_text(json.dumps(dict(net, widths=widths, operator="max")))
        path.write_text(json.dumps(dict(SWEEP, networks=["n.json"])))
        prints.add(load_sweep(path).fingerprint)
    assert len(prints) == 2
