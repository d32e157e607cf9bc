"""Escaping untrusted text for LaTeX."""

from __future__ import annotations

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


def tex(text):
    """Plain text as LaTeX: specials escaped, the Unicode symbols symtd prints as math; lists
    plainly."""
    if isinstance(text, (list, tuple)):
        text = "(" + ", ".join(map(str, text)) + ")"
    text = str(text).replace("<=", "≤").replace(">=", "≥")
    out = "".join(_SPECIAL.get(ch, ch) for ch in text)
    for symbol, replacement in _UNICODE.items():
        out = out.replace(symbol, replacement)
    return "".join(ch if ord(ch) < 128 else "?" for ch in out)
