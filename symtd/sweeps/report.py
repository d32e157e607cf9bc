"""``symtd sweep-report``: how much of weight space is beyond a shallow network's reach.

Per cell and shallow width Z: the fraction of draws whose rank exceeds the reach at Z,
with a Wilson 95% interval — a *sampled estimate* of the measure of the deep weights
that no shallow circuit with Z channels matches, never a verified statement. A
``lower`` rank counts only when the bound itself exceeds the reach (that is a proof); an
``exact`` rank counts when it does. Beside it the certified facts: for a product cell
whose largest rank reached equals its proven upper bound, that is the generic rank, so
outside a null set every draw has it, and the fraction is 1 for every Z below it.

A training sweep's rows (:mod:`symtd.sweeps.training`) are trained networks, one per seed:
the fraction is then the share of *trained* networks beyond the reach, and the report adds
the test metric, the numerical rank and the teacher's rank, each as median [min, max] over
the seeds.
"""

from __future__ import annotations

import math
import re
import statistics
import zlib
from pathlib import Path
from typing import Any

from symtd.errors import SymtdError, escape
from symtd.render.draw import pyplot, save_figure
from symtd.render.escape import tex
from symtd.sweeps.results import REACH, check_unique, read_results

Z95 = 1.959963984540054
OPERATOR_ORDER = {"product": 0, "max": 1, "sum": 2, "avg": 3}
MARKDOWN_SPECIAL = re.compile(r"[\\|`*_\[\]<>]")


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval (95% by default) for a binomial proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))  # p stays inside


GROUP_SAME = (
    "architecture",
    "N",
    "M",
    "widths",
    "operator",
    "kernel",
    "stride",
    "network",
    "rows",
    "upper",
    "upper_bound",
    "fingerprint",
    "data",
)
TRAINED = ("test_metric", "numerical", "teacher_rank")  # a training sweep's measurements


def summarize(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """One summary per (cell, partition): draws, ranks, bounds, fractions beyond each Z.

    ``rows`` are checked rows (:func:`~symtd.sweeps.results.read_results`); here the draws
    of one (cell, partition) must moreover agree on everything but the rank and the seed, and
    no draw may appear twice.
    """
    if not rows:
        raise SymtdError("the results hold no rows")
    Zs = sorted(int(m[1]) for k in rows[0] if (m := REACH.fullmatch(k)))
    if not Zs:
        raise SymtdError("no reach_Z<z> column: the file says nothing about shallow widths")
    check_unique(rows, [f"row {k + 1}" for k in range(len(rows))])
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["cell"], row["partition"]), []).append(row)
    out = []
    for (cell, partition), group in groups.items():
        first = group[0]
        kinds = {r["rank_kind"] for r in group}
        if len(kinds) != 1:
            raise SymtdError(f"cell {escape(cell)} mixes exact ranks and lower bounds")
        same = [k for k in GROUP_SAME if k in first] + [f"reach_Z{z}" for z in Zs]
        for row in group:
            for k in same:
                if row[k] != first[k]:
                    raise SymtdError(
                        f"cell {escape(cell, 80)}, partition {escape(partition, 30)}: draws "
                        f"disagree on {k} ({escape(first[k], 30)} and {escape(row[k], 30)})"
                    )
        ranks = [int(r["rank"]) for r in group]
        best, upper = max(ranks), int(first["upper"])
        if best > upper:
            raise SymtdError(f"cell {escape(cell)}: a rank {best} above the proven bound {upper}")
        summary = {
            k: first[k]
            for k in (
                "cell",
                "architecture",
                "N",
                "M",
                "widths",
                "operator",
                "partition",
                "rank_kind",
                "upper",
                "upper_bound",
            )
        }
        summary.update(
            draws=len(group),
            max_rank=best,
            min_rank=min(ranks),
            generic=best if first["operator"] == "product" and best == upper else None,
        )
        for column in TRAINED:
            if column in first:
                summary[column] = spread([r[column] for r in group])
        for z in Zs:
            beyond = sum(int(r["rank"]) > int(r[f"reach_Z{z}"]) for r in group)
            low, high = wilson(beyond, len(group))
            summary[f"Z{z}"] = (beyond / len(group), low, high, int(first[f"reach_Z{z}"]))
        out.append(summary)
    out.sort(
        key=lambda s: (
            s["architecture"],
            int(s["N"]),
            OPERATOR_ORDER.get(s["operator"], 9),
            s["cell"],
            s["partition"],
        )
    )
    return out, Zs


