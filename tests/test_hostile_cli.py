"""The command line under hostile arguments: a message and a documented exit code, never a traceback.

Every test runs simkit in a child process with a timeout, so a regression that hangs fails instead
of stalling the suite. Arguments that are not UTF-8 are passed as the bytes a shell would pass.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simkit.cli.guard import EXIT_CODES, MAX_WORKERS
from simkit.content.kit import Kit
from simkit.engine.dialogue import play_model
from simkit.engine.generation import generate
from simkit.store.database import Store

from .conftest import ROOT, CliResult

SCENARIO = "discount-demand-sports-food"
DATED = "late-delivery-fridge"  # its date facts count days from --today
EXPECTED = {0, 1, 2}  # every exit code for hostile input: 70 (a defect) never is
BAD = b"\xff\xfe"  # bytes that decode to no text


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SIMKIT_HOME": str(ROOT),
        "SIMKIT_DB_URL": f"sqlite:///{tmp_path / 'h.db'}",
        "SIMKIT_SPOOL": str(tmp_path / "spool"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        **extra,
    }


def _simkit(tmp_path: Path, *args: str | bytes | Path, timeout: float = 60, **kw: Any) -> subprocess.CompletedProcess[bytes]:
    kw.setdefault("stdin", subprocess.DEVNULL)
    kw.setdefault("capture_output", "stdout" not in kw)
    return subprocess.run([sys.executable, "-m", "simkit", *args], cwd=tmp_path, env=_env(tmp_path), timeout=timeout, **kw)


def _clean(done: subprocess.CompletedProcess[bytes], *codes: int) -> str:
    """stderr of a run that ended with one of ``codes`` and a message, not a traceback."""
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode in codes, (done.returncode, err[-1500:])
    assert "Traceback" not in err and "Exception ignored" not in err, err[-1500:]
    if done.returncode:
        assert err.strip(), "an error exit without a message"
    return err


# --- section 6: the cases that printed a traceback ------------------------------------------------------


def test_invalid_utf8_in_a_replies_file_is_located(tmp_path: Path) -> None:
    replies = tmp_path / "replies.yaml"
    replies.write_bytes("- Здравствуйте!\n- text: Пере".encode() + b"\xff\n")
    err = _clean(_simkit(tmp_path, "play", SCENARIO, "--replies", replies, "--lang", "en"), 1)
    assert f"{replies}:2:13:" in err and "not UTF-8" in err and "0xff" in err


def test_invalid_utf8_in_eval_behaviors_input_is_located(tmp_path: Path) -> None:
    labelled = tmp_path / "set.jsonl"
    labelled.write_bytes(b'{"id": "a", "lang": "ru", "text": "ok", "behaviors": []}\n{"text": "\xff"}\n')
    err = _clean(_simkit(tmp_path, "eval-behaviors", labelled), 1)
    assert f"{labelled}:2:11:" in err and "UTF-8" in err


@pytest.mark.parametrize(
    "args",
    [
        ["play", SCENARIO, "--model", "--trainee", BAD],
        ["play", SCENARIO, "--model", "--trainee", "Анна", "--cohort", BAD],
        ["report", BAD],
        ["readiness", "--cohort", BAD],
        ["detect", b"hello " + BAD, "--lang", "en"],
        ["import-transcripts", "x.csv", "--trainee", BAD],
    ],
    ids=["play-trainee", "play-cohort", "report", "readiness-cohort", "detect", "import-trainee"],
)
def test_invalid_utf8_names_on_the_command_line_are_refused(tmp_path: Path, args: list[str | bytes]) -> None:
    err = _clean(_simkit(tmp_path, *args), 2)
    assert "UTF-8" in err and "\\xff\\xfe" in err  # in the command's --lang (Russian by default) or the locale's
    assert not (tmp_path / "h.db").exists()  # refused before anything was stored


def test_a_file_name_of_non_utf8_bytes_is_still_a_file_name(tmp_path: Path) -> None:
    target = os.fsencode(tmp_path) + b"/schemas-" + BAD
    done = _simkit(tmp_path, "schema", "--out", target)
    _clean(done, 0)
    assert os.path.isdir(target) and b"scenario.schema.json" in done.stdout
    assert "\\udcff" in done.stdout.decode("utf-8")  # printed escaped: the output stays UTF-8


@pytest.mark.parametrize("today", ["9999-12-31", "0001-01-01", "3000-01-01", "1899-12-31"])
def test_today_past_the_supported_dates_is_refused(tmp_path: Path, today: str) -> None:
    err = _clean(_simkit(tmp_path, "generate", DATED, "--today", today), 2)
    assert "1900-01-01" in err and "2999-12-31" in err
    err = _clean(_simkit(tmp_path, "demo-data", "--today", today, "--trainees", "1"), 2)
    assert "2999-12-31" in err


def test_today_at_the_supported_ends_generates(tmp_path: Path) -> None:
    for today in ("2999-12-31", "1900-01-01"):
        done = _simkit(tmp_path, "generate", DATED, "--today", today, "--json")
        _clean(done, 0)
        assert json.loads(done.stdout)["scenario_id"] == DATED


@pytest.mark.parametrize(
    "command",
    [
        "generate {s} --count 2000 --json | head -c 100",
        "generate {s} --count 300 | head -1",
        "list | head -1",
        "detect 'Здравствуйте, извините' --lang ru | head -c 1",
        "play {s} --model --lang en | head -c 20",
    ],
)
def test_a_broken_pipe_ends_quietly(tmp_path: Path, command: str) -> None:
    line = f"'{sys.executable}' -m simkit " + command.format(s=SCENARIO)
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", line], cwd=tmp_path, env=_env(tmp_path), capture_output=True, timeout=60
    )
    assert done.returncode in (0, 141), done.stderr  # 0 when the whole output fit in the pipe
    said = done.stderr.decode().strip().splitlines()
    assert said in ([], ["Nothing is stored: add --trainee NAME (and --cohort GROUP) to keep the attempt as evidence."])


@pytest.mark.parametrize(
    "args",
    [["list"], ["generate", SCENARIO, "--count", "3", "--json"], ["validate", str(ROOT)], ["schema", "--out", "."]],
    ids=["list", "generate", "validate", "schema"],
)
def test_writing_the_output_to_dev_full(tmp_path: Path, args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        err = _clean(_simkit(tmp_path, *args, stdout=full, stderr=subprocess.PIPE), 1)
    assert "No space left on device" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["readiness", "--format", "csv", "--out", "/dev/full"],
        ["readiness", "--format", "xlsx", "--out", "/dev/full"],
        ["report", "Анна", "--out", "/dev/full"],
    ],
    ids=["csv", "xlsx", "html"],
)
def test_writing_a_file_to_dev_full(tmp_path: Path, kit: Kit, args: list[str]) -> None:
    with Store(_env(tmp_path)["SIMKIT_DB_URL"]) as store:
        store.save_attempt(play_model(generate(kit.scenario(SCENARIO), 1, "ru"), kit), "Анна", "practice")
    err = _clean(_simkit(tmp_path, *args), 1)
    assert "cannot write /dev/full" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("where", ["/dev/full", "FILE/below", "/proc/simkit-schemas"])
def test_schema_out_to_an_unwritable_place(tmp_path: Path, where: str) -> None:
    (tmp_path / "FILE").write_text("a file, not a folder", encoding="utf-8")
    err = _clean(_simkit(tmp_path, "schema", "--out", where), 1)
    assert "simkit schema: cannot write" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("workers", ["0", "-1", str(MAX_WORKERS + 1), "two", "9" * 5000])
def test_rescore_refuses_workers_out_of_range(tmp_path: Path, workers: str) -> None:
    err = _clean(_simkit(tmp_path, "rescore", "--workers", workers), 2)
    assert "--workers" in err
    assert not (tmp_path / "h.db").exists()  # refused before the store was opened


def test_replies_from_a_pipe_are_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    # nobody writes to the pipe: a plain open would wait forever, and the timeout would fail the test
    err = _clean(_simkit(tmp_path, "play", SCENARIO, "--replies", fifo, "--lang", "en", timeout=30), 2)
    assert "not a regular file" in err and "pipe" in err


def test_replies_from_devices_and_folders_are_refused(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    for path, kind in (("/dev/zero", "device"), (link, "device"), (tmp_path, "folder")):
        code, _, err = cli("play", SCENARIO, "--replies", str(path), "--lang", "en", "--kit", str(ROOT))
        assert code == 2 and "not a regular file" in err and kind in err and "Traceback" not in err


def test_a_replies_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    from simkit.cli.reading import REPLIES_LIMIT

    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(50 * REPLIES_LIMIT)  # sparse: 50 MiB that cost no disk
    limit = 200 * 1024 * 1024

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit + 600 * 1024 * 1024, limit + 600 * 1024 * 1024))

    done = subprocess.run(
        [sys.executable, "-m", "simkit", "play", SCENARIO, "--replies", str(big), "--lang", "en"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        timeout=60,
        preexec_fn=bounded,
    )
    err = _clean(done, 1)
    assert "larger than" in err and str(REPLIES_LIMIT) in err


# --- names starting with '-' ------------------------------------------------------------------------------


@pytest.fixture
def dashed_store(tmp_path: Path, kit: Kit) -> Path:
    with Store(_env(tmp_path)["SIMKIT_DB_URL"]) as store:
        store.save_attempt(play_model(generate(kit.scenario(SCENARIO), 1, "ru"), kit), "-Boris", "practice")
    return tmp_path


def test_report_takes_a_name_starting_with_a_dash(dashed_store: Path, cli: Callable[..., CliResult]) -> None:
    common = ("--lang", "en", "--db", _env(dashed_store)["SIMKIT_DB_URL"], "--kit", str(ROOT))
    for args in (["--", "-Boris"], ["--trainee=-Boris"]):
        page = dashed_store / "boris.html"
        code, out, err = cli("report", "--out", str(page), *common, *args)
        assert code == 0, err
        assert out.strip() == str(page) and "-Boris" in page.read_text(encoding="utf-8")
        page.unlink()


def test_a_name_starting_with_a_dash_taken_for_an_option_says_how(dashed_store: Path) -> None:
    err = _clean(_simkit(dashed_store, "report", "-Boris"), 2)
    assert "simkit report -- -Boris" in err and "--option=VALUE" in err  # says how
    err = _clean(_simkit(dashed_store, "report", "Boris", "--trainee=-Boris", "--lang", "en"), 2)
    assert "once" in err


# --- generate --count streams ------------------------------------------------------------------------------

_PEAK = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
assert done.returncode == 0, done.stderr.decode()
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _peak_kib(tmp_path: Path, count: int) -> int:
    """The peak resident memory of ``simkit generate --count COUNT --json``, measured alone in a fresh parent."""
    argv = [sys.executable, "-m", "simkit", "generate", SCENARIO, "--count", str(count), "--json"]
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *argv], cwd=tmp_path, env=_env(tmp_path), capture_output=True, timeout=120, check=True
    )
    return int(done.stdout)


def test_generate_count_json_streams_in_flat_memory(tmp_path: Path) -> None:
    small, large = _peak_kib(tmp_path, 10), _peak_kib(tmp_path, 3000)
    # each instance is ~6 KB of JSON and ~30 KB of objects: holding 3000 of them costs 60 MB and more
    assert large - small < 20 * 1024, (small, large)


def test_generate_count_json_is_a_list_of_every_variant(tmp_path: Path, kit: Kit) -> None:
    done = _simkit(tmp_path, "generate", SCENARIO, "--count", "40", "--seed", "5", "--lang", "en", "--json")
    _clean(done, 0)
    data = json.loads(done.stdout)
    expected = [generate(kit.scenario(SCENARIO), seed, "en").model_dump(mode="json") for seed in range(5, 45)]
    assert data == expected
    assert done.stdout.count(b"\n") == 42  # '[', one line per variant, ']'


# --- the exit codes are documented -------------------------------------------------------------------------


def test_help_documents_every_exit_code(tmp_path: Path) -> None:
    done = _simkit(tmp_path, "--help")
    _clean(done, 0)
    text = done.stdout.decode()
    assert "exit codes:" in text
    listed = {int(line.split()[0]) for line in text.split("exit codes:")[1].splitlines() if line[:6].strip().isdigit()}
    assert listed == set(EXIT_CODES)


def test_an_unexpected_error_is_one_line_with_its_own_code(tmp_path: Path) -> None:
    # a defect, simulated: a command that fails in a way no handler maps
    code = (
        "import sys, simkit.cli.commands as c\n"
        "def broken(args): raise RuntimeError('boom')\n"
        "c._COMMANDS['list'] = broken\n"
        "sys.exit(c.main(['list']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_env(tmp_path), capture_output=True, timeout=60)
    err = done.stderr.decode()
    assert done.returncode == 70 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "RuntimeError: boom" in err and "SIMKIT_TRACEBACK" in err
    env = _env(tmp_path, SIMKIT_TRACEBACK="1")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, timeout=60)
    assert done.returncode == 1 and b"Traceback" in done.stderr  # asked for: the traceback shows where


# --- every subcommand, hostile arguments -------------------------------------------------------------------

ESC = "\x1b]0;owned\x07\x1b[2J"
VT = "a\x0bb"
UNDECODABLE = os.fsdecode(BAD)  # what Python makes of bytes that are not UTF-8 in argv
HUGE = "9" * 5000
HOSTILE_TEXT = [ESC + VT, UNDECODABLE, "-x", " ", HUGE]
HOSTILE_NUMBERS = ["-1", "0", HUGE, UNDECODABLE]
FULL = "/dev/full"
S = SCENARIO

CASES: dict[str, list[list[str]]] = {
    "validate": [[t] for t in HOSTILE_TEXT] + [["--kit", t] for t in (ESC, UNDECODABLE, "/dev/zero")],
    "generate": [[t] for t in HOSTILE_TEXT]
    + [[S, "--seed", n] for n in HOSTILE_NUMBERS]
    + [[S, "--count", n] for n in HOSTILE_NUMBERS]
    + [[DATED, "--today", d] for d in ("9999-12-31", "0001-01-01", "x", UNDECODABLE)]
    + [[S, "--lang", ESC], [S, "--kit", "/dev/zero"]],
    "list": [["--kit", t] for t in (ESC, UNDECODABLE, "/dev/null")] + [["--lang", ESC]],
    "detect": [[t, "--lang", "ru"] for t in HOSTILE_TEXT]
    + [["привет", "--lang", "ru", "--name", t] for t in (ESC, UNDECODABLE, HUGE)]
    + [[ESC, "--lang", "en", "--json"]],
    "score": [[S, t] for t in HOSTILE_TEXT]
    + [[t, "hello"] for t in (ESC, UNDECODABLE, "-x")]
    + [[S, "hello", "--turn", t] for t in (ESC, UNDECODABLE)]
    + [[S, "hello", "--action", t] for t in (ESC, UNDECODABLE, "offer_discount:" + HUGE, "route_department:" + ESC)]
    + [[S, "hello", "--anger", n] for n in HOSTILE_NUMBERS]
    + [[S, "hello", "--seed", n] for n in HOSTILE_NUMBERS]
    + [[S, ESC, "--json"]],
    "play": [[S, "--model", "--trainee", t] for t in HOSTILE_TEXT]
    + [[S, "--model", "--trainee", "Анна", "--cohort", t] for t in (ESC, UNDECODABLE, HUGE)]
    + [[S, "--replies", t] for t in ("/dev/zero", "/dev/null", "/", ESC, UNDECODABLE)]
    + [[S, "--model", "--trainee", "t", "--db", t] for t in (ESC, UNDECODABLE, "sqlite:////dev/full/x.db", "nonsense://x")]
    + [[S], [S, "--seed", HUGE, "--model"]],
    "rescore": [["--workers", n] for n in HOSTILE_NUMBERS]
    + [["--since", t] for t in (ESC, UNDECODABLE, "9999-12-31", "0001-01-01", HUGE)]
    + [["--db", t] for t in (ESC, UNDECODABLE, "nonsense://x")],
    "readiness": [["--cohort", t] for t in (ESC, UNDECODABLE, "-x", HUGE)]
    + [["--format", f, "--out", FULL] for f in ("xlsx", "csv", "html", "json")]
    + [["--rulebook", t] for t in (ESC, UNDECODABLE)]
    + [["--db", t] for t in (ESC, "nonsense://x")],
    "report": [[t] for t in HOSTILE_TEXT]
    + [["--trainee=" + t] for t in (ESC, UNDECODABLE, "-x")]
    + [["--", "-x"], ["Анна", "--out", FULL], ["Анна", "--out", "/proc/x/y.html"], ["--db", ESC, "Анна"]],
    "import-transcripts": [[t, "--trainee", "Анна"] for t in (ESC, UNDECODABLE, "/dev/zero", "/")]
    + [["CSV", "--trainee", t] for t in (ESC, UNDECODABLE, "", HUGE)]
    + [["CSV", "--trainee", "Анна", "--role", t] for t in (ESC, UNDECODABLE)]
    + [["CSV", "--trainee", "Анна", "--lang", ESC]],
    "demo-data": [["--trainees", n] for n in HOSTILE_NUMBERS]
    + [["--today", d] for d in ("9999-12-31", "0001-01-01", UNDECODABLE)]
    + [["--seed", n] for n in HOSTILE_NUMBERS if n != "0"]  # seed 0 is a seed: it would fill 30 trainees
    + [["--db", t] for t in (ESC, UNDECODABLE)],
    "store": [[t] for t in (ESC, UNDECODABLE, "-x")] + [["flush", "--db", t] for t in (ESC, UNDECODABLE, "nonsense://x")],
    "eval-behaviors": [[t] for t in (ESC, UNDECODABLE, "/dev/zero", "/", "CSV", "-x")],
    "schema": [["--out", t] for t in (FULL, "/proc/x", ESC)] + [["--kit", t] for t in (ESC, "/dev/zero")],
}

_DRIVER = """
import io, json, sys, traceback
from simkit.cli.commands import main

