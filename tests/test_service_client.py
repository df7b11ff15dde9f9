"""The apps' side of the service: ``ServiceEvidence`` and its recorder against the service's real operations.

The client talks HTTP through httpx; here its transport hands each request to the server's own
``respond`` (the service's operations over a real store, as the caller the token names), which is
everything the server does but the hub's authentication. The last test starts the real tornado
application on loopback with no hub to ask: every request is refused before anything runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from jupyterhub.services.auth import HubOAuth  # type: ignore[import-untyped]
from sqlalchemy import create_engine, text
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

from simkit.apps.evidence import refusal
from simkit.content.kit import Kit
from simkit.engine.dialogue import Dialogue, StepClock
from simkit.engine.generation import generate
from simkit.reports.calibration import SCORER, Comparison, calibration, compare
from simkit.reports.changes import verdict_changes
from simkit.reports.readiness import store_judge, store_readiness
from simkit.service.client import ServiceEvidence, ServiceRefused, ServiceUnreachable, client_spool_dir
from simkit.service.operations import Service
from simkit.service.roles import Caller
from simkit.service.server import BODY_LIMIT, READ_LIMIT, make_app, respond
from simkit.service.wire import decode_comparison, encode_comparison
from simkit.store import decisions, judgement, sessions
from simkit.store.database import Store, StoreError
from simkit.store.decisions import DecisionError
from simkit.store.evidence import rulebooks
from simkit.store.sessions import RoundError

CALLERS = {
    "anna-token": Caller.of("anna", ["trainees"]),
    "boris-token": Caller.of("boris", ["trainees"]),
    "tamara-token": Caller.of("tamara", ["trainers"]),
    "helen-token": Caller.of("helen", ["hr"]),
}
URL = "http://simkit.test/services/simkit/"


def _through(service: Service) -> httpx.MockTransport:
    """A transport that answers as the server does once the hub has named the caller (the token's)."""

    def answer(request: httpx.Request) -> httpx.Response:
        token = request.headers.get("Authorization", "").removeprefix("token ")
        caller = CALLERS.get(token)
        if caller is None:
            return httpx.Response(401, json={"error": "not_authenticated", "message": "sign in"})
        name = request.url.path.rsplit("/", 1)[-1]
        if request.method == "GET":
            return httpx.Response(200, json={"result": {"store": True, "spooled": service.submissions.spooled()}})
        status, body = respond(service, caller, name, request.content, service.submissions.timing.now())
        return httpx.Response(status, json=body)

    return httpx.MockTransport(answer)


@pytest.fixture
def service(db: str, kit: Kit, tmp_path: Path) -> Iterator[Service]:
    made = Service.open(db, kit.root, tmp_path / "service-spool")
    made.handle.open()
    yield made
    made.close()


def _as(service: Service, token: str) -> ServiceEvidence:
    return ServiceEvidence(URL, token, transport=_through(service))


def _dialogue(kit: Kit, seed: int) -> Dialogue:
    return Dialogue(generate(kit.scenario("discount-demand-sports-food"), seed, "ru"), kit, StepClock([4, 5, 6, 7, 8, 9]))


def _play(evidence: ServiceEvidence, kit: Kit, seed: int, session: str | None = None) -> tuple[str, list[str]]:
    """A trainee plays the model replies through the player's recorder; (attempt id, what each record said)."""
    recorder = evidence.recorder(kit, "a name the trainee typed", "session" if session else "practice", session=session)
    dialogue = _dialogue(kit, seed)
    recorder.shown(dialogue.attempt_id)
    said: list[str] = []
    while dialogue.turn is not None:
        turn = dialogue.turn
        dialogue.reply(turn.model_reply, list(turn.model_actions))
        said.append(recorder.record(dialogue.result(), final=dialogue.finished))
        recorder.shown(dialogue.attempt_id)
    return dialogue.attempt_id, said


def test_the_recorder_sends_replies_and_the_service_stores_them_as_the_hub_user(service: Service, kit: Kit, db: str) -> None:
    anna = _as(service, "anna-token")
    attempt_id, said = _play(anna, kit, 3)
    assert said == ["stored"] * len(said) and len(said) >= 3
    with Store(db) as store:
        stored = store.attempt(attempt_id)
        assert anna.attempts() == store.attempts("anna")
    assert stored["trainee"] == "anna" and stored["finished_at"] is not None
    assert len(stored["replies"]) == len(said)


def test_what_the_service_reads_decodes_to_what_the_store_gives(service: Service, kit: Kit, db: str) -> None:
    tamara, helen = _as(service, "tamara-token"), _as(service, "helen-token")
    made = tamara.create_round("Group 1", ["discount-demand-sports-food"], trainer="someone else")
    assert made.trainer == "tamara" and isinstance(made, sessions.Round)
    for token, seed in (("anna-token", 1), ("boris-token", 2)):
        _play(_as(service, token), kit, seed, session=made.code)
    with Store(db) as store:
        assert tamara.get_round(made.code) == sessions.get_round(store, made.code)
        assert tamara.live_rows(made.code) == sessions.live_rows(store, made.code)
        replies = sessions.round_replies(store, made.code)
        assert tamara.round_replies(made.code) == replies
        assert tamara.common_failures(made.code) == sessions.common_failures(store, made.code)
        assert tamara.reply_of_round(made.code, replies[0].reply_id) == replies[0]
        assert tamara.add_reviews("not me", replies[0].reply_id, {"greet-on-phone": "pass"}, {"greet-on-phone": "ok"}) == 1
        assert [m.reviewer for m in judgement.latest_reviews(store)] == ["tamara"]
        assert helen.readiness(kit) == store_readiness(store, kit)
        verdict = helen.judge(kit, "anna")
        assert verdict == store_judge(store, kit, "anna")
        made_decision = helen.record_decision("anna", verdict.verdict, None, "Seen the calls.", "not me", verdict.rulebook)
        assert made_decision.who == "helen"
        assert helen.latest_decisions() == decisions.latest_decisions(store)
        assert helen.decision_history("anna") == decisions.decision_history(store, "anna")
        ids = [r.reply_id for r in replies]
        assert helen.verdicts_with_overrides(ids) == judgement.verdicts_with_overrides(store, ids)
        assert helen.rulebooks() == rulebooks(store)
        assert helen.verdict_changes(kit, kit.rulebook_hash) == verdict_changes(kit, store, kit.rulebook_hash)
    assert tamara.end_round(made.code).ended_at is not None


def _same(found: Comparison, expected: Comparison) -> None:
    """Two comparisons hold the same figures (frames compared as frames; an undefined figure is NaN on both sides)."""
    assert (found.first, found.second) == (expected.first, expected.second)
    pd.testing.assert_frame_equal(found.per_rule, expected.per_rule)
    pd.testing.assert_frame_equal(found.disagreements, expected.disagreements)
    for name in ("n", "agreed", "percent", "kappa", "note"):
        mine, theirs = getattr(found.overall, name), getattr(expected.overall, name)
        assert mine == theirs or (isinstance(mine, float) and math.isnan(mine) and math.isnan(theirs)), name


def test_a_comparison_travels_as_json_and_comes_back_the_same() -> None:
    rows = [("r1", "greet", "Anna", "pass"), ("r1", "greet", SCORER, "pass"), ("r2", "greet", "Anna", "pass")]
    rows += [("r2", "greet", SCORER, "pass"), ("r1", "rude", "Anna", "fail"), ("r1", "rude", SCORER, "pass")]
    ratings = pd.DataFrame(rows, columns=["reply_id", "rule_id", "rater", "status"])
    found = compare(ratings, "Anna", SCORER)
    assert math.isnan(found.per_rule.set_index("rule_id").loc["greet", "kappa"])  # one category: undefined
    for comparison in (found, compare(ratings.iloc[:0], "Anna", "Oleg")):  # and one with no pairs at all
        sent = json.dumps(encode_comparison(comparison), allow_nan=False)  # JSON has no NaN: none is sent
        _same(decode_comparison(json.loads(sent)), comparison)


def test_calibration_through_the_service_is_what_the_store_gives_as_the_hub_user(service: Service, kit: Kit, db: str) -> None:
    for token, seed in (("anna-token", 1), ("boris-token", 2)):
        _play(_as(service, token), kit, seed)
    tamara, anna = _as(service, "tamara-token"), _as(service, "anna-token")
    with Store(db) as store:
        assert tamara.cohorts() == store.cohorts()
        sample = tamara.sample_replies(kit, "a name the trainer typed", size=4, seed=2)
        assert sample == judgement.sample_replies(store, kit, "tamara", 4, 2) and len(sample) == 4
        ids = [r.reply_id for r in sample]
        assert tamara.describe_replies(kit, ids) == judgement.describe_replies(store, kit, ids)
        _same(tamara.calibration(kit.rulebook_hash, "tamara"), calibration(store, kit.rulebook_hash, "tamara"))  # no pairs
        for k, reply in enumerate(sample):  # fails the first rule of every other reply, passes the rest
            marks = {rule.id: "fail" if k % 2 == 0 and n == 0 else "pass" for n, rule in enumerate(reply.rules)}
            assert tamara.add_reviews("not me", reply.reply_id, marks) == len(marks)
        assert tamara.reviewers() == judgement.reviewers(store) == ["tamara"]
        assert tamara.sample_replies(kit, "tamara", size=4, seed=2) == judgement.sample_replies(store, kit, "tamara", 4, 2)
        expected = calibration(store, kit.rulebook_hash, "tamara")
        assert expected.overall.n == sum(len(r.rules) for r in sample) and not expected.disagreements.empty
        _same(tamara.calibration(kit.rulebook_hash, "tamara"), expected)
        _same(tamara.calibration(kit.rulebook_hash, "tamara", SCORER), expected)
        reply_id, rule_id = expected.disagreements.iloc[0][["reply_id", "rule_id"]]
        made = tamara.add_override(reply_id, rule_id, "fail", "Ignores the question.", "not me")
        assert made.who == "tamara"
        assert tamara.latest_overrides([reply_id]) == judgement.latest_overrides(store, [reply_id]) == {(reply_id, rule_id): made}
        assert tamara.latest_overrides() == judgement.latest_overrides(store)
        with pytest.raises(judgement.JudgementError):
            tamara.add_override(reply_id, rule_id, "fail", "   ", "tamara")  # a reason is required, there as here
    # a trainee's kernel may do none of it
    for ask in (
        anna.cohorts,
        anna.reviewers,
        lambda: anna.sample_replies(kit, "anna"),
        lambda: anna.describe_replies(kit, ids),
        lambda: anna.latest_overrides(ids),
        lambda: anna.add_override(reply_id, rule_id, "pass", "mine is fine", "anna"),
        lambda: anna.add_reviews("anna", reply_id, {rule_id: "pass"}),
        lambda: anna.calibration(kit.rulebook_hash, "anna"),
    ):
        with pytest.raises(ServiceRefused) as caught:
            ask()
        assert refusal(caught.value) == 403
    with Store(db) as store:
        assert {o.who for o in judgement.latest_overrides(store).values()} == {"tamara"}
        assert judgement.reviewers(store) == ["tamara"]


def test_refusals_come_back_as_the_stores_exceptions_with_the_services_code(service: Service, kit: Kit) -> None:
    anna, helen = _as(service, "anna-token"), _as(service, "helen-token")
    with pytest.raises(ServiceRefused) as caught:
        anna.create_round("Mine", ["discount-demand-sports-food"])
    assert isinstance(caught.value, StoreError) and caught.value.code == "forbidden"
    assert refusal(caught.value) == 403  # what the apps read to say "not allowed"
    with pytest.raises(ServiceRefused) as caught:
        anna.attempts("boris")
    assert caught.value.status == 403
    with pytest.raises(RoundError) as unknown:
        anna.get_round("ZZZZZZ")
    assert refusal(unknown.value) == 404 and "ZZZZZZ" in str(unknown.value)
    with pytest.raises(DecisionError):
        helen.record_decision("nobody-here", "ready", None, "why", "helen", kit.rulebook_hash)
    stranger = ServiceEvidence(URL, "no-such-token", transport=_through(service))
    with pytest.raises(ServiceRefused) as caught:
        stranger.attempts()
    assert caught.value.status == 401


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_while_the_service_cannot_be_reached_the_attempt_waits_here_and_is_sent_with_the_next(
    service: Service, kit: Kit, db: str
) -> None:
    away = ServiceEvidence(f"http://127.0.0.1:{_closed_port()}/services/simkit/", "anna-token")
    recorder = away.recorder(kit, "anna", "practice")
    assert recorder.connect() is False
    dialogue = _dialogue(kit, 5)
    recorder.shown(dialogue.attempt_id)  # best effort: no error, pings pause
    turn = dialogue.turn
    assert turn is not None
    dialogue.reply(turn.model_reply, list(turn.model_actions))
    assert recorder.record(dialogue.result()) == "spooled"
    assert recorder.saved is not None and recorder.saved.path is not None
    assert recorder.saved.path.parent == client_spool_dir(kit.root) == recorder.folder
    assert "cannot be reached" in recorder.saved.reason
    with Store(db) as store:
        assert store.attempts() == []
    recorder.evidence = _as(service, "anna-token")  # the service is back
    other = _dialogue(kit, 6)
    turn = other.turn
    assert turn is not None
    other.reply(turn.model_reply, list(turn.model_actions))
    assert recorder.record(other.result()) == "stored"
    assert list(recorder.folder.glob("*.json")) == []
    with Store(db) as store:
        stored = {a["id"]: (a["trainee"], len(a["replies"])) for a in store.attempts()}
    assert stored == {dialogue.attempt_id: ("anna", 1), other.attempt_id: ("anna", 1)}


def test_from_environment_needs_the_hubs_variables(monkeypatch: pytest.MonkeyPatch, kit: Kit) -> None:
    monkeypatch.delenv("SIMKIT_SERVICE_URL", raising=False)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "t")
    with pytest.raises(StoreError, match="SIMKIT_SERVICE_URL"):
        ServiceEvidence.from_environment(kit)
    monkeypatch.setenv("SIMKIT_SERVICE_URL", "http://127.0.0.1:10101/services/simkit")
    found = ServiceEvidence.from_environment(kit)
    assert found.url == "http://127.0.0.1:10101/services/simkit/"
    with pytest.raises(ServiceUnreachable):
        found.attempts()  # nothing listens there in a test
    found.close()


