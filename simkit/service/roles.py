"""Who may do what: the hub user's groups make their roles, and the roles make the policy.

The person who acts is always the hub user who made the request (``Caller``), never a name in
the request's body. A user may be in several groups and then has every role they give; a user
in none of them may do nothing. The policy is plain functions, so that it is read and tested in
one place:

- a trainee submits attempts as themselves, reads their own attempts and verdict, and looks up
  a round by its join code (to join it);
- a trainer opens rounds (as themselves), reads and ends the rounds they run, and marks replies
  for calibration (as themselves);
- HR reads everything and records readiness decisions (as themselves).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .errors import ServiceError, forbidden

Role = Literal["trainee", "trainer", "hr"]
# the hub groups, as deploy/ creates them, and the role each gives
GROUPS: dict[str, Role] = {"trainees": "trainee", "trainers": "trainer", "hr": "hr"}
ROLES: tuple[Role, ...] = ("trainee", "trainer", "hr")


@dataclass(frozen=True)
class Caller:
    """The hub user behind a request: their name and the roles their groups give."""

    name: str
    roles: frozenset[Role]

    @classmethod
    def of(cls, name: str, groups: Iterable[str]) -> Caller:
        """The caller ``name`` in hub ``groups`` (groups that give no role are ignored)."""
        return cls(name, frozenset(GROUPS[g] for g in groups if g in GROUPS))

    @classmethod
    def from_hub(cls, model: Mapping[str, Any]) -> Caller:
        """The caller a hub user model names (``jupyterhub.services.auth``); a service or a nameless model is nobody."""
        name = model.get("name")
        groups = model.get("groups") or []
        if model.get("kind", "user") != "user" or not isinstance(name, str) or not name:
            return cls("", frozenset())
        return cls.of(name, [g for g in groups if isinstance(g, str)])

    def has(self, role: Role) -> bool:
        """Whether the caller has ``role``."""
        return role in self.roles


def require(caller: Caller, allowed: Iterable[Role], what: str) -> None:
    """Refuse (403) unless the caller has one of the ``allowed`` roles for ``what``."""
    allowed = tuple(allowed)
    if not caller.roles & set(allowed):
        groups = " or ".join(f"'{g}'" for g, r in GROUPS.items() if r in allowed)
        raise forbidden(f"{what} is for members of the hub group {groups}; {caller.name or 'this caller'} is not one")


def own_trainee(caller: Caller, asked: str | None, what: str) -> str | None:
    """Whose evidence the caller reads when asking for ``asked`` (None: everyone's).

    HR reads anyone's, or everyone's; a trainee only their own, whatever name they ask for;
    anyone else nothing.
    """
    if caller.has("hr"):
        return asked
    if caller.has("trainee") and (asked is None or asked == caller.name):
        return caller.name
    if caller.has("trainee"):
        raise forbidden(f"{what}: a trainee reads only their own evidence, not that of '{asked[:80] if asked else ''}'")
    raise forbidden(f"{what} is for HR, and for a trainee about themselves")


def may_read_round(caller: Caller, trainer: str | None) -> bool:
    """Whether the caller may see inside a round that ``trainer`` runs (its attempts and replies)."""
    return caller.has("hr") or (caller.has("trainer") and trainer is not None and trainer == caller.name)


def check_round(caller: Caller, trainer: str | None, code: str) -> None:
    """Refuse (403) a round the caller neither runs nor reads as HR."""
    if not may_read_round(caller, trainer):
        raise forbidden(f"the round {code} is run by another trainer; a trainer reads only the rounds they run")


__all__ = ["GROUPS", "ROLES", "Caller", "Role", "ServiceError", "check_round", "may_read_round", "own_trainee", "require"]
