"""The player's state: the attempt in progress, what was recorded of it, and the feedback to show.

``PlayerState`` is plain Python (no widgets): it calls the engine (generation, dialogue, feedback)
and the recorder of its ``Evidence`` (the local store, or the hub's simkit service), and every
reply is recorded before anything about it can be shown. The widget (``apps.player.Player``) draws
it and forwards clicks; tests drive it directly.

The reply time is the dialogue's, read from a clock that stands still while a reply is processed
and drawn, and runs again once the next customer line is on the screen (``PlayerState.shown``).
The recorder is told then too: the service times the replies it stores from that moment.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..errors import SimkitError
from .evidence import evidence_for, refusal

# the engine and the store are imported where first used, so the widget can draw itself before they load
if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..content.scenario_model import Action
    from ..engine.dialogue import AttemptResult, Dialogue, Exchange
    from ..engine.feedback import MoodReason, PracticeItem, RuleFeedback
    from ..engine.generation import ScenarioInstance
    from ..store.sessions import Round
    from .evidence import AttemptRecorder, Evidence

__all__ = ["MODES", "NoTrainee", "PlayerMode", "PlayerState", "SendOutcome", "ShownClock"]

PlayerMode = Literal["practice", "session", "assessment"]
MODES: tuple[PlayerMode, ...] = ("practice", "session", "assessment")
Stored = Literal["stored", "spooled", "failed"]


class NoTrainee(SimkitError):
    """An attempt was started before the trainee gave and confirmed a name."""

    def __str__(self) -> str:
        return "type the trainee's name and confirm it before starting a scenario"


class ShownClock:
    """A clock that stands still from a reply's arrival until the next line is shown."""

    def __init__(self, base: Callable[[], float] = time.monotonic) -> None:
        self._base = base
        self._held_at: float | None = None
        self._skipped = 0.0

    def __call__(self) -> float:
        now = self._held_at if self._held_at is not None else self._base()
        return now - self._skipped

    def hold(self) -> None:
        """Stop the clock (a reply arrived, or a new dialogue is being drawn)."""
        if self._held_at is None:
            self._held_at = self._base()

    def release(self) -> bool:
        """Run the clock again from now (the customer's line is on the screen); False if it was running."""
        if self._held_at is None:
            return False
        self._skipped += self._base() - self._held_at
        self._held_at = None
        return True


@dataclass(frozen=True)
class SendOutcome:
    """What became of one Send: accepted (scored and recorded) or why not."""

    accepted: bool
    reason: str = ""  # empty (no text, no action), too_long, busy, no_attempt or finished when not accepted
    message: str = ""  # what to tell the trainee, in the dialogue's language (a reply too long)
    exchange: Exchange | None = None
    stored: Stored | None = None
    finished: bool = False


