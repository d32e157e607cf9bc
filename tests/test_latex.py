"""LaTeX of decompositions, grid entries, matricizations and ranks; `symtd latex`."""

import contextlib
import io
import json
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symtd
from symtd import deep, grid_tensor, matricize, shallow, tree
from symtd.algebra.rank import rank
from symtd.circuits.formats import save_network
from symtd.cli import main
from symtd.render import report
from symtd.render.escape import tex_formulas
from symtd.render.latex import decomposition_latex, entry_latex, matrix_latex, rank_latex
from symtd.theorems.prove import prove


def test_shallow_is_generalized_cp_with_its_width_and_operator():
    text = decomposition_latex(shallow(3, 2, 5, "max"))
    assert (
        r"\sum_{z=1}^{5} a^{1,y}_{z}\; \mathbf{v}^{1,z} \otimes_{\max} \mathbf{v}^{2,z} "
        r"\otimes_{\max} \mathbf{v}^{3,z}" in text
    )
    assert r"\max\{a, b, 0\}" in text


def test_deep_is_ht_with_one_line_per_level_and_actual_widths():
    text = decomposition_latex(deep(8, 2, [3, 4, 2], "product"))
    assert text.count(r"\boldsymbol{\phi}^{") == 2 + 2 + 2  # two generic levels, root children
    assert r"\mathcal{T}^y" in text
    assert r"\sum_{\alpha=1}^{3} a^{1,t,\gamma}_{\alpha}" in text and r"\gamma \in [4]" in text
    assert (
        r"\sum_{\alpha=1}^{4} a^{2,t,\gamma}_{\alpha}" in text
        and r"t \in [2],\ \gamma \in [2]" in text
    )
    assert r"\mathcal{T}^y &= \sum_{\alpha=1}^{2} a^{3,y}_{\alpha}" in text


def test_any_tree_lists_every_node_with_its_positions():
    text = decomposition_latex(tree([[[0, 3], [1, 2]], [[0, 1]]], 2, [2, 2], "avg"))
    assert (
        r"\tfrac{1}{2}\left(\mathbf{v}^{1,\alpha} \otimes_{\mathrm{sum}} "
        r"\mathbf{v}^{4,\alpha}\right)" in text
    )
    assert (
        r"\tfrac{1}{2}\left(\mathbf{v}^{2,\alpha} \otimes_{\mathrm{sum}} "
        r"\mathbf{v}^{3,\alpha}\right)" in text
    )
    assert "in increasing order" in text


def test_general_circuits_are_written_as_their_equations():
    chain = decomposition_latex(symtd.recurrent(4, 2, 2, shared=False))
    assert chain.count(r"\boldsymbol{\phi}^{") >= 4 and r"\mathsf{C3}" in chain
    assert "generalized tree decomposition" in chain
    dag = decomposition_latex(symtd.overlapping(5, 2, 3, 1, 2, "max", shared=True))
    assert r"\rho\!\left(" in dag and "forward pass defines the grid tensor" in dag
    assert r"\mathsf{W1\_0}" in dag  # block names escaped
    big = decomposition_latex(symtd.recurrent(60, 2, 2))
    assert r"\vdots" in big and big.count(r"\gamma \in") == 40


def test_shared_weights_and_long_windows():
    text = decomposition_latex(deep(4, 2, [2, 2], "product", shared=True))
    assert r"a^{1,\gamma}_{\alpha}" in text and r"a^{1,t,\gamma}" not in text
    assert r"\otimes \cdots \otimes \mathbf{v}^{9,z}" in decomposition_latex(shallow(9, 2, 2))


@pytest.mark.slow
@pytest.mark.parametrize("operator", ["product", "max", "sum", "avg"])
def test_symbolic_entry_at_a_point_is_the_exact_grid_entry(operator):
    c = deep(4, 2, [2, 1], operator, F=[[1, 0], ["1/2", 2]])
    point = c.random_point(4, bound=9)
    G = grid_tensor(c.subs(point)).to_fractions()  # the exact forward pass, independent
    d = (1, 0, 1, 1)
    text = entry_latex(c, d)
    assert r"a^{0,1,1}_{1}" in text
    expr = grid_tensor(c, arithmetic="symbolic")[d]  # the printed expression, before printing
    if operator == "product":  # printed from the FLINT polynomial: the same terms as sympy's
        assert text.count(" + ") + text.count(" - ") + 1 == len(sympy.expand(expr).args) == 32
    else:
        assert sympy.latex(expr) == text
    value = expr.subs(
        {s: sympy.Rational(point[s].numerator, point[s].denominator) for s in expr.free_symbols}
    )
    assert Fraction(str(value)) == G[d]


