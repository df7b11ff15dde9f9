"""What the evidence store keeps: the tables of trainees, sessions, attempts, replies, verdicts, scores.

The ORM models live here, apart from the Store that reads and writes them, so that migrations
and reports can import the schema without the store's machinery.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar, Literal

from sqlalchemy import JSON, CheckConstraint, DateTime, Float, ForeignKey, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# the rules' categories, each with its sums in an attempt's row (Attempt.sum_<category>_passed/_total)
CATEGORIES: tuple[str, ...] = ("etiquette", "procedure", "escalation", "confidentiality")
# drill: the one-turn exercises of days 1 and 2, kept as evidence of practice; the readiness
# policy lists the modes that count, and the shipped one leaves drills out
Mode = Literal["practice", "session", "assessment", "real", "drill"]
MODES: tuple[Mode, ...] = ("practice", "session", "assessment", "real", "drill")


def now() -> datetime:
    """The current moment in UTC (everything stored is UTC)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of the store's tables; constraint names are stable for migrations."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        float: Float(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class Trainee(Base):
    """A person who practises; names are unique within one store."""

    __tablename__ = "trainees"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    cohort: Mapped[str | None] = mapped_column(String(100))
    start_date: Mapped[date | None]


class TrainerSession(Base):
    """A group round run by a trainer; trainees join it with a short code and play its scenarios."""

    __tablename__ = "trainer_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    cohort: Mapped[str | None] = mapped_column(String(100))
    scenarios: Mapped[list[Any] | None]  # scenario ids, in the order the round plays them
    lang: Mapped[str | None] = mapped_column(String(8))
    mode: Mapped[str | None] = mapped_column(String(16))
    same_variant: Mapped[bool | None]  # True: one seed for all; False: a seed per trainee, same script
    trainer: Mapped[str | None] = mapped_column(String(200))
    ended_at: Mapped[datetime | None]


class Attempt(Base):
    """One play of one scenario instance by one trainee; outcome and score once finished."""

    __tablename__ = "attempts"
    __table_args__ = (CheckConstraint(f"mode IN ({', '.join(repr(m) for m in MODES)})", name="mode"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("trainer_sessions.id"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(100))
    seed: Mapped[int]
    lang: Mapped[str] = mapped_column(String(8))
    mode: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float | None]
    rulebook_hash: Mapped[str] = mapped_column(String(64))
    kit_version: Mapped[str] = mapped_column(String(32))
    # The sums readiness judges, of its replies' verdicts under its own rulebook, kept by the store
    # in the transaction that stores the replies (evidence.summarise), so that readiness reads one
    # row per attempt instead of every verdict. NULL: not summed (readiness then sums the verdicts).
    sum_replies: Mapped[int | None]  # the replies summed
    sum_critical: Mapped[int | None]  # failed critical verdicts
    sum_passed: Mapped[float | None]  # the weight of passed verdicts
    sum_total: Mapped[float | None]  # the weight of all verdicts
    # per category (see CATEGORIES): the weight of passed verdicts, and of all (NULL: none in it)
    sum_etiquette_passed: Mapped[float | None]
    sum_etiquette_total: Mapped[float | None]
    sum_procedure_passed: Mapped[float | None]
    sum_procedure_total: Mapped[float | None]
    sum_escalation_passed: Mapped[float | None]
    sum_escalation_total: Mapped[float | None]
    sum_confidentiality_passed: Mapped[float | None]
    sum_confidentiality_total: Mapped[float | None]
    trainee: Mapped[Trainee] = relationship()
    session: Mapped[TrainerSession | None] = relationship()
    replies: Mapped[list[Reply]] = relationship(back_populates="attempt", order_by="Reply.turn_index")


class Reply(Base):
    """One trainee reply to one customer line, as sent (text, actions, time taken)."""

    __tablename__ = "replies"
    __table_args__ = (UniqueConstraint("attempt_id", "turn_index"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempts.id"), index=True)
    turn_index: Mapped[int]
    turn_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    actions: Mapped[list[Any]]
    text_only: Mapped[bool]  # actions were read from the text: re-scoring reads them again
    seconds: Mapped[float]
    late: Mapped[bool]
    anger_before: Mapped[int]
    anger_after: Mapped[int]
    created_at: Mapped[datetime]
    # an imported real reply's situation (customer words, place, role, channel); None when scripted
    context: Mapped[dict[str, Any] | None]
    attempt: Mapped[Attempt] = relationship(back_populates="replies")
    verdicts: Mapped[list[VerdictRow]] = relationship(order_by="VerdictRow.id")
    scores: Mapped[list[TurnScoreRow]] = relationship(order_by="TurnScoreRow.id")


class VerdictRow(Base):
    """How one rule judged one reply under one rulebook version (re-scoring adds rows)."""

    __tablename__ = "verdicts"
    __table_args__ = (UniqueConstraint("reply_id", "rule_id", "rulebook_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # no index of its own: the unique constraint, led by reply_id, serves lookups by reply
    reply_id: Mapped[str] = mapped_column(ForeignKey("replies.id"))
    rule_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(8))
    severity: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(50))
    weight: Mapped[float]
    source: Mapped[str] = mapped_column(String(200))
    rulebook_hash: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[list[Any]]
    missing: Mapped[list[Any]]


class TurnScoreRow(Base):
    """One reply's weighted score and critical failures under one rulebook version."""

    __tablename__ = "turn_scores"
    __table_args__ = (UniqueConstraint("reply_id", "rulebook_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # no index of its own: the unique constraint, led by reply_id, serves lookups by reply
    reply_id: Mapped[str] = mapped_column(ForeignKey("replies.id"))
    rulebook_hash: Mapped[str] = mapped_column(String(64), index=True)  # which replies a rulebook scored
    score: Mapped[float]
    critical_failures: Mapped[list[Any]]


class FindingsRow(Base):
    """What the detector found in one reply, under the language layer of one fingerprint.

    Kept so that judging stored replies again under another rulebook needs no detection
    (language.stored); written with the reply and by re-scoring. Not evidence in itself: the
    verdicts are.
    """

    __tablename__ = "reply_findings"
    reply_id: Mapped[str] = mapped_column(ForeignKey("replies.id"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
    findings: Mapped[str] = mapped_column(Text)


class Review(Base):
    """A trainer's blind mark of one rule on one reply (calibration); the latest per reviewer counts."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("status IN ('pass', 'fail', 'n/a')", name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    reply_id: Mapped[str] = mapped_column(ForeignKey("replies.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    reviewer: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class VerdictOverride(Base):
    """A trainer's correction of an automatic verdict, with who, when and why; the automatic row stays."""

    __tablename__ = "verdict_overrides"
    __table_args__ = (CheckConstraint("status IN ('pass', 'fail', 'n/a')", name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    reply_id: Mapped[str] = mapped_column(ForeignKey("replies.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


VERDICTS: tuple[str, ...] = ("ready", "not_ready", "insufficient_evidence")


class ReadinessDecision(Base):
    """HR's decision on a trainee beside the computed verdict and the rulebook it was computed under."""

    __tablename__ = "readiness_decisions"
    __table_args__ = (
        CheckConstraint("computed IN ('ready', 'not_ready', 'insufficient_evidence')", name="computed"),
        CheckConstraint("decision IN ('ready', 'not_ready', 'insufficient_evidence')", name="decision"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    computed: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(200))
    rulebook_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    trainee: Mapped[Trainee] = relationship()
