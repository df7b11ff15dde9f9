"""A dialogue over a scenario instance: the customer reacts to every reply, branches and ends.

Each reply is scored (``scoring``), the anger moves by the mood table, the script's branches are
tried in order, and the dialogue goes on to the next customer line or ends resolved, escalated or
lost. Time comes from a clock passed in, so a test (or a replayed attempt) is deterministic: the
same instance, replies and clock give the same transcript, anger curve and scores.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..content.kit import Kit
from ..content.models import MoodTable
from ..content.sandbox import evaluate
from ..content.scenario_model import Action, Outcome, Turn
from ..language.detection import Finding
from .generation import InstanceTurn, ScenarioInstance
from .scoring import TurnScore, attempt_score, check_reply, score_reply


class DialogueOver(RuntimeError):
    """A reply sent after the dialogue ended."""


# A reply says something to the customer when the detector finds a behaviour in it, other than a
# raised voice ("!!", capitals) or the customer's name alone, or when it has at least three
# different words of two letters or more. Empty or blank replies, punctuation, emoji, "ok", "ок",
# "да-да" or a name say nothing, whatever actions go with them.
_NOT_A_MESSAGE = frozenset({"shouting", "address_by_name"})
_WORD = re.compile(r"[^\W_]{2,}")
_FEWEST_WORDS = 3


def says_nothing(text: str, findings: Iterable[Finding]) -> bool:
    """Whether a reply (its text and what the detector found in it) says nothing to the customer."""
    if any(f.behavior not in _NOT_A_MESSAGE for f in findings):
        return False
    words: set[str] = set()
    for m in _WORD.finditer(text):
        words.add(m.group().casefold())
        if len(words) >= _FEWEST_WORDS:
            return False
    return True


@dataclass(frozen=True)
class MoodShift:
    """One cause of a change in the customer's anger: ``kind`` is drift, late, behavior or rule."""

    kind: str
    cause: str  # the behaviour or rule id ("" for drift and lateness)
    delta: int


def mood_shifts(mood: MoodTable, score: TurnScore, late: bool = False) -> tuple[MoodShift, ...]:
    """Why the anger moves after a reply: drift, lateness, each behaviour shown, each rule failed."""
    shifts = [MoodShift("drift", "", mood.drift)]
    if late:
        shifts.append(MoodShift("late", "", 1))
    shifts += [MoodShift("behavior", f.behavior, mood.behaviors.get(f.behavior, 0)) for f in score.findings]
    by_severity: dict[str, int] = {str(k): v for k, v in mood.severity.items()}
    for verdict in score.verdicts:
        if verdict.status == "fail":
            delta = mood.rules.get(verdict.rule_id, by_severity.get(verdict.severity, 0))
            shifts.append(MoodShift("rule", verdict.rule_id, delta))
    return tuple(shifts)


def next_anger(mood: MoodTable, anger: int, score: TurnScore, late: bool = False) -> int:
    """The customer's anger after a reply: drift, each behaviour shown, each rule failed, lateness."""
    return max(0, min(10, anger + sum(s.delta for s in mood_shifts(mood, score, late))))


@dataclass(frozen=True)
class Exchange:
    """One customer line and the trainee's reply to it."""

    turn: InstanceTurn
    reply: str
    score: TurnScore
    seconds: float
    late: bool
    anger_before: int
    anger_after: int
    mood_shifts: tuple[MoodShift, ...] = ()

    @property
    def silent(self) -> bool:
        """Whether the reply said nothing to the customer (see ``says_nothing``), actions or not."""
        return says_nothing(self.reply, self.score.findings)


