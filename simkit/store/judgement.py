"""Human judgement of stored replies: blind reviews for calibration, and overrides of automatic verdicts.

A trainer reviews a sample of stored replies without seeing how the scorer judged them: the sample
names, per reply, the rules in scope (those with an automatic verdict row under the rulebook, which
stores no n/a rows) by id and title only. Every mark is a new ``reviews`` row; the latest per
(reply, rule, reviewer) counts. An override is a new ``verdict_overrides`` row with who, when and
why; the automatic verdict row stays, and the latest override per (reply, rule) counts, under
every rulebook the reply is judged by (an override speaks of the reply and the rule, not of one
rulebook version).
"""

from __future__ import annotations

import dataclasses
import hashlib
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, func, insert, select
from sqlalchemy.engine import Connection

from .database import Store, StoreError
from .evidence import counting_overrides
from .records import Base, now

if TYPE_CHECKING:
    from ..content.kit import Kit

STATUSES: tuple[str, ...] = ("pass", "fail", "n/a")
NAME_LIMIT, RULE_LIMIT, COMMENT_LIMIT = 200, 100, 4_000  # reviewer/who and rule_id column lengths; a sane comment
_REPLIES = Base.metadata.tables["replies"]
_ATTEMPTS = Base.metadata.tables["attempts"]
_TRAINEES = Base.metadata.tables["trainees"]
_SESSIONS = Base.metadata.tables["trainer_sessions"]
_VERDICTS = Base.metadata.tables["verdicts"]
_TURN_SCORES = Base.metadata.tables["turn_scores"]
_REVIEWS = Base.metadata.tables["reviews"]
_OVERRIDES = Base.metadata.tables["verdict_overrides"]
_CHUNK = 500  # ids per IN (...) list


class JudgementError(StoreError):
    """A review or an override that cannot be stored as given (bad status, empty reason, unknown reply)."""


Source = Store | Connection


