"""Readiness verdicts: a trainee's stored evidence judged against the written policy.

Every requirement of ``rulebook/readiness.yaml`` becomes a reason with its figure, its threshold,
whether it is met, and the attempts behind it, so HR can see why a verdict was given and audit it.
Too little evidence (too few attempts in the window, a required kind of situation never played, a
category never judged) gives ``insufficient_evidence``; evidence that falls short gives
``not_ready``; otherwise ``ready``.

Verdicts are given under a chosen rulebook version (by default the kit's current one): a reply
re-scored under it (``simkit rescore``) is judged by those verdicts, a reply that was not by the
rulebook its attempt was played with, and the verdict lists those attempts (``fallback``). A
trainer's latest override of a verdict replaces the automatic status (the automatic row stays in
the store). An attempt's score is the mean of its turn scores: those it was played with, unless a
reply was re-scored under the chosen rulebook (then its turn score there counts) or a verdict of
it was overridden (then that reply's turn score is worked out again, ``scoring.turn_score_after``).

Two entries give the same verdicts: ``store_readiness`` reads the sums each attempt keeps in the
store (it reads no reply or verdict into Python, so a whole company is judged in well under a
second), and ``readiness`` judges attempts already read as mappings (``Store.attempts``), for
callers that have them at hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import compress
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal

from ..content.kit import Kit
from ..content.models import Readiness
from ..engine.scoring import asks, attempt_score, turn_score_after
from ..language.compiled import collector_paused
from ..store.evidence import (
    CRITICAL,
    FALLBACK,
    ID,
    OVERRIDDEN,
    SCENARIO,
    SCORE,
    SUMS,
    AttemptEvidence,
    readiness_evidence,
)

if TYPE_CHECKING:
    from ..store.database import Store

Verdict = Literal["ready", "not_ready", "insufficient_evidence"]


@dataclass(frozen=True)
class Reason:
    """One requirement of the policy, as it stands for one trainee."""

    requirement: str
    figure: float | int | list[str]
    threshold: float | int | list[str]
    met: bool
    evidence: bool  # False when the requirement lacks evidence rather than being failed
    attempts: tuple[str, ...] = ()


@dataclass(frozen=True)
class TraineeReadiness:
    """The verdict for one trainee, with every reason and the attempts in the window."""

    trainee: str
    cohort: str | None
    verdict: Verdict
    reasons: tuple[Reason, ...]
    attempts: tuple[str, ...] = field(default=())
    rulebook: str = ""  # the rulebook version the verdict was computed under
    fallback: tuple[str, ...] = ()  # attempts (some replies of them) judged under their own, earlier rulebook
    overridden: tuple[str, ...] = ()  # attempts with a verdict a trainer overrode

    def unmet(self) -> tuple[Reason, ...]:
        """The deciding reasons: the requirements not met (those without evidence first)."""
        missing = [r for r in self.reasons if not r.evidence]
        return tuple(missing + [r for r in self.reasons if r.evidence and not r.met])

    def to_json(self) -> dict[str, Any]:
        """A plain mapping for ``--format json`` and exports."""
        return {
            "trainee": self.trainee,
            "cohort": self.cohort,
            "verdict": self.verdict,
            "rulebook": self.rulebook,
            "fallback": list(self.fallback),
            "overridden": list(self.overridden),
            "reasons": [
                {
                    "requirement": r.requirement,
                    "figure": r.figure,
                    "threshold": r.threshold,
                    "met": r.met,
                    "evidence": r.evidence,
                    "attempts": list(r.attempts),
                }
                for r in self.reasons
            ],
            "attempts": list(self.attempts),
        }


def _when(attempt: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(attempt["finished_at"] or attempt["started_at"])


Overrides = Mapping[tuple[str, str], str]  # (reply id, rule id): the status of the counting override


def judged_under(attempt: dict[str, Any], reply: dict[str, Any], rulebook: str | None) -> str:
    """The rulebook a stored reply is judged by: ``rulebook`` if it was scored under it, else its attempt's own."""
    if rulebook is None or rulebook == attempt["rulebook_hash"]:
        return str(attempt["rulebook_hash"])
    if any(s["rulebook_hash"] == rulebook for s in reply["scores"]):
        return rulebook
    return str(attempt["rulebook_hash"])


def effective_verdicts(
    attempt: dict[str, Any], rulebook: str | None = None, overrides: Overrides | None = None
) -> Iterator[tuple[dict[str, Any], dict[str, Any], str]]:
    """(reply, automatic verdict, status that counts) for each verdict of ``attempt`` that readiness judges.

    The verdicts are those under ``rulebook`` (None: the attempt's own), per reply falling back to
    the attempt's own rulebook; the status is the latest override's when there is one (``n/a``
    included: such a verdict does not count).
    """
    for reply in attempt["replies"]:
        under = judged_under(attempt, reply, rulebook)
        for v in reply["verdicts"]:
            if v["rulebook_hash"] == under:
                status = overrides.get((reply["id"], v["rule"]), v["status"]) if overrides else v["status"]
                yield reply, v, status


