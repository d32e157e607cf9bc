"""Pictures (matplotlib, PNG or SVG by the file's extension).

* :func:`draw_circuit` — the pooling tree laid out by layer, operator and widths shown;
* :func:`draw_matricization` — a heatmap of [G]_{I,J} with its exact rank;
* :func:`plot_ranks` — odd-even ranks of deep product / max / avg networks at random
  weights as N grows, against what one shallow channel can reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from symtd.algebra.rank import rank
from symtd.algebra.rational import RationalTensor
from symtd.circuits.builders import deep
from symtd.circuits.circuit import Circuit
from symtd.circuits.formats import FilePath, architecture_name
from symtd.circuits.partitions import PartitionSpec, partition
from symtd.errors import SymtdError
from symtd.ranks.matricization import matricization_rank
from symtd.tensors.grid import grid_tensor
from symtd.tensors.matricize import matricize

FORMATS = (".png", ".svg")
MAX_POSITIONS, MAX_SIDE, MAX_DRAWN_NODES = 64, 1024, 400
# matplotlib objects are Any: matplotlib is imported only when drawing.


def pyplot() -> Any:  # the matplotlib.pyplot module, with the Agg backend
    """matplotlib.pyplot on the file-only Agg backend (no display needed), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _picture_path(path: FilePath) -> Path:
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise SymtdError(f"picture file must end in {' or '.join(FORMATS)}, got {path.name!r}")
    return path


def save_figure(fig: Any, path: FilePath) -> Path:  # fig: a matplotlib Figure
    """Write a figure to a .png or .svg path and close it; SymtdError, one line, if it cannot."""
    path = _picture_path(path)
    try:
        fig.savefig(path, dpi=150, bbox_inches="tight")
    except OSError as exc:
        raise SymtdError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        pyplot().close(fig)
    return path


def circuit_layout(circuit: Circuit) -> dict[str, tuple[float, float]]:
    """{graph node: (x, y)}: position j at (j, 0); pooling node n_k at its depth (longest path
    from a position), centred over its members and spread apart where windows of one depth
    would share a centre; the output one row above the root."""
    nodes = circuit.graph.nodes
    xy = {f"x{j}": (float(j), 0.0) for j in range(circuit.N)}
    by_depth: dict[int, list[int]] = {}
    for k in range(len(circuit.nodes)):
        by_depth.setdefault(nodes[f"n{k}"]["depth"], []).append(k)
    for depth in sorted(by_depth):
        ks = by_depth[depth]
        centres = _spread(
            [float(np.mean([xy[m][0] for m, _ in circuit.nodes[k].pool])) for k in ks]
        )
        xy.update({f"n{k}": (x, float(depth)) for k, x in zip(ks, centres)})
    xy["y"] = (xy[circuit.root][0], float(circuit.depth + 1))
    return xy


def _spread(xs: list[float], gap: float = 1.0) -> list[float]:
    """Keep the order of xs but at least `gap` apart (interleaved windows share a centre), same
    mean."""
    order = sorted(range(len(xs)), key=xs.__getitem__)
    placed: list[float] = []
    for k in order:
        placed.append(max(xs[k], placed[-1] + gap) if placed else xs[k])
    shift = float(np.mean(xs)) - float(np.mean(placed))
    out = [0.0] * len(xs)
    for k, x in zip(order, placed):
        out[k] = x + shift
    return out


