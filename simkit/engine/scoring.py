"""Rule verdicts: a reply (text plus actions) judged against every rule in scope.

A rule is in scope when the scenario's role is among its roles and its ``when`` condition
holds for the turn; it then passes when everything it ``requires`` is present and nothing it
``forbids`` is. The turn score is the weighted share of passed rules (0-100); a failed critical
rule fails the turn, as contact-centre scorecards do. Without actions (a transcript), intents
detected in the text count as actions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..content.kit import Kit
from ..content.models import Check, Rule
from ..content.sandbox import evaluate
from ..content.scenario_model import Action
from ..content.vocabulary import ACTIONS
from ..i18n import N_, gettext, ngettext
from ..i18n.names import UnknownName, name
from ..language.detection import Finding, detect
from .generation import ScenarioInstance

Status = Literal["pass", "fail", "n/a"]

# What a behaviour found in the text means as an action when the trainee chose none.
_TEXT_ACTIONS = {
    "escalate_to_supervisor": "escalate_supervisor",
    "register_request": "register_request",
    "refuse_confidential": "refuse_disclosure",
}

# the feedback's labels; the catalogue translates them (simkit/i18n/locale)
_EVIDENCE = N_("In the reply")
_MISSING = N_("Missing")
_SOURCE = N_("Source")
_TRY = N_("You could say")
_PRACTICE = N_("common practice")  # a rule that cites no clause
_LATE = N_("a reply within {limit} s (it took {took} s)")
_BEHAVIOR = N_("behaviour")
_ACTION = N_("action")
_ANY_OF = N_("one of")


@dataclass(frozen=True)
class Evidence:
    """A piece of the reply (or a chosen action) that a verdict rests on."""

    what: str  # behaviour or action id
    text: str
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class Verdict:
    """How one rule was judged on one reply."""

    rule_id: str
    status: Status
    severity: str
    category: str
    weight: float
    source: str
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    feedback: str = ""

    def to_json(self) -> dict[str, Any]:
        """A plain mapping for JSON output."""
        return {
            "rule": self.rule_id,
            "status": self.status,
            "severity": self.severity,
            "category": self.category,
            "weight": self.weight,
            "source": self.source,
            "evidence": [e.text for e in self.evidence],
            "missing": list(self.missing),
            "feedback": self.feedback,
        }


@dataclass(frozen=True)
class TurnScore:
    """Every verdict on one reply, the weighted score and the feedback to show."""

    scenario_id: str
    turn_id: str
    lang: str
    text: str
    actions: tuple[Action, ...]
    text_only: bool
    findings: tuple[Finding, ...]
    verdicts: tuple[Verdict, ...]
    score: float
    critical_failures: tuple[str, ...] = field(default=())

    @property
    def failed(self) -> bool:
        """Whether a critical rule failed."""
        return bool(self.critical_failures)

    @property
    def feedback(self) -> list[str]:
        """Feedback lines for the failed rules, most severe first."""
        order = {"critical": 0, "major": 1, "minor": 2}
        failed = [v for v in self.verdicts if v.status == "fail"]
        return [v.feedback for v in sorted(failed, key=lambda v: (order.get(v.severity, 3), -v.weight))]

    def behaviors(self) -> set[str]:
        """Behaviour ids found in the reply."""
        return {f.behavior for f in self.findings}


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


def _holds(condition: str | None, variables: dict[str, Any]) -> bool:
    if condition is None:
        return True
    try:
        return evaluate(condition, variables)
    except Exception:
        return False


class _Judge:
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
            if not _holds(check.where, {"value": value, "facts": self.facts}):
                return []
            return [Evidence(check.behavior, self.text[a:b], (a, b)) for a, b in finding.spans]
        out = []
        for action in self.actions:
            variables = {"percent": action.percent, "department": action.department, "hours": action.hours, "facts": self.facts}
            if action.id == check.action and _holds(check.where, variables):
                out.append(Evidence(action.id, f"[{action.as_text()}]"))
        return out


def _name(kind: str, id: str, lang: str) -> str:
    # content is validated against the vocabulary, so an id without a name is a bug: the feedback
    # then shows the id rather than failing the reply
    try:
        return name(kind, id, lang)
    except UnknownName:
        return id


def describe_check(check: Check, lang: str) -> str:
    """What a check asks for, as the feedback names it: 'behaviour «Apology»', 'one of (...)'."""
    if check.any_of is not None:
        return f"{gettext(lang, _ANY_OF)} (" + " / ".join(describe_check(c, lang) for c in check.any_of) + ")"
    if check.behavior:
        what = f"{gettext(lang, _BEHAVIOR)} «{_name('behavior', check.behavior, lang)}»"
    else:
        what = f"{gettext(lang, _ACTION)} «{_name('action', check.action or '', lang)}»"
    return what + (f" [{check.where}]" if check.where else "")


def _shown(evidence: Evidence, lang: str) -> str:
    """Evidence as the feedback quotes it: the reply's words, or a chosen action by its name."""
    if evidence.span is not None or evidence.what not in ACTIONS:
        return evidence.text
    try:
        action = parse_action(evidence.text.strip("[]"))
    except ValueError:
        return evidence.text
    label = _name("action", action.id, lang)
    if action.department is not None:
        label += f": {_name('department', action.department, lang)}"
    elif action.percent is not None:
        label += f": {action.percent:g} %"
    elif action.hours is not None:
        hours = format(action.hours, "g")
        label += ": " + ngettext(lang, "{hours} hour", "{hours} hours", round(action.hours), hours=hours)
    return f"[{label}]"


