"""Forged but self-consistent certificates, each caught only by the verifier it targets.

Every forgery starts from a real certificate that ``symtd prove ... --cert`` writes, changes
the mathematics (a rank-deficient weight point, a singular F, a cut that does not separate,
...) and recomputes everything the checker compares first (grid entries from the checker's own
forward pass, leaf vectors F·a, targets), so that the certificate passes every cheap comparison.
For each one: ``check`` rejects it, and with the targeted verifier switched off (monkeypatched
to accept) ``check`` accepts it — so that verifier, and no other, is what stands between the
forgery and a "verified". tests/test_checker_mutation.py switches off each verifier in turn.
"""

from __future__ import annotations

from typing import Any

import pytest
from forgeries import (
    FORGERIES,
    claim,
    deep_product,
    leaf_vectors,
    regrid,
    relu_templates,
    switched_off,
    t1_shallow,
    t3_deep,
    t4_deep,
    t4_recurrent,
    t5_lemma,
    t5_witness,
    t6,
    t7,
    true_rank,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from symtd import checker
from symtd.checker import CheckFailed, check


# -- the tests -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forgery_is_rejected(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    forgery = FORGERIES[name]
    cert = forgery.certificate()
    if forgery.table:
        forgery.table(monkeypatch, cert)
    checker.precheck(cert)  # it passes every cheap comparison ...
    with pytest.raises(CheckFailed):  # ... and the recomputation rejects it
        check(cert)


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forgery_is_caught_by_its_verifier_alone(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    forgery = FORGERIES[name]
    cert = forgery.certificate()
    if forgery.table:
        forgery.table(monkeypatch, cert)
    switched_off(monkeypatch, forgery.target)
    assert check(cert) is True


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forgery_is_caught_by_no_other_verifier_alone(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Switching off any other single verifier still rejects it (the target is needed)."""
    forgery = FORGERIES[name]
    cert = forgery.certificate()
    if forgery.table:
        forgery.table(monkeypatch, cert)
    for kind in checker.CLAIMS:
        if kind != forgery.target:
            with monkeypatch.context() as patch:
                switched_off(patch, kind)
                with pytest.raises(CheckFailed):
                    check(cert)


def test_the_real_certificates_the_forgeries_start_from_are_accepted() -> None:
    for build in (t4_deep, t4_recurrent, t1_shallow, t3_deep, t5_witness, t5_lemma, t6, t7):
        assert check(build())
    assert check(t7(covering=False))
    assert check(deep_product())


def test_every_verifier_is_the_target_of_a_forgery() -> None:
    assert {f.target for f in FORGERIES.values()} == set(checker.CLAIMS)


# -- properties: forgeries drawn at random -----------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=2, max_size=2), st.integers(0, 3))
def test_random_rank_deficient_points_are_caught_by_the_rank_verifier(
    channel: list[int], position: int
) -> None:
    """Any T4 point whose layer-0 channels coincide at one position has odd-even rank below
    r^(N/2): rejected, and accepted once the rank verifier is switched off."""
    cert = t4_deep()
    layer0 = cert["networks"]["deep"]["weights"]["layer0"]
    layer0[position] = [[str(x) for x in channel]] * 2
    regrid(cert)
    assert true_rank(cert, "deep", [0, 2]) < 4
    with pytest.raises(CheckFailed, match="rank is"):
        check(cert)
    with pytest.MonkeyPatch.context() as patch:
        switched_off(patch, "rank")
        assert check(cert)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2))
def test_random_singular_templates_are_caught_by_the_covering_verifier(
    i: int, j: int, k: int
) -> None:
    """T7 claimed covering on templates with a repeat (F singular), all data recomputed."""
    cert = t7(covering=True)
    inst, net = cert["instance"], cert["networks"]["net"]
    templates = [inst["templates"][x] for x in (i, j, k)]
    if len(set(templates)) == 3:
        templates[1] = templates[0]
    inst["templates"] = templates
    claim(cert, "templates")["templates"] = templates
    net["F"] = relu_templates(templates, inst["biases"])
    claim(cert, "leaf_vectors")["vectors"] = leaf_vectors(net)
    regrid(cert)
    with pytest.raises(CheckFailed, match="F is singular"):
        check(cert)
    with pytest.MonkeyPatch.context() as patch:
        switched_off(patch, "covering")
        assert check(cert)


# -- seed: provenance only ---------------------------------------------------------------------
SEEDED = {"T4": t4_deep, "T4 recurrent": t4_recurrent, "T6": t6}


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(sorted(SEEDED)), st.integers(0, 2**63 - 1))
def test_seed_is_provenance_the_verdict_never_depends_on_it(which: str, seed: int) -> None:
    """Changing an instance's seed keeps a valid certificate valid and a forged one rejected
    with the same message: the claims are checked at the weights the certificate carries."""
    cert = SEEDED[which]()
    cert["instance"]["seed"] = seed
    assert check(cert)
    forged = FORGERIES["T4 rank-deficient point"].certificate()
    with pytest.raises(CheckFailed) as before:
        check(forged)
    forged["instance"]["seed"] = seed
    with pytest.raises(CheckFailed) as after:
        check(forged)
    assert str(before.value) == str(after.value)


@pytest.mark.parametrize("seed", [-1, "0", 1.0, True, None, 2**63])
def test_seed_must_still_be_a_non_negative_integer(seed: Any) -> None:
    cert = t4_deep()
    cert["instance"]["seed"] = seed
    with pytest.raises(CheckFailed, match="seed"):
        check(cert)


def test_seed_is_the_only_provenance_field() -> None:
    assert {k for t in checker.THEOREMS.values() for k in t.provenance} == {"seed"}
    for name, theorem in checker.THEOREMS.items():
        assert theorem.provenance <= theorem.keys, name
