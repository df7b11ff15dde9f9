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


# --- the chosen rulebook and trainers' overrides ----------------------------------------------------

LENIENT = POLICY.model_copy(update={"min_score": 60, "min_category_scores": {"etiquette": 50}})
CALM = "Успокойтесь, пожалуйста. "


def _calm_down_critical(root: Path) -> Kit:
    """The kit with ``no-calm-down-command`` made critical: the issue's example of a rule change."""
    file = root / "rulebook" / "rules" / "etiquette.yaml"
    text = file.read_text(encoding="utf-8")
    start = text.index("  - id: no-calm-down-command")
    head, tail = text[:start], text[start:]
    file.write_text(head + tail.replace("    severity: major", "    severity: critical", 1), encoding="utf-8")
    return replace(load_kit(root), readiness=LENIENT)


def _calm(kit: Kit, scenario: str) -> AttemptResult:
    """The model replies, each begun with "calm down": fine by every rule but ``no-calm-down-command``."""
    instance = generate(kit.scenario(scenario), 1, "ru")
    return play_through(instance, [(CALM + t.model_reply, list(t.model_actions)) for t in instance.turns], kit)


def _store_calm_trainee(store: Store, kit: Kit) -> None:
    store.save_attempt(_model(kit, "discount-demand-sports-food", 1), "Жанна", "practice")
    store.save_attempt(_model(kit, "late-delivery-fridge", 1), "Жанна", "practice")
    store.save_attempt(_calm(kit, "late-delivery-fridge"), "Жанна", "assessment")


def _override(store: Store, reply_id: str, rule: str, status: str, who: str = "Тренер") -> None:
    from simkit.store.judgement import add_override

    add_override(store, reply_id, rule, status, "проверено по записи", who)


def test_a_rule_made_critical_and_rescored_changes_the_verdict(db: str, shipped_copy: Path) -> None:
    old = replace(load_kit(shipped_copy), readiness=LENIENT)
    with Store(db) as store:
        _store_calm_trainee(store, old)
        assert [v.verdict for v in store_readiness(store, old)] == ["ready"]
        new = _calm_down_critical(shipped_copy)
        assert new.rulebook_hash != old.rulebook_hash
        # not re-scored yet: judged under the rulebook each attempt was played with, and it says so
        before = store_readiness(store, new)[0]
        assert before.verdict == "ready" and before.rulebook == new.rulebook_hash
        assert set(before.fallback) == set(before.attempts) and len(before.attempts) == 3
        assert rescore(store, new, workers=1).scored > 0
        after = store_readiness(store, new)[0]
        assert after.verdict == "not_ready" and after.fallback == ()
        calm = next(a["id"] for a in store.attempts() if a["replies"][0]["reply"].startswith(CALM))
        assert _reason(after, "max_critical_failures")[:3] == (1, 0, False)
        assert next(r for r in after.reasons if r.requirement == "max_critical_failures").attempts == (calm,)
        # the earlier rulebook can still be chosen, and gives the earlier verdict
        assert store_readiness(store, new, rulebook=old.rulebook_hash)[0].verdict == "ready"
        assert judge(LENIENT, new, "Жанна", store.attempts()).verdict == "not_ready"


def test_an_override_counts_and_the_automatic_verdict_stays(db: str, shipped_copy: Path) -> None:
    from simkit.store.evidence import overrides

    kit = _calm_down_critical(shipped_copy)
    with Store(db) as store:
        _store_calm_trainee(store, kit)
        assert store_readiness(store, kit)[0].verdict == "not_ready"
        calm = next(a for a in store.attempts() if a["replies"][0]["reply"].startswith(CALM))
        failed = [(r["id"], v["rule"]) for r in calm["replies"] for v in r["verdicts"] if v["rule"] == "no-calm-down-command"]
        assert failed and all(
            v["status"] == "fail" for r in calm["replies"] for v in r["verdicts"] if v["rule"] == "no-calm-down-command"
        )
        _override(store, failed[0][0], failed[0][1], "pass")
        assert store_readiness(store, kit)[0].verdict == "not_ready"  # other replies still fail it
        for reply_id, rule in failed:
            _override(store, reply_id, rule, "fail", who="Первый")
            _override(store, reply_id, rule, "pass", who="Второй")  # the latest counts
        verdict = store_readiness(store, kit)[0]
        assert verdict.verdict == "ready" and verdict.overridden == (calm["id"],)
        assert _reason(verdict, "max_critical_failures")[:3] == (0, 0, True)
        assert judge(LENIENT, kit, "Жанна", store.attempts(), overrides=overrides(store)) == verdict
        stored = next(a for a in store.attempts() if a["id"] == calm["id"])
        automatic = [v["status"] for r in stored["replies"] for v in r["verdicts"] if v["rule"] == "no-calm-down-command"]
        assert automatic == ["fail"] * len(failed)  # the automatic rows are untouched


