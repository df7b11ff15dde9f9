"""Outage: the database really goes away mid-run; attempts are spooled and later flushed, none lost.

On PostgreSQL the test owns a private server (initdb + pg_ctl in a temporary folder, a unix socket,
no TCP) and stops it with ``pg_ctl stop -m immediate`` (a crash: clients get no goodbye), then starts
it again. On SQLite the database file's folder is moved away (a share that is unmounted) and back.
Nothing is simulated by pointing at another URL: the same URL works, stops working, works again.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

import simkit.store.spool
from simkit.content.kit import Kit, load_kit
from simkit.engine.dialogue import AttemptResult, Dialogue, StepClock, play_model, play_through
from simkit.engine.generation import generate
from simkit.store.database import Store, StoreUnavailable
from simkit.store.recorder import Recorder
from simkit.store.spool import flush, save_or_spool, spool_dir

PG_PORT = 5432  # the socket lives in the test's own folder, so the number cannot clash with another server
TRAINEES = ("Анна Петрова", "trainee-b", "Иван")


# --- a private PostgreSQL server --------------------------------------------------------------------


def _pg_bindir() -> Path | None:
    """The newest PostgreSQL's bin folder with initdb and pg_ctl (Debian's layout, else the PATH)."""

    def version(folder: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in folder.name.split(".") if part.isdigit())

    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl") if (p.parent / "initdb").exists()]
    if found:
        return max(found, key=lambda b: version(b.parent))
    pg_ctl, initdb = shutil.which("pg_ctl"), shutil.which("initdb")
    return Path(pg_ctl).parent if pg_ctl and initdb and Path(pg_ctl).parent == Path(initdb).parent else None


def _skip_or_fail(reason: str) -> None:
    # the conftest `db` fixture's rule: never skipped in CI
    if os.environ.get("CI"):
        pytest.fail(f"the outage tests must run on PostgreSQL in CI: {reason}")
    pytest.skip(reason)


class Postgres:
    """A throwaway server in ``home``; as root it runs as the 'postgres' user, as pg_ctlcluster does."""

    def __init__(self, bindir: Path, home: Path, owner: pwd.struct_passwd | None) -> None:
        self.bindir = bindir
        self.home = home
        self.data = home / "data"
        self.owner = owner

    def url(self, database: str) -> str:
        # every part spelled out: libpq would otherwise fill gaps from PG* variables (pg_virtualenv's)
        return f"postgresql+psycopg://simkit@/{database}?host={self.home}&port={PG_PORT}&connect_timeout=5"

    def _run(self, tool: str, *args: str, check: bool = True) -> int:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}  # pg_virtualenv's PGPORT etc.
        as_owner: dict[str, Any] = {}
        if self.owner is not None:  # postgres refuses to run as root
            as_owner = {"user": self.owner.pw_uid, "group": self.owner.pw_gid, "extra_groups": []}
            env["HOME"] = self.owner.pw_dir
        done = subprocess.run(
            [str(self.bindir / tool), *args], cwd=self.home, env=env, capture_output=True, text=True, timeout=60, **as_owner
        )
        if check and done.returncode != 0:
            log = self.home / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}\n{tail}")
        return done.returncode

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "simkit", "-A", "trust", "-E", "UTF8", "--locale=C", "-N")
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                f"listen_addresses = ''\nunix_socket_directories = '{self.home}'\nport = {PG_PORT}\n"
                "fsync = off\nfull_page_writes = off\n"
            )

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False) == 0

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.home / "server.log"), "-w", "-t", "30", "start")

    def stop(self) -> None:
        """A crash, not a shutdown: the server dies at once and its clients' connections break."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")


