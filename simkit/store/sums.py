"""Each attempt's verdicts summed up in its own row, for readiness.

Readiness judges, per attempt, the weight of its passed and of all its verdicts in each category
and how many critical rules failed, under the rulebook the attempt was played with. Summing those
from every verdict row takes seconds for a company, so the store keeps them in the attempt's row
(``attempts.sum_*``), written in the very transaction that stores the attempt's replies and
verdicts: a new attempt is inserted with them (``sums_of``), one that gains replies has them
summed again by the database (``summarise``). They cannot drift from the rows they sum: a reply's
verdicts under its attempt's rulebook are stored once, with the reply, and never change
(re-scoring adds rows under another rulebook; a trainer's override is a row of its own, applied
on top by readiness).

An attempt whose sums are NULL (rows written around the store) is summed from its verdicts
(``summed_verdicts``), as are attempts judged under another rulebook than their own whose replies
were re-scored under it; ``summarise`` without ids fills the sums of such attempts in.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import and_, bindparam, case, func, literal_column, select, true, update
from sqlalchemy.engine import Connection

from .records import CATEGORIES, Base

if TYPE_CHECKING:
    from .database import Store

_ATTEMPTS = Base.metadata.tables["attempts"]
_REPLIES = Base.metadata.tables["replies"]
_VERDICTS = Base.metadata.tables["verdicts"]
_TURN_SCORES = Base.metadata.tables["turn_scores"]
_CHUNK = 500  # attempts per statement (ids in an IN list)
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


def category_columns(category: str) -> tuple[Any, Any]:
    """The columns of ``attempts`` holding the passed and the total weight of ``category``."""
    return _ATTEMPTS.c[f"sum_{category}_passed"], _ATTEMPTS.c[f"sum_{category}_total"]


@cache
def _statements() -> tuple[list[str], Any, Any]:
    # the sums' column names; the query summing the verdicts of some attempts; the update writing
    # them. Built once: a store writes an attempt's sums with every save, and building the
    # statements costs more than running them.
    a, r, v = _ATTEMPTS, _REPLIES, _VERDICTS
    names = ["sum_replies", "sum_critical", "sum_passed", "sum_total"]
    for category in CATEGORIES:
        names += [c.name for c in category_columns(category)]
    # per attempt, in the order of the names: its replies, its failed critical verdicts, the
    # weight passed and in all, then per category the weight passed and in all (NULL when nothing
    # in it was judged), of its replies' verdicts under its own rulebook
    joined = a.outerjoin(r, r.c.attempt_id == a.c.id).outerjoin(
        v, and_(v.c.reply_id == r.c.id, v.c.rulebook_hash == a.c.rulebook_hash)
    )
    weight = v.c.weight
    sums: list[Any] = [
        func.count(r.c.id.distinct()),
        func.count(v.c.id).filter(v.c.status == "fail", v.c.severity == "critical"),
        func.coalesce(func.sum(weight).filter(v.c.status == "pass"), 0.0),
        func.coalesce(func.sum(weight), 0.0),
    ]
    for category in CATEGORIES:
        in_category = v.c.category == category
        sums += [func.sum(weight).filter(in_category, v.c.status == "pass"), func.sum(weight).filter(in_category)]
    chosen = a.c.id.in_(bindparam("attempts", expanding=True))
    query = select(a.c.id, *sums).select_from(joined).where(chosen).group_by(a.c.id)
    write = update(a).where(a.c.id == bindparam("attempt")).values({name: bindparam(f"new_{name}") for name in names})
    return names, query, write


def sums_of(verdicts: Iterable[Mapping[str, Any]], replies: int) -> dict[str, Any]:
    """The sums of an attempt with ``replies`` replies and their ``verdicts`` (rows as the store writes them).

    The same figures ``summarise`` has the database add up, worked out before the rows are
    written: a new attempt is inserted with them, at no cost to the transaction.
    """
    out: dict[str, Any] = {"sum_replies": replies, "sum_critical": 0, "sum_passed": 0.0, "sum_total": 0.0}
    for category in CATEGORIES:
        out[f"sum_{category}_passed"] = out[f"sum_{category}_total"] = None
    for v in verdicts:
        weight, category, passed = v["weight"], v["category"], v["status"] == "pass"
        out["sum_critical"] += v["status"] == "fail" and v["severity"] == "critical"
        out["sum_total"] += weight
        if passed:
            out["sum_passed"] += weight
        if category in CATEGORIES:
            key = f"sum_{category}_"
            out[key + "total"] = (out[key + "total"] or 0.0) + weight
            if passed:
                out[key + "passed"] = (out[key + "passed"] or 0.0) + weight
    return out


def _unsummed(connection: Connection) -> Iterator[list[str]]:
    # the attempts without sums, a chunk at a time in id order (each chunk is summed before the next is read)
    a, after = _ATTEMPTS, ""
    while True:
        query = select(a.c.id).where(a.c.sum_total.is_(None), a.c.id > after).order_by(a.c.id).limit(_CHUNK)
        chunk = list(connection.scalars(query))
        if not chunk:
            return
        yield chunk
        after = chunk[-1]


def summarise(connection: Connection, attempt_ids: Iterable[str] | None = None) -> int:
    """Write the sums of the attempts ``attempt_ids`` (None: of every attempt without sums) from their stored rows.

    Runs inside the caller's transaction (``connection``), after the replies and verdicts were
    written. Returns how many attempts were summed.
    """
    names, query, statement = _statements()
    if attempt_ids is None:
        chunks: Iterable[list[str]] = _unsummed(connection)
    else:
        ids = list(dict.fromkeys(attempt_ids))
        chunks = (ids[k : k + _CHUNK] for k in range(0, len(ids), _CHUNK))
    done = 0
    for chunk in chunks:
        rows = connection.execute(query, {"attempts": chunk}).all()
        if rows:
            values = [{"attempt": row[0], **{f"new_{n}": x for n, x in zip(names, row[1:], strict=True)}} for row in rows]
            connection.execute(statement, values)
            done += len(rows)
    return done


class Sums:
    """One attempt's verdicts summed: the passed and total weight per category and in all, and the failed critical ones.

    ``categories`` maps a category to [passed, total]; ``change`` applies a trainer's override.
    ``rejudged`` says whether a reply was judged under a chosen rulebook other than the attempt's
    own, ``fallback`` whether a reply fell back to the attempt's own, ``overridden`` whether an
    override changed a verdict.
    """

    __slots__ = ("all_passed", "all_total", "categories", "critical", "fallback", "overridden", "rejudged")

    def __init__(self, categories: dict[str, list[float]], all_passed: float, all_total: float, critical: int) -> None:
        self.categories = categories
        self.all_passed, self.all_total, self.critical = all_passed, all_total, critical
        self.fallback = self.rejudged = self.overridden = False

    def change(self, category: str, weight: float, severity: str, automatic: str, status: str) -> None:
        """One verdict's status replaced by an override: the automatic one taken out, the new one put in."""
        sums = self.categories.setdefault(category, [0.0, 0.0])
        for state, sign in ((automatic, -1.0), (status, 1.0)):
            if state == "n/a":
                continue
            sums[1] += sign * weight
            self.all_total += sign * weight
            if state == "pass":
                sums[0] += sign * weight
                self.all_passed += sign * weight
            if state == "fail" and severity == "critical":
                self.critical += int(sign)
        self.overridden = True


