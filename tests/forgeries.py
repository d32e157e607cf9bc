"""Forged but self-consistent certificates (test support): real certificates that symtd writes,
changed in their mathematics and recomputed so that only the targeted verifier catches them;
used by tests/test_checker_forged.py and tests/test_checker_mutation.py."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import io
import itertools
import json
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import symtd
from symtd import checker
from symtd.checker import CheckFailed
from symtd.cli import main

Cert = dict[str, Any]


# -- real certificates, as symtd writes them -------------------------------------------------
@functools.cache
def _proved(*args: str) -> str:
    """The certificates ``symtd prove ARGS --cert FILE`` writes, as JSON text (run once)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "certificates.json"
        with contextlib.redirect_stdout(io.StringIO()):
            status = main(["prove", *args, "--cert", str(path)])
        assert status == 0, f"symtd prove {' '.join(args)} exited {status}"
        return path.read_text(encoding="utf-8")


def real(*args: str, pick: Callable[[Cert], bool] = lambda c: True) -> Cert:
    """A fresh copy of the first certificate of ``symtd prove ARGS`` that ``pick`` accepts."""
    found = [c for c in json.loads(_proved(*args)) if pick(c)]
    assert found, f"symtd prove {' '.join(args)} wrote no such certificate"
    return found[0]


def t4_deep() -> Cert:
    return real("T4", "--N", "4", "--M", "2", "--r", "2")


def t4_recurrent() -> Cert:
    return real("T4", "--architecture", "recurrent", "--N", "6", "--M", "2", "--r", "2")


def t1_shallow() -> Cert:
    return real("T1", "--N", "3", "--M", "2")


def t3_deep() -> Cert:
    return real("T3", "--architecture", "deep", "--N", "4", "--M", "2", "--operator", "sum")


def t5_witness() -> Cert:
    return real("T5", "--N", "4", "--M", "2")


def t5_lemma() -> Cert:
    return real("T5", pick=lambda c: c["instance"].get("part") == "lemma")


def t6() -> Cert:
    return real("T6", "--N", "4", "--M", "2")


def t7(covering: bool = True) -> Cert:
    return real("T7", pick=lambda c: c["instance"]["covering"] is covering)


# -- recomputing what the checker compares first -----------------------------------------------
def strings(xs: list[Fraction]) -> list[str]:
    return [str(x) for x in xs]


def grid_entries(net: dict[str, Any]) -> list[str]:
    """The network's grid, row-major, as the checker's own forward pass computes it."""
    G = checker.grid(net)
    return strings([G[d] for d in sorted(G)])


def regrid(cert: Cert) -> Cert:
    """Every grid_equals claim (and a T1/T2 target) recomputed from its network."""
    for claim in cert["claims"]:
        if claim["kind"] == "grid_equals":
            claim["entries"] = grid_entries(cert["networks"][claim["network"]])
            if "target" in cert["instance"]:
                cert["instance"]["target"] = claim["entries"]
    return cert


def true_rank(cert: Cert, name: str, rows: list[int]) -> int:
    net = cert["networks"][name]
    return checker.rank(checker.matrix(checker.grid(net), net["N"], net["M"], rows))


def claim(cert: Cert, kind: str) -> dict[str, Any]:
    return next(c for c in cert["claims"] if c["kind"] == kind)


def relu_templates(templates: list[str], biases: list[str]) -> list[list[str]]:
    """F[i][d] = max(t_i - b_d, 0), as T7 defines it."""
    return [
        strings([max(Fraction(t) - Fraction(b), Fraction(0)) for b in biases]) for t in templates
    ]


def leaf_vectors(net: dict[str, Any]) -> list[list[list[str]]]:
    """v[j][γ] = F·a^{0,j,γ} for every position j and channel γ."""
    F = checker.template_matrix(net)
    return [
        [
            strings([sum(f * Fraction(x) for f, x in zip(row, a)) for row in F])
            for a in checker.layer0(net, j)
        ]
        for j in range(net["N"])
    ]


