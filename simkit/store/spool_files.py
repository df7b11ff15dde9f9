"""One spool file: what it must hold, how it is read without trusting it, and where a bad one goes.

A spool folder is written by simkit, but anything can land in it: a file cut short by a full disk,
one edited by hand, a folder, a FIFO or a link someone put there. A file is read only when it is a
regular file (never through a link, never a FIFO or a device that would block or flood the
reader), no larger than ``SPOOL_FILE_LIMIT``, UTF-8 JSON, and shaped like ``SpooledAttempt``.
Anything else is moved to the ``quarantine`` folder inside the spool folder, with a
``<name>.reason.txt`` beside it that says why; fixed and moved back, it is flushed again.
"""

from __future__ import annotations

import json
import os
import stat
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import first_problems
from .database import StoreError, checked_names
from .records import Mode

QUARANTINE = "quarantine"  # inside a spool folder: the files a flush cannot use, each with its reason
SPOOL_FILE_LIMIT = 4 * 2**20  # bytes; an attempt's inputs take a few kilobytes
_SEED = 2**31  # a seed is stored in a 32-bit column on PostgreSQL


class Unusable(Exception):
    """A spool file that cannot be used as it is; the message says why."""


def _attempt_id(value: str) -> str:
    return str(uuid.UUID(value))


class SpooledReply(BaseModel):
    """One reply as the trainee gave it: the text, the actions chosen (None: read from the text), the seconds taken."""

    model_config = ConfigDict(strict=True, frozen=True)

    text: str
    actions: list[str] | None = None
    seconds: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0


class SpooledAttempt(BaseModel):
    """What a spool file holds: the inputs that replay an attempt, and whose it is."""

    model_config = ConfigDict(strict=True, frozen=True)

    attempt_id: Annotated[str, AfterValidator(_attempt_id)]
    trainee: str
    cohort: str | None = None
    mode: Mode
    session: str | None = None
    final: bool = False
    scenario_id: Annotated[str, Field(min_length=1, max_length=100)]
    seed: Annotated[int, Field(ge=-_SEED, lt=_SEED)]
    lang: Annotated[str, Field(min_length=1, max_length=8)]
    first_turn: str | None = None
    replies: list[SpooledReply]

    @model_validator(mode="after")
    def _names(self) -> SpooledAttempt:
        try:
            checked_names(self.trainee, self.cohort)  # what the store would refuse, refused before the replay
        except StoreError as exc:
            raise ValueError(str(exc)) from None
        return self


def read_spooled(path: Path) -> SpooledAttempt:
    """The attempt in the spool file at ``path``; raises Unusable (why) or FileNotFoundError (taken meanwhile)."""
    return parse(read_bytes(path))


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most SPOOL_FILE_LIMIT bytes at ``path`` (a link is not followed)."""
    kind = os.lstat(path).st_mode
    if stat.S_ISLNK(kind):
        raise Unusable("a symbolic link, not a spooled file (the spool reads only files it holds itself)")
    if not stat.S_ISREG(kind):
        raise Unusable("not a regular file (a folder, a FIFO or a device)")
    try:
        # O_NOFOLLOW and O_NONBLOCK: swapped for a link or a FIFO since the check, it is still not followed or waited on
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise Unusable(f"cannot be read: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unusable("not a regular file (a folder, a FIFO or a device)")
        data = handle.read(SPOOL_FILE_LIMIT + 1)
    if len(data) > SPOOL_FILE_LIMIT:
        raise Unusable(f"larger than {SPOOL_FILE_LIMIT:,} bytes, which no spooled attempt is")
    return data


def parse(data: bytes) -> SpooledAttempt:
    """The attempt a spool file's bytes hold; raises Unusable with what is wrong and where."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unusable(f"not UTF-8 (byte 0x{data[exc.start]:02X} at offset {exc.start})") from None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unusable(f"not JSON ({exc.msg}: line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # a 5000-digit number, nesting thousands deep
        raise Unusable(f"not JSON ({str(exc) or type(exc).__name__})") from None
    if not isinstance(record, dict):
        raise Unusable(f"not a spooled attempt: a JSON {type(record).__name__} where an object is expected")
    try:
        return SpooledAttempt.model_validate(record)
    except ValidationError as exc:
        raise Unusable(f"not a spooled attempt: {first_problems(exc, 'the record')}") from None


def quarantine(path: Path, folder: Path, reason: str) -> Path:
    """Move ``path`` (a file, a link or anything else, never what a link points at) to folder/quarantine/.

    The reason goes beside it in ``<name>.reason.txt``. Returns the new path; raises OSError when
    the move is impossible (then the file stays where it is).
    """
    into = folder / QUARANTINE
    into.mkdir(exist_ok=True)
    target = into / path.name
    if os.path.lexists(target):
        target = into / f"{path.name}.{uuid.uuid4().hex[:8]}"
    os.rename(path, target)
    note = (
        f"{path.name}: {reason}\n"
        f"Moved here from {folder} by 'simkit store flush' on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n"
        f"A spooled attempt that is fixed and moved back into {folder} is stored by the next flush.\n"
    )
    try:
        with open(into / f"{target.name}.reason.txt", "x", encoding="utf-8") as out:  # "x": never through a planted link
            out.write(note)
    except OSError:
        pass  # the file is out of the way; its reason is still reported by the flush
    return target
