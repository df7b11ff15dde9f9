"""Real conversations as evidence: a CSV export of chats or calls, each agent turn scored text-only.

The file has a header row and the columns ``conversation_id``, ``timestamp`` (ISO 8601),
``speaker`` (``agent`` or ``customer``; ``оператор``/``клиент`` and a few synonyms also do) and
``text``; ``customer`` (the customer's name) and ``channel`` (phone, chat, email, letter) are
optional. Rows of one conversation may come in any order; they are sorted by time. Consecutive
rows of one speaker are one turn.

Each agent turn is judged against the rules in text-only mode: its situation (``ReplyContext``)
comes from what the customer said since the agent's previous turn (``simkit.language.topics``), its place
in the conversation (first, last) and how long the agent took to answer. A real customer's mood
is unknown, so it is taken as the middle of the scale. A bad row is reported with its line number
and skipped; the rest of the file is imported. A conversation becomes one attempt in mode
``real``, with an id derived from the trainee and the conversation id, so importing a file again
stores nothing twice.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .. import __version__
from ..content.kit import Kit
from ..content.vocabulary import CHANNELS
from ..engine.scoring import ReplyContext, TurnScore, score_in_context
from ..errors import SimkitError
from ..language.topics import customer_topics, kind_of
from .database import Store, score_rows
from .records import Attempt, Reply, Trainee, now
from .sums import summarise

COLUMNS = ("conversation_id", "timestamp", "speaker", "text")
OPTIONAL = ("customer", "channel")
PREFIX = "transcript:"
MOOD = 5  # a real customer's anger is unknown: the middle of the 0-10 scale
_NAMESPACE = uuid.UUID("6f1c1d1e-3b0a-4c51-9d57-0b8f0f2f4a11")
_SPEAKERS = {
    "agent": "agent",
    "operator": "agent",
    "staff": "agent",
    "employee": "agent",
    "оператор": "agent",
    "сотрудник": "agent",
    "менеджер": "agent",
    "customer": "customer",
    "client": "customer",
    "клиент": "customer",
    "покупатель": "customer",
}


class TranscriptError(SimkitError):
    """The file cannot be read as a transcript export at all (missing, not CSV, columns absent)."""


@dataclass(frozen=True)
class RowProblem:
    """A row that was skipped, and why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Line:
    """One message of a conversation."""

    line: int
    at: datetime
    speaker: str  # agent | customer
    text: str


@dataclass(frozen=True)
class Conversation:
    """One conversation's messages in time order, with what the file says about it."""

    id: str
    lines: tuple[Line, ...]
    customer: str | None
    channel: str | None

    @property
    def first_line(self) -> int:
        """The file line of its earliest row, to point at it in a report."""
        return min(m.line for m in self.lines)


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


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_transcripts(path: str | Path) -> tuple[list[Conversation], list[RowProblem]]:
    """Every conversation of the CSV file at ``path``, and every row skipped with its reason."""
    path = Path(path)
    shown = str(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise TranscriptError(f"cannot read {shown}: {exc.strerror or exc}") from exc
    problems: list[RowProblem] = []
    rows: dict[str, list[Line]] = {}
    about: dict[str, dict[str, str]] = {}
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise TranscriptError(f"{shown} is empty; it needs a header row: {','.join(COLUMNS)}") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise TranscriptError(f"{shown}:1: not a UTF-8 CSV file ({exc})") from exc
        absent = [c for c in COLUMNS if c not in header]
        if absent:
            raise TranscriptError(
                f"{shown}:1: the header lacks {', '.join(absent)}; the columns are {', '.join(COLUMNS)} "
                f"(optional: {', '.join(OPTIONAL)})"
            )
        where = {name: header.index(name) for name in (*COLUMNS, *OPTIONAL) if name in header}
        for line, cells in _records(reader, shown, problems):
            problem = _check(cells, where, len(header))
            if problem:
                problems.append(RowProblem(shown, line, problem))
                continue
            conversation = cells[where["conversation_id"]].strip()
            rows.setdefault(conversation, []).append(
                Line(
                    line,
                    _moment(cells[where["timestamp"]]),
                    _SPEAKERS[cells[where["speaker"]].strip().lower()],
                    cells[where["text"]].strip(),
                )
            )
            seen = about.setdefault(conversation, {})
            for name in OPTIONAL:
                value = cells[where[name]].strip() if name in where else ""
                if value:
                    seen.setdefault(name, value)
    conversations = [
        Conversation(cid, tuple(sorted(ms, key=lambda m: (m.at, m.line))), about[cid].get("customer"), about[cid].get("channel"))
        for cid, ms in rows.items()
    ]
    return conversations, problems


def _records(reader: Any, shown: str, problems: list[RowProblem]) -> Iterator[tuple[int, list[str]]]:
    # reader.line_num is the line a record ends on; a quoted field may span lines
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            problems.append(RowProblem(shown, start, f"unreadable row ({exc}); the rest of the file is not read"))
            return
        if any(c.strip() for c in cells):
            yield start, cells
        start = reader.line_num + 1


def _check(cells: list[str], where: dict[str, int], width: int) -> str:
    if len(cells) != width:
        return f"{len(cells)} fields where the header has {width}; check the quoting of texts with commas"
    if not cells[where["conversation_id"]].strip():
        return "no conversation_id"
    try:
        _moment(cells[where["timestamp"]])
    except ValueError:
        return f"timestamp '{cells[where['timestamp']]}' is not ISO 8601 (for example 2026-03-02T10:15:00)"
    speaker = cells[where["speaker"]].strip().lower()
    if speaker not in _SPEAKERS:
        return f"speaker '{cells[where['speaker']]}' is neither agent nor customer"
    if not cells[where["text"]].strip():
        return "empty text"
    channel = cells[where["channel"]].strip().lower() if "channel" in where else ""
    if channel and channel not in CHANNELS:
        return f"channel '{channel}' is not one of {', '.join(CHANNELS)}"
    return ""


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
        if not any(m.speaker == "agent" for m in conversation.lines):
            problems.append(RowProblem(str(path), conversation.first_line, f"conversation '{conversation.id}' has no agent turn"))
        else:
            saved = _save(store, kit, conversation, trainee, role, conversation.channel or channel, lang)
            stored += bool(saved)
            already += not saved
            replies += saved
        if progress is not None:
            progress(done, len(conversations))
    return ImportReport(len(conversations), stored, already, replies, tuple(sorted(problems, key=lambda p: p.line)))


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
