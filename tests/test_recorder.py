"""The recorder: every reply stored before its feedback, each attempt once, spooled while the database is away."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from simkit.content.kit import Kit, load_kit
from simkit.engine.dialogue import AttemptResult, Dialogue, StepClock
from simkit.engine.generation import generate
from simkit.reports.readiness import store_readiness
from simkit.store.database import Store, StoreError
from simkit.store.recorder import Recorder
from simkit.store.spool import spool_dir


@pytest.fixture(autouse=True)
def own_spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A spool folder of the test's own: a recorder flushes what it finds there."""
    monkeypatch.setenv("SIMKIT_SPOOL", str(tmp_path / "spool"))
    return tmp_path / "spool"


@pytest.fixture
def kit_copy(shipped_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Kit:
    monkeypatch.delenv("SIMKIT_SPOOL", raising=False)
    return load_kit(shipped_copy)


def _dialogue(kit: Kit, seed: int = 1, first_turn: str | None = None) -> Dialogue:
    instance = generate(kit.scenario("late-delivery-fridge"), seed, "ru")
    return Dialogue(instance, kit, StepClock([5, 9, 11, 14]), first_turn=first_turn)


def _answer(dialogue: Dialogue) -> AttemptResult:
    turn = dialogue.turn
    assert turn is not None
    dialogue.reply(turn.model_reply, list(turn.model_actions))
    return dialogue.result()


def test_each_reply_is_stored_as_it_comes_and_the_attempt_once(db: str, kit: Kit) -> None:
    dialogue = _dialogue(kit)
    seen: list[tuple[int, str | None]] = []
    with Recorder(kit, "Анна Петрова", "practice", cohort="2026-11-A", url=db) as recorder, Store(db) as store:
        while dialogue.turn is not None:
            result = _answer(dialogue)
            assert recorder.record(result) == "stored"
            assert recorder.record(result) == "stored"  # a double click on Send
            stored = store.attempt(result.attempt_id)  # in the store before any feedback would show
            seen.append((len(stored["replies"]), stored["finished_at"]))
        (attempt,) = store.attempts()
    assert [n for n, _ in seen] == list(range(1, len(result.exchanges) + 1))
    assert [f is None for _, f in seen] == [True] * (len(seen) - 1) + [False]
    assert (attempt["trainee"], attempt["cohort"], attempt["mode"]) == ("Анна Петрова", "2026-11-A", "practice")
    assert (attempt["outcome"], attempt["score"]) == (result.outcome, result.score)
    assert [r["reply"] for r in attempt["replies"]] == [e.reply for e in result.exchanges]


def test_an_abandoned_attempt_is_finished_as_lost(db: str, kit: Kit) -> None:
    dialogue = _dialogue(kit, 2)
    with Recorder(kit, "Анна", "assessment", url=db) as recorder:
        first = _answer(dialogue)
        recorder.record(first)
        assert recorder.record(first, final=True) == "stored"  # the trainee closed the notebook
        recorder.record(_answer(dialogue))  # nothing more is taken once it is finished
    with Store(db) as store:
        attempt = store.attempt(first.attempt_id)
    assert (attempt["outcome"], attempt["score"], len(attempt["replies"])) == ("lost", first.score, 1)


def test_callbacks_racing_on_one_recorder_store_the_attempt_once(db: str, kit: Kit) -> None:
    dialogue = _dialogue(kit, 3)
    snapshots = []
    while dialogue.turn is not None:
        snapshots.append(_answer(dialogue))
    racers = [snapshots[-1]] * 3 + snapshots * 2
    errors: list[BaseException] = []
    outcomes: list[str] = []
    barrier = threading.Barrier(len(racers))
    with Recorder(kit, "Борис", "practice", url=db) as recorder:

        def click(result: AttemptResult) -> None:
            try:
                barrier.wait(10)
                outcomes.append(recorder.record(result))
            except BaseException as exc:  # asserted empty below
                errors.append(exc)

        threads = [threading.Thread(target=click, args=(r,)) for r in racers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == [] and outcomes == ["stored"] * len(racers)
    with Store(db) as store:
        (attempt,) = store.attempts()
    assert len(attempt["replies"]) == len(snapshots) and attempt["finished_at"]
    assert attempt["outcome"] == snapshots[-1].outcome


def test_two_recorders_of_two_apps_store_the_same_attempt_once(db: str, kit: Kit) -> None:
    dialogue = _dialogue(kit, 4)
    first = _answer(dialogue)
    with Recorder(kit, "Вера", "practice", url=db) as one, Recorder(kit, "Вера", "practice", url=db) as two:
        assert one.record(first) == two.record(first) == "stored"
        last = first
        while dialogue.turn is not None:
            last = _answer(dialogue)
        assert two.record(last) == one.record(last) == "stored"
    with Store(db) as store:
        (attempt,) = store.attempts()
    assert len(attempt["replies"]) == len(last.exchanges) and attempt["finished_at"]


def test_an_unreachable_database_spools_and_the_next_success_flushes_it(tmp_path: Path, kit_copy: Kit) -> None:
    share = tmp_path / "share"  # not there yet: the database cannot be opened
    url = f"sqlite:///{share / 'simkit.db'}"
    recorder = Recorder(kit_copy, "Анна", "practice", cohort="C-3", url=url)
    dialogue = _dialogue(kit_copy, 5)
    assert recorder.record(_answer(dialogue)) == "spooled"
    assert recorder.record(_answer(dialogue)) == "spooled"
    (file,) = spool_dir(kit_copy.root).glob("*.json")
    assert file.stem == dialogue.attempt_id
    share.mkdir()
    result = _answer(dialogue)
    assert recorder.record(result) == "stored"
    assert list(spool_dir(kit_copy.root).glob("*.json")) == []
    recorder.close()
    with Store(url) as store:
        (attempt,) = store.attempts()
    assert (attempt["id"], attempt["cohort"], len(attempt["replies"])) == (result.attempt_id, "C-3", 3)


def test_spooled_attempts_of_an_earlier_run_are_flushed_by_the_first_success(tmp_path: Path, kit_copy: Kit) -> None:
    url = f"sqlite:///{tmp_path / 'here.db'}"
    earlier = _answer(_dialogue(kit_copy, 6))
    away = Recorder(kit_copy, "Глеб", "practice", url=f"sqlite:///{tmp_path / 'gone' / 's.db'}")
    assert away.record(earlier, final=True) == "spooled"
    with Recorder(kit_copy, "Анна", "practice", url=url) as recorder:
        assert recorder.record(_answer(_dialogue(kit_copy, 7))) == "stored"
        assert recorder.problems == ()
    with Store(url) as store:
        assert sorted(a["trainee"] for a in store.attempts()) == ["Анна", "Глеб"]
        assert store.attempt(earlier.attempt_id)["outcome"] == "lost"


def test_drills_are_recorded_in_their_own_mode_and_do_not_count_for_readiness(db: str, kit: Kit) -> None:
    with Recorder(kit, "Дина", "drill", url=db) as recorder:
        for seed in (1, 2, 3):
            drill = _dialogue(kit, seed, first_turn="exact_time")  # one turn of the script, judged at once
            result = _answer(drill)
            assert recorder.record(result, final=True) == "stored"
    with Store(db) as store:
        attempts = store.attempts("Дина")
        (verdict,) = store_readiness(store, kit)
    assert [a["mode"] for a in attempts] == ["drill"] * 3
    assert all(len(a["replies"]) == 1 and a["replies"][0]["turn"] == "exact_time" and a["finished_at"] for a in attempts)
    counted = next(r for r in verdict.reasons if r.requirement == "min_attempts")
    assert (verdict.trainee, counted.figure, verdict.verdict) == ("Дина", 0, "insufficient_evidence")


def test_what_is_not_an_outage_is_said_at_once(db: str, kit: Kit, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unknown mode"):
        Recorder(kit, "Анна", "homework", url=db)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="empty"):
        Recorder(kit, "   ", "practice", url=db)
    result = _answer(_dialogue(kit))
    with Recorder(kit, "Анна", "session", session="NOPE42", url=db) as recorder:
        with pytest.raises(StoreError, match="join code"):
            recorder.record(result)
        with pytest.raises(StoreError, match="attempt id"):
            recorder.record(dataclasses.replace(result, attempt_id=""))
    assert list(spool_dir(kit.root).glob(f"{result.attempt_id}*.json")) == []  # refused, not spooled
