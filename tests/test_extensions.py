"""The modules setup.py compiles (pyproject.toml, [tool.simkit] compiled) run compiled where they
were built, find exactly what their sources find, and never run older than their sources."""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from simkit.language.freshness import is_compiled, stale_extensions

ROOT = Path(__file__).resolve().parents[1]
COMPILED = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["simkit"]["compiled"]
MODULES = [path.removesuffix(".py").replace("/", ".") for path in COMPILED]
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]

# Whether this checkout was built with its extensions: CI always builds them (scripts/setup.sh),
# so there a missing extension fails; elsewhere (no C compiler) the tests that need them skip.
BUILT = all((ROOT / path.replace(".py", SUFFIX)).exists() for path in COMPILED)
needs_build = pytest.mark.skipif(not BUILT and not os.environ.get("CI"), reason="extensions not built here (scripts/setup.sh)")

# Every labelled file in both languages, and every scenario's turns answered well, not at all and
# rudely: the compiled modules must find and score exactly what the sources do.
READ_ALL = r"""
import glob, hashlib, json, sys
import simkit
from simkit.language import detection, matcher
from simkit.language.freshness import is_compiled
digest, n = hashlib.sha256(), 0
for name in sorted(glob.glob(sys.argv[1] + "/*.jsonl")):
    for line in open(name, encoding="utf-8"):
        row = json.loads(line) if line.strip() else {}
        if row.get("lang") not in ("ru", "en"):
            continue
        who = (row.get("context") or {}).get("customer_name")
        found = [(f.behavior, f.spans, f.value) for f in simkit.detect(row["text"], row["lang"], customer_name=who)]
        digest.update(repr((found, simkit.politeness(row["text"], row["lang"]))).encode())
        n += 1
from simkit import generate, load_kit, score_reply
from simkit.engine import scoring
kit = load_kit(sys.argv[2])
for sid in sorted(kit.scenarios):  # every turn scored: the model reply, a non-answer, and a rude one
    for lang, nothing, rude in (("ru", "ок", " Сами виноваты, не орите."), ("en", "ok", " Your own fault, stop shouting.")):
        instance = generate(kit.scenarios[sid], 1, lang)
        for turn in instance.turns:
            for text in (turn.model_reply, nothing, turn.model_reply + rude):
                digest.update(repr(score_reply(instance, turn.id, text, kit=kit)).encode())
                n += 1
compiled = [is_compiled(detection), is_compiled(matcher), is_compiled(scoring)]
print(json.dumps({"compiled": compiled, "replies": n, "digest": digest.hexdigest()}))
"""


def _run(code: str, *args: str, path: Path | None = None, cache: Path) -> dict:
    env = {**os.environ, "SIMKIT_CACHE_DIR": str(cache)}
    if path is not None:
        env["PYTHONPATH"] = str(path)
    command = [sys.executable, "-c", code, *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=path or ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


@needs_build
def test_every_listed_module_runs_compiled() -> None:
    for name in MODULES:
        assert is_compiled(importlib.import_module(name)), f"{name} runs from its source: scripts/setup.sh builds it"


@needs_build
def test_compiled_modules_find_and_score_what_their_sources_do(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "simkit", sources / "simkit", ignore=shutil.ignore_patterns(f"*{SUFFIX}", "*.c", "__pycache__"))
    data = str(ROOT / "tests" / "data")
    compiled = _run(READ_ALL, data, str(ROOT), cache=tmp_path / "cache-compiled")
    plain = _run(READ_ALL, data, str(ROOT), path=sources, cache=tmp_path / "cache-plain")
    assert compiled["compiled"] == [True, True, True] and plain["compiled"] == [False, False, False]
    assert compiled["replies"] == plain["replies"] > 15_000
    assert compiled["digest"] == plain["digest"]


@needs_build
def test_an_extension_older_than_its_source_is_passed_over(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "simkit", tmp_path / "simkit", ignore=shutil.ignore_patterns("__pycache__"))
    folder = tmp_path / "simkit" / "language"
    built = (folder / f"matcher{SUFFIX}").stat().st_mtime
    for source in folder.glob("*.py"):  # as a checkout leaves them: older than what was built from them
        os.utime(source, (built - 60, built - 60))
    edited = folder / "matcher.py"
    os.utime(edited, (built + 60, built + 60))  # an edit, or a pull, since the build
    where = r"""
import json
from simkit.language import matcher, tokens
print(json.dumps({"from_source": [matcher.__file__.endswith(".py"), tokens.__file__.endswith(".py")]}))
"""
    assert _run(where, path=tmp_path, cache=tmp_path / "cache")["from_source"] == [True, False]


def test_stale_extensions_are_those_older_than_their_source(tmp_path: Path) -> None:
    for name, source_age, built_age in (("fresh", 100, 50), ("stale", 50, 100), ("alone", None, 10)):
        if source_age is not None:
            (tmp_path / f"{name}.py").write_text("")
            os.utime(tmp_path / f"{name}.py", (1_000_000 - source_age,) * 2)
        (tmp_path / f"{name}{SUFFIX}").write_bytes(b"")
        os.utime(tmp_path / f"{name}{SUFFIX}", (1_000_000 - built_age,) * 2)
    assert stale_extensions("pkg", [str(tmp_path)]) == {"pkg.stale": tmp_path / "stale.py"}
