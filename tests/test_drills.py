"""Drills (engine): built from the rules and generated facts, judged as one-turn dialogues, deterministic by seed."""

from __future__ import annotations

import pytest

from simkit.content.kit import Kit
from simkit.content.scenario_model import Action
from simkit.engine.dialogue import Dialogue, play_through
from simkit.engine.drills import (
    DAY2,
    DRILL_KINDS,
    Drill,
    DrillKind,
    build_drills,
    drill_at,
    escalation_rules,
    practice_order,
    undrilled,
)
from simkit.engine.generation import generate

LANGS = ("ru", "en")


def _one(drills: list[Drill], scenario_id: str) -> Drill:
    found = [d for d in drills if d.instance.scenario_id == scenario_id]
    assert found, f"no drill in {scenario_id}: {[d.id for d in drills]}"
    return found[0]


# --- the dialogue starts at a later turn --------------------------------------------------------


def test_a_dialogue_may_start_at_a_later_turn(kit: Kit) -> None:
    instance = generate(kit.scenario("discount-demand-sports-food"), 3, "en")
    dialogue = Dialogue(instance, kit, first_turn="pushback")
    assert dialogue.turn is not None and dialogue.turn.id == "pushback"
    dialogue.reply("I can't give more than 5 %, I'm passing your request to the head of department.", ["escalate_supervisor"])
    result = dialogue.result()
    assert result.first_turn == "pushback"
    assert [e.turn.id for e in result.exchanges] == ["pushback"]
    replayed = play_through(instance, [(result.exchanges[0].reply, ["escalate_supervisor"])], kit, first_turn="pushback")
    assert replayed.first_turn == "pushback" and replayed.exchanges[0].turn.id == "pushback"
    assert play_through(instance, [("Hello", [])], kit).first_turn is None


def test_an_unknown_first_turn_names_the_turns(kit: Kit) -> None:
    instance = generate(kit.scenario("discount-demand-sports-food"), 3, "en")
    with pytest.raises(KeyError, match="no turn 'nowhere'"):
        Dialogue(instance, kit, first_turn="nowhere")


# --- which drills exist ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_escalation_rule_in_some_scenarios_scope_has_a_drill(kit: Kit, lang: str) -> None:
    drills = build_drills(kit, "escalation", lang)
    # which rules some scenario turn puts in scope, asked of the scorer with an empty reply
    in_scope = set()
    for scenario in kit.scenarios.values():
        instance = generate(scenario, 1, lang)
        for turn in instance.turns:
            score = Drill("escalation", instance, turn.id, (), kit).judge("", []).score
            in_scope |= {v.rule_id for v in score.verdicts if v.status != "n/a"}
    wanted = [r for r in escalation_rules(kit) if r in in_scope]
    assert undrilled(kit, drills) == [r for r in escalation_rules(kit) if r not in in_scope]
    about = {r for d in drills for r in d.focus}
    assert set(wanted) <= about, sorted(set(wanted) - about)
    # the shipped scenarios put every escalation rule in scope: none is left without a drill
    assert undrilled(kit, drills) == []
    assert {r for r in escalation_rules(kit) if kit.rules[r].category != "escalation"} == {
        "refuse-confidential-request",
        "kam-protect-business-secrets",
    }


@pytest.mark.parametrize("kind", DRILL_KINDS)
def test_each_kind_has_drills_in_both_languages_alike(kit: Kit, kind: DrillKind) -> None:
    ru = build_drills(kit, kind, "ru")
    en = build_drills(kit, kind, "en")
    assert ru, f"no {kind} drills"
    assert [d.id for d in ru] == [d.id for d in en]
    assert [d.focus for d in ru] == [d.focus for d in en]
    for drill in ru + en:
        assert drill.focus and drill.customer_line and "{{" not in drill.customer_line
        assert drill.question(drill.lang)


