"""What a verdict rests on: each check of a rule judged against one reply's findings and actions.

A check asks for a behaviour (found in the text, its value within the check's ``where``) or for
an action the trainee chose. A transcript has no chosen actions: what its text says it does
(escalating, routing, a discount) counts as the actions instead, so imported conversations are
judged by the same checks as played ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..content.kit import Kit
from ..content.models import Check, Rule
from ..content.sandbox import ConditionError
from ..content.scenario_model import Action
from ..content.vocabulary import ACTIONS, DEPARTMENTS
from ..language.detection import Finding
from .scope import holds, located

# What a behaviour found in the text means as an action when the trainee chose none.
_TEXT_ACTIONS = {
    "escalate_to_supervisor": "escalate_supervisor",
    "register_request": "register_request",
    "refuse_confidential": "refuse_disclosure",
}


@dataclass(frozen=True)
class Evidence:
    """A piece of the reply (or a chosen action) that a verdict rests on."""

    what: str  # behaviour or action id
    text: str
    span: tuple[int, int] | None = None


def parse_action(text: str) -> Action:
    """An action from 'id' or 'id:param' (route_department:legal, offer_discount:5, promise_callback:2)."""
    name, _, param = text.partition(":")
    if name not in ACTIONS:
        raise ValueError(f"unknown action '{name}' (known: {', '.join(ACTIONS)})")
    kind = ACTIONS[name]
    if param and kind is None:
        raise ValueError(f"action '{name}' takes no parameter")
    if not param:
        return Action(id=name)
    if kind == "department":
        if param not in DEPARTMENTS:  # an id is never a path or free text
            raise ValueError(f"unknown department '{param}' (known: {', '.join(DEPARTMENTS)})")
        return Action(id=name, department=param)
    try:
        number = float(param)
    except ValueError:
        raise ValueError(f"action '{name}' needs a number, not '{param}'") from None
    return Action(id=name, percent=number) if kind == "percent" else Action(id=name, hours=number)


def actions_from_text(findings: Iterable[Finding]) -> list[Action]:
    """The actions a transcript's text implies (text-only mode)."""
    out: list[Action] = []
    for f in findings:
        if f.behavior in _TEXT_ACTIONS:
            out.append(Action(id=_TEXT_ACTIONS[f.behavior]))
        elif f.behavior == "route_to_department":
            departments = f.value if isinstance(f.value, tuple) else ()
            out += [Action(id="route_department", department=d) for d in departments]
        elif f.behavior == "offer_discount":
            out.append(Action(id="offer_discount", percent=float(f.value) if isinstance(f.value, int) else None))
    return out


class Judge:
    """Evaluates checks against one reply's findings and actions."""

    def __init__(self, text: str, findings: Sequence[Finding], actions: Sequence[Action], facts: dict[str, Any]) -> None:
        self.text = text
        self.findings = {f.behavior: f for f in findings}
        self.actions = actions
        self.facts = facts

    def evidence(self, check: Check) -> list[Evidence]:
        """The evidence that satisfies ``check`` (empty when it is not satisfied)."""
        if check.any_of is not None:
            for inner in check.any_of:
                found = self.evidence(inner)
                if found:
                    return found
            return []
        if check.behavior is not None:
            finding = self.findings.get(check.behavior)
            if finding is None:
                return []
            value = list(finding.value) if isinstance(finding.value, tuple) else finding.value
            if not holds(check.where, {"value": value, "facts": self.facts}):
                return []
            return [Evidence(check.behavior, self.text[a:b], (a, b)) for a, b in finding.spans]
        out = []
        for action in self.actions:
            variables = {"percent": action.percent, "department": action.department, "hours": action.hours, "facts": self.facts}
            if action.id == check.action and holds(check.where, variables):
                out.append(Evidence(action.id, f"[{action.as_text()}]"))
        return out


def located_evidence(kit: Kit, rule: Rule, judge: Judge, check: Check) -> list[Evidence]:
    """``judge.evidence(check)``; a condition that cannot be decided names the rule it is in."""
    try:
        return judge.evidence(check)
    except ConditionError as exc:
        raise located(kit, rule, exc) from None
