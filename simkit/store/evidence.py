"""The figures readiness judges, summed up by the database for a whole cohort at once.

Reading every attempt with its replies and verdicts through the ORM costs seconds per thousand
attempts; readiness needs only, per attempt, its score, its kind of situation and its verdicts'
weights summed per category. The database does those sums, in parallel parts where it can, so
a thousand trainees with a hundred attempts each are judged within the budget.

The verdicts summed are those of a chosen rulebook version: a reply re-scored under it (it has a
turn score under that hash) is judged by those rows; a reply that was not is judged by the rulebook
its attempt was played with, and the attempt says so (``fallback``). A trainer's latest override
of a verdict (``verdict_overrides``, the latest row per reply and rule) replaces the automatic
status; overrides are few, so they are read apart and applied to the sums here, which keeps the
big query as fast as it was.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import String, and_, case, exists, func, literal_column, or_, select, true, type_coerce
from sqlalchemy.engine import Connection

from .records import Base

if TYPE_CHECKING:
    from .database import Store

_ATTEMPTS = Base.metadata.tables["attempts"]
_REPLIES = Base.metadata.tables["replies"]
_VERDICTS = Base.metadata.tables["verdicts"]
_TRAINEES = Base.metadata.tables["trainees"]
_TURN_SCORES = Base.metadata.tables["turn_scores"]
_OVERRIDES = Base.metadata.tables["verdict_overrides"]
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
    it, counting only verdicts under the chosen rulebook (or, for replies not re-scored under it,
    under the rulebook the attempt was played with), with trainers' overrides applied; a category
    appears when the attempt has at least one such verdict in it. ``critical`` says whether any of
    those verdicts is a failed critical rule. ``score`` is the stored score, or, when the attempt
    was judged under another rulebook than its own or a verdict of it was overridden, the weighted
    share of passed verdicts as the engine computes it. ``fallback`` is True when at least one reply
    had no verdicts under the chosen rulebook; ``overridden`` when an override changed a verdict.
    """

    id: str
    trainee: str
    scenario_id: str
    score: float | None
    categories: Mapping[str, tuple[float, float]]
    critical: bool
    fallback: bool = False
    overridden: bool = False


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


def counting_overrides() -> Any:
    """A selectable of the override that counts per (reply, rule): the latest row (highest id).

    Columns: reply_id, rule_id, status (pass, fail or n/a), reason, who, created_at, id.
    """
    o = _OVERRIDES
    latest = select(func.max(o.c.id)).group_by(o.c.reply_id, o.c.rule_id)
    return select(o.c.id, o.c.reply_id, o.c.rule_id, o.c.status, o.c.reason, o.c.who, o.c.created_at).where(o.c.id.in_(latest))


def overrides(store: Store, trainee: str | None = None) -> dict[tuple[str, str], str]:
    """The status each counting override gives, by (reply id, rule id) (of ``trainee``'s replies only, if given)."""
    latest = counting_overrides().subquery()
    query = select(latest.c.reply_id, latest.c.rule_id, latest.c.status)
    if trainee is not None:
        r, a, t = _REPLIES, _ATTEMPTS, _TRAINEES
        query = query.join(r, r.c.id == latest.c.reply_id).join(a, a.c.id == r.c.attempt_id).join(t, t.c.id == a.c.trainee_id)
        query = query.where(t.c.name == trainee)
    with store.engine.execution_options(simkit_read_only=True).connect() as connection:
        return {(row.reply_id, row.rule_id): row.status for row in connection.execute(query)}


class _Sums:
    # one attempt's sums as the database gave them, before overrides are applied
    __slots__ = ("all_passed", "all_total", "categories", "critical", "fallback", "overridden", "rejudged")

    def __init__(self, categories: dict[str, list[float]], all_passed: float, all_total: float, critical: int) -> None:
        self.categories = categories
        self.all_passed, self.all_total, self.critical = all_passed, all_total, critical
        self.fallback = self.rejudged = self.overridden = False

    def change(self, category: str, weight: float, severity: str, automatic: str, status: str) -> None:
        # one verdict's status replaced by an override: take the automatic one out, put the new one in
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


