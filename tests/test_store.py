"""The evidence store: migrations, round trips, idempotent saves, WAL, concurrent writers, clear errors."""

from __future__ import annotations

import multiprocessing
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from simkit.content.kit import Kit
from simkit.engine.dialogue import AttemptResult, play_model
from simkit.engine.generation import generate
from simkit.errors import SimkitError
from simkit.store.database import AttemptHeader, Store, StoreError, StoreUnavailable
from simkit.store.records import Base

TABLES = {"trainees", "trainer_sessions", "attempts", "replies", "verdicts", "turn_scores"}


@pytest.fixture(scope="module")
def played(kit: Kit) -> AttemptResult:
    """A whole attempt answered with the model replies."""
    return play_model(generate(kit.scenario("discount-demand-sports-food"), 1, "ru"), kit)


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _count(url: str, table: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def test_migrations_create_every_table_as_the_models_declare(db: str) -> None:
    store = Store(db)
    with store.engine.connect() as connection:
        names = set(store.engine.dialect.get_table_names(connection))
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        version = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert names == TABLES | {"alembic_version"}
    assert diff == []
    assert [tuple(row) for row in version] == [("0002_reply_context",)]
    store.close()
    Store(db).close()  # opening again finds the schema current


def test_an_attempt_round_trips_with_replies_verdicts_and_rulebook_hash(db: str, played: AttemptResult) -> None:
    store = Store(db)
    store.add_trainee("Анна", cohort="2024-10")
    code = store.add_session("Скидки")
    attempt_id = store.save_attempt(played, "Анна", "session", session=code)
    stored = store.attempt(attempt_id)
    expected = played.to_json()
    assert stored["trainee"] == "Анна" and stored["cohort"] == "2024-10" and stored["session"] == code
    assert (stored["scenario_id"], stored["seed"], stored["lang"], stored["mode"]) == (
        "discount-demand-sports-food",
        1,
        "ru",
        "session",
    )
    assert (stored["outcome"], stored["score"]) == (played.outcome, played.score) and stored["finished_at"]
    assert stored["rulebook_hash"] == played.rulebook_hash and stored["kit_version"] == played.kit_version
    assert len(stored["replies"]) == len(expected["turns"]) > 0
    for reply, turn in zip(stored["replies"], expected["turns"], strict=True):
        assert (reply["turn"], reply["reply"], reply["actions"], reply["score"]) == (
            turn["turn"],
            turn["reply"],
            turn["actions"],
            turn["score"],
        )
        assert reply["seconds"] == turn["seconds"] and reply["anger_after"] == turn["anger_after"]
        verdicts = [(v["rule"], v["status"], v["severity"], v["weight"], v["source"]) for v in reply["verdicts"]]
        assert verdicts == [(v["rule"], v["status"], v["severity"], v["weight"], v["source"]) for v in turn["verdicts"]]
        assert [[e["text"] for e in v["evidence"]] for v in reply["verdicts"]] == [v["evidence"] for v in turn["verdicts"]]
        assert {v["rulebook_hash"] for v in reply["verdicts"]} == {played.rulebook_hash}
    assert [a["id"] for a in store.attempts("Анна")] == [attempt_id]
    assert store.attempts("Борис") == []


def test_the_same_reply_saved_twice_is_stored_once(db: str, kit: Kit, played: AttemptResult) -> None:
    store = Store(db)
    instance = generate(kit.scenario("discount-demand-sports-food"), 1, "ru")
    header = AttemptHeader.start(instance, kit, "Анна", "practice")
    reply_id = str(uuid.uuid4())
    assert store.save_reply(header, reply_id, played.exchanges[0], 0) is True
    assert store.save_reply(header, reply_id, played.exchanges[0], 0) is False
    assert _count(db, "replies") == 1 and _count(db, "attempts") == 1
    assert _count(db, "turn_scores") == 1
    assert _count(db, "verdicts") == len(store.attempt(header.id)["replies"][0]["verdicts"]) > 0
    store.finish_attempt(header.id, played)
    assert store.attempt(header.id)["outcome"] == played.outcome
    with pytest.raises(StoreError, match="reply"):
        store.save_reply(header, str(uuid.uuid4()), played.exchanges[0], 0)  # another id for a turn already answered


def test_the_same_attempt_saved_twice_is_stored_once(db: str, played: AttemptResult) -> None:
    store = Store(db)
    attempt_id = str(uuid.uuid4())
    assert store.save_attempt(played, "Анна", "practice", attempt_id=attempt_id) == attempt_id
    first = store.attempt(attempt_id)
    store.save_attempt(played, "Анна", "practice", attempt_id=attempt_id)
    assert store.attempt(attempt_id) == first
    assert _count(db, "attempts") == 1 and _count(db, "trainees") == 1
    assert _count(db, "replies") == len(played.exchanges)


def test_trainees_are_unique_by_name(db: str) -> None:
    store = Store(db)
    first = store.add_trainee("Анна", cohort="A")
    assert store.add_trainee("Анна", cohort="B") == first != store.add_trainee("Борис")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    store = Store(_url(tmp_path / "s.db"))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_simkit_db_url_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMKIT_DB_URL", _url(tmp_path / "from-env.db"))
    store = Store()
    assert store.url == _url(tmp_path / "from-env.db")
    store.add_trainee("Анна")
    assert _count(_url(tmp_path / "from-env.db"), "trainees") == 1


def test_without_a_url_the_store_lives_in_the_kit_root(minikit: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIMKIT_DB_URL", raising=False)
    Store(root=minikit).close()
    assert (minikit / "simkit.db").is_file()


def _save_many(url: str, worker: int, result: AttemptResult) -> None:
    store = Store(url)
    ids = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"attempt/{w}/{i}")) for w in range(4) for i in range(25)]
    mine = ids[worker * 25 : (worker + 1) * 25]
    # also replay a neighbour's first attempts, as a client retrying after a lost answer would
    neighbour = ids[((worker + 1) % 4) * 25 :][:3]
    for attempt_id in [*mine, *neighbour]:
        store.save_attempt(result, f"trainee-{worker}", "practice", attempt_id=attempt_id)
    store.close()


