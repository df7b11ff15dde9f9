"""Human judgement in the store: blind samples, reviews, overrides beside the automatic verdicts, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from simkit.content.kit import Kit
from simkit.engine.dialogue import AttemptResult, play_model, play_through
from simkit.engine.generation import generate
from simkit.errors import SimkitError
from simkit.store.database import Store
from simkit.store.judgement import (
    JudgementError,
    SampledReply,
    add_override,
    add_review,
    add_reviews,
    describe_replies,
    latest_overrides,
    latest_reviews,
    reviewers,
    sample_replies,
    verdicts_with_overrides,
)

RUDE = "Успокойтесь, вы сами виноваты, надо было читать договор."


@pytest.fixture(scope="module")
def results(kit: Kit) -> dict[str, AttemptResult]:
    """Three attempts: a rude one, and two answered with the model replies."""
    fridge = generate(kit.scenario("late-delivery-fridge"), 1, "ru")
    return {
        "rude": play_through(fridge, [(RUDE, None), (RUDE, None)], kit),
        "model": play_model(generate(kit.scenario("late-delivery-fridge"), 2, "ru"), kit),
        "discount": play_model(generate(kit.scenario("discount-demand-sports-food"), 1, "en"), kit),
    }


@pytest.fixture
def store(db: str, results: dict[str, AttemptResult]) -> Iterator[Store]:
    """A store holding the three attempts: Anna's two in cohort A, Boris's in a trainer session of cohort B."""
    opened = Store(db)
    code = opened.add_session("Round", join_code="CAL123")
    opened.save_attempt(results["rude"], "Anna", "practice", cohort="A")
    opened.save_attempt(results["model"], "Anna", "practice", cohort="A")
    opened.save_attempt(results["discount"], "Boris", "session", session=code, cohort="B")
    yield opened
    opened.close()


def _all_replies(store: Store) -> dict[str, dict[str, Any]]:
    return {r["id"]: {**r, "attempt": a} for a in store.attempts() for r in a["replies"]}


def _rows(store: Store, table: str) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_a_sample_names_the_rules_in_scope_and_never_a_verdict(store: Store, kit: Kit) -> None:
    replies = _all_replies(store)
    sample = sample_replies(store, kit, "Tatiana", size=100)
    assert {s.reply_id for s in sample} == set(replies)
    for reply in sample:
        stored = replies[reply.reply_id]
        in_scope = {v["rule"] for v in stored["verdicts"] if v["rulebook_hash"] == kit.rulebook_hash}
        assert [r.id for r in reply.rules] and {r.id for r in reply.rules} == in_scope
        assert reply.text == stored["reply"]
        assert reply.customer  # the customer's line, generated again from the scenario
        assert all(r.title("ru") == kit.rules[r.id].title.ru for r in reply.rules)
    fields = {f.name for f in dataclasses.fields(SampledReply)}
    assert not fields & {"status", "verdicts", "score", "feedback", "evidence", "missing"}
    rude = next(s for s in sample if s.text == RUDE)
    assert "no-calm-down-command" in {r.id for r in rude.rules}
    assert rude.customer == generate(kit.scenario("late-delivery-fridge"), 1, "ru").turns[0].customer


def test_a_sample_is_fixed_by_its_seed_filtered_and_leaves_out_what_the_reviewer_did(store: Store, kit: Kit) -> None:
    first = [s.reply_id for s in sample_replies(store, kit, "Tatiana", size=3, seed=7)]
    assert first == [s.reply_id for s in sample_replies(store, kit, "Tatiana", size=3, seed=7)]
    every = [s.reply_id for s in sample_replies(store, kit, "Tatiana", size=100, seed=7)]
    assert first == every[:3]
    assert sorted(every) == sorted(s.reply_id for s in sample_replies(store, kit, "Tatiana", size=100, seed=8))
    replies = _all_replies(store)
    anna = {i for i, r in replies.items() if r["attempt"]["trainee"] == "Anna"}
    assert {s.reply_id for s in sample_replies(store, kit, "Tatiana", size=100, cohort="A")} == anna
    assert {s.reply_id for s in sample_replies(store, kit, "Tatiana", size=100, session="CAL123")} == set(replies) - anna
    discount = {s.reply_id for s in sample_replies(store, kit, "Tatiana", size=100, kind="discount_demand")}
    assert discount == set(replies) - anna
    assert sample_replies(store, kit, "Tatiana", size=100, cohort="nobody") == []
    add_review(store, "Tatiana", first[0], "no-rudeness", "pass")
    after = [s.reply_id for s in sample_replies(store, kit, "Tatiana", size=100, seed=7)]
    assert after == [i for i in every if i != first[0]]  # the others keep their order
    assert first[0] in {s.reply_id for s in sample_replies(store, kit, "Oleg", size=100, seed=7)}
    assert sample_replies(store, kit, "Tatiana", size=100, rulebook_hash="0" * 16) == []


def test_every_mark_is_a_new_row_and_the_latest_per_reviewer_counts(store: Store, kit: Kit) -> None:
    reply = sample_replies(store, kit, "Tatiana", size=1)[0]
    rule = reply.rules[0].id
    add_reviews(store, "Tatiana", reply.reply_id, {rule: "fail"}, {rule: "  too curt  "})
    add_reviews(store, "Tatiana", reply.reply_id, {rule: "pass"})
    add_review(store, "Oleg", reply.reply_id, rule, "n/a", "")
    assert _rows(store, "reviews") == 3
    marks = {(m.reviewer, m.rule_id): m for m in latest_reviews(store, [reply.reply_id])}
    assert marks[("Tatiana", rule)].status == "pass" and marks[("Tatiana", rule)].comment is None
    assert marks[("Oleg", rule)].status == "n/a"
    assert [m.reviewer for m in latest_reviews(store, reviewers=["Oleg"])] == ["Oleg"]
    assert reviewers(store) == ["Oleg", "Tatiana"]
    first = latest_reviews(store, reviewers=["Tatiana"])[0]
    assert first.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda s, r: add_review(s, "Tatiana", r, "no-rudeness", "ok"), "not one of pass, fail, n/a"),
        (lambda s, r: add_review(s, "   ", r, "no-rudeness", "pass"), "name is empty"),
        (lambda s, r: add_review(s, "x" * 201, r, "no-rudeness", "pass"), "at most 200"),
        (lambda s, r: add_review(s, "Tatiana", "not-a-uuid", "no-rudeness", "pass"), "not a stored reply"),
        (lambda s, r: add_review(s, "Tatiana", "00000000-0000-4000-8000-000000000000", "no-rudeness", "pass"), "no reply"),
        (lambda s, r: add_override(s, r, "no-rudeness", "pass", "   ", "Tatiana"), "reason for the override is empty"),
        (lambda s, r: add_override(s, r, "no-rudeness", "maybe", "because", "Tatiana"), "not one of"),
        (lambda s, r: add_override(s, r, "no-rudeness", "pass", "because", ""), "trainer's name is empty"),
        (lambda s, r: add_override(s, r, "order-upsell", "pass", "because", "Tatiana"), "no automatic verdict"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(store: Store, kit: Kit, call: Any, words: str) -> None:
    reply = next(s for s in sample_replies(store, kit, "Tatiana", size=100) if s.text == RUDE)
    with pytest.raises(JudgementError, match=words) as raised:
        call(store, reply.reply_id)
    assert isinstance(raised.value, SimkitError)
    assert _rows(store, "reviews") == 0 and _rows(store, "verdict_overrides") == 0


def test_an_override_is_a_new_row_beside_the_automatic_verdict(store: Store, kit: Kit) -> None:
    reply = next(s for s in sample_replies(store, kit, "Tatiana", size=100) if s.text == RUDE)
    before = verdicts_with_overrides(store, reply.reply_id)[reply.reply_id]
    assert {v.rule_id: v.automatic for v in before}["no-calm-down-command"] == "fail"
    assert all(v.override is None for v in before)
    add_override(store, reply.reply_id, "no-calm-down-command", "n/a", "first try", "Tatiana")
    made = add_override(store, reply.reply_id, "no-calm-down-command", "pass", "  the customer asked to be told so  ", "Oleg")
    assert made.reason == "the customer asked to be told so"
    assert _rows(store, "verdict_overrides") == 2
    latest = latest_overrides(store)
    assert set(latest) == {(reply.reply_id, "no-calm-down-command")}
    chosen = latest[(reply.reply_id, "no-calm-down-command")]
    assert (chosen.status, chosen.who, chosen.reason) == ("pass", "Oleg", "the customer asked to be told so")
    assert chosen.created_at.tzinfo is not None
    assert latest_overrides(store, ["00000000-0000-4000-8000-000000000000"]) == {}
    after = {v.rule_id: v for v in verdicts_with_overrides(store, [reply.reply_id], kit.rulebook_hash)[reply.reply_id]}
    judged = after["no-calm-down-command"]
    assert (judged.automatic, judged.status, judged.override) == ("fail", "pass", chosen)
    assert all(v.override is None and v.status == v.automatic for k, v in after.items() if k != "no-calm-down-command")
    stored = _all_replies(store)[reply.reply_id]["verdicts"]
    assert {v["rule"]: v["status"] for v in stored}["no-calm-down-command"] == "fail"  # the automatic row stays


def test_describe_replies_skips_unknown_ids(store: Store, kit: Kit) -> None:
    reply = sample_replies(store, kit, "Tatiana", size=1)[0]
    found = describe_replies(store, kit, [reply.reply_id, "00000000-0000-4000-8000-000000000000"])
    assert list(found) == [reply.reply_id] and found[reply.reply_id] == reply
