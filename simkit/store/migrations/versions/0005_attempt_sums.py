"""Each attempt keeps the sums readiness judges: its verdicts' weights, passed and in all, per category.

Readiness needs, per attempt, the weight of its passed and of all its verdicts (under the
rulebook it was played with) in each category, and how many failed critical rules; summing them
from every verdict row takes seconds for a company. The store now writes these sums into the
attempt's row in the transaction that stores its replies; this revision adds the columns and
sums the attempts already stored, from their verdicts, in chunks (a few seconds per hundred
thousand attempts).

It also drops the indexes of verdicts and turn scores by reply: each duplicates the leading column
of the table's unique constraint, whose index serves the same lookups, and only slowed the
writing of scores (a re-scoring writes about ten rows per reply).

The sums are computed here with the revision's own SQL, so that the revision keeps doing what it
did when the store's code moves on.

Revision ID: 0005_attempt_sums
Revises: 0004_human_judgement
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_attempt_sums"
down_revision: str | None = "0004_human_judgement"
branch_labels: str | None = None
depends_on: str | None = None

_CATEGORIES = ("etiquette", "procedure", "escalation", "confidentiality")
_COUNTS = ("sum_replies", "sum_critical")
_WEIGHTS = ("sum_passed", "sum_total", *(f"sum_{c}_{part}" for c in _CATEGORIES for part in ("passed", "total")))
_CHUNK = 2_000  # attempts summed per statement
_BY_REPLY = (("ix_verdicts_reply_id", "verdicts"), ("ix_turn_scores_reply_id", "turn_scores"))

# per attempt: its replies, failed critical verdicts, passed and all weight, then per category the
# passed and all weight (NULL when nothing in it was judged); the verdicts are those under the
# attempt's own rulebook; attempts come in id order, a chunk after a given id
_SUMS = (
    "SELECT a.id, count(DISTINCT r.id), "
    "count(v.id) FILTER (WHERE v.status = 'fail' AND v.severity = 'critical'), "
    "coalesce(sum(v.weight) FILTER (WHERE v.status = 'pass'), 0), coalesce(sum(v.weight), 0), "
    + ", ".join(
        f"sum(v.weight) FILTER (WHERE v.category = '{c}' AND v.status = 'pass'), sum(v.weight) FILTER (WHERE v.category = '{c}')"
        for c in _CATEGORIES
    )
    + " FROM attempts a LEFT JOIN replies r ON r.attempt_id = a.id"
    " LEFT JOIN verdicts v ON v.reply_id = r.id AND v.rulebook_hash = a.rulebook_hash"
    " WHERE a.id > :after AND a.id <= :upto GROUP BY a.id"
)


def _sum_stored() -> None:
    # chunks by id range: bounded memory and statement size however many attempts are stored
    bind = op.get_bind()
    columns = (*_COUNTS, *_WEIGHTS)
    update = sa.text(f"UPDATE attempts SET {', '.join(f'{c} = :{c}' for c in columns)} WHERE id = :id")
    after = ""
    while True:
        ids = bind.execute(
            sa.text("SELECT id FROM attempts WHERE id > :after ORDER BY id LIMIT :n"), {"after": after, "n": _CHUNK}
        ).scalars()
        chunk = list(ids)
        if not chunk:
            return
        rows = bind.execute(sa.text(_SUMS), {"after": after, "upto": chunk[-1]}).all()
        bind.execute(update, [{"id": row[0], **dict(zip(columns, row[1:], strict=True))} for row in rows])
        after = chunk[-1]


def upgrade() -> None:
    """Add the attempts' sums and compute them for the attempts stored."""
    with op.batch_alter_table("attempts") as batch:
        for column in _COUNTS:
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
        for column in _WEIGHTS:
            batch.add_column(sa.Column(column, sa.Float(), nullable=True))
    # readiness under a chosen rulebook asks which replies were scored under it
    op.create_index("ix_turn_scores_rulebook_hash", "turn_scores", ["rulebook_hash"])
    for index, table in _BY_REPLY:
        op.drop_index(index, table_name=table)
    _sum_stored()


def downgrade() -> None:
    """Drop the attempts' sums and the index of turn scores by rulebook; index scores by reply again."""
    for index, table in _BY_REPLY:
        op.create_index(index, table, ["reply_id"])
    op.drop_index("ix_turn_scores_rulebook_hash", table_name="turn_scores")
    with op.batch_alter_table("attempts") as batch:
        for column in reversed((*_COUNTS, *_WEIGHTS)):
            batch.drop_column(column)
