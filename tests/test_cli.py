"""The command line's exit codes and messages."""

from __future__ import annotations

import io
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import simkit.cli.play
from simkit.content.kit import Kit
from simkit.content.problems import CODES
from simkit.content.schema import schemas
from simkit.engine.dialogue import play_model
from simkit.engine.generation import generate
from simkit.store.database import Store

from .conftest import ROOT, CliResult


def test_shipped_kit_validates(cli: Callable[..., CliResult]) -> None:
    code, out, _ = cli("validate", str(ROOT))
    assert code == 0, out
    assert " ok: " in out and "rules" in out


def test_usage_errors_exit_2(cli: Callable[..., CliResult]) -> None:
    assert cli("frobnicate")[0] == 2
    assert cli("generate")[0] == 2
    assert cli("generate", "discount-demand-sports-food", "--lang", "de", "--kit", str(ROOT))[0] == 2
    assert cli("generate", "discount-demand-sports-food", "--count", "0", "--kit", str(ROOT))[0] == 2
    code, _, err = cli("generate", "no-such-scenario", "--kit", str(ROOT))
    assert code == 2 and "unknown scenario 'no-such-scenario'" in err
    assert cli()[0] == 2


def test_no_kit_found_exits_2(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    code, _, err = cli("validate", str(tmp_path))
    assert code == 2 and "no kit found" in err


def test_generate_on_broken_content_exits_1_with_located_problems(cli: Callable[..., CliResult], shipped_copy: Path) -> None:
    file = shipped_copy / "scenarios" / "discount_demand_sports_food.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace("difficulty: 2", "difficulty: hard"), encoding="utf-8")
    code, _, err = cli("generate", "discount-demand-sports-food", "--kit", str(shipped_copy))
    assert code == 1
    assert "scenarios/discount_demand_sports_food.yaml:" in err and "wrong-type" in err
    assert "Traceback" not in err


def test_codes_are_listed(cli: Callable[..., CliResult]) -> None:
    code, out, _ = cli("validate", "--codes")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(CODES)


def test_list_shows_every_scenario(cli: Callable[..., CliResult]) -> None:
    code, out, _ = cli("list", "--kit", str(ROOT), "--lang", "en")
    assert code == 0
    ids = {line.split()[0] for line in out.splitlines()}
    assert ids == {p.stem.replace("_", "-") for p in (ROOT / "scenarios").glob("*.yaml")}


def test_committed_schemas_are_current() -> None:
    for name, text in schemas().items():
        assert (ROOT / "schemas" / name).read_text(encoding="utf-8") == text, f"run 'simkit schema' ({name} is stale)"


def test_schema_command_writes_valid_json(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    code, _, _ = cli("schema", "--out", str(tmp_path))
    assert code == 0
    scenario = json.loads((tmp_path / "scenario.schema.json").read_text(encoding="utf-8"))
    assert "turns" in scenario["properties"] and scenario["additionalProperties"] is False
    rules = json.loads((tmp_path / "rules.schema.json").read_text(encoding="utf-8"))
    assert "apology" in json.dumps(rules)  # behaviour ids are offered as completions


def test_version(cli: Callable[..., CliResult]) -> None:
    code, out, _ = cli("--version")
    assert code == 0 and out.startswith("simkit ")


# --- validate --kit, as the README writes it ----------------------------------------------------------


def test_validate_takes_the_kit_as_an_option_too(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    code, out, _ = cli("validate", "--kit", str(ROOT))
    assert code == 0 and " ok: " in out
    code, _, err = cli("validate", str(ROOT), "--kit", str(tmp_path))
    assert code == 2 and "two kit folders" in err


# --- play stores the attempt under a trainee -----------------------------------------------------------


SCENARIO = "discount-demand-sports-food"


@pytest.fixture
def own_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The default store and spool of this test alone (what play uses without --db)."""
    url = f"sqlite:///{tmp_path / 'default.db'}"
    monkeypatch.setenv("SIMKIT_DB_URL", url)
    monkeypatch.setenv("SIMKIT_SPOOL", str(tmp_path / "spool"))
    return url


def _stored(url: str) -> list[dict[str, Any]]:
    with Store(url) as store:
        return store.attempts()


def test_play_with_a_trainee_stores_every_reply_before_its_feedback(
    cli: Callable[..., CliResult], own_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    show = simkit.cli.play._show_feedback

    def feedback_after_the_store(console: Any, exchange: Any, lang: str) -> None:
        # the real feedback, preceded by a look at the store: the reply must be there already
        (attempt,) = _stored(own_store)
        seen.append(len(attempt["replies"]))
        show(console, exchange, lang)

    monkeypatch.setattr(simkit.cli.play, "_show_feedback", feedback_after_the_store)
    typed = "Hello, Mr Smith! Let me put you through to the head of the department.\n2\nI understand.\n2 4:1\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    code, out, err = cli("play", SCENARIO, "--seed", "3", "--lang", "en", "--trainee", "Анна Петрова", "--cohort", "2026-11-A")
    assert code == 0, err
    assert seen == [1, 2]  # stored with one reply before the first feedback, with two before the second
    (attempt,) = _stored(own_store)
    assert (attempt["trainee"], attempt["cohort"], attempt["mode"]) == ("Анна Петрова", "2026-11-A", "practice")
    assert attempt["finished_at"] and len(attempt["replies"]) == 2  # input ended: stored as abandoned
    assert attempt["replies"][1]["actions"] == [{"id": "escalate_supervisor"}, {"id": "promise_callback", "hours": 1.0}]
    assert "Scorecard" in out and err.strip() == "Stored as evidence for Анна Петрова (practice)."


def test_assessment_play_keeps_the_scores_for_the_end(
    cli: Callable[..., CliResult], own_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Good afternoon! Let me connect you with the head of the department.\n2\n"))
    code, out, _ = cli("play", SCENARIO, "--lang", "en", "--trainee", "Борис", "--mode", "assessment")
    assert code == 0
    assert out.index("Reply score") > out.index("Scorecard")  # no score before the scorecard
    (attempt,) = _stored(own_store)
    assert attempt["mode"] == "assessment" and attempt["trainee"] == "Борис"


@pytest.mark.parametrize("how", [["--model"], ["--model", "--json"], ["--replies", "REPLIES"]])
def test_scripted_play_stores_the_attempt_once(cli: Callable[..., CliResult], db: str, tmp_path: Path, how: list[str]) -> None:
    replies = tmp_path / "replies.yaml"
    replies.write_text("- Здравствуйте! Переключаю вас на начальника отдела.\n", encoding="utf-8")
    args = [str(replies) if a == "REPLIES" else a for a in how]
    code, out, err = cli("play", SCENARIO, "--seed", "2", *args, "--trainee", "Вера", "--db", db, "--kit", str(ROOT))
    assert code == 0, err
    if "--json" in how:
        assert json.loads(out)["seed"] == 2  # stdout holds the JSON alone; the store's word goes to stderr
    assert "Вера" in err
    (attempt,) = _stored(db)
    assert attempt["finished_at"] and attempt["trainee"] == "Вера"
    assert len(attempt["replies"]) == (1 if "--replies" in how else 3)
    if "--replies" in how:
        assert attempt["outcome"] == "lost"  # the replies ran out before the end: abandoned


def test_play_without_a_trainee_says_nothing_is_stored(cli: Callable[..., CliResult], own_store: str, tmp_path: Path) -> None:
    code, out, err = cli("play", SCENARIO, "--model", "--lang", "ru")
    assert code == 0 and "Итоги попытки" in out
    assert err.count("\n") == 1 and "Ничего не сохраняется" in err and "--trainee" in err
    assert not (tmp_path / "default.db").exists()
    code, _, err = cli("play", SCENARIO, "--model", "--lang", "en")
    assert err.strip() == "Nothing is stored: add --trainee NAME (and --cohort GROUP) to keep the attempt as evidence."
    for option in (["--cohort", "A"], ["--mode", "assessment"], ["--db", "sqlite:///x.db"]):
        code, _, err = cli("play", SCENARIO, "--model", *option)
        assert code == 2 and "--trainee" in err
    code, _, err = cli("play", SCENARIO, "--model", "--trainee", "   ")
    assert code == 2 and "empty" in err


def test_play_spools_when_the_database_cannot_be_reached(cli: Callable[..., CliResult], own_store: str, tmp_path: Path) -> None:
    gone = f"sqlite:///{tmp_path / 'gone' / 's.db'}"
    code, _, err = cli("play", SCENARIO, "--model", "--lang", "en", "--trainee", "Глеб", "--db", gone, "--kit", str(ROOT))
    assert code == 0 and "did not take the attempt (" in err and str(tmp_path / "spool") in err
    assert "unable to open database file" in err  # the reason, as the database gave it
    assert len(list((tmp_path / "spool").glob("*.json"))) == 1
    code, out, _ = cli("store", "flush", "--db", own_store, "--kit", str(ROOT))
    assert code == 0 and out.startswith("1 spooled attempts written, 0 left")
    assert [a["trainee"] for a in _stored(own_store)] == ["Глеб"]


def test_a_missing_replies_file_is_a_usage_error(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    code, _, err = cli("play", SCENARIO, "--replies", str(missing), "--kit", str(ROOT))
    assert code == 2 and f"no such file: {missing}" in err
    code, _, err = cli("play", SCENARIO, "--replies", str(tmp_path), "--kit", str(ROOT), "--lang", "en")
    assert code == 2 and "is a folder, not a regular file" in err  # a folder is no file either


# --- readiness with nothing to judge ---------------------------------------------------------------


def test_readiness_says_when_there_is_nothing_to_judge(cli: Callable[..., CliResult], kit: Kit, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    code, out, err = cli("readiness", "--db", url, "--kit", str(ROOT), "--lang", "en")
    assert (code, out) == (1, "") and "holds no attempts yet" in err and "--trainee" in err
    code, _, err = cli("readiness", "--db", url, "--kit", str(ROOT))
    assert code == 1 and "нет ни одной попытки" in err
    with Store(url) as store:
        store.save_attempt(play_model(generate(kit.scenario(SCENARIO), 1, "ru"), kit), "Анна", "practice", cohort="2026-11-A")
        store.save_attempt(play_model(generate(kit.scenario(SCENARIO), 2, "ru"), kit), "Борис", "practice", cohort="2026-11-B")
    code, out, err = cli("readiness", "--cohort", "2026-12", "--format", "json", "--db", url, "--kit", str(ROOT), "--lang", "en")
    assert (code, out) == (1, "") and "'2026-12'" in err and "2026-11-A, 2026-11-B" in err
    code, out, _ = cli("readiness", "--cohort", "2026-11-B", "--format", "json", "--db", url, "--kit", str(ROOT))
    assert code == 0 and [v["trainee"] for v in json.loads(out)] == ["Борис"]


# --- Ctrl-C and a reader that goes away --------------------------------------------------------------


def _simkit(*args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen[bytes]:
    # Ctrl-C as a terminal delivers it: a test run started in the background by a shell (``tests &``)
    # ignores SIGINT, and a child would inherit that and never see the interrupt
    return subprocess.Popen(
        [sys.executable, "-m", "simkit", *args], cwd=ROOT, env=env, preexec_fn=_default_interrupt, **kw
    )


def _default_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_output_cut_short_by_its_reader_ends_quietly() -> None:
    process = _simkit("list", "--kit", str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before a line is written, as `| head -1` leaves it
    err = process.stderr.read().decode()
    assert process.wait(60) == 141 and err == ""


def test_a_pipe_into_head_prints_no_traceback() -> None:
    command = f"'{sys.executable}' -m simkit generate {SCENARIO} --count 300 --json | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout == "[\n" and done.stderr == ""
    assert done.returncode == 141


def _read_until(process: subprocess.Popen[bytes], marker: bytes, seconds: float = 60) -> bytes:
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + seconds
    while marker not in seen:
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no {marker!r} in time; seen: {seen.decode(errors='replace')[-500:]}"
        chunk = os.read(process.stdout.fileno(), 65536)
        assert chunk, f"output ended before {marker!r}: {seen.decode(errors='replace')[-500:]}"
        seen += chunk
    return seen


@pytest.mark.parametrize("replies", [0, 1])
def test_ctrl_c_in_play_ends_with_one_line_and_keeps_what_was_answered(tmp_path: Path, replies: int) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    env = {**os.environ, "SIMKIT_DB_URL": url, "SIMKIT_SPOOL": str(tmp_path / "spool")}
    process = _simkit(
        "play",
        SCENARIO,
        "--lang",
        "en",
        "--trainee",
        "Дина",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None and process.stderr is not None
    _read_until(process, b"You> ")
    for _ in range(replies):
        process.stdin.write(b"Hello! Let me put you through to the head of the department.\n2\n")
        process.stdin.flush()
        _read_until(process, b"You> ")  # waiting on the next reply
    process.send_signal(signal.SIGINT)
    assert process.wait(60) == 130
    err = process.stderr.read().decode()
    assert err.strip() == "simkit: interrupted" and "Traceback" not in err
    stored = _stored(url) if (tmp_path / "p.db").exists() else []
    if replies:
        (attempt,) = stored
        assert (attempt["outcome"], len(attempt["replies"])) == ("lost", 1) and attempt["finished_at"]
    else:
        assert stored == []