def draw_circuit(circuit: Circuit, path: FilePath) -> Path:
    """The circuit DAG by depth: positions, pooling nodes (operator, width), output.

    Under every pooling node a bar spans the positions it sees, staggered so that
    overlapping windows (stride < kernel) stay visibly overlapping; blocks used on
    several edges (shared weights) are labelled on their edges. Nodes of non-contiguous
    windows also show the positions under them (0-based, as in network files and partitions).
    """
    _picture_path(path)
    if circuit.N > MAX_POSITIONS or len(circuit.nodes) > MAX_DRAWN_NODES:
        raise SymtdError(
            f"a circuit of N = {circuit.N} positions and {len(circuit.nodes)} nodes is too "
            f"large to draw readably (at most {MAX_POSITIONS} positions and "
            f"{MAX_DRAWN_NODES} nodes)"
        )
    plt = pyplot()
    xy = circuit_layout(circuit)
    graph, height = circuit.graph, circuit.depth + 1
    scopes = {n: circuit.scope(n) for n in graph.nodes}
    contiguous = all(list(s) == list(range(s[0], s[0] + len(s))) for s in scopes.values())
    uses: dict[str, int] = {}
    for _, _, block in graph.edges(data="block"):
        uses[block] = uses.get(block, 0) + 1
    fig, ax = plt.subplots(figsize=(max(6.0, 0.75 * circuit.N + 2), 1.4 * height + 2))
    colours = plt.get_cmap("tab10")
    for k, node in enumerate(circuit.nodes):  # the window of every node, as a bar
        name = f"n{k}"
        members = [xy[m][0] for m, _ in node.pool]
        x0, x1 = min(members) - 0.25, max(members) + 0.25
        y = xy[name][1] - 0.5 - 0.09 * (k % 4)
        ax.plot([x0, x1], [y, y], color=colours(k % 10), lw=3, alpha=0.45, solid_capstyle="round")
    for u, v, data in graph.edges(data=True):
        block = data["block"]
        ax.annotate(
            "",
            xy=xy[v],
            xytext=xy[u],
            arrowprops=dict(arrowstyle="-|>", color="0.45", lw=1, shrinkA=12, shrinkB=18),
        )
        if uses[block] > 1 or not circuit.layout:
            t = 0.25 + 0.2 * (data["slot"] % 3)  # one height per slot: crossing edges
            # (overlapping windows) keep their labels apart
            mx, my = (1 - t) * xy[u][0] + t * xy[v][0], (1 - t) * xy[u][1] + t * xy[v][1]
            ax.text(
                mx,
                my,
                _short(block),
                fontsize=6,
                color="#7a4b00",
                ha="center",
                va="center",
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8),
            )
    styles = {"input": "#e8eef7", "pool": "#dff2e1", "output": "#f6dede"}
    size = 9 if circuit.N <= 8 else 7
    for node, data in graph.nodes(data=True):
        if data["kind"] == "input":
            label = node
        elif data["kind"] == "pool":
            label = f"{_short(circuit.operator.name)}\n{data['width']} ch"
            if not contiguous:
                label += "\n{" + ",".join(map(str, scopes[node])) + "}"
        else:
            label = f"y\n{_short(circuit.output)}"
        ax.text(
            *xy[node],
            label,
            ha="center",
            va="center",
            fontsize=size,
            bbox=dict(boxstyle="round,pad=0.35", fc=styles[data["kind"]], ec="0.3", lw=0.8),
        )
    ax.set_title(
        f"{_kind(circuit)} {_short(circuit.operator.name)} circuit: N={circuit.N}, "
        f"M={circuit.M}, {len(circuit.nodes)} nodes",
        fontsize=11,
    )
    xs = [x for x, _ in xy.values()]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(-0.9, height + 0.7)
    ax.axis("off")
    return save_figure(fig, path)


