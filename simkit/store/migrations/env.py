"""Alembic environment: runs on the connection the Store passes in, inside its transaction."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from simkit.store.records import Base


def _run(connection: Connection) -> None:
    # batch mode lets later revisions alter SQLite tables (SQLite has little ALTER TABLE)
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if _connection is not None:
    _run(_connection)
else:  # the alembic command line, with sqlalchemy.url in its configuration
    with create_engine(context.config.get_main_option("sqlalchemy.url") or "").begin() as _own:
        _run(_own)