# --- the real application, with no hub to ask -----------------------------------------------------


@pytest.fixture
def unguarded(service: Service) -> Iterator[str]:
    """The service's tornado application on loopback, its hub (the one it would ask about tokens) not running."""
    hub = f"http://127.0.0.1:{_closed_port()}/hub/api"
    auth = HubOAuth(api_token="service-token", api_url=hub, oauth_client_id="service-simkit", cache_max_age=0)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    ready, holder = threading.Event(), {}

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        server = HTTPServer(make_app(service, "/services/simkit/", hub_auth=auth), max_body_size=READ_LIMIT)
        server.add_sockets([listener])
        holder["loop"] = IOLoop.current()
        ready.set()
        IOLoop.current().start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield f"http://127.0.0.1:{port}/services/simkit/"
    loop: Any = holder["loop"]
    loop.add_callback(loop.stop)
    thread.join(10)


def test_the_application_refuses_every_request_it_cannot_tie_to_a_hub_user(unguarded: str, db: str) -> None:
    body = {"attempt_id": "00000000-0000-4000-8000-000000000001", "mode": "practice", "scenario_id": "x", "seed": 1,
            "lang": "ru", "replies": [], "score": 100}  # fmt: skip
    with httpx.Client(base_url=unguarded, timeout=10) as http:
        for headers in ({}, {"Cookie": "simkit-service=forged"}):
            response = http.post("api/submit", json=body, headers=headers)
            assert (response.status_code, response.json()["error"]) == (401, "not_authenticated"), headers
        assert http.get("api/health").status_code == 401
        # a token only the hub can vouch for, and the hub cannot be asked: refused, as a pause to retry after
        response = http.post("api/submit", json=body, headers={"Authorization": "token forged"})
        assert (response.status_code, response.json()["error"]) == (503, "hub_unavailable")
        assert http.post("api/nothing/here", json=body).status_code == 404
        huge = http.post("api/submit", content=b"{" + b" " * (BODY_LIMIT + 10) + b"}", headers={"Authorization": "token x"})
        assert (huge.status_code, huge.json()["error"]) == (413, "too_large")
        with contextlib.suppress(httpx.TransportError):  # beyond what the server reads it drops the connection
            assert http.post("api/submit", content=b" " * (READ_LIMIT + 10)).status_code == 400  # if the client hears it
    engine = create_engine(db)
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM attempts")).scalar_one() == 0
    engine.dispose()
    assert json.dumps(body)  # the body itself was well formed: only the missing hub user refused it
