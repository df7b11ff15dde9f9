"""The figures readiness judges, for a whole cohort at once, read without reading every verdict.

Readiness needs, per attempt, its score, its kind of situation and its verdicts' weights summed
per category. Most attempts are judged by the rulebook they were played with, and for those the
sums are kept in the attempt's own row (``sums``): one row per attempt is read, already in each
trainee's order, and judged as it comes, so a thousand trainees with a hundred attempts each take
a fraction of a second. The database sums the verdicts themselves only for attempts without
kept sums, and for those re-scored under the chosen rulebook.

The verdicts counted are those of a chosen rulebook version: a reply re-scored under it (it has a
turn score under that hash) is judged by those rows; a reply that was not is judged by the rulebook
its attempt was played with, and the attempt says so (``fallback``). A trainer's latest override
of a verdict (``verdict_overrides``, the latest row per reply and rule) replaces the automatic
status; overrides are few, so they are read apart and applied to the sums here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import String, and_, case, exists, false, func, null, or_, select, true, type_coerce
from sqlalchemy.engine import Connection

from ..engine.scoring import attempt_score, turn_score_after
from .records import CATEGORIES, Base
from .sums import Summed, Sums, category_columns, summed_verdicts

if TYPE_CHECKING:
    from .database import Store

_ATTEMPTS = Base.metadata.tables["attempts"]
_REPLIES = Base.metadata.tables["replies"]
_VERDICTS = Base.metadata.tables["verdicts"]
_TRAINEES = Base.metadata.tables["trainees"]
_TURN_SCORES = Base.metadata.tables["turn_scores"]
_OVERRIDES = Base.metadata.tables["verdict_overrides"]


def _as_utc(moment: datetime) -> datetime:
    # a bound for comparing with stored moments: SQLite compares the UTC text, so convert first
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


# An attempt's evidence as readiness judges it is a tuple (or a database row) laid out as
# (id, scenario id, score, critical, fallback, overridden, then for each category judged its passed
# and its total weight, the total None when nothing in it was judged), possibly followed by more:
# the rows the database gives are judged as they come, without copying.
ID, SCENARIO, SCORE, CRITICAL, FALLBACK, OVERRIDDEN, SUMS = range(7)


class AttemptEvidence(NamedTuple):
    """What readiness needs of one finished attempt, summed up by the database.

    ``categories`` maps a category to (passed weight, total weight) of the attempt's verdicts in
    it, counting only verdicts under the chosen rulebook (or, for replies not re-scored under it,
    under the rulebook the attempt was played with), with trainers' overrides applied; a category
    appears when the attempt has at least one such verdict in it. ``critical`` says whether any of
    those verdicts is a failed critical rule. ``score`` is the stored score, or, when the attempt
    was judged under another rulebook than its own or a verdict of it was overridden, the mean of
    its replies' turn scores as judged (``scoring.attempt_score``), a reply with an overridden
    verdict scored again (``scoring.turn_score_after``). ``fallback`` is True when at least one reply
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

    def row(self, categories: Sequence[str]) -> tuple[Any, ...]:
        """The attempt in the layout readiness judges (``ID`` ... ``SUMS``), for ``categories`` in order."""
        sums: list[Any] = []
        for category in categories:
            found = self.categories.get(category)
            sums += found if found is not None else (0.0, None)
        return (self.id, self.scenario_id, self.score, self.critical, self.fallback, self.overridden, *sums)


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


