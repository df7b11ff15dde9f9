"""The evidence store: migrations, round trips, idempotent saves, WAL, concurrent writers, clear errors."""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import IntegrityError

from simkit.content.kit import Kit, load_kit
from simkit.engine.dialogue import AttemptResult, Dialogue, StepClock, play_model, play_through
from simkit.engine.generation import generate
from simkit.errors import SimkitError
from simkit.reports.readiness import readiness, store_readiness
from simkit.store import database
from simkit.store.database import AttemptHeader, Store, StoreError, StoreUnavailable, migrate, score_values
from simkit.store.records import Base, now

TABLES = {
    "trainees",
    "trainer_sessions",
    "attempts",
    "replies",
    "verdicts",
    "turn_scores",
    "reviews",
    "verdict_overrides",
    "readiness_decisions",
    "reply_findings",
}
HEAD = "0006_reply_findings"  # the latest migration


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
    assert [tuple(row) for row in version] == [(HEAD,)]
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


# --- one attempt, stored once, from its first reply to its end -------------------------------------


def _snapshots(kit: Kit) -> list[AttemptResult]:
    """The results of one dialogue after each of its replies, as an app records them: the last is finished."""
    instance = generate(kit.scenario("discount-demand-sports-food"), 4, "ru")
    dialogue = Dialogue(instance, kit, StepClock([6, 9, 12]))
    out = []
    while (turn := dialogue.turn) is not None:
        dialogue.reply(turn.model_reply, list(turn.model_actions))
        out.append(dialogue.result())
    return out


def _shape(store: Store) -> tuple[int, ...]:
    """How many attempts, replies, turn scores and verdicts the store holds."""
    with store.engine.connect() as c:
        return tuple(
            int(c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
            for t in ("attempts", "replies", "turn_scores", "verdicts")
        )


def test_a_result_saved_twice_is_stored_once_under_its_own_id(db: str, played: AttemptResult) -> None:
    # before attempts carried their own id, a second save without attempt_id stored a second attempt
    store = Store(db)
    first = store.save_attempt(played, "Анна", "practice")
    assert store.save_attempt(played, "Анна", "practice") == first == played.attempt_id
    assert [a["id"] for a in store.attempts()] == [played.attempt_id]
    assert _count(db, "replies") == len(played.exchanges)
    assert _count(db, "turn_scores") == len(played.exchanges)


def test_an_attempt_grows_reply_by_reply_and_a_finished_one_never_changes(db: str, kit: Kit) -> None:
    snapshots = _snapshots(kit)
    assert len(snapshots) == 3 and [r.finished for r in snapshots] == [False, False, True]
    store = Store(db)
    attempt_id = snapshots[0].attempt_id
    for k, result in enumerate(snapshots[:-1], 1):
        store.save_attempt(result, "Анна", "practice")
        store.save_attempt(result, "Анна", "practice")  # a re-run cell
        open_ = store.attempt(attempt_id)
        assert len(open_["replies"]) == k
        assert (open_["finished_at"], open_["outcome"], open_["score"]) == (None, None, None)
    store.save_attempt(snapshots[0], "Анна", "practice")  # an older snapshot arriving late adds nothing
    assert len(store.attempt(attempt_id)["replies"]) == 2
    last = snapshots[-1]
    store.save_attempt(last, "Анна", "practice")
    done = store.attempt(attempt_id)
    assert (done["outcome"], done["score"]) == (last.outcome, last.score) and done["finished_at"]
    assert [r["reply"] for r in done["replies"]] == [e.reply for e in last.exchanges]
    assert [r["score"] for r in done["replies"]] == [e.score.score for e in last.exchanges]
    assert [r["seconds"] for r in done["replies"]] == [6, 9, 12]
    shape = _shape(store)
    assert shape[:3] == (1, 3, 3)
    store.save_attempt(last, "Анна", "practice", final=True)
    store.save_attempt(snapshots[1], "Анна", "practice", final=True)
    assert store.attempt(attempt_id) == done and _shape(store) == shape


def test_an_abandoned_attempt_is_finished_as_it_stands(db: str, kit: Kit) -> None:
    first, second, _ = _snapshots(kit)
    store = Store(db)
    store.save_attempt(first, "Анна", "practice")
    assert store.attempt(first.attempt_id)["finished_at"] is None
    store.save_attempt(first, "Анна", "practice", final=True)  # the trainee walked away
    done = store.attempt(first.attempt_id)
    assert not first.finished and first.outcome == "lost"
    assert (done["outcome"], done["score"], len(done["replies"])) == ("lost", first.score, 1) and done["finished_at"]
    store.save_attempt(second, "Анна", "practice")  # too late: a finished attempt never changes
    assert store.attempt(first.attempt_id) == done


def test_an_abandoned_attempt_saved_whole_at_once(db: str, kit: Kit) -> None:
    instance = generate(kit.scenario("discount-demand-sports-food"), 0, "en")
    result = play_through(instance, [("Hello! Let me put you through to the head of the department.", None)], kit, [7])
    store = Store(db)
    store.save_attempt(result, "Анна", "assessment", final=True)
    stored = store.attempt(result.attempt_id)
    assert (stored["mode"], stored["outcome"], len(stored["replies"])) == ("assessment", "lost", 1) and stored["finished_at"]


def _save_in_threads(db: str, results: list[AttemptResult], shared: bool) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(results))
    one = Store(db) if shared else None
    stores: list[Store] = []

    def save(result: AttemptResult) -> None:
        store = one or Store(db)
        stores.append(store)
        try:
            barrier.wait(10)
            store.save_attempt(result, "Анна", "practice", cohort="A-1")
        except BaseException as exc:  # the test asserts there were none
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(r,)) for r in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for store in {id(s): s for s in stores}.values():
        store.close()
    return errors


