"""Each stored reply keeps what the detector found in it, with the fingerprint of the language layer.

Re-scoring under a changed rulebook then reads the findings back instead of detecting again,
which is most of the work of judging a reply; replies without findings of the current fingerprint
(stored before this revision, or under another lexicon) are read again and their findings kept.

Revision ID: 0006_reply_findings
Revises: 0005_attempt_sums
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_reply_findings"
down_revision: str | None = "0005_attempt_sums"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the table of findings per reply and fingerprint."""
    op.create_table(
        "reply_findings",
        sa.Column(
            "reply_id", sa.String(36), sa.ForeignKey("replies.id", name="fk_reply_findings_reply_id_replies"), nullable=False
        ),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("reply_id", "fingerprint", name="pk_reply_findings"),
    )


def downgrade() -> None:
    """Drop the table of findings."""
    op.drop_table("reply_findings")
