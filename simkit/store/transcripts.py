"""Real conversations as evidence: a CSV export of chats or calls, each agent turn scored text-only.

The file is read by ``transcript_file`` (its columns, and every bad row reported by its line);
consecutive rows of one speaker are one turn. Each agent turn is judged against the rules in
text-only mode: its situation (``ReplyContext``) comes from what the customer said since the
agent's previous turn (``simkit.language.topics``), its place in the conversation (first, last)
and how long the agent took to answer. A real customer's mood is unknown, so it is taken as the
middle of the scale. A conversation becomes one attempt in mode ``real``, with an id derived from
the trainee and the conversation id, so importing a file again stores nothing twice. One that
cannot be scored or stored is reported at its first line; the others are stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError

from .. import __version__
from ..content.kit import Kit
from ..content.vocabulary import CHANNELS
from ..engine.scoring import ReplyContext, TurnScore, score_in_context
from ..language.topics import customer_topics, kind_of
from .database import Store, StoreUnavailable, score_rows
from .records import Attempt, Reply, Trainee, now
from .sums import summarise
from .transcript_file import (
    COLUMNS,
    EARLIEST,
    FIELD_LIMIT,
    Conversation,
    Line,
    RowProblem,
    TranscriptError,
    read_transcripts,
    shortened,
)

PREFIX = "transcript:"
MOOD = 5  # a real customer's anger is unknown: the middle of the 0-10 scale
# what reading the file gives, re-exported for the importer's callers
__all__ = ["COLUMNS", "EARLIEST", "FIELD_LIMIT", "Conversation", "Line", "RowProblem", "TranscriptError", "read_transcripts"]
_NAMESPACE = uuid.UUID("6f1c1d1e-3b0a-4c51-9d57-0b8f0f2f4a11")


@dataclass(frozen=True)
class ScoredTurn:
    """One agent turn of a real conversation, with its situation and judgement."""

    context: ReplyContext
    customer_text: str
    text: str
    seconds: float
    score: TurnScore


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    conversations: int
    stored: int
    already: int
    replies: int
    problems: tuple[RowProblem, ...]


def language(texts: list[str]) -> str:
    """'ru' when most letters are Cyrillic, else 'en'."""
    letters = [c for t in texts for c in t if c.isalpha()]
    cyrillic = sum(1 for c in letters if "а" <= c.lower() <= "я" or c.lower() == "ё")
    return "ru" if letters and cyrillic * 2 >= len(letters) else "en"


def _turns(lines: tuple[Line, ...]) -> list[tuple[str, str, datetime, datetime]]:
    """Consecutive messages of one speaker merged: (speaker, text, first moment, last moment)."""
    merged: list[tuple[str, str, datetime, datetime]] = []
    for m in lines:
        if merged and merged[-1][0] == m.speaker:
            speaker, text, first, _ = merged[-1]
            merged[-1] = (speaker, f"{text}\n{m.text}", first, m.at)
        else:
            merged.append((m.speaker, m.text, m.at, m.at))
    return merged


def contexts(conversation: Conversation, role: str, channel: str, lang: str) -> list[tuple[ReplyContext, str, str, float]]:
    """Each agent turn's situation, the customer's words it answers, its text and how long it took."""
    turns = _turns(conversation.lines)
    agent = [i for i, t in enumerate(turns) if t[0] == "agent"]
    out = []
    for n, i in enumerate(agent):
        previous = agent[n - 1] if n else -1
        said = [t for t in turns[previous + 1 : i] if t[0] == "customer"]
        customer_text = "\n".join(t[1] for t in said)
        seconds = (turns[i][2] - said[-1][3]).total_seconds() if said else 0.0
        context = context_for(
            conversation.id, n, n == 0, n == len(agent) - 1, customer_text, role, channel, lang, conversation.customer
        )
        out.append((context, customer_text, turns[i][1], max(0.0, seconds)))
    return out


def context_for(
    conversation_id: str,
    index: int,
    first: bool,
    last: bool,
    customer_text: str,
    role: str,
    channel: str,
    lang: str,
    customer_name: str | None,
) -> ReplyContext:
    """The situation of one agent turn, its topics read from the customer's words."""
    topics = customer_topics(customer_text, lang) if customer_text else ()
    return ReplyContext(
        scenario_id=f"{PREFIX}{conversation_id}"[:100],
        turn_id=f"t{index + 1}",
        lang=lang,
        role=role,
        kind=kind_of(topics),
        channel=channel,
        turn_index=index,
        first=first,
        last=last,
        topics=topics,
        anger=MOOD,
        customer_name=customer_name,
    )


def stored_context(context: dict[str, Any], scenario_id: str, turn_id: str, turn_index: int, lang: str) -> ReplyContext:
    """A stored real reply's situation, its topics read again with the current lexicon (re-scoring)."""
    fresh = context_for(
        scenario_id.removeprefix(PREFIX),
        turn_index,
        bool(context["first"]),
        bool(context["last"]),
        str(context["customer"]),
        str(context["role"]),
        str(context["channel"]),
        lang,
        context.get("customer_name"),
    )
    return replace(fresh, scenario_id=scenario_id, turn_id=turn_id)


