"""What each hub group may do at the simkit service, asked with each person's own hub token.

The deployment's table (deploy/README.md) in requests: a trainer reads the rounds they run and no
other trainer's, marks replies, and decides nothing; HR reads everything and records decisions as
themselves, and marks nothing; someone in no group reaches nothing. The tokens carry what a
server's token carries for the service (the hub grants only the part the person holds).
"""

from __future__ import annotations

from typing import Any

import pytest

from simkit.content.kit import Kit
from simkit.store import Store
from simkit.store.decisions import decision_history

from .harness import PEOPLE, Hub

(TRAINER,) = PEOPLE["trainers"]
(HR,) = PEOPLE["hr"]
TRAINEE = PEOPLE["trainees"][0]
OTHER_TRAINER = "sktrainer2"  # made a trainer here, on the hub's API, as an admin would on /hub/admin
NOBODY = "sknogroup"
SCOPES = ["access:services!service=simkit", "read:users:name!user", "read:users:groups!user"]
SCENARIO = "discount-demand-sports-food"


@pytest.fixture(scope="module")
def tokens(hub: Hub) -> dict[str, str]:
    for name in (OTHER_TRAINER, NOBODY):
        status, body = hub.api("POST", f"users/{name}")
        assert status in (201, 409), body
    status, body = hub.api("POST", "groups/trainers/users", {"users": [OTHER_TRAINER]})
    assert status == 200, body
    made = {name: hub.token_for(name, SCOPES) for name in (TRAINER, OTHER_TRAINER, HR, TRAINEE)}
    # the hub will not grant the service's scope to someone in no group (their server's token is made without it)
    status, body = hub.api("POST", f"users/{NOBODY}/tokens", {"scopes": SCOPES})
    assert status == 400 and "access:services!service=simkit" in body["message"], body
    made[NOBODY] = hub.token_for(NOBODY, SCOPES[1:])
    return made


def _ask(hub: Hub, token: str, operation: str, **body: Any) -> tuple[int, Any]:
    return hub.request("POST", f"{hub.service_url}api/{operation}", body, token)


def test_a_trainer_reads_the_rounds_they_run_and_no_others(hub: Hub, tokens: dict[str, str]) -> None:
    status, made = _ask(hub, tokens[TRAINER], "create_round", title="Roles", scenarios=[SCENARIO], lang="en")
    assert status == 200, made
    code = made["result"]["code"]
    assert made["result"]["trainer"] == TRAINER
    for operation in ("live_rows", "common_failures", "round_replies"):
        assert _ask(hub, tokens[TRAINER], operation, code=code)[0] == 200
        assert _ask(hub, tokens[HR], operation, code=code)[0] == 200
        status, body = _ask(hub, tokens[OTHER_TRAINER], operation, code=code)
        assert (status, body["error"]) == (403, "forbidden"), (operation, body)
    assert _ask(hub, tokens[OTHER_TRAINER], "end_round", code=code)[0] == 403
    # a trainee may look the round up by its code (to join it), not read inside it
    assert _ask(hub, tokens[TRAINEE], "get_round", code=code)[0] == 200
    assert _ask(hub, tokens[TRAINEE], "live_rows", code=code)[0] == 403


def test_a_trainer_marks_replies_and_decides_nothing(hub: Hub, tokens: dict[str, str], kit: Kit) -> None:
    for operation, body in (
        ("record_decision", {"trainee": TRAINEE, "computed": "not_ready", "decision": None, "reason": "no",
                             "rulebook_hash": kit.rulebook_hash}),
        ("readiness", {}),
        ("attempts", {"trainee": TRAINEE}),
        ("submit", {}),
    ):  # fmt: skip
        status, answer = _ask(hub, tokens[TRAINER], operation, **body)
        assert (status, answer["error"]) == (403, "forbidden"), (operation, answer)


def test_hr_reads_everything_and_decides_as_themselves(hub: Hub, tokens: dict[str, str], kit: Kit) -> None:
    status, answer = _ask(hub, tokens[HR], "readiness")
    assert status == 200, answer
    status, answer = _ask(hub, tokens[HR], "attempts", trainee="' OR '1'='1")  # bound parameters: a name like any other
    assert (status, answer["result"]) == (200, [])
    with Store(hub.evidence_url) as store:
        everyone = {a["trainee"] for a in store.attempts()}
    status, answer = _ask(hub, tokens[HR], "attempts")
    assert status == 200 and {a["trainee"] for a in answer["result"]} == everyone
    status, answer = _ask(hub, tokens[HR], "judge", trainee=TRAINEE)
    assert status == 200, answer
    computed = answer["result"]["verdict"]
    status, made = _ask(hub, tokens[HR], "record_decision", trainee=TRAINEE, computed=computed, decision=None,
                        reason="Reviewed with the trainer", rulebook_hash=kit.rulebook_hash)  # fmt: skip
    assert status == 200, made
    with Store(hub.evidence_url) as store:
        history = decision_history(store, TRAINEE)
    assert [(d.who, d.decision, d.reason) for d in history][-1] == (HR, computed, "Reviewed with the trainer")
    status, answer = _ask(hub, tokens[HR], "add_reviews", reply_id="x", marks={"greeting": "pass"})
    assert (status, answer["error"]) == (403, "forbidden")


def test_someone_in_no_group_reaches_nothing(hub: Hub, tokens: dict[str, str]) -> None:
    for operation in ("attempts", "readiness", "get_round", "submit"):
        status, answer = _ask(hub, tokens[NOBODY], operation)
        assert status == 403, (operation, answer)
