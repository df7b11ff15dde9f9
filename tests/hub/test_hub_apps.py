"""The apps under a real JupyterHub, in Debian's chromium: each person logs in and lands on their app.

A trainee plays a scenario in the day 3 player (a Voilà page of their own server, as their own
system account); the attempt is in the evidence store under the hub user, scored by the service's
engine. A trainer runs a round in the console and sees a trainee's answer arrive; HR sees each
trainee's verdict in the dashboard, the same verdict readiness gives from the store.
"""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import expect

import simkit
from simkit.content.kit import Kit
from simkit.engine.dialogue import play_through
from simkit.reports.readiness import store_readiness
from simkit.store import Store
from simkit.store.sessions import get_round
from tests.browser.pages import (
    assert_no_cell_error,
    attempt_id,
    customer_lines,
    first_model_reply,
    normalized,
    send_reply,
    shown_customer,
    start_scenario,
)

from .harness import PEOPLE, Hub
from .steps import log_in, open_app, wait_for_app

TRAINEE, OTHER_TRAINEE = PEOPLE["trainees"]
(TRAINER,) = PEOPLE["trainers"]
(HR,) = PEOPLE["hr"]
WHOLE = "safety-hazard-charger"  # four turns; a department and a call-back as parameters
ROUND_SCENARIO = "discount-demand-sports-food"
BAD = "Calm down. I will give you a 10 % discount."
LIVE_BUDGET_S = 10.0  # the console polls; under the hub a row passes the service and the store first


def _choose_english(page: Any) -> None:
    bar = page.locator(".simkit-identity").first
    bar.locator(".simkit-lang button", has_text=re.compile(r"^\s*EN\s*$")).click()
    expect(bar.locator(".simkit-lang button.mod-active")).to_have_text(re.compile("EN"))


def test_someone_outside_the_groups_cannot_log_in(person_page: Any, hub: Hub) -> None:
    page = person_page()
    log_in(page, hub, "skstranger")
    expect(page.locator("body")).to_contain_text(re.compile(r"not allowed|403|Forbidden|Invalid", re.IGNORECASE))
    assert "/user/skstranger/" not in page.url
    status, _model = hub.api("GET", "users/skstranger")
    assert status == 404, "someone who is in no group became a hub user"


def test_a_trainee_plays_in_voila_and_the_service_stores_the_attempt(person_page: Any, hub: Hub, kit: Kit) -> None:
    page = person_page()
    log_in(page, hub, TRAINEE)
    wait_for_app(page, TRAINEE, "day3_practice.ipynb", ".simkit-player")
    assert_no_cell_error(page)
    bar = page.locator(".simkit-identity").first
    expect(bar.locator(".simkit-identity-ok")).to_contain_text(TRAINEE)  # the hub user, nothing to type
    expect(bar.locator(".simkit-name input")).to_be_disabled()
    _choose_english(page)
    start_scenario(page, kit, WHOLE, "en")
    customer = shown_customer(page)
    text, actions = first_model_reply(kit, WHOLE, "en", customer)
    send_reply(page, text, actions, "en")
    attempt = attempt_id(page)
    with Store(hub.evidence_url) as store:
        stored = store.attempt(attempt)
    instance = simkit.generate(kit.scenario(stored["scenario_id"]), stored["seed"], stored["lang"])
    assert (instance.scenario_id, instance.lang, instance.customer.name) == (WHOLE, "en", customer)

    played = [(text, actions)]
    by_line = {normalized(t.customer): t for t in instance.turns}
    closing = {normalized(line) for line in instance.outcomes.values()}
    player = page.locator(".simkit-player")
    for _ in range(len(instance.turns) * 2):
        line = customer_lines(page)[-1]
        if line in closing:
            break
        turn = by_line[line]
        send_reply(page, turn.model_reply, list(turn.model_actions), "en")
        played.append((turn.model_reply, list(turn.model_actions)))
    expect(player.locator(".simkit-scorecard h3")).to_be_visible()
    expect(player.locator(".simkit-status")).to_have_attribute("data-state", "stored")

    # in the evidence store once, as the hub user, with every reply, scored by the engine
    with Store(hub.evidence_url) as store:
        attempts = store.attempts(trainee=TRAINEE)
    assert [a["id"] for a in attempts] == [attempt]
    stored = attempts[0]
    assert (stored["trainee"], stored["mode"], stored["scenario_id"]) == (TRAINEE, "practice", WHOLE)
    assert [r["reply"] for r in stored["replies"]] == [t for t, _a in played]
    replay = play_through(instance, played, kit, [r["seconds"] for r in stored["replies"]])
    assert replay.finished and stored["finished_at"] is not None
    assert (stored["outcome"], stored["score"]) == (replay.outcome, replay.score)
    expect(player.locator(".simkit-scorecard")).to_contain_text(f"{replay.score:g}/100")
    assert_no_cell_error(page)


