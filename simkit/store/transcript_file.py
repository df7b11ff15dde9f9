"""A transcript export read row by row: the conversations it holds and every row it skips, by line.

The file has a header row and the columns ``conversation_id``, ``timestamp`` (ISO 8601),
``speaker`` (``agent`` or ``customer``; ``оператор``/``клиент`` and a few synonyms also do) and
``text``; ``customer`` (the customer's name) and ``channel`` (phone, chat, email, letter) are
optional. Rows of one conversation may come in any order; they are sorted by time.

A bad row is reported with its line number and skipped; the rest of the file is read (see
``csv_rows``: bytes that are not UTF-8, a field over ``FIELD_LIMIT`` characters, a quote left
open). A timestamp must fall between ``EARLIEST`` and a day after the import: a year 1 or 9999
is a broken export, and later reports could not show it. An agent's text is scored, so it is held
to the scorer's limit on a reply (``MAX_REPLY_CHARS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..content.vocabulary import CHANNELS
from ..engine.scoring import MAX_REPLY_CHARS
from ..errors import SimkitError
from .csv_rows import FIELD_LIMIT, BadRow, CsvFileError, CsvRows

COLUMNS = ("conversation_id", "timestamp", "speaker", "text")
OPTIONAL = ("customer", "channel")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # the earliest timestamp read; the latest is a day after now
__all__ = ["FIELD_LIMIT"]  # the field limit, re-exported beside the names defined here
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
    """The file cannot be read as a transcript export at all (missing, not a regular file, columns absent)."""


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


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_transcripts(path: str | Path, latest: datetime | None = None) -> tuple[list[Conversation], list[RowProblem]]:
    """Every conversation of the CSV file at ``path``, and every row skipped with its reason.

    ``latest`` is the latest timestamp taken (default: a day after now).
    """
    path = Path(path)
    shown = str(path)
    latest = latest or datetime.now(UTC) + timedelta(days=1)
    problems: list[RowProblem] = []
    rows: dict[str, list[Line]] = {}
    about: dict[str, dict[str, str]] = {}
    try:
        source = CsvRows(path)
    except CsvFileError as exc:
        raise TranscriptError(str(exc)) from exc
    with source:
        first = source.next()
        if first is None:
            raise TranscriptError(f"{shown} is empty; it needs a header row: {','.join(COLUMNS)}")
        if isinstance(first, BadRow):
            raise TranscriptError(f"{shown}:{first.line}: the header row cannot be read: {first.message}")
        header = [h.strip().lower() for h in first.cells]
        absent = [c for c in COLUMNS if c not in header]
        if absent:
            raise TranscriptError(
                f"{shown}:{first.line}: the header lacks {', '.join(absent)}; the columns are {', '.join(COLUMNS)} "
                f"(optional: {', '.join(OPTIONAL)})"
            )
        where = {name: header.index(name) for name in (*COLUMNS, *OPTIONAL) if name in header}
        width = len(header)
        for row in source.rows(lambda cells: _starts_row(cells, where)):
            if isinstance(row, BadRow):
                problems.append(RowProblem(shown, row.line, row.message))
                continue
            problem = _check(row.cells, where, width, latest)
            if problem:
                quote = "a quote opened on this line is not closed before the end of the file"
                problems.append(RowProblem(shown, row.line, quote if row.open_at_end else problem))
                continue
            cells = row.cells
            conversation = cells[where["conversation_id"]].strip()
            rows.setdefault(conversation, []).append(
                Line(
                    row.line,
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


def shortened(text: str) -> str:
    """A value as a message quotes it: a field may be a megabyte long."""
    return text if len(text) <= 40 else f"{text[:40]}..."


def _starts_row(cells: tuple[str, ...], where: dict[str, int]) -> bool:
    """Whether one line read alone begins like a row: an id, a timestamp and a speaker where the header puts them."""
    keys = (where["conversation_id"], where["timestamp"], where["speaker"])
    if len(cells) <= max(keys) or not cells[keys[0]].strip() or cells[keys[2]].strip().lower() not in _SPEAKERS:
        return False
    try:
        _moment(cells[keys[1]])
    except ValueError:
        return False
    return True


def _check(cells: tuple[str, ...], where: dict[str, int], width: int, latest: datetime) -> str:
    if len(cells) != width:
        return f"{len(cells)} fields where the header has {width}; check the quoting of texts with commas"
    if not cells[where["conversation_id"]].strip():
        return "no conversation_id"
    stamp = cells[where["timestamp"]]
    try:
        moment = _moment(stamp)
    except ValueError:
        return f"timestamp '{shortened(stamp)}' is not ISO 8601 (for example 2026-03-02T10:15:00)"
    if not EARLIEST <= moment <= latest:
        return (
            f"timestamp '{shortened(stamp)}' is out of range: a conversation is dated from "
            f"{EARLIEST:%Y-%m-%d} to a day after the import ({latest:%Y-%m-%d %H:%M} UTC)"
        )
    speaker = cells[where["speaker"]].strip().lower()
    if speaker not in _SPEAKERS:
        return f"speaker '{shortened(cells[where['speaker']])}' is neither agent nor customer"
    text = cells[where["text"]].strip()
    if not text:
        return "empty text"
    if _SPEAKERS[speaker] == "agent" and len(text) > MAX_REPLY_CHARS:
        return f"an agent's text of {len(text):,} characters; a reply is scored up to {MAX_REPLY_CHARS:,}"
    channel = cells[where["channel"]].strip().lower() if "channel" in where else ""
    if channel and channel not in CHANNELS:
        return f"channel '{shortened(channel)}' is not one of {', '.join(CHANNELS)}"
    return ""
