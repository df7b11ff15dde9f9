"""The figures readiness judges, summed up by the database for a whole cohort at once.

Reading every attempt with its replies and verdicts through the ORM costs seconds per thousand
attempts; readiness needs only, per attempt, its score, its kind of situation and its verdicts'
weights summed per category. The database does those sums, in parallel parts where it can, so
a thousand trainees with a hundred attempts each are judged within the budget.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import String, and_, exists, func, literal_column, select, true, type_coerce
from sqlalchemy.engine import Connection

from .records import Base

if TYPE_CHECKING:
    from .database import Store

_ATTEMPTS = Base.metadata.tables["attempts"]
_REPLIES = Base.metadata.tables["replies"]
_VERDICTS = Base.metadata.tables["verdicts"]
_TRAINEES = Base.metadata.tables["trainees"]
# How PostgreSQL runs one part of the sums: (setting, first server version that has it). The plan
# wanted is always the same: the window's attempts, then their replies and verdicts by index,
# grouped in memory. Right after a bulk load, with statistics missing or half gathered, the planner
# was seen to sort a million joined rows on disk, or to memoize every verdict of a rulebook and
# search them all for each reply (minutes, not seconds); a cached generic plan may go astray later.
_POSTGRES_PART = (
    ("max_parallel_workers_per_gather = 0", (9, 6)),  # the parts already keep the cores busy
    ("work_mem = '64MB'", (9, 0)),
    ("enable_hashjoin = off", (9, 0)),
    ("enable_mergejoin = off", (9, 0)),
    ("enable_sort = off", (9, 0)),  # group by hashing; the final ORDER BY still sorts
    ("enable_memoize = off", (14, 0)),
    ("jit = off", (11, 0)),  # compiling costs more than it saves here
    ("plan_cache_mode = force_custom_plan", (12, 0)),
)


def _as_utc(moment: datetime) -> datetime:
    # a bound for comparing with stored moments: SQLite compares the UTC text, so convert first
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


class AttemptEvidence(NamedTuple):
    """What readiness needs of one finished attempt, summed up by the database.

    ``categories`` maps a category to (passed weight, total weight) of the attempt's verdicts in
    it, counting only verdicts under the rulebook the attempt was played with; a category appears
    when the attempt has at least one such verdict in it. ``critical`` says whether any of those
    verdicts is a failed critical rule.
    """

    id: str
    trainee: str
    scenario_id: str
    score: float | None
    categories: Mapping[str, tuple[float, float]]
    critical: bool


@contextmanager
def collector_paused() -> Iterator[None]:
    # Building a hundred thousand small objects wakes Python's cycle collector again and again,
    # and each full pass walks every live object: seconds, for objects that form no cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def readiness_evidence(
    store: Store,
    modes: Iterable[str],
    since: datetime,
    until: datetime,
    categories: Sequence[str],
    cohort: str | None = None,
) -> tuple[dict[str, str | None], list[AttemptEvidence]]:
    """What readiness judges, summed up in SQL: trainees with attempts, and the attempts in the window.

    The first part maps the name of every trainee with at least one attempt (of ``cohort``, if
    given) to their cohort. The second lists the finished attempts of ``modes`` whose finish
    lies in [``since``, ``until``], each trainee's oldest first as ``attempts`` orders them,
    each with its verdicts summed per category of ``categories`` and whether a critical rule
    failed. The database does the sums, in parallel parts where it can (see ``_parts``).
    """
    a, r, v, t = _ATTEMPTS, _REPLIES, _VERDICTS, _TRAINEES
    since, until = _as_utc(since), _as_utc(until)
    of_cohort = [t.c.cohort == cohort] if cohort is not None else []
    # per attempt: for each category the total weight (NULL when nothing in it was judged) and
    # the passed weight, then whether a critical rule failed. Only verdicts under the rulebook
    # the attempt was played with count. Left joins keep attempts without verdicts, and make
    # SQLite walk attempts, then their replies, then their verdicts.
    sums: list[Any] = []
    for category in categories:
        in_category = v.c.category == category
        sums += [func.sum(v.c.weight).filter(in_category), func.sum(v.c.weight).filter(in_category, v.c.status == "pass")]
    sums.append(func.count().filter(v.c.status == "fail", v.c.severity == "critical"))
    joined = a.outerjoin(r, r.c.attempt_id == a.c.id).outerjoin(
        v, and_(v.c.reply_id == r.c.id, v.c.rulebook_hash == a.c.rulebook_hash)
    )
    in_window = [
        a.c.mode.in_(list(modes)),
        a.c.finished_at.is_not(None),
        a.c.finished_at >= since,
        a.c.finished_at <= until,
    ]
    if cohort is not None:
        in_window.append(a.c.trainee_id.in_(select(t.c.id).where(*of_cohort)))
    # started_at as stored, unparsed: SQLite's parts are sorted by it in Python, as ORDER BY would
    started = type_coerce(a.c.started_at, String)
    summed = select(a.c.trainee_id, started, a.c.id, a.c.scenario_id, a.c.score, *sums).select_from(joined)
    summed = summed.where(*in_window)
    trainees = select(t.c.id, t.c.name, t.c.cohort).where(exists().where(a.c.trainee_id == t.c.id), *of_cohort)
    reading = store.engine.execution_options(simkit_read_only=True)
    with reading.begin() as connection:
        people = {row.id: (row.name, row.cohort) for row in connection.execute(trainees)}
        parts = _parts(store, connection)
    # each part reads its attempts with their verdicts in one transaction; a trainee added
    # after the list above was read is left out until the next run
    columns = [(category, 5 + 2 * i, 6 + 2 * i) for i, category in enumerate(categories)]
    critical = 5 + 2 * len(categories)

    def part(where: Any, key: Any) -> list[tuple[Any, AttemptEvidence]]:
        query = summed.where(where).group_by(key).order_by(a.c.started_at, a.c.id)
        out = []
        with reading.begin() as connection:
            if connection.dialect.name == "postgresql":
                version = connection.dialect.server_version_info or (0,)
                for setting, since in _POSTGRES_PART:
                    if version >= since:
                        connection.exec_driver_sql(f"SET LOCAL {setting}")
            for row in connection.execute(query):
                person = people.get(row[0])
                if person is None:  # a trainee added since the list was read
                    continue
                judged = {c: (row[passed] or 0.0, row[total]) for c, total, passed in columns if row[total] is not None}
                out.append(((row[1], row[2]), AttemptEvidence(row[2], person[0], row[3], row[4], judged, row[critical] > 0)))
        return out

    with collector_paused():  # a few small objects per attempt, none in a cycle
        if len(parts) == 1:
            results = [part(*parts[0])]
        else:  # each part in its own connection, at once: the database works while Python waits
            with ThreadPoolExecutor(len(parts)) as pool:
                results = list(pool.map(lambda p: part(*p), parts))
        rows = [row for result in results for row in result]
        if len(parts) > 1 and store.engine.dialect.name == "sqlite":
            # SQLite's parts are ranges of storage order, each sorted: merge them as ORDER BY
            # does there (Python compares strings as SQLite's default BINARY collation does).
            # PostgreSQL's parts each hold all of some trainees' attempts, in its own order.
            rows.sort(key=lambda row: row[0])
        return {name: group for name, group in people.values()}, [attempt for _, attempt in rows]


def _parts(store: Store, connection: Connection) -> list[tuple[Any, Any]]:
    # how to split the attempts into parts that are summed at once in separate connections:
    # (condition, group key) pairs. SQLite walks the attempts in storage (rowid) order, where
    # an attempt's replies and verdicts lie close together; grouping by rowid keeps it on
    # that plan. PostgreSQL splits by trainee.
    a = _ATTEMPTS
    count = max(1, min(4, os.cpu_count() or 1))
    if store.engine.dialect.name != "sqlite":
        if count == 1:
            return [(true(), a.c.id)]
        return [(a.c.trainee_id % count == k, a.c.id) for k in range(count)]
    rowid: Any = literal_column("attempts.rowid")
    database = store.engine.url.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        count = 1  # each connection to an in-memory database would see a database of its own
    low, high = connection.execute(select(func.min(rowid), func.max(rowid)).select_from(a)).one()
    if low is None or count == 1:
        return [(true(), rowid)]
    step = (high - low) // count + 1
    return [(and_(rowid >= low + k * step, rowid < low + (k + 1) * step), rowid) for k in range(count)]
