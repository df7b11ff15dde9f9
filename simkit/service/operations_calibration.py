"""The calibration app's operations: a trainer samples stored replies, marks them blind, compares, overrides.

What a trainer may read here is wider than a round: calibration needs replies of any trainee, so
a trainer (and HR) may sample and describe any stored reply. A reply is shown as the reviewer
sees it (``SampledReply``: the customer's line, the reply, the rules in scope), which names no
trainee and holds no score or verdict; the trainee's name never leaves the service this way.
Narrowing a sample to a round (``session``) is a look inside that round, so a trainer may narrow
only to the rounds they run (an unknown code narrows to nothing, as the store does).

The person arguments of the interface are the caller: the reviewer a sample leaves out the
replies of, and who overrides a verdict. A comparison's first rater is the caller too, unless HR
names another (HR reads everything); a trainer may compare their own marks with the scorer's or
another trainer's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from ..reports.calibration import SCORER, calibration
from ..store import judgement, sessions
from .errors import forbidden
from .roles import Caller, check_round
from .wire import Args, Code, Hash, Name, ReplyId, encode, encode_comparison

if TYPE_CHECKING:
    from .operations import Service

Short = Annotated[str, Field(max_length=100)]


class Sample(Args):
    """A sample of stored replies for the caller to review (none they reviewed yet)."""

    size: Annotated[int, Field(ge=0, le=1_000)] = 10
    seed: Annotated[int, Field(ge=-(2**53), le=2**53)] = 0
    cohort: Short | None = None
    session: Code | None = None
    kind: Short | None = None
    rulebook_hash: Hash | None = None


class Describe(Args):
    """Stored replies as a reviewer sees them."""

    reply_ids: Annotated[list[ReplyId], Field(max_length=20_000)]
    rulebook_hash: Hash | None = None


class Overrides(Args):
    """The latest overrides of stored replies (None: of every reply)."""

    reply_ids: Annotated[list[ReplyId], Field(max_length=20_000)] | None = None


class AddOverride(Args):
    """An override of an automatic verdict (who overrides is the caller)."""

    reply_id: ReplyId
    rule_id: Short
    status: Annotated[str, Field(max_length=8)]
    reason: Annotated[str, Field(max_length=judgement.COMMENT_LIMIT + 1_000)]


class Compare(Args):
    """Two raters to compare under a rulebook: ``first`` (None: the caller) and ``second`` (None: the scorer)."""

    rulebook_hash: Hash
    first: Name | None = None
    second: Name | None = None


def sample(service: Service, caller: Caller, args: Sample, at: float) -> Any:
    with service.handle.using() as store:
        if args.session is not None:
            try:
                found = sessions.get_round(store, args.session)
            except sessions.RoundError:
                return []  # no such round: nothing to narrow to, as the store answers locally
            check_round(caller, found.trainer, found.code)
        sample = judgement.sample_replies(
            store, service.kit, caller.name, args.size, args.seed, args.cohort, args.session, args.kind, args.rulebook_hash
        )
    return encode(list[judgement.SampledReply], sample)


def describe(service: Service, caller: Caller, args: Describe, at: float) -> Any:
    with service.handle.using() as store:
        found = judgement.describe_replies(store, service.kit, args.reply_ids, args.rulebook_hash) if args.reply_ids else {}
    return encode(dict[str, judgement.SampledReply], found)


def overrides(service: Service, caller: Caller, args: Overrides, at: float) -> Any:
    # keyed by (reply, rule) in the store; JSON keys are text, so a list travels and the client keys it again
    with service.handle.using() as store:
        found = judgement.latest_overrides(store, args.reply_ids) if args.reply_ids != [] else {}
    return encode(list[judgement.Override], list(found.values()))


def add_override(service: Service, caller: Caller, args: AddOverride, at: float) -> Any:
    with service.handle.using() as store:
        made = judgement.add_override(store, args.reply_id, args.rule_id, args.status, args.reason, caller.name)
    return encode(judgement.Override, made)


def reviewers(service: Service, caller: Caller, args: Any, at: float) -> Any:
    with service.handle.using() as store:
        return judgement.reviewers(store)


def cohorts(service: Service, caller: Caller, args: Any, at: float) -> Any:
    with service.handle.using() as store:
        return store.cohorts()


def compare(service: Service, caller: Caller, args: Compare, at: float) -> Any:
    first = args.first if args.first is not None else caller.name
    if first != caller.name and not caller.has("hr"):
        raise forbidden("comparing marks: a trainer compares their own marks (with the scorer's or another trainer's)")
    with service.handle.using() as store:
        found = calibration(store, args.rulebook_hash, first, args.second if args.second is not None else SCORER)
    return encode_comparison(found)
