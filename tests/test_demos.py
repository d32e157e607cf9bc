"""The lessons (demos/*.ipynb) run top to bottom with a real kernel and compute the known
results.

The lessons themselves assert nothing: they are read by students. Each one is executed here
with nbclient, and then, in the same kernel, a check cell asserts on the variables the lesson
computed: ranks that are theorems (r^(N/2), the root width, the T5 identity), the verdicts of
the theorem checks, the checker's acceptance and rejections, and the answers of the exercises.
A lesson that computes anything else fails its test."""

from __future__ import annotations

import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "demos").glob("*.ipynb"))

CHECKS = {
    "why_depth_matters": """
assert A.shape == (16, 16) and deep_rank == 16 == 2 ** (8 // 2)
assert [(N, r) for N, r, _ in rows] == [(2, 2), (2, 3), (4, 2), (4, 3), (8, 2), (8, 3), (16, 2)]
assert all(R == r ** (N // 2) for N, r, R in rows)
assert v.verdict == "verified" and v.numbers["odd-even rank"] == 81 and certificate_ok is True
assert shallow_rank == 5
assert exercise_1 == 9 and exercise_2 == 2 and exercise_3 == 16
assert all(verdicts[Z] == "beyond" for Z in range(12, 16))
""",
    "pooling_geometry": """
from collections import Counter
assert all_certified
assert all(s.certified and s.lower == s.upper for row in table.values() for s in row.values())
assert rank["contiguous"] == {"odd-even": 16, "low-high": 2, "{0,3,4,7}": 16}
assert rank["dilated"] == {"odd-even": 2, "low-high": 16, "{0,3,4,7}": 4}
assert rank["mirror"] == {"odd-even": 16, "low-high": 16, "{0,3,4,7}": 2}
assert rank["overlapping"] == {"odd-even": 16, "low-high": 16, "{0,3,4,7}": 16}
assert rank["recurrent"] == rank["tensor train"]
assert rank["recurrent"] == {"odd-even": 16, "low-high": 2, "{0,3,4,7}": 16}
assert root_ranks == {"contiguous": 2, "mirror": 2, "dilated": 2}
assert root_splits["mirror"] in ((0, 3, 4, 7), (1, 2, 5, 6))
assert all(cuts[name, p] == table[name][p].lower for name, p in cuts) and len(cuts) == 5
assert len(balanced) == 35 and uncertified == []
for name in ("contiguous", "mirror", "dilated"):
    assert Counter(ranks[name].values()) == Counter({2: 1, 4: 2, 8: 24, 16: 8}), name
    assert full_rank[name] == splitting[name], name
assert set(ranks["overlapping"].values()) == {16}
assert ranks["recurrent"] == ranks["tensor train"]
assert Counter(ranks["recurrent"].values()) == Counter({2: 1, 4: 8, 8: 18, 16: 8})
for p, (a, b) in more_templates.items():
    assert a.certified and b.certified and a.lower == rank["contiguous"][p] and b.lower == 54
for s in max_brackets.values():
    assert not s.polynomial and s.upper_bound == "matrix size" and 1 <= s.lower <= s.upper == 16
assert exercise_1.rows == (0, 2, 4, 6) and exercise_1.certified and exercise_1.lower == 2
assert [(s.lower, s.certified) for s in exercise_2.values()] == [(16, True), (3, True)]
assert exercise_3.certified and exercise_3.lower == 16
""",
    "max_vs_average_pooling": """
import numpy as np
assert t2.verdict == "verified" and t2_checked is True
assert all(v.verdict == "verified" and check(v.certificate) for v in t3.values())
assert t3_max.verdict == "refuted"
assert 1 <= avg_root_rank <= 2
assert is_identity and (identity == np.eye(16, dtype=int)).all()
assert t5.verdict == "verified" and t5.numbers["odd-even rank"] == 81
assert t6.verdict == "verified" and t6_checked is True and len(region) > 0
assert exercise_1 == 9
assert exercise_2 == {8: 2, 16: 16, 32: 2048}
assert exercise_3 and all(root_ranks[seed] > 2 for seed in exercise_3)
""",
    "measure_of_depth_efficiency": """
assert written == len(rows) == len(sweep.tasks) == 240
assert all(r["rank"] <= r["upper"] and r["rank_kind"] == "exact" for r in rows)
# ConvAC: the generic rank is certified (reached = min-cut = 2^(N/2)) and every draw is beyond
# any shallow ConvAC with fewer channels: complete depth efficiency, as T4 says
assert by["product", 8]["generic"] == 16 and by["product", 8]["Z8"][0] == 1.0
assert by["product", 4]["generic"] == 4 and by["product", 4]["Z2"][0] == 1.0
# ReLU + max: a shallow max network with Z channels reaches Z·(N/2)·M; here few draws beat it
assert by["max", 8]["generic"] is None and by["max", 8]["Z1"][0] < 0.5
assert report_table.count("|") > 20
assert sum(N8["product"].values()) == 40 and set(N8["product"]) == {16}
assert 0.9 < exercise_1[0] < 0.92 and exercise_1[1] == 1.0
assert exercise_2 == round(by["max", 8]["Z1"][0] * 40) and exercise_2 < 20
assert exercise_3 == [("product", 4), ("product", 8)]
""",
    "reading_a_certificate": """
assert v.verdict == "verified" and passes is True
assert symtd.matricization_rank(certified_net, "odd-even") == 4
assert list(tamper_verdicts) == ["one weight", "claimed rank", "one grid entry"]
assert all(text.startswith("rejected: ") for text in tamper_verdicts.values())
assert t6_passes is True and weaker_verdict.startswith("rejected: ")
assert exercise_1.startswith("rejected: ")
assert exercise_2 == (2, 2, True)
assert exercise_3 == ["rejected"] * len(region) and len(region) > 1
""",
    "your_own_architecture": """
assert chain.N == 4 and chain.is_concrete
assert [(p.label, p.lower, p.upper, p.certified, p.rechecked) for p in chain_parts] == [
    ("odd-even", 4, 4, True, True), ("low-high", 2, 2, True, True), ("root", 2, 2, True, True)]
assert brackets["deep_product_N8", "odd-even"].lower == 16
assert brackets["deep_product_N8", "odd-even"].certified
assert brackets["tensor_train_N8", "low-high"].upper == 2
assert brackets["avg_tree_N4", "low-high"].upper == 2
assert brackets["avg_tree_N4", "low-high"].bound == "sum/avg split"
assert not brackets["deep_max_N8", "odd-even"].certified
assert all(p.lower <= p.upper for p in brackets.values())
assert {k: c.verdict for k, c in comparisons.items()} == {
    "beyond": "beyond", "within": "within", "inconclusive": "inconclusive"}
assert [p.beyond for p in sweep["deep product"]] == [Z < 16 for Z in widths]
assert not any(p.beyond for p in sweep["deep max"])
assert at_scale.certified and at_scale.lower == at_scale.upper == 2
assert at_scale.upper_bound == "min-cut"
assert 2 <= interleaved.lower <= interleaved.upper == 2 ** 32 and not interleaved.certified
assert exercise_1.certified and exercise_1.lower == 3
assert {Z: r.verdict for Z, r in exercise_2.items()} == {3: "beyond", 4: "inconclusive"}
assert exercise_3.certified and exercise_3.lower == 2
""",
    "what_training_finds": """
# the teacher, deep(8, 2, 2) at a random point: 2^(8/2) odd-even, the root's width low-high
assert teacher_rank == {"odd-even": 16, "low-high": 2}
assert teacher_numerical["low-high"] == 2 and teacher_numerical["odd-even"] <= 16
# the export is the model's function: float64 forward pass = exact grid up to rounding
assert max_difference < 1e-9
# trained ConvACs are generic points: exact rank = the architecture's certified generic rank
deep, flat, relu = "deep product r=4", "shallow product Z=4", "deep max r=4"
assert table[deep, "odd-even"] == {"exact": 16, "numerical": table[deep, "odd-even"]["numerical"],
                                   "lower": 16, "upper": 16, "bound": "min-cut"}
assert table[deep, "low-high"]["exact"] == table[deep, "low-high"]["upper"] == 4
assert all(table[flat, I]["exact"] == table[flat, I]["upper"] == 4 for I in PARTITIONS)
# the numerical rank never exceeds the exact one, and the deep student's follows the teacher's
assert all(t["numerical"] <= t["exact"] <= t["upper"] for t in table.values())
assert table[deep, "low-high"]["numerical"] < 4 and table[deep, "odd-even"]["numerical"] < 16
# the deep ConvAC fits, the shallow one less well, ReLU+max not at all and below its generic rank
assert history[deep].test_metric > 0.99 and history[flat].test_metric < history[deep].test_metric
assert history[relu].train_metric < 0.5 and history[relu].test_metric < 0.5
assert table[relu, "odd-even"]["exact"] < table[relu, "odd-even"]["lower"] == 9
assert verdict.verdict == "beyond" and verdict.parts[0].rank == 16 and verdict.Z == 15
assert onnx_equal is True and back.is_concrete and shared_history.train_metric < 0.5
assert len(study) == 66 and len(summary) == 22
assert summary["teacher16", "deep product r=4"]["rank odd-even"] == "256 [256, 256]"
assert summary["teacher-product", "shallow avg Z=16"]["rank odd-even"] == "2 [2, 2]"
assert exercise_1 == (16, 16)
assert exercise_2 == {"shared": (True, True), "teacher": (False, False)}
assert exercise_3[:2] == (26, 30) and {s for s, *_ in exercise_3[2]} == {"digits"}
""",
}


def test_the_lessons():
    assert [p.stem for p in NOTEBOOKS] == sorted(CHECKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_lesson_asks_teaches_and_leaves_the_asserting_to_the_tests(path):
    """The question first, then theory with mathematics, exercises with folded solutions, and
    no assert for a student to read; figures are shown as outputs, not stored ones."""
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "**The question.**" in first.source and "$" in first.source
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert not any("assert " in cell.source for cell in code)
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert "## Exercises" in text and "## Solutions" in text
    solutions = [cell for cell in code if "hide-cell" in cell.metadata.get("tags", [])]
    assert len(solutions) >= 2 and all(cell.source.startswith("# Exercise") for cell in solutions)
    assert code[0].source.startswith("%matplotlib inline")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_lesson_computes_the_known_results(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(CHECKS[path.stem] + "\nprint('checked')"))
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()  # raises CellExecutionError (with the failing assert) on any error
    printed = "".join(
        out.get("text", "") for out in nb.cells[-1].outputs if out.get("name") == "stdout"
    )
    assert printed.split() == ["checked"]
    figures = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "image/png" in out.get("data", {})
    ]
    assert figures, "a lesson shows at least one figure"
