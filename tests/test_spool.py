"""No lost evidence: an attempt that cannot reach the database is spooled and later written once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from simkit.content.kit import Kit, load_kit
from simkit.engine.dialogue import AttemptResult, play_model, play_through
from simkit.engine.generation import generate
from simkit.store.database import Store
from simkit.store.spool import save_or_spool, spool_dir

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
    assert save_or_spool(first, "Анна", "practice", kit_copy, url=_unreachable(db, tmp_path)) == "spooled"
    assert save_or_spool(second, "Анна", "practice", kit_copy, url=db) == "stored"
    assert list(spool_dir(kit_copy.root).glob("*.json")) == []
    with Store(db) as store:
        assert len(store.attempts("Анна")) == 2


def test_store_flush_cli(cli: Callable[..., CliResult], tmp_path: Path, kit_copy: Kit) -> None:
    (result,) = _attempts(kit_copy, 1)
    assert save_or_spool(result, "Анна", "assessment", kit_copy, url=f"sqlite:///{tmp_path / 'gone' / 's.db'}") == "spooled"
    url = f"sqlite:///{tmp_path / 'here.db'}"
    code, out, _ = cli("store", "flush", "--db", url, "--kit", str(kit_copy.root))
    assert code == 0 and out.startswith("1 spooled attempts written, 0 left")
    with Store(url) as store:
        (attempt,) = store.attempts()
    assert attempt["mode"] == "assessment" and attempt["trainee"] == "Анна"
