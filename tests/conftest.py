"""Shared fixtures: the shipped kit, a minimal kit to break, and an in-process CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from simkit.cli import main
from simkit.kit import Kit, load_kit

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

CliResult = tuple[int, str, str]


@pytest.fixture(scope="session")
def kit() -> Kit:
    """The kit shipped in this repository."""
    return load_kit(ROOT)


@pytest.fixture
def minikit(tmp_path: Path) -> Path:
    """A fresh copy of the minimal valid kit, safe to break."""
    target = tmp_path / "kit"
    shutil.copytree(FIXTURES / "minikit", target)
    return target


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    """A fresh copy of the shipped kit's content, safe to break."""
    target = tmp_path / "kit"
    for folder in ("rulebook", "scenarios", "schemas"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``simkit ARGS`` in-process; returns (exit code, stdout, stderr)."""

    def run(*argv: str) -> CliResult:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
