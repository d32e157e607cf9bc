"""T6: depth efficiency of ReLU + max-pooling networks is INCOMPLETE.

Run: python3 proofs/t6_relu_max_incomplete.py
Instances: the defaults of `symtd prove T6`: deep max networks N=4, M=2, widths (2, 2)
and N=8, M=2, widths (2, 2, 2), live channel 1 (index 0 in code), F = identity, seed 0.
"""

from fractions import Fraction

from symtd.checker import check
from symtd.theorems.t6_relu_max_incomplete import check_t6


def value_at(weights, path):
    """The number at a certificate path such as "layer1[0][0][0]"; "v[j][g][d]" is a leaf entry
    (F = I here, so the leaf vectors v = F·a are the layer-0 weights a)."""
    name, *indices = path.replace("[", " ").replace("]", "").split()
    value = weights["layer0" if name == "v" else name]
    for k in indices:
        value = value[int(k)]
    return value


def main():
    print("T6  ReLU-max depth efficiency is incomplete")
    print(
        "Claim: there is an OPEN set of deep max-network weights (positive Lebesgue measure) on "
        "which"
    )
    print("the network equals a shallow max network with a single channel, Z = 1:")
    print(
        "    h(X) = c · max(0, max_i π_i u_i),   u_i = layer-0 output of channel 1 at position i,"
    )
    print(
        "    π_i > 0 the product of the channel-1 -> channel-1 weights from position i to the root."
    )
    print("The region: layer-0 channels other than 1 have all leaf entries < 0; at every node of")
    print("layers >= 1 the weight pooled-1 -> conv-1 is > 0 and pooled-1 -> conv-other is < 0;")
    print("every other weight is free.\n")

    v = check_t6(4, 2, [2, 2])
    big = check_t6(8, 2, [2, 2, 2])
    for w in (v, big):
        print(
            f"N={w.instance['N']}, widths {tuple(w.instance['widths'])}: region = "
            f"{w.numbers['region']}; "
            f"shallow Z = {w.numbers['shallow Z']}; {w.verdict}"
        )
        assert w.verdict == "verified" and w.numbers["shallow Z"] == 1

    cert = v.certificate
    region = cert["claims"][0]["region"]
    deep_w, shallow_w = cert["networks"]["deep"]["weights"], cert["networks"]["shallow"]["weights"]
    print("\nN=4: some of the region's strict inequalities, with the interior point's values:")
    for path, relation in region[:3] + region[-4:]:
        print(f"    {path:17} {relation} 0      point: {value_at(deep_w, path)}")
    print(
        f"    ... ({len(region)} in all). Paths: v[position][channel][d] and "
        "layer1[node][to][from],"
    )
    print("    0-based, so channel 1 is index 0 (the live channel).")

    print(
        "\nThe interior point's equivalent shallow network, Z = 1: at position i its layer-0 "
        "weights"
    )
    print("are π_i times the deep network's channel-1 layer-0 weights; its output weight is c:")
    c = Fraction(shallow_w["output"][0])
    leaf = []
    for i, a in enumerate(shallow_w["layer0"]):
        pi = value_at(deep_w, f"layer1[{i // 2}][0][0]")
        deep_a = ", ".join(deep_w["layer0"][i][0])
        print(f"    position {i}: π_{i} = {pi}, deep ({deep_a})  ->  shallow ({', '.join(a[0])})")
        leaf.append([Fraction(x) for x in a[0]])
    print(f"    output c = {c}  (the deep network's output weight of channel 1)")
    G = cert["claims"][1]["entries"]
    print(f"deep grid tensor    = {' '.join(G)}")
    print(
        f"shallow grid tensor = {' '.join(cert['claims'][2]['entries'])}  (recomputed by the "
        "checker below)"
    )
    assert G == cert["claims"][2]["entries"]
    for d in ((0, 0, 0, 0), (1, 1, 1, 1)):
        value = c * max([Fraction(0)] + [leaf[i][d[i]] for i in range(4)])
        print(
            f"    by hand, d = {d}: c·max(0, {', '.join(str(leaf[i][d[i]]) for i in range(4))}) = "
            f"{value}"
        )
        assert str(value) == G[int("".join(map(str, d)), 2)]
    print("    (position 0's term dominates at this point, so this grid depends on d_0 only)")

    print(
        "\nWhy this proves it: a channel whose inputs are all <= 0 pools to max(0, ...) = 0. So the"
    )
    print(
        "non-live layer-0 channels pool to 0; at each node conv-1 = (positive)·pool-1 and every "
        "other"
    )
    print(
        "conv channel = (negative)·pool-1 <= 0, which pools to 0 again. By induction the live "
        "channel"
    )
    print(
        "at the root is max(0, max_i π_i u_i), using c·max(0, x, y) = max(0, c·x, c·y) for c > 0."
    )
    print(
        "This identity was proved SYMBOLICALLY for all weights satisfying the sign conditions "
        "(sympy"
    )
    print(
        "with sign assumptions; the checker re-proves it with its own algebra), never by sampling."
    )
    print("The region is cut out by finitely many strict inequalities, hence open, and the exact")
    print("interior point shows it is non-empty: positive measure. Contrast T4: for ConvACs the")
    print("weights where a small shallow network suffices form a null set.")

    for w in (v, big):
        assert check(w.certificate) is True
    print("\ncertificate re-checked independently: ok")


if __name__ == "__main__":
    main()
