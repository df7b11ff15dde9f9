"""Opening the evidence store's database: its URL, the connection settings, the schema's migration.

Whatever the database (a SQLite file beside the kit, or a server), a store is usable the moment
it opens: the schema is brought up to date by Alembic inside one transaction, SQLite connections
are set for several writers at once, and a database that cannot be opened is reported as
StoreUnavailable with its URL (password hidden) and what to check, never as a driver's error.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from ..content.kit import find_root
from .checks import StoreError

ENV_URL = "SIMKIT_DB_URL"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_CONNECT_SECONDS = 10


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


def default_url(root: str | Path | None = None) -> str:
    """The store's URL: ``SIMKIT_DB_URL`` if set, else the SQLite file ``simkit.db`` in the kit root."""
    return os.environ.get(ENV_URL) or f"sqlite:///{find_root(root) / 'simkit.db'}"


def safe_url(url: str) -> str:
    """``url`` as it may be shown: any password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def open_engine(url: str) -> Engine:
    """An engine on the database at ``url``, its schema migrated; StoreUnavailable if it cannot be opened."""
    shown = safe_url(url)
    try:
        parsed = make_url(url)
        server = parsed.get_backend_name() != "sqlite"
        # a pooled server connection is tested before use: after a database restart a stale one
        # is replaced instead of failing the save (a SQLite file has no server to lose). A server
        # that does not answer is given up after a while, so that a save falls back to the spool
        # instead of holding up the trainee's screen until the system's TCP timeout
        waits = {"connect_timeout": _CONNECT_SECONDS} if parsed.get_backend_name() == "postgresql" else {}
        if "connect_timeout" in parsed.query:
            waits = {}
        engine = create_engine(url, pool_pre_ping=server, connect_args=waits)
    except (SQLAlchemyError, ValueError, ImportError) as exc:
        raise StoreUnavailable(shown, str(exc).splitlines()[0]) from exc
    if engine.dialect.name == "sqlite":
        _sqlite_engine_setup(engine)
    from alembic.util import CommandError

    try:
        _migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StoreUnavailable(shown, reason) from exc
    except CommandError as exc:  # a schema revision this release does not know: a newer simkit wrote it
        engine.dispose()
        reason = f"its schema is not one this version of simkit knows ({str(exc).splitlines()[0]}); upgrade simkit"
        raise StoreUnavailable(shown, reason) from exc
    return engine


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
