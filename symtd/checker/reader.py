"""The checker's reading of untrusted data: strict JSON, exact numbers, JSON equality, limits.

Everything here is standard library only; nothing is shared with the rest of symtd.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from typing import Any

FORMAT = "symtd-certificate/1"
MAX_DIGITS = 10_000  # decimal digits of one exact number, in all (symtd's reader uses the same)
CHUNK = 4_000  # digits converted at once: below Python's int/str conversion limit (4,300)
NUMBER = re.compile(r"[+-]?([0-9]+(/[0-9]+)?|[0-9]+\.[0-9]*|\.[0-9]+)\Z")
MAX_ENTRIES, MAX_WIDTH, MAX_NODES = 2**16, 2**12, 2**12
MAX_WORK = 2 * 10**6  # multiply-adds of one forward pass (a few seconds in Fractions)
MAX_RANK_WORK = 2 * 10**6  # of one exact rank, in the units of rank_cost (about 10 s)
MAX_NETWORKS, MAX_SYMBOLIC_WIDTH, MAX_SYMBOLIC_N = 64, 4, 16
MAX_SYMBOLIC_TUPLES = 256  # template tuples the symbolic T3 identity is expanded at
MAX_KERNEL = 64
MAX_FILE_WORK = 25 * MAX_WORK
MAX_MINOR_WORK = 10**7  # multiply-adds for the r² entries of one minor (a few seconds)
MAX_MINOR_ELIMINATION = 3 * 10**7  # r³ of one minor's elimination (r up to about 310)
MINOR_GROWTH = 16  # how far number sizes may stretch MAX_MINOR_WORK (about 500-bit numbers)
LIMITS = {
    "grid entries per network": MAX_ENTRIES,
    "width": MAX_WIDTH,
    "nodes": MAX_NODES,
    "forward work": MAX_WORK,
    "rank work m·n·r·(r·bits)^1.6/10^6": MAX_RANK_WORK,
    "networks per certificate": MAX_NETWORKS,
    "digits per number": MAX_DIGITS,
    "width in symbolic claims": MAX_SYMBOLIC_WIDTH,
    "N in symbolic claims": MAX_SYMBOLIC_N,
    "M^N in the symbolic T3 identity": MAX_SYMBOLIC_TUPLES,
    "overlapping kernel": MAX_KERNEL,
    "forward work per file": MAX_FILE_WORK,
    "multiply-adds for a minor's entries": MAX_MINOR_WORK,
    "r³ of a minor's elimination": MAX_MINOR_ELIMINATION,
    "a minor's work weighted by (1 + bits/64)^1.6, in MAX_MINOR_WORKs": MINOR_GROWTH,
}


class CheckFailed(Exception):
    """A certificate claim that does not hold (or cannot be read)."""


def loads(text: str | bytes) -> Any:
    """Parse certificate JSON strictly; ValueError for duplicate keys, NaN or long numbers."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for key, value in items:
            if key in obj:
                raise ValueError(f"duplicate key {ascii(key)[:40]}")
            obj[key] = value
        return obj

    def integer(digits: str) -> int:
        if digit_count(digits) > MAX_DIGITS:
            raise ValueError(f"a number has more than {MAX_DIGITS} digits")
        return to_int(digits)

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    def floating(digits: str) -> float:
        if digit_count(digits) > MAX_DIGITS:
            raise ValueError(f"a number has more than {MAX_DIGITS} digits")
        return float(digits)

    return json.loads(
        text,
        object_pairs_hook=pairs,
        parse_int=integer,
        parse_float=floating,
        parse_constant=constant,
    )


def digit_count(text: str) -> int:
    """The decimal digits of a number's text, in all (signs, "/" and "." not counted)."""
    return sum(ch.isdigit() for ch in text)


def to_int(text: str) -> int:
    """int(text) for a signed decimal integer of any length, in chunks below Python's
    int/str conversion limit (the process-wide limit is left as it is)."""
    sign, digits = (-1, text[1:]) if text[:1] == "-" else (1, text.lstrip("+"))
    if len(digits) <= CHUNK:
        return sign * int(digits)
    half = len(digits) // 2
    return sign * (to_int(digits[:half]) * 10 ** (len(digits) - half) + to_int(digits[half:]))


def number(x: Any) -> Fraction:
    """An exact number: a JSON integer or a string "-3", "-3/2", "0.25" (no spaces), of at
    most MAX_DIGITS decimal digits in all."""
    if (
        isinstance(x, bool)
        or not isinstance(x, (int, str))
        or (isinstance(x, str) and (digit_count(x) > MAX_DIGITS or not NUMBER.match(x)))
        or (isinstance(x, int) and abs(x) >= 10**MAX_DIGITS)
    ):
        raise CheckFailed(f"not an exact number: {ascii(x)[:40]}")
    if isinstance(x, int):
        return Fraction(x)
    sign, body = (-1, x[1:]) if x[0] == "-" else (1, x.lstrip("+"))
    if "/" in body:
        top, bottom = body.split("/")
        if not to_int(bottom):
            raise CheckFailed(f"zero denominator: {ascii(x)[:40]}")
        return sign * Fraction(to_int(top), to_int(bottom))
    if "." in body:
        whole, fraction = body.split(".")
        scale = 10 ** len(fraction)
        return sign * Fraction(to_int(whole or "0") * scale + to_int(fraction or "0"), scale)
    return sign * Fraction(to_int(body))


def positive(x: Any, limit: int) -> bool:
    """x is an integer (not a boolean) in 1..limit."""
    return isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= limit


def same(a: Any, b: Any) -> bool:
    """JSON equality that tells 4 from 4.0 and 1 from true (Python's == does not)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)
