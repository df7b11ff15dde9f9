"""What a customer line takes as done, checked against every path that leads to it.

A turn may declare ``assumes``: the actions and behaviours its customer line reacts to as already
done ("thank you for passing it to the legal department", "yes, the same address"). A dialogue
reaches a turn by edges: a branch's ``goto``, ``next``, or the following turn in the file when no
branch fires. An assumption holds on a path when some reply on it did the thing and the edge that
reply took cannot be taken without it.

Whether an edge can be taken without it is decided by trying replies, so every warning comes with
a reply that shows it: the model reply, an empty reply, and the model reply with each behaviour,
action or department that the turn's branch conditions test switched on or off; each made to lack
the assumed thing (a routing: sent to every other department, or not routed), at every anger below
the hang-up level that the conditions tell apart. A condition on ``failed`` sees no failed rule.
A must-analysis over the turn graph then gives what every path to each turn has done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes

from .problems import Problem
from .sandbox import ExpressionError, evaluate, membership_tests, parse_condition
from .scenario_model import Fact, Scenario, Turn
from .vocabulary import ACTIONS, BEHAVIORS, DEPARTMENTS
from .yamlload import Document

# Actions and the behaviour that shows each in a reply's text: a transcript's actions are read
# from these behaviours, so a reply without the one is taken to be without the other.
PAIRS = {
    "escalate_supervisor": "escalate_to_supervisor",
    "route_department": "route_to_department",
    "register_request": "register_request",
    "offer_discount": "offer_discount",
    "refuse_disclosure": "refuse_confidential",
}
_PAIRED_ACTION = {b: a for a, b in PAIRS.items()}

EdgeKey = tuple[str, int]  # ("branch", k) | ("next", 0) | ("follow", 0)

# Branch conditions evaluated for one scenario at most: the replies tried grow with the ids and
# angers its conditions test, and the shipped scenarios need at most a few hundred. Past this the
# analysis stops with one warning, so that no scenario can keep validation busy.
MAX_TRIALS = 10_000


class _Exhausted(Exception):
    """The scenario's conditions need more than MAX_TRIALS evaluations."""


@dataclass(frozen=True)
class Reply:
    """A reply as branch conditions see it; ``label`` says which reply it is, for messages."""

    behaviors: frozenset[str]
    actions: frozenset[str]
    departments: frozenset[str]
    failed: frozenset[str] = frozenset()
    label: str = "the model reply"

    def toggled(self, literal: str, collection: str) -> Reply | None:
        """This reply with ``literal`` switched on or off in what ``collection`` reads, if it names a known id."""
        b, a, d, f = set(self.behaviors), set(self.actions), set(self.departments), set(self.failed)
        if collection in ("behaviors", "missing") and literal in BEHAVIORS:
            b ^= {literal}
        elif collection in ("actions", "done") and literal in ACTIONS:
            a ^= {literal}
            d = d if "route_department" in a else set()
        elif collection == "routed" and literal in DEPARTMENTS:
            d ^= {literal}
            a = a | {"route_department"} if d else a - {"route_department"}
        elif collection == "failed":
            f ^= {literal}
        else:
            return None
        on = literal in b | a | d | f
        label = f"{self.label} {'with' if on else 'without'} {literal}"
        return Reply(frozenset(b), frozenset(a), frozenset(d), frozenset(f), label)

    def without(self, assumption: str) -> list[Reply]:
        """Replies like this one that do not do ``assumption``."""
        name, _, department = assumption.partition(":")
        b, a, d = set(self.behaviors), set(self.actions), set(self.departments)
        if department:
            routed = [
                Reply(
                    frozenset(b | {"route_to_department"}),
                    frozenset(a | {"route_department"}),
                    frozenset({other}),
                    self.failed,
                    f"{self.label}, routed to {other}",
                )
                for other in DEPARTMENTS
                if other != department
            ]
            unrouted = Reply(
                frozenset(b - {"route_to_department"}),
                frozenset(a - {"route_department"}),
                frozenset(),
                self.failed,
                f"{self.label}, not routed",
            )
            return [*routed, unrouted]
        if name in ACTIONS:
            a.discard(name)
            b.discard(PAIRS.get(name, ""))
        else:
            b.discard(name)
            a.discard(_PAIRED_ACTION.get(name, ""))
        if "route_department" not in a:
            d = set()
        return [Reply(frozenset(b), frozenset(a), frozenset(d), self.failed, f"{self.label} without {assumption}")]


@dataclass(frozen=True)
class Edge:
    """A way from turn ``source`` to turn ``target`` (indices): a branch ``goto``, ``next`` or the file order."""

    source: int
    target: int
    key: EdgeKey

    def describe(self, scenario: Scenario) -> str:
        turn = scenario.turns[self.source]
        if self.key[0] == "branch":
            return f"its branch {self.key[1] + 1} (when: {turn.branches[self.key[1]].when})"
        return "'next'" if self.key[0] == "next" else "the order of the turns (no branch fired)"


