"""Feedback any front end can draw: why each rule failed, why the mood moved, what to practise next.

``scoring`` judges a reply; this module turns its verdicts into what a person reads: every failed
rule, most severe first, with the trainee's own words that broke it (as character spans into the
reply, so a view can mark them), what was missing by name, the clause the rule comes from and a
better phrasing taken from this turn's model reply. Nothing here draws anything: the widgets, the
terminal and the reports share it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..content.kit import Kit
from ..content.models import Check, Rule
from ..content.scenario_model import Action
from ..content.vocabulary import ACTIONS
from ..i18n import N_, gettext, ngettext, translator
from ..i18n.names import name
from .dialogue import AttemptResult, Exchange
from .scoring import Evidence, TurnScore, Verdict, describe_check, parse_action

SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2}
# The id of the feedback item for a turn scored by the scenario's expected behaviours (no rule has it).
EXPECTED = "expected-behaviours"

# What the condition on a check's parameter means, by the parameter the action or behaviour carries
# (the rulebook's conditions test exactly these: the right department, a time given, the percent).
_CONDITION = {
    "department": N_("the right department"),
    "hours": N_("with a time"),
    "percent": N_("within the allowed percent"),
}
_BEHAVIOR_PARAMETER = {"route_to_department": "department", "offer_discount": "percent"}
# A behaviour that says in words what an action does: "one of" the two is named once, as the action.
_SAME_AS_ACTION = {
    "escalate_to_supervisor": "escalate_supervisor",
    "route_to_department": "route_department",
    "register_request": "register_request",
    "offer_discount": "offer_discount",
    "refuse_confidential": "refuse_disclosure",
}


@dataclass(frozen=True)
class Quote:
    """A piece of the reply (or an action chosen beside it) that a verdict rests on."""

    what: str  # the behaviour or action id
    label: str  # its display name
    text: str  # the trainee's words, or the action as a person reads it
    span: tuple[int, int] | None  # characters of the reply; None for an action


@dataclass(frozen=True)
class ClauseRef:
    """Where a rule comes from: a job description's clause, or common practice."""

    source: str
    job_title: str  # "" for common practice
    section: str
    summary: str  # our one-line summary, or "common practice"

    @property
    def common_practice(self) -> bool:
        """Whether the rule cites no job description."""
        return not self.job_title


@dataclass(frozen=True)
class RuleFeedback:
    """One failed rule on one reply, explained."""

    rule_id: str
    title: str
    severity: str
    category: str
    weight: float
    feedback: str  # the rule's own advice
    quotes: tuple[Quote, ...]
    broke: bool  # the quotes are what broke the rule (True) or what was there but not enough (False)
    missing: tuple[str, ...]  # display names of what the reply lacked
    clause: ClauseRef
    better: str  # a better phrasing, in the reply's language
    better_is_model: bool  # the better phrasing is the turn's model reply, not the rule's own suggestion

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """The characters of the reply to mark."""
        return tuple(q.span for q in self.quotes if q.span is not None)


@dataclass(frozen=True)
class MoodReason:
    """One cause of a change in the customer's anger, readable."""

    kind: str  # drift, late, behavior or rule
    cause: str  # the behaviour or rule id ("" for drift and lateness)
    label: str
    delta: int


@dataclass(frozen=True)
class PracticeItem:
    """A rule to practise: how often it failed in an attempt, and what it asks."""

    rule_id: str
    title: str
    severity: str
    category: str
    failures: int
    feedback: str
    clause: ClauseRef


def clause_of(rule: Rule, kit: Kit, lang: str) -> ClauseRef:
    """The clause ``rule`` cites, with its job description's title, in ``lang``."""
    clause = kit.clause(rule.source)
    job = kit.jobs.get(rule.source.partition("#")[0])
    if clause is None or job is None:
        return ClauseRef(rule.source, "", "", gettext(lang, "common practice"))
    return ClauseRef(rule.source, job.title.get(lang), clause.section, clause.summary.get(lang))


def _parameter(what: str, behavior: bool) -> str | None:
    return _BEHAVIOR_PARAMETER.get(what) if behavior else ACTIONS.get(what)


