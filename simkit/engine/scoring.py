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

from collections.abc import Iterable, Sequence

from ..content.kit import Kit
from ..content.models import Check, Rule
from ..content.scenario_model import Action
from ..errors import ReplyTooLong
from ..i18n import N_, gettext
from ..language.detection import Finding, detect
from .checks import Evidence, Judge, actions_from_text, located_evidence, parse_action
from .generation import ScenarioInstance
from .phrasing import SAID_AS, behaviors_for
from .scope import ReplyContext, context_of, in_scope
from .scope import _facts_read as _facts_read  # tests read which facts scope depends on
from .verdicts import Advice, Status, TurnScore, Verdict, describe_check, not_applicable

# what other modules import from here, where each concept lives: checks (evidence, actions),
# scope (the situation and the rules in scope), verdicts (verdicts, turn scores, feedback)
__all__ = [
    "MAX_REPLY_CHARS",
    "PENALTY_PER_WEIGHT",
    "Evidence",
    "ReplyContext",
    "Status",
    "TurnScore",
    "Verdict",
    "actions_from_text",
    "asks",
    "attempt_score",
    "check_reply",
    "context_of",
    "describe_check",
    "parse_action",
    "score_in_context",
    "score_reply",
    "turn_score_after",
]

# Points a broken prohibition takes off the turn score per unit of its rule's weight.
PENALTY_PER_WEIGHT = 10.0

# The longest reply a trainee may give, in characters: a chat or a spoken answer is a few hundred;
# a longer one is refused before it is read (ReplyTooLong), so no reply can keep the scorer busy.
# Imported conversations (score_in_context) are not held to it: detection is linear in any case.
MAX_REPLY_CHARS = 5_000

# the feedback's label of a late reply (the other labels: engine.verdicts); the catalogue translates it
_LATE = N_("a reply within {limit} s (it took {took} s)")


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


_ASKED: dict[str, frozenset[str]] = {}


def _asked_behaviors(kit: Kit) -> frozenset[str]:
    """The behaviours some rule of the rulebook asks for."""
    found = _ASKED.get(kit.rulebook_hash)
    if found is None:
        found = _ASKED[kit.rulebook_hash] = frozenset(behaviors_for(c for rule in kit.rules.values() for c in rule.requires))
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
    judge = Judge(text, findings, chosen, dict(context.facts))
    scope = in_scope(kit, context)
    verdicts = []
    asked = earned = lost = 0.0  # weight of the rules in scope that ask for something, of those met, points lost
    out_of_scope = not_applicable(kit.rulebook_hash, kit.rules.values())
    for rule in kit.rules.values():
        if rule.id not in scope:
            verdicts.append(out_of_scope[rule.id])
            continue
        evidence: list[Evidence] = []
        missing: list[str] = []
        unmet: list[Check] = []
        for check in rule.requires:
            found = located_evidence(kit, rule, judge, check)
            if found:
                evidence += found
            else:
                missing.append(describe_check(check, lang))
                unmet.append(check)
        violations = [e for check in rule.forbids for e in located_evidence(kit, rule, judge, check)]
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
            advice = Advice(rule, lang, tuple(shown), kit.clause(rule.source), context.model_reply, context.customer_name, wanted)
            verdicts.append(
                Verdict(
                    rule.id, "fail", rule.severity, rule.category, rule.weight, rule.source, tuple(shown), tuple(missing), advice
                )
            )
        else:
            verdicts.append(Verdict(rule.id, "pass", rule.severity, rule.category, rule.weight, rule.source, tuple(evidence)))
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
