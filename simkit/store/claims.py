"""Re-scoring's chunks handed out by PostgreSQL, so that runs on several machines share one store."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.engine import Connection

from .database import Store
from .records import Attempt, Reply, TurnScoreRow


class Claims:
    """Chunks of replies not yet scored under a rulebook, handed out by PostgreSQL.

    Each chunk is claimed in a transaction of its own that locks its replies' rows (``FOR NO KEY
    UPDATE SKIP LOCKED``: a concurrent run skips them, readers and writers of verdicts are not
    held up) until its scores are written, so several machines re-scoring one store share the work
    and no reply is scored twice. A run that stops leaves its claims to the next one.
    """

    def __init__(self, store: Store, rulebook_hash: str, since: datetime | None, batch: int) -> None:
        self.store = store
        self.open: deque[Connection] = deque()
        scored = select(TurnScoreRow.id).where(TurnScoreRow.reply_id == Reply.id, TurnScoreRow.rulebook_hash == rulebook_hash)
        query = select(Reply.id, Reply.attempt_id, Reply.turn_index).join(Attempt).where(~scored.exists())
        if since is not None:
            query = query.where(Attempt.started_at >= since)
        self.query = query.order_by(Reply.attempt_id, Reply.turn_index).limit(max(1, batch))
        self.after: tuple[str, int] | None = None  # the last reply claimed: each run moves forward

    def __iter__(self) -> Iterator[list[str]]:
        while True:
            query = (
                self.query if self.after is None else self.query.where(tuple_(Reply.attempt_id, Reply.turn_index) > self.after)
            )
            connection = self.store.engine.connect()
            connection.begin()
            rows = connection.execute(query.with_for_update(of=Reply, skip_locked=True, key_share=True)).all()
            if not rows:
                connection.rollback()
                connection.close()
                return
            self.open.append(connection)
            self.after = (rows[-1].attempt_id, rows[-1].turn_index)
            yield [row.id for row in rows]

    def release(self) -> None:
        """Let go of the oldest chunk claimed, once its scores are written."""
        connection = self.open.popleft()
        connection.commit()
        connection.close()

    def close(self) -> None:
        while self.open:
            connection = self.open.popleft()
            connection.rollback()
            connection.close()
