"""Re-scoring's own ways to the stored rows give what the general ones give, character for character."""

from __future__ import annotations

from dataclasses import replace

import pytest

from simkit.content.kit import Kit
from simkit.content.scenario_model import Action
from simkit.engine.checks import Evidence
from simkit.engine.dialogue import play_model, play_through
from simkit.engine.generation import generate
from simkit.engine.scoring import TurnScore
from simkit.store.rescore import _actions, _chunks
from simkit.store.rows import driver_rows, score_driver_rows, score_values


def _scores(kit: Kit) -> list[TurnScore]:
    out = []
    for scenario, seed, lang in (("late-delivery-fridge", 2, "ru"), ("discount-demand-sports-food", 3, "en")):
        instance = generate(kit.scenario(scenario), seed, lang)
        out += [e.score for e in play_model(instance, kit).exchanges]
    instance = generate(kit.scenario("discount-demand-sports-food"), 3, "ru")
    rude = play_through(instance, [('Ладно, дам вам скидку 10%. «Кавычки» и \\ "так" 🙂', ["offer_discount:10"])], kit)
    out += [e.score for e in rude.exchanges]
    return out


def test_score_driver_rows_are_the_driver_rows_of_score_values(kit: Kit) -> None:
    scores = _scores(kit)
    assert any(v.status == "fail" and v.missing for s in scores for v in s.verdicts)
    assert any(v.evidence for s in scores for v in s.verdicts)
    for score in scores:
        assert score_driver_rows("r-1", score, "hash") == driver_rows(score_values("r-1", score, "hash"))


def test_evidence_of_any_shape_is_written_as_json_dumps_writes_it(kit: Kit) -> None:
    score = _scores(kit)[-1]
    no_span: tuple[int, int] = ()  # type: ignore[assignment]  # an empty span is written as none
    odd = (Evidence("what", 'ё\n\t"x"', None), Evidence("what", "", (0, 0)), Evidence("what", "x", no_span))
    verdicts = tuple(replace(v, evidence=odd, missing=("é", "\x00")) for v in score.verdicts)
    changed = replace(score, verdicts=verdicts, critical_failures=("a", "б"))
    assert score_driver_rows("r", changed, "h") == driver_rows(score_values("r", changed, "h"))


def test_stored_actions_are_read_as_validating_them_reads_them() -> None:
    refused = {"id": "route_department", "department": "../x"}
    stored = [{"id": "offer_discount", "percent": 10}, refused, {"id": "escalate_supervisor"}]
    expected = [Action.model_validate(stored[0]), Action.model_validate(stored[2])]  # the refused one is left out
    assert _actions(stored) == expected
    assert _actions(stored) == expected  # read again, from what was kept
    as_float = {"id": "offer_discount", "percent": 10.0}
    assert _actions([as_float]) == [Action.model_validate(as_float)]


_CASES = [(10_000, 1000, 2), (7, 1, 2), (5, 4000, 1), (0, 10, 2), (4001, 4000, 2)]


@pytest.mark.parametrize(("replies", "batch", "workers"), _CASES)
def test_chunks_cover_the_work_in_order_and_shrink_at_the_end(replies: int, batch: int, workers: int) -> None:
    todo = [str(i) for i in range(replies)]
    chunks = _chunks(todo, batch, workers)
    assert [r for chunk in chunks for r in chunk] == todo
    sizes = [len(c) for c in chunks]
    assert all(0 < s <= batch for s in sizes)
    assert sizes == sorted(sizes, reverse=True)
    if replies >= 4 * workers * batch:
        assert sizes[0] == batch and sizes[-1] < batch  # full chunks first, smaller ones at the end
