"""Figures of the training study from its committed rows (examples/study/rows.jsonl).

    python examples/study/make_figures.py [--rows ROWS.jsonl] [--out FOLDER] [--table]

Writes ``ranks.png`` (per section and student: the exact and the numerical odd-even rank of
every trained network next to the architecture's bracket [lower, upper] and the teacher's
ranks) and ``fit.png`` (test R² or test accuracy per student, one dot per seed) into FOLDER
(default: this folder). ``--table`` also prints the Markdown table of docs/training.md
(median [min, max] over seeds). Each row is one :func:`symtd.learn.study.study_cell`;
the rows were made by ``benchmarks/study.py`` (see docs/training.md).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECTIONS = {
    "teacher-product": "product teacher, N = 8, M = 2",
    "teacher-max": "ReLU+max teacher, N = 8, M = 2",
    "teacher16": "product teacher, N = 16, M = 2",
    "digits": "digits ≥ 5, N = 8, M = 4",
}
COLOURS = {"product": "tab:blue", "max": "tab:red", "avg": "tab:green", "sum": "tab:olive"}


def load(path: Path) -> list[dict]:
    """The study's rows, one dict per trained network."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def student(row: dict) -> str:
    """A short name of the student architecture: "deep product r=4", "shallow max Z=16"."""
    width = f"r={row['widths'][0]}" if row["geometry"] == "deep" else f"Z={row['widths'][0]}"
    return f"{row['geometry']} {row['operator']} {width}"


def groups(rows: list[dict]) -> dict[str, dict[str, list[dict]]]:
    """section -> student -> rows (over seeds), in the order of first appearance."""
    out: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        out[row["section"]][student(row)].append(row)
    return out


def rank_figure(rows: list[dict], path: Path, I: str = "odd-even") -> None:
    """Exact (filled) and numerical (open) ranks per seed against the bracket (grey bar)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sections = [s for s in SECTIONS if s in groups(rows)]
    fig, axes = plt.subplots(1, len(sections), figsize=(4.2 * len(sections), 4.6))
    for ax, section in zip(axes, sections):
        students = groups(rows)[section]
        for x, (name, group) in enumerate(students.items()):
            lower, upper = group[0][f"lower {I}"], group[0][f"upper {I}"]
            ax.bar(x, upper - lower + 0.3, bottom=lower - 0.15, width=0.7, color="0.85")
            ax.hlines(upper, x - 0.35, x + 0.35, color="0.4", lw=1)
            colour = COLOURS[group[0]["operator"]]
            for k, row in enumerate(group):
                dx = (k - (len(group) - 1) / 2) * 0.12
                ax.plot(x + dx, row[f"rank {I}"], "o", color=colour, ms=6)
                ax.plot(x + dx, row[f"numerical {I}"], "o", mfc="none", color=colour, ms=9)
                if f"teacher numerical {I}" in row:
                    ax.plot(x + dx, row[f"teacher numerical {I}"], "_", color="k", ms=9)
        ax.set_xticks(range(len(students)))
        ax.set_xticklabels(list(students), rotation=60, ha="right", fontsize=8)
        ax.set_yscale("symlog", base=2, linthresh=1)
        top = max(g[0][f"upper {I}"] for g in students.values())
        ax.set_ylim(-0.3, top * 1.4)
        ax.set_title(SECTIONS[section], fontsize=10)
    axes[0].set_ylabel(f"rank of the {I} matricization")
    handles = [
        plt.Line2D([], [], marker="o", ls="", color="k", label="exact rank (over Q)"),
        plt.Line2D([], [], marker="o", ls="", mfc="none", color="k", label="numerical (1e-3)"),
        plt.Line2D([], [], marker="_", ls="", color="k", ms=9, label="teacher, numerical"),
        plt.Rectangle((0, 0), 1, 1, color="0.85", label="architecture: reached..bound"),
    ]
    fig.legend(handles=handles, loc="upper center", ncol=4, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def fit_figure(rows: list[dict], path: Path, floor: float = -0.5) -> None:
    """Test R² (teachers) or test accuracy (digits) per seed; values below floor as ▼."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sections = [s for s in SECTIONS if s in groups(rows)]
    fig, axes = plt.subplots(1, len(sections), figsize=(4.2 * len(sections), 4.2), sharey=True)
    for ax, section in zip(axes, sections):
        students = groups(rows)[section]
        for x, group in enumerate(students.values()):
            colour = COLOURS[group[0]["operator"]]
            for k, row in enumerate(group):
                dx = (k - (len(group) - 1) / 2) * 0.12
                value = row["test metric"]
                marker = "o" if value >= floor else "v"
                ax.plot(x + dx, max(value, floor), marker, color=colour, ms=6)
        ax.axhline(1, color="0.6", lw=0.8)
        ax.set_xticks(range(len(students)))
        ax.set_xticklabels(list(students), rotation=60, ha="right", fontsize=8)
        metric = "accuracy" if section == "digits" else "R²"
        ax.set_title(f"{SECTIONS[section]}\n(test {metric})", fontsize=10)
    axes[0].set_ylim(floor - 0.05, 1.05)
    axes[0].set_ylabel(f"test R² / accuracy (▼: below {floor})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown_table(rows: list[dict]) -> str:
    """The table of docs/training.md: median [min, max] over seeds, a line per student."""
    from symtd.learn.study import summarise

    head = ["data", "student", "test", "exact odd-even", "numerical odd-even"]
    head += ["architecture odd-even", "exact low-high", "numerical low-high"]
    head += ["architecture low-high"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for section, students in groups(rows).items():
        for name, group in students.items():
            keys = ["test metric"]
            keys += [f"{k} {I}" for I in ("odd-even", "low-high") for k in ("rank", "numerical")]
            s = summarise(group, keys)
            line = [section, name, s["test metric"]]
            for I in ("odd-even", "low-high"):
                g = group[0]
                bracket = f"{g[f'lower {I}']}..{g[f'upper {I}']} ({g[f'bound {I}']})"
                line += [s[f"rank {I}"], s[f"numerical {I}"], bracket]
            lines.append("| " + " | ".join(line) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, default=HERE / "rows.jsonl")
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args(argv)
    rows = load(args.rows)
    args.out.mkdir(parents=True, exist_ok=True)
    rank_figure(rows, args.out / "ranks.png")
    fit_figure(rows, args.out / "fit.png")
    print(f"wrote {args.out / 'ranks.png'}, {args.out / 'fit.png'}")
    if args.table:
        print(markdown_table(rows))


if __name__ == "__main__":
    main()
