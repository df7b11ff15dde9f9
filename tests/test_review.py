"""A model reply the scorer reads as hurtful is flagged where it is written (engine.review)."""

from __future__ import annotations

import shutil
from pathlib import Path

from simkit.apps import authoring_state as state
from simkit.content.kit import Kit, load_kit
from simkit.engine.review import HURTFUL, review_model_replies

from .conftest import FIXTURES, ROOT

SCENARIO = "scenarios/mini.yaml"
KIND = 'en: "Hello, {{ customer.name }}! Sorry. I\'m passing this to quality control."'
HURTFUL_REPLY = 'en: "Hello, {{ customer.name }}. You should have read the manual before using it. Not my problem, really."'


def _hurtful_text(kit: Path) -> str:
    text = (kit / SCENARIO).read_text(encoding="utf-8")
    assert KIND in text
    return text.replace(KIND, HURTFUL_REPLY)


def test_no_shipped_model_reply_reads_as_hurtful(kit: Kit) -> None:
    assert review_model_replies(kit) == []


def test_a_hurtful_model_reply_is_warned_of_at_its_line_with_the_words(minikit: Path) -> None:
    assert review_model_replies(load_kit(minikit)) == []
    text = _hurtful_text(minikit)
    (minikit / SCENARIO).write_text(text, encoding="utf-8")
    problems = review_model_replies(load_kit(minikit))
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "You should have read" in row)
    assert {p.message.split(" reads as ")[1].split(":")[0] for p in problems} == {"blame_customer", "dismissive"}
    assert all(p.warning and p.code == "hurtful-model-reply" for p in problems)
    assert all((p.path, p.line) == (SCENARIO, line) for p in problems)
    assert all("turn 'opening' (en)" in p.message for p in problems)
    assert any('"Not my problem"' in p.message for p in problems)
    assert {p.message.split(" reads as ")[1].split(":")[0] for p in problems} <= set(HURTFUL)


def test_the_authoring_check_shows_the_warning_and_still_lets_the_text_be_saved(minikit: Path) -> None:
    shutil.copytree(ROOT / "schemas", minikit / "schemas")  # the authoring page checks a copy with them
    checked = state.check_text(minikit, SCENARIO, _hurtful_text(minikit))
    try:
        codes = [located.problem.code for located in checked.problems]
        assert codes.count("hurtful-model-reply") == 2
        assert checked.kit is not None  # a warning, not a problem: the kit still loads
    finally:
        checked.close()


def test_the_minikit_fixture_reads_kindly_in_both_languages() -> None:
    # the other fixtures build on this kit: a warning here would show in every one of them
    assert review_model_replies(load_kit(FIXTURES / "minikit")) == []