def test_symbolic_entries_of_large_networks_are_refused_or_abridged():
    with pytest.raises(Exception, match="too long to typeset"):
        entry_latex(deep(16, 2, 2, "max"), (0,) * 16)
    with pytest.raises(Exception, match="may have 2,147,483,648 terms"):  # 2^(N-1), N = 32
        entry_latex(deep(32, 2, 2, "product"), (0,) * 32)
    text = entry_latex(deep(16, 2, 2, "product"), (0,) * 16)  # 32,768 terms, from FLINT
    assert text.endswith(r"\text{(32,768 terms; the first 20 shown)}") and len(text) < 20_000
    small = entry_latex(deep(8, 2, 2, "product"), (0,) * 8)
    assert r"\cdots" not in small and small.count(" + ") == 127


def test_concrete_entry_is_the_exact_rational():
    c = deep(4, 3, [2, 2], "avg")
    c = c.subs(c.random_point(3, bound=9))
    G = grid_tensor(c).to_fractions()
    for d in [(0, 0, 0, 0), (2, 1, 0, 2)]:
        x = G[d]
        text = entry_latex(c, d)
        m = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}|(-?\d+)", text)
        value = (
            Fraction(int(m[4])) if m[4] else Fraction(int(m[2]), int(m[3])) * (-1 if m[1] else 1)
        )
        assert value == x


def test_matrix_round_trips_and_rank_statement():
    c = deep(4, 2, [2, 2], "max")
    c = c.subs(c.random_point(5, bound=9))
    A = matricize(grid_tensor(c), (0, 2))
    text = matrix_latex(A)
    assert text.startswith(r"\left[\begin{array}{*{4}{c}}")
    rows = text.split("\n")[1:-1]
    parsed = [
        [
            Fraction(re.sub(r"\\frac\{(\d+)\}\{(\d+)\}", r"\1/\2", x).strip())
            for x in row.rstrip(" \\").split("&")
        ]
        for row in rows
    ]
    assert np.array_equal(np.array(parsed, dtype=object), A.to_fractions())
    assert rank_latex((0, 2), 4, rank(A)) == (
        rf"\operatorname{{rank}}\,[\mathcal{{T}}^y]_{{I,J}} = {rank(A)}, "
        r"\qquad I = \{1,3\},\ J = \{2,4\}"
    )


def test_sympy_latex_hooks():
    c = deep(4, 2, [2, 2], "max")
    assert sympy.latex(c) == decomposition_latex(c)
    A = matricize(grid_tensor(c.subs(c.random_point(1, bound=9))), (0, 2))
    assert sympy.latex(A) == matrix_latex(A)


def test_large_matrix_is_refused():
    with pytest.raises(Exception, match="too large to typeset"):
        matrix_latex(np.zeros((33, 2), dtype=object))


@pytest.fixture
def network_file(tmp_path):
    c = deep(4, 2, [2, 2], "max")
    path = tmp_path / "net.json"
    save_network(c.subs(c.random_point(1, bound=9)), path)
    return path


def test_cli_latex_kinds(network_file, capsys):
    assert main(["latex", str(network_file)]) == 0
    assert r"\otimes_{\max}" in capsys.readouterr().out
    assert main(["latex", str(network_file), "--what", "entry", "0,1,0,1", "--symbolic"]) == 0
    assert r"\max\left(" in capsys.readouterr().out
    assert main(["latex", str(network_file), "--what", "matricization", "odd-even"]) == 0
    out = capsys.readouterr().out
    assert r"\begin{array}{*{4}{c}}" in out and r"\operatorname{rank}" in out