class _Pending(NamedTuple):
    # an attempt summed in full, waiting for the overrides before it becomes AttemptEvidence
    id: str
    trainee: str
    scenario_id: str
    score: float | None
    sums: _Sums

    def evidence(self, categories: Sequence[str]) -> AttemptEvidence:
        found, score = self.sums, self.score
        if (found.rejudged or found.overridden) and score is not None and found.all_total > 0:
            score = round(100 * found.all_passed / found.all_total, 1)  # as the engine scores an attempt
        judged = {c: (p, total) for c, (p, total) in found.categories.items() if c in categories and total > 0}
        return AttemptEvidence(
            self.id, self.trainee, self.scenario_id, score, judged, found.critical > 0, found.fallback, found.overridden
        )


def readiness_evidence(
    store: Store,
    modes: Iterable[str],
    since: datetime,
    until: datetime,
    categories: Sequence[str],
    cohort: str | None = None,
    rulebook: str | None = None,
) -> tuple[dict[str, str | None], list[AttemptEvidence]]:
    """What readiness judges, summed up in SQL: trainees with attempts, and the attempts in the window.

    The first part maps the name of every trainee with at least one attempt (of ``cohort``, if
    given) to their cohort. The second lists the finished attempts of ``modes`` whose finish
    lies in [``since``, ``until``], each trainee's oldest first as ``attempts`` orders them,
    each with its verdicts summed per category of ``categories`` and whether a critical rule
    failed. The verdicts are those under ``rulebook`` (None: the rulebook each attempt was
    played with), falling back per reply to the attempt's own rulebook, with trainers' latest
    overrides applied. The database does the sums, in parallel parts where it can (see ``_parts``).
    """
    a, r, v, t, ts = _ATTEMPTS, _REPLIES, _VERDICTS, _TRAINEES, _TURN_SCORES
    since, until = _as_utc(since), _as_utc(until)
    of_cohort = [t.c.cohort == cohort] if cohort is not None else []
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
    head = [a.c.trainee_id, started, a.c.id, a.c.scenario_id, a.c.score]

    def summed(extended: bool) -> Any:
        # per attempt: failed critical rules, [extended: the passed and total weight of all its
        # verdicts, whether any reply was judged under the chosen rulebook and whether any fell
        # back to its own], then for each category the total weight (NULL when nothing in it was
        # judged) and the passed weight. The plain sums serve attempts played under the chosen
        # rulebook and not overridden (nearly all of them, as fast as ever); the extended ones
        # cost an index probe per reply and more sums per verdict. Left joins keep attempts
        # without verdicts, and make SQLite walk attempts, then their replies, then their verdicts.
        judged_under: Any = a.c.rulebook_hash
        joined = a.outerjoin(r, r.c.attempt_id == a.c.id)
        sums: list[Any] = [func.count().filter(v.c.status == "fail", v.c.severity == "critical")]
        if extended and rulebook is not None:
            joined = joined.outerjoin(ts, and_(ts.c.reply_id == r.c.id, ts.c.rulebook_hash == rulebook))
            judged_under = func.coalesce(ts.c.rulebook_hash, a.c.rulebook_hash)
        joined = joined.outerjoin(v, and_(v.c.reply_id == r.c.id, v.c.rulebook_hash == judged_under))
        if extended:
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
        return select(*head, *sums).select_from(joined).where(*in_window)

    trainees = select(t.c.id, t.c.name, t.c.cohort).where(exists().where(a.c.trainee_id == t.c.id), *of_cohort)
    reading = store.engine.execution_options(simkit_read_only=True)
    with reading.begin() as connection:
        people = {row.id: (row.name, row.cohort) for row in connection.execute(trainees)}
        parts = _parts(store, connection)
        changes = [c for c in connection.execute(_override_query(in_window, rulebook)) if c.status != c.automatic]
    overridden = sorted({c.attempt_id for c in changes})
    plain: list[Any] = [] if rulebook is None else [a.c.rulebook_hash == rulebook]
    other: list[Any] = [] if rulebook is None else [a.c.rulebook_hash != rulebook]
    if overridden:
        plain.append(a.c.id.not_in(overridden))
        other.append(a.c.id.in_(overridden))
    tasks = [(where, key, False, and_(true(), *plain)) for where, key in parts]
    if other:
        tasks += [(where, key, True, or_(*other)) for where, key in parts]
    # each part reads its attempts with their verdicts in one transaction; a trainee added
    # after the list above was read is left out until the next run
    queries = {extended: summed(extended) for extended in (False, True)}

    def part(where: Any, key: Any, extended: bool, which: Any) -> list[tuple[Any, AttemptEvidence | _Pending]]:
        query = queries[extended].where(where, which).group_by(key).order_by(a.c.started_at, a.c.id)
        first = len(head) + (5 if extended else 1)
        columns = [(category, first + 2 * i, first + 2 * i + 1) for i, category in enumerate(categories)]
        out: list[tuple[Any, AttemptEvidence | _Pending]] = []
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
                if not extended:  # final as read: the common case stays as cheap as it was
                    judged = {c: (row[passed] or 0.0, row[total]) for c, total, passed in columns if row[total] is not None}
                    out.append(((row[1], row[2]), AttemptEvidence(row[2], person[0], row[3], row[4], judged, row[5] > 0)))
                    continue
                sums = {c: [row[passed] or 0.0, row[total]] for c, total, passed in columns if row[total] is not None}
                found = _Sums(sums, row[7] or 0.0, row[6] or 0.0, row[5])
                found.rejudged, found.fallback = bool(row[8]), bool(row[9])
                out.append(((row[1], row[2]), _Pending(row[2], person[0], row[3], row[4], found)))
        return out

    with collector_paused():  # a few small objects per attempt, none in a cycle
        if len(tasks) == 1:
            results = [part(*tasks[0])]
        else:  # each part in its own connection, at once: the database works while Python waits
            with ThreadPoolExecutor(len(parts)) as pool:
                results = list(pool.map(lambda task: part(*task), tasks))
        rows = [row for result in results for row in result]
        if len(tasks) > 1:
            # SQLite's parts are ranges of storage order, each sorted: merge them as ORDER BY
            # does there (Python compares strings as SQLite's default BINARY collation does).
            # PostgreSQL's parts each hold all of some trainees' attempts, in its own order:
            # a stable sort by start merges the plain and the extended sums of one trainee.
            sqlite = store.engine.dialect.name == "sqlite"
            rows.sort(key=(lambda row: row[0]) if sqlite else (lambda row: row[0][0]))
        pending = {item.id: item for _, item in rows if isinstance(item, _Pending)}
        for change in changes:  # every overridden attempt was summed in full (extended)
            if change.attempt_id in pending:
                pending[change.attempt_id].sums.change(
                    change.category, change.weight, change.severity, change.automatic, change.status
                )
        evidence = [item if isinstance(item, AttemptEvidence) else item.evidence(categories) for _, item in rows]
        return {name: group for name, group in people.values()}, evidence


