"""The compiled-lexicon cache: read when it fits, compiled again when stale, corrupt or unsafe."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from simkit.language.compiled import cache_dir, cached
from simkit.language.detection import Detector
from simkit.language.lexicon import LEXICON_DIR, load_lexicon

DATA = Path(__file__).parent / "data"


class Built:
    """What the builds below make: a value that says how many builds there were."""

    def __init__(self, number: int, payload: str) -> None:
        self.number = number
        self.payload = payload


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("SIMKIT_CACHE_DIR", str(where))
    return where


def _builder(payload: str = "compiled") -> tuple[list[int], Callable[[], Built]]:
    calls: list[int] = []

    def build() -> Built:
        calls.append(1)
        return Built(len(calls), payload)

    return calls, build


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("thing-*.pickle"))


def test_a_second_load_reads_the_file_instead_of_building(folder: Path) -> None:
    calls, build = _builder()
    first = cached("thing", [b"v1"], build, Built)
    again = cached("thing", [b"v1"], build, Built)
    assert len(calls) == 1 and (first.number, again.number, again.payload) == (1, 1, "compiled")
    assert len(_files(folder)) == 1
    assert oct(_files(folder)[0].stat().st_mode & 0o777) == oct(0o600)


def test_changed_inputs_build_again_and_remove_the_stale_file(folder: Path) -> None:
    calls, build = _builder()
    cached("thing", [b"v1"], build, Built)
    old = _files(folder)
    fresh = cached("thing", [b"v2"], build, Built)
    assert len(calls) == 2 and fresh.number == 2
    assert len(_files(folder)) == 1 and _files(folder) != old


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"not a pickle at all"),
        lambda p: p.write_bytes(p.read_bytes()[:40]),  # truncated
        lambda p: p.write_bytes(b""),
        lambda p: p.write_bytes(pickle.dumps({"something": "else"})),  # a pickle of another shape
        lambda p: p.write_bytes(b"\x80\x05\x95" + os.urandom(200)),
    ],
    ids=["garbage", "truncated", "empty", "wrong-type", "random"],
)
def test_a_damaged_file_is_built_again_and_replaced(folder: Path, damage: Callable[[Path], object]) -> None:
    calls, build = _builder()
    cached("thing", [b"v1"], build, Built)
    path = _files(folder)[0]
    damage(path)
    rebuilt = cached("thing", [b"v1"], build, Built)
    assert len(calls) == 2 and rebuilt.number == 2 and rebuilt.payload == "compiled"
    assert cached("thing", [b"v1"], build, Built).number == 2  # the repaired file is read
    assert len(calls) == 2


def test_a_file_others_can_write_is_never_read(folder: Path) -> None:
    _, build = _builder()
    cached("thing", [b"v1"], build, Built)
    path = _files(folder)[0]
    path.chmod(0o666)
    assert cached("thing", [b"v1"], build, Built).number == 2
    assert path.stat().st_mode & 0o022 == 0  # replaced by a private file


def test_no_usable_folder_still_gives_the_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    monkeypatch.setenv("SIMKIT_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    _, build = _builder()
    assert cached("thing", [b"v1"], build, Built).payload == "compiled"
    assert cached("thing", [b"v1"], build, Built).number == 2  # nothing kept, no error
    monkeypatch.setenv("SIMKIT_CACHE_DIR", "")
    assert cache_dir() is None
    assert cached("thing", [b"v1"], build, Built).number == 3


def test_the_default_folder_is_the_users_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SIMKIT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "simkit"


def _replies(lang: str) -> list[tuple[str, str | None]]:
    rows = [json.loads(line) for line in (DATA / f"behaviors.{lang}.extra.jsonl").read_text(encoding="utf-8").splitlines()]
    return [(row["text"], (row.get("context") or {}).get("customer_name")) for row in rows if row["lang"] == lang]


def _found(detector: Detector, replies: list[tuple[str, str | None]]) -> list[object]:
    return [[(f.behavior, f.spans, f.value) for f in detector.detect(text, name)] for text, name in replies]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_lexicon_from_the_cache_detects_what_a_fresh_compile_does(folder: Path, tmp_path: Path, lang: str) -> None:
    lexicons = tmp_path / "lexicons"
    shutil.copytree(LEXICON_DIR, lexicons)
    replies = _replies(lang)
    built = Detector(load_lexicon(lang, lexicons))  # compiled, and written to the cache
    assert len(list(folder.glob(f"lexicon-{lang}-*.pickle"))) == 1
    load_lexicon.cache_clear()
    read = Detector(load_lexicon(lang, lexicons))  # read back from the file
    assert read.lexicon is not built.lexicon
    assert _found(read, replies) == _found(built, replies)


def test_an_edited_lexicon_is_compiled_again(folder: Path, tmp_path: Path) -> None:
    lexicons = tmp_path / "lexicons"
    shutil.copytree(LEXICON_DIR, lexicons)
    text = "Thanks a bunch, Laura."
    load_lexicon.cache_clear()
    before = {f.behavior for f in Detector(load_lexicon("en", lexicons)).detect(text)}
    stale = list(folder.glob("lexicon-en-*.pickle"))
    source = lexicons / "en.yaml"
    content = source.read_text(encoding="utf-8")
    # a new greeting pattern, appended to the greeting's list
    start = content.index("\n  greeting:\n")
    at = content.index("    patterns:\n", start) + len("    patterns:\n")
    source.write_text(content[:at] + "      - =bunch\n" + content[at:], encoding="utf-8")
    load_lexicon.cache_clear()
    after = {f.behavior for f in Detector(load_lexicon("en", lexicons)).detect(text)}
    assert "greeting" not in before and "greeting" in after
    files = list(folder.glob("lexicon-en-*.pickle"))
    assert len(files) == 1 and files != stale


def test_a_corrupt_lexicon_cache_loads_without_a_traceback(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "SIMKIT_CACHE_DIR": str(cache)}
    script = (
        "from simkit.language.detection import detect; "
        "print(sorted(f.behavior for f in detect('Sorry for the wait, Laura.', 'en', 'Laura')))"
    )
    first = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    for path in cache.glob("lexicon-*.pickle"):
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    second = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert second.returncode == 0 and second.stderr == "" and second.stdout == first.stdout
    assert "apology" in first.stdout and "address_by_name" in first.stdout


def test_a_process_that_finds_its_lexicons_cached_never_imports_the_schema_that_checks_them(tmp_path: Path) -> None:
    # pydantic and the content models were a third of the time the lexicons took to load
    env = {**os.environ, "SIMKIT_CACHE_DIR": str(tmp_path / "cache")}
    script = (
        "import sys; from simkit.language.detection import detector; "
        "found = [f.behavior for lang in ('ru', 'en') for f in detector(lang).detect('Идиот. Idiot.')]; "
        "print(sorted(found), sorted(m for m in ('pydantic', 'yaml', 'simkit.content.models', "
        "'simkit.language.sources') if m in sys.modules))"
    )
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True) for _ in range(2)]
    first, second = (run.stdout.strip() for run in runs)
    assert first.startswith("['rude', 'rude']") and "pydantic" in first  # compiled: the files were checked
    assert second == "['rude', 'rude'] []"


def test_the_words_kept_with_a_lexicon_are_those_worked_out_afresh(folder: Path, tmp_path: Path) -> None:
    from simkit.language.lexicon import _words, lexicon_words

    lexicons = tmp_path / "lexicons"
    shutil.copytree(LEXICON_DIR, lexicons)
    load_lexicon("ru", lexicons)  # compiled, and written to the cache
    load_lexicon.cache_clear()
    read = load_lexicon("ru", lexicons)  # read back from the file
    words, prefixes = lexicon_words(read)
    assert (words, prefixes) == _words(read)
    assert "извинить" in words and prefixes  # the digits of "извин1те" are read by these words


def test_the_profanity_lists_come_from_the_cache_as_they_are_in_the_file(folder: Path) -> None:
    from simkit.language.profanity import load_lists, profanity

    profanity.cache_clear()
    try:
        profanity("en")  # read from the file, and written to the cache
        assert len(list(folder.glob("profanity-en-*.pickle"))) == 1
        profanity.cache_clear()
        read = profanity("en")  # read back
        fresh = load_lists("en")
        assert read.forms == tuple(fresh.forms)
        assert read.kind("idiot") == "insult" and read.kind("class") is None
    finally:
        profanity.cache_clear()


def test_the_code_a_cache_depends_on_counts_whether_imported_yet_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    from simkit.language.compiled import source_of

    module = "simkit.content.yamlload"
    file = Path(__file__).parents[1] / "simkit" / "content" / "yamlload.py"
    __import__(module)
    assert source_of(module) == file.read_bytes()
    monkeypatch.delitem(sys.modules, module)
    assert source_of(module) == file.read_bytes()  # not imported: read from where it would be
