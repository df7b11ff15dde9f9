"""Readiness verdicts: a trainee's stored evidence judged against the written policy.

Every requirement of ``rulebook/readiness.yaml`` becomes a reason with its figure, its threshold,
whether it is met, and the attempts behind it, so HR can see why a verdict was given and audit it.
Too little evidence (too few attempts in the window, a required kind of situation never played, a
category never judged) gives ``insufficient_evidence``; evidence that falls short gives
``not_ready``; otherwise ``ready``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from .kit import Kit
from .models import Readiness

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


def judge(
    policy: Readiness, kit: Kit, trainee: str, attempts: list[dict[str, Any]], now: datetime | None = None
) -> TraineeReadiness:
    """The readiness of one trainee from their stored attempts."""
    now = now or datetime.now(UTC)
    modes = set(policy.modes) | ({"real"} if policy.count_real_transcripts else set())
    window = [
        a
        for a in attempts
        if a["mode"] in modes and a["finished_at"] and now - timedelta(days=policy.window_days) <= _when(a) <= now
    ]
    ids = tuple(a["id"] for a in window)
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
    for a in window:
        if a["scenario_id"] in kit.scenarios:
            kinds[kit.scenarios[a["scenario_id"]].kind].append(a["id"])
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
    scores = [a["score"] for a in window if a["score"] is not None]
    mean = round(sum(scores) / len(scores), 1) if scores else 0.0
    reasons.append(Reason("min_score", mean, policy.min_score, bool(scores) and mean >= policy.min_score, bool(scores), ids))
    passed: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    behind: dict[str, list[str]] = defaultdict(list)
    critical: list[str] = []
    for a in window:
        for v in _verdicts(a):
            total[v["category"]] += v["weight"]
            passed[v["category"]] += v["weight"] if v["status"] == "pass" else 0.0
            if a["id"] not in behind[v["category"]]:
                behind[v["category"]].append(a["id"])
            if v["status"] == "fail" and v["severity"] == "critical" and a["id"] not in critical:
                critical.append(a["id"])
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
    cohort = attempts[0].get("cohort") if attempts else None
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
