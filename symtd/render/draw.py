"""Pictures (matplotlib, PNG or SVG by the file's extension).

* :func:`draw_circuit` — the pooling tree laid out by layer, operator and widths shown;
* :func:`draw_matricization` — a heatmap of [G]_{I,J} with its exact rank;
* :func:`plot_ranks` — odd-even ranks of deep product / max / avg networks at random
  weights as N grows, against what one shallow channel can reach.
"""

from __future__ import annotations

import math
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


def circuit_bars(circuit: Circuit) -> dict[str, list[tuple[float, float, float]]]:
    """{pooling node "nK": [(x0, x1, y), ...]}: the bar drawn under node k spans its scope
    S_k = circuit.scope("nK") (the positions it sees, position j drawn at x = j): one segment
    [a - 1/4, b + 1/4] per maximal run a, a+1, ..., b of S_k, at half a row below the node,
    staggered (k mod 4) so that overlapping scopes stay visibly apart."""
    xy = circuit_layout(circuit)
    bars: dict[str, list[tuple[float, float, float]]] = {}
    for k in range(len(circuit.nodes)):
        name = f"n{k}"
        y = xy[name][1] - 0.5 - 0.09 * (k % 4)
        bars[name] = [(a - 0.25, b + 0.25, y) for a, b in _runs(circuit.scope(name))]
    return bars


