"""Feedback for any front end: every failed rule explained, why the mood moved, what to practise next."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from simkit.content.kit import Kit, load_kit
from simkit.content.models import Check, Rule
from simkit.engine.dialogue import Dialogue, MoodShift, StepClock, play_through
from simkit.engine.feedback import (
    SEVERITY_ORDER,
    action_text,
    explain,
    explain_exchange,
    mood_reasons,
    practise_next,
)
from simkit.engine.generation import generate
from simkit.engine.scoring import context_of, score_in_context, score_reply
from simkit.i18n.names import name
from simkit.language.detection import detect

BLAME = {
    "en": "Calm down, it's your own fault. I can give you 20 % off.",
    "ru": "Успокойтесь, вы сами виноваты. Могу дать скидку 20 %.",
}
NOTHING = {"ru": "ок", "en": "ok"}


def _first_reply(
    kit: Kit, lang: str, text: str, actions: list[str], scenario: str = "discount-demand-sports-food", seconds: float = 1
):
    instance = generate(kit.scenario(scenario), 3, lang)
    dialogue = Dialogue(instance, kit, StepClock([seconds]))
    return dialogue.reply(text, actions)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_failed_rule_is_explained_most_severe_first(kit: Kit, lang: str) -> None:
    exchange = _first_reply(kit, lang, BLAME[lang], ["offer_discount:20"])
    failed = {v.rule_id for v in exchange.score.verdicts if v.status == "fail"}
    feedback = explain_exchange(exchange, kit, lang)
    assert {f.rule_id for f in feedback} == failed
    assert len(failed) > 2  # more than the two the terminal used to show
    keys = [(SEVERITY_ORDER[f.severity], -f.weight) for f in feedback]
    assert keys == sorted(keys)
    for f in feedback:
        rule = kit.rules[f.rule_id]
        assert f.title == rule.title.get(lang)
        assert f.feedback == rule.feedback.get(lang)
        assert (f.severity, f.category) == (rule.severity, rule.category)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_words_that_broke_a_rule_are_spans_of_the_reply(kit: Kit, lang: str) -> None:
    reply = BLAME[lang]
    feedback = explain_exchange(_first_reply(kit, lang, reply, ["offer_discount:20"]), kit, lang)
    blame = next(f for f in feedback if f.rule_id == "no-blame-customer")
    assert blame.broke
    assert blame.spans
    for quote in blame.quotes:
        assert quote.span is not None
        assert reply[quote.span[0] : quote.span[1]] == quote.text
        assert quote.label == name("behavior", quote.what, lang)
    # a discount beyond the limit broke a rule by an action: it is named, not quoted from the text
    limit = next(f for f in feedback if f.rule_id == "discount-limit-five-percent")
    assert limit.broke and limit.severity == "critical"
    assert [(q.span, q.text) for q in limit.quotes] == [(None, f"{name('action', 'offer_discount', lang)}: 20 %")]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_what_was_missing_is_named_not_given_as_ids(kit: Kit, lang: str) -> None:
    feedback = explain_exchange(_first_reply(kit, lang, BLAME[lang], ["offer_discount:20"]), kit, lang)
    greet = next(f for f in feedback if f.rule_id == "greet-on-phone")
    assert not greet.broke
    assert greet.missing == (name("behavior", "greeting", lang),)
    behaviours = set(kit.mood.behaviors)
    for f in feedback:
        for missing in f.missing:
            assert not any(word in behaviours for word in missing.replace("(", " ").split()), missing


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_clause_names_the_job_description_section_and_summary(kit: Kit, lang: str) -> None:
    feedback = explain_exchange(_first_reply(kit, lang, BLAME[lang], ["offer_discount:20"]), kit, lang)
    for f in feedback:
        source = kit.rules[f.rule_id].source
        clause = kit.clause(source)
        if clause is None:
            assert f.clause.common_practice
            assert f.clause.summary == ("common practice" if lang == "en" else "общая практика")
        else:
            assert not f.clause.common_practice
            assert f.clause.job_title == kit.jobs[source.partition("#")[0]].title.get(lang)
            assert (f.clause.section, f.clause.summary) == (clause.section, clause.summary.get(lang))
    assert any(not f.clause.common_practice for f in feedback)


def test_a_common_practice_rule_says_so(kit: Kit) -> None:
    # an e-mail without a greeting breaks the common-practice rule of greeting in writing
    instance = generate(kit.scenario("defective-protein-quality"), 1, "en")
    score = score_reply(instance, instance.turns[0].id, "Send us a photo.", [], kit=kit)
    written = next(f for f in explain(score, kit, "ru") if f.rule_id == "greet-in-writing")
    assert written.clause.common_practice
    assert written.clause.summary == "общая практика"


def test_the_better_phrasing_is_the_model_replys_sentence_that_shows_what_was_missing(kit: Kit) -> None:
    exchange = _first_reply(kit, "ru", BLAME["ru"], ["offer_discount:20"])
    model = exchange.turn.model_reply
    feedback = {f.rule_id: f for f in explain_exchange(exchange, kit, "en")}  # an English screen over a Russian dialogue
    greet = feedback["greet-on-phone"]
    # the greeting's own sentence of this turn's model reply, in the reply's language
    assert greet.better_is_model and greet.better and greet.better != model
    assert greet.better in model and greet.better.startswith("Здравствуйте")
    assert any(f.behavior == "greeting" for f in detect(greet.better, "ru"))
    # a broken prohibition has nothing missing to pick by: the whole model reply shows the way
    assert feedback["no-blame-customer"].better == model and feedback["no-blame-customer"].better_is_model
    for f in feedback.values():
        assert f.better and f.better in model, f.rule_id


def test_without_a_model_reply_the_better_phrasing_is_the_rules_own_suggestion(kit: Kit) -> None:
    # an imported conversation has no model reply: the rule's suggestion, which names no one, is shown
    instance = generate(kit.scenario("discount-demand-sports-food"), 3, "ru")
    context = replace(context_of(kit, instance, "demand"), model_reply="")
    score = score_in_context(context, BLAME["ru"], None, kit=kit)
    failed = explain(score, kit, "en")
    assert failed
    for f in failed:
        suggestion = kit.rules[f.rule_id].suggestion
        assert suggestion is not None
        assert (f.better, f.better_is_model) == (suggestion.get("ru"), False)
    assert all(suggestion_line in " ".join(score.feedback) for suggestion_line in (failed[0].better,))


def test_without_a_suggestion_the_better_phrasing_is_the_model_reply(minikit: Path) -> None:
    kit = load_kit(minikit)
    instance = generate(kit.scenario("mini"), 2, "en")
    exchange = Dialogue(instance, kit, StepClock()).reply("It leaks, so what.", [])
    routed = next(f for f in explain_exchange(exchange, kit, "en") if f.rule_id == "route-claim")
    assert routed.better and routed.better in instance.turns[0].model_reply
    assert routed.better_is_model
    # an action or its words in the text would do: named once, with its condition
    assert routed.missing == ("Route to a department (the right department)",)


def _names(name: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def _person_names(kit: Kit) -> set[str]:
    """Every word of every name a scenario's customer can have, in both languages."""
    return {word for s in kit.scenarios.values() for n in s.persona.names for full in (n.ru, n.en) for word in full.split()}