def readiness_evidence(
    store: Store,
    modes: Iterable[str],
    since: datetime,
    until: datetime,
    categories: Sequence[str],
    cohort: str | None = None,
    rulebook: str | None = None,
    *,
    forbidding: AbstractSet[str],
) -> tuple[dict[str, str | None], dict[str, list[Sequence[Any]]]]:
    """What readiness judges, summed up in SQL: trainees with attempts, and their attempts in the window.

    The first part maps the name of every trainee with at least one attempt (of ``cohort``, if
    given) to their cohort. The second maps the name of each trainee with finished attempts of
    ``modes`` whose finish lies in [``since``, ``until``] to those attempts, oldest first as
    ``attempts`` orders them, each laid out as ``ID`` ... ``SUMS`` say with its verdicts summed
    per category of ``categories``. The verdicts are those under ``rulebook`` (None: the rulebook
    each attempt was played with), falling back per reply to the attempt's own rulebook, with
    trainers' latest overrides applied. ``forbidding`` are the ids of the rules that only forbid
    (``scoring.asks`` is false; any other rule is taken to ask for something): an override of
    one moves a turn score by its penalty rather than by its share.

    An attempt's score is the stored one, unless it is judged otherwise than it was played (a reply
    re-scored under the chosen rulebook, or a verdict overridden): then it is the mean of its
    replies' turn scores under the rulebooks they are judged by, a reply with an overridden verdict
    scored again by ``scoring.turn_score_after`` (``_scores_again``, for those few attempts only).

    Most attempts are read with the sums kept in their row (``sums``): those judged wholly by the
    rulebook they were played with, because it is the one chosen or because none of their replies
    was re-scored under the chosen one. The others (re-scored ones, and any without sums) have
    their verdicts summed by the database, in parallel parts where it can (see ``_parts``).
    """
    a, t = _ATTEMPTS, _TRAINEES
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
    trainees = select(t.c.id, t.c.name, t.c.cohort).where(exists().where(a.c.trainee_id == t.c.id), *of_cohort)
    kept = all(c in CATEGORIES for c in categories)  # the sums kept cover every category judged
    trainee = SUMS + 2 * len(categories)  # a row of kept sums: the layout, then its trainee's id
    reading = store.engine.execution_options(simkit_read_only=True)
    with reading.begin() as connection:
        people = {row.id: (row.name, row.cohort) for row in connection.execute(trainees)}
        changes = [c for c in connection.execute(_override_query(in_window, rulebook)) if c.status != c.automatic]
        rows: Sequence[Any] = []
        if kept:  # the rows as the driver gives them: no column needs SQLAlchemy's conversion, and
            # building its row objects would cost as much as reading the rows
            result = connection.execute(_kept_query(in_window, categories, rulebook))
            rows = result.cursor.fetchall()
            result.close()
        # an attempt falling back to its own rulebook is judged by its kept sums unless a reply
        # of it was re-scored under the chosen one after all
        elsewhere = rulebook is not None and any(row[FALLBACK] for row in rows)
        rescored = _rescored(connection, rulebook) if elsewhere and rulebook is not None else set()
        changed: dict[str, list[Any]] = {}
        for change in changes:
            changed.setdefault(change.attempt_id, []).append(change)
        totals = _kept_totals(connection, list(changed)) if changed and kept else {}
    by_trainee: dict[str, list[Sequence[Any]]] = {}
    rest = not kept  # whether some attempts are left for the database to sum their verdicts
    summed: list[Summed] = []
    for row in rows:
        person = people.get(row[trainee])
        if person is None:
            continue  # a trainee added since the list was read
        if row[FALLBACK] is None or (row[FALLBACK] and row[ID] in rescored):
            rest = True  # no sums kept, or re-scored: its verdicts are summed below
            continue
        if row[ID] in changed:  # an override applies: corrected below
            pairs = ((c, SUMS + 2 * i) for i, c in enumerate(categories))
            found = Sums({c: [row[k], row[k + 1]] for c, k in pairs if row[k + 1] is not None}, *totals[row[ID]])
            found.fallback = bool(row[FALLBACK])
            summed.append(Summed(row[ID], row[trainee], row[SCENARIO], row[SCORE], found))
            continue
        group = by_trainee.get(person[0])
        if group is None:
            group = by_trainee[person[0]] = []
        group.append(row)
    if rest:
        judged = {row[ID] for row in rows if row[FALLBACK] is not None and not (row[FALLBACK] and row[ID] in rescored)}
        which: Any = true()
        if kept:  # those without sums, and those of another rulebook with a reply re-scored under the chosen one
            which = a.c.sum_total.is_(None)
            if rulebook is not None:
                again = a.c.id.in_(select(_REPLIES.c.attempt_id).where(_REPLIES.c.id.in_(_scored(rulebook))))
                which = or_(which, and_(a.c.rulebook_hash != rulebook, again))
        # an attempt judged by its kept sums above is not judged twice (it was re-scored since)
        summed += [s for s in summed_verdicts(store, [*in_window, which], categories, rulebook) if s.id not in judged]
    moved = [s.id for s in summed if s.score is not None and (s.sums.rejudged or s.id in changed)]
    scores = _scores_again(store, moved, rulebook, changed, forbidding) if moved else {}
    names = set()
    for item in summed:
        person = people.get(item.trainee_id)
        if person is None:
            continue  # a trainee added since the list was read
        for change in changed.get(item.id, ()):
            item.sums.change(change.category, change.weight, change.severity, change.automatic, change.status)
        evidence = _evidence(item, person[0], categories, scores.get(item.id))
        by_trainee.setdefault(person[0], []).append(evidence.row(categories))
        names.add(person[0])
    if names:
        _reorder(store, by_trainee, names, in_window)
    return {name: group for name, group in people.values()}, by_trainee