def spread(values: list[float]) -> str:
    """Median [min, max] of the values (NaN ones left out: a diverged training), as text."""
    numbers = [v for v in values if not math.isnan(v)]
    if not numbers:
        return "nan"
    mid, low, high = statistics.median(numbers), min(numbers), max(numbers)
    return f"{_number(mid)} [{_number(low)}, {_number(high)}]"


def _number(x: float) -> str:
    if abs(x) >= 1e6:
        return f"{x:.3g}"
    return str(int(x)) if float(x).is_integer() else f"{x:.3f}"


def printable(value: Any) -> str:
    """A value as one line: every character that is not printable (newlines, terminal and
    bidirectional controls) written as its escape, e.g. ``\\n``."""
    return "".join(ch if ch.isprintable() else escape(ch)[1:-1] for ch in str(value))


def md(value: Any) -> str:
    """Untrusted text as one Markdown table cell: one line, and ``|``, ``\\``, backticks,
    emphasis, brackets and angle brackets backslash-escaped, so it cannot forge a row, a
    column, a link or HTML."""
    return MARKDOWN_SPECIAL.sub(r"\\\g<0>", printable(value))


def label(value: Any, limit: int = 60) -> str:
    """Untrusted text for a matplotlib label: one line, cut to ``limit`` characters, then
    every ``$`` escaped (no mathtext)."""
    text = printable(value)
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return text.replace("$", r"\$")


def markdown(summaries: list[dict[str, Any]], Zs: list[int]) -> str:
    """The table: per cell, the fraction beyond each Z with its Wilson interval (sampled)."""
    trained = [c for c in TRAINED if summaries and c in summaries[0]]  # a training sweep's
    head = ["cell", "partition", "draws", "ranks", "proven bound", "generic rank (certified)"]
    head += [c.replace("_", " ") for c in trained] + [f"Z={z}" for z in Zs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summaries:
        cells = [
            md(s["cell"]),
            md(s["partition"]),
            str(s["draws"]),
            f"{s['min_rank']}–{s['max_rank']} ({md(s['rank_kind'])})",
            f"{s['upper']} ({md(s['upper_bound'])})",
            str(s["generic"]) if s["generic"] is not None else "—",
        ]
        cells += [s[c] for c in trained]
        for z in Zs:
            f, low, high, _ = s[f"Z{z}"]
            cells.append(f"{f:.2f} [{low:.2f}, {high:.2f}]")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    if "test_metric" in trained:
        lines.append(
            "Trained networks, one per seed: fractions are shares of the trained networks "
            "whose rank exceeds what a shallow circuit with Z channels reaches (Wilson "
            "95% intervals); the test metric (R² or accuracy), the numerical rank (singular "
            "values above 10^-3 of the largest, inexact) and the teacher's exact rank (-1: no "
            "teacher) as median [min, max] over the seeds."
        )
    else:
        lines.append(
            "Fractions are sampled estimates (Wilson 95% intervals) of the share of weight "
            "draws whose rank exceeds what a shallow circuit with Z channels reaches."
        )
    lines.append(
        'A "lower" rank counts only when the bound itself exceeds the reach. A generic rank '
        "is certified (a rank reached equals the proven bound): for product circuits it "
        "holds outside a null set of weights."
    )
    return "\n".join(lines) + "\n"


def latex(summaries: list[dict[str, Any]], Zs: list[int]) -> str:
    """The same table as a booktabs ``tabular``; every text cell one line, LaTeX-escaped."""
    spec = "ll" + "r" * (3 + len(Zs))
    lines = [
        rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        "cell & partition & draws & bound & generic & "
        + " & ".join(f"$Z={z}$" for z in Zs)
        + r" \\",
        r"\midrule",
    ]
    for s in summaries:
        fractions = [f"{s[f'Z{z}'][0]:.2f}" for z in Zs]
        generic = str(s["generic"]) if s["generic"] is not None else "--"
        lines.append(
            f"{tex(printable(s['cell']))} & {tex(printable(s['partition']))} & {s['draws']} & "
            f"{s['upper']} & "
            f"{generic} & " + " & ".join(fractions) + r" \\"
        )
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


# One colour per operator in every report, whichever operators a results file holds.
OPERATOR_COLOURS = {"product": "#1f77b4", "max": "#d62728", "sum": "#9467bd", "avg": "#2ca02c"}
OTHER_COLOURS = ("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#ff7f0e")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":", "-.")
DODGE = 0.025  # octaves between neighbouring curves: a sideways nudge, N stays readable


