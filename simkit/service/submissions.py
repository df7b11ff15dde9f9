"""A trainee's submission replayed through the engine, timed by the service, and stored or spooled.

The service stores only what it computed: the engine replays the replies (the same
``play_through`` a spool flush uses) with the seconds the service measured (``timing``), and the
result is saved as the hub user who sent it. When the database does not take it (an outage, a
failing write) the attempt goes to the service's own spool folder (``SIMKIT_SERVICE_SPOOL``) with
the seconds it was replayed with, and the answer says "spooled"; ``flush`` writes the folder into
the store once it is back (the server calls it after the next stored submission and every few
seconds). Replaying is idempotent: every reply's id comes from the attempt's id and its position,
so the same submission twice, or a longer one of the same attempt, stores each reply once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from ..content.kit import Kit
from ..engine.dialogue import AttemptResult, play_through
from ..engine.generation import generate
from ..errors import GenerationError, UnknownScenario
from ..store.database import Store, StoreError, checked_names
from ..store.sessions import RoundError, get_round
from ..store.spool import OUTAGE, FlushReport, caller_mistake, flush, spool
from .errors import ServiceError, bad_request, conflict, not_found, unavailable
from .storage import AttemptTaken, OwnedStore, StoreHandle, attempt_lock, stored_attempt
from .timing import Timing
from .wire import Submission, Submitted

_OWNERS = 100_000  # attempts remembered (their trainee, and what of them is stored), the oldest forgotten first


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def taken(attempt_id: str) -> ServiceError:
    """The answer to a submission of another trainee's attempt."""
    return conflict("attempt_taken", f"the attempt {attempt_id} belongs to another trainee; start a new attempt")


def replay(kit: Kit, submission: Submission, seconds: list[float]) -> AttemptResult:
    """The attempt the submission's replies make, scored by the engine; ServiceError when it cannot be played."""
    try:
        scenario = kit.scenario(submission.scenario_id)
    except UnknownScenario:
        raise not_found("unknown_scenario", f"this kit has no scenario '{submission.scenario_id}'") from None
    try:
        instance = generate(scenario, submission.seed, submission.lang)
    except GenerationError as exc:
        raise bad_request(_first_line(exc), "unreplayable") from None
    replies = [(r.text, r.actions) for r in submission.replies]
    try:
        return play_through(instance, replies, kit, seconds, attempt_id=submission.attempt_id, first_turn=submission.first_turn)
    except Exception as exc:  # an unknown action or turn, a reply the engine refuses: this submission's, and only its
        raise bad_request(f"the replies cannot be played: {_first_line(exc)}", "unreplayable") from None


def warm_up(kit: Kit) -> None:
    """Play one model reply in each language the kit's scenarios are written in, before the first request.

    The language layer (lexicons, morphology) loads on first use, and the first trainee after a
    start would wait for it; the hub starts the service once and the wait belongs there.
    """
    for lang in sorted({lang for scenario in kit.scenarios.values() for lang in scenario.languages}):
        scenario = next(s for s in kit.scenarios.values() if lang in s.languages)
        instance = generate(scenario, 1, lang)
        first = instance.turns[0]
        play_through(instance, [(first.model_reply, list(first.model_actions))], kit, [5.0])


