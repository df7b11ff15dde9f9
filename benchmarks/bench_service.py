"""50 trainees answering at once through the simkit service under a real JupyterHub: submit to stored, and nothing lost.

Run as root (the hub runs people's servers as their own accounts), inside a PostgreSQL cluster:

    pg_virtualenv -t -v 15 .venv/bin/python benchmarks/bench_service.py [--trainees 50] [--scenario ID]

Starts the hub the hub tests start (deploy/jupyterhub_config.py with a test authenticator; the hub's
database in pg_virtualenv's cluster, the evidence store on a server of its own), makes the trainees
hub users in the ``trainees`` group, each with a token of the scopes a server's token carries, and
plays one dialogue per trainee with the scenario's model replies. Each trainee first does what the
player does when a dialogue starts, untimed: it reaches the service (``connect``, where the hub
checks the trainee's token) and says the first customer line is on the screen. At every turn all trainees send
their reply at the same moment (a barrier), each through the apps' own client (``ServiceRecorder``:
the attempt so far, as the player sends it after every reply), and the time from sending to the
service's "stored" is taken. Budget: p95 <= 500 ms; none lost: afterwards every attempt is in the
store with every reply it was sent with. The service's very first submission after it starts is sent
and timed alone, before the trainees (the service readies its store and language layer before it
listens, so this one is not much slower than the rest).
The CPU time the service and the hub used is printed too: on a busy machine it says more than the clock.
"""

from __future__ import annotations

import argparse
import math
import os
import pwd
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the hub tests' harness

import simkit
from simkit.content.kit import Kit
from simkit.content.scenario_model import Scenario
from simkit.engine.dialogue import AttemptResult, Dialogue
from simkit.service.client import ServiceEvidence
from simkit.store import Store
from tests.hub.harness import SERVICE_ACCOUNT, _pids_of, running_hub

BUDGET_P95_MS = 500.0
SCOPES = ["access:services!service=simkit", "read:users:groups!user"]  # what a server's token carries for the service


def _played(kit: Kit, scenario: Scenario, seed: int) -> list[AttemptResult]:
    """The attempt after each model reply of one variant (a Russian or an English one)."""
    dialogue = Dialogue(simkit.generate(scenario, seed, "ru" if seed % 2 else "en"), kit)
    snapshots = []
    while not dialogue.finished:
        turn = dialogue.turn
        assert turn is not None
        dialogue.reply(turn.model_reply, list(turn.model_actions))
        snapshots.append(dialogue.result())
    return snapshots


def _cpu(pids: list[int]) -> float:
    """CPU seconds (user and system) the processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _p95(sorted_ms: list[float]) -> float:
    return sorted_ms[max(0, math.ceil(0.95 * len(sorted_ms)) - 1)] if sorted_ms else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--scenario", default="safety-hazard-charger")
    args = parser.parse_args()
    kit = simkit.load_kit()
    scenario = kit.scenario(args.scenario)
    with running_hub() as hub:
        names = [f"bench{n:03d}" for n in range(args.trainees)]
        status, body = hub.api("POST", "users", {"usernames": names})
        assert status == 201, body
        status, body = hub.api("POST", "groups/trainees/users", {"users": names})
        assert status == 200, body
        tokens = {name: hub.token_for(name, SCOPES, note="benchmark") for name in names}
        # the service's first submission (a new trainee, the first of its kind since the start) is timed alone
        warm = ServiceEvidence(hub.service_url, tokens[names[0]])
        started = time.perf_counter()
        warm.recorder(kit, names[0], "practice").record(_played(kit, scenario, 10_000)[0])
        first = time.perf_counter() - started
        warm.close()

        # one dialogue per trainee, played beforehand with the model replies (the attempt after each reply),
        # so that at every turn all trainees send at once and the clock times the service alone
        plays = {name: _played(kit, scenario, seed) for seed, name in enumerate(names)}
        turns = max(len(p) for p in plays.values())
        barrier = threading.Barrier(len(names))
        timings: list[list[float]] = [[] for _ in range(turns)]
        answers: dict[str, int] = {"stored": 0, "spooled": 0}
        sent: dict[str, int] = {}
        errors: list[str] = []
        lock = threading.Lock()

        def trainee(name: str) -> None:
            evidence = ServiceEvidence(hub.service_url, tokens[name])
            recorder = evidence.recorder(kit, name, "practice", cohort="bench")
            try:
                # as the player does when a dialogue starts (untimed): it reaches the service, then puts
                # the customer's first line on the screen and says so
                recorder.connect()
                recorder.shown(plays[name][0].attempt_id)
                for n in range(turns):
                    barrier.wait(120)
                    if n >= len(plays[name]):
                        continue
                    result = plays[name][n]
                    started = time.perf_counter()
                    answer = recorder.record(result, final=result.finished)
                    took = time.perf_counter() - started
                    with lock:
                        timings[n].append(took)
                        answers[answer] += 1
                        sent[result.attempt_id] = len(result.exchanges)
                    recorder.shown(result.attempt_id)  # the next customer line is on the screen
            except Exception as exc:  # counted, and the others go on
                errors.append(f"{name}: {type(exc).__name__}: {exc}")
                barrier.abort()
            finally:
                evidence.close()

        threads = [threading.Thread(target=trainee, args=(name,)) for name in names]
        service_pids = _pids_of(pwd.getpwnam(SERVICE_ACCOUNT).pw_uid)
        cpu_before = {"service": _cpu(service_pids), "hub": _cpu([hub.process.pid])}
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
        cpu = {"service": _cpu(service_pids) - cpu_before["service"], "hub": _cpu([hub.process.pid]) - cpu_before["hub"]}

        with Store(hub.evidence_url) as store:
            stored = {a["id"]: len(a["replies"]) for a in store.attempts()}
        lost = sum(max(0, n - stored.get(attempt, 0)) for attempt, n in sent.items())

    ms = sorted(t * 1000 for turn in timings for t in turn)
    p95 = _p95(ms)
    print(f"the service's first submission after its start: {1000 * first:.0f} ms (timed alone)")
    print(f"{args.trainees} trainees x up to {turns} replies, sent at once per turn ({len(ms)} submissions in {wall:.1f} s)")
    for n, turn in enumerate(timings, 1):
        if turn:
            print(f"  reply {n}: {len(turn)} at once, p95 {_p95(sorted(t * 1000 for t in turn)):.0f} ms")
    if ms:
        print(f"submit -> stored: median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms "
              f"(budget p95 {BUDGET_P95_MS:.0f} ms)")  # fmt: skip
    print(f"CPU time: the service {cpu['service']:.2f} s ({1000 * cpu['service'] / max(1, len(ms)):.1f} ms a submission), "
          f"the hub {cpu['hub']:.2f} s (checking tokens)")  # fmt: skip
    print(f"answers: {answers['stored']} stored, {answers['spooled']} spooled; replies lost: {lost} (budget 0)")
    for error in errors[:5]:
        print(f"error: {error}")
    ok = not errors and lost == 0 and answers["spooled"] == 0 and p95 <= BUDGET_P95_MS
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
