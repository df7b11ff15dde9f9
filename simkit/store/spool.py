"""The spool: attempts that could not reach the database wait in local files until they can.

What is spooled is what the trainee did (texts, chosen actions, seconds, and the ids the client
generated), not the scores: the engine is deterministic, so flushing plays the attempt again and
stores exactly what would have been stored, under the same ids, once. Each attempt is its own file,
``<attempt id>.json``, written atomically and replaced as the attempt grows, so several processes
can spool at once and a crash never leaves half a record.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.exc import InterfaceError, OperationalError

from ..content.kit import Kit, find_root
from ..engine.dialogue import AttemptResult, play_through
from ..engine.generation import generate
from ..errors import SimkitError
from .database import Store, StoreError, StoreUnavailable
from .records import Mode

SPOOL_DIR = "spool"
# what a database outage looks like to a caller: the store's own error, or the driver's when the
# connection breaks in a way the store did not wrap
OUTAGE = (StoreUnavailable, OperationalError, InterfaceError)


def spool_dir(root: str | Path | None = None) -> Path:
    """The spool folder of the kit at ``root`` (``SIMKIT_SPOOL`` overrides it)."""
    return Path(os.environ.get("SIMKIT_SPOOL") or find_root(root) / SPOOL_DIR)


def _read(file: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def spool(
    result: AttemptResult,
    trainee: str,
    mode: Mode,
    attempt_id: str,
    folder: Path,
    session: str | None = None,
    cohort: str | None = None,
    final: bool | None = None,
) -> Path:
    """Write the attempt's inputs to ``folder/<attempt id>.json`` (atomically) and return the path.

    A later spool of the same attempt replaces the file; one that holds fewer replies than the
    file already does (an older snapshot arriving late) keeps the longer one.
    """
    try:
        attempt_id = str(uuid.UUID(attempt_id))  # a file name made of anything else is refused here
    except ValueError:
        raise StoreError(f"the attempt id '{attempt_id}' is not a UUID; generate ids with uuid.uuid4()") from None
    record: dict[str, Any] = {
        "attempt_id": attempt_id,
        "trainee": trainee,
        "cohort": cohort,
        "mode": mode,
        "session": session,
        "final": bool(final),
        "scenario_id": result.scenario_id,
        "seed": result.seed,
        "lang": result.lang,
        "first_turn": result.first_turn,
        "replies": [
            {
                "text": e.reply,
                "actions": None if e.score.text_only else [a.as_text() for a in e.score.actions],
                "seconds": e.seconds,
            }
            for e in result.exchanges
        ],
    }
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{attempt_id}.json"
    before = _read(target) if target.exists() else None
    if before is not None and len(before.get("replies", [])) > len(record["replies"]):
        before["final"] = bool(before.get("final")) or record["final"]
        record = before
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(record, out, ensure_ascii=False)
    os.replace(temporary, target)
    return target


@dataclass(frozen=True)
class FlushReport:
    """What a flush did: attempts written, files left, and why a file could not be replayed."""

    written: int
    remaining: int
    problems: tuple[str, ...] = ()


def _replay(record: dict[str, Any], kit: Kit) -> AttemptResult:
    instance = generate(kit.scenario(record["scenario_id"]), record["seed"], record["lang"])
    replies = [(r["text"], r["actions"]) for r in record["replies"]]
    seconds = [r["seconds"] for r in record["replies"]]
    return play_through(instance, replies, kit, seconds, attempt_id=record["attempt_id"], first_turn=record.get("first_turn"))


def flush(store: Store, kit: Kit, folder: Path) -> FlushReport:
    """Replay and store every spooled attempt; each file is removed once its attempt is stored.

    A database outage stops the flush (raised; what is left stays spooled). A file that cannot be
    replayed (its scenario left the kit, it was edited by hand) stays and is reported.
    """
    written = 0
    problems: list[str] = []
    for file in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        # claimed by renaming before it is read: a spool of the same attempt arriving meanwhile
        # (another process still playing it) then writes a new file instead of being deleted with
        # this one. The claimed name still ends in .json, so after a crash or an outage it is
        # flushed next time; the store takes an attempt once however many files hold it.
        claimed = file.with_name(f"{file.name.split('.')[0]}.{uuid.uuid4().hex[:8]}.json")
        try:
            file.rename(claimed)
        except FileNotFoundError:
            continue  # another flush took it
        record = _read(claimed)
        try:
            if record is None:
                raise ValueError("not a spooled attempt (unreadable JSON)")
            result = _replay(record, kit)
            store.save_attempt(
                result,
                record["trainee"],
                record["mode"],
                attempt_id=record["attempt_id"],
                session=record.get("session"),
                cohort=record.get("cohort"),
                final=record.get("final"),
            )
        except OUTAGE:
            raise
        except (SimkitError, KeyError, TypeError, ValueError) as exc:
            problems.append(f"{claimed}: {exc}")
            continue
        claimed.unlink()
        written += 1
    return FlushReport(written, len(list(folder.glob("*.json"))) if folder.is_dir() else 0, tuple(problems))


def save_or_spool(
    result: AttemptResult,
    trainee: str,
    mode: Mode,
    kit: Kit,
    url: str | None = None,
    attempt_id: str | None = None,
    session: str | None = None,
    cohort: str | None = None,
    final: bool | None = None,
) -> Literal["stored", "spooled"]:
    """Store the attempt, or spool it when the database cannot be reached; returns 'stored' or 'spooled'.

    The attempt's id is ``attempt_id``, else its own (``result.attempt_id``); ``final`` and
    ``cohort`` mean what they mean to ``Store.save_attempt``. After a successful save, attempts
    spooled earlier are flushed too. Opens the store for this one save: an app that saves after
    every reply keeps one open with ``simkit.store.recorder.Recorder``.
    """
    attempt_id = attempt_id or result.attempt_id or str(uuid.uuid4())
    folder = spool_dir(kit.root)
    try:
        store = Store(url, root=kit.root)
    except StoreUnavailable:
        spool(result, trainee, mode, attempt_id, folder, session, cohort, final)
        return "spooled"
    try:
        store.save_attempt(result, trainee, mode, attempt_id=attempt_id, session=session, cohort=cohort, final=final)
    except OUTAGE:  # the database went away after opening
        spool(result, trainee, mode, attempt_id, folder, session, cohort, final)
        store.close()
        return "spooled"
    try:
        flush(store, kit, folder)
    except OUTAGE:
        pass  # this attempt is stored; what the database did not take stays spooled for the next save
    finally:
        store.close()
    return "stored"