@pytest.mark.parametrize("shared", [True, False], ids=["one-store", "a-store-each"])
def test_savers_racing_on_one_attempt_store_it_once(db: str, kit: Kit, shared: bool) -> None:
    snapshots = _snapshots(kit)
    Store(db).close()  # migrated before the race: the race is on the attempt, not on the schema
    # a double click, a retry and the reply-by-reply saves of the same attempt, all at once
    racers = [snapshots[-1]] * 4 + snapshots[:-1] * 2
    assert _save_in_threads(db, racers, shared) == []
    with Store(db) as store:
        (stored,) = store.attempts()
        assert stored["id"] == snapshots[0].attempt_id and stored["finished_at"] and stored["cohort"] == "A-1"
        assert len(stored["replies"]) == 3
        assert _shape(store)[:3] == (1, 3, 3)
    assert _count(db, "trainees") == 1


def test_a_unique_key_race_that_outlasts_the_retries_is_a_store_error(db: str, played: AttemptResult) -> None:
    store = Store(db)
    calls = 0

    def conflicting(_: Any) -> str:
        nonlocal calls
        calls += 1
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    with pytest.raises(StoreError, match="conflicting"):
        store._retry(conflicting)
    assert calls == database._TRIES  # retried: each conflict is taken for a concurrent saver's row


def test_the_cohort_is_given_to_a_new_trainee_or_one_without_a_cohort(db: str, kit: Kit) -> None:
    results = [play_model(generate(kit.scenario("late-delivery-fridge"), seed, "ru"), kit) for seed in (1, 2, 3)]
    store = Store(db)
    store.save_attempt(results[0], "Анна", "practice", cohort="2026-11-A")
    store.save_attempt(results[1], "Борис", "practice")
    store.save_attempt(results[2], "Борис", "practice", cohort="  2026-11-B ")
    store.save_attempt(results[2], "Анна", "practice", cohort="2026-12-C")  # already stored: nothing changes
    store.add_trainee("Вера", cohort="2026-11-A")
    store.save_attempt(play_model(generate(kit.scenario("late-delivery-fridge"), 4, "ru"), kit), "Вера", "practice", cohort="X")
    cohorts = {a["trainee"]: a["cohort"] for a in store.attempts()}
    assert cohorts == {"Анна": "2026-11-A", "Борис": "2026-11-B", "Вера": "2026-11-A"}
    assert store.cohorts() == ["2026-11-A", "2026-11-B"]