def _feedback(rule: Rule, kit: Kit, lang: str, evidence: list[Evidence], missing: list[str], model_reply: str) -> str:
    parts = [f"{rule.title.get(lang)}: {rule.feedback.get(lang)}"]
    if evidence:
        parts.append(f"{gettext(lang, _EVIDENCE)}: " + "; ".join(f"«{_shown(e, lang)}»" for e in evidence))
    if missing:
        parts.append(f"{gettext(lang, _MISSING)}: " + "; ".join(missing))
    clause = kit.clause(rule.source)
    where = f"{rule.source} — {clause.summary.get(lang)}" if clause else gettext(lang, _PRACTICE)
    parts.append(f"{gettext(lang, _SOURCE)}: {where}")
    suggestion = rule.suggestion.get(lang) if rule.suggestion else model_reply
    if suggestion:
        parts.append(f"{gettext(lang, _TRY)}: «{suggestion}»")
    return " ".join(p if p.endswith((".", "»", "!", "?")) else p + "." for p in parts)


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
    )


_SCOPE: dict[tuple[str, ReplyContext], frozenset[str]] = {}
_NOT_APPLICABLE: dict[tuple[str, str], Verdict] = {}


def _not_applicable(rulebook: str, rule: Rule) -> Verdict:
    """The (immutable, shared) n/a verdict of a rule: most rules are out of scope on most turns."""
    key = (rulebook, rule.id)
    verdict = _NOT_APPLICABLE.get(key)
    if verdict is None:
        verdict = _NOT_APPLICABLE[key] = Verdict(rule.id, "n/a", rule.severity, rule.category, rule.weight, rule.source)
    return verdict


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


def _in_scope(kit: Kit, context: ReplyContext) -> frozenset[str]:
    """Ids of the rules that apply; cached, because scope depends on the situation, not the reply."""
    # only the facts some rule's condition reads tell one instance's scope from another's: keyed
    # on all of them, every generated instance (its own names, orders, sums) would miss the cache
    read = _facts_read(kit)
    facts = context.facts if read is None else tuple(item for item in context.facts if item[0] in read)
    key = (kit.rulebook_hash, replace(context, model_reply="", customer_name=None, facts=facts))
    found = _SCOPE.get(key)
    if found is None:
        variables = context.variables()
        found = frozenset(
            rule.id
            for rule in kit.rules.values()
            if ("all" in rule.roles or context.role in rule.roles) and _holds(rule.when, variables)
        )
        if len(_SCOPE) > 50_000:
            _SCOPE.clear()
        _SCOPE[key] = found
    return found


def score_reply(
    instance: ScenarioInstance,
    turn_id: str,
    text: str,
    actions: Sequence[Action | str] | None = None,
    *,
    kit: Kit | None = None,
    anger: int | None = None,
    seconds: float | None = None,
) -> TurnScore:
    """Judge every rule in scope for this reply to ``turn_id``; ``actions`` None means text-only.

    ``seconds`` is how long the reply took; rules with ``max_reply_seconds`` check it when given.
    """
    if kit is None:
        from ..content.kit import load_kit

        kit = load_kit()
    instance.turn(turn_id)  # an unknown turn fails here, with the turns it could have been
    return score_in_context(context_of(kit, instance, turn_id, anger), text, actions, kit=kit, seconds=seconds)


def score_in_context(
    context: ReplyContext,
    text: str,
    actions: Sequence[Action | str] | None = None,
    *,
    kit: Kit,
    seconds: float | None = None,
) -> TurnScore:
    """Judge every rule in scope for a reply given in ``context``; ``actions`` None means text-only."""
    lang = context.lang
    findings = detect(text, lang, context.customer_name)
    text_only = actions is None
    chosen = actions_from_text(findings) if actions is None else [parse_action(a) if isinstance(a, str) else a for a in actions]
    judge = _Judge(text, findings, chosen, dict(context.facts))
    scope = _in_scope(kit, context)
    verdicts = []
    for rule in kit.rules.values():
        if rule.id not in scope:
            verdicts.append(_not_applicable(kit.rulebook_hash, rule))
            continue
        base = dict(rule_id=rule.id, severity=rule.severity, category=rule.category, weight=rule.weight, source=rule.source)
        evidence: list[Evidence] = []
        missing: list[str] = []
        for check in rule.requires:
            found = judge.evidence(check)
            if found:
                evidence += found
            else:
                missing.append(describe_check(check, lang))
        violations = [e for check in rule.forbids for e in judge.evidence(check)]
        if rule.max_reply_seconds is not None and seconds is not None and seconds > rule.max_reply_seconds:
            limit, took = format(rule.max_reply_seconds, "g"), format(seconds, "g")
            missing.append(gettext(lang, _LATE, limit=limit, took=took))
        if missing or violations:
            shown = violations or evidence
            feedback = _feedback(rule, kit, lang, shown, missing, context.model_reply)
            verdicts.append(Verdict(status="fail", evidence=tuple(shown), missing=tuple(missing), feedback=feedback, **base))  # type: ignore[arg-type]
        else:
            verdicts.append(Verdict(status="pass", evidence=tuple(evidence), **base))  # type: ignore[arg-type]
    applicable = [v for v in verdicts if v.status != "n/a"]
    total = sum(v.weight for v in applicable)
    score = 100.0 if not total else round(100 * sum(v.weight for v in applicable if v.status == "pass") / total, 1)
    critical = tuple(v.rule_id for v in applicable if v.status == "fail" and v.severity == "critical")
    return TurnScore(
        scenario_id=context.scenario_id,
        turn_id=context.turn_id,
        lang=lang,
        text=text,
        actions=tuple(chosen),
        text_only=text_only,
        findings=tuple(findings),
        verdicts=tuple(verdicts),
        score=score,
        critical_failures=critical,
    )
