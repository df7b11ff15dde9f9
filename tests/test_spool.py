"""No lost evidence: an attempt that cannot reach the database is spooled and later written once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simkit.content.kit import Kit, load_kit
from simkit.engine.dialogue import AttemptResult, Dialogue, StepClock, play_model, play_through
from simkit.engine.generation import generate
from simkit.store.database import Store, StoreError
from simkit.store.spool import FlushReport, flush, save_or_spool, spool, spool_dir

from .conftest import CliResult


def _unreachable(db: str, tmp_path: Path) -> str:
    """A URL of the same backend that cannot be reached: a missing folder, or a closed port."""
    if db.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'gone' / 'simkit.db'}"
    return "postgresql+psycopg://simkit@127.0.0.1:1/simkit?connect_timeout=2"


def _attempts(kit: Kit, n: int) -> list[AttemptResult]:
    scenario = kit.scenario("discount-demand-sports-food")
    out = []
    for seed in range(n):
        instance = generate(scenario, seed, "ru" if seed % 2 else "en")
        if seed % 3 == 0:  # some typed with text only, some with actions, some the model's
            out.append(play_through(instance, [("Здравствуйте! Соединяю вас с начальником отдела.", None)], kit, [7]))
        else:
            out.append(play_model(instance, kit))
    return out


@pytest.fixture
def kit_copy(shipped_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Kit:
    monkeypatch.delenv("SIMKIT_SPOOL", raising=False)
    return load_kit(shipped_copy)


def test_the_next_successful_save_flushes_the_spool(db: str, tmp_path: Path, kit_copy: Kit) -> None:
    first, second = _attempts(kit_copy, 2)
    assert save_or_spool(first, "Анна", "practice", kit_copy, url=_unreachable(db, tmp_path)).where == "spooled"
    assert save_or_spool(second, "Анна", "practice", kit_copy, url=db).where == "stored"
    assert list(spool_dir(kit_copy.root).glob("*.json")) == []
    with Store(db) as store:
        assert len(store.attempts("Анна")) == 2


def test_store_flush_cli(cli: Callable[..., CliResult], tmp_path: Path, kit_copy: Kit) -> None:
    (result,) = _attempts(kit_copy, 1)
    assert save_or_spool(result, "Анна", "assessment", kit_copy, url=f"sqlite:///{tmp_path / 'gone' / 's.db'}").where == "spooled"
    url = f"sqlite:///{tmp_path / 'here.db'}"
    code, out, _ = cli("store", "flush", "--db", url, "--kit", str(kit_copy.root))
    assert code == 0 and out.startswith("1 spooled attempts written, 0 left")
    with Store(url) as store:
        (attempt,) = store.attempts()
    assert attempt["mode"] == "assessment" and attempt["trainee"] == "Анна"


def _snapshots(kit: Kit, seed: int = 5, first_turn: str | None = None) -> list[AttemptResult]:
    """One dialogue's result after each reply (model replies), as an app records them."""
    instance = generate(kit.scenario("discount-demand-sports-food"), seed, "ru")
    dialogue = Dialogue(instance, kit, StepClock([4, 8, 15]), first_turn=first_turn)
    out = []
    while (turn := dialogue.turn) is not None:
        dialogue.reply(turn.model_reply, list(turn.model_actions))
        out.append(dialogue.result())
    return out


def _record(file: Path) -> dict[str, Any]:
    return dict(json.loads(file.read_text(encoding="utf-8")))


def test_a_later_spool_of_the_same_attempt_replaces_its_file(tmp_path: Path, kit_copy: Kit) -> None:
    first, second, last = _snapshots(kit_copy)
    folder = tmp_path / "spool"
    path = spool(first, "Анна", "practice", first.attempt_id, folder, cohort="A-1")
    assert path.name == f"{first.attempt_id}.json"
    spool(second, "Анна", "practice", second.attempt_id, folder, cohort="A-1")
    spool(first, "Анна", "practice", first.attempt_id, folder, cohort="A-1")  # a late, shorter snapshot
    assert list(folder.glob("*.json")) == [path]
    record = _record(path)
    assert [r["text"] for r in record["replies"]] == [e.reply for e in second.exchanges]
    assert (record["cohort"], record["final"], record["first_turn"]) == ("A-1", False, None)
    spool(last, "Анна", "practice", last.attempt_id, folder, final=True)
    assert len(_record(path)["replies"]) == 3 and _record(path)["final"] is True
    with pytest.raises(StoreError, match="not a UUID"):
        spool(first, "Анна", "practice", "../../etc/passwd", folder)