def check_name(check: Check, lang: str) -> str:
    """A check of a rule as a person reads it: "Apology", "Route to a department (the right department)"."""
    if check.any_of is not None:
        actions = {c.action for c in check.any_of if c.action is not None}
        kept = [c for c in check.any_of if c.behavior is None or _SAME_AS_ACTION.get(c.behavior) not in actions]
        labels = list(dict.fromkeys(check_name(c, lang) for c in kept))
        return labels[0] if len(labels) == 1 else gettext(lang, "one of: {names}", names=" / ".join(labels))
    behavior = check.behavior is not None
    what = check.behavior if check.behavior is not None else check.action or ""
    label = name("behavior" if behavior else "action", what, lang)
    parameter = _parameter(what, behavior)
    if check.where and parameter in _CONDITION:
        label += f" ({gettext(lang, _CONDITION[parameter])})"
    return label


def action_label(action: Action, lang: str) -> str:
    """An action with its parameter as a person reads it: "Offer a discount: 10 %"."""
    label = name("action", action.id, lang)
    if action.department is not None:
        return f"{label}: {name('department', action.department, lang)}"
    if action.percent is not None:
        return f"{label}: {action.percent:g} %"
    if action.hours is not None:
        return f"{label}: " + ngettext(
            lang, "{hours} hour", "{hours} hours", round(action.hours), hours=format(action.hours, "g")
        )
    return label


def action_text(text: str, lang: str) -> str:
    """An action as evidence shows it ("[offer_discount:10]") as a person reads it ("Offer a discount: 10 %")."""
    try:
        return action_label(parse_action(text.strip("[]")), lang)
    except ValueError:
        return text


def _quote(evidence: Evidence, lang: str) -> Quote:
    if evidence.span is not None or evidence.what not in ACTIONS:
        return Quote(evidence.what, name("behavior", evidence.what, lang), evidence.text, evidence.span)
    return Quote(evidence.what, name("action", evidence.what, lang), action_text(evidence.text, lang), None)


def _forbidden(checks: Iterable[Check]) -> set[str]:
    out: set[str] = set()
    for check in checks:
        if check.any_of is not None:
            out |= _forbidden(check.any_of)
        out |= {w for w in (check.behavior, check.action) if w is not None}
    return out


def _missing(rule: Rule, verdict: Verdict, score_lang: str, lang: str, seconds: float | None) -> tuple[str, ...]:
    # scoring names what is missing in the reply's language with ids; find each check it names
    described = {describe_check(check, score_lang): check for check in rule.requires}
    out = []
    for item in verdict.missing:
        check = described.get(item)
        if check is not None:
            out.append(check_name(check, lang))
        elif rule.max_reply_seconds is not None:
            limit = f"{rule.max_reply_seconds:g}"
            out.append(
                gettext(lang, "a reply within {limit} s", limit=limit)
                if seconds is None
                else gettext(lang, "a reply within {limit} s (it took {took} s)", limit=limit, took=format(seconds, "g"))
            )
        else:
            out.append(item)
    return tuple(out)


def explain(score: TurnScore, kit: Kit, lang: str, *, model_reply: str = "", seconds: float | None = None) -> list[RuleFeedback]:
    """Every failed rule of one reply, most severe first (critical, major, minor, then weight).

    Titles, advice and clauses are in ``lang`` (the screen's language); the better phrasing is in
    the reply's own language and fits the conversation: the sentences of the turn's model reply
    that show what was missing (the whole model reply for a broken prohibition), or, with no
    model reply, the rule's own name-free suggestion (``phrasing.better_phrasing``). ``model_reply``
    serves only verdicts scored elsewhere. On a turn scored by the scenario's expected behaviours,
    an item with the id ``EXPECTED`` last names the ones the reply lacked.
    """
    out = []
    for verdict in score.verdicts:
        if verdict.status != "fail":
            continue
        rule = kit.rules.get(verdict.rule_id)
        if rule is None:  # judged under another rulebook: say what the verdict itself says
            out.append(_bare(verdict, lang))
            continue
        forbidden = _forbidden(rule.forbids)
        broke = any(e.what in forbidden for e in verdict.evidence)
        if verdict.advice is not None:  # scored here: the phrasing was picked for this conversation
            better, from_model = verdict.better, verdict.better_is_model
        else:
            suggestion = rule.suggestion.get(score.lang) if rule.suggestion else ""
            better, from_model = suggestion or model_reply, not suggestion and bool(model_reply)
        out.append(
            RuleFeedback(
                rule_id=rule.id,
                title=rule.title.get(lang),
                severity=rule.severity,
                category=rule.category,
                weight=rule.weight,
                feedback=rule.feedback.get(lang),
                quotes=tuple(_quote(e, lang) for e in verdict.evidence),
                broke=broke,
                missing=_missing(rule, verdict, score.lang, lang, seconds),
                clause=clause_of(rule, kit, lang),
                better=better,
                better_is_model=from_model,
            )
        )
    out.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), -f.weight, f.rule_id))
    if score.expected_missing:
        out.append(_expected(score, lang))
    return out


