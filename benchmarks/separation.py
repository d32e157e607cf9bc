"""Benchmark: separation ranks past a materialized grid (witness minors at scale).

    python benchmarks/separation.py           # every case (a few minutes on 2 cores)
    python benchmarks/separation.py --quick   # skips N=16, M=3, widths 3 and the baselines

Each row: symtd's seconds for ``symtd.separation_rank`` (lower bound: a witness minor,
non-singular mod a prime; upper: the min-cut), and as baseline the full modular
matricization rank at one point (``symtd.ranks.matricization.lower_rank``, with the memory
check of modular arithmetic) where it fits, else "refused before" (the grid-based
separation refused every N > 32 and any grid over half the free memory). Not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import symtd
from symtd.ranks.matricization import lower_rank

SECTION = "separation at scale"


def _case(name, circuit, I, target_text, want, quick, baseline=True, time_limit=None):
    start = time.perf_counter()
    s = symtd.separation_rank(circuit, I, points=1, time_limit=time_limit)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # GiB (ru_maxrss: KiB)
    bracket = f"certified rank* = {s.lower}" if s.certified else f"{s.lower} <= rank* <= {s.upper}"
    note = f"{bracket} ({s.upper_bound}); {s.witness.how}"
    if s.note:
        note = s.note
    if want is not None and not (s.certified and s.lower == want):
        note = f"MISSED (wanted {want} certified): {note}"
    note += f"; process peak {peak:.2f} GiB"
    base, base_seconds = "refused before", None
    if baseline and not quick:
        point = circuit.at_random_point(0)
        began = time.perf_counter()
        try:
            r = lower_rank(point, I)
            base, base_seconds = (
                f"full modular matricization (rank {r})",
                time.perf_counter() - began,
            )
        except symtd.SymtdError as exc:
            base = f"refused: {str(exc)[:80]}"
    return {
        "section": SECTION,
        "case": name,
        "seconds": round(seconds, 3),
        "baseline": base,
        "baseline_seconds": base_seconds and round(base_seconds, 3),
        "ratio": base_seconds and round(seconds / base_seconds, 3),
        "target": target_text,
        "note": note,
    }


def bench_separation(quick: bool) -> list[dict]:
    """The rows of issue 19 item 3 (targets on a 2-core machine)."""
    rows = [
        _case(
            "deep product N=64, M=2, widths 2, low-high",
            symtd.deep(64, 2, 2),
            "low-high",
            "certified 2 in < 10 s",
            2,
            quick,
            baseline=False,
        ),
        _case(
            "tensor train N=64, M=3, rank 4, I={0..31}",
            symtd.recurrent(64, 3, 4, shared=False),
            tuple(range(32)),
            "certified 4",
            4,
            quick,
            baseline=False,
        ),
        _case(
            "dilated N=32, M=2, widths 2, odd-even",
            symtd.dilated(32, 2, 2),
            "odd-even",
            "certified",
            None,
            quick,
            baseline=False,
        ),
        _case(
            "contiguous N=16, M=3, widths 2, odd-even",
            symtd.deep(16, 3, 2),
            "odd-even",
            "certified 256 in < 10 s",
            256,
            quick,
        ),
        _case(
            "deep product N=32, M=2, widths 2, odd-even (65,536)",
            symtd.deep(32, 2, 2),
            "odd-even",
            "one-line bracket within the time limit",
            None,
            quick,
            baseline=False,
            time_limit=5 if quick else 30,
        ),
    ]
    if not quick:
        rows.append(
            _case(
                "contiguous N=16, M=3, widths 3, odd-even",
                symtd.deep(16, 3, 3),
                "odd-even",
                "certified 6,561 in < 120 s and < 4 GB",
                6561,
                quick,
                baseline=False,  # the same full modular rank: it is symtd's path here
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    rows = bench_separation(args.quick)
    for row in rows:
        base = (
            f"{row['baseline']} {row['baseline_seconds']} s"
            if row["baseline_seconds"]
            else row["baseline"]
        )
        print(f"{row['case']}: {row['seconds']} s (target: {row['target']}); baseline: {base}")
        print(f"    {row['note']}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=1)


if __name__ == "__main__":
    main()
