"""``symtd prove``: theorem instances (default sets or one chosen instance) and the verdict table.

A row is "verified" only when every part is as expected (each part exact); a part
expected to be verified but refuted makes the row "refuted"; anything else is
"inconclusive". T7's non-covering control is a part whose expected verdict is
"refuted" (F singular, shown by an exact null vector). What each theorem states, takes and
runs comes from :mod:`symtd.theorems.registry`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from symtd import checker
from symtd.errors import SymtdError, escape
from symtd.theorems.common import (
    MAX_N,
    Verdict,
    affordable,
    entries,
    random_target,
    validate_options,
)
from symtd.theorems.registry import REGISTRY, THEOREMS, lookup
from symtd.theorems.t4_convac_depth_efficiency import T4_GENERAL
from symtd.theorems.t5_relu_max_depth_efficiency import T5_LEMMA

__all__ = [
    "MAX_N",
    "OPTIONS",
    "STATEMENTS",
    "T4_GENERAL",
    "T5_LEMMA",
    "THEOREMS",
    "Row",
    "affordable",
    "entries",
    "instance_label",
    "prove",
    "prove_all",
    "random_target",
    "table",
    "to_json",
]

STATEMENTS = {name: t.statement for name, t in REGISTRY.items()}
OPTIONS = (
    "N",
    "M",
    "r",
    "widths",
    "Z",
    "operator",
    "architecture",
    "partition",
    "seed",
    "templates",
    "biases",
    "kernel",
    "stride",
    "shared",
    "network",
)


@dataclass
class Row:
    """One theorem's row of the verdict table: its ``parts``, each a
    (:class:`~symtd.theorems.common.Verdict`, expected verdict) pair."""

    theorem: str
    parts: list[tuple[Verdict, str]] = field(default_factory=list)  # (Verdict, expected)

    @property
    def verdict(self) -> str:
        """The row's verdict: "verified" when every part has its expected verdict, "refuted"
        when a part expected to be verified is refuted, "inconclusive" otherwise."""
        if all(v.verdict == expected for v, expected in self.parts):
            return "verified"
        if any(v.verdict == "refuted" and expected == "verified" for v, expected in self.parts):
            return "refuted"
        return "inconclusive"

    @property
    def seconds(self) -> float:
        """The wall time of all parts, in seconds."""
        return sum(v.seconds for v, _ in self.parts)

    @property
    def certificates(self) -> list[dict]:
        """The parts' certificates for :mod:`symtd.checker` (parts without one left out)."""
        return [v.certificate for v, _ in self.parts if v.certificate is not None]

    def to_dict(self) -> dict:
        """The row as JSON-ready data: theorem, verdict, seconds, statement and every part."""
        return {
            "theorem": self.theorem,
            "verdict": self.verdict,
            "seconds": round(self.seconds, 3),
            "statement": STATEMENTS[self.theorem],
            "parts": [
                {
                    "instance": v.instance,
                    "verdict": v.verdict,
                    "expected": expected,
                    "numbers": v.numbers,
                    "reason": v.reason,
                    "seconds": round(v.seconds, 3),
                }
                for v, expected in self.parts
            ],
        }


def prove(theorem: str, **options: Any) -> Row:
    """Run a theorem's default instances, or the one instance the options describe; a :class:`Row`.

    Every instance is priced first: one whose certificate the independent checker would
    refuse (its LIMITS) is refused here, before any work.
    """
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise SymtdError(f"unknown option(s) {escape(sorted(unknown))}")
    spec = lookup(theorem)
    given = {k: v for k, v in options.items() if v is not None}
    seed = given.pop("seed", 0)
    validate_options(given, seed)
    spec.check_options(given)
    row = Row(spec.name)
    for verdict, expected in spec.run(given, seed):
        if verdict.certificate is not None:
            try:
                checker.precheck(verdict.certificate)
            except checker.CheckFailed as exc:
                raise SymtdError(
                    f"{spec.name} instance refused: the independent checker would not accept "
                    f"its certificate ({exc})"
                ) from None
        row.parts.append((verdict, expected))
    return row


def prove_all(seed: int = 0) -> list[Row]:
    """The default instances of every theorem T1..T7: one :class:`Row` each, in order."""
    return [prove(name, seed=seed) for name in THEOREMS]


# -- presentation -------------------------------------------------------------------------
def instance_label(v: Verdict) -> str:
    """E.g. "deep sum N=4 M=2 widths=(2,2) I=(0,1)": names first, then sizes."""
    inst = v.instance
    words = ["lemma"] if inst.get("part") == "lemma" else []
    words += [str(inst[k]) for k in ("architecture", "operator") if k in inst]
    words += [
        f"{k}={_short(inst[k])}"
        for k in ("N", "M", "r", "Z", "widths", "live", "templates", "biases")
        if k in inst
    ]
    words += [f"I={_short(inst['rows'])}"] if "rows" in inst else []
    return " ".join(words)


def _short(x: Any) -> str:
    if isinstance(x, (list, tuple)):
        return "(" + ",".join(map(str, x)) + ")"
    return str(x)


def table(rows: Sequence[Row]) -> str:
    """The verdict table: one line per part, the row's verdict and time on its first line."""
    lines = [f"{'theorem':8}{'verdict':14}{'time':>8}  {'instance':54}key numbers"]
    for row in rows:
        for k, (v, expected) in enumerate(row.parts):
            numbers = ", ".join(f"{key} {_short(value)}" for key, value in v.numbers.items())
            note = "" if v.verdict == expected else f"  [{v.verdict}: {v.reason}]"
            if expected == "refuted" and v.verdict == expected:
                note = f"  [control, {v.verdict} as expected: {v.reason}]"
            head = f"{row.theorem:8}{row.verdict:14}{row.seconds:7.2f}s" if k == 0 else " " * 30
            lines.append(f"{head}  {instance_label(v):54}{numbers}{note}")
    verified = sum(r.verdict == "verified" for r in rows)
    lines.append(f"{verified} of {len(rows)} verified in {sum(r.seconds for r in rows):.1f} s")
    return "\n".join(lines)


def to_json(rows: Sequence[Row]) -> str:
    """Rows as a JSON list of their :meth:`Row.to_dict` (``symtd prove --json``)."""
    return json.dumps([r.to_dict() for r in rows], indent=1, default=str)
