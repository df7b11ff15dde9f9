"""What a turn score must mean, on every turn of every scenario in both languages.

Doing nothing scores near 0, the script's own model reply scores full marks, leaving out any one
thing the turn requires costs points, and rudeness added anywhere never earns any. The replies
are built from each turn's model reply and model actions, so a new scenario is covered as soon as
it is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from simkit.content.kit import Kit, load_kit
from simkit.content.models import Check
from simkit.content.scenario_model import Action
from simkit.engine.generation import InstanceTurn, ScenarioInstance, generate
from simkit.engine.scoring import TurnScore, score_reply
from simkit.language.detection import detect

from .conftest import ROOT

NOTHING = {
    "ru": ("", "ок", "Ок.", "Погода отличная, светит солнце.", "Погода сегодня прекрасная, солнце светит весь день."),
    "en": (
        "",
        "ok",
        "OK.",
        "The weather is lovely and the sun is shining.",
        "The weather is lovely today, the sun has been out all day.",
    ),
}
RUDE = {
    "ru": ("Вы сами виноваты.", "Это не моя проблема."),
    "en": ("That's your problem.", "It's your own fault."),
}
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
# An action and the behaviour that says it in words: to take a step out of a reply, take out both.
SAID_AS = {
    "escalate_supervisor": "escalate_to_supervisor",
    "register_request": "register_request",
    "refuse_disclosure": "refuse_confidential",
    "route_department": "route_to_department",
    "offer_discount": "offer_discount",
}
SEEDS = {"ru": 1, "en": 2}
CASES = [(s, lang) for s in sorted(load_kit(ROOT).scenarios) for lang in ("ru", "en")]


_INSTANCES: dict[tuple[int, str, str], ScenarioInstance] = {}
_MODELS: dict[tuple[int, str, str, str], TurnScore] = {}


def _instance(kit: Kit, scenario_id: str, lang: str) -> ScenarioInstance:
    key = (id(kit), scenario_id, lang)
    if key not in _INSTANCES:
        # another seed per language: other customers and facts, and so other rules in scope
        _INSTANCES[key] = generate(kit.scenario(scenario_id), SEEDS[lang], lang)
    return _INSTANCES[key]


def _turns(kit: Kit, scenario_id: str, lang: str) -> Iterator[tuple[ScenarioInstance, InstanceTurn]]:
    instance = _instance(kit, scenario_id, lang)
    for turn in instance.turns:
        yield instance, turn


def _score(kit: Kit, instance: ScenarioInstance, turn: InstanceTurn, text: str, actions: list[Action]) -> TurnScore:
    return score_reply(instance, turn.id, text, actions, kit=kit)


def _model(kit: Kit, scenario_id: str, lang: str, turn_id: str) -> TurnScore:
    key = (id(kit), scenario_id, lang, turn_id)
    if key not in _MODELS:
        instance = _instance(kit, scenario_id, lang)
        turn = instance.turn(turn_id)
        _MODELS[key] = _score(kit, instance, turn, turn.model_reply, list(turn.model_actions))
    return _MODELS[key]


@dataclass(frozen=True)
class Step:
    """One thing the turn requires, and how to take it out of the model reply."""

    what: str  # for the message: the rule and check, or the expected behaviour
    behaviors: frozenset[str]
    actions: frozenset[str]


def _leaves(check: Check) -> Iterator[Check]:
    if check.any_of is not None:
        for inner in check.any_of:
            yield from _leaves(inner)
    else:
        yield check


def _steps(kit: Kit, scored: TurnScore, expect: list[str]) -> list[Step]:
    """Every requirement the model reply meets: each check of each rule in scope that asks for something.

    On a turn where no rule asks for anything, the expected behaviours are the requirements.
    """
    steps = []
    for verdict in scored.verdicts:
        rule = kit.rules[verdict.rule_id]
        if verdict.status != "pass" or not rule.requires:
            continue
        for check in rule.requires:
            leaves = list(_leaves(check))
            actions = {c.action for c in leaves if c.action}
            behaviors = {c.behavior for c in leaves if c.behavior} | {SAID_AS[a] for a in actions if a in SAID_AS}
            steps.append(Step(f"{rule.id}: {check.model_dump(exclude_none=True)}", frozenset(behaviors), frozenset(actions)))
    if steps:
        return steps
    shown = scored.behaviors() | {SAID_AS[a.id] for a in scored.actions if a.id in SAID_AS}
    inverse = {b: a for a, b in SAID_AS.items()}
    return [
        Step(f"expected {b}", frozenset({b}), frozenset({inverse[b]} if b in inverse else set()))
        for b in dict.fromkeys(expect)
        if b in shown
    ]


def _without(turn: InstanceTurn, lang: str, name: str, step: Step) -> tuple[str, list[Action]]:
    """The model reply without the sentences that show ``step`` and without its actions."""
    text = turn.model_reply
    starts, position = [], 0
    pieces = [p for p in SENTENCE_END.split(text) if p]
    for piece in pieces:
        position = text.index(piece, position)
        starts.append(position)
        position += len(piece)
    dropped = set()
    for finding in detect(text, lang, name):
        if finding.behavior in step.behaviors:
            for a, _ in finding.spans:
                dropped.add(max(i for i, start in enumerate(starts) if start <= a))
    kept = " ".join(p for i, p in enumerate(pieces) if i not in dropped)
    return kept, [a for a in turn.model_actions if a.id not in step.actions]


def _replies(kit: Kit, instance: ScenarioInstance, turn: InstanceTurn) -> Iterator[tuple[str, str, list[Action]]]:
    """(label, text, actions) of every reply the properties speak of, on one turn."""
    lang = instance.lang
    for text in NOTHING[lang]:
        yield f"nothing {text!r}", text, []
    yield "model", turn.model_reply, list(turn.model_actions)
    scored = _model(kit, instance.scenario_id, lang, turn.id)
    for step in _steps(kit, scored, turn.expect):
        text, actions = _without(turn, lang, instance.customer.name, step)
        yield f"without {step.what}", text, actions


@pytest.mark.parametrize("scenario_id, lang", CASES)
def test_doing_nothing_scores_near_zero(kit: Kit, scenario_id: str, lang: str) -> None:
    for instance, turn in _turns(kit, scenario_id, lang):
        for text in NOTHING[lang]:
            score = _score(kit, instance, turn, text, []).score
            assert score <= 15, (turn.id, text, score)


@pytest.mark.parametrize("scenario_id, lang", CASES)
def test_the_model_reply_scores_full_marks(kit: Kit, scenario_id: str, lang: str) -> None:
    for _, turn in _turns(kit, scenario_id, lang):
        scored = _model(kit, scenario_id, lang, turn.id)
        failed = [v.rule_id for v in scored.verdicts if v.status == "fail"]
        assert scored.score >= 95, (turn.id, scored.score, failed, scored.expected_missing, sorted(scored.behaviors()))


@pytest.mark.parametrize("scenario_id, lang", CASES)
def test_leaving_out_any_required_step_costs_points(kit: Kit, scenario_id: str, lang: str) -> None:
    for instance, turn in _turns(kit, scenario_id, lang):
        model = _model(kit, scenario_id, lang, turn.id)
        steps = _steps(kit, model, turn.expect)
        assert steps, f"{turn.id}: the model reply meets nothing the turn requires"
        for step in steps:
            text, actions = _without(turn, lang, instance.customer.name, step)
            assert (text, actions) != (turn.model_reply, list(turn.model_actions)), (turn.id, step.what)
            score = _score(kit, instance, turn, text, actions).score
            assert score < model.score, (turn.id, step.what, text, score, model.score)


@pytest.mark.parametrize("scenario_id, lang", CASES)
def test_rudeness_never_raises_a_score(kit: Kit, scenario_id: str, lang: str) -> None:
    for instance, turn in _turns(kit, scenario_id, lang):
        for label, text, actions in _replies(kit, instance, turn):
            plain = _score(kit, instance, turn, text, actions).score
            for rude in RUDE[lang]:
                for worse in (f"{rude} {text}".strip(), f"{text} {rude}".strip()):
                    score = _score(kit, instance, turn, worse, actions).score
                    assert score <= plain, (turn.id, label, worse, score, plain)


def test_rudeness_added_to_the_model_reply_lands_clearly_low(kit: Kit) -> None:
    # the first turn of the fridge scenario, as the issue about fair scores tried it
    for lang in ("ru", "en"):
        instance = _instance(kit, "late-delivery-fridge", lang)
        turn = instance.turns[0]
        for rude in RUDE[lang]:
            score = _score(kit, instance, turn, f"{turn.model_reply} {rude}", list(turn.model_actions)).score
            assert score <= 50, (lang, rude, score)
