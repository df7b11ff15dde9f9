"""The evidence store: trainees, attempts, every reply with its verdicts and turn score.

One database (a SQLite file under the kit root by default, or any SQLAlchemy URL) holds what
trainees did and how each reply was judged, under which rulebook version. Writes are idempotent:
replies and attempts carry client-generated UUIDs, and saving the same id again stores nothing new,
so a client may retry after a lost answer. The schema is created and upgraded by Alembic on open.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    JSON,
    Engine,
    create_engine,
    event,
    exists,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from .. import __version__
from ..content.kit import find_root
from ..errors import SimkitError
from ..language import stored as stored_findings
from .records import MODES, Attempt, Base, Mode, Reply, Trainee, TrainerSession, TurnScoreRow, VerdictRow, now
from .sums import summarise, sums_of

if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..engine.dialogue import AttemptResult, Exchange
    from ..engine.generation import ScenarioInstance
    from ..engine.scoring import TurnScore
    from ..language.detection import Finding

ENV_URL = "SIMKIT_DB_URL"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: join codes are read aloud and typed
# Each retry follows another writer's commit of the same rows, so a writer loses at most once per
# row the others can add first (an attempt's trainee, the attempt, each reply): ten covers any
# attempt a scenario can produce, however many saves of it race
_TRIES = 10
_CONNECT_SECONDS = 10
_NAME_LIMIT, _COHORT_LIMIT = 200, 100  # the lengths of trainees.name and trainees.cohort
T = TypeVar("T")
# the tables as Core sees them: new rows go in by executemany, without the ORM's unit of work
_ATTEMPTS = Base.metadata.tables["attempts"]
_REPLIES = Base.metadata.tables["replies"]
_VERDICTS = Base.metadata.tables["verdicts"]
_TURN_SCORES = Base.metadata.tables["turn_scores"]
_FINDINGS = Base.metadata.tables["reply_findings"]
_TRAINEES = Base.metadata.tables["trainees"]


class StoreError(SimkitError):
    """The evidence store refused an operation (unknown attempt, conflicting reply, bad id)."""


class StoreUnavailable(StoreError):
    """The evidence store cannot be opened; the message names the URL and what to check."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason)
        self.url = url
        self.reason = reason

    def __str__(self) -> str:
        return (
            f"cannot open the evidence store at {self.url}: {self.reason}. Check that the URL is right "
            f"(set it with {ENV_URL}), that the database server is running or the file's folder exists and "
            "is writable, and that the driver for it is installed"
        )


def _utc(moment: datetime | None) -> str | None:
    # SQLite gives back naive datetimes; everything stored is UTC
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _as_utc(moment: datetime) -> datetime:
    # a bound for comparing with stored moments: SQLite compares the UTC text, so convert first
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def checked_names(trainee: str, cohort: str | None = None) -> tuple[str, str | None]:
    """A trainee's name and cohort as stored: blanks around them dropped, a blank cohort is none.

    Raises StoreError for an empty name or one longer than the column holds, with what to fix.
    """
    name = trainee.strip()
    if not name:
        raise StoreError("a trainee's name is empty; give the name the trainee is known by")
    if len(name) > _NAME_LIMIT:
        raise StoreError(f"a trainee's name is {len(name)} characters long; at most {_NAME_LIMIT} fit")
    group = (cohort or "").strip() or None
    if group is not None and len(group) > _COHORT_LIMIT:
        raise StoreError(f"the cohort '{group[:40]}...' is {len(group)} characters long; at most {_COHORT_LIMIT} fit")
    return name, group


def _uuid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        raise StoreError(f"the {what} id '{value}' is not a UUID; generate ids with uuid.uuid4()") from None


