"""The command line's exit codes and messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from simkit.content.problems import CODES
from simkit.content.schema import schemas

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
