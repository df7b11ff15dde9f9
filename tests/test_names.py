"""Display names: every vocabulary id has an English name and its own Russian one; unknown ids raise."""

from __future__ import annotations

import re

import pytest

from simkit.content import vocabulary
from simkit.errors import SimkitError
from simkit.i18n.names import KINDS_OF_NAME, UnknownName, mood_word, name, names

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)

# every vocabulary a person meets, from the tuples the content is validated against
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "action": tuple(vocabulary.ACTIONS),
    "behavior": vocabulary.BEHAVIORS,
    "department": vocabulary.DEPARTMENTS,
    "kind": vocabulary.KINDS,
    "outcome": vocabulary.OUTCOMES,
    "channel": vocabulary.CHANNELS,
    "category": vocabulary.CATEGORIES,
    "severity": vocabulary.SEVERITIES,
    "topic": vocabulary.TOPICS,
}


def _requirements() -> tuple[str, ...]:
    """The requirement ids the readiness judge gives, read from a real verdict on no evidence."""
    from simkit.content.kit import load_kit
    from simkit.reports.readiness import judge

    kit = load_kit()
    return tuple(r.requirement for r in judge(kit.readiness, kit, "nobody", []).reasons)


def _modes() -> tuple[str, ...]:
    from typing import get_args

    from simkit.store.records import Mode

    return get_args(Mode)


def test_every_kind_of_name_is_checked_here() -> None:
    assert set(KINDS_OF_NAME) == {*VOCABULARIES, "mode", "verdict", "requirement"}


@pytest.mark.parametrize("kind", sorted(VOCABULARIES))
def test_every_vocabulary_id_has_a_distinct_russian_name(kind: str) -> None:
    ids = VOCABULARIES[kind]
    _check(kind, ids)
    assert list(names(kind, "en")) == list(ids), "names() lists the vocabulary in its own order"


def test_every_readiness_requirement_and_verdict_has_a_name() -> None:
    requirements = _requirements()
    assert "min_attempts" in requirements and any(r.startswith("min_category_score:") for r in requirements)
    _check("requirement", requirements)
    from typing import get_args

    from simkit.reports.readiness import Verdict

    _check("verdict", get_args(Verdict))


def test_every_stored_mode_has_a_name() -> None:
    modes = _modes()
    assert "practice" in modes
    _check("mode", modes)


def _check(kind: str, ids: tuple[str, ...]) -> None:
    english = {i: name(kind, i, "en") for i in ids}
    russian = {i: name(kind, i, "ru") for i in ids}
    for i in ids:
        assert english[i].strip(), f"{kind} {i}: empty English name"
        assert russian[i].strip() and russian[i] != english[i], f"{kind} {i}: no Russian translation of {english[i]!r}"
        assert CYRILLIC.search(russian[i]), f"{kind} {i}: Russian name {russian[i]!r} has no Cyrillic"
        assert russian[i] != i, f"{kind} {i}: the id is shown as its Russian name"
    # two ids with one name could not be told apart in a list
    for lang, shown in (("en", english), ("ru", russian)):
        assert len(set(shown.values())) == len(shown), f"{kind}: two ids share a {lang} name: {sorted(shown.values())}"


def test_a_category_score_requirement_names_its_category() -> None:
    assert name("requirement", "min_category_score:etiquette", "ru") == "Балл по разделу «этикет»"
    assert name("requirement", "min_category_score:etiquette", "en") == "Category score: etiquette"


@pytest.mark.parametrize(
    ("kind", "id", "words"),
    [
        ("action", "fly_to_the_moon", ["action", "fly_to_the_moon", "escalate_supervisor"]),
        ("behavior", "", ["behavior", "greeting"]),
        ("requirement", "min_category_score:charm", ["category", "charm", "etiquette"]),
        ("colour", "red", ["colour", "action", "behavior"]),
    ],
)
def test_an_unknown_id_raises_naming_it_and_the_known_ones(kind: str, id: str, words: list[str]) -> None:
    with pytest.raises(UnknownName) as raised:
        name(kind, id, "ru")
    assert isinstance(raised.value, SimkitError)
    for word in words:
        assert word in str(raised.value)


def test_names_of_an_unknown_kind_raise() -> None:
    with pytest.raises(UnknownName, match="no display names for 'colours'"):
        names("colours", "en")


def test_ids_reports_meet_beyond_the_vocabulary_are_named_but_not_offered() -> None:
    assert name("kind", "real_transcript", "ru") == "реальная переписка"
    assert name("outcome", "unfinished", "en") == "unfinished"
    assert "real_transcript" not in names("kind", "ru")


def test_names_follow_the_language() -> None:
    assert names("department", "ru")["quality"] == "Отдел качества"
    assert names("department", "en")["quality"] == "Quality department"
    assert name("action", "route_department", "xx") == "Route to a department"  # no catalogue: English


def test_mood_words_rise_with_the_anger() -> None:
    for lang in ("ru", "en"):
        words = [mood_word(a, lang) for a in range(11)]
        bands = [w for i, w in enumerate(words) if i == 0 or words[i - 1] != w]
        assert len(bands) == 5, words
        assert words[0] != words[10]
    assert mood_word(0, "en") == "calm" and mood_word(10, "en") == "about to hang up"
    assert mood_word(5, "en") == "irritated"
    assert all(CYRILLIC.search(mood_word(a, "ru")) for a in range(11))
    assert mood_word(-3, "en") == mood_word(0, "en") and mood_word(14, "ru") == mood_word(10, "ru")
