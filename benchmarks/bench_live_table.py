"""How soon a trainer's live table shows answers when 30 trainees answer at once (issue 10 budget: 2 s).

Run: .venv/bin/python benchmarks/bench_live_table.py [--trainees 30] [--url postgresql+psycopg:///db]
30 trainee processes (each like a trainee's kernel) play a round's scenario with their round seed
and store every reply through ``Recorder(session=<code>)``, all starting at the same moment, with a
short pause before each later reply. In this process the trainer's console (``apps.console.Console``)
polls the store with its own poller; for each answer the time from its being stored (the recorder
returned) to the poll whose live rows first hold it is measured (one monotonic clock for all).
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

BUDGET_S = 2.0


def _trainee(url: str, code: str, name: str, ready: Any, go: Any) -> list[tuple[str, int, float]]:
    """One trainee: wait for the start, answer every turn with the model reply; (name, turn, stored at) per reply."""
    from simkit import generate
    from simkit.content.kit import load_kit
    from simkit.engine.dialogue import Dialogue
    from simkit.store.database import Store
    from simkit.store.recorder import Recorder
    from simkit.store.sessions import get_round, seed_for

    kit = load_kit()
    with Store(url) as store:
        found = get_round(store, code)
    instance = generate(kit.scenario(found.scenarios[0]), seed_for(found, name), found.lang)
    dialogue = Dialogue(instance, kit)
    stored = []
    with Recorder(kit, name, found.mode, session=code, url=url) as recorder:
        recorder.connect()
        ready.put(name)
        go.wait()
        pause = random.Random(name)
        while not dialogue.finished:
            turn = dialogue.turn
            dialogue.reply(turn.model_reply, list(turn.model_actions))
            recorder.record(dialogue.result())
            stored.append((name, len(dialogue.exchanges), time.monotonic()))
            time.sleep(pause.uniform(0.3, 1.5))  # reading the customer's next line and typing
    return stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=30)
    parser.add_argument("--url", default=None, help="the store (default: a fresh SQLite file)")
    args = parser.parse_args()

    from simkit.apps.console import INTERVAL, Console
    from simkit.content.kit import load_kit
    from simkit.store.sessions import LiveRow

    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'live.db'}"
        kit = load_kit()
        console = Console(lang="en", kit=kit, url=url)
        longest = max(kit.scenarios.values(), key=lambda s: (len(s.turns), s.id))
        console.title_box.value = "Benchmark round"
        console.scenario_pick.value = (longest.id,)
        console.round_lang.value = "en"
        found = console.create()
        seen: dict[tuple[str, int], float] = {}
        polls: list[float] = []

        def listen(rows: list[LiveRow]) -> None:
            at = time.monotonic()
            polls.append(at)
            for row in rows:
                for turn in range(1, row.turn_reached + 1):
                    seen.setdefault((row.trainee, turn), at)

        console.listeners.append(listen)
        context = multiprocessing.get_context("spawn")
        manager = context.Manager()
        ready, go = manager.Queue(), manager.Event()
        names = [f"Trainee {i:02d}" for i in range(args.trainees)]
        with context.Pool(args.trainees) as pool:
            pending = [pool.apply_async(_trainee, (url, found.code, name, ready, go)) for name in names]
            for _ in names:  # every trainee's kernel is up, its kit loaded and its store open
                ready.get(timeout=600)
            time.sleep(2 * INTERVAL)
            polls.clear()
            go.set()  # every trainee answers the first turn at once
            results = [p.get(timeout=600) for p in pending]
        time.sleep(2 * INTERVAL + 0.5)  # the last answers' polls
        console.shutdown()

    stored = [s for r in results for s in r]
    lags = sorted(max(0.0, seen.get((name, turn), float("inf")) - at) for name, turn, at in stored)
    missing = sum(1 for lag in lags if lag == float("inf"))
    gaps = [b - a for a, b in itertools.pairwise(polls)]
    quantile = statistics.quantiles(lags, n=20)
    print(
        f"{args.trainees} trainees, {len(stored)} answers ({longest.id}, {len(longest.turns)} turns), store "
        f"{'SQLite' if url.startswith('sqlite') else url.split(':', 1)[0]}, poll every {INTERVAL} s "
        f"(measured mean {statistics.mean(gaps):.2f} s, max {max(gaps):.2f} s)"
    )
    print(
        f"stored -> on the live table: p50 {statistics.median(lags):.2f} s, p95 {quantile[18]:.2f} s, "
        f"max {lags[-1]:.2f} s; budget {BUDGET_S} s: {'met' if lags[-1] <= BUDGET_S and not missing else 'MISSED'}"
        + (f" ({missing} never seen)" if missing else "")
    )


if __name__ == "__main__":
    main()