# -- the forgeries ---------------------------------------------------------------------------
def rank_deficient_t4() -> Cert:
    """T4 at a weight point where position 0's two channels coincide: the odd-even rank drops
    to 2 < 4 = r^(N/2), every grid entry recomputed at that point."""
    cert = t4_deep()
    layer0 = cert["networks"]["deep"]["weights"]["layer0"]
    layer0[0][1] = list(layer0[0][0])
    regrid(cert)
    assert true_rank(cert, "deep", [0, 2]) < claim(cert, "rank")["rank"]
    return cert


def rank_one_above_t4() -> Cert:
    """T4 whose claimed rank 4 is one above the rank 3 at its (recomputed) weight point: the
    grid is Σ_α o_α P_α ⊗ Q_α (odd-even), so level-1 weights with zeros make some factors rank
    one and the rank 2·1 + 1·1 = 3."""
    cert = t4_deep()
    weights = cert["networks"]["deep"]["weights"]
    draw = random.Random(18)
    for _ in range(500):
        for block in weights["layer1"]:  # some P_α = Σ_γ w_γ a_γ ⊗ b_γ of rank one
            for row in block:
                row[:] = [str(draw.randint(-1, 1)) for _ in row]
        if true_rank(cert, "deep", [0, 2]) == claim(cert, "rank")["rank"] - 1:
            return regrid(cert)
    raise AssertionError("no weight point of rank r^(N/2) - 1 among 500 draws")


def rank_deficient_recurrent() -> Cert:
    """A recurrent T4 certificate at a point of lower rank; its cut still bounds every point."""
    cert = t4_recurrent()
    weights = cert["networks"]["arch"]["weights"]
    weights["A"] = [[str(x) for x in weights["A"][0]] for _ in weights["A"]]  # rank-one A
    regrid(cert)
    rows = cert["instance"]["rows"]
    assert true_rank(cert, "arch", rows) < cert["instance"]["rank"]
    return cert


def lemma_bound_one_below() -> Cert:
    """A T5 lemma certificate whose bound is one below the largest rank of its networks (the
    table is patched to predict that bound: a misstated lemma, which only the rank-at-most
    verifier can catch, since every true lemma bound holds)."""
    cert = t5_lemma()
    N = cert["instance"]["N"]
    worst = max(true_rank(cert, name, list(range(0, N, 2))) for name in cert["networks"])
    for c in cert["claims"]:
        c["bound"] = worst - 1
    return cert


def misstated_lemma(monkeypatch: pytest.MonkeyPatch, cert: Cert) -> None:
    """Make the checker's table predict the bound the certificate states."""
    lemma = checker.THEOREMS["T5 lemma"]
    bound = cert["claims"][0]["bound"]

    def claims(nets: Any, inst: Any, claimed: Any) -> list[dict[str, Any]]:
        return [dict(c, bound=bound) for c in lemma.claims(nets, inst, claimed)]

    monkeypatch.setitem(checker.THEOREMS, "T5 lemma", dataclasses.replace(lemma, claims=claims))


def one_grid_entry() -> Cert:
    """T4 with one claimed grid entry changed; the rank is the checker's own, so only the grid
    comparison sees it."""
    cert = t4_deep()
    entries = claim(cert, "grid_equals")["entries"]
    entries[5] = str(Fraction(entries[5]) + Fraction(7, 3))
    return cert


def target_and_grid() -> Cert:
    """T1 whose target (and with it the claimed grid) differs from the network's grid."""
    cert = t1_shallow()
    target = cert["instance"]["target"]
    target[3] = str(Fraction(target[3]) + 1)
    claim(cert, "grid_equals")["entries"] = list(target)
    return cert


def cut_items(cert: Cert) -> tuple[dict[str, int], dict[frozenset[str], int]]:
    return checker.tensor_network(cert["networks"]["arch"])


