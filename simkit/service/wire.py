"""What travels between the apps and the service, as JSON, on both sides the same way.

A submission is what the trainee did and nothing else: the fields of a spooled attempt without
the trainee (the service knows who is asking) and without any score, verdict or outcome (the
service replays the replies and scores them itself). Unknown fields are refused, so that a
client that thinks it can send a score learns at once that it cannot.

The store's answers are frozen dataclasses; ``encode`` and ``decode`` turn them into JSON values
and back with pydantic's TypeAdapter, so a ``Round`` read through the service is the same
``Round`` the local store gives. A calibration ``Comparison`` holds data frames and figures that
may be undefined (NaN, which JSON lacks): ``encode_comparison`` and ``decode_comparison`` carry it.
"""

from __future__ import annotations

import math
import uuid
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from ..engine.scoring import MAX_REPLY_CHARS
from ..store.spool_files import SpooledAttempt

if TYPE_CHECKING:
    from ..reports.calibration import Comparison

T = TypeVar("T")

SubmittedMode = Literal["practice", "session", "assessment", "drill"]  # "real" is imported transcripts, never played
MAX_REPLIES = 200  # a script has a few turns; a drill one
MAX_ACTIONS = 20
MAX_SECONDS = 24 * 3600.0
_SEED = 2**31
NAME = Annotated[str, Field(min_length=1, max_length=200)]
# the fields of an operation's arguments (simkit.service.operations)
Name = NAME
Code = Annotated[str, Field(min_length=1, max_length=20)]
Hash = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(max_length=4_000)]
ReplyId = Annotated[str, Field(max_length=64)]


def _uuid(value: str) -> str:
    return str(uuid.UUID(value))


UUID = Annotated[str, Field(max_length=64), AfterValidator(_uuid)]


class Args(BaseModel):
    """Arguments of an operation: strict, closed (an unknown field is refused, not ignored)."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")


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


# --- the calibration comparison: two data frames and figures that may be undefined (NaN) -------------


class WireAgreement(BaseModel):
    """An ``Agreement`` as JSON: an undefined percent or kappa (NaN) travels as null."""

    model_config = ConfigDict(frozen=True)

    n: int
    agreed: int
    percent: float | None
    kappa: float | None
    note: str


class WireRuleAgreement(WireAgreement):
    """One row of a comparison's ``per_rule`` frame."""

    rule_id: str


class WireDisagreement(BaseModel):
    """One row of a comparison's ``disagreements`` frame."""

    model_config = ConfigDict(frozen=True)

    reply_id: str
    rule_id: str
    first: str
    second: str


class WireComparison(BaseModel):
    """A ``Comparison`` (``simkit.reports.calibration``) as JSON."""

    model_config = ConfigDict(frozen=True)

    first: str
    second: str  # a trainer's name, or the scorer's mark (SCORER)
    per_rule: list[WireRuleAgreement]
    overall: WireAgreement
    disagreements: list[WireDisagreement]


def _defined(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def _number(value: float | None) -> float:
    return math.nan if value is None else value


def encode_comparison(found: Comparison) -> Any:
    """``found`` as a JSON value (its frames as lists of rows)."""
    overall = found.overall
    made = WireComparison(
        first=found.first,
        second=found.second,
        per_rule=[
            WireRuleAgreement(
                rule_id=str(row.rule_id),
                n=int(row.n),
                agreed=int(row.agreed),
                percent=_defined(row.percent),
                kappa=_defined(row.kappa),
                note=str(row.note),
            )
            for row in found.per_rule.itertuples()
        ],
        overall=WireAgreement(
            n=overall.n,
            agreed=overall.agreed,
            percent=_defined(overall.percent),
            kappa=_defined(overall.kappa),
            note=overall.note,
        ),
        disagreements=[
            WireDisagreement(reply_id=str(r.reply_id), rule_id=str(r.rule_id), first=str(r.first), second=str(r.second))
            for r in found.disagreements.itertuples()
        ],
    )
    return made.model_dump(mode="json")


def decode_comparison(data: Any) -> Comparison:
    """The ``Comparison`` that ``encode_comparison`` turned into ``data``, its frames built as ``compare`` builds them."""
    import pandas as pd

    from ..reports.calibration import DISAGREEMENT_COLUMNS, RULE_COLUMNS, Agreement, Comparison

    found = WireComparison.model_validate(data)
    rows = [[r.rule_id, r.n, r.agreed, _number(r.percent), _number(r.kappa), r.note] for r in found.per_rule]
    apart = found.disagreements
    # columns of text, as ``compare`` makes them, even when empty (pandas would make an empty column float)
    disagreements = pd.DataFrame(
        {column: pd.Series([getattr(d, column) for d in apart], dtype=object) for column in DISAGREEMENT_COLUMNS},
        columns=DISAGREEMENT_COLUMNS,
    )
    o = found.overall
    overall = Agreement(o.n, o.agreed, _number(o.percent), _number(o.kappa), o.note)
    return Comparison(found.first, found.second, pd.DataFrame(rows, columns=RULE_COLUMNS), overall, disagreements)
