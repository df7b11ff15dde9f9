"""Readiness verdicts: a trainee's stored evidence judged against the written policy.

Every requirement of ``rulebook/readiness.yaml`` becomes a reason with its figure, its threshold,
whether it is met, and the attempts behind it, so HR can see why a verdict was given and audit it.
Too little evidence (too few attempts in the window, a required kind of situation never played, a
category never judged) gives ``insufficient_evidence``; evidence that falls short gives
``not_ready``; otherwise ``ready``.

Two entries give the same verdicts: ``store_readiness`` lets the database sum the evidence (it
reads no reply or verdict into Python, so a whole company is judged in about a second), and
``readiness`` judges attempts already read as mappings (``Store.attempts``), for callers that have
them at hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from ..content.kit import Kit
from ..content.models import Readiness
from ..store.evidence import AttemptEvidence, collector_paused, readiness_evidence

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

    def to_json(self) -> dict[str, Any]:
        """A plain mapping for ``--format json`` and exports."""
        return {
            "trainee": self.trainee,
            "cohort": self.cohort,
            "verdict": self.verdict,
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


def _verdicts(attempt: dict[str, Any]) -> Iterable[dict[str, Any]]:
    # the verdicts of the rulebook the attempt was played under (re-scorings sit beside them)
    for reply in attempt["replies"]:
        for v in reply["verdicts"]:
            if v["rulebook_hash"] == attempt["rulebook_hash"]:
                yield v


def _modes(policy: Readiness) -> set[str]:
    return set(policy.modes) | ({"real"} if policy.count_real_transcripts else set())


def _evidence(attempt: dict[str, Any]) -> AttemptEvidence:
    # the same summary of an attempt that evidence.readiness_evidence makes in SQL

    sums: dict[str, tuple[float, float]] = {}
    critical = False
    for v in _verdicts(attempt):
        passed, total = sums.get(v["category"], (0.0, 0.0))
        sums[v["category"]] = (passed + (v["weight"] if v["status"] == "pass" else 0.0), total + v["weight"])
        critical = critical or (v["status"] == "fail" and v["severity"] == "critical")
    return AttemptEvidence(attempt["id"], attempt["trainee"], attempt["scenario_id"], attempt["score"], sums, critical)


def judge(
    policy: Readiness, kit: Kit, trainee: str, attempts: list[dict[str, Any]], now: datetime | None = None
) -> TraineeReadiness:
    """The readiness of one trainee from their stored attempts."""
    now = now or datetime.now(UTC)
    modes = _modes(policy)
    window = [
        _evidence(a)
        for a in attempts
        if a["mode"] in modes and a["finished_at"] and now - timedelta(days=policy.window_days) <= _when(a) <= now
    ]
    cohort = attempts[0].get("cohort") if attempts else None
    return _decide(policy, kit, trainee, cohort, window)


def _decide(policy: Readiness, kit: Kit, trainee: str, cohort: str | None, window: Sequence[AttemptEvidence]) -> TraineeReadiness:
    # the verdict from the attempts in the window, oldest first
    ids = tuple(a.id for a in window)
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
    kinds: dict[str, list[str]] = defaultdict(list)
    scores: list[float] = []
    passed: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    behind: dict[str, list[str]] = defaultdict(list)
    critical: list[str] = []
    for a in window:  # oldest first: every list of attempts below keeps that order
        scenario = kit.scenarios.get(a.scenario_id)
        if scenario is not None:
            kinds[scenario.kind].append(a.id)
        if a.score is not None:
            scores.append(a.score)
        for category, (category_passed, category_total) in a.categories.items():
            passed[category] += category_passed
            total[category] += category_total
            behind[category].append(a.id)
        if a.critical:
            critical.append(a.id)
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
    mean = round(sum(scores) / len(scores), 1) if scores else 0.0
    reasons.append(Reason("min_score", mean, policy.min_score, bool(scores) and mean >= policy.min_score, bool(scores), ids))
    for category, threshold in policy.min_category_scores.items():
        judged = total[category] > 0
        figure = round(100 * passed[category] / total[category], 1) if judged else 0.0
        reasons.append(
            Reason(
                f"min_category_score:{category}",
                figure,
                threshold,
                judged and figure >= threshold,
                judged,
                tuple(behind[category]),
            )
        )
    reasons.append(
        Reason(
            "max_critical_failures",
            len(critical),
            policy.max_critical_failures,
            len(critical) <= policy.max_critical_failures,
            True,
            tuple(critical),
        )
    )
    verdict: Verdict
    if not all(r.evidence for r in reasons):
        verdict = "insufficient_evidence"
    elif all(r.met for r in reasons):
        verdict = "ready"
    else:
        verdict = "not_ready"
    return TraineeReadiness(trainee, cohort, verdict, tuple(reasons), ids)


def readiness(
    attempts: list[dict[str, Any]], kit: Kit, cohort: str | None = None, now: datetime | None = None
) -> list[TraineeReadiness]:
    """Verdicts for every trainee among ``attempts`` (those of ``cohort`` only, if given), by name."""
    by_trainee: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in attempts:
        if cohort is None or a.get("cohort") == cohort:
            by_trainee[a["trainee"]].append(a)
    return [judge(kit.readiness, kit, name, by_trainee[name], now) for name in sorted(by_trainee)]


def store_readiness(store: Store, kit: Kit, cohort: str | None = None, now: datetime | None = None) -> list[TraineeReadiness]:
    """Verdicts for every trainee with attempts in ``store`` (of ``cohort`` only, if given), by name.

    The same verdicts as ``readiness(store.attempts(), kit, cohort, now)``, but the database sums
    the verdicts per attempt and category, so no reply or verdict is read into Python.
    """
    policy = kit.readiness
    now = now or datetime.now(UTC)
    with collector_paused():  # some objects per attempt for a whole company, none in a cycle
        trainees, window = readiness_evidence(
            store, _modes(policy), now - timedelta(days=policy.window_days), now, list(policy.min_category_scores), cohort
        )
        by_trainee: dict[str, list[AttemptEvidence]] = defaultdict(list)
        for attempt in window:
            by_trainee[attempt.trainee].append(attempt)
        return [_decide(policy, kit, name, trainees[name], by_trainee[name]) for name in sorted(trainees)]
