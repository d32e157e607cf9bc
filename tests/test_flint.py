"""The FLINT engine: polynomial grids, symbolic ranks, multimodular certificates, fast nmod_mat."""

import random
from fractions import Fraction

import numpy as np
import pytest
import sympy
from flint import fmpz_mat, nmod_mat
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from support import random_dags

import symtd
from symtd.algebra.modular import certify_rank, hadamard_bits, nmod_matrix
from symtd.algebra.polynomial import PolynomialTensor
from symtd.algebra.rank import PRIME, certified_rank, mod_matrix, pivots, symbolic_rank
from symtd.tensors.grid import grid_numerators_mod, grid_tensor
from symtd.tensors.matricize import matricize


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(random_dags(max_positions=5, max_nodes=5), st.integers(0, 10**6))
def test_polynomial_grid_at_a_point_is_the_exact_grid(circuit, seed):
    arch = symtd.circuit(
        circuit.nodes, circuit.M, "product", N=circuit.N, output=circuit.output, F=circuit.F
    )
    # the priced size of the polynomials, not this machine's free memory, decides the example
    assume(symtd.estimate_bytes(arch, "symbolic") < 2**30)
    G = grid_tensor(arch, max_bytes=2**30)
    assert isinstance(G, PolynomialTensor) and G.shape == (arch.M,) * arch.N
    point = arch.at_random_point(seed, 50)  # the exact integer forward pass
    exact = grid_tensor(point)
    values = {
        name: Fraction(x)
        for name, x in zip(
            sorted(str(s) for s in arch.free_symbols),
            [point.blocks[b].flat[k] for b, k in _order(arch)],
        )
    }
    from flint import fmpq

    args = [fmpq(values[n].numerator, values[n].denominator) for n in G.ring.names]
    for d in np.ndindex(*G.shape):
        v = G.poly(d)(*args) if G.ring.names else G.poly(d)
        assert Fraction(int(v.p), int(v.q)) == exact[d]
    d = (0,) * arch.N
    assert symtd.grid_entry(arch, d).flint == G.poly(d)
    assert sympy.expand(G[d] - symtd.grid_entry(arch, d).to_sympy()) == 0


def _order(circuit):
    """(block, flat index) of every symbol, in the order of the symbols' names."""
    from symtd.circuits.circuit import symbol_names

    named = [(n, b, k) for b in circuit.shapes for k, n in enumerate(symbol_names(circuit, b))]
    return [(b, k) for _, b, k in sorted(named)]


def test_polynomial_tensor_reads_like_a_sympy_array():
    G = grid_tensor(symtd.deep(4, 2, 2))
    S = G.to_sympy()
    assert isinstance(S, sympy.ImmutableDenseNDimArray) and S.shape == G.shape
    assert S[1, 0, 1, 1] == G[1, 0, 1, 1] and G[1, 0, 1, 1].is_polynomial()
    assert len(G.entry((0, 0, 0, 0)).to_sympy().args) == 8 == G.entry((0, 0, 0, 0)).nterms
    A = matricize(G, (0, 2))
    assert isinstance(A, PolynomialTensor) and A.shape == (4, 4)
    assert matricize(S, (0, 2)) == A.to_sympy()


