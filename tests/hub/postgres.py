"""PostgreSQL for the hub tests: the evidence store on a private server, the hub's database in pg_virtualenv's.

The evidence store gets a server of its own (initdb + pg_ctl, as ``tests/test_outage.py`` does) so a
test can crash it and start it again without touching the cluster the rest of the suite uses. Unlike
the outage tests' server it is set up as a company would: TCP on 127.0.0.1 only, password
authentication, and the store owned by an ordinary role, so the credentials the service holds are
the only way in. The socket folder belongs to the server's account: other accounts cannot reach it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.test_outage import Postgres, _pg_bindir


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL to run the hub tests on."""


class EvidenceServer(Postgres):
    """A private PostgreSQL server on 127.0.0.1:``port`` with password authentication."""

    ADMIN = "simkit_admin"

    def __init__(self, home: Path, port: int) -> None:
        bindir = _pg_bindir()
        if bindir is None:
            raise PostgresUnavailable("no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql")
        owner = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError as missing:
                raise PostgresUnavailable("running as root and there is no 'postgres' account to run the server as") from missing
        home.mkdir(mode=0o700)
        if owner is not None:
            os.chown(home, owner.pw_uid, owner.pw_gid)
        super().__init__(bindir, home, owner)
        self.port = port
        self.admin_password = secrets.token_urlsafe(18)
        self.password = secrets.token_urlsafe(18)  # the store's role, which only the simkit service is given

    def init(self) -> None:
        pwfile = self.home / "admin-password"
        pwfile.write_text(self.admin_password + "\n", encoding="utf-8")
        if self.owner is not None:
            os.chown(pwfile, self.owner.pw_uid, self.owner.pw_gid)
        os.chmod(pwfile, 0o600)
        try:
            self._run("initdb", "-D", str(self.data), "-U", self.ADMIN, "-A", "scram-sha-256", f"--pwfile={pwfile}",
                      "-E", "UTF8", "--locale=C", "-N")  # fmt: skip
        finally:
            pwfile.unlink()
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.home}'\n"
                "fsync = off\nfull_page_writes = off\nmax_connections = 200\n"
            )
        self.start()
        admin = create_engine(self._url(self.ADMIN, self.admin_password, "postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f"CREATE ROLE simkit LOGIN PASSWORD '{self.password}'"))
                connection.execute(text("CREATE DATABASE simkit OWNER simkit"))
        finally:
            admin.dispose()

    def _url(self, role: str, password: str, database: str) -> str:
        return f"postgresql+psycopg://{role}:{password}@127.0.0.1:{self.port}/{database}?connect_timeout=5"

    def url(self, database: str = "simkit") -> str:
        """The store's URL, with its credentials: what the simkit service is given, and what the tests check with."""
        return self._url("simkit", self.password, database)

    def close(self) -> None:
        if self.data.is_dir() and self.running():
            with contextlib.suppress(RuntimeError):
                self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


class HubDatabase:
    """The hub's own database and role in pg_virtualenv's cluster (the PG* variables), dropped afterwards."""

    def __init__(self) -> None:
        if not (os.environ.get("PGHOST") or os.environ.get("PGPORT")):
            raise PostgresUnavailable("no PostgreSQL cluster (run the tests under pg_virtualenv, as scripts/test.sh does)")
        self.name = f"hub_{uuid.uuid4().hex[:10]}"
        self.password = secrets.token_urlsafe(18)
        host, port = os.environ.get("PGHOST", "localhost"), os.environ.get("PGPORT", "5432")
        if host.startswith("/"):
            raise PostgresUnavailable(f"PGHOST is a socket folder ({host}); the hub tests need pg_virtualenv's TCP cluster")
        self.url = f"postgresql+psycopg://{self.name}:{self.password}@{host}:{port}/{self.name}"
        self._admin = create_engine("postgresql+psycopg:///postgres", isolation_level="AUTOCOMMIT")
        with self._admin.connect() as connection:
            connection.execute(text(f"CREATE ROLE {self.name} LOGIN PASSWORD '{self.password}'"))
            connection.execute(text(f"CREATE DATABASE {self.name} OWNER {self.name}"))

    def close(self) -> None:
        with contextlib.suppress(Exception), self._admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"))
            connection.execute(text(f"DROP ROLE IF EXISTS {self.name}"))
        self._admin.dispose()