def counted_modes(policy: Readiness) -> set[str]:
    """The modes of attempts the policy counts (real conversations when it says so)."""
    return set(policy.modes) | ({"real"} if policy.count_real_transcripts else set())


def _evidence(
    attempt: dict[str, Any],
    categories: Sequence[str],
    rulebook: str | None,
    overrides: Overrides | None,
    forbidding: AbstractSet[str],
) -> AttemptEvidence:
    # the same summary of an attempt that evidence.readiness_evidence makes in SQL
    sums: dict[str, tuple[float, float]] = {}
    critical = overridden = False
    turn_scores: list[float] = []  # of each reply, under the rulebook it is judged by, overrides counted
    for reply in attempt["replies"]:
        under = judged_under(attempt, reply, rulebook)
        moved = False
        counted: list[tuple[float, bool, str, str]] = []
        for v in reply["verdicts"]:
            if v["rulebook_hash"] != under:
                continue
            status = overrides.get((reply["id"], v["rule"]), v["status"]) if overrides else v["status"]
            moved = moved or status != v["status"]
            counted.append((v["weight"], v["rule"] not in forbidding, v["status"], status))
            if status == "n/a":
                continue
            passed, total = sums.get(v["category"], (0.0, 0.0))
            sums[v["category"]] = (passed + (v["weight"] if status == "pass" else 0.0), total + v["weight"])
            critical = critical or (status == "fail" and v["severity"] == "critical")
        stored = next((s["score"] for s in reply["scores"] if s["rulebook_hash"] == under), None)
        if stored is not None:
            turn_scores.append(turn_score_after(stored, counted) if moved else stored)
        overridden = overridden or moved
    own = attempt["rulebook_hash"]
    judged_by = {judged_under(attempt, reply, rulebook) for reply in attempt["replies"]}
    rejudged = rulebook is not None and rulebook != own and rulebook in judged_by
    fallback = rulebook is not None and rulebook != own and own in judged_by
    score = attempt["score"]
    if (rejudged or overridden) and score is not None and turn_scores:
        score = attempt_score(turn_scores)  # as the engine scores an attempt
    judged = {c: s for c, s in sums.items() if c in categories}
    return AttemptEvidence(
        attempt["id"], attempt["trainee"], attempt["scenario_id"], score, judged, critical, fallback, overridden
    )


def forbidding_rules(kit: Kit) -> frozenset[str]:
    """Ids of the kit's rules that only forbid (``scoring.asks`` is false): an override of one moves a
    turn score by its penalty. A rule the kit does not know is taken to ask for something."""
    return frozenset(rule.id for rule in kit.rules.values() if not asks(rule))


def judge(
    policy: Readiness,
    kit: Kit,
    trainee: str,
    attempts: list[dict[str, Any]],
    now: datetime | None = None,
    rulebook: str | None = None,
    overrides: Overrides | None = None,
) -> TraineeReadiness:
    """The readiness of one trainee from their stored attempts.

    Judged under ``rulebook`` (default: the kit's current rulebook; replies not re-scored under it
    fall back to their own) with ``overrides`` (``simkit.store.evidence.overrides``) applied.
    """
    now = now or datetime.now(UTC)
    rulebook = rulebook or kit.rulebook_hash
    modes = counted_modes(policy)
    categories = list(policy.min_category_scores)
    forbidding = forbidding_rules(kit)
    window = [
        _evidence(a, categories, rulebook, overrides, forbidding).row(categories)
        for a in attempts
        if a["mode"] in modes and a["finished_at"] and now - timedelta(days=policy.window_days) <= _when(a) <= now
    ]
    cohort = attempts[0].get("cohort") if attempts else None
    return _decide(policy, _kinds(kit), trainee, cohort, window, rulebook)


def _kinds(kit: Kit) -> dict[str, str]:
    # the kind of situation of each scenario the kit knows
    return {scenario_id: scenario.kind for scenario_id, scenario in kit.scenarios.items()}


