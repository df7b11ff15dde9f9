"""Rule verdicts and the turn score: a reply (text plus actions) judged against every rule in scope.

A rule is in scope when the scenario's role is among its roles and its ``when`` condition
holds for the turn; it then passes when everything it ``requires`` is present (in time, when it
sets ``max_reply_seconds``) and nothing it ``forbids`` is. Without actions (a transcript),
intents detected in the text count as actions.

The turn score (0-100) says how much of what the turn asks for the reply did, less what it did
wrong, so that saying nothing scores nothing:

- each rule in scope that asks for something (``requires``) earns its weight when the reply does
  all it asks; the score starts as the earned share of the weight those rules could earn;
- each rule in scope whose forbidden behaviour the reply shows takes away ``PENALTY_PER_WEIGHT``
  (10) points per unit of its weight: rudeness (weight 10) takes all 100, blaming the customer
  (6) takes 60, "calm down" (5) takes 50;
- on a turn where no rule asks for anything, the behaviours the scenario expects on the turn
  (its ``expect`` list; an action that does what a behaviour says counts for it) take the rules'
  place, each counting equally; an imported conversation, which has no such list, earns the score
  by showing any behaviour some rule asks for;
- the result is kept within 0-100 and rounded to one decimal.

Credit is per rule, not per check, because a trainer's override is per rule: the same sums hold
after one. A failed critical rule still fails the turn, whatever its score, as contact-centre
scorecards do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

from ..content.kit import Kit
from ..content.models import Check, Clause, Rule
from ..content.sandbox import ConditionError, evaluate
from ..content.scenario_model import Action
from ..content.vocabulary import ACTIONS, DEPARTMENTS
from ..errors import ReplyTooLong
from ..i18n import N_, gettext, ngettext
from ..i18n.names import UnknownName, name
from ..language.detection import Finding, detect
from .generation import ScenarioInstance
from .phrasing import SAID_AS, behaviors_for, better_phrasing, pick_sentences

Status = Literal["pass", "fail", "n/a"]

# Points a broken prohibition takes off the turn score per unit of its rule's weight.
PENALTY_PER_WEIGHT = 10.0

# The longest reply a trainee may give, in characters: a chat or a spoken answer is a few hundred;
# a longer one is refused before it is read (ReplyTooLong), so no reply can keep the scorer busy.
# Imported conversations (score_in_context) are not held to it: detection is linear in any case.
MAX_REPLY_CHARS = 5_000

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
_EXPECTED_ADVICE = N_("No rule asks for anything on this turn, so the score counts the behaviours the scenario expects here")


@dataclass(frozen=True)
class Evidence:
    """A piece of the reply (or a chosen action) that a verdict rests on."""

    what: str  # behaviour or action id
    text: str
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class _Advice:
    # what a failed verdict's feedback is drawn from; the text is put together only when someone
    # reads it (re-scoring a store never does, and picking from the model reply runs the detector)
    rule: Rule
    lang: str
    shown: tuple[Evidence, ...]
    clause: Clause | None
    model_reply: str
    customer_name: str | None
    wanted: frozenset[str]  # behaviours whose sentences of the model reply show what was missing


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
    advice: _Advice | None = field(default=None, compare=False, repr=False)

    @cached_property
    def better(self) -> str:
        """A better phrasing, in the reply's language, that fits the conversation ("" if none)."""
        if self.advice is None:
            return ""
        a = self.advice
        return better_phrasing(a.rule, a.lang, a.model_reply, a.customer_name, a.wanted)

    @property
    def better_is_model(self) -> bool:
        """Whether ``better`` comes from the turn's model reply rather than the rule's own suggestion."""
        return self.advice is not None and bool(self.advice.model_reply)

    @cached_property
    def feedback(self) -> str:
        """The feedback line of a failed rule ("" for a passed one)."""
        if self.advice is None:
            return ""
        return _feedback(self.advice, self.missing, self.better)

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
    # On a turn where no rule asks for anything, the scenario's expected behaviours earn the
    # score (see the module's docstring): those the reply lacked, by id. Empty otherwise.
    expected_missing: tuple[str, ...] = ()
    model_reply: str = field(default="", compare=False, repr=False)
    customer_name: str | None = field(default=None, compare=False, repr=False)

    @property
    def failed(self) -> bool:
        """Whether a critical rule failed."""
        return bool(self.critical_failures)

    @property
    def feedback(self) -> list[str]:
        """Feedback lines for the failed rules, most severe first, then what the turn expected."""
        order = {"critical": 0, "major": 1, "minor": 2}
        failed = [v for v in self.verdicts if v.status == "fail"]
        lines = [v.feedback for v in sorted(failed, key=lambda v: (order.get(v.severity, 3), -v.weight))]
        if self.expected_missing:
            lines.append(self.expected_feedback)
        return lines

    @cached_property
    def expected_better(self) -> str:
        """The sentences of the model reply that show what the turn expected and the reply lacked."""
        if not self.expected_missing:
            return ""
        return pick_sentences(self.model_reply, self.lang, self.customer_name, frozenset(self.expected_missing))

    @cached_property
    def expected_feedback(self) -> str:
        """The feedback line for the expected behaviours the reply lacked ("" when none count)."""
        if not self.expected_missing:
            return ""
        lang = self.lang
        names = "; ".join(f"«{_name('behavior', b, lang)}»" for b in self.expected_missing)
        parts = [gettext(lang, _EXPECTED_ADVICE), f"{gettext(lang, _MISSING)}: {names}"]
        if self.expected_better:
            parts.append(f"{gettext(lang, _TRY)}: «{self.expected_better}»")
        return _sentences_joined(parts)

    def behaviors(self) -> set[str]:
        """Behaviour ids found in the reply."""
        return {f.behavior for f in self.findings}


