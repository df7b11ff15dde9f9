"""Conditions and templates tried on the values they will meet, so that what validates also plays.

A condition that parses and names only available things can still fail when it runs: a fact
compared with a number when it is text (``facts.order_no > 5``), a fact the scenario does not
define, a parameter the action does not carry (``percent > 5`` for a routing), a division by
zero in a template. At run time such a failure is an error; here it is found before that, as a
located problem, by evaluating each condition and rendering each template on sample values of
every type it can meet:

- a rule's ``when`` in every turn of every scenario its roles cover (at anger 0 and 10), and in an
  imported conversation (no facts, every topic, kind and channel, anger 5); then each ``where`` of
  its checks with the facts of wherever the ``when`` held, each parameter absent and present;
- a branch's ``when`` after a reply that did everything and after one that did nothing, at anger
  0 and just below the hang-up level;
- a template that is more than text and plain names, with the scenario's facts.

What a condition does not read is not varied. Facts take their first value of each type (a
``pick`` may mix numbers and texts). Only files without other problems are tried."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .models import Check, Role, Rule, RuleFile
from .problems import Problem
from .sandbox import ConditionError, LimitError, describe, evaluate, names_used, parse_condition, plain_names, render
from .scenario_model import Fact, Scenario
from .vocabulary import ACTIONS, BEHAVIORS, CHANNELS, DEPARTMENTS, KINDS, TOPICS
from .yamlload import Document, Path

Variables = dict[str, Any]
Failure = tuple[str, str, bool]  # why, in what situation, and whether it computed more than content may

_ANGERS = (0, 10)  # both ends of the scale; an imported conversation has 5
# what an action's parameter is when given, and what a behaviour's value can be
_PARAMETERS = {"percent": 10.0, "department": DEPARTMENTS[0], "hours": 24.0}
_VALUES: dict[str, list[Any]] = {"offer_discount": [None, 10], "route_to_department": [None, [DEPARTMENTS[0]], []]}


def fact_samples(scenario: Scenario) -> list[Variables]:
    """Fact values to try: the first of each type for every fact, then each other sample in turn."""
    options = {name: _samples(fact) for name, fact in scenario.facts.items()}
    base = {name: values[0] for name, values in options.items()}
    return [base] + [{**base, name: other} for name, values in options.items() for other in values[1:]]


def _samples(fact: Fact) -> list[Any]:
    if fact.pick is not None:
        values = [item if isinstance(item, (int, str)) else item.en for item in fact.pick]
        ints = [v for v in values if isinstance(v, int)]
        texts = [v for v in values if isinstance(v, str)]
        return ([ints[0]] if ints else []) + ([texts[0]] if texts else [])
    if fact.between is not None:
        return [fact.between[0]]
    if fact.pattern is not None:
        pattern = fact.pattern if isinstance(fact.pattern, str) else fact.pattern.en
        return [pattern.replace("#", "1").replace("@", "A")]
    return ["1 March"]  # a date fact renders as text


def _failure(doc: Document, loc: Path, code: str, what: str, failed: Failure) -> Problem:
    reason, situation, limited = failed
    if limited:  # it computed more than content may, on these values
        return doc.problem(loc, "expression-limit", f"the {what} computes too much {situation}: {reason}", "compute less")
    return doc.problem(
        loc, code, f"the {what} fails {situation}: {reason}", "guard it (e.g. 'facts.x is defined and ...') or fix the types"
    )


def try_scenarios(scenarios: Iterable[tuple[Scenario, Document]], hang_up_at: int = 10) -> Iterator[Problem]:
    """Branch conditions and templates of each scenario, tried on its facts."""
    for scenario, doc in scenarios:
        samples = fact_samples(scenario)
        for i, turn in enumerate(scenario.turns):
            for j, branch in enumerate(turn.branches):
                failed = _first_failure(branch.when, _branch_situations(turn.expect, samples, hang_up_at))
                if failed:
                    yield _failure(doc, ("turns", i, "branches", j, "when"), "condition-fails", "condition", failed)
        for loc, source in _templates(scenario):
            if plain_names(source) is not None:  # text and plain names cannot fail once the names are known
                continue
            failed = _first_render_failure(source, samples)
            if failed:
                yield _failure(doc, loc, "template-fails", "template", failed)


def _templates(scenario: Scenario) -> Iterator[tuple[Path, str]]:
    for i, turn in enumerate(scenario.turns):
        for lang in ("ru", "en"):
            for j, line in enumerate(getattr(turn.customer, lang)):
                yield ("turns", i, "customer", lang, j), line
            yield ("turns", i, "model", lang), turn.model.get(lang)
    for outcome, lines in scenario.outcomes.items():
        for lang in ("ru", "en"):
            for j, line in enumerate(getattr(lines, lang)):
                yield ("outcomes", outcome, lang, j), line


def _first_render_failure(source: str, samples: list[Variables]) -> Failure | None:
    for facts in samples:
        variables = {**facts, "customer": {"name": "Anna", "gender": "female"}, "gender": lambda m, f: f}
        try:
            render(source, variables)
        except Exception as exc:
            return describe(exc), f"with the facts {_show(facts)}", isinstance(exc, LimitError)
    return None


def _branch_situations(expect: list[str], samples: list[Variables], hang_up_at: int) -> Iterator[tuple[Variables, str]]:
    for facts in samples:
        for anger in sorted({0, max(hang_up_at - 1, 0)}):
            for did in (True, False):
                variables = {
                    "anger": anger,
                    "behaviors": list(BEHAVIORS) if did else [],
                    "missing": [] if did else list(expect),
                    "actions": list(ACTIONS) if did else [],
                    "failed": [] if did else ["a-rule"],
                    "facts": facts,
                    "done": list(ACTIONS) if did else [],
                    "routed": list(DEPARTMENTS) if did else [],
                }
                reply = "a reply that did everything" if did else "an empty reply"
                yield variables, f"after {reply} at anger {anger}, facts {_show(facts)}"


def _first_failure(source: str, situations: Iterable[tuple[Variables, str]]) -> Failure | None:
    for variables, situation in situations:
        try:
            evaluate(source, variables)
        except ConditionError as exc:
            return exc.reason, situation, exc.limited
    return None


def _show(facts: Variables) -> str:
    text = "{" + ", ".join(f"{k}: {v!r}" for k, v in facts.items()) + "}"
    return text if len(text) <= 80 else text[:77] + "...}"


def _rule_situations(
    rule: Rule, reads: frozenset[str], scenarios: list[Scenario], roles: Iterable[str]
) -> Iterator[tuple[Variables, str, list[Variables]]]:
    """(variables of the rule's 'when', where they come from, the facts its 'where' would then see).

    What the condition does not read is not varied (``reads``: its top-level names).
    """
    angers = _ANGERS if "anger" in reads else _ANGERS[:1]
    for scenario in scenarios:
        if "all" not in rule.roles and scenario.role not in rule.roles:
            continue
        samples = fact_samples(scenario)
        groups = [[facts] for facts in samples] if "facts" in reads else [samples]
        turns = list(enumerate(scenario.turns)) if "turn" in reads else [(0, scenario.turns[0])]
        for group in groups:
            for i, turn in turns:
                last = i == len(scenario.turns) - 1 or turn.end is not None
                situation = {"id": turn.id, "index": i, "first": i == 0, "last": last, "topics": list(turn.topics)}
                for anger in angers:
                    variables = {
                        "facts": group[0],
                        "kind": scenario.kind,
                        "channel": scenario.channel,
                        "role": scenario.role,
                        "turn": situation,
                        "anger": anger,
                    }
                    yield variables, f"in scenario '{scenario.id}', turn '{turn.id}', anger {anger}", group
    # an imported conversation: no facts, and any topic, kind and channel
    role = next((r for r in rule.roles if r != "all"), next(iter(roles), "agent"))
    for kind in KINDS if "kind" in reads else KINDS[:1]:
        for channel in CHANNELS if "channel" in reads else CHANNELS[:1]:
            for edge in (True, False) if "turn" in reads else (True,):
                variables = {
                    "facts": {},
                    "kind": kind,
                    "channel": channel,
                    "role": role,
                    "turn": {"id": "t1", "index": 0 if edge else 1, "first": edge, "last": edge, "topics": list(TOPICS)},
                    "anger": 5,
                }
                yield variables, f"in an imported conversation ({kind}, {channel}, no facts)", [{}]


def _where_situations(check: Check, facts: Variables) -> Iterator[tuple[Variables, str]]:
    if check.behavior is not None:
        for value in _VALUES.get(check.behavior, [None]):
            yield {"value": value, "facts": facts}, f"for behaviour {check.behavior} with value {value!r}"
        return
    param = ACTIONS.get(check.action or "")
    for given in (False, True) if param else (False,):
        variables = {name: (_PARAMETERS[name] if given and name == param else None) for name in _PARAMETERS}
        shown = f"{param} {variables[param]!r}" if param else "no parameter"
        yield {**variables, "facts": facts}, f"for action {check.action} with {shown}"


def _checks(loc: Path, checks: list[Check]) -> Iterator[tuple[Path, Check]]:
    for i, check in enumerate(checks):
        if check.where is not None:
            yield (*loc, i, "where"), check
        yield from _checks((*loc, i, "any_of"), check.any_of or [])


def _reads(source: str | None) -> frozenset[str]:
    return frozenset(names_used(parse_condition(source))) if source is not None else frozenset()


def try_rules(
    files: Iterable[tuple[RuleFile, Document]], scenarios: Iterable[tuple[Scenario, Document]], roles: dict[str, Role]
) -> Iterator[Problem]:
    """Each rule's 'when' and its checks' 'where', tried wherever the rule applies."""
    library = [s for s, _ in scenarios]
    for rules, doc in files:
        for i, rule in enumerate(rules.rules):
            reads = _reads(rule.when)
            facts_in_scope: dict[str, Variables] = {}
            decided: dict[str, bool] = {}  # the same values of what the condition reads decide the same
            for variables, situation, group in _rule_situations(rule, reads, library, roles):
                key = repr([variables[name] for name in sorted(reads & set(variables))])
                if key not in decided:
                    try:
                        decided[key] = rule.when is None or evaluate(rule.when, variables)
                    except ConditionError as exc:
                        failure = (exc.reason, situation, exc.limited)
                        yield _failure(doc, ("rules", i, "when"), "condition-fails", "condition", failure)
                        break
                if decided[key]:
                    facts_in_scope.update((repr(facts), facts) for facts in group)
            wheres = [*_checks(("rules", i, "requires"), rule.requires), *_checks(("rules", i, "forbids"), rule.forbids)]
            for loc, check in wheres:
                assert check.where is not None
                seen = list(facts_in_scope.values()) if "facts" in _reads(check.where) else list(facts_in_scope.values())[:1]
                situations = (
                    (variables, f"{how}, facts {_show(facts)}")
                    for facts in seen
                    for variables, how in _where_situations(check, facts)
                )
                failed = _first_failure(check.where, situations)
                if failed:
                    yield _failure(doc, loc, "condition-fails", "condition", failed)
