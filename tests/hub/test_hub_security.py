"""What a trainee can do from their own kernel under the hub: nothing that forges or reads others' evidence.

The checks run inside a kernel of the trainee's own server (their system account, the environment
the hub gives it), started through the server's API as JupyterLab does, so they see exactly what
code a trainee types would see. The kernel talks to the simkit service as the apps
do: ``SIMKIT_SERVICE_URL`` with the kernel's ``JUPYTERHUB_API_TOKEN``.
"""

from __future__ import annotations

import json
import pwd
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

import simkit
from simkit.content.kit import Kit
from simkit.engine.dialogue import Dialogue, play_through
from simkit.service.client import submission
from simkit.store import Store

from .harness import PEOPLE, SERVICE_ACCOUNT, Hub, _pids_of

TRAINEE, OTHER_TRAINEE = PEOPLE["trainees"]
(TRAINER,) = PEOPLE["trainers"]
(HR,) = PEOPLE["hr"]
SCENARIO = "discount-demand-sports-food"

# Runs in the trainee's kernel: every request goes to the service with the kernel's own token.
CALLS = """
import json, os, urllib.error, urllib.request
def call(operation, body, token):
    headers = {"Content-Type": "application/json"}
    token = os.environ["JUPYTERHUB_API_TOKEN"] if token is None else token
    if token:
        headers["Authorization"] = "token " + token
    request = urllib.request.Request(os.environ["SIMKIT_SERVICE_URL"] + "api/" + operation,
                                     data=json.dumps(body).encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return [response.status, json.load(response)]
    except urllib.error.HTTPError as error:
        raw = error.read()
        return [error.code, json.loads(raw) if raw else None]
answers = {}
for name, (operation, body, token) in json.loads(%r).items():
    answers[name] = call(operation, body, token)
print(json.dumps(answers))
"""

# Runs in the trainee's kernel: where could a database password be? The environment, the files the
# account can read (its home, the shared temporary folders, the kit, the deployment), every
# process's environment and command line it may read; and the paths that hold them must refuse it.
SEARCH = """
import json, os, stat
secrets, forbidden, roots = json.loads(%r)
found, opened, files = [], [], 0
for key, value in os.environ.items():
    found += [f"environment {key}: {name}" for name, secret in secrets.items() if secret in value]
def check(path):
    global files
    try:
        info = os.stat(path, follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode) or info.st_size > 2_000_000:
            return
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return
    files += 1
    found.extend(f"{path}: {name}" for name, secret in secrets.items() if secret.encode() in data)
for root in roots:
    for folder, dirs, names in os.walk(root, onerror=lambda e: None):
        dirs[:] = [d for d in dirs if d not in (".venv", ".git", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache")]
        for name in names:
            check(os.path.join(folder, name))
for pid in os.listdir("/proc"):
    if pid.isdigit():
        check(f"/proc/{pid}/environ")
        check(f"/proc/{pid}/cmdline")
for path in forbidden:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").read(1)
        opened.append(path)
    except OSError:
        pass
print(json.dumps({"found": found, "opened": opened, "files": files, "uid": os.getuid()}))
"""

# Runs in the trainee's kernel: the evidence store answers on loopback; without its password nobody gets in.
KNOCK = """
import json, psycopg
tries = {}
for user in ("simkit", "simkit_admin", "postgres", %r):
    try:
        psycopg.connect(host="127.0.0.1", port=%d, user=user, dbname="simkit", connect_timeout=5).close()
        tries[user] = "connected"
    except psycopg.Error as error:
        tries[user] = type(error).__name__
print(json.dumps(tries))
"""


def _in_kernel(hub: Hub, user: str, code: str) -> Any:
    return json.loads(hub.run_in_kernel(user, code).strip().splitlines()[-1])


def _calls(hub: Hub, user: str, calls: dict[str, tuple[str, Any, str | None]]) -> dict[str, tuple[int, Any]]:
    """Send each (operation, body, token) from ``user``'s kernel; token None is the kernel's own, "" none at all."""
    answers = _in_kernel(hub, user, CALLS % json.dumps(calls))
    return {name: (status, body) for name, (status, body) in answers.items()}


def _played(kit: Kit, replies: list[str], seed: int = 3) -> Any:
    """A real attempt of ``replies`` (text only), as the player's dialogue makes it."""
    instance = simkit.generate(kit.scenario(SCENARIO), seed, "en")
    dialogue = Dialogue(instance, kit)
    for said in replies:
        dialogue.reply(said)
    return dialogue.result()


