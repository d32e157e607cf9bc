"""Pictures read back from their artists: what a drawing claims is what it shows.

* circuit drawings: no two texts overlap (every label readable), every block named once,
  each edge label on its own edge and in its edge's colour;
* sweep reports: one fixed colour per operator whatever the file holds, one panel per Z.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from matplotlib.colors import to_hex
from matplotlib.text import Text

from symtd import deep, load_network, overlapping, shallow
from symtd.render.draw import circuit_figure, circuit_layout, pyplot, shared_blocks
from symtd.sweeps.report import fraction_figure, operator_colour, summarize

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "geometry" / "overlapping.json"


def text_boxes(fig) -> list[tuple[str, object]]:
    """(text, drawn box) of every visible non-empty Text in the figure, after a real draw:
    the box of its rounded frame where it has one (what covers the picture)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip():
            continue
        patch = t.get_bbox_patch()
        box = patch.get_window_extent(renderer) if patch else t.get_window_extent(renderer)
        out.append((t.get_text(), box))
    return out


CIRCUITS = {
    "overlapping N=6": lambda: overlapping(6, 2, 3, 1, 2),
    "overlapping N=6 kernel 4": lambda: overlapping(6, 2, 4, 1, 2),
    "overlapping N=8": lambda: overlapping(8, 2, 3, 1, 2),
    "overlapping N=8 shared": lambda: overlapping(8, 2, 3, 1, 2, shared=True),
    "overlapping N=8 kernel 4": lambda: overlapping(8, 2, 4, 1, 2),
    "examples/geometry/overlapping.json": lambda: load_network(EXAMPLE),
    "deep max N=8": lambda: deep(8, 2, [2, 2, 2], "max"),
    "deep max N=8 shared": lambda: deep(8, 2, [2, 2, 2], "max", shared=True),
    "shallow N=4 shared": lambda: shallow(4, 2, 3, "max", shared=True),
}


@pytest.mark.parametrize("name", CIRCUITS)
def test_no_two_texts_of_a_circuit_drawing_overlap(name):
    """Every text (node, edge label, title, legend) lies inside the figure, even unsaved (as
    the explorer shows it), and meets no other."""
    fig = circuit_figure(CIRCUITS[name]())
    try:
        boxes = text_boxes(fig)
        frame = fig.bbox
    finally:
        pyplot().close(fig)
    assert len(boxes) >= 6  # positions, nodes and title at least
    for text, box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, text
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, text
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"


@pytest.mark.parametrize(
    "name", ["overlapping N=8", "overlapping N=8 shared", "examples/geometry/overlapping.json"]
)
def test_every_block_is_named_on_its_edge_or_by_its_slot_colour(name):
    """Each edge label sits on its own edge (u → v) in the edge's colour and names its block;
    the blocks not on edges are named in the legend, on the line whose colour is the colour
    of their edges."""
    net = CIRCUITS[name]()
    fig = circuit_figure(net)
    try:
        ax, xy = fig.axes[0], circuit_layout(net)
        arrows = {
            t.get_gid()[5:]: t.arrow_patch
            for t in ax.texts
            if t.get_gid() and t.get_gid().startswith("edge:")
        }
        edges = {f"{u}>{v}": d for u, v, d in net.graph.edges(data=True)}
        assert set(arrows) == set(edges)  # one arrow per edge
        named_on_edges = set()
        for t in ax.texts:
            gid = t.get_gid() or ""
            if not gid.startswith("block:"):
                continue
            u, v = gid[6:].split(">")
            assert t.get_text() == edges[gid[6:]]["block"]
            (x, y), (ux, uy), (vx, vy) = t.get_position(), xy[u], xy[v]
            s = (y - uy) / (vy - uy)  # the label is the point u + s (v - u) of its edge
            assert 0 < s < 1 and x == pytest.approx(ux + s * (vx - ux))
            assert to_hex(t.get_color()) == to_hex(arrows[gid[6:]].get_edgecolor())
            named_on_edges.add(t.get_text())
        legend = ax.get_legend()
        named_by_colour = set()
        if legend is not None:
            for line, text in zip(legend.get_lines(), legend.get_texts()):
                slot_text, _, names = text.get_text().partition(": ")
                slot = int(slot_text.removeprefix("slot "))
                for u_v, d in edges.items():
                    if d["slot"] == slot and d["block"] in names.split(", "):
                        colour = to_hex(arrows[u_v].get_edgecolor())
                        assert colour == to_hex(line.get_color())
                named_by_colour |= set(names.split(", ")) - {"–"}
        assert named_on_edges | named_by_colour == {d["block"] for d in edges.values()}
        shared = {b for slots in shared_blocks(net).values() for b in slots.values()}
        assert named_by_colour == shared
        assert ("shared" in name or "geometry" in name) == bool(shared)
    finally:
        pyplot().close(fig)