def _evidence(item: Summed, trainee: str, categories: Sequence[str], score: float | None) -> AttemptEvidence:
    # an attempt summed in full, overrides applied, as readiness judges it; ``score`` is its score
    # worked out again (None: the stored one stands)
    found = item.sums
    if not (found.rejudged or found.overridden) or item.score is None or score is None:
        score = item.score
    judged = {c: (p, total) for c, (p, total) in found.categories.items() if c in categories and total > 0}
    return AttemptEvidence(
        item.id, trainee, item.scenario_id, score, judged, found.critical > 0, found.fallback, found.overridden
    )


def _scores_again(
    store: Store, attempt_ids: list[str], rulebook: str | None, changed: Mapping[str, list[Any]], forbidding: AbstractSet[str]
) -> dict[str, float]:
    # the scores of attempts judged otherwise than they were played: the mean of their replies'
    # turn scores under the rulebook each reply is judged by (the chosen one where it scored the
    # reply, else the attempt's own), replies left out that have none; a reply with an overridden
    # verdict is scored again from its verdicts. Two statements per chunk of attempts: their
    # replies' turn scores, and the verdicts of the few replies with an override.
    a, r, v, ts = _ATTEMPTS, _REPLIES, _VERDICTS, _TURN_SCORES
    own = ts.alias("own_score")
    joined = r.join(a, a.c.id == r.c.attempt_id).outerjoin(
        own, and_(own.c.reply_id == r.c.id, own.c.rulebook_hash == a.c.rulebook_hash)
    )
    score: Any = own.c.score
    under: Any = a.c.rulebook_hash
    if rulebook is not None:
        chosen = ts.alias("chosen_score")
        joined = joined.outerjoin(chosen, and_(chosen.c.reply_id == r.c.id, chosen.c.rulebook_hash == rulebook))
        score = case((chosen.c.id.is_not(None), chosen.c.score), else_=own.c.score)
        under = func.coalesce(chosen.c.rulebook_hash, a.c.rulebook_hash)
    replies = select(r.c.attempt_id, r.c.id, score).select_from(joined).order_by(r.c.attempt_id, r.c.turn_index)
    verdicts = (
        select(v.c.reply_id, v.c.rule_id, v.c.weight, v.c.status)
        .select_from(joined.join(v, and_(v.c.reply_id == r.c.id, v.c.rulebook_hash == under)))
        .order_by(v.c.id)
    )
    statuses = {(c.reply_id, c.rule_id): c.status for found in changed.values() for c in found}
    moved = {reply_id for reply_id, _ in statuses}
    turn_scores: dict[str, list[float]] = {}
    with store.engine.execution_options(simkit_read_only=True).begin() as connection:
        for start in range(0, len(attempt_ids), 500):
            chunk = attempt_ids[start : start + 500]
            counted: dict[str, list[tuple[float, bool, str, str]]] = {}
            touched = [c.reply_id for i in chunk for c in changed.get(i, ())]
            if touched:
                for row in connection.execute(verdicts.where(r.c.id.in_(list(dict.fromkeys(touched))))):
                    status = statuses.get((row.reply_id, row.rule_id), row.status)
                    counted.setdefault(row.reply_id, []).append((row.weight, row.rule_id not in forbidding, row.status, status))
            for attempt_id, reply_id, stored in connection.execute(replies.where(r.c.attempt_id.in_(chunk))):
                if stored is None:
                    continue
                if reply_id in moved:
                    stored = turn_score_after(stored, counted.get(reply_id, ()))
                turn_scores.setdefault(attempt_id, []).append(stored)
    return {attempt_id: attempt_score(found) for attempt_id, found in turn_scores.items()}


