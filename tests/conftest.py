"""Shared fixtures: the shipped kit, a minimal kit to break, and an in-process CLI runner."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from simkit.cli.commands import main
from simkit.content.kit import Kit, load_kit

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

CliResult = tuple[int, str, str]


@pytest.fixture(autouse=True)
def own_state_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-user folders (the fallback spool) of the tests' own: a test never flushes a real user's attempts."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.getbasetemp() / "state"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium for the whole run, shared by the browser and the hub tests.

    Defined once, here: Playwright's sync API runs one instance per thread, so a second
    session-wide browser (a fixture of each folder's own) would fail to start beside the first.
    """
    from tests.browser.conftest import launch_chromium

    yield from launch_chromium()


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


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each backend: a SQLite file, or a new PostgreSQL database.

    PostgreSQL comes from the cluster that scripts/test.sh starts with pg_virtualenv (PG* variables).
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 's.db'}"
        return
    if not (os.environ.get("PGHOST") or os.environ.get("PGPORT")):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL must be tested in CI: run the tests through scripts/test.sh (pg_virtualenv)")
        pytest.skip("no PostgreSQL cluster (scripts/test.sh starts one with pg_virtualenv)")
    name = f"simkit_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine("postgresql+psycopg:///postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg:///{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