def test_four_processes_saving_25_attempts_each_store_exactly_100(db: str, played: AttemptResult) -> None:
    url = db
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_save_many, args=(url, w, played)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    store = Store(url)
    attempts = store.attempts()
    assert len(attempts) == 100 == len({a["id"] for a in attempts})
    assert all(len(a["replies"]) == len(played.exchanges) and a["finished_at"] for a in attempts)
    assert _count(url, "replies") == 100 * len(played.exchanges)
    assert _count(url, "trainees") == 4
    store.close()


@pytest.mark.parametrize("url", ["nosuchdb://host/x", "sqlite:///{tmp}/missing-folder/s.db", "not a url"])
def test_a_store_that_cannot_be_opened_says_which_url_and_what_to_check(tmp_path: Path, url: str) -> None:
    url = url.format(tmp=tmp_path)
    with pytest.raises(StoreUnavailable) as caught:
        Store(url)
    assert isinstance(caught.value, SimkitError)
    assert url in str(caught.value) and "SIMKIT_DB_URL" in str(caught.value)


def test_bad_ids_and_unknown_attempts_are_store_errors(db: str, played: AttemptResult) -> None:
    store = Store(db)
    with pytest.raises(StoreError, match="not a UUID"):
        store.save_attempt(played, "Анна", "practice", attempt_id="42")
    with pytest.raises(StoreError, match="no attempt"):
        store.attempt(str(uuid.uuid4()))
    with pytest.raises(StoreError, match="join code"):
        store.save_attempt(played, "Анна", "session", session="NOPE42")


def _write_hundred(url: str, worker: int, result: AttemptResult) -> None:
    store = Store(url)
    for i in range(100):
        store.save_attempt(
            result, f"trainee-{worker % 10}", "practice", attempt_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{worker}/{i}"))
        )
    store.close()


def test_fifty_writers_store_five_thousand_attempts(db: str, played: AttemptResult) -> None:
    """The budget's concurrency case: 50 processes writing 100 attempts each; none lost, none twice."""
    Store(db).close()  # migrate once before the writers start
    context = multiprocessing.get_context("fork")  # forked after the kit is loaded: cheap workers
    workers = [context.Process(target=_write_hundred, args=(db, w, played)) for w in range(50)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(300)
    assert [p.exitcode for p in workers] == [0] * 50
    assert _count(db, "attempts") == 5000
    assert _count(db, "replies") == 5000 * len(played.exchanges)
    assert _count(db, "trainees") == 10
