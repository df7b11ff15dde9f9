"""Attempts may be drills: the one-turn exercises of days 1 and 2 are stored in mode 'drill'.

Readiness counts only the modes its policy lists, and the shipped policy leaves drills out, so a
drill is kept as evidence of practice without counting toward the verdict.

Revision ID: 0003_drill_mode
Revises: 0002_reply_context
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from simkit.store.database import StoreError

revision = "0003_drill_mode"
down_revision: str | None = "0002_reply_context"
branch_labels: str | None = None
depends_on: str | None = None

_BEFORE = "mode IN ('practice', 'session', 'assessment', 'real')"
_AFTER = "mode IN ('practice', 'session', 'assessment', 'real', 'drill')"


def _replace_check(condition: str) -> None:
    # SQLite cannot alter a constraint: batch mode copies the table under the new one (on
    # PostgreSQL the same block is a plain DROP CONSTRAINT / ADD CONSTRAINT)
    # on SQLite the copy replaces the table that replies refer to: the store migrates with foreign
    # keys off (Store.__init__) and checks them after the copy
    with op.batch_alter_table("attempts") as batch:
        batch.drop_constraint("ck_attempts_mode", type_="check")
        batch.create_check_constraint(op.f("ck_attempts_mode"), condition)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise StoreError(f"copying the attempts table broke {len(broken)} references; the migration is rolled back")


def upgrade() -> None:
    """Allow mode 'drill'."""
    _replace_check(_AFTER)


def downgrade() -> None:
    """Forbid mode 'drill' again (fails while drill attempts are stored)."""
    _replace_check(_BEFORE)
