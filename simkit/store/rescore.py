"""Re-scoring: stored replies judged again under the current rulebook, as new rows beside the old.

Nothing is overwritten: each reply gains verdict and turn-score rows under the current rulebook
hash, and the rows of earlier versions stay, so a verdict can always be traced to the rules that
gave it. Replies already scored under the current hash are left alone, so re-scoring twice adds
nothing, and a run that stopped half-way resumes where it stopped. A reply whose scenario or turn
no longer exists in the kit is counted and skipped.

The work is split into chunks of replies. With more than one worker, each chunk is read and
scored in a worker process (started with 'spawn', so it is safe beside threads and open
connections) that holds the kit and its own connection to the store; the worker sends back the
rows to insert, and this process alone writes them, one short transaction per chunk. So scoring
runs on every core while the database sees a single writer (SQLite allows only one at a time),
and only a few chunks wait in memory for it.

On PostgreSQL the chunks are handed out by the database: each is claimed with its rows locked
(``FOR NO KEY UPDATE SKIP LOCKED``) until its scores are written, so runs on several machines at
once share one store's replies and none is scored twice.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Generator, Iterable
from contextlib import closing, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import and_, func, select

from ..content.kit import Kit
from ..content.scenario_model import Action
from ..engine.generation import ScenarioInstance, generate
from ..engine.scoring import TurnScore, context_of, score_in_context
from ..errors import UnknownScenario
from ..language import stored as stored_findings
from ..language.compiled import collector_paused
from .claims import Claims
from .database import DriverRows, Store, findings_row
from .records import Attempt, FindingsRow, Reply, TurnScoreRow
from .rows import score_driver_rows

BATCH = 4000  # replies per chunk at most: a transaction each, some 20 MB of rows in flight
Instances = dict[tuple[str, int, str], ScenarioInstance]
# what became of a chunk: its size, the rows of the replies scored, their findings read anew, how many replies were gone
FindingsValues = tuple[str, str, str]  # a reply's findings row: reply id, fingerprint, findings
Outcome = tuple[int, dict[str, DriverRows], list[FindingsValues], int]


@dataclass(frozen=True)
class RescoreReport:
    """What a re-scoring run did."""

    rulebook_hash: str
    scored: int
    already: int
    missing_content: int
    raced: int = 0  # of ``already``: scored here too, but stored first by another run (never on PostgreSQL)


def default_workers() -> int:
    """Worker processes used unless told otherwise: two, or one on a single-core machine."""
    return max(1, min(2, os.cpu_count() or 1))


class StoredReply(Protocol):
    """What re-scoring reads of a stored reply: a ``Reply`` row, or a row of the columns it names."""

    @property
    def text(self) -> str: ...
    @property
    def turn_id(self) -> str: ...
    @property
    def turn_index(self) -> int: ...
    @property
    def actions(self) -> list[Any]: ...
    @property
    def text_only(self) -> bool: ...
    @property
    def seconds(self) -> float | None: ...
    @property
    def anger_before(self) -> int | None: ...
    @property
    def context(self) -> dict[str, Any] | None: ...


class StoredAttempt(Protocol):
    """What re-scoring reads of a reply's attempt."""

    @property
    def scenario_id(self) -> str: ...
    @property
    def seed(self) -> int: ...
    @property
    def lang(self) -> str: ...


def score_stored(
    kit: Kit,
    reply: StoredReply,
    attempt: StoredAttempt,
    instances: Instances | None = None,
    kept: str | None = None,
) -> TurnScore | None:
    """Score one stored reply (of ``attempt``) under ``kit``; None when its scenario or turn is gone.

    The instance the reply answered is generated again from the attempt's scenario, seed and
    language; ``instances`` caches them across the replies of one attempt. Actions chosen by the
    trainee are taken as stored; a text-only reply has its actions read from the text again. A
    reply of an imported conversation is judged in its stored situation, its topics read again.
    ``kept`` is the reply's findings as the store keeps them (language.stored), when it keeps
    them under the current language layer: the reply is then not read again.
    """
    if reply.context is not None:  # an imported real conversation: its situation was stored with it
        from .transcripts import stored_context

        context = stored_context(reply.context, attempt.scenario_id, reply.turn_id, reply.turn_index, attempt.lang)
        if context.role not in kit.roles:
            return None
    else:
        key = (attempt.scenario_id, attempt.seed, attempt.lang)
        instance = instances.get(key) if instances is not None else None
        try:
            if instance is None:
                instance = generate(kit.scenario(attempt.scenario_id), attempt.seed, attempt.lang)
                if instances is not None:
                    instances[key] = instance
            instance.turn(reply.turn_id)  # a turn no longer in the scenario: KeyError
            context = context_of(kit, instance, reply.turn_id, reply.anger_before)
        except (UnknownScenario, KeyError):
            return None
    findings = stored_findings.decode(kept, context.customer_name) if kept is not None else None
    actions = None if reply.text_only else _actions(reply.actions)
    return score_in_context(context, reply.text, actions, kit=kit, seconds=reply.seconds, findings=findings)


