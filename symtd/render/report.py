"""Standalone LaTeX reports of ``symtd prove`` runs (compile with pdflatex, no edits).

Per theorem: the statement, the instances with verdicts and key numbers, how it was
decided, a summary of each certificate (claims, networks, the independent checker's
result, the first network's decomposition) and the conclusion. Statement and method come
from the theorem's own module, through :mod:`symtd.theorems.registry`; their plain-text
powers (M^N, r^(N/2)) are typeset as math, never as an escaped caret.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from symtd.checker import CheckFailed, check
from symtd.circuits.formats import network_from_dict
from symtd.errors import SymtdError, escape
from symtd.render.escape import tex, tex_formulas
from symtd.render.latex import decomposition_latex
from symtd.theorems.prove import Row, instance_label
from symtd.theorems.registry import REGISTRY


def report_latex(rows: Sequence[Row]) -> str:
    """The whole document for a list of :class:`symtd.theorems.prove.Row`."""
    parts = [
        r"\documentclass[11pt]{article}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        r"\allowdisplaybreaks",
        r"\setlength{\parindent}{0pt}",
        r"\title{symtd theorem checks}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        _summary(rows),
    ]
    parts += [_section(row) for row in rows]
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


def _summary(rows: Sequence[Row]) -> str:
    lines = [
        r"\begin{tabular}{lll}",
        r"\textbf{theorem} & \textbf{verdict} & \textbf{time} \\ \hline",
    ]
    lines += [rf"{row.theorem} & {row.verdict} & {row.seconds:.2f}\,s \\" for row in rows]
    lines.append(r"\end{tabular}")
    verified = sum(row.verdict == "verified" for row in rows)
    return (
        "\n".join(lines)
        + f"\n\n\\medskip\n{verified} of {len(rows)} verified. "
        + "A verdict is ``verified'' only when every step was exact.\n"
    )


def _network_label(doc: dict) -> str:
    """ "deep max widths (2, 2)" for v1 documents, "v2 product, 4 nodes" for v2 ones."""
    if doc["format"] == "symtd-network/2":
        return f"v2 {tex(doc['operator'])} circuit, {len(doc['nodes'])} nodes"
    return f"{doc['architecture']} {doc['operator']} widths {tex(doc['widths'])}"


def _section(row: Row) -> str:
    spec = REGISTRY[row.theorem]
    out = [
        rf"\section*{{{row.theorem}}}",
        rf"\textbf{{Statement.}} {tex_formulas(spec.statement)}.",
        "",
        rf"\textbf{{How it was decided.}} {spec.method}",
        "",
        r"\textbf{Instances.}",
        r"\begin{itemize}",
    ]
    for v, expected in row.parts:
        numbers = ", ".join(f"{k} {x}" for k, x in v.numbers.items())
        note = f" (expected: {expected})" if expected != "verified" else ""
        reason = f" --- {tex_formulas(v.reason)}" if v.reason else ""
        out.append(
            rf"\item {tex_formulas(instance_label(v))}: \emph{{{v.verdict}}}{note}; "
            rf"{tex_formulas(numbers)}{reason}"
        )
    out.append(r"\end{itemize}")
    certificates = row.certificates
    if not certificates:
        out.append(
            r"\textbf{Certificates.} None: only verified checks and exact refutations of a "
            r"control carry certificates."
        )
    else:
        out.append(
            rf"\textbf{{Certificates}} ({len(certificates)}, re-checked by the independent "
            r"checker)."
        )
        out.append(r"\begin{itemize}")
    for cert in certificates:
        try:
            result = "passes" if check(cert) else "fails"
        except CheckFailed as exc:
            result = f"FAILS: {tex(exc)}"
        nets = "; ".join(
            f"{tex(name)}: {_network_label(net)}"
            for name, net in list(cert["networks"].items())[:3]
        )
        more = f" (and {len(cert['networks']) - 3} more)" if len(cert["networks"]) > 3 else ""
        kinds = ", ".join(sorted({tex(c["kind"]) for c in cert["claims"]}))
        out.append(rf"\item claims: {kinds}; networks: {nets}{more}; check: \textbf{{{result}}}")
    if certificates:
        out.append(r"\end{itemize}")
    decomposed = next(
        (net for cert in certificates for net in cert["networks"].values() if "weights" in net),
        None,
    )
    if decomposed is not None:
        out += [
            "The first certified network's decomposition:",
            decomposition_latex(network_from_dict(decomposed)),
        ]
    conclusion = {
        "verified": f"{row.theorem} is \\emph{{verified}} on every instance above: each was proved "
        "exactly, and its certificate re-checks.",
        "refuted": "the claim checked on this instance is \\emph{refuted} by an exact "
        "counterexample "
        "(see the instances); the theorem's own hypotheses may not hold here.",
        "inconclusive": "the check is \\emph{inconclusive}: some step could not be completed "
        "exactly (see the reasons).",
    }[row.verdict]
    out.append(rf"\textbf{{Conclusion.}} {conclusion}")
    return "\n".join(out)


def check_report_path(path: str | os.PathLike) -> Path:
    """A .tex file name pdflatex can take (letters, digits and ._+-) in a writable folder."""
    path = Path(path)
    if path.suffix != ".tex" or not re.fullmatch(r"[A-Za-z0-9._+-]+", path.name):
        raise SymtdError(
            f"report file must be a .tex name of letters, digits and ._+- (for pdflatex), "
            f"got {escape(path.name)}"
        )
    folder = path.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise SymtdError(
            f"cannot write the report: {escape(str(folder), 120)} is not a writable folder"
        )
    return path


def write_report(rows: Sequence[Row], path: str | os.PathLike, pdf: bool = False) -> str:
    """Write the .tex file; with pdf=True also compile it with pdflatex in a temporary folder
    and copy only the PDF back next to it (no .aux or .log left behind). Returns a message
    line."""
    path = check_report_path(path)
    text = report_latex(rows)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SymtdError(f"cannot write {path}: {exc.strerror}") from None
    if not pdf:
        return f"report written to {path}"
    if shutil.which("pdflatex") is None:
        return (
            f"report written to {path}; pdflatex is not installed, so no PDF (install TeX "
            "Live, then run pdflatex)"
        )
    with tempfile.TemporaryDirectory(prefix="symtd-latex-") as folder:
        source = Path(folder) / "report.tex"
        source.write_text(text, encoding="utf-8")
        try:
            done = subprocess.run(
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=300,
            )
        except subprocess.TimeoutExpired:
            raise SymtdError(f"pdflatex took more than 300 s on {path}") from None
        if done.returncode != 0:
            raise SymtdError(f"pdflatex failed on {path}: {_first_error(done.stdout)}")
        try:
            shutil.copyfile(source.with_suffix(".pdf"), path.with_suffix(".pdf"))
        except OSError as exc:
            raise SymtdError(f"cannot write {path.with_suffix('.pdf')}: {exc.strerror}") from None
    pages = re.search(r"Output written on report\.pdf \((\d+) pages?", done.stdout)
    size = f" ({pages[1]} page{'' if pages[1] == '1' else 's'})" if pages else ""
    return f"report written to {path} and {path.with_suffix('.pdf')}{size}"


def _first_error(log: str) -> str:
    """pdflatex's first error line ("! Undefined control sequence."), escaped, or a hint."""
    line = next((x for x in log.splitlines() if x.startswith("!")), "")
    return escape(line[1:].strip(), 200, quote=False) if line else "no error line in its log"