def test_sql_and_mappings_agree_under_a_chosen_rulebook_with_overrides(db: str, shipped_copy: Path) -> None:
    from simkit.store.evidence import overrides

    old = replace(load_kit(shipped_copy), readiness=LENIENT)
    with Store(db) as store:
        _store_calm_trainee(store, old)
        store.save_attempt(_rude(old, "discount-demand-sports-food"), "Борис", "practice")
        store.save_attempt(_model(old, "late-delivery-fridge", 2), "Борис", "practice")
        store.save_attempt(_model(old, "discount-demand-sports-food", 3), "Борис", "practice")
        new = _calm_down_critical(shipped_copy)
        attempts = store.attempts()
        rude = next(a for a in attempts if a["replies"][0]["reply"] == RUDE)
        fails = [(r["id"], v["rule"]) for r in rude["replies"] for v in r["verdicts"] if v["status"] == "fail"]
        for (reply_id, rule), status in zip(fails, ["pass", "n/a", "pass", "fail"] * len(fails), strict=False):
            _override(store, reply_id, rule, status)
        assert rescore(store, new, workers=1).scored > 0
        # the rude attempt's first reply loses its re-scoring: that part of the evidence falls back
        from sqlalchemy import delete

        from simkit.store.records import TurnScoreRow, VerdictRow

        first = rude["replies"][0]["id"]
        with store.session() as s:
            for row in (VerdictRow, TurnScoreRow):
                s.execute(delete(row).where(row.reply_id == first, row.rulebook_hash == new.rulebook_hash))
        attempts = store.attempts()
        found = overrides(store)
        assert len(found) == len(fails)
        for rulebook in (old.rulebook_hash, new.rulebook_hash, "no-such-rulebook"):
            for cohort in (None, "Z"):
                from_sql = store_readiness(store, new, cohort, rulebook=rulebook)
                assert from_sql == readiness(attempts, new, cohort, rulebook=rulebook, overrides=found), rulebook
        assert rude["id"] in next(v for v in store_readiness(store, new) if v.trainee == "Борис").fallback
        scores = {v.trainee: _reason(v, "min_score")[0] for v in store_readiness(store, new, rulebook=old.rulebook_hash)}
        plain = {v.trainee: _reason(v, "min_score")[0] for v in readiness(attempts, new, rulebook=old.rulebook_hash)}
        assert scores["Борис"] > plain["Борис"]  # overrides to pass raise the rude attempt's score


def test_attempts_without_kept_sums_are_judged_from_their_verdicts(db: str, shipped_copy: Path) -> None:
    """Attempts written around the store keep no sums: readiness sums their verdicts, and summarise fills them in."""
    from sqlalchemy import text

    from simkit.store.evidence import overrides
    from simkit.store.sums import summarise

    kit = replace(load_kit(shipped_copy), readiness=LENIENT)
    with Store(db) as store:
        _store_calm_trainee(store, kit)
        store.save_attempt(_rude(kit, "discount-demand-sports-food"), "Борис", "practice")
        store.save_attempt(_model(kit, "late-delivery-fridge", 2), "Борис", "practice")
        store.save_attempt(_model(kit, "discount-demand-sports-food", 3), "Борис", "assessment")
        attempts = store.attempts()
        rude = next(a for a in attempts if a["replies"][0]["reply"] == RUDE)
        failed = next(v["rule"] for v in rude["replies"][0]["verdicts"] if v["status"] == "fail")
        _override(store, rude["replies"][0]["id"], failed, "pass")
        moment = datetime.now(UTC)
        kept = store_readiness(store, kit, now=moment)
        assert kept == readiness(attempts, kit, now=moment, overrides=overrides(store))
        assert {v.verdict for v in kept} == {"ready", "not_ready"}
        with store.engine.begin() as c:
            sums = c.execute(text("SELECT id, sum_passed, sum_total, sum_critical FROM attempts ORDER BY id")).all()
            boris = "SELECT id FROM trainees WHERE name = 'Борис'"
            c.execute(text(f"UPDATE attempts SET sum_total = NULL, sum_passed = NULL WHERE trainee_id IN ({boris})"))
        assert store_readiness(store, kit, now=moment) == kept
        with store.engine.begin() as c:
            assert summarise(c) == 3  # the attempts without sums, no others
        with store.engine.connect() as c:
            assert c.execute(text("SELECT id, sum_passed, sum_total, sum_critical FROM attempts ORDER BY id")).all() == sums
        assert store_readiness(store, kit, now=moment) == kept