@pytest.mark.parametrize(
    ("trainee", "cohort", "match"), [("  ", None, "empty"), ("x" * 201, None, "200"), ("Анна", "c" * 101, "100")]
)
def test_names_that_do_not_fit_are_refused_before_the_save(
    db: str, played: AttemptResult, trainee: str, cohort: str | None, match: str
) -> None:
    store = Store(db)
    with pytest.raises(StoreError, match=match):
        store.save_attempt(played, trainee, "practice", cohort=cohort)
    assert store.attempts() == []


# --- the drill mode -------------------------------------------------------------------------------


def test_drills_are_stored_and_readiness_leaves_them_out(db: str, kit: Kit) -> None:
    assert "drill" not in kit.readiness.modes
    store = Store(db)
    plays = [play_model(generate(kit.scenario(s), 1, "ru"), kit) for s in ("discount-demand-sports-food", "late-delivery-fridge")]
    store.save_attempt(plays[0], "Анна", "practice")
    for seed in range(1, 4):
        store.save_attempt(play_model(generate(kit.scenario("late-delivery-fridge"), seed, "ru"), kit), "Анна", "drill")
        store.save_attempt(play_model(generate(kit.scenario("discount-demand-sports-food"), seed, "en"), kit), "Борис", "drill")
    assert sorted(a["mode"] for a in store.attempts("Анна")) == ["drill"] * 3 + ["practice"]
    for verdicts in (store_readiness(store, kit), readiness(store.attempts(), kit)):
        by_name = {v.trainee: v for v in verdicts}
        assert set(by_name) == {"Анна", "Борис"}
        counted = {name: next(r for r in v.reasons if r.requirement == "min_attempts") for name, v in by_name.items()}
        assert counted["Анна"].figure == 1 and counted["Анна"].attempts == (plays[0].attempt_id,)
        assert counted["Борис"].figure == 0 and by_name["Борис"].verdict == "insufficient_evidence"


def test_the_mode_check_accepts_drill_and_refuses_unknown_modes(db: str, played: AttemptResult) -> None:
    store = Store(db)
    trainee = store.add_trainee("Анна")
    row = {
        "trainee_id": trainee,
        "scenario_id": played.scenario_id,
        "seed": 1,
        "lang": "ru",
        "started_at": now(),
        "rulebook_hash": played.rulebook_hash,
        "kit_version": played.kit_version,
    }
    attempts = Base.metadata.tables["attempts"]
    with store.engine.begin() as c:
        c.execute(insert(attempts), [{**row, "id": str(uuid.uuid4()), "mode": "drill"}])
    with pytest.raises(IntegrityError), store.engine.begin() as c:
        c.execute(insert(attempts), [{**row, "id": str(uuid.uuid4()), "mode": "homework"}])
    with pytest.raises(StoreError, match="unknown mode"):
        store.save_attempt(played, "Анна", "homework")  # type: ignore[arg-type]


