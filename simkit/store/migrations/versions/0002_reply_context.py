"""Replies of imported real conversations keep their context: the customer's words before them.

A scripted reply's situation is regenerated from its scenario and seed; a real one has no
script, so re-scoring needs what the customer said, the turn's place in the conversation, the
role and the channel. Null for scripted replies.

Revision ID: 0002_reply_context
Revises: 0001_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_reply_context"
down_revision: str | None = "0001_initial"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add replies.context."""
    with op.batch_alter_table("replies") as batch:
        batch.add_column(sa.Column("context", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop replies.context."""
    with op.batch_alter_table("replies") as batch:
        batch.drop_column("context")
