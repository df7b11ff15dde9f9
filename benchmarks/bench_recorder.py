"""How long recording one reply takes: the store write an app makes before it shows the feedback.

Run: .venv/bin/python benchmarks/bench_recorder.py [DB_URL]
One Recorder (one store kept open, as an app keeps it) records the longest scenario's dialogues
after every reply, into a fresh SQLite file under a temporary folder unless a URL is given. The
figure is the time of ``record`` alone (the reply is scored before); the first record, which opens
the store and checks its schema, is shown apart.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from simkit import generate, load_kit
from simkit.engine.dialogue import Dialogue, StepClock
from simkit.store.recorder import Recorder

DIALOGUES = 100
BUDGET_MS = 10.0  # "a few ms": the feedback must not wait on the store


def main() -> None:
    kit = load_kit()
    longest = max(kit.scenarios.values(), key=lambda s: (len(s.turns), s.id))
    with tempfile.TemporaryDirectory() as folder:
        url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{Path(folder) / 'bench.db'}"
        recorder = Recorder(kit, "Бенчмарк", "practice", cohort="bench", url=url)
        times: list[float] = []
        opening = 0.0
        for seed in range(DIALOGUES):
            dialogue = Dialogue(generate(longest, seed, "ru"), kit, StepClock())
            while (turn := dialogue.turn) is not None:
                dialogue.reply(turn.model_reply, list(turn.model_actions))
                result = dialogue.result()
                start = time.perf_counter()
                outcome = recorder.record(result)
                took = time.perf_counter() - start
                assert outcome == "stored", outcome
                if seed == 0 and not opening:
                    opening = took
                else:
                    times.append(took)
        recorder.close()
    times.sort()
    median, p95 = statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000
    print(
        f"record one reply ({url.split(':')[0]}, {longest.id}, {len(times)} records): median {median:.1f} ms, "
        f"p95 {p95:.1f} ms, max {times[-1] * 1000:.1f} ms (budget {BUDGET_MS:g} ms); first record, opening the store: "
        f"{opening * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
