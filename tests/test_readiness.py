"""Readiness: each verdict and each reason, from real attempts stored in a real database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from simkit.content.kit import Kit, load_kit
from simkit.content.models import Readiness, Text
from simkit.engine.dialogue import AttemptResult, play_model, play_through
from simkit.engine.generation import generate
from simkit.reports.readiness import TraineeReadiness, judge, readiness, store_readiness
from simkit.store.database import AttemptHeader, Store
from simkit.store.rescore import rescore

from .conftest import CliResult
from .test_rescore import _change_a_rule

POLICY = Readiness(
    window_days=14,
    min_attempts=3,
    min_score=80,
    min_category_scores={"etiquette": 80, "escalation": 80},
    max_critical_failures=0,
    required_kinds=["discount_demand", "late_delivery"],
    count_real_transcripts=False,
    modes=["practice", "assessment"],
    about=Text(ru="Политика для тестов", en="A policy for tests"),
)
RUDE = "Успокойтесь. Вы сами виноваты, надо было читать договор. Вы вообще слушаете?"


def _model(kit: Kit, scenario: str, seed: int) -> AttemptResult:
    return play_model(generate(kit.scenario(scenario), seed, "ru"), kit)


def _rude(kit: Kit, scenario: str) -> AttemptResult:
    return play_through(generate(kit.scenario(scenario), 1, "ru"), [(RUDE, None)] * 6, kit)


def _stored(tmp_path: Path, kit: Kit, plays: list[tuple[str, AttemptResult, str]]) -> list[dict]:  # type: ignore[type-arg]
    with Store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        for trainee, result, mode in plays:
            store.save_attempt(result, trainee, mode)
        return store.attempts()


def _reason(verdict: TraineeReadiness, requirement: str) -> tuple:  # type: ignore[type-arg]
    r = next(r for r in verdict.reasons if r.requirement == requirement)
    return r.figure, r.threshold, r.met, r.evidence


def test_ready_when_every_requirement_is_met(tmp_path: Path, kit: Kit) -> None:
    plays = [("Анна", _model(kit, "discount-demand-sports-food", s), "practice") for s in (1, 2)]
    plays.append(("Анна", _model(kit, "late-delivery-fridge", 1), "assessment"))
    attempts = _stored(tmp_path, kit, plays)
    verdict = judge(POLICY, kit, "Анна", attempts)
    assert verdict.verdict == "ready", verdict
    assert _reason(verdict, "min_attempts") == (3, 3, True, True)
    assert _reason(verdict, "required_kinds") == (
        ["discount_demand", "late_delivery"],
        ["discount_demand", "late_delivery"],
        True,
        True,
    )
    assert _reason(verdict, "max_critical_failures") == (0, 0, True, True)
    assert all(len(r.attempts) > 0 for r in verdict.reasons if r.requirement != "max_critical_failures")
    assert set(verdict.attempts) == {a["id"] for a in attempts}


def test_not_ready_names_the_failed_requirements(tmp_path: Path, kit: Kit) -> None:
    plays = [
        ("Борис", _model(kit, "discount-demand-sports-food", 1), "practice"),
        ("Борис", _model(kit, "late-delivery-fridge", 1), "practice"),
    ]
    plays.append(("Борис", _rude(kit, "discount-demand-sports-food"), "practice"))
    attempts = _stored(tmp_path, kit, plays)
    verdict = judge(POLICY, kit, "Борис", attempts)
    assert verdict.verdict == "not_ready"
    figure, threshold, met, evidence = _reason(verdict, "max_critical_failures")
    assert (figure, threshold, met, evidence) == (1, 0, False, True)
    rude_id = next(a["id"] for a in attempts if a["replies"][0]["reply"] == RUDE)
    assert next(r for r in verdict.reasons if r.requirement == "max_critical_failures").attempts == (rude_id,)
    figure, threshold, met, _ = _reason(verdict, "min_category_score:etiquette")
    assert threshold == 80 and figure < 100


def test_insufficient_evidence_with_too_few_attempts_or_a_missing_kind(tmp_path: Path, kit: Kit) -> None:
    attempts = _stored(tmp_path, kit, [("Вера", _model(kit, "discount-demand-sports-food", s), "practice") for s in (1, 2, 3)])
    verdict = judge(POLICY, kit, "Вера", attempts)
    assert verdict.verdict == "insufficient_evidence"
    assert _reason(verdict, "required_kinds") == (["discount_demand"], ["discount_demand", "late_delivery"], False, False)
    assert _reason(verdict, "min_attempts") == (3, 3, True, True)


def test_the_window_and_modes_decide_what_counts(tmp_path: Path, kit: Kit) -> None:
    plays = [
        ("Глеб", _model(kit, "discount-demand-sports-food", 1), "session"),
        ("Глеб", _model(kit, "late-delivery-fridge", 1), "practice"),
    ]
    attempts = _stored(tmp_path, kit, plays)
    verdict = judge(POLICY, kit, "Глеб", attempts)
    assert _reason(verdict, "min_attempts")[0] == 1  # 'session' attempts do not count under this policy
    later = judge(POLICY, kit, "Глеб", attempts, now=datetime.now(UTC) + timedelta(days=30))
    assert _reason(later, "min_attempts")[0] == 0 and later.verdict == "insufficient_evidence"


def test_cli_readiness_json_and_csv(cli: Callable[..., CliResult], shipped_copy: Path, kit: Kit) -> None:
    url = f"sqlite:///{shipped_copy / 'simkit.db'}"
    with Store(url) as store:
        store.save_attempt(_model(kit, "discount-demand-sports-food", 1), "Анна", "practice")
        store.add_trainee("Борис", cohort="B")
    code, out, _ = cli("readiness", "--format", "json", "--db", url, "--kit", str(shipped_copy))
    data = json.loads(out)
    assert code == 0 and [d["trainee"] for d in data] == ["Анна"]
    assert data[0]["verdict"] == "insufficient_evidence" and {"requirement", "figure", "threshold", "attempts"} <= set(
        data[0]["reasons"][0]
    )
    code, out, _ = cli("readiness", "--format", "csv", "--db", url, "--kit", str(shipped_copy))
    assert out.splitlines()[0] == "trainee,cohort,verdict,requirement,figure,threshold,met,attempts"
    code, out, _ = cli("readiness", "--db", url, "--kit", str(shipped_copy))
    # the terminal table speaks the reader's language: verdicts and requirements by name, no ids
    assert "Анна (-): недостаточно данных" in out and "insufficient_evidence" not in out and "min_attempts" not in out
    code, out, _ = cli("readiness", "--db", url, "--kit", str(shipped_copy), "--lang", "en")
    assert "Анна (-): insufficient evidence" in out


def test_the_database_and_the_mappings_give_the_same_verdicts(db: str, shipped_copy: Path) -> None:
    """store_readiness sums the evidence in SQL; readiness judges Store.attempts(): the same verdicts and reasons."""
    kit = load_kit(shipped_copy)
    with Store(db) as store:
        store.add_trainee("Анна", cohort="A")
        store.add_trainee("Борис", cohort="A")
        store.add_trainee("Вера", cohort="B")
        store.add_trainee("Дина", cohort="B")  # no attempts: judged by neither
        for seed in (1, 2):
            store.save_attempt(_model(kit, "discount-demand-sports-food", seed), "Анна", "practice")
        store.save_attempt(_model(kit, "late-delivery-fridge", 1), "Анна", "assessment")
        store.save_attempt(_model(kit, "discount-demand-sports-food", 1), "Борис", "practice")
        store.save_attempt(_model(kit, "late-delivery-fridge", 1), "Борис", "session")
        store.save_attempt(_rude(kit, "discount-demand-sports-food"), "Борис", "practice")
        store.save_attempt(_rude(kit, "late-delivery-fridge"), "Борис", "assessment")
        for seed in (1, 2, 3):
            store.save_attempt(_model(kit, "discount-demand-sports-food", seed), "Вера", "practice")
        transcript = replace(_model(kit, "late-delivery-fridge", 2), scenario_id="transcript:call-17")
        store.save_attempt(transcript, "Глеб", "real")  # a kind the kit does not know
        store.save_attempt(_model(kit, "legal-threat-refund", 1), "Глеб", "practice")
        played = _model(kit, "defective-kettle", 1)
        header = AttemptHeader.start(generate(kit.scenario("defective-kettle"), 1, "ru"), kit, "Глеб", "practice")
        store.save_reply(header, str(uuid.uuid4()), played.exchanges[0], 0)  # never finished: not counted
        # verdicts under another rulebook sit beside the played ones; neither path may count them
        assert rescore(store, _change_a_rule(shipped_copy), workers=1).scored > 0
        attempts = store.attempts()
        moment = datetime.now(UTC)
        real = POLICY.model_copy(update={"count_real_transcripts": True, "modes": ["practice", "session"]})
        compared = 0
        for policy in (POLICY, kit.readiness, real):
            judged = replace(kit, readiness=policy)
            for cohort in (None, "A", "B", "Z"):
                for now in (None, moment, moment + timedelta(days=10), moment + timedelta(days=30), moment - timedelta(days=1)):
                    at = now or datetime.now(UTC)
                    from_sql = store_readiness(store, judged, cohort, at)
                    assert from_sql == readiness(attempts, judged, cohort, at), (policy, cohort, now)
                    compared += len(from_sql)
        current = {v.trainee: v.verdict for v in store_readiness(store, replace(kit, readiness=POLICY))}
    assert current == {"Анна": "ready", "Борис": "not_ready", "Вера": "insufficient_evidence", "Глеб": "insufficient_evidence"}
    assert compared > 50