def asks(rule: Rule) -> bool:
    """Whether ``rule`` asks for something (it earns the score when met) rather than only forbids.

    A rule that only forbids counts when it is broken and not when it is kept: keeping quiet keeps
    every prohibition, and a non-answer must not look like a good one.
    """
    return bool(rule.requires) or rule.max_reply_seconds is not None


def attempt_score(turn_scores: Iterable[float]) -> float:
    """An attempt's score: the mean of its turn scores (0 for an attempt with no reply)."""
    scores = list(turn_scores)
    return round(sum(scores) / len(scores), 1) if scores else 0.0


def turn_score_after(stored: float, verdicts: Iterable[tuple[float, bool, str, str]]) -> float:
    """A turn's score once trainers' overrides count: ``stored`` is the score it was given.

    ``verdicts`` are the turn's verdicts in scope as (weight, whether the rule asks for something
    (``asks``), status as scored, status that counts); ``n/a`` as the status that counts drops a
    verdict. Where rules ask for something the score is summed again from the statuses; on a turn
    where none does (its score came from the scenario's expected behaviours) the stored score
    moves only by the prohibitions an override broke or cleared.
    """
    asked = earned = lost_before = lost_after = 0.0
    for weight, asking, scored, counts in verdicts:
        if asking:
            if counts != "n/a":
                asked += weight
                earned += weight if counts == "pass" else 0.0
        else:
            lost_before += PENALTY_PER_WEIGHT * weight if scored == "fail" else 0.0
            lost_after += PENALTY_PER_WEIGHT * weight if counts == "fail" else 0.0
    return _turn_points(100 * earned / asked - lost_after if asked else stored + lost_before - lost_after)


def _turn_points(value: float) -> float:
    # a turn score as shown and stored: kept within 0-100, one decimal
    return round(min(100.0, max(0.0, value)), 1)


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


def _holds(condition: str | None, variables: dict[str, Any]) -> bool:
    # a condition that cannot be decided raises ConditionError: it never switches its rule off
    return condition is None or evaluate(condition, variables)


