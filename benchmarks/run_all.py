"""`make bench`: run every benchmark (benchmarks/bench_*.py) and print each figure beside its target."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main(names: list[str]) -> None:
    modules = names or sorted(p.stem for p in HERE.glob("bench_*.py"))
    for name in modules:
        module = importlib.import_module(name)
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        module.main()
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    chosen = sys.argv[1:]
    del sys.argv[1:]  # each benchmark parses its own (empty) arguments
    main(chosen)
