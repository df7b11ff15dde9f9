"""A customer who reacts to what was done, not to what the model reply would have done.

Each scenario is played as the player plays it: the model replies up to a turn where the model
routes the case, escalates it, apologises or asks a question, then a reply that routes it
elsewhere, does not escalate, does not apologise or asks nothing. The customer's next line must
come from the scenario's branch for that case (routing and escalation), take as done only what the
dialogue did (its turn's ``assumes``), name no department the case was not sent to, and the model
replies from there on must still reach the scenario's normal end. What counts as routing,
escalation, an apology or a question is read from the scripts, so a new scenario is covered as it
is added.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest

from simkit.content.kit import Kit, check_kit, load_kit
from simkit.content.reactions import PAIRS
from simkit.content.sandbox import membership_tests, names_used, parse_condition
from simkit.content.scenario_model import Action, Scenario, Turn
from simkit.content.vocabulary import DEPARTMENTS
from simkit.engine.dialogue import Dialogue, StepClock, play_model
from simkit.engine.generation import ScenarioInstance, generate
from simkit.language.detection import detect
from simkit.language.lexicon import Matcher, compile_set, load_lexicon
from simkit.language.tokens import analyse

from .conftest import FIXTURES, ROOT

SCENARIOS = sorted(p.stem.replace("_", "-") for p in (ROOT / "scenarios").glob("*.yaml"))
LANGS = ("ru", "en")
SEEDS = (1, 2)


# -- reading the scripts ----------------------------------------------------------------------


@lru_cache(maxsize=2)
def _department_matcher(lang: str) -> Matcher:
    lexicon = load_lexicon(lang)
    return Matcher({d: compile_set(p, lexicon.groups) for d, p in lexicon.departments.items()})


def departments_named(text: str, lang: str) -> set[str]:
    """The departments a text names, by the language lexicon's department patterns."""
    return set(_department_matcher(lang).run(analyse(text, lang)))


def _mentions(turn: Turn, literals: set[str], names: frozenset[str] = frozenset()) -> set[str]:
    """Ids of the turns that ``turn``'s branches reach when their condition tests one of ``literals`` or ``names``."""
    out = set()
    for branch in turn.branches:
        ast = parse_condition(branch.when)
        tested = {literal for literal, _ in membership_tests(ast)}
        if branch.goto and (tested & literals or names_used(ast) & names):
            out.add(branch.goto)
    return out


def _script_turn(scenario: Scenario, turn_id: str) -> Turn:
    return next(t for t in scenario.turns if t.id == turn_id)


def _sentences_without(text: str, lang: str, behaviors: set[str], name: str) -> str:
    """``text`` without the sentences in which the detector finds one of ``behaviors``."""
    spans = [s for f in detect(text, lang, name) if f.behavior in behaviors for s in f.spans]
    analysis = analyse(text, lang)
    kept = []
    for sentence in analysis.sentences:
        start = analysis.tokens[sentence.first].start
        end = analysis.tokens[sentence.last - 1].end
        while end < len(text) and text[end] in ".!?…»\"'":
            end += 1
        if not any(a < end and b > start for a, b in spans):
            kept.append(text[start:end])
    return " ".join(kept)


# -- playing ----------------------------------------------------------------------------------


class ModelPath:
    """The model path of one instance: the turns in order and what each model reply did."""

    def __init__(self, instance: ScenarioInstance, kit: Kit) -> None:
        self.instance, self.kit = instance, kit
        self.result = play_model(instance, kit)
        assert self.result.outcome in ("resolved", "escalated"), self.result.outcome
        self.turns = [e.turn.id for e in self.result.exchanges]

    def dialogue_at(self, k: int) -> Dialogue:
        """A dialogue that has played the model replies to the first ``k`` turns of the path."""
        dialogue = Dialogue(self.instance, self.kit, StepClock())
        for turn_id in self.turns[:k]:
            turn = self.instance.turn(turn_id)
            dialogue.reply(turn.model_reply, list(turn.model_actions))
        assert dialogue.turn is not None and dialogue.turn.id == self.turns[k]
        return dialogue


