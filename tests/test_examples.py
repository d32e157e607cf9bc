"""The README's quickstart and example files do what the README says."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_quickstart_prints_theorem_ranks():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py")], capture_output=True,
                         text=True, check=True).stdout
    assert "deep product: generic rank = 16" in out
    assert "shallow Z=5 : generic rank = 5" in out


def test_example_files_ranks():
    def rank(name, partition):
        out = subprocess.run([sys.executable, "-m", "symtd", "rank", str(ROOT / "examples" / name),
                              "--partition", partition], capture_output=True, text=True, check=True)
        return int(out.stdout.split()[-1])
    assert rank("deep_product_N8.json", "odd-even") == 16      # = min(r_0, M)^(N/2) = 2^4
    assert rank("deep_max_N8.json", "root") <= 2 ** 4
    assert rank("deep_max_N4.json", "I=0,1") == 1               # its grid depends on positions 2, 3 only
    assert rank("deep_max_N4.json", "I=2,3") == 1               # one side only: rank 1 either way
