"""Benchmark: the training companion (symtd.learn) against its targets.

    python benchmarks/learn.py                 # both rows (about a minute on 2 cores)
    python benchmarks/learn.py --json rows.json

Rows: the smallest study cell (N = 8, M = 2, deep ConvAC r = 4 on a product teacher, 600
full-batch epochs, then its exact ranks; target < 60 s on 2 cores), and the export plus the
exact odd-even rank of an N = 16 network (M = 2, r = 2, trained 5 epochs on a teacher of its
operator, so that no ReLU dies; product: the modular full-rank shortcut, max: the exact grid
and a certified rank; target < 10 s). Not a test.
"""

from __future__ import annotations

import argparse
import json
import time

SECTION = "learn"


def smallest_cell() -> dict:
    from symtd.learn.study import study_cell

    start = time.perf_counter()
    row = study_cell(
        "teacher", "product", "deep", 8, 2, 4, seed=0, epochs=600, lr=0.03, shared=False
    )
    seconds = time.perf_counter() - start
    note = (
        f"train {row['train seconds']:.1f} s, ranks {row['rank seconds']:.1f} s; "
        f"test R^2 {row['test metric']:.3f}; exact odd-even rank {row['rank odd-even']}"
    )
    return _row("smallest study cell trains (N=8, 600 epochs)", seconds, "< 60 s", note)


def export_and_rank(operator: str) -> dict:
    import symtd
    from symtd.learn.data import teacher_data
    from symtd.learn.export import to_circuit
    from symtd.learn.models import PoolingNetwork
    from symtd.learn.train import train

    data = teacher_data(16, 2, 2, operator, seed=0)
    model = PoolingNetwork(16, 2, 2, operator, shared=False, seed=0)
    train(model, data, epochs=5, lr=0.003, batch_size=8192)  # short: no ReLU dies
    start = time.perf_counter()
    net = to_circuit(model)
    exported = time.perf_counter()
    r = symtd.matricization_rank(net, "odd-even")
    seconds = time.perf_counter() - start
    note = f"export {exported - start:.2f} s, exact odd-even rank {r} (256 x 256 matrix)"
    return _row(f"export + exact odd-even rank, trained N=16 {operator}", seconds, "< 10 s", note)


def import_and_rank() -> dict:
    """`symtd import`'s library path on the shipped N = 16 deep ConvAC, then its exact
    odd-even rank (256): the target of issue 21 item 4 (< 10 s)."""
    import pathlib

    import symtd

    folder = pathlib.Path(__file__).resolve().parent.parent / "examples" / "onnx"
    import onnx  # noqa: F401  (its import, seconds on a busy machine, is not the importer's)

    start = time.perf_counter()
    net = symtd.load_onnx(folder / "deep_product_N16.onnx", folder / "templates.npy")
    loaded = time.perf_counter()
    r = symtd.matricization_rank(net, "odd-even")
    seconds = time.perf_counter() - start
    note = f"load_onnx {loaded - start:.2f} s, exact odd-even rank {r}"
    return _row("import ONNX + exact odd-even rank, N=16 product", seconds, "< 10 s", note)


def bench_learn(quick: bool) -> list[dict]:
    """The rows of issue 21 item 4; ``quick`` leaves out the training cell (about 10 s)."""
    rows = [] if quick else [smallest_cell()]
    return rows + [export_and_rank("product"), export_and_rank("max"), import_and_rank()]


def _row(case: str, seconds: float, target: str, note: str) -> dict:
    return {"section": SECTION, "case": case, "seconds": round(seconds, 3), "target": target,
            "note": note}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    rows = bench_learn(quick=False)
    for row in rows:
        print(f"{row['case']}: {row['seconds']} s (target {row['target']}); {row['note']}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=1)


if __name__ == "__main__":
    main()
