"""T2: ReLU + max-pooling networks are universal, with Z <= M^N + 1 channels.

Run: python3 proofs/t2_relu_max_universality.py
Instances: the defaults of `symtd prove T2` (random rational targets, seed 0:
shallow N=3, M=2 and deep N=4, M=2; F = identity).
"""

import itertools

from symtd import grid_tensor, shallow
from symtd.checker import check
from symtd.theorems.common import random_target
from symtd.theorems.universality import check_universality, universal_network


def main():
    print("T2  ReLU-max universality")
    print("Claim: with F non-singular, every target T is the grid tensor of a shallow max network")
    print("with Z <= M^N + 1 channels. A max channel computes max(0, v^1[d_1], ..., v^N[d_N]).")
    print("Building blocks: all leaf vectors 1 gives the all-ones tensor; for an index d*, the")
    print("leaf vectors v^i[d] = -1 if d = d*_i else 1 give 1 - δ_{d*}. Combine them linearly.\n")

    N, M = 3, 2
    block = shallow(N, M, 1, "max", weights={"layer0": [[[-1, 1]]] * N, "output": [1]})
    print("One building block, d* = (0, 0, 0), leaf vectors (-1, 1) at every position:")
    print(f"    grid = {' '.join(grid_tensor(block).to_strings())}   (= 1 - δ_(0,0,0), row-major)")
    assert grid_tensor(block).to_strings() == ["0"] + ["1"] * (M**N - 1)

    target = random_target(N, M, seed=0)
    indices = list(itertools.product(range(M), repeat=N))
    S = sum(target[d] for d in indices) / (M**N - 1)
    print(
        f"\nShallow instance: N={N}, M={M}, target T (row-major) = "
        f"{' '.join(str(target[d]) for d in indices)}"
    )
    print(f"Weights λ_{{d*}} = S - T[d*] with S = ΣT / (M^N - 1) = {S}:")
    net = universal_network(target, "max", "shallow")
    print(f"    λ = {' '.join(str(x) for x in net.weight_blocks()['output'])}")
    G = grid_tensor(net)
    print(f"grid tensor of the network = {' '.join(G.to_strings())}")
    v = check_universality(target, "max", "shallow")
    print(f"Z = {v.numbers['Z used']} channels, bound M^N + 1 = {M**N + 1}; verdict {v.verdict}")
    assert v.verdict == "verified" and v.numbers["Z used"] <= M**N + 1
    assert G.to_strings() == [str(target[d]) for d in indices]

    print("\nWhy this proves it: Σ_{d*} λ_{d*} (1 - δ_{d*})[d] = Σ_{d*} λ_{d*} - λ_d")
    print("    = (M^N·S - ΣT) - (S - T[d]) = (M^N - 1)·S - ΣT + T[d] = T[d].")
    print("With this S the all-ones term gets weight 0 and is dropped, so Z <= M^N here")
    print("(another S needs it with weight ΣT - (M^N - 1)·S: Z = M^N + 1).")
    print("The construction works for every T; the grid above was computed exactly and equals T.\n")

    N, M = 4, 2
    deep_v = check_universality(random_target(N, M, seed=0), "max", "deep")
    print(
        f"Deep instance: N={N}, M={M}: deep max network, width Z = {deep_v.numbers['Z used']} at "
        "every "
        f"level (M^N + 1 = {M**N + 1}), verdict {deep_v.verdict}."
    )
    print(
        "Identity conv layers pass channel z to channel z, and max(0, max(0, a, b), max(0, c, e))"
    )
    print("= max(0, a, b, c, e): the deep network computes the shallow one's channels.")
    assert deep_v.verdict == "verified"

    for verdict in (v, deep_v):
        assert check(verdict.certificate) is True
    print("\ncertificate re-checked independently: ok")


if __name__ == "__main__":
    main()