def test_a_store_of_the_previous_schema_upgrades_with_its_evidence(db: str, kit: Kit, played: AttemptResult) -> None:
    # a store written before drills existed: on SQLite the attempts table is copied under the new
    # check while replies refer to it, with foreign keys on as the store always runs
    engine = create_engine(db)
    if engine.dialect.name == "sqlite":
        from simkit.store.database import _sqlite_engine_setup

        _sqlite_engine_setup(engine)
    attempt_id = str(uuid.uuid4())
    tables = Base.metadata.tables
    with engine.begin() as c:
        migrate(c, "0002_reply_context")
        trainee = c.execute(insert(tables["trainees"]).values(name="Анна", cohort="A")).inserted_primary_key[0]
        c.execute(
            insert(tables["attempts"]),
            [
                {
                    "id": attempt_id,
                    "trainee_id": trainee,
                    "scenario_id": played.scenario_id,
                    "seed": played.seed,
                    "lang": played.lang,
                    "mode": "practice",
                    "started_at": now(),
                    "finished_at": now(),
                    "outcome": played.outcome,
                    "score": played.score,
                    "rulebook_hash": played.rulebook_hash,
                    "kit_version": played.kit_version,
                }
            ],
        )
        for k, exchange in enumerate(played.exchanges):
            reply_id = str(uuid.uuid5(uuid.UUID(attempt_id), str(k)))
            c.execute(
                insert(tables["replies"]),
                [
                    {
                        "id": reply_id,
                        "attempt_id": attempt_id,
                        "turn_index": k,
                        "turn_id": exchange.turn.id,
                        "text": exchange.reply,
                        "actions": [],
                        "text_only": True,
                        "seconds": exchange.seconds,
                        "late": False,
                        "anger_before": exchange.anger_before,
                        "anger_after": exchange.anger_after,
                        "created_at": now(),
                    }
                ],
            )
            verdicts, score = score_values(reply_id, exchange.score, played.rulebook_hash)
            c.execute(insert(tables["verdicts"]), verdicts)
            c.execute(insert(tables["turn_scores"]), [score])
    engine.dispose()
    with Store(db) as store:
        stored = store.attempt(attempt_id)
        assert [r["reply"] for r in stored["replies"]] == [e.reply for e in played.exchanges]
        assert stored["replies"][0]["score"] == played.exchanges[0].score.score
        store.save_attempt(play_model(generate(kit.scenario("late-delivery-fridge"), 2, "ru"), kit), "Анна", "drill")
        with store.engine.connect() as c:
            assert c.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD
            if store.engine.dialect.name == "sqlite":
                assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert c.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert sorted(a["mode"] for a in store.attempts("Анна")) == ["drill", "practice"]


# --- the sums each attempt keeps for readiness (migration 0005) --------------------------------


def test_the_sums_have_a_column_pair_for_every_category_of_rule() -> None:
    from typing import get_args

    from simkit.content.models import Category
    from simkit.store.records import CATEGORIES

    assert get_args(Category) == CATEGORIES
    columns = {c.name for c in Base.metadata.tables["attempts"].c}
    assert {f"sum_{c}_{part}" for c in CATEGORIES for part in ("passed", "total")} <= columns


def _expected_sums(attempt: dict[str, Any]) -> dict[str, Any]:
    """An attempt's sums worked out from its stored verdicts (under its own rulebook), as readiness would."""
    verdicts = [v for r in attempt["replies"] for v in r["verdicts"] if v["rulebook_hash"] == attempt["rulebook_hash"]]
    out: dict[str, Any] = {
        "sum_replies": len(attempt["replies"]),
        "sum_critical": sum(v["status"] == "fail" and v["severity"] == "critical" for v in verdicts),
        "sum_passed": sum(v["weight"] for v in verdicts if v["status"] == "pass"),
        "sum_total": sum(v["weight"] for v in verdicts),
    }
    from simkit.store.records import CATEGORIES

    for category in CATEGORIES:
        inside = [v for v in verdicts if v["category"] == category]
        passed = [v["weight"] for v in inside if v["status"] == "pass"]
        out[f"sum_{category}_passed"] = sum(passed) if passed else None
        out[f"sum_{category}_total"] = sum(v["weight"] for v in inside) if inside else None
    return out


def _kept_sums(store: Store) -> dict[str, dict[str, Any]]:
    """The sums kept in every attempt's row, by attempt id."""
    attempts = Base.metadata.tables["attempts"]
    names = [c.name for c in attempts.c if c.name.startswith("sum_")]
    with store.engine.connect() as c:
        rows = c.execute(text(f"SELECT id, {', '.join(names)} FROM attempts")).all()
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}


def _assert_sums_agree(store: Store) -> int:
    """Every attempt's kept sums equal the sums of its stored verdicts; returns how many attempts."""
    kept = _kept_sums(store)
    attempts = store.attempts()
    assert set(kept) == {a["id"] for a in attempts}
    for attempt in attempts:
        expected = _expected_sums(attempt)
        assert kept[attempt["id"]] == pytest.approx(expected), attempt["id"]
    return len(attempts)