def _located(kit: Kit, rule: Rule, exc: ConditionError) -> ConditionError:
    return exc.at(f"rule '{rule.id}' ({kit.rule_location(rule.id)})")


def _applies(kit: Kit, rule: Rule, variables: dict[str, Any]) -> bool:
    try:
        return _holds(rule.when, variables)
    except ConditionError as exc:
        raise _located(kit, rule, exc) from None


def _evidence(kit: Kit, rule: Rule, judge: _Judge, check: Check) -> list[Evidence]:
    try:
        return judge.evidence(check)
    except ConditionError as exc:
        raise _located(kit, rule, exc) from None


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


def _sentences_joined(parts: Iterable[str]) -> str:
    # a quoted phrasing ends with its own full stop; a list of names in «» still needs one
    return " ".join(p if p.rstrip("»").endswith((".", "!", "?", "…")) else p + "." for p in parts)


def _feedback(advice: _Advice, missing: Sequence[str], better: str) -> str:
    rule, lang = advice.rule, advice.lang
    parts = [f"{rule.title.get(lang)}: {rule.feedback.get(lang)}"]
    if advice.shown:
        parts.append(f"{gettext(lang, _EVIDENCE)}: " + "; ".join(f"«{_shown(e, lang)}»" for e in advice.shown))
    if missing:
        parts.append(f"{gettext(lang, _MISSING)}: " + "; ".join(missing))
    clause = advice.clause
    where = f"{rule.source} — {clause.summary.get(lang)}" if clause else gettext(lang, _PRACTICE)
    parts.append(f"{gettext(lang, _SOURCE)}: {where}")
    if better:
        parts.append(f"{gettext(lang, _TRY)}: «{better}»")
    return _sentences_joined(parts)


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


_ASKED: dict[str, frozenset[str]] = {}


def _asked_behaviors(kit: Kit) -> frozenset[str]:
    """The behaviours some rule of the rulebook asks for."""
    found = _ASKED.get(kit.rulebook_hash)
    if found is None:
        found = _ASKED[kit.rulebook_hash] = frozenset(behaviors_for(c for rule in kit.rules.values() for c in rule.requires))
    return found


def _in_scope(kit: Kit, context: ReplyContext) -> frozenset[str]:
    """Ids of the rules that apply; cached, because scope depends on the situation, not the reply."""
    # only the facts some rule's condition reads tell one instance's scope from another's: keyed
    # on all of them, every generated instance (its own names, orders, sums) would miss the cache
    read = _facts_read(kit)
    facts = context.facts if read is None else tuple(item for item in context.facts if item[0] in read)
    key = (kit.rulebook_hash, replace(context, model_reply="", customer_name=None, facts=facts, expect=()))
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


def check_reply(text: str, lang: str) -> None:
    """Raise ReplyTooLong, in ``lang``, for a reply longer than ``MAX_REPLY_CHARS``."""
    if len(text) > MAX_REPLY_CHARS:
        raise ReplyTooLong(len(text), MAX_REPLY_CHARS, lang)


def score_reply(
    instance: ScenarioInstance,
    turn_id: str,
    text: str,
    actions: Sequence[Action | str] | None = None,
    *,
    kit: Kit | None = None,
    anger: int | None = None,
    seconds: float | None = None,
    findings: Sequence[Finding] | None = None,
) -> TurnScore:
    """Judge every rule in scope for this reply to ``turn_id``; ``actions`` None means text-only.

    ``seconds`` is how long the reply took; rules with ``max_reply_seconds`` check it when given.
    A reply longer than ``MAX_REPLY_CHARS`` raises ReplyTooLong.
    ``findings``, when given, are what the detector found in ``text`` before (kept in a store).
    """
    check_reply(text, instance.lang)
    if kit is None:
        from ..content.kit import load_kit

        kit = load_kit()
    instance.turn(turn_id)  # an unknown turn fails here, with the turns it could have been
    context = context_of(kit, instance, turn_id, anger)
    return score_in_context(context, text, actions, kit=kit, seconds=seconds, findings=findings)


