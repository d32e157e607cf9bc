"""T3: ReLU + sum/avg-pooling networks are NOT universal.

Run: python3 proofs/t3_relu_sum_not_universal.py
Instances: the defaults of `symtd prove T3`: N=4, M=2, widths 2, shallow and deep,
sum and avg. Every weight and leaf entry is a symbol: the statements hold for ALL weights.
"""

from symtd import grid_tensor, matricize, rank, shallow
from symtd.checker import check
from symtd.theorems.t3_relu_sum_not_universal import check_t3, diagonal_target


def main():
    print("T3  ReLU-sum/avg networks are not universal")
    print(
        "Claim: pooling ρ(c_1..c_k) = Σ_i relu(c_i) (or its average) makes the grid tensor "
        "additively"
    )
    print(
        "separable across a split (I, J) -- any split for a shallow network, the root split for a"
    )
    print("deep one: G[p, q] = X(p) + Y(q) (p = d_I, q = d_J), so rank [G]_{I,J} <= 2 for")
    print(
        "ALL weights, and a target of rank >= 3 under (I, J) is the grid tensor of no such "
        "network.\n"
    )

    net = shallow(4, 2, 2, "sum")  # all weights are sympy symbols
    G = grid_tensor(net, arithmetic="symbolic")
    print("Shallow sum network, N=4, M=2, Z=2, split I = {0, 2} (odd-even), J = {1, 3}. One entry:")
    print(f"    G[1,1,1,1] = {G[1, 1, 1, 1]}")
    print("    (F = I, so the leaf entries v^{j,γ}[d] are the layer-0 weights a^{0,j,γ}_d;")
    print("     symbol indices are 1-based as in the theory page, grid indices 0-based)")
    residue = (G[1, 1, 1, 1] - G[1, 0, 1, 0] - G[0, 1, 0, 1] + G[0, 0, 0, 0]).expand()
    print(
        "The identity G[p,q] - G[p,q0] - G[p0,q] + G[p0,q0] at p = (1,1), q = (1,1), p0 = q0 = "
        "(0,0):"
    )
    print(
        f"    G[1,1,1,1] - G[1,0,1,0] - G[0,1,0,1] + G[0,0,0,0] = {residue}   (symbolically, all "
        "weights)"
    )
    assert residue == 0

    print(
        "\nAll four default instances (symtd proves the identity once for the network function of "
        "the"
    )
    print("layer-0 outputs, which covers every (p, q); the checker expands it for every (p, q)):")
    verdicts = []
    for architecture in ("shallow", "deep"):
        for operator in ("sum", "avg"):
            v = check_t3(4, 2, architecture, operator)
            verdicts.append(v)
            print(
                f"    {architecture:7} {operator:3}  I = {v.instance['rows']}:  rank <= 2 for "
                f"{v.numbers['rank <= 2']};  target rank {v.numbers['target rank']};  {v.verdict}"
            )
            assert v.verdict == "verified" and v.numbers["target rank"] >= 3

    rows = verdicts[-1].instance["rows"]
    A = matricize(diagonal_target(4, 2, rows), rows)
    print(
        f"\nThe unreachable target for the deep root split I = {rows}: T[d] = [d_I = d_J], "
        "matricized:"
    )
    for row in A:
        print("    " + " ".join(str(x) for x in row))
    print(f"    exact rank {rank(A)}")
    assert rank(A) == 4

    print("\nWhy this proves it: the identity says G[p,q] = G[p,q0] + G[p0,q] - G[p0,q0], i.e. the")
    print(
        "matricization is (column vector)·1^T + 1·(row vector): a sum of two rank-1 matrices, "
        "rank <= 2."
    )
    print("It was proved by symbolic expansion with every weight a free symbol, never by sampling.")
    print(
        "Shallow: G[d] = Σ_z λ_z Σ_i relu(v^{z,i}[d_i]) is a sum of one-position functions, so "
        "every"
    )
    print(
        "split works. Deep: the root pools Σ_α a_α (relu(φ^{left,α}) + relu(φ^{right,α})), a "
        "function"
    )
    print(
        "of p plus a function of q. avg only adds the positive factor 1/k. The target above has "
        "rank"
    )
    print("4 > 2, so no weights at all reach it: these networks are not universal.")

    for v in verdicts:
        assert check(v.certificate) is True
    print("\ncertificate re-checked independently: ok")


if __name__ == "__main__":
    main()
