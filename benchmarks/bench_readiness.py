"""Budget: readiness verdicts for 1,000 trainees x 100 attempts <= 1 s (PRODUCT.md).

Run: .venv/bin/python benchmarks/bench_readiness.py [--trainees 1000] [--attempts 100] [--runs 5] [--file F]
                                                    [--pg-database NAME] [--no-sqlite] [--kit K]
     pg_virtualenv -t -v 15 .venv/bin/python benchmarks/bench_readiness.py   # SQLite, then PostgreSQL too

The store is filled with Core bulk inserts of realistic rows: attempts played through the engine
on every scenario in both languages (model replies, shortened text-only replies and rude ones),
about three replies each with the verdicts that apply to them, spread over the last 16 days in
every mode, some unfinished, each attempt with its sums as the store writes them with its replies
(``simkit.store.sums``). The fill is timed apart. The figure is the median wall time of
``store_readiness`` over several runs, with a fresh Store each run (as ``simkit readiness`` opens
one). With --file the SQLite file is kept, and reused if it already holds attempts (a file of an
earlier schema is migrated when opened, its sums computed then). With PGHOST set the same is
measured on a throwaway PostgreSQL database as well, or on --pg-database, kept and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, create_engine, select, text

from simkit import generate, load_kit
from simkit.content.kit import Kit
from simkit.engine.dialogue import AttemptResult, Dialogue, StepClock
from simkit.engine.generation import InstanceTurn
from simkit.reports.readiness import store_readiness
from simkit.store.database import Store, score_values
from simkit.store.records import Base
from simkit.store.sums import summarise, sums_of

BUDGET_S = 1.0
RUDE = {
    "ru": "Успокойтесь. Вы сами виноваты, надо было читать договор. Вы вообще слушаете?",
    "en": "Calm down. It's your own fault, you should have read the contract. Are you even listening?",
}
MODES = ["practice"] * 75 + ["session"] * 12 + ["assessment"] * 10 + ["real"] * 3
TABLES = {
    name: Base.metadata.tables[name] for name in ("trainees", "attempts", "replies", "reply_findings", "verdicts", "turn_scores")
}


def reply_as(variant: str, turn: InstanceTurn, lang: str) -> tuple[str, list[Any] | None]:
    """What a trainee of this variant answers to ``turn``: text and actions (None: text only)."""
    if variant == "model":
        return turn.model_reply, list(turn.model_actions)
    if variant == "long":  # the model reply with the customer's words repeated back
        return f"{turn.model_reply} {turn.customer}", list(turn.model_actions)
    if variant == "short":  # the first sentence only, actions read from the text
        return turn.model_reply.split(". ")[0] + ".", None
    return RUDE[lang], None


VARIANTS = ["model"] * 5 + ["long"] * 2 + ["short"] * 2 + ["rude"]


def play(kit: Kit, scenario: str, seed: int, lang: str, variant: str) -> AttemptResult:
    """One attempt played through the engine by a trainee of ``variant``."""
    instance = generate(kit.scenario(scenario), seed, lang)
    dialogue = Dialogue(instance, kit, StepClock([35.0, 20.0, 48.0, 30.0, 26.0, 41.0] * 3))
    for _ in range(3 * len(instance.turns)):
        turn = dialogue.turn
        if turn is None:
            break
        dialogue.reply(*reply_as(variant, turn, lang))
    return dialogue.result()


@dataclass
class Template:
    """A played attempt whose rows are copied, under fresh ids, into many stored attempts."""

    result: AttemptResult
    variant: str
    verdicts: list[list[dict[str, Any]]]  # per reply
    scores: list[dict[str, Any]]
    sums: dict[str, Any]  # the attempt's sums, as the store writes them with a new attempt


def templates(kit: Kit) -> list[Template]:
    """Every scenario in both languages, played by each variant of trainee."""
    out = []
    for scenario in sorted(kit.scenarios):
        for lang in ("ru", "en"):
            for variant in ("model", "long", "short", "rude"):
                result = play(kit, scenario, 1, lang, variant)
                rows = [score_values("-", e.score, result.rulebook_hash) for e in result.exchanges]
                verdicts = [
                    [{**v, "evidence": json.dumps(v["evidence"]), "missing": json.dumps(v["missing"])} for v in vs]
                    for vs, _ in rows
                ]
                scores = [{**ts, "critical_failures": json.dumps(ts["critical_failures"])} for _, ts in rows]
                sums = sums_of([v for vs, _ in rows for v in vs], len(rows))
                out.append(Template(result, variant, verdicts, scores, sums))
    return out


def attempt_rows(
    template: Template,
    trainee_id: int,
    mode: str,
    started: datetime,
    finished: bool,
    texts: Callable[[AttemptResult], list[tuple[str, list[Any], bool]]] | None = None,
    seed: int = 1,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The rows of one stored attempt copied from ``template``: (table, values) pairs, parents first."""
    result = template.result
    attempt_id = str(uuid.uuid4())
    yield (
        "attempts",
        {
            "id": attempt_id,
            "trainee_id": trainee_id,
            "session_id": None,
            "scenario_id": result.scenario_id,
            "seed": seed,
            "lang": result.lang,
            "mode": mode,
            "started_at": started,
            "finished_at": started + timedelta(minutes=4) if finished else None,
            "outcome": result.outcome if finished else None,
            "score": result.score if finished else None,
            "rulebook_hash": result.rulebook_hash,
            "kit_version": result.kit_version,
            **template.sums,
        },
    )
    replies = texts(result) if texts else [(e.reply, list(e.score.actions), e.score.text_only) for e in result.exchanges]
    for index, (exchange, (reply, actions, text_only)) in enumerate(zip(result.exchanges, replies, strict=True)):
        reply_id = str(uuid.uuid4())
        yield (
            "replies",
            {
                "id": reply_id,
                "attempt_id": attempt_id,
                "turn_index": index,
                "turn_id": exchange.turn.id,
                "text": reply,
                "actions": [a.model_dump(exclude_none=True) for a in actions],  # text only: those read from the text
                "text_only": text_only,
                "seconds": exchange.seconds,
                "late": exchange.late,
                "anger_before": exchange.anger_before,
                "anger_after": exchange.anger_after,
                "created_at": started + timedelta(seconds=40 * (index + 1)),
            },
        )
        for verdict in template.verdicts[index]:
            yield "verdicts", {**verdict, "reply_id": reply_id}
        yield "turn_scores", {**template.scores[index], "reply_id": reply_id}


