"""The simkit service's core: submissions replayed and timed by the service, roles, hostile bodies.

Everything here runs the service's real operations on a real store (SQLite, and PostgreSQL where
the cluster is there) with the caller given directly: the hub's authentication is tested over
real HTTP through a real hub in tests/hub/. The clock the service times replies by is a manual
one, so no test sleeps.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from simkit.content.kit import Kit
from simkit.engine.dialogue import AttemptResult, play_model, play_through
from simkit.engine.generation import generate
from simkit.service.client import submission
from simkit.service.errors import ServiceError
from simkit.service.operations import OPERATIONS, Service, call
from simkit.service.roles import Caller
from simkit.service.server import respond
from simkit.service.timing import Timing
from simkit.service.wire import encode
from simkit.store import judgement
from simkit.store.database import Store

SCENARIO = "discount-demand-sports-food"  # a phone call: its first reply must come within 15 s (greet-on-phone)
ANNA = Caller.of("anna", ["trainees"])
BORIS = Caller.of("boris", ["trainees"])
TAMARA = Caller.of("tamara", ["trainers"])
TIMUR = Caller.of("timur", ["trainers"])
HELEN = Caller.of("helen", ["hr"])
NOBODY = Caller.of("stranger", ["staff"])


class ManualClock:
    """The service's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def service(db: str, kit: Kit, tmp_path: Path, clock: ManualClock) -> Any:
    made = Service.open(db, kit.root, tmp_path / "service-spool", Timing(clock))
    made.handle.open()  # the tables exist from the start: a test counts their rows
    yield made
    made.close()


def _play(kit: Kit, seed: int = 7, lang: str = "ru", replies: list[tuple[str, list[str] | None]] | None = None) -> AttemptResult:
    instance = generate(kit.scenario(SCENARIO), seed, lang)
    if replies is None:
        return play_model(instance, kit)
    return play_through(instance, replies, kit, [3.0] * len(replies), attempt_id=str(uuid.uuid4()))


def _body(result: AttemptResult, mode: str = "practice", final: bool = False, **extra: Any) -> dict[str, Any]:
    body = submission(result, mode, None, None, final)  # type: ignore[arg-type]
    body["attempt_id"] = result.attempt_id or str(uuid.uuid4())
    return {**body, **extra}


def _submit(service: Service, caller: Caller, body: dict[str, Any], clock: ManualClock | None = None) -> dict[str, Any]:
    at = clock.now if clock is not None else service.submissions.timing.now()
    found: dict[str, Any] = call(service, caller, "submit", body, at)
    return found


