"""The spool: attempts that could not reach the database wait in local files until they can.

What is spooled is what the trainee did (texts, chosen actions, seconds, and the ids the client
generated), not the scores: the engine is deterministic, so flushing plays the attempt again and
stores exactly what would have been stored, under the same ids, once. Each attempt is its own file,
written atomically, so several processes can spool at once and a crash never leaves half a record.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from ..content.kit import Kit, find_root
from ..engine.dialogue import AttemptResult, play_through
from ..engine.generation import generate
from .database import Store, StoreUnavailable
from .records import Mode

SPOOL_DIR = "spool"


def spool_dir(root: str | Path | None = None) -> Path:
    """The spool folder of the kit at ``root`` (``SIMKIT_SPOOL`` overrides it)."""
    return Path(os.environ.get("SIMKIT_SPOOL") or find_root(root) / SPOOL_DIR)


def spool(result: AttemptResult, trainee: str, mode: Mode, attempt_id: str, folder: Path, session: str | None = None) -> Path:
    """Write the attempt's inputs to ``folder/<attempt id>.json`` (atomically) and return the path."""
    record = {
        "attempt_id": attempt_id,
        "trainee": trainee,
        "mode": mode,
        "session": session,
        "scenario_id": result.scenario_id,
        "seed": result.seed,
        "lang": result.lang,
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
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(record, out, ensure_ascii=False)
    os.replace(temporary, target)
    return target


@dataclass(frozen=True)
class FlushReport:
    """What a flush did."""

    written: int
    remaining: int


def flush(store: Store, kit: Kit, folder: Path) -> FlushReport:
    """Replay and store every spooled attempt; each file is removed once its attempt is stored."""
    written = 0
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    for file in files:
        record = json.loads(file.read_text(encoding="utf-8"))
        instance = generate(kit.scenario(record["scenario_id"]), record["seed"], record["lang"])
        replies = [(r["text"], r["actions"]) for r in record["replies"]]
        result = play_through(instance, replies, kit, [r["seconds"] for r in record["replies"]])
        # reply ids derive from the attempt id, so an attempt flushed twice is stored once
        store.save_attempt(result, record["trainee"], record["mode"], attempt_id=record["attempt_id"], session=record["session"])
        file.unlink()
        written += 1
    return FlushReport(written, len(list(folder.glob("*.json"))) if folder.is_dir() else 0)


def save_or_spool(
    result: AttemptResult,
    trainee: str,
    mode: Mode,
    kit: Kit,
    url: str | None = None,
    attempt_id: str | None = None,
    session: str | None = None,
) -> str:
    """Store the attempt, or spool it when the database cannot be reached; returns 'stored' or 'spooled'.

    After a successful save, attempts spooled earlier are flushed too.
    """
    attempt_id = attempt_id or str(uuid.uuid4())
    folder = spool_dir(kit.root)
    try:
        store = Store(url, root=kit.root)
    except StoreUnavailable:
        spool(result, trainee, mode, attempt_id, folder, session)
        return "spooled"
    try:
        store.save_attempt(result, trainee, mode, attempt_id=attempt_id, session=session)
    except (SQLAlchemyError, StoreUnavailable):  # the database went away after opening
        spool(result, trainee, mode, attempt_id, folder, session)
        store.close()
        return "spooled"
    try:
        flush(store, kit, folder)
    except (SQLAlchemyError, StoreUnavailable):
        pass  # this attempt is stored; what the database did not take stays spooled for the next save
    finally:
        store.close()
    return "stored"