def score_in_context(
    context: ReplyContext,
    text: str,
    actions: Sequence[Action | str] | None = None,
    *,
    kit: Kit,
    seconds: float | None = None,
    findings: Sequence[Finding] | None = None,
) -> TurnScore:
    """Judge every rule in scope for a reply given in ``context``; ``actions`` None means text-only.

    ``findings`` are the detector's on ``text`` when they are known already (kept in a store).
    """
    lang = context.lang
    findings = detect(text, lang, context.customer_name) if findings is None else list(findings)
    text_only = actions is None
    chosen = actions_from_text(findings) if actions is None else [parse_action(a) if isinstance(a, str) else a for a in actions]
    judge = _Judge(text, findings, chosen, dict(context.facts))
    scope = _in_scope(kit, context)
    verdicts = []
    asked = earned = lost = 0.0  # weight of the rules in scope that ask for something, of those met, points lost
    for rule in kit.rules.values():
        if rule.id not in scope:
            verdicts.append(_NOT_APPLICABLE.get((kit.rulebook_hash, rule.id)) or _not_applicable(kit.rulebook_hash, rule))
            continue
        base = dict(rule_id=rule.id, severity=rule.severity, category=rule.category, weight=rule.weight, source=rule.source)
        evidence: list[Evidence] = []
        missing: list[str] = []
        unmet: list[Check] = []
        for check in rule.requires:
            found = _evidence(kit, rule, judge, check)
            if found:
                evidence += found
            else:
                missing.append(describe_check(check, lang))
                unmet.append(check)
        violations = [e for check in rule.forbids for e in _evidence(kit, rule, judge, check)]
        timed = rule.max_reply_seconds is not None and seconds is not None
        if rule.max_reply_seconds is not None and seconds is not None and seconds > rule.max_reply_seconds:
            limit, took = format(rule.max_reply_seconds, "g"), format(seconds, "g")
            missing.append(gettext(lang, _LATE, limit=limit, took=took))
        if rule.requires or timed:
            asked += rule.weight
            earned += 0.0 if missing else rule.weight
        if violations:
            lost += PENALTY_PER_WEIGHT * rule.weight
        if missing or violations:
            shown = violations or evidence
            # the sentences of the model reply to suggest: those saying what was missing (all the
            # rule asks for when only the time was); for a broken prohibition, the whole reply
            wanted = frozenset(behaviors_for(unmet or rule.requires)) if missing else frozenset()
            advice = _Advice(
                rule, lang, tuple(shown), kit.clause(rule.source), context.model_reply, context.customer_name, wanted
            )
            verdicts.append(Verdict(status="fail", evidence=tuple(shown), missing=tuple(missing), advice=advice, **base))  # type: ignore[arg-type]
        else:
            verdicts.append(Verdict(status="pass", evidence=tuple(evidence), **base))  # type: ignore[arg-type]
    expected_missing: tuple[str, ...] = ()
    if asked:
        share = earned / asked
    elif context.expect:  # no rule asks for anything here: the script's expectations do
        said = {f.behavior for f in findings} | {SAID_AS[a.id] for a in chosen if a.id in SAID_AS}
        expected_missing = tuple(b for b in dict.fromkeys(context.expect) if b not in said)
        share = 1 - len(expected_missing) / len(set(context.expect))
    else:  # an imported conversation's line where nothing is asked: any behaviour a rule asks for earns
        share = 1.0 if any(f.behavior in _asked_behaviors(kit) for f in findings) else 0.0
    score = _turn_points(100 * share - lost)
    critical = tuple(v.rule_id for v in verdicts if v.status == "fail" and v.severity == "critical")
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
        expected_missing=expected_missing,
        model_reply=context.model_reply,
        customer_name=context.customer_name,
    )
