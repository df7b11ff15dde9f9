"""Which rules judge a reply: the situation it answers, and the rules whose scope it falls in.

A rule is in scope when the scenario's role is among its roles and its ``when`` condition holds
for the turn. Scope depends on the situation, not on the reply's words, so it is worked out once
per situation and rulebook and kept: a session's replies to one turn, and a re-scoring's hundred
thousand replies, each look it up rather than evaluating every rule's condition again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

from ..content.kit import Kit
from ..content.models import Rule
from ..content.sandbox import ConditionError, evaluate
from .generation import ScenarioInstance


def holds(condition: str | None, variables: dict[str, Any]) -> bool:
    """Whether a rule's ``when`` or a check's ``where`` condition holds (none always does)."""
    # a condition that cannot be decided raises ConditionError: it never switches its rule off
    return condition is None or evaluate(condition, variables)


def located(kit: Kit, rule: Rule, exc: ConditionError) -> ConditionError:
    """``exc`` with the rule it happened in and where the rule is written."""
    return exc.at(f"rule '{rule.id}' ({kit.rule_location(rule.id)})")


def _applies(kit: Kit, rule: Rule, variables: dict[str, Any]) -> bool:
    try:
        return holds(rule.when, variables)
    except ConditionError as exc:
        raise located(kit, rule, exc) from None


@dataclass(frozen=True)
class ReplyContext:
    """What a reply answers: the situation the rules' ``when`` conditions and the feedback read.

    A scenario turn gives one (``context_of``); an imported real conversation builds its own,
    with the topics read from the customer's words instead of the script.
    """

    scenario_id: str
    turn_id: str
    lang: str
    role: str
    kind: str
    channel: str
    turn_index: int
    first: bool
    last: bool
    topics: tuple[str, ...]
    anger: int
    facts: tuple[tuple[str, Any], ...] = ()
    customer_name: str | None = None
    model_reply: str = ""
    expect: tuple[str, ...] = ()  # the behaviours the script expects in the reply (none for a real conversation)

    def variables(self) -> dict[str, Any]:
        """The names a rule's ``when`` condition may use."""
        turn = {"id": self.turn_id, "index": self.turn_index, "first": self.first, "last": self.last, "topics": list(self.topics)}
        return {
            "facts": dict(self.facts),
            "kind": self.kind,
            "channel": self.channel,
            "role": self.role,
            "turn": turn,
            "anger": self.anger,
        }


def context_of(kit: Kit, instance: ScenarioInstance, turn_id: str, anger: int | None = None) -> ReplyContext:
    """The context of a reply to ``turn_id`` of a generated scenario instance."""
    scenario = kit.scenario(instance.scenario_id)
    index = next(i for i, t in enumerate(scenario.turns) if t.id == turn_id)
    source = scenario.turns[index]
    return ReplyContext(
        scenario_id=instance.scenario_id,
        turn_id=turn_id,
        lang=instance.lang,
        role=instance.role,
        kind=instance.kind,
        channel=instance.channel,
        turn_index=index,
        first=index == 0,
        last=index == len(scenario.turns) - 1 or source.end is not None,
        topics=tuple(source.topics),
        anger=instance.anger if anger is None else anger,
        facts=tuple(sorted(instance.facts.items())),
        customer_name=instance.customer.name,
        model_reply=instance.turn(turn_id).model_reply,
        expect=tuple(source.expect),
    )


_FACT_NAME = re.compile(r"""facts\s*(?:\.\s*(\w+)|\[\s*['"](\w+)['"]\s*\])""")
_FACTS_READ: dict[str, frozenset[str] | None] = {}


def _facts_read(kit: Kit) -> frozenset[str] | None:
    """Names of the facts the rules' ``when`` conditions read (None: they may read any of them)."""
    if kit.rulebook_hash not in _FACTS_READ:
        conditions = " ".join(rule.when or "" for rule in kit.rules.values())
        named = _FACT_NAME.findall(conditions)
        # a condition that uses ``facts`` otherwise (whole, or by a computed key) may read any fact
        whole = conditions.count("facts") != len(named)
        _FACTS_READ[kit.rulebook_hash] = None if whole else frozenset(a or b for a, b in named)
    return _FACTS_READ[kit.rulebook_hash]


_SCOPE: dict[tuple[str, tuple[Any, ...], tuple[tuple[str, Any], ...]], frozenset[str]] = {}
# what of a context the scope is keyed on: every field but the reply's own (the model reply, the
# customer's name, the expected behaviours) and the facts, of which only those read count. Read
# from the class, so that a field added later counts too.
_SITUATION = attrgetter(
    *(f.name for f in fields(ReplyContext) if f.name not in ("model_reply", "customer_name", "expect", "facts"))
)


def in_scope(kit: Kit, context: ReplyContext) -> frozenset[str]:
    """Ids of the rules that apply; cached, because scope depends on the situation, not the reply."""
    # only the facts some rule's condition reads tell one instance's scope from another's: keyed
    # on all of them, every generated instance (its own names, orders, sums) would miss the cache
    read = _facts_read(kit)
    facts = context.facts if read is None else tuple(item for item in context.facts if item[0] in read)
    key = (kit.rulebook_hash, _SITUATION(context), facts)
    found = _SCOPE.get(key)
    if found is None:
        variables = context.variables()
        found = frozenset(
            rule.id
            for rule in kit.rules.values()
            if ("all" in rule.roles or context.role in rule.roles) and _applies(kit, rule, variables)
        )
        if len(_SCOPE) > 50_000:
            _SCOPE.clear()
        _SCOPE[key] = found
    return found