def cut_not_separating() -> Cert:
    """A recurrent T4 cut whose capacities still multiply to s but which leaves a path from an
    I-leg to a J-leg: one item swapped for another of the same capacity."""
    cert = t4_recurrent()
    cut = claim(cert, "cut_bound")["cut"]
    vertices, edges = cut_items(cert)
    items = [["vertex", v] for v in vertices] + [["edge", *sorted(e)] for e in edges]
    capacity = {
        json.dumps(i): (vertices[i[1]] if i[0] == "vertex" else edges[frozenset(i[1:])])
        for i in items
    }
    rows = cert["instance"]["rows"]
    cols = [k for k in range(cert["instance"]["N"]) if k not in rows]
    for k, old in enumerate(cut):
        key = json.dumps(old if old[0] == "vertex" else [old[0], *sorted(old[1:])])
        for new in items:
            if new in cut or capacity[json.dumps(new)] != capacity[key]:
                continue
            trial = cut[:k] + [new] + cut[k + 1 :]
            removed_v = {i[1] for i in trial if i[0] == "vertex"}
            removed_e = {frozenset(i[1:]) for i in trial if i[0] == "edge"}
            if not checker.separates(vertices, edges, removed_v, removed_e, rows, cols):
                cut[:] = trial
                return cert
    raise AssertionError("no same-capacity swap leaves the cut non-separating")


def cut_wrong_capacity() -> Cert:
    """A recurrent T4 cut that separates but whose capacities multiply to more than s: the
    vertices of every J-leg (which separates trivially) and one I-leg more."""
    cert = t4_recurrent()
    rows = cert["instance"]["rows"]
    J = [k for k in range(cert["instance"]["N"]) if k not in rows]
    cut = [["vertex", f"x{j}"] for j in J] + [["vertex", f"x{rows[0]}"]]
    claim(cert, "cut_bound")["cut"] = cut
    assert cert["instance"]["M"] ** len(cut) != cert["instance"]["rank"]
    return cert


def witness_not_indicator() -> Cert:
    """T5 witness with its output doubled: the grid is 2·indicator, of the same rank M^(N/2)."""
    cert = t5_witness()
    output = cert["networks"]["witness"]["weights"]["output"]
    output[:] = [str(2 * Fraction(x)) for x in output]
    return cert


def singular_f_claimed_covering() -> Cert:
    """T7 with a repeated template, so two rows of F = relu(t_i - b_d) coincide (F singular),
    claimed covering; F, the leaf vectors F·a and the grid all recomputed."""
    cert = t7(covering=True)
    inst, net = cert["instance"], cert["networks"]["net"]
    inst["templates"][1] = inst["templates"][0]
    claim(cert, "templates")["templates"] = inst["templates"]
    net["F"] = relu_templates(inst["templates"], inst["biases"])
    claim(cert, "leaf_vectors")["vectors"] = leaf_vectors(net)
    regrid(cert)
    assert checker.rank(checker.template_matrix(net)) < inst["M"]
    return cert


def singular_f_universality() -> Cert:
    """T1 on a singular F (two equal rows), its target recomputed as the network's grid."""
    cert = t1_shallow()
    net = cert["networks"]["shallow"]
    net["F"] = [["1", "2"], ["1", "2"]]
    return regrid(cert)


def f_not_from_templates() -> Cert:
    """T7 whose F (still non-singular) is not relu(t_i - b_d) of its templates; leaf vectors and
    grid recomputed from that F."""
    cert = t7(covering=True)
    net = cert["networks"]["net"]
    net["F"][0][0] = str(Fraction(net["F"][0][0]) + 1)
    claim(cert, "leaf_vectors")["vectors"] = leaf_vectors(net)
    regrid(cert)
    assert checker.rank(checker.template_matrix(net)) == net["M"]
    return cert


def null_vector_wrong() -> Cert:
    """T7 control (F singular) with a claimed null vector that F does not annihilate."""
    cert = t7(covering=False)
    claim(cert, "singular")["null"] = ["1", "1", "0"]
    return cert


def covering_claimed_singular() -> Cert:
    """T7 on covering templates claimed non-covering, with a vector that is no null vector."""
    cert = t7(covering=True)
    cert["instance"]["covering"] = False
    cert["claims"] = [
        claim(cert, "templates"),
        {"kind": "singular", "network": "net", "null": ["1", "0", "0"]},
    ]
    return cert


def leaf_vector_entry() -> Cert:
    """T7 with one claimed leaf vector entry that is not F·a (the grid is the checker's own)."""
    cert = t7(covering=True)
    vectors = claim(cert, "leaf_vectors")["vectors"]
    vectors[0][0][0] = str(Fraction(vectors[0][0][0]) + 1)
    return cert