def _override_query(in_window: list[Any], rulebook: str | None) -> Any:
    # the counting overrides of replies of attempts in the window, each with the automatic verdict
    # it replaces (under the rulebook the reply is judged by): few rows, read apart from the sums
    a, r, v, ts = _ATTEMPTS, _REPLIES, _VERDICTS, _TURN_SCORES
    o = counting_overrides().subquery()
    joined = o.join(r, r.c.id == o.c.reply_id).join(a, a.c.id == r.c.attempt_id)
    judged_under: Any = a.c.rulebook_hash
    if rulebook is not None:
        joined = joined.outerjoin(ts, and_(ts.c.reply_id == r.c.id, ts.c.rulebook_hash == rulebook))
        judged_under = func.coalesce(ts.c.rulebook_hash, a.c.rulebook_hash)
    joined = joined.join(v, and_(v.c.reply_id == r.c.id, v.c.rule_id == o.c.rule_id, v.c.rulebook_hash == judged_under))
    return (
        select(
            r.c.attempt_id,
            v.c.category,
            v.c.weight,
            v.c.severity,
            v.c.status.label("automatic"),
            o.c.status,
        )
        .select_from(joined)
        .where(*in_window)
        .order_by(o.c.id)
    )


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


class RuleDifference(NamedTuple):
    """How one rule judged some replies of one trainee under two rulebooks (None: out of scope there)."""

    trainee: str
    rule_id: str
    before: tuple[str, str, float] | None  # (status, severity, weight) under the first rulebook
    after: tuple[str, str, float] | None
    replies: int


