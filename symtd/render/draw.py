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
    visibly overlapping. Blocks are named without any two labels overlapping (see
    :func:`circuit_figure`). Nodes of non-contiguous windows also show the positions under
    them (0-based, as in network files and partitions).
    """
    _picture_path(path)
    return save_figure(circuit_figure(circuit), path)


def circuit_figure(circuit: Circuit) -> Any:  # a matplotlib Figure
    """The figure :func:`draw_circuit` saves; the bar of node k is the Line2D artists with gid
    ``"bar:nK"`` (one per run of its scope), so the drawn geometry can be read back.

    Block names: where every edge entering one row (depth) at one slot (its place in the
    pool) passes through one block, a shared block (convolutional weights), the legend names
    it once, on the line of that slot's edge colour (:func:`shared_blocks`); any other block
    of a DAG, or a block used twice, is written on its edge in the edge's colour (text gid
    ``"block:u>v"``; the arrow is the annotation with gid ``"edge:u>v"``), at the first spot
    along the edge where it meets no other text, above the scope bars if it can; a label
    that fits nowhere is left out and the legend says how many were. Whenever blocks are
    named, edges are coloured by slot; otherwise they are grey.
    """
    if circuit.N > MAX_POSITIONS or len(circuit.nodes) > MAX_DRAWN_NODES:
        raise SymtdError(
            f"a circuit of N = {circuit.N} positions and {len(circuit.nodes)} nodes is too "
            f"large to draw readably (at most {MAX_POSITIONS} positions and "
            f"{MAX_DRAWN_NODES} nodes)"
        )
    plt = pyplot()
    xy = circuit_layout(circuit)
    graph, height = circuit.graph, circuit.depth + 1
    shared = shared_blocks(circuit)
    by_group = {(d, s): b for d, slots in shared.items() for s, b in slots.items()}
    labelled = _labelled_edges(circuit, by_group)
    row = 1.8 if labelled else 1.4  # inches per layer: room for the labels above the bars
    size = (max(6.0, 0.8 * circuit.N + 2), row * height + 2)
    fig, ax = plt.subplots(figsize=size)
    slots = len({s for d in shared.values() for s in d})
    legend_lines = -(-(slots + bool(labelled)) // 3) + bool(shared)  # a note may join
    if legend_lines:  # room below the drawing for the legend, inside the figure
        fig.subplots_adjust(bottom=max(0.11, (0.15 + 0.22 * legend_lines) / size[1]))
    xs = [x for x, _ in xy.values()]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(-0.45, height + 0.7)
    ax.axis("off")
    ax.set_title(
        f"{_kind(circuit)} {_short(circuit.operator.name)} circuit: N={circuit.N}, "
        f"M={circuit.M}, {len(circuit.nodes)} nodes",
        fontsize=11,
    )
    colours = plt.get_cmap("tab10")
    bars = []
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
            bars.append((x0, y, x1, y))
    renderer = fig.canvas.get_renderer()
    taken = [_extent(t, renderer) for t in _draw_nodes(ax, circuit, xy)]
    taken.append(_extent(ax.title, renderer))
    to_pixels = ax.transData.transform
    lines = [(*to_pixels((x0, y))[0:2], *to_pixels((x1, y))[0:2]) for x0, y, x1, y in bars]
    lines = [(a - 2, b - 2, c + 2, d + 2) for a, b, c, d in lines]  # a bar is 3 points thick
    coloured = bool(labelled or shared)
    slot_colour = plt.get_cmap("Dark2")
    left_out = 0
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (xy[e[1]][1], xy[e[0]][0])):
        colour = slot_colour(data["slot"] % 8) if coloured else "0.45"
        ax.annotate(
            "",
            xy=xy[v],
            xytext=xy[u],
            arrowprops=dict(arrowstyle="-|>", color=colour, lw=1, shrinkA=12, shrinkB=18),
            gid=f"edge:{u}>{v}",
        )
        if (u, v) in labelled:
            placed = _place_label(ax, renderer, (u, v), xy, data, colour, taken, lines)
            left_out += not placed
    _legend(ax, circuit, shared, slot_colour, left_out)
    return fig


def shared_blocks(circuit: Circuit) -> dict[int, dict[int, str]]:
    """{row d: {slot s: block}}: the (d, s) where at least two edges enter nodes of depth d
    at slot s and all of them pass through one block (a convolutional, shared weight).

    Parameters
    ----------
    circuit : Circuit
        Any circuit.

    Returns
    -------
    dict of int to dict of int to str
        Depth, then slot, to the one block of that group; rows and slots without such a
        group are absent.

    Examples
    --------
    >>> import symtd
    >>> shared_blocks(symtd.overlapping(4, 2, kernel=3, stride=1, widths=2, shared=True))
    {1: {0: 'W1_0', 1: 'W1_1', 2: 'W1_2'}}
    >>> shared_blocks(symtd.overlapping(4, 2, kernel=3, stride=1, widths=2))
    {}
    """
    groups: dict[tuple[int, int], set[str]] = {}
    counts: dict[tuple[int, int], int] = {}
    for _, v, data in circuit.graph.edges(data=True):
        if circuit.graph.nodes[v]["kind"] != "pool":
            continue
        key = (circuit.graph.nodes[v]["depth"], data["slot"])
        groups.setdefault(key, set()).add(data["block"])
        counts[key] = counts.get(key, 0) + 1
    out: dict[int, dict[int, str]] = {}
    for (depth, slot), blocks in sorted(groups.items()):
        if len(blocks) == 1 and counts[depth, slot] > 1:
            out.setdefault(depth, {})[slot] = next(iter(blocks))
    return out


def _labelled_edges(circuit: Circuit, by_group: dict[tuple[int, int], str]) -> set[tuple[str, str]]:
    """The edges whose block is written on them: not named by the legend, and either in a DAG
    (no v1 layout: names are not implied) or a block used on several edges."""
    graph = circuit.graph
    uses: dict[str, int] = {}
    for _, _, block in graph.edges(data="block"):
        uses[block] = uses.get(block, 0) + 1
    return {
        (u, v)
        for u, v, data in graph.edges(data=True)
        if (graph.nodes[v]["depth"], data["slot"]) not in by_group
        and (uses[data["block"]] > 1 or not circuit.layout)
    }


def _draw_nodes(ax: Any, circuit: Circuit, xy: dict[str, tuple[float, float]]) -> list[Any]:
    """One boxed text per graph node (its Text artists returned)."""
    graph = circuit.graph
    scopes = {n: circuit.scope(n) for n in graph.nodes}
    contiguous = all(list(s) == list(range(s[0], s[0] + len(s))) for s in scopes.values())
    styles = {"input": "#e8eef7", "pool": "#dff2e1", "output": "#f6dede"}
    size = 9 if circuit.N <= 8 else 7
    texts = []
    for node, data in graph.nodes(data=True):
        if data["kind"] == "input":
            label = node
        elif data["kind"] == "pool":
            label = f"{_short(circuit.operator.name)}\n{data['width']} ch"
            if not contiguous:
                label += "\n{" + ",".join(map(str, scopes[node])) + "}"
        else:
            label = f"y\n{_short(circuit.output)}"
        texts.append(
            ax.text(
                *xy[node],
                label,
                ha="center",
                va="center",
                fontsize=size,
                zorder=4,
                bbox=dict(boxstyle="round,pad=0.35", fc=styles[data["kind"]], ec="0.3", lw=0.8),
            )
        )
    return texts


def _extent(text: Any, renderer: Any) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) in pixels: the text's extent grown by the pad of its box, if any."""
    box = text.get_window_extent(renderer)
    patch = text.get_bbox_patch()
    pad = 0.0
    if patch is not None:
        pad = patch.get_boxstyle().pad * text.get_fontsize() * text.figure.dpi / 72
    return (box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)


