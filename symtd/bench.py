"""Benchmark: symtd against baselines measured on the same inputs in the same run.

    python -m symtd.bench            # full run (several minutes on 2 cores)
    python -m symtd.bench --quick    # skips the 4096² rank and the 16.7M-entry grids

Not a test: it prints times and ratios. Baselines: raw python-flint ``fmpz_mat.rank``
(conversion timed separately), sympy ``Matrix.rank`` (in a subprocess, capped),
numpy's float ``matrix_rank`` (inexact; disagreements are reported), and a
hand-written numpy int64 forward pass (fast but unchecked: it wraps around silently).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np

from . import tree
from .grid import grid_tensor
from .matricize import matricize
from .rank import certified_rank

SYMPY_CAP = 60.0


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
    layer = [to_int(circuit.weights(f"conv0[{j}]")) for j in range(circuit.N)]   # r_0 × M^k
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
            W = to_int(circuit.weights(f"conv{depth}[{t}]") if depth < circuit.L else circuit.weights("output"))
            nxt.append(W @ pooled)
        layer = nxt
    return layer[0][0]


def _sympy_rank_seconds(matrix, cap=SYMPY_CAP):
    """Wall time of sympy Matrix.rank in a subprocess, or None past the cap."""
    code = ("import sys, json, time, sympy; rows = json.load(sys.stdin); "
            "t = time.perf_counter(); sympy.Matrix(rows).rank(); print(time.perf_counter() - t)")
    rows = [[int(x) for x in row] for row in matrix.tolist()]
    import json
    try:
        out = subprocess.run([sys.executable, "-c", code], input=json.dumps(rows), capture_output=True,
                             text=True, timeout=cap + 30)
        seconds = float(out.stdout.strip())
        return seconds if seconds <= cap else None
    except (subprocess.TimeoutExpired, ValueError):
        return None


def bench_rank(sizes):
    from flint import fmpz_mat

    print("\n## Exact rank of odd-even matricizations (deep networks, integer weights in [-10^6, 10^6])")
    print(f"{'case':36} {'rank':>6} {'symtd':>8} {'flint conv':>10} {'flint rank':>10} {'ratio':>6} "
          f"{'sympy':>8} {'numpy float':>12}")
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
        sympy_txt = f"{sympy_s:.2f}s" if sympy_s is not None else (f"> {SYMPY_CAP:.0f}s" if X.shape[0] <= 64
                                                                   else "not run")
        name = f"{operator} N={N} M={M} r={width} {X.shape[0]}²"
        print(f"{name:36} {cert.rank:>6} {t_symtd:7.2f}s {t_conv:9.2f}s {t_flint:9.2f}s "
              f"{t_symtd / (t_conv + t_flint):5.2f}x {sympy_txt:>8} {float_rank:>6}{flag}", flush=True)


def bench_grid(cases):
    print("\n## Exact grid tensor vs hand-written numpy int64 forward pass")
    print(f"{'case':38} {'entries':>10} {'symtd':>8} {'Mentries/s':>10} {'int64':>8} {'ratio':>6} {'int64 exact?':>12}")
    for operator, N, M, width, bound in cases:
        c = concrete_deep(N, M, width, operator, bound=bound)
        G, t_symtd = _timed(grid_tensor, c)
        raw, t_np = _timed(numpy_int64_forward, c)
        exact = G.denominator == 1 and G.numerator.dtype == np.int64 and \
            np.array_equal(G.numerator.ravel(), raw)
        name = f"{operator} N={N} M={M} r={width} w∈[-{bound},{bound}]"
        print(f"{name:38} {G.size:>10,} {t_symtd:7.2f}s {G.size / t_symtd / 1e6:10.1f} {t_np:7.2f}s "
              f"{t_symtd / t_np:5.2f}x {'yes' if exact else 'NO (wrapped)':>12}", flush=True)


def bench_symbolic(cap=SYMPY_CAP):
    print("\n## Symbolic expansion, deep product networks, widths 2")
    for N in (4, 8):
        code = (f"import time; from symtd import deep; from symtd.grid import grid_tensor; "
                f"t = time.perf_counter(); G = grid_tensor(deep({N}, 2, 2)); "
                f"print(time.perf_counter() - t, len(G[(0,) * {N}].args))")
        try:
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=cap)
            seconds, terms = out.stdout.split()
            print(f"deep product N={N} M=2: {float(seconds):.2f}s, {terms} monomials per entry", flush=True)
        except subprocess.TimeoutExpired:
            print(f"deep product N={N} M=2: > {cap:.0f}s", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m symtd.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the largest cases")
    args = parser.parse_args(argv)
    ranks = [("product", 12, 2, 2), ("max", 12, 2, 2), ("product", 16, 2, 2), ("max", 16, 2, 2),
             ("product", 20, 2, 2), ("max", 20, 2, 3), ("max", 20, 2, 4)]
    grids = [("max", 16, 2, 2, 9), ("product", 16, 2, 2, 1), ("product", 16, 2, 2, 9),
             ("max", 20, 2, 2, 9), ("product", 20, 2, 2, 1)]
    if not args.quick:
        ranks += [("product", 12, 4, 4), ("max", 12, 4, 2)]
        grids += [("max", 24, 2, 2, 9), ("product", 24, 2, 2, 1), ("max", 12, 4, 4, 9),
                  ("product", 12, 4, 4, 1), ("product", 12, 4, 4, 9)]
    bench_rank(ranks)
    bench_grid(grids)
    bench_symbolic()


if __name__ == "__main__":
    main()