def target_rank(cert: Cert, entries: list[str], rows: list[int]) -> int:
    """The rank of a claimed target tensor under the split rows | rest."""
    N, M = cert["instance"]["N"], cert["instance"]["M"]
    T = dict(zip(itertools.product(range(M), repeat=N), (Fraction(x) for x in entries)))
    return checker.rank(checker.matrix(T, N, M, rows))


def not_separable_split() -> Cert:
    """T3 for a deep sum network under the odd-even split (not its root split), the target's
    rank recomputed under that split (>= 3): only the separability identity fails."""
    cert = t3_deep()
    rows = [0, 2]
    cert["instance"]["rows"] = rows
    claim(cert, "separable")["rows"] = rows
    target = claim(cert, "unreachable_target")
    target["rows"] = rows
    N, M = cert["instance"]["N"], cert["instance"]["M"]
    target["entries"] = [  # the identity matrix under rows | rest: rank M^2 = 4
        str(int(d[0] == d[1] and d[2] == d[3])) for d in itertools.product(range(M), repeat=N)
    ]
    target["rank"] = target_rank(cert, target["entries"], rows)
    assert target["rank"] >= 3
    return cert


def reachable_target() -> Cert:
    """T3 whose "unreachable" target is separable (rank 1 under the split), rank claimed 1."""
    cert = t3_deep()
    target = claim(cert, "unreachable_target")
    target["entries"] = ["1"] * len(target["entries"])
    target["rank"] = 1
    return cert


def target_rank_misstated() -> Cert:
    """T3 whose target rank is claimed one above its true rank (>= 3 either way)."""
    cert = t3_deep()
    target = claim(cert, "unreachable_target")
    assert target_rank(cert, target["entries"], target["rows"]) == target["rank"]
    target["rank"] += 1
    return cert


def region_too_large() -> Cert:
    """T6 with one strict sign condition dropped from its region: the interior point still
    satisfies every remaining one, but the network no longer reduces to the shallow form on
    the larger region."""
    cert = t6()
    region = claim(cert, "identity_in_region")["region"]
    for k in range(len(region)):
        trial = copy.deepcopy(cert)
        del claim(trial, "identity_in_region")["region"][k]
        try:
            checker.verify_identity_in_region(
                claim(trial, "identity_in_region"), trial["networks"]["deep"], None, trial
            )
        except CheckFailed as failure:
            if "does not reduce" in str(failure):
                return trial
    raise AssertionError("every sign condition of the region is redundant")


# -- separation certificates (built here: a weight point, a minor, an upper bound) -----------
def point(circuit: Any, seed: int = 1, F: list[list[str]] | None = None) -> dict[str, Any]:
    """A v2 network document at a random integer weight point in [-50, 50] (F when given)."""
    net = symtd.network_to_dict(circuit.at_random_point(seed, 50), version=2)
    if F is not None:
        net["F"] = F
    return net


P61 = 2**61 - 1


def basis(vectors: list[list[Fraction]]) -> list[int]:
    """Indices of a maximal independent subset of the vectors, chosen greedily modulo the
    prime 2^61 - 1 (vectors independent mod p are independent over Q; the count is the rank
    unless p divides a minor, which tests asserting the rank would notice)."""
    echelon: list[tuple[int, list[int]]] = []  # (pivot column, reduced vector, pivot 1)
    chosen = []
    for k, vector in enumerate(vectors):
        v = [x.numerator * pow(x.denominator, -1, P61) % P61 for x in map(Fraction, vector)]
        for c, e in echelon:
            if v[c]:
                v = [(x - v[c] * y) % P61 for x, y in zip(v, e)]
        pivot = next((c for c, x in enumerate(v) if x), None)
        if pivot is not None:
            inverse = pow(v[pivot], -1, P61)
            echelon.append((pivot, [x * inverse % P61 for x in v]))
            chosen.append(k)
    return chosen