@pytest.mark.parametrize(
    "what",
    [["entry", "0,1"], ["entry", "a,b,c,d"], ["matricization"], ["foo"], ["matricization", "I=9"]],
)
def test_cli_latex_bad_input_exits_2(network_file, what, capsys):
    assert main(["latex", str(network_file), "--what", *what]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symtd: error:") and err.count("\n") == 1


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is installed by .ci/run")
def test_everything_compiles_with_pdflatex(tmp_path):
    c = deep(4, 2, [2, 2], "max")
    concrete = c.subs(c.random_point(2, bound=9))
    A = matricize(grid_tensor(concrete), (0, 2))
    body = "\n".join(
        [
            decomposition_latex(tree([[[0, 3], [1, 2]], [[0, 1]]], 2, [2, 2], "avg")),
            decomposition_latex(deep(8, 2, [2, 2, 2], "product")),
            decomposition_latex(shallow(3, 2, 4, "sum")),
            r"\[",
            entry_latex(deep(4, 2, [1, 1], "max"), (0, 1, 0, 1)),
            r"\]",
            r"\[",
            matrix_latex(A),
            r"\]",
            r"\[",
            rank_latex((0, 2), 4, rank(A)),
            r"\]",
            r"\[",
            matrix_latex(np.arange(3 * 27).reshape(3, 27)),
            r"\]",  # > 10 columns
            decomposition_latex(deep(4, 2, [2, 2], "max", shared=True)),
            decomposition_latex(shallow(16, 3, 5, "avg")),
            decomposition_latex(symtd.recurrent(5, 2, 2, "max", shared=False)),
            decomposition_latex(symtd.overlapping(9, 2, 3, 1, 2, "sum", shared=True)),
            r"\[",
            entry_latex(symtd.overlapping(4, 2, 3, 1, 1), (0, 1, 1, 0)),
            r"\]",
        ]
    )
    (tmp_path / "t.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
        "\\begin{document}\n" + body + "\n\\end{document}\n"
    )
    subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert (tmp_path / "t.pdf").stat().st_size > 1000


# -- reports of symtd prove ---------------------------------------------------------------------
def test_report_text_escapes_specials_and_symbols():
    from symtd.render.escape import tex

    assert tex("Z <= M^N + 1, a_b & 50% π·λ ≥ 2") == (
        r"Z $\le$ M\^{}N + 1, a\_b \& 50\% $\pi$$\cdot$$\lambda$ $\ge$ 2"
    )
    assert tex(["-1", "1", "0"]) == "(-1, 1, 0)"


def test_report_of_a_refuted_run_says_so(tmp_path, capsys):
    path = tmp_path / "t3.tex"
    assert main(["prove", "T3", "--operator", "max", "--latex", str(path)]) == 1
    text = path.read_text()
    assert r"is \emph{refuted} by an exact counterexample" in text and "rank at a point 3" in text
    assert "report written to" in capsys.readouterr().err


def test_pdf_needs_latex(capsys):
    assert main(["prove", "T4", "--pdf"]) == 2


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is installed by .ci/run")
def test_prove_all_report_compiles_to_a_pdf_with_pages(tmp_path, capsys):
    path = tmp_path / "report.tex"
    assert main(["prove", "all", "--latex", str(path), "--pdf"]) == 0
    pages = int(re.search(r"report\.pdf \((\d+) pages?\)", capsys.readouterr().err)[1])
    assert pages >= 3 and (tmp_path / "report.pdf").stat().st_size > 10000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf", "report.tex"]
    text = path.read_text()
    assert text.count(r"\section*{T") == 7 and text.count(r"check: \textbf{passes}") == 26
    assert "FAILS" not in text and "?" not in text  # no unmapped Unicode symbol
    assert r"\^{}" not in text and "ˆ" not in text  # powers are math: $M^{N}$, $r^{N/2}$


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is installed by .ci/run")
@pytest.mark.parametrize(
    "args",
    [
        ["T3", "--operator", "max"],
        ["T1", "--N", "4", "--Z", "3"],
        ["T3", "--partition", "I=0"],
        ["T7", "--biases", "0,0,0"],
    ],
)
def test_reports_of_refuted_and_inconclusive_runs_compile(args, tmp_path, capsys):
    path = tmp_path / "r.tex"
    assert main(["prove", *args, "--latex", str(path), "--pdf"]) == 1
    assert (tmp_path / "r.pdf").stat().st_size > 1000


@pytest.mark.parametrize("name", ["r.pdf", "p%q.tex", ""])
def test_report_names_pdflatex_cannot_take_are_refused(name, capsys):
    assert main(["prove", "T4", "--latex", name]) == 2


@pytest.mark.slow  # runs the whole of prove T4 and writes its report
def test_pdf_without_pdflatex_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(report.shutil, "which", lambda name: None)
    assert main(["prove", "T4", "--latex", str(tmp_path / "r.tex"), "--pdf"]) == 0
    assert "pdflatex is not installed" in capsys.readouterr().err and (tmp_path / "r.tex").exists()


# -- --random-point SEED on architecture-only files (grid, rank, latex; draw in test_draw) ------
@pytest.fixture
def architecture_file(tmp_path):
    path = tmp_path / "arch.json"
    save_network(symtd.recurrent(4, 2, 2, shared=False), path)
    return str(path)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**40))
def test_random_point_is_the_python_at_random_point(seed):
    import tempfile

    circuit = symtd.recurrent(4, 2, 2, shared=False)
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/arch.json"
        save_network(circuit, path)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["grid", path, "--random-point", str(seed)]) == 0
            assert main(["rank", path, "--partition", "odd-even", "--random-point", str(seed)]) == 0
            assert (
                main(["latex", path, "--what", "entry", "0,1,1,0", "--random-point", str(seed)])
                == 0
            )
    grid, rank_line, entry = out.getvalue().splitlines()
    point = circuit.at_random_point(seed)  # integers uniform in [-10^6, 10^6]
    G = grid_tensor(point)
    assert json.loads(grid)["entries"] == G.to_strings()
    assert int(rank_line) == rank(matricize(G, (0, 2)))
    assert entry == entry_latex(point, (0, 1, 1, 0))