def _actions(stored: list[Any]) -> list[Action]:
    # an action stored before a release that refuses it (a department id with path characters):
    # no kit can take it, so the reply is judged as if it had not been chosen, never crashing the run
    out = []
    for value in stored:
        key = _action_key(value)
        action = _ACTIONS.get(key) if key is not None else None
        if action is None:
            try:
                action = Action.model_validate(value)
            except ValueError:
                continue
            if key is not None and len(_ACTIONS) < 10_000:
                _ACTIONS[key] = action
        out.append(action)
    return out


# Stored actions are a few dozen distinct mappings ({"id": "route_department", "department":
# "legal"}), read again for every reply: each is checked once and the (immutable) action reused
_ACTIONS: dict[tuple[tuple[str, tuple[type, Any]], ...], Action] = {}


def _action_key(value: Any) -> tuple[tuple[str, tuple[type, Any]], ...] | None:
    # the mapping as a key, its values with their types (True is not 1 to the check); None when it is no plain mapping
    if type(value) is not dict or not all(type(v) in (str, int, float, type(None)) for v in value.values()):
        return None
    return tuple((k, (type(v), v)) for k, v in value.items())


# the columns of a reply and its attempt that ``score_stored`` reads, and the findings kept
_COLUMNS = (
    *(Reply.id, Reply.text, Reply.turn_id, Reply.turn_index, Reply.actions, Reply.text_only),
    *(Reply.seconds, Reply.anger_before, Reply.context, Attempt.scenario_id, Attempt.seed, Attempt.lang),
)


def _score_chunk(store: Store, kit: Kit, chunk: list[str]) -> tuple[dict[str, DriverRows], list[FindingsValues], int]:
    """The rows that record how the replies ``chunk`` are judged under ``kit``, the findings rows of
    those that had to be read again, and how many replies are gone."""
    fingerprint = stored_findings.fingerprint()
    kept = and_(FindingsRow.reply_id == Reply.id, FindingsRow.fingerprint == fingerprint)
    query = select(*_COLUMNS, FindingsRow.findings).join(Attempt).outerjoin(FindingsRow, kept).where(Reply.id.in_(chunk))
    # plain rows, without the ORM's session and unit of work: nothing read here is changed
    with store.engine.execution_options(simkit_read_only=True).connect() as connection:
        rows = connection.execute(query).all()
    instances: Instances = {}  # a chunk holds whole attempts, mostly: their replies share one instance
    scored: dict[str, DriverRows] = {}
    found: list[FindingsValues] = []
    for row in rows:
        score = score_stored(kit, row, row, instances, row.findings)
        if score is not None:
            scored[row.id] = score_driver_rows(row.id, score, kit.rulebook_hash)
            if row.findings is None:
                found.append(findings_row(row.id, score.findings, score.customer_name))
    return scored, found, len(rows) - len(scored)


_WORKER: dict[str, Any] = {}
_WORKER_GC = (100_000, 20, 100)  # the collector's thresholds in a worker process (see _start_worker)


def _start_worker(url: str, kit_file: str) -> None:
    # the kit comes pickled from the parent: the very rules the parent chose, loaded once
    _WORKER["store"] = Store(url)
    _WORKER["kit"] = pickle.loads(Path(kit_file).read_bytes())
    # A worker makes and drops some thirty objects per word it reads, while what it keeps (the
    # kit, the lexicons, the caches of words and sentences) only grows; at Python's usual pace
    # the cycle collector woke every 700 objects and walked all the kept ones dozens of times a
    # run: a tenth of a worker's time, for objects that form no cycles. What is loaded now is
    # set aside for good, and the collector wakes a hundred times less often.
    gc.freeze()
    gc.set_threshold(*_WORKER_GC)


def _work(chunk: list[str]) -> Outcome:
    return (len(chunk), *_score_chunk(_WORKER["store"], _WORKER["kit"], chunk))


class _Workers:
    """Worker processes, started before the work is listed so that their start-up (a Python
    each, the kit, the store's connection) overlaps the listing.

    The kit goes to them in a file of this process's own (the pickled kit, removed when the
    workers stop), not with the arguments of their start: those are written to each new process
    in turn, and this process waited for each to read its copy before starting the next.
    """

    def __init__(self, url: str, kit: Kit, processes: int) -> None:
        handle, name = tempfile.mkstemp(prefix="simkit-rescore-", suffix=".kit")
        with os.fdopen(handle, "wb") as file:
            pickle.dump(kit, file, protocol=pickle.HIGHEST_PROTOCOL)
        self.kit_file = Path(name)
        try:
            context = multiprocessing.get_context("spawn")
            self.pool = context.Pool(processes, initializer=_start_worker, initargs=(url, name))
        except BaseException:
            self.kit_file.unlink(missing_ok=True)
            raise
        self.processes = processes

    def close(self) -> None:
        """Stop the workers at once (their work done, or no longer wanted)."""
        try:
            self.pool.terminate()
            self.pool.join()
        finally:
            self.kit_file.unlink(missing_ok=True)

    def scored(self, chunks: Iterable[list[str]]) -> Generator[Outcome]:
        """Each chunk's outcome, in order; at most two chunks per worker are out at a time, so
        scored rows never pile up in memory while the writer is busy. The workers stop when
        this ends, however it ends."""
        try:
            pending: deque[AsyncResult[Outcome]] = deque()
            queued = iter(chunks)
            for chunk in itertools.islice(queued, 2 * self.processes):
                pending.append(self.pool.apply_async(_work, (chunk,)))
            while pending:
                outcome = pending.popleft().get()
                for chunk in itertools.islice(queued, 1):
                    pending.append(self.pool.apply_async(_work, (chunk,)))
                yield outcome
            self.pool.close()  # all done: the workers end on their own
            self.pool.join()
        finally:
            self.close()


