"""The recorder: how an app keeps a trainee's attempts, stored after every reply or spooled.

An app (the player, a drill, ``simkit play``) makes one ``Recorder`` for the trainee and calls
``record(result)`` after each reply, before it shows the feedback. The recorder keeps one store
open for the app's lifetime, so a reply costs one short transaction, not a connection and a schema
check. When the database does not take the attempt (it cannot be reached, its schema is one this
version does not know, the write fails) the attempt goes to the spool instead, and the
recorder opens the store afresh on the next reply; once a save succeeds again, what was spooled
meanwhile is written too. Every save is keyed by the attempt's own id, so recording the same result
twice, or a longer result of the same attempt, stores each reply once. ``saved`` says where the
last one went and why; ``folder`` is the spool folder an app names to the trainee.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .database import Store, StoreError, checked_names
from .records import MODES, Mode
from .spool import OUTAGE, Saved, caller_mistake, flush_after_save, keep, spool_dir

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
        self.saved: Saved | None = None  # where the last recorded attempt went, and why it was spooled
        self.problems: tuple[str, ...] = ()  # spooled files the last flush could not replay, for a trainer
        self._store: Store | None = None
        self._lock = threading.Lock()
        self._flush_due = True  # files spooled by an earlier run may be waiting

    @property
    def folder(self) -> Path:
        """The spool folder the last spooled attempt went to (the kit's, or the trainee's own when that is read-only)."""
        if self.saved is not None and self.saved.path is not None:
            return self.saved.path.parent
        return spool_dir(self.kit.root)

    def connect(self) -> bool:
        """Open the store now (an app may call this when the trainee is known); False if it cannot be reached."""
        with self._lock:
            try:
                self._open()
            except OUTAGE:
                return False
            return True

    def shown(self, attempt_id: str) -> None:
        """The next customer line of ``attempt_id`` is on the screen: nothing to do here.

        The dialogue's own clock times the replies on one machine; under the hub the service's
        recorder times them from this call instead.
        """

    def record(self, result: AttemptResult, final: bool = False) -> Recorded:
        """Store the attempt so far (or spool it when the database is away); 'stored' or 'spooled'.

        ``final`` marks an abandoned attempt: it is finished with the dialogue's outcome as it
        stands. A finished result finishes the attempt anyway. Never raises once the attempt is
        stored or spooled; raises NotSaved (holding the attempt) when no spool folder can be
        written, and StoreError for what spooling would not mend (an unknown join code).
        """
        if not result.attempt_id:
            raise StoreError("the result carries no attempt id; record the result of a Dialogue (dialogue.result())")
        with self._lock:  # two callbacks (a double click) never interleave their saves or flushes
            try:
                store = self._open()
                store.save_attempt(result, self.trainee, self.mode, session=self.session, cohort=self.cohort, final=final or None)
            except Exception as exc:  # an outage, an unknown schema, a failing database: the attempt waits in the spool
                self._drop()
                if caller_mistake(exc):
                    raise  # an unknown join code, a conflicting reply id: said at once, spooling would not mend it
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                self.saved = keep(
                    result, self.trainee, self.mode, result.attempt_id, self.kit.root, reason, self.session, self.cohort, final
                )
                self._flush_due = True
                return "spooled"
            self.saved = Saved("stored")
            if self._flush_due:
                problems, working = flush_after_save(store, self.kit)
                self.problems = problems
                if working:
                    self._flush_due = False  # files it could not replay wait for a person, not for every reply
                else:
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
