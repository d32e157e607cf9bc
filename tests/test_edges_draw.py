"""`symtd draw` on any v2 circuit shape and any symbolic file: a picture or one line, exit 2."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symtd.cli import main

PNG = b"\x89PNG\r\n\x1a\n"


def random_v2(seed: int, weights: bool) -> dict:
    """A random small v2 document: nodes pool 1-3 members (positions or earlier nodes)."""
    rng = random.Random(seed)
    N, K, M = rng.randint(1, 5), rng.randint(1, 4), rng.randint(1, 3)
    unused, nodes, shapes = [f"x{j}" for j in range(N)], [], {}
    widths = [rng.randint(1, 3) for _ in range(K)]
    for k in range(K):
        pool = list(unused) if k == K - 1 else rng.sample(unused, min(len(unused), 2))
        if k and rng.random() < 0.3 and f"n{k - 1}" not in pool:
            pool.append(f"n{k - 1}")
        pool = pool or [f"n{k - 1}" if k else "x0"]
        for m in pool:
            if m in unused:
                unused.remove(m)
        unused.append(f"n{k}")
        entries = []
        for m in pool:
            dim = M if m[0] == "x" else widths[int(m[1:])]
            name = f"B{len(shapes)}"
            shapes[name] = (widths[k], dim)
            entries.append([m, name])
        nodes.append({"width": widths[k], "pool": entries})
    doc = {
        "format": "symtd-network/2",
        "N": N,
        "M": M,
        "operator": rng.choice(["product", "max", "sum", "avg"]),
        "nodes": nodes,
        "output": "out",
    }
    if weights:
        shapes["out"] = (widths[-1],)
        doc["weights"] = {
            name: [str(rng.randint(-3, 3)) for _ in range(s[0])]
            if len(s) == 1
            else [[str(rng.randint(-3, 3)) for _ in range(s[1])] for _ in range(s[0])]
            for name, s in shapes.items()
        }
    return doc


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.booleans(), st.sampled_from([None, "odd-even", "I=0"]))
def test_draw_writes_a_png_or_refuses_in_one_line(tmp_path_factory, seed, weights, spec):
    folder = tmp_path_factory.mktemp("draw")
    path, out = folder / "net.json", folder / "out.png"
    path.write_text(json.dumps(random_v2(seed, weights)))
    args = ["draw", str(path), "--out", str(out)] + (["--matricization", spec] if spec else [])
    status = main(args)
    if status == 0:
        assert out.read_bytes()[:8] == PNG
    else:
        assert status == 2


def test_one_node_v2_circuit_is_drawn(tmp_path, capsys):
    doc = {
        "format": "symtd-network/2",
        "N": 2,
        "M": 2,
        "operator": "max",
        "nodes": [{"width": 1, "pool": [["x0", "A"], ["x1", "A"]]}],
        "output": "out",
        "weights": {"A": [["1", "2"]], "out": ["1"]},
    }
    (tmp_path / "one.json").write_text(json.dumps(doc))
    assert main(["draw", str(tmp_path / "one.json"), "--out", str(tmp_path / "o.png")]) == 0
    assert (tmp_path / "o.png").read_bytes()[:8] == PNG


def test_heatmap_of_a_file_without_weights_is_one_line(tmp_path, capsys):
    doc = random_v2(3, weights=False)
    (tmp_path / "a.json").write_text(json.dumps(doc))
    status = main(
        [
            "draw",
            str(tmp_path / "a.json"),
            "--out",
            str(tmp_path / "h.png"),
            "--matricization",
            "I=0",
        ]
    )
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("symtd: error:") and err.count("\n") == 1
    assert "concrete weights" in err
