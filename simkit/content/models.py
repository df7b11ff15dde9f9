"""Typed, immutable models of the kit's content: job descriptions, roles, rules, mood, readiness.

Scenario scripts live in ``scenario_model.py``. Every model forbids unknown keys and is strict
about types, so a typo in YAML is a located error rather than a silently ignored field.
References to the closed vocabularies (behaviours, actions, departments, roles, clauses) are
plain strings here; ``crossref.py`` checks them and names the bad one with a suggestion, and the
JSON Schemas still offer the allowed values as completions. Ids are plain (lowercase letters,
digits, ``_``), so an id with path characters (``../../etc``) is refused wherever it comes from.

Lists carry upper bounds well above what the shipped content uses (a scenario has at most 50
turns, a turn at most 10 phrasings per language), so that one file, however it is written, makes
a bounded amount of checking; numbers must be finite (``.inf`` and ``.nan`` are refused).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .vocabulary import ACTIONS, BEHAVIORS, DEPARTMENTS

Lang = Literal["ru", "en"]
Category = Literal["etiquette", "procedure", "escalation", "confidentiality"]
Severity = Literal["critical", "major", "minor"]
Kind = Literal[
    "late_delivery",
    "defective_product",
    "discount_demand",
    "isp_outage",
    "wrong_bill",
    "car_not_ready",
    "legal_threat",
    "confidential_request",
    "safety_hazard",
    "offtopic_call",
    "repeat_claim",
    "abusive_customer",
    "written_claim",
]
Mode = Literal["practice", "session", "assessment", "real"]

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]*$", max_length=80)]
Line = Annotated[str, Field(min_length=1)]
Condition = Annotated[
    str,
    Field(
        min_length=1,
        description="A sandboxed Jinja2 expression, e.g. \"anger >= 7 and 'apology' not in behaviors\".",
    ),
]
_PLAIN_ID = re.compile(r"[a-z][a-z0-9_]{0,79}")


def _plain_id(value: str) -> str:
    if not _PLAIN_ID.fullmatch(value):
        raise ValueError(f"{value[:40]!r} is not an id: an id is lowercase letters, digits and '_'")
    return value


PlainId = Annotated[str, AfterValidator(_plain_id)]
BehaviorId = Annotated[PlainId, Field(json_schema_extra={"enum": list(BEHAVIORS)})]
ActionId = Annotated[PlainId, Field(json_schema_extra={"enum": list(ACTIONS)})]
DepartmentId = Annotated[PlainId, Field(json_schema_extra={"enum": list(DEPARTMENTS)})]


class Model(BaseModel):
    """Base of every content model: immutable, strict, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


class Text(Model):
    """A line a user reads, in both languages."""

    ru: Line
    en: Line

    def get(self, lang: str) -> str:
        """The text in ``lang`` ('ru' or 'en')."""
        return self.ru if lang == "ru" else self.en


class Clause(Model):
    """One clause of a job description, summarised in our own words."""

    section: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    summary: Text


class JobDescription(Model):
    """A source document: the clauses that rules cite as ``<id>#<section>``."""

    id: Slug
    title: Text
    seed: Annotated[str, Field(description="File name of the source text in the seeds folder.")]
    about: Text
    clauses: Annotated[list[Clause], Field(min_length=1, max_length=200)]


class Role(Model):
    """A job role that rules apply to and scenarios put the trainee in."""

    id: Slug
    title: Text
    jobs: Annotated[list[str], Field(min_length=1, max_length=20, description="Job description ids.")]


class RoleFile(Model):
    """``rulebook/roles.yaml``."""

    roles: Annotated[list[Role], Field(min_length=1, max_length=50)]