def operator_colour(name: str) -> str:
    """The colour of an operator's curves in every report: product blue, max red, sum purple,
    avg green; any other (custom) operator one of six further colours, fixed by a CRC-32 of
    its name.

    Parameters
    ----------
    name : str
        The operator's name, as in the results' ``operator`` column.

    Returns
    -------
    str
        A ``#rrggbb`` colour, the same for a name in every report.

    Examples
    --------
    >>> operator_colour("max")
    '#d62728'
    """
    if name in OPERATOR_COLOURS:
        return OPERATOR_COLOURS[name]
    return OTHER_COLOURS[zlib.crc32(name.encode("utf-8", "replace")) % len(OTHER_COLOURS)]


def plot(summaries: list[dict[str, Any]], Zs: list[int], path: str | Path) -> Path:
    """Fraction beyond the shallow reach against N: one panel per shallow width Z of the
    results (all of them, small multiples on shared axes), one curve per (architecture,
    operator, partition, and width where cells differ only in it) coloured by its operator
    (:func:`operator_colour`), marked by its partition, dashed by its architecture and width,
    nudged sideways by a fortieth of an octave from the next so that equal fractions stay
    visible; Wilson intervals as error bars."""
    return save_figure(fraction_figure(summaries, Zs), path)


def fraction_figure(summaries: list[dict[str, Any]], Zs: list[int]) -> Any:  # a Figure
    """The figure :func:`plot` saves; panel k (titled ``shallow Z = z``) is ``fig.axes[k]``.

    Parameters
    ----------
    summaries : list of dict
        Summaries from :func:`summarize`.
    Zs : list of int
        The shallow widths of the results (from :func:`summarize`): one panel each.

    Returns
    -------
    matplotlib.figure.Figure
        The small multiples, four panels a row, with one legend below them.
    """
    plt = pyplot()
    columns = min(4, len(Zs))
    rows = -(-len(Zs) // columns)
    series: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    widths = width_groups(summaries)
    for s in summaries:
        key = (s["architecture"], width_label(s, widths), s["operator"], s["partition"])
        series.setdefault(key, []).append(s)
    styles = sorted({(a, w) for a, w, _, _ in series})
    partitions = sorted({p for _, _, _, p in series})
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(3.2 * columns + 0.6, 2.6 * rows + 1.2 + 0.22 * -(-len(series) // 3)),
        squeeze=False,
        sharex=True,
        sharey=True,
        layout="constrained",
    )
    Ns = sorted({int(s["N"]) for s in summaries})
    order = sorted(
        series,
        key=lambda key: (key[0], _natural(key[1]), OPERATOR_ORDER.get(key[2], 9), key[3]),
    )
    for ax, z in zip(axes.flat, Zs):
        for k, (arch, width, op, part) in enumerate(order):
            group = sorted(series[arch, width, op, part], key=lambda s: int(s["N"]))
            dodge = 2 ** (DODGE * (k - (len(order) - 1) / 2))  # curves at 0 or 1 stay apart
            xs = [int(s["N"]) * dodge for s in group]
            f = [s[f"Z{z}"][0] for s in group]
            err = [
                [max(0.0, v - s[f"Z{z}"][1]) for v, s in zip(f, group)],
                [max(0.0, s[f"Z{z}"][2] - v) for v, s in zip(f, group)],
            ]
            colour = operator_colour(op)
            ax.errorbar(xs, f, yerr=err, fmt="none", ecolor=colour, capsize=3, alpha=0.7)
            ax.plot(
                xs,
                f,
                color=colour,
                marker=MARKERS[partitions.index(part) % len(MARKERS)],
                linestyle=LINESTYLES[styles.index((arch, width)) % len(LINESTYLES)],
                label=label(f"{arch} {op}{width} ({part})"),
            )
        ax.set_title(f"shallow Z = {z}", fontsize=9)
        ax.set_xscale("log", base=2)
        ax.set_xticks(Ns, [str(n) for n in Ns])
        ax.minorticks_off()
        ax.set_ylim(-0.05, 1.05)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(Zs) :]:
        ax.set_visible(False)
    for ax in axes.flat[max(0, len(Zs) - columns) : len(Zs)]:
        ax.set_xlabel("N")
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel("fraction beyond reach")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(3, len(labels)), fontsize=8)
    what = (
        "trained networks" if summaries and "test_metric" in summaries[0] else "deep weight draws"
    )
    fig.suptitle(
        f"Share of {what} no shallow circuit of width Z matches\n"
        "(sampled, Wilson 95% intervals; colour = operator)",
        fontsize=10,
    )
    return fig