def full_minor(net: dict[str, Any], rows: list[int]) -> tuple[list[list[int]], list[list[int]]]:
    """Row and column tuples of a non-singular r×r submatrix of [G]_{I,J}, r its rank: a
    basis of the rows, then a basis of the columns of those rows."""
    N, M = net["N"], net["M"]
    A = checker.matrix(checker.grid(net), N, M, rows)
    picked = basis(A)
    cols = basis([list(c) for c in zip(*(A[i] for i in picked))])
    row_tuples = list(itertools.product(range(M), repeat=len(rows)))
    col_tuples = list(itertools.product(range(M), repeat=N - len(rows)))
    return [list(row_tuples[i]) for i in picked], [list(col_tuples[j]) for j in cols]


def separation(
    net: dict[str, Any],
    rows: list[int],
    bound: str,
    upper: int,
    cut: list[list[str]] | None = None,
    prime: int | None = None,
    lower: int | None = None,
) -> Cert:
    """A separation certificate: the minor of [G]_{I,J} at the network's weights (its full
    rank, or its first ``lower`` tuples), and the named upper bound."""
    row_tuples, col_tuples = full_minor(net, rows)
    r = len(row_tuples) if lower is None else lower
    upper_claim: dict[str, Any] = {
        "kind": checker.BOUNDS[bound],
        "network": "net",
        "rows": rows,
        "bound": upper,
    }
    if cut is not None:
        upper_claim["cut"] = cut
    return {
        "format": checker.FORMAT,
        "theorem": "separation",
        "instance": {
            "N": net["N"],
            "M": net["M"],
            "operator": net["operator"],
            "rows": rows,
            "lower": r,
            "upper": upper,
            "bound": bound,
            "seed": 1,
        },
        "networks": {"net": net},
        "claims": [
            {
                "kind": "minor",
                "network": "net",
                "rows": rows,
                "row_tuples": row_tuples[:r],
                "col_tuples": col_tuples[:r],
                "prime": prime,
                "rank": r,
            },
            upper_claim,
        ],
    }


def deep_product(prime: int | None = None) -> Cert:
    """Deep product N=4, M=2, widths 2, odd-even: rank 4 = the cut through n0, n1."""
    net = point(symtd.deep(4, 2, 2))
    cut = [["vertex", "n0"], ["vertex", "n1"]]
    return separation(net, [0, 2], "min-cut", 4, cut=cut, prime=prime)


def singular_minor_point() -> Cert:
    """Deep product odd-even at a point where position 0's two channels coincide (rank 2),
    keeping the 4×4 minor of the generic point: a false "rank* = 4", its bound true."""
    cert = deep_product(prime=1_000_003)
    weights = cert["networks"]["net"]["weights"]
    weights["layer0_0"][1] = list(weights["layer0_0"][0])
    cert["instance"]["bound"], cert["claims"][1] = (
        "matrix size",
        {
            "kind": "matrix_size",
            "network": "net",
            "rows": [0, 2],
            "bound": 4,
        },
    )
    return cert


def minor_one_above() -> Cert:
    """Deep product N=4, M=3, widths 2, odd-even: rank 4 at the point, a 5×5 minor claimed
    (its fifth tuples new), exact rank (prime null), upper the matrix size 9."""
    net = point(symtd.deep(4, 3, 2))
    cert = separation(net, [0, 2], "matrix size", 9)
    minor = claim(cert, "minor")
    for half in ("row_tuples", "col_tuples"):
        extra = next(
            list(t) for t in itertools.product(range(3), repeat=2) if list(t) not in minor[half]
        )
        minor[half].append(extra)
    minor["rank"] = cert["instance"]["lower"] = 5
    return cert


def matrix_size_misstated() -> Cert:
    """Deep product N=4, M=2 odd-even at rank 4, "certified" 3 by a matrix size of 3."""
    cert = separation(point(symtd.deep(4, 2, 2)), [0, 2], "matrix size", 3, lower=3)
    return cert


def split_cutting_a_member() -> Cert:
    """Deep avg N=4, M=2 under odd-even (rank 3 at the point; the root members {0,1}, {2,3}
    are cut): "certified" 2 by the sum/avg split, which holds on the root split only."""
    net = point(symtd.deep(4, 2, 2, "avg"))
    assert true_rank({"networks": {"net": net}}, "net", [0, 2]) == 3
    return separation(net, [0, 2], "sum/avg split", 2, lower=2)


