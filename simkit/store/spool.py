"""The spool: attempts that could not reach the database wait in local files until they can.

What is spooled is what the trainee did (texts, chosen actions, seconds, and the ids the client
generated), not the scores: the engine is deterministic, so flushing plays the attempt again and
stores exactly what would have been stored, under the same ids, once. Each attempt is its own file,
``<attempt id>.json``, written atomically and replaced as the attempt grows, so several processes
can spool at once and a crash never leaves half a record.

An attempt is always somewhere, and its caller learns where (``Saved``): stored; else spooled in
the kit's spool folder; else, when that folder cannot be written (a kit on a read-only share),
in the trainee's own (``user_spool_dir``); else ``NotSaved`` is raised with the attempt in it.
A flush reads both folders. One bad file never stops it: see ``spool_files``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError

from ..content.kit import Kit, find_root
from ..engine.dialogue import AttemptResult, play_through
from ..engine.generation import ScenarioInstance, generate
from ..errors import GenerationError, UnknownScenario
from .database import Store, StoreError, StoreUnavailable, checked_names
from .records import MODES, Mode
from .spool_files import QUARANTINE, SPOOL_FILE_LIMIT, SpooledAttempt, Unusable, quarantine, read_spooled

__all__ = ["QUARANTINE", "SPOOL_FILE_LIMIT"]  # the spool's limits, re-exported beside the names defined here

SPOOL_DIR = "spool"
# what a database outage looks like to a caller: the store's own error, or the driver's when the
# connection breaks in a way the store did not wrap
OUTAGE = (StoreUnavailable, OperationalError, InterfaceError)


def spool_dir(root: str | Path | None = None) -> Path:
    """The spool folder of the kit at ``root`` (``SIMKIT_SPOOL`` overrides it)."""
    return Path(os.environ.get("SIMKIT_SPOOL") or find_root(root) / SPOOL_DIR)


def user_spool_dir(root: str | Path | None = None) -> Path | None:
    """The trainee's own spool folder for the kit at ``root``, used when the kit's cannot be written.

    It is ``$XDG_STATE_HOME/simkit/spool/<kit>-<hash>`` (``~/.local/state`` without the variable,
    ``%LOCALAPPDATA%`` on Windows): one per kit, so that a flush replays an attempt with its own
    kit. None when the user has no home folder.
    """
    base = os.environ.get("XDG_STATE_HOME") or os.environ.get("LOCALAPPDATA")
    if not base:
        try:
            base = str(Path.home() / ".local" / "state")
        except (RuntimeError, KeyError):
            return None
    kit = find_root(root).resolve()
    key = hashlib.sha256(str(kit).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return Path(base) / "simkit" / SPOOL_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', kit.name)[:40]}-{key}"


def spool_folders(root: str | Path | None = None) -> list[Path]:
    """Every folder where the kit's attempts may wait: the kit's spool folder, then the trainee's own."""
    folders = [spool_dir(root)]
    own = user_spool_dir(root)
    return [*folders, own] if own is not None and own != folders[0] else folders