# --- the attempt score readiness judges: the mean of the turn scores -----------------------------------


def _calm_down_heavier(root: Path) -> Kit:
    """The kit with ``no-calm-down-command`` weighing 8 instead of 5: every turn score it breaks moves."""
    file = root / "rulebook" / "rules" / "etiquette.yaml"
    text = file.read_text(encoding="utf-8")
    start = text.index("  - id: no-calm-down-command")
    head, tail = text[:start], text[start:]
    assert "    weight: 5\n" in tail
    file.write_text(head + tail.replace("    weight: 5\n", "    weight: 8\n", 1), encoding="utf-8")
    return replace(load_kit(root), readiness=LENIENT)


def _turn_from_verdicts(kit: Kit, verdicts: list[dict], statuses: dict[str, str]) -> float:  # type: ignore[type-arg]
    """A turn score summed from its verdicts as the engine's docstring says, for a turn where some rule asks."""
    asked = earned = lost = 0.0
    for v in verdicts:
        status, rule = statuses.get(v["rule"], v["status"]), kit.rules[v["rule"]]
        if rule.requires and status != "n/a":
            asked += v["weight"]
            earned += v["weight"] if status == "pass" else 0.0
        if rule.forbids and not rule.requires and status == "fail":
            lost += 10 * v["weight"]
    assert asked > 0
    return round(min(100.0, max(0.0, 100 * earned / asked - lost)), 1)


def _under(attempt: dict, rulebook: str) -> list[tuple[dict, str]]:  # type: ignore[type-arg]
    # each reply with the rulebook readiness judges it by
    return [
        (r, rulebook if any(s["rulebook_hash"] == rulebook for s in r["scores"]) else attempt["rulebook_hash"])
        for r in attempt["replies"]
    ]


def test_an_attempt_of_bare_acknowledgements_scores_nothing_and_is_not_ready(db: str, shipped_copy: Path) -> None:
    """Replies of "ок" keep every prohibition: the old share of passed verdicts gave them credit, the turn scores give none."""
    from simkit.store.evidence import overrides

    old = replace(load_kit(shipped_copy), readiness=POLICY.model_copy(update={"min_category_scores": {"etiquette": 10}}))
    ok = [("ок", None)] * 8
    with Store(db) as store:
        for scenario, seed in (
            ("discount-demand-sports-food", 1),
            ("discount-demand-sports-food", 2),
            ("late-delivery-fridge", 1),
        ):
            store.save_attempt(play_through(generate(old.scenario(scenario), seed, "ru"), ok, old), "Олег", "practice")
        new = replace(_calm_down_heavier(shipped_copy), readiness=old.readiness)
        assert rescore(store, new, workers=1).scored > 0
        attempts = store.attempts()
        for attempt in attempts:  # what the earlier scale made of them: most of the weight judged passed
            judged = [v for r in attempt["replies"] for v in r["verdicts"] if v["rulebook_hash"] == new.rulebook_hash]
            assert sum(v["weight"] for v in judged if v["status"] == "pass") / sum(v["weight"] for v in judged) > 0.5
        for rulebook in (old.rulebook_hash, new.rulebook_hash):
            verdict = store_readiness(store, new, rulebook=rulebook)[0]
            assert verdict == readiness(attempts, new, rulebook=rulebook, overrides=overrides(store))[0]
            figure, _threshold, met, evidence = _reason(verdict, "min_score")
            assert figure < 5 and not met and evidence, rulebook
            assert _reason(verdict, "min_category_score:etiquette")[2]  # the category figure alone would pass
            assert _reason(verdict, "min_attempts")[2] and _reason(verdict, "required_kinds")[2]
            assert verdict.verdict == "not_ready" and [r.requirement for r in verdict.unmet()] == ["min_score"]