def _hits(box: tuple[float, float, float, float], others: list[Any]) -> bool:
    """Whether box meets any of the (x0, y0, x1, y1) boxes in others."""
    if not others:
        return False
    o = np.asarray(others, dtype=float)
    x0, y0, x1, y1 = box
    return bool(np.any((o[:, 0] <= x1) & (x0 <= o[:, 2]) & (o[:, 1] <= y1) & (y0 <= o[:, 3])))


# Where along an edge (0 = its lower end) a label may go: first the upper part of a row, above
# the scope bars (a row's bars lie at 0.23-0.5), at one height per slot so that the crossing
# edges of overlapping windows start apart; then the rest.
LABEL_HEIGHTS = (0.56, 0.64, 0.72)
EDGE_SPOTS = (0.615, 0.7, 0.53, 0.78, 0.2, 0.5, 0.4, 0.3, 0.45, 0.35, 0.25, 0.15, 0.85)


def _place_label(
    ax: Any,
    renderer: Any,
    edge: tuple[str, str],
    xy: dict[str, tuple[float, float]],
    data: dict[str, Any],
    colour: Any,
    taken: list[Any],
    lines: list[Any],
) -> bool:
    """Write the edge's block at the first spot t along u → v (a preferred start per slot,
    so crossing edges begin apart) where it meets no text in ``taken`` and, if it can, no
    bar; add its box to ``taken``. False (and nothing drawn) when every spot is taken."""
    (ux, uy), (vx, vy) = xy[edge[0]], xy[edge[1]]
    start = data["slot"] % len(LABEL_HEIGHTS)
    spots = LABEL_HEIGHTS[start:] + LABEL_HEIGHTS[:start] + EDGE_SPOTS
    text = ax.text(
        ux,
        uy,
        _short(data["block"]),
        fontsize=6,
        color=colour,
        ha="center",
        va="center",
        zorder=5,
        gid=f"block:{edge[0]}>{edge[1]}",
        bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"),
    )
    free = []
    for t in spots:
        text.set_position(((1 - t) * ux + t * vx, (1 - t) * uy + t * vy))
        box = _extent(text, renderer)
        if not _hits(box, taken):
            free.append((_hits(box, lines), t, box))
            if not free[-1][0]:
                break
    if not free:
        text.remove()
        return False
    _, t, box = min(free, key=lambda f: f[0])  # clear of bars if any spot is
    text.set_position(((1 - t) * ux + t * vx, (1 - t) * uy + t * vy))
    taken.append(box)
    return True


def _legend(
    ax: Any, circuit: Circuit, shared: dict[int, dict[int, str]], colour: Any, left_out: int
) -> None:
    """Below the drawing: per slot, its edge colour and the shared block of each row (depth)
    that has shared blocks, lowest row first ("–" where that row's slot is not shared); how
    many edge labels did not fit."""
    from matplotlib.lines import Line2D

    layers = sorted(shared)
    slots = sorted({s for d in layers for s in shared[d]})
    handles, labels = [], []
    for s in slots:
        names = ", ".join(_short(shared[d].get(s, "–")) for d in layers)
        handles.append(Line2D([], [], color=colour(s % 8), lw=2))
        labels.append(f"slot {s}: {names}")
    if left_out:
        handles.append(Line2D([], [], color="none"))
        labels.append(f"{left_out} edge label(s) left out for space (see the network file)")
    if not handles:
        return
    title = "shared blocks by edge colour (slot in the pool), lowest row first" if slots else None
    ax.legend(
        handles,
        labels,
        title=title,
        title_fontsize=8,
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=min(3, len(labels)),
        frameon=False,
    )


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
