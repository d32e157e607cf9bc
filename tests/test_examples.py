"""The README's quickstart and example files do what the README says."""

import json
import pathlib
import runpy
import subprocess
import sys

import pytest

import symtd

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quickstart_prints_theorem_ranks():
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "deep product: generic rank = 16" in out
    assert "shallow Z=5 : generic rank = 5" in out


@pytest.mark.slow
def test_example_files_ranks():
    def rank(name, partition):
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "symtd",
                "rank",
                str(ROOT / "examples" / name),
                "--partition",
                partition,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout.split()[-1])

    assert rank("deep_product_N8.json", "odd-even") == 16  # = min(r_0, M)^(N/2) = 2^4
    assert rank("deep_max_N8.json", "root") <= 2**4
    assert rank("deep_max_N4.json", "I=0,1") == 1  # its grid depends on positions 2, 3 only
    assert rank("deep_max_N4.json", "I=2,3") == 1  # one side only: rank 1 either way


# -- examples/geometry (M = 2), examples/geometry_M3: pooling geometries, certified separation ranks
GEOMETRY_PARTITIONS = [
    "--partition",
    "odd-even",
    "--partition",
    "low-high",
    "--partition",
    "I=0,3,4,7",
]
GEOMETRY_RANKS = {  # (odd-even, low-high, I=0,3,4,7): certified generic ranks, N = 8, widths 2
    "geometry": {
        "contiguous": (16, 2, 16),
        "dilated": (2, 16, 4),
        "mirror": (16, 16, 2),
        "overlapping": (16, 16, 16),
        "recurrent": (16, 2, 16),
        "tensor_train": (16, 2, 16),
    },
    "geometry_M3": {
        "contiguous": (16, 2, 16),
        "dilated": (2, 16, 4),
        "mirror": (16, 16, 2),
        "overlapping": (54, 54, 36),
        "recurrent": (16, 2, 16),
        "tensor_train": (16, 2, 16),
    },
}


def separation(folder, *options):
    """`symtd separation examples/FOLDER/*.json --partition ... OPTIONS` as the README runs it
    (from ROOT)."""
    files = sorted(
        f"examples/{folder}/{p.name}" for p in (ROOT / "examples" / folder).glob("*.json")
    )
    return subprocess.run(
        [sys.executable, "-m", "symtd", "separation", *files, *GEOMETRY_PARTITIONS, *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.slow  # one python process per case
@pytest.mark.parametrize("folder", sorted(GEOMETRY_RANKS))
def test_geometry_example_table(folder):
    out = separation(folder)
    lines = out.strip().splitlines()
    assert lines[0].split() == ["network", "odd-even", "low-high", "I=0,3,4,7"]
    assert lines[-1].startswith("a number: certified rank*(I)")
    table = {}
    for line in lines[1:-1]:
        label, *cells = line.split()
        assert label.startswith(f"examples/{folder}/") and label.endswith(".json")
        table[label[len(f"examples/{folder}/") : -len(".json")]] = tuple(
            int(c) for c in cells
        )  # "a–b" would fail
    assert table == GEOMETRY_RANKS[folder]
    readme = (ROOT / "examples" / "geometry" / "README.md").read_text(encoding="utf-8")
    assert out.strip() in readme  # the README shows the exact output


@pytest.mark.slow  # one python process per case
@pytest.mark.parametrize("folder", sorted(GEOMETRY_RANKS))
def test_geometry_example_json_is_certified_by_min_cut(folder):
    doc = json.loads(separation(folder, "--json"))
    assert len(doc["networks"]) == 6
    for network in doc["networks"]:
        stem = pathlib.Path(network["network"]).stem
        got = [
            (p["partition"], p["rows"], p["lower"], p["upper"], p["upper_bound"], p["certified"])
            for p in network["partitions"]
        ]
        rows = [[0, 2, 4, 6], [0, 1, 2, 3], [0, 3, 4, 7]]
        assert got == [
            (name, r, k, k, "min-cut", True)
            for name, r, k in zip(
                ["odd-even", "low-high", "I=0,3,4,7"], rows, GEOMETRY_RANKS[folder][stem]
            )
        ]


def test_geometry_files_are_the_builders_architectures(tmp_path):
    """Every file is exactly what examples/geometry/make_files.py writes: no weights, v1 for the
    three
    uniform trees and v2 for overlapping / recurrent / tensor train."""
    make = runpy.run_path(str(ROOT / "examples" / "geometry" / "make_files.py"))
    for folder, M in (("geometry", 2), ("geometry_M3", 3)):
        circuits = make["geometries"](M)
        assert sorted(circuits) == sorted(GEOMETRY_RANKS[folder])
        for stem, circuit in circuits.items():
            symtd.save_network(circuit, tmp_path / "fresh.json")
            path = ROOT / "examples" / folder / f"{stem}.json"
            assert path.read_text(encoding="utf-8") == (tmp_path / "fresh.json").read_text(
                encoding="utf-8"
            ), path
            doc = json.loads(path.read_text(encoding="utf-8"))
            assert (
                "weights" not in doc
                and doc["N"] == 8
                and doc["M"] == M
                and doc["operator"] == "product"
            )
            version = (
                "symtd-network/1"
                if stem in ("contiguous", "mirror", "dilated")
                else "symtd-network/2"
            )
            assert doc["format"] == version
            loaded = symtd.load_network(path)
            assert not loaded.is_concrete and loaded.is_tree == (stem != "overlapping")
