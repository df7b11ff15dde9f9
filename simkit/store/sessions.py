"""Trainer rounds: a group plays the same scenarios at once, joining with a short code.

A round is a ``TrainerSession`` row (title, cohort, scenario ids, language, mode, one variant for
all or one per trainee). Trainees' attempts carry the round (``Attempt.session_id``, recorded with
``Recorder(session=<code>)``). The trainer's console polls ``live_rows`` about every half second,
so it is one cheap query; ``common_failures`` and ``round_replies`` feed the discussion and exports.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from .database import _CODE_LETTERS, Store, StoreError, checked_names
from .records import Attempt, Mode, Reply, Trainee, TrainerSession, TurnScoreRow, VerdictRow, now

ROUND_MODES: tuple[Mode, ...] = ("practice", "session", "assessment")  # the modes a player can play
_CODE_LENGTH = 6
_TITLE_LIMIT = 200
_SEED_RANGE = 1_000_000  # seeds as the player draws them: 1 .. 999,999
_LANGS = ("ru", "en")


class RoundError(StoreError):
    """A round cannot be created, found or joined; the message says what to do."""


@dataclass(frozen=True)
class Round:
    """A trainer's round as stored."""

    code: str
    title: str
    scenarios: tuple[str, ...]
    lang: str
    mode: Mode
    same_variant: bool
    cohort: str | None
    trainer: str | None
    created_at: datetime
    ended_at: datetime | None

    @property
    def open(self) -> bool:
        """Whether trainees may still join and play."""
        return self.ended_at is None


@dataclass(frozen=True)
class LiveRow:
    """One trainee's latest attempt in a round, as the live table shows it."""

    trainee: str
    cohort: str | None
    attempt_id: str
    scenario_id: str
    turn_reached: int  # replies given in this attempt
    scores: tuple[float, ...]  # each reply's score, in turn order
    critical_failures: tuple[str, ...]  # rule ids, in turn order (a rule may repeat)
    anger: int | None  # the customer's anger after the last reply
    last_reply_at: datetime | None
    finished: bool
    outcome: str | None
    attempts: int  # attempts this trainee made in the round


@dataclass(frozen=True)
class Example:
    """A reply that failed a rule."""

    reply_id: str
    trainee: str
    text: str


@dataclass(frozen=True)
class CommonFailure:
    """A rule the group failed: how many trainees and replies, and a few of those replies."""

    rule_id: str
    severity: str
    trainees: int
    replies: int
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class RoundReply:
    """One reply of a round with how it was judged (under the rulebook the attempt was played with)."""

    reply_id: str
    attempt_id: str
    trainee: str
    cohort: str | None
    scenario_id: str
    seed: int
    lang: str
    turn_index: int
    turn_id: str
    text: str
    actions: tuple[dict[str, Any], ...]
    score: float | None
    critical_failures: tuple[str, ...]
    failed: tuple[str, ...]  # rule ids failed by this reply
    anger_before: int
    anger_after: int
    created_at: datetime


def normal_code(code: str) -> str:
    """A join code as typed, made comparable: blanks dropped, upper case."""
    return "".join(code.split()).upper()


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes; everything stored is UTC
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _round(row: TrainerSession) -> Round:
    mode = row.mode if row.mode in ROUND_MODES else "session"
    return Round(
        code=row.join_code,
        title=row.title,
        scenarios=tuple(str(s) for s in (row.scenarios or [])),
        lang=row.lang or "ru",
        mode=mode,
        same_variant=bool(row.same_variant),
        cohort=row.cohort,
        trainer=row.trainer,
        created_at=_aware(row.created_at) or row.created_at,
        ended_at=_aware(row.ended_at),
    )


def create_round(
    store: Store,
    title: str,
    scenarios: Sequence[str],
    lang: str = "ru",
    mode: Mode = "session",
    same_variant: bool = False,
    cohort: str | None = None,
    trainer: str | None = None,
) -> Round:
    """Open a round with a fresh join code (six letters and digits, no 0/O or 1/I)."""
    title = " ".join(title.split())
    if not title:
        raise RoundError("the round has no name; give it one the trainees will recognise")
    if len(title) > _TITLE_LIMIT:
        raise RoundError(f"the round's name is {len(title)} characters long; at most {_TITLE_LIMIT} fit")
    ids = [s for s in dict.fromkeys(scenarios) if s]
    if not ids:
        raise RoundError("choose at least one scenario for the round")
    if lang not in _LANGS:
        raise RoundError(f"the round's language is one of {', '.join(_LANGS)}, not '{lang}'")
    if mode not in ROUND_MODES:
        raise RoundError(f"the round's mode is one of {', '.join(ROUND_MODES)}, not '{mode}'")
    group = checked_names("-", cohort)[1]
    who = " ".join((trainer or "").split())[:_TITLE_LIMIT] or None
    for _try in range(10):
        code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(_CODE_LENGTH))
        row = TrainerSession(
            join_code=code,
            title=title,
            created_at=now(),
            cohort=group,
            scenarios=ids,
            lang=lang,
            mode=mode,
            same_variant=bool(same_variant),
            trainer=who,
        )
        try:
            with store.session() as s:
                s.add(row)
        except IntegrityError:
            continue  # the code is taken (one in a billion): draw another
        return _round(row)
    raise RoundError("could not draw a free join code; try again")


