"""Benchmark: symtd against baselines measured on the same inputs in the same run.

    python -m symtd.bench                      # full run (several minutes on 2 cores)
    python -m symtd.bench --quick              # skips the 4096² rank and the 16.7M-entry grids
    python -m symtd.bench --json rows.json     # also every row as JSON
    python -m symtd.bench --markdown rows.json # the README tables from such a file

Not a test: it prints times and ratios. Baselines: raw python-flint ``fmpz_mat.rank``
(conversion timed separately), sympy ``Matrix.rank`` (in a subprocess, capped),
numpy's float ``matrix_rank`` (inexact; disagreements are reported), a hand-written
numpy int64 forward pass (fast but unchecked: it wraps around silently), a bare
python-flint ``fmpz_mpoly`` forward pass, networkx's max-flow, one ``nmod_mat`` rank, and
a one-worker run of the parallel certificate.
"""

from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from symtd import tree
from symtd.algebra.rank import certified_rank
from symtd.tensors.grid import grid_tensor
from symtd.tensors.matricize import matricize

SYMPY_CAP = 60.0
ROWS = []


def record(section, case, seconds, baseline=None, baseline_seconds=None, target=None, note=""):
    """One row of the run: symtd's seconds, the baseline's, their ratio, the target it meets."""
    ratio = seconds / baseline_seconds if baseline_seconds else None
    ROWS.append(
        {
            "section": section,
            "case": case,
            "seconds": round(seconds, 4),
            "baseline": baseline,
            "baseline_seconds": baseline_seconds and round(baseline_seconds, 4),
            "ratio": ratio and round(ratio, 3),
            "target": target,
            "note": note,
        }
    )


def _timed(f, *args):
    start = time.perf_counter()
    value = f(*args)
    return value, time.perf_counter() - start


def contiguous_levels(N):
    """Deep geometry for any N: contiguous pairs at every level, a last window of 3 when odd."""
    levels, size = [], N
    while size > 1:
        starts = list(range(0, size - 1, 2)) if size % 2 == 0 else list(range(0, size - 3, 2))
        level = [list(range(s, s + 2)) for s in starts]
        if size % 2:
            level.append([size - 3, size - 2, size - 1])
        levels.append(level)
        size = len(level)
    return levels


def concrete_deep(N, M, width, operator, seed=0, bound=9):
    """A deep network (binary contiguous tree; N = 2^L or not) with random integer weights."""
    levels = contiguous_levels(N)
    c = tree(levels, M, [width] * len(levels), operator)
    return c.subs(c.random_point(seed, bound))


def numpy_int64_forward(circuit):
    """Hand-written int64 forward pass of a contiguous-window network, identity F."""
    to_int = np.vectorize(int, otypes=[np.int64])
    blocks = circuit.weight_blocks()
    layer = [to_int(blocks["layer0"][j]) for j in range(circuit.N)]  # r_0 × M^k
    for depth, level in enumerate(circuit.levels, start=1):
        nxt = []
        for t, window in enumerate(level):
            pooled = layer[window[0]]
            for i in window[1:]:
                a, b = pooled, layer[i]
                if circuit.operator.name == "product":
                    pooled = a[:, :, None] * b[:, None, :]
                else:
                    pooled = np.maximum(np.maximum(a[:, :, None], b[:, None, :]), 0)
                pooled = pooled.reshape(a.shape[0], -1)
            W = to_int(
                blocks[f"layer{depth}"][t] if depth < circuit.L else blocks["output"][None, :]
            )
            nxt.append(W @ pooled)
        layer = nxt
    return layer[0][0]


def _sympy_rank_seconds(matrix, cap=SYMPY_CAP):
    """Wall time of sympy Matrix.rank in a subprocess, or None past the cap."""
    code = (
        "import sys, json, time, sympy; rows = json.load(sys.stdin); "
        "t = time.perf_counter(); sympy.Matrix(rows).rank(); print(time.perf_counter() - t)"
    )
    rows = [[int(x) for x in row] for row in matrix.tolist()]
    import json

    try:
        out = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(rows),
            capture_output=True,
            text=True,
            timeout=cap + 30,
        )
        seconds = float(out.stdout.strip())
        return seconds if seconds <= cap else None
    except (subprocess.TimeoutExpired, ValueError):
        return None


