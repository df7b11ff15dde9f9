"""Steps on the apps' pages, by the stable CSS classes of docs/apps.md (the contract with the apps).

ipywidgets puts a widget's classes on its outer element: a Button or ToggleButton *is* the
``<button>``; a Text, Textarea, Dropdown or BoundedIntText wraps its control, so the control is
selected inside it (``.simkit-reply textarea``, ``.simkit-param-percent input``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from playwright.sync_api import expect

import simkit
from simkit.content.kit import Kit
from simkit.content.scenario_model import Action
from simkit.content.vocabulary import ACTIONS
from simkit.engine.generation import ScenarioInstance
from simkit.i18n.names import names
from simkit.store import Store

from .jupyter import JupyterServer

RENDER_TIMEOUT_MS = 90_000  # a Voilà page: kernel start, the notebook run, then the widgets drawn
CELL_ERROR = "There was an error when executing cell"
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|\b\w+Error: ")


def open_voila(page: Any, server: JupyterServer, notebook: str, ready: str, timeout: int = RENDER_TIMEOUT_MS) -> None:
    """Open a notebook's Voilà page and wait until ``ready`` (a selector) is visible."""
    page.goto(server.voila(notebook), wait_until="commit", timeout=timeout)
    try:
        page.locator(ready).first.wait_for(state="visible", timeout=timeout)
    except Exception:
        assert_no_cell_error(page)
        raise


def assert_no_cell_error(page: Any) -> None:
    """No cell of the Voilà page failed, and no traceback is on the screen."""
    body = page.locator("body").inner_text(timeout=5_000)
    assert CELL_ERROR not in body, f"a cell failed in Voilà:\n{body[-2000:]}"
    assert not TRACEBACK.search(body), f"a traceback reached the page:\n{body[-2000:]}"
    expect(page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")).to_have_count(0)


def identify(page: Any, name: str, lang: str, cohort: str = "") -> None:
    """Choose the language, type the trainee's name (and cohort) and confirm it on the trainee bar."""
    bar = page.locator(".simkit-identity").first
    bar.locator(".simkit-lang button", has_text=re.compile(rf"^\s*{lang.upper()}\s*$")).click()
    expect(bar.locator(".simkit-lang button.mod-active")).to_have_text(re.compile(lang.upper()))
    bar.locator(".simkit-name input").fill(name)
    if cohort:
        bar.locator(".simkit-cohort input").fill(cohort)
    bar.locator("button.simkit-confirm").click()
    expect(bar.locator(".simkit-identity-ok")).to_be_visible()


def start_scenario(page: Any, kit: Kit, scenario_id: str, lang: str) -> None:
    """Pick a scenario in the player by its title and press Start; wait for the customer's first line."""
    player = page.locator(".simkit-player").first
    title = kit.scenario(scenario_id).title.get(lang)
    player.locator(".simkit-scenario select").select_option(label=title)
    player.locator("button.simkit-start").click()
    expect(player.locator(".simkit-msg-customer").first).to_be_visible()
    expect(player.locator("button.simkit-send")).to_be_visible()


def choose_actions(scope: Any, actions: Sequence[Action], lang: str) -> None:
    """Toggle each action on and set its parameter with the proper control (department list, percent, hours)."""
    departments = names("department", lang)
    for action in actions:
        toggle = scope.locator(f"button.simkit-action-{action.id}")
        toggle.click()
        expect(toggle).to_have_class(re.compile(r"\bmod-active\b"))
        kind = ACTIONS[action.id]
        if kind == "department":
            assert action.department is not None
            scope.locator(".simkit-param-department select").select_option(label=departments[action.department])
        elif kind == "percent" and action.percent is not None:
            _type_number(scope.locator(".simkit-param-percent input"), action.percent)
        elif kind == "hours" and action.hours is not None:
            _type_number(scope.locator(".simkit-param-hours input"), action.hours)


def _type_number(field: Any, value: float) -> None:
    # a BoundedIntText sends its value on Enter or when it loses focus
    field.fill(str(int(value)))
    field.press("Enter")


def customer_lines(page: Any) -> list[str]:
    """The customer's lines in the player's chat, without the speaker's name."""
    return [_line_text(t) for t in page.locator(".simkit-player .simkit-msg-customer").evaluate_all(_BUBBLE_TEXT)]


def trainee_lines(page: Any) -> list[str]:
    """The trainee's lines in the player's chat, without the speaker's name and the actions."""
    return [_line_text(t) for t in page.locator(".simkit-player .simkit-msg-trainee").evaluate_all(_BUBBLE_TEXT)]


# a bubble's own text: its text nodes, without the speaker span and the actions span
_BUBBLE_TEXT = """els => els.map(el => Array.from(el.childNodes)
    .filter(n => n.nodeType === Node.TEXT_NODE
        || !(n.classList.contains('simkit-msg-who') || n.classList.contains('simkit-msg-actions')))
    .map(n => n.textContent).join(''))"""


def _line_text(text: str) -> str:
    return normalized(text)


def send_reply(page: Any, text: str, actions: Sequence[Action], lang: str, double: bool = False) -> None:
    """Type a reply, choose its actions, press Send (or double-click it), and wait until the reply is in the chat."""
    player = page.locator(".simkit-player").first
    before = player.locator(".simkit-msg-trainee").count()
    player.locator(".simkit-reply textarea").fill(text)
    choose_actions(player, actions, lang)
    send = player.locator("button.simkit-send")
    if double:
        send.dblclick()
    else:
        send.click()
    expect(player.locator(".simkit-msg-trainee")).to_have_count(before + 1)


def attempt_id(page: Any, scope: str = ".simkit-player") -> str:
    """The attempt id the status line carries (``data-attempt``) once the attempt is recorded."""
    status = page.locator(f"{scope} .simkit-status").first
    expect(status).to_have_attribute("data-state", "stored")
    value = status.get_attribute("data-attempt")
    assert value, "the status line carries no attempt id"
    return str(value)


def first_model_reply(kit: Kit, scenario_id: str, lang: str, customer: str) -> tuple[str, list[Action]]:
    """The first turn's model reply for the customer on the screen, in a scenario where it depends on the name only.

    The player draws a random variant; its seed is known only once the first reply is stored.
    """
    scenario = kit.scenario(scenario_id)
    variants = {
        (i.turns[0].model_reply.replace(i.customer.name, "{name}"), tuple(i.turns[0].model_actions))
        for i in (simkit.generate(scenario, seed, lang) for seed in range(1, 6))
    }
    assert len(variants) == 1, f"{scenario_id}: the first model reply depends on more than the name; pick another scenario"
    template, actions = variants.pop()
    return template.replace("{name}", customer), list(actions)


def shown_customer(page: Any) -> str:
    """The customer's name as the player's chat shows it."""
    return str(page.locator(".simkit-player .simkit-msg-customer .simkit-msg-who").first.inner_text()).strip()


def stored_attempt(server: JupyterServer, attempt: str) -> dict[str, Any]:
    """One attempt from the server's store."""
    with Store(server.db_url) as store:
        return store.attempt(attempt)


def played_instance(server: JupyterServer, kit: Kit, attempt: str) -> ScenarioInstance:
    """The instance the page is playing: the stored attempt's scenario, seed and language, generated again."""
    stored = stored_attempt(server, attempt)
    return simkit.generate(kit.scenario(stored["scenario_id"]), stored["seed"], stored["lang"])


def normalized(text: str) -> str:
    """``text`` with its white space made single spaces (as the chat shows it)."""
    return " ".join(text.split())