def get_round(store: Store, code: str) -> Round:
    """The round with this join code, open or ended (case and blanks do not matter)."""
    wanted = normal_code(code)
    if not wanted:
        raise RoundError("type the join code the trainer gave")
    with store.session(write=False) as s:
        row = s.scalars(select(TrainerSession).where(func.upper(TrainerSession.join_code) == wanted)).first()
    if row is None:
        raise RoundError(f"no round has the join code '{wanted}'; check the code the trainer gave")
    return _round(row)


def find_round(store: Store, code: str) -> Round:
    """The open round with this join code; RoundError for an unknown code or a round that has ended."""
    found = get_round(store, code)
    if not found.open:
        raise RoundError(f"the round '{found.title}' ({found.code}) has ended; ask the trainer for the new code")
    return found


def seed_for(found: Round, trainee: str) -> int:
    """The seed a trainee plays: the round's own with one variant for all, else one per trainee.

    Derived from the code (and the trainee's name), so rejoining gives the same variant; every seed
    plays the same script (the same turns and rules), so the variants are equally hard.
    """
    key = found.code if found.same_variant else f"{found.code}\n{' '.join(trainee.split()).casefold()}"
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % (_SEED_RANGE - 1) + 1


def end_round(store: Store, code: str) -> Round:
    """End the round (the first end counts); trainees can no longer join it."""
    found = get_round(store, code)
    with store.session() as s:
        s.execute(
            update(TrainerSession)
            .where(TrainerSession.join_code == found.code, TrainerSession.ended_at.is_(None))
            .values(ended_at=now())
        )
    return get_round(store, found.code)


def live_rows(store: Store, code: str) -> list[LiveRow]:
    """Per trainee in the round, their latest attempt: turn reached, scores, critical failures, anger (one query)."""
    query = (
        select(
            Trainee.name,
            Trainee.cohort,
            Attempt.id,
            Attempt.scenario_id,
            Attempt.started_at,
            Attempt.finished_at,
            Attempt.outcome,
            Reply.turn_index,
            Reply.anger_after,
            Reply.created_at,
            TurnScoreRow.score,
            TurnScoreRow.critical_failures,
        )
        .join(Trainee, Trainee.id == Attempt.trainee_id)
        .join(TrainerSession, TrainerSession.id == Attempt.session_id)
        .outerjoin(Reply, Reply.attempt_id == Attempt.id)
        .outerjoin(TurnScoreRow, and_(TurnScoreRow.reply_id == Reply.id, TurnScoreRow.rulebook_hash == Attempt.rulebook_hash))
        .where(TrainerSession.join_code == code)
        .order_by(Trainee.name, Attempt.started_at, Attempt.id, Reply.turn_index)
    )
    with store.session(write=False) as s:
        rows = s.execute(query).all()
    by_trainee: dict[str, dict[str, list[Any]]] = defaultdict(dict)
    for row in rows:
        by_trainee[row[0]].setdefault(row[2], []).append(row)
    live = []
    for trainee, attempts in by_trainee.items():
        latest = list(attempts.values())[-1]  # ordered by start: the last one is the current
        first = latest[0]
        replies = [r for r in latest if r.turn_index is not None]
        last = replies[-1] if replies else None
        live.append(
            LiveRow(
                trainee=trainee,
                cohort=first.cohort,
                attempt_id=first.id,
                scenario_id=first.scenario_id,
                turn_reached=len(replies),
                scores=tuple(float(r.score) for r in replies if r.score is not None),
                critical_failures=tuple(str(c) for r in replies for c in (r.critical_failures or [])),
                anger=last.anger_after if last is not None else None,
                last_reply_at=_aware(last.created_at) if last is not None else None,
                finished=first.finished_at is not None,
                outcome=first.outcome,
                attempts=len(attempts),
            )
        )
    return live


