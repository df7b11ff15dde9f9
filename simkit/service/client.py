"""The apps' side of the service: ``ServiceEvidence`` (the ``Evidence`` interface over HTTP) and its recorder.

Under JupyterHub the apps hold no database credentials; they call the simkit service at
``SIMKIT_SERVICE_URL`` with the kernel's ``JUPYTERHUB_API_TOKEN``, and the service acts as the hub
user that token belongs to. The person arguments of the interface (``trainer``, ``reviewer``,
``who``, the recorder's trainee) are not sent: the service records the hub user.

Refusals come back as the store's own exceptions (a ``RoundError`` for an unknown join code, a
``DecisionError``...), each also a ``ServiceRefused`` with the service's code, so an app handles
them as it does locally; a service that cannot be reached, or whose store cannot, is a
``ServiceUnreachable`` (a ``StoreUnavailable``).

The recorder sends what the trainee did after every reply (never a score: the service scores)
and says "stored" or "spooled" as the service reports it; "spooled" means the service keeps the
attempt until its database is back. When the service itself cannot be reached, the attempt is
kept in the trainee's own spool folder (``client_spool_dir``, under the trainee's home, never a
shared folder) and the recorder answers "spooled" too; every later ``record`` sends the attempts
kept there again, and removes each once the service has it. A kept attempt the service refuses
(it is another trainee's, say) is moved to the folder's ``quarantine`` with the reason.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx

from ..reports.changes import VerdictChanges
from ..reports.readiness import TraineeReadiness
from ..store.database import StoreError, StoreUnavailable
from ..store.decisions import Decision, DecisionError
from ..store.judgement import JudgedVerdict, JudgementError, Override, SampledReply
from ..store.sessions import CommonFailure, LiveRow, Round, RoundError, RoundReply
from ..store.spool import NotSaved, Saved, _record, spool, spool_dir, user_spool_dir
from ..store.spool_files import Unusable, quarantine, read_spooled
from .errors import ServiceError
from .wire import Submission, Submitted, decode, decode_comparison

if TYPE_CHECKING:
    from ..apps.evidence import AttemptRecorder, Evidence
    from ..content.kit import Kit
    from ..engine.dialogue import AttemptResult
    from ..reports.calibration import Comparison
    from ..store.records import Mode

Recorded = Literal["stored", "spooled"]
SERVICE_URL_VARIABLE = "SIMKIT_SERVICE_URL"  # the name simkit.apps.evidence gives it (the service never imports the apps)
TOKEN_VARIABLE = "JUPYTERHUB_API_TOKEN"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)  # a whole company's readiness takes a second or two; a lost server, the connect
SHOWN_TIMEOUT = httpx.Timeout(2.0, connect=1.0)  # a ping is best effort: the line is on the screen either way


class ServiceRefused(ServiceError, StoreError):
    """The service refused the request: ``status`` (HTTP), ``code`` and an English ``message``.

    A ``ServiceError`` as the service raised it, and a ``StoreError`` as the local store would.
    """

    def __str__(self) -> str:
        return self.message


class RoundRefused(ServiceRefused, RoundError):
    """A round the service cannot find, open or show (as ``RoundError`` locally)."""


class DecisionRefused(ServiceRefused, DecisionError):
    """A decision the service cannot store as given (as ``DecisionError`` locally)."""


class JudgementRefused(ServiceRefused, JudgementError):
    """A review the service cannot store as given (as ``JudgementError`` locally)."""


_REFUSALS: dict[str, type[ServiceRefused]] = {
    "unknown_round": RoundRefused,
    "round_refused": RoundRefused,
    "unknown_reply": RoundRefused,
    "decision_refused": DecisionRefused,
    "judgement_refused": JudgementRefused,
}


class ServiceUnreachable(StoreUnavailable):
    """The service, or its evidence store, cannot be reached now."""

    def __str__(self) -> str:
        return f"the simkit service at {self.url} or its store cannot be reached now ({self.reason}); try again later"


def client_spool_dir(root: str | Path | None = None) -> Path:
    """Where a trainee's kernel keeps attempts the service could not be reached for: the trainee's own folder."""
    own = user_spool_dir(root)
    if own is None:  # no home folder: the kit's spool folder is all there is
        return spool_dir(root) / "service"
    return own.with_name(own.name + "-service")


class ServiceEvidence:
    """The ``Evidence`` interface answered by the simkit service at ``url`` as the hub user of ``token``."""

    def __init__(self, url: str, token: str, transport: httpx.BaseTransport | None = None) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self._http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"token {token}"}, timeout=TIMEOUT, transport=transport
        )

    @classmethod
    def from_environment(cls, kit: Kit | None = None) -> ServiceEvidence:
        """The service the hub set ``SIMKIT_SERVICE_URL`` to, with the kernel's ``JUPYTERHUB_API_TOKEN``."""
        url, token = os.environ.get(SERVICE_URL_VARIABLE), os.environ.get(TOKEN_VARIABLE)
        if not url or not token:
            missing = [n for n, v in ((SERVICE_URL_VARIABLE, url), (TOKEN_VARIABLE, token)) if not v]
            raise StoreError(f"{' and '.join(missing)} not set: the apps reach the simkit service only under the hub")
        return cls(url, token)

    def call(self, name: str, timeout: httpx.Timeout | None = None, **args: Any) -> Any:
        """Run operation ``name`` with ``args`` in the service; its result, or the refusal raised."""
        try:
            response = self._http.post(f"api/{name}", json=args, timeout=timeout or TIMEOUT)
        except httpx.HTTPError as exc:
            raise ServiceUnreachable(self.url, str(exc) or type(exc).__name__) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 200 and isinstance(body, dict) and "result" in body:
            return body["result"]
        code = body.get("error") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        if response.status_code >= 500 or not isinstance(code, str):
            raise ServiceUnreachable(self.url, str(message or f"HTTP {response.status_code}"))
        raise _REFUSALS.get(code, ServiceRefused)(response.status_code, code, str(message or code))

    # --- a trainee -----------------------------------------------------------------------------

    def recorder(
        self, kit: Kit, trainee: str, mode: Mode, cohort: str | None = None, session: str | None = None
    ) -> ServiceRecorder:
        """A recorder that sends the trainee's attempts to the service (``trainee`` only names local spool files)."""
        return ServiceRecorder(self, kit, trainee, mode, cohort, session)

    def get_round(self, code: str) -> Round:
        return decode(Round, self.call("get_round", code=code))

    def attempts(self, trainee: str | None = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.call("attempts", trainee=trainee)
        return found

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
        made = self.call(
            "create_round", title=title, scenarios=list(scenarios), lang=lang, mode=mode, same_variant=same_variant, cohort=cohort
        )
        return decode(Round, made)

    def end_round(self, code: str) -> Round:
        return decode(Round, self.call("end_round", code=code))

    def live_rows(self, code: str) -> list[LiveRow]:
        return decode(list[LiveRow], self.call("live_rows", code=code))

    def common_failures(self, code: str) -> list[CommonFailure]:
        return decode(list[CommonFailure], self.call("common_failures", code=code))

    def round_replies(self, code: str) -> list[RoundReply]:
        return decode(list[RoundReply], self.call("round_replies", code=code))

    def reply_of_round(self, code: str, reply_id: str) -> RoundReply:
        return decode(RoundReply, self.call("reply_of_round", code=code, reply_id=reply_id))

    def add_reviews(
        self, reviewer: str, reply_id: str, marks: Mapping[str, str], comments: Mapping[str, str | None] | None = None
    ) -> int:
        notes = None if comments is None else dict(comments)
        added = self.call("add_reviews", reply_id=reply_id, marks=dict(marks), comments=notes)
        return int(added)

    # --- a trainer calibrating (the reviewer, who overrides and the comparison's first rater are the hub user) ----

    def cohorts(self) -> list[str]:
        return decode(list[str], self.call("cohorts"))

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
        found = self.call(
            "sample_replies", size=size, seed=seed, cohort=cohort, session=session, kind=kind, rulebook_hash=rulebook_hash
        )
        return decode(list[SampledReply], found)

    def describe_replies(self, kit: Kit, reply_ids: Sequence[str], rulebook_hash: str | None = None) -> dict[str, SampledReply]:
        found = self.call("describe_replies", reply_ids=list(reply_ids), rulebook_hash=rulebook_hash)
        return decode(dict[str, SampledReply], found)

    def latest_overrides(self, reply_ids: Sequence[str] | None = None) -> dict[tuple[str, str], Override]:
        asked = None if reply_ids is None else list(reply_ids)
        found = decode(list[Override], self.call("latest_overrides", reply_ids=asked))
        return {(o.reply_id, o.rule_id): o for o in found}

    def add_override(self, reply_id: str, rule_id: str, status: str, reason: str, who: str) -> Override:
        made = self.call("add_override", reply_id=reply_id, rule_id=rule_id, status=status, reason=reason)
        return decode(Override, made)

    def reviewers(self) -> list[str]:
        return decode(list[str], self.call("reviewers"))

    def calibration(self, rulebook_hash: str, first: str, second: str | None = None) -> Comparison:
        from ..reports.calibration import SCORER  # pandas, which the player under the hub does without

        other = None if second is None or second == SCORER else second
        return decode_comparison(self.call("calibration", rulebook_hash=rulebook_hash, first=first, second=other))

    # --- HR ------------------------------------------------------------------------------------

    def readiness(self, kit: Kit, rulebook: str | None = None) -> list[TraineeReadiness]:
        return decode(list[TraineeReadiness], self.call("readiness", rulebook=rulebook))

    def judge(self, kit: Kit, trainee: str, rulebook: str | None = None) -> TraineeReadiness:
        return decode(TraineeReadiness, self.call("judge", trainee=trainee, rulebook=rulebook))

    def latest_decisions(self) -> dict[str, Decision]:
        return decode(dict[str, Decision], self.call("latest_decisions"))

    def decision_history(self, trainee: str) -> list[Decision]:
        return decode(list[Decision], self.call("decision_history", trainee=trainee))

    def verdicts_with_overrides(self, reply_ids: Sequence[str]) -> dict[str, list[JudgedVerdict]]:
        return decode(dict[str, list[JudgedVerdict]], self.call("verdicts_with_overrides", reply_ids=list(reply_ids)))

    def record_decision(
        self, trainee: str, computed: str, decision: str | None, reason: str, who: str, rulebook_hash: str
    ) -> Decision:
        made = self.call(
            "record_decision", trainee=trainee, computed=computed, decision=decision, reason=reason, rulebook_hash=rulebook_hash
        )
        return decode(Decision, made)

    def rulebooks(self) -> list[tuple[str, int]]:
        return decode(list[tuple[str, int]], self.call("rulebooks"))

    def verdict_changes(self, kit: Kit, before: str, after: str | None = None) -> VerdictChanges:
        return decode(VerdictChanges, self.call("verdict_changes", before=before, after=after))

    def close(self) -> None:
        self._http.close()


def submission(result: AttemptResult, mode: Mode, session: str | None, cohort: str | None, final: bool) -> dict[str, Any]:
    """What the player sends of an attempt: the trainee's inputs, the client's seconds, no score."""
    record = _record(result, "-", mode, result.attempt_id, session, cohort, final)
    del record["trainee"]  # the service records the hub user
    return record


class ServiceRecorder:
    """Sends one trainee's attempts to the service; keeps them in the trainee's own spool folder while it is away."""

    def __init__(
        self, evidence: ServiceEvidence, kit: Kit, trainee: str, mode: Mode, cohort: str | None = None, session: str | None = None
    ) -> None:
        self.evidence = evidence
        self.kit = kit
        self.trainee = trainee.strip() or "-"  # names the local spool files only
        self.mode: Mode = mode
        self.cohort = cohort
        self.session = session
        self.saved: Saved | None = None
        self.problems: tuple[str, ...] = ()
        self._folder = client_spool_dir(kit.root)
        self._lock = threading.Lock()
        self._pings = True  # pings stop after one fails, until a record gets through again

    @property
    def folder(self) -> Path:
        """The trainee's own folder where attempts wait while the service cannot be reached."""
        return self._folder

    def connect(self) -> bool:
        """Whether the service answers now (its store may still be away: then attempts wait in the service)."""
        try:
            self.evidence._http.get("api/health", timeout=SHOWN_TIMEOUT).raise_for_status()
        except httpx.HTTPError:
            return False
        return True

    def shown(self, attempt_id: str) -> None:
        """Tell the service the attempt's next line is on the screen (it times the reply from here)."""
        if not self._pings or not attempt_id:
            return
        try:
            self.evidence.call("shown", timeout=SHOWN_TIMEOUT, attempt_id=attempt_id)
        except (ServiceUnreachable, ServiceRefused):
            self._pings = False

    def record(self, result: AttemptResult, final: bool = False) -> Recorded:
        """Send the attempt so far; 'stored', or 'spooled' (in the service, or here while it is away).

        Raises ServiceRefused for what sending again would not mend (another trainee's attempt
        id, an unknown join code), and NotSaved when the service is away and no folder here can be written.
        """
        if not result.attempt_id:
            raise StoreError("the result carries no attempt id; record the result of a Dialogue (dialogue.result())")
        with self._lock:
            try:
                answer = Submitted.model_validate(
                    self.evidence.call("submit", **submission(result, self.mode, self.session, self.cohort, final))
                )
            except ServiceUnreachable as exc:
                self._pings = False
                self.saved = self._keep(result, final, str(exc))
                return "spooled"
            self._pings = True
            self.saved = Saved(answer.recorded, reason=answer.reason)
            self.problems = self._send_kept()
            return answer.recorded

    def close(self) -> None:
        """Nothing is held open but the connection to the service, which the evidence object owns."""

    def _keep(self, result: AttemptResult, final: bool, reason: str) -> Saved:
        try:
            path = spool(result, self.trainee, self.mode, result.attempt_id, self._folder, self.session, self.cohort, final)
        except OSError as exc:
            record = _record(result, self.trainee, self.mode, result.attempt_id, self.session, self.cohort, final)
            raise NotSaved(record, [f"not sent: {reason}", f"not kept in {self._folder}: {exc.strerror or exc}"]) from None
        return Saved("spooled", path, reason)

    def _send_kept(self) -> tuple[str, ...]:
        # the attempts kept while the service was away, sent again now that it answers
        problems: list[str] = []
        files = sorted(self._folder.glob("*.json")) if self._folder.is_dir() else []
        for file in files:
            try:
                kept = Submission.of_spooled(read_spooled(file))
            except FileNotFoundError:
                continue
            except (Unusable, ValueError) as exc:
                problems.append(self._set_aside(file, str(exc)))
                continue
            try:
                self.evidence.call("submit", **kept.model_dump())
            except ServiceUnreachable:
                break  # away again: the rest waits for the next reply
            except ServiceRefused as exc:
                problems.append(self._set_aside(file, f"the service refused it ({exc.code}: {exc.message})"))
                continue
            file.unlink(missing_ok=True)
        return tuple(problems)

    def _set_aside(self, file: Path, reason: str) -> str:
        try:
            return f"{file}: {reason}; moved to {quarantine(file, self._folder, reason)}"
        except OSError as exc:
            return f"{file}: {reason}; it could not be moved aside ({exc.strerror or exc})"


if TYPE_CHECKING:  # the type checker holds both classes to the apps' interfaces

    def _conforms(evidence: ServiceEvidence, recorder: ServiceRecorder) -> tuple[Evidence, AttemptRecorder]:
        return evidence, recorder
