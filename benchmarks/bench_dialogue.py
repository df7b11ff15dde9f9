"""How long a full dialogue of the longest scenario takes to score (issue: customer simulation).

Run: .venv/bin/python benchmarks/bench_dialogue.py
Each run plays the scenario's model replies through the dialogue engine: detection, every rule,
the mood table and the branches, turn by turn, on a fresh instance (a new seed each time).
"""

from __future__ import annotations

import statistics
import time

from simkit import generate, load_kit
from simkit.engine.dialogue import play_model

RUNS = 200


def main() -> None:
    kit = load_kit()
    longest = max(kit.scenarios.values(), key=lambda s: (len(s.turns), s.id))
    for lang in ("ru", "en"):
        play_model(generate(longest, 0, lang), kit)  # warm the caches
        times, turns = [], []
        for seed in range(1, RUNS + 1):
            instance = generate(longest, seed, lang)
            start = time.perf_counter()
            result = play_model(instance, kit)
            times.append(time.perf_counter() - start)
            turns.append(len(result.exchanges))
        times.sort()
        print(
            f"{longest.id} ({len(longest.turns)} turns, {lang}): full dialogue median {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms over {RUNS} seeds ({statistics.mean(turns):.1f} replies each)"
        )


if __name__ == "__main__":
    main()
