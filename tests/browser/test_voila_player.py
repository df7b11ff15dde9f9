"""The day 3 player as a Voilà page (served by JupyterLab), driven by typing and clicking, in Russian and English.

The page picks a random variant of the scenario, so the test reads what it needs from the page and
the store: the customer's name from the chat (the first model reply depends only on it), then the
attempt's seed from the store after the first reply, and answers each later customer line on the
screen with that turn's model reply and actions. The store is this module's own (``server.db_url``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from simkit.content.kit import Kit
from simkit.content.scenario_model import Action
from simkit.engine.dialogue import play_through
from simkit.store import Store

from .jupyter import JupyterServer
from .pages import (
    RENDER_TIMEOUT_MS,
    assert_no_cell_error,
    attempt_id,
    customer_lines,
    first_model_reply,
    identify,
    normalized,
    open_voila,
    played_instance,
    send_reply,
    shown_customer,
    start_scenario,
    stored_attempt,
    trainee_lines,
)

NOTEBOOK = "day3_practice.ipynb"
WHOLE = "safety-hazard-charger"  # four turns; routes to a department and promises a call-back (parameters)
DISCOUNT = "discount-demand-sports-food"  # the customer demands more than the 5 % a manager may give
LANGS = ["ru", "en"]
HOSTILE = "<img src=x onerror=window.__pwned=1> <script>window.__pwned=1</script>"


def _open(page: Any, server: JupyterServer, name: str, lang: str) -> None:
    open_voila(page, server, NOTEBOOK, ".simkit-identity", timeout=RENDER_TIMEOUT_MS)
    page.locator(".simkit-player").wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
    identify(page, name, lang, cohort="browser-tests")


@pytest.mark.parametrize("lang", LANGS)
def test_whole_scenario_played_and_stored(page: Any, server: JupyterServer, kit: Kit, lang: str) -> None:
    trainee = f"Вера Полная {lang}" if lang == "ru" else f"Vera Whole {lang}"
    _open(page, server, trainee, lang)
    start_scenario(page, kit, WHOLE, lang)
    customer = shown_customer(page)

    text, actions = first_model_reply(kit, WHOLE, lang, customer)
    send_reply(page, text, actions, lang)
    attempt = attempt_id(page)
    instance = played_instance(server, kit, attempt)
    assert (instance.scenario_id, instance.lang, instance.customer.name) == (WHOLE, lang, customer)
    assert customer_lines(page)[0] == normalized(instance.turns[0].customer)

    played = [(text, actions)]
    by_line = {normalized(t.customer): t for t in instance.turns}
    closing = {normalized(line) for line in instance.outcomes.values()}
    player = page.locator(".simkit-player")
    for _ in range(len(instance.turns) * 2):
        line = customer_lines(page)[-1]  # drawn with the reply it answers (one chat widget)
        if line in closing:
            break
        assert line in by_line, f"the customer's line on the screen is not a line of the instance: {line!r}"
        turn = by_line[line]
        send_reply(page, turn.model_reply, list(turn.model_actions), lang)
        played.append((turn.model_reply, list(turn.model_actions)))
    expect(player.locator(".simkit-scorecard h3")).to_be_visible()
    assert trainee_lines(page) == [normalized(t) for t, _a in played]

    # the attempt is in the store once, under this trainee, in practice mode, with every reply
    with Store(server.db_url) as store:
        attempts = store.attempts(trainee=trainee)
    assert [a["id"] for a in attempts] == [attempt]
    stored = attempts[0]
    assert (stored["mode"], stored["cohort"], stored["scenario_id"], stored["lang"]) == ("practice", "browser-tests", WHOLE, lang)
    assert [r["reply"] for r in stored["replies"]] == [t for t, _a in played]
    # the page scored with the real engine: replaying the same replies with the same reply times gives the same attempt
    replay = play_through(instance, played, kit, [r["seconds"] for r in stored["replies"]])
    assert replay.finished and stored["finished_at"] is not None
    assert (stored["outcome"], stored["score"]) == (replay.outcome, replay.score)
    scorecard = player.locator(".simkit-scorecard")
    expect(scorecard).to_contain_text(f"{replay.score:g}/100")
    expect(scorecard.locator("img.simkit-anger-plot")).to_be_visible()
    assert_no_cell_error(page)


@pytest.mark.parametrize("lang", LANGS)
def test_feedback_quotes_the_reply_and_cites_the_clause(page: Any, server: JupyterServer, kit: Kit, lang: str) -> None:
    trainee = f"Фёдор Отзыв {lang}" if lang == "ru" else f"Fyodor Feedback {lang}"
    _open(page, server, trainee, lang)
    start_scenario(page, kit, DISCOUNT, lang)
    text = "Успокойтесь. Хорошо, дам вам скидку 10 %." if lang == "ru" else "Calm down. I will give you a 10 % discount."
    send_reply(page, text, [Action(id="offer_discount", percent=10)], lang)
    attempt = attempt_id(page)
    reply = stored_attempt(server, attempt)["replies"][0]
    assert reply["actions"] == [{"id": "offer_discount", "percent": 10.0}]
    failed = [v for v in reply["verdicts"] if v["status"] == "fail"]
    assert any(v["severity"] == "critical" for v in failed), "a 10 % discount broke no critical rule"

    feedback = page.locator(".simkit-player .simkit-feedback")
    expect(feedback.locator(".simkit-verdict")).to_have_count(len(failed))
    for verdict in failed:
        card = feedback.locator(f".simkit-verdict[data-rule='{verdict['rule']}']")
        expect(card).to_have_attribute("data-severity", verdict["severity"])
        rule = kit.rules[verdict["rule"]]
        expect(card.locator(".simkit-verdict-title")).to_have_text(rule.title.get(lang))
        clause = card.locator(".simkit-clause")
        if verdict["source"] == "common-practice":
            continue
        job_id, _sep, section = verdict["source"].partition("#")
        expect(clause).to_contain_text(kit.jobs[job_id].title.get(lang))
        expect(clause).to_contain_text(section)
        found = kit.clause(verdict["source"])
        assert found is not None
        expect(clause).to_contain_text(found.summary.get(lang))
    # the trainee's own words that broke a rule are quoted and marked
    marks = feedback.locator(".simkit-verdict mark").all_inner_texts()
    assert marks, "no words of the reply are marked in the feedback"
    assert all(m and m in text for m in marks), marks
    assert text.split(".")[0] in marks  # "Calm down" / "Успокойтесь"
    expect(page.locator(".simkit-player .simkit-mood-why")).not_to_be_empty()


@pytest.mark.parametrize("lang", LANGS)
def test_double_click_on_send_stores_one_reply(page: Any, server: JupyterServer, kit: Kit, lang: str) -> None:
    trainee = f"Дмитрий Двойной {lang}" if lang == "ru" else f"Dmitry Double {lang}"
    _open(page, server, trainee, lang)
    start_scenario(page, kit, DISCOUNT, lang)
    text = "Здравствуйте! Могу дать скидку 5 %." if lang == "ru" else "Hello! I can give you 5 % off."
    send_reply(page, text, [Action(id="offer_discount", percent=5)], lang, double=True)
    attempt = attempt_id(page)
    page.wait_for_timeout(1_500)  # the second click reaches the kernel after the first: give it time to do harm
    assert trainee_lines(page) == [text]
    stored = stored_attempt(server, attempt)
    assert [r["reply"] for r in stored["replies"]] == [text]
    with Store(server.db_url) as store:
        assert len(store.attempts(trainee=trainee)) == 1
    # the second click is not scolded as an empty reply
    expect(page.locator(".simkit-player .simkit-hint")).to_have_text("")


@pytest.mark.parametrize("lang", LANGS)
def test_hostile_reply_shows_as_text_and_runs_nothing(page: Any, server: JupyterServer, kit: Kit, lang: str) -> None:
    trainee = ("<b>Ева</b>" if lang == "ru" else "<b>Eve</b>") + " <img src=x onerror=window.__pwned=1>"
    _open(page, server, trainee, lang)
    expect(page.locator(".simkit-identity-ok")).to_contain_text(trainee)
    start_scenario(page, kit, DISCOUNT, lang)
    text = f"Здравствуйте! {HOSTILE}" if lang == "ru" else f"Hello! {HOSTILE}"
    send_reply(page, text, [], lang)
    attempt_id(page)
    expect(page.locator(".simkit-player .simkit-feedback .simkit-turn-score")).to_be_visible()
    assert trainee_lines(page) == [normalized(text)]
    page.wait_for_timeout(300)  # an onerror handler would run as soon as the broken image failed
    assert page.evaluate("typeof window.__pwned") == "undefined"
    player = page.locator(".simkit-player")
    for part in (".simkit-chat", ".simkit-feedback", ".simkit-identity"):
        expect(page.locator(f"{part} img, {part} script")).to_have_count(0)
    expect(player.locator(".simkit-msg-trainee").first).to_contain_text(HOSTILE)
    with Store(server.db_url) as store:
        (stored,) = store.attempts(trainee=trainee)
    assert stored["replies"][0]["reply"] == text
    assert re.search(r"<img src=x", page.locator(".simkit-player .simkit-chat").inner_text())


@pytest.mark.parametrize("lang", LANGS)
def test_a_reply_over_the_length_cap_is_refused_in_the_page_and_kept_in_the_box(
    page: Any, server: JupyterServer, kit: Kit, lang: str
) -> None:
    trainee = f"Лев Длинный {lang}" if lang == "ru" else f"Leo Long {lang}"
    _open(page, server, trainee, lang)
    start_scenario(page, kit, DISCOUNT, lang)
    player = page.locator(".simkit-player").first
    novel = ("Здравствуйте! " if lang == "ru" else "Hello! ") * 1000  # 7,000 characters and more
    box = player.locator(".simkit-reply textarea")
    box.fill(novel)
    player.locator("button.simkit-send").click()
    hint = player.locator(".simkit-hint")
    expect(hint).to_contain_text("5 000" if lang == "ru" else "5,000")
    assert ("символ" in hint.inner_text()) if lang == "ru" else ("characters" in hint.inner_text())
    assert box.input_value() == novel and trainee_lines(page) == []  # nothing sent, the text kept to be shortened
    with Store(server.db_url) as store:
        assert all(not a["replies"] for a in store.attempts(trainee=trainee))
    short = "Здравствуйте! Чем могу помочь?" if lang == "ru" else "Hello! How can I help?"
    send_reply(page, short, [], lang)
    assert trainee_lines(page) == [short]
