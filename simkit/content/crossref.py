"""Cross-references between content files: clauses, roles, vocabularies, turns, facts.

Each check yields problems located at the reference that is wrong, with the nearest valid name
as a hint. Checks that depend on a file that failed to load are skipped rather than reported
twice (a broken job file does not also make every rule citing it an error).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import PurePosixPath

from .expressions import facts_read, refusals
from .models import Check, JobDescription, MoodTable, Role, RoleFile, Rule, RuleFile
from .problems import Problem
from .reactions import check_assumptions
from .sandbox import (
    BRANCH_WHEN_NAMES,
    CHECK_WHERE_NAMES,
    MAX_FILE_EXPRESSION_CHARS,
    RULE_WHEN_NAMES,
    TEMPLATE_BUILTINS,
    TEMPLATE_CALLABLES,
    ExpressionError,
    ExpressionLimit,
    expression_chars,
    membership_tests,
    names_used,
    parse_condition,
    parse_template,
    plain_names,
)
from .scenario_model import Scenario, Turn
from .vocabulary import ACTIONS, BEHAVIORS, DEPARTMENTS, TOPICS
from .yamlload import Document, Path

COMMON_PRACTICE = "common-practice"


@dataclass(frozen=True)
class References:
    """What references may point to; None or a flag where the target failed to load."""

    jobs: dict[str, JobDescription]
    roles: dict[str, Role] | None
    rules: dict[str, Rule]
    broken_jobs: set[str]
    rules_complete: bool


@dataclass
class Budget:
    """Characters of expressions one file may still have checked (``MAX_FILE_EXPRESSION_CHARS``)."""

    left: int = MAX_FILE_EXPRESSION_CHARS
    reported: bool = False

    def refuse(self, doc: Document, loc: Path, source: str, condition: bool) -> Iterator[Problem]:
        """Nothing while ``source`` fits; else one problem for the file (once), and the caller stops."""
        self.left -= expression_chars(source, condition)
        if self.left < 0 and not self.reported:
            self.reported = True
            yield doc.problem(
                loc,
                "expression-limit",
                f"the file's templates and conditions hold more than {MAX_FILE_EXPRESSION_CHARS:,} characters of "
                "expressions; those from here on are not checked",
                "split the file, or write more of the lines as plain text",
            )


def _unknown(doc: Document, loc: Path, code: str, what: str, value: str, choices: Iterable[str], key: bool = False) -> Problem:
    options = sorted(choices)
    close = get_close_matches(value, options, n=1)
    if close:
        hint = f"did you mean '{close[0]}'?"
    else:
        hint = "known: " + ", ".join(options[:10]) + (", ..." if len(options) > 10 else "")
    return doc.problem(loc, code, f"unknown {what} '{value}'", hint, key=key)


def _duplicates(doc: Document, ids: list[tuple[Path, str]], what: str, seen: dict[str, str] | None = None) -> Iterator[Problem]:
    seen = {} if seen is None else seen
    for loc, ident in ids:
        if ident in seen:
            yield doc.problem(
                loc, "duplicate-id", f"{what} id '{ident}' is used twice (also in {seen[ident]})", "give each a unique id"
            )
        else:
            line = doc.where(loc)[0]
            seen[ident] = f"{doc.path}:{line}"


def check_condition(
    doc: Document,
    loc: Path,
    source: str,
    allowed: frozenset[str],
    vocab: Mapping[str, tuple[str, str, Iterable[str]]],
    facts: Iterable[str] | None = None,
    budget: Budget | None = None,
) -> Iterator[Problem]:
    """Problems in one condition: syntax, what content may not compute, unavailable names, unknown
    ids in ``'x' in y`` tests, and (given the scenario's ``facts``) facts it does not define."""
    if budget is not None:
        yield from budget.refuse(doc, loc, source, condition=True)
        if budget.left < 0:
            return
    try:
        ast = parse_condition(source)
    except ExpressionLimit as exc:
        yield doc.problem(loc, "expression-limit", str(exc), "shorten the condition")
        return
    except ExpressionError as exc:
        yield doc.problem(
            loc, "condition-error", f"the condition does not parse: {exc}", 'write a Jinja2 expression such as "anger >= 7"'
        )
        return
    refused = list(refusals(ast))
    for refusal in refused:
        yield doc.problem(loc, "expression-limit", refusal.message, refusal.hint)
    if refused:
        return
    for name in sorted(names_used(ast) - allowed):
        yield doc.problem(
            loc,
            "unknown-variable",
            f"the condition uses '{name}', which is not available here",
            "available: " + ", ".join(sorted(allowed)),
        )
    for literal, collection in membership_tests(ast):
        if collection in vocab:
            code, what, choices = vocab[collection]
            if literal not in set(choices):
                yield _unknown(doc, loc, code, what, literal, choices)
    if facts is not None:
        for name in sorted(set(facts_read(ast)) - set(facts)):
            yield _unknown(doc, loc, "unknown-fact", "fact", name, facts)


def check_jobs(jobs: list[tuple[JobDescription, Document]]) -> Iterator[Problem]:
    """A job's id matches its file name, and its sections are unique."""
    for job, doc in jobs:
        stem = PurePosixPath(doc.path).stem
        if job.id != stem:
            yield doc.problem(
                ("id",),
                "id-mismatch",
                f"id '{job.id}' differs from the file name '{stem}.yaml'",
                f"rename the file to {job.id}.yaml or the id to {stem}",
            )
        yield from _duplicates(doc, [(("clauses", i, "section"), c.section) for i, c in enumerate(job.clauses)], "section")


def check_roles(roles: RoleFile, doc: Document, refs: References) -> Iterator[Problem]:
    """Roles have unique ids and name existing job descriptions."""
    yield from _duplicates(doc, [(("roles", i, "id"), r.id) for i, r in enumerate(roles.roles)], "role")
    known = set(refs.jobs) | refs.broken_jobs
    for i, role in enumerate(roles.roles):
        for j, job in enumerate(role.jobs):
            if job not in known:
                yield _unknown(doc, ("roles", i, "jobs", j), "unknown-job", "job description", job, refs.jobs)


def _check_source(doc: Document, loc: Path, source: str, refs: References) -> Iterator[Problem]:
    if source == COMMON_PRACTICE:
        return
    job_id, sep, section = source.partition("#")
    if not sep or not section:
        yield doc.problem(
            loc,
            "bad-value",
            f"source '{source}' is not '<job id>#<section>'",
            f"write e.g. 'parusnik-client-manager#III.5' or '{COMMON_PRACTICE}'",
        )
    elif job_id in refs.broken_jobs:
        return
    elif job_id not in refs.jobs:
        yield _unknown(doc, loc, "unknown-job", "job description", job_id, refs.jobs)
    elif section not in {c.section for c in refs.jobs[job_id].clauses}:
        yield _unknown(
            doc, loc, "unknown-clause", f"clause of {job_id}:", section, [c.section for c in refs.jobs[job_id].clauses]
        )


def _check_checks(doc: Document, loc: Path, checks: list[Check], budget: Budget) -> Iterator[Problem]:
    for i, check in enumerate(checks):
        here = (*loc, i)
        if check.behavior is not None and check.behavior not in BEHAVIORS:
            yield _unknown(doc, (*here, "behavior"), "unknown-behavior", "behaviour", check.behavior, BEHAVIORS)
        if check.action is not None and check.action not in ACTIONS:
            yield _unknown(doc, (*here, "action"), "unknown-action", "action", check.action, ACTIONS)
        if check.where is not None:
            yield from check_condition(doc, (*here, "where"), check.where, CHECK_WHERE_NAMES, {}, budget=budget)
        if check.any_of is not None:
            yield from _check_checks(doc, (*here, "any_of"), check.any_of, budget)


def check_rules(files: list[tuple[RuleFile, Document]], refs: References) -> Iterator[Problem]:
    """Rule ids are unique across files; sources, roles, vocabularies and conditions resolve."""
    seen: dict[str, str] = {}
    topics = {"turn.topics": ("unknown-topic", "topic", TOPICS)}
    for rules, doc in files:
        budget = Budget()
        yield from _duplicates(doc, [(("rules", i, "id"), r.id) for i, r in enumerate(rules.rules)], "rule", seen)
        for i, rule in enumerate(rules.rules):
            loc: Path = ("rules", i)
            yield from _check_source(doc, (*loc, "source"), rule.source, refs)
            if refs.roles is not None:
                for j, role in enumerate(rule.roles):
                    if role != "all" and role not in refs.roles:
                        yield _unknown(doc, (*loc, "roles", j), "unknown-role", "role", role, [*refs.roles, "all"])
            if rule.when is not None:
                yield from check_condition(doc, (*loc, "when"), rule.when, RULE_WHEN_NAMES, topics, budget=budget)
            yield from _check_checks(doc, (*loc, "requires"), rule.requires, budget)
            yield from _check_checks(doc, (*loc, "forbids"), rule.forbids, budget)


def check_mood(mood: MoodTable, doc: Document, refs: References) -> Iterator[Problem]:
    """The mood table names only known behaviours and rules."""
    for behavior in mood.behaviors:
        if behavior not in BEHAVIORS:
            yield _unknown(doc, ("behaviors", behavior), "unknown-behavior", "behaviour", behavior, BEHAVIORS, key=True)
    if refs.rules_complete:
        for rule_id in mood.rules:
            if rule_id not in refs.rules:
                yield _unknown(doc, ("rules", rule_id), "unknown-rule", "rule", rule_id, refs.rules, key=True)


def _check_template(doc: Document, loc: Path, source: str, names: set[str], budget: Budget) -> Iterator[Problem]:
    yield from budget.refuse(doc, loc, source, condition=False)
    if budget.left < 0:
        return
    used = plain_names(source)  # nearly every line: text, facts, customer.name, gender(...), no parsing
    if used is None:
        try:
            ast = parse_template(source)
        except ExpressionLimit as exc:
            yield doc.problem(loc, "expression-limit", str(exc), "shorten the line")
            return
        except ExpressionError as exc:
            yield doc.problem(
                loc, "template-error", f"the template does not parse: {exc}", "check the {{ ... }} and {% ... %} pairs"
            )
            return
        refused = list(refusals(ast, TEMPLATE_CALLABLES))
        for refusal in refused:
            yield doc.problem(loc, "expression-limit", refusal.message, refusal.hint)
        if refused:
            return
        used = names_used(ast)
    for name in sorted(used - names):
        facts = sorted(names - TEMPLATE_BUILTINS)
        close = get_close_matches(name, sorted(names), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"facts: {', '.join(facts) or '(none)'}; also customer, gender(...)"
        yield doc.problem(loc, "unknown-fact", f"the template uses '{name}', which is not a fact of this scenario", hint)


def _successors(scenario: Scenario, index: int, ids: dict[str, int]) -> list[int]:
    """Turn indices a dialogue can move to from turn ``index``."""
    turn = scenario.turns[index]
    targets = [b.goto for b in turn.branches if b.goto] + ([turn.next] if turn.next else [])
    out = [ids[t] for t in targets if t in ids]
    if turn.next is None and turn.end is None and index + 1 < len(scenario.turns):
        out.append(index + 1)
    return out


def _check_turn(
    doc: Document, scenario: Scenario, i: int, turn: Turn, refs: References, names: set[str], budget: Budget
) -> Iterator[Problem]:
    loc: Path = ("turns", i)
    ids = set(scenario.turn_ids)
    for j, topic in enumerate(turn.topics):
        if topic not in TOPICS:
            yield _unknown(doc, (*loc, "topics", j), "unknown-topic", "topic", topic, TOPICS)
    for j, offered in enumerate(turn.actions):
        if offered not in ACTIONS:
            yield _unknown(doc, (*loc, "actions", j), "unknown-action", "action", offered, ACTIONS)
    for j, behavior in enumerate(turn.expect):
        if behavior not in BEHAVIORS:
            yield _unknown(doc, (*loc, "expect", j), "unknown-behavior", "behaviour", behavior, BEHAVIORS)
    for j, action in enumerate(turn.model.actions):
        here = (*loc, "model", "actions", j)
        if action.id not in ACTIONS:
            yield _unknown(doc, (*here, "id"), "unknown-action", "action", action.id, ACTIONS)
            continue
        if action.id not in turn.actions:
            yield doc.problem(
                (*here, "id"),
                "action-not-offered",
                f"the model reply takes '{action.id}', which this turn does not offer",
                f"add it to the turn's actions: {', '.join(turn.actions)}",
            )
        param = ACTIONS[action.id]
        for other in ("department", "percent", "hours"):
            if other != param and getattr(action, other) is not None:
                yield doc.problem((*here, other), "bad-value", f"'{action.id}' takes no '{other}'", f"remove '{other}'")
        if action.department is not None and action.department not in DEPARTMENTS:
            yield _unknown(doc, (*here, "department"), "unknown-department", "department", action.department, DEPARTMENTS)
        if param == "department" and action.department is None:
            yield doc.problem(
                here, "missing-key", "'route_department' needs 'department'", "add department: one of " + ", ".join(DEPARTMENTS)
            )
    branch_vocab: dict[str, tuple[str, str, Iterable[str]]] = {
        "behaviors": ("unknown-behavior", "behaviour", BEHAVIORS),
        "missing": ("unknown-behavior", "behaviour", BEHAVIORS),
        "actions": ("unknown-action", "action", tuple(ACTIONS)),
        "done": ("unknown-action", "action", tuple(ACTIONS)),
        "routed": ("unknown-department", "department", DEPARTMENTS),
    }
    if refs.rules_complete:
        branch_vocab["failed"] = ("unknown-rule", "rule", tuple(refs.rules))
    for j, branch in enumerate(turn.branches):
        yield from check_condition(
            doc, (*loc, "branches", j, "when"), branch.when, BRANCH_WHEN_NAMES, branch_vocab, scenario.facts, budget
        )
        if branch.goto is not None and branch.goto not in ids:
            yield _unknown(doc, (*loc, "branches", j, "goto"), "unknown-turn", "turn", branch.goto, ids)
        if branch.end is not None and branch.end not in scenario.outcomes:
            yield doc.problem(
                (*loc, "branches", j, "end"),
                "missing-outcome",
                f"outcome '{branch.end}' has no customer lines",
                f"add '{branch.end}:' under outcomes",
            )
    if turn.next is not None and turn.next not in ids:
        yield _unknown(doc, (*loc, "next"), "unknown-turn", "turn", turn.next, ids)
    end = turn.end or ("resolved" if turn.next is None and i == len(scenario.turns) - 1 else None)
    if end is not None and end not in scenario.outcomes:
        yield doc.problem(
            (*loc, "end") if turn.end else (*loc, "id"),
            "missing-outcome",
            f"outcome '{end}' has no customer lines",
            f"add '{end}:' under outcomes",
        )
    for lang in ("ru", "en"):
        for j, line in enumerate(getattr(turn.customer, lang)):
            yield from _check_template(doc, (*loc, "customer", lang, j), line, names, budget)
        yield from _check_template(doc, (*loc, "model", lang), turn.model.get(lang), names, budget)


def _expression_cost(scenario: Scenario) -> int:
    conditions = [b.when for turn in scenario.turns for b in turn.branches]
    lines = [
        line for turn in scenario.turns for lang in ("ru", "en") for line in (*getattr(turn.customer, lang), turn.model.get(lang))
    ]
    lines += [line for phrasings in scenario.outcomes.values() for lang in ("ru", "en") for line in getattr(phrasings, lang)]
    return sum(expression_chars(c, condition=True) for c in conditions) + sum(expression_chars(line) for line in lines)


def check_scenarios(scenarios: list[tuple[Scenario, Document]], refs: References, hang_up_at: int = 10) -> Iterator[Problem]:
    """Scenario ids are unique; roles, vocabularies, turns, outcomes and templates resolve; every
    path to a customer line has done what the line takes as done (``reactions``, warnings)."""
    seen: dict[str, str] = {}
    for scenario, doc in scenarios:
        if _expression_cost(scenario) <= MAX_FILE_EXPRESSION_CHARS:  # over it, the Budget reports it below
            yield from check_assumptions(scenario, doc, hang_up_at)
        yield from _duplicates(doc, [(("id",), scenario.id)], "scenario", seen)
        if refs.roles is not None and scenario.role not in refs.roles:
            yield _unknown(doc, ("role",), "unknown-role", "role", scenario.role, refs.roles)
        yield from _duplicates(doc, [(("turns", i, "id"), t.id) for i, t in enumerate(scenario.turns)], "turn")
        names = set(scenario.facts) | TEMPLATE_BUILTINS
        budget = Budget()
        for i, turn in enumerate(scenario.turns):
            yield from _check_turn(doc, scenario, i, turn, refs, names, budget)
        for outcome, lines in scenario.outcomes.items():
            for lang in ("ru", "en"):
                for j, line in enumerate(getattr(lines, lang)):
                    yield from _check_template(doc, ("outcomes", outcome, lang, j), line, names, budget)
        index: dict[str, int] = {}
        for i, turn in enumerate(scenario.turns):
            index.setdefault(turn.id, i)
        reached, todo = {0}, [0]
        while todo:
            for target in _successors(scenario, todo.pop(), index):
                if target not in reached:
                    reached.add(target)
                    todo.append(target)
        for i, turn in enumerate(scenario.turns):
            if i not in reached:
                yield doc.problem(
                    ("turns", i, "id"),
                    "unreachable-turn",
                    f"turn '{turn.id}' cannot be reached from the first turn",
                    "add a 'next' or a branch 'goto' that leads here, or remove it",
                )
