"""Drills: one customer line from a scenario, answered with actions and a line of text, judged at once.

A drill is a turn of a scenario script where a rule worth practising alone is in scope, rendered
for one seed (so the customer's line carries concrete facts: the percent asked for, the order, the
department that handles the claim). The new hire answers it as a one-turn dialogue that starts at
that turn (``Dialogue(first_turn=...)``), so the answer is scored, and stored, like any reply.

Kinds of drill (day 1 is ``escalation``; day 2 the others):

- ``escalation``: a rule of the escalation category, or a critical rule that applies only in some
  situations, is in scope (no discount over the limit, a threat to sue goes to legal ...);
- ``routing``: the turn offers ``route_department`` and a rule in scope accepts only some of the
  departments (which department takes this claim);
- ``order``: the customer places an order (the ``order_taking`` topic): the procedure rules say
  what must be agreed;
- ``register``: a rule in scope asks for the request to be registered and nothing else does;
- ``callback``: a rule in scope asks for a call-back promised with a time (hours), and the model
  answer promises one.

Which rules are in scope, and which answers pass them, is asked of the scorer itself (a reply with
no words and only the action tried), never worked out here. A turn whose own model answer does not
pass the drill is no drill. Drills are not timed: a drill is read and thought about, so the answer
is played with zero seconds and the reply-time rules never fail it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal

from ..content.kit import Kit
from ..content.models import Check, Rule
from ..content.scenario_model import Action, Scenario
from ..content.vocabulary import DEPARTMENTS
from ..i18n import N_, gettext
from .dialogue import AttemptResult, play_through
from .feedback import SEVERITY_ORDER, RuleFeedback, action_text, explain
from .generation import InstanceTurn, ScenarioInstance, generate
from .scoring import TurnScore, Verdict, score_reply

DrillKind = Literal["escalation", "routing", "order", "register", "callback"]
DRILL_KINDS: Final[tuple[DrillKind, ...]] = ("escalation", "routing", "order", "register", "callback")
DAY1: Final[tuple[DrillKind, ...]] = ("escalation",)
DAY2: Final[tuple[DrillKind, ...]] = ("routing", "order", "register", "callback")
DEFAULT_SEED: Final = 1

# the question under the customer's line, by kind of drill
QUESTIONS: Final[dict[DrillKind, str]] = {
    "escalation": N_("What do you do? Choose the actions and write what you say to the customer."),
    "routing": N_("Which department takes this claim? Pass it on and tell the customer."),
    "order": N_("The customer is placing an order. What must you agree on, and what do you do?"),
    "register": N_("How do you record this request? Choose the actions and write what you say."),
    "callback": N_("When will the customer hear from you? Promise it with a concrete time."),
}
# the heading of a deck of drills of one kind
TITLES: Final[dict[DrillKind, str]] = {
    "escalation": N_("Escalation drills"),
    "routing": N_("Routing: which department takes the claim"),
    "order": N_("Taking an order: what must be agreed"),
    "register": N_("Registering requests"),
    "callback": N_("Promising a call-back with a time"),
}
_HOURS_TRIED: Final = 2.0  # any time will do: a rule that asks for one passes with it, one that does not, without


def _actions_in(check: Check) -> set[str]:
    """The action ids a check (with its alternatives) can be satisfied by."""
    if check.any_of is not None:
        return set().union(*(_actions_in(c) for c in check.any_of))
    return {check.action} if check.action is not None else set()


def _only_action(rule: Rule, action: str) -> bool:
    # a requirement that no other action can meet (the behaviour saying the same in words aside)
    return any(_actions_in(check) == {action} for check in rule.requires)


def _status(score: TurnScore, rule_id: str) -> str:
    return next(v.status for v in score.verdicts if v.rule_id == rule_id)


def _score(kit: Kit, instance: ScenarioInstance, turn_id: str, actions: Sequence[Action]) -> TurnScore:
    # no words, only the actions tried: what the rules in scope make of them
    return score_reply(instance, turn_id, "", list(actions), kit=kit, seconds=0.0)


def _focus(kit: Kit, kind: DrillKind, instance: ScenarioInstance, turn: InstanceTurn) -> tuple[str, ...]:
    """The rules a drill of ``kind`` at this turn is about (empty: no such drill here)."""
    bare = _score(kit, instance, turn.id, [])
    scope = [kit.rules[v.rule_id] for v in bare.verdicts if v.status != "n/a"]
    if kind == "escalation":
        found = [r for r in scope if r.category == "escalation" or (r.severity == "critical" and r.when is not None)]
    elif kind == "order":
        found = [r for r in scope if r.category == "procedure"] if "order_taking" in turn.topics else []
    elif kind == "register":
        found = [r for r in scope if _only_action(r, "register_request")] if "register_request" in turn.actions else []
    elif kind == "callback":
        found = []
        # a turn where the model answer itself promises a call-back with a time (not only says when)
        if any(a.id == "promise_callback" and a.hours is not None for a in turn.model_actions):
            timed = _score(kit, instance, turn.id, [Action(id="promise_callback", hours=_HOURS_TRIED)])
            untimed = _score(kit, instance, turn.id, [Action(id="promise_callback")])
            found = [
                r
                for r in scope
                if _only_action(r, "promise_callback") and _status(timed, r.id) == "pass" and _status(untimed, r.id) == "fail"
            ]
    else:
        found = []
        if "route_department" in turn.actions:
            routed = [r for r in scope if _only_action(r, "route_department")]
            accepted = {r.id: set(_departments(kit, instance, turn.id, r.id)) for r in routed}
            found = [r for r in routed if accepted[r.id] and accepted[r.id] != set(DEPARTMENTS)]
    return tuple(r.id for r in found)


def _departments(kit: Kit, instance: ScenarioInstance, turn_id: str, rule_id: str) -> list[str]:
    """The departments that rule ``rule_id`` accepts as the place to route this turn's case."""
    return [
        d
        for d in DEPARTMENTS
        if _status(_score(kit, instance, turn_id, [Action(id="route_department", department=d)]), rule_id) == "pass"
    ]


