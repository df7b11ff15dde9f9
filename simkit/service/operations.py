"""What the service can do: each operation of the apps' ``Evidence`` interface, who may call it, and for whom.

Every operation has an argument model (unknown fields refused, types strict), the roles that may
call it, and a function over the service's store and kit that is given the ``Caller``; the person
arguments of the interface (``trainer``, ``reviewer``, ``who``, a submission's trainee) are not
arguments here: they are always the caller. The calibration app's operations are in
``operations_calibration``; the table below lists every operation with who may call it.
``call`` runs one by name and returns a JSON value, or raises ServiceError (the refusal the
server sends).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError

from ..content.kit import Kit, load_kit
from ..errors import first_problems
from ..reports.changes import VerdictChanges, verdict_changes
from ..reports.readiness import TraineeReadiness, store_judge, store_readiness
from ..store import decisions, judgement, sessions
from ..store.database import StoreError
from ..store.evidence import rulebooks
from . import operations_calibration as calibration
from .errors import ServiceError, bad_request, not_found
from .roles import Caller, Role, check_round, own_trainee, require
from .storage import OwnedStore, StoreHandle
from .submissions import Submissions
from .timing import Timing
from .wire import Args, Code, Hash, Name, ReplyId, Shown, Submission, Text, encode

ANY: tuple[Role, ...] = ("trainee", "trainer", "hr")
TRAINER_HR: tuple[Role, ...] = ("trainer", "hr")


class NoArgs(Args):
    """No arguments."""


class CodeArgs(Args):
    """A round's join code."""

    code: Code


class TraineeArgs(Args):
    """A trainee (None: the caller, or everyone for HR)."""

    trainee: Name | None = None


class CreateRound(Args):
    """A new round (its trainer is the caller)."""

    title: Annotated[str, Field(max_length=1_000)]
    scenarios: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=100)]
    lang: Annotated[str, Field(max_length=8)] = "ru"
    mode: Literal["practice", "session", "assessment"] = "session"
    same_variant: bool = False
    cohort: Annotated[str, Field(max_length=100)] | None = None


class ReplyOfRound(Args):
    """One reply of a round."""

    code: Code
    reply_id: ReplyId


class Reviews(Args):
    """Calibration marks of one reply (the reviewer is the caller)."""

    reply_id: ReplyId
    marks: Annotated[dict[Annotated[str, Field(max_length=100)], Annotated[str, Field(max_length=8)]], Field(max_length=200)]
    comments: Annotated[dict[Annotated[str, Field(max_length=100)], Text | None], Field(max_length=200)] | None = None


class Rulebook(Args):
    """A rulebook version (None: the kit's current one)."""

    rulebook: Hash | None = None


class Judge(Args):
    """One trainee's verdict."""

    trainee: Name | None = None
    rulebook: Hash | None = None


class History(Args):
    """One trainee's decisions."""

    trainee: Name


class ReplyIds(Args):
    """Stored replies."""

    reply_ids: Annotated[list[ReplyId], Field(max_length=20_000)]


class Changes(Args):
    """Two rulebook versions to compare (``after`` None: the kit's current one)."""

    before: Hash
    after: Hash | None = None


class RecordDecision(Args):
    """HR's decision (who decides is the caller)."""

    trainee: Name
    computed: Annotated[str, Field(max_length=40)]
    decision: Annotated[str, Field(max_length=40)] | None = None
    reason: Annotated[str, Field(max_length=decisions.REASON_LIMIT + 1_000)]
    rulebook_hash: Hash


@dataclass
class Service:
    """What every operation runs against: the kit, the store, and the submissions (with their spool and clock)."""

    kit: Kit
    handle: StoreHandle
    submissions: Submissions

    @classmethod
    def open(cls, url: str, kit_root: str | Path | None, spool: Path, timing: Timing | None = None) -> Service:
        """The service over the store at ``url`` and the kit at ``kit_root``; the store is opened on first use."""
        kit = load_kit(kit_root)
        handle = StoreHandle(url, kit.root)
        return cls(kit, handle, Submissions(kit, handle, spool, timing))

    def close(self) -> None:
        """Release the store's connections."""
        self.handle.close()


Run = Callable[[Service, Caller, Any, float], Any]


@dataclass(frozen=True)
class Operation:
    """One operation: its arguments, the roles that may call it, and what it does."""

    args: type[Args] | type[Submission] | type[Shown]
    roles: tuple[Role, ...]
    run: Run
    what: str  # how a refusal names it


def _round(store: OwnedStore, caller: Caller, code: str) -> sessions.Round:
    # the round, if the caller runs it (or is HR); an unknown code is a 404
    try:
        found = sessions.get_round(store, code)
    except sessions.RoundError as exc:
        raise not_found("unknown_round", str(exc)) from None
    check_round(caller, found.trainer, found.code)
    return found


