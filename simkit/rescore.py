"""Re-scoring: stored replies judged again under the current rulebook, as new rows beside the old.

Nothing is overwritten: each reply gains verdict and turn-score rows under the current rulebook
hash, and the rows of earlier versions stay, so a verdict can always be traced to the rules that
gave it. Replies already scored under the current hash are left alone, so re-scoring twice adds
nothing. A reply whose scenario or turn no longer exists in the kit is counted and skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import select

from .errors import UnknownScenario
from .generation import ScenarioInstance, generate
from .kit import Kit
from .records import Attempt, Reply, TurnScoreRow
from .scenario_model import Action
from .scoring import score_reply
from .store import Store, score_rows

BATCH = 500


@dataclass(frozen=True)
class RescoreReport:
    """What a re-scoring run did."""

    rulebook_hash: str
    scored: int
    already: int
    missing_content: int


def rescore(
    store: Store,
    kit: Kit,
    since: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RescoreReport:
    """Score every stored reply (of attempts started since ``since``) under ``kit``'s rulebook."""
    current = kit.rulebook_hash
    with store.session(write=False) as s:
        query = select(Reply.id).join(Attempt).order_by(Attempt.started_at, Reply.attempt_id, Reply.turn_index)
        if since is not None:
            query = query.where(Attempt.started_at >= (since if since.tzinfo else since.replace(tzinfo=UTC)))
        every = list(s.scalars(query))
        done = set(s.scalars(select(TurnScoreRow.reply_id).where(TurnScoreRow.rulebook_hash == current)))
    todo = [r for r in every if r not in done]

    @lru_cache(maxsize=2048)
    def instance(scenario_id: str, seed: int, lang: str) -> ScenarioInstance:
        return generate(kit.scenario(scenario_id), seed, lang)

    scored = missing = 0
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        with store.session() as s:
            for reply, attempt in s.execute(select(Reply, Attempt).join(Attempt).where(Reply.id.in_(chunk))):
                try:
                    inst = instance(attempt.scenario_id, attempt.seed, attempt.lang)
                    inst.turn(reply.turn_id)
                except (UnknownScenario, KeyError):
                    missing += 1
                    continue
                actions = None if reply.text_only else [Action.model_validate(a) for a in reply.actions]
                score = score_reply(
                    inst, reply.turn_id, reply.text, actions, kit=kit, anger=reply.anger_before, seconds=reply.seconds
                )
                s.add_all(score_rows(reply.id, score, current))
                scored += 1
        if progress is not None:
            progress(min(start + BATCH, len(todo)), len(todo))
    return RescoreReport(current, scored, len(every) - len(todo), missing)


def parse_since(text: str) -> datetime:
    """A --since value: a date (YYYY-MM-DD) or a date and time, taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
