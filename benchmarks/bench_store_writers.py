"""Budget: 50 concurrent writers store 5,000 attempts in SQLite, none lost, in <= 30 s (PRODUCT.md).

Run: .venv/bin/python benchmarks/bench_store_writers.py [--url URL] [--runs N]
Each writer is a forked process that saves 100 played attempts (with their replies, verdicts and
turn scores) through its own Store; the figure is the wall time from the first start to the last
exit. Without --url a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from simkit import generate, load_kit
from simkit.engine.dialogue import AttemptResult, play_model
from simkit.store.database import Store

WRITERS, EACH = 50, 100


def _write(url: str, worker: int, result: AttemptResult) -> None:
    store = Store(url)
    for i in range(EACH):
        store.save_attempt(
            result, f"trainee-{worker}", "practice", attempt_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{worker}/{i}"))
        )
    store.close()


def run(url: str, result: AttemptResult) -> tuple[float, int, int]:
    """One run: (seconds, attempts stored, writers failed)."""
    Store(url).close()
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write, args=(url, w, result)) for w in range(WRITERS)]
    start = time.perf_counter()
    for process in workers:
        process.start()
    for process in workers:
        process.join()
    elapsed = time.perf_counter() - start
    engine = create_engine(url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM attempts")).scalar_one()
    engine.dispose()
    return elapsed, stored, sum(p.exitcode != 0 for p in workers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="an empty database (one run); without it each run gets a new SQLite file")
    parser.add_argument("--runs", type=int, default=1, help="runs to time; the machine's load is shown before each")
    args = parser.parse_args()
    kit = load_kit()
    result = play_model(generate(kit.scenario("discount-demand-sports-food"), 1, "ru"), kit)
    times = []
    for _ in range(1 if args.url else args.runs):
        url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        elapsed, stored, failed = run(url, result)
        times.append(elapsed)
        print(f"{WRITERS} writers x {EACH} attempts ({len(result.exchanges)} replies each) to {url.split(':')[0]} (load {load}):")
        print(
            f"  {stored} attempts stored (expected {WRITERS * EACH}), {failed} writers failed, {elapsed:.1f} s (budget 30 s)",
            flush=True,
        )
    if len(times) > 1:
        print(f"min {min(times):.1f} s, median {statistics.median(times):.1f} s, max {max(times):.1f} s of {len(times)} runs")


if __name__ == "__main__":
    main()
