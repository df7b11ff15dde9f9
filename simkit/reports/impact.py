"""What a rule change would do: stored replies judged in memory under two kits, readiness under each.

Nothing is written. Every stored reply is scored again (``store.rescore.score_stored``, the very
function ``simkit rescore`` uses) under the kit as it is and under the edited kit; each attempt's
verdicts and score are replaced by those, and readiness judges both sets (with the trainers'
overrides, as the dashboard does). Scoring both in memory shows the effect of the edit alone,
whichever rulebook the attempts were first played under. The two sets of verdicts are compared by
``changes.compare``, as after a real re-scoring, so a move reads the same here and on the dashboard.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..content.kit import Kit
from ..engine.scoring import TurnScore
from ..store.database import Store
from ..store.evidence import overrides
from ..store.records import Attempt, Reply
from ..store.rescore import Instances, score_stored
from .changes import RuleChange, TraineeChange, compare
from .readiness import TraineeReadiness, readiness


@dataclass(frozen=True)
class RuleImpact:
    """One rule whose verdicts on stored replies would change (status, severity or weight), counted over the store."""

    rule: str
    replies: int
    now_fail: int
    now_pass: int
    severity: int  # replies whose verdict keeps its status but changes weight (or, failed, its severity)
    trainees: tuple[str, ...]


@dataclass(frozen=True)
class Impact:
    """Readiness before and after an edit, the trainees whose verdict moves and the rules that change."""

    before: tuple[TraineeReadiness, ...]
    after: tuple[TraineeReadiness, ...]
    moves: tuple[TraineeChange, ...]  # each with the rules that judged the trainee's replies differently
    rules: tuple[RuleImpact, ...]
    replies: int  # stored replies judged
    skipped: int  # replies whose scenario or turn the edited kit no longer has


def _scores(store: Store, kit: Kit) -> dict[str, TurnScore | None]:
    # every stored reply judged under ``kit``, in memory, by reply id
    with store.session(write=False) as s:
        pairs = s.execute(select(Reply, Attempt).join(Attempt).order_by(Reply.attempt_id, Reply.turn_index)).all()
        instances: Instances = {}
        return {reply.id: score_stored(kit, reply, attempt, instances) for reply, attempt in pairs}


def _verdict_rows(score: TurnScore | None, rulebook_hash: str) -> list[dict[str, Any]]:
    if score is None:
        return []
    return [
        {
            "rule": v.rule_id,
            "status": v.status,
            "severity": v.severity,
            "category": v.category,
            "weight": v.weight,
            "source": v.source,
            "rulebook_hash": rulebook_hash,
        }
        for v in score.verdicts
        if v.status != "n/a"
    ]


def as_judged(attempts: list[dict[str, Any]], scores: dict[str, TurnScore | None], rulebook: str) -> list[dict[str, Any]]:
    """Copies of ``attempts`` as if played under ``rulebook`` with the given in-memory scores (the rest unchanged)."""
    out = []
    for attempt in attempts:
        replies = []
        passed = total = 0.0
        for reply in attempt["replies"]:
            score = scores.get(reply["id"])
            rows = _verdict_rows(score, rulebook)
            total += sum(r["weight"] for r in rows)
            passed += sum(r["weight"] for r in rows if r["status"] == "pass")
            turn: dict[str, Any] = {"rulebook_hash": rulebook, "score": score.score if score else None, "critical_failures": []}
            if score is not None:
                turn["critical_failures"] = list(score.critical_failures)
            replies.append({**reply, "verdicts": rows, "scores": [turn]})
        # the attempt's score as the dialogue computes it: weighted share of passed verdicts
        score_now = round(100 * passed / total, 1) if total else 0.0
        out.append({**attempt, "replies": replies, "score": score_now, "rulebook_hash": rulebook})
    return out


Key = tuple[str, str, float] | None  # (status, severity, weight) of one rule's verdict on one reply; None: not judged


def _key(verdict: Any) -> Key:
    if verdict is None or verdict.status == "n/a":
        return None
    # a passed rule's severity decides nothing; its weight still counts in the score
    return (verdict.status, verdict.severity if verdict.status == "fail" else "", verdict.weight)


def _differences(
    attempts: list[dict[str, Any]], before: dict[str, TurnScore | None], after: dict[str, TurnScore | None]
) -> list[tuple[str, str, Key, Key]]:
    # (trainee, rule, before, after) for every reply and rule judged differently
    trainee_of = {r["id"]: a["trainee"] for a in attempts for r in a["replies"]}
    out = []
    for reply_id, old in before.items():
        new = after.get(reply_id)
        old_v = {v.rule_id: v for v in old.verdicts} if old else {}
        new_v = {v.rule_id: v for v in new.verdicts} if new else {}
        for rule in sorted(set(old_v) | set(new_v)):
            a, b = _key(old_v.get(rule)), _key(new_v.get(rule))
            if a != b:
                out.append((trainee_of.get(reply_id, ""), rule, a, b))
    return out


def _rule_impacts(differences: list[tuple[str, str, Key, Key]]) -> tuple[RuleImpact, ...]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    who: dict[str, set[str]] = defaultdict(set)
    for trainee, rule, a, b in differences:
        c = counts[rule]
        c[0] += 1
        status_a, status_b = a[0] if a else "n/a", b[0] if b else "n/a"
        if status_b == "fail" and status_a != "fail":
            c[1] += 1
        elif status_b == "pass" and status_a != "pass":
            c[2] += 1
        elif status_a == status_b:
            c[3] += 1
        who[rule].add(trainee)
    return tuple(
        RuleImpact(rule, c[0], c[1], c[2], c[3], tuple(sorted(who[rule])))
        for rule, c in sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
    )


def _with_rules(moves: list[TraineeChange], differences: list[tuple[str, str, Key, Key]]) -> tuple[TraineeChange, ...]:
    grouped: Counter[tuple[str, str, Key, Key]] = Counter(differences)
    out = []
    for move in moves:
        rules = tuple(
            RuleChange(rule, a, b, n) for (trainee, rule, a, b), n in sorted(grouped.items(), key=str) if trainee == move.trainee
        )
        out.append(replace(move, rules=rules))
    return tuple(out)


def impact(store: Store, current: Kit, edited: Kit, cohort: str | None = None, now: datetime | None = None) -> Impact:
    """What re-scoring the stored replies under ``edited`` instead of ``current`` would change; writes nothing."""
    attempts = store.attempts()
    corrected = overrides(store)  # a trainer's override counts under either version, as in readiness
    before_scores, after_scores = _scores(store, current), _scores(store, edited)
    before = readiness(as_judged(attempts, before_scores, current.rulebook_hash), current, cohort, now, None, corrected)
    after = readiness(as_judged(attempts, after_scores, edited.rulebook_hash), edited, cohort, now, None, corrected)
    differences = _differences(attempts, before_scores, after_scores)
    return Impact(
        before=tuple(before),
        after=tuple(after),
        moves=_with_rules(compare(before, after), differences),
        rules=_rule_impacts(differences),
        replies=len(after_scores),
        skipped=sum(1 for s in after_scores.values() if s is None),
    )