def test_a_trainer_sees_a_trainees_answer_live_in_the_console(person_page: Any, hub: Hub, kit: Kit) -> None:
    trainer, trainee = person_page(), person_page()
    log_in(trainer, hub, TRAINER)
    log_in(trainee, hub, OTHER_TRAINEE, next_path="/hub/user-redirect/voila/render/join_round.ipynb")
    wait_for_app(trainer, TRAINER, "trainer_session.ipynb", ".simkit-console")
    console = trainer.locator(".simkit-console")
    console.locator(".simkit-console-lang button", has_text=re.compile(r"^\s*EN\s*$")).click()
    console.locator(".simkit-round-title input").fill("Hub round")
    console.locator(".simkit-round-cohort input").fill("G-hub")
    console.locator(".simkit-round-scenarios select").select_option(label=kit.scenario(ROUND_SCENARIO).title.get("en"))
    console.locator(".simkit-round-lang select").select_option(label="EN")
    console.locator("button.simkit-round-create").click()
    code_box = console.locator(".simkit-code-big")
    expect(code_box).to_have_text(re.compile(r"^[A-Z2-9]{6}$"))
    code = code_box.inner_text().strip()
    with Store(hub.evidence_url) as store:
        assert get_round(store, code).trainer == TRAINER  # the round is the hub user's

    wait_for_app(trainee, OTHER_TRAINEE, "join_round.ipynb", ".simkit-join")
    _choose_english(trainee)
    trainee.locator(".simkit-join-code input").fill(code.lower())
    trainee.locator("button.simkit-join-button").click()
    expect(trainee.locator(".simkit-join-ok")).to_contain_text("Hub round")
    start_scenario(trainee, kit, ROUND_SCENARIO, "en")
    send_reply(trainee, BAD, [], "en")
    attempt = attempt_id(trainee)
    with Store(hub.evidence_url) as store:
        stored = store.attempt(attempt)
    assert (stored["trainee"], stored["session"], stored["mode"]) == (OTHER_TRAINEE, code, "session")
    sent = time.monotonic()
    row = console.locator(f'.simkit-live tr[data-trainee="{OTHER_TRAINEE}"][data-turn="1"]')
    row.wait_for(state="visible", timeout=int(LIVE_BUDGET_S * 1000))
    assert time.monotonic() - sent <= LIVE_BUDGET_S
    expect(row).to_contain_text(f"{stored['replies'][0]['score']:g}")
    assert_no_cell_error(trainer)
    assert_no_cell_error(trainee)


def test_hr_sees_each_trainees_verdict_in_the_dashboard(person_page: Any, hub: Hub, kit: Kit) -> None:
    with Store(hub.evidence_url) as store:
        expected = {r.trainee: r.verdict for r in store_readiness(store, kit)}
    assert TRAINEE in expected, "the trainee's attempt of the earlier test is not in the store"
    page = person_page()
    log_in(page, hub, HR)
    wait_for_app(page, HR, "hr_readiness.ipynb", ".simkit-cohort-table")
    assert_no_cell_error(page)
    board = page.locator(".simkit-dashboard")
    for trainee, verdict in expected.items():
        expect(board.locator(f'tr[data-trainee="{trainee}"]')).to_have_attribute("data-verdict", verdict)
    expect(board.locator("tr[data-trainee]")).to_have_count(len(expected))


def test_the_apps_have_stable_addresses(person_page: Any, hub: Hub) -> None:
    page = person_page()
    log_in(page, hub, TRAINEE)
    wait_for_app(page, TRAINEE, "day3_practice.ipynb", ".simkit-player")
    open_app(page, hub, TRAINEE, "day1_rules.ipynb", ".simkit-identity")
    assert_no_cell_error(page)
