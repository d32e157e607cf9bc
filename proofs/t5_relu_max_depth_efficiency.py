"""T5: depth efficiency EXISTS for ReLU + max-pooling networks.

Run: python3 proofs/t5_relu_max_depth_efficiency.py
Instances: the defaults of `symtd prove T5`: the witness for (N, M) = (4,2), (8,2), (8,3),
and the max-term rank lemma on random shallow networks (N, M, Z, count) =
(6,3,2,20), (8,2,1,15), (4,3,1,15), seed 0.
"""

from symtd import grid_tensor, matricize, rank
from symtd.checker import check
from symtd.theorems.t5_relu_max_depth_efficiency import check_t5, check_t5_lemma, t5_witness


def main():
    print("T5  ReLU-max depth efficiency exists")
    print("Lemma: for g = max, row p of [v^1 ⊗_g ... ⊗_g v^N]_{I,J} depends only on")
    print("    a_p = max_{i in I} v^i[d_i],  which takes at most |I|·M values,")
    print("so (by symmetry in I, J) that matricization has rank <= min(|I|,|J|)·M, and a shallow")
    print("max network with Z channels has rank [G]_{I,J} <= Z · min(|I|,|J|) · M.")
    print("Witness: a deep max network of widths (M+1, 2, ..., 2) whose grid tensor is")
    print("    G[d] = Π_j [d_{2j-1} = d_{2j}]   (each pair of positions holds equal templates),")
    print(
        "whose odd-even matricization is the identity of size M^(N/2). Hence a shallow max network"
    )
    print(
        "computing it needs Z >= M^(N/2) / ((N/2)·M): exponential in N; the deep widths are not.\n"
    )

    net = t5_witness(4, 2)
    A = matricize(grid_tensor(net), (0, 2))
    print(
        "N=4, M=2 witness (widths (3, 2)): grid tensor matricized, rows d_0 d_2, columns d_1 d_3:"
    )
    for row in A.to_fractions():
        print("    " + " ".join(str(x) for x in row))
    print(f"    exact rank {rank(A)}")
    assert rank(A) == 4

    print("\n  N  M   deep widths   odd-even rank = M^(N/2)   shallow max needs Z >=")
    verdicts = []
    for N, M in ((4, 2), (8, 2), (8, 3)):
        v = check_t5(N, M)
        verdicts.append(v)
        widths = t5_witness(N, M).widths
        print(
            f"  {N}  {M}   {str(widths):11}   {v.numbers['odd-even rank']:>23}   "
            f"{v.numbers['shallow Z >=']:>22}"
        )
        assert v.verdict == "verified" and v.numbers["odd-even rank"] == M ** (N // 2)

    print(
        "\nWhy this proves it: layer 0 has channels 1 - [d = m] (m in [M]) and an all-ones channel."
    )
    print(
        "Max-pooling a pair gives max(1 - [d=m], 1 - [d'=m]) = 1 - [d=m][d'=m]; summing those "
        "over m"
    )
    print("minus (M - 1) gives 1 - [d = d']. Each further max pooling of 1 - e and 1 - e' gives")
    print("1 - e·e', and the output takes all-ones minus that: Π_j [d_{2j-1} = d_{2j}]. The check")
    print(
        "above computed the grid exactly and found the identity matrix, so rank = M^(N/2), and by "
        "the"
    )
    bounds = ", ".join(str(v.numbers["shallow Z >="]) for v in verdicts)
    print(
        "lemma Z · (N/2) · M >= M^(N/2). (On these small instances the bound is modest -- "
        f"{bounds} --"
    )
    print("but it grows like M^(N/2) / N, against a deep width of M + 1.)")

    print("\nThe lemma on random shallow max networks (exact ranks of these instances; this checks")
    print("the lemma on them, it does not prove it -- the proof is the row argument above):")
    for N, M, Z, count in ((6, 3, 2, 20), (8, 2, 1, 15), (4, 3, 1, 15)):
        v = check_t5_lemma(N, M, Z, count, seed=0)
        verdicts.append(v)
        n = v.numbers
        print(
            f"    N={N} M={M} Z={Z}: {n['networks']} networks, max odd-even rank {n['max rank']} "
            f"<= Z·min(|I|,|J|)·M = {n['Z·min(|I|,|J|)·M']}"
        )
        assert v.verdict == "verified" and n["max rank"] <= n["Z·min(|I|,|J|)·M"]

    print("\nRe-checking the 6 certificates (the checker re-evaluates every grid entry in exact")
    print(
        "fractions -- 3^8 = 6561 for the N=8, M=3 witness -- and recomputes every rank) ...",
        flush=True,
    )
    for v in verdicts:
        assert check(v.certificate) is True
    print("certificate re-checked independently: ok")


if __name__ == "__main__":
    main()
