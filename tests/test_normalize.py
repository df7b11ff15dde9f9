"""Normalisation before detection: invisible characters, look-alike letters, compatibility forms, digits as letters."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simkit.language.detection import detector
from simkit.language.normalize import normalize, plain

DATA = Path(__file__).parent / "data"
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u200e", "\u202e", "\u2066", "\ufe0f"]


def norm(text: str, lang: str) -> str:
    return normalize(text, lang, detector(lang).known).text


@pytest.mark.parametrize("mark", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_are_dropped_and_spans_map_back(mark: str) -> None:
    text = f"Вы са{mark}ми вин{mark}оваты"
    n = normalize(text, "ru")
    assert n.text == "Вы сами виноваты"
    start = n.text.index("сами")
    a, b = n.span(start, start + len("сами"))
    assert text[a:b] == f"са{mark}ми"  # the visible word, with what hid inside it


def test_latin_look_alikes_inside_a_russian_word_become_cyrillic() -> None:
    assert norm("Вы сaми винoвaты, этo не мoя прoблемa", "ru") == "Вы сами виноваты, это не моя проблема"
    assert norm("ВЫ НЕ ПOНИМAЕТЕ", "ru") == "ВЫ НЕ ПОНИМАЕТЕ"


@pytest.mark.parametrize("word", ["iPhone", "Wi-Fi", "OK", "CRM", "ONT", "Xiaomi", "e-mail", "Samsung Galaxy"])
def test_a_word_wholly_in_another_script_is_left_alone(word: str) -> None:
    text = f"Проверьте {word}, пожалуйста."
    assert norm(text, "ru") == text


def test_cyrillic_and_greek_look_alikes_inside_an_english_word_become_latin() -> None:
    assert norm("Y\u043eu are a m\u043er\u043en", "en") == "You are a moron"
    assert norm("st\u03bfp it", "en") == "stop it"


def test_compatibility_forms_of_letters_fold_but_symbols_keep_their_meaning() -> None:
    assert norm("ｉｄｉｏｔ", "en") == "idiot"
    assert norm("\U0001d41f\U0001d42e\U0001d41c\U0001d424 this", "en") == "fuck this"
    kept = "Заказ № 15… площадь 20 м², Fairway™, 100 ₽"
    assert norm(kept, "ru") == kept


def test_combining_marks_compose_or_drop() -> None:
    n = normalize("и\u0306 ударе\u0301ние", "ru")
    assert n.text == "й ударение"
    a, b = n.span(0, 1)
    assert n.original[a:b] == "и\u0306"
    assert norm("i\u0336d\u0336i\u0336o\u0336t\u0336", "en") == "idiot"


@pytest.mark.parametrize(
    "lang, written, read",
    [
        ("ru", "6лин, п0шел", "блин, пошел"),
        ("ru", "д3бил", "дебил"),
        ("ru", "бл9", "бля"),
        ("en", "sh1t", "shit"),
        ("en", "@ss", "ass"),
        ("en", "id10t", "idiot"),
        ("en", "b!tch", "bitch"),
        ("en", "$hit", "shit"),
        # one letter is enough when the rest are symbols, never digits: "a55" may be a code
        ("en", "a pain in the a$$", "a pain in the ass"),
        ("en", "seat a55, row 3, US$ 40, $$$", "seat a55, row 3, US$ 40, $$$"),
    ],
)
def test_digits_and_symbols_read_as_letters_when_that_makes_a_word(lang: str, written: str, read: str) -> None:
    assert norm(written, lang) == read


@pytest.mark.parametrize(
    "text",
    [
        "Курьер приедет в 5pm, заказ A1234, сумма 10% от 1500 ₽, 2-х комнатная, mp3, 4G, COVID-19, 12:30, 3D",
        "Order 4G7K-19, 5pm, 10%, £40, 1st, 2nd, 24/7, B2B, mp3, Windows 11, 3D, x2, 18:00, 2.5kg, email me@test.com",
    ],
)
def test_numbers_codes_sums_and_times_stay_as_they_are(text: str) -> None:
    lang = "ru" if re.search("[а-я]", text) else "en"
    assert norm(text, lang) == text


@settings(max_examples=120, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Вы", "сами", "виноваты", "это", "не", "моя", "проблема", "Успокойтесь", "!", ",", "."]),
        min_size=1,
        max_size=12,
    ),
    st.lists(st.tuples(st.integers(min_value=0, max_value=200), st.sampled_from(INVISIBLE)), max_size=8),
)
def test_invisible_characters_anywhere_leave_the_text_and_its_spans_intact(
    words: list[str], marks: list[tuple[int, str]]
) -> None:
    clean = " ".join(words)
    dirty = clean
    for at, mark in sorted(marks, reverse=True):
        at = at % (len(dirty) + 1)
        dirty = dirty[:at] + mark + dirty[at:]
    n = normalize(dirty, "ru")
    assert n.text == clean
    for m in re.finditer(r"\w+", clean):
        a, b = n.span(m.start(), m.end())
        piece = dirty[a:b]
        assert "".join(c for c in piece if c not in INVISIBLE) == m.group()


def _replies() -> list[str]:
    out = []
    for path in sorted(DATA.glob("behaviors.*.extra.jsonl")):
        out += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


@pytest.mark.alone
def test_ordinary_replies_mostly_take_the_fast_path_and_normalising_is_cheap() -> None:
    replies = _replies()
    assert len(replies) > 500
    fast = [r for r in replies if plain(r)]
    assert len(fast) / len(replies) > 0.95
    start = time.perf_counter()
    for _ in range(3):
        for r in replies:
            normalize(r, "ru")
    per_reply = (time.perf_counter() - start) / (3 * len(replies))
    assert per_reply < 50e-6, per_reply  # against a budget of 500 µs for detecting and scoring a reply