def _submit(service: Service, caller: Caller, args: Submission, at: float) -> Any:
    return service.submissions.submit(caller.name, args, at).model_dump()


def _shown(service: Service, caller: Caller, args: Shown, at: float) -> Any:
    service.submissions.shown(caller.name, args.attempt_id, at)
    return None


def _get_round(service: Service, caller: Caller, args: CodeArgs, at: float) -> Any:
    with service.handle.using() as store:
        try:
            found = sessions.get_round(store, args.code)
        except sessions.RoundError as exc:
            raise not_found("unknown_round", str(exc)) from None
    return encode(sessions.Round, found)


def _attempts(service: Service, caller: Caller, args: TraineeArgs, at: float) -> Any:
    whose = own_trainee(caller, args.trainee, "reading attempts")
    with service.handle.using() as store:
        return store.attempts(whose)


def _create_round(service: Service, caller: Caller, args: CreateRound, at: float) -> Any:
    with service.handle.using() as store:
        try:
            made = sessions.create_round(
                store, args.title, args.scenarios, args.lang, args.mode, args.same_variant, args.cohort, caller.name
            )
        except sessions.RoundError as exc:
            raise bad_request(str(exc), "round_refused") from None
    return encode(sessions.Round, made)


def _end_round(service: Service, caller: Caller, args: CodeArgs, at: float) -> Any:
    with service.handle.using() as store:
        return encode(sessions.Round, sessions.end_round(store, _round(store, caller, args.code).code))


def _live_rows(service: Service, caller: Caller, args: CodeArgs, at: float) -> Any:
    with service.handle.using() as store:
        return encode(list[sessions.LiveRow], sessions.live_rows(store, _round(store, caller, args.code).code))


def _common_failures(service: Service, caller: Caller, args: CodeArgs, at: float) -> Any:
    with service.handle.using() as store:
        return encode(list[sessions.CommonFailure], sessions.common_failures(store, _round(store, caller, args.code).code))


def _round_replies(service: Service, caller: Caller, args: CodeArgs, at: float) -> Any:
    with service.handle.using() as store:
        return encode(list[sessions.RoundReply], sessions.round_replies(store, _round(store, caller, args.code).code))


def _reply_of_round(service: Service, caller: Caller, args: ReplyOfRound, at: float) -> Any:
    with service.handle.using() as store:
        found = _round(store, caller, args.code)
        try:
            reply = sessions.reply_of_round(store, found.code, args.reply_id)
        except sessions.RoundError as exc:
            raise not_found("unknown_reply", str(exc)) from None
    return encode(sessions.RoundReply, reply)


def _add_reviews(service: Service, caller: Caller, args: Reviews, at: float) -> Any:
    with service.handle.using() as store:
        return judgement.add_reviews(store, caller.name, args.reply_id, args.marks, args.comments)


def _readiness(service: Service, caller: Caller, args: Rulebook, at: float) -> Any:
    with service.handle.using() as store:
        return encode(list[TraineeReadiness], store_readiness(store, service.kit, rulebook=args.rulebook))


def _judge(service: Service, caller: Caller, args: Judge, at: float) -> Any:
    whose = own_trainee(caller, args.trainee, "reading a readiness verdict")
    if whose is None:
        raise bad_request("name the trainee whose verdict to read")
    with service.handle.using() as store:
        return encode(TraineeReadiness, store_judge(store, service.kit, whose, rulebook=args.rulebook))


def _latest_decisions(service: Service, caller: Caller, args: NoArgs, at: float) -> Any:
    with service.handle.using() as store:
        return encode(dict[str, decisions.Decision], decisions.latest_decisions(store))


def _decision_history(service: Service, caller: Caller, args: History, at: float) -> Any:
    with service.handle.using() as store:
        return encode(list[decisions.Decision], decisions.decision_history(store, args.trainee))


def _verdicts_with_overrides(service: Service, caller: Caller, args: ReplyIds, at: float) -> Any:
    with service.handle.using() as store:
        found = judgement.verdicts_with_overrides(store, args.reply_ids) if args.reply_ids else {}
    return encode(dict[str, list[judgement.JudgedVerdict]], found)


def _record_decision(service: Service, caller: Caller, args: RecordDecision, at: float) -> Any:
    with service.handle.using() as store:
        made = decisions.record_decision(
            store, args.trainee, args.computed, args.decision, args.reason, caller.name, args.rulebook_hash
        )
    return encode(decisions.Decision, made)


def _rulebooks(service: Service, caller: Caller, args: NoArgs, at: float) -> Any:
    with service.handle.using() as store:
        return encode(list[tuple[str, int]], rulebooks(store))


