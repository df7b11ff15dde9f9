"""The service's one evidence store: opened once, reopened after an outage, and attempts kept to their trainee.

An attempt belongs to the trainee who first submitted it. ``Store.save_attempt`` adds missing
replies to whatever attempt has the id, so the service checks the owner first, and does so under
a lock per attempt id, so that two submissions of one id (from two trainees, or a flush of the
service's spool beside a live submission) cannot both pass the check before either has stored.
The service is one process; its locks are its threads'.
"""

from __future__ import annotations

import threading
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..store.database import Store, StoreError
from ..store.records import Base, Mode
from ..store.spool import OUTAGE
from .errors import unavailable

if TYPE_CHECKING:
    from ..engine.dialogue import AttemptResult

_ATTEMPTS = Base.metadata.tables["attempts"]
_TRAINEES = Base.metadata.tables["trainees"]
_REPLIES = Base.metadata.tables["replies"]
_STRIPES = 256  # locks shared by attempt ids: enough that unrelated attempts rarely wait for each other


class AttemptTaken(StoreError):
    """The attempt id belongs to another trainee's attempt."""

    def __init__(self, attempt_id: str) -> None:
        super().__init__(attempt_id)
        self.attempt_id = attempt_id

    def __str__(self) -> str:
        return f"the attempt {self.attempt_id} is another trainee's; a new attempt needs a new id (uuid4)"


_locks = [threading.RLock() for _ in range(_STRIPES)]


def attempt_lock(attempt_id: str) -> threading.RLock:
    """The lock that one attempt id's check-and-store runs under."""
    return _locks[zlib.crc32(attempt_id.encode("utf-8", "replace")) % _STRIPES]


def stored_attempt(store: Store, attempt_id: str) -> tuple[str | None, list[float]]:
    """Whose the stored attempt ``attempt_id`` is (None: not stored) and its replies' seconds, in turn order."""
    owner = select(_TRAINEES.c.name).join(_ATTEMPTS, _ATTEMPTS.c.trainee_id == _TRAINEES.c.id).where(_ATTEMPTS.c.id == attempt_id)
    seconds = select(_REPLIES.c.seconds).where(_REPLIES.c.attempt_id == attempt_id).order_by(_REPLIES.c.turn_index)
    with store.session(write=False) as s:
        name = s.execute(owner).scalar_one_or_none()
        found = [float(x) for x in s.execute(seconds).scalars()] if name is not None else []
    return name, found


class OwnedStore(Store):
    """A store that refuses to add replies to another trainee's attempt (for submissions and for the spool's flush)."""

    def save_attempt(
        self,
        result: AttemptResult,
        trainee: str,
        mode: Mode,
        attempt_id: str | None = None,
        reply_ids: list[str] | None = None,
        session: str | None = None,
        started_at: datetime | None = None,
        finished_at: datetime | None = None,
        cohort: str | None = None,
        final: bool | None = None,
    ) -> str:
        """``Store.save_attempt``; raises AttemptTaken when the attempt is stored as another trainee's."""
        key = str(uuid.UUID(attempt_id or result.attempt_id))
        with attempt_lock(key):
            owner, _ = stored_attempt(self, key)
            if owner is not None and owner != trainee.strip():
                raise AttemptTaken(key)
            return super().save_attempt(result, trainee, mode, key, reply_ids, session, started_at, finished_at, cohort, final)


    def save_checked(
        self,
        result: AttemptResult,
        trainee: str,
        mode: Mode,
        attempt_id: str,
        session: str | None = None,
        cohort: str | None = None,
        final: bool | None = None,
    ) -> str:
        """``Store.save_attempt`` for a caller that holds ``attempt_lock(attempt_id)`` and has checked the owner."""
        return super().save_attempt(result, trainee, mode, attempt_id, session=session, cohort=cohort, final=final)


class StoreHandle:
    """The store at ``url``, opened on first use and again after an outage broke it."""

    def __init__(self, url: str, root: Path) -> None:
        self.url = url
        self.root = root
        self._store: OwnedStore | None = None
        self._lock = threading.Lock()

    def open(self) -> OwnedStore:
        """The open store; raises StoreUnavailable when it cannot be opened now."""
        with self._lock:
            if self._store is None:
                self._store = OwnedStore(self.url, root=self.root)
            return self._store

    def drop(self) -> None:
        """Forget the store after an outage: the next use opens it afresh (no connection from before)."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    @contextmanager
    def using(self) -> Iterator[OwnedStore]:
        """The store for one operation; an outage becomes the service's 503 answer."""
        try:
            yield self.open()
        except OUTAGE as exc:
            self.drop()
            raise unavailable("the evidence store cannot be reached just now; try again in a minute") from exc

    def close(self) -> None:
        """Release the store's connections."""
        self.drop()
