"""Sweeps on Dask: real LocalClusters and a real scheduler with two worker processes on
127.0.0.1; determinism, a killed worker, resume, interrupt, bad sweep files, the report.
(The hostile edges of sweeps and their files: test_edges_sweeps.py and test_edges_cli.py.)"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symtd
from symtd.cli import main
from symtd.sweeps import sweep as sweep_module
from symtd.sweeps.report import summarize, wilson
from symtd.sweeps.sweep import INLINE, MAX_BATCH, Planner, load_sweep, read_results, run_sweep

ROOT = Path(__file__).resolve().parent.parent

SWEEP = {
    "format": "symtd-sweep/1",
    "grid": {
        "architecture": ["deep"],
        "N": [4, 8],
        "M": [2],
        "widths": [2],
        "operator": ["product", "max", "avg"],
    },
    "partitions": ["odd-even", "root"],
    "draws": 6,
    "weights": {"integers": [-9, 9]},
    "Z": [1, 2, 4],
    "seed": 7,
}


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client

    from symtd.sweeps.sweep import local_cluster

    with local_cluster(2) as local, Client(local) as client:
        yield local, client


def key(row):
    return row["cell"], row["draw"], row["partition"]


def sweep_file(tmp_path, **changes):
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps(dict(SWEEP, **changes)))
    return path


@pytest.mark.slow
def test_rows_do_not_depend_on_the_workers(tmp_path, cluster):
    _, client = cluster
    sweep = load_sweep(sweep_file(tmp_path))
    run_sweep(sweep, tmp_path / "two.csv", client=client, quiet=True)
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as one,
        Client(one) as single,
    ):
        run_sweep(sweep, tmp_path / "one.parquet", client=single, quiet=True)
    two = sorted(read_results(tmp_path / "two.csv"), key=key)
    one = sorted(read_results(tmp_path / "one.parquet"), key=key)
    assert two == one and len(two) == 6 * 6 * 2  # cells × draws × partitions
    for row in two:  # the stable result columns
        assert {
            "architecture",
            "N",
            "M",
            "widths",
            "operator",
            "partition",
            "draw",
            "rank",
            "upper",
            "upper_bound",
            "rank_kind",
            "fingerprint",
        } <= set(row)
        assert row["rank"] <= row["upper"] and row["rank_kind"] == "exact"
        point = symtd.deep(row["N"], 2, 2, row["operator"]).at_random_point(
            int(row["seed"]), (-9, 9)
        )
        assert (
            symtd.matricization_rank(point, symtd.partition(row["partition"], point)) == row["rank"]
        )  # the seed reproduces the row


@pytest.mark.slow
def test_a_killed_worker_loses_no_row(tmp_path, cluster):
    local, client = cluster
    sweep = load_sweep(sweep_file(tmp_path, draws=40))
    killed = []

    def kill_one(rows):
        if not killed:
            pids = client.run(os.getpid)
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)  # the nanny starts a new one
            killed.append(pid)

    written = run_sweep(sweep, tmp_path / "r.csv", client=client, quiet=True, on_batch=kill_one)
    rows = read_results(tmp_path / "r.csv")
    assert killed and written == len(rows) == 6 * 40 * 2
    assert len({key(r) for r in rows}) == len(rows)
    client.wait_for_workers(2, timeout=60)


@pytest.mark.slow
def test_the_same_sweep_runs_again_on_one_client(tmp_path, cluster):
    _, client = cluster  # a notebook re-running a cell: each run must own its scattered sweep
    sweep = load_sweep(ROOT / "examples" / "sweeps" / "quick.json")
    runs = []
    for k in range(3):  # a shared key was released by one run while the next used it
        run_sweep(sweep, tmp_path / f"{k}.csv", client=client, quiet=True)
        runs.append(sorted(read_results(tmp_path / f"{k}.csv"), key=key))
    assert runs[0] == runs[1] == runs[2]
    assert len(runs[0]) == len(sweep.tasks) * len(sweep.partitions)


@pytest.mark.slow
def test_resume_appends_only_what_is_missing(tmp_path, cluster):
    _, client = cluster
    sweep = load_sweep(sweep_file(tmp_path))
    full = tmp_path / "full.csv"
    run_sweep(sweep, full, client=client, quiet=True)
    for suffix in (".csv", ".parquet"):
        partial = tmp_path / f"partial{suffix}"
        rows = sorted(read_results(full), key=key)
        keep = [r for r in rows if r["draw"] < 2]  # an interrupted sweep's rows
        from symtd.sweeps.sweep import Results

        out = Results(partial, sweep, resume=False)
        out.write(keep)
        out.close()
        written = run_sweep(sweep, partial, client=client, resume=True, quiet=True)
        assert written == len(rows)
        assert sorted(read_results(partial), key=key) == rows


@pytest.mark.slow
def test_an_interrupted_sweep_leaves_readable_results(tmp_path):
    path = sweep_file(tmp_path, draws=400, grid=dict(SWEEP["grid"], N=[8]))
    out = tmp_path / "r.parquet"
    proc = subprocess.Popen(
        [sys.executable, "-m", "symtd", "sweep", str(path), "--out", str(out), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not (
        out.with_name(out.name + ".partial").exists()
        and out.with_name(out.name + ".partial").stat().st_size > 2000
    ):
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    rows = read_results(out)
    assert 0 < len(rows) < 400 * 3 * 2 and len({key(r) for r in rows}) == len(rows)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_a_real_scheduler_and_two_workers_give_the_same_rows(tmp_path, cluster):
    _, client = cluster
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [
        subprocess.Popen(
            dask + ["--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        from distributed import Client

        with Client(address, timeout="60s") as probe:
            for _ in range(2):
                procs.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "distributed.cli.dask_worker",
                            address,
                            "--nthreads",
                            "1",
                            "--host",
                            "127.0.0.1",
                            "--dashboard-address",
                            ":0",
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            probe.wait_for_workers(2, timeout=90)
        path = sweep_file(tmp_path)
        remote = tmp_path / "remote.csv"
        assert (
            main(["sweep", str(path), "--out", str(remote), "--scheduler", address, "--quiet"]) == 0
        )
        local = tmp_path / "local.csv"
        run_sweep(load_sweep(path), local, client=client, quiet=True)
        assert sorted(read_results(remote), key=key) == sorted(read_results(local), key=key)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


@pytest.mark.slow
def test_lower_bounds_are_labelled_and_never_mixed(tmp_path, cluster):
    _, client = cluster
    sweep = load_sweep(sweep_file(tmp_path), lower=True)
    run_sweep(sweep, tmp_path / "low.csv", client=client, quiet=True)
    rows = read_results(tmp_path / "low.csv")
    assert {r["rank_kind"] for r in rows} == {"lower"}
    exact = load_sweep(sweep_file(tmp_path))
    run_sweep(exact, tmp_path / "exact.csv", client=client, quiet=True)
    for low, ex in zip(
        sorted(rows, key=key), sorted(read_results(tmp_path / "exact.csv"), key=key)
    ):
        assert low["rank"] <= ex["rank"]
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        (tmp_path / "low.csv").read_text()
        + "".join((tmp_path / "exact.csv").read_text().splitlines(True)[1:])
    )
    with pytest.raises(symtd.SymtdError, match=r"repeats line [0-9]+"):  # the same draws twice
        summarize(read_results(mixed))
    low_rows, exact_rows = read_results(tmp_path / "low.csv"), read_results(tmp_path / "exact.csv")
    forged = [dict(r, draw=r["draw"] + 100) for r in exact_rows]  # other draws, one fingerprint
    for row in forged:
        row["fingerprint"] = low_rows[0]["fingerprint"]
    with pytest.raises(symtd.SymtdError, match="mixes exact ranks and lower bounds"):
        summarize(low_rows + forged)


@pytest.mark.parametrize(
    "change,message",
    [
        ({"colour": 1}, "unknown key"),
        ({"grid": {}}, "no cells"),
        ({"grid": dict(SWEEP["grid"], N=[6])}, "N = 2\\^L"),
        ({"grid": dict(SWEEP["grid"], architecture=["hexagonal"])}, "unknown architecture"),
        ({"grid": dict(SWEEP["grid"], depth=[3])}, "unknown grid key"),
        ({"grid": dict(SWEEP["grid"], N=[])}, "non-empty list"),
        ({"partitions": ["I=9"]}, "outside"),
        ({"partitions": ["odd-even\n[0] ok"]}, "partition"),
        ({"partitions": ["odd-even", "odd-even"]}, "listed twice"),
        ({"draws": 0}, "draws must be"),
        ({"draws": 1.5}, "draws must be"),
        ({"weights": {"floats": [0, 1]}}, "integers"),
        ({"rank": "approximate"}, "exact"),
        ({"grid": dict(SWEEP["grid"], N=[64], architecture=["shallow"])}, "refused"),
        ({"networks": ["missing.json"]}, "no such file"),
        ({"grid": dict(SWEEP["grid"], kernel=[3])}, "kernel and stride belong"),
    ],
)
def test_bad_sweep_files_are_refused_before_anything_starts(tmp_path, capsys, change, message):
    import re

    path = sweep_file(tmp_path, **change)
    assert main(["sweep", str(path), "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.search(message, err), err
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.slow
def test_report_fractions_intervals_plot_and_tables(tmp_path, cluster):
    _, client = cluster
    sweep = load_sweep(sweep_file(tmp_path))
    run_sweep(sweep, tmp_path / "r.csv", client=client, quiet=True)
    assert main(["sweep-report", str(tmp_path / "r.csv"), "--out", str(tmp_path / "rep")]) == 0
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "sampled estimates" in md and "Wilson" in md and "verified" not in md
    assert (tmp_path / "rep" / "fraction.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summaries, Zs = summarize(read_results(tmp_path / "r.csv"))
    deep8 = next(
        s
        for s in summaries
        if s["cell"].startswith("deep N=8")
        and s["operator"] == "product"
        and s["partition"] == "odd-even"
    )
    assert deep8["generic"] == 16  # certified: reached = min-cut
    assert deep8["Z4"][0] == 1.0  # every draw beyond Z = 4
    avg = next(s for s in summaries if s["operator"] == "avg" and s["partition"] == "root")
    assert avg["max_rank"] <= 2 and avg["Z1"][0] == 0.0  # T3: never beyond a shallow sum


def test_wilson_interval():
    low, high = wilson(0, 20)
    assert low == 0.0 and 0.15 < high < 0.17
    low, high = wilson(20, 20)
    assert high == 1.0 and 0.83 < low < 0.85
    low, high = wilson(10, 20)
    assert low < 0.5 < high and abs((low + high) / 2 - 0.5) < 1e-12


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.integers(1, 40), min_size=1, max_size=12),
    costs=st.lists(st.floats(0.0, 3.0), min_size=1, max_size=12),
    threads=st.integers(1, 64),
    window=st.integers(1, 8),
    longest=st.floats(0.0, 3.0),
)
def test_the_planner_hands_out_every_task_once_whatever_the_timings(
    cells, costs, threads, window, longest
):
    """Batches sized by any timings (zero, huge, uneven) cover the tasks exactly once; a
    task of a cell comes in increasing draw order; no batch is empty or above MAX_BATCH."""
    todo = [(f"c{k}", d) for k, draws in enumerate(cells) for d in range(draws)]
    planner = Planner(todo, longest=longest, every=0.0)
    out, flying = [], []
    while True:
        while len(flying) < window and (batch := planner.next_batch(threads)):
            assert 0 < len(batch) <= MAX_BATCH
            flying.append(batch)
        if not flying:
            break
        batch = flying.pop(0)
        out += batch
        planner.record([(key, costs[int(key[1:]) % len(costs)]) for key, _ in batch])
    assert sorted(out) == sorted(todo) and len(out) == len(todo)
    for key in {k for k, _ in todo}:
        draws = [d for k, d in out if k == key]
        assert draws == sorted(draws)
    assert planner.next_batch(threads) == []


def test_an_inline_certificate_executor_returns_and_raises_like_a_future():
    assert INLINE.submit(pow, 2, 10).result() == 1024
    with pytest.raises(ZeroDivisionError):
        INLINE.submit(divmod, 1, 0).result()


@pytest.mark.slow
def test_rows_do_not_depend_on_the_batch_sizing(tmp_path, cluster, monkeypatch):
    """One task a batch, batches as large as the growth rule allows, and the default: the
    same row set on a real LocalCluster (127.0.0.1), as the sequential loop gives."""
    _, client = cluster
    sweep = load_sweep(sweep_file(tmp_path, draws=5))
    loop = sorted(sweep_module.run_batch(sweep, sweep.tasks), key=key)
    sizings = {"one": (0.0, 0.0), "large": (100.0, 100.0), "default": (0.05, 2.0)}
    for name, (shortest, longest) in sizings.items():
        batches = []

        class Sized(Planner):
            def __init__(self, todo):
                super().__init__(todo, shortest=shortest, longest=longest)

        monkeypatch.setattr(sweep_module, "Planner", Sized)
        out = tmp_path / f"{name}.csv"
        run_sweep(sweep, out, client=client, quiet=True, on_batch=batches.append)
        assert sorted(read_results(out), key=key) == loop, name
        if name == "one":  # every batch one task: its rows, one per partition
            assert {len(b) for b in batches} == {len(sweep.partitions)}
        if name == "large":
            assert len(batches) < len(sweep.tasks)