def rule_differences(
    store: Store, before: str, after: str, trainees: Sequence[str], modes: Iterable[str], since: datetime, until: datetime
) -> list[RuleDifference]:
    """Per trainee and rule, how the verdicts on the replies of the window's attempts differ between two rulebooks.

    Each reply is judged as readiness judges it under each rulebook (falling back to the
    attempt's own when it was not scored under one), with the trainers' latest overrides; only
    differences are listed (status, weight, or severity where the rule failed), with how many
    replies show them.
    """
    if not trainees:
        return []
    a, r, v, t, ts = _ATTEMPTS, _REPLIES, _VERDICTS, _TRAINEES, _TURN_SCORES
    tb, ta = ts.alias("scored_before"), ts.alias("scored_after")
    o = counting_overrides().subquery()
    under_before = func.coalesce(tb.c.rulebook_hash, a.c.rulebook_hash)
    under_after = func.coalesce(ta.c.rulebook_hash, a.c.rulebook_hash)
    joined = (
        a.join(t, t.c.id == a.c.trainee_id)
        .join(r, r.c.attempt_id == a.c.id)
        .outerjoin(tb, and_(tb.c.reply_id == r.c.id, tb.c.rulebook_hash == before))
        .outerjoin(ta, and_(ta.c.reply_id == r.c.id, ta.c.rulebook_hash == after))
        .join(v, and_(v.c.reply_id == r.c.id, or_(v.c.rulebook_hash == under_before, v.c.rulebook_hash == under_after)))
        .outerjoin(o, and_(o.c.reply_id == r.c.id, o.c.rule_id == v.c.rule_id))
    )
    status = func.coalesce(o.c.status, v.c.status)

    def side(under: Any, column: Any) -> Any:
        return func.max(case((v.c.rulebook_hash == under, column)))

    since, until = _as_utc(since), _as_utc(until)
    per_reply = (
        select(
            t.c.name.label("trainee"),
            v.c.rule_id.label("rule_id"),
            side(under_before, status).label("b_status"),
            side(under_before, v.c.severity).label("b_severity"),
            side(under_before, v.c.weight).label("b_weight"),
            side(under_after, status).label("a_status"),
            side(under_after, v.c.severity).label("a_severity"),
            side(under_after, v.c.weight).label("a_weight"),
        )
        .select_from(joined)
        .where(
            a.c.mode.in_(list(modes)),
            a.c.finished_at.is_not(None),
            a.c.finished_at >= since,
            a.c.finished_at <= until,
        )
        .group_by(t.c.name, r.c.id, v.c.rule_id)
    )
    out: list[RuleDifference] = []
    names = list(trainees)
    with store.engine.execution_options(simkit_read_only=True).connect() as connection:
        for start in range(0, len(names), 500):
            inner = per_reply.where(t.c.name.in_(names[start : start + 500])).subquery()
            keys = [
                inner.c[k]
                for k in ("trainee", "rule_id", "b_status", "b_severity", "b_weight", "a_status", "a_severity", "a_weight")
            ]
            grouped = select(*keys, func.count()).group_by(*keys).order_by(inner.c.trainee, inner.c.rule_id)
            for row in connection.execute(grouped):
                first = (row.b_status, row.b_severity, float(row.b_weight)) if row.b_status is not None else None
                second = (row.a_status, row.a_severity, float(row.a_weight)) if row.a_status is not None else None
                # a severity counts only where the rule failed
                same = first is not None and second is not None and first[0] == second[0] != "fail" and first[2] == second[2]
                if first != second and not same:
                    out.append(RuleDifference(row.trainee, row.rule_id, first, second, int(row[-1])))
    return out


def rulebooks(store: Store) -> list[tuple[str, int]]:
    """The rulebook versions replies were scored under, with how many replies each scored."""
    ts = _TURN_SCORES
    query = select(ts.c.rulebook_hash, func.count()).group_by(ts.c.rulebook_hash)
    with store.engine.execution_options(simkit_read_only=True).connect() as connection:
        return [(row[0], int(row[1])) for row in connection.execute(query)]