def _refused(service: Service, caller: Caller, name: str, body: dict[str, Any]) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(service, caller, name, body, 0.0)
    return caught.value


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return {
                t: int(c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
                for t in ("trainees", "attempts", "replies", "verdicts", "turn_scores", "trainer_sessions", "reviews")
            }
    finally:
        engine.dispose()


# --- what is stored is what the engine computes, as the caller ---------------------------------------


def test_a_fabricated_score_is_refused_and_the_engine_score_is_stored(service: Service, kit: Kit, db: str) -> None:
    rude = [("Чего вам надо? Скидок нет, идите в другой магазин.", None), ("Я сказал: нет.", ["end_conversation"])]
    result = _play(kit, replies=rude)
    forged = _body(result, score=100.0, outcome="resolved", verdicts=[], critical_failures=[])
    error = _refused(service, ANNA, "submit", forged)
    assert (error.status, error.code) == (400, "bad_request")
    assert "score" in error.message
    reply_forged = _body(result)
    reply_forged["replies"][0]["score"] = 100.0
    assert _refused(service, ANNA, "submit", reply_forged).status == 400
    assert _counts(db)["attempts"] == 0  # nothing of a refused body is stored

    answer = _submit(service, ANNA, _body(result, final=True))
    assert answer["recorded"] == "stored"
    with Store(db) as store:
        stored = store.attempt(result.attempt_id)
    # the engine's own judgement of the same replies with the seconds the service measured
    expected = play_through(generate(kit.scenario(SCENARIO), 7, "ru"), rude, kit, answer["seconds"], attempt_id=result.attempt_id)
    assert stored["score"] == expected.score < 50
    assert stored["outcome"] == expected.outcome
    assert [r["score"] for r in stored["replies"]] == [e.score.score for e in expected.exchanges]
    assert [sorted((v["rule"], v["status"]) for v in r["verdicts"]) for r in stored["replies"]] == [
        sorted((v.rule_id, v.status) for v in e.score.verdicts if v.status != "n/a") for e in expected.exchanges
    ]
    assert stored["trainee"] == "anna"


def test_the_stored_trainee_is_the_caller_never_a_name_in_the_body(service: Service, kit: Kit, db: str) -> None:
    result = _play(kit, seed=3)
    error = _refused(service, ANNA, "submit", _body(result, trainee="boris"))
    assert error.status == 400 and "trainee" in error.message
    _submit(service, ANNA, _body(result))
    with Store(db) as store:
        assert [a["trainee"] for a in store.attempts()] == ["anna"]


def test_a_caller_named_like_an_injection_is_stored_as_that_name(service: Service, kit: Kit, db: str) -> None:
    odd = Caller.of("o'brien'); DROP TABLE attempts; --", ["trainees"])
    result = _play(kit, seed=4)
    assert _submit(service, odd, _body(result))["recorded"] == "stored"
    assert call(service, odd, "attempts", {}, 0.0)[0]["trainee"] == odd.name
    assert _counts(db)["attempts"] == 1


# --- replaying is idempotent; an attempt belongs to its first trainee -------------------------------


def test_the_same_submission_twice_and_a_longer_one_store_each_reply_once(service: Service, kit: Kit, db: str) -> None:
    full = _play(kit, seed=11)
    assert len(full.exchanges) >= 3
    first = _body(full)
    first["replies"] = first["replies"][:1]
    assert _submit(service, ANNA, first)["replies"] == 1
    assert _submit(service, ANNA, first)["replies"] == 1
    assert _counts(db)["replies"] == 1
    longer = _body(full)
    assert _submit(service, ANNA, longer)["replies"] == len(full.exchanges)
    assert _submit(service, ANNA, first)["replies"] == 1  # an older snapshot arriving late changes nothing
    counts = _counts(db)
    assert (counts["attempts"], counts["replies"], counts["turn_scores"]) == (1, len(full.exchanges), len(full.exchanges))
    with Store(db) as store:
        stored = store.attempt(full.attempt_id)
    assert [r["reply"] for r in stored["replies"]] == [e.reply for e in full.exchanges]
    assert stored["outcome"] == full.outcome and stored["finished_at"] is not None


def test_another_trainees_attempt_id_is_refused(service: Service, kit: Kit, db: str) -> None:
    result = _play(kit, seed=12)
    _submit(service, ANNA, _body(result))
    before = _counts(db)
    error = _refused(service, BORIS, "submit", _body(result))
    assert (error.status, error.code) == (409, "attempt_taken")
    assert _counts(db) == before
    with Store(db) as store:
        assert {a["trainee"] for a in store.attempts()} == {"anna"}


# --- the service's own seconds ----------------------------------------------------------------------


def test_seconds_stored_are_the_services_intervals_not_the_claims(
    service: Service, kit: Kit, db: str, clock: ManualClock
) -> None:
    full = _play(kit, seed=21)
    assert next(v for v in full.exchanges[0].score.verdicts if v.rule_id == "greet-on-phone").status == "pass"  # in time
    body = _body(full)
    for reply in body["replies"]:
        reply["seconds"] = 1.0  # the client claims it answered at once
    attempt = full.attempt_id
    call(service, ANNA, "shown", {"attempt_id": attempt}, clock.now)
    clock.now += 30.0  # the first line stayed on the screen for half a minute
    one = {**body, "replies": body["replies"][:1]}
    assert _submit(service, ANNA, one, clock)["seconds"] == [30.0]
    clock.now += 0.25
    call(service, ANNA, "shown", {"attempt_id": attempt}, clock.now)  # the next line drawn
    call(service, BORIS, "shown", {"attempt_id": attempt}, clock.now + 5)  # another trainee's ping moves nothing of anna's
    clock.now += 12.5
    two = {**body, "replies": body["replies"][:2]}
    assert _submit(service, ANNA, two, clock)["seconds"] == [30.0, 12.5]
    with Store(db) as store:
        stored = store.attempt(attempt)
    assert [r["seconds"] for r in stored["replies"]] == [30.0, 12.5]
    first = stored["replies"][0]
    greet = next(v for v in first["verdicts"] if v["rule"] == "greet-on-phone")
    assert greet["status"] == "fail"  # 30 s is over the rule's 15 s, whatever the client said


def test_replies_sent_together_share_the_interval_and_are_never_longer_than_it(clock: ManualClock) -> None:
    timing = Timing(clock)
    timing.shown("a", "anna", 100.0)
    assert timing.measure("a", "anna", [40.0, 40.0], [], 150.0) == [25.0, 25.0]  # together at most the 50 s seen
    assert timing.measure("a", "anna", [4.0, 6.0], [], 150.0) == [4.0, 6.0]  # claims within it stand
    assert timing.measure("b", "anna", [7.0], [], 150.0) == [7.0]  # nothing seen before: nothing to measure from
    timing.settle("a", "anna", [25.0, 25.0], 150.0)
    assert timing.measure("a", "anna", [99.0, 99.0, 99.0], [], 160.0) == [25.0, 25.0, 10.0]  # timed replies keep theirs
    assert timing.measure("a", "anna", [1.0, 1.0], [], 170.0) == [25.0, 25.0]
    assert timing.measure("c", "boris", [5.0, 5.0], [3.0, 4.0], 170.0) == [3.0, 4.0]  # the store's, after a restart


def test_the_clock_memory_is_bounded(clock: ManualClock) -> None:
    timing = Timing(clock, limit=50)
    for k in range(500):
        timing.shown(str(k), "anna", float(k))
    assert len(timing) == 50


# --- roles ----------------------------------------------------------------------------------------


def _round(service: Service, trainer: Caller) -> dict[str, Any]:
    made: dict[str, Any] = call(service, trainer, "create_round", {"title": "Group 1", "scenarios": [SCENARIO]}, 0.0)
    return made


ALL_OPERATIONS = set(OPERATIONS)


def test_a_trainee_may_not_call_what_trainers_and_hr_do(service: Service, kit: Kit) -> None:
    code = _round(service, TAMARA)["code"]
    reply_id = str(uuid.uuid4())
    asks = {
        "create_round": {"title": "Mine", "scenarios": [SCENARIO]},
        "end_round": {"code": code},
        "live_rows": {"code": code},
        "common_failures": {"code": code},
        "round_replies": {"code": code},
        "reply_of_round": {"code": code, "reply_id": reply_id},
        "add_reviews": {"reply_id": reply_id, "marks": {"greet-on-phone": "pass"}},
        "sample_replies": {},
        "describe_replies": {"reply_ids": [reply_id]},
        "latest_overrides": {},
        "add_override": {"reply_id": reply_id, "rule_id": "greet-on-phone", "status": "fail", "reason": "late"},
        "reviewers": {},
        "cohorts": {},
        "calibration": {"rulebook_hash": kit.rulebook_hash},
        "readiness": {},
        "latest_decisions": {},
        "decision_history": {"trainee": "anna"},
        "verdicts_with_overrides": {"reply_ids": [reply_id]},
        "record_decision": {"trainee": "anna", "computed": "ready", "reason": "r", "rulebook_hash": kit.rulebook_hash},
        "rulebooks": {},
        "verdict_changes": {"before": kit.rulebook_hash},
    }
    assert set(asks) | {"submit", "shown", "get_round", "attempts", "judge"} == ALL_OPERATIONS
    for name, body in asks.items():
        error = _refused(service, ANNA, name, body)
        assert (error.status, error.code) == (403, "forbidden"), name
    assert _refused(service, ANNA, "attempts", {"trainee": "boris"}).status == 403
    assert _refused(service, ANNA, "judge", {"trainee": "boris"}).status == 403
    # a user in no simkit group may do nothing at all, not even submit
    for name in ALL_OPERATIONS:
        assert _refused(service, NOBODY, name, {}).status == 403, name


def test_a_trainee_reads_only_their_own_attempts(service: Service, kit: Kit) -> None:
    _submit(service, ANNA, _body(_play(kit, seed=1)))
    _submit(service, BORIS, _body(_play(kit, seed=2)))
    assert {a["trainee"] for a in call(service, ANNA, "attempts", {}, 0.0)} == {"anna"}
    assert {a["trainee"] for a in call(service, ANNA, "attempts", {"trainee": "anna"}, 0.0)} == {"anna"}
    assert call(service, ANNA, "judge", {}, 0.0)["trainee"] == "anna"
    assert {a["trainee"] for a in call(service, HELEN, "attempts", {}, 0.0)} == {"anna", "boris"}
    assert _refused(service, TAMARA, "attempts", {}).status == 403


def test_a_trainer_reads_only_the_rounds_they_run_and_hr_reads_all(service: Service, kit: Kit) -> None:
    made = _round(service, TAMARA)
    assert made["trainer"] == "tamara"
    assert _refused(service, TAMARA, "create_round", {"title": "x", "scenarios": [SCENARIO], "trainer": "timur"}).status == 400
    code = made["code"]
    result = _play(kit, seed=5)
    body = _body(result, mode="session")
    body["session"] = code
    _submit(service, ANNA, body)
    rows = call(service, TAMARA, "live_rows", {"code": code}, 0.0)
    assert [r["trainee"] for r in rows] == ["anna"]
    for name in ("live_rows", "common_failures", "round_replies", "end_round"):
        assert _refused(service, TIMUR, name, {"code": code}).status == 403, name
    assert [r["trainee"] for r in call(service, HELEN, "live_rows", {"code": code}, 0.0)] == ["anna"]
    assert call(service, ANNA, "get_round", {"code": code.lower()}, 0.0)["code"] == code  # a trainee joins by code
    unknown = _refused(service, TAMARA, "live_rows", {"code": "ZZZZZZ"})
    assert (unknown.status, unknown.code) == (404, "unknown_round")
    assert call(service, TAMARA, "end_round", {"code": code}, 0.0)["ended_at"] is not None


def test_reviews_and_decisions_are_recorded_as_the_caller(service: Service, kit: Kit, db: str) -> None:
    result = _play(kit, seed=6)
    _submit(service, ANNA, _body(result, final=True))
    reply_id = call(service, HELEN, "attempts", {"trainee": "anna"}, 0.0)[0]["replies"][0]["id"]
    marks = {"reply_id": reply_id, "marks": {"greet-on-phone": "pass"}}
    assert call(service, TAMARA, "add_reviews", marks, 0.0) == 1
    assert _refused(service, TAMARA, "add_reviews", {**marks, "reviewer": "timur"}).status == 400
    engine = create_engine(db)
    with engine.connect() as c:
        assert c.execute(text("SELECT reviewer FROM reviews")).scalars().all() == ["tamara"]
    engine.dispose()
    verdict = call(service, HELEN, "judge", {"trainee": "anna"}, 0.0)
    decided = {
        "trainee": "anna",
        "computed": verdict["verdict"],
        "reason": "Seen the calls.",
        "rulebook_hash": verdict["rulebook"],
    }
    assert _refused(service, HELEN, "record_decision", {**decided, "who": "boss"}).status == 400
    made = call(service, HELEN, "record_decision", decided, 0.0)
    assert made["who"] == "helen"
    assert call(service, HELEN, "latest_decisions", {}, 0.0)["anna"]["who"] == "helen"
    assert _refused(service, TAMARA, "record_decision", decided).status == 403


def test_a_trainer_calibrates_on_any_trainees_replies_as_themselves(service: Service, kit: Kit, db: str) -> None:
    _submit(service, ANNA, _body(_play(kit, seed=6), final=True, cohort="G-1"))
    code = _round(service, TAMARA)["code"]
    in_round = _body(_play(kit, seed=9), mode="session", final=True)
    in_round["session"] = code
    _submit(service, BORIS, in_round)
    sample = call(service, TAMARA, "sample_replies", {"size": 50, "seed": 3}, 0.0)
    with Store(db) as store:
        expected = judgement.sample_replies(store, kit, "tamara", 50, 3)
        all_replies = {r["id"] for a in store.attempts() for r in a["replies"]}
    assert sample == encode(list[judgement.SampledReply], expected) and {r["reply_id"] for r in sample} == all_replies
    # what a trainer reads of another trainer's trainee names no trainee and holds no score or verdict
    assert all(set(r) == {f.name for f in fields(judgement.SampledReply)} for r in sample)
    assert "anna" not in json.dumps(sample) and "boris" not in json.dumps(sample)
    first = sample[0]
    marks = {rule["id"]: "fail" for rule in first["rules"]}
    assert call(service, TAMARA, "add_reviews", {"reply_id": first["reply_id"], "marks": marks}, 0.0) == len(marks)
    again = call(service, TAMARA, "sample_replies", {"size": 50, "seed": 3}, 0.0)
    assert first["reply_id"] not in {r["reply_id"] for r in again} and len(again) == len(sample) - 1  # reviewed by the caller
    assert len(call(service, TIMUR, "sample_replies", {"size": 50, "seed": 3}, 0.0)) == len(sample)  # not by timur
    described = call(service, TAMARA, "describe_replies", {"reply_ids": [first["reply_id"]]}, 0.0)
    assert described == {first["reply_id"]: first}
    # narrowing to a round is a look inside it: only the rounds the trainer runs (or HR)
    assert {r["attempt_id"] for r in call(service, TAMARA, "sample_replies", {"session": code}, 0.0)} == {in_round["attempt_id"]}
    assert _refused(service, TIMUR, "sample_replies", {"session": code}).status == 403
    assert call(service, HELEN, "sample_replies", {"session": code}, 0.0)
    assert call(service, TAMARA, "sample_replies", {"session": "ZZZZZZ"}, 0.0) == []  # no such round: nothing, as locally
    assert call(service, TAMARA, "cohorts", {}, 0.0) == ["G-1"]
    assert call(service, HELEN, "reviewers", {}, 0.0) == ["tamara"]
    # an override is the caller's; the automatic verdict stays
    rule_id = first["rules"][0]["id"]
    override = {"reply_id": first["reply_id"], "rule_id": rule_id, "status": "pass", "reason": "It is fine."}
    assert _refused(service, TAMARA, "add_override", {**override, "who": "timur"}).status == 400
    assert _refused(service, HELEN, "add_override", override).status == 403  # HR decides on trainees, not on verdicts
    made = call(service, TAMARA, "add_override", override, 0.0)
    assert (made["who"], made["status"], made["reason"]) == ("tamara", "pass", "It is fine.")
    refused = _refused(service, TAMARA, "add_override", {**override, "reason": "  "})
    assert (refused.status, refused.code) == (400, "judgement_refused")
    with Store(db) as store:
        assert {k: o.who for k, o in judgement.latest_overrides(store).items()} == {(first["reply_id"], rule_id): "tamara"}
    assert call(service, TIMUR, "latest_overrides", {"reply_ids": [first["reply_id"]]}, 0.0) == [made]
    assert call(service, TIMUR, "latest_overrides", {"reply_ids": []}, 0.0) == []
    # a comparison is of the caller's own marks; HR may name any trainer
    mine = call(service, TAMARA, "calibration", {"rulebook_hash": kit.rulebook_hash}, 0.0)
    assert mine["first"] == "tamara" and mine["overall"]["n"] == len(marks)
    assert call(service, TAMARA, "calibration", {"rulebook_hash": kit.rulebook_hash, "first": "tamara"}, 0.0) == mine
    error = _refused(service, TIMUR, "calibration", {"rulebook_hash": kit.rulebook_hash, "first": "tamara"})
    assert (error.status, error.code) == (403, "forbidden")
    assert call(service, HELEN, "calibration", {"rulebook_hash": kit.rulebook_hash, "first": "tamara"}, 0.0) == mine
    # hostile arguments: a clear 400, or nothing found; no row written
    injection = "x'); DROP TABLE reviews; --"
    for name, body in (
        ("sample_replies", {"size": 10**9}),
        ("sample_replies", {"seed": "3"}),
        ("sample_replies", {"kind": "k" * 101}),
        ("describe_replies", {"reply_ids": ["r"] * 20_001}),
        ("calibration", {"rulebook_hash": kit.rulebook_hash, "second": 5}),
        ("add_override", {**override, "status": "great"}),
        ("add_override", {**override, "reply_id": injection}),
    ):
        assert _refused(service, TAMARA, name, body).status == 400, name
    assert call(service, TAMARA, "describe_replies", {"reply_ids": [injection]}, 0.0) == {}
    assert call(service, TAMARA, "sample_replies", {"cohort": injection, "kind": injection}, 0.0) == []
    with Store(db) as store:
        assert _counts(db)["reviews"] == len(marks) and judgement.reviewers(store) == ["tamara"]
        assert len(judgement.latest_overrides(store)) == 1


# --- hostile bodies -------------------------------------------------------------------------------


def test_hostile_bodies_get_a_clear_4xx_and_leave_the_tables_intact(service: Service, kit: Kit, db: str) -> None:
    good = _body(_play(kit, seed=8))
    _submit(service, ANNA, good)
    before = _counts(db)
    injection = "x'); DROP TABLE attempts; --"
    hostile: list[tuple[bytes | dict[str, Any], int, str]] = [
        (b"{not json", 400, "bad_json"),
        (b"\xff\xfe\x00", 400, "bad_json"),
        (b"[" * 100_000 + b"]" * 100_000, 400, "bad_json"),
        (b"[1, 2]", 400, "bad_request"),
        (b'"a string"', 400, "bad_request"),
        ({**good, "seed": "7"}, 400, "bad_request"),
        ({**good, "replies": {"text": "hi"}}, 400, "bad_request"),
        ({**good, "attempt_id": "not-a-uuid"}, 400, "bad_request"),
        ({**good, "attempt_id": injection}, 400, "bad_request"),
        ({**good, "attempt_id": str(uuid.uuid4()), "scenario_id": injection}, 404, "unknown_scenario"),
        ({**good, "attempt_id": str(uuid.uuid4()), "session": "AB'; --"}, 404, "unknown_round"),
        ({**good, "attempt_id": str(uuid.uuid4()), "session": injection}, 400, "bad_request"),
        ({**good, "attempt_id": str(uuid.uuid4()), "mode": "real"}, 400, "bad_request"),
        ({**good, "attempt_id": str(uuid.uuid4()), "lang": "xx"}, 400, "unreplayable"),
        ({**good, "attempt_id": str(uuid.uuid4()), "first_turn": injection}, 400, "unreplayable"),
        ({**good, "attempt_id": str(uuid.uuid4()), "replies": [{"text": "x" * 5_001}]}, 400, "bad_request"),
        ({**good, "attempt_id": str(uuid.uuid4()), "replies": [{"text": "hi"}] * 201}, 400, "bad_request"),
        ({**good, "attempt_id": str(uuid.uuid4()), "replies": [{"text": "hi", "actions": ["fly_away"]}]}, 400, "unreplayable"),
        ({**good, "attempt_id": str(uuid.uuid4()), "replies": [{"text": "hi", "seconds": -5}]}, 400, "bad_request"),
        ({**good, "attempt_id": str(uuid.uuid4()), "replies": [{"text": "hi", "seconds": 1e308}]}, 400, "bad_request"),
        ({**good, "attempt_id": str(uuid.uuid4()), "seed": 2**63}, 400, "bad_request"),
        ({**good, "attempt_id": str(uuid.uuid4()), "cohort": "c" * 101}, 400, "bad_request"),
    ]
    for body, status, code in hostile:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        got_status, answer = respond(service, ANNA, "submit", raw, 0.0)
        assert (got_status, answer["error"]) == (status, code), (raw[:80], answer)
        assert len(answer["message"]) < 1_000  # a sentence, never the input echoed back
    got_status, answer = respond(service, ANNA, "drop_tables", b"{}", 0.0)
    assert (got_status, answer["error"]) == (404, "unknown_operation")
    got_status, answer = respond(service, HELEN, "attempts", json.dumps({"trainee": injection}).encode(), 0.0)
    assert (got_status, answer["result"]) == (200, [])
    got_status, answer = respond(service, HELEN, "decision_history", json.dumps({"trainee": 5}).encode(), 0.0)
    assert got_status == 400
    assert _counts(db) == before
    with Store(db) as store:
        assert [a["id"] for a in store.attempts()] == [good["attempt_id"]]
