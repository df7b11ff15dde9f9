"""The model of a scenario script (``scenarios/*.yaml``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .models import (
    ActionId,
    BehaviorId,
    Condition,
    DepartmentId,
    Kind,
    Lang,
    Line,
    Model,
    Slug,
    Text,
)

Outcome = Literal["resolved", "escalated", "lost"]
Channel = Literal["phone", "chat", "email", "letter"]
Gender = Literal["female", "male"]
FactName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$", max_length=80)]
Pair = Annotated[list[int], Field(min_length=2, max_length=2)]
# a date fact within a century of the reference date: further, dates leave the calendar
Days = Annotated[int, Field(ge=-36_500, le=36_500)]
DayPair = Annotated[list[Days], Field(min_length=2, max_length=2)]
Assumption = Annotated[
    str,
    Field(
        pattern=r"^[a-z_]+(:[a-z_]+)?$",
        description="A behaviour id, an action id, or route_department:<department id>.",
    ),
]


class Phrasings(Model):
    """Several ways to say the same line, in both languages; one is drawn per instance."""

    ru: Annotated[list[Line], Field(min_length=2, max_length=10)]
    en: Annotated[list[Line], Field(min_length=2, max_length=10)]


class Name(Model):
    """A customer's name in both scripts, with the gender that Russian text agrees with."""

    ru: Line
    en: Line
    gender: Gender


class Persona(Model):
    """Who the customer is."""

    names: Annotated[list[Name], Field(min_length=2, max_length=20)]
    anger: Annotated[int, Field(ge=0, le=10, description="Anger at the start, 0 calm .. 10.")]
    about: Text | None = None


class Fact(Model):
    """How one fact is generated: exactly one of the generators."""

    pick: Annotated[list[int | Line | Text], Field(min_length=1, max_length=100)] | None = None
    between: Pair | None = Field(None, description="Integer range [low, high], both ends included.")
    pattern: Line | Text | None = Field(None, description="'#' becomes a digit, '@' a capital letter; per language if {ru, en}.")
    date_offset: DayPair | None = Field(
        None, description="Days from the reference date [low, high], both ends included, within 36,500 days."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Fact:
        given = [k for k in ("pick", "between", "pattern", "date_offset") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a fact has exactly one generator: 'pick', 'between', 'pattern' or 'date_offset'")
        for k in ("between", "date_offset"):
            pair = getattr(self, k)
            if pair is not None and pair[0] > pair[1]:
                raise ValueError(f"'{k}' goes from low to high: [{pair[1]}, {pair[0]}]")
        return self


class Action(Model):
    """An action with its parameter, as in a model reply."""

    id: ActionId
    department: DepartmentId | None = None
    percent: Annotated[float, Field(ge=0, le=100)] | None = None
    hours: Annotated[float, Field(gt=0)] | None = None

    def as_text(self) -> str:
        """The action as 'id' or 'id:param', the form ``scoring.parse_action`` reads."""
        param = self.department or (f"{self.percent:g}" if self.percent is not None else None)
        param = param or (f"{self.hours:g}" if self.hours is not None else None)
        return self.id + (f":{param}" if param else "")


class ModelReply(Model):
    """The answer a trainer would show, with the actions it takes."""

    ru: Line
    en: Line
    actions: list[Action] = Field(default_factory=list, max_length=10)

    def get(self, lang: str) -> str:
        """The reply in ``lang``."""
        return self.ru if lang == "ru" else self.en


class Branch(Model):
    """Where the dialogue goes when a condition holds after the trainee's reply.

    The condition sees ``anger``, ``behaviors`` (shown), ``missing`` (expected but not shown),
    ``actions`` (taken), ``failed`` (rule ids) and ``facts`` for this reply, and ``done`` (action
    ids) and ``routed`` (department ids) for every reply of the dialogue so far.
    """

    when: Condition
    goto: Slug | None = None
    end: Outcome | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Branch:
        if (self.goto is None) == (self.end is None):
            raise ValueError("a branch has exactly one of 'goto' (a turn id) or 'end' (an outcome)")
        return self


class Turn(Model):
    """One customer turn and what the trainee is expected to do in reply."""

    id: Slug
    topics: list[str] = Field(default_factory=list, max_length=20, description="Situations this turn presents.")
    customer: Phrasings
    actions: list[ActionId] = Field(max_length=20, description="Actions offered to the trainee at this turn.")
    expect: Annotated[list[BehaviorId], Field(min_length=1, max_length=30)]
    model: ModelReply
    branches: list[Branch] = Field(default_factory=list, max_length=10)
    next: Slug | None = Field(None, description="The turn after this one; default: the next in the file.")
    end: Outcome | None = Field(None, description="End here with this outcome unless a branch fires.")
    reply_limit_seconds: Annotated[int, Field(gt=0)] | None = None
    assumes: list[Assumption] = Field(
        default_factory=list,
        max_length=20,
        description="What the customer's line takes as already done by the trainee on every path here: behaviour "
        "ids, action ids, route_department:<department id>. 'simkit validate' warns where a path does not guarantee it.",
    )

    @model_validator(mode="after")
    def _not_both(self) -> Turn:
        if self.next is not None and self.end is not None:
            raise ValueError("a turn has 'next' or 'end', not both")
        return self


class Scenario(Model):
    """A scenario script: persona, facts, turns, branches and outcomes."""

    id: Slug
    kind: Kind
    title: Text
    summary: Text
    role: Slug
    channel: Channel
    difficulty: Annotated[int, Field(ge=1, le=3)]
    languages: Annotated[list[Lang], Field(min_length=1, max_length=2)]
    persona: Persona
    facts: dict[FactName, Fact] = Field(default_factory=dict, max_length=50)
    turns: Annotated[list[Turn], Field(min_length=3, max_length=50)]
    outcomes: dict[Outcome, Phrasings] = Field(description="The customer's last line for each way the dialogue can end.")

    @property
    def turn_ids(self) -> list[str]:
        """Turn ids in file order."""
        return [t.id for t in self.turns]
