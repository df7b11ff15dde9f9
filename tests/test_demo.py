"""Demo data: simulated trainees played through the real engine into a real store, on both backends."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from simkit.cli.demo import CURT, GIVE_IN, RUDE, DemoReport, fill, plan_trainees
from simkit.content.kit import Kit
from simkit.language.detection import detect
from simkit.store.database import Store

from .conftest import ROOT, CliResult

TODAY = date(2026, 3, 20)  # the demo days are 17, 18 and 19 March
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def _fill(url: str, kit: Kit, trainees: int, seed: int) -> tuple[DemoReport, list[dict[str, Any]]]:
    with Store(url) as store:
        report = fill(store, kit, trainees, seed, TODAY)
        return report, store.attempts()


def _snapshot(attempts: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    # instants, not strings: PostgreSQL may hand back another UTC offset than SQLite
    return sorted(
        (
            a["id"],
            a["trainee"],
            a["cohort"],
            a["scenario_id"],
            a["seed"],
            a["lang"],
            a["mode"],
            a["session"],
            datetime.fromisoformat(a["started_at"]),
            a["outcome"],
            a["score"],
            tuple((r["reply"], r["actions"], r["seconds"], r["score"]) for r in a["replies"]),
        )
        for a in attempts
    )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def test_a_cohort_looks_like_real_trainees(db: str, kit: Kit) -> None:
    report, attempts = _fill(db, kit, 12, 2)
    people = {p.name: p for p in plan_trainees(12, 2, date(2026, 3, 17))}
    assert report.trainees == 12 and report.attempts == report.new == len(attempts) > 12 * 3
    assert report.replies == sum(len(a["replies"]) for a in attempts)
    assert {a["trainee"] for a in attempts} == set(people)
    assert {a["cohort"] for a in attempts} == {"2026-03-A", "2026-03-B"}
    # strong trainees reach ready, weak ones do not, and the one who joined on the last day lacks evidence
    assert report.verdicts["ready"] >= 1 and report.verdicts["not_ready"] >= 1
    assert report.verdicts["insufficient_evidence"] == sum(p.late for p in people.values()) == 1
    assert sum(report.verdicts.values()) == 12

    days = {datetime.fromisoformat(a["started_at"]).astimezone(UTC).date() for a in attempts}
    assert days == {date(2026, 3, 17), date(2026, 3, 18), date(2026, 3, 19)}
    assert {a["mode"] for a in attempts} == {"practice", "session", "assessment"}
    assert all(a["session"] for a in attempts if a["mode"] == "session")
    assert {a["outcome"] for a in attempts} >= {"resolved", "escalated", "lost"}

    median = sorted(p.skill for p in people.values())[6]
    strong = [a["score"] for a in attempts if people[a["trainee"]].skill >= median]
    weak = [a["score"] for a in attempts if people[a["trainee"]].skill < median]
    assert _mean(strong) > _mean(weak) + 5

    def on(day: int) -> list[float]:
        return [a["score"] for a in attempts if datetime.fromisoformat(a["started_at"]).astimezone(UTC).day == day]

    assert _mean(on(19)) > _mean(on(17))

    for a in attempts:  # every reply is in its attempt's language
        for r in a["replies"]:
            assert bool(CYRILLIC.search(r["reply"])) == (a["lang"] == "ru"), (a["lang"], r["reply"])
    assert {a["lang"] for a in attempts} == {"ru", "en"}


def test_the_same_seed_gives_the_same_data_and_stores_it_once(db: str, kit: Kit, tmp_path: Path) -> None:
    first, stored = _fill(db, kit, 5, 7)
    again, restored = _fill(db, kit, 5, 7)
    assert again.new == 0 and first.new == first.attempts
    assert (again.attempts, again.replies, again.verdicts) == (first.attempts, first.replies, first.verdicts)
    assert _snapshot(restored) == _snapshot(stored)
    # a fresh SQLite file holds exactly the same attempts, replies and scores
    elsewhere, fresh = _fill(f"sqlite:///{tmp_path / 'other.db'}", kit, 5, 7)
    assert elsewhere.new == first.new
    assert _snapshot(fresh) == _snapshot(stored)
    _, other_seed = _fill(f"sqlite:///{tmp_path / 'seed8.db'}", kit, 5, 8)
    assert _snapshot(other_seed) != _snapshot(stored)


def test_every_slip_is_detected_as_meant() -> None:
    for lang in ("ru", "en"):
        for phrase in CURT[lang]:
            shown = {f.behavior for f in detect(phrase, lang)}
            assert shown & {"dismissive", "calm_down_command", "blame_customer"}, (lang, phrase)
        for phrase in RUDE[lang]:
            assert "rude" in {f.behavior for f in detect(phrase, lang)}, (lang, phrase)
        found = [f for f in detect(GIVE_IN[lang].format(percent=15), lang) if f.behavior == "offer_discount"]
        assert found and found[0].value == 15


def test_trainees_have_unique_names_and_a_spread_of_skills() -> None:
    people = plan_trainees(500, 1, TODAY)
    assert len({p.name for p in people}) == 500
    assert plan_trainees(30, 1, TODAY) == plan_trainees(30, 1, TODAY)
    few = plan_trainees(8, 3, TODAY)
    assert min(p.skill for p in few) < 0.5 < 0.8 < max(p.skill for p in few)
    assert all(p.skill_on(3) > p.skill_on(1) for p in few)
    with pytest.raises(ValueError, match="at least one trainee"):
        plan_trainees(0, 1, TODAY)


def test_cli_fills_and_summarises(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    args = ("demo-data", "--trainees", "3", "--seed", "4", "--today", "2026-03-20", "--db", url, "--kit", str(ROOT))
    code, out, err = cli(*args)
    assert code == 0, err
    assert re.search(r"demo data \(seed 4\): 3 trainees, (\d+) attempts \(\1 new, 0 stored before\), \d+ replies", out), out
    assert re.search(r"readiness: \d ready, \d not_ready, \d insufficient_evidence", out), out
    code, out, _ = cli(*args)
    assert code == 0 and "(0 new, " in out


@pytest.mark.parametrize("count", ["0", "-2"])
def test_cli_refuses_too_few_trainees(cli: Callable[..., CliResult], tmp_path: Path, count: str) -> None:
    code, out, err = cli("demo-data", "--trainees", count, "--db", f"sqlite:///{tmp_path / 'x.db'}", "--kit", str(ROOT))
    assert code == 2 and out == ""
    assert f"--trainees: {count} is out of range: from 1 to" in err
    assert not (tmp_path / "x.db").exists()  # refused before the store was opened


def test_cli_refuses_a_bad_date(cli: Callable[..., CliResult]) -> None:
    code, _, err = cli("demo-data", "--today", "20.03.2026")
    assert code == 2 and "--today" in err
