"""The HR readiness dashboard's state: what it reads of the evidence and what HR's clicks store.

Plain Python, tested without a browser. It reads and writes through an ``Evidence`` (the local
store, or the hub's simkit service). Every figure comes from ``reports.readiness`` (verdicts summed
in SQL under a chosen rulebook, with trainers' overrides), ``reports.changes`` (what a rule change
changed) and the store's ``decisions`` and ``judgement`` modules; nothing is judged here.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..content.kit import Kit

if TYPE_CHECKING:
    from ..reports.changes import VerdictChanges
    from ..reports.readiness import TraineeReadiness
    from ..store.decisions import Decision
    from ..store.judgement import JudgedVerdict
    from .evidence import Evidence

PAGE_SIZE = 50  # trainees per page of the cohort table: the first page draws at once for a thousand


@dataclass(frozen=True)
class CohortRow:
    """One trainee in the cohort table: the computed verdict and HR's latest decision, if any."""

    readiness: TraineeReadiness
    decision: Decision | None


@dataclass(frozen=True)
class CriticalFailure:
    """A failed critical rule on one reply: the evidence behind a ``max_critical_failures`` reason."""

    attempt: dict[str, Any]
    reply: dict[str, Any]
    rule_id: str
    overridden: bool  # a trainer overrode it (the row stays, shown as such)


@dataclass(frozen=True)
class TraineeEvidence:
    """Everything the dashboard shows about one trainee."""

    trainee: str
    readiness: TraineeReadiness
    attempts: tuple[dict[str, Any], ...]  # practice, session, assessment, real: oldest first
    drills: tuple[dict[str, Any], ...]
    rule_rates: tuple[tuple[str, int, int], ...]  # (rule id, passed, judged), the weakest first
    critical: tuple[CriticalFailure, ...]
    overrides: tuple[JudgedVerdict, ...]  # automatic verdicts a trainer overrode (both shown)
    decisions: tuple[Decision, ...]  # oldest first: the last is in force

    def kinds(self) -> tuple[list[str], list[str]]:
        """The required kinds of situation (covered, missing), in the policy's order."""
        reason = next((r for r in self.readiness.reasons if r.requirement == "required_kinds"), None)
        if reason is None or not isinstance(reason.threshold, list) or not isinstance(reason.figure, list):
            return [], []
        covered = [k for k in reason.threshold if k in reason.figure]
        return covered, [k for k in reason.threshold if k not in reason.figure]


