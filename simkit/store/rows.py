"""An attempt, its replies and how they were judged, as the values of the store's rows.

Every row an attempt needs is built before its transaction begins (so that under SQLite the write
lock is held for the inserts alone), and a re-scoring builds its rows in worker processes: what a
row holds is therefore worked out here, apart from the Store that opens the transaction. The
same goes the other way: an attempt read back is turned into the plain mapping callers get.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii as _quote  # json.dumps's own quoting of a string (in C)
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .. import __version__
from ..language import stored as stored_findings
from .records import Attempt, Base, Mode, Reply, TurnScoreRow, VerdictRow, now
from .sums import summarise

if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..engine.checks import Evidence
    from ..engine.dialogue import Exchange
    from ..engine.generation import ScenarioInstance
    from ..engine.scoring import TurnScore
    from ..language.detection import Finding

# the tables as Core sees them: new rows go in by executemany, without the ORM's unit of work
_VERDICTS = Base.metadata.tables["verdicts"]
_TURN_SCORES = Base.metadata.tables["turn_scores"]
_FINDINGS = Base.metadata.tables["reply_findings"]


def _utc(moment: datetime | None) -> str | None:
    # SQLite gives back naive datetimes; everything stored is UTC
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


@dataclass(frozen=True)
class AttemptHeader:
    """What an attempt is before it ends: who plays which instance, in which mode, under which rules."""

    id: str
    trainee: str
    scenario_id: str
    seed: int
    lang: str
    mode: Mode
    rulebook_hash: str
    kit_version: str = __version__
    session: str | None = None  # a trainer session's join code
    started_at: datetime | None = None

    @classmethod
    def start(
        cls,
        instance: ScenarioInstance,
        kit: Kit,
        trainee: str,
        mode: Mode,
        attempt_id: str | None = None,
        session: str | None = None,
    ) -> AttemptHeader:
        """A header for a new attempt at ``instance`` (a fresh UUID unless ``attempt_id`` is given)."""
        return cls(
            id=attempt_id or str(uuid.uuid4()),
            trainee=trainee,
            scenario_id=instance.scenario_id,
            seed=instance.seed,
            lang=instance.lang,
            mode=mode,
            rulebook_hash=kit.rulebook_hash,
            session=session,
            started_at=now(),
        )


def reply_values(attempt_id: str, reply_id: str, exchange: Exchange, turn_index: int) -> dict[str, Any]:
    """The column values of the row of one reply (``exchange``) at ``turn_index`` of an attempt."""
    score = exchange.score
    return {
        "id": reply_id,
        "attempt_id": attempt_id,
        "turn_index": turn_index,
        "turn_id": exchange.turn.id,
        "text": exchange.reply,
        "actions": [a.model_dump(exclude_none=True) for a in score.actions],
        "text_only": score.text_only,
        "seconds": exchange.seconds,
        "late": exchange.late,
        "anger_before": exchange.anger_before,
        "anger_after": exchange.anger_after,
        "created_at": now(),
    }


# the column values of a reply's verdict rows and of its turn-score row
ScoreValues = tuple[list[dict[str, Any]], dict[str, Any]]
# the same as the driver takes them: tuples in the order of the columns below, JSON as text. Worker
# processes send these: a tuple of strings pickles and unpickles many times faster than a dict
DriverRows = tuple[list[tuple[Any, ...]], tuple[Any, ...]]
_VERDICT_COLUMNS = [
    *("reply_id", "rule_id", "status", "severity", "category", "weight", "source", "rulebook_hash", "evidence", "missing")
]
_SCORE_COLUMNS = ["reply_id", "rulebook_hash", "score", "critical_failures"]
_VERDICT_JSON, _SCORE_JSON = (
    [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
    for table, columns in ((_VERDICTS, _VERDICT_COLUMNS), (_TURN_SCORES, _SCORE_COLUMNS))
)


def score_values(reply_id: str, score: TurnScore, rulebook_hash: str) -> ScoreValues:
    """The column values of the verdict rows and of the turn-score row that record how one reply was judged."""
    verdicts = [
        {
            "reply_id": reply_id,
            "rule_id": v.rule_id,
            "status": v.status,
            "severity": v.severity,
            "category": v.category,
            "weight": v.weight,
            "source": v.source,
            "rulebook_hash": rulebook_hash,
            "evidence": _evidence_values(v.evidence),
            "missing": list(v.missing),
        }
        for v in score.verdicts
        if v.status != "n/a"  # out of scope: re-scoring reproduces these, storing them only bloats
    ]
    turn_score = {
        "reply_id": reply_id,
        "rulebook_hash": rulebook_hash,
        "score": score.score,
        "critical_failures": list(score.critical_failures),
    }
    return verdicts, turn_score


def driver_rows(values: ScoreValues) -> DriverRows:
    """One reply's ``score_values`` as the driver takes them (``Store.add_score_values``)."""
    verdicts, score = values
    return _driver_values(verdicts, _VERDICT_COLUMNS, _VERDICT_JSON), _driver_values([score], _SCORE_COLUMNS, _SCORE_JSON)[0]