def lemma_on_a_deep_network() -> Cert:
    """Deep max N=4, M=3, widths (3, 1), odd-even: rank 7 at the point, "certified" 6 by
    the max lemma with Z = 1 (a lemma about shallow networks only)."""
    net = point(symtd.deep(4, 3, [3, 1], "max"))
    assert true_rank({"networks": {"net": net}}, "net", [0, 2]) == 7
    return separation(net, [0, 2], "max lemma", 6, lower=6)


def separation_cut_not_separating() -> Cert:
    """Deep product N=4, M=2 odd-even at rank 4 (a 2×2 minor shown), "certified" 2 by the
    root vertex, which leaves x0 - n0 - x1 connected."""
    return separation(
        point(symtd.deep(4, 2, 2)), [0, 2], "min-cut", 2, cut=[["vertex", "n2"]], lower=2
    )


@dataclass(frozen=True)
class Forgery:
    """A forged certificate (built on demand), the claim kind whose verifier alone rejects
    it, and an optional patch of the checker's theorem table it is forged against."""

    build: Callable[[], Cert]
    target: str
    table: Callable[[pytest.MonkeyPatch, Cert], None] | None = None

    def certificate(self) -> Cert:
        """A fresh copy of the forged certificate (built once)."""
        return copy.deepcopy(_built(self.build))


@functools.cache
def _built(build: Callable[[], Cert]) -> Cert:
    return build()


FORGERIES = {
    "T4 rank-deficient point": Forgery(rank_deficient_t4, "rank"),
    "T4 claimed rank one above the truth": Forgery(rank_one_above_t4, "rank"),
    "T4 recurrent rank-deficient point": Forgery(rank_deficient_recurrent, "rank"),
    "T5 lemma bound one below the truth": Forgery(
        lemma_bound_one_below, "rank_at_most", misstated_lemma
    ),
    "T4 one claimed grid entry": Forgery(one_grid_entry, "grid_equals"),
    "T1 target is not the grid": Forgery(target_and_grid, "grid_equals"),
    "T4 recurrent cut does not separate": Forgery(cut_not_separating, "cut_bound"),
    "T4 recurrent cut of the wrong capacity": Forgery(cut_wrong_capacity, "cut_bound"),
    "T5 witness grid is not the indicator": Forgery(
        witness_not_indicator, "grid_is_pair_indicator"
    ),
    "T7 singular F claimed covering": Forgery(singular_f_claimed_covering, "covering"),
    "T1 on a singular F": Forgery(singular_f_universality, "covering"),
    "T7 F is not relu(t - b)": Forgery(f_not_from_templates, "templates"),
    "T7 control null vector": Forgery(null_vector_wrong, "singular"),
    "T7 covering claimed singular": Forgery(covering_claimed_singular, "singular"),
    "T7 one leaf vector entry": Forgery(leaf_vector_entry, "leaf_vectors"),
    "T3 split that is not separable": Forgery(not_separable_split, "separable"),
    "T3 separable target": Forgery(reachable_target, "unreachable_target"),
    "T3 target rank misstated": Forgery(target_rank_misstated, "unreachable_target"),
    "T6 region too large": Forgery(region_too_large, "identity_in_region"),
    "separation minor at a rank-deficient point": Forgery(singular_minor_point, "minor"),
    "separation minor one above the rank": Forgery(minor_one_above, "minor"),
    "separation matrix size misstated": Forgery(matrix_size_misstated, "matrix_size"),
    "separation split cutting a root member": Forgery(split_cutting_a_member, "split_bound"),
    "separation max lemma on a deep network": Forgery(lemma_on_a_deep_network, "max_lemma"),
    "separation cut does not separate": Forgery(separation_cut_not_separating, "cut_bound"),
}


def accept(*args: Any) -> None:
    """A verifier switched off: it accepts every claim."""


def switched_off(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    monkeypatch.setitem(checker.CLAIMS, kind, accept)