def test_every_way_of_storing_an_attempt_keeps_its_sums(db: str, shipped_copy: Path) -> None:
    from simkit.store.rescore import rescore
    from simkit.store.transcripts import import_transcripts

    from .test_rescore import _change_a_rule
    from .test_transcripts import SAMPLE

    kit = load_kit(shipped_copy)
    rude = "Успокойтесь. Вы сами виноваты, надо было читать договор."
    with Store(db) as store:
        store.save_attempt(play_model(generate(kit.scenario("late-delivery-fridge"), 1, "ru"), kit), "Анна", "practice")
        instance = generate(kit.scenario("discount-demand-sports-food"), 2, "ru")
        store.save_attempt(play_through(instance, [(rude, None)] * 4, kit), "Анна", "assessment")
        for result in _snapshots(kit):  # an attempt growing reply by reply, as an app records it
            store.save_attempt(result, "Борис", "practice")
            assert _assert_sums_agree(store) == 3
        played = play_model(generate(kit.scenario("defective-kettle"), 1, "en"), kit)
        header = AttemptHeader.start(generate(kit.scenario("defective-kettle"), 1, "en"), kit, "Вера", "session")
        for k, exchange in enumerate(played.exchanges):  # one reply at a time through the ORM
            store.save_reply(header, str(uuid.uuid4()), exchange, k)
        store.finish_attempt(header.id, played)
        walked_away = Dialogue(generate(kit.scenario("late-delivery-fridge"), 3, "ru"), kit).result()
        store.save_attempt(walked_away, "Глеб", "practice", final=True)  # no reply at all
        import_transcripts(store, kit, SAMPLE, "Дина")  # real conversations
        assert _assert_sums_agree(store) == 9
        kept = _kept_sums(store)
        assert kept[walked_away.attempt_id or ""]["sum_replies"] == 0 and kept[walked_away.attempt_id or ""]["sum_total"] == 0
        assert sum(s["sum_critical"] for s in kept.values()) > 0 and all(s["sum_total"] is not None for s in kept.values())
        # re-scoring adds verdicts under another rulebook: the sums of the attempts' own stay as they were
        assert rescore(store, _change_a_rule(shipped_copy), workers=1).scored > 0
        assert _kept_sums(store) == kept
        assert _assert_sums_agree(store) == 9