@dataclass(frozen=True)
class DrillVerdict:
    """How a drill was answered: passed or not, the verdicts (the drill's own rules first), each failure explained."""

    drill_id: str
    lang: str  # the language the failures are explained in
    passed: bool
    focus: tuple[str, ...]  # the rules the drill is about
    verdicts: tuple[Verdict, ...]  # every rule judged on the answer: the focus first, then failures, then passes
    failed: tuple[RuleFeedback, ...]  # each failed rule with its clause and a better phrasing, the focus first
    expected: tuple[Action, ...]  # the actions the model answer takes for the drill's rules
    expected_names: tuple[str, ...]  # those actions as a person reads them, in ``lang``
    model_reply: str
    score: TurnScore
    attempt_id: str = ""
    silent: bool = False  # the answer said nothing to the customer (engine.dialogue.says_nothing): not passed

    def focus_verdicts(self) -> tuple[Verdict, ...]:
        """The verdicts on the rules the drill is about."""
        return tuple(v for v in self.verdicts if v.rule_id in self.focus)

    def explained(self, kit: Kit, lang: str) -> DrillVerdict:
        """The same verdict with its failures and expected actions explained in ``lang`` (the screen's language)."""
        return replace(
            self,
            lang=lang,
            failed=_explain(kit, self.score, self.focus, lang, self.model_reply),
            expected_names=tuple(action_text(a.as_text(), lang) for a in self.expected),
        )


@dataclass(frozen=True)
class DrillAnswer:
    """An answered drill: the one-turn attempt to store, and its verdict to show once it is stored."""

    result: AttemptResult
    verdict: DrillVerdict