@pytest.fixture(scope="module")
def trainee_server(hub: Hub) -> str:
    hub.start_server(TRAINEE)
    return TRAINEE


def test_no_database_credentials_reach_the_trainees_kernel(hub: Hub, trainee_server: str) -> None:
    service_pids = _pids_of(pwd.getpwnam(SERVICE_ACCOUNT).pw_uid)
    assert service_pids, "the simkit service is not running as its own account"
    forbidden = [
        str(hub.state / "hub.env"),  # the company's secrets file
        str(hub.state / "jupyterhub_local.py"),
        str(hub.state / "jupyterhub_cookie_secret"),
        str(hub.state),
        str(hub.spool),  # the service's spool holds attempts of everyone
        str(hub.evidence.home),
        f"/proc/{hub.process.pid}/environ",  # the hub holds both URLs
        *(f"/proc/{pid}/environ" for pid in service_pids),  # the service holds the store's
    ]
    roots = ["/tmp", "/var/tmp", "/dev/shm", "/home", str(Path(simkit.__file__).resolve().parents[1])]
    seen = _in_kernel(hub, trainee_server, SEARCH % json.dumps([hub.secrets, forbidden, roots]))
    assert seen["uid"] != 0, "the trainee's kernel runs as root"
    assert seen["found"] == [], f"database credentials the trainee's kernel can read: {seen['found']}"
    assert seen["opened"] == [], f"the trainee's kernel opened: {seen['opened']}"
    assert seen["files"] > 100, f"the search read only {seen['files']} files: it looked nowhere"
    # and the store, which listens on loopback, lets nobody in without its password
    tries = _in_kernel(hub, trainee_server, KNOCK % (TRAINEE, hub.evidence.port))
    assert set(tries.values()) == {"OperationalError"}, tries


def test_a_forged_score_is_refused_and_the_engine_scores_what_was_said(hub: Hub, trainee_server: str, kit: Kit) -> None:
    result = _played(kit, ["ok"])
    honest = submission(result, "assessment", None, None, final=True)
    forged = {**honest, "score": 100.0, "outcome": "resolved", "trainee": OTHER_TRAINEE}
    forged_reply = {**honest, "attempt_id": str(uuid.uuid4()),
                    "replies": [{**honest["replies"][0], "score": 100.0, "verdicts": []}]}  # fmt: skip
    answers = _calls(hub, trainee_server, {"forged": ("submit", forged, None), "forged reply": ("submit", forged_reply, None),
                                           "honest": ("submit", honest, None)})  # fmt: skip
    for name in ("forged", "forged reply"):
        status, body = answers[name]
        assert status == 400 and body["error"] == "bad_request", (name, answers[name])
    status, body = answers["honest"]
    assert status == 200 and body["result"]["recorded"] == "stored", answers["honest"]
    with Store(hub.evidence_url) as store:
        stored = store.attempt(result.attempt_id)
        assert all(a["id"] != result.attempt_id for a in store.attempts(trainee=OTHER_TRAINEE))
        assert all(a["id"] != forged_reply["attempt_id"] for a in store.attempts())
    assert stored["trainee"] == TRAINEE  # the hub user who sent it, whatever the body said
    instance = simkit.generate(kit.scenario(SCENARIO), honest["seed"], "en")
    replay = play_through(instance, [("ok", None)], kit, [r["seconds"] for r in stored["replies"]])
    assert (stored["score"], stored["outcome"]) == (replay.score, replay.outcome)
    assert stored["score"] < 50 and stored["replies"][0]["score"] == replay.exchanges[0].score.score


