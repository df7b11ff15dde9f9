"""The calibration page in Voilà: a trainer reviews two stored replies blind, then reads the agreement with the scorer."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from simkit.content.kit import Kit
from simkit.engine.dialogue import play_through
from simkit.engine.generation import generate
from simkit.reports.calibration import calibration
from simkit.store import Store
from simkit.store.judgement import latest_reviews

from .jupyter import JupyterServer
from .pages import assert_no_cell_error, open_voila

HOSTILE = "<img src=x onerror=alert(1)> Здравствуйте, извините за задержку."


def test_a_trainer_reviews_two_replies_and_sees_the_agreement(page: Any, server: JupyterServer, kit: Kit) -> None:
    with Store(server.db_url) as store:
        fridge = generate(kit.scenario("late-delivery-fridge"), 5, "ru")
        store.save_attempt(play_through(fridge, [(HOSTILE, None)], kit), "Anna", "practice", cohort="C1")
        other = generate(kit.scenario("late-delivery-fridge"), 6, "ru")
        first = other.turns[0]
        store.save_attempt(play_through(other, [(first.model_reply, first.model_actions)], kit), "Anna", "practice", cohort="C1")
    open_voila(page, server, "calibration.ipynb", ".simkit-calibration")
    app = page.locator(".simkit-calibration")
    app.locator(".simkit-lang button", has_text=re.compile(r"^\s*EN\s*$")).click()
    app.locator(".simkit-trainer-name input").fill("Tatiana Trainer")
    app.locator("button.simkit-trainer-confirm").click()
    expect(app.locator("button.simkit-cal-draw")).to_be_enabled()
    size = app.locator(".simkit-cal-size input")
    size.fill("2")
    size.press("Enter")
    app.locator("button.simkit-cal-draw").click()
    expect(app.locator(".simkit-cal-progress")).to_contain_text("Reply 1 of 2")
    texts: list[str] = []  # the replies as shown (one is hostile, and must show as text)
    for number in (1, 2):
        expect(app.locator(".simkit-cal-progress")).to_contain_text(f"Reply {number} of 2")
        reply = app.locator(".simkit-cal-reply")
        expect(reply.locator(".simkit-msg-customer")).to_be_visible()
        expect(app.locator(".simkit-cal-reply img")).to_have_count(0)  # a hostile reply shows as text
        texts.append(reply.locator(".simkit-msg-trainee").inner_text())
        assert app.locator(".simkit-verdict, [data-status]").count() == 0  # no automatic verdict on the review tab
        marks = app.locator(".simkit-cal-mark")
        expect(marks.first).to_be_visible()
        expect(app.locator(".simkit-cal-mark button.mod-active")).to_have_count(0)  # nothing is preselected
        for k in range(marks.count()):
            marks.nth(k).locator("button", has_text=re.compile(r"^\s*pass\s*$")).click()
        expect(app.locator(".simkit-cal-mark button.mod-active")).to_have_count(marks.count())
        app.locator("button.simkit-cal-save").click()
        expect(app.locator(".simkit-cal-note")).to_contain_text(f"Saved: {number} of 2.")
    assert any("<img src=x onerror=alert(1)>" in t for t in texts)
    page.get_by_role("tab", name="Agreement").click()
    overall = app.locator(".simkit-cal-report tr.simkit-cal-overall")
    expect(overall).to_be_visible()
    with Store(server.db_url) as store:
        marks_stored = latest_reviews(store, reviewers=["Tatiana Trainer"])
        expected = calibration(store, kit.rulebook_hash, "Tatiana Trainer")
    assert len({m.reply_id for m in marks_stored}) == 2 and all(m.status == "pass" for m in marks_stored)
    shown_kappa = "—" if expected.overall.kappa != expected.overall.kappa else f"{expected.overall.kappa:.2f}"
    expect(overall).to_have_attribute("data-kappa", shown_kappa)
    expect(overall).to_contain_text(f"{expected.overall.percent:.0f} %")
    assert expected.overall.n == len(marks_stored)
    expect(app.locator(".simkit-cal-disagreement")).to_have_count(len(expected.disagreements))
    assert_no_cell_error(page)