def test_procedure_drills_are_about_their_procedure(kit: Kit) -> None:
    routing = build_drills(kit, "routing", "en")
    assert {r for d in routing for r in d.focus} <= {"quality-claim-to-department", "legal-threat-to-legal"}
    assert all("route_department" in d.offered and any(a.department for a in d.expected) for d in routing)
    order = build_drills(kit, "order", "en")
    assert all("order_taking" in d.turn.topics for d in order)
    register = build_drills(kit, "register", "en")
    assert all(any(a.id == "register_request" for a in d.expected) for d in register)
    callback = build_drills(kit, "callback", "en")
    assert all(any(a.id == "promise_callback" and a.hours for a in d.expected) for d in callback)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", DRILL_KINDS)
def test_the_model_answer_passes(kit: Kit, kind: DrillKind, lang: str) -> None:
    for drill in build_drills(kit, kind, lang):
        verdict = drill.judge(drill.model_reply, list(drill.turn.model_actions))
        assert verdict.passed, (drill.id, [(f.rule_id, f.missing) for f in verdict.failed])
        assert all(v.status == "pass" for v in verdict.focus_verdicts())


# --- wrong answers fail and cite the right clause ------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_too_big_a_discount_fails_citing_the_five_percent_clause(kit: Kit, lang: str) -> None:
    drill = _one(build_drills(kit, "escalation", lang), "discount-demand-sports-food")
    assert drill.instance.facts["percent"] > 5  # type: ignore[operator]
    assert str(drill.instance.facts["percent"]) in drill.customer_line
    text = "Хорошо, дам вам скидку 10 %." if lang == "ru" else "Fine, you get 10 % off."
    verdict = drill.judge(text, ["offer_discount:10"])
    assert not verdict.passed
    assert [v.rule_id for v in verdict.verdicts[: len(drill.focus)]] == list(drill.focus)  # the drill's rules first
    first = verdict.failed[0]
    assert first.rule_id == "discount-limit-five-percent"
    assert first.clause.source == "parusnik-client-manager#III.5" and first.clause.section == "III.5"
    assert first.clause.job_title == kit.jobs["parusnik-client-manager"].title.get(lang)
    assert first.clause.summary == kit.clause("parusnik-client-manager#III.5").summary.get(lang)  # type: ignore[union-attr]
    assert [a.as_text() for a in verdict.expected] == ["escalate_supervisor"]
    assert verdict.expected_names == ("Передать руководителю",) if lang == "ru" else ("Escalate to the supervisor",)
    assert "discount-limit-five-percent" in verdict.score.critical_failures


def test_five_percent_with_escalation_passes(kit: Kit) -> None:
    drill = _one(build_drills(kit, "escalation", "en"), "discount-demand-sports-food")
    good = drill.judge(
        f"Hello, {drill.instance.customer.name}! I can give you 5 % myself; "
        "for more I'm putting you through to the head of department.",
        [Action(id="offer_discount", percent=5), Action(id="escalate_supervisor")],
    )
    assert good.passed, [(f.rule_id, f.missing) for f in good.failed]


@pytest.mark.parametrize("lang", LANGS)
def test_the_wrong_department_fails_citing_the_claims_clause(kit: Kit, lang: str) -> None:
    drill = _one(build_drills(kit, "routing", lang), "defective-kettle")
    right = next(a.department for a in drill.expected if a.department)
    wrong = "delivery" if right != "delivery" else "accounting"
    text = "Передаю вашу претензию в отдел." if lang == "ru" else "I'm passing your claim on."
    failed = drill.judge(text, [Action(id="route_department", department=wrong)])
    assert not failed.passed
    assert failed.failed[0].rule_id == "quality-claim-to-department"
    assert failed.failed[0].clause.source == "claims-department#sales-manager-duties"
    passed = drill.judge(text, [Action(id="route_department", department=right)])
    assert all(v.status == "pass" for v in passed.focus_verdicts())


def test_a_legal_threat_routed_elsewhere_fails(kit: Kit) -> None:
    drill = _one(build_drills(kit, "escalation", "en"), "legal-threat-refund")
    verdict = drill.judge("I'll pass it to the quality department.", ["route_department:quality"])
    assert not verdict.passed and verdict.failed[0].rule_id == "legal-threat-to-legal"
    assert verdict.failed[0].clause.section == "claims-lawsuits"