def _verdict_changes(service: Service, caller: Caller, args: Changes, at: float) -> Any:
    with service.handle.using() as store:
        return encode(VerdictChanges, verdict_changes(service.kit, store, args.before, args.after))


OPERATIONS: dict[str, Operation] = {
    "submit": Operation(Submission, ("trainee",), _submit, "submitting an attempt"),
    "shown": Operation(Shown, ("trainee",), _shown, "timing an attempt"),
    "get_round": Operation(CodeArgs, ANY, _get_round, "looking up a round"),
    "attempts": Operation(TraineeArgs, ("trainee", "hr"), _attempts, "reading attempts"),
    "create_round": Operation(CreateRound, ("trainer",), _create_round, "opening a round"),
    "end_round": Operation(CodeArgs, ("trainer", "hr"), _end_round, "ending a round"),
    "live_rows": Operation(CodeArgs, ("trainer", "hr"), _live_rows, "reading a round"),
    "common_failures": Operation(CodeArgs, ("trainer", "hr"), _common_failures, "reading a round"),
    "round_replies": Operation(CodeArgs, ("trainer", "hr"), _round_replies, "reading a round"),
    "reply_of_round": Operation(ReplyOfRound, ("trainer", "hr"), _reply_of_round, "reading a round"),
    "add_reviews": Operation(Reviews, ("trainer",), _add_reviews, "marking replies for calibration"),
    # calibration: any stored reply, shown without its trainee (see operations_calibration)
    "sample_replies": Operation(calibration.Sample, TRAINER_HR, calibration.sample, "sampling replies for calibration"),
    "describe_replies": Operation(calibration.Describe, TRAINER_HR, calibration.describe, "reading replies for calibration"),
    "latest_overrides": Operation(calibration.Overrides, TRAINER_HR, calibration.overrides, "reading overrides"),
    "add_override": Operation(calibration.AddOverride, ("trainer",), calibration.add_override, "overriding a verdict"),
    "reviewers": Operation(NoArgs, TRAINER_HR, calibration.reviewers, "reading who reviewed replies"),
    "cohorts": Operation(NoArgs, TRAINER_HR, calibration.cohorts, "reading the cohorts"),
    "calibration": Operation(calibration.Compare, TRAINER_HR, calibration.compare, "comparing calibration marks"),
    "readiness": Operation(Rulebook, ("hr",), _readiness, "reading readiness verdicts"),
    "judge": Operation(Judge, ("trainee", "hr"), _judge, "reading a readiness verdict"),
    "latest_decisions": Operation(NoArgs, ("hr",), _latest_decisions, "reading decisions"),
    "decision_history": Operation(History, ("hr",), _decision_history, "reading decisions"),
    "verdicts_with_overrides": Operation(ReplyIds, ("hr",), _verdicts_with_overrides, "reading verdicts"),
    "record_decision": Operation(RecordDecision, ("hr",), _record_decision, "recording a readiness decision"),
    "rulebooks": Operation(NoArgs, ("hr",), _rulebooks, "reading rulebook versions"),
    "verdict_changes": Operation(Changes, ("hr",), _verdict_changes, "comparing rulebook versions"),
}


def parse_args(kind: type[Any], body: Any) -> Any:
    """The operation's arguments from a JSON body; 400 with what is wrong (never the input itself)."""
    if not isinstance(body, dict):
        raise bad_request(f"the body must be a JSON object, not a JSON {type(body).__name__}")
    try:
        return kind.model_validate(body)
    except ValidationError as exc:
        raise bad_request(f"the arguments are not right: {first_problems(exc, 'the body')}") from None


def call(service: Service, caller: Caller, name: str, body: Any, at: float) -> Any:
    """Run operation ``name`` for ``caller`` with the JSON ``body``, received at ``at``; its JSON result."""
    operation = OPERATIONS.get(name)
    if operation is None:
        raise not_found("unknown_operation", f"the service has no operation '{name[:60]}' (see docs/service.md)")
    require(caller, operation.roles, operation.what)  # before the body is read: a refusal says nothing of it
    args = parse_args(operation.args, body)
    try:
        return operation.run(service, caller, args, at)
    except ServiceError:
        raise
    except decisions.DecisionError as exc:
        raise bad_request(str(exc), "decision_refused") from None
    except judgement.JudgementError as exc:
        raise bad_request(str(exc), "judgement_refused") from None
    except sessions.RoundError as exc:
        raise bad_request(str(exc), "round_refused") from None
    except StoreError as exc:  # what the store refuses as given (StoreUnavailable is 503 in handle.using)
        raise bad_request(str(exc).splitlines()[0][:500], "store_refused") from None