class Submissions:
    """Stores trainees' submissions in the store behind ``handle``; spools them in ``folder`` while it is away."""

    def __init__(self, kit: Kit, handle: StoreHandle, folder: Path, timing: Timing | None = None) -> None:
        self.kit = kit
        self.handle = handle
        self.folder = folder
        self.timing = timing if timing is not None else Timing()
        self.last_flush: FlushReport | None = None
        # attempt: its trainee, and the seconds of its stored replies when this process wrote them last
        # (None when the store may hold other replies: spooled since, or written by a flush)
        self._attempts: OrderedDict[str, tuple[str, list[float] | None]] = OrderedDict()
        self._rounds: set[str] = set()  # join codes known to exist (rounds are never deleted)
        self._guard = threading.Lock()
        self._flushing = threading.Lock()
        self._waiting = self.spooled() > 0

    @property
    def waiting(self) -> bool:
        """Whether attempts may be waiting in the spool folder."""
        return self._waiting

    def spooled(self) -> int:
        """How many attempts wait in the spool folder."""
        return len(list(self.folder.glob("*.json"))) if self.folder.is_dir() else 0

    def submit(self, trainee: str, submission: Submission, at: float) -> Submitted:
        """Replay ``submission`` as ``trainee``'s (the hub user), received at ``at``; store it or spool it."""
        try:
            trainee, cohort = checked_names(trainee, submission.cohort)
        except StoreError as exc:
            raise bad_request(str(exc)) from None
        attempt_id = submission.attempt_id
        with attempt_lock(attempt_id):
            if self._owner(attempt_id) not in (None, trainee):
                raise taken(attempt_id)
            store: OwnedStore | None = None
            reason, owner, stored = "", None, list[float]()
            try:
                store = self.handle.open()
                # what this process stored of the attempt needs no query: attempts are written only here
                owner, stored = self._known(attempt_id) or stored_attempt(store, attempt_id)
                session = self._session(store, submission.session)
            except OUTAGE as exc:
                store, reason, session = None, _first_line(exc), submission.session
                self.handle.drop()
            if owner not in (None, trainee):
                raise taken(attempt_id)
            seconds = self.timing.measure(attempt_id, trainee, [r.seconds for r in submission.replies], stored, at)
            result = replay(self.kit, submission, seconds)
            recorded = "spooled"
            if store is not None:
                try:
                    store.save_checked(
                        result, trainee, submission.mode, attempt_id=attempt_id, session=session, cohort=cohort,
                        final=submission.final or None,
                    )  # fmt: skip
                    recorded = "stored"
                except AttemptTaken:
                    raise taken(attempt_id) from None
                except Exception as exc:  # an outage, a failing write: the attempt waits in the spool
                    if caller_mistake(exc):
                        raise bad_request(_first_line(exc), "store_refused") from None
                    reason = _first_line(exc)
                    self.handle.drop()
            if recorded == "spooled":
                try:
                    spool(result, trainee, submission.mode, attempt_id, self.folder, session, cohort, submission.final)
                except OSError as exc:
                    raise unavailable(
                        f"the evidence store cannot be reached ({reason}) and the service cannot spool the attempt "
                        f"({exc.strerror or exc}); keep it and send it again later",
                        "not_saved",
                    ) from None
                self._waiting = True
            self._remember(attempt_id, trainee, list(result.seconds) if recorded == "stored" else None)
            self.timing.settle(attempt_id, trainee, result.seconds, at)
        return Submitted(
            recorded=recorded,
            reason="" if recorded == "stored" else f"the evidence store did not take it ({reason}); it will be written",
            replies=len(result.exchanges),
            seconds=list(result.seconds),
            finished=result.finished,
        )

    def shown(self, trainee: str, attempt_id: str, at: float) -> None:
        """The trainee's next line of the attempt is on the screen (only that trainee's clock of it moves)."""
        self.timing.shown(attempt_id, trainee, at)

    def flush(self) -> FlushReport:
        """Write the spooled attempts into the store; nothing (0 written) while it is still away or a flush runs."""
        if not self._flushing.acquire(blocking=False):
            return FlushReport(0, self.spooled())
        try:
            if not self.folder.is_dir():
                self._waiting = False
                return FlushReport(0, 0)
            try:
                report = flush(self.handle.open(), self.kit, self.folder)
            except OUTAGE:
                self.handle.drop()
                return FlushReport(0, self.spooled())
            except StoreError as exc:  # the store fails every write: the files wait
                return FlushReport(0, self.spooled(), (_first_line(exc),))
            self._waiting = report.remaining > 0
            self.last_flush = report
            if report.written:
                with self._guard:  # the flush added replies to attempts this process had stored
                    self._attempts = OrderedDict((key, (owner, None)) for key, (owner, _) in self._attempts.items())
            return report
        finally:
            self._flushing.release()

    def _session(self, store: Store, code: str | None) -> str | None:
        if code is None or code in self._rounds:
            return code
        try:
            found = get_round(store, code).code
        except RoundError as exc:
            raise not_found("unknown_round", str(exc)) from None
        self._rounds.add(found)
        return found

    def _owner(self, attempt_id: str) -> str | None:
        with self._guard:
            found = self._attempts.get(attempt_id)
            return found[0] if found is not None else None

    def _known(self, attempt_id: str) -> tuple[str, list[float]] | None:
        with self._guard:
            found = self._attempts.get(attempt_id)
            return (found[0], list(found[1])) if found is not None and found[1] is not None else None

    def _remember(self, attempt_id: str, trainee: str, seconds: list[float] | None) -> None:
        with self._guard:
            self._attempts[attempt_id] = (trainee, seconds)
            self._attempts.move_to_end(attempt_id)
            while len(self._attempts) > _OWNERS:
                self._attempts.popitem(last=False)