def _runs(scope: Sequence[int]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive integers in an increasing sequence, as (first, last)."""
    runs: list[tuple[int, int]] = []
    for j in scope:
        if runs and runs[-1][1] == j - 1:
            runs[-1] = (runs[-1][0], j)
        else:
            runs.append((j, j))
    return runs


def draw_circuit(circuit: Circuit, path: FilePath) -> Path:
    """The circuit DAG by depth: positions, pooling nodes (operator, width), output.

    Under every pooling node a bar spans the positions it sees (its scope, see
    :func:`circuit_bars`), staggered so that overlapping windows (stride < kernel) stay
    visibly overlapping; blocks used on several edges (shared weights) are labelled on their
    edges. Nodes of non-contiguous windows also show the positions under them (0-based, as
    in network files and partitions).
    """
    _picture_path(path)
    return save_figure(circuit_figure(circuit), path)


def circuit_figure(circuit: Circuit) -> Any:  # a matplotlib Figure
    """The figure :func:`draw_circuit` saves; the bar of node k is the Line2D artists with gid
    ``"bar:nK"`` (one per run of its scope), so the drawn geometry can be read back."""
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
    for name, segments in circuit_bars(circuit).items():  # the scope of every node, as a bar
        k = int(name[1:])
        for x0, x1, y in segments:
            ax.plot(
                [x0, x1],
                [y, y],
                color=colours(k % 10),
                lw=3,
                alpha=0.45,
                solid_capstyle="round",
                gid=f"bar:{name}",
            )
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
    return fig


def _short(text: object, limit: int = 12) -> str:
    text = "".join(ch if ch.isprintable() and ord(ch) < 128 else "?" for ch in str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind(circuit: Circuit) -> str:
    """ "shallow", "deep" or "tree" for a v1 tree (whatever its block names), else "tree" or
    "DAG"."""
    if circuit.layout:
        return architecture_name([[list(w) for w in level] for level in circuit.levels])
    return "tree" if circuit.is_tree else "DAG"


def signed_log_scale(numerators: Any) -> np.ndarray:  # numerators: an integer ndarray
    """s(n) = sign(n) · log10(1 + ``|n|`` / n_min) for integer entries n (the numerators of a
    rational matrix over one denominator), n_min the smallest non-zero ``|n|``: a scale-free
    signed log (the denominator cancels), so 0 ↦ 0, every non-zero entry lands at
    ``|s| >= log10 2`` and s is odd and strictly increasing. Computed from exact integers
    (math.log10 of Python ints), so entries beyond float range are placed correctly."""
    X = np.asarray(numerators, dtype=object)
    nonzero = [abs(int(n)) for n in X.flat if int(n)]
    if not nonzero:
        return np.zeros(X.shape)
    smallest = min(nonzero)

    def scale(entry: Any) -> float:
        n = int(entry)
        if n == 0:
            return 0.0
        value = math.log10(abs(n) + smallest) - math.log10(smallest)
        return value if n > 0 else -value

    return np.vectorize(scale, otypes=[float])(X)


def draw_matricization(circuit: Circuit, spec: PartitionSpec, path: FilePath) -> Path:
    """Heatmap of the matricization [G]_{I,J} on a signed log scale (see
    :func:`signed_log_scale`, stated on the colour bar), exact rank in the title."""
    _picture_path(path)
    return save_figure(matricization_figure(circuit, spec), path)


def matricization_figure(circuit: Circuit, spec: PartitionSpec) -> Any:  # a matplotlib Figure
    """The figure :func:`draw_matricization` saves: one image of ``signed_log_scale`` of the
    entries with a colour map symmetric about 0 (white = exactly zero)."""
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
    values = signed_log_scale(A.numerator)
    top = float(np.max(np.abs(values))) if values.size else 0.0
    top = top or 1.0
    height = max(2.5, 6 * shape[0] / max(shape))
    fig, ax = plt.subplots(figsize=(7, height + 1), layout="constrained")
    image = ax.imshow(
        values, cmap="RdBu_r", vmin=-top, vmax=top, interpolation="nearest", aspect="auto"
    )
    fig.colorbar(
        image,
        ax=ax,
        shrink=0.8,
        label="sign(g) · log10(1 + |g| / g_min)\ng_min = smallest non-zero |entry|",
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    J = [k for k in range(circuit.N) if k not in I]

    def positions(S: Sequence[int]) -> str:
        return "{" + ",".join(map(str, S)) + "}"

    fig.suptitle(
        f"matricization rows I = {positions(I)}, columns J = {positions(J)} (positions 0-based)\n"
        f"{shape[0]} × {shape[1]}, exact rank {rank(A)}; signed log colour scale",
        fontsize=10,
    )
    ax.set_xlabel("column: template indices d_J (row-major)")
    ax.set_ylabel("row: d_I (row-major)")
    return fig


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
    return save_figure(ranks_figure(Ns, M, r, seed), path)


def ranks_figure(
    Ns: Sequence[int] = (2, 4, 8, 16), M: int = 2, r: int = 2, seed: int = 0
) -> Any:  # a matplotlib Figure
    """The figure :func:`plot_ranks` saves: :func:`rank_curves` on log2 axes whose ticks are
    the powers of two written as integers (1, 2, 4, ..., not 2^k), every deep rank also
    written at its point, constrained layout so the title keeps clear of the edges."""
    if any(N < 2 or N & (N - 1) for N in Ns) or M < 2 or M ** max(Ns) > 2**24 or not 1 <= r <= 8:
        raise SymtdError(
            f"N must be powers of two >= 2, M >= 2 with M^N <= 2^24 and 1 <= r <= 8; "
            f"got N = {list(Ns)}, M = {M}, r = {r}"
        )
    plt = pyplot()
    from matplotlib.ticker import FixedLocator, NullLocator

    curves = rank_curves(Ns, M, r, seed)
    fig, ax = plt.subplots(figsize=(7, 4.8), layout="constrained")
    written: set[tuple[int, int]] = set()  # one number per point, shared points once
    for label, ranks in curves.items():
        deep_curve = label.startswith("deep")
        (line,) = ax.plot(Ns, ranks, "-o" if deep_curve else "--", label=label)
        for N, value in zip(Ns, ranks) if deep_curve else ():
            if (N, value) not in written:
                written.add((N, value))
                ax.annotate(
                    str(value),
                    (N, value),
                    textcoords="offset points",
                    xytext=(4, 4),
                    fontsize=7,
                    color=line.get_color(),
                )
    ax.set_yscale("log", base=2)
    ax.set_xscale("log", base=2)
    ax.set_xticks(Ns, [str(N) for N in Ns])
    ax.xaxis.set_minor_locator(NullLocator())
    top = max(max(v) for v in curves.values())
    powers = [2**k for k in range((max(1, top) - 1).bit_length() + 1)]  # up to 2^k >= top
    ax.yaxis.set_major_locator(FixedLocator(powers))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_yticks(powers, [str(p) for p in powers])
    ax.set_ylim(0.8, powers[-1] * 1.25)
    ax.set_xlabel("N (positions)")
    ax.set_ylabel("exact odd-even rank (log scale)")
    ax.set_title(
        f"Deep networks at random weights (M={M}, widths {r})\nvs what shallow channels reach",
        fontsize=10,
        pad=8,
    )
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig
