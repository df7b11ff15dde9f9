"""The HR dashboard without a browser: cohort table, filters and pages, one trainee, decisions, export, what changed."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from simkit.apps.dashboard import Dashboard
from simkit.apps.dashboard_state import DashboardState
from simkit.apps.local_evidence import LocalEvidence
from simkit.content.kit import Kit, load_kit
from simkit.engine.dialogue import play_through
from simkit.engine.generation import generate
from simkit.reports.readiness import store_readiness
from simkit.store.database import Store
from simkit.store.decisions import decision_history
from simkit.store.judgement import add_override
from simkit.store.rescore import rescore

from .test_readiness import CALM, LENIENT, _calm_down_critical, _model, _store_calm_trainee


def _text(html: str) -> str:
    """What a reader sees of ``html``: the tags (and their attributes) left out."""
    return re.sub(r"<[^>]*>", " ", html)


HOSTILE = "<img src=x onerror=alert(1)> Ладно, дам вам скидку 10%."  # over the limit: a critical failure


@pytest.fixture
def filled(tmp_path: Path, shipped_copy: Path) -> tuple[str, Kit, Path]:
    """A store with three trainees in two cohorts (one with a hostile reply); the kit with the lenient policy."""
    kit = replace(load_kit(shipped_copy), readiness=LENIENT)
    url = f"sqlite:///{tmp_path / 'hr.db'}"
    with Store(url) as store:
        _store_calm_trainee(store, kit)
        store.add_trainee("Ян <b>", cohort="B")
        instance = generate(kit.scenario("discount-demand-sports-food"), 1, "ru")
        store.save_attempt(play_through(instance, [(HOSTILE, ["offer_discount:10"])], kit), "Ян <b>", "practice")
        store.add_trainee("Зоя", cohort="A")
        for seed in (1, 2):
            store.save_attempt(_model(kit, "discount-demand-sports-food", seed), "Зоя", "practice")
        store.save_attempt(_model(kit, "late-delivery-fridge", 1), "Зоя", "practice")
    return url, kit, shipped_copy


def test_the_cohort_table_filters_and_pages(filled: tuple[str, Kit, Path]) -> None:
    url, kit, _root = filled
    board = Dashboard(lang="en", kit=kit, url=url)
    assert board.state is not None and not board.error
    assert [r.readiness.trainee for r in board.rows()] == ["Жанна", "Зоя", "Ян <b>"]
    table = board._table.value
    assert 'data-trainee="Ян &lt;b&gt;"' in table and "Ян <b>" not in table and "Ян &lt;b&gt;" in table
    assert 'data-verdict="ready"' in table
    assert "insufficient evidence" in _text(table)  # verdicts by name, in the reader's language
    board.filter(cohort="B")
    assert [r.readiness.trainee for r in board.rows()] == ["Ян <b>"]
    board.filter(verdict="ready")
    assert {r.readiness.verdict for r in board.rows()} == {"ready"}
    board.filter()
    board.state.page_size = 2
    board.go(0)
    assert board._table.value.count("<tr data-trainee") == 2 and board._next.disabled is False
    board.go(5)  # past the end: the last page
    assert board.page_number == 1 and board._table.value.count("<tr data-trainee") == 1
    board.set_lang("ru")
    shown = _text(board._table.value)
    assert "недостаточно данных" in shown and "insufficient" not in shown and "Trainees" not in shown


def test_one_trainee_shows_the_evidence_escaped(filled: tuple[str, Kit, Path]) -> None:
    url, kit, _root = filled
    board = Dashboard(lang="ru", kit=kit, url=url)
    board.show("Ян <b>")
    shown = board._trainee.value
    assert "<img src=x" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown  # the reply as text
    with Store(url) as store:
        critical = {
            v["rule"]
            for a in store.attempts("Ян <b>")
            for r in a["replies"]
            for v in r["verdicts"]
            if v["status"] == "fail" and v["severity"] == "critical"
        }
    assert critical and all(f'<li data-rule="{rule}"' in shown for rule in critical)  # each with the reply behind it
    assert 'data-requirement="min_attempts"' in shown and 'data-met="false"' in shown
    missing = re.search(r'class="simkit-kinds" data-missing="([^"]*)"', shown)
    assert missing is not None and "late_delivery" in missing.group(1).split()  # a kind still missing
    assert "data:image/png;base64," in shown  # the trend plot
    assert "Критические ошибки" in _text(shown) and "Critical" not in _text(shown)


def test_a_decision_is_stored_shown_and_exported(filled: tuple[str, Kit, Path], tmp_path: Path) -> None:
    url, kit, _root = filled
    board = Dashboard(lang="en", kit=kit, url=url, export_folder=tmp_path / "out")
    board.show("Жанна")
    board._who.value = "Ирина (HR)"
    board._reason.value = ""
    board._guarded(board.record)  # as the button does: refused with a message, nothing stored
    assert 'data-state="failed"' in board._form_note.value
    with Store(url) as store:
        assert decision_history(store, "Жанна") == []
        calm = next(a for a in store.attempts("Жанна") if a["replies"][0]["reply"].startswith(CALM))
        reply = calm["replies"][0]["id"]
        add_override(store, reply, "no-calm-down-command", "pass", "Клиент сам попросил так сказать", "Тренер Пётр")
    board._action.value = "overrule"
    board._decided.value = "not_ready"
    board._reason.value = "Нужна ещё одна аттестация <script>"
    board._guarded(board.record)
    assert 'data-state="recorded"' in board._form_note.value
    with Store(url) as store:
        history = decision_history(store, "Жанна")
    assert [(d.computed, d.decision, d.who) for d in history] == [("ready", "not_ready", "Ирина (HR)")]
    assert history[0].rulebook_hash == kit.rulebook_hash
    assert 'data-decision="not_ready"' in board._table.value
    path = board.export()
    page = path.read_text(encoding="utf-8")
    assert "Нужна ещё одна аттестация &lt;script&gt;" in page and "Ирина (HR)" in page
    assert 'data-decision="not_ready"' in page
    assert "Клиент сам попросил так сказать" in page and "Тренер Пётр" in page  # the override with who and why
    assert "failed" in page and "passed" in page  # the automatic verdict beside the override
    assert "<script>" not in page


def test_what_changed_names_the_trainee_and_the_rule(tmp_path: Path, shipped_copy: Path) -> None:
    old = replace(load_kit(shipped_copy), readiness=LENIENT)
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with Store(url) as store:
        _store_calm_trainee(store, old)
        new = _calm_down_critical(shipped_copy)
        rescore(store, new, workers=1)
    board = Dashboard(lang="en", kit=new, url=url)
    assert board.state is not None and board.state.rulebook == new.rulebook_hash
    assert [r.readiness.verdict for r in board.rows()] == ["not_ready"]
    assert board._books_ready.wait(30)  # the rulebook versions are read after the first drawing
    assert board._before.value == old.rulebook_hash
    board.compare()
    shown = board._changes.value
    assert 'data-trainee="Жанна"' in shown and 'data-before="ready"' in shown and 'data-after="not_ready"' in shown
    assert 'data-rule="no-calm-down-command"' in shown and "critical" in shown


def test_an_unreachable_store_is_a_message(kit: Kit) -> None:
    board = Dashboard(lang="en", kit=kit, url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert board.state is None and board.error
    assert "cannot be read" in board._status.value and "Traceback" not in board._status.value


def test_the_dashboards_state_reads_and_writes_through_an_evidence_object(filled: tuple[str, Kit, Path]) -> None:
    url, kit, _root = filled
    state = DashboardState(LocalEvidence(url, kit), kit)
    state.load()
    with Store(url) as store:
        assert [v.trainee for v in state.verdicts] == [v.trainee for v in store_readiness(store, kit)]
    evidence = state.trainee("Зоя")
    assert len(evidence.attempts) == 3 and evidence.decisions == () and evidence.rule_rates
    assert state.verdict_of("nobody").verdict == "insufficient_evidence"  # not in the cohort: judged now
    made = state.decide("Зоя", None, "Every scenario played calmly", "Ирина")
    with Store(url) as store:
        assert decision_history(store, "Зоя") == [made]
    assert state.trainee("Зоя").decisions == (made,) and state.rows()[1].decision == made
    assert [h for h, _n in state.rulebooks()] == [kit.rulebook_hash]
    assert state.changes(kit.rulebook_hash).moved == ()
    state.evidence.close()


def test_under_the_hub_the_decision_is_the_signed_in_hr_officers(
    filled: tuple[str, Kit, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, kit, _root = filled
    monkeypatch.setenv("JUPYTERHUB_USER", "hr.irina")
    monkeypatch.setenv("SIMKIT_SERVICE_URL", "http://127.0.0.1:1/services/simkit/")
    board = Dashboard(lang="en", kit=kit, who="Someone Else", evidence=LocalEvidence(url, kit))
    assert board._who.value == "hr.irina" and board._who.disabled and "signed in" in board._who.tooltip
    board.show("Зоя")
    board._reason.value = "Calm in every scenario"
    board._guarded(board.record)
    assert 'data-state="recorded"' in board._form_note.value
    with Store(url) as store:
        assert [d.who for d in decision_history(store, "Зоя")] == ["hr.irina"]