class PlayerState:
    """The attempt in progress: its dialogue, what was recorded, and the feedback to show."""

    def __init__(
        self,
        kit: Kit,
        trainee: str | None = None,
        cohort: str | None = None,
        lang: str = "ru",
        mode: PlayerMode = "practice",
        url: str | None = None,
        session: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        evidence: Evidence | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"the player's mode is one of {', '.join(MODES)}, not '{mode}'")
        self.kit = kit
        self.trainee = trainee
        self.cohort = cohort
        self.lang = lang
        self.mode: PlayerMode = mode
        self.url = url
        self.session = session
        self.clock = ShownClock(clock)
        self.scenario_id: str | None = None
        self.instance: ScenarioInstance | None = None
        self.dialogue: Dialogue | None = None
        self.abandoned = False
        self.stored: Stored | None = None  # what the recorder did with the attempt last time
        self.store_error = ""
        self.refused: int | None = None  # the HTTP status of the service's refusal of the last recording, if it refused
        self.recorded = 0  # how many times this attempt was handed to the recorder
        self.round: Round | None = None  # the trainer's round joined with its code: its scenarios, seed, language, mode
        self._evidence = evidence
        self._recorder: AttemptRecorder | None = None
        self._recorder_for: tuple[str, str | None, str | None, str] | None = None
        self._busy = False
        self._final_recorded = False

    # --- what the view reads -----------------------------------------------------------------

    @property
    def evidence(self) -> Evidence:
        """Where attempts are recorded and rounds found: the local store at ``url``, or the hub's service."""
        if self._evidence is None:
            self._evidence = evidence_for(self.kit, self.url)
        return self._evidence

    @property
    def kept_by_service(self) -> bool:
        """Whether the attempt waits in the hub's simkit service for its database (spooled there, not in a folder here)."""
        saved = self._recorder.saved if self._recorder is not None else None
        return self.stored == "spooled" and saved is not None and saved.where == "spooled" and saved.path is None

    @property
    def running(self) -> bool:
        """Whether a dialogue awaits the trainee's reply."""
        return self.dialogue is not None and not self.dialogue.finished and not self.abandoned

    @property
    def finished(self) -> bool:
        """Whether the dialogue reached its end."""
        return self.dialogue is not None and self.dialogue.finished

    @property
    def attempt_id(self) -> str:
        """The attempt's id ("" before the first start)."""
        return self.dialogue.attempt_id if self.dialogue is not None else ""

    @property
    def show_feedback(self) -> bool:
        """Whether feedback is shown after each reply (not in assessment mode)."""
        return self.mode != "assessment"

    @property
    def offered(self) -> list[str]:
        """The action ids offered at the current turn."""
        turn = self.dialogue.turn if self.running and self.dialogue is not None else None
        return list(turn.actions) if turn is not None else []

    @property
    def last_exchange(self) -> Exchange | None:
        """The latest reply with its score."""
        return self.dialogue.exchanges[-1] if self.dialogue is not None and self.dialogue.exchanges else None

    def result(self) -> AttemptResult | None:
        """The attempt so far (None before the first start)."""
        return self.dialogue.result() if self.dialogue is not None else None

    def feedback(self, lang: str) -> list[RuleFeedback]:
        """Every failed rule of the latest reply, most severe first (none in assessment mode)."""
        from ..engine.feedback import explain_exchange

        exchange = self.last_exchange
        if exchange is None or not self.show_feedback:
            return []
        return explain_exchange(exchange, self.kit, lang)

    def mood_reasons(self, lang: str) -> list[MoodReason]:
        """Why the customer's mood moved after the latest reply (none in assessment mode)."""
        from ..engine.feedback import mood_reasons

        exchange = self.last_exchange
        if exchange is None or not self.show_feedback:
            return []
        return mood_reasons(exchange, self.kit, lang)

    def practise(self, lang: str, n: int = 3) -> list[PracticeItem]:
        """The rules failed most in this attempt."""
        from ..engine.feedback import practise_next

        result = self.result()
        return practise_next(result, self.kit, lang, n) if result is not None else []

    def critical_titles(self, lang: str) -> list[str]:
        """The titles of the critical rules failed in this attempt."""
        result = self.result()
        if result is None:
            return []
        return [self.kit.rules[r].title.get(lang) if r in self.kit.rules else r for r in result.critical_failures]

    # --- what the trainee does -----------------------------------------------------------------

    def join(self, found: Round) -> None:
        """Play a trainer's round: its scenarios with its seed, language and mode, recorded with its code."""
        if found.mode not in MODES:
            raise SimkitError(f"the round's mode '{found.mode}' cannot be played here")
        self.abandon()  # an attempt begun outside the round stays outside it
        self.round, self.session, self.mode, self.lang = found, found.code, found.mode, found.lang

    def start(self, scenario_id: str, seed: int | None = None) -> ScenarioInstance:
        """A new attempt at ``scenario_id`` (a random variant unless ``seed`` is given) in ``lang``.

        A running attempt is recorded as abandoned first. Call ``shown`` once the first line is drawn.
        """
        from ..engine.dialogue import Dialogue
        from ..engine.generation import generate

        if not self.trainee:
            raise NoTrainee()
        scenario = self.kit.scenario(scenario_id)
        self.abandon()
        if self.round is not None:
            from ..store.sessions import seed_for

            if scenario_id not in self.round.scenarios:
                raise SimkitError(f"the scenario '{scenario_id}' is not part of the round '{self.round.title}'")
            self.lang = self.round.lang
            seed = seed_for(self.round, self.trainee) if seed is None else seed
        if seed is None:
            seed = _new_seed(self.instance.seed if self.instance is not None else None)
        self.clock.hold()
        instance = generate(scenario, seed, self.lang)
        self.scenario_id, self.instance = scenario_id, instance
        self.dialogue = Dialogue(instance, self.kit, self.clock)
        self.abandoned, self.stored, self.store_error, self.refused, self.recorded = False, None, "", None, 0
        self._final_recorded = False
        self._connect()
        return instance

    def new_variant(self) -> ScenarioInstance:
        """The same scenario with a new seed (the unfinished attempt is recorded as abandoned first)."""
        if self.scenario_id is None:
            raise SimkitError("start a scenario before asking for another variant of it")
        if self.round is not None:
            raise SimkitError("a round gives each trainee one variant; start the scenario again to retry it")
        return self.start(self.scenario_id)

    def shown(self) -> None:
        """The customer's line is on the screen: the reply time runs from now, and the recorder is told."""
        if not self.clock.release() or not self.running or not self.trainee:
            return  # a refused Send leaves the line shown since before: the reply time runs on from then
        try:
            self._the_recorder().shown(self.attempt_id)
        except Exception:  # the service away for a moment: the reply is still recorded (or spooled) when sent
            return

    def send(self, text: str, actions: Sequence[Action | str] = ()) -> SendOutcome:
        """Score the reply, move the dialogue on and record the attempt, before anything is shown."""
        if self._busy:
            return SendOutcome(False, "busy")
        if self.dialogue is None or self.abandoned:
            return SendOutcome(False, "no_attempt")
        if self.dialogue.finished:
            return SendOutcome(False, "finished")
        if not text.strip() and not actions:
            return SendOutcome(False, "empty")
        from ..engine.scoring import MAX_REPLY_CHARS
        from ..errors import ReplyTooLong

        if len(text) > MAX_REPLY_CHARS:  # the dialogue would refuse it: the trainee shortens it and sends again
            return SendOutcome(False, "too_long", str(ReplyTooLong(len(text), MAX_REPLY_CHARS, self.dialogue.instance.lang)))
        self._busy = True
        try:
            self.clock.hold()
            exchange = self.dialogue.reply(text, list(actions))
            finished = self.dialogue.finished
            stored = self._record(final=finished)
            return SendOutcome(True, exchange=exchange, stored=stored, finished=finished)
        finally:
            self._busy = False

    def abandon(self) -> Stored | None:
        """Stop the running attempt; one with replies is recorded as abandoned. What the recorder did, or None."""
        if not self.running or self.dialogue is None:
            return None
        self.abandoned = True
        if not self.dialogue.exchanges:
            return None  # nothing was said: there is no evidence to keep
        return self._record(final=True)

    def _the_recorder(self) -> AttemptRecorder:
        assert self.trainee
        who = (self.trainee, self.cohort, self.session, self.mode)
        if self._recorder is None or self._recorder_for != who:
            if self._recorder is not None:
                self._recorder.close()
            self._recorder = self.evidence.recorder(self.kit, self.trainee, self.mode, self.cohort, self.session)
            self._recorder_for = who
        return self._recorder

    def _connect(self) -> None:
        """Open the store when the attempt starts, so the first reply does not wait for it.

        Not in a background thread: opening a store runs its migrations, which must not overlap
        with another store being opened in the same process (the results panel, a drill).
        """
        try:
            self._the_recorder().connect()  # an unreachable store is only noted: replies go to the spool
        except Exception:  # recording will say what is wrong with the first reply
            return

    def _record(self, final: bool) -> Stored:
        assert self.dialogue is not None
        if self._final_recorded and self.stored is not None:
            return self.stored  # an ended attempt is recorded once
        try:
            stored: Stored = self._the_recorder().record(self.dialogue.result(), final=final)
            self.store_error, self.refused = "", None
        except Exception as exc:  # the trainee keeps practising; the status says the evidence was not kept
            stored, self.store_error = "failed", str(exc) or type(exc).__name__
            self.refused = refusal(exc)
        self.recorded += 1
        self._final_recorded = final and stored != "failed"
        self.stored = stored
        return stored


def _new_seed(previous: int | None) -> int:
    while True:
        seed = random.SystemRandom().randrange(1, 1_000_000)
        if seed != previous:
            return seed
