"""``python -m symtd.bench``: the benchmarks of a source checkout (``benchmarks/`` beside
``symtd/``), which live outside the installed package; options as ``python benchmarks/bench.py``."""

import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"
    if not script.is_file():
        print(
            "symtd.bench: the benchmarks ship with the source checkout (benchmarks/bench.py)",
            file=sys.stderr,
        )
        sys.exit(2)
    sys.argv[0] = str(script)
    runpy.run_path(str(script), run_name="__main__")
