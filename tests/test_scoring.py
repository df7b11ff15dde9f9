"""Rule verdicts: escalation cases, text-only mode, feedback, and every rule passing and failing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simkit.content.kit import Kit
from simkit.content.models import Check, Rule
from simkit.content.scenario_model import Action
from simkit.engine.generation import ScenarioInstance, generate
from simkit.engine.scoring import PENALTY_PER_WEIGHT, TurnScore, actions_from_text, parse_action, score_reply

from .conftest import ROOT, CliResult

# One plain phrase per behaviour, for replies that must show a forbidden behaviour.
TRIGGERS = {
    "ru": {
        "rude": "Вы вообще слушаете, что я говорю?",
        "blame_customer": "Вы сами виноваты, надо было читать договор.",
        "calm_down_command": "Успокойтесь.",
        "shouting": "ВЫ НЕ ПОНИМАЕТЕ ПРАВИЛ.",
        "dismissive": "Это не моя проблема, ничем не могу помочь.",
        "unconditional_promise": "Гарантирую, что такого больше никогда не повторится.",
        "offer_discount": "Могу предложить скидку 15%.",
    },
    "en": {
        "rude": "Are you even listening to me?",
        "blame_customer": "You should have read the contract.",
        "calm_down_command": "Calm down.",
        "shouting": "YOU MUST WAIT.",
        "dismissive": "Not my problem, there's nothing I can do.",
        "unconditional_promise": "I guarantee this will never happen again.",
        "offer_discount": "I can offer you a 15% discount.",
    },
}
NEUTRAL = {"ru": "Хорошо.", "en": "OK."}


def _verdict(result: TurnScore, rule_id: str) -> str:
    return next(v.status for v in result.verdicts if v.rule_id == rule_id)


@pytest.fixture(scope="module")
def discount(kit: Kit) -> ScenarioInstance:
    instance = generate(kit.scenario("discount-demand-sports-food"), 3, "ru")
    assert isinstance(instance.facts["percent"], int) and instance.facts["percent"] > 5
    return instance


def test_offering_ten_percent_fails_the_critical_discount_rule(kit: Kit, discount: ScenarioInstance) -> None:
    result = score_reply(discount, "demand", "Здравствуйте! Хорошо, дам вам скидку 10%.", ["offer_discount:10"], kit=kit)
    assert _verdict(result, "discount-limit-five-percent") == "fail"
    assert "discount-limit-five-percent" in result.critical_failures and result.failed
    assert _verdict(result, "discount-over-limit-to-head") == "fail"


def test_escalating_passes(kit: Kit, discount: ScenarioInstance) -> None:
    result = score_reply(discount, "demand", "Здравствуйте! Соединяю вас с начальником отдела.", ["escalate_supervisor"], kit=kit)
    assert _verdict(result, "discount-limit-five-percent") == "pass"
    assert _verdict(result, "discount-over-limit-to-head") == "pass"
    assert not result.failed


def test_five_percent_and_escalating_passes(kit: Kit, discount: ScenarioInstance) -> None:
    result = score_reply(
        discount,
        "demand",
        "Здравствуйте! Сама могу дать 5%, а остальное решит начальник.",
        ["offer_discount:5", "escalate_supervisor"],
        kit=kit,
    )
    assert _verdict(result, "discount-limit-five-percent") == "pass"
    assert _verdict(result, "discount-over-limit-to-head") == "pass"


def test_text_only_mode_reads_intents_from_the_text(kit: Kit, discount: ScenarioInstance) -> None:
    offered = score_reply(discount, "demand", "Здравствуйте! Могу предложить скидку 15%.", kit=kit)
    assert offered.text_only
    assert any(a.id == "offer_discount" and a.percent == 15 for a in offered.actions)
    assert "discount-limit-five-percent" in offered.critical_failures
    handed_up = score_reply(discount, "demand", "Здравствуйте! Переключаю вас на начальника отдела.", kit=kit)
    assert {a.id for a in handed_up.actions} == {"escalate_supervisor"}
    assert _verdict(handed_up, "discount-over-limit-to-head") == "pass"


def _expected_score(kit: Kit, result: TurnScore, seconds: float | None = None) -> float:
    # the formula of the module's docstring, recomputed from the verdicts
    applicable = [v for v in result.verdicts if v.status != "n/a"]
    asked = [v for v in applicable if kit.rules[v.rule_id].requires or (seconds and kit.rules[v.rule_id].max_reply_seconds)]
    earned = sum(v.weight for v in asked if v.status == "pass")
    lost = sum(PENALTY_PER_WEIGHT * v.weight for v in applicable if kit.rules[v.rule_id].forbids and v.status == "fail")
    return max(0.0, min(100.0, 100 * earned / sum(v.weight for v in asked) - lost))


def test_score_is_the_asked_weight_earned_less_points_for_the_forbidden(kit: Kit, discount: ScenarioInstance) -> None:
    handed_up = "Здравствуйте! Переключаю вас на начальника отдела."
    cases = [
        (handed_up, ["escalate_supervisor"]),
        (handed_up + " Успокойтесь.", ["escalate_supervisor"]),
        ("Хорошо, дам вам скидку 10%.", ["offer_discount:10"]),
        ("Ладно.", []),
    ]
    scores = []
    for text, actions in cases:
        result = score_reply(discount, "demand", text, actions, kit=kit)
        assert result.score == pytest.approx(_expected_score(kit, result), abs=0.05), text
        scores.append(result.score)
    good, told_to_calm_down, gave_in, nothing = scores
    # greeted and escalated, but neither introduced nor named the customer: 10 of the 12 asked
    assert good == pytest.approx(100 * 10 / 12, abs=0.05)
    # "calm down" (weight 5) takes 50 points; a forbidden discount (weight 10) takes them all
    assert told_to_calm_down == pytest.approx(good - 50, abs=0.05)
    assert gave_in == nothing == 0.0


def test_a_late_reply_loses_what_a_timed_rule_earns(kit: Kit, discount: ScenarioInstance) -> None:
    text = "Здравствуйте! Переключаю вас на начальника отдела."
    quick = score_reply(discount, "demand", text, ["escalate_supervisor"], kit=kit, seconds=5)
    slow = score_reply(discount, "demand", text, ["escalate_supervisor"], kit=kit, seconds=40)
    assert _verdict(quick, "greet-on-phone") == "pass" and _verdict(slow, "greet-on-phone") == "fail"
    assert slow.score < quick.score
    assert slow.score == pytest.approx(_expected_score(kit, slow, 40), abs=0.05)


def test_a_turn_no_rule_asks_anything_of_is_scored_by_what_the_scenario_expects(kit: Kit) -> None:
    # a discount within the agent's own 5 %: only the prohibition of a bigger one applies there
    instance = generate(kit.scenario("order-new-customer-delivery"), 1, "en")
    turn = instance.turn("discount")
    assert isinstance(instance.facts["percent"], int) and instance.facts["percent"] <= 5
    nothing = score_reply(instance, "discount", "ok", [], kit=kit)
    assert all(not kit.rules[v.rule_id].requires for v in nothing.verdicts if v.status != "n/a")
    assert nothing.score == 0.0 and set(nothing.expected_missing) == set(turn.expect)
    assert any("expects" in line for line in nothing.feedback)
    model = score_reply(instance, "discount", turn.model_reply, list(turn.model_actions), kit=kit)
    assert model.score == 100.0 and model.expected_missing == () and model.feedback == []
    # the discount given as an action counts for the expected offer; the name and next step are still missing
    offered = score_reply(instance, "discount", "Sure.", ["offer_discount:5"], kit=kit)
    assert offered.expected_missing == tuple(b for b in turn.expect if b != "offer_discount")
    assert offered.score == pytest.approx(100 / len(turn.expect), abs=0.05)


def test_an_imported_line_nothing_is_asked_of_earns_by_any_behaviour_a_rule_asks_for(kit: Kit) -> None:
    from simkit.engine.scoring import ReplyContext, score_in_context

    context = ReplyContext(
        scenario_id="", turn_id="t2", lang="ru", role="client_manager", kind="other", channel="chat",
        turn_index=1, first=False, last=False, topics=(), anger=2,
    )  # fmt: skip
    assert score_in_context(context, "ок", None, kit=kit).score == 0.0
    assert score_in_context(context, "", None, kit=kit).score == 0.0
    thanks = score_in_context(context, "Спасибо, что написали!", None, kit=kit)
    assert thanks.score == 100.0
    assert score_in_context(context, "Спасибо, что написали! Вы сами виноваты.", None, kit=kit).score < thanks.score


def test_feedback_quotes_cites_and_suggests_in_the_reply_language(kit: Kit) -> None:
    scenario = kit.scenario("discount-demand-sports-food")
    en = generate(scenario, 3, "en")
    result = score_reply(en, "demand", "Fine, 10% off then.", ["offer_discount:10"], kit=kit)
    first = result.feedback[0]
    assert first.startswith("No more than 5 %")
    assert "parusnik-client-manager#III.5" in first and "Source:" in first
    assert "«[Offer a discount: 10 %]»" in first and "You could say:" in first
    ru = score_reply(generate(scenario, 3, "ru"), "demand", "Ладно, вот вам 10%.", ["offer_discount:10"], kit=kit)
    assert "Источник: parusnik-client-manager#III.5" in ru.feedback[0]
    assert "«[Предложить скидку: 10 %]»" in ru.feedback[0]


def test_missing_behaviour_is_named(kit: Kit, discount: ScenarioInstance) -> None:
    result = score_reply(discount, "demand", "Ладно.", [], kit=kit)
    missing = next(v for v in result.verdicts if v.rule_id == "discount-over-limit-to-head")
    # by its name in the reply's language, never by its id
    assert missing.status == "fail" and "«Передать руководителю»" in missing.missing[0]
    assert "escalate_supervisor" not in missing.missing[0]
    english = score_reply(generate(kit.scenario("discount-demand-sports-food"), 3, "en"), "demand", "Fine.", [], kit=kit)
    assert "action «Escalate to the supervisor»" in next(v for v in english.verdicts if v.rule_id == missing.rule_id).missing[0]


def test_rules_out_of_role_are_not_applicable(kit: Kit) -> None:
    instance = generate(kit.scenario("discount-demand-sports-food"), 1, "en")
    result = score_reply(instance, "demand", "Hello.", [], kit=kit)
    for verdict in result.verdicts:
        rule = kit.rules[verdict.rule_id]
        if "all" not in rule.roles and instance.role not in rule.roles:
            assert verdict.status == "n/a", rule.id


@pytest.mark.parametrize(
    "text, expected",
    [
        ("route_department:legal", Action(id="route_department", department="legal")),
        ("offer_discount:5", Action(id="offer_discount", percent=5)),
        ("promise_callback:2", Action(id="promise_callback", hours=2)),
        ("escalate_supervisor", Action(id="escalate_supervisor")),
    ],
)
def test_parse_action(text: str, expected: Action) -> None:
    assert parse_action(text) == expected


@pytest.mark.parametrize("text", ["nonsense", "end_conversation:3", "offer_discount:lots"])
def test_parse_action_rejects_bad_input(text: str) -> None:
    with pytest.raises(ValueError):
        parse_action(text)


def test_actions_from_text_carry_values() -> None:
    from simkit.language.detection import Finding

    found = actions_from_text(
        [Finding("route_to_department", ((0, 1),), ("legal", "quality")), Finding("offer_discount", ((0, 1),), 7)]
    )
    assert [(a.id, a.department, a.percent) for a in found] == [
        ("route_department", "legal", None),
        ("route_department", "quality", None),
        ("offer_discount", None, 7.0),
    ]


# -- every rule of the shipped rulebook passes and fails somewhere -----------------------


def _in_scope(kit: Kit, rule: Rule, lang: str) -> tuple[ScenarioInstance, str, int] | None:
    for scenario in sorted(kit.scenarios.values(), key=lambda s: s.id):
        if "all" not in rule.roles and scenario.role not in rule.roles:
            continue
        instance = generate(scenario, 1, lang)
        for turn in instance.turns:
            for anger in (instance.anger, 8):
                probe = score_reply(instance, turn.id, "", [], kit=kit, anger=anger)
                if _verdict(probe, rule.id) != "n/a":
                    return instance, turn.id, anger
    return None


def _violating_action(check: Check) -> list[Action] | None:
    candidates = {
        "offer_discount": [Action(id="offer_discount", percent=15)],
        "route_department": [Action(id="route_department", department="quality")],
        "promise_callback": [Action(id="promise_callback", hours=72)],
    }
    if check.action:
        return candidates.get(check.action, [Action(id=check.action)])
    return None


RULE_IDS = sorted(p for p in __import__("simkit").load_kit(ROOT).rules)


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_a_passing_and_a_failing_case(kit: Kit, rule_id: str, lang: str) -> None:
    rule = kit.rules[rule_id]
    found = _in_scope(kit, rule, lang)
    assert found is not None, f"no scenario turn in the library where {rule_id} applies"
    instance, turn_id, anger = found
    turn = instance.turn(turn_id)
    passing = score_reply(instance, turn_id, turn.model_reply, list(turn.model_actions), kit=kit, anger=anger)
    assert _verdict(passing, rule_id) == "pass", (turn.model_reply, [f.behavior for f in passing.findings])
    if rule.requires:
        failing = score_reply(instance, turn_id, NEUTRAL[lang], [], kit=kit, anger=anger)
    else:
        check = rule.forbids[0]
        inner = check.any_of[0] if check.any_of else check
        actions = _violating_action(inner)
        text = TRIGGERS[lang].get(inner.behavior or "", NEUTRAL[lang])
        failing = score_reply(instance, turn_id, text, actions or [], kit=kit, anger=anger)
    assert _verdict(failing, rule_id) == "fail"


def test_cli_score_prints_verdicts_and_feedback(cli: Callable[..., CliResult]) -> None:
    code, out, _ = cli(
        "score",
        "discount-demand-sports-food",
        "OK, here is 10% off.",
        "--seed",
        "3",
        "--lang",
        "en",
        "--action",
        "offer_discount:10",
        "--kit",
        str(ROOT),
    )
    assert code == 0
    assert "fail  critical" in out and "discount-limit-five-percent" in out
    assert "critical rules failed: discount-limit-five-percent" in out


def test_cli_score_json(cli: Callable[..., CliResult]) -> None:
    import json

    code, out, _ = cli(
        "score", "discount-demand-sports-food", "Здравствуйте! Переключаю на начальника.", "--json", "--kit", str(ROOT)
    )
    data = json.loads(out)
    assert code == 0 and data["text_only"] is True
    assert {"rule", "status", "severity", "evidence", "source"} <= set(data["verdicts"][0])
    assert 0 <= data["score"] <= 100


def test_cli_score_usage_errors(cli: Callable[..., CliResult]) -> None:
    assert cli("score", "discount-demand-sports-food", "x", "--turn", "nope", "--kit", str(ROOT))[0] == 2
    assert cli("score", "discount-demand-sports-food", "x", "--action", "fly", "--kit", str(ROOT))[0] == 2


def test_scope_cache_tells_apart_the_facts_that_conditions_read(kit: Kit) -> None:
    from dataclasses import replace as with_

    from simkit.engine.scoring import ReplyContext, _facts_read, score_in_context

    assert _facts_read(kit) == {"department", "percent"}
    base = ReplyContext(
        scenario_id="x", turn_id="demand", lang="ru", role="client_manager", kind="discount_demand", channel="phone",
        turn_index=0, first=True, last=False, topics=("discount_demand",), anger=5,
    )  # fmt: skip
    text = "Здравствуйте! Дам вам скидку."
    judged = {}
    for percent, order in ((16, "A-1"), (4, "A-2"), (16, "A-3")):
        context = with_(base, facts=(("order_no", order), ("percent", percent)))
        verdicts = score_in_context(context, text, [], kit=kit).verdicts
        judged[(percent, order)] = next(v.status for v in verdicts if v.rule_id == "discount-over-limit-to-head")
    # 4 % is within the trainee's own authority: the hand-over rule is out of scope there only
    assert judged == {(16, "A-1"): "fail", (4, "A-2"): "n/a", (16, "A-3"): "fail"}
