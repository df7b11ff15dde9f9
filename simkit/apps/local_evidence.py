"""The evidence on one machine: the apps open the store themselves (``Evidence`` over a ``Store``).

Each method hands its work to the store's and the reports' own functions; nothing is computed
here. The store is opened on the first read or write, not when the object is made, so an app
draws itself before the database answers; after ``close`` the next call opens it again. The
person arguments (``trainer``, ``reviewer``, ``who``) are recorded as given: on one machine
there is no signed-in user to record instead.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..reports.calibration import Comparison
    from ..reports.changes import VerdictChanges
    from ..reports.readiness import TraineeReadiness
    from ..store.database import Store
    from ..store.decisions import Decision
    from ..store.judgement import JudgedVerdict, Override, SampledReply
    from ..store.recorder import Recorder
    from ..store.records import Mode
    from ..store.sessions import CommonFailure, LiveRow, Round, RoundReply

__all__ = ["LocalEvidence"]


class LocalEvidence:
    """The store at ``url`` (else the kit's default store) as the apps' ``Evidence``."""

    def __init__(self, url: str | None, kit: Kit) -> None:
        self.url = url
        self.kit = kit
        self._store: Store | None = None
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        """The open store (opened now if it is not yet); StoreUnavailable when it cannot be."""
        with self._lock:  # the console's poller and a click may ask at once: one store, opened once
            if self._store is None:
                from ..store.database import Store

                self._store = Store(self.url, root=self.kit.root)
            return self._store

    # --- a trainee -----------------------------------------------------------------------------

    def recorder(self, kit: Kit, trainee: str, mode: Mode, cohort: str | None = None, session: str | None = None) -> Recorder:
        """The recorder of one trainee's attempts; it keeps a store of its own (dropped and reopened after an outage)."""
        from ..store.recorder import Recorder

        return Recorder(kit, trainee, mode, cohort=cohort, session=session, url=self.url)

    def get_round(self, code: str) -> Round:
        from ..store.sessions import get_round

        return get_round(self.store, code)

    def attempts(self, trainee: str | None = None) -> list[dict[str, Any]]:
        return self.store.attempts(trainee)

    # --- a trainer -----------------------------------------------------------------------------

    def create_round(
        self,
        title: str,
        scenarios: Sequence[str],
        lang: str = "ru",
        mode: Mode = "session",
        same_variant: bool = False,
        cohort: str | None = None,
        trainer: str | None = None,
    ) -> Round:
        from ..store.sessions import create_round

        return create_round(self.store, title, scenarios, lang, mode, same_variant, cohort, trainer)

    def end_round(self, code: str) -> Round:
        from ..store.sessions import end_round

        return end_round(self.store, code)

    def live_rows(self, code: str) -> list[LiveRow]:
        from ..store.sessions import live_rows

        return live_rows(self.store, code)

    def common_failures(self, code: str) -> list[CommonFailure]:
        from ..store.sessions import common_failures

        return common_failures(self.store, code)

    def round_replies(self, code: str) -> list[RoundReply]:
        from ..store.sessions import round_replies

        return round_replies(self.store, code)

    def reply_of_round(self, code: str, reply_id: str) -> RoundReply:
        from ..store.sessions import reply_of_round

        return reply_of_round(self.store, code, reply_id)

    def add_reviews(
        self, reviewer: str, reply_id: str, marks: Mapping[str, str], comments: Mapping[str, str | None] | None = None
    ) -> int:
        from ..store.judgement import add_reviews

        return add_reviews(self.store, reviewer, reply_id, marks, comments)

    # --- a trainer calibrating ---------------------------------------------------------------

    def cohorts(self) -> list[str]:
        return self.store.cohorts()

    def sample_replies(
        self,
        kit: Kit,
        reviewer: str,
        size: int = 10,
        seed: int = 0,
        cohort: str | None = None,
        session: str | None = None,
        kind: str | None = None,
        rulebook_hash: str | None = None,
    ) -> list[SampledReply]:
        from ..store.judgement import sample_replies

        return sample_replies(self.store, kit, reviewer, size, seed, cohort, session, kind, rulebook_hash)

    def describe_replies(self, kit: Kit, reply_ids: Sequence[str], rulebook_hash: str | None = None) -> dict[str, SampledReply]:
        from ..store.judgement import describe_replies

        return describe_replies(self.store, kit, reply_ids, rulebook_hash)

    def latest_overrides(self, reply_ids: Sequence[str] | None = None) -> dict[tuple[str, str], Override]:
        from ..store.judgement import latest_overrides

        return latest_overrides(self.store, reply_ids)

    def add_override(self, reply_id: str, rule_id: str, status: str, reason: str, who: str) -> Override:
        from ..store.judgement import add_override

        return add_override(self.store, reply_id, rule_id, status, reason, who)

    def reviewers(self) -> list[str]:
        from ..store.judgement import reviewers

        return reviewers(self.store)

    def calibration(self, rulebook_hash: str, first: str, second: str | None = None) -> Comparison:
        from ..reports.calibration import SCORER, calibration

        return calibration(self.store, rulebook_hash, first, second if second is not None else SCORER)

    # --- HR ------------------------------------------------------------------------------------

    def readiness(self, kit: Kit, rulebook: str | None = None) -> list[TraineeReadiness]:
        from ..reports.readiness import store_readiness

        return store_readiness(self.store, kit, rulebook=rulebook)

    def judge(self, kit: Kit, trainee: str, rulebook: str | None = None) -> TraineeReadiness:
        from ..reports.readiness import store_judge

        return store_judge(self.store, kit, trainee, rulebook=rulebook)

    def latest_decisions(self) -> dict[str, Decision]:
        from ..store.decisions import latest_decisions

        return latest_decisions(self.store)

    def decision_history(self, trainee: str) -> list[Decision]:
        from ..store.decisions import decision_history

        return decision_history(self.store, trainee)

    def verdicts_with_overrides(self, reply_ids: Sequence[str]) -> dict[str, list[JudgedVerdict]]:
        from ..store.judgement import verdicts_with_overrides

        return verdicts_with_overrides(self.store, list(reply_ids))

    def record_decision(
        self, trainee: str, computed: str, decision: str | None, reason: str, who: str, rulebook_hash: str
    ) -> Decision:
        from ..store.decisions import record_decision

        return record_decision(self.store, trainee, computed, decision, reason, who, rulebook_hash)

    def rulebooks(self) -> list[tuple[str, int]]:
        from ..store.evidence import rulebooks

        return rulebooks(self.store)

    def verdict_changes(self, kit: Kit, before: str, after: str | None = None) -> VerdictChanges:
        from ..reports.changes import verdict_changes

        return verdict_changes(kit, self.store, before, after)

    def close(self) -> None:
        """Release the store's connections (the next call opens it again)."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