class Summed(NamedTuple):
    """An attempt with its verdicts summed (before overrides are applied)."""

    id: str
    trainee_id: int
    scenario_id: str
    score: float | None
    sums: Sums


def summed_verdicts(store: Store, where: Sequence[Any], categories: Sequence[str], rulebook: str | None) -> list[Summed]:
    """The attempts matching ``where`` with their verdicts summed per category of ``categories`` by the database.

    The verdicts are those under ``rulebook`` (None: the rulebook each attempt was played with),
    falling back per reply to the attempt's own rulebook. This reads every verdict: the sums kept
    in the attempts' rows serve where they can; this serves the rest, in parallel parts where it
    can (see ``_parts``), each in its own transaction.
    """
    a, r, v, ts = _ATTEMPTS, _REPLIES, _VERDICTS, _TURN_SCORES
    head = [a.c.trainee_id, a.c.id, a.c.scenario_id, a.c.score]
    # per attempt: failed critical rules, the passed and total weight of all its verdicts, whether
    # any reply was judged under the chosen rulebook and whether any fell back to its own, then
    # for each category the total weight (NULL when nothing in it was judged) and the passed
    # weight. Left joins keep attempts without verdicts, and make SQLite walk attempts, then
    # their replies, then their verdicts.
    judged_under: Any = a.c.rulebook_hash
    joined = a.outerjoin(r, r.c.attempt_id == a.c.id)
    sums: list[Any] = [func.count().filter(v.c.status == "fail", v.c.severity == "critical")]
    if rulebook is not None:
        joined = joined.outerjoin(ts, and_(ts.c.reply_id == r.c.id, ts.c.rulebook_hash == rulebook))
        judged_under = func.coalesce(ts.c.rulebook_hash, a.c.rulebook_hash)
    joined = joined.outerjoin(v, and_(v.c.reply_id == r.c.id, v.c.rulebook_hash == judged_under))
    sums += [func.sum(v.c.weight), func.sum(v.c.weight).filter(v.c.status == "pass")]
    if rulebook is not None:
        elsewhere = a.c.rulebook_hash != rulebook  # an attempt played under the chosen rulebook is simply judged by it
        rescored, own = and_(elsewhere, ts.c.id.is_not(None)), and_(elsewhere, r.c.id.is_not(None), ts.c.id.is_(None))
        sums += [func.max(case((rescored, 1), else_=0)), func.max(case((own, 1), else_=0))]
    else:
        sums += [literal_column("0"), literal_column("0")]
    for category in categories:
        in_category = v.c.category == category
        sums += [func.sum(v.c.weight).filter(in_category), func.sum(v.c.weight).filter(in_category, v.c.status == "pass")]
    query = select(*head, *sums).select_from(joined).where(*where)
    first = len(head) + 5
    columns = [(category, first + 2 * i, first + 2 * i + 1) for i, category in enumerate(categories)]
    reading = store.engine.execution_options(simkit_read_only=True)

    def part(condition: Any, key: Any) -> list[Summed]:
        out: list[Summed] = []
        with reading.begin() as connection:
            if connection.dialect.name == "postgresql":
                version = connection.dialect.server_version_info or (0,)
                for setting, since in _POSTGRES_PART:
                    if version >= since:
                        connection.exec_driver_sql(f"SET LOCAL {setting}")
            for row in connection.execute(query.where(condition).group_by(key)):
                found = {c: [row[passed] or 0.0, row[total]] for c, total, passed in columns if row[total] is not None}
                summed = Sums(found, row[6] or 0.0, row[5] or 0.0, row[4])
                summed.rejudged, summed.fallback = bool(row[7]), bool(row[8])
                out.append(Summed(row[1], row[0], row[2], row[3], summed))
        return out

    with reading.begin() as connection:
        parts = _parts(store, connection)
    if len(parts) == 1:
        return part(*parts[0])
    with ThreadPoolExecutor(len(parts)) as pool:  # each part in its own connection, at once
        return [row for result in pool.map(lambda p: part(*p), parts) for row in result]


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
