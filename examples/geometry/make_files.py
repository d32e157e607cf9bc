"""Write the pooling-geometry architecture files (no weights) of examples/geometry/ (M = 2)
and examples/geometry_M3/ (M = 3): N = 8 positions, widths 2, product operator (ConvACs).

    python3 examples/geometry/make_files.py        # rewrites the twelve .json files
"""

import pathlib

import symtd

HERE = pathlib.Path(__file__).resolve().parent


def geometries(M):
    """{file stem: symbolic circuit} for N = 8, widths 2, product pooling."""
    return {
        "contiguous": symtd.deep(8, M, 2),  # windows {2t, 2t+1}
        "mirror": symtd.mirror(8, M, 2),  # windows {i, n-1-i}
        "dilated": symtd.dilated(8, M, 2),  # windows {i, i+n/2}
        "overlapping": symtd.overlapping(8, M, 3, 1, 2, shared=True),  # kernel 3, stride 1
        "recurrent": symtd.recurrent(8, M, 2),  # shared A, B, C
        "tensor_train": symtd.recurrent(8, M, 2, shared=False),  # unshared: a TT / MPS
    }


def main():
    for M, folder in ((2, HERE), (3, HERE.parent / "geometry_M3")):
        folder.mkdir(exist_ok=True)
        for stem, circuit in geometries(M).items():
            symtd.save_network(circuit, folder / f"{stem}.json")
            print(folder / f"{stem}.json")


if __name__ == "__main__":
    main()