def _explain(kit: Kit, score: TurnScore, focus: tuple[str, ...], lang: str, model_reply: str) -> tuple[RuleFeedback, ...]:
    failed = explain(score, kit, lang, model_reply=model_reply)
    return tuple(sorted(failed, key=lambda f: f.rule_id not in focus))  # stable: keeps most severe first within each


@dataclass(frozen=True)
class Drill:
    """One drill: a rendered customer line, the rules it is about, and how to judge an answer to it."""

    kind: DrillKind
    instance: ScenarioInstance
    turn_id: str
    focus: tuple[str, ...]
    kit: Kit = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        """``kind/scenario/turn``: the same drill in every language and for every seed."""
        return f"{self.kind}/{self.instance.scenario_id}/{self.turn_id}"

    @property
    def lang(self) -> str:
        """The language the customer speaks (and the answer is read in)."""
        return self.instance.lang

    @property
    def seed(self) -> int:
        """The seed the facts come from."""
        return self.instance.seed

    @property
    def turn(self) -> InstanceTurn:
        """The rendered turn."""
        return self.instance.turn(self.turn_id)

    @property
    def customer_line(self) -> str:
        """What the customer says."""
        return self.turn.customer

    @property
    def offered(self) -> tuple[str, ...]:
        """The actions the answer may take (those the script offers at this turn)."""
        return tuple(self.turn.actions)

    @property
    def model_reply(self) -> str:
        """The script's model answer."""
        return self.turn.model_reply

    @property
    def expected(self) -> tuple[Action, ...]:
        """The model answer's actions that the drill's rules look for (the expected action, named on the verdict)."""
        looked_for: set[str] = set()
        for rule_id in self.focus:
            rule = self.kit.rules[rule_id]
            for check in (*rule.requires, *rule.forbids):
                looked_for |= _actions_in(check)
        return tuple(a for a in self.turn.model_actions if a.id in looked_for)

    def question(self, lang: str) -> str:
        """The question under the customer's line, in ``lang``."""
        return gettext(lang, QUESTIONS[self.kind])

    def answer(self, text: str, actions: Sequence[Action | str], attempt_id: str | None = None) -> DrillAnswer:
        """Play the answer as a one-turn dialogue from this turn; the result is what to store."""
        result = play_through(
            self.instance, [(text, list(actions))], self.kit, [0.0], attempt_id=attempt_id, first_turn=self.turn_id
        )
        score = result.exchanges[0].score
        applicable = [v for v in score.verdicts if v.status != "n/a"]
        focus = [v for rule_id in self.focus for v in applicable if v.rule_id == rule_id]
        others = sorted(
            (v for v in applicable if v.rule_id not in self.focus),
            key=lambda v: (v.status != "fail", SEVERITY_ORDER.get(v.severity, 3), -v.weight, v.rule_id),
        )
        # the right actions with no words for the customer answer only half the question
        silent = result.exchanges[0].silent
        passed = all(v.status == "pass" for v in focus) and not score.failed and not silent
        verdict = DrillVerdict(
            drill_id=self.id,
            lang=self.lang,
            passed=passed,
            focus=self.focus,
            verdicts=(*focus, *others),
            failed=_explain(self.kit, score, self.focus, self.lang, self.model_reply),
            expected=self.expected,
            expected_names=tuple(action_text(a.as_text(), self.lang) for a in self.expected),
            model_reply=self.model_reply,
            score=score,
            attempt_id=result.attempt_id,
            silent=silent,
        )
        return DrillAnswer(result, verdict)

    def judge(self, text: str, actions: Sequence[Action | str]) -> DrillVerdict:
        """The verdict on an answer (text and actions, e.g. ``["offer_discount:10"]``)."""
        return self.answer(text, actions).verdict

    def model_answer(self) -> DrillVerdict:
        """The verdict on the script's own model answer (it passes, or this would be no drill)."""
        return self.judge(self.model_reply, list(self.turn.model_actions))

    def variant(self, seed: int) -> Drill | None:
        """The same drill with the facts of another seed (None if the drill's rules are then out of scope)."""
        return drill_at(self.kit, self.kind, self.instance.scenario_id, self.turn_id, seed, self.lang)

    def in_lang(self, lang: str) -> Drill | None:
        """The same drill, same facts, in another language."""
        return drill_at(self.kit, self.kind, self.instance.scenario_id, self.turn_id, self.seed, lang)


