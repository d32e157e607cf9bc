"""What every theorem module shares: the :class:`Verdict` of one instance, the
:class:`Theorem` record the registry holds, certificate documents, exact random rationals,
networks by architecture name, and the pricing that keeps every instance within the
independent checker's limits.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, TypeVar, cast

import numpy as np

from symtd import checker
from symtd.algebra.rational import format_rational
from symtd.checker import FORMAT
from symtd.circuits.builders import deep, dilated, mirror, recurrent, shallow
from symtd.circuits.circuit import Circuit
from symtd.circuits.formats import network_to_dict
from symtd.errors import SymtdError, escape

MAX_N = 32  # positions of a theorem instance


# -- verdicts --------------------------------------------------------------------------------
@dataclass
class Verdict:
    """The outcome of one theorem instance: its verdict ("verified", "refuted" or
    "inconclusive"), key numbers, time, the certificate to re-check and the reason for a
    verdict other than "verified".

    Build one with :meth:`verified`, :meth:`refuted` or :meth:`inconclusive`; a check wrapped
    in :func:`~symtd.theorems.common.timed` gets its wall time filled in.
    """

    theorem: str
    instance: dict
    verdict: str  # "verified" | "refuted" | "inconclusive"
    numbers: dict
    seconds: float
    certificate: dict | None = field(repr=False)  # None when there is nothing to re-check
    reason: str = ""  # why the verdict is not "verified"

    @classmethod
    def verified(
        cls, theorem: str, instance: dict, numbers: dict, certificate: dict | None
    ) -> Verdict:
        """Every step was exact and the claim holds; ``certificate`` re-checks it."""
        return cls(theorem, instance, "verified", numbers, 0.0, certificate)

    @classmethod
    def refuted(
        cls,
        theorem: str,
        instance: dict,
        numbers: dict,
        reason: str,
        certificate: dict | None = None,
    ) -> Verdict:
        """An exact counterexample; ``certificate`` (when given) carries it for the checker."""
        return cls(theorem, instance, "refuted", numbers, 0.0, certificate, reason)

    @classmethod
    def inconclusive(cls, theorem: str, instance: dict, numbers: dict, reason: str) -> Verdict:
        """Neither proved nor refuted exactly; no certificate."""
        return cls(theorem, instance, "inconclusive", numbers, 0.0, None, reason)


C = TypeVar("C", bound=Callable[..., Verdict])


def timed(check: C) -> C:
    """Wrap a check so that the :class:`Verdict` it returns carries its wall time in seconds."""

    @functools.wraps(check)
    def run(*args: Any, **kwargs: Any) -> Verdict:
        start = time.perf_counter()
        verdict = check(*args, **kwargs)
        return replace(verdict, seconds=time.perf_counter() - start)

    return cast(C, run)


# -- the registry's record -------------------------------------------------------------------
Run = Callable[[dict, int], Iterable[tuple[Verdict, str]]]


@dataclass(frozen=True)
class Theorem:
    """One of T1–T7: its statement, how it is decided (LaTeX, for reports), the options of
    ``symtd prove`` it takes with their defaults (None: derived from the others), and
    ``run(given, seed)``, which yields (Verdict, expected verdict) pairs: the default instances
    when ``given`` is empty, else the one instance the options describe."""

    name: str
    statement: str
    method: str
    options: Mapping[str, Any]
    run: Run
    accepts: Callable[[dict], Sequence[str]] | None = None  # options allowed given the others
    # the forms of an instance, when there are several: form label -> the options it takes,
    # and which form the given options select (its label must be a key of ``forms``)
    forms: Mapping[str, Sequence[str]] = field(default_factory=dict)
    form: Callable[[dict], str] | None = None

    def check_options(self, given: dict) -> None:
        """Refuse (SymtdError) an option this theorem does not take, naming those it takes;
        with several forms, the form the other options select and the forms that do take
        the refused options."""
        allowed = tuple(self.accepts(given) if self.accepts else self.options)
        extra = set(given) - set(allowed)
        if not extra:
            return
        names = ", ".join("--" + k for k in sorted(extra))
        takes = ", ".join("--" + k for k in allowed) or "none"
        if self.form is None:
            raise SymtdError(f"{self.name} takes no option(s) {names}; it takes {takes}")
        here = self.form(given)
        elsewhere = [
            f"--{k}: with {', or with '.join(f for f, opts in self.forms.items() if k in opts)}"
            for k in sorted(extra)
            if any(k in opts for opts in self.forms.values())
        ]
        hint = f" ({'; '.join(elsewhere)})" if elsewhere else ""
        raise SymtdError(
            f"{self.name} takes no option(s) {names} with {here}; there it takes {takes}{hint}"
        )


# -- certificates and exact random data ----------------------------------------------------
def certificate(theorem: str, instance: dict, networks: dict, claims: list) -> dict:
    """A certificate document; symtd.checker re-verifies it from these data alone."""
    return {
        "format": FORMAT,
        "theorem": theorem,
        "instance": instance,
        "networks": networks,
        "claims": claims,
    }


def random_rationals(rng: np.random.Generator, shape: Sequence[int], sign: int = 0) -> np.ndarray:
    """Random rationals p/q with 1 <= q <= 4 and |p| <= 9; sign +1 / -1: strictly positive /
    negative."""
    size = int(np.prod(shape))
    p = rng.integers(1, 10, size) * sign if sign else rng.integers(-9, 10, size)
    q = rng.integers(1, 5, size)
    return np.array([Fraction(int(a), int(b)) for a, b in zip(p, q)], dtype=object).reshape(shape)


def random_target(N: int, M: int, seed: int = 0) -> np.ndarray:
    """A random rational tensor of order N, size M (entries p/q, ``|p| <= 9``, q <= 4)."""
    return random_rationals(np.random.default_rng(seed), (M,) * N)


def strings(array: Any) -> list:
    """Nested lists of exact rational strings ("3/2") for an array of rationals."""
    return np.vectorize(format_rational, otypes=[object])(np.asarray(array, dtype=object)).tolist()


# -- networks by architecture ----------------------------------------------------------------
def levels_count(N: int) -> int:
    """L with N = 2^L >= 2 (a deep network's levels); SymtdError otherwise."""
    L = N.bit_length() - 1
    if N < 2 or N != 2**L:
        raise SymtdError(f"a deep network needs N = 2^L >= 2, got N = {N}")
    return L


TREES = ("shallow", "deep", "mirror", "dilated", "recurrent")
BUILDERS = {"deep": deep, "mirror": mirror, "dilated": dilated}


def network(
    architecture: str, N: int, M: int, widths: Sequence[int] | None, operator: str, **kwargs: Any
) -> Circuit:
    """A tree architecture by name: shallow, deep, mirror, dilated (N = 2^L) or recurrent."""
    if architecture == "shallow":
        return shallow(N, M, widths[0] if widths else 2, operator, **kwargs)
    if architecture in BUILDERS:
        L = levels_count(N)
        return BUILDERS[architecture](N, M, widths or [2] * L, operator, **kwargs)
    if architecture == "recurrent":
        if widths and len(set(widths)) != 1:
            raise SymtdError("a recurrent chain has one width r (give --widths r)")
        return recurrent(N, M, widths[0] if widths else 2, operator, **kwargs)
    raise SymtdError(
        f"unknown architecture {escape(architecture)}; expected one of {', '.join(TREES)}"
    )


# -- pricing: nothing the checker would refuse is built -----------------------------------
def entries(N: int, M: int) -> int:
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


def affordable(theorem: str, circuits: Iterable[Circuit], rows: Iterable[Any] = ()) -> None:
    """Refuse (SymtdError) an instance whose certificate the independent checker would refuse:
    each planned network's structure and forward cost, each exact rank's cost."""
    rows = [list(I) for I in rows]
    try:
        for k, c in enumerate(circuits):
            checker.validate(network_to_dict(c, weights=False), f"net{k}")
            for I in rows:
                checker.rank_cost(c.N, c.M, I, [Fraction(1)])
    except checker.CheckFailed as exc:
        raise SymtdError(
            f"{theorem} instance too large: its certificate would exceed the independent "
            f"checker's limits ({exc})"
        ) from None


def validate_options(given: dict, seed: Any) -> None:
    """Refuse (SymtdError) option values no theorem takes: sizes must be positive integers,
    widths and kernels within the checker's limits, the seed in 0..2^63-1, M^N affordable."""
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
