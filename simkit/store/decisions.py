"""HR's readiness decisions: confirm or overrule the computed verdict, with a reason, who and when.

Every decision is a new ``readiness_decisions`` row beside the verdict that was computed and the
rulebook version it was computed under; nothing is updated or deleted, so the personnel file can
show the whole history. The latest decision per trainee (highest id: moments may tie) is the one
in force.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import func, insert, select
from sqlalchemy.sql import Select

from .database import Store, StoreError
from .records import VERDICTS, Base, now

Action = Literal["confirm", "overrule"]
REASON_LIMIT = 4_000
_DECISIONS = Base.metadata.tables["readiness_decisions"]
_TRAINEES = Base.metadata.tables["trainees"]


class DecisionError(StoreError):
    """A decision that cannot be stored as given (no reason, unknown trainee, a verdict that does not exist)."""


@dataclass(frozen=True)
class Decision:
    """One HR decision on a trainee's readiness, as stored."""

    id: int
    trainee: str
    computed: str  # the verdict readiness computed
    decision: str  # the verdict HR decided: the same (confirmed) or another (overruled)
    reason: str
    who: str
    rulebook_hash: str
    created_at: datetime

    @property
    def action(self) -> Action:
        """``confirm`` when HR kept the computed verdict, else ``overrule``."""
        return "confirm" if self.decision == self.computed else "overrule"


def _verdict(value: str, what: str) -> str:
    if value not in VERDICTS:
        raise DecisionError(f"the {what} '{value}' is not one of {', '.join(VERDICTS)}")
    return value


def _clean(text: str, what: str, limit: int) -> str:
    cleaned = " ".join(str(text or "").split()) if what != "reason" else str(text or "").strip()
    if not cleaned:
        raise DecisionError(f"the {what} is empty: a decision for the personnel file needs it")
    if len(cleaned) > limit:
        raise DecisionError(f"the {what} is {len(cleaned)} characters long; at most {limit} are kept")
    if what != "reason" and any(unicodedata.category(ch) == "Cc" for ch in cleaned):
        raise DecisionError(f"the {what} holds a control character; type it again")
    return cleaned


def record_decision(
    store: Store,
    trainee: str,
    computed: str,
    decision: str | None,
    reason: str,
    who: str,
    rulebook_hash: str,
) -> Decision:
    """Store HR's decision on ``trainee`` as a new row and return it.

    ``decision`` None (or equal to ``computed``) confirms the computed verdict; another verdict
    overrules it. ``reason`` and ``who`` are required. The trainee must be in the store.
    """
    computed = _verdict(computed, "computed verdict")
    decided = _verdict(decision or computed, "decision")
    why = _clean(reason, "reason", REASON_LIMIT)
    person = _clean(who, "name of who decides", 200)
    if not rulebook_hash or len(rulebook_hash) > 64:
        raise DecisionError("the rulebook version the verdict was computed under is missing")
    moment = now()
    with store.session() as s:
        connection = s.connection()
        trainee_id = connection.execute(select(_TRAINEES.c.id).where(_TRAINEES.c.name == trainee)).scalar_one_or_none()
        if trainee_id is None:
            raise DecisionError(f"no trainee '{trainee}' in the store")
        values = {
            "trainee_id": trainee_id,
            "computed": computed,
            "decision": decided,
            "reason": why,
            "who": person,
            "rulebook_hash": rulebook_hash,
            "created_at": moment,
        }
        row_id = connection.execute(insert(_DECISIONS).returning(_DECISIONS.c.id), [values]).scalar_one()
    return Decision(row_id, trainee, computed, decided, why, person, rulebook_hash, moment)


def _query() -> Select[Any]:
    d, t = _DECISIONS, _TRAINEES
    return select(
        d.c.id, t.c.name, d.c.computed, d.c.decision, d.c.reason, d.c.who, d.c.rulebook_hash, d.c.created_at
    ).select_from(d.join(t, t.c.id == d.c.trainee_id))


def _decision(row: Any) -> Decision:
    moment: datetime = row.created_at
    return Decision(
        row.id,
        row.name,
        row.computed,
        row.decision,
        row.reason,
        row.who,
        row.rulebook_hash,
        moment if moment.tzinfo else moment.replace(tzinfo=UTC),  # SQLite gives naive UTC back
    )


def decision_history(store: Store, trainee: str) -> list[Decision]:
    """Every decision on ``trainee``, oldest first."""
    d, t = _DECISIONS, _TRAINEES
    query = _query().where(t.c.name == trainee).order_by(d.c.id)
    with store.engine.execution_options(simkit_read_only=True).connect() as connection:
        return [_decision(row) for row in connection.execute(query)]


def latest_decisions(store: Store, trainees: list[str] | None = None) -> dict[str, Decision]:
    """The decision in force per trainee (the latest), of ``trainees`` only if given."""
    d, t = _DECISIONS, _TRAINEES
    latest = select(func.max(d.c.id)).group_by(d.c.trainee_id)
    query = _query().where(d.c.id.in_(latest))
    out: dict[str, Decision] = {}
    with store.engine.execution_options(simkit_read_only=True).connect() as connection:
        if trainees is None:
            parts = [query]
        else:
            parts = [query.where(t.c.name.in_(trainees[k : k + 500])) for k in range(0, len(trainees), 500)]
        for part in parts:
            for row in connection.execute(part):
                found = _decision(row)
                out[found.trainee] = found
    return out