def test_an_override_clearing_a_false_rude_raises_the_attempt_score_by_its_turn(db: str, shipped_copy: Path) -> None:
    from simkit.store.evidence import overrides

    kit = replace(load_kit(shipped_copy), readiness=LENIENT)
    instance = generate(kit.scenario("late-delivery-fridge"), 1, "ru")
    flagged = [
        (t.model_reply + (" Вы вообще слушаете?" if i == 1 else ""), list(t.model_actions)) for i, t in enumerate(instance.turns)
    ]
    with Store(db) as store:
        _store_calm_trainee(store, kit)
        store.save_attempt(play_through(instance, flagged, kit), "Жанна", "practice")
        attempts = store.attempts()
        rude = next(
            a
            for a in attempts
            if any(v["rule"] == "no-rudeness" and v["status"] == "fail" for r in a["replies"] for v in r["verdicts"])
        )
        reply = next(
            r for r in rude["replies"] if any(v["rule"] == "no-rudeness" and v["status"] == "fail" for v in r["verdicts"])
        )
        assert [v["rule"] for v in reply["verdicts"] if v["status"] == "fail"] == ["no-rudeness"] and reply["score"] == 0.0
        before = store_readiness(store, kit)[0]
        _override(store, reply["id"], "no-rudeness", "pass")
        after = store_readiness(store, kit)[0]
        assert after == readiness(store.attempts(), kit, overrides=overrides(store))[0]
        assert after.overridden == (rude["id"],)
        # expected from the stored turn scores: the cleared reply summed again from its verdicts, the others as stored
        cleared = _turn_from_verdicts(kit, reply["verdicts"], {"no-rudeness": "pass"})
        assert cleared > reply["score"]
        turns = [cleared if r["id"] == reply["id"] else r["score"] for r in rude["replies"]]
        others = [a["score"] for a in attempts if a["id"] != rude["id"]]
        assert _reason(before, "min_score")[0] == round(sum([*others, rude["score"]]) / len(attempts), 1)
        expected = round(sum([*others, round(sum(turns) / len(turns), 1)]) / len(attempts), 1)
        assert _reason(after, "min_score")[0] == expected > _reason(before, "min_score")[0]


def test_sql_and_mappings_agree_on_turn_scores_rescored_and_overridden(db: str, shipped_copy: Path) -> None:
    """Under a rulebook that re-weighs a rule, with overrides, both paths give each attempt the mean of its judged turn scores."""
    from simkit.store.evidence import overrides

    old = replace(load_kit(shipped_copy), readiness=LENIENT)
    with Store(db) as store:
        _store_calm_trainee(store, old)
        store.save_attempt(_calm(old, "discount-demand-sports-food"), "Борис", "practice")
        store.save_attempt(_rude(old, "late-delivery-fridge"), "Борис", "practice")
        store.save_attempt(_model(old, "late-delivery-fridge", 2), "Борис", "assessment")
        new = _calm_down_heavier(shipped_copy)
        assert rescore(store, new, workers=1).scored > 0
        attempts = store.attempts()
        calm = [a for a in attempts if a["replies"][0]["reply"].startswith(CALM)]
        first = calm[0]["replies"][0]
        _override(store, first["id"], "no-calm-down-command", "pass")
        _override(store, calm[1]["replies"][-1]["id"], "no-calm-down-command", "n/a")
        found = overrides(store)
        for rulebook in (old.rulebook_hash, new.rulebook_hash):
            from_sql = store_readiness(store, new, rulebook=rulebook)
            assert from_sql == readiness(attempts, new, rulebook=rulebook, overrides=found), rulebook
            for verdict in from_sql:
                expected = []
                for attempt in (a for a in attempts if a["trainee"] == verdict.trainee):
                    turns = []
                    for reply, under in _under(attempt, rulebook):
                        statuses = {rule: s for (reply_id, rule), s in found.items() if reply_id == reply["id"]}
                        verdicts = [v for v in reply["verdicts"] if v["rulebook_hash"] == under]
                        stored = next(s["score"] for s in reply["scores"] if s["rulebook_hash"] == under)
                        turns.append(_turn_from_verdicts(new, verdicts, statuses) if statuses else stored)
                    rescored = rulebook != attempt["rulebook_hash"] or any(
                        r["id"] in {k[0] for k in found} for r in attempt["replies"]
                    )
                    expected.append(round(sum(turns) / len(turns), 1) if rescored else attempt["score"])
                assert _reason(verdict, "min_score")[0] == round(sum(expected) / len(expected), 1), (rulebook, verdict.trainee)
        heavier = {v.trainee: _reason(v, "min_score")[0] for v in store_readiness(store, new, rulebook=new.rulebook_hash)}
        lighter = {v.trainee: _reason(v, "min_score")[0] for v in store_readiness(store, new, rulebook=old.rulebook_hash)}
        assert heavier["Борис"] < lighter["Борис"]  # "calm down" takes 80 points a turn under the new rulebook, not 50