@dataclass
class Dialogue:
    """A running dialogue. ``reply`` until ``finished``; then ``result``."""

    instance: ScenarioInstance
    kit: Kit
    clock: Callable[[], float] = time.monotonic
    attempt_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    first_turn: str | None = None  # a later turn of the script to start at (a drill is a one-turn dialogue)
    anger: int = field(init=False)
    exchanges: list[Exchange] = field(init=False, default_factory=list)
    outcome: Outcome | None = field(init=False, default=None)
    _turn: str | None = field(init=False)
    _shown_at: float = field(init=False)

    def __post_init__(self) -> None:
        self.anger = self.instance.anger
        self._script = self.kit.scenario(self.instance.scenario_id)
        # an unknown first turn fails here, naming the turns it could have been
        self._turn = self.instance.turns[0].id if self.first_turn is None else self.instance.turn(self.first_turn).id
        self._shown_at = self.clock()

    @property
    def finished(self) -> bool:
        """Whether the dialogue has an outcome."""
        return self.outcome is not None

    @property
    def turn(self) -> InstanceTurn | None:
        """The customer turn awaiting a reply (None once finished)."""
        return None if self._turn is None else self.instance.turn(self._turn)

    @property
    def customer_line(self) -> str:
        """What the customer says now: the current turn's line, or the closing line of the outcome."""
        if self.outcome is not None:
            return self.instance.outcomes.get(self.outcome, "")
        assert self.turn is not None
        return self.turn.customer

    def _script_turn(self, turn_id: str) -> tuple[int, Turn]:
        return next((i, t) for i, t in enumerate(self._script.turns) if t.id == turn_id)

    def reply(self, text: str, actions: Sequence[Action | str] | None = None) -> Exchange:
        """Score the reply, move the anger, and go on to the next line or to the end.

        A reply over the length cap raises ReplyTooLong (engine.scoring) and changes nothing: the
        trainee may send a shorter one, and its time still runs from when the line was shown.
        """
        if self._turn is None:
            raise DialogueOver(f"the dialogue of '{self.instance.scenario_id}' has ended ({self.outcome}); start a new one")
        check_reply(text, self.instance.lang)
        now = self.clock()
        seconds = round(max(0.0, now - self._shown_at), 3)
        turn = self.instance.turn(self._turn)
        index, script_turn = self._script_turn(self._turn)
        score = score_reply(self.instance, turn.id, text, actions, kit=self.kit, anger=self.anger, seconds=seconds)
        late = script_turn.reply_limit_seconds is not None and seconds > script_turn.reply_limit_seconds
        shifts = mood_shifts(self.kit.mood, score, late)
        before, self.anger = self.anger, max(0, min(10, self.anger + sum(s.delta for s in shifts)))
        exchange = Exchange(turn, text, score, seconds, late, before, self.anger, shifts)
        self.exchanges.append(exchange)
        self._advance(index, script_turn, score)
        self._shown_at = self.clock()
        return exchange

    def _advance(self, index: int, turn: Turn, score: TurnScore) -> None:
        shown = score.behaviors()
        taken = [a.id for a in score.actions]
        # what the whole dialogue has done so far (this reply included): a case routed two turns
        # ago is still routed, so a branch can react to a routing that never happened
        history = [a for e in self.exchanges for a in e.score.actions]
        variables: dict[str, Any] = {
            "anger": self.anger,
            "behaviors": sorted(shown),
            "missing": [b for b in turn.expect if b not in shown],
            "actions": taken,
            "failed": [v.rule_id for v in score.verdicts if v.status == "fail"],
            "facts": dict(self.instance.facts),
            "done": sorted({a.id for a in history}),
            "routed": sorted({a.department for a in history if a.id == "route_department" and a.department}),
        }
        goto: str | None = None
        end: Outcome | None = None
        if self.anger >= self.kit.mood.hang_up_at:
            end = "lost"
        else:
            for branch in turn.branches:
                if evaluate(branch.when, variables):
                    goto, end = branch.goto, branch.end
                    break
            else:
                if turn.next is not None:
                    goto = turn.next
                elif turn.end is not None:
                    end = turn.end
                elif index + 1 < len(self._script.turns):
                    goto = self._script.turns[index + 1].id
                else:
                    end = "resolved"
        if goto is not None and "end_conversation" in taken:
            end, goto = "lost", None  # the trainee hung up on an open case
        self._turn = goto
        if end is not None:
            self.outcome = end

    def result(self) -> AttemptResult:
        """The attempt so far; a dialogue stopped before its end counts as lost (unresolved)."""
        critical = sorted({r for e in self.exchanges for r in e.score.critical_failures})
        outcome: Outcome = self.outcome or "lost"
        return AttemptResult(
            scenario_id=self.instance.scenario_id,
            seed=self.instance.seed,
            lang=self.instance.lang,
            outcome=outcome,
            finished=self.finished,
            score=attempt_score(e.score.score for e in self.exchanges),
            critical_failures=critical,
            anger=[self.instance.anger, *(e.anger_after for e in self.exchanges)],
            seconds=[e.seconds for e in self.exchanges],
            closing_line=self.instance.outcomes.get(outcome, ""),
            rulebook_hash=self.kit.rulebook_hash,
            kit_version=__version__,
            exchanges=list(self.exchanges),
            attempt_id=self.attempt_id,
            first_turn=self.first_turn,
        )


