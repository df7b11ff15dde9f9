"""The evidence store: trainees, attempts, every reply with its verdicts and turn score.

One database (a SQLite file under the kit root by default, or any SQLAlchemy URL) holds what
trainees did and how each reply was judged, under which rulebook version. Writes are idempotent:
replies and attempts carry client-generated UUIDs, and saving the same id again stores nothing new,
so a client may retry after a lost answer. The schema is created and upgraded by Alembic on open.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import exists, insert, select, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, selectinload

from .checks import StoreError, checked_names, checked_uuid
from .connection import ENV_URL, MIGRATIONS, StoreUnavailable, default_url, migrate, open_engine, safe_url
from .connection import _sqlite_engine_setup as _sqlite_engine_setup  # tests set up engines of their own
from .records import MODES, Attempt, Base, Mode, Reply, Trainee, TrainerSession, now
from .rows import (
    AttemptHeader,
    DriverRows,
    ScoreValues,
    add_reply,
    attempt_json,
    driver_rows,
    findings_row,
    insert_driver_rows,
    insert_findings,
    insert_scores,
    reply_values,
    score_driver_rows,
    score_rows,
    score_values,
)
from .sums import summarise, sums_of

if TYPE_CHECKING:
    from ..engine.dialogue import AttemptResult, Exchange
    from ..engine.scoring import TurnScore

# the store's names, wherever they are made: opening it (connection), what it refuses (checks),
# the values of its rows (rows)
__all__ = [
    "ENV_URL",
    "MIGRATIONS",
    "AttemptHeader",
    "DriverRows",
    "ScoreValues",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "checked_names",
    "default_url",
    "driver_rows",
    "findings_row",
    "insert_findings",
    "migrate",
    "score_rows",
    "score_values",
]

_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: join codes are read aloud and typed
# Each retry follows another writer's commit of the same rows, so a writer loses at most once per
# row the others can add first (an attempt's trainee, the attempt, each reply): ten covers any
# attempt a scenario can produce, however many saves of it race
_TRIES = 10
T = TypeVar("T")
# the tables as Core sees them: new rows go in by executemany, without the ORM's unit of work
_ATTEMPTS = Base.metadata.tables["attempts"]
_REPLIES = Base.metadata.tables["replies"]
_TURN_SCORES = Base.metadata.tables["turn_scores"]
_TRAINEES = Base.metadata.tables["trainees"]


class Store:
    """The evidence store at ``url`` (else ``SIMKIT_DB_URL``, else ``simkit.db`` in the kit root); migrated on open."""

    def __init__(self, url: str | None = None, root: str | Path | None = None) -> None:
        self._trainee_ids: dict[str, tuple[int, str | None]] = {}  # name: (id, cohort) as committed
        self.url = url or default_url(root)
        self.engine = open_engine(self.url)

    @property
    def shown_url(self) -> str:
        """The store's URL as it may be shown: any password hidden."""
        return safe_url(self.url)

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises."""
        bind = self.engine if write else self.engine.execution_options(simkit_read_only=True)
        try:
            with Session(bind, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        except (OperationalError, InterfaceError) as exc:  # the database went away after the store was opened
            raise StoreUnavailable(safe_url(self.url), str(getattr(exc, "orig", None) or exc).splitlines()[0]) from exc

    # --- writing -------------------------------------------------------------------------------

    def add_trainee(self, name: str, cohort: str | None = None, start_date: date | None = None) -> int:
        """The trainee's id, adding the trainee first if the name is new (an existing one is unchanged)."""
        name, cohort = checked_names(name, cohort)
        return self._retry(lambda s: self._trainee(s, name, cohort, start_date).id)

    def add_session(self, title: str, join_code: str | None = None) -> str:
        """Open a trainer session; returns its join code (generated unless given)."""

        def add(s: Session) -> str:
            code = join_code or "".join(secrets.choice(_CODE_LETTERS) for _ in range(6))
            s.add(TrainerSession(join_code=code, title=title, created_at=now()))
            s.flush()
            return code

        return self._retry(add)

    def save_reply(self, header: AttemptHeader, reply_id: str, exchange: Exchange, turn_index: int) -> bool:
        """Store one scored reply (creating its trainee and attempt if needed); False if that id was stored before."""
        reply_id = checked_uuid(reply_id, "reply")
        rulebook_hash = header.rulebook_hash
        return self._retry(lambda s: self._reply(s, self._attempt(s, header), reply_id, exchange, turn_index, rulebook_hash))

    def finish_attempt(self, attempt_id: str, result: AttemptResult) -> None:
        """Record the attempt's outcome, score and end time (the first finish wins; repeating it changes nothing)."""
        attempt_id = checked_uuid(attempt_id, "attempt")

        def finish(s: Session) -> None:
            attempt = s.get(Attempt, attempt_id)
            if attempt is None:
                raise StoreError(f"no attempt '{attempt_id}' in the store; save its replies first")
            self._finish(attempt, result)

        self._retry(finish)

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
        """Store an attempt and the replies it lacks, in one transaction; returns its id.

        The id is ``attempt_id``, else the attempt's own (``result.attempt_id``), so saving the
        same result again, or a longer result of the same attempt, stores each reply once. The
        attempt is finished when the result is (``result.finished``) or when ``final`` is true (an
        abandoned attempt keeps the dialogue's outcome, "lost" when it stopped before its end);
        otherwise it stays open for its next replies. A finished attempt never changes again.
        ``cohort`` is given to a new trainee, or to one without a cohort yet. Without ``reply_ids``
        each reply's id is derived from the attempt id and its position.
        """
        attempt_id = checked_uuid(attempt_id or result.attempt_id or str(uuid.uuid4()), "attempt")
        checked_names(trainee, cohort)  # before any work: a name too long is the caller's to fix
        if reply_ids is None:
            reply_ids = [str(uuid.uuid5(uuid.UUID(attempt_id), str(i))) for i in range(len(result.exchanges))]
        if len(reply_ids) != len(result.exchanges):
            raise StoreError(f"{len(reply_ids)} reply ids for {len(result.exchanges)} replies; give one id per reply")
        ids = [checked_uuid(r, "reply") for r in reply_ids]
        # every row is built before the transaction, which then only checks and inserts: under
        # SQLite the write lock is held for the inserts alone
        replies = [reply_values(attempt_id, i, e, index) for index, (i, e) in enumerate(zip(ids, result.exchanges, strict=True))]
        judged = [score_values(i, e.score, result.rulebook_hash) for i, e in zip(ids, result.exchanges, strict=True)]
        found = [findings_row(i, e.score.findings, e.score.customer_name) for i, e in zip(ids, result.exchanges, strict=True)]
        finish = result.finished or bool(final)
        ending = {"outcome": result.outcome, "score": result.score, "finished_at": finished_at or now()} if finish else {}
        header = AttemptHeader(
            id=attempt_id,
            trainee=trainee,
            scenario_id=result.scenario_id,
            seed=result.seed,
            lang=result.lang,
            mode=mode,
            rulebook_hash=result.rulebook_hash,
            kit_version=result.kit_version,
            session=session,
            started_at=started_at,
        )

        def save(s: Session) -> str:
            connection = s.connection()
            before = connection.execute(select(_ATTEMPTS.c.finished_at).where(_ATTEMPTS.c.id == attempt_id)).one_or_none()
            if before is not None and before.finished_at is not None:
                return attempt_id  # finished already: a retry, a double click or a replayed spool file
            present: dict[int, str] = {}
            if before is None:  # with the sums readiness reads, of the rows inserted below
                sums = sums_of([v for verdicts, _ in judged for v in verdicts], len(ids))
                connection.execute(insert(_ATTEMPTS), [{**self._attempt_values(s, header, cohort), **ending, **sums}])
            else:  # begun earlier (a shorter result, or reply by reply): add the replies it lacks
                rows = connection.execute(select(_REPLIES.c.turn_index, _REPLIES.c.id).where(_REPLIES.c.attempt_id == attempt_id))
                present = {index: reply_id for index, reply_id in rows}
            for index, reply_id in present.items():
                if index < len(ids) and ids[index] != reply_id:
                    raise StoreError(
                        f"attempt '{attempt_id}' already has reply '{reply_id}' at turn {index}; a retry must reuse that reply id"
                    )
            fresh = [k for k in range(len(ids)) if k not in present]
            if fresh:
                connection.execute(insert(_REPLIES), [replies[k] for k in fresh])
                insert_scores(connection, [v for k in fresh for v in judged[k][0]], [judged[k][1] for k in fresh])
                insert_findings(connection, [found[k] for k in fresh])
            if fresh and before is not None:
                summarise(connection, [attempt_id])  # the sums readiness reads, with the rows they sum
            if before is not None and ending:
                # the first finish wins: a concurrent saver may have finished it since our read
                connection.execute(
                    update(_ATTEMPTS).where(_ATTEMPTS.c.id == attempt_id, _ATTEMPTS.c.finished_at.is_(None)).values(**ending)
                )
            return attempt_id

        return self._retry(save)

    def add_scores(self, scored: Sequence[tuple[str, TurnScore]], rulebook_hash: str) -> int:
        """Store how stored replies were judged under ``rulebook_hash``, in one transaction; returns how many.

        ``scored`` pairs reply ids with their scores. Replies already scored under that hash (by a
        concurrent run, say) are skipped, so the rows of a reply and a rulebook are stored once.
        """
        rows = {reply_id: score_driver_rows(reply_id, score, rulebook_hash) for reply_id, score in scored}
        return self.add_score_values(rows, rulebook_hash)

    def add_score_values(
        self, rows: dict[str, DriverRows], rulebook_hash: str, findings: Sequence[tuple[str, str, str]] = ()
    ) -> int:
        """``add_scores`` with each score already turned into its rows' values (``driver_rows``).

        Re-scoring builds the values in its worker processes and only inserts them here, with the
        ``findings`` rows (``findings_row``) of the replies it had to read again.
        """
        scored_before = select(_TURN_SCORES.c.reply_id).where(
            _TURN_SCORES.c.rulebook_hash == rulebook_hash, _TURN_SCORES.c.reply_id.in_(list(rows))
        )

        def add(s: Session) -> int:
            connection = s.connection()
            present = set(connection.scalars(scored_before))
            fresh = [values for reply_id, values in rows.items() if reply_id not in present]
            insert_driver_rows(connection, [v for verdicts, _ in fresh for v in verdicts], [score for _, score in fresh])
            insert_findings(connection, findings)
            return len(fresh)

        return self._retry(add) if rows or findings else 0

    def _retry(self, work: Callable[[Session], T]) -> T:
        # a concurrent writer may insert the same trainee, attempt or reply between our check and
        # our insert; the unique constraint then fails, and a fresh try finds the row present
        for attempt in range(_TRIES):
            try:
                with self.session() as s:
                    return work(s)
            except IntegrityError as exc:
                if attempt == _TRIES - 1:
                    raise StoreError(f"the store rejected the write as conflicting: {str(exc.orig).splitlines()[0]}") from exc
        raise AssertionError("unreachable")

    def _trainee_id(self, s: Session, name: str, cohort: str | None = None) -> int:
        # trainees are never deleted, so the id of one already committed stays valid: a query saved
        # per attempt. A trainee created or given a cohort in this transaction is not cached, as
        # the transaction may roll back.
        cached = self._trainee_ids.get(name)
        if cached is not None and (cohort is None or cached[1] is not None):
            return cached[0]
        found = s.execute(select(Trainee.id, Trainee.cohort).where(Trainee.name == name)).one_or_none()
        if found is None:
            return self._trainee(s, name, cohort).id
        if found.cohort is None and cohort is not None:
            s.execute(update(Trainee).where(Trainee.id == found.id, Trainee.cohort.is_(None)).values(cohort=cohort))
            return int(found.id)
        self._trainee_ids[name] = (found.id, found.cohort)
        return int(found.id)

    def _trainee(self, s: Session, name: str, cohort: str | None = None, start_date: date | None = None) -> Trainee:
        trainee = s.scalars(select(Trainee).where(Trainee.name == name)).one_or_none()
        if trainee is None:
            trainee = Trainee(name=name, cohort=cohort, start_date=start_date)
            s.add(trainee)
            s.flush()
        return trainee

    def _attempt(self, s: Session, header: AttemptHeader) -> Attempt:
        attempt = s.get(Attempt, checked_uuid(header.id, "attempt"))
        if attempt is not None:
            return attempt
        attempt = Attempt(**self._attempt_values(s, header))
        s.add(attempt)
        return attempt

    def _attempt_values(self, s: Session, header: AttemptHeader, cohort: str | None = None) -> dict[str, Any]:
        # the columns of a new attempt, its trainee added if new; its outcome comes when it finishes
        if header.mode not in MODES:
            raise StoreError(f"unknown mode '{header.mode}' (known: {', '.join(MODES)})")
        session_id = None
        if header.session is not None:
            session_id = s.scalars(select(TrainerSession.id).where(TrainerSession.join_code == header.session)).one_or_none()
            if session_id is None:
                raise StoreError(f"no trainer session with join code '{header.session}'; check the code the trainer gave")
        return {
            "id": checked_uuid(header.id, "attempt"),
            "trainee_id": self._trainee_id(s, *checked_names(header.trainee, cohort)),
            "session_id": session_id,
            "scenario_id": header.scenario_id,
            "seed": header.seed,
            "lang": header.lang,
            "mode": header.mode,
            "started_at": header.started_at or now(),
            "rulebook_hash": header.rulebook_hash,
            "kit_version": header.kit_version,
        }

    @staticmethod
    def _reply(s: Session, attempt: Attempt, reply_id: str, exchange: Exchange, turn_index: int, rulebook_hash: str) -> bool:
        if s.get(Reply, reply_id) is not None:
            return False
        taken = s.scalars(select(Reply.id).where(Reply.attempt_id == attempt.id, Reply.turn_index == turn_index)).first()
        if taken is not None:
            raise StoreError(
                f"attempt '{attempt.id}' already has reply '{taken}' at turn {turn_index}; a retry must reuse that reply id"
            )
        add_reply(s, attempt, reply_id, exchange, turn_index, rulebook_hash)
        return True

    @staticmethod
    def _finish(attempt: Attempt, result: AttemptResult, finished_at: datetime | None = None) -> None:
        if attempt.finished_at is None:
            attempt.outcome = result.outcome
            attempt.score = result.score
            attempt.finished_at = finished_at or now()

    # --- reading -------------------------------------------------------------------------------

    def attempt(self, attempt_id: str) -> dict[str, Any]:
        """One attempt as a plain mapping, with its replies, their verdicts and turn scores."""
        attempt_id = checked_uuid(attempt_id, "attempt")
        with self.session(write=False) as s:
            found = s.scalars(self._query().where(Attempt.id == attempt_id)).one_or_none()
            if found is None:
                raise StoreError(f"no attempt '{attempt_id}' in the store")
            return attempt_json(found)

    def attempts(self, trainee: str | None = None) -> list[dict[str, Any]]:
        """Every attempt (or one trainee's), oldest first, in the shape of ``attempt``."""
        query = self._query().order_by(Attempt.started_at, Attempt.id)
        if trainee is not None:
            query = query.join(Attempt.trainee).where(Trainee.name == trainee)
        with self.session(write=False) as s:
            return [attempt_json(a) for a in s.scalars(query)]

    def cohorts(self) -> list[str]:
        """The cohorts of trainees who have attempts, sorted (trainees without a cohort are left out)."""
        query = (
            select(_TRAINEES.c.cohort)
            .where(_TRAINEES.c.cohort.is_not(None), exists().where(_ATTEMPTS.c.trainee_id == _TRAINEES.c.id))
            .distinct()
            .order_by(_TRAINEES.c.cohort)
        )
        with self.session(write=False) as s:
            return [c for c in s.scalars(query) if c is not None]

    @staticmethod
    def _query() -> Any:
        return select(Attempt).options(
            selectinload(Attempt.trainee),
            selectinload(Attempt.session),
            selectinload(Attempt.replies).selectinload(Reply.verdicts),
            selectinload(Attempt.replies).selectinload(Reply.scores),
        )
