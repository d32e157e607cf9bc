"""The checker's own reading of network documents (formats symtd-network/1 and /2).

A network is validated (structure, shapes, exact numbers, cost) before anything is computed
from it; :func:`structure` gives every document as the node list of format v2, and the
named architectures (:func:`expected_nodes`, :func:`expected_levels`) are rebuilt here so a
certificate cannot relabel one architecture as another.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NoReturn

from .reader import (
    MAX_ENTRIES,
    MAX_KERNEL,
    MAX_NODES,
    MAX_WIDTH,
    MAX_WORK,
    CheckFailed,
    number,
    positive,
)

Network = dict[str, Any]
Node = tuple[int, list[tuple[str, str]]]  # (width, [(member, block prefix)])
Fail = Callable[[str], NoReturn]

OPERATORS = ("product", "max", "sum", "avg")
MEMBER = re.compile(r"([xn])(0|[1-9][0-9]{0,9})\Z")
BLOCK = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}\Z")
KEYS_V1 = {
    "format",
    "architecture",
    "N",
    "M",
    "operator",
    "widths",
    "levels",
    "shared",
    "F",
    "weights",
}
KEYS_V2 = {"format", "N", "M", "operator", "F", "nodes", "output", "weights"}


def levels_of(net: Network) -> list[list[list[int]]]:
    """The levels of a v1 document (shallow and deep expanded)."""
    if net["architecture"] == "tree":
        levels: list[list[list[int]]] = net["levels"]
        return levels
    N = net["N"]
    if net["architecture"] == "shallow":
        return [[list(range(N))]]
    levels, size = [], N
    while size > 1:
        levels.append([[2 * t, 2 * t + 1] for t in range(size // 2)])
        size //= 2
    return levels


def structure(net: Network) -> tuple[list[Node], str]:
    """(nodes, output): nodes[k] = (width, [(member, block prefix)]), the circuit of format v2.

    A v2 document lists them; for a v1 document position j feeds its level-1 window
    through "layer0[j]" ("layer0" when shared), node t of level l its parent through
    "layer{l}[t]", and the output is "output": so the JSON path of a weight is always
    prefix + "[γ][α]" (or "output[α]").
    """
    if net["format"] == "symtd-network/2":
        listed = [(node["width"], [tuple(e) for e in node["pool"]]) for node in net["nodes"]]
        return listed, net["output"]
    shared, widths, levels = net.get("shared", False), net["widths"], levels_of(net)
    nodes: list[Node] = []
    names, first = [f"x{j}" for j in range(net["N"])], 0
    for depth, level in enumerate(levels):
        for window in level:
            nodes.append(
                (
                    widths[depth],
                    [
                        (names[i], f"layer{depth}" if shared else f"layer{depth}[{i}]")
                        for i in window
                    ],
                )
            )
        names = [f"n{first + t}" for t in range(len(level))]
        first += len(level)
    return nodes, "output"


def scopes_of(nodes: list[Node], N: int) -> dict[str, tuple[int, ...]]:
    """{member: positions under it, increasing}."""
    scopes: dict[str, tuple[int, ...]] = {f"x{j}": (j,) for j in range(N)}
    for k, (_, pool) in enumerate(nodes):
        scopes[f"n{k}"] = tuple(sorted({p for m, _ in pool for p in scopes[m]}))
    return scopes


def validate(net: Any, name: Any, whole_grid: bool = True) -> int:
    """Check a network document's structure, shapes and cost; returns the cost of its forward
    pass (multiply-adds); raises CheckFailed.

    With ``whole_grid`` (the default) the cost is that of the whole grid (every node once per
    assignment of templates to its positions) and M^N is at most MAX_ENTRIES; without it, the
    network is only ever evaluated at single template tuples (minors), M^N is not limited and
    the cost is that of one tuple (each node once).
    """

    def fail(why: str) -> NoReturn:
        raise CheckFailed(f"network {ascii(name)[:40]}: {why}")

    if not isinstance(net, dict) or net.get("format") not in ("symtd-network/1", "symtd-network/2"):
        fail("not a symtd-network/1 or /2 document")
    v2 = net["format"] == "symtd-network/2"
    keys = KEYS_V2 if v2 else KEYS_V1
    required = {"format", "N", "M", "operator"} | (
        {"nodes", "output"} if v2 else {"architecture", "widths"}
    )
    if set(net) - keys or required - set(net):
        fail("unknown or missing keys")
    N, M = net["N"], net["M"]
    if (
        not (positive(N, MAX_ENTRIES) and positive(M, MAX_ENTRIES))
        or net["operator"] not in OPERATORS
    ):
        fail("N, M must be positive integers and the operator one of product, max, sum, avg")
    if whole_grid and (M > 1 and N * math.log2(M) > 16 or M ** min(N, 17) > MAX_ENTRIES):
        fail(f"M^N = {M}^{N} grid entries is more than this checker evaluates ({MAX_ENTRIES})")
    if v2:
        validate_v2(net, fail)
    else:
        validate_v1(net, fail)
    nodes, output = structure(net)
    if len(nodes) > MAX_NODES:
        fail(f"more than {MAX_NODES} nodes")
    scopes = scopes_of(nodes, N)
    work = sum(
        (M ** len(scopes[f"n{k}"]) if whole_grid else 1)
        * sum(width * (M if m[0] == "x" else nodes[int(m[1:])][0]) for m, _ in pool)
        for k, (width, pool) in enumerate(nodes)
    )
    if work > MAX_WORK:
        fail(
            f"its forward pass needs {work} multiply-adds, more than this checker does ({MAX_WORK})"
        )
    if "F" in net:
        shaped(net["F"], [M, M], fail, "F")
    return work


def validate_v1(net: Network, fail: Fail) -> None:
    """The levels, widths, sharing and weight blocks of a v1 document (architecture shallow,
    deep, or a tree of explicit levels)."""
    N, arch = net["N"], net["architecture"]
    if (
        arch == "deep"
        and (N < 2 or N & (N - 1))
        or arch == "shallow"
        and N < 2
        or (arch == "tree") != ("levels" in net)
        or arch not in ("tree", "shallow", "deep")
    ):
        fail(f"architecture {ascii(arch)[:20]} does not fit N = {N} (or 'levels' misplaced)")
    levels, size = levels_of(net), N
    if not isinstance(levels, list) or not levels:
        fail("levels must be a non-empty list")
    for level in levels:
        ok = isinstance(level, list) and all(
            isinstance(w, list)
            and len(w) >= 2
            and all(isinstance(i, int) and not isinstance(i, bool) for i in w)
            for w in level
        )
        if not ok or sorted(i for window in level for i in window) != list(range(size)):
            fail("every level must partition the level below into windows of size >= 2")
        size = len(level)
    if size != 1:
        fail("the last level must be a single window (the root)")
    widths = net["widths"]
    if (
        not isinstance(widths, list)
        or len(widths) != len(levels)
        or not all(positive(w, MAX_WIDTH) for w in widths)
    ):
        fail(f"widths must be {len(levels)} positive integers <= {MAX_WIDTH}")
    shared = net.get("shared", False)
    if shared not in (True, False):
        fail("shared must be true or false")
    if "weights" in net:
        M = net["M"]
        counts = [N] + [len(level) for level in levels[:-1]]
        shapes = {
            f"layer{l}": ([] if shared else [counts[l]])
            + [widths[l], M if l == 0 else widths[l - 1]]
            for l in range(len(levels))
        }
        shapes["output"] = [widths[-1]]
        if not isinstance(net["weights"], dict) or set(net["weights"]) != set(shapes):
            fail(f"weights must have exactly the blocks {sorted(shapes)}")
        for key, shape in shapes.items():
            shaped(net["weights"][key], shape, fail, key)


def validate_v2(net: Network, fail: Fail) -> None:
    """The node list of a v2 document: members are positions or earlier nodes, each used once
    at least, every block with one shape, and the weight blocks of exactly those shapes."""
    N, nodes = net["N"], net["nodes"]
    if not isinstance(nodes, list) or not 1 <= len(nodes) <= MAX_NODES:
        fail(f"nodes must be a list of 1..{MAX_NODES} nodes")
    shapes: dict[str, list[int]] = {}
    used: set[str] = set()
    for k, node in enumerate(nodes):
        if (
            not isinstance(node, dict)
            or set(node) != {"width", "pool"}
            or not positive(node["width"], MAX_WIDTH)
            or not isinstance(node["pool"], list)
            or not node["pool"]
        ):
            fail(f"node {k} must be {{width: 1..{MAX_WIDTH}, pool: a non-empty list}}")
        members = []
        for entry in node["pool"]:
            if not (
                isinstance(entry, list)
                and len(entry) == 2
                and all(isinstance(e, str) for e in entry)
            ):
                fail(f"node {k}: pool entries are [member, block] strings")
            match, block = MEMBER.match(entry[0]), entry[1]
            if (
                not match
                or not BLOCK.match(block)
                or int(match.group(2)) >= (N if match.group(1) == "x" else k)
            ):
                fail(
                    f"node {k}: {ascii(entry)[:60]} is not a position or earlier node with a "
                    "block name"
                )
            dim = net["M"] if match.group(1) == "x" else nodes[int(match.group(2))]["width"]
            if shapes.setdefault(block, [node["width"], dim]) != [node["width"], dim]:
                fail(f"block {block} is used with two shapes")
            members.append(entry[0])
        if len(set(members)) != len(members):
            fail(f"node {k} lists a member twice")
        used.update(members)
    if used != {f"x{j}" for j in range(N)} | {f"n{k}" for k in range(len(nodes) - 1)}:
        fail("every position and every node but the root must be a member of a later node")
    output = net["output"]
    if not isinstance(output, str) or not BLOCK.match(output) or output in shapes:
        fail("output must name a block of its own")
    shapes[output] = [nodes[-1]["width"]]
    if "weights" in net:
        if not isinstance(net["weights"], dict) or set(net["weights"]) != set(shapes):
            fail(f"weights must have exactly the blocks {sorted(shapes)[:8]}")
        for key, shape in shapes.items():
            shaped(net["weights"][key], shape, fail, key)


def shaped(value: Any, shape: list[int], fail: Fail, what: str) -> None:
    """value is a nested list of exactly this shape with exact numbers at the leaves."""
    if not shape:
        number(value)
        return
    if not isinstance(value, list) or len(value) != shape[0]:
        fail(f"{what} must have shape {shape}")
    for x in value:
        shaped(x, shape[1:], fail, what)


def weight_at(net: Network, path: str) -> Fraction:
    """The exact number at a JSON path of net["weights"], e.g. "layer1[0][1][0]" or "A[1][0]"."""
    name, *indices = re.findall(r"[A-Za-z0-9_]+", path)
    value = net["weights"][name]
    for k in indices:
        value = value[int(k)]
    return number(value)


def template_matrix(net: Network) -> list[list[Fraction]]:
    """The M × M template matrix of a network document, F[d][k] = f_k(x^(d)), in Fractions:
    its "F" entry, the identity when it has none."""
    M = net["M"]
    if "F" in net:
        return [[number(x) for x in row] for row in net["F"]]
    return [[Fraction(int(i == k)) for k in range(M)] for i in range(M)]


def layer0(net: Network, j: int) -> Any:
    """Layer-0 weights of position j in a v1 document."""
    return net["weights"]["layer0"] if net.get("shared", False) else net["weights"]["layer0"][j]


def expected_nodes(inst: dict[str, Any]) -> tuple[list[Node], str]:
    """The node list of the named general architecture (as symtd's builders make it), for T4
    instances."""
    N, r, shared = inst["N"], inst["r"], inst["shared"]
    if inst["architecture"] == "recurrent":

        def name(kind: str, t: int) -> str:
            return kind if shared or kind == "A" else f"{kind}{t}"

        nodes: list[Node] = [(r, [("x0", "A"), ("x1", name("B", 1))])]
        nodes += [(r, [(f"n{t - 2}", name("C", t)), (f"x{t}", name("B", t))]) for t in range(2, N)]
        return nodes, "out"
    k, s = inst["kernel"], inst["stride"]
    if not (positive(k, MAX_KERNEL) and positive(s, k) and k >= 2):
        raise CheckFailed(
            f"overlapping instances need 2 <= kernel <= {MAX_KERNEL} and 1 <= stride <= kernel"
        )
    nodes, items, layer = [], [f"x{j}" for j in range(N)], 0
    while len(items) > 1 or layer == 0:
        n = len(items)
        starts = [0] if n <= k else list(range(0, n - k + 1, s))
        if starts[-1] + min(k, n) < n:
            starts.append(n - k)
        first = len(nodes)
        for t, start in enumerate(starts):
            nodes.append(
                (
                    r,
                    [
                        (m, f"W{layer + 1}_{i}" if shared else f"W{layer + 1}_{t}_{i}")
                        for i, m in enumerate(items[start : start + k])
                    ],
                )
            )
        items, layer = [f"n{first + t}" for t in range(len(starts))], layer + 1
        if len(nodes) > MAX_NODES:
            raise CheckFailed("the overlapping architecture is too large for this checker")
    return nodes, "out"


def expected_levels(architecture: str, N: int) -> list[list[list[int]]]:
    """Levels of the named v1 geometries (N = 2^L where binary)."""
    if architecture == "shallow":
        return [[list(range(N))]]
    pair = {
        "deep": lambda n: [[2 * t, 2 * t + 1] for t in range(n // 2)],
        "mirror": lambda n: [[i, n - 1 - i] for i in range(n // 2)],
        "dilated": lambda n: [[i, i + n // 2] for i in range(n // 2)],
    }[architecture]
    levels, size = [], N
    while size > 1:
        levels.append(pair(size))
        size //= 2
    return levels


def partition_rows(name: Any, net: Network) -> list[int] | None:
    """The rows of a named partition (odd-even, low-high, root, I=...) of a network, or None."""
    N = net["N"]
    if name == "odd-even":
        return list(range(0, N, 2))
    if name == "low-high":
        return list(range(N // 2))
    if name == "root":
        nodes, _ = structure(net)
        return list(scopes_of(nodes, N)[nodes[-1][1][0][0]])
    if isinstance(name, str) and re.fullmatch(r"I=([0-9]{1,9}(,[0-9]{1,9})*)?", name):
        return [int(x) for x in name[2:].split(",")] if name != "I=" else []
    return None


def require(nets: dict[str, Network], name: str, operator: str, architecture: str) -> None:
    """nets[name] is an unshared v1 network of this architecture and operator."""
    net = nets[name]
    if (
        net["format"] != "symtd-network/1"
        or net["operator"] != operator
        or net["architecture"] != architecture
        or net.get("shared", False)
    ):
        raise CheckFailed(f"network {name!r} must be an unshared {architecture} {operator} network")