def test_a_label_that_fits_nowhere_is_left_out_and_counted(monkeypatch):
    """With one allowed spot per edge, crossing edges compete for it: the losers are left
    out (never drawn over another text) and the legend says how many."""
    import symtd.render.draw as draw

    monkeypatch.setattr(draw, "LABEL_HEIGHTS", (0.6,))
    monkeypatch.setattr(draw, "EDGE_SPOTS", ())
    net = overlapping(8, 2, 4, 1, 2)
    fig = circuit_figure(net)
    try:
        drawn = [t for t in fig.axes[0].texts if (t.get_gid() or "").startswith("block:")]
        missing = net.graph.number_of_edges() - len(drawn)
        assert missing > 0
        notes = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        assert notes == [f"{missing} edge label(s) left out for space (see the network file)"]
        for (a, box_a), (b, box_b) in itertools.combinations(text_boxes(fig), 2):
            assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"
    finally:
        pyplot().close(fig)


# -- sweep reports ---------------------------------------------------------------------------
def rows(operators: list[str], Zs: list[int], Ns=(4, 8), draws=3, seed=0) -> list[dict]:
    """Results rows as a sweep writes them (enough columns for the report)."""
    rng, out = random.Random(seed), []
    for op, N, part, d in itertools.product(operators, Ns, ("odd-even", "root"), range(draws)):
        upper = 2 ** (N // 2) if part == "odd-even" else 4
        row = {
            "cell": f"deep N={N} M=2 widths=2 {op}",
            "architecture": "deep",
            "N": N,
            "M": 2,
            "widths": "2",
            "operator": op,
            "partition": part,
            "draw": d,
            "rank": rng.randint(1, upper),
            "rank_kind": "exact",
            "upper": upper,
            "upper_bound": "min-cut",
        }
        row.update({f"reach_Z{z}": min(upper, z) for z in Zs})
        out.append(row)
    return out


def curve_colours(fig) -> dict[str, set[str]]:
    """{operator: colours of its curves over every panel}, read from the drawn lines."""
    colours: dict[str, set[str]] = {}
    for ax in fig.axes:
        for line in ax.get_lines():
            if line.get_label().startswith("deep "):
                op = line.get_label().split()[1]
                colours.setdefault(op, set()).add(to_hex(line.get_color()))
    return colours


def test_an_operator_keeps_its_colour_whichever_operators_a_report_holds():
    figs = [
        fraction_figure(*summarize(rows(ops, [1, 2])))
        for ops in (["product", "max", "avg"], ["max"], ["sum", "max", "product"])
    ]
    try:
        seen = [curve_colours(fig) for fig in figs]
    finally:
        for fig in figs:
            pyplot().close(fig)
    assert {op for s in seen for op in s} == {"product", "max", "avg", "sum"}
    for op in ("product", "max", "avg", "sum"):
        colours = set().union(*(s.get(op, set()) for s in seen))
        assert colours == {to_hex(operator_colour(op))}, op  # one colour, in every report
    fixed = {to_hex(operator_colour(op)) for op in ("product", "max", "avg", "sum")}
    assert len(fixed) == 4  # and four different ones
    assert operator_colour("mine") == operator_colour("mine") not in fixed


def test_every_requested_Z_gets_its_own_panel():
    Zs = list(range(1, 9))
    fig = fraction_figure(*summarize(rows(["product", "max"], Zs)))
    try:
        panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
        assert [ax.get_title() for ax in panels] == [f"shallow Z = {z}" for z in Zs]
        assert all(len(ax.get_lines()) >= 4 for ax in panels)  # 2 operators × 2 partitions
        boxes = text_boxes(fig)
        titles = [box for text, box in boxes if text.startswith("shallow Z")]
        assert len(titles) == 8
        for a, b in itertools.combinations(titles, 2):
            assert not a.overlaps(b)
    finally:
        pyplot().close(fig)
    fig = fraction_figure(*summarize(rows(["avg"], [3])))
    try:
        assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == ["shallow Z = 3"]
    finally:
        pyplot().close(fig)
