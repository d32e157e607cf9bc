"""``symtd prove``: theorem instances (default sets or one chosen instance) and the verdict table.

A row is "verified" only when every part is as expected (each part exact); a part
expected to be verified but refuted makes the row "refuted"; anything else is
"inconclusive". T7's non-covering control is a part whose expected verdict is
"refuted" (F singular, shown by an exact null vector).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from symtd import checker
from symtd.circuits.formats import network_to_dict
from symtd.errors import SymtdError, escape
from symtd.theorems import claims

THEOREMS = ("T1", "T2", "T3", "T4", "T5", "T6", "T7")
STATEMENTS = {
    "T1": "ConvAC universality: every tensor is a shallow (and deep) product network's grid, Z <= "
    "M^N",
    "T2": "ReLU-max universality: every tensor is a shallow (and deep) max network's grid, Z <= "
    "M^N + 1",
    "T3": "ReLU-sum/avg non-universality: rank <= 2 under the split for all weights; rank >= 3 "
    "unreachable",
    "T4": "ConvAC complete depth efficiency: odd-even rank r^(N/2) at a witness point (generic)",
    "T5": "ReLU-max depth efficiency exists: identity witness of size M^(N/2); max-term rank lemma",
    "T6": "ReLU-max depth efficiency is incomplete: an open region where deep = shallow with Z = 1",
    "T7": "Covering templates: F decided non-singular exactly; grid = generalized decomposition",
}
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
)
MAX_N = 32


@dataclass
class Row:
    """One theorem's row of the verdict table: its ``parts``, each a
    (:class:`~symtd.claims.Verdict`, expected verdict) pair."""

    theorem: str
    parts: list = field(default_factory=list)  # [(Verdict, expected verdict)]

    @property
    def verdict(self):
        """The row's verdict: "verified" when every part has its expected verdict, "refuted"
        when a part expected to be verified is refuted, "inconclusive" otherwise."""
        if all(v.verdict == expected for v, expected in self.parts):
            return "verified"
        if any(v.verdict == "refuted" and expected == "verified" for v, expected in self.parts):
            return "refuted"
        return "inconclusive"

    @property
    def seconds(self):
        """The wall time of all parts, in seconds."""
        return sum(v.seconds for v, _ in self.parts)

    @property
    def certificates(self):
        """The parts' certificates for :mod:`symtd.checker` (parts without one left out)."""
        return [v.certificate for v, _ in self.parts if v.certificate is not None]

    def to_dict(self):
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


def random_target(N, M, seed=0):
    """A random rational tensor of order N, size M (entries p/q, ``|p| <= 9``, q <= 4)."""
    return claims._random_rationals(np.random.default_rng(seed), (M,) * N)


def prove(theorem, **options):
    """Run a theorem's default instances, or the one instance the options describe; a :class:`Row`.

    Every instance is priced first: one whose certificate the independent checker would
    refuse (its LIMITS) is refused here, before any work.
    """
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise SymtdError(f"unknown option(s) {escape(sorted(unknown))}")
    if theorem not in THEOREMS:
        raise SymtdError(
            f"unknown theorem {escape(theorem)}; expected one of {', '.join(THEOREMS)} or all"
        )
    given = {k: v for k, v in options.items() if v is not None}
    seed = given.pop("seed", 0)
    _validate(given, seed)
    row = Row(theorem)
    for verdict, expected in _RUNS[theorem](given, seed):
        if verdict.certificate is not None:
            try:
                checker.precheck(verdict.certificate)
            except checker.CheckFailed as exc:
                raise SymtdError(
                    f"{theorem} instance refused: the independent checker would not accept "
                    f"its certificate ({exc})"
                ) from None
        row.parts.append((verdict, expected))
    return row


