"""Mutation test of the checker: switch off each verifier (and each trusted primitive) in turn
and require that some forged certificate then passes — so a test fails for every verifier
switched off, and a verifier added to the table without a forged case fails here.

The verifiers are enumerated from the checker's own claim table, ``checker.CLAIMS``; the
forged certificates are those of tests/test_checker_forged.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from forgeries import FORGERIES, switched_off

from symtd import checker
from symtd.checker import CheckFailed, arithmetic, claims


def accepted_forgeries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The forged certificates the checker accepts under the current patches."""
    found = []
    for name, forgery in sorted(FORGERIES.items()):
        cert = forgery.certificate()
        with monkeypatch.context() as patch:
            if forgery.table:
                forgery.table(patch, cert)
            try:
                checker.check(cert)
            except CheckFailed:
                continue
        found.append(name)
    return found


def test_the_intact_checker_accepts_no_forgery(monkeypatch: pytest.MonkeyPatch) -> None:
    assert accepted_forgeries(monkeypatch) == []


@pytest.mark.parametrize("kind", sorted(checker.CLAIMS))
def test_switching_off_a_verifier_lets_a_forgery_through(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    switched_off(monkeypatch, kind)
    assert accepted_forgeries(monkeypatch), (
        f"with the {kind!r} verifier switched off every forged certificate is still rejected: "
        "add a forgery that only it catches to tests/test_checker_forged.py"
    )


def full_rank(A: list[list[Any]]) -> int:
    return min(len(A), len(A[0])) if A else 0


PRIMITIVES: dict[str, tuple[Any, str, Callable[..., Any]]] = {
    # exact rank (Bareiss) behind rank, rank_at_most, covering and unreachable_target
    "rank says full rank": (claims, "rank", full_rank),
    "rank says 0": (claims, "rank", lambda A: 0),
    # the modular elimination behind minor
    "rank mod p says full rank": (claims, "rank_mod", lambda A, p: len(A)),
    # the graph search behind cut_bound
    "every cut separates": (claims, "separates", lambda *args: True),
    # the canonical form behind the symbolic identities (separable, identity_in_region)
    "every expression is >= 0": (arithmetic.Symbolic, "sign", lambda self, x: 1),
}


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_breaking_a_primitive_lets_a_forgery_through(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, attribute, broken = PRIMITIVES[name]
    monkeypatch.setattr(owner, attribute, broken)
    assert accepted_forgeries(monkeypatch), f"{name}: every forged certificate still rejected"


def test_every_primitive_named_here_exists() -> None:
    for owner, attribute, _ in PRIMITIVES.values():
        assert callable(getattr(owner, attribute))
