"""Corrupting any shipped content file makes validation fail, naming that file and line."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ROOT, CliResult

FILES = sorted(p.relative_to(ROOT).as_posix() for folder in ("rulebook", "scenarios") for p in (ROOT / folder).rglob("*.yaml"))
LINE = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[a-z-]+) ")


def _found(out: str) -> set[tuple[str, int, str]]:
    return {(m["path"], int(m["line"]), m["code"]) for m in map(LINE.match, out.splitlines()) if m}


def _dangling(rel: str, text: str) -> tuple[str, str, str]:
    """A replacement that leaves a reference dangling, and the code it must produce."""
    if rel.startswith("scenarios/"):
        old = re.search(r"^role: \S+$", text, re.M)
        assert old
        return old.group(0), "role: no_such_role", "unknown-role"
    if rel.startswith("rulebook/rules/"):
        old = re.search(r"^(\s+source: )(\S+)$", text, re.M)
        assert old
        return old.group(0), old.group(1) + "no-such-job#I.1", "unknown-job"
    if rel.startswith("rulebook/jobs/"):
        old = re.search(r"^id: \S+$", text, re.M)
        assert old
        return old.group(0), "id: renamed-job", "id-mismatch"
    if rel == "rulebook/roles.yaml":
        old = re.search(r"^(\s+jobs: \[)", text, re.M)
        assert old
        return old.group(0), old.group(1) + "no-such-job, ", "unknown-job"
    if rel == "rulebook/mood.yaml":
        old = re.search(r"^behaviors:\n", text, re.M)
        assert old
        return old.group(0), "behaviors:\n  no_such_behavior: 1\n", "unknown-behavior"
    old = re.search(r"^required_kinds: \[", text, re.M)
    if old:
        return old.group(0), "required_kinds: [no_such_kind, ", "bad-value"
    old = re.search(r"^required_kinds:\n", text, re.M)
    assert old, rel
    return old.group(0), "required_kinds:\n  - no_such_kind\n", "bad-value"


@pytest.mark.parametrize("rel", FILES)
def test_syntax_error_is_located(rel: str, shipped_copy: Path, cli: Callable[..., CliResult]) -> None:
    file = shipped_copy / rel
    lines = file.read_text(encoding="utf-8").splitlines()
    lines.append("broken: [unclosed")
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = cli("validate", str(shipped_copy), "--no-excerpt")
    assert code == 1
    assert any(p == rel and c == "syntax" and line >= len(lines) for p, line, c in _found(out)), out


@pytest.mark.parametrize("rel", FILES)
def test_unknown_key_is_located(rel: str, shipped_copy: Path, cli: Callable[..., CliResult]) -> None:
    file = shipped_copy / rel
    lines = file.read_text(encoding="utf-8").splitlines()
    lines.insert(1, "bogus_key: 1")
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = cli("validate", str(shipped_copy), "--no-excerpt")
    assert code == 1
    assert (rel, 2, "unknown-key") in _found(out), out
    assert "'bogus_key'" in out


@pytest.mark.parametrize("rel", FILES)
def test_dangling_reference_is_located(rel: str, shipped_copy: Path, cli: Callable[..., CliResult]) -> None:
    file = shipped_copy / rel
    text = file.read_text(encoding="utf-8")
    old, new, expected = _dangling(rel, text)
    # the reference sits on the line of the replaced text, or the line after when it adds a line
    line = text[: text.index(old)].count("\n") + 1 + new.count("\n") - old.count("\n")
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, _ = cli("validate", str(shipped_copy), "--no-excerpt")
    assert code == 1
    hits = [(p, n) for p, n, c in _found(out) if p == rel and c == expected]
    assert hits, out
    assert hits[0][1] == line, out