def _validate(given, seed):
    for key in ("N", "M", "r", "Z", "kernel", "stride"):
        if key in given and (
            isinstance(given[key], bool) or not isinstance(given[key], int) or given[key] < 1
        ):
            raise SymtdError(f"{key} must be a positive integer, got {escape(given[key])}")
    for w in given.get("widths", ()):
        if not 1 <= w <= checker.MAX_WIDTH:
            raise SymtdError(f"widths must be in 1..{checker.MAX_WIDTH}, got {w}")
    if given.get("kernel", 2) > checker.MAX_KERNEL or given.get("stride", 1) > given.get(
        "kernel", 3
    ):
        raise SymtdError(
            f"overlapping instances need 1 <= stride <= kernel <= {checker.MAX_KERNEL}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise SymtdError(f"seed must be an integer in 0..2^63-1, got {escape(seed)}")
    N, M = given.get("N", 4), given.get("M", len(given.get("templates", ())) or 2)
    if N > MAX_N:
        raise SymtdError(f"N = {N} is too large: theorem instances have at most {MAX_N} positions")
    entries(N, M)


def entries(N, M):
    """M^N, refused (SymtdError) beyond the checker's grid limit, computed without building a
    huge number."""
    if (
        M > 1
        and N * math.log2(M) > math.log2(checker.MAX_ENTRIES) + 1e-9
        or M ** min(N, MAX_N) > checker.MAX_ENTRIES
    ):
        raise SymtdError(
            f"M^N = {M}^{N} grid entries is too many: instances are limited to "
            f"{checker.MAX_ENTRIES} entries, because the certificate checker re-evaluates "
            f"every one"
        )
    return M**N


def affordable(theorem, circuits, rows=()):
    """Refuse (SymtdError) an instance whose certificate the independent checker would refuse:
    each planned network's structure and forward cost, each exact rank's cost."""
    try:
        for k, c in enumerate(circuits):
            checker.validate(network_to_dict(c, weights=False), f"net{k}")
            for I in rows:
                checker._rank_cost(c.N, c.M, list(I), [1])
    except checker.CheckFailed as exc:
        raise SymtdError(
            f"{theorem} instance too large: its certificate would exceed the independent "
            f"checker's limits ({exc})"
        ) from None


def prove_all(seed=0):
    """The default instances of every theorem T1..T7: one :class:`Row` each, in order."""
    return [prove(t, seed=seed) for t in THEOREMS]


def _unused(given, allowed, theorem):
    extra = set(given) - set(allowed)
    if extra:
        raise SymtdError(
            f"{theorem} takes no option(s) {', '.join('--' + k for k in sorted(extra))}; "
            f"it takes {', '.join('--' + k for k in allowed) or 'none'}"
        )


def _universality(operator, theorem):
    def run(given, seed):
        _unused(given, ("N", "M", "Z", "architecture"), theorem)
        if given:
            N, M = given.get("N", 3), given.get("M", 2)
            arch = given.get("architecture", "shallow")
            Z = entries(N, M) + (operator == "max")
            if Z > checker.MAX_WIDTH:
                raise SymtdError(
                    f"{theorem} with M^N = {M}^{N} may need Z = {Z} channels, more than the "
                    f"checker's width limit {checker.MAX_WIDTH}"
                )
            affordable(
                theorem,
                [
                    claims._network(
                        arch,
                        N,
                        M,
                        [Z] * (1 if arch == "shallow" else claims._levels_count(N)),
                        operator,
                    )
                ],
            )
            yield (
                claims.check_universality(
                    random_target(N, M, seed), operator, arch, Z=given.get("Z")
                ),
                "verified",
            )
            return
        yield claims.check_universality(random_target(3, 2, seed), operator, "shallow"), "verified"
        yield claims.check_universality(random_target(4, 2, seed), operator, "deep"), "verified"

    return run


def _t3(given, seed):
    _unused(given, ("N", "M", "widths", "operator", "architecture", "partition"), "T3")
    if given:
        arch, N, M = given.get("architecture", "deep"), given.get("N", 4), given.get("M", 2)
        net = claims._network(arch, N, M, given.get("widths"), given.get("operator", "sum"))
        widths = [node.width for node in net.nodes]
        if (
            N > checker.MAX_SYMBOLIC_N
            or max(widths) > checker.MAX_SYMBOLIC_WIDTH
            or entries(N, M) > checker.MAX_SYMBOLIC_TUPLES
        ):
            raise SymtdError(
                f"T3 is proved symbolically for all weights: at most N = {checker.MAX_SYMBOLIC_N}, "
                f"widths <= {checker.MAX_SYMBOLIC_WIDTH} and M^N <= "
                f"{checker.MAX_SYMBOLIC_TUPLES} (the checker's limits)"
            )
        rows = claims.partition(
            given.get("partition") or ("odd-even" if arch == "shallow" else "root"), net
        )
        affordable("T3", [net], [rows])
        yield (
            claims.check_t3(
                N,
                M,
                arch,
                given.get("operator", "sum"),
                given.get("widths"),
                given.get("partition"),
                seed=seed,
            ),
            "verified",
        )
        return
    for architecture in ("shallow", "deep"):
        for operator in ("sum", "avg"):
            yield claims.check_t3(4, 2, architecture, operator, seed=seed), "verified"
    yield claims.check_t3(4, 3, "recurrent", "sum", seed=seed), "verified"


T4_GENERAL = (
    ("recurrent", 8, 2, 2, True),
    ("recurrent", 6, 3, 2, False),
    ("overlapping", 6, 3, 2, True),
)


def _t4(given, seed):
    arch = given.get("architecture", "deep")
    if arch == "deep":
        _unused(given, ("N", "M", "r", "architecture"), "T4")
    else:
        _unused(
            given,
            ("N", "M", "r", "Z", "architecture", "partition", "kernel", "stride", "shared"),
            "T4",
        )
    if given and arch == "deep":
        N, M = given.get("N", 4), given.get("M", 2)
        if N < 4 or N & (N - 1):
            raise SymtdError(f"T4 needs a deep network with N = 2^L >= 4, got N = {N}")
        r = given.get("r", M)
        net = claims.deep(N, M, r, "product")
        affordable("T4", [net], [range(0, N, 2)])
        yield claims.check_t4(N, M, r, seed), "verified"
        return
    if given:
        N, M, r = given.get("N", 6), given.get("M", 2), given.get("r", 2)
        kernel, stride = given.get("kernel", 3), given.get("stride", 1)
        if N < 2:
            raise SymtdError("T4 needs N >= 2")
        net = claims.general_architecture(arch, N, M, r, given.get("shared", True), kernel, stride)
        rows = claims.partition(given.get("partition", "odd-even"), net)
        affordable("T4", [net], [rows])
        yield (
            claims.check_t4_general(
                arch,
                N,
                M,
                r,
                given.get("Z"),
                given.get("partition", "odd-even"),
                kernel,
                stride,
                given.get("shared", True),
                seed,
            ),
            "verified",
        )
        return
    for N, M, r in ((4, 2, 2), (8, 2, 2), (4, 3, 3), (8, 3, 3)):
        yield claims.check_t4(N, M, r, seed), "verified"
    for architecture, N, M, r, shared in T4_GENERAL:
        yield claims.check_t4_general(architecture, N, M, r, shared=shared, seed=seed), "verified"


T5_LEMMA = ((6, 3, 2, 20), (8, 2, 1, 15), (4, 3, 1, 15))  # (N, M, Z, networks): 50 in all


def _t5(given, seed):
    _unused(given, ("N", "M"), "T5")
    sizes = [(given.get("N", 4), given.get("M", 2))] if given else [(4, 2), (8, 2), (8, 3)]
    for N, M in sizes:
        if given:
            affordable("T5", [claims.t5_witness(N, M)], [range(0, N, 2)])
        yield claims.check_t5(N, M), "verified"
    if not given:
        for N, M, Z, count in T5_LEMMA:
            yield claims.check_t5_lemma(N, M, Z, count, seed), "verified"


def _t6(given, seed):
    _unused(given, ("N", "M", "widths"), "T6")
    if given:
        N, M = given.get("N", 4), given.get("M", 2)
        widths = given.get("widths") or [2] * claims._levels_count(N)
        if N > checker.MAX_SYMBOLIC_N or max(widths) > checker.MAX_SYMBOLIC_WIDTH:
            raise SymtdError(
                f"T6 is proved symbolically on a region: at most N = {checker.MAX_SYMBOLIC_N} "
                f"and widths <= {checker.MAX_SYMBOLIC_WIDTH} (the checker's limits)"
            )
        affordable("T6", [claims.deep(N, M, list(widths), "max"), claims.shallow(N, M, 1, "max")])
        yield claims.check_t6(N, M, given.get("widths"), seed=seed), "verified"
        return
    yield claims.check_t6(4, 2, [2, 2], seed=seed), "verified"
    yield claims.check_t6(8, 2, [2, 2, 2], seed=seed), "verified"


def _t7(given, seed):
    _unused(given, ("N", "templates", "biases", "widths", "operator"), "T7")
    options = {k: given[k] for k in ("N", "widths", "operator") if k in given}
    templates = given.get("templates", (1, 2, 3))
    biases = given.get(
        "biases",
        (0, Fraction(3, 2), Fraction(5, 2))
        if len(templates) == 3
        else tuple(Fraction(t) - Fraction(1, 2) for t in templates),
    )
    if given:
        N = given.get("N", 4)
        widths = given.get("widths") or [2] * claims._levels_count(N)
        affordable(
            "T7", [claims.deep(N, len(templates), list(widths), given.get("operator", "max"))]
        )
    yield claims.check_t7(templates, biases, seed=seed, **options), "verified"
    if "templates" not in given and "biases" not in given:  # the non-covering control
        yield claims.check_t7(templates, (0,) * len(templates), seed=seed, **options), "refuted"


_RUNS = {
    "T1": _universality("product", "T1"),
    "T2": _universality("max", "T2"),
    "T3": _t3,
    "T4": _t4,
    "T5": _t5,
    "T6": _t6,
    "T7": _t7,
}


# -- presentation -------------------------------------------------------------------------
def instance_label(v):
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


def _short(x):
    if isinstance(x, (list, tuple)):
        return "(" + ",".join(map(str, x)) + ")"
    return str(x)


def table(rows):
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


def to_json(rows):
    """Rows as a JSON list of their :meth:`Row.to_dict` (``symtd prove --json``)."""
    return json.dumps([r.to_dict() for r in rows], indent=1, default=str)