def bulk_insert(url: str, rows: Iterator[tuple[str, dict[str, Any]]], per_transaction: int = 50_000) -> Counter[str]:
    """Insert (table, values) pairs in bulk, parents first, in large transactions.

    SQLite takes them by the driver's executemany, PostgreSQL by COPY (several times faster than
    even pipelined inserts). Values go in as the store writes them: JSON as its text (a str is
    taken as JSON text already) and, in SQLite, moments as SQLAlchemy's UTC text.
    """
    store = Store(url)  # migrated, and with the store's SQLite settings
    sqlite = store.engine.dialect.name == "sqlite"
    counts: Counter[str] = Counter()
    pending: dict[str, list[tuple[Any, ...]]] = {name: [] for name in TABLES}
    statements: dict[str, tuple[str, list[Callable[[Any], Any]]]] = {}

    def as_stored(column: Any) -> Callable[[Any], Any]:
        if isinstance(column.type, JSON):
            return lambda v: v if isinstance(v, str) else json.dumps(v)
        if isinstance(column.type, DateTime) and sqlite:
            return lambda v: v and v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return lambda v: v

    def statement(name: str, values: dict[str, Any]) -> tuple[str, list[Callable[[Any], Any]]]:
        table = TABLES[name]
        columns = [table.c[key] for key in values]
        marks = ["?" if sqlite else "%s::json" if isinstance(c.type, JSON) else "%s" for c in columns]
        sql = f"INSERT INTO {name} ({', '.join(values)}) VALUES ({', '.join(marks)})"
        return sql, [as_stored(c) for c in columns]

    def flush() -> None:
        with store.engine.begin() as connection:
            for name in TABLES:  # in dependency order
                if not pending[name]:
                    continue
                if sqlite:
                    connection.exec_driver_sql(statements[name][0], pending[name])
                else:
                    columns = statements[name][0].split("(", 1)[1].split(")", 1)[0]
                    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
                    with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                        for row in pending[name]:
                            copy.write_row(row)
                counts[name] += len(pending[name])
                pending[name] = []

    size = 0
    for name, values in rows:
        if name not in statements:
            statements[name] = statement(name, values)
        pending[name].append(tuple(f(v) for f, v in zip(statements[name][1], values.values(), strict=True)))
        size += 1
        if size >= per_transaction and name == "attempts":  # the rows of an attempt go in together
            flush()
            size = 0
    flush()
    with store.engine.begin() as connection:
        assert summarise(connection) == 0  # every attempt came with its sums
    store.close()
    return counts