def score_driver_rows(reply_id: str, score: TurnScore, rulebook_hash: str) -> DriverRows:
    """``driver_rows(score_values(reply_id, score, rulebook_hash))``, made without the mappings between.

    A re-scoring makes these for every reply it reads, some ten verdicts each; the texts of the
    missing lists (a few dozen distinct ones) are kept once made.
    """
    verdicts = [
        (
            *(reply_id, v.rule_id, v.status, v.severity, v.category, v.weight, v.source, rulebook_hash),
            _evidence_json(v.evidence),
            _strings_json(v.missing),
        )
        for v in score.verdicts
        if v.status != "n/a"  # as score_values
    ]
    return verdicts, (reply_id, rulebook_hash, score.score, _strings_json(score.critical_failures))


_STRINGS_JSON: dict[tuple[str, ...], str] = {}


def _strings_json(values: tuple[str, ...]) -> str:
    found = _STRINGS_JSON.get(values)
    if found is None:
        found = json.dumps(list(values))
        if len(_STRINGS_JSON) < 10_000:
            _STRINGS_JSON[values] = found
    return found


def _evidence_values(evidence: Sequence[Evidence]) -> list[dict[str, Any]]:
    """What a verdict rests on, as stored: what, text and span ([start, end] or null) of each piece."""
    return [{"what": e.what, "text": e.text, "span": list(e.span) if e.span else None} for e in evidence]


def _evidence_json(evidence: Sequence[Evidence]) -> str:
    # json.dumps(_evidence_values(evidence)), character for character, spelled out: a re-scoring
    # writes some 40,000 pieces of evidence per 100,000 replies, and the general encoder's walk of
    # a list of dicts cost four times what quoting the two strings does
    if not evidence:
        return "[]"
    return "[" + ", ".join(map(_piece_json, evidence)) + "]"


def _piece_json(e: Evidence) -> str:
    span = f"[{int(e.span[0])}, {int(e.span[1])}]" if e.span else "null"
    return f'{{"what": {_quote(e.what)}, "text": {_quote(e.text)}, "span": {span}}}'


def score_rows(reply_id: str, score: TurnScore, rulebook_hash: str) -> list[VerdictRow | TurnScoreRow]:
    """The rows (ORM objects) that record how one reply was judged under one rulebook version."""
    verdicts, turn_score = score_values(reply_id, score, rulebook_hash)
    rows: list[VerdictRow | TurnScoreRow] = [VerdictRow(**v) for v in verdicts]
    rows.append(TurnScoreRow(**turn_score))
    return rows


def insert_scores(connection: Connection, verdicts: list[dict[str, Any]], scores: list[dict[str, Any]]) -> None:
    """Insert verdict and turn-score rows given as ``score_values`` builds them."""
    for table, rows in ((_VERDICTS, verdicts), (_TURN_SCORES, scores)):
        if not rows:
            continue
        if connection.dialect.name != "sqlite":
            connection.execute(insert(table), rows)
            continue
        # SQLite keeps JSON as the text json.dumps gives, which is what SQLAlchemy would write; the
        # rows go straight to the driver, without its per-row processing (a re-scoring of 100,000
        # replies writes about a million verdicts)
        columns = list(rows[0])
        values = _driver_values(rows, columns, [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)])
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        connection.exec_driver_sql(sql, values)