def _done(dialogue: Dialogue) -> set[str]:
    """What the dialogue has done, in the terms of ``assumes``: action ids, route_department:<d>, behaviours."""
    out: set[str] = set()
    for e in dialogue.exchanges:
        for a in e.score.actions:
            out.add(a.id)
            if a.id == "route_department" and a.department:
                out.add(f"route_department:{a.department}")
        out |= e.score.behaviors()
    out |= {action for action, behavior in PAIRS.items() if behavior in out}
    return out


def _routed(dialogue: Dialogue) -> set[str]:
    return {d.partition(":")[2] for d in _done(dialogue) if d.startswith("route_department:")}


def _check_reaction(dialogue: Dialogue, scenario: Scenario, came_from: Turn, reactions: set[str] | None, what: str) -> str:
    """The customer's reaction fits what the dialogue did; returns the turn it landed on.

    ``reactions``: the turns of ``came_from``'s branches for this case, one of which must be next
    (None: no particular branch is needed, the line must only fit).
    """
    where = f"{scenario.id} [{dialogue.instance.lang}] after {what} at '{came_from.id}'"
    assert not dialogue.finished, f"{where}: the dialogue ended ({dialogue.outcome}) instead of reacting"
    landed = dialogue.turn
    assert landed is not None
    if reactions is not None:
        assert reactions, f"{where}: '{came_from.id}' has no branch that reacts to it"
        assert landed.id in reactions, f"{where}: went to '{landed.id}', not to its branch for this ({sorted(reactions)})"
    unmet = set(_script_turn(scenario, landed.id).assumes) - _done(dialogue)
    assert not unmet, f"{where}: '{landed.id}' takes {sorted(unmet)} as done: {landed.customer}"
    named = departments_named(landed.customer, dialogue.instance.lang) - _routed(dialogue)
    assert not named, f"{where}: '{landed.id}' names {sorted(named)}, where the case was not sent: {landed.customer}"
    return landed.id


def _finish(dialogue: Dialogue, expected: str, where: str) -> None:
    """Answer with the model replies from here; the dialogue must reach the scenario's normal end."""
    for _ in range(3 * len(dialogue.instance.turns)):
        turn = dialogue.turn
        if turn is None:
            break
        dialogue.reply(turn.model_reply, list(turn.model_actions))
    assert dialogue.outcome == expected, f"{where}: the model replies from here end {dialogue.outcome}, not {expected}"


def _cases(scenario_id: str, lang: str, kit: Kit, wanted: str) -> Iterator[tuple[ModelPath, int, Turn]]:
    """Turns on the model paths of a few seeds where the model routes to a department for the first time,
    takes the action ``wanted`` for the first time, or is expected to show the behaviour ``wanted``."""
    scenario = kit.scenario(scenario_id)
    for seed in SEEDS:
        path = ModelPath(generate(scenario, seed, lang), kit)
        done: set[str] = set()
        for k, exchange in enumerate(path.result.exchanges):
            turn = _script_turn(scenario, exchange.turn.id)
            does = {a.id for a in turn.model.actions} | {
                f"route_department:{a.department}" for a in turn.model.actions if a.department
            }
            if wanted == "route_department":
                if {d for d in does if d.startswith("route_department:")} - done:
                    yield path, k, turn  # the first routing to a department
            elif wanted in does and wanted not in done:
                yield path, k, turn  # the first escalation
            elif wanted in turn.expect and wanted not in does:
                yield path, k, turn  # every turn that expects the behaviour
            done |= does | set(turn.expect)