def edges(scenario: Scenario) -> list[Edge]:
    """Every edge of the turn graph, as the dialogue follows them."""
    index: dict[str, int] = {}
    for i, turn in enumerate(scenario.turns):
        index.setdefault(turn.id, i)
    out = []
    for i, turn in enumerate(scenario.turns):
        out += [Edge(i, index[b.goto], ("branch", k)) for k, b in enumerate(turn.branches) if b.goto in index]
        if turn.next is not None:
            if turn.next in index:
                out.append(Edge(i, index[turn.next], ("next", 0)))
        elif turn.end is None and i + 1 < len(scenario.turns):
            out.append(Edge(i, i + 1, ("follow", 0)))
    return out


def _sample(fact: Fact) -> Any:
    """One value of a fact, enough for a condition that compares it."""
    if fact.pick is not None:
        return getattr(fact.pick[0], "en", fact.pick[0])
    if fact.between is not None:
        return fact.between[0]
    if fact.pattern is not None:
        return getattr(fact.pattern, "en", fact.pattern)
    return "date"


class _Turn:
    """One turn's branch conditions, parsed once, and the edge a reply takes from it."""

    def __init__(self, scenario: Scenario, i: int, facts: dict[str, Any], hang_up_at: int, trials: list[int]) -> None:
        self.turn, self.facts = scenario.turns[i], facts
        self.trials = trials  # evaluations left for the whole scenario, shared by its turns
        self.last = i + 1 >= len(scenario.turns)
        self.literals: list[tuple[str, str]] = []
        thresholds = {0, hang_up_at - 1}
        for branch in self.turn.branches:
            try:
                ast = parse_condition(branch.when)
            except ExpressionError:
                continue  # reported as condition-error
            self.literals += membership_tests(ast)
            for const in ast.find_all(nodes.Const):
                if isinstance(const.value, int) and not isinstance(const.value, bool):
                    thresholds |= {const.value - 1, const.value, const.value + 1}
        self.angers = sorted(a for a in thresholds if 0 <= a < hang_up_at)
        self._taken: dict[tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str], int], EdgeKey | None] = {}

    def replies(self) -> list[Reply]:
        """The model reply, an empty one, and the model reply with each tested literal toggled."""
        turn = self.turn
        model = Reply(
            frozenset(turn.expect),
            frozenset(a.id for a in turn.model.actions),
            frozenset(a.department for a in turn.model.actions if a.department),
        )
        out = [model, Reply(frozenset(), frozenset(), frozenset(), label="an empty reply")]
        out += [r for literal, collection in self.literals if (r := model.toggled(literal, collection)) is not None]
        return out

    def taken(self, reply: Reply, anger: int) -> EdgeKey | None:
        """The edge the dialogue follows after ``reply`` at ``anger`` (None when it ends)."""
        # different assumptions often strip a reply down to the same one: decide each once
        key = (reply.behaviors, reply.actions, reply.departments, reply.failed, anger)
        if key not in self._taken:
            self._taken[key] = self._decide(reply, anger)
        return self._taken[key]

    def _decide(self, reply: Reply, anger: int) -> EdgeKey | None:
        actions = sorted(reply.actions)
        variables = {
            "anger": anger,
            "behaviors": sorted(reply.behaviors),
            "missing": [b for b in self.turn.expect if b not in reply.behaviors],
            "actions": actions,
            "failed": sorted(reply.failed),
            "facts": self.facts,
            "done": actions,
            "routed": sorted(reply.departments),
        }
        key: EdgeKey | None
        for k, branch in enumerate(self.turn.branches):
            self.trials[0] -= 1
            if self.trials[0] < 0:
                raise _Exhausted
            try:
                fires = evaluate(branch.when, variables)
            except Exception:  # a condition that fails on these values does not fire, as in scoring
                fires = False
            if fires:
                key = ("branch", k) if branch.goto else None
                break
        else:
            key = ("next", 0) if self.turn.next else (("follow", 0) if self.turn.end is None and not self.last else None)
        return None if key is not None and "end_conversation" in reply.actions else key

    def without(self, assumption: str) -> dict[EdgeKey, str]:
        """Each edge a reply lacking ``assumption`` can take, with one such reply."""
        found: dict[EdgeKey, str] = {}
        for base in self.replies():
            for reply in base.without(assumption):
                for anger in self.angers:
                    key = self.taken(reply, anger)
                    if key is not None and key not in found:
                        found[key] = f"{reply.label}, anger {anger}"
        return found