def _natural(text: str) -> list[Any]:
    """A sort key that orders the numbers inside a text by value (w=4 before w=16)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"([0-9]+)", text)]


def width_label(summary: dict[str, Any], widths: dict[tuple, set[str]]) -> str:
    """ " w=4" (the layer width, or the widths "2,4,8") when cells of the summary's
    architecture, operator, partition and N differ in width (``widths``: the widths of each
    such group, from :func:`width_groups`), so each width gets a curve of its own; ""
    otherwise (one curve across N, whatever the depth)."""
    if len(widths[_group(summary)]) == 1:
        return ""
    layers = set(str(summary["widths"]).split(","))
    return f" w={layers.pop() if len(layers) == 1 else summary['widths']}"


def width_groups(summaries: list[dict[str, Any]]) -> dict[tuple, set[str]]:
    """The widths of the cells of each (architecture, operator, partition, N), in one pass."""
    groups: dict[tuple, set[str]] = {}
    for s in summaries:
        groups.setdefault(_group(s), set()).add(str(s["widths"]))
    return groups


def _group(s: dict[str, Any]) -> tuple:
    return s["architecture"], s["operator"], s["partition"], s["N"]


def sweep_report(results: str | Path, out: str | Path) -> Path:
    """Write report.md, report.tex and fraction.png for a results file into folder ``out``
    (the results are read and checked first; nothing is written for a refused file)."""
    summaries, Zs = summarize(read_results(results))
    out = Path(out)
    where = escape(str(out), 120, quote=False)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.md").write_text(markdown(summaries, Zs), encoding="utf-8")
        (out / "report.tex").write_text(latex(summaries, Zs), encoding="utf-8")
    except OSError as exc:
        raise SymtdError(
            f"cannot write the report in {where}: {escape(exc.strerror, quote=False)}"
        ) from None
    plot(summaries, Zs, out / "fraction.png")
    return out
