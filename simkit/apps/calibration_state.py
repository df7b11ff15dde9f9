"""The calibration app's state: the trainer, the sample under blind review, the marks, the agreement, overrides.

Plain Python over the apps' ``Evidence`` (the store's ``judgement`` and ``reports.calibration``
locally, the hub's simkit service under the hub), tested without a browser. The sample holds rule
ids and titles only, never the scorer's verdicts, and a reply's marks start unset, so nothing on
the review side hints at the automatic result. Under the hub the service records the hub user
as the reviewer and as who overrides, whatever name the state holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import SimkitError
from .evidence import evidence_for

if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..reports.calibration import Comparison
    from ..store.judgement import Override, SampledReply
    from .evidence import Evidence

STATUSES = ("pass", "fail", "n/a")


class NotMarked(SimkitError):
    """ "Save and next" before every rule of the reply has a mark."""


@dataclass(frozen=True)
class Disagreement:
    """One (reply, rule) pair two raters judged differently, with the reply as the reviewer saw it."""

    reply: SampledReply
    rule_id: str
    first: str
    second: str
    override: Override | None = None  # the latest override of the automatic verdict, if any


class CalibrationState:
    """The trainer, the sample under review, the marks of the reply on screen, and the agreement figures."""

    def __init__(self, kit: Kit, url: str | None = None, evidence: Evidence | None = None) -> None:
        self.kit = kit
        self.url = url
        # the store at ``url``, or the hub's simkit service (``evidence_for``); nothing is opened yet
        self.evidence: Evidence = evidence if evidence is not None else evidence_for(kit, url)
        self.trainer: str | None = None
        self.sample: list[SampledReply] = []
        self.position = 0
        self.marks: dict[str, str | None] = {}
        self.comments: dict[str, str] = {}
        self.saved = 0  # replies saved in this sample

    def close(self) -> None:
        """Release the evidence's connections."""
        self.evidence.close()

    def set_trainer(self, trainer: str) -> str:
        """Take the trainer's name (cleaned); JudgementError when it cannot be used. A new name starts afresh."""
        from ..store.judgement import checked_person

        cleaned = checked_person(trainer)
        if cleaned != self.trainer:
            self.trainer, self.sample, self.position, self.saved = cleaned, [], 0, 0
            self._reset_marks()
        return cleaned

    def _trainer(self) -> str:
        if self.trainer is None:
            raise NotMarked("type your name and press “That's me” first")
        return self.trainer

    def draw(
        self, size: int = 10, seed: int = 0, cohort: str | None = None, session: str | None = None, kind: str | None = None
    ) -> int:
        """Draw a sample of replies this trainer has not reviewed yet; returns how many."""
        self.sample = self.evidence.sample_replies(
            self.kit, self._trainer(), size, seed, cohort or None, session or None, kind or None
        )
        self.position, self.saved = 0, 0
        self._reset_marks()
        return len(self.sample)

    @property
    def current(self) -> SampledReply | None:
        """The reply on screen, or None when the sample is done (or not drawn)."""
        return self.sample[self.position] if self.position < len(self.sample) else None

    def _reset_marks(self) -> None:
        reply = self.current
        self.marks = {r.id: None for r in reply.rules} if reply else {}
        self.comments = {}

    def mark(self, rule_id: str, status: str | None) -> None:
        """Mark one rule of the reply on screen (None clears the mark)."""
        if rule_id not in self.marks:
            raise NotMarked(f"the rule '{rule_id}' is not in scope for this reply")
        if status is not None and status not in STATUSES:
            raise NotMarked(f"the status '{status}' is not one of {', '.join(STATUSES)}")
        self.marks[rule_id] = status

    def comment(self, rule_id: str, text: str) -> None:
        """A comment on one rule of the reply on screen (optional)."""
        self.comments[rule_id] = text

    def unmarked(self) -> list[str]:
        """The rules of the reply on screen still without a mark."""
        return [rule for rule, status in self.marks.items() if status is None]

    def save_and_next(self) -> bool:
        """Store the marks of the reply on screen and move to the next; False when there was nothing to save."""
        reply = self.current
        if reply is None:
            return False
        if self.unmarked():
            raise NotMarked(f"mark every rule first: {', '.join(self.unmarked())}")
        marks = {rule: status for rule, status in self.marks.items() if status is not None}
        self.evidence.add_reviews(self._trainer(), reply.reply_id, marks, self.comments)
        # moved on only once stored: a second click finds the next reply unmarked and stores nothing
        self.position += 1
        self.saved += 1
        self._reset_marks()
        return True

    def cohorts(self) -> list[str]:
        """The cohorts of trainees who have attempts (to narrow the sample to)."""
        return self.evidence.cohorts()

    def others(self) -> list[str]:
        """The other trainers who have reviewed replies (to compare with)."""
        return [p for p in self.evidence.reviewers() if p != self.trainer]

    def comparison(self, other: str | None = None) -> Comparison:
        """This trainer compared with the scorer (``other`` None) or with another trainer."""
        return self.evidence.calibration(self.kit.rulebook_hash, self._trainer(), other or None)

    def disagreements(self, comparison: Comparison) -> list[Disagreement]:
        """The pairs of ``comparison`` judged differently, each with its reply as it was reviewed."""
        frame = comparison.disagreements
        ids = sorted(set(frame["reply_id"]))
        replies = self.evidence.describe_replies(self.kit, ids) if ids else {}
        overrides = self.evidence.latest_overrides(ids) if ids else {}
        return [
            Disagreement(replies[row.reply_id], row.rule_id, row.first, row.second, overrides.get((row.reply_id, row.rule_id)))
            for row in frame.itertuples()
            if row.reply_id in replies
        ]

    def override(self, reply_id: str, rule_id: str, status: str | None, reason: str) -> Override:
        """Record this trainer's override of the automatic verdict, with the reason (required)."""
        if status is None:
            raise NotMarked("choose the verdict that should count")
        return self.evidence.add_override(reply_id, rule_id, status, reason, self._trainer())