def _decide(
    policy: Readiness,
    kinds_of: Mapping[str, str],
    trainee: str,
    cohort: str | None,
    window: Sequence[Sequence[Any]],
    rulebook: str,
) -> TraineeReadiness:
    # the verdict from the attempts in the window, oldest first, each laid out as evidence.ID ...
    # evidence.SUMS say. A company's attempts pass through here: each figure is a pass over one
    # column of them, in C where it can be (map, compress), every list in the window's order.
    ids = tuple(map(itemgetter(ID), window))
    reasons: list[Reason] = [
        Reason(
            "min_attempts",
            len(window),
            policy.min_attempts,
            len(window) >= policy.min_attempts,
            len(window) >= policy.min_attempts,
            ids,
        )
    ]
    kinds: dict[str, list[str]] = {}
    for attempt_id, kind in zip(ids, map(kinds_of.get, map(itemgetter(SCENARIO), window)), strict=True):
        if kind is not None:
            kinds.setdefault(kind, []).append(attempt_id)
    missing_kinds = [k for k in policy.required_kinds if k not in kinds]
    covered = tuple(i for k in policy.required_kinds for i in kinds.get(k, []))
    reasons.append(
        Reason(
            "required_kinds",
            sorted(set(policy.required_kinds) - set(missing_kinds)),
            list(policy.required_kinds),
            not missing_kinds,
            not missing_kinds,
            covered,
        )
    )
    scores = [s for s in map(itemgetter(SCORE), window) if s is not None]
    mean = round(sum(scores) / len(scores), 1) if scores else 0.0
    reasons.append(Reason("min_score", mean, policy.min_score, bool(scores) and mean >= policy.min_score, bool(scores), ids))
    for k, (category, threshold) in enumerate(policy.min_category_scores.items()):
        totals = list(map(itemgetter(SUMS + 2 * k + 1), window))  # None: nothing in the category judged
        judged_in = [t is not None for t in totals]
        weight = sum(compress(totals, judged_in))  # added up oldest first, as the attempts come
        judged = weight > 0
        passed = sum(compress(map(itemgetter(SUMS + 2 * k), window), judged_in))
        figure = round(100 * passed / weight, 1) if judged else 0.0
        reasons.append(
            Reason(
                f"min_category_score:{category}",
                figure,
                threshold,
                judged and figure >= threshold,
                judged,
                tuple(compress(ids, judged_in)),
            )
        )
    critical = tuple(compress(ids, map(itemgetter(CRITICAL), window)))
    reasons.append(
        Reason(
            "max_critical_failures",
            len(critical),
            policy.max_critical_failures,
            len(critical) <= policy.max_critical_failures,
            True,
            critical,
        )
    )
    verdict: Verdict
    if not all(r.evidence for r in reasons):
        verdict = "insufficient_evidence"
    elif all(r.met for r in reasons):
        verdict = "ready"
    else:
        verdict = "not_ready"
    fallback = tuple(compress(ids, map(itemgetter(FALLBACK), window)))
    overridden = tuple(compress(ids, map(itemgetter(OVERRIDDEN), window)))
    return TraineeReadiness(trainee, cohort, verdict, tuple(reasons), ids, rulebook, fallback, overridden)


def readiness(
    attempts: list[dict[str, Any]],
    kit: Kit,
    cohort: str | None = None,
    now: datetime | None = None,
    rulebook: str | None = None,
    overrides: Overrides | None = None,
) -> list[TraineeReadiness]:
    """Verdicts for every trainee among ``attempts`` (those of ``cohort`` only, if given), by name.

    ``rulebook`` and ``overrides`` as for ``judge``.
    """
    by_trainee: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in attempts:
        if cohort is None or a.get("cohort") == cohort:
            by_trainee[a["trainee"]].append(a)
    return [judge(kit.readiness, kit, name, by_trainee[name], now, rulebook, overrides) for name in sorted(by_trainee)]


def store_readiness(
    store: Store, kit: Kit, cohort: str | None = None, now: datetime | None = None, rulebook: str | None = None
) -> list[TraineeReadiness]:
    """Verdicts for every trainee with attempts in ``store`` (of ``cohort`` only, if given), by name.

    Under ``rulebook`` (default: the kit's current one) with the trainers' overrides: the same
    verdicts as ``readiness(store.attempts(), kit, cohort, now, rulebook, overrides(store))``, but
    from the sums each attempt keeps per category (``store.evidence``), so no reply or verdict is
    read into Python.
    """
    now = now or datetime.now(UTC)
    rulebook = rulebook or kit.rulebook_hash
    # some objects per attempt for a whole company, none in a cycle: the collector would walk them
    # again and again. It resumes once they are gone, when _judge_stored has returned, so that
    # its next pass does not walk them either.
    with collector_paused():
        return _judge_stored(store, kit, cohort, now, rulebook)


def _judge_stored(store: Store, kit: Kit, cohort: str | None, now: datetime, rulebook: str) -> list[TraineeReadiness]:
    policy = kit.readiness
    trainees, windows = readiness_evidence(
        store,
        counted_modes(policy),
        now - timedelta(days=policy.window_days),
        now,
        list(policy.min_category_scores),
        cohort,
        rulebook,
        forbidding=forbidding_rules(kit),
    )
    kinds = _kinds(kit)
    return [_decide(policy, kinds, name, trainees[name], windows.get(name, []), rulebook) for name in sorted(trainees)]


def store_judge(
    store: Store,
    kit: Kit,
    trainee: str,
    now: datetime | None = None,
    rulebook: str | None = None,
    attempts: list[dict[str, Any]] | None = None,
) -> TraineeReadiness:
    """One trainee's verdict from the store, with the trainers' overrides.

    Reads that trainee's attempts, unless the caller has just read them (``attempts``).
    """
    from ..store.evidence import overrides

    if attempts is None:
        attempts = store.attempts(trainee)
    return judge(kit.readiness, kit, trainee, attempts, now, rulebook, overrides(store, trainee))
