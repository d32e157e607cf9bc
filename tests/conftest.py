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


DEEP_MAX_V1 = {  # a small v1 network file: deep max, N=4, M=2, non-identity F
    "format": "symtd-network/1",
    "architecture": "deep",
    "N": 4,
    "M": 2,
    "operator": "max",
    "widths": [3, 2],
    "F": [["1", "0"], ["1/2", "1"]],
    "weights": {
        "layer0": [
            [[1, -1], [2, "1/3"], [0, 1]],
            [[1, 0], [0, 1], [1, 1]],
            [[1, 2], [-1, 1], [0, "0.5"]],
            [[3, 1], [1, 1], [1, -1]],
        ],
        "layer1": [[[1, -1, 2], [0, 1, 1]], [[2, 1, -1], [1, 1, 1]]],
        "output": [1, "-2/3"],
    },
}


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
    return random_circuit(
        draw(st.sampled_from(geometries)),
        draw(st.integers(2, 3)),
        draw(st.sampled_from(operators)),
        draw(st.booleans()),
        draw(st.integers(0, 10**6)),
        identity_F=draw(st.booleans()),
    )


@st.composite
def random_levels(draw, max_positions=7):
    """A random uniform-depth pooling tree: shuffled (non-contiguous) windows of size 2 or 3."""
    N = draw(st.integers(2, max_positions))
    levels, size = [], N
    while size > 1:
        order = draw(st.permutations(range(size)))
        windows, i = [], 0
        while i < size:
            k = (
                size - i
                if size - i <= 3
                else draw(st.sampled_from([2, 3] if size - i != 4 else [2]))
            )
            windows.append(list(order[i : i + k]))
            i += k
        levels.append(windows)
        size = len(windows)
    return levels


@st.composite
def random_geometry_circuits(draw):
    levels = draw(random_levels())
    M = draw(st.integers(1, 3)) if sum(len(w) for w in levels[0]) <= 5 else 2
    rng = random.Random(draw(st.integers(0, 10**6)))
    c = symtd.tree(
        levels,
        M,
        [rng.randint(1, 3) for _ in levels],
        draw(st.sampled_from(OPERATORS)),
        shared=draw(st.booleans()),
        F=None if draw(st.booleans()) else random_nonsingular(M, rng),
    )
    return c.subs({s: Fraction(rng.randint(-6, 6), rng.randint(1, 5)) for s in c.free_symbols})
