"""Budget: ``import simkit`` <= 0.5 s (PRODUCT.md).

Run: .venv/bin/python benchmarks/bench_import.py
Each figure is the median wall time of fresh interpreters, minus an empty interpreter's start-up.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

BUDGET_S = 0.5
RUNS = 15


def _median(code: str) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    base = _median("pass")
    bare = _median("import simkit") - base
    loaded = _median("import simkit; simkit.load_kit()") - base
    print(f"python start-up: {base:.3f} s (subtracted)")
    print(f"import simkit: {bare:.3f} s (budget {BUDGET_S} s; {'within' if bare <= BUDGET_S else 'OVER'} budget)")
    print(f"import simkit + load and validate the kit: {loaded:.3f} s")


if __name__ == "__main__":
    main()