def _known(assumption: str) -> str | None:
    """Why an assumption names nothing known, or None."""
    name, _, param = assumption.partition(":")
    if param:
        if name != "route_department":
            return f"only route_department takes a parameter in 'assumes', not '{name}'"
        return None if param in DEPARTMENTS else f"unknown department '{param}'"
    return None if name in ACTIONS or name in BEHAVIORS else f"unknown behaviour or action '{name}'"


def check_assumptions(scenario: Scenario, doc: Document, hang_up_at: int = 10) -> Iterator[Problem]:
    """Unknown ids in ``assumes`` (errors), then each assumption a path does not guarantee (warnings)."""
    wanted: set[str] = set()
    for i, turn in enumerate(scenario.turns):
        for j, assumption in enumerate(turn.assumes):
            why = _known(assumption)
            if why is None:
                wanted.add(assumption)
                continue
            code = "unknown-department" if why.startswith("unknown department") else "bad-value"
            code = "unknown-behavior" if why.startswith("unknown behaviour") else code
            yield doc.problem(
                ("turns", i, "assumes", j), code, why, "use a behaviour id, an action id or route_department:<department>"
            )
    if not wanted:
        return
    facts = {name: _sample(fact) for name, fact in scenario.facts.items()}
    graph = edges(scenario)
    reached, todo = {0}, [0]
    while todo:
        source = todo.pop()
        for e in graph:
            if e.source == source and e.target not in reached:
                reached.add(e.target)
                todo.append(e.target)
    graph = [e for e in graph if e.source in reached]
    turns: dict[int, _Turn] = {}
    bad: dict[tuple[int, str], dict[EdgeKey, str]] = {}
    trials = [MAX_TRIALS]

    def lacking(source: int, assumption: str) -> dict[EdgeKey, str]:
        if (source, assumption) not in bad:
            if source not in turns:
                turns[source] = _Turn(scenario, source, facts, hang_up_at, trials)
            bad[(source, assumption)] = turns[source].without(assumption)
        return bad[(source, assumption)]

    def through(e: Edge, before: set[str]) -> set[str]:
        return before | {a for a in wanted - before if e.key not in lacking(e.source, a)}

    # what every path to a turn has done: the start has done nothing; elsewhere the meet over the
    # incoming edges, from "everything" down to the greatest fixed point
    done = {i: (set() if i == 0 else set(wanted)) for i in reached}
    found: list[Problem] = []
    try:
        changed = True
        while changed:
            changed = False
            for i in sorted(reached - {0}):
                incoming = [through(e, done[e.source]) for e in graph if e.target == i]
                meet = set.intersection(*incoming) if incoming else set()
                if meet != done[i]:
                    done[i], changed = meet, True
        for i in sorted(reached):
            turn = scenario.turns[i]
            for j, assumption in enumerate(turn.assumes):
                if assumption not in wanted or assumption in done[i]:
                    continue
                found += _warnings(scenario, doc, i, j, turn, assumption, graph, done, lacking)
    except _Exhausted:
        first = next((i, j) for i, turn in enumerate(scenario.turns) for j, a in enumerate(turn.assumes) if a in wanted)
        found = [
            doc.problem(
                ("turns", first[0], "assumes", first[1]),
                "unmet-assumption",
                f"what the turns assume was not checked: the branch conditions need more than {MAX_TRIALS:,} trials",
                "use fewer or simpler branch conditions, or fewer 'assumes'",
            )
        ]
    yield from found


def _warnings(
    scenario: Scenario,
    doc: Document,
    i: int,
    j: int,
    turn: Turn,
    assumption: str,
    graph: list[Edge],
    done: dict[int, set[str]],
    lacking: Callable[[int, str], dict[EdgeKey, str]],
) -> Iterator[Problem]:
    loc = ("turns", i, "assumes", j)
    if i == 0:
        yield doc.problem(
            loc,
            "unmet-assumption",
            f"turn '{turn.id}' takes {assumption} as done, but it is the first turn",
            "the first line is shown before any reply: remove it from 'assumes'",
        )
        return
    for e in graph:
        # an edge lets the assumption fail when a path to its source may lack it and a reply
        # without it can take the edge (one such edge exists whenever the meet lacks it)
        reply = None if e.target != i or assumption in done[e.source] else lacking(e.source, assumption).get(e.key)
        if reply is None:
            continue
        source = scenario.turns[e.source].id
        yield doc.problem(
            loc,
            "unmet-assumption",
            f"turn '{turn.id}' takes {assumption} as done, but '{source}' leads here by {e.describe(scenario)} "
            f"after a reply without it ({reply})",
            f"give '{source}' a branch for the reply without it that fires before this edge, or remove it from 'assumes'",
        )