# -- the reaction tests -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_a_wrong_department_gets_a_reaction_not_thanks(kit: Kit, scenario_id: str, lang: str) -> None:
    scenario = kit.scenario(scenario_id)
    played = 0
    for path, k, turn in _cases(scenario_id, lang, kit, "route_department"):
        right = {a.department for a in turn.model.actions if a.id == "route_department" and a.department}
        model = path.instance.turn(turn.id)
        text = _sentences_without(model.model_reply, lang, {"route_to_department"}, path.instance.customer.name)
        reactions = _mentions(turn, {"route_department", "route_to_department", *DEPARTMENTS}, frozenset({"routed"}))
        for wrong in sorted(set(DEPARTMENTS) - right):
            dialogue = path.dialogue_at(k)
            others = [a for a in model.model_actions if a.id != "route_department"]
            dialogue.reply(text, [*others, Action(id="route_department", department=wrong)])
            _check_reaction(dialogue, scenario, turn, reactions, f"routing to {wrong}")
            assert right - _routed(dialogue), "the right department must not count as routed"
            _finish(dialogue, path.result.outcome, f"{scenario_id} [{lang}] routed to {wrong} at '{turn.id}'")
            played += 1
    if not played:
        # nothing to misroute: then no turn of the script routes the case at all
        assert not [t.id for t in scenario.turns if any(a.id == "route_department" for a in t.model.actions)]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_no_escalation_where_one_is_expected_gets_a_reaction(kit: Kit, scenario_id: str, lang: str) -> None:
    scenario = kit.scenario(scenario_id)
    played = 0
    for path, k, turn in _cases(scenario_id, lang, kit, "escalate_supervisor"):
        model = path.instance.turn(turn.id)
        text = _sentences_without(model.model_reply, lang, {"escalate_to_supervisor"}, path.instance.customer.name)
        assert "escalate_to_supervisor" not in {f.behavior for f in detect(text, lang, path.instance.customer.name)}, text
        reactions = _mentions(turn, {"escalate_supervisor", "escalate_to_supervisor"})
        dialogue = path.dialogue_at(k)
        dialogue.reply(text, [a for a in model.model_actions if a.id != "escalate_supervisor"])
        if dialogue.finished:
            # what is left of the model reply may read as a brush-off ("Здравствуйте! Спасибо, что
            # остаётесь с нами." ignores the demand); a customer who gives up on one fits too
            found = {f.behavior for f in detect(text, lang, path.instance.customer.name)}
            assert found & {"dismissive", "rude", "blame_customer"} and dialogue.outcome == "lost", (text, dialogue.outcome)
        else:
            _check_reaction(dialogue, scenario, turn, reactions, "no escalation")
            _finish(dialogue, path.result.outcome, f"{scenario_id} [{lang}] not escalated at '{turn.id}'")
        played += 1
    if not played:
        # no escalation to leave out: then no turn of the script escalates at all
        assert not [t.id for t in scenario.turns if any(a.id == "escalate_supervisor" for a in t.model.actions)]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_a_missing_apology_is_not_taken_as_made(kit: Kit, scenario_id: str, lang: str) -> None:
    scenario = kit.scenario(scenario_id)
    played = 0
    for path, k, turn in _cases(scenario_id, lang, kit, "apology"):
        model = path.instance.turn(turn.id)
        text = _sentences_without(model.model_reply, lang, {"apology"}, path.instance.customer.name)
        if "apology" in {f.behavior for f in detect(text, lang, path.instance.customer.name)}:
            pytest.fail(f"{scenario_id} [{lang}] '{turn.id}': the apology cannot be cut from the model reply: {text}")
        dialogue = path.dialogue_at(k)
        dialogue.reply(text, list(model.model_actions))
        if dialogue.finished:  # the customer may give up on an unapologetic reply; that fits too
            assert dialogue.outcome == "lost", dialogue.outcome
        else:
            _check_reaction(dialogue, scenario, turn, None, "no apology")
            _finish(dialogue, path.result.outcome, f"{scenario_id} [{lang}] no apology at '{turn.id}'")
        played += 1
    if not played:
        pytest.skip(f"'{scenario_id}': no turn on its model path expects an apology, so there is none to leave out")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_a_question_not_asked_is_not_answered(kit: Kit, scenario_id: str, lang: str) -> None:
    """The customer gives an address, a date or a photo only when asked: a turn whose line answers the
    model reply's question declares clarifying_question, and a reply without the question goes elsewhere."""
    scenario = kit.scenario(scenario_id)
    played = 0
    for path, k, turn in _cases(scenario_id, lang, kit, "clarifying_question"):
        model = path.instance.turn(turn.id)
        name = path.instance.customer.name
        text = _sentences_without(model.model_reply, lang, {"clarifying_question"}, name)
        if "clarifying_question" in {f.behavior for f in detect(text, lang, name)}:
            pytest.fail(f"{scenario_id} [{lang}] '{turn.id}': the question cannot be cut from the model reply: {text}")
        dialogue = path.dialogue_at(k)
        dialogue.reply(text, list(model.model_actions))
        if dialogue.finished:
            assert dialogue.outcome == "lost", dialogue.outcome
        else:
            _check_reaction(dialogue, scenario, turn, None, "no question")
            _finish(dialogue, path.result.outcome, f"{scenario_id} [{lang}] no question at '{turn.id}'")
        played += 1
    if not played:
        pytest.skip(f"'{scenario_id}': no turn on its model path expects a clarifying question")