def _record(
    result: AttemptResult,
    trainee: str,
    mode: Mode,
    attempt_id: str,
    session: str | None,
    cohort: str | None,
    final: bool | None,
) -> dict[str, Any]:
    return {
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


def _checked_id(attempt_id: str) -> str:
    try:
        return str(uuid.UUID(attempt_id))  # a file name made of anything else is refused here
    except (ValueError, TypeError, AttributeError):
        raise StoreError(f"the attempt id '{attempt_id}' is not a UUID; generate ids with uuid.uuid4()") from None


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
    file already does (an older snapshot arriving late) keeps the longer one. When something
    that is not a spool file holds that name (a folder, say), the attempt is written beside it
    under ``<attempt id>.<random>.json``, which a flush reads as well. Raises OSError when the
    folder cannot be written.
    """
    attempt_id = _checked_id(attempt_id)
    record = _record(result, trainee, mode, attempt_id, session, cohort, final)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{attempt_id}.json"
    try:
        before = read_spooled(target).model_dump()
    except (OSError, Unusable):
        before = None  # none yet, or not one of ours: it is replaced (a link or a FIFO, never followed)
    if before is not None and len(before["replies"]) > len(record["replies"]):
        before["final"] = bool(before["final"]) or record["final"]
        record = before
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False)
        try:
            os.replace(temporary, target)
        except OSError:
            target = folder / f"{attempt_id}.{uuid.uuid4().hex[:8]}.json"
            os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


@dataclass(frozen=True)
class FlushReport:
    """What a flush did: attempts written, files left, problems (one line each) and the files quarantined."""

    written: int
    remaining: int
    problems: tuple[str, ...] = ()
    quarantined: tuple[Path, ...] = ()

    def __add__(self, other: FlushReport) -> FlushReport:
        return FlushReport(
            self.written + other.written,
            self.remaining + other.remaining,
            self.problems + other.problems,
            self.quarantined + other.quarantined,
        )


def _replay(record: SpooledAttempt, instance: ScenarioInstance, kit: Kit) -> AttemptResult:
    replies = [(r.text, r.actions) for r in record.replies]
    seconds = [r.seconds for r in record.replies]
    return play_through(instance, replies, kit, seconds, attempt_id=record.attempt_id, first_turn=record.first_turn)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _spooled(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def flush(store: Store, kit: Kit, folder: Path) -> FlushReport:
    """Replay and store every spooled attempt in ``folder``; each file is removed once its attempt is stored.

    A database outage stops the flush (raised; what is left stays spooled), and so does a store
    that fails on every write (a StoreError). Otherwise one file never stops it: a file that is
    not a spooled attempt, cannot be replayed or whose attempt the store refuses is moved to
    ``folder/quarantine`` with its reason; a well-formed one whose scenario this kit cannot
    generate (not in the kit, not in that language: another kit's, or one being edited) stays
    and is reported.
    """
    written = 0
    problems: list[str] = []
    moved: list[Path] = []

    def set_aside(claimed: Path, reason: str) -> None:
        try:
            target = quarantine(claimed, folder, reason)
        except OSError as exc:
            problems.append(f"{claimed}: {reason}; it could not be moved to {folder / QUARANTINE} ({exc.strerror or exc})")
            return
        moved.append(target)
        problems.append(f"{claimed}: {reason}; moved to {target}")

    for file in _spooled(folder):
        # claimed by renaming before it is read: a spool of the same attempt arriving meanwhile
        # (another process still playing it) then writes a new file instead of being deleted with
        # this one. The claimed name still ends in .json, so after a crash or an outage it is
        # flushed next time; the store takes an attempt once however many files hold it.
        claimed = file.with_name(f"{file.name.split('.')[0]}.{uuid.uuid4().hex[:8]}.json")
        try:
            file.rename(claimed)
        except FileNotFoundError:
            continue  # another flush took it
        except OSError as exc:
            problems.append(f"{file}: cannot be claimed ({exc.strerror or exc}); it stays")
            continue
        try:
            record = read_spooled(claimed)
        except FileNotFoundError:
            continue
        except Unusable as exc:
            set_aside(claimed, str(exc))
            continue
        try:
            instance = generate(kit.scenario(record.scenario_id), record.seed, record.lang)
        except (UnknownScenario, GenerationError) as exc:
            problems.append(f"{claimed}: {exc}; it stays in the spool until the kit can replay it")
            continue
        try:
            result = _replay(record, instance, kit)
        except Exception as exc:  # what the engine makes of this file's odd content, and only of it
            set_aside(claimed, f"cannot be replayed ({_first_line(exc)})")
            continue
        try:
            store.save_attempt(
                result,
                record.trainee,
                record.mode,
                attempt_id=record.attempt_id,
                session=record.session,
                cohort=record.cohort,
                final=record.final,
            )
        except OUTAGE:
            raise
        except (StoreError, DataError, IntegrityError, ValueError, TypeError, OverflowError) as exc:
            set_aside(claimed, f"the store refuses this attempt ({_first_line(exc)})")
            continue
        except DBAPIError as exc:  # not about this file: the store fails (permissions, a missing table)
            raise StoreError(f"the store failed while writing {claimed} ({_first_line(exc)}); the spooled files wait") from exc
        claimed.unlink()
        written += 1
    return FlushReport(written, len(_spooled(folder)), tuple(problems), tuple(moved))


def flush_spools(store: Store, kit: Kit) -> FlushReport:
    """Flush every spool folder of the kit (``spool_folders``) into ``store``."""
    report = FlushReport(0, 0)
    for folder in spool_folders(kit.root):
        if folder.is_dir():
            report += flush(store, kit, folder)
    return report


@dataclass(frozen=True)
class Saved:
    """Where an attempt is: stored in the database, or spooled at ``path`` because of ``reason``.

    ``problems`` are the spooled files that the flush after a save could not write (for a trainer).
    """

    where: Literal["stored", "spooled"]
    path: Path | None = None
    reason: str = ""
    problems: tuple[str, ...] = ()


class NotSaved(StoreError):
    """Neither the database nor any spool folder took the attempt.

    ``record`` is the attempt as a spool file holds it and ``text`` its JSON: an app keeps it or
    shows it; written as ``<attempt id>.json`` into a spool folder, it is stored by the next flush.
    """

    def __init__(self, record: dict[str, Any], reasons: list[str]) -> None:
        super().__init__(record["attempt_id"], reasons)
        self.record = record
        self.reasons = tuple(reasons)

    @property
    def text(self) -> str:
        """The attempt as the JSON of a spool file."""
        return json.dumps(self.record, ensure_ascii=False)

    def __str__(self) -> str:
        return (
            f"the attempt {self.record['attempt_id']} could be neither stored nor spooled ({'; '.join(self.reasons)}); "
            "only the program that played it holds it now: make a spool folder writable (or set SIMKIT_SPOOL) and save again"
        )


def keep(
    result: AttemptResult,
    trainee: str,
    mode: Mode,
    attempt_id: str,
    root: Path,
    reason: str,
    session: str | None = None,
    cohort: str | None = None,
    final: bool | None = None,
) -> Saved:
    """Spool an attempt the database did not take: in the kit's spool folder, else the trainee's own.

    Raises NotSaved, holding the attempt, when no folder can be written.
    """
    reasons = [f"not stored: {reason}"]
    for folder in spool_folders(root):
        try:
            return Saved("spooled", spool(result, trainee, mode, attempt_id, folder, session, cohort, final), reason)
        except OSError as exc:
            reasons.append(f"not spooled in {folder}: {exc.strerror or exc}")
    raise NotSaved(_record(result, trainee, mode, _checked_id(attempt_id), session, cohort, final), reasons)


def caller_mistake(exc: BaseException) -> bool:
    """Whether a failed save is the caller's to mend (an unknown join code, a reply id that conflicts).

    The store says so with a StoreError; an outage or a failing database is not, and spools.
    """
    return isinstance(exc, StoreError) and not isinstance(exc, StoreUnavailable)


def flush_after_save(store: Store, kit: Kit) -> tuple[tuple[str, ...], bool]:
    """Flush the kit's spool folders once an attempt is stored: (problems, whether the store still works).

    Never raises: the attempt just saved is stored whatever the spool holds.
    """
    try:
        return flush_spools(store, kit).problems, True
    except OUTAGE:
        return (), False  # what the database did not take stays spooled for the next save
    except Exception as exc:
        return (f"the spool could not be flushed: {_first_line(exc)}",), False


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
) -> Saved:
    """Store the attempt, or spool it when the database does not take it; says where it is (``Saved``).

    The attempt's id is ``attempt_id``, else its own (``result.attempt_id``); ``final`` and
    ``cohort`` mean what they mean to ``Store.save_attempt``. Whatever keeps the database from
    taking it (an outage, a schema this version does not know, a failed write) spools it, with
    the reason; after a successful save, attempts spooled earlier are flushed too, and this never
    raises once the attempt is stored. Raises StoreError for a caller's mistake, which spooling
    would not mend (a name that is empty or too long, an unknown mode or join code, an id that
    is not a UUID), and NotSaved (holding the attempt) when no spool folder can be written. Opens the store for this one save:
    an app that saves after every reply keeps one open with ``simkit.store.recorder.Recorder``.
    """
    attempt_id = _checked_id(attempt_id or result.attempt_id or str(uuid.uuid4()))
    checked_names(trainee, cohort)
    if mode not in MODES:
        raise StoreError(f"unknown mode '{mode}' (known: {', '.join(MODES)})")
    try:
        store = Store(url, root=kit.root)
    except Exception as exc:  # unreachable, or a schema this version cannot read: the attempt waits
        return keep(result, trainee, mode, attempt_id, kit.root, _first_line(exc), session, cohort, final)
    try:
        try:
            store.save_attempt(result, trainee, mode, attempt_id=attempt_id, session=session, cohort=cohort, final=final)
        except Exception as exc:  # the database went away after opening, or failed the write
            if caller_mistake(exc):
                raise
            return keep(result, trainee, mode, attempt_id, kit.root, _first_line(exc), session, cohort, final)
        problems, _ = flush_after_save(store, kit)
        return Saved("stored", problems=problems)
    finally:
        store.close()
