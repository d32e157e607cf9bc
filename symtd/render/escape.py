"""Escaping untrusted text for LaTeX, and prose whose powers are set as math."""

from __future__ import annotations

import re

_UNICODE = {
    "·": r"$\cdot$",
    "π": r"$\pi$",
    "≤": r"$\le$",
    "≥": r"$\ge$",
    "×": r"$\times$",
    "−": "-",
    "⁻¹": r"$^{-1}$",
    "λ": r"$\lambda$",
    "δ": r"$\delta$",
    "ρ": r"$\rho$",
    "γ": r"$\gamma$",
    "α": r"$\alpha$",
    "⊗": r"$\otimes$",
    "≡": r"$\equiv$",
    "′": "'",
    "–": "--",
    "—": "---",
}


_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\^{}",
    "|": r"$|$",
    "<": r"$<$",
    ">": r"$>$",
}


def tex(text: object) -> str:
    """Plain text as LaTeX: specials escaped, the Unicode symbols symtd prints as math; lists
    plainly."""
    if isinstance(text, (list, tuple)):
        text = "(" + ", ".join(map(str, text)) + ")"
    text = str(text).replace("<=", "≤").replace(">=", "≥")
    out = "".join(_SPECIAL.get(ch, ch) for ch in text)
    for symbol, replacement in _UNICODE.items():
        out = out.replace(symbol, replacement)
    return "".join(ch if ord(ch) < 128 else "?" for ch in out)


_ATOM = r"[A-Za-z0-9]+"
_GROUP = r"\([A-Za-z0-9 ,/+\-·*]{1,40}\)"  # only characters that are safe in math mode
_POWER = rf"(?:(?:min|max)?{_GROUP}|{_ATOM})\^(?:{_GROUP}|{_ATOM})"
_RELATION = r"\s*(?:<=|>=|≤|≥|=|<|>)\s*"
#: A power M^N, r^(N/2), min(r, M)^(N/2), with a relation "Z <= " before it and "+ 1" after.
_FORMULA = re.compile(
    rf"(?:{_ATOM}{_RELATION})?{_POWER}(?:\s*[+\-−]\s*{_ATOM}(?!\^))?(?:{_RELATION}{_ATOM}(?!\^))?"
)
_MATH = {"<=": r" \le ", "≤": r" \le ", ">=": r" \ge ", "≥": r" \ge ", "·": r" \cdot ", "−": "-"}


def _math(formula: str) -> str:
    """A matched formula in math mode: exponents braced, relations as \\le and \\ge."""
    formula = re.sub(r"\^\(([^()]*)\)", r"^{\1}", formula)
    formula = re.sub(r"\^([A-Za-z0-9]+)", r"^{\1}", formula)
    formula = re.sub(r"\b(min|max)\(", r"\\\1(", formula)
    formula = re.sub(r"\s*(<=|>=|≤|≥|·)\s*|−", lambda m: _MATH[m.group(1) or m.group(0)], formula)
    return "$" + formula + "$"


def tex_formulas(text: object) -> str:
    """Prose as LaTeX, like :func:`tex`, but with the powers written in plain text (M^N,
    r^(N/2), Z <= M^N + 1) set as math ($M^{N}$, $r^{N/2}$, $Z \\le M^{N} + 1$) instead of
    an escaped caret. Only letters, digits and ``( ,/+-·*)`` ever enter math mode.

    >>> print(tex_formulas("Z <= M^N + 1, rank r^(N/2) at 50%"))
    $Z \\le M^{N} + 1$, rank $r^{N/2}$ at 50\\%
    >>> print(tex_formulas("min(r, M)^(N/2) >= 4 and a^$"))
    $\\min(r, M)^{N/2} \\ge 4$ and a\\^{}\\$
    """
    if isinstance(text, (list, tuple)):
        text = "(" + ", ".join(map(str, text)) + ")"
    text = str(text)
    out, last = [], 0
    for match in _FORMULA.finditer(text):
        out += [tex(text[last : match.start()]), _math(match.group(0))]
        last = match.end()
    return "".join(out) + tex(text[last:])
