"""What training finds: accuracy next to exact ranks of the learned functions.

    python benchmarks/study.py teacher-product --out rows.jsonl   # one section, rows appended
    python benchmarks/study.py --table rows.jsonl              # Markdown: median [min, max]

Sections: teacher-product / teacher-max (N = 8, M = 2: the targets are the grid of a random
deep teacher of width 2, product or ReLU+max, unshared weights like the students),
digits (N = 8 rows of 8 pixels, M = 4 k-means templates, binary digit >= 5, shared
weights), teacher16 (N = 16, M = 2, product teacher). Every row is one trained network
(symtd.learn.study.study_cell); seeds 0..2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict

from symtd.learn.study import study_cell, summarise

STUDENTS = [  # (operator, geometry, widths)
    ("product", "deep", 4),
    ("max", "deep", 4),
    ("avg", "deep", 4),
    ("product", "shallow", [4]),
    ("product", "shallow", [16]),
    ("max", "shallow", [16]),
    ("avg", "shallow", [16]),
]
DIGITS = [
    ("product", "deep", 4),
    ("max", "deep", 4),
    ("avg", "deep", 4),
    ("product", "shallow", [16]),
    ("max", "shallow", [16]),
    ("avg", "shallow", [16]),
]


def cells(section: str):
    if section in ("teacher-product", "teacher-max"):
        teacher = (section.split("-")[1], 2)
        for seed in range(3):
            for operator, geometry, widths in STUDENTS:
                yield dict(
                    data="teacher", operator=operator, geometry=geometry, N=8, M=2,
                    widths=widths, seed=seed, epochs=600, lr=0.03, teacher=teacher, shared=False,
                )  # fmt: skip
    elif section == "digits":
        for seed in range(3):
            for operator, geometry, widths in DIGITS:
                yield dict(
                    data="digits", operator=operator, geometry=geometry, N=8, M=4,
                    widths=widths, seed=seed, epochs=40, lr=0.01, batch_size=64,
                )  # fmt: skip
    elif section == "teacher16":
        for seed in range(3):
            for operator, geometry, widths in [
                ("product", "deep", 4),
                ("product", "shallow", [16]),
            ]:
                yield dict(
                    data="teacher", operator=operator, geometry=geometry, N=16, M=2,
                    widths=widths, seed=seed, epochs=150, lr=0.01, batch_size=2048,
                    teacher=("product", 2), shared=False,
                )  # fmt: skip
    else:
        raise SystemExit(f"unknown section {section}")


def run(section: str, out: str) -> None:
    for kwargs in cells(section):
        row = study_cell(**kwargs)
        row["section"] = section
        with open(out, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
        print(section, row["operator"], row["geometry"], row["widths"], row["seed"],
              f"test {row['test metric']:.3f}", "ranks", row["rank odd-even"],
              row["rank low-high"], f"{row['train seconds']:.1f}s", flush=True)  # fmt: skip


def table(path: str) -> None:
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    groups = defaultdict(list)
    for row in rows:
        key = (row["section"], row["geometry"], row["operator"], tuple(row["widths"]))
        groups[key].append(row)
    teacher = any("teacher odd-even" in r for r in rows)
    head = ["section", "student", "seeds", "train", "test"]
    for I in ("odd-even", "low-high"):
        head += [f"exact {I}", f"numerical {I}", f"arch. {I}"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for (section, geometry, operator, widths), group in groups.items():
        keys = ["train metric", "test metric"]
        for I in ("odd-even", "low-high"):
            keys += [f"rank {I}", f"numerical {I}"]
        s = summarise(group, keys)
        width = f"r={widths[0]}" if geometry == "deep" else f"Z={widths[0]}"
        line = [section, f"{geometry} {operator} {width}", str(len(group))]
        line += [s["train metric"], s["test metric"]]
        for I in ("odd-even", "low-high"):
            arch = f"{group[0][f'lower {I}']}..{group[0][f'upper {I}']} ({group[0][f'bound {I}']})"
            line += [s[f"rank {I}"], s[f"numerical {I}"], arch]
        print("| " + " | ".join(line) + " |")
    if teacher:
        print()
        print("teachers (exact / numerical rank), per section:")
        seen = set()
        for row in rows:
            if "teacher odd-even" in row and (row["section"], row["seed"]) not in seen:
                seen.add((row["section"], row["seed"]))
                print(f"  {row['section']} seed {row['seed']}: odd-even {row['teacher odd-even']}"
                      f" / {row['teacher numerical odd-even']}, low-high {row['teacher low-high']}"
                      f" / {row['teacher numerical low-high']}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("section", nargs="?")
    parser.add_argument("--out", default="study_rows.jsonl")
    parser.add_argument("--table")
    args = parser.parse_args()
    if args.table:
        table(args.table)
    elif args.section:
        run(args.section, args.out)
    else:
        parser.print_help()
        sys.exit(2)
