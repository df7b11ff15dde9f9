"""How a reply was judged, as values: a verdict per rule, and the turn score that gathers them.

Verdicts and turn scores are made for every reply, and most are never read by a person
(a re-scoring stores thousands): the feedback a failed rule shows (what the reply said, what
was missing, the source clause, a better phrasing drawn from the model reply) is therefore kept
as what it is made from and put into words only when someone reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from ..content.models import Check, Clause, Rule
from ..content.scenario_model import Action
from ..content.vocabulary import ACTIONS
from ..i18n import N_, gettext, ngettext
from ..i18n.names import UnknownName, name
from ..language.detection import Finding
from .checks import Evidence, parse_action
from .phrasing import better_phrasing, pick_sentences

Status = Literal["pass", "fail", "n/a"]

# the feedback's labels; the catalogue translates them (simkit/i18n/locale)
_EVIDENCE = N_("In the reply")
_MISSING = N_("Missing")
_SOURCE = N_("Source")
_TRY = N_("You could say")
_PRACTICE = N_("common practice")  # a rule that cites no clause
_BEHAVIOR = N_("behaviour")
_ACTION = N_("action")
_ANY_OF = N_("one of")
_EXPECTED_ADVICE = N_("No rule asks for anything on this turn, so the score counts the behaviours the scenario expects here")


@dataclass(frozen=True)
class Advice:
    """What a failed verdict's feedback is made from."""

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
    advice: Advice | None = field(default=None, compare=False, repr=False)

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


_NOT_APPLICABLE: dict[str, dict[str, Verdict]] = {}


def not_applicable(rulebook: str, rules: Iterable[Rule]) -> dict[str, Verdict]:
    """The (immutable, shared) n/a verdict of each rule of a rulebook, by rule id: most rules are
    out of scope on most turns, and their verdicts are made once per rulebook."""
    verdicts = _NOT_APPLICABLE.get(rulebook)
    if verdicts is None:
        verdicts = _NOT_APPLICABLE[rulebook] = {
            rule.id: Verdict(rule.id, "n/a", rule.severity, rule.category, rule.weight, rule.source) for rule in rules
        }
    return verdicts


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


def _feedback(advice: Advice, missing: Sequence[str], better: str) -> str:
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