def test_no_rule_suggestion_names_a_person(kit: Kit) -> None:
    names = _person_names(kit)
    assert len(names) > 50
    for rule in kit.rules.values():
        assert rule.suggestion is not None, rule.id
        for lang in ("ru", "en"):
            text = rule.suggestion.get(lang)
            found = [n for n in names if _names(n, text)]
            assert not found, (rule.id, lang, found)


def _leaves(check: Check) -> list[Check]:
    return [leaf for inner in check.any_of for leaf in _leaves(inner)] if check.any_of is not None else [check]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_each_rule_suggestion_does_what_its_rule_asks_and_nothing_forbidden(kit: Kit, lang: str) -> None:
    # a generic suggestion cannot name the department a condition wants; everything else it can show
    def forbids(rules: list[Rule]) -> set[str | None]:
        return {leaf.behavior for r in rules for c in r.forbids for leaf in _leaves(c) if leaf.where is None}

    always = forbids([r for r in kit.rules.values() if r.when is None])
    assert {"rude", "blame_customer", "dismissive"} <= always
    for rule in kit.rules.values():
        assert rule.suggestion is not None
        text = rule.suggestion.get(lang)
        shown = {f.behavior for f in detect(text, lang)}
        assert not shown & (always | forbids([rule])), (rule.id, text, sorted(shown))
        for check in rule.requires:
            said = {leaf.behavior for leaf in _leaves(check) if leaf.behavior and leaf.where is None}
            assert not said or said & shown, (rule.id, sorted(said), text, sorted(shown))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_phrasing_shown_never_names_another_customer(kit: Kit, lang: str) -> None:
    names = _person_names(kit)
    for scenario in sorted(kit.scenarios.values(), key=lambda s: s.id):
        instance = generate(scenario, 4, lang)
        others = [n for n in names if n not in instance.customer.name.split()]
        for turn in instance.turns:
            score = score_reply(instance, turn.id, NOTHING[lang], [], kit=kit)
            shown = [f.better for f in explain(score, kit, lang)] + score.feedback
            assert shown, (scenario.id, turn.id)
            for text in shown:
                found = [n for n in others if _names(n, text)]
                assert not found, (scenario.id, turn.id, found, text)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_model_reply_introduces_the_trainee_not_someone_else(kit: Kit, lang: str) -> None:
    # the model reply is shown as the better phrasing: an agent's name in it would be a name that
    # is not the customer's, so the trainee is to say their own
    introduction = re.compile(r"(?:меня зовут|my name is)\s+(\S+)", re.IGNORECASE)
    placeholder = {"ru": "[ваше", "en": "[your"}[lang]
    seen = 0
    for scenario in kit.scenarios.values():
        for turn in generate(scenario, 4, lang).turns:
            for said in introduction.findall(turn.model_reply):
                seen += 1
                assert said == placeholder, (scenario.id, turn.id, turn.model_reply)
    assert seen >= 5