def test_flush_replays_an_open_attempt_under_its_own_id_then_its_end(db: str, tmp_path: Path, kit_copy: Kit) -> None:
    first, second, last = _snapshots(kit_copy)
    folder = tmp_path / "spool"
    spool(second, "Анна", "practice", second.attempt_id, folder, cohort="A-1")
    with Store(db) as store:
        assert flush(store, kit_copy, folder) == FlushReport(1, 0)
        stored = store.attempt(second.attempt_id)
        assert (stored["finished_at"], stored["cohort"], len(stored["replies"])) == (None, "A-1", 2)
        assert [r["seconds"] for r in stored["replies"]] == [4, 8]
        spool(last, "Анна", "practice", last.attempt_id, folder, cohort="A-1")
        spool(first, "Анна", "practice", first.attempt_id, tmp_path / "other")
        flush(store, kit_copy, folder)
        flush(store, kit_copy, tmp_path / "other")  # the older snapshot adds nothing
        stored = store.attempt(last.attempt_id)
        assert (stored["outcome"], stored["score"], len(stored["replies"])) == (last.outcome, last.score, 3)
        assert [r["score"] for r in stored["replies"]] == [e.score.score for e in last.exchanges]
        assert len(store.attempts()) == 1


def test_an_abandoned_attempt_is_spooled_as_final(db: str, tmp_path: Path, kit_copy: Kit) -> None:
    first, *_ = _snapshots(kit_copy)
    assert save_or_spool(first, "Анна", "practice", kit_copy, url=_unreachable(db, tmp_path), final=True).where == "spooled"
    (path,) = spool_dir(kit_copy.root).glob("*.json")
    assert path.stem == first.attempt_id and _record(path)["final"] is True
    with Store(db) as store:
        flush(store, kit_copy, spool_dir(kit_copy.root))
        stored = store.attempt(first.attempt_id)
    assert (stored["outcome"], stored["score"], len(stored["replies"])) == ("lost", first.score, 1) and stored["finished_at"]


def test_a_dialogue_begun_at_a_later_turn_is_replayed_from_that_turn(db: str, tmp_path: Path, kit_copy: Kit) -> None:
    snapshots = _snapshots(kit_copy, seed=6, first_turn="pushback")
    result = snapshots[0]
    assert result.first_turn == "pushback" and result.exchanges[0].turn.id == "pushback"
    folder = tmp_path / "spool"
    assert _record(spool(result, "Анна", "drill", result.attempt_id, folder, final=True))["first_turn"] == "pushback"
    with Store(db) as store:
        assert flush(store, kit_copy, folder).written == 1
        stored = store.attempt(result.attempt_id)
    assert [r["turn"] for r in stored["replies"]] == ["pushback"]
    assert stored["replies"][0]["score"] == result.exchanges[0].score.score and stored["mode"] == "drill"


def test_save_or_spool_twice_stores_the_attempt_once_under_its_own_id(db: str, kit_copy: Kit) -> None:
    first, _, last = _snapshots(kit_copy)
    assert save_or_spool(first, "Анна", "practice", kit_copy, url=db, cohort="B-2").where == "stored"
    assert save_or_spool(last, "Анна", "practice", kit_copy, url=db).where == "stored"
    assert save_or_spool(last, "Анна", "practice", kit_copy, url=db).where == "stored"
    with Store(db) as store:
        (attempt,) = store.attempts()
    assert (attempt["id"], attempt["cohort"], len(attempt["replies"])) == (last.attempt_id, "B-2", 3)
    assert attempt["outcome"] == last.outcome and attempt["finished_at"]


def test_a_spooled_file_that_cannot_be_replayed_stays_and_is_reported(db: str, tmp_path: Path, kit_copy: Kit) -> None:
    good, bad = _attempts(kit_copy, 2)
    folder = tmp_path / "spool"
    spool(good, "Анна", "practice", good.attempt_id, folder, final=True)
    broken = spool(bad, "Борис", "practice", bad.attempt_id, folder, final=True)
    broken.write_text(broken.read_text(encoding="utf-8").replace(bad.scenario_id, "scenario-since-removed"), encoding="utf-8")
    garbled = folder / f"{uuid.uuid4()}.json"
    garbled.write_text("{not json", encoding="utf-8")
    with Store(db) as store:
        report = flush(store, kit_copy, folder)
        assert [a["trainee"] for a in store.attempts()] == ["Анна"]
    # the one whose scenario left the kit waits for it; the one that is not JSON is set aside
    assert (report.written, report.remaining, len(report.problems), len(report.quarantined)) == (1, 1, 2, 1)
    assert any("scenario-since-removed" in p and "stays" in p for p in report.problems)
    assert report.quarantined[0].parent == folder / "quarantine" and report.quarantined[0].name.startswith(garbled.stem)


def test_a_file_claimed_by_a_flush_that_crashed_is_flushed_later(db: str, tmp_path: Path, kit_copy: Kit) -> None:
    (result,) = _attempts(kit_copy, 1)
    folder = tmp_path / "spool"
    path = spool(result, "Анна", "practice", result.attempt_id, folder, final=True)
    path.rename(folder / f"{result.attempt_id}.0badf00d.json")  # renamed, then the process died
    spool(result, "Анна", "practice", result.attempt_id, folder, final=True)  # and the app spooled it again
    with Store(db) as store:
        assert flush(store, kit_copy, folder) == FlushReport(2, 0)
        (attempt,) = store.attempts()
    assert attempt["id"] == result.attempt_id and attempt["finished_at"]
