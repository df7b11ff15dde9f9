"""Budget: re-scoring 100,000 stored replies <= 30 s on 2 cores, peak memory <= 500 MB (PRODUCT.md).

Run: .venv/bin/python benchmarks/bench_rescore.py [--replies 100000] [--workers 2] [--runs 1] [--file F]

A SQLite store is filled by bulk inserts with about 100,000 replies: attempts on every scenario in
both languages, each with its own seed, so the model replies carry that instance's names, orders
and dates; some trainees answer with the model reply plus the customer's words, with the first
sentence only (text only, actions read from the text) or rudely. Each reply has the verdicts and
turn score of the shipped rulebook, and its findings as the store keeps them when it records an
attempt (language.stored), so re-scoring under a changed rulebook reads no text again. With
--fresh-findings the kept findings are dropped first: the cost of re-scoring after a lexicon
change, when every reply is read again. The kit is then copied to a temporary folder and one rule's
weight changed, which gives a new rulebook hash, and ``rescore`` is timed with its worker
processes and this one writing what they score (the kit loading, spawning and writing included);
the peak memory is that of the largest process. Each further run changes the weight
again, so it has all the replies to do. A last run under the same rulebook shows the cost of
finding that there is nothing to do. With --file the SQLite file is kept, and reused if it
already holds replies.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from simkit import generate, load_kit
from simkit.content.kit import Kit, find_root
from simkit.engine.dialogue import AttemptResult
from simkit.engine.generation import ScenarioInstance
from simkit.engine.scoring import context_of
from simkit.language.detection import detect
from simkit.store.database import findings_row
from simkit.store.rescore import default_workers, rescore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_readiness import MODES, VARIANTS, attempt_rows, bulk_insert, reply_as, templates

BUDGET_S = 30.0
BUDGET_MB = 500


def answers(variant: str, instance: ScenarioInstance) -> Callable[[AttemptResult], list[tuple[str, list[Any], bool]]]:
    """The replies a trainee of ``variant`` gives in ``instance`` along a played attempt's turns."""

    def texts(result: AttemptResult) -> list[tuple[str, list[Any], bool]]:
        out = []
        for exchange in result.exchanges:
            reply, actions = reply_as(variant, instance.turn(exchange.turn.id), instance.lang)
            out.append((reply, actions or [], actions is None))
        return out

    return texts


def fill(url: str, kit: Kit, replies: int, seed: int = 11) -> int:
    """About ``replies`` stored replies in attempts of 200 trainees; returns how many."""
    rng = random.Random(seed)
    played = templates(kit)
    by_variant = {v: [t for t in played if t.variant == v] for v in ("model", "long", "short", "rude")}
    now = datetime.now(UTC)
    stored = 0
    trainees = 200

    def rows() -> Iterator[tuple[str, dict[str, Any]]]:
        nonlocal stored
        for number in range(1, trainees + 1):
            cohort = f"2025-{number % 20:02d}"
            yield "trainees", {"id": number, "name": f"Стажёр {number:05d}", "cohort": cohort, "start_date": None}
        while stored < replies:
            variant = rng.choice(VARIANTS)
            template = rng.choice(by_variant[variant])
            attempt_seed = rng.randrange(1, 1_000_000)
            instance = generate(kit.scenario(template.result.scenario_id), attempt_seed, template.result.lang)
            started = now - timedelta(days=30 * rng.random(), minutes=5)
            trainee = rng.randrange(1, trainees + 1)
            texts = answers(variant, instance)
            for table, values in attempt_rows(template, trainee, rng.choice(MODES), started, True, texts, attempt_seed):
                yield table, values
                if table == "replies":  # what the detector found in it, kept as the store keeps it when it records
                    name = context_of(kit, instance, values["turn_id"]).customer_name
                    found = detect(values["text"], instance.lang, name)
                    yield (
                        "reply_findings",
                        dict(zip(("reply_id", "fingerprint", "findings"), findings_row(values["id"], found, name), strict=True)),
                    )
            stored += len(template.result.exchanges)

    bulk_insert(url, rows())
    return stored


