"""Budget: the HR dashboard's first render for 1,000 trainees x 100 attempts <= 2 s (issue 10).

Run: .venv/bin/python benchmarks/bench_dashboard.py [--trainees 1000] [--attempts 100] [--runs 5] [--file F] [--kit K]

The store is filled as ``bench_readiness.py`` fills it (its builder is reused; --file keeps or
reuses the SQLite file, so the two benchmarks can share one; --kit names the kit it was filled
with). The figure is the median wall time from nothing to a drawn dashboard: the store opened,
every trainee's verdict judged from the sums each attempt keeps (``store_readiness``), HR's
latest decisions read, the rulebook choices listed and the first page of the cohort table (50
trainees) drawn, in a fresh process state each run. Beside it: the same verdicts judged under a
rulebook none of the attempts was scored with, where every reply falls back to its own rulebook,
and opening one trainee.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_readiness import fill

from simkit import load_kit
from simkit.apps.dashboard import Dashboard
from simkit.reports.readiness import store_readiness
from simkit.store.database import Store

BUDGET_S = 2.0


def _median(label: str, runs: int, work: object, settle: object = None) -> float:
    times = []
    for _ in range(runs):
        if settle is not None:
            settle()  # type: ignore[operator]  # the previous run's background work ends before the clock starts
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"  {label}: median {median:.2f} s, min {min(times):.2f} s of {runs} runs", flush=True)
    return median


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=1000)
    parser.add_argument("--attempts", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--file", help="SQLite file to fill (kept), or to reuse when it holds attempts")
    parser.add_argument("--kit", help="kit root (default: this kit); a reused store was filled with some kit's rulebook")
    args = parser.parse_args()
    kit = load_kit(args.kit)
    path = Path(args.file) if args.file else Path(tempfile.mkdtemp()) / "dashboard.db"
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM attempts")).scalar_one()
    except Exception:
        stored = 0
    engine.dispose()
    if stored:
        print(f"reusing {stored} stored attempts at {url}", flush=True)
    else:
        start = time.perf_counter()
        fill(url, kit, args.trainees, args.attempts)
        print(f"filled in {time.perf_counter() - start:.1f} s", flush=True)
    shown: list[Dashboard] = []

    def first_render() -> None:
        board = Dashboard(lang="ru", kit=kit, url=url)
        assert board.state is not None and not board.error, board.error
        assert board._table.value.count("<tr data-trainee") == min(50, len(board.state.verdicts))
        shown.append(board)

    def settle() -> None:
        if shown:
            shown[-1]._books_ready.wait(60)  # the rulebook versions, read after the first drawing
            if shown[-1].state is not None:
                shown[-1].state.evidence.close()

    median = _median("first render (cohort table, page 1 of 50 rows)", args.runs, first_render, settle)
    settle()
    print(f"  budget {BUDGET_S:g} s: {'within' if median <= BUDGET_S else 'OVER'} budget", flush=True)
    with Store(url) as store:
        _median(
            "store_readiness under a rulebook no reply was scored with (all fall back)",
            max(1, args.runs // 2),
            lambda: store_readiness(store, kit, rulebook="0" * 16),
        )
    board = shown[-1]
    trainee = board.rows()[0].readiness.trainee
    _median("opening one trainee (100 attempts, trend plot)", max(1, args.runs // 2), lambda: board.show(trainee))
    print(f"  verdicts: {dict(board.state.counts())}", flush=True)  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
