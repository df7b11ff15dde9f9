"""The evidence store's PostgreSQL server crashes while trainees submit through the hub; nothing is lost.

Two trainees submit attempts at once through the simkit service, with the apps' own client and
each trainee's hub token. Midway the store's server is stopped with ``pg_ctl -m immediate`` (a
crash: the service's open connections break) and started again a few seconds later. The service
answers "spooled" while the store is away, keeps the attempts in its own spool, and writes them once
the store is back; in the end every attempt is in the store once, under its trainee, with every
reply, scored as the engine scores it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import simkit
from simkit.content.kit import Kit
from simkit.engine.dialogue import AttemptResult, Dialogue, play_through
from simkit.service.client import ServiceEvidence, client_spool_dir
from simkit.store import Store

from .harness import PEOPLE, Hub

TRAINEES = PEOPLE["trainees"]
SCENARIO = "late-delivery-fridge"
PER_TRAINEE = 8
SCOPES = ["access:services!service=simkit", "read:users:groups!user"]  # what a server's token carries for the service
REPLIES = ["Hello! I am sorry for the delay.", "Let me check your order and call you back within 2 hours."]


def _attempt(kit: Kit, seed: int) -> AttemptResult:
    instance = simkit.generate(kit.scenario(SCENARIO), seed, "en" if seed % 2 else "ru")
    dialogue = Dialogue(instance, kit)
    for text in REPLIES[: 1 + seed % 2]:
        if dialogue.finished:
            break
        dialogue.reply(text)
    return dialogue.result()


def _health(hub: Hub, token: str) -> dict[str, Any]:
    status, body = hub.request("GET", f"{hub.service_url}api/health", token=token)
    assert status == 200, body
    return dict(body["result"])


def test_the_store_crashes_while_trainees_submit_and_nothing_is_lost(hub: Hub, kit: Kit) -> None:
    tokens = {t: hub.token_for(t, SCOPES) for t in TRAINEES}
    plays = {t: [_attempt(kit, 100 * k + n) for n in range(PER_TRAINEE)] for k, t in enumerate(TRAINEES)}
    answers: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def submit(trainee: str) -> None:
        evidence = ServiceEvidence(hub.service_url, tokens[trainee])
        recorder = evidence.recorder(kit, trainee, "practice", cohort="outage")
        try:
            for result in plays[trainee]:
                answer = recorder.record(result, final=True)
                with lock:
                    answers.append(answer)
                time.sleep(0.3)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            evidence.close()

    threads = [threading.Thread(target=submit, args=(t,)) for t in TRAINEES]
    for thread in threads:
        thread.start()
    try:
        _wait(lambda: answers.count("stored") >= 2, 60, "two attempts stored before the crash")
        hub.evidence.stop()
        _wait(lambda: answers.count("spooled") >= 3 or not any(t.is_alive() for t in threads), 60, "attempts during the crash")
        during = _health(hub, tokens[TRAINEES[0]])
        assert during["store"] is False and during["spooled"] >= 1, during  # the service keeps them, not the trainees
    finally:
        if not hub.evidence.running():
            hub.evidence.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    total = len(TRAINEES) * PER_TRAINEE
    counted = Counter(answers)
    assert sum(counted.values()) == total and counted["spooled"] >= 3, counted  # the crash was met, and answered

    _wait(lambda: _health(hub, tokens[TRAINEES[0]])["spooled"] == 0, 60, "the service's spool written to the store")
    assert list(hub.spool.glob("*.json")) == []
    kept_here = client_spool_dir(kit.root)  # where a trainee's kernel keeps what the service did not answer
    assert not kept_here.is_dir() or list(kept_here.glob("*.json")) == []
    with Store(hub.evidence_url) as store:
        stored = {a["id"]: a for a in store.attempts()}  # the earlier tests' attempts too (the cohort is the trainee's)
    missing = [r.attempt_id for results in plays.values() for r in results if r.attempt_id not in stored]
    assert not missing, f"{len(missing)} of {total} attempts lost"
    for trainee, results in plays.items():
        for result in results:
            got = stored[result.attempt_id]
            assert got["trainee"] == trainee
            assert [r["reply"] for r in got["replies"]] == [e.reply for e in result.exchanges]
            instance = simkit.generate(kit.scenario(SCENARIO), got["seed"], got["lang"])
            said = [(e.reply, None) for e in result.exchanges]
            replay = play_through(instance, said, kit, [r["seconds"] for r in got["replies"]])
            assert got["score"] == replay.score


def _wait(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:.0f} s: {what}")
        time.sleep(0.2)