class DashboardState:
    """The cohort's verdicts under a chosen rulebook, one trainee's evidence, HR's decisions and exports."""

    def __init__(self, evidence: Evidence, kit: Kit, rulebook: str | None = None, page_size: int = PAGE_SIZE) -> None:
        self.evidence = evidence
        self.kit = kit
        self.rulebook = rulebook or kit.rulebook_hash
        self.page_size = page_size
        self.verdicts: list[TraineeReadiness] = []
        self.decisions: dict[str, Decision] = {}
        self.loaded_at: datetime | None = None

    def load(self, rulebook: str | None = None) -> None:
        """Read every trainee's verdict (summed in SQL) and HR's latest decisions."""
        if rulebook:
            self.rulebook = rulebook
        self.verdicts = self.evidence.readiness(self.kit, rulebook=self.rulebook)
        self.decisions = self.evidence.latest_decisions()
        self.loaded_at = datetime.now().astimezone()

    def cohorts(self) -> list[str]:
        """The cohorts among the judged trainees, sorted."""
        return sorted({v.cohort for v in self.verdicts if v.cohort})

    def counts(self, cohort: str | None = None) -> Counter[str]:
        """How many trainees have each verdict (of ``cohort`` only, if given)."""
        return Counter(v.verdict for v in self.verdicts if cohort is None or v.cohort == cohort)

    def rows(self, cohort: str | None = None, verdict: str | None = None) -> list[CohortRow]:
        """The cohort table: trainees (by name) of ``cohort`` with ``verdict``, when given."""
        return [
            CohortRow(v, self.decisions.get(v.trainee))
            for v in self.verdicts
            if (cohort is None or v.cohort == cohort) and (verdict is None or v.verdict == verdict)
        ]

    def pages(self, rows: list[CohortRow]) -> int:
        """How many pages ``rows`` fill (at least one)."""
        return max(1, math.ceil(len(rows) / self.page_size))

    def page(self, rows: list[CohortRow], number: int) -> list[CohortRow]:
        """Page ``number`` (from 0) of ``rows``; a number out of range gives the nearest page."""
        number = min(max(0, number), self.pages(rows) - 1)
        return rows[number * self.page_size : (number + 1) * self.page_size]

    def verdict_of(self, trainee: str) -> TraineeReadiness:
        """The trainee's computed verdict under the chosen rulebook (from the cohort, else judged now)."""
        found = next((v for v in self.verdicts if v.trainee == trainee), None)
        if found is not None:
            return found
        return self.evidence.judge(self.kit, trainee, rulebook=self.rulebook)

    def trainee(self, trainee: str) -> TraineeEvidence:
        """One trainee's evidence: attempts, rule pass rates, critical failures, overrides and decisions."""
        from ..reports.readiness import effective_verdicts, judged_under

        attempts = self.evidence.attempts(trainee)
        replies = {r["id"]: (a, r) for a in attempts for r in a["replies"]}
        judged = self.evidence.verdicts_with_overrides(list(replies)) if replies else {}
        overrides: list[JudgedVerdict] = []
        for reply_id, verdicts in judged.items():
            attempt, reply = replies[reply_id]
            under = judged_under(attempt, reply, self.rulebook)
            overrides += [v for v in verdicts if v.override is not None and v.rulebook_hash == under]
        statuses = {(v.reply_id, v.rule_id): v.status for v in overrides}
        passed: Counter[str] = Counter()
        total: Counter[str] = Counter()
        critical = []
        played = [a for a in attempts if a["mode"] != "drill"]
        for attempt in played:
            for reply, verdict, status in effective_verdicts(attempt, self.rulebook, statuses):
                if status == "n/a":
                    continue
                total[verdict["rule"]] += 1
                passed[verdict["rule"]] += status == "pass"
                if verdict["severity"] == "critical" and verdict["status"] == "fail":
                    critical.append(CriticalFailure(attempt, reply, verdict["rule"], status != "fail"))
        rates = sorted(((rule, passed[rule], total[rule]) for rule in total), key=lambda r: (r[1] / r[2], r[0]))
        return TraineeEvidence(
            trainee=trainee,
            readiness=self.verdict_of(trainee),
            attempts=tuple(played),
            drills=tuple(a for a in attempts if a["mode"] == "drill"),
            rule_rates=tuple(rates),
            critical=tuple(critical),
            overrides=tuple(overrides),
            decisions=tuple(self.evidence.decision_history(trainee)),
        )

    def decide(self, trainee: str, decision: str | None, reason: str, who: str) -> Decision:
        """Store HR's decision: ``decision`` None confirms the computed verdict, another verdict overrules it."""
        computed = self.verdict_of(trainee)
        made = self.evidence.record_decision(trainee, computed.verdict, decision, reason, who, computed.rulebook or self.rulebook)
        self.decisions[trainee] = made
        return made

    def export(self, trainee: str, lang: str, folder: str | Path) -> Path:
        """Write the trainee's page for the personnel file (evidence, decisions, overrides) into ``folder``."""
        from ..reports.exports import safe_name, trainee_html

        evidence = self.trainee(trainee)
        page = trainee_html(
            trainee,
            list(evidence.attempts),
            evidence.readiness,
            self.kit,
            lang,
            decisions=evidence.decisions,
            overrides=evidence.overrides,
        )
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{safe_name(trainee)}-{lang}.html"
        path.write_text(page, encoding="utf-8")
        return path

    def rulebooks(self) -> list[tuple[str, int]]:
        """Rulebook versions the store holds verdicts under, with how many replies each judged, the kit's first."""
        found = self.evidence.rulebooks()
        return sorted(found, key=lambda r: (r[0] != self.kit.rulebook_hash, -r[1], r[0]))

    def changes(self, before: str, after: str | None = None) -> VerdictChanges:
        """Which trainees' verdicts move from rulebook ``before`` to ``after`` (default: the chosen one), and why."""
        return self.evidence.verdict_changes(self.kit, before, after or self.rulebook)
