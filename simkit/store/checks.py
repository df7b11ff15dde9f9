"""What the store refuses, and the checks made before a write so that it refuses early.

A name too long for its column or an id that is not a UUID is the caller's to fix; found before
any work is done (before the rows of an attempt are built, before its transaction begins), it
stops a save with a message that says what to fix rather than with the database's own error.
"""

from __future__ import annotations

import uuid

from ..errors import SimkitError

_NAME_LIMIT, _COHORT_LIMIT = 200, 100  # the lengths of trainees.name and trainees.cohort


class StoreError(SimkitError):
    """The evidence store refused an operation (unknown attempt, conflicting reply, bad id)."""


def checked_names(trainee: str, cohort: str | None = None) -> tuple[str, str | None]:
    """A trainee's name and cohort as stored: blanks around them dropped, a blank cohort is none.

    Raises StoreError for an empty name or one longer than the column holds, with what to fix.
    """
    name = trainee.strip()
    if not name:
        raise StoreError("a trainee's name is empty; give the name the trainee is known by")
    if len(name) > _NAME_LIMIT:
        raise StoreError(f"a trainee's name is {len(name)} characters long; at most {_NAME_LIMIT} fit")
    group = (cohort or "").strip() or None
    if group is not None and len(group) > _COHORT_LIMIT:
        raise StoreError(f"the cohort '{group[:40]}...' is {len(group)} characters long; at most {_COHORT_LIMIT} fit")
    return name, group


def checked_uuid(value: str, what: str) -> str:
    """``value`` as a UUID's canonical text; raises StoreError, naming ``what`` it is the id of, if it is not one."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        raise StoreError(f"the {what} id '{value}' is not a UUID; generate ids with uuid.uuid4()") from None