def _expected(score: TurnScore, lang: str) -> RuleFeedback:
    # a turn where no rule asks for anything is scored by what the scenario expects there: say what was lacking
    _ = translator(lang)
    return RuleFeedback(
        rule_id=EXPECTED,
        title=_("What this turn expects"),
        severity="minor",
        category="",
        weight=0.0,
        feedback=_("No rule asks for anything on this turn, so the score counts the behaviours the scenario expects here"),
        quotes=(),
        broke=False,
        missing=tuple(name("behavior", b, lang) for b in score.expected_missing),
        clause=ClauseRef("common-practice", "", "", _("common practice")),
        better=score.expected_better,
        better_is_model=bool(score.model_reply),
    )


def _bare(verdict: Verdict, lang: str) -> RuleFeedback:
    return RuleFeedback(
        rule_id=verdict.rule_id,
        title=verdict.rule_id,
        severity=verdict.severity,
        category=verdict.category,
        weight=verdict.weight,
        feedback=verdict.feedback,
        quotes=(),
        broke=False,
        missing=verdict.missing,
        clause=ClauseRef(verdict.source, "", "", verdict.source),
        better="",
        better_is_model=False,
    )


def explain_exchange(exchange: Exchange, kit: Kit, lang: str) -> list[RuleFeedback]:
    """``explain`` for one exchange of a dialogue: its model reply and reply time included."""
    return explain(exchange.score, kit, lang, model_reply=exchange.turn.model_reply, seconds=exchange.seconds)


def mood_reasons(exchange: Exchange, kit: Kit, lang: str) -> list[MoodReason]:
    """Why the customer's anger moved after one reply: each cause that moved it, with its delta."""
    _ = translator(lang)
    out = []
    for shift in exchange.mood_shifts:
        if shift.delta == 0:
            continue
        if shift.kind == "drift":
            label = _("Every exchange wears the customer's patience") if shift.delta > 0 else _("The customer calms down a bit")
        elif shift.kind == "late":
            label = _("The customer waited too long for the reply")
        elif shift.kind == "behavior":
            label = name("behavior", shift.cause, lang)
        else:
            rule = kit.rules.get(shift.cause)
            label = _("Rule broken: {title}", title=rule.title.get(lang) if rule else shift.cause)
        out.append(MoodReason(shift.kind, shift.cause, label, shift.delta))
    return out


def practise_next(result: AttemptResult, kit: Kit, lang: str, n: int = 3) -> list[PracticeItem]:
    """The rules failed most often in an attempt (the more severe first among equals), at most ``n``."""
    counts = Counter(v.rule_id for e in result.exchanges for v in e.score.verdicts if v.status == "fail")
    rules = [(kit.rules[r], c) for r, c in counts.items() if r in kit.rules]
    rules.sort(key=lambda rc: (-rc[1], SEVERITY_ORDER.get(rc[0].severity, 3), -rc[0].weight, rc[0].id))
    return [
        PracticeItem(
            rule_id=rule.id,
            title=rule.title.get(lang),
            severity=rule.severity,
            category=rule.category,
            failures=count,
            feedback=rule.feedback.get(lang),
            clause=clause_of(rule, kit, lang),
        )
        for rule, count in rules[: max(0, n)]
    ]