@contextmanager
def _reading(source: Source) -> Iterator[Connection]:
    # a caller's connection is used as it is (inside its transaction); a store gets a read-only one
    if isinstance(source, Connection):
        yield source
        return
    with source.engine.execution_options(simkit_read_only=True).begin() as connection:
        yield connection


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def _moment(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite gives naive UTC back


# --- validation ------------------------------------------------------------------------------


def checked_status(status: str) -> str:
    """``status`` if it is pass, fail or n/a; JudgementError otherwise."""
    if status not in STATUSES:
        raise JudgementError(f"the status '{status}' is not one of {', '.join(STATUSES)}")
    return status


def checked_person(person: str, what: str = "reviewer") -> str:
    """A reviewer's (or overrider's) name as stored: white space made single; JudgementError if empty or too long."""
    cleaned = " ".join(str(person).split())
    if not cleaned:
        raise JudgementError(f"the {what}'s name is empty; give the name the trainer is known by")
    if len(cleaned) > NAME_LIMIT:
        raise JudgementError(f"the {what}'s name is {len(cleaned)} characters long; at most {NAME_LIMIT} fit")
    if any(unicodedata.category(ch) == "Cc" for ch in cleaned):
        raise JudgementError(f"the {what}'s name holds a control character; type it again")
    return cleaned


def _rule(rule_id: str) -> str:
    if not isinstance(rule_id, str) or not rule_id.strip() or len(rule_id) > RULE_LIMIT:
        raise JudgementError(f"the rule id '{str(rule_id)[:40]}' is empty or longer than {RULE_LIMIT} characters")
    return rule_id


def _reply_id(reply_id: str) -> str:
    try:
        return str(uuid.UUID(str(reply_id)))
    except ValueError:
        raise JudgementError(f"the reply id '{str(reply_id)[:40]}' is not a stored reply's id (a UUID)") from None


def _text(value: str | None, what: str, required: bool) -> str | None:
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise JudgementError(f"the {what} is empty; say why, so that others can follow the decision")
        return None
    if len(cleaned) > COMMENT_LIMIT:
        raise JudgementError(f"the {what} is {len(cleaned)} characters long; at most {COMMENT_LIMIT} are kept")
    return cleaned


# --- the sample ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInScope:
    """A rule a reviewer marks on a reply: its id and title, never the scorer's verdict."""

    id: str
    ru: str
    en: str

    def title(self, lang: str) -> str:
        """The rule's title in ``lang``."""
        return self.ru if lang == "ru" else self.en


@dataclass(frozen=True)
class SampledReply:
    """A stored reply as a reviewer sees it: what the customer said, the reply, and the rules to mark."""

    reply_id: str
    attempt_id: str
    scenario_id: str
    turn_id: str
    lang: str
    kind: str  # the scenario's kind of situation; "real_transcript" for an imported conversation
    customer: str  # the customer's line the reply answers ("" when it cannot be rebuilt)
    customer_name: str | None
    text: str
    rules: tuple[RuleInScope, ...]


def _order(seed: int, reply_id: str) -> str:
    # a reply's place in sample ``seed``: reviewing some replies leaves the others' order as it
    # was, and two trainers with the same seed are shown the same replies
    return hashlib.sha256(f"{seed}:{reply_id}".encode()).hexdigest()


def _kind(kit: Kit, scenario_id: str, real: bool) -> str:
    if real:
        return "real_transcript"
    scenario = kit.scenarios.get(scenario_id)
    return scenario.kind if scenario is not None else "unknown"


def sample_replies(
    store: Source,
    kit: Kit,
    reviewer: str,
    size: int = 10,
    seed: int = 0,
    cohort: str | None = None,
    session: str | None = None,
    kind: str | None = None,
    rulebook_hash: str | None = None,
) -> list[SampledReply]:
    """Up to ``size`` stored replies for ``reviewer`` to review, chosen by ``seed``, none reviewed by them yet.

    Only replies judged under ``rulebook_hash`` (the kit's current one by default) with at least
    one rule in scope are candidates; ``cohort``, ``session`` (a join code) and ``kind`` (a kind
    of situation) narrow them. The same seed gives the same order of candidates every time.
    """
    reviewer = checked_person(reviewer)
    rulebook = rulebook_hash or kit.rulebook_hash
    r, a, t, s, v, w = _REPLIES, _ATTEMPTS, _TRAINEES, _SESSIONS, _VERDICTS, _REVIEWS
    query = (
        select(r.c.id, a.c.scenario_id, r.c.context.is_not(None).label("real"))
        .select_from(r.join(a, a.c.id == r.c.attempt_id))
        .where(
            exists().where(v.c.reply_id == r.c.id, v.c.rulebook_hash == rulebook),
            ~exists().where(w.c.reply_id == r.c.id, w.c.reviewer == reviewer),
        )
    )
    if cohort is not None:
        query = query.where(a.c.trainee_id.in_(select(t.c.id).where(t.c.cohort == cohort)))
    if session is not None:
        query = query.where(a.c.session_id.in_(select(s.c.id).where(s.c.join_code == session)))
    with _reading(store) as connection:
        candidates = [row for row in connection.execute(query) if kind is None or _kind(kit, row[1], bool(row[2])) == kind]
        chosen = sorted((row[0] for row in candidates), key=lambda reply_id: _order(seed, reply_id))[: max(0, size)]
        found = describe_replies(connection, kit, chosen, rulebook)
    return [found[reply_id] for reply_id in chosen if reply_id in found]


def describe_replies(
    source: Source, kit: Kit, reply_ids: Sequence[str], rulebook_hash: str | None = None
) -> dict[str, SampledReply]:
    """The stored replies ``reply_ids`` as a reviewer sees them, with their rules in scope under ``rulebook_hash``."""
    from ..engine.generation import generate

    rulebook = rulebook_hash or kit.rulebook_hash
    r, a, v = _REPLIES, _ATTEMPTS, _VERDICTS
    order = {rule_id: k for k, rule_id in enumerate(kit.rules)}
    rows: list[Any] = []
    scope: dict[str, list[str]] = {}
    with _reading(source) as connection:
        for chunk in _chunks(list(reply_ids)):
            rows += connection.execute(
                select(r.c.id, r.c.attempt_id, r.c.turn_id, r.c.text, r.c.context, a.c.scenario_id, a.c.seed, a.c.lang)
                .select_from(r.join(a, a.c.id == r.c.attempt_id))
                .where(r.c.id.in_(chunk))
            ).all()
            for reply_id, rule_id in connection.execute(
                select(v.c.reply_id, v.c.rule_id).where(v.c.reply_id.in_(chunk), v.c.rulebook_hash == rulebook)
            ):
                scope.setdefault(reply_id, []).append(rule_id)
    instances: dict[tuple[str, int, str], Any] = {}
    out = {}
    for row in rows:
        customer, customer_name = "", None
        if row.context is not None:
            customer, customer_name = str(row.context.get("customer") or ""), row.context.get("customer_name")
        elif row.scenario_id in kit.scenarios:
            key = (row.scenario_id, row.seed, row.lang)
            try:
                if key not in instances:
                    instances[key] = generate(kit.scenario(row.scenario_id), row.seed, row.lang)
                customer, customer_name = instances[key].turn(row.turn_id).customer, instances[key].customer.name
            except Exception:  # content changed since the reply was stored: show the reply alone
                customer = ""
        rules = []
        for rule_id in sorted(scope.get(row.id, []), key=lambda rule: (order.get(rule, len(order)), rule)):
            rule = kit.rules.get(rule_id)
            rules.append(RuleInScope(rule_id, rule.title.ru, rule.title.en) if rule else RuleInScope(rule_id, rule_id, rule_id))
        out[row.id] = SampledReply(
            reply_id=row.id,
            attempt_id=row.attempt_id,
            scenario_id=row.scenario_id,
            turn_id=row.turn_id,
            lang=row.lang,
            kind=_kind(kit, row.scenario_id, row.context is not None),
            customer=customer,
            customer_name=customer_name,
            text=row.text,
            rules=tuple(rules),
        )
    return out


# --- reviews ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewMark:
    """A reviewer's latest mark of one rule on one reply."""

    reply_id: str
    rule_id: str
    reviewer: str
    status: str
    comment: str | None
    created_at: datetime


def _known_reply(connection: Connection, reply_id: str) -> None:
    if connection.execute(select(_REPLIES.c.id).where(_REPLIES.c.id == reply_id)).first() is None:
        raise JudgementError(f"no reply '{reply_id}' in the store")


def add_reviews(
    store: Store, reviewer: str, reply_id: str, marks: Mapping[str, str], comments: Mapping[str, str | None] | None = None
) -> int:
    """Store ``reviewer``'s marks (rule id: pass|fail|n/a) of one reply, each a new row, in one transaction.

    ``comments`` may add a comment per rule. Returns how many marks were stored.
    """
    reviewer = checked_person(reviewer)
    reply_id = _reply_id(reply_id)
    notes = comments or {}
    rows = [
        {
            "reply_id": reply_id,
            "rule_id": _rule(rule_id),
            "reviewer": reviewer,
            "status": checked_status(status),
            "comment": _text(notes.get(rule_id), "comment", required=False),
            "created_at": now(),
        }
        for rule_id, status in marks.items()
    ]
    if not rows:
        return 0
    with store.session() as s:
        connection = s.connection()
        _known_reply(connection, reply_id)
        connection.execute(insert(_REVIEWS), rows)
    return len(rows)


def add_review(store: Store, reviewer: str, reply_id: str, rule_id: str, status: str, comment: str | None = None) -> None:
    """Store one mark of one rule on one reply as a new row (the latest per reviewer counts)."""
    add_reviews(store, reviewer, reply_id, {rule_id: status}, {rule_id: comment})


def _latest(table: Any, keys: Sequence[str]) -> Any:
    # the id of the latest row per key: ids grow with every insert, moments may tie
    columns = [table.c[k] for k in keys]
    return select(*columns, func.max(table.c.id).label("latest")).group_by(*columns).subquery()


def latest_reviews(
    source: Source, reply_ids: Sequence[str] | None = None, reviewers: Iterable[str] | None = None
) -> list[ReviewMark]:
    """The latest mark per (reply, rule, reviewer), of ``reply_ids`` and ``reviewers`` (all when None)."""
    w = _REVIEWS
    latest = _latest(w, ("reply_id", "rule_id", "reviewer"))
    query = select(w.c.reply_id, w.c.rule_id, w.c.reviewer, w.c.status, w.c.comment, w.c.created_at).join(
        latest, latest.c.latest == w.c.id
    )
    if reviewers is not None:
        query = query.where(w.c.reviewer.in_([checked_person(p) for p in reviewers]))
    query = query.order_by(w.c.reply_id, w.c.rule_id, w.c.reviewer)
    with _reading(source) as connection:
        parts = [query] if reply_ids is None else [query.where(w.c.reply_id.in_(c)) for c in _chunks(list(reply_ids))]
        rows = [row for part in parts for row in connection.execute(part)]
    return [ReviewMark(r.reply_id, r.rule_id, r.reviewer, r.status, r.comment, _moment(r.created_at)) for r in rows]


def reviewers(source: Source) -> list[str]:
    """Everyone who has reviewed a reply, sorted."""
    with _reading(source) as connection:
        return list(connection.scalars(select(_REVIEWS.c.reviewer).distinct().order_by(_REVIEWS.c.reviewer)))


# --- overrides -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Override:
    """A trainer's correction of an automatic verdict: the status that counts, who, when and why."""

    reply_id: str
    rule_id: str
    status: str
    reason: str
    who: str
    created_at: datetime


def add_override(store: Store, reply_id: str, rule_id: str, status: str, reason: str, who: str) -> Override:
    """Record that ``who`` overrides the automatic verdict of ``rule_id`` on a reply, and why; a new row.

    The reply must have an automatic verdict for the rule (under any rulebook); that row stays.
    """
    why = _text(reason, "reason for the override", required=True)
    assert why is not None  # required: an empty reason raised
    made = Override(_reply_id(reply_id), _rule(rule_id), checked_status(status), why, checked_person(who, "trainer"), now())
    with store.session() as s:
        connection = s.connection()
        _known_reply(connection, made.reply_id)
        judged = select(_VERDICTS.c.id).where(_VERDICTS.c.reply_id == made.reply_id, _VERDICTS.c.rule_id == made.rule_id)
        if connection.execute(judged.limit(1)).first() is None:
            raise JudgementError(f"the reply '{made.reply_id}' has no automatic verdict for the rule '{rule_id}' to override")
        connection.execute(insert(_OVERRIDES), [dataclasses.asdict(made)])
    return made


def latest_overrides(source: Source, reply_ids: Sequence[str] | None = None) -> dict[tuple[str, str], Override]:
    """The latest override per (reply, rule), of ``reply_ids`` (all when None), keyed by (reply id, rule id).

    ``source`` is a Store or an open Connection (used inside the caller's transaction).
    """
    # the same rule of which override counts as readiness applies (evidence.counting_overrides)
    o = counting_overrides().subquery()
    query = select(o.c.reply_id, o.c.rule_id, o.c.status, o.c.reason, o.c.who, o.c.created_at)
    with _reading(source) as connection:
        parts = [query] if reply_ids is None else [query.where(o.c.reply_id.in_(c)) for c in _chunks(list(reply_ids))]
        rows = [row for part in parts for row in connection.execute(part)]
    return {
        (r.reply_id, r.rule_id): Override(r.reply_id, r.rule_id, r.status, r.reason, r.who, _moment(r.created_at)) for r in rows
    }


@dataclass(frozen=True)
class JudgedVerdict:
    """An automatic verdict on a reply beside the override that replaces it, if any."""

    reply_id: str
    rule_id: str
    rulebook_hash: str
    automatic: str
    severity: str
    category: str
    weight: float
    override: Override | None

    @property
    def status(self) -> str:
        """The status that counts: the override's, else the automatic one."""
        return self.override.status if self.override is not None else self.automatic


def verdicts_with_overrides(
    source: Source, reply_ids: str | Sequence[str], rulebook_hash: str | None = None
) -> dict[str, list[JudgedVerdict]]:
    """Per reply, its automatic verdicts (under ``rulebook_hash``, or every rulebook) with any override (who, when, why)."""
    ids = [reply_ids] if isinstance(reply_ids, str) else list(reply_ids)
    v = _VERDICTS
    out: dict[str, list[JudgedVerdict]] = {reply_id: [] for reply_id in ids}
    with _reading(source) as connection:
        overrides = latest_overrides(connection, ids)
        for chunk in _chunks(ids):
            query = select(v).where(v.c.reply_id.in_(chunk)).order_by(v.c.reply_id, v.c.id)
            if rulebook_hash is not None:
                query = query.where(v.c.rulebook_hash == rulebook_hash)
            for row in connection.execute(query):
                out[row.reply_id].append(
                    JudgedVerdict(
                        row.reply_id,
                        row.rule_id,
                        row.rulebook_hash,
                        row.status,
                        row.severity,
                        row.category,
                        row.weight,
                        overrides.get((row.reply_id, row.rule_id)),
                    )
                )
    return out


def automatic_statuses(source: Source, reply_ids: Sequence[str], rulebook_hash: str) -> dict[tuple[str, str], str]:
    """The scorer's status per (reply, rule) under ``rulebook_hash`` for replies scored under it.

    A reply scored under the rulebook but without a row for a rule was judged n/a for it: callers
    read a missing key of a scored reply (see ``scored_replies``) as n/a.
    """
    v = _VERDICTS
    out: dict[tuple[str, str], str] = {}
    with _reading(source) as connection:
        for chunk in _chunks(list(reply_ids)):
            query = select(v.c.reply_id, v.c.rule_id, v.c.status).where(
                v.c.reply_id.in_(chunk), v.c.rulebook_hash == rulebook_hash
            )
            out.update({(row.reply_id, row.rule_id): row.status for row in connection.execute(query)})
    return out


def scored_replies(source: Source, reply_ids: Sequence[str], rulebook_hash: str) -> set[str]:
    """Which of ``reply_ids`` were scored under ``rulebook_hash`` (their verdicts under it are known)."""
    t = _TURN_SCORES
    out: set[str] = set()
    with _reading(source) as connection:
        for chunk in _chunks(list(reply_ids)):
            out.update(
                connection.scalars(select(t.c.reply_id).where(t.c.reply_id.in_(chunk), t.c.rulebook_hash == rulebook_hash))
            )
    return out
