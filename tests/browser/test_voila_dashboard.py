"""HR in Voilà: the dashboard lists the cohort, opens a trainee, records a decision, and the exported page holds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from simkit.content.kit import Kit
from simkit.engine.dialogue import play_model
from simkit.engine.generation import generate
from simkit.store import Store
from simkit.store.decisions import decision_history

from .jupyter import JupyterServer
from .pages import RENDER_TIMEOUT_MS, assert_no_cell_error, open_voila

REASON = "Проверено на встрече <b>с руководителем</b>"


def test_hr_records_a_decision_and_exports_it(page: Any, server: JupyterServer, kit: Kit) -> None:
    with Store(server.db_url) as store:
        for seed in (1, 2):
            store.save_attempt(
                play_model(generate(kit.scenario("late-delivery-fridge"), seed, "ru"), kit), "Анна", "practice", cohort="HR-1"
            )
        store.save_attempt(
            play_model(generate(kit.scenario("discount-demand-sports-food"), 1, "ru"), kit), "Борис", "practice", cohort="HR-2"
        )
    open_voila(page, server, "hr_readiness.ipynb", ".simkit-cohort-table")
    assert_no_cell_error(page)
    board = page.locator(".simkit-dashboard")
    expect(board.locator('tr[data-trainee="Анна"]')).to_have_attribute("data-verdict", "insufficient_evidence")
    expect(board.locator("tr[data-trainee]")).to_have_count(2)
    board.locator(".simkit-dashboard-cohort select").select_option(label="HR-1")  # the filter by cohort
    expect(board.locator("tr[data-trainee]")).to_have_count(1)
    board.locator(".simkit-trainee-pick input").fill("Анна")
    board.locator("button.simkit-trainee-open").click()
    expect(board.locator('.simkit-trainee h3[data-trainee="Анна"]')).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(board.locator('.simkit-trainee tr[data-requirement="min_attempts"]')).to_have_attribute("data-met", "false")
    board.locator(".simkit-decision-reason textarea").fill(REASON)
    board.locator(".simkit-decision-who input").fill("Ирина из HR")
    board.locator("button.simkit-decision-record").click()
    expect(board.locator('.simkit-decision-note[data-state="recorded"]')).to_be_visible()
    expect(board.locator('tr[data-trainee="Анна"] span[data-decision="insufficient_evidence"]')).to_be_visible()
    with Store(server.db_url) as store:
        history = decision_history(store, "Анна")
    assert [(d.decision, d.who, d.reason, d.rulebook_hash) for d in history] == [
        ("insufficient_evidence", "Ирина из HR", REASON, kit.rulebook_hash)
    ]
    board.locator("button.simkit-export").click()
    status = board.locator(".simkit-export-status")
    expect(status).to_be_visible()
    exported = Path(status.get_attribute("data-path") or "")
    text = exported.read_text(encoding="utf-8")
    assert "Проверено на встрече &lt;b&gt;с руководителем&lt;/b&gt;" in text and "Ирина из HR" in text
    assert 'data-decision="insufficient_evidence"' in text
    assert_no_cell_error(page)