def insert_driver_rows(connection: Connection, verdicts: list[tuple[Any, ...]], scores: list[tuple[Any, ...]]) -> None:
    """Insert verdict and turn-score rows given as ``driver_rows`` builds them."""
    # straight to the driver, JSON as text: SQLite keeps it so, PostgreSQL casts the text it is sent
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    for table, columns, rows in ((_VERDICTS, _VERDICT_COLUMNS, verdicts), (_TURN_SCORES, _SCORE_COLUMNS, scores)):
        if rows:
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
            connection.exec_driver_sql(sql, rows)


def add_reply(s: Session, attempt: Attempt, reply_id: str, exchange: Exchange, turn_index: int, rulebook_hash: str) -> None:
    """Add one reply and the rows of its verdicts and turn score in ``s``, the attempt's sums with them."""
    # the unit of work inserts the reply before the rows that refer to it; flushed, they are
    # summed into the attempt's row (the sums readiness reads) in the same transaction
    s.add(Reply(**reply_values(attempt.id, reply_id, exchange, turn_index)))
    s.add_all(score_rows(reply_id, exchange.score, rulebook_hash))
    s.flush()
    summarise(s.connection(), [attempt.id])


def findings_row(reply_id: str, findings: Sequence[Finding], customer_name: str | None) -> tuple[str, str, str]:
    """The values of the row that keeps what the detector found in a reply (language.stored)."""
    return reply_id, stored_findings.fingerprint(), stored_findings.encode(findings, customer_name)


def insert_findings(connection: Connection, rows: Sequence[tuple[str, str, str]]) -> None:
    """Keep the findings rows given; a reply's findings kept already under that fingerprint stay."""
    if rows:
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(
            f"INSERT INTO {_FINDINGS.name} (reply_id, fingerprint, findings) VALUES ({mark}, {mark}, {mark}) "
            "ON CONFLICT (reply_id, fingerprint) DO NOTHING",
            list(rows),
        )


def _driver_values(rows: list[dict[str, Any]], columns: list[str], as_json: list[int]) -> list[tuple[Any, ...]]:
    # the rows as the driver takes them, in the order of ``columns``, those at ``as_json`` as JSON
    # text; most of the JSON values are empty lists, whose text needs no encoder
    dumps, values = json.dumps, []
    pick = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    for row in rows:
        picked = pick(row)
        if as_json:
            listed = list(picked)
            for i in as_json:
                value = listed[i]
                listed[i] = "[]" if type(value) is list and not value else dumps(value)
            picked = tuple(listed)
        values.append(picked)
    return values


def attempt_json(a: Attempt) -> dict[str, Any]:
    """An attempt read from the store as a plain mapping, with its replies, verdicts and turn scores."""
    return {
        "id": a.id,
        "trainee": a.trainee.name,
        "cohort": a.trainee.cohort,
        "session": a.session.join_code if a.session else None,
        "scenario_id": a.scenario_id,
        "seed": a.seed,
        "lang": a.lang,
        "mode": a.mode,
        "started_at": _utc(a.started_at),
        "finished_at": _utc(a.finished_at),
        "outcome": a.outcome,
        "score": a.score,
        "rulebook_hash": a.rulebook_hash,
        "kit_version": a.kit_version,
        "replies": [_reply_json(r, a.rulebook_hash) for r in a.replies],
    }


def _reply_json(r: Reply, rulebook_hash: str) -> dict[str, Any]:
    current = next((t for t in r.scores if t.rulebook_hash == rulebook_hash), None)
    return {
        "id": r.id,
        "turn_index": r.turn_index,
        "turn": r.turn_id,
        "reply": r.text,
        "actions": r.actions,
        "seconds": r.seconds,
        "late": r.late,
        "anger_before": r.anger_before,
        "anger_after": r.anger_after,
        "created_at": _utc(r.created_at),
        # the score under the rulebook the attempt was played with; "scores" also holds re-scorings
        "score": current.score if current else None,
        "critical_failures": current.critical_failures if current else [],
        "scores": [
            {"rulebook_hash": t.rulebook_hash, "score": t.score, "critical_failures": t.critical_failures} for t in r.scores
        ],
        "verdicts": [
            {
                "rule": v.rule_id,
                "status": v.status,
                "severity": v.severity,
                "category": v.category,
                "weight": v.weight,
                "source": v.source,
                "rulebook_hash": v.rulebook_hash,
                "evidence": v.evidence,
                "missing": v.missing,
            }
            for v in r.verdicts
        ],
    }
