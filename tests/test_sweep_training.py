"""Training sweeps: `symtd sweep` cells that train a network and measure its exact ranks.

Checked against independent paths: the teacher's rank from a circuit built here, the
theory's bounds (a shallow ConvAC of width Z has rank <= Z, ReLU+avg rank <= 2 where T3's
split applies, a numerical rank is at most the exact one), the same rows from one and from
two Dask workers, and the committed study sweep against the study's rows made by another
driver (benchmarks/study.py, one process): the same seeds give the same exact ranks, and the
same losses and metrics up to the last bits of float64 (the two processes' BLAS may sum in
another order).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

import symtd
from symtd.cli import main
from symtd.render.draw import pyplot
from symtd.sweeps.report import fraction_figure, summarize
from symtd.sweeps.sweep import load_sweep, read_results, run_sweep

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "examples" / "study"
FLOATS = ("train_loss", "test_loss", "train_metric", "test_metric")
TRAINING = {
    "format": "symtd-sweep/1",
    "grid": {
        "architecture": ["deep", "shallow"],
        "N": [4],
        "M": [2],
        "widths": [2],
        "operator": ["product", "avg"],
    },
    "partitions": ["odd-even", "low-high"],
    "draws": 2,
    "Z": [1, 2],
    "seed": 5,
    "train": {"teacher": {"operator": "product", "widths": 2}, "epochs": 40, "shared": False},
}


def sweep_file(tmp_path: Path, **changes) -> Path:
    path = tmp_path / "training.json"
    path.write_text(json.dumps(dict(TRAINING, **changes)))
    return path


def key(row: dict) -> tuple:
    return row["cell"], row["draw"], row["partition"]


def theory(row: dict) -> None:
    """The bounds of the module docstring for one trained row."""
    N, M = row["N"], row["M"]
    side = len(row["rows"].split())
    assert 0 <= row["numerical"] <= row["rank"] <= row["upper"] <= M ** min(side, N - side)
    if row["operator"] == "product" and row["architecture"] == "shallow":
        assert row["rank"] <= int(row["widths"])
    if row["operator"] == "avg" and row["architecture"] == "shallow":
        assert row["rank"] <= 2 and row["upper_bound"] == "sum/avg split"
    assert row["train_metric"] <= 1 and row["test_metric"] <= 1
    assert row["train_loss"] >= 0 and row["test_loss"] >= 0
    assert row["rank_kind"] == "exact"
    if row["data"] == "digits":
        assert row["teacher_rank"] == row["teacher_numerical"] == -1
    else:
        assert 0 <= row["teacher_numerical"] <= row["teacher_rank"] <= M ** min(side, N - side)


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client

    from symtd.sweeps.sweep import local_cluster

    with local_cluster(2) as local, Client(local) as client:
        yield client


@pytest.mark.slow
def test_trained_rows_obey_the_theory_and_not_the_workers(tmp_path, cluster):
    pytest.importorskip("torch")
    from distributed import Client, LocalCluster

    sweep = load_sweep(sweep_file(tmp_path))
    run_sweep(sweep, tmp_path / "two.csv", client=cluster, quiet=True)
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as one,
        Client(one) as single,
    ):
        run_sweep(sweep, tmp_path / "one.parquet", client=single, quiet=True)
    two = sorted(read_results(tmp_path / "two.csv"), key=key)
    one = sorted(read_results(tmp_path / "one.parquet"), key=key)
    assert len(two) == len(one) == 4 * 2 * 2  # cells × draws × partitions
    for a, b in zip(two, one):  # the weights are the same; a float64 sum may end otherwise
        assert {k: v for k, v in a.items() if k not in FLOATS} == {
            k: v for k, v in b.items() if k not in FLOATS
        }
        assert all(math.isclose(a[k], b[k], rel_tol=1e-9) for k in FLOATS)
    for row in two:
        theory(row)
        seed = int(row["seed"])
        assert seed == 5 + row["draw"]  # one task per draw for every student
        teacher = symtd.deep(4, 2, 2, "product", shared=False).at_random_point(seed=seed)
        rows = symtd.partition(row["partition"], teacher)
        assert row["teacher_rank"] == symtd.matricization_rank(teacher, rows)
    # the generic rank of a deep ConvAC is reached by training (teacher data of rank 4)
    deep = [r for r in two if r["cell"].startswith("deep") and r["operator"] == "product"]
    assert max(r["rank"] for r in deep if r["partition"] == "odd-even") == 4


@pytest.mark.slow
def test_a_training_sweep_resumes_only_what_is_missing(tmp_path, cluster):
    pytest.importorskip("torch")
    path = sweep_file(tmp_path, grid=dict(TRAINING["grid"], operator=["product"]))
    sweep = load_sweep(path)
    out = tmp_path / "r.csv"
    run_sweep(sweep, out, client=cluster, quiet=True)
    full = out.read_text().splitlines()
    lines = [full[0]] + [line for line in full[1:] if ",1,6," not in line]  # drop draw 1
    assert len(lines) < len(full)
    out.write_text("\n".join(lines) + "\n")
    assert run_sweep(sweep, out, client=cluster, resume=True, quiet=True) == len(full) - 1
    assert sorted(out.read_text().splitlines()) == sorted(full)


SECTIONS = {"teacher-product": 7, "teacher-max": 7, "digits": 6, "teacher16": 2}  # students


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_the_committed_study_sweeps_reproduce_the_study_rows(section):
    """examples/study/sweeps/SECTION.csv (Dask, `symtd sweep`) and rows.jsonl
    (benchmarks/study.py, one process): same seeds, same ranks, same fit to 1e-9."""
    rows = read_results(STUDY / "sweeps" / f"{section}.csv")
    pytest.importorskip("torch")  # the sweep file needs the learn extra to load
    sweep = load_sweep(STUDY / "sweeps" / f"{section}.json")
    assert {r["fingerprint"] for r in rows} == {sweep.fingerprint}  # its provenance
    assert len(rows) == len(sweep.tasks) * len(sweep.partitions)
    study = [json.loads(line) for line in (STUDY / "rows.jsonl").read_text().splitlines()]
    compared = 0
    for row in rows:
        theory(row)
        widths = [int(w) for w in row["widths"].split(",")]
        match = [
            s for s in study
            if s["section"] == section and s["geometry"] == row["architecture"]
            and s["operator"] == row["operator"] and s["widths"] == widths
            and s["seed"] == int(row["seed"])
        ]  # fmt: skip
        if not match:
            continue
        (s,) = match
        I = row["partition"]
        assert (row["rank"], row["numerical"], row["upper"]) == (
            s[f"rank {I}"], s[f"numerical {I}"], s[f"upper {I}"]
        )  # fmt: skip
        teacher = (s.get(f"teacher {I}", -1), s.get(f"teacher numerical {I}", -1))
        assert (row["teacher_rank"], row["teacher_numerical"]) == teacher
        for ours, theirs in (("test_metric", "test metric"), ("train_loss", "train loss")):
            assert math.isclose(row[ours], s[theirs], rel_tol=1e-9), (ours, row, s)
        compared += 1
    assert compared == SECTIONS[section] * 3 * 2  # the study's students, 3 seeds, 2 partitions


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_the_committed_study_reports_tell_their_rows(tmp_path, section):
    results = STUDY / "sweeps" / f"{section}.csv"
    summaries, Zs = summarize(read_results(results))
    assert Zs == [4, 16] and all("test_metric" in s for s in summaries)
    assert main(["sweep-report", str(results), "--out", str(tmp_path)]) == 0
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Trained networks, one per seed" in report and "test metric" in report
    assert report == (STUDY / "sweeps" / f"{section}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"weights": {"integers": [-9, 9]}}, "trains its weights"),
        ({"networks": ["x.json"]}, "grid cells only"),
        ({"grid": dict(TRAINING["grid"], architecture=["mirror"])}, "deep or shallow"),
        ({"train": {"data": "imagenet"}}, "teacher or digits"),
        ({"train": {"data": "digits"}}, "N = 8 rows or N = 16"),
        ({"train": {"data": "digits", "teacher": {}}}, "no teacher"),
        ({"train": {"teacher": {"operator": "product", "widths": [2, 2, 2]}}}, "widths"),
        ({"train": {"teacher": {"operator": "conv"}}}, "teacher operator"),
        ({"train": {"epochs": 0}}, "epochs must be"),
        ({"train": {"epochs": 10**9}}, "epochs must be"),
        ({"train": {"lr": "fast"}}, "lr must be"),
        ({"train": {"lr": float("nan")}}, "NaN is not valid JSON"),
        ({"train": {"lr": 1e308}}, "lr must be"),
        ({"train": {"batch_size": 0}}, "batch_size"),
        ({"train": {"shared": "yes"}}, "shared must be"),
        ({"train": {"optimizer": "sgd"}}, "unknown train key"),
        ({"train": []}, "train must be an object"),
    ],
)
def test_bad_training_sweeps_are_refused_in_one_line(tmp_path, capsys, change, message):
    import re

    path = sweep_file(tmp_path, **change)
    assert main(["sweep", str(path), "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.search(message, err), err
    assert not (tmp_path / "r.csv").exists()


def test_a_training_sweep_without_pytorch_says_what_to_install(tmp_path, capsys, monkeypatch):
    import importlib.util

    find = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else find(name, *a)
    )
    assert main(["sweep", str(sweep_file(tmp_path)), "--out", str(tmp_path / "r.csv")]) == 2
    assert "pip install 'symtd[learn]'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("test_metric", "1.5", "a metric above 1"),
        ("train_loss", "-0.1", "a negative loss"),
        ("test_loss", "inf", "must be a number"),
        ("test_loss", "1e999", "infinite"),
        ("train_metric", "", "must be a number, got null"),
        ("teacher_rank", "-2", "out of range"),
        ("numerical", "many", "must be an integer"),
        ("numerical", "17", "above the matrix size 16"),
        ("teacher_rank", "999999", "above the matrix size"),
        ("teacher_rank", "-1", "-1 exactly for digits"),
        ("teacher_numerical", "17", "above the matrix size"),
        ("rows", "0 1 2 3 4 5 6 7 8", "more positions than N"),
    ],
)
def test_tampered_trained_rows_are_refused(tmp_path, column, value, message):
    source = STUDY / "sweeps" / "teacher-product.csv"
    with open(source, newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    table[3][table[0].index(column)] = value
    path = tmp_path / "tampered.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    with pytest.raises(symtd.SymtdError, match=message):
        read_results(path)


def test_a_nan_loss_or_metric_is_read_as_nan(tmp_path):
    source = STUDY / "sweeps" / "teacher-product.csv"
    with open(source, newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    table[1][table[0].index("test_loss")] = "nan"
    path = tmp_path / "nan.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    assert math.isnan(read_results(path)[0]["test_loss"])


def test_cells_that_differ_only_in_width_get_curves_of_their_own():
    """Deep r = 4 and r = 16 at the same N are two curves (not one line joining them)."""
    summaries, Zs = summarize(read_results(STUDY / "sweeps" / "teacher-product.csv"))
    fig = fraction_figure(summaries, Zs)
    try:
        labels = [line.get_label() for line in fig.axes[0].get_lines()]
        labels = [text for text in labels if not text.startswith("_")]  # error bars
    finally:
        pyplot().close(fig)
    assert "deep product w=4 (odd-even)" in labels and "deep product w=16 (odd-even)" in labels
    assert len(labels) == len(set(labels)) == len(summaries)  # one point per cell and split


def test_a_diverged_network_is_refused_not_exported():
    torch = pytest.importorskip("torch")
    from symtd.learn.export import exact_array

    with pytest.raises(symtd.SymtdError, match="diverged"):
        exact_array(torch.tensor([1.0, float("nan")]))
    with pytest.raises(symtd.SymtdError, match="diverged"):
        exact_array(torch.tensor([float("inf")]))


@pytest.mark.slow
def test_a_training_that_diverges_stops_the_sweep_in_one_line(tmp_path, capsys):
    pytest.importorskip("torch")
    grid = dict(TRAINING["grid"], architecture=["deep"], operator=["product"], N=[8], widths=[4])
    train = dict(TRAINING["train"], lr=10, epochs=50)
    path = sweep_file(tmp_path, grid=grid, train=train, draws=1, seed=0)
    out = tmp_path / "r.csv"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "draw 0: a weight is NaN or infinite" in err, err
    assert read_results(out) == []  # the header only: a readable, resumable file


def test_digits_rows_have_no_teacher_and_teacher_rows_have_one(tmp_path):
    source = STUDY / "sweeps" / "digits.csv"
    with open(source, newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert read_results(source)[0]["teacher_rank"] == -1
    table[1][table[0].index("teacher_rank")] = "3"
    path = tmp_path / "tampered.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    with pytest.raises(symtd.SymtdError, match="-1 exactly for digits"):
        read_results(path)


def test_a_grid_too_large_to_train_on_is_refused_before_anything_starts(tmp_path, capsys):
    """Digits at N = 16, M = 3: 43 million inputs, tens of GiB: one line, not an OOM kill."""
    grid = dict(TRAINING["grid"], N=[16], M=[3])
    path = sweep_file(tmp_path, grid=grid, train={"data": "digits"})
    assert main(["sweep", str(path), "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "(M = 3, N = 16) needs about" in err and "refused" in err


def test_a_digits_sweep_without_scikit_learn_says_what_to_install(tmp_path, capsys, monkeypatch):
    import importlib.util

    find = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "sklearn" else find(name, *a)
    )
    path = sweep_file(tmp_path, grid=dict(TRAINING["grid"], N=[8]), train={"data": "digits"})
    assert main(["sweep", str(path), "--out", str(tmp_path / "r.csv")]) == 2
    assert "needs scikit-learn: pip install 'symtd[learn]'" in capsys.readouterr().err


@pytest.mark.slow
def test_an_overflowing_forward_pass_is_written_as_nan_and_read_back(tmp_path):
    """Finite weights whose float32 forward pass overflows (lr 8, N = 16): the losses and
    metrics are NaN, and the file stays readable by sweep-report and --resume."""
    pytest.importorskip("torch")
    grid = dict(TRAINING["grid"], architecture=["deep"], operator=["product"], N=[16], widths=[4])
    path = sweep_file(tmp_path, grid=grid, train={"epochs": 1, "lr": 8, "shared": False},
                      draws=1, seed=0, partitions=["odd-even"], Z=[4])  # fmt: skip
    out = tmp_path / "r.csv"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    (row,) = read_results(out)
    assert all(math.isnan(row[k]) or math.isfinite(row[k]) for k in FLOATS)
    assert any(math.isnan(row[k]) for k in FLOATS)  # the overflow happened: the path ran
    assert main(["sweep-report", str(out), "--out", str(tmp_path / "rep")]) == 0


def test_huge_measurements_print_short_in_the_report():
    from symtd.sweeps.report import spread

    assert spread([-5.07e35, 1.0, 0.5]) == "0.500 [-5.07e+35, 1]"
