"""What travels between the apps and the service, as JSON, on both sides the same way.

A submission is what the trainee did and nothing else: the fields of a spooled attempt without
the trainee (the service knows who is asking) and without any score, verdict or outcome (the
service replays the replies and scores them itself). Unknown fields are refused, so that a
client that thinks it can send a score learns at once that it cannot.

The store's answers are frozen dataclasses; ``encode`` and ``decode`` turn them into JSON values
and back with pydantic's TypeAdapter, so a ``Round`` read through the service is the same
``Round`` the local store gives.
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from ..engine.scoring import MAX_REPLY_CHARS
from ..store.spool_files import SpooledAttempt

T = TypeVar("T")

SubmittedMode = Literal["practice", "session", "assessment", "drill"]  # "real" is imported transcripts, never played
MAX_REPLIES = 200  # a script has a few turns; a drill one
MAX_ACTIONS = 20
MAX_SECONDS = 24 * 3600.0
_SEED = 2**31
NAME = Annotated[str, Field(min_length=1, max_length=200)]


def _uuid(value: str) -> str:
    return str(uuid.UUID(value))


UUID = Annotated[str, Field(max_length=64), AfterValidator(_uuid)]


class SubmittedReply(BaseModel):
    """One reply as the trainee gave it: text, chosen actions (None: read from the text), the client's seconds."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    text: Annotated[str, Field(max_length=MAX_REPLY_CHARS)]
    actions: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=MAX_ACTIONS)] | None = None
    # what the client measured; the service keeps its own (simkit.service.timing)
    seconds: Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)] = 0.0


class Submission(BaseModel):
    """An attempt so far, as the player sends it after every reply."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    attempt_id: UUID
    cohort: Annotated[str, Field(max_length=100)] | None = None
    mode: SubmittedMode
    session: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    final: bool = False
    scenario_id: Annotated[str, Field(min_length=1, max_length=100)]
    seed: Annotated[int, Field(ge=-_SEED, lt=_SEED)]
    lang: Annotated[str, Field(min_length=1, max_length=8)]
    first_turn: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    replies: Annotated[list[SubmittedReply], Field(max_length=MAX_REPLIES)]

    @classmethod
    def of_spooled(cls, record: SpooledAttempt) -> Submission:
        """The submission of an attempt a spool file holds (its trainee is left out: the service knows who asks)."""
        data = record.model_dump(exclude={"trainee"})
        data["replies"] = [{**r, "seconds": min(float(r["seconds"]), MAX_SECONDS)} for r in data["replies"]]
        return cls.model_validate(data)


class Shown(BaseModel):
    """The player put the attempt's next customer line on the screen."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    attempt_id: UUID


class Submitted(BaseModel):
    """The service's answer to a submission: where the attempt is, why it waits, and what was stored."""

    model_config = ConfigDict(frozen=True)

    recorded: Literal["stored", "spooled"]
    reason: str = ""
    replies: int  # replies the replayed attempt holds
    seconds: list[float]  # each reply's seconds as the service timed them
    finished: bool


@cache
def adapter(kind: Any) -> TypeAdapter[Any]:
    """The (cached) TypeAdapter of ``kind``."""
    return TypeAdapter(kind)


def encode(kind: Any, value: Any) -> Any:
    """``value`` (of type ``kind``) as a JSON value: dataclasses as objects, moments as ISO text, tuples as lists."""
    return adapter(kind).dump_python(value, mode="json")


def decode(kind: type[T], data: Any) -> T:
    """The value of type ``kind`` that ``encode`` turned into ``data``."""
    key: Any = kind  # a class or a generic alias (list[Round]): hashable either way
    found: T = adapter(key).validate_python(data)
    return found