@pytest.mark.slow
def test_symbolic_rank_decides_deficient_ranks_exactly():
    G = grid_tensor(symtd.deep(4, 3, 2))  # 9 × 9, generic rank 4 (T4)
    assert symbolic_rank(matricize(G, (0, 2))) == 4
    assert symbolic_rank(matricize(G.to_sympy(), (0, 2))) == 4  # the same from sympy input


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 3), st.integers(0, 10**6))
def test_symbolic_rank_of_products_of_polynomial_matrices(m, n, k, seed):
    """U(x)·V(x) with inner dimension k has rank min(k, m, n) over Q(x) (generic entries)."""
    rng = random.Random(seed)
    x = sympy.symbols("x0:3")

    def poly():
        return sum(rng.randint(-3, 3) * x[rng.randrange(3)] ** rng.randint(0, 2) for _ in range(3))

    U = sympy.Matrix(m, k, lambda i, j: poly())
    V = sympy.Matrix(k, n, lambda i, j: poly())
    A = U * V if k else sympy.zeros(m, n)
    r = symbolic_rank(A)
    assert r <= min(k, m, n)
    # the rank at wide random points never exceeds r, and reaches it (an independent path)
    at_points = [
        symtd.rank(
            np.array(A.subs({s: rng.randint(-(10**6), 10**6) for s in x}).tolist(), dtype=object)
        )
        for _ in range(3)
    ]
    assert max(at_points) == r


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 9), st.integers(2, 9), st.integers(1, 6), st.integers(0, 10**6))
def test_multimodular_certificate_agrees_with_fmpz_rank_and_rejects_wrong_ranks(m, n, r, seed):
    rng = random.Random(seed)
    r = min(r, m, n)
    U = np.array([[rng.randint(-(2**70), 2**70) for _ in range(r)] for _ in range(m)], dtype=object)
    V = np.array([[rng.randint(-(2**70), 2**70) for _ in range(n)] for _ in range(r)], dtype=object)
    X = U.dot(V)
    truth = fmpz_mat(m, n, X.ravel().tolist()).rank()
    residues, Xp = mod_matrix(X, PRIME)
    assert Xp.rank() == truth  # (true with overwhelming probability)
    rows, cols = pivots(Xp, residues, truth, PRIME)
    ok, _ = certify_rank(X, rows, cols, workers=1)
    assert ok  # the true rank is certified
    if truth > 1:
        ok, why = certify_rank(X, rows[:-1], cols[:-1], workers=1)
        assert not ok and "not 0" in why  # one too low: rejected
    if truth < min(m, n):
        extra_row = next(i for i in range(m) if i not in rows)
        extra_col = next(j for j in range(n) if j not in cols)
        ok, why = certify_rank(X, rows + [extra_row], cols + [extra_col], workers=1)
        assert not ok  # one too high: no invertible minor


@pytest.mark.slow
def test_certified_rank_in_parallel_on_a_mid_rank_matrix():
    rng = random.Random(7)
    m, n, r = 220, 260, 150  # >= MULTIMODULAR_SIZE entries
    U = np.array([[rng.randint(-(2**20), 2**20) for _ in range(r)] for _ in range(m)], dtype=object)
    V = np.array([[rng.randint(-(2**20), 2**20) for _ in range(n)] for _ in range(r)], dtype=object)
    cert = certified_rank(U.dot(V))
    assert cert.rank == r and "bordered" in cert.upper and "Hadamard" in cert.upper


def test_hadamard_bound_bounds_the_bordered_minors():
    rng = random.Random(3)
    X = np.array([[rng.randint(-50, 50) for _ in range(6)] for _ in range(5)], dtype=object)
    rows, cols = [0, 1, 2], [0, 2, 4]
    bits = hadamard_bits(X, rows, cols)
    for i in (3, 4):
        for j in (1, 3, 5):
            minor = fmpz_mat(4, 4, X[np.ix_(rows + [i], cols + [j])].ravel().tolist()).det()
            assert abs(int(minor)).bit_length() <= bits


@pytest.mark.parametrize("shape", [(3, 4), (300, 230), (257, 1)])
def test_fast_nmod_matrix_is_the_public_one(shape):
    p = 268435399
    X = np.random.default_rng(sum(shape)).integers(0, p, shape)
    assert nmod_matrix(X, p) == nmod_mat(shape[0], shape[1], X.ravel().tolist(), p)


@pytest.mark.parametrize("net", ["deep", "overlapping", "recurrent"])
def test_modular_grid_in_matricized_order(net):
    c = {
        "deep": symtd.deep(8, 2, 2),
        "overlapping": symtd.overlapping(7, 3, 3, 1, 2),
        "recurrent": symtd.recurrent(6, 2, 3),
    }[net].at_random_point(1)
    full = grid_numerators_mod(c, 268435399)
    for I in [(0, 2, 4), (1,), (0, 1, 2, 3), ()]:
        assert np.array_equal(matricize(full, I), grid_numerators_mod(c, 268435399, I))


def test_rank_lower_prints_a_bound(tmp_path, capsys):
    from symtd.cli import main

    c = symtd.deep(8, 2, 2, "max").at_random_point(2)
    symtd.save_network(c, tmp_path / "m.json")
    assert main(["rank", str(tmp_path / "m.json"), "--partition", "odd-even", "--lower"]) == 0
    lower = capsys.readouterr().out.strip()
    assert lower.startswith(">= ") and int(lower[3:]) <= symtd.matricization_rank(c, (0, 2, 4, 6))