def bench_rank(sizes):
    """Exact rank of odd-even matricizations of deep networks with integer weights in
    [-10^6, 10^6]: ``certified_rank`` against python-flint ``fmpz_mat.rank``, sympy and numpy's
    float rank. ``sizes``: (operator, N, M, width) tuples."""
    from flint import fmpz_mat

    print(
        "\n## Exact rank of odd-even matricizations (deep networks, integer weights in [-10^6, "
        "10^6])"
    )
    print(
        f"{'case':36} {'rank':>6} {'symtd':>8} {'flint conv':>10} {'flint rank':>10} {'ratio':>6} "
        f"{'sympy':>8} {'numpy float':>12}"
    )
    for operator, N, M, width in sizes:
        c = concrete_deep(N, M, width, operator, bound=10**6)
        A = matricize(grid_tensor(c), tuple(range(0, N, 2)))
        cert, t_symtd = _timed(certified_rank, A)
        X = A.numerator
        Z, t_conv = _timed(lambda: fmpz_mat(X.shape[0], X.shape[1], X.ravel().tolist()))
        flint_rank, t_flint = _timed(Z.rank)
        assert flint_rank == cert.rank, "symtd and FLINT disagree"
        float_rank = np.linalg.matrix_rank(A.to_float())
        flag = "" if float_rank == cert.rank else "  WRONG"
        sympy_s = _sympy_rank_seconds(X) if X.shape[0] <= 64 else None
        sympy_txt = (
            f"{sympy_s:.2f}s"
            if sympy_s is not None
            else (f"> {SYMPY_CAP:.0f}s" if X.shape[0] <= 64 else "not run")
        )
        name = f"{operator} N={N} M={M} r={width} {X.shape[0]}²"
        record(
            "exact rank",
            name,
            t_symtd,
            "python-flint fmpz_mat (conversion + rank)",
            t_conv + t_flint,
            note=f"rank {cert.rank}; sympy {sympy_txt}; numpy float {float_rank}{flag}",
        )
        print(
            f"{name:36} {cert.rank:>6} {t_symtd:7.2f}s {t_conv:9.2f}s {t_flint:9.2f}s "
            f"{t_symtd / (t_conv + t_flint):5.2f}x {sympy_txt:>8} {float_rank:>6}{flag}",
            flush=True,
        )


def bench_grid(cases):
    """Exact grid tensor against a hand-written numpy int64 forward pass (fast but wrapping
    around silently). ``cases``: (operator, N, M, width, weight bound) tuples."""
    print("\n## Exact grid tensor vs hand-written numpy int64 forward pass")
    print(
        f"{'case':38} {'entries':>10} {'symtd':>8} {'Mentries/s':>10} {'int64':>8} {'ratio':>6} "
        f"{'int64 exact?':>12}"
    )
    for operator, N, M, width, bound in cases:
        c = concrete_deep(N, M, width, operator, bound=bound)
        G, t_symtd = _timed(grid_tensor, c)
        raw, t_np = _timed(numpy_int64_forward, c)
        exact = (
            G.denominator == 1
            and G.numerator.dtype == np.int64
            and np.array_equal(G.numerator.ravel(), raw)
        )
        name = f"{operator} N={N} M={M} r={width} w∈[-{bound},{bound}]"
        record(
            "exact grid",
            name,
            t_symtd,
            "hand-written numpy int64 forward pass",
            t_np,
            note=f"{G.size:,} entries; int64 {'exact' if exact else 'WRONG (wrapped)'}",
        )
        print(
            f"{name:38} {G.size:>10,} {t_symtd:7.2f}s {G.size / t_symtd / 1e6:10.1f} {t_np:7.2f}s "
            f"{t_symtd / t_np:5.2f}x {'yes' if exact else 'NO (wrapped)':>12}",
            flush=True,
        )


def _fraction_rank(A):
    """Baseline: textbook Gaussian elimination over Fractions."""
    from fractions import Fraction

    A, r = [[Fraction(x) for x in row] for row in A], 0
    for c in range(len(A[0]) if A else 0):
        pivot = next((i for i in range(r, len(A)) if A[i][c] != 0), None)
        if pivot is not None:
            A[r], A[pivot] = A[pivot], A[r]
            for i in range(r + 1, len(A)):
                f = A[i][c] / A[r][c]
                A[i] = [x - f * y for x, y in zip(A[i], A[r])]
            r += 1
    return r