@pytest.fixture(scope="module")
def pg_server() -> Iterator[Postgres]:
    """One private server for the module (initdb is the slow part); each test gets its own database."""
    bindir = _pg_bindir()
    if bindir is None:
        _skip_or_fail("no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql")
    assert bindir is not None
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            _skip_or_fail("running as root and there is no 'postgres' user to run the server as")
    # not under pytest's tmp_path: as root that sits in a 0700 folder the 'postgres' user cannot enter,
    # and a unix socket's path must stay short
    home = Path(tempfile.mkdtemp(prefix="simkit-pg-", dir="/tmp" if Path("/tmp").is_dir() else None))
    if owner is not None:
        os.chown(home, owner.pw_uid, owner.pw_gid)
    server = Postgres(bindir, home, owner)
    try:
        server.init()
        yield server
    finally:
        if server.data.is_dir() and server.running():
            with contextlib.suppress(RuntimeError):
                server.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def postgres(pg_server: Postgres, monkeypatch: pytest.MonkeyPatch) -> str:
    """The URL of a new, empty database on the private server, which is up when the test starts."""
    for name in [n for n in os.environ if n.startswith("PG")]:
        monkeypatch.delenv(name)  # the client, too, must reach only the private server
    if not pg_server.running():  # the previous test left it down
        pg_server.start()
    database = f"outage_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server.url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
    finally:
        admin.dispose()
    return pg_server.url(database)


# --- the two backends, each with a real way to go away and come back --------------------------------


@dataclass
class Outage:
    backend: str
    url: str
    down: Callable[[], object]
    up: Callable[[], object]
    # an SQLite connection already open keeps its file when the folder moves (the writes land in the
    # moved file, which comes back with it); a PostgreSQL connection dies with the server
    open_connections_survive: bool


@pytest.fixture(params=["sqlite", "postgresql"])
def outage(request: pytest.FixtureRequest, tmp_path: Path) -> Outage:
    if request.param == "sqlite":
        share, away = tmp_path / "share", tmp_path / "share-unmounted"
        share.mkdir()
        return Outage("sqlite", f"sqlite:///{share / 'simkit.db'}", lambda: share.rename(away), lambda: away.rename(share), True)
    url: str = request.getfixturevalue("postgres")
    server: Postgres = request.getfixturevalue("pg_server")
    return Outage("postgresql", url, server.stop, server.start, False)


