"""What a rule change changed: trainees whose verdicts moved after re-scoring, and the rules behind them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from simkit.content.kit import load_kit
from simkit.reports.changes import compare, verdict_changes
from simkit.reports.readiness import Reason, TraineeReadiness
from simkit.store.database import Store
from simkit.store.rescore import rescore

from .test_readiness import LENIENT, _calm_down_critical, _model, _store_calm_trainee


def _verdict(name: str, verdict: str, critical: int) -> TraineeReadiness:
    reasons = (
        Reason("min_attempts", 3, 3, True, True),
        Reason("max_critical_failures", critical, 0, critical == 0, True),
    )
    return TraineeReadiness(name, None, verdict, reasons)  # type: ignore[arg-type]


def test_compare_lists_only_the_moved_and_the_requirements_that_changed() -> None:
    before = [_verdict("Анна", "ready", 0), _verdict("Борис", "ready", 0), _verdict("Вера", "not_ready", 2)]
    after = [_verdict("Анна", "ready", 0), _verdict("Борис", "not_ready", 1), _verdict("Вера", "not_ready", 3)]
    moved = compare(before, after)
    assert [(m.trainee, m.before, m.after) for m in moved] == [("Борис", "ready", "not_ready")]
    assert [c.requirement for c in moved[0].requirements] == ["max_critical_failures"]
    change = moved[0].requirements[0]
    assert change.before is not None and change.after is not None and (change.before.figure, change.after.figure) == (0, 1)
    assert change.met_changed
    assert compare(after, after) == [] and compare([], after) == []


def test_a_rule_made_critical_moves_the_trainee_and_names_the_rule(db: str, shipped_copy: Path) -> None:
    old = replace(load_kit(shipped_copy), readiness=LENIENT)
    with Store(db) as store:
        _store_calm_trainee(store, old)
        for seed in (1, 2, 3):  # a trainee who never says "calm down": their verdict stays
            store.save_attempt(_model(old, "discount-demand-sports-food", seed), "Зоя", "practice")
        store.save_attempt(_model(old, "late-delivery-fridge", 2), "Зоя", "practice")
        new = _calm_down_critical(shipped_copy)
        unchanged = verdict_changes(new, store, old.rulebook_hash)  # not re-scored: nothing can move yet
        assert unchanged.moved == () and unchanged.judged == 2
        rescore(store, new, workers=1)
        changes = verdict_changes(new, store, old.rulebook_hash)
    assert (changes.before_hash, changes.after_hash) == (old.rulebook_hash, new.rulebook_hash)
    assert [(m.trainee, m.before, m.after) for m in changes.moved] == [("Жанна", "ready", "not_ready")]
    moved = changes.moved[0]
    assert [r.requirement for r in moved.requirements if r.met_changed] == ["max_critical_failures"]
    rules = {r.rule_id: r for r in moved.rules}
    calm = rules["no-calm-down-command"]
    assert calm.what == "severity" and calm.before is not None and calm.after is not None
    assert (calm.before[:2], calm.after[:2]) == (("fail", "major"), ("fail", "critical"))
    assert calm.replies == 3  # each reply of the calm-down attempt
    assert changes.rules()[0] == ("no-calm-down-command", 1, 3)
