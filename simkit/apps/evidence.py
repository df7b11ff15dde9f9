"""What the apps read and write of the evidence: one interface, two implementations.

On one machine the apps open the store themselves (``LocalEvidence``, in ``local_evidence``).
Under JupyterHub a trainee's kernel must never hold the database's credentials, so the apps talk
to the hub's simkit service instead (``ServiceEvidence``, in ``simkit.service.client``): the
trainee's kernel sends what the trainee did, the service replays it through the engine and stores
the result, and it reads and writes only what the hub user's group allows. ``evidence_for``
chooses between them; nothing in a notebook changes.

The person arguments (``trainer``, ``reviewer``, ``who``) are what the local store records; the
service ignores them and records the hub user who made the request (a calibration sample leaves
out the replies the hub user reviewed; a trainer's comparison is of the hub user's own marks).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..engine.dialogue import AttemptResult
    from ..reports.calibration import Comparison
    from ..reports.changes import VerdictChanges
    from ..reports.readiness import TraineeReadiness
    from ..store.decisions import Decision
    from ..store.judgement import JudgedVerdict, Override, SampledReply
    from ..store.records import Mode
    from ..store.sessions import CommonFailure, LiveRow, Round, RoundReply
    from ..store.spool import Saved

Recorded = Literal["stored", "spooled"]

# set by the hub's configuration in every single-user server: where the simkit service listens
SERVICE_URL_VARIABLE = "SIMKIT_SERVICE_URL"
HUB_USER_VARIABLE = "JUPYTERHUB_USER"  # set by the hub in every single-user server: who is signed in


class AttemptRecorder(Protocol):
    """Keeps one trainee's attempts for an app's lifetime (``simkit.store.recorder.Recorder`` locally)."""

    saved: Saved | None  # where the last recorded attempt went, and why it was spooled
    problems: tuple[str, ...]  # spooled attempts the last flush could not replay, for a trainer

    @property
    def folder(self) -> Path: ...

    def connect(self) -> bool: ...

    def shown(self, attempt_id: str) -> None:
        """The customer's line of the attempt's next turn is on the screen (the service times replies from it)."""

    def record(self, result: AttemptResult, final: bool = False) -> Recorded: ...

    def close(self) -> None: ...


class Evidence(Protocol):
    """Everything the player, the round's join box, the trainer console, calibration and the HR dashboard do with evidence."""

    # --- a trainee -----------------------------------------------------------------------------
    def recorder(
        self, kit: Kit, trainee: str, mode: Mode, cohort: str | None = None, session: str | None = None
    ) -> AttemptRecorder: ...

    def get_round(self, code: str) -> Round: ...

    def attempts(self, trainee: str | None = None) -> list[dict[str, Any]]: ...

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
    ) -> Round: ...

    def end_round(self, code: str) -> Round: ...

    def live_rows(self, code: str) -> list[LiveRow]: ...

    def common_failures(self, code: str) -> list[CommonFailure]: ...

    def round_replies(self, code: str) -> list[RoundReply]: ...

    def reply_of_round(self, code: str, reply_id: str) -> RoundReply: ...

    def add_reviews(
        self, reviewer: str, reply_id: str, marks: Mapping[str, str], comments: Mapping[str, str | None] | None = None
    ) -> int: ...

    # --- a trainer calibrating: any stored reply, shown without its trainee, score or verdicts ----
    def cohorts(self) -> list[str]: ...

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
    ) -> list[SampledReply]: ...

    def describe_replies(
        self, kit: Kit, reply_ids: Sequence[str], rulebook_hash: str | None = None
    ) -> dict[str, SampledReply]: ...

    def latest_overrides(self, reply_ids: Sequence[str] | None = None) -> dict[tuple[str, str], Override]: ...

    def add_override(self, reply_id: str, rule_id: str, status: str, reason: str, who: str) -> Override: ...

    def reviewers(self) -> list[str]: ...

    def calibration(self, rulebook_hash: str, first: str, second: str | None = None) -> Comparison:
        """Trainer ``first`` compared with the scorer (``second`` None) or with trainer ``second``."""

    # --- HR ------------------------------------------------------------------------------------
    def readiness(self, kit: Kit, rulebook: str | None = None) -> list[TraineeReadiness]: ...

    def judge(self, kit: Kit, trainee: str, rulebook: str | None = None) -> TraineeReadiness: ...

    def latest_decisions(self) -> dict[str, Decision]: ...

    def decision_history(self, trainee: str) -> list[Decision]: ...

    def verdicts_with_overrides(self, reply_ids: Sequence[str]) -> dict[str, list[JudgedVerdict]]: ...

    def record_decision(
        self, trainee: str, computed: str, decision: str | None, reason: str, who: str, rulebook_hash: str
    ) -> Decision: ...

    def rulebooks(self) -> list[tuple[str, int]]: ...

    def verdict_changes(self, kit: Kit, before: str, after: str | None = None) -> VerdictChanges: ...

    def close(self) -> None: ...


def under_service() -> bool:
    """Whether the apps run under the hub with its simkit service (the hub's configuration says where it listens)."""
    return bool(os.environ.get(SERVICE_URL_VARIABLE, "").strip())


def hub_user() -> str | None:
    """The hub user the service records as the person acting, when the apps run under the service; else None."""
    user = os.environ.get(HUB_USER_VARIABLE, "").strip()
    return user if user and under_service() else None


def refusal(exc: BaseException) -> int | None:
    """The HTTP status when ``exc`` is the simkit service refusing a request (4xx: not allowed, or wrong); else None.

    Spooling or asking again would not mend a refusal, so the apps say it instead. An outage of
    the service's database is no refusal: its recorder spools the attempt on its side.
    """
    from ..service.errors import ServiceError

    if isinstance(exc, ServiceError) and 400 <= exc.status < 500:
        return exc.status
    return None


def evidence_for(kit: Kit, url: str | None = None) -> Evidence:
    """The evidence the apps use: the hub's simkit service when ``SIMKIT_SERVICE_URL`` is set, else the store at ``url``.

    Under the hub ``url`` is not used: the trainee's kernel holds no database credentials, the
    service does. Neither opens anything yet; the first read or write does.
    """
    if under_service():
        from ..service.client import ServiceEvidence

        return ServiceEvidence.from_environment(kit)
    from .local_evidence import LocalEvidence

    return LocalEvidence(url, kit)