def _t3_by_grid_entries(N):
    """Baseline for T3: the symbolic grid tensor, then the 4-term identity expanded entry by
    entry."""
    import itertools

    from symtd import deep

    G = grid_tensor(deep(N, 2, 2, "sum"), arithmetic="symbolic")
    I = range(N // 2)
    for d in itertools.product(range(2), repeat=N):
        dp = tuple(x if k in I else 0 for k, x in enumerate(d))
        dq = tuple(0 if k in I else x for k, x in enumerate(d))
        assert (G[d] - G[dp] - G[dq] + G[(0,) * N]).expand() == 0


def bench_theorems(quick):
    """``symtd prove all`` and the independent checker on its certificates; the checker's grid
    and Bareiss rank against per-tuple and Fraction-elimination baselines; T3 by the network
    function against the symbolic grid entry by entry (N = 8 too unless ``quick``)."""
    from symtd import checker
    from symtd.theorems.claims import check_t3, check_t4
    from symtd.theorems.prove import prove_all

    print("\n## Theorem checks and the independent checker")
    rows, seconds = _timed(prove_all)
    certificates = [c for row in rows for c in row.certificates]
    _, checking = _timed(lambda: [checker.check(c) for c in certificates])
    record("theorems", "symtd prove all", seconds)
    record("theorems", f"checker on the {len(certificates)} certificates", checking)
    print(
        f"symtd prove all: {seconds:.2f}s, {sum(r.verdict == 'verified' for r in rows)}/7 "
        "verified; "
        f"checker on its {len(certificates)} certificates: {checking:.2f}s"
    )
    net = check_t4(8, 3, 3).certificate["networks"]["deep"]
    G, grid_s = _timed(checker.grid, net)
    F = checker.template_matrix(net)
    leaves = [
        [[checker.number(a) for a in row] for row in checker.layer0(net, j)] for j in range(8)
    ]
    _, per_tuple_s = _timed(
        lambda: [
            checker.forward(
                net,
                lambda j, g, d, t=t: sum(a * f for a, f in zip(leaves[j][g], F[t[j]])),
                lambda path: checker.weight_at(net, path),
                checker.RATIONAL,
            )
            for t in G
        ]
    )
    print(
        f"checker grid, T4 N=8 M=3 (6561 entries): {grid_s:.2f}s once per node and sub-tuple, "
        f"{per_tuple_s:.2f}s per tuple (baseline), ratio {grid_s / per_tuple_s:.2f}x"
    )
    A = checker.matrix(G, 8, 3, [0, 2, 4, 6])
    r, bareiss_s = _timed(checker.rank, A)
    r2, fraction_s = _timed(_fraction_rank, A)
    r3, symtd_s = _timed(lambda: certified_rank(np.array(A, dtype=object)).rank)
    print(
        f"rank of its 81×81 odd-even matricization: checker (Bareiss) {bareiss_s:.2f}s, Fraction "
        "elimination "
        f"{fraction_s:.2f}s (ratio {bareiss_s / fraction_s:.2f}x), symtd {symtd_s:.3f}s; ranks "
        f"{r} {r2} {r3}"
    )
    for N in (4,) if quick else (4, 8):
        _, ours = _timed(check_t3, N, 2, "deep", "sum")
        _, baseline = _timed(_t3_by_grid_entries, N)
        print(
            f"T3 identity, deep sum N={N}: network function {ours:.2f}s, symbolic grid entry by "
            "entry "
            f"{baseline:.2f}s (ratio {ours / baseline:.3f}x)"
        )


def bench_circuits(quick):
    """General circuits: v2 grids against the same tree built as v1; separation; min-cut."""
    from symtd import circuit as general
    from symtd import deep, overlapping, recurrent
    from symtd.ranks.bounds import flow_cut, tree_cut

    print("\n## General circuits (format v2), separation ranks, min-cut")
    tree = deep(16, 2, 2, "product").at_random_point(1, 9)
    renamed = general(
        [(n.width, [(m, "W" + b) for m, b in n.pool]) for n in tree.nodes],
        2,
        "product",
        output="out",
        weights={("out" if b == "output" else "W" + b): w for b, w in tree.blocks.items()},
    )
    G1, t1 = _timed(grid_tensor, tree)
    G2, t2 = _timed(grid_tensor, renamed)
    assert G1 == G2 and renamed.layout and not renamed.is_symbolic_architecture
    record(
        "general circuits", "deep product N=16 grid as a v2 circuit", t2, "the same tree as v1", t1
    )
    print(
        f"deep product N=16 (65,536 entries): as v1 tree {t1:.3f}s, as a v2 circuit {t2:.3f}s, "
        f"ratio {t2 / t1:.2f}x (one forward pass serves both)"
    )
    for k, s in ((3, 1), (2, 1), (4, 2)):
        c = overlapping(16, 2, k, s, 2, "product", shared=True).at_random_point(1, 1)
        G, t = _timed(grid_tensor, c)
        record(
            "general circuits",
            f"overlapping product N=16 kernel {k} stride {s} grid",
            t,
            "deep tree of the same N (v1)",
            t1,
            note=f"{len(c.nodes)} nodes",
        )
        print(
            f"overlapping product N=16 kernel {k} stride {s} ({len(c.nodes)} nodes): exact grid "
            f"{t:.3f}s, {G.size / t / 1e6:.1f} Mentries/s; deep tree of the same N: ratio "
            f"{t / t1:.2f}x"
        )
    root = pathlib.Path(__file__).resolve().parent.parent
    for folder in ("geometry", "geometry_M3"):
        files = sorted(str(p) for p in (root / "examples" / folder).glob("*.json"))
        if files:
            args = [
                "--partition",
                "odd-even",
                "--partition",
                "low-high",
                "--partition",
                "I=0,3,4,7",
            ]
            command = [sys.executable, "-m", "symtd", "separation", *files, *args]
            _, t = _timed(lambda: subprocess.run(command, capture_output=True, check=True))
            record(
                "general circuits",
                f"symtd separation examples/{folder}/*.json",
                t,
                target="<= 5 s",
                note="6 networks × 3 partitions, end to end",
            )
            print(
                f"symtd separation examples/{folder}/*.json (6 networks × 3 partitions): {t:.2f}s"
            )
    chain = recurrent(10_001, 2, 2)
    rows = set(range(0, chain.N, 2))
    (value, _), t_dp = _timed(tree_cut, chain, rows)
    small = recurrent(2_001 if quick else 4_001, 2, 2)
    small_rows = set(range(0, small.N, 2))
    (a, _), t_small = _timed(tree_cut, small, small_rows)
    (b, _), t_flow = _timed(flow_cut, small, small_rows)
    assert a == b
    record(
        "general circuits", f"min-cut, chain of {len(chain.nodes):,} nodes", t_dp, target="<= 1 s"
    )
    record(
        "general circuits",
        f"min-cut, chain of {len(small.nodes):,} nodes",
        t_small,
        "networkx preflow-push max-flow",
        t_flow,
    )
    print(
        f"min-cut, recurrent chain of {len(chain.nodes):,} nodes, odd-even: {t_dp:.2f}s "
        f"(2^{value.bit_length() - 1}); {len(small.nodes):,} nodes: dynamic programme "
        f"{t_small:.3f}s, networkx preflow-push max-flow {t_flow:.2f}s "
        f"(ratio {t_small / t_flow:.3f}x, same cut)"
    )


def bare_fmpz_forward(N, M, r):
    """Baseline: the symbolic grid of a deep product network (F = identity, widths r) with bare
    python-flint ``fmpz_mpoly``: per level, outer products of the children's channel vectors,
    then the conv matrices, in numpy object arrays."""
    from flint import fmpz_mpoly_ctx

    L = N.bit_length() - 1
    names = [
        f"a{layer}_{t}_{g}_{k}"
        for layer in range(L)
        for t in range(N >> layer)
        for g in range(r)
        for k in range(M if layer == 0 else r)
    ]
    names += [f"out_0_{k}" for k in range(r)]
    gens = dict(zip(names, fmpz_mpoly_ctx.get(tuple(names), "deglex").gens()))

    def matrix(prefix, rows, cols):
        out = np.empty((rows, cols), dtype=object)
        for g in range(rows):
            for k in range(cols):
                out[g, k] = gens[f"{prefix}_{g}_{k}"]
        return out

    nodes = [matrix(f"a0_{j}", r, M) for j in range(N)]  # channel γ: its values on [M]
    for layer in range(1, L + 1):
        pooled = [
            np.stack([np.multiply.outer(a[g], b[g]).ravel() for g in range(r)])
            for a, b in zip(nodes[::2], nodes[1::2])
        ]
        if layer == L:
            return np.dot(matrix("out", 1, r), pooled[0])[0]
        nodes = [np.dot(matrix(f"a{layer}_{t}", r, r), p) for t, p in enumerate(pooled)]


def bench_flint(quick, folder):
    """Issue targets of the FLINT engine, each a row with its baseline and target."""
    from symtd import deep, grid_entry, load_network, save_network
    from symtd.algebra.modular import certify_rank, nmod_matrix
    from symtd.algebra.rank import (
        PRIME,
        SMALL_PRIME,
        distinct_lines,
        mod_matrix,
        pivots,
        symbolic_rank,
    )
    from symtd.tensors.grid import grid_numerators_mod

    print("\n## Exact at FLINT speed: polynomials, symbolic ranks, certified and big ranks")
    import sympy  # noqa: F401  (warm: a user's session has sympy loaded)

    bare, t_bare = _timed(bare_fmpz_forward, 8, 2, 2)
    t_bare = min(t_bare, *(_timed(bare_fmpz_forward, 8, 2, 2)[1] for _ in range(3)))
    c = deep(8, 2, 2)

    def grid_and_entry():
        G = grid_tensor(c)
        return G, G[(0,) * 8]

    grid_and_entry()
    (G, entry), t = min((_timed(grid_and_entry) for _ in range(3)), key=lambda x: x[1])
    assert len(entry.args) == len(bare.flat[0]) == 128
    record(
        "FLINT engine",
        "symbolic grid deep N=8 M=2 widths 2 + one entry as sympy Expr",
        t,
        "bare python-flint fmpz_mpoly forward pass",
        t_bare,
        "<= 20x",
    )
    print(
        f"symbolic grid N=8 + one sympy entry: {t:.4f}s; bare fmpz_mpoly forward {t_bare:.4f}s; "
        f"ratio {t / t_bare:.1f}x (target <= 20x)"
    )
    p16, t16 = _timed(grid_entry, deep(16, 2, 2), (0,) * 16)
    record(
        "FLINT engine",
        "one symbolic entry at N=16 as a FLINT polynomial",
        t16,
        target="<= 0.1 s",
        note=f"{p16.nterms:,} terms",
    )
    print(f"one entry at N=16: {t16:.3f}s, {p16.nterms:,} terms (target <= 0.1 s)")
    for N, M, r in ((4, 3, 2),) + (() if quick else ((4, 4, 2), (8, 2, 1))):
        A = matricize(grid_tensor(deep(N, M, r)), tuple(range(0, N, 2)))
        rk, ts = _timed(symbolic_rank, A)
        target = "<= 10 s" if (N, M, r) == (4, 3, 2) else ""
        record(
            "FLINT engine",
            f"symbolic_rank deep N={N} M={M} widths {r} odd-even {A.shape[0]}x{A.shape[1]}",
            ts,
            target=target,
            note=f"rank {rk} over Q(weights)",
        )
        print(
            f"symbolic_rank deep N={N} M={M} widths {r} ({A.shape[0]}×{A.shape[1]}): {rk} in "
            f"{ts:.2f}s"
        )

    # the 1024² max matricization of rank 381, end to end and in parallel
    net = concrete_deep(20, 2, 4, "max", bound=10**6)
    path = folder / "max20.json"
    save_network(net, path)
    command = [sys.executable, "-m", "symtd", "rank", str(path), "--partition", "odd-even"]
    done, t_cli = _timed(lambda: subprocess.run(command, capture_output=True, text=True))
    assert done.stdout.split()[-1] == "381", done.stdout + done.stderr
    Gm, t_grid = _timed(grid_tensor, load_network(path))
    X = matricize(Gm, tuple(range(0, 20, 2))).numerator
    (_, Ap), t_conv = _timed(mod_matrix, X, PRIME)
    r381, t_rank = _timed(Ap.rank)
    record(
        "FLINT engine",
        "symtd rank, max N=20 M=2 widths 4, 1024² (rank 381), 2 cores",
        t_cli,
        "symtd's grid + one nmod_mat rank",
        t_grid + t_conv + t_rank,
        "<= 6x",
    )
    Y = distinct_lines(distinct_lines(X).T).T
    residues, Yp = mod_matrix(Y, PRIME)
    rows, cols = pivots(Yp, residues, r381, PRIME)
    (ok1, _), t1 = _timed(certify_rank, Y, rows, cols, None, 1)
    (ok2, _), t2 = _timed(certify_rank, Y, rows, cols, None, 2)
    assert ok1 and ok2
    record(
        "FLINT engine",
        "rank <= 381 certificate on 2 workers",
        t2,
        "one worker / 2",
        t1 / 2,
        "<= 1.25x",
        note=f"one worker {t1:.1f}s",
    )
    print(
        f"symtd rank 1024² max (rank 381): {t_cli:.2f}s end to end; grid + one nmod_mat rank "
        f"{t_grid + t_conv + t_rank:.2f}s; ratio {t_cli / (t_grid + t_conv + t_rank):.1f}x "
        f"(target <= 6x); certificate 1 worker {t1:.1f}s, 2 workers {t2:.1f}s "
        f"(ratio to 1/2: {t2 / (t1 / 2):.2f}, target <= 1.25)"
    )
    if quick:
        return
    # the 4096² product matricization: memory and time against the modular rank alone
    net = concrete_deep(12, 4, 4, "product", bound=10**6)
    path = folder / "product12.json"
    save_network(net, path)
    code = (
        "import resource, sys, time; from symtd.cli import main; t = time.perf_counter(); "
        f"main(['rank', {str(path)!r}, '--partition', 'odd-even']); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    rank_line, numbers = out.split("\n")[:2]
    seconds, peak_kb = float(numbers.split()[0]), int(numbers.split()[1])
    Xp = grid_numerators_mod(net, SMALL_PRIME, rows=tuple(range(0, 12, 2)))
    A = nmod_matrix(Xp, SMALL_PRIME)
    del Xp
    _, t_alone = _timed(A.rank)
    record(
        "FLINT engine",
        "symtd rank, product N=12 M=4 widths 4, 4096², end to end",
        seconds,
        "nmod_mat rank alone",
        t_alone,
        "<= 1.3x",
        note=f"rank {rank_line}",
    )
    record(
        "FLINT engine",
        "symtd rank 4096² product: peak memory (MB)",
        peak_kb / 1024,
        target="<= 400",
        note="resident set size, whole process",
    )
    print(
        f"symtd rank 4096² product: {seconds:.2f}s, peak {peak_kb / 1024:.0f} MB; nmod_mat rank "
        f"alone {t_alone:.2f}s; ratio {seconds / t_alone:.2f}x (targets <= 1.3x, <= 400 MB)"
    )


def bench_sweep(quick):
    """symtd sweep on a LocalCluster of 2 workers against a plain loop over the same tasks and
    against two bare processes running the same batches (this machine's ceiling).

    This 2-core machine is shared and drifts by tens of percent from one second to the next,
    so the three are timed in turns, seven rounds after a warm-up, and the medians compared.
    The scheduler's overhead is the wall time not explained by the tasks' own compute time,
    as Dask's task stream records it: wall - (sum of compute) / workers. The README study
    then runs on a fresh cluster: its start timed apart from the sweep, and included.
    (benchmarks/sweep_scaling.py measures P = 1, 2, 4, ... workers on a larger machine.)
    """
    import statistics
    import tempfile

    from distributed import Client, get_task_stream

    from symtd.sweeps.sweep import load_sweep, local_cluster, run_batch, run_sweep

    print("\n## Sweeps on Dask: the quick example, LocalCluster (2 workers) vs a sequential loop")
    root = pathlib.Path(__file__).resolve().parent.parent / "examples" / "sweeps"
    sweep = load_sweep(root / "quick.json")
    ordered = sorted(sweep.tasks, key=lambda task: (task[1], task[0]))
    batches = [ordered[k : k + 45] for k in range(0, len(ordered), 45)]
    times = {"loop": [], "pool": [], "dask": [], "compute": [], "batches": []}
    with (
        ProcessPoolExecutor(2) as pool,
        local_cluster(2) as cluster,
        Client(cluster) as client,
        tempfile.TemporaryDirectory() as folder,
    ):
        out = pathlib.Path(folder) / "quick.csv"
        for round_ in range(8):  # round 0 warms every side: imports and caches paid
            loop = _timed(run_batch, sweep, sweep.tasks)[1]
            bare = _timed(lambda: list(pool.map(run_batch, [sweep] * len(batches), batches)))[1]
            count = []
            with get_task_stream(client) as stream:
                wall = _timed(
                    lambda: run_sweep(sweep, out, client, quiet=True, on_batch=count.append)
                )[1]
            compute = sum(
                s["stop"] - s["start"]
                for task in stream.data
                for s in task["startstops"]
                if s["action"] == "compute"
            )
            if round_:
                for key, value in zip(times, (loop, bare, wall, compute, len(count))):
                    times[key].append(value)
    t_loop, t_pool, t_dask, compute, n_batches = (statistics.median(times[k]) for k in times)
    speedups = sorted(lo / da for lo, da in zip(times["loop"], times["dask"]))
    tasks = len(sweep.tasks)
    overhead = max(0.0, t_dask - compute / 2)
    record(
        "sweeps",
        f"quick example ({tasks} tasks), LocalCluster 2 workers, median of 7",
        t_dask,
        "a sequential loop over the same tasks",
        t_loop,
        ">= 1.6x faster",
        note=f"{tasks / t_dask:.0f} tasks/s vs {tasks / t_loop:.0f}; speed-up per round "
        f"{speedups[0]:.2f}-{speedups[-1]:.2f}x; {n_batches:.0f} batches sized from measured "
        f"task costs; scheduler overhead {1000 * overhead / tasks:.2f} ms/task, "
        f"{100 * overhead / t_dask:.0f}% of the wall time; the tasks' compute on the workers "
        f"{compute:.2f}s in all",
    )
    record(
        "sweeps",
        f"the same {len(batches)} batches on two bare processes (this machine's ceiling)",
        t_pool,
        "a sequential loop over the same tasks",
        t_loop,
    )
    print(
        f"quick example: {tasks} tasks, medians of 7 rounds; loop {t_loop:.2f}s "
        f"({tasks / t_loop:.0f}/s); LocalCluster 2 workers {t_dask:.2f}s "
        f"({tasks / t_dask:.0f}/s, {n_batches:.0f} batches); speed-up {t_loop / t_dask:.2f}x "
        f"(per round {speedups[0]:.2f}-{speedups[-1]:.2f}x; target >= 1.6); two bare "
        f"processes {t_pool:.2f}s ({t_loop / t_pool:.2f}x); the tasks computed "
        f"{compute:.2f}s on the workers; scheduler overhead {1000 * overhead / tasks:.2f} ms "
        f"per task = {100 * overhead / t_dask:.0f}% of the wall time (target < 10%)"
    )
    if quick:
        return
    study = load_sweep(root / "study.json")
    t_seq = _timed(run_batch, study, study.tasks)[1]
    with tempfile.TemporaryDirectory() as folder:
        cluster, t_start = _timed(local_cluster, 2)
        with cluster, Client(cluster) as client:
            out = pathlib.Path(folder) / "study.parquet"
            t_study = _timed(lambda: run_sweep(study, out, client, quiet=True))[1]
    record(
        "sweeps",
        f"the README study ({len(study.tasks)} tasks), LocalCluster 2 workers",
        t_study,
        "a sequential loop over the same tasks",
        t_seq,
        note=f"exact ranks; the cluster's start {t_start:.1f}s apart "
        f"({t_study + t_start:.1f}s with it, {t_seq / (t_study + t_start):.2f}x)",
    )
    print(
        f"README study: {len(study.tasks)} tasks in {t_study:.1f}s on 2 workers "
        f"({t_seq / t_study:.2f}x the loop's {t_seq:.1f}s); cluster start {t_start:.1f}s, "
        f"{t_study + t_start:.1f}s with it"
    )


def markdown(rows):
    """The rows of a --json file as one Markdown table per section."""
    out, section = [], None
    for row in rows:
        if row["section"] != section:
            section = row["section"]
            out += [
                "",
                f"### {section}",
                "",
                "| case | symtd | baseline | ratio | target |",
                "|---|---|---|---|---|",
            ]
        base = f"{row['baseline']}: {row['baseline_seconds']} s" if row["baseline"] else ""
        ratio = f"{row['ratio']}x" if row["ratio"] is not None else ""
        unit = "" if "MB" in row["case"] else " s"
        note = f" ({row['note']})" if row["note"] else ""
        out.append(
            f"| {row['case']}{note} | {row['seconds']}{unit} | {base} | {ratio} | "
            f"{row['target'] or ''} |"
        )
    return "\n".join(out).strip() + "\n"


def bench_separation_at_scale(quick):
    """Separation ranks past a materialized grid (benchmarks/separation.py), its rows added to
    this run's table."""
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from separation import bench_separation

    print("\n## Separation ranks past a materialized grid")
    for row in bench_separation(quick):
        ROWS.append(row)
        print(f"{row['case']}: {row['seconds']}s {row.get('note', '')}")


def bench_training(quick):
    """Import, export and training (benchmarks/learn.py), its rows added to this run's table;
    skipped in one line when the ``learn`` extra (torch, onnx) is not installed."""
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    print("\n## Trained networks: ONNX import, export, the smallest study cell")
    try:
        import onnx  # noqa: F401
        import torch  # noqa: F401
    except ImportError as exc:
        print(f"skipped: {exc} (pip install -e '.[learn]')")
        return
    from learn import bench_learn

    for row in bench_learn(quick):
        ROWS.append(row)
        print(f"{row['case']}: {row['seconds']}s {row.get('note', '')}")


def main(argv=None):
    """Command line ``python -m symtd.bench [--quick] [--json FILE] [--markdown FILE]``: run
    every section and print its table, or print the Markdown tables of a ``--json`` file."""
    parser = argparse.ArgumentParser(
        prog="python -m symtd.bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="skip the largest cases")
    parser.add_argument(
        "--json",
        metavar="FILE",
        help="also write every row (case, seconds, baseline, ratio, target) to this JSON file",
    )
    parser.add_argument(
        "--markdown",
        metavar="FILE",
        help="print the README tables of a JSON file written by --json, and exit",
    )
    args = parser.parse_args(argv)
    if args.markdown:
        import json

        print(markdown(json.loads(pathlib.Path(args.markdown).read_text())), end="")
        return
    ranks = [
        ("product", 12, 2, 2),
        ("max", 12, 2, 2),
        ("product", 16, 2, 2),
        ("max", 16, 2, 2),
        ("product", 20, 2, 2),
        ("max", 20, 2, 3),
        ("max", 20, 2, 4),
    ]
    grids = [
        ("max", 16, 2, 2, 9),
        ("product", 16, 2, 2, 1),
        ("product", 16, 2, 2, 9),
        ("max", 20, 2, 2, 9),
        ("product", 20, 2, 2, 1),
    ]
    if not args.quick:
        ranks += [("product", 12, 4, 4), ("max", 12, 4, 2)]
        grids += [
            ("max", 24, 2, 2, 9),
            ("product", 24, 2, 2, 1),
            ("max", 12, 4, 4, 9),
            ("product", 12, 4, 4, 1),
            ("product", 12, 4, 4, 9),
        ]
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        bench_flint(args.quick, pathlib.Path(folder))
    bench_rank(ranks)
    bench_grid(grids)
    bench_circuits(args.quick)
    bench_sweep(args.quick)
    bench_theorems(args.quick)
    bench_separation_at_scale(args.quick)
    bench_training(args.quick)
    if args.json:
        import json

        pathlib.Path(args.json).write_text(json.dumps(ROWS, indent=1) + "\n")


if __name__ == "__main__":
    main()