def test_the_fridge_customer_confirms_no_address_nobody_asked_for(kit: Kit) -> None:
    """The case of the issue: without the question about the address, the next line does not confirm one."""
    for lang, word in (("ru", "адрес"), ("en", "address")):
        instance = generate(kit.scenario("late-delivery-fridge"), 1, lang)
        first = instance.turns[0]
        text = _sentences_without(first.model_reply, lang, {"clarifying_question"}, instance.customer.name)
        asked = Dialogue(instance, kit, StepClock())
        asked.reply(first.model_reply, list(first.model_actions))
        unasked = Dialogue(instance, kit, StepClock())
        unasked.reply(text, list(first.model_actions))
        assert word in asked.customer_line.lower(), asked.customer_line
        assert word not in unasked.customer_line.lower(), unasked.customer_line


def test_the_lawsuit_routed_to_accounting_is_answered_as_such(kit: Kit) -> None:
    """The case of the issue: a legal threat sent to accounting; the customer says so and thanks nobody."""
    for lang in LANGS:
        instance = generate(kit.scenario("legal-threat-refund"), 1, lang)
        dialogue = Dialogue(instance, kit, StepClock())
        first = instance.turns[0]
        text = _sentences_without(first.model_reply, lang, {"route_to_department"}, instance.customer.name)
        dialogue.reply(text, ["register_request", "route_department:accounting"])
        assert dialogue.turn is not None
        assert departments_named(dialogue.customer_line, lang) == {"accounting"}, dialogue.customer_line


# -- the scripts' lines and the validate check ------------------------------------------------

_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_a_line_that_names_a_department_assumes_the_routing(kit: Kit, scenario_id: str) -> None:
    """Lexicon and script agree: a customer line naming a department declares that routing in 'assumes'."""
    for turn in kit.scenario(scenario_id).turns:
        declared = {a.partition(":")[2] for a in turn.assumes if a.startswith("route_department:")}
        for lang in LANGS:
            for line in getattr(turn.customer, lang):
                named = departments_named(_TEMPLATE.sub("X", line), lang)
                assert named <= declared, (turn.id, lang, sorted(named - declared), line)


def test_shipped_scenarios_meet_what_their_lines_assume() -> None:
    kit, problems = check_kit(ROOT)
    assert kit is not None
    assert [str(p) for p in problems if p.code == "unmet-assumption"] == []
    assert sum(len(t.assumes) for s in kit.scenarios.values() for t in s.turns) >= len(kit.scenarios)