@dataclass(frozen=True)
class AttemptHeader:
    """What an attempt is before it ends: who plays which instance, in which mode, under which rules."""

    id: str
    trainee: str
    scenario_id: str
    seed: int
    lang: str
    mode: Mode
    rulebook_hash: str
    kit_version: str = __version__
    session: str | None = None  # a trainer session's join code
    started_at: datetime | None = None

    @classmethod
    def start(
        cls,
        instance: ScenarioInstance,
        kit: Kit,
        trainee: str,
        mode: Mode,
        attempt_id: str | None = None,
        session: str | None = None,
    ) -> AttemptHeader:
        """A header for a new attempt at ``instance`` (a fresh UUID unless ``attempt_id`` is given)."""
        return cls(
            id=attempt_id or str(uuid.uuid4()),
            trainee=trainee,
            scenario_id=instance.scenario_id,
            seed=instance.seed,
            lang=instance.lang,
            mode=mode,
            rulebook_hash=kit.rulebook_hash,
            session=session,
            started_at=now(),
        )


def default_url(root: str | Path | None = None) -> str:
    """The store's URL: ``SIMKIT_DB_URL`` if set, else the SQLite file ``simkit.db`` in the kit root."""
    return os.environ.get(ENV_URL) or f"sqlite:///{find_root(root) / 'simkit.db'}"


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def _sqlite_engine_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # the driver's own transaction handling is off so that "begin" below decides how to begin
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")  # first: switching to WAL itself may wait for a lock
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough in WAL mode, much faster
        # verdicts are keyed by random reply ids, so each insert lands on its own index page: with
        # more cache and a longer log between checkpoints (40 MB, not 4), a page a re-scoring
        # changes many times is read and copied back once rather than at every chunk
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.execute("PRAGMA wal_autocheckpoint = 10000")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # writers take the lock up front: a deferred transaction that later upgrades to a write
        # fails at once with "database is locked" instead of waiting out the busy timeout
        read_only = connection.get_execution_options().get("simkit_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def migrate(connection: Connection, revision: str = "head") -> None:
    """Upgrade the schema on ``connection`` to ``revision`` inside the caller's transaction."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    if connection.dialect.name == "postgresql":
        # concurrent openers of a new database wait here until the first has migrated it
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(583105)")
    command.upgrade(config, revision)


_MIGRATING = threading.Lock()


def _migrate(engine: Engine) -> None:
    # Alembic's runner keeps module state: two stores opened at once in one process (an app's
    # recorder and its results panel) must not migrate at the same time
    with _MIGRATING:
        _migrate_now(engine)


def _migrate_now(engine: Engine) -> None:
    # one transaction: concurrent openers wait, then find it done
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            migrate(connection)
        return
    with engine.connect() as connection:
        # a migration that copies a table (SQLite's way to change a constraint) drops the table
        # others refer to; foreign keys are off for it, as SQLite's ALTER TABLE recipe says, and
        # that switch only works outside a transaction, so it goes to the driver's connection
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                migrate(connection)
        finally:
            driver.execute("PRAGMA foreign_keys = ON")


class Store:
    """The evidence store at ``url`` (else ``SIMKIT_DB_URL``, else ``simkit.db`` in the kit root); migrated on open."""

    def __init__(self, url: str | None = None, root: str | Path | None = None) -> None:
        self._trainee_ids: dict[str, tuple[int, str | None]] = {}  # name: (id, cohort) as committed
        self.url = url or default_url(root)
        shown = _shown(self.url)
        try:
            parsed = make_url(self.url)
            server = parsed.get_backend_name() != "sqlite"
            # a pooled server connection is tested before use: after a database restart a stale one
            # is replaced instead of failing the save (a SQLite file has no server to lose). A server
            # that does not answer is given up after a while, so that a save falls back to the spool
            # instead of holding up the trainee's screen until the system's TCP timeout
            waits = {"connect_timeout": _CONNECT_SECONDS} if parsed.get_backend_name() == "postgresql" else {}
            if "connect_timeout" in parsed.query:
                waits = {}
            self.engine = create_engine(self.url, pool_pre_ping=server, connect_args=waits)
        except (SQLAlchemyError, ValueError, ImportError) as exc:
            raise StoreUnavailable(shown, str(exc).splitlines()[0]) from exc
        if self.engine.dialect.name == "sqlite":
            _sqlite_engine_setup(self.engine)
        from alembic.util import CommandError

        try:
            _migrate(self.engine)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise StoreUnavailable(shown, reason) from exc
        except CommandError as exc:  # a schema revision this release does not know: a newer simkit wrote it
            self.engine.dispose()
            reason = f"its schema is not one this version of simkit knows ({str(exc).splitlines()[0]}); upgrade simkit"
            raise StoreUnavailable(shown, reason) from exc

    @property
    def shown_url(self) -> str:
        """The store's URL as it may be shown: any password hidden."""
        return _shown(self.url)

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
            raise StoreUnavailable(_shown(self.url), str(getattr(exc, "orig", None) or exc).splitlines()[0]) from exc

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
        reply_id = _uuid(reply_id, "reply")
        rulebook_hash = header.rulebook_hash
        return self._retry(lambda s: self._reply(s, self._attempt(s, header), reply_id, exchange, turn_index, rulebook_hash))

    def finish_attempt(self, attempt_id: str, result: AttemptResult) -> None:
        """Record the attempt's outcome, score and end time (the first finish wins; repeating it changes nothing)."""
        attempt_id = _uuid(attempt_id, "attempt")

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
        attempt_id = _uuid(attempt_id or result.attempt_id or str(uuid.uuid4()), "attempt")
        checked_names(trainee, cohort)  # before any work: a name too long is the caller's to fix
        if reply_ids is None:
            reply_ids = [str(uuid.uuid5(uuid.UUID(attempt_id), str(i))) for i in range(len(result.exchanges))]
        if len(reply_ids) != len(result.exchanges):
            raise StoreError(f"{len(reply_ids)} reply ids for {len(result.exchanges)} replies; give one id per reply")
        ids = [_uuid(r, "reply") for r in reply_ids]
        # every row is built before the transaction, which then only checks and inserts: under
        # SQLite the write lock is held for the inserts alone
        replies = [_reply_values(attempt_id, i, e, index) for index, (i, e) in enumerate(zip(ids, result.exchanges, strict=True))]
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
                _insert_scores(connection, [v for k in fresh for v in judged[k][0]], [judged[k][1] for k in fresh])
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
        rows = {reply_id: driver_rows(score_values(reply_id, score, rulebook_hash)) for reply_id, score in scored}
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
            _insert_driver_rows(connection, [v for verdicts, _ in fresh for v in verdicts], [score for _, score in fresh])
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
        attempt = s.get(Attempt, _uuid(header.id, "attempt"))
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
            "id": _uuid(header.id, "attempt"),
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
        Store._add_reply(s, attempt, reply_id, exchange, turn_index, rulebook_hash)
        return True

    @staticmethod
    def _add_reply(s: Session, attempt: Attempt, reply_id: str, exchange: Exchange, turn_index: int, rulebook_hash: str) -> None:
        # the unit of work inserts the reply before the rows that refer to it; flushed, they are
        # summed into the attempt's row (the sums readiness reads) in the same transaction
        s.add(Reply(**_reply_values(attempt.id, reply_id, exchange, turn_index)))
        s.add_all(score_rows(reply_id, exchange.score, rulebook_hash))
        s.flush()
        summarise(s.connection(), [attempt.id])

    @staticmethod
    def _finish(attempt: Attempt, result: AttemptResult, finished_at: datetime | None = None) -> None:
        if attempt.finished_at is None:
            attempt.outcome = result.outcome
            attempt.score = result.score
            attempt.finished_at = finished_at or now()

    # --- reading -------------------------------------------------------------------------------

    def attempt(self, attempt_id: str) -> dict[str, Any]:
        """One attempt as a plain mapping, with its replies, their verdicts and turn scores."""
        attempt_id = _uuid(attempt_id, "attempt")
        with self.session(write=False) as s:
            found = s.scalars(self._query().where(Attempt.id == attempt_id)).one_or_none()
            if found is None:
                raise StoreError(f"no attempt '{attempt_id}' in the store")
            return _attempt_json(found)

    def attempts(self, trainee: str | None = None) -> list[dict[str, Any]]:
        """Every attempt (or one trainee's), oldest first, in the shape of ``attempt``."""
        query = self._query().order_by(Attempt.started_at, Attempt.id)
        if trainee is not None:
            query = query.join(Attempt.trainee).where(Trainee.name == trainee)
        with self.session(write=False) as s:
            return [_attempt_json(a) for a in s.scalars(query)]

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


def _attempt_json(a: Attempt) -> dict[str, Any]:
    return {
        "id": a.id,
        "trainee": a.trainee.name,
        "cohort": a.trainee.cohort,
        "session": a.session.join_code if a.session else None,
        "scenario_id": a.scenario_id,
        "seed": a.seed,
        "lang": a.lang,
        "mode": a.mode,
        "started_at": _utc(a.started_at),
        "finished_at": _utc(a.finished_at),
        "outcome": a.outcome,
        "score": a.score,
        "rulebook_hash": a.rulebook_hash,
        "kit_version": a.kit_version,
        "replies": [_reply_json(r, a.rulebook_hash) for r in a.replies],
    }


def _reply_values(attempt_id: str, reply_id: str, exchange: Exchange, turn_index: int) -> dict[str, Any]:
    score = exchange.score
    return {
        "id": reply_id,
        "attempt_id": attempt_id,
        "turn_index": turn_index,
        "turn_id": exchange.turn.id,
        "text": exchange.reply,
        "actions": [a.model_dump(exclude_none=True) for a in score.actions],
        "text_only": score.text_only,
        "seconds": exchange.seconds,
        "late": exchange.late,
        "anger_before": exchange.anger_before,
        "anger_after": exchange.anger_after,
        "created_at": now(),
    }


# the column values of a reply's verdict rows and of its turn-score row
ScoreValues = tuple[list[dict[str, Any]], dict[str, Any]]
# the same as the driver takes them: tuples in the order of the columns below, JSON as text. Worker
# processes send these: a tuple of strings pickles and unpickles many times faster than a dict
DriverRows = tuple[list[tuple[Any, ...]], tuple[Any, ...]]
_VERDICT_COLUMNS = [
    *("reply_id", "rule_id", "status", "severity", "category", "weight", "source", "rulebook_hash", "evidence", "missing")
]
_SCORE_COLUMNS = ["reply_id", "rulebook_hash", "score", "critical_failures"]
_VERDICT_JSON, _SCORE_JSON = (
    [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
    for table, columns in ((_VERDICTS, _VERDICT_COLUMNS), (_TURN_SCORES, _SCORE_COLUMNS))
)


def score_values(reply_id: str, score: TurnScore, rulebook_hash: str) -> ScoreValues:
    """The column values of the verdict rows and of the turn-score row that record how one reply was judged."""
    verdicts = [
        {
            "reply_id": reply_id,
            "rule_id": v.rule_id,
            "status": v.status,
            "severity": v.severity,
            "category": v.category,
            "weight": v.weight,
            "source": v.source,
            "rulebook_hash": rulebook_hash,
            "evidence": [{"what": e.what, "text": e.text, "span": list(e.span) if e.span else None} for e in v.evidence],
            "missing": list(v.missing),
        }
        for v in score.verdicts
        if v.status != "n/a"  # out of scope: re-scoring reproduces these, storing them only bloats
    ]
    turn_score = {
        "reply_id": reply_id,
        "rulebook_hash": rulebook_hash,
        "score": score.score,
        "critical_failures": list(score.critical_failures),
    }
    return verdicts, turn_score


def driver_rows(values: ScoreValues) -> DriverRows:
    """One reply's ``score_values`` as the driver takes them (``Store.add_score_values``)."""
    verdicts, score = values
    return _driver_values(verdicts, _VERDICT_COLUMNS, _VERDICT_JSON), _driver_values([score], _SCORE_COLUMNS, _SCORE_JSON)[0]


def score_rows(reply_id: str, score: TurnScore, rulebook_hash: str) -> list[VerdictRow | TurnScoreRow]:
    """The rows (ORM objects) that record how one reply was judged under one rulebook version."""
    verdicts, turn_score = score_values(reply_id, score, rulebook_hash)
    rows: list[VerdictRow | TurnScoreRow] = [VerdictRow(**v) for v in verdicts]
    rows.append(TurnScoreRow(**turn_score))
    return rows


def _insert_scores(connection: Connection, verdicts: list[dict[str, Any]], scores: list[dict[str, Any]]) -> None:
    for table, rows in ((_VERDICTS, verdicts), (_TURN_SCORES, scores)):
        if not rows:
            continue
        if connection.dialect.name != "sqlite":
            connection.execute(insert(table), rows)
            continue
        # SQLite keeps JSON as the text json.dumps gives, which is what SQLAlchemy would write; the
        # rows go straight to the driver, without its per-row processing (a re-scoring of 100,000
        # replies writes about a million verdicts)
        columns = list(rows[0])
        values = _driver_values(rows, columns, [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)])
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        connection.exec_driver_sql(sql, values)


def _insert_driver_rows(connection: Connection, verdicts: list[tuple[Any, ...]], scores: list[tuple[Any, ...]]) -> None:
    # straight to the driver, JSON as text: SQLite keeps it so, PostgreSQL casts the text it is sent
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    for table, columns, rows in ((_VERDICTS, _VERDICT_COLUMNS, verdicts), (_TURN_SCORES, _SCORE_COLUMNS, scores)):
        if rows:
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
            connection.exec_driver_sql(sql, rows)


def findings_row(reply_id: str, findings: Sequence[Finding], customer_name: str | None) -> tuple[str, str, str]:
    """The values of the row that keeps what the detector found in a reply (language.stored)."""
    return reply_id, stored_findings.fingerprint(), stored_findings.encode(findings, customer_name)


def insert_findings(connection: Connection, rows: Sequence[tuple[str, str, str]]) -> None:
    """Keep the findings rows given; a reply's findings kept already under that fingerprint stay."""
    if rows:
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(
            f"INSERT INTO {_FINDINGS.name} (reply_id, fingerprint, findings) VALUES ({mark}, {mark}, {mark}) "
            "ON CONFLICT (reply_id, fingerprint) DO NOTHING",
            list(rows),
        )


def _driver_values(rows: list[dict[str, Any]], columns: list[str], as_json: list[int]) -> list[tuple[Any, ...]]:
    # the rows as the driver takes them, in the order of ``columns``, those at ``as_json`` as JSON
    # text; most of the JSON values are empty lists, whose text needs no encoder
    dumps, values = json.dumps, []
    pick = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    for row in rows:
        picked = pick(row)
        if as_json:
            listed = list(picked)
            for i in as_json:
                value = listed[i]
                listed[i] = "[]" if type(value) is list and not value else dumps(value)
            picked = tuple(listed)
        values.append(picked)
    return values


def _reply_json(r: Reply, rulebook_hash: str) -> dict[str, Any]:
    current = next((t for t in r.scores if t.rulebook_hash == rulebook_hash), None)
    return {
        "id": r.id,
        "turn_index": r.turn_index,
        "turn": r.turn_id,
        "reply": r.text,
        "actions": r.actions,
        "seconds": r.seconds,
        "late": r.late,
        "anger_before": r.anger_before,
        "anger_after": r.anger_after,
        "created_at": _utc(r.created_at),
        # the score under the rulebook the attempt was played with; "scores" also holds re-scorings
        "score": current.score if current else None,
        "critical_failures": current.critical_failures if current else [],
        "scores": [
            {"rulebook_hash": t.rulebook_hash, "score": t.score, "critical_failures": t.critical_failures} for t in r.scores
        ],
        "verdicts": [
            {
                "rule": v.rule_id,
                "status": v.status,
                "severity": v.severity,
                "category": v.category,
                "weight": v.weight,
                "source": v.source,
                "rulebook_hash": v.rulebook_hash,
                "evidence": v.evidence,
                "missing": v.missing,
            }
            for v in r.verdicts
        ],
    }
