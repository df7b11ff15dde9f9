"""Re-scoring: stored replies judged again under the current rulebook, as new rows beside the old.

Nothing is overwritten: each reply gains verdict and turn-score rows under the current rulebook
hash, and the rows of earlier versions stay, so a verdict can always be traced to the rules that
gave it. Replies already scored under the current hash are left alone, so re-scoring twice adds
nothing. A reply whose scenario or turn no longer exists in the kit is counted and skipped.

The work is split into chunks of replies. With more than one worker, each chunk is scored in a
worker process (started with 'spawn', so it is safe beside threads and open connections) that
holds the kit and its own connection to the store; every chunk is read, scored outside any
transaction, then written in one short transaction, so SQLite's single writer is never held
while scoring.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from ..content.kit import Kit
from ..content.scenario_model import Action
from ..engine.generation import ScenarioInstance, generate
from ..engine.scoring import TurnScore, score_in_context, score_reply
from ..errors import UnknownScenario
from .database import Store
from .records import Attempt, Reply, TurnScoreRow

BATCH = 500
Instances = dict[tuple[str, int, str], ScenarioInstance]


@dataclass(frozen=True)
class RescoreReport:
    """What a re-scoring run did."""

    rulebook_hash: str
    scored: int
    already: int
    missing_content: int


def default_workers() -> int:
    """Worker processes used unless told otherwise: two, or one on a single-core machine."""
    return max(1, min(2, os.cpu_count() or 1))


def score_stored(kit: Kit, reply: Reply, attempt: Attempt, instances: Instances | None = None) -> TurnScore | None:
    """Score one stored reply (of ``attempt``) under ``kit``; None when its scenario or turn is gone.

    The instance the reply answered is generated again from the attempt's scenario, seed and
    language; ``instances`` caches them across the replies of one attempt. Actions chosen by the
    trainee are taken as stored; a text-only reply has its actions read from the text again. A
    reply of an imported conversation is judged in its stored situation, its topics read again.
    """
    if reply.context is not None:  # an imported real conversation: its situation was stored with it
        from .transcripts import stored_context

        context = stored_context(reply.context, attempt.scenario_id, reply.turn_id, reply.turn_index, attempt.lang)
        if context.role not in kit.roles:
            return None
        return score_in_context(context, reply.text, None, kit=kit, seconds=reply.seconds)
    key = (attempt.scenario_id, attempt.seed, attempt.lang)
    instance = instances.get(key) if instances is not None else None
    try:
        if instance is None:
            instance = generate(kit.scenario(attempt.scenario_id), attempt.seed, attempt.lang)
            if instances is not None:
                instances[key] = instance
        instance.turn(reply.turn_id)
    except (UnknownScenario, KeyError):
        return None
    actions = None if reply.text_only else [Action.model_validate(a) for a in reply.actions]
    return score_reply(instance, reply.turn_id, reply.text, actions, kit=kit, anger=reply.anger_before, seconds=reply.seconds)


def _score_chunk(store: Store, kit: Kit, chunk: list[str]) -> tuple[int, int, int]:
    # (scored, already scored by someone else meanwhile, missing content) for these reply ids
    with store.session(write=False) as s:
        pairs = s.execute(select(Reply, Attempt).join(Attempt).where(Reply.id.in_(chunk))).all()
    instances: Instances = {}  # a chunk holds whole attempts, mostly: their replies share one instance
    scored: list[tuple[str, TurnScore]] = []
    for reply, attempt in pairs:
        score = score_stored(kit, reply, attempt, instances)
        if score is not None:
            scored.append((reply.id, score))
    written = store.add_scores(scored, kit.rulebook_hash)
    return written, len(scored) - written, len(pairs) - len(scored)


_WORKER: dict[str, Any] = {}


def _start_worker(url: str, kit: Kit) -> None:
    # the kit comes pickled from the parent: the very rules the parent chose, loaded once
    _WORKER["store"] = Store(url)
    _WORKER["kit"] = kit


def _work(chunk: list[str]) -> tuple[int, int, int, int]:
    return (len(chunk), *_score_chunk(_WORKER["store"], _WORKER["kit"], chunk))


def rescore(
    store: Store,
    kit: Kit,
    since: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    batch: int = BATCH,
) -> RescoreReport:
    """Score every stored reply (of attempts started since ``since``) under ``kit``'s rulebook.

    ``workers`` processes score chunks of ``batch`` replies (default: ``default_workers()``); with
    one worker, or work for one chunk only, everything runs in this process. ``progress`` is called
    with (replies done, replies to do) after each chunk.
    """
    current = kit.rulebook_hash
    with store.session(write=False) as s:
        query = select(Reply.id).join(Attempt).order_by(Attempt.started_at, Reply.attempt_id, Reply.turn_index)
        if since is not None:
            query = query.where(Attempt.started_at >= (since if since.tzinfo else since.replace(tzinfo=UTC)))
        every = list(s.scalars(query))
        done = set(s.scalars(select(TurnScoreRow.reply_id).where(TurnScoreRow.rulebook_hash == current)))
    todo = [r for r in every if r not in done]
    chunks = [todo[start : start + batch] for start in range(0, len(todo), max(1, batch))]
    processes = min(default_workers() if workers is None else max(1, workers), len(chunks))
    scored = raced = missing = finished = 0

    def tally(size: int, written: int, already: int, gone: int) -> None:
        nonlocal scored, raced, missing, finished
        scored, raced, missing, finished = scored + written, raced + already, missing + gone, finished + size
        if progress is not None:
            progress(finished, len(todo))

    if processes <= 1:
        for chunk in chunks:
            tally(len(chunk), *_score_chunk(store, kit, chunk))
    else:
        context = multiprocessing.get_context("spawn")
        with context.Pool(processes, initializer=_start_worker, initargs=(store.url, kit)) as pool:
            for outcome in pool.imap_unordered(_work, chunks):
                tally(*outcome)
            pool.close()
            pool.join()
    return RescoreReport(current, scored, len(every) - len(todo) + raced, missing)


def parse_since(text: str) -> datetime:
    """A --since value: a date (YYYY-MM-DD) or a date and time, taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