@pytest.fixture
def kit_copy(shipped_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Kit:
    monkeypatch.delenv("SIMKIT_SPOOL", raising=False)
    return load_kit(shipped_copy)


def _attempts(kit: Kit, n: int) -> list[AttemptResult]:
    """Real plays: some typed as text only, some the scenario's model replies, in Russian and English.

    The text-only ones stop after one reply, before the dialogue's end: they are saved as abandoned
    (``final=True``), so every attempt here ends finished.
    """
    scenario = kit.scenario("discount-demand-sports-food")
    out = []
    for seed in range(n):
        instance = generate(scenario, seed, "ru" if seed % 2 else "en")
        if seed % 3 == 0:
            out.append(play_through(instance, [("Здравствуйте! Соединяю вас с начальником отдела.", None)], kit, [7]))
        else:
            out.append(play_model(instance, kit))
    return out


def _ids(n: int) -> list[str]:
    return [f"00000000-0000-4000-8000-{k:012d}" for k in range(n)]


def _spooled(kit: Kit) -> list[Path]:
    folder = spool_dir(kit.root)
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def _assert_stored_once(url: str, results: list[AttemptResult], ids: list[str]) -> None:
    """Exactly these attempts, each once and finished, with every reply once and scored once."""
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            attempts, distinct, unfinished = c.execute(
                text("SELECT count(*), count(DISTINCT id), count(*) - count(finished_at) FROM attempts")
            ).one()
            replies = c.execute(text("SELECT count(*), count(DISTINCT id) FROM replies")).one()
            per_attempt: dict[str, int] = dict(
                c.execute(text("SELECT attempt_id, count(*) FROM replies GROUP BY attempt_id")).all()
            )
            scores = c.execute(text("SELECT count(*) FROM turn_scores")).scalar_one()
    finally:
        engine.dispose()
    n_replies = sum(len(r.exchanges) for r in results)
    assert (attempts, distinct, unfinished) == (len(ids), len(ids), 0)
    assert tuple(replies) == (n_replies, n_replies)
    assert scores == n_replies  # one turn score per reply under the one rulebook
    assert per_attempt == {i: len(r.exchanges) for i, r in zip(ids, results, strict=True) if r.exchanges}
    with Store(url) as store:
        stored = {a["id"]: a for a in store.attempts()}
    for attempt_id, result in zip(ids, results, strict=True):
        got = stored[attempt_id]
        assert (got["outcome"], got["score"]) == (result.outcome, result.score)
        assert [r["reply"] for r in got["replies"]] == [e.reply for e in result.exchanges]
        assert [r["seconds"] for r in got["replies"]] == [e.seconds for e in result.exchanges]


# --- the tests ----------------------------------------------------------------------------------------


def test_the_database_goes_away_mid_run_and_comes_back(outage: Outage, kit_copy: Kit) -> None:
    results, ids = _attempts(kit_copy, 12), _ids(12)
    outcomes = []
    for k, result in enumerate(results):
        if k == 4:
            outage.down()  # after four saved attempts the database goes away...
        if k == 9:
            assert len(_spooled(kit_copy)) == 5
            outage.up()  # ...and is back for the tenth, whose save writes the spool too
        outcomes.append(
            save_or_spool(result, TRAINEES[k % 3], "practice", kit_copy, url=outage.url, attempt_id=ids[k], final=True).where
        )
    assert outcomes == ["stored"] * 4 + ["spooled"] * 5 + ["stored"] * 3
    assert _spooled(kit_copy) == []
    with Store(outage.url) as store:
        assert flush(store, kit_copy, spool_dir(kit_copy.root)).written == 0  # nothing left to write twice
    _assert_stored_once(outage.url, results, ids)


def test_the_database_goes_away_between_opening_the_store_and_saving(
    outage: Outage, kit_copy: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    results, ids = _attempts(kit_copy, 3), _ids(3)
    assert (
        save_or_spool(results[0], TRAINEES[0], "practice", kit_copy, url=outage.url, attempt_id=ids[0], final=True).where
        == "stored"
    )

    class StoreLosingItsDatabase(Store):
        """Opened (migrated, a pooled connection in hand), then the database goes before the save."""

        def save_attempt(self, *args: Any, **kwargs: Any) -> str:
            outage.down()
            return super().save_attempt(*args, **kwargs)

    monkeypatch.setattr(simkit.store.spool, "Store", StoreLosingItsDatabase)
    outcome = save_or_spool(results[1], TRAINEES[1], "assessment", kit_copy, url=outage.url, attempt_id=ids[1], final=True).where
    monkeypatch.setattr(simkit.store.spool, "Store", Store)
    assert outcome == ("stored" if outage.open_connections_survive else "spooled")
    assert len(_spooled(kit_copy)) == (0 if outage.open_connections_survive else 1)

    outage.up()
    assert (
        save_or_spool(results[2], TRAINEES[2], "practice", kit_copy, url=outage.url, attempt_id=ids[2], final=True).where
        == "stored"
    )
    assert _spooled(kit_copy) == []
    _assert_stored_once(outage.url, results, ids)


def test_the_database_goes_away_while_the_spool_is_flushed(
    outage: Outage, kit_copy: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    results, ids = _attempts(kit_copy, 5), _ids(5)
    outage.down()
    for k in range(4):
        assert (
            save_or_spool(results[k], TRAINEES[k % 3], "practice", kit_copy, url=outage.url, attempt_id=ids[k], final=True).where
            == "spooled"
        )
    outage.up()

    saves = 0

    class StoreLosingItsDatabaseMidFlush(Store):
        """The new attempt and the first spooled one are written, then the database goes."""

        def save_attempt(self, *args: Any, **kwargs: Any) -> str:
            nonlocal saves
            saves += 1
            if saves == 3:
                outage.down()
            return super().save_attempt(*args, **kwargs)

    monkeypatch.setattr(simkit.store.spool, "Store", StoreLosingItsDatabaseMidFlush)
    # the attempt itself was stored: the caller hears "stored", not an error from the flush after it
    assert (
        save_or_spool(results[4], TRAINEES[1], "practice", kit_copy, url=outage.url, attempt_id=ids[4], final=True).where
        == "stored"
    )
    monkeypatch.setattr(simkit.store.spool, "Store", Store)
    assert len(_spooled(kit_copy)) == (0 if outage.open_connections_survive else 3)

    outage.up()
    with Store(outage.url) as store:
        report = flush(store, kit_copy, spool_dir(kit_copy.root))
    assert (report.written, report.remaining) == (0 if outage.open_connections_survive else 3, 0)
    _assert_stored_once(outage.url, results, ids)


def test_an_open_store_outlives_the_database_going_away(outage: Outage, kit_copy: Kit) -> None:
    results, ids = _attempts(kit_copy, 5), _ids(5)
    with Store(outage.url) as store:
        store.save_attempt(results[0], TRAINEES[0], "practice", attempt_id=ids[0], final=True)
        store.save_attempt(results[1], TRAINEES[1], "practice", attempt_id=ids[1], final=True)

        outage.down()  # gone and back while the store sat idle: its pooled connection is now stale
        outage.up()
        store.save_attempt(results[2], TRAINEES[2], "practice", attempt_id=ids[2], final=True)

        outage.down()
        if outage.open_connections_survive:
            store.save_attempt(results[3], TRAINEES[0], "practice", attempt_id=ids[3], final=True)
        else:  # a store error that names the URL, not the driver's exception
            with pytest.raises(StoreUnavailable):
                store.save_attempt(results[3], TRAINEES[0], "practice", attempt_id=ids[3], final=True)
            with pytest.raises(StoreUnavailable):
                store.attempts()
        outage.up()

        store.save_attempt(results[3], TRAINEES[0], "practice", attempt_id=ids[3], final=True)  # the caller's retry
        store.save_attempt(results[4], TRAINEES[1], "practice", attempt_id=ids[4], final=True)
        assert len(store.attempts()) == 5
    _assert_stored_once(outage.url, results, ids)


# --- the recorder: one store for an app's lifetime, spooling while the database is away -----------


def _model_dialogue(kit: Kit, seed: int) -> Dialogue:
    return Dialogue(generate(kit.scenario("discount-demand-sports-food"), seed, "ru"), kit, StepClock([5, 6, 7, 8]))


def _answer(dialogue: Dialogue) -> AttemptResult:
    turn = dialogue.turn
    assert turn is not None
    dialogue.reply(turn.model_reply, list(turn.model_actions))
    return dialogue.result()


def test_a_recorder_spools_while_the_database_is_away_and_stores_each_attempt_once_when_it_is_back(
    outage: Outage, kit_copy: Kit
) -> None:
    outage.down()  # away before the app even starts
    recorder = Recorder(kit_copy, TRAINEES[0], "practice", cohort="2026-11-A", url=outage.url)
    assert recorder.connect() is False
    walked_away = _model_dialogue(kit_copy, 2)
    abandoned = _answer(walked_away)
    assert recorder.record(abandoned, final=True) == "spooled"
    dialogue = _model_dialogue(kit_copy, 3)
    outcomes = [recorder.record(_answer(dialogue)), recorder.record(_answer(dialogue))]
    assert len(_spooled(kit_copy)) == 2  # one file per attempt, however many replies
    outage.up()
    result = _answer(dialogue)
    assert result.finished
    outcomes.append(recorder.record(result))
    assert outcomes == ["spooled", "spooled", "stored"]
    assert _spooled(kit_copy) == []  # the stored reply flushed what waited, the other attempt too
    recorder.close()
    _assert_stored_once(outage.url, [abandoned, result], [abandoned.attempt_id, result.attempt_id])
    with Store(outage.url) as store:
        assert {a["trainee"]: a["cohort"] for a in store.attempts()} == {TRAINEES[0]: "2026-11-A"}
        assert store.attempt(abandoned.attempt_id)["outcome"] == "lost"


def test_a_recorder_outlives_the_database_going_away_mid_attempt(outage: Outage, kit_copy: Kit) -> None:
    with Recorder(kit_copy, TRAINEES[1], "assessment", url=outage.url) as recorder:
        dialogue = _model_dialogue(kit_copy, 4)
        assert recorder.record(_answer(dialogue)) == "stored"
        outage.down()
        during = recorder.record(_answer(dialogue))
        assert during == ("stored" if outage.open_connections_survive else "spooled")
        outage.up()
        result = _answer(dialogue)
        assert recorder.record(result) == "stored"
        assert recorder.record(result) == "stored"  # recorded again (a re-run cell): nothing new
    assert _spooled(kit_copy) == []
    _assert_stored_once(outage.url, [result], [result.attempt_id])
