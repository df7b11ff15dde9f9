"""The evidence store's first schema: trainees, trainer sessions, attempts, replies, verdicts, turn scores.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "trainees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("cohort", sa.String(100), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_trainees"),
        sa.UniqueConstraint("name", name="uq_trainees_name"),
    )
    op.create_table(
        "trainer_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("join_code", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_trainer_sessions"),
        sa.UniqueConstraint("join_code", name="uq_trainer_sessions_join_code"),
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("scenario_id", sa.String(100), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rulebook_hash", sa.String(64), nullable=False),
        sa.Column("kit_version", sa.String(32), nullable=False),
        sa.CheckConstraint("mode IN ('practice', 'session', 'assessment', 'real')", name="ck_attempts_mode"),
        sa.ForeignKeyConstraint(["trainee_id"], ["trainees.id"], name="fk_attempts_trainee_id_trainees"),
        sa.ForeignKeyConstraint(["session_id"], ["trainer_sessions.id"], name="fk_attempts_session_id_trainer_sessions"),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
    )
    op.create_index("ix_attempts_trainee_id", "attempts", ["trainee_id"])
    op.create_index("ix_attempts_session_id", "attempts", ["session_id"])
    op.create_table(
        "replies",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("attempt_id", sa.String(36), nullable=False),
        sa.Column("turn_index", sa.Integer(), nullable=False),
        sa.Column("turn_id", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("text_only", sa.Boolean(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("anger_before", sa.Integer(), nullable=False),
        sa.Column("anger_after", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], name="fk_replies_attempt_id_attempts"),
        sa.PrimaryKeyConstraint("id", name="pk_replies"),
        sa.UniqueConstraint("attempt_id", "turn_index", name="uq_replies_attempt_id"),
    )
    op.create_index("ix_replies_attempt_id", "replies", ["attempt_id"])
    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reply_id", sa.String(36), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("category", sa.String(50), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("rulebook_hash", sa.String(64), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["reply_id"], ["replies.id"], name="fk_verdicts_reply_id_replies"),
        sa.PrimaryKeyConstraint("id", name="pk_verdicts"),
        sa.UniqueConstraint("reply_id", "rule_id", "rulebook_hash", name="uq_verdicts_reply_id"),
    )
    op.create_index("ix_verdicts_reply_id", "verdicts", ["reply_id"])
    op.create_table(
        "turn_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reply_id", sa.String(36), nullable=False),
        sa.Column("rulebook_hash", sa.String(64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("critical_failures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["reply_id"], ["replies.id"], name="fk_turn_scores_reply_id_replies"),
        sa.PrimaryKeyConstraint("id", name="pk_turn_scores"),
        sa.UniqueConstraint("reply_id", "rulebook_hash", name="uq_turn_scores_reply_id"),
    )
    op.create_index("ix_turn_scores_reply_id", "turn_scores", ["reply_id"])


def downgrade() -> None:
    """Drop every table, dependants first."""
    for index, table in [
        ("ix_turn_scores_reply_id", "turn_scores"),
        ("ix_verdicts_reply_id", "verdicts"),
        ("ix_replies_attempt_id", "replies"),
    ]:
        op.drop_index(index, table_name=table)
        op.drop_table(table)
    op.drop_index("ix_attempts_session_id", table_name="attempts")
    op.drop_index("ix_attempts_trainee_id", table_name="attempts")
    op.drop_table("attempts")
    op.drop_table("trainer_sessions")
    op.drop_table("trainees")