def test_a_callback_without_a_time_fails(kit: Kit) -> None:
    drill = _one(build_drills(kit, "callback", "en"), "late-delivery-fridge")
    assert not drill.judge("We'll call you back.", ["promise_callback"]).passed
    timed = drill.judge("We'll call you back.", ["promise_callback:2"])
    assert all(v.status == "pass" for v in timed.focus_verdicts())


def test_a_request_not_registered_fails(kit: Kit) -> None:
    drill = _one(build_drills(kit, "register", "en"), "warship-device-letter")
    verdict = drill.judge("Thank you for your letter.", [])
    assert not verdict.passed
    assert {f.rule_id for f in verdict.failed} >= set(drill.focus)


def test_a_rude_answer_fails_even_with_the_right_action(kit: Kit) -> None:
    drill = _one(build_drills(kit, "escalation", "en"), "safety-hazard-charger")
    verdict = drill.judge("Stop whining, you idiot, I'm escalating it.", ["escalate_supervisor"])
    assert all(v.status == "pass" for v in verdict.focus_verdicts())
    assert verdict.score.failed and not verdict.passed


def test_the_verdict_explains_itself_in_the_screens_language(kit: Kit) -> None:
    drill = _one(build_drills(kit, "escalation", "ru"), "discount-demand-sports-food")
    verdict = drill.judge("Дам 10 %.", ["offer_discount:10"])
    english = verdict.explained(kit, "en")
    assert english.failed[0].title == kit.rules["discount-limit-five-percent"].title.en
    assert english.expected_names == ("Escalate to the supervisor",)
    assert english.score == verdict.score and english.passed == verdict.passed


def test_an_answer_is_a_one_turn_attempt_from_the_drills_turn(kit: Kit) -> None:
    drill = _one(build_drills(kit, "escalation", "en"), "offtopic-journalist")
    answer = drill.answer("Let me put you through to the head of department.", ["escalate_supervisor"], attempt_id="a" * 32)
    result = answer.result
    assert result.first_turn == drill.turn_id and len(result.exchanges) == 1
    assert result.exchanges[0].turn.id == drill.turn_id and result.seconds == [0.0]
    assert result.attempt_id == answer.verdict.attempt_id == "a" * 32
    assert result.scenario_id == drill.instance.scenario_id and result.seed == drill.seed


# --- deterministic by seed ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ("escalation", *DAY2))
def test_the_same_seed_gives_the_same_drills(kit: Kit, kind: DrillKind) -> None:
    first = build_drills(kit, kind, "ru", seed=11)
    again = build_drills(kit, kind, "ru", seed=11)
    assert [(d.id, d.customer_line, d.instance.facts) for d in first] == [
        (d.id, d.customer_line, d.instance.facts) for d in again
    ]
    # attempt ids differ; everything judged is the same
    assert [d.judge("Здравствуйте!", []).score for d in first] == [d.judge("Здравствуйте!", []).score for d in again]


def test_another_seed_gives_other_facts(kit: Kit) -> None:
    lines = {
        d.customer_line for seed in range(1, 6) for d in build_drills(kit, "escalation", "en", seed) if "discount-demand" in d.id
    }
    assert len(lines) > 1
    drill = _one(build_drills(kit, "escalation", "en", seed=1), "discount-demand-sports-food")
    other = drill.variant(2)
    assert other is not None and other.id == drill.id and other.seed == 2
    russian = drill.in_lang("ru")
    assert russian is not None and russian.instance.facts["percent"] == drill.instance.facts["percent"]
    assert drill_at(kit, "routing", "discount-demand-sports-food", "demand", 1, "en") is None  # no department there


def test_an_unknown_kind_is_refused(kit: Kit) -> None:
    with pytest.raises(ValueError, match="unknown kind of drill 'sales'"):
        build_drills(kit, "sales", "en")  # type: ignore[arg-type]


# --- day 3 order ---------------------------------------------------------------------------------


def test_day3_covers_the_required_kinds_first(kit: Kit) -> None:
    order = practice_order(kit, "ru")
    required = kit.readiness.required_kinds
    assert sorted(order) == sorted(s.id for s in kit.scenarios.values() if "ru" in s.languages)
    assert [kit.scenarios[s].kind for s in order[: len(required)]] == list(required)
