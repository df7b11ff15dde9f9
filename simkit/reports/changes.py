"""What a rule change changed: the trainees whose readiness verdict moved between two rulebooks, and why.

After ``simkit rescore`` the store holds verdicts under the new rulebook beside the old ones.
``verdict_changes`` judges the same evidence under both (``store_readiness`` with a chosen
rulebook) and compares: for each trainee whose verdict moved, which requirements changed (figure,
met) and which rules judged their replies differently, and how often (``compare`` is the pure
comparison of two lists of verdicts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .readiness import Reason, TraineeReadiness, Verdict, counted_modes, store_readiness

if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..store.database import Store


@dataclass(frozen=True)
class RequirementChange:
    """One requirement of the policy whose figure or whether it is met changed."""

    requirement: str
    before: Reason | None
    after: Reason | None

    @property
    def met_changed(self) -> bool:
        """Whether it went from met to not met or back (or from no evidence to evidence)."""
        if self.before is None or self.after is None:
            return True
        return (self.before.met, self.before.evidence) != (self.after.met, self.after.evidence)


@dataclass(frozen=True)
class RuleChange:
    """How one rule judged replies differently under the two rulebooks: from (status, severity, weight) to another."""

    rule_id: str
    before: tuple[str, str, float] | None  # None: the rule did not judge the reply (new rule, or out of scope)
    after: tuple[str, str, float] | None
    replies: int

    @property
    def what(self) -> str:
        """The kind of change: status, severity, weight, added or removed."""
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        if self.before[0] != self.after[0]:
            return "status"
        return "severity" if self.before[1] != self.after[1] else "weight"


@dataclass(frozen=True)
class TraineeChange:
    """A trainee whose verdict moved between the two rulebooks, with the reasons that changed."""

    trainee: str
    cohort: str | None
    before: Verdict
    after: Verdict
    requirements: tuple[RequirementChange, ...]
    rules: tuple[RuleChange, ...] = ()


@dataclass(frozen=True)
class VerdictChanges:
    """The result of a rule change: the trainees whose verdicts moved, and the rule changes behind them."""

    before_hash: str
    after_hash: str
    moved: tuple[TraineeChange, ...]
    judged: int  # trainees judged under both rulebooks

    def rules(self) -> list[tuple[str, int, int]]:
        """Per rule behind a moved verdict: (rule id, trainees, replies), most trainees first."""
        trainees: Counter[str] = Counter()
        replies: Counter[str] = Counter()
        for change in self.moved:
            for rule in {r.rule_id for r in change.rules}:
                trainees[rule] += 1
            for r in change.rules:
                replies[r.rule_id] += r.replies
        return sorted(((rule, trainees[rule], replies[rule]) for rule in trainees), key=lambda x: (-x[1], -x[2], x[0]))


def _changed(before: Reason | None, after: Reason | None) -> bool:
    if before is None or after is None:
        return True
    return (before.figure, before.met, before.evidence) != (after.figure, after.met, after.evidence)


def compare(before: Sequence[TraineeReadiness], after: Sequence[TraineeReadiness]) -> list[TraineeChange]:
    """The trainees whose verdict differs between ``before`` and ``after`` (two lists of verdicts), by name.

    A trainee in only one list is left out (nothing to compare). Each change lists the
    requirements whose figure or state changed, in the policy's order.
    """
    earlier = {v.trainee: v for v in before}
    out = []
    for later in sorted(after, key=lambda v: v.trainee):
        old = earlier.get(later.trainee)
        if old is None or old.verdict == later.verdict:
            continue
        reasons_before = {r.requirement: r for r in old.reasons}
        reasons_after = {r.requirement: r for r in later.reasons}
        order = [r.requirement for r in later.reasons] + [k for k in reasons_before if k not in reasons_after]
        requirements = tuple(
            RequirementChange(k, reasons_before.get(k), reasons_after.get(k))
            for k in order
            if _changed(reasons_before.get(k), reasons_after.get(k))
        )
        out.append(TraineeChange(later.trainee, later.cohort, old.verdict, later.verdict, requirements))
    return out


def verdict_changes(
    kit: Kit,
    store: Store,
    before_hash: str,
    after_hash: str | None = None,
    cohort: str | None = None,
    now: datetime | None = None,
) -> VerdictChanges:
    """Which trainees' verdicts move from rulebook ``before_hash`` to ``after_hash`` (default: the kit's), and why.

    Both are judged by ``store_readiness`` (summed in SQL); the rules' verdicts are compared only
    for the trainees who moved.
    """
    from ..store.evidence import rule_differences

    after_hash = after_hash or kit.rulebook_hash
    now = now or datetime.now(UTC)
    before = store_readiness(store, kit, cohort, now, before_hash)
    after = store_readiness(store, kit, cohort, now, after_hash)
    moved = compare(before, after)
    policy = kit.readiness
    differences = rule_differences(
        store,
        before_hash,
        after_hash,
        [m.trainee for m in moved],
        counted_modes(policy),
        now - timedelta(days=policy.window_days),
        now,
    )
    by_trainee: dict[str, list[RuleChange]] = {}
    for d in differences:
        by_trainee.setdefault(d.trainee, []).append(RuleChange(d.rule_id, d.before, d.after, d.replies))
    with_rules = tuple(
        TraineeChange(m.trainee, m.cohort, m.before, m.after, m.requirements, tuple(by_trainee.get(m.trainee, []))) for m in moved
    )
    return VerdictChanges(before_hash, after_hash, with_rules, len({v.trainee for v in before} & {v.trainee for v in after}))
