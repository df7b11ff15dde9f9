"""A live round in Voilà: the trainer's console and two trainees' pages, each its own kernel on one server.

The trainer creates a round; both trainees join with the code and answer; each answer appears
scored on the trainer's live table within 2 s of being stored (the console polls the shared
store); the common failures list the rule both broke; a reply is shown for discussion without
the trainee's name; the round ends and both exports are offered.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from simkit.content.kit import Kit
from simkit.content.scenario_model import Action
from simkit.store import Store

from .conftest import ACTION_TIMEOUT_MS
from .jupyter import NOT_LOOPBACK, WIDGET_VERSION_ERRORS, JupyterServer
from .pages import RENDER_TIMEOUT_MS, assert_no_cell_error, attempt_id, identify, send_reply, start_scenario

TRAINER = "trainer_session.ipynb"
TRAINEE = "join_round.ipynb"
SCENARIO = "discount-demand-sports-food"
RULE = "discount-limit-five-percent"  # a 10 % discount breaks it (critical)
BAD = "Calm down. I will give you a 10 % discount."
BUDGET_S = 2.0


@pytest.fixture
def pages(browser: Any, server: JupyterServer) -> Iterator[list[Any]]:
    """Three pages in separate browser contexts (so three Voilà kernels): the trainer's and two trainees'."""
    contexts, opened, messages = [], [], []
    for _ in range(3):
        context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-US")
        context.route(NOT_LOOPBACK, lambda route: route.abort())
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        page = context.new_page()
        page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
        contexts.append(context)
        opened.append(page)
    try:
        yield opened
        widget_errors = [m for m in messages if any(e in m for e in WIDGET_VERSION_ERRORS)]
        assert not widget_errors, "widget front end errors in the browser console:\n" + "\n".join(widget_errors)
    finally:
        for context in contexts:
            context.close()


def _visible_within(locator: Any, since: float) -> float:
    """Wait for ``locator``; the seconds from ``since`` until it was visible."""
    locator.wait_for(state="visible", timeout=10_000)
    return time.monotonic() - since


def test_a_live_round_with_two_trainees(pages: list[Any], server: JupyterServer, kit: Kit) -> None:
    trainer, anna, boris = pages
    trainer.goto(server.voila(TRAINER), wait_until="commit", timeout=RENDER_TIMEOUT_MS)
    for page in (anna, boris):
        page.goto(server.voila(TRAINEE), wait_until="commit", timeout=RENDER_TIMEOUT_MS)

    console = trainer.locator(".simkit-console")
    console.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
    console.locator(".simkit-console-lang button", has_text=re.compile(r"^\s*EN\s*$")).click()
    expect(console.locator("button.simkit-round-create")).to_have_text("Create the round")
    console.locator(".simkit-round-title input").fill("Browser round")
    console.locator(".simkit-round-cohort input").fill("G-browser")
    console.locator(".simkit-round-scenarios select").select_option(label=kit.scenario(SCENARIO).title.get("en"))
    console.locator(".simkit-round-lang select").select_option(label="EN")
    console.locator("button.simkit-round-create").click()
    code_box = console.locator(".simkit-code-big")
    expect(code_box).to_have_text(re.compile(r"^[A-Z2-9]{6}$"))
    code = code_box.inner_text().strip()
    expect(console.locator(".simkit-live")).to_contain_text("No answers yet")

    trainees = {"Anna Live": anna, "<b>Boris</b> Live": boris}
    for name, page in trainees.items():
        page.locator(".simkit-join").wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        identify(page, name, "en", cohort="G-browser")
        page.locator(".simkit-join-code input").fill(code.lower())
        page.locator("button.simkit-join-button").click()
        expect(page.locator(".simkit-join-ok")).to_contain_text("Browser round")
        start_scenario(page, kit, SCENARIO, "en")

    live = console.locator(".simkit-live")
    waited = []
    for name, page in trainees.items():
        send_reply(page, BAD, [Action(id="offer_discount", percent=10)], "en")
        attempt = attempt_id(page)  # the status says stored: the answer is in the store now
        stored_at = time.monotonic()
        with Store(server.db_url) as store:
            stored = store.attempt(attempt)
        assert (stored["session"], stored["mode"], stored["trainee"]) == (code, "session", name)
        score = f"{stored['replies'][0]['score']:g}"
        row = live.locator(f'tr[data-trainee="{name}"][data-turn="1"]')
        waited.append(_visible_within(row, stored_at))
        expect(row).to_contain_text(score)  # scored: the stored turn score is on the trainer's table
        expect(row).to_have_attribute("data-critical", "1")
        expect(row).to_contain_text(kit.rules[RULE].title.get("en"))
    print(f"live table: each answer visible {[round(w, 2) for w in waited]} s after it was stored")
    assert max(waited) <= BUDGET_S, f"answers reached the live table after {waited} s (budget {BUDGET_S} s)"

    common = console.locator(f'.simkit-common-failures .simkit-common-failure[data-rule="{RULE}"]')
    expect(common).to_have_attribute("data-trainees", "2")
    expect(common).to_contain_text(kit.rules[RULE].title.get("en"))
    expect(common.locator(".simkit-example")).to_have_count(2)

    # a reply for the class, the trainee's name hidden (the default)
    picker = console.locator(".simkit-discuss-pick select")
    picker.select_option(index=0)
    discuss = console.locator(".simkit-discuss")
    expect(discuss.locator("blockquote")).to_have_text(BAD)
    expect(discuss.locator(".simkit-discuss-who")).to_have_text("A trainee:")
    assert "Anna" not in discuss.inner_text() and "Boris" not in discuss.inner_text()
    expect(live.locator('tr[data-trainee="<b>Boris</b> Live"] td').first).to_have_text("<b>Boris</b> Live")  # as text

    console.locator("button.simkit-round-end").click()
    expect(console.locator(".simkit-round")).to_have_attribute("data-open", "false")
    console.locator("button.simkit-export-excel").click()
    console.locator("button.simkit-export-html").click()
    links = console.locator(".simkit-export-links a.simkit-download")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_attribute("download", f"round-{code}.xlsx")
    expect(links.nth(1)).to_have_attribute("download", f"round-{code}.html")
    for page in pages:
        assert_no_cell_error(page)
