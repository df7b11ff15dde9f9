"""The day 3 notebook in JupyterLab 4: run its cell with Shift+Enter and practise in the cell's output.

JupyterLab is the one the start command opens (token off for the test, ``--allow-root``); the
notebook is opened with a fresh workspace (``?reset``), the test waits for its kernel, runs the cell,
and plays one reply in the player drawn in the output: start, reply, feedback, stored.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from simkit.content.kit import Kit
from simkit.content.scenario_model import Action
from simkit.store import Store

from .jupyter import JupyterServer
from .pages import RENDER_TIMEOUT_MS, attempt_id, identify, send_reply, start_scenario, trainee_lines

KERNEL_IDLE = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
}"""


def test_day3_player_works_in_the_cell_output(page: Any, server: JupyterServer, kit: Kit) -> None:
    page.goto(server.lab("day3_practice.ipynb"), timeout=RENDER_TIMEOUT_MS)
    cell = page.locator(".jp-NotebookPanel .jp-CodeCell").first
    cell.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE, timeout=RENDER_TIMEOUT_MS)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")

    output = cell.locator(".jp-OutputArea")
    output.locator(".simkit-player").wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
    expect(output.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")).to_have_count(0)
    trainee = "Лариса Лаборатория"
    identify(page, trainee, "ru")
    start_scenario(page, kit, "discount-demand-sports-food", "ru")
    text = "Здравствуйте! Хорошо, дам вам скидку 10 %."
    send_reply(page, text, [Action(id="offer_discount", percent=10)], "ru")
    feedback = output.locator(".simkit-feedback")
    expect(feedback.locator(".simkit-verdict[data-severity='critical']").first).to_be_visible()
    expect(feedback.locator(".simkit-clause").first).to_be_visible()
    assert trainee_lines(page) == [text]

    attempt = attempt_id(page)
    with Store(server.db_url) as store:
        stored = store.attempt(attempt)
    assert (stored["trainee"], stored["mode"], [r["reply"] for r in stored["replies"]]) == (trainee, "practice", [text])
