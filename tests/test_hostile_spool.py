"""A hostile spool: bad files are quarantined and the rest written once; a save always says where the attempt is.

Issue 12, section 4. The flush runs as ``simkit store flush`` in a child process with a time and
memory limit, so that a file that hangs or exhausts it (a FIFO, a link to /dev/zero) fails the
test instead of the suite.
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from simkit.content.kit import Kit, load_kit
from simkit.engine.dialogue import AttemptResult, play_model, play_through
from simkit.engine.generation import generate
from simkit.store.database import Store
from simkit.store.recorder import Recorder
from simkit.store.spool import QUARANTINE, SPOOL_FILE_LIMIT, NotSaved, flush, save_or_spool, spool, spool_dir, user_spool_dir

from .deadline import within

ROOT = Path(__file__).resolve().parent.parent
MEMORY = 1536 * 2**20  # a flush that reads /dev/zero into memory stops here instead of taking the machine


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _flush_cli(kit: Kit, url: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "SIMKIT_SPOOL"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "simkit", "store", "flush", "--kit", str(kit.root), "--db", url],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        preexec_fn=_limited,
        cwd=ROOT,
        check=False,
    )


@pytest.fixture
def kit_copy(shipped_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Kit:
    monkeypatch.delenv("SIMKIT_SPOOL", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the per-user fallback spool, of this test
    return load_kit(shipped_copy)


def _results(kit: Kit, n: int) -> list[AttemptResult]:
    scenario = kit.scenario("discount-demand-sports-food")
    return [play_model(generate(scenario, seed, "ru" if seed % 2 else "en"), kit) for seed in range(n)]


def _unreachable(db: str, tmp_path: Path) -> str:
    if db.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'gone' / 'simkit.db'}"
    return "postgresql+psycopg://simkit@127.0.0.1:1/simkit?connect_timeout=2"


def _count(url: str) -> int:
    with Store(url) as store:
        return len(store.attempts())


# --- one bad file never stops the flush ------------------------------------------------------------


def _bad_files(folder: Path, good: dict[str, Any], outside: Path) -> dict[str, Path]:
    """Every kind of bad spool file, each named like an attempt that sorts before the good ones."""
    made: dict[str, Path] = {}
    folder.mkdir(parents=True, exist_ok=True)

    def name(kind: str) -> Path:
        path = folder / f"{uuid.UUID(int=len(made) + 1)}.json"
        made[kind] = path
        return path

    def shaped(**changes: Any) -> str:
        record = json.loads(json.dumps(good)) | changes
        return json.dumps(record, ensure_ascii=False)

    encoded = json.dumps(good, ensure_ascii=False).encode("utf-8")
    name("empty").write_bytes(b"")
    name("truncated JSON").write_bytes(encoded[: len(encoded) // 2])
    name("binary garbage").write_bytes(bytes(range(256)) * 8)
    name("invalid UTF-8").write_bytes(encoded.replace("Анна".encode(), b"\xff\xfe\xc3"))
    name("JSON array").write_text("[1, 2, 3]", encoding="utf-8")
    missing = dict(good)
    del missing["replies"]
    name("missing keys").write_text(json.dumps(missing), encoding="utf-8")
    name("wrong type: trainee a number").write_text(shaped(trainee=123), encoding="utf-8")
    reply = good["replies"][0]
    name("wrong type: actions objects").write_text(shaped(replies=[reply | {"actions": [{"id": "x"}]}]), encoding="utf-8")
    name("NaN seconds").write_text(shaped(replies=[reply | {"seconds": math.nan}]), encoding="utf-8")
    name("seed out of range").write_text(shaped(seed=2**70), encoding="utf-8")
    with name("huge file").open("wb") as huge:  # sparse: no disk space, but larger than the cap
        huge.truncate(SPOOL_FILE_LIMIT + 1)
    name("directory").mkdir()
    name("symlink to /dev/zero").symlink_to("/dev/zero")
    name("symlink out of the spool").symlink_to(outside)
    os.mkfifo(name("FIFO"))
    return made


def test_bad_spool_files_are_quarantined_and_every_good_attempt_is_stored_once(db: str, kit_copy: Kit, tmp_path: Path) -> None:
    folder = spool_dir(kit_copy.root)
    results = _results(kit_copy, 3)
    goods = [spool(r, "Анна", "practice", f"ffffffff-ffff-4fff-8fff-{k:012d}", folder, final=True) for k, r in enumerate(results)]
    record = json.loads(goods[0].read_text(encoding="utf-8"))
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(record | {"attempt_id": str(uuid.uuid4())}), encoding="utf-8")
    bad = _bad_files(folder, record, outside)
    kept = folder / f"{uuid.UUID(int=999)}.json"  # well formed, but its scenario is not in this kit
    kept.write_text(json.dumps(record | {"attempt_id": str(uuid.UUID(int=999)), "scenario_id": "left-the-kit"}), encoding="utf-8")

    done = _flush_cli(kit_copy, db)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith("3 spooled attempts written, 1 left")
    assert _count(db) == 3
    quarantine = folder / QUARANTINE
    for kind, path in bad.items():
        stem = path.name.removesuffix(".json")
        assert stem in done.stderr, kind
        (moved,) = [p for p in quarantine.iterdir() if p.name.startswith(stem) and not p.name.endswith(".reason.txt")]
        reason = moved.with_name(moved.name + ".reason.txt").read_text(encoding="utf-8")
        assert stem in reason and len(reason.strip()) > 40, kind
    assert [p.name.split(".")[0] for p in folder.glob("*.json")] == [kept.stem]  # it waits for its scenario
    assert "left-the-kit" in done.stderr
    links = [p for p in quarantine.iterdir() if p.is_symlink()]
    assert len(links) == 2 and outside.is_file()  # the links were moved, not what they point at

    with Store(db) as store:  # once more (in this process: nothing that could hang is left)
        again = flush(store, kit_copy, folder)
    assert (again.written, again.remaining, again.quarantined) == (0, 1, ())
    assert _count(db) == 3


def test_quarantine_reasons_name_what_is_wrong(db: str, kit_copy: Kit, tmp_path: Path) -> None:
    folder = spool_dir(kit_copy.root)
    (result,) = _results(kit_copy, 1)
    record = json.loads(spool(result, "Анна", "practice", result.attempt_id, tmp_path / "elsewhere").read_text(encoding="utf-8"))
    bad = _bad_files(folder, record, tmp_path / "nowhere.json")
    with within(20), Store(db) as store:
        report = flush(store, kit_copy, folder)
    assert (report.written, report.remaining, len(report.quarantined)) == (0, 0, len(bad))
    expected = {
        "empty": "not JSON",
        "truncated JSON": "not JSON",
        "binary garbage": "not UTF-8",
        "invalid UTF-8": "not UTF-8",
        "JSON array": "not a spooled attempt",
        "missing keys": "replies",
        "wrong type: trainee a number": "trainee",
        "wrong type: actions objects": "actions",
        "NaN seconds": "seconds",
        "seed out of range": "seed",
        "huge file": "larger than",
        "directory": "not a regular file",
        "symlink to /dev/zero": "symbolic link",
        "symlink out of the spool": "symbolic link",
        "FIFO": "not a regular file",
    }
    by_stem = {p.split(":")[0].split("/")[-1].split(".")[0]: p for p in report.problems}
    for kind, path in bad.items():
        assert expected[kind] in by_stem[path.stem], (kind, by_stem[path.stem])


def test_spooling_over_a_fifo_or_a_folder_of_its_own_name_still_keeps_the_attempt(kit_copy: Kit, tmp_path: Path) -> None:
    first, second = _results(kit_copy, 2)
    folder = tmp_path / "spool"
    folder.mkdir()
    os.mkfifo(folder / f"{first.attempt_id}.json")
    (folder / f"{second.attempt_id}.json").mkdir()
    with within(10):
        paths = [spool(r, "Анна", "practice", r.attempt_id, folder, final=True) for r in (first, second)]
    for path, result in zip(paths, (first, second), strict=True):
        assert path.is_file() and not path.is_symlink()
        assert json.loads(path.read_text(encoding="utf-8"))["attempt_id"] == result.attempt_id


# --- a save always says where the attempt is ----------------------------------------------------------


def test_save_or_spool_does_not_raise_after_storing_when_a_spooled_file_is_bad(db: str, kit_copy: Kit) -> None:
    first, second = _results(kit_copy, 2)
    folder = spool_dir(kit_copy.root)
    path = spool(first, "Анна", "practice", first.attempt_id, folder, final=True)
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(record | {"trainee": 123}), encoding="utf-8")  # raised AttributeError once stored
    outcome = save_or_spool(second, "Борис", "practice", kit_copy, url=db, final=True)
    assert (outcome.where, outcome.path) == ("stored", None)
    assert any(first.attempt_id in p and "trainee" in p for p in outcome.problems)
    with Store(db) as store:
        assert [a["trainee"] for a in store.attempts()] == ["Борис"]
    assert list(folder.glob("*.json")) == [] and len(list((folder / QUARANTINE).glob("*.json"))) == 1


def _unwritable_spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # a plain file where the spool folder should be: nothing can be written under it, even as root
    blocker = tmp_path / "read-only-share"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("SIMKIT_SPOOL", str(blocker / "spool"))
    return blocker / "spool"


def test_an_unwritable_spool_folder_falls_back_to_the_trainees_own(
    db: str, kit_copy: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _results(kit_copy, 2)
    _unwritable_spool(tmp_path, monkeypatch)
    outcome = save_or_spool(first, "Анна", "practice", kit_copy, url=_unreachable(db, tmp_path), final=True)
    fallback = user_spool_dir(kit_copy.root)
    assert outcome.where == "spooled" and outcome.path is not None and outcome.path.parent == fallback
    assert str(tmp_path / "state") in str(fallback) and outcome.path.is_file()
    assert "cannot" in outcome.reason
    # the next save that reaches the database writes what waits in the fallback too
    assert save_or_spool(second, "Анна", "practice", kit_copy, url=db, final=True).where == "stored"
    assert _count(db) == 2 and list(fallback.glob("*.json")) == []


def test_store_flush_writes_the_fallback_spool_too(
    db: str, kit_copy: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (result,) = _results(kit_copy, 1)
    _unwritable_spool(tmp_path, monkeypatch)
    assert save_or_spool(result, "Анна", "practice", kit_copy, url=_unreachable(db, tmp_path), final=True).where == "spooled"
    monkeypatch.delenv("SIMKIT_SPOOL")
    done = _flush_cli(kit_copy, db, {"XDG_STATE_HOME": str(tmp_path / "state")})
    assert done.returncode == 0 and done.stdout.startswith("1 spooled attempts written, 0 left"), done.stderr
    assert _count(db) == 1


def _unknown_revision(db: str) -> None:
    Store(db).close()
    engine = create_engine(db)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00d_from_a_newer_simkit'"))
    engine.dispose()


def _known_revision(db: str, revision: str) -> None:
    engine = create_engine(db)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
    engine.dispose()


def _revision(db: str) -> str:
    engine = create_engine(db)
    with engine.connect() as connection:
        revision = str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one())
    engine.dispose()
    return revision


def test_an_unknown_migration_revision_spools_the_attempt(db: str, kit_copy: Kit) -> None:
    (result,) = _results(kit_copy, 1)
    Store(db).close()
    head = _revision(db)
    _unknown_revision(db)
    outcome = save_or_spool(result, "Анна", "practice", kit_copy, url=db, final=True)
    assert outcome.where == "spooled" and outcome.path is not None and outcome.path.is_file()
    assert "f00d_from_a_newer_simkit" in outcome.reason
    _known_revision(db, head)  # the database is put right: the spooled attempt is written
    with Store(db) as store:
        assert flush(store, kit_copy, spool_dir(kit_copy.root)).written == 1
    assert _count(db) == 1


def test_nowhere_to_keep_the_attempt_raises_with_the_attempt_in_hand(
    db: str, kit_copy: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (result,) = _results(kit_copy, 1)
    _unwritable_spool(tmp_path, monkeypatch)
    blocked_home = tmp_path / "home-is-a-file"
    blocked_home.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked_home))
    with pytest.raises(NotSaved) as raised:
        save_or_spool(result, "Анна", "practice", kit_copy, url=_unreachable(db, tmp_path), final=True)
    error = raised.value
    assert error.record["attempt_id"] == result.attempt_id
    assert [r["text"] for r in error.record["replies"]] == [e.reply for e in result.exchanges]
    assert result.attempt_id in str(error) and "read-only-share" in str(error) and "home-is-a-file" in str(error)
    # what the app can do with it: write it where the spool will find it, and it is stored from there
    monkeypatch.delenv("SIMKIT_SPOOL")
    folder = spool_dir(kit_copy.root)
    folder.mkdir()
    (folder / f"{result.attempt_id}.json").write_text(error.text, encoding="utf-8")
    with Store(db) as store:
        assert flush(store, kit_copy, folder).written == 1


# --- the recorder (the apps' way to save) -------------------------------------------------------------


def _record_each(recorder: Recorder, kit: Kit) -> Callable[[int], str]:
    def play(seed: int) -> str:
        instance = generate(kit.scenario("discount-demand-sports-food"), seed, "ru")
        result = play_through(instance, [("Здравствуйте! Соединяю вас с начальником отдела.", None)], kit, [7])
        return recorder.record(result, final=True)

    return play


def test_the_recorder_spools_when_the_store_has_an_unknown_revision(db: str, kit_copy: Kit) -> None:
    Store(db).close()
    head = _revision(db)
    _unknown_revision(db)
    with Recorder(kit_copy, "Анна", "practice", url=db) as recorder:
        play = _record_each(recorder, kit_copy)
        assert play(1) == "spooled"
        assert recorder.saved is not None and "f00d_from_a_newer_simkit" in recorder.saved.reason
        assert recorder.folder == spool_dir(kit_copy.root)
        _known_revision(db, head)
        assert play(2) == "stored"  # and the spooled one with it
    assert _count(db) == 2


def test_the_recorder_falls_back_when_the_spool_folder_is_unwritable(
    db: str, kit_copy: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unwritable_spool(tmp_path, monkeypatch)
    with Recorder(kit_copy, "Анна", "practice", url=_unreachable(db, tmp_path)) as recorder:
        assert _record_each(recorder, kit_copy)(1) == "spooled"
        assert recorder.folder == user_spool_dir(kit_copy.root)  # what the app tells the trainee
        assert len(list(recorder.folder.glob("*.json"))) == 1
    with Recorder(kit_copy, "Анна", "practice", url=db) as recorder:
        assert _record_each(recorder, kit_copy)(2) == "stored"
    assert _count(db) == 2


def test_the_recorder_never_raises_after_storing(db: str, kit_copy: Kit) -> None:
    (first,) = _results(kit_copy, 1)
    folder = spool_dir(kit_copy.root)
    path = spool(first, "Анна", "practice", first.attempt_id, folder, final=True)
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(record | {"cohort": 5}), encoding="utf-8")
    with Recorder(kit_copy, "Борис", "practice", url=db) as recorder:
        assert _record_each(recorder, kit_copy)(3) == "stored"
        assert any("cohort" in p for p in recorder.problems)
    assert _count(db) == 1