def fill(url: str, kit: Kit, trainees: int, attempts: int, seed: int = 7) -> Counter[str]:
    """``trainees`` trainees in 20 cohorts with ``attempts`` attempts each, of mixed skill, over 16 days."""
    rng = random.Random(seed)
    played = templates(kit)
    by_variant = {v: [t for t in played if t.variant == v] for v in ("model", "long", "short", "rude")}
    now = datetime.now(UTC)

    def rows() -> Iterator[tuple[str, dict[str, Any]]]:
        for number in range(1, trainees + 1):
            cohort = f"2025-{number % 20:02d}"
            yield "trainees", {"id": number, "name": f"Стажёр {number:05d}", "cohort": cohort, "start_date": None}
            skill = rng.random()  # the share of good answers this trainee gives
            for _ in range(attempts):
                variant = rng.choice(VARIANTS) if rng.random() > skill else "model"
                started = now - timedelta(days=16 * rng.random(), minutes=5)
                yield from attempt_rows(rng.choice(by_variant[variant]), number, rng.choice(MODES), started, rng.random() > 0.01)

    return bulk_insert(url, rows())


def time_readiness(url: str, kit: Kit, runs: int) -> tuple[list[float], Counter[str]]:
    times = []
    verdicts: Counter[str] = Counter()
    for _ in range(runs):
        start = time.perf_counter()
        with Store(url) as store:
            judged = store_readiness(store, kit)
        times.append(time.perf_counter() - start)
        verdicts = Counter(v.verdict for v in judged)
    return times, verdicts


def measure(url: str, kit: Kit, trainees: int, attempts: int, runs: int) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM attempts")).scalar_one()
    except Exception:
        stored = 0
    engine.dispose()
    backend = url.split(":")[0]
    if stored:
        print(f"{backend}: reusing {stored} stored attempts at {url}", flush=True)
    else:
        start = time.perf_counter()
        counts = fill(url, kit, trainees, attempts)
        took = time.perf_counter() - start
        rows = ", ".join(f"{counts[n]} {n}" for n in TABLES)
        print(f"{backend}: filled in {took:.1f} s: {rows}", flush=True)
    start = time.perf_counter()
    with Store(url) as store, store.engine.connect() as connection:  # a file of an earlier schema is migrated here
        opened = time.perf_counter() - start
        verdict_rows = connection.execute(select(text("count(*)")).select_from(TABLES["verdicts"])).scalar_one()
        attempts_table = TABLES["attempts"]
        elsewhere = connection.execute(
            select(text("count(*)")).select_from(attempts_table).where(attempts_table.c.rulebook_hash != kit.rulebook_hash)
        ).scalar_one()
    if opened > 1:
        print(f"  opened (and migrated) in {opened:.1f} s", flush=True)
    if elsewhere:
        print(f"  note: {elsewhere} attempts were played under another rulebook than the kit's: they fall back to it", flush=True)
    passes = ["as filled"]
    if backend.startswith("postgresql"):
        passes.append("after ANALYZE")  # statistics as autovacuum gathers them on a live database
    for label in passes:
        if label == "after ANALYZE":
            with Store(url) as store, store.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
        times, verdicts = time_readiness(url, kit, runs)
        median = statistics.median(times)
        print(
            f"  store_readiness ({label}) over {stored or trainees * attempts} attempts, {verdict_rows} verdicts: "
            f"median {median:.2f} s, min {min(times):.2f} s of {runs} runs "
            f"(budget {BUDGET_S:g} s; {'within' if median <= BUDGET_S else 'OVER'} budget)",
            flush=True,
        )
    print(f"  verdicts: {dict(verdicts)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=1000)
    parser.add_argument("--attempts", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--file", help="SQLite file to fill (kept), or to reuse when it holds attempts")
    parser.add_argument("--pg-database", help="PostgreSQL database to fill (kept), or to reuse when it holds attempts")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--kit", help="kit root (default: this kit); a reused store was filled with some kit's rulebook")
    args = parser.parse_args()
    kit = load_kit(args.kit)
    if not args.no_sqlite:
        path = Path(args.file) if args.file else Path(tempfile.mkdtemp()) / "readiness.db"
        measure(f"sqlite:///{path}", kit, args.trainees, args.attempts, args.runs)
    if os.environ.get("PGHOST") or os.environ.get("PGPORT"):
        name = args.pg_database or f"simkit_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine("postgresql+psycopg:///postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            measure(f"postgresql+psycopg:///{name}", kit, args.trainees, args.attempts, args.runs)
        finally:
            if not args.pg_database:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
