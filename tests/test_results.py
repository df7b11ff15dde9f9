"""The trainee's own standing (day pages) is the verdict HR sees: trainers' overrides count."""

from __future__ import annotations

from pathlib import Path

from simkit.apps.local_evidence import LocalEvidence
from simkit.apps.results import read_results
from simkit.content.kit import Kit
from simkit.engine.dialogue import play_through
from simkit.engine.generation import generate
from simkit.store import Store
from simkit.store.judgement import add_override


def test_an_override_of_a_critical_failure_changes_the_trainees_own_standing(kit: Kit, tmp_path: Path) -> None:
    instance = generate(kit.scenario("discount-demand-sports-food"), 3, "ru")
    turn = instance.turns[0]
    # the model reply with a discount over the limit: the critical discount rule fails
    result = play_through(instance, [(turn.model_reply, ["offer_discount:10"])], kit)
    failed = result.exchanges[0].score.critical_failures
    assert "discount-limit-five-percent" in failed
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.save_attempt(result, "Анна", "practice", final=True)
        evidence = LocalEvidence(store.url, kit)

        def critical_figure() -> object:
            reason = read_results(evidence, kit, "Анна").reason("max_critical_failures")
            assert reason is not None
            return reason.figure

        assert critical_figure() == 1
        reply_id = store.attempt(result.attempt_id)["replies"][0]["id"]
        for rule in failed:
            add_override(store, reply_id, rule, "pass", "the customer is a wholesale partner: 10 % is agreed", "Тренер")
        assert critical_figure() == 0
        evidence.close()
