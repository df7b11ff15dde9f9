"""Every problem code has a broken fixture; validation names the code, the file and the line.

A fixture whose codes are all warnings still validates (exit 0): the kit loads, the lines are printed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from simkit.content.problems import CODES, WARNINGS

from .conftest import FIXTURES, CliResult

BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))
LINE = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[a-z-]+) ")


def _header(text: str, key: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(rf"^# {key}: (.+)$", text, re.M)]


def _apply(fixture: Path, kit: Path) -> str:
    """Put the fixture in the kit: as the target's text, padded with comments to ``pad-to-bytes``,
    or in place of the target as a FIFO (``make: fifo``), or by deleting files (``delete``)."""
    text = fixture.read_text(encoding="utf-8")
    (target,) = _header(text, "target")
    for deleted in _header(text, "delete"):
        (kit / deleted).unlink()
    if _header(text, "make") == ["fifo"]:
        (kit / target).unlink()
        os.mkfifo(kit / target)
    elif not _header(text, "delete"):
        for size in _header(text, "pad-to-bytes"):
            padding = int(size) - len(text.encode("utf-8"))
            text += "#" * (padding % 80) + "\n" + ("#" * 79 + "\n") * (padding // 80)
        (kit / target).write_text(text, encoding="utf-8")
    return target


def test_every_code_has_a_fixture() -> None:
    assert {f.stem for f in BROKEN} == set(CODES)


@pytest.mark.parametrize("fixture", BROKEN, ids=[f.stem for f in BROKEN])
def test_fixture_reports_code_file_and_line(fixture: Path, minikit: Path, cli: Callable[..., CliResult]) -> None:
    target = _apply(fixture, minikit)
    expected = {(code, int(line)) for code, line in (e.split() for e in _header(fixture.read_text(encoding="utf-8"), "expect"))}
    code, out, _ = cli("validate", str(minikit), "--no-excerpt")
    only_warnings = all(c in WARNINGS for c, _ in expected)
    assert code == (0 if only_warnings else 1), out
    assert ("ok:" in out) == only_warnings, out
    found = {(m["code"], int(m["line"])) for m in map(LINE.match, out.splitlines()) if m and m["path"] == target}
    assert found == expected, out


def test_minikit_is_clean(minikit: Path, cli: Callable[..., CliResult]) -> None:
    code, out, _ = cli("validate", str(minikit))
    assert code == 0, out
    assert "ok:" in out


def test_excerpt_shows_line_and_caret(minikit: Path, cli: Callable[..., CliResult]) -> None:
    _apply(FIXTURES / "broken" / "unknown-key.yaml", minikit)
    _, out, _ = cli("validate", str(minikit))
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if " unknown-key " in line)
    assert "did you mean" in lines[at] and "allowed:" in lines[at]
    assert lines[at + 1].strip() == "expected: [apology]"
    caret = lines[at + 2]
    assert caret.strip() == "^" and caret.index("^") == lines[at + 1].index("expected")


def test_all_problems_are_reported_not_only_the_first(minikit: Path, cli: Callable[..., CliResult]) -> None:
    for name in ("unknown-role.yaml", "unknown-rule.yaml", "unknown-clause.yaml"):
        _apply(FIXTURES / "broken" / name, minikit)
    code, out, _ = cli("validate", str(minikit), "--no-excerpt")
    codes = {m["code"] for m in map(LINE.match, out.splitlines()) if m}
    assert code == 1
    assert {"unknown-role", "unknown-rule", "unknown-clause"} <= codes
    assert out.rstrip().endswith("3 problems in 3 files")


def test_warnings_are_counted_apart_and_marked(minikit: Path, cli: Callable[..., CliResult]) -> None:
    _apply(FIXTURES / "broken" / "unmet-assumption.yaml", minikit)
    _apply(FIXTURES / "broken" / "unknown-clause.yaml", minikit)
    code, out, _ = cli("validate", str(minikit), "--no-excerpt")
    assert code == 1
    warned = [line for line in out.splitlines() if " unmet-assumption " in line]
    assert warned and all(" unmet-assumption warning: " in line for line in warned), out
    assert " unknown-clause " in out and " unknown-clause warning:" not in out
    assert out.rstrip().endswith("1 problem and 1 warning in 2 files"), out
