"""The recorder: how an app keeps a trainee's attempts, stored after every reply or spooled.

An app (the player, a drill, ``simkit play``) makes one ``Recorder`` for the trainee and calls
``record(result)`` after each reply, before it shows the feedback. The recorder keeps one store
open for the app's lifetime, so a reply costs one short transaction, not a connection and a schema
check. When the database cannot be reached the attempt goes to the spool instead, and the recorder
opens the store afresh on the next reply; once a save succeeds again, what was spooled meanwhile is
written too. Every save is keyed by the attempt's own id, so recording the same result twice, or a
longer result of the same attempt, stores each reply once.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .database import Store, StoreError, checked_names
from .records import MODES, Mode
from .spool import OUTAGE, flush, spool, spool_dir

if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..engine.dialogue import AttemptResult

Recorded = Literal["stored", "spooled"]


class Recorder:
    """Stores one trainee's attempts in ``mode`` for an app's lifetime; spools them when the database is away."""

    def __init__(
        self,
        kit: Kit,
        trainee: str,
        mode: Mode,
        cohort: str | None = None,
        session: str | None = None,
        url: str | None = None,
    ) -> None:
        if mode not in MODES:
            raise StoreError(f"unknown mode '{mode}' (known: {', '.join(MODES)})")
        self.kit = kit
        self.trainee, self.cohort = checked_names(trainee, cohort)
        self.mode: Mode = mode
        self.session = session
        self.url = url
        self.folder: Path = spool_dir(kit.root)
        self.problems: tuple[str, ...] = ()  # spooled files the last flush could not replay, for a trainer
        self._store: Store | None = None
        self._lock = threading.Lock()
        self._flush_due = True  # files spooled by an earlier run may be waiting

    def connect(self) -> bool:
        """Open the store now (an app may call this when the trainee is known); False if it cannot be reached."""
        with self._lock:
            try:
                self._open()
            except OUTAGE:
                return False
            return True

    def record(self, result: AttemptResult, final: bool = False) -> Recorded:
        """Store the attempt so far (or spool it when the database is away); 'stored' or 'spooled'.

        ``final`` marks an abandoned attempt: it is finished with the dialogue's outcome as it
        stands. A finished result finishes the attempt anyway. Never raises on a database outage.
        """
        if not result.attempt_id:
            raise StoreError("the result carries no attempt id; record the result of a Dialogue (dialogue.result())")
        with self._lock:  # two callbacks (a double click) never interleave their saves or flushes
            try:
                store = self._open()
                store.save_attempt(result, self.trainee, self.mode, session=self.session, cohort=self.cohort, final=final or None)
            except OUTAGE:
                self._drop()
                spool(result, self.trainee, self.mode, result.attempt_id, self.folder, self.session, self.cohort, final)
                self._flush_due = True
                return "spooled"
            if self._flush_due:
                try:
                    self.problems = flush(store, self.kit, self.folder).problems
                    self._flush_due = False  # files it could not replay wait for a person, not for every reply
                except OUTAGE:
                    self._drop()  # this attempt is stored; the rest waits for the next reply
            return "stored"

    def close(self) -> None:
        """Release the store's connections (a later ``record`` opens it again)."""
        with self._lock:
            self._drop()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _open(self) -> Store:
        if self._store is None:
            self._store = Store(self.url, root=self.kit.root)
        return self._store

    def _drop(self) -> None:
        # after an outage the store is opened afresh: a new engine, no connection from before
        if self._store is not None:
            self._store.close()
            self._store = None
