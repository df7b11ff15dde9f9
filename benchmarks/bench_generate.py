"""Budget: generate 10,000 scenario instances in <= 1 s (PRODUCT.md).

Run: .venv/bin/python benchmarks/bench_generate.py
Instances cycle over every shipped scenario and both languages; kit loading is timed apart.
"""

from __future__ import annotations

import itertools
import statistics
import time

from simkit import generate, load_kit

BUDGET_S = 1.0
COUNT = 10_000


def main() -> None:
    start = time.perf_counter()
    kit = load_kit()
    load_s = time.perf_counter() - start
    pairs = list(itertools.product(kit.scenarios.values(), ("ru", "en")))
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for k in range(COUNT):
            scenario, lang = pairs[k % len(pairs)]
            generate(scenario, k, lang)
        runs.append(time.perf_counter() - start)
    best, median = min(runs), statistics.median(runs)
    print(f"kit load (validate {len(kit.scenarios)} scenarios, {len(kit.rules)} rules): {load_s:.3f} s")
    print(f"generate {COUNT} instances: median {median:.3f} s, best {best:.3f} s over {len(runs)} runs (budget {BUDGET_S:g} s)")
    print(f"per instance: {median / COUNT * 1e6:.0f} us; {'within' if median <= BUDGET_S else 'OVER'} budget")


if __name__ == "__main__":
    main()