def _mini(tmp_path: Path, edit: dict[str, str]) -> Path:
    root = tmp_path / "kit"
    shutil.copytree(FIXTURES / "minikit", root)
    script = root / "scenarios" / "mini.yaml"
    text = script.read_text(encoding="utf-8")
    for old, new in edit.items():
        assert old in text
        text = text.replace(old, new)
    script.write_text(text, encoding="utf-8")
    return root


SECOND = "  - id: second\n"
OPENING_BRANCHES = "    branches:\n      - when: \"anger >= 9 and 'apology' in missing\"\n        end: lost\n"


def _warnings(root: Path) -> list[str]:
    kit, problems = check_kit(root)
    assert kit is not None, problems
    return [p.message for p in problems if p.code == "unmet-assumption"]


def test_an_unguarded_assumption_is_a_warning_with_a_reply_that_shows_it(tmp_path: Path) -> None:
    (message,) = _warnings(_mini(tmp_path, {SECOND: SECOND + "    assumes: [route_department:quality]\n"}))
    assert "'second'" in message and "'opening'" in message and "routed to" in message


def test_a_branch_for_the_other_routings_guards_the_assumption(tmp_path: Path) -> None:
    guard = OPENING_BRANCHES + "      - when: \"'quality' not in routed\"\n        end: lost\n"
    root = _mini(tmp_path, {SECOND: SECOND + "    assumes: [route_department:quality]\n", OPENING_BRANCHES: guard})
    assert _warnings(root) == []


def test_a_guard_that_depends_on_the_anger_does_not_count(tmp_path: Path) -> None:
    guard = OPENING_BRANCHES + "      - when: \"'apology' in missing and anger >= 6\"\n        end: lost\n"
    (message,) = _warnings(_mini(tmp_path, {SECOND: SECOND + "    assumes: [apology]\n", OPENING_BRANCHES: guard}))
    assert "without apology" in message and "anger" in message


def test_what_an_earlier_turn_guaranteed_still_holds_later(tmp_path: Path) -> None:
    guard = OPENING_BRANCHES + "      - when: \"'apology' in missing\"\n        end: lost\n"
    third = "  - id: third\n"
    root = _mini(tmp_path, {third: third + "    assumes: [apology, promise_callback]\n", OPENING_BRANCHES: guard})
    (message,) = _warnings(root)
    assert "promise_callback" in message and "'second'" in message


def test_the_first_turn_assumes_nothing_and_unknown_ids_are_errors(tmp_path: Path) -> None:
    opening = "  - id: opening\n"
    root = _mini(tmp_path, {opening: opening + "    assumes: [apology]\n"})
    assert any("first turn" in m for m in _warnings(root))
    kit, problems = check_kit(_mini(tmp_path / "b", {SECOND: SECOND + "    assumes: [apologee, route_department:lawyers]\n"}))
    assert kit is None
    assert {p.code for p in problems} == {"unknown-behavior", "unknown-department"}


def test_routed_and_done_remember_every_reply_of_the_dialogue(tmp_path: Path) -> None:
    """A branch sees a routing made two turns back: the customer does not ask for it again."""
    guard = "    actions: [promise_callback, end_conversation]\n    expect: [timeframe]\n"
    branches = guard + (
        "    branches:\n      - when: \"'quality' not in routed or 'route_department' not in done\"\n        end: lost\n"
    )
    kit = load_kit(_mini(tmp_path, {guard: branches}))
    instance = generate(kit.scenario("mini"), 1, "en")
    routed = Dialogue(instance, kit, StepClock())
    routed.reply("Hello, Anna! Sorry. I'm passing this to quality control.", ["route_department:quality"])
    routed.reply("We will answer within 3 days.", ["promise_callback:48"])
    assert not routed.finished and routed.turn is not None and routed.turn.id == "third"
    misrouted = Dialogue(instance, kit, StepClock())
    misrouted.reply("Hello, Anna! Sorry. I'm passing this on.", ["route_department:delivery"])
    misrouted.reply("We will answer within 3 days.", ["promise_callback:48"])
    assert misrouted.outcome == "lost"
