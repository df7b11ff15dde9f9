"""Human judgement beside the machine's, and trainer sessions that say what they run.

- ``trainer_sessions`` gains the round's settings: cohort, scenarios, language, mode, whether all
  trainees get the same variant, the trainer, and when it ended.
- ``reviews``: a trainer's blind mark of one rule on one reply (calibration). Every mark is a new
  row; the latest per reply, rule and reviewer counts.
- ``verdict_overrides``: a trainer's correction of an automatic verdict, with the reason. The
  automatic verdict stays; readiness reads the latest override per reply and rule.
- ``readiness_decisions``: HR's decision on a trainee, beside the computed verdict and the rulebook
  it was computed under.

Revision ID: 0004_human_judgement
Revises: 0003_drill_mode
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_human_judgement"
down_revision: str | None = "0003_drill_mode"
branch_labels: str | None = None
depends_on: str | None = None

_STATUS = "status IN ('pass', 'fail', 'n/a')"
_VERDICT = "{column} IN ('ready', 'not_ready', 'insufficient_evidence')"


def upgrade() -> None:
    """Add the session settings and the three tables of human judgement."""
    with op.batch_alter_table("trainer_sessions") as batch:
        batch.add_column(sa.Column("cohort", sa.String(100), nullable=True))
        batch.add_column(sa.Column("scenarios", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("lang", sa.String(8), nullable=True))
        batch.add_column(sa.Column("mode", sa.String(16), nullable=True))
        batch.add_column(sa.Column("same_variant", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("trainer", sa.String(200), nullable=True))
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reply_id", sa.String(36), sa.ForeignKey("replies.id", name="fk_reviews_reply_id_replies"), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_STATUS, name="ck_reviews_status"),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
    )
    op.create_index("ix_reviews_reply_id", "reviews", ["reply_id"])
    op.create_table(
        "verdict_overrides",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "reply_id", sa.String(36), sa.ForeignKey("replies.id", name="fk_verdict_overrides_reply_id_replies"), nullable=False
        ),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_STATUS, name="ck_verdict_overrides_status"),
        sa.PrimaryKeyConstraint("id", name="pk_verdict_overrides"),
    )
    op.create_index("ix_verdict_overrides_reply_id", "verdict_overrides", ["reply_id"])
    op.create_table(
        "readiness_decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "trainee_id",
            sa.Integer(),
            sa.ForeignKey("trainees.id", name="fk_readiness_decisions_trainee_id_trainees"),
            nullable=False,
        ),
        sa.Column("computed", sa.String(32), nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("rulebook_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_VERDICT.format(column="computed"), name="ck_readiness_decisions_computed"),
        sa.CheckConstraint(_VERDICT.format(column="decision"), name="ck_readiness_decisions_decision"),
        sa.PrimaryKeyConstraint("id", name="pk_readiness_decisions"),
    )
    op.create_index("ix_readiness_decisions_trainee_id", "readiness_decisions", ["trainee_id"])


def downgrade() -> None:
    """Drop the tables of human judgement and the session settings."""
    op.drop_table("readiness_decisions")
    op.drop_table("verdict_overrides")
    op.drop_table("reviews")
    with op.batch_alter_table("trainer_sessions") as batch:
        for column in ("ended_at", "trainer", "same_variant", "mode", "lang", "scenarios", "cohort"):
            batch.drop_column(column)