def _short(text: object, limit: int = 12) -> str:
    text = "".join(ch if ch.isprintable() and ord(ch) < 128 else "?" for ch in str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind(circuit: Circuit) -> str:
    """ "shallow", "deep" or "tree" for a v1 tree (whatever its block names), else "tree" or
    "DAG"."""
    if circuit.layout:
        return architecture_name([[list(w) for w in level] for level in circuit.levels])
    return "tree" if circuit.is_tree else "DAG"


def draw_matricization(circuit: Circuit, spec: PartitionSpec, path: FilePath) -> Path:
    """Heatmap of the matricization [G]_{I,J}, entries scaled exactly by the largest ``|entry|``,
    exact rank in the title."""
    from fractions import Fraction

    _picture_path(path)
    if not circuit.is_concrete:
        raise SymtdError(
            "a heatmap needs concrete weights; this network has symbolic weights (an "
            "architecture): give it weights (circuit.at_random_point(seed) draws some), or draw "
            "the circuit"
        )
    I = partition(spec, circuit)
    shape = (circuit.M ** len(I), circuit.M ** (circuit.N - len(I)))
    if max(shape) > MAX_SIDE:
        raise SymtdError(
            f"a {shape[0]} × {shape[1]} heatmap is not readable; at most {MAX_SIDE} rows and "
            "columns"
        )
    plt = pyplot()
    from matplotlib.ticker import MaxNLocator

    A = matricize(grid_tensor(circuit), I)
    if not isinstance(A, RationalTensor):
        raise SymtdError("a heatmap needs an exact rational grid tensor")
    X = A.numerator
    largest = int(np.max(np.abs(X))) if X.size else 0
    values = (
        np.vectorize(lambda x: float(Fraction(int(x), largest)), otypes=[float])(X)
        if largest
        else np.zeros(X.shape)
    )
    height = max(2.5, 6 * shape[0] / max(shape))
    fig, ax = plt.subplots(figsize=(7, height + 1))
    image = ax.imshow(
        values, cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest", aspect="auto"
    )
    fig.colorbar(image, ax=ax, shrink=0.8, label="entry / max |entry|")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    J = [k for k in range(circuit.N) if k not in I]

    def positions(S: Sequence[int]) -> str:
        return "{" + ",".join(map(str, S)) + "}"

    fig.suptitle(
        f"matricization rows I = {positions(I)}, columns J = {positions(J)} (positions 0-based)\n"
        f"{shape[0]} × {shape[1]}, exact rank {rank(A)}",
        fontsize=10,
    )
    ax.set_xlabel("column: template indices d_J (row-major)")
    ax.set_ylabel("row: d_I (row-major)")
    return save_figure(fig, path)


def rank_curves(
    Ns: Sequence[int] = (2, 4, 8, 16), M: int = 2, r: int = 2, seed: int = 0, draws: int = 5
) -> dict[str, list[int]]:
    """{label: [odd-even rank for each N]}: deep networks (the largest exact rank over `draws`
    random weight points) and what shallow networks reach per channel."""
    curves: dict[str, list[int]] = {}
    for operator in ("product", "max", "avg"):
        ranks = []
        for N in Ns:
            net = deep(N, M, [r] * (N.bit_length() - 1), operator)
            ranks.append(
                max(
                    matricization_rank(net.subs(net.random_point(seed + k)), tuple(range(0, N, 2)))
                    for k in range(draws)
                )
            )
        curves[f"deep {operator} (best of {draws} random weights)"] = ranks
    curves["shallow product, per channel (CP: 1)"] = [1 for _ in Ns]
    curves["shallow max, per channel ((N/2)·M)"] = [(N // 2) * M for N in Ns]
    curves["shallow sum/avg, any Z (2)"] = [2 for _ in Ns]
    return curves


def plot_ranks(
    path: FilePath, Ns: Sequence[int] = (2, 4, 8, 16), M: int = 2, r: int = 2, seed: int = 0
) -> Path:
    """The rank plot: exact odd-even ranks (log scale) against N."""
    _picture_path(path)
    if any(N < 2 or N & (N - 1) for N in Ns) or M < 2 or M ** max(Ns) > 2**24 or not 1 <= r <= 8:
        raise SymtdError(
            f"N must be powers of two >= 2, M >= 2 with M^N <= 2^24 and 1 <= r <= 8; "
            f"got N = {list(Ns)}, M = {M}, r = {r}"
        )
    plt = pyplot()
    curves = rank_curves(Ns, M, r, seed)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, ranks in curves.items():
        style = "-o" if label.startswith("deep") else "--"
        ax.plot(Ns, ranks, style, label=label)
    ax.set_yscale("log", base=2)
    ax.set_xscale("log", base=2)
    ax.set_xticks(Ns, [str(N) for N in Ns])
    ax.set_xlabel("N (positions)")
    ax.set_ylabel("exact odd-even rank")
    ax.set_title(
        f"Deep networks at random weights (M={M}, widths {r}) vs what shallow channels reach",
        fontsize=10,
    )
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return save_figure(fig, path)