@dataclass(frozen=True)
class AttemptResult:
    """A finished attempt: outcome, score (the mean of its turn scores), critical failures, anger curve."""

    scenario_id: str
    seed: int
    lang: str
    outcome: Outcome
    finished: bool
    score: float
    critical_failures: list[str]
    anger: list[int]
    seconds: list[float]
    closing_line: str
    rulebook_hash: str
    kit_version: str
    exchanges: list[Exchange]
    attempt_id: str = ""  # the dialogue's own id, from its first reply on; saving it twice stores it once
    first_turn: str | None = None  # the turn the dialogue started at when not the script's first (a drill)

    @property
    def passed(self) -> bool:
        """Resolved or correctly escalated, with no critical rule failed and every reply saying
        something to the customer: actions sent with an empty, blank or content-free reply (see
        ``says_nothing``) may please the script, but a customer who was told nothing was not served."""
        return (
            self.outcome in ("resolved", "escalated") and not self.critical_failures and not any(e.silent for e in self.exchanges)
        )

    def to_json(self) -> dict[str, Any]:
        """A plain, stable mapping for ``--json`` and storage."""
        return {
            "scenario_id": self.scenario_id,
            "seed": self.seed,
            "lang": self.lang,
            "outcome": self.outcome,
            "finished": self.finished,
            "score": self.score,
            "critical_failures": self.critical_failures,
            "anger": self.anger,
            "seconds": self.seconds,
            "closing_line": self.closing_line,
            "rulebook_hash": self.rulebook_hash,
            "kit_version": self.kit_version,
            "turns": [
                {
                    "turn": e.turn.id,
                    "customer": e.turn.customer,
                    "reply": e.reply,
                    "actions": [a.model_dump(exclude_none=True) for a in e.score.actions],
                    "text_only": e.score.text_only,
                    "behaviors": sorted(e.score.behaviors()),
                    "score": e.score.score,
                    "seconds": e.seconds,
                    "late": e.late,
                    "anger_before": e.anger_before,
                    "anger_after": e.anger_after,
                    "verdicts": [v.to_json() for v in e.score.verdicts if v.status != "n/a"],
                    "feedback": e.score.feedback,
                }
                for e in self.exchanges
            ],
        }


class StepClock:
    """A clock for replayed dialogues: reply k takes ``seconds[k]`` (0 when not given)."""

    def __init__(self, seconds: Sequence[float] = ()) -> None:
        self.seconds = list(seconds)
        self.now = 0.0
        self.calls = 0

    def __call__(self) -> float:
        # the dialogue reads the clock when a line is shown and when the reply arrives
        if self.calls % 2 == 1:
            k = self.calls // 2
            self.now += self.seconds[k] if k < len(self.seconds) else 0.0
        self.calls += 1
        return self.now


def play_through(
    instance: ScenarioInstance,
    replies: Sequence[tuple[str, Sequence[Action | str] | None]],
    kit: Kit,
    seconds: Sequence[float] = (),
    attempt_id: str | None = None,
    first_turn: str | None = None,
) -> AttemptResult:
    """Play scripted replies until the dialogue ends or they run out (a replay, a demo, a test).

    A replay of a stored or spooled attempt passes its ``attempt_id`` so the result keeps it, and
    its ``first_turn`` when it started at a later turn of the script (a drill).
    """
    clock = StepClock(seconds)
    if attempt_id is None:
        dialogue = Dialogue(instance, kit, clock, first_turn=first_turn)
    else:
        dialogue = Dialogue(instance, kit, clock, attempt_id, first_turn)
    for text, actions in replies:
        if dialogue.finished:
            break
        dialogue.reply(text, actions)
    return dialogue.result()


def play_model(instance: ScenarioInstance, kit: Kit) -> AttemptResult:
    """Answer every customer line with the scenario's own model reply (a trainer's demonstration)."""
    dialogue = Dialogue(instance, kit, StepClock())
    for _ in range(3 * len(instance.turns)):  # a script that loops forever still stops
        turn = dialogue.turn
        if turn is None:
            break
        dialogue.reply(turn.model_reply, list(turn.model_actions))
    return dialogue.result()