def rescore(
    store: Store,
    kit: Kit,
    since: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    batch: int = BATCH,
) -> RescoreReport:
    """Score every stored reply (of attempts started since ``since``) under ``kit``'s rulebook.

    ``workers`` processes score chunks of ``batch`` replies (default: ``default_workers()``) while
    this process writes what they send back; with one worker, or work for one chunk only,
    everything runs in this process. ``progress`` is called with (replies done, replies to do)
    after each chunk is written. On PostgreSQL the chunks are claimed in the database
    (``claims.Claims``), so runs on several machines at once share the work.
    """
    current = kit.rulebook_hash
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    wanted = default_workers() if workers is None else max(1, workers)
    # the workers start while the work is listed, when a cheap count says there is enough for them
    early = _Workers(store.url, kit, wanted) if wanted > 1 and _unscored_at_least(store, current, since) > batch else None
    try:
        with store.session(write=False) as s:
            query = select(Reply.id).join(Attempt).order_by(Attempt.started_at, Reply.attempt_id, Reply.turn_index)
            if since is not None:
                query = query.where(Attempt.started_at >= since)
            every = list(s.scalars(query))
            done = set(s.scalars(select(TurnScoreRow.reply_id).where(TurnScoreRow.rulebook_hash == current)))
        todo = [r for r in every if r not in done]
        claims = Claims(store, current, since, batch) if store.engine.dialect.name == "postgresql" and todo else None
        processes = min(wanted, -(-len(todo) // max(1, batch)))
        chunks: Iterable[list[str]] = claims if claims is not None else _chunks(todo, batch, processes)
        if processes <= 1:
            if early is not None:
                early.close()
            outcomes: Generator[Outcome] = ((len(c), *_score_chunk(store, kit, c)) for c in chunks)
        else:
            outcomes = (early or _Workers(store.url, kit, processes)).scored(chunks)
        early = None  # the generator closes the workers now
    finally:
        if early is not None:  # listing the work failed
            early.close()
    scored = raced = missing = finished = 0
    try:
        # the rows of a chunk are many small objects that form no cycles; with workers this process
        # only writes them, and the collector walking them and everything else is time taken from
        # the workers (see language.compiled.collector_paused)
        with closing(outcomes), collector_paused() if processes > 1 else nullcontext():
            for size, rows, found, gone in outcomes:
                written = store.add_score_values(rows, current, found)  # replies scored by someone else meanwhile are skipped
                if claims is not None:
                    claims.release()
                scored, raced, missing, finished = scored + written, raced + len(rows) - written, missing + gone, finished + size
                if progress is not None:
                    progress(finished, len(todo))
    finally:
        if claims is not None:
            claims.close()
    # replies in scope this run did not score: scored before it, or meanwhile by another run
    return RescoreReport(current, scored, len(every) - scored - missing, missing, raced)


def _chunks(todo: list[str], batch: int, workers: int) -> list[list[str]]:
    """``todo`` in chunks of ``batch`` replies, the last ones smaller: a chunk takes a worker a
    second or two, and the workers should run out of work together rather than one of them
    finishing a whole chunk alone at the end while the other core idles."""
    out, start, batch = [], 0, max(1, batch)
    while start < len(todo):
        # near the end, each chunk is a share of what is left (down to an eighth of a full one)
        size = min(batch, max(batch // 8, -(-(len(todo) - start) // (2 * max(1, workers))), 1))
        out.append(todo[start : start + size])
        start += size
    return out


def _unscored_at_least(store: Store, rulebook_hash: str, since: datetime | None) -> int:
    """About how many replies in scope are not scored under ``rulebook_hash``, counted cheaply:
    the replies in scope less every reply scored under it (in scope or not)."""
    in_scope = select(func.count()).select_from(Reply)
    if since is not None:
        in_scope = in_scope.join(Attempt).where(Attempt.started_at >= since)
    scored = select(func.count()).select_from(TurnScoreRow).where(TurnScoreRow.rulebook_hash == rulebook_hash)
    with store.session(write=False) as s:
        return int(s.execute(in_scope).scalar_one()) - int(s.execute(scored).scalar_one())


def parse_since(text: str) -> datetime:
    """A --since value: a date (YYYY-MM-DD) or a date and time, taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