def _kept_query(in_window: list[Any], categories: Sequence[str], rulebook: str | None) -> Any:
    # the attempts in the window with the sums kept in their rows, each trainee's oldest first:
    # the layout readiness judges, then the trainee's id. FALLBACK doubles as a state: NULL when
    # no sums are kept; 1 when the attempt, played under another rulebook than the chosen one,
    # has replies judged by its own; else 0
    a = _ATTEMPTS
    fallback: Any = case((a.c.sum_total.is_(None), null()), else_=0)
    if rulebook is not None:
        elsewhere = and_(a.c.rulebook_hash != rulebook, a.c.sum_replies > 0)
        fallback = case((a.c.sum_total.is_(None), null()), (elsewhere, 1), else_=0)
    sums: list[Any] = []
    for category in categories:
        passed, total = category_columns(category)
        sums += [func.coalesce(passed, 0.0), total]
    layout = [a.c.id, a.c.scenario_id, a.c.score, a.c.sum_critical > 0, fallback, false(), *sums]
    return select(*layout, a.c.trainee_id).where(*in_window).order_by(a.c.trainee_id, a.c.started_at, a.c.id)


def _reorder(store: Store, by_trainee: dict[str, list[Sequence[Any]]], names: set[str], in_window: list[Any]) -> None:
    # put the attempts of ``names`` back in the order ``attempts`` gives (started_at, then id)
    # after some were summed apart. SQLite's order is Python's order of the stored text; in
    # PostgreSQL ids order by its collation, so a stable sort by start keeps the order it gave.
    a, t = _ATTEMPTS, _TRAINEES
    started = type_coerce(a.c.started_at, String)
    query = select(a.c.id, started).join(t, t.c.id == a.c.trainee_id).where(*in_window)
    moments: dict[str, Any] = {}
    ordered = sorted(names)
    with store.engine.execution_options(simkit_read_only=True).begin() as connection:
        for start in range(0, len(ordered), 500):
            found = connection.execute(query.where(t.c.name.in_(ordered[start : start + 500])))
            moments.update(found.cursor.fetchall())  # (id, start) pairs as the driver gives them
            found.close()
    sqlite = store.engine.dialect.name == "sqlite"
    for name in names:
        by_trainee[name].sort(key=(lambda row: (moments[row[ID]], row[ID])) if sqlite else (lambda row: moments[row[ID]]))


def _kept_totals(connection: Connection, attempt_ids: list[str]) -> dict[str, tuple[float, float, int]]:
    # the passed and total weight and the failed critical verdicts kept for attempts an override applies to
    a, out = _ATTEMPTS, {}
    kept = select(a.c.id, a.c.sum_passed, a.c.sum_total, a.c.sum_critical)
    for start in range(0, len(attempt_ids), 500):
        query = kept.where(a.c.id.in_(attempt_ids[start : start + 500]))
        out.update({row[0]: (row[1], row[2], row[3]) for row in connection.execute(query)})
    return out


def _scored(rulebook: str) -> Any:
    # the replies scored under ``rulebook``, found by the index of turn scores by rulebook
    return select(_TURN_SCORES.c.reply_id).where(_TURN_SCORES.c.rulebook_hash == rulebook)


def _rescored(connection: Connection, rulebook: str) -> set[str]:
    # the attempts with a reply scored under ``rulebook``: the turn scores under it, then their replies by id
    r = _REPLIES
    return set(connection.scalars(select(r.c.attempt_id).where(r.c.id.in_(_scored(rulebook))).distinct()))


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
            r.c.id.label("reply_id"),
            o.c.rule_id,
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
