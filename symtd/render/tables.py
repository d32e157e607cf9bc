"""Pooling-geometry tables: separation ranks of several architectures side by side.

A table is a list of (network label, [SeparationRank per partition]) with the partition
names as columns, rendered as text, JSON (the ``symtd separation --json`` form for one
network), CSV or a booktabs LaTeX ``tabular``. A cell shows the certified rank*(I), or
"lower–upper" when the bounds differ; ReLU circuits are marked, their maximal rank is
never called generic. The text forms end with a legend of only what the table shows;
:func:`notes` gives the lines that say when a rank was too large to reach in time.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from symtd.errors import escape
from symtd.ranks.separation import SeparationRank
from symtd.render.escape import tex

NAMED = ("odd-even", "low-high", "root")
#: A table: (network label, one SeparationRank per partition) for every network.
Table = Sequence[tuple[str, Sequence[SeparationRank]]]


def cell(s: SeparationRank) -> str:
    """The certified value, or "lower–upper"."""
    return str(s.lower) if s.certified else f"{s.lower}–{s.upper}"


def partitions_json(
    ranks: Sequence[SeparationRank], names: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:  # JSON values
    """The ``--json`` form: {"partitions": [{"partition", "rows", "lower", "upper", "upper_bound",
    "certified"}, ...]} for one network."""
    return {
        "partitions": [
            {
                "partition": name,
                "rows": list(s.rows),
                "lower": s.lower,
                "upper": s.upper,
                "upper_bound": s.upper_bound,
                "certified": s.certified,
            }
            for name, s in zip(names, ranks)
        ]
    }


def to_json(table: Table, names: Sequence[str]) -> str:
    """One network: exactly the ``--json`` form; several: {"networks": [{"network",
    "partitions"}, ...]}."""
    if len(table) == 1:
        return json.dumps(partitions_json(table[0][1], names))
    return json.dumps(
        {
            "networks": [
                dict(network=label, **partitions_json(ranks, names)) for label, ranks in table
            ]
        }
    )


def to_text(table: Table, names: Sequence[str]) -> str:
    """One network: a row per partition with both bounds; several: networks × partitions."""
    if len(table) == 1:
        shown = [escape(name, 200, quote=False) for name in names]
        first = max(len("partition"), *map(len, shown)) + 2
        lines = [
            f"{'partition':{first}}{'rows I':22}{'lower':>7}{'upper':>8}  "
            f"{'upper bound':15}certified"
        ]
        for name, s in zip(shown, table[0][1]):
            rows = ",".join(map(str, s.rows))
            rows = rows if len(rows) <= 20 else rows[:17] + "..."
            lines.append(
                f"{name:{first}}{rows:22}{s.lower:>7}{s.upper:>8}  "
                f"{s.upper_bound:15}{'yes' if s.certified else 'no'}"
            )
        if any(s.certified for s in table[0][1]):
            kind = (
                "generic rank" if table[0][1][0].polynomial else "maximal rank (ReLU: not generic)"
            )
            lines.append(f"certified: lower == upper, so rank*(I), the {kind}, is known exactly")
        return "\n".join(lines)
    width = max(len(_label(label)) for label, _ in table) + 2
    columns = [max(len(n), 7) + 2 for n in names]
    lines = [f"{'network':{width}}" + "".join(f"{n:>{w}}" for n, w in zip(names, columns))]
    for label, ranks in table:
        mark = "" if ranks[0].polynomial else " *"
        lines.append(
            f"{_label(label) + mark:{width}}"
            + "".join(f"{cell(s):>{w}}" for s, w in zip(ranks, columns))
        )
    ranks = [s for _, row in table for s in row]
    legend = [
        text
        for text, applies in (
            ("a number: certified rank*(I) (lower == upper)", any(s.certified for s in ranks)),
            ("a–b: the bounds", not all(s.certified for s in ranks)),
            ("* ReLU circuit: maximal rank, not generic", any(not s.polynomial for s in ranks)),
        )
        if applies
    ]
    lines.append("; ".join(legend))
    return "\n".join(lines)


def notes(table: Table, names: Sequence[str]) -> str:
    """One line per partition whose rank was too large to reach within the time limit
    ("network: partition: note" for several networks); "" when there is none."""
    lines = []
    for label, ranks in table:
        where = f"{_label(label)}: " if len(table) > 1 else ""
        for name, s in zip(names, ranks):
            if s.note:
                lines.append(f"{where}{escape(name, 200, quote=False)}: {s.note}")
    return "\n".join(lines)


def to_csv(table: Table, names: Sequence[str]) -> str:
    """Long form: network, partition, rows, lower, upper, upper_bound, certified."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["network", "partition", "rows", "lower", "upper", "upper_bound", "certified"])
    for label, ranks in table:
        for name, s in zip(names, ranks):
            writer.writerow(
                [
                    _label(label),
                    name,
                    " ".join(map(str, s.rows)),
                    s.lower,
                    s.upper,
                    s.upper_bound,
                    str(s.certified).lower(),
                ]
            )
    return out.getvalue().rstrip("\n")


def to_latex(table: Table, names: Sequence[str]) -> str:
    """A booktabs ``tabular`` (needs \\usepackage{booktabs}): networks × partitions."""
    lines = [
        r"\begin{tabular}{l" + "r" * len(names) + "}",
        r"\toprule",
        "network & " + " & ".join(tex(n) for n in names) + r" \\",
        r"\midrule",
    ]
    for label, ranks in table:
        mark = "" if ranks[0].polynomial else r"$^{*}$"
        cells = [str(s.lower) if s.certified else f"{s.lower}--{s.upper}" for s in ranks]
        lines.append(tex(_label(label)) + mark + " & " + " & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


def _label(label: str) -> str:
    return escape(label, 1000, quote=False)