def score_conversation(conversation: Conversation, kit: Kit, role: str, channel: str, lang: str) -> list[ScoredTurn]:
    """Every agent turn of ``conversation`` judged text-only against the rules in scope."""
    return [
        ScoredTurn(context, said, text, seconds, score_in_context(context, text, None, kit=kit, seconds=seconds))
        for context, said, text, seconds in contexts(conversation, role, channel, lang)
    ]


def attempt_id(trainee: str, conversation_id: str) -> str:
    """The attempt id of one trainee's conversation: the same on every import of the file."""
    return str(uuid.uuid5(_NAMESPACE, f"{trainee}\x1f{conversation_id}"))


def import_transcripts(
    store: Store,
    kit: Kit,
    path: str | Path,
    trainee: str,
    role: str | None = None,
    channel: str = "chat",
    lang: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Score every conversation of the file as ``trainee``'s real evidence and store it (mode ``real``)."""
    role = role or next(iter(kit.roles))
    if role not in kit.roles:
        raise TranscriptError(f"unknown role '{role}' (the kit's roles: {', '.join(kit.roles)})")
    if channel not in CHANNELS:
        raise TranscriptError(f"unknown channel '{channel}' (one of {', '.join(CHANNELS)})")
    conversations, problems = read_transcripts(path)
    store.add_trainee(trainee)
    stored = already = replies = 0
    for done, conversation in enumerate(conversations, start=1):
        saved, problem = _import(store, kit, conversation, trainee, role, conversation.channel or channel, lang)
        if problem:
            problems.append(RowProblem(str(path), conversation.first_line, problem))
        else:
            stored += bool(saved)
            already += not saved
            replies += saved
        if progress is not None:
            progress(done, len(conversations))
    return ImportReport(len(conversations), stored, already, replies, tuple(sorted(problems, key=lambda p: p.line)))


def _import(
    store: Store, kit: Kit, conversation: Conversation, trainee: str, role: str, channel: str, lang: str | None
) -> tuple[int, str]:
    """The replies stored of one conversation (0: stored before), or why it was not stored."""
    named = f"conversation '{shortened(conversation.id)}'"
    if not any(m.speaker == "agent" for m in conversation.lines):
        return 0, f"{named} has no agent turn"
    try:
        return _save(store, kit, conversation, trainee, role, channel, lang), ""
    except (StoreUnavailable, OperationalError, InterfaceError):
        raise  # the database went away: the import stops, and running it again stores nothing twice
    except Exception as exc:  # this conversation only: the file's other conversations are still stored
        return 0, f"{named} not stored: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


def _save(store: Store, kit: Kit, conversation: Conversation, trainee: str, role: str, channel: str, lang: str | None) -> int:
    """Store one conversation as an attempt; the number of replies stored (0: it was stored before)."""
    lang = lang or language([m.text for m in conversation.lines])
    scored = score_conversation(conversation, kit, role, channel, lang)
    identifier = attempt_id(trainee, conversation.id)
    weights = [(v.weight, v.status == "pass") for t in scored for v in t.score.verdicts if v.status != "n/a"]
    total = sum(w for w, _ in weights)
    with store.session() as s:
        if s.get(Attempt, identifier) is not None:
            return 0
        trainee_id = s.scalars(select(Trainee.id).where(Trainee.name == trainee)).one()
        s.add(
            Attempt(
                id=identifier,
                trainee_id=trainee_id,
                scenario_id=scored[0].context.scenario_id,
                seed=0,
                lang=lang,
                mode="real",
                started_at=conversation.lines[0].at,
                finished_at=conversation.lines[-1].at,
                outcome=None,
                score=round(100 * sum(w for w, ok in weights if ok) / total, 1) if total else 100.0,
                rulebook_hash=kit.rulebook_hash,
                kit_version=__version__,
            )
        )
        for turn in scored:
            reply_id = str(uuid.uuid5(uuid.UUID(identifier), str(turn.context.turn_index)))
            s.add(
                Reply(
                    id=reply_id,
                    attempt_id=identifier,
                    turn_index=turn.context.turn_index,
                    turn_id=turn.context.turn_id,
                    text=turn.text,
                    actions=[a.model_dump(exclude_none=True) for a in turn.score.actions],
                    text_only=True,
                    seconds=turn.seconds,
                    late=False,
                    anger_before=MOOD,
                    anger_after=MOOD,
                    created_at=now(),
                    context={
                        "customer": turn.customer_text,
                        "first": turn.context.first,
                        "last": turn.context.last,
                        "role": role,
                        "channel": channel,
                        "customer_name": conversation.customer,
                        "topics": list(turn.context.topics),
                    },
                )
            )
            s.add_all(score_rows(reply_id, turn.score, kit.rulebook_hash))
        s.flush()
        summarise(s.connection(), [identifier])  # the sums readiness reads, with the rows they sum
    return len(scored)