def drill_at(kit: Kit, kind: DrillKind, scenario_id: str, turn_id: str, seed: int, lang: str) -> Drill | None:
    """The drill of ``kind`` at one turn of a scenario for ``seed``, or None when that turn is no such drill."""
    scenario = kit.scenario(scenario_id)
    if lang not in scenario.languages:
        return None
    instance = generate(scenario, seed, lang)
    focus = _focus(kit, kind, instance, instance.turn(turn_id))
    if not focus:
        return None
    drill = Drill(kind, instance, turn_id, focus, kit)
    return drill if drill.model_answer().passed else None


def _scenario_drills(kit: Kit, kind: DrillKind, scenario: Scenario, seed: int, lang: str) -> list[Drill]:
    # the script's turns in order; a later turn is a drill only if it brings a rule the earlier ones did not
    instance = generate(scenario, seed, lang)
    covered: set[str] = set()
    out = []
    for turn in instance.turns:
        focus = _focus(kit, kind, instance, turn)
        if not focus or set(focus) <= covered:
            continue
        drill = Drill(kind, instance, turn.id, focus, kit)
        if drill.model_answer().passed:
            out.append(drill)
            covered |= set(focus)
    return out


# built decks by (kind, lang, seed) for the kit they were built from: a language switched back, or a
# second page of the same day, finds its drills built already (they are immutable)
_BUILT: dict[tuple[str, str, int], tuple[Kit, tuple[Drill, ...]]] = {}


def build_drills(kit: Kit, kind: DrillKind, lang: str, seed: int = DEFAULT_SEED) -> list[Drill]:
    """Every drill of ``kind`` in the kit's scenarios written in ``lang``, in a stable order (scenario id, turn)."""
    if kind not in DRILL_KINDS:
        raise ValueError(f"unknown kind of drill '{kind}' (known: {', '.join(DRILL_KINDS)})")
    built = _BUILT.get((kind, lang, seed))
    if built is not None and built[0] is kit:
        return list(built[1])
    drills = tuple(
        drill
        for scenario_id, scenario in sorted(kit.scenarios.items())
        if lang in scenario.languages
        for drill in _scenario_drills(kit, kind, scenario, seed, lang)
    )
    if len(_BUILT) > 100:
        _BUILT.clear()
    _BUILT[(kind, lang, seed)] = (kit, drills)
    return list(drills)


def escalation_rules(kit: Kit) -> list[str]:
    """The rules day 1 drills: the escalation rules and the critical rules that apply only in some situations."""
    return [r.id for r in kit.rules.values() if r.category == "escalation" or (r.severity == "critical" and r.when is not None)]


def undrilled(kit: Kit, drills: Iterable[Drill]) -> list[str]:
    """The escalation rules (``escalation_rules``) that none of ``drills`` is about: no scenario puts them in scope."""
    about = {rule_id for drill in drills for rule_id in drill.focus}
    return [r for r in escalation_rules(kit) if r not in about]


def practice_order(kit: Kit, lang: str) -> list[str]:
    """Scenario ids for day 3: one of each kind the readiness policy requires first, then the rest, easiest first."""
    written = sorted((s for s in kit.scenarios.values() if lang in s.languages), key=lambda s: (s.difficulty, s.id))
    first = []
    for kind in kit.readiness.required_kinds:
        found = next((s.id for s in written if s.kind == kind), None)
        if found is not None:
            first.append(found)
    return first + [s.id for s in written if s.id not in first]