def round_replies(store: Store, code: str) -> list[RoundReply]:
    """Every reply of the round, by trainee and time, with its score and the rules it failed."""
    verdicts = (
        select(VerdictRow.reply_id, VerdictRow.rule_id)
        .join(Reply, Reply.id == VerdictRow.reply_id)
        .join(Attempt, Attempt.id == Reply.attempt_id)
        .join(TrainerSession, TrainerSession.id == Attempt.session_id)
        .where(TrainerSession.join_code == code, VerdictRow.status == "fail", VerdictRow.rulebook_hash == Attempt.rulebook_hash)
        .order_by(VerdictRow.id)
    )
    query = (
        select(Reply, Attempt.scenario_id, Attempt.seed, Attempt.lang, Trainee.name, Trainee.cohort, TurnScoreRow.score,
               TurnScoreRow.critical_failures)
        .join(Attempt, Attempt.id == Reply.attempt_id)
        .join(Trainee, Trainee.id == Attempt.trainee_id)
        .join(TrainerSession, TrainerSession.id == Attempt.session_id)
        .outerjoin(TurnScoreRow, and_(TurnScoreRow.reply_id == Reply.id, TurnScoreRow.rulebook_hash == Attempt.rulebook_hash))
        .where(TrainerSession.join_code == code)
        .order_by(Trainee.name, Attempt.started_at, Attempt.id, Reply.turn_index)
    )  # fmt: skip
    with store.session(write=False) as s:
        grouped: dict[str, list[str]] = defaultdict(list)
        for reply_id, rule_id in s.execute(verdicts):
            grouped[reply_id].append(rule_id)
        rows = s.execute(query).all()
    return [
        RoundReply(
            reply_id=r.id,
            attempt_id=r.attempt_id,
            trainee=name,
            cohort=cohort,
            scenario_id=scenario_id,
            seed=seed,
            lang=lang,
            turn_index=r.turn_index,
            turn_id=r.turn_id,
            text=r.text,
            actions=tuple(r.actions or ()),
            score=score,
            critical_failures=tuple(critical or ()),
            failed=tuple(grouped.get(r.id, ())),
            anger_before=r.anger_before,
            anger_after=r.anger_after,
            created_at=_aware(r.created_at) or r.created_at,
        )
        for r, scenario_id, seed, lang, name, cohort, score, critical in rows
    ]


def common_failures(store: Store, code: str, limit: int = 5, examples: int = 3) -> list[CommonFailure]:
    """The rules most trainees of the round failed (then most replies), each with a few replies that failed it."""
    query = (
        select(VerdictRow.rule_id, VerdictRow.severity, Trainee.name, Reply.id, Reply.text)
        .join(Reply, Reply.id == VerdictRow.reply_id)
        .join(Attempt, Attempt.id == Reply.attempt_id)
        .join(Trainee, Trainee.id == Attempt.trainee_id)
        .join(TrainerSession, TrainerSession.id == Attempt.session_id)
        .where(TrainerSession.join_code == code, VerdictRow.status == "fail", VerdictRow.rulebook_hash == Attempt.rulebook_hash)
        .order_by(Reply.created_at, Reply.id)
    )
    with store.session(write=False) as s:
        rows = s.execute(query).all()
    by_rule: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_rule[row.rule_id].append(row)
    failures = []
    for rule_id, found in by_rule.items():
        shown: list[Example] = []
        for row in found:  # one example per trainee first: the class sees different answers
            if len(shown) < examples and all(e.trainee != row.name for e in shown):
                shown.append(Example(row.id, row.name, row.text))
        failures.append(CommonFailure(rule_id, found[0].severity, len({r.name for r in found}), len(found), tuple(shown)))
    failures.sort(key=lambda f: (-f.trainees, -f.replies, f.rule_id))
    return failures[:limit]


def reply_of_round(store: Store, code: str, reply_id: str) -> RoundReply:
    """One reply of the round, for discussion with the class."""
    for reply in round_replies(store, code):
        if reply.reply_id == reply_id:
            return reply
    raise RoundError(f"the reply '{reply_id}' is not in round {code}")


__all__ = [
    "ROUND_MODES",
    "CommonFailure",
    "Example",
    "LiveRow",
    "Round",
    "RoundError",
    "RoundReply",
    "common_failures",
    "create_round",
    "end_round",
    "find_round",
    "get_round",
    "live_rows",
    "normal_code",
    "reply_of_round",
    "round_replies",
    "seed_for",
]