@pytest.mark.parametrize(
    "args",
    [
        ["grid", "NET"],
        ["rank", "NET", "--partition", "odd-even"],
        ["latex", "NET"],
        ["latex", "NET", "--what", "matricization", "odd-even"],
    ],
)
def test_random_point_is_refused_for_a_file_with_weights(args, network_file, capsys):
    args = [str(network_file) if a == "NET" else a for a in args]
    assert main([*args, "--random-point", "3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.endswith("the file has weights; drop --random-point\n")


def test_architecture_files_need_a_random_point_and_say_so(architecture_file, capsys):
    for args in (["grid"], ["rank", "--partition", "odd-even"]):
        assert main([args[0], architecture_file, *args[1:]]) == 2
        assert "give --random-point SEED" in capsys.readouterr().err
    what = ["--what", "matricization", "odd-even"]
    assert main(["latex", architecture_file, *what]) == 2
    err = capsys.readouterr().err
    assert "--random-point SEED" in err and "--symbolic" not in err and err.count("\n") == 1
    assert main(["latex", architecture_file, *what, "--symbolic"]) == 2
    assert "(drop --symbolic)" in capsys.readouterr().err
    assert main(["latex", architecture_file, *what, "--random-point", "-1"]) == 2
    assert main(["latex", architecture_file, *what, "--random-point", "1", "--symbolic"]) == 2
    capsys.readouterr()
    assert main(["latex", architecture_file, *what, "--random-point", "1"]) == 0
    assert r"\operatorname{rank}" in capsys.readouterr().out


# -- reports: powers typeset as math, and pdflatex's files left in a temporary folder ----------
def test_report_sets_powers_as_math_not_as_an_escaped_caret(tmp_path, capsys):
    path = tmp_path / "r.tex"
    assert main(["prove", "T1", "--latex", str(path)]) == 0
    text = path.read_text()
    assert r"\^{}" not in text and "ˆ" not in text
    assert r"$Z \le M^{N}$" in text and r"$M^{N}$ 8" in text
    rows = [prove("T4", N=4)]  # r^(N/2) in its statement and numbers
    text = report.report_latex(rows)
    assert r"\^{}" not in text and r"$r^{N/2}$" in text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="MNrZ()^/ <=+-12·$%_{}\\", max_size=30))
def test_formulas_are_safe_latex(text):
    out = tex_formulas(text).replace(r"\$", "")
    outside = re.sub(r"\$[^$]*\$", "", out)
    assert "$" not in outside  # math shifts come in pairs
    assert not re.search(r"[%_{}^\\]", re.sub(r"\\(?:\w+|\^)\{\}|\\[%_{}$]", "", outside))
    for formula in re.findall(r"\$[^$]*\$", out):  # only safe characters in math mode
        assert re.fullmatch(r"\$[A-Za-z0-9 ,/+\-*(){}^\\<>|]*\$", formula), formula
        assert formula.count("{") == formula.count("}")


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["M", "r", "2", "min(r, M)", "(N/2)"]),
    st.sampled_from(["N", "(N/2)", "L", "(N-1)"]),
    st.sampled_from(["", "Z <= ", "Z ≥ "]),
    st.sampled_from(["", " + 1", " - k"]),
)
def test_plain_text_powers_are_typeset_as_math(base, exponent, before, after):
    out = tex_formulas(f"a bound {before}{base}^{exponent}{after}, say")
    assert r"\^{}" not in out and "^{" + exponent.strip("()") + "}$" in out.replace(after, "")
    assert out.startswith("a bound $") and out.endswith("$, say")


def test_pdf_is_compiled_in_a_temporary_folder(tmp_path, monkeypatch, capsys):
    """A stand-in pdflatex that writes .aux, .log and .pdf where it runs: only the PDF comes
    back next to the .tex."""
    ran = []

    def pdflatex(argv, cwd, **kwargs):
        ran.append(cwd)
        for suffix in (".aux", ".log", ".pdf"):
            (Path(cwd) / argv[-1]).with_suffix(suffix).write_bytes(b"%PDF-1.5 stand-in")
        return subprocess.CompletedProcess(argv, 0, "Output written on report.pdf (3 pages", "")

    monkeypatch.setattr(report.shutil, "which", lambda name: "/usr/bin/pdflatex")
    monkeypatch.setattr(report.subprocess, "run", pdflatex)
    message = report.write_report([], tmp_path / "r.tex", pdf=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf", "r.tex"]
    assert Path(ran[0]) != tmp_path and not Path(ran[0]).exists()
    assert message.endswith("r.pdf (3 pages)")