def test_a_late_reply_says_how_long_it_took(kit: Kit) -> None:
    exchange = _first_reply(kit, "en", "Good afternoon, Parusnik, Anna speaking.", [], seconds=21)
    greet = next(f for f in explain_exchange(exchange, kit, "ru") if f.rule_id == "greet-on-phone")
    assert greet.missing == ("ответ в пределах 15 с (ответ занял 21 с)",)


def test_a_reply_that_keeps_every_rule_has_no_feedback(kit: Kit) -> None:
    instance = generate(kit.scenario("discount-demand-sports-food"), 3, "en")
    turn = instance.turns[0]
    exchange = Dialogue(instance, kit, StepClock()).reply(turn.model_reply, list(turn.model_actions))
    assert all(v.status != "fail" for v in exchange.score.verdicts)
    assert explain_exchange(exchange, kit, "en") == []


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_mood_reasons_name_each_cause_with_its_delta(kit: Kit, lang: str) -> None:
    exchange = _first_reply(kit, lang, BLAME[lang], ["offer_discount:20"])
    reasons = mood_reasons(exchange, kit, lang)
    assert sum(r.delta for r in reasons) == sum(s.delta for s in exchange.mood_shifts)
    assert all(r.delta != 0 for r in reasons)
    by_cause = {(r.kind, r.cause): r for r in reasons}
    blame = by_cause[("behavior", "blame_customer")]
    assert blame.label == name("behavior", "blame_customer", lang)
    assert blame.delta == kit.mood.behaviors["blame_customer"]
    rule = next(r for r in reasons if r.kind == "rule")
    assert kit.rules[rule.cause].title.get(lang) in rule.label
    assert by_cause[("drift", "")].delta == kit.mood.drift


def test_a_late_reply_is_a_readable_mood_reason(kit: Kit) -> None:
    exchange = _first_reply(kit, "en", "Hello.", [])
    late = replace(exchange, mood_shifts=(*exchange.mood_shifts, MoodShift("late", "", 1)))
    reason = next(r for r in mood_reasons(late, kit, "ru") if r.kind == "late")
    assert (reason.label, reason.delta) == ("Клиент слишком долго ждал ответа", 1)


def test_practise_next_gives_the_rules_failed_most(kit: Kit) -> None:
    instance = generate(kit.scenario("late-delivery-fridge"), 5, "en")
    replies = [("Well, it's your own fault.", []), ("It's your fault again.", []), ("ok", [])]
    result = play_through(instance, replies, kit)
    counts: dict[str, int] = {}
    for e in result.exchanges:
        for v in e.score.verdicts:
            if v.status == "fail":
                counts[v.rule_id] = counts.get(v.rule_id, 0) + 1
    items = practise_next(result, kit, "ru", n=3)
    assert 0 < len(items) <= 3
    assert [i.failures for i in items] == sorted((i.failures for i in items), reverse=True)
    assert items[0].failures == max(counts.values())
    for item in items:
        assert item.failures == counts[item.rule_id]
        assert item.title == kit.rules[item.rule_id].title.get("ru")
    assert practise_next(result, kit, "en", n=0) == []


def test_an_action_is_read_with_its_parameter() -> None:
    assert action_text("[route_department:legal]", "en") == "Route to a department: Legal department"
    assert action_text("[promise_callback:2]", "ru") == "Пообещать перезвонить: 2 часа"
    assert action_text("[no-such-thing]", "en") == "[no-such-thing]"


def test_feedback_objects_are_immutable(kit: Kit) -> None:
    feedback = explain_exchange(_first_reply(kit, "en", BLAME["en"], ["offer_discount:20"]), kit, "en")
    with pytest.raises(AttributeError):
        feedback[0].title = "changed"  # type: ignore[misc]
