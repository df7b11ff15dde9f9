"""Day 1 escalation drills and day 2 routing drills as Voilà pages, in Russian and English.

Each deck shows its first drill (the decks are built from a fixed seed, so the test builds the same
drill with the engine). A wrong answer and then the model answer to the next drill are given by
clicking; the page's verdict must be the engine's verdict, and each answer must be in the store
under the trainee, in mode "drill".
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from simkit.content.kit import Kit
from simkit.content.scenario_model import Action
from simkit.engine.drills import DEFAULT_SEED, TITLES, Drill, DrillKind, build_drills
from simkit.i18n import gettext
from simkit.i18n.names import names
from simkit.store import Store

from .jupyter import JupyterServer
from .pages import RENDER_TIMEOUT_MS, assert_no_cell_error, choose_actions, identify, open_voila

LANGS = ["ru", "en"]


def _deck(page: Any, kind: DrillKind, lang: str) -> Any:
    deck = page.locator(".simkit-drills").filter(has=page.locator("h3", has_text=gettext(lang, TITLES[kind])))
    expect(deck).to_have_count(1)
    return deck


def _answer(deck: Any, drill: Drill, text: str, actions: list[Action], lang: str) -> None:
    """Check the card shows this drill's customer line, answer it, and wait for the verdict."""
    expect(deck.locator(".simkit-chat .simkit-msg-customer")).to_contain_text(" ".join(drill.customer_line.split()))
    deck.locator(".simkit-reply textarea").fill(text)
    choose_actions(deck, actions, lang)
    deck.locator("button.simkit-drill-answer").click()
    expect(deck.locator(".simkit-drill-verdict .simkit-passed, .simkit-drill-verdict .simkit-not-passed")).to_be_visible()


def _check_verdict(deck: Any, drill: Drill, text: str, actions: list[Action], lang: str) -> None:
    """The verdict on the page is the engine's: passed or not, and each of the drill's rules kept or broken."""
    verdict = drill.judge(text, actions).explained(drill.kit, lang)
    shown = deck.locator(".simkit-drill-verdict")
    expect(shown.locator(".simkit-passed" if verdict.passed else ".simkit-not-passed")).to_be_visible()
    items = shown.locator("li[data-rule]")
    expect(items).to_have_count(len(verdict.focus_verdicts()))
    on_page = {(li.get_attribute("data-rule"), li.get_attribute("data-status")) for li in items.all()}
    assert on_page == {(v.rule_id, v.status) for v in verdict.focus_verdicts()}
    for failed in verdict.failed:  # each broken rule cites its clause
        card = shown.locator(f".simkit-verdict[data-rule='{failed.rule_id}']")
        expect(card.locator(".simkit-clause")).to_be_visible()
        if not failed.clause.common_practice:
            expect(card.locator(".simkit-clause")).to_contain_text(failed.clause.section)


def _stored_drills(server: JupyterServer, trainee: str) -> list[dict[str, Any]]:
    with Store(server.db_url) as store:
        return store.attempts(trainee=trainee)


def _wrong(drill: Drill) -> list[Action]:
    """The model answer's actions without those the drill looks for."""
    expected = {a.id for a in drill.expected}
    return [a for a in drill.turn.model_actions if a.id not in expected]


@pytest.mark.parametrize("lang", LANGS)
def test_day1_escalation_drill_gives_its_verdict(page: Any, server: JupyterServer, kit: Kit, lang: str) -> None:
    trainee = f"Эмма Эскалация {lang}" if lang == "ru" else f"Emma Escalation {lang}"
    open_voila(page, server, "day1_rules.ipynb", ".simkit-drills", timeout=RENDER_TIMEOUT_MS)
    identify(page, trainee, lang)
    deck = _deck(page, "escalation", lang)
    first, second = build_drills(kit, "escalation", lang, DEFAULT_SEED)[:2]

    # the first drill answered with words only: the expected action is missing
    text = "Понимаю вас, сейчас разберёмся." if lang == "ru" else "I understand, let me look into it."
    wrong = _wrong(first)
    _answer(deck, first, text, wrong, lang)
    _check_verdict(deck, first, text, wrong, lang)
    expect(deck.locator(".simkit-drill-verdict .simkit-not-passed")).to_be_visible()
    expect(deck.locator(".simkit-drill-verdict .simkit-expected")).to_be_visible()

    # the next drill answered as the script's model answer: passed
    deck.locator("button.simkit-drill-next").click()
    model = list(second.turn.model_actions)
    _answer(deck, second, second.model_reply, model, lang)
    _check_verdict(deck, second, second.model_reply, model, lang)
    expect(deck.locator(".simkit-drill-verdict .simkit-passed")).to_be_visible()

    stored = _stored_drills(server, trainee)
    assert [(a["mode"], a["scenario_id"], [r["reply"] for r in a["replies"]]) for a in stored] == [
        ("drill", first.instance.scenario_id, [text]),
        ("drill", second.instance.scenario_id, [second.model_reply]),
    ]
    assert_no_cell_error(page)


@pytest.mark.parametrize("lang", LANGS)
def test_day2_routing_drill_gives_its_verdict(page: Any, server: JupyterServer, kit: Kit, lang: str) -> None:
    trainee = f"Роман Маршрут {lang}" if lang == "ru" else f"Roman Routing {lang}"
    open_voila(page, server, "day2_procedures.ipynb", ".simkit-drills", timeout=RENDER_TIMEOUT_MS)
    identify(page, trainee, lang)
    deck = _deck(page, "routing", lang)
    first, second = build_drills(kit, "routing", lang, DEFAULT_SEED)[:2]

    # the first claim routed to a wrong department
    right = {a.department for a in first.expected if a.id == "route_department"}
    assert right, f"the routing drill {first.id} expects no department"
    wrong_department = next(d for d in names("department", lang) if d not in right)
    actions = [*_wrong(first), Action(id="route_department", department=wrong_department)]
    text = "Передаю вашу заявку коллегам." if lang == "ru" else "I am passing your claim to my colleagues."
    _answer(deck, first, text, actions, lang)
    _check_verdict(deck, first, text, actions, lang)
    expect(deck.locator(".simkit-drill-verdict .simkit-not-passed")).to_be_visible()
    # the verdict names the right department, by its name in the screen's language
    expected = deck.locator(".simkit-drill-verdict .simkit-expected")
    for department in right:
        assert department is not None
        expect(expected).to_contain_text(names("department", lang)[department])

    # the next claim routed as the model answer does
    deck.locator("button.simkit-drill-next").click()
    model = list(second.turn.model_actions)
    _answer(deck, second, second.model_reply, model, lang)
    _check_verdict(deck, second, second.model_reply, model, lang)
    expect(deck.locator(".simkit-drill-verdict .simkit-passed")).to_be_visible()
    expect(deck.locator(".simkit-status")).to_have_attribute("data-state", "stored")

    stored = _stored_drills(server, trainee)
    assert [(a["mode"], a["scenario_id"]) for a in stored] == [
        ("drill", first.instance.scenario_id),
        ("drill", second.instance.scenario_id),
    ]
    (reply,) = stored[0]["replies"]
    assert sorted(reply["actions"], key=str) == sorted((a.model_dump(exclude_none=True) for a in actions), key=str)
    assert re.search(r"\S", deck.locator(".simkit-drill-verdict").inner_text())
    assert_no_cell_error(page)
