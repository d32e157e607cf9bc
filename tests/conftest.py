"""Shared strategies: random small circuits over every pooling geometry and operator."""
import random
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

import symtd

GEOMETRIES = {
    "shallow3": [[[0, 1, 2]]],
    "deep4": [[[0, 1], [2, 3]], [[0, 1]]],
    "mirror4": [[[0, 3], [1, 2]], [[0, 1]]],
    "windows3": [[[0, 4, 2], [1, 3, 5]], [[0, 1]]],
    "deep8": [[[0, 1], [2, 3], [4, 5], [6, 7]], [[0, 1], [2, 3]], [[0, 1]]],
}
OPERATORS = ["product", "max", "sum", "avg"]


def random_nonsingular(M, rng):
    while True:
        F = [[Fraction(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(M)] for _ in range(M)]
        if symtd.is_covering(np.array(F, dtype=object)):
            return F


def random_circuit(geometry, M, operator, shared, seed, identity_F=True, low=-5, high=5):
    rng = random.Random(seed)
    levels = GEOMETRIES[geometry]
    widths = [rng.randint(1, 3) for _ in levels]
    F = None if identity_F else random_nonsingular(M, rng)
    c = symtd.tree(levels, M, widths, operator, shared=shared, F=F)
    point = {s: Fraction(rng.randint(low, high), rng.randint(1, 4)) for s in c.free_symbols}
    return c.subs(point)


@st.composite
def circuits(draw, geometries=tuple(GEOMETRIES), operators=tuple(OPERATORS)):
    return random_circuit(draw(st.sampled_from(geometries)), draw(st.integers(2, 3)),
                          draw(st.sampled_from(operators)), draw(st.booleans()),
                          draw(st.integers(0, 10**6)), identity_F=draw(st.booleans()))