def changed_kit(folder: Path, weight: float) -> Kit:
    """A copy of the kit in ``folder`` with the phone-greeting rule weighing ``weight``: a new rulebook."""
    root = find_root()
    for part in ("rulebook", "scenarios", "schemas"):
        shutil.copytree(root / part, folder / part, dirs_exist_ok=True)
    file = folder / "rulebook" / "rules" / "etiquette.yaml"
    content = file.read_text(encoding="utf-8")
    start = content.index("  - id: greet-on-phone")
    head, tail = content[:start], content[start:]
    file.write_text(head + re.sub(r"    weight: \d+", f"    weight: {weight}", tail, count=1), encoding="utf-8")
    return load_kit(folder)


def _cpu() -> tuple[float, float]:
    # this process (the writer) and its finished children (the pool's workers), user and system time
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--file", help="SQLite file to fill (kept), or to reuse when it holds replies")
    parser.add_argument("--fresh-findings", action="store_true", help="drop the kept findings first: every reply is read again")
    args = parser.parse_args()
    kit = load_kit()
    path = Path(args.file) if args.file else Path(tempfile.mkdtemp()) / "rescore.db"
    url = f"sqlite:///{path}"
    stored = 0
    if path.exists():
        engine = create_engine(url)
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM replies")).scalar_one()
        engine.dispose()
    if stored:
        print(f"reusing {stored} stored replies in {path}")
    else:
        start = time.perf_counter()
        stored = fill(url, kit, args.replies)
        print(f"filled {path} with {stored} replies in {time.perf_counter() - start:.1f} s", flush=True)
    from simkit.store.database import Store

    store = Store(url)
    for _ in range(args.runs):
        folder = Path(tempfile.mkdtemp())
        new_kit = changed_kit(folder, round(random.uniform(1, 10), 3))  # a rulebook not used on this file before
        with store.engine.begin() as connection:
            if args.fresh_findings:
                connection.execute(text("DELETE FROM reply_findings"))
            kept = connection.execute(text("SELECT count(*) FROM reply_findings")).scalar_one()
        print(f"replies with findings kept: {kept}", flush=True)
        start, cpu = time.perf_counter(), _cpu()
        report = rescore(store, new_kit, workers=args.workers)
        took, (writer, workers) = time.perf_counter() - start, (b - a for a, b in zip(cpu, _cpu(), strict=True))
        used = writer + workers
        print(
            f"rescore under {report.rulebook_hash} with {args.workers} workers: {report.scored} replies scored "
            f"({report.already} already, {report.missing_content} missing) in {took:.1f} s, {report.scored / took:.0f} replies/s "
            f"(budget {BUDGET_S:g} s for 100,000; {'within' if took * 100_000 / max(report.scored, 1) <= BUDGET_S else 'OVER'})",
            flush=True,
        )
        print(
            f"  CPU used: {used:.1f} s, {1000 * used / max(report.scored, 1):.2f} ms per reply; on {args.workers} idle cores "
            f"that is at least {used / args.workers:.1f} s (uptime load before the run: {_load()})\n"
            f"  of which this process (reading the work, writing): {writer:.1f} s, the workers: {workers:.1f} s",
            flush=True,
        )
        peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
        print(f"  peak memory of one process: {peak:.0f} MB (budget {BUDGET_MB} MB; {'within' if peak <= BUDGET_MB else 'OVER'})")
    if args.runs:  # with --runs 0 the file is only filled (a base to copy for runs on a fresh file)
        start = time.perf_counter()
        again = rescore(store, new_kit, workers=args.workers)
        took = time.perf_counter() - start
        print(f"again under the same rulebook: {again.scored} scored, {again.already} already, {took:.1f} s")
    store.close()


if __name__ == "__main__":
    main()