def _store_at_0004(db: str, kit: Kit) -> tuple[list[str], int]:
    """A store of the previous schema (0004) written as that version wrote it: attempts, verdicts,
    a re-scoring of some replies under another rulebook, and overrides; the attempt ids and how
    many overrides."""
    engine = create_engine(db)
    if engine.dialect.name == "sqlite":
        from simkit.store.database import _sqlite_engine_setup

        _sqlite_engine_setup(engine)
    tables = Base.metadata.tables
    rude = "Успокойтесь. Вы сами виноваты, надо было читать договор. Вы вообще слушаете?"
    plays = [
        ("Анна", "practice", play_model(generate(kit.scenario("discount-demand-sports-food"), 1, "ru"), kit)),
        ("Анна", "assessment", play_model(generate(kit.scenario("late-delivery-fridge"), 1, "ru"), kit)),
        ("Анна", "practice", play_through(generate(kit.scenario("late-delivery-fridge"), 2, "ru"), [(rude, None)] * 4, kit)),
        ("Борис", "practice", play_model(generate(kit.scenario("defective-kettle"), 1, "en"), kit)),
        ("Борис", "session", play_through(generate(kit.scenario("legal-threat-refund"), 3, "ru"), [(rude, None)] * 4, kit)),
    ]
    ids, overridden = [], 0
    with engine.begin() as c:
        migrate(c, "0004_human_judgement")
        people = {
            name: c.execute(insert(tables["trainees"]).values(name=name, cohort="A")).inserted_primary_key[0]
            for name in ("Анна", "Борис")
        }
        for number, (name, mode, played) in enumerate(plays):
            attempt_id = str(uuid.uuid4())
            ids.append(attempt_id)
            finished = number != 1 or None  # one attempt left unfinished
            c.execute(
                insert(tables["attempts"]),
                [
                    {
                        "id": attempt_id,
                        "trainee_id": people[name],
                        "scenario_id": played.scenario_id,
                        "seed": played.seed,
                        "lang": played.lang,
                        "mode": mode,
                        "started_at": now(),
                        "finished_at": now() if finished else None,
                        "outcome": played.outcome if finished else None,
                        "score": played.score if finished else None,
                        "rulebook_hash": played.rulebook_hash,
                        "kit_version": played.kit_version,
                    }
                ],
            )
            for k, exchange in enumerate(played.exchanges):
                reply_id = str(uuid.uuid5(uuid.UUID(attempt_id), str(k)))
                values = {
                    "id": reply_id,
                    "attempt_id": attempt_id,
                    "turn_index": k,
                    "turn_id": exchange.turn.id,
                    "text": exchange.reply,
                    "actions": [],
                    "text_only": True,
                    "seconds": exchange.seconds,
                    "late": False,
                    "anger_before": exchange.anger_before,
                    "anger_after": exchange.anger_after,
                    "created_at": now(),
                }
                c.execute(insert(tables["replies"]), [values])
                for rulebook in [played.rulebook_hash] + (["another-rulebook"] if number % 2 == 0 and k == 0 else []):
                    verdicts, score = score_values(reply_id, exchange.score, rulebook)
                    if rulebook != played.rulebook_hash:  # the other rulebook judges every rule the other way
                        verdicts = [{**v, "status": "pass" if v["status"] == "fail" else "fail"} for v in verdicts]
                    c.execute(insert(tables["verdicts"]), verdicts)
                    c.execute(insert(tables["turn_scores"]), [score])
                    if rulebook == played.rulebook_hash and k == 1:
                        override = {"reply_id": reply_id, "rule_id": verdicts[0]["rule_id"], "reason": "по записи", "who": "Т"}
                        c.execute(insert(tables["verdict_overrides"]), [{**override, "status": "n/a", "created_at": now()}])
                        overridden += 1
    engine.dispose()
    return ids, overridden


def test_a_store_at_0004_upgrades_with_each_attempts_sums_and_judges_the_same(db: str, kit: Kit) -> None:
    from dataclasses import replace

    from simkit.content.models import Readiness, Text
    from simkit.store.evidence import overrides

    ids, overridden = _store_at_0004(db, kit)
    policy = Readiness(
        window_days=14,
        min_attempts=2,
        min_score=60,
        min_category_scores={"etiquette": 60, "escalation": 60},
        max_critical_failures=0,
        required_kinds=["discount_demand"],
        count_real_transcripts=False,
        modes=["practice", "assessment", "session"],
        about=Text(ru="Политика для теста", en="A policy for a test"),
    )
    judged = replace(kit, readiness=policy)
    with Store(db) as store:  # opening upgrades it
        with store.engine.connect() as c:
            assert c.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD
        assert _assert_sums_agree(store) == len(ids) == 5
        attempts, found = store.attempts(), overrides(store)
        assert len(found) == overridden >= 2  # one per attempt with a second reply
        moment = now()
        before = {}
        for rulebook in (kit.rulebook_hash, "another-rulebook", "no-such-rulebook"):
            expected = readiness(attempts, judged, now=moment, rulebook=rulebook, overrides=found)
            before[rulebook] = store_readiness(store, judged, now=moment, rulebook=rulebook)
            assert before[rulebook] == expected, rulebook
        assert any(v.verdict != "insufficient_evidence" for v in before[kit.rulebook_hash])
        assert any(v.overridden for v in before[kit.rulebook_hash])
        assert all(set(v.fallback) == set(v.attempts) and v.attempts for v in before["no-such-rulebook"])
        assert before["another-rulebook"] != before[kit.rulebook_hash]  # the re-scored replies count there
        # the same verdicts when every attempt's verdicts are summed again, as before the sums were kept
        with store.engine.begin() as c:
            c.execute(text("UPDATE attempts SET sum_total = NULL"))
        for rulebook, verdicts in before.items():
            assert store_readiness(store, judged, now=moment, rulebook=rulebook) == verdicts, rulebook