class Check(Model):
    """One thing a rule looks for: a behaviour, an action, or any one of several checks.

    ``where`` narrows it with a condition over the action's parameters (``percent``,
    ``department``, ``hours``) or the behaviour's ``value``, and the scenario's ``facts``.
    """

    behavior: BehaviorId | None = None
    action: ActionId | None = None
    any_of: Annotated[list[Check], Field(max_length=20)] | None = None
    where: Condition | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Check:
        given = [k for k in ("behavior", "action", "any_of") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a check names exactly one of 'behavior', 'action' or 'any_of'")
        if self.any_of is not None and self.where is not None:
            raise ValueError("'where' belongs on the checks inside 'any_of', not on 'any_of'")
        return self


# Checks in one rule, counting those inside 'any_of': each is tried at validation in every situation
# the rule applies to, so their number bounds the work one rule file makes.
MAX_CHECKS_PER_RULE = 30


def _count_checks(checks: list[Check]) -> int:
    return sum(1 + _count_checks(c.any_of or []) for c in checks)


class Rule(Model):
    """A rule of conduct that cites where it is written and says what it requires or forbids."""

    id: Slug
    title: Text
    feedback: Text
    suggestion: Text | None = Field(None, description="A better phrasing to show on failure.")
    category: Category
    severity: Severity
    weight: Annotated[float, Field(gt=0, le=10)]
    source: Annotated[
        str,
        Field(description="'<job id>#<section>' of a clause, or 'common-practice'."),
    ]
    roles: Annotated[list[str], Field(min_length=1, max_length=20, description="Role ids, or 'all' for every role.")]
    when: Condition | None = Field(
        None,
        description="When the rule applies: an expression over facts, kind, channel, role, "
        "turn (id, index, first, last, topics) and anger. Omitted: always.",
    )
    requires: list[Check] = Field(default_factory=list, max_length=10, description="All must be present.")
    forbids: list[Check] = Field(default_factory=list, max_length=10, description="None may be present.")
    max_reply_seconds: Annotated[float, Field(gt=0)] | None = Field(
        None, description="The reply must come within this many seconds of the customer's line."
    )

    @model_validator(mode="after")
    def _says_something(self) -> Rule:
        if not self.requires and not self.forbids and self.max_reply_seconds is None:
            raise ValueError("a rule needs 'requires', 'forbids' or 'max_reply_seconds'")
        checks = _count_checks([*self.requires, *self.forbids])
        if checks > MAX_CHECKS_PER_RULE:
            raise ValueError(f"a rule has at most {MAX_CHECKS_PER_RULE} checks, 'any_of' ones included; this one has {checks}")
        return self


class RuleFile(Model):
    """One file under ``rulebook/rules/``."""

    rules: Annotated[list[Rule], Field(min_length=1, max_length=100)]


class MoodTable(Model):
    """How a reply moves the customer's anger (0 calm .. 10 hangs up)."""

    hang_up_at: Annotated[int, Field(ge=1, le=10)] = 10
    behaviors: Annotated[dict[BehaviorId, Annotated[int, Field(ge=-5, le=5)]], Field(max_length=100)]
    severity: dict[Severity, Annotated[int, Field(ge=0, le=5)]] = Field(
        description="Anger added by each failed rule of that severity."
    )
    rules: dict[str, Annotated[int, Field(ge=-5, le=5)]] = Field(
        default_factory=dict, max_length=500, description="Per-rule overrides of the severity figure."
    )
    drift: Annotated[int, Field(ge=-3, le=3)] = Field(0, description="Added after every reply, before the reply's own effects.")


class Readiness(Model):
    """The written policy under which HR declares a trainee ready."""

    window_days: Annotated[int, Field(ge=1, le=366)]
    min_attempts: Annotated[int, Field(ge=1)]
    min_score: Annotated[float, Field(ge=0, le=100)]
    min_category_scores: dict[Category, Annotated[float, Field(ge=0, le=100)]]
    max_critical_failures: Annotated[int, Field(ge=0)]
    required_kinds: Annotated[list[Kind], Field(max_length=20)]
    count_real_transcripts: bool
    modes: Annotated[list[Mode], Field(min_length=1, max_length=10, description="Attempt modes that count.")]
    about: Text