cases, out_path, err_path = json.load(sys.stdin), sys.argv[1], sys.argv[2]
results = []
for argv in cases:
    # as a terminal's: stdout strict UTF-8, stderr escaping what it cannot encode (Python's own stderr does)
    out = open(out_path, "w", encoding="utf-8")
    err = open(err_path, "w", encoding="utf-8", errors="backslashreplace")
    with out, err:
        sys.stdout, sys.stderr, sys.stdin = out, err, io.StringIO("")
        try:
            code = main(argv)
        except BaseException:  # anything that escapes main would be a traceback on a terminal
            code = None
            traceback.print_exc(file=err)
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    with open(out_path, encoding="utf-8", errors="replace") as out, open(err_path, encoding="utf-8", errors="replace") as err:
        printed, said = out.read(), err.read()
    raw = any(c in printed + said for c in "\x1b\x07\x0b")  # a control character that a terminal would obey
    results.append({"argv": argv, "code": code, "err": said[-1500:], "raw": raw})
print(json.dumps(results))
"""


CHUNK = 8  # cases per child process: each loads the kit, so a test stays within a few seconds
CHUNKS = [(command, k // CHUNK + 1) for command in sorted(CASES) for k in range(0, len(CASES[command]), CHUNK)]


@pytest.mark.parametrize(("command", "chunk"), CHUNKS, ids=[f"{c}-{k}" for c, k in CHUNKS])
def test_every_subcommand_with_hostile_arguments(command: str, chunk: int, tmp_path: Path) -> None:
    transcript = tmp_path / "t.csv"
    transcript.write_text(
        "conversation_id,timestamp,speaker,text\n"
        f'"=HYPERLINK(""x"")",2025-03-01T10:00:00+00:00,customer,"{ESC} где заказ?"\n'
        '"=HYPERLINK(""x"")",2025-03-01T10:01:00+00:00,agent,Здравствуйте! Сейчас проверю.\n',
        encoding="utf-8",
    )
    chosen = CASES[command][(chunk - 1) * CHUNK : chunk * CHUNK]
    cases = [[command, *(str(transcript) if a == "CSV" else a for a in argv)] for argv in chosen]
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(tmp_path / "out"), str(tmp_path / "err")],
        input=json.dumps(cases).encode(),
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    results = json.loads(done.stdout)
    assert len(results) == len(cases)
    failures = [
        f"{r['argv']!r} -> {r['code']}: {r['err'][-600:]}"
        for r in results
        if r["code"] not in EXPECTED or "Traceback" in r["err"] or (r["code"] and not r["err"].strip()) or r["raw"]
    ]
    assert not failures, "\n".join(failures)