def test_a_trainee_reads_only_their_own_attempts_and_cannot_take_anothers(hub: Hub, trainee_server: str, kit: Kit) -> None:
    other = _played(kit, ["Hello! I can give you 5 % off."], seed=5)
    other_token = hub.token_for(OTHER_TRAINEE, ["access:services!service=simkit", "read:users:groups!user"])
    status, body = hub.request("POST", f"{hub.url}/services/simkit/api/submit",
                               submission(other, "practice", None, None, final=True), other_token)  # fmt: skip
    assert status == 200 and body["result"]["recorded"] == "stored", body
    takeover = {**submission(other, "practice", None, None, final=True), "replies": [{"text": "mine now", "seconds": 1.0}]}
    answers = _calls(hub, trainee_server, {
        "theirs": ("attempts", {"trainee": OTHER_TRAINEE}, None),
        "quoted": ("attempts", {"trainee": "' OR '1'='1"}, None),
        "everyone as HR would": ("readiness", {}, None),
        "their verdict": ("judge", {"trainee": OTHER_TRAINEE}, None),
        "own": ("attempts", {}, None),
        "take their attempt": ("submit", takeover, None),
        "no token": ("attempts", {}, ""),
        "a made-up token": ("attempts", {}, "0123456789abcdef" * 4),
    })  # fmt: skip
    for name in ("theirs", "quoted", "everyone as HR would", "their verdict"):
        assert answers[name][0] == 403, (name, answers[name])
    status, body = answers["own"]
    assert status == 200 and body["result"] and {a["trainee"] for a in body["result"]} == {TRAINEE}
    assert answers["take their attempt"][0] == 409, answers["take their attempt"]
    assert answers["no token"][0] == 401 and answers["a made-up token"][0] == 401
    with Store(hub.evidence_url) as store:
        kept = store.attempt(other.attempt_id)
    assert (kept["trainee"], [r["reply"] for r in kept["replies"]]) == (OTHER_TRAINEE, ["Hello! I can give you 5 % off."])


def _written(url: str) -> dict[str, int]:
    """Rows of what only trainers and HR write: decisions, calibration marks, rounds."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                    for t in ("readiness_decisions", "reviews", "trainer_sessions")}  # fmt: skip
    finally:
        engine.dispose()


def test_a_trainee_cannot_decide_mark_run_rounds_or_join_a_group(hub: Hub, trainee_server: str, kit: Kit) -> None:
    with Store(hub.evidence_url) as store:
        reply_id = store.attempts(trainee=TRAINEE)[0]["replies"][0]["id"]
    before = _written(hub.evidence_url)
    answers = _calls(hub, trainee_server, {
        "decision": ("record_decision", {"trainee": TRAINEE, "computed": "not_ready", "decision": "ready",
                                         "reason": "I say so", "rulebook_hash": kit.rulebook_hash}, None),
        "calibration": ("add_reviews", {"reply_id": reply_id, "marks": {"greeting": "pass"}}, None),
        "round": ("create_round", {"title": "mine", "scenarios": [SCENARIO]}, None),
        "decisions": ("latest_decisions", {}, None),
    })  # fmt: skip
    for name, (status, body) in answers.items():
        assert status == 403 and body["error"] == "forbidden", (name, status, body)
    assert _written(hub.evidence_url) == before  # nothing the trainee asked for was written
    hr_token = hub.token_for(HR, ["access:services!service=simkit", "read:users:groups!user"])
    status, body = hub.request("POST", f"{hub.url}/services/simkit/api/decision_history", {"trainee": TRAINEE}, hr_token)
    assert status == 200 and all(d["who"] != TRAINEE for d in body["result"]), body
    # the kernel's own hub token cannot make its owner HR either
    made_hr = _in_kernel(hub, trainee_server, """
import json, os, urllib.error, urllib.request
request = urllib.request.Request(os.environ["JUPYTERHUB_API_URL"] + "/groups/hr/users", method="POST",
    data=json.dumps({"users": [os.environ["JUPYTERHUB_USER"]]}).encode(),
    headers={"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]})
try:
    print(json.dumps(urllib.request.urlopen(request, timeout=30).status))
except urllib.error.HTTPError as error:
    print(json.dumps(error.code))
""")
    assert made_hr == 403
    status, group = hub.api("GET", "groups/hr")
    assert status == 200 and TRAINEE not in group["users"]


def test_no_ones_server_runs_as_a_system_account(hub: Hub) -> None:
    # a hub user named like the service's account (an admin's slip, a single sign-on name) gets no server as it
    status, body = hub.api("POST", f"users/{SERVICE_ACCOUNT}")
    assert status == 201, body
    status, body = hub.api("POST", f"users/{SERVICE_ACCOUNT}/server")
    assert status >= 400, f"a server was started as {SERVICE_ACCOUNT}: {status} {body}"
    _status, model = hub.api("GET", f"users/{SERVICE_ACCOUNT}")
    assert not model["servers"], model["servers"]
    uid = pwd.getpwnam(SERVICE_ACCOUNT).pw_uid
    commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in _pids_of(uid)]
    assert commands and all(b"simkit.service" in c for c in commands), commands
