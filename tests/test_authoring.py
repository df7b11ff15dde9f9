"""Authoring: located checks in a throwaway copy, previews in both languages, a rule edit's impact, safe saving, hostile text."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from simkit.apps import authoring_state as state
from simkit.apps.authoring import Authoring, impact_html, problems_html, variants_html
from simkit.content.kit import Kit, check_kit, load_kit
from simkit.engine.dialogue import Dialogue, StepClock, play_model
from simkit.engine.generation import generate
from simkit.store.database import Store
from simkit.store.records import TurnScoreRow, VerdictRow

RULES = "rulebook/rules/etiquette.yaml"
SCENARIO = "discount-demand-sports-food"
LENIENT = """# yaml-language-server: $schema=../schemas/readiness.schema.json
window_days: 14
min_attempts: 2
min_score: 0
min_category_scores:
  etiquette: 0
max_critical_failures: 0
required_kinds: [discount_demand]
count_real_transcripts: false
modes: [practice, session, assessment]
about:
  ru: "Политика для проверки правки правил"
  en: "A policy for checking a rule edit"
"""
CALM_DOWN = "Calm down."
HOSTILE_NAME = "Вера <b>Ш</b>"


def _critical_calm_down(text: str) -> str:
    start = text.index("  - id: no-calm-down-command")
    head, tail = text[:start], text[start:]
    return head + tail.replace("    severity: major", "    severity: critical", 1)


def _says_calm_down(kit: Kit, seed: int) -> object:
    """Model replies in English, the first with "Calm down." added: the only slip."""
    instance = generate(kit.scenario(SCENARIO), seed, "en")
    dialogue = Dialogue(instance, kit, StepClock())
    first = True
    while dialogue.turn is not None and len(dialogue.exchanges) < 3 * len(instance.turns):
        turn = dialogue.turn
        dialogue.reply(turn.model_reply + (" " + CALM_DOWN if first else ""), list(turn.model_actions))
        first = False
    return dialogue.result()


@pytest.fixture
def lenient_copy(shipped_copy: Path) -> Path:
    (shipped_copy / "rulebook" / "readiness.yaml").write_text(LENIENT, encoding="utf-8")
    return shipped_copy


def test_a_broken_edit_is_located_in_a_throwaway_copy_and_the_file_stays(shipped_copy: Path) -> None:
    original = (shipped_copy / RULES).read_text(encoding="utf-8")
    broken = original.replace("    severity: major", "    severity: <script>", 1)
    line = broken.splitlines().index("    severity: <script>") + 1
    checked = state.check_text(shipped_copy, RULES, broken)
    try:
        assert checked.kit is None
        located = [p for p in checked.problems if p.problem.code == "bad-value"]
        assert [(p.problem.path, p.problem.line, p.problem.column) for p in located] == [(RULES, line, 15)]
        assert located[0].excerpt.splitlines() == ["        severity: <script>", " " * 18 + "^"]
        shown = problems_html(checked, "en")
        assert f"{RULES}:{line}:15" in shown and "&lt;script&gt;" in shown and "<script>" not in shown
    finally:
        checked.close()
    assert (shipped_copy / RULES).read_text(encoding="utf-8") == original
    assert not checked.copy.exists()
    clean = state.check_text(shipped_copy, RULES, original)
    assert clean.kit is not None and clean.problems == []
    assert 'data-problems="0"' in problems_html(clean, "ru")
    clean.close()


def test_the_app_checks_the_editor_text_and_refuses_to_save_a_broken_one(shipped_copy: Path) -> None:
    app = Authoring(lang="en", root=shipped_copy)
    app.files.value = RULES
    original = app.text.value
    assert original == (shipped_copy / RULES).read_text(encoding="utf-8")
    app.text.value = original.replace("  - id: no-calm-down-command", "  - id: no-calm-down-command\n    colour: red", 1)
    assert app.save() is False
    assert 'data-code="unknown-key"' in app.problems.value and "Not saved" in app.problems.value
    assert (shipped_copy / RULES).read_text(encoding="utf-8") == original
    assert not (shipped_copy / (RULES + ".bak")).exists()


def test_saving_writes_the_whole_file_and_keeps_a_backup(shipped_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = shipped_copy / RULES
    original = file.read_text(encoding="utf-8")
    edited = _critical_calm_down(original)
    app = Authoring(lang="ru", root=shipped_copy)
    app.files.value = RULES
    app.text.value = edited
    assert app.save() is True
    assert "etiquette.yaml.bak" in app.problems.value
    assert file.read_text(encoding="utf-8") == edited
    assert (shipped_copy / (RULES + ".bak")).read_text(encoding="utf-8") == original
    assert sorted(p.name for p in file.parent.iterdir() if p.name.startswith(".")) == []  # no temporary file left
    kit = load_kit(shipped_copy)  # the backup is not read as a rule file
    assert kit.rules["no-calm-down-command"].severity == "critical"

    # a write that fails half way leaves the file as it was and no temporary file behind
    def fail(_source: object, _target: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(state.os, "replace", fail)
    with pytest.raises(OSError):
        state.save_content(shipped_copy, RULES, original)
    assert file.read_text(encoding="utf-8") == edited
    assert sorted(p.name for p in file.parent.iterdir() if p.name.startswith(".")) == []


def test_preview_in_both_languages_plays_the_model_replies(kit: Kit) -> None:
    variants = state.preview(kit, SCENARIO, 5)
    assert set(variants) == {"ru", "en"}
    ru, en = variants["ru"], variants["en"]
    assert ru.instance.customer.gender == en.instance.customer.gender  # the same draw in both languages
    assert ru.instance.lang == "ru" and en.instance.lang == "en"
    for variant in (ru, en):
        replies = [e.reply for e in variant.result.exchanges]
        assert replies and replies == [variant.instance.turn(e.turn.id).model_reply for e in variant.result.exchanges]
        expected = play_model(variant.instance, kit)
        assert (variant.result.outcome, variant.result.score) == (expected.outcome, expected.score)
    shown = variants_html(kit, SCENARIO, 5, "en")
    assert 'data-lang="ru"' in shown and 'data-lang="en"' in shown
    assert en.instance.turns[0].customer.split()[0] in shown and ru.instance.title in shown
    assert f"{en.result.score:g}/100" in shown


def test_making_a_rule_critical_shows_who_would_move(lenient_copy: Path, db: str) -> None:
    current = load_kit(lenient_copy)
    url = db
    with Store(url) as store:
        for seed in (1, 2):
            store.save_attempt(play_model(generate(current.scenario(SCENARIO), seed, "en"), current), "Олег", "practice")
        store.save_attempt(_says_calm_down(current, 3), HOSTILE_NAME, "practice")  # type: ignore[arg-type]
        store.save_attempt(play_model(generate(current.scenario(SCENARIO), 4, "en"), current), HOSTILE_NAME, "practice")
        with store.session(write=False) as s:
            rows_before = (
                s.scalar(select(func.count()).select_from(VerdictRow)),
                s.scalar(select(func.count()).select_from(TurnScoreRow)),
            )

    app = Authoring(lang="en", root=lenient_copy, store_url=url)
    app.files.value = RULES
    app.text.value = _critical_calm_down(app.text.value)
    app.show_impact()
    shown = app.impact.value
    assert 'data-trainee="Вера &lt;b&gt;Ш&lt;/b&gt;"' in shown and "<b>Ш</b>" not in shown
    assert 'data-before="ready" data-after="not_ready"' in shown
    assert 'data-rule="no-calm-down-command"' in shown and "Олег" not in shown

    edited = app._edited_kit()
    assert edited is not None
    with Store(url) as store:
        found = state.rule_impact(store, current, edited)
        with store.session(write=False) as s:  # nothing was written
            rows_after = (
                s.scalar(select(func.count()).select_from(VerdictRow)),
                s.scalar(select(func.count()).select_from(TurnScoreRow)),
            )
    assert rows_after == rows_before
    assert [(m.trainee, m.before, m.after) for m in found.moves] == [(HOSTILE_NAME, "ready", "not_ready")]
    assert [r.requirement for r in found.moves[0].requirements if r.met_changed] == ["max_critical_failures"]
    assert [(r.rule_id, r.what, r.replies) for r in found.moves[0].rules] == [("no-calm-down-command", "severity", 1)]
    assert [(r.rule, r.replies, r.severity, r.trainees) for r in found.rules] == [("no-calm-down-command", 1, 1, (HOSTILE_NAME,))]
    assert {r.trainee: r.verdict for r in found.before} == {"Олег": "ready", HOSTILE_NAME: "ready"}
    assert found.replies > 0 and found.skipped == 0
    shown_ru = impact_html(found, "ru", (edited, current))
    assert "Вера &lt;b&gt;" in shown_ru and edited.rules["no-calm-down-command"].title.ru in shown_ru


def test_an_unchanged_kit_changes_nothing(lenient_copy: Path, tmp_path: Path) -> None:
    kit = load_kit(lenient_copy)
    with Store(f"sqlite:///{tmp_path / 'same.db'}") as store:
        store.save_attempt(_says_calm_down(kit, 3), "Олег", "practice")  # type: ignore[arg-type]
        found = state.rule_impact(store, kit, kit)
    assert found.moves == () and found.rules == ()
    assert "No stored reply would be judged differently" in impact_html(found, "en")


@pytest.mark.parametrize(
    "text, code",
    [
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
            "alias-bomb",
        ),
        ("# big\n" + "x: " + "y" * (state.MAX_BYTES + 10) + "\n", "too-big"),
    ],
    ids=["billion-laughs", "huge"],
)
def test_hostile_text_gives_a_message_in_bounded_time(shipped_copy: Path, text: str, code: str) -> None:
    with pytest.raises(state.AuthoringError) as raised:
        state.guard(RULES, text)
    assert raised.value.code == code
    app = Authoring(lang="ru", root=shipped_copy)
    app.files.value = RULES
    app.text.value = text
    started = time.monotonic()
    assert app.check() is None
    assert app.save() is False
    app.show_preview()
    app.show_impact()
    assert time.monotonic() - started < 10
    assert "Traceback" not in app.problems.value and 'class="simkit-hint"' in app.problems.value
    assert (shipped_copy / RULES).read_text(encoding="utf-8") != text
    kit, problems = check_kit(shipped_copy)
    assert kit is not None and problems == []


def test_a_huge_file_on_disk_opens_with_a_message(shipped_copy: Path) -> None:
    (shipped_copy / RULES).write_text("# x\n" + "a: b\n" * (state.MAX_BYTES // 4), encoding="utf-8")
    app = Authoring(lang="en", root=shipped_copy)
    app.files.value = RULES
    assert app.text.value == "" and "too large" in app.problems.value


def test_only_content_files_are_opened(shipped_copy: Path) -> None:
    files = state.content_files(shipped_copy)
    assert RULES in files and "rulebook/readiness.yaml" in files and any(f.startswith("scenarios/") for f in files)
    assert any(f.startswith("rulebook/jobs/") for f in files)
    with pytest.raises(state.AuthoringError):
        state.read_content(shipped_copy, "../etc/passwd")
    with pytest.raises(state.AuthoringError):
        state.save_content(shipped_copy, "schemas/rules.schema.json", "{}")


def test_a_check_holds_only_for_the_text_it_checked(shipped_copy: Path) -> None:
    app = Authoring(lang="en", root=shipped_copy)
    app.files.value = RULES
    checked = app.check()
    assert checked is not None and checked.kit is not None
    app.text.value = app.text.value.replace("    severity: major", "    severity: huge", 1)
    assert app.checked is None and not checked.copy.exists()
    assert app._edited_kit() is None  # the edited text is checked again, and it is broken
    assert 'data-code="bad-value"' in app.problems.value
