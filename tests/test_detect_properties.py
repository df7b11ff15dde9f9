"""Detection and scoring never fail on any text, keep spans inside it, and scale linearly."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simkit.content.kit import Kit
from simkit.content.vocabulary import BEHAVIORS
from simkit.engine.generation import generate
from simkit.engine.scoring import MAX_REPLY_CHARS, score_reply
from simkit.errors import ReplyTooLong
from simkit.language.detection import detect
from simkit.language.politeness import politeness

ODD = [
    "",
    "   \n\t ",
    "😀😡🙏" * 20,
    "<script>alert('x')</script><b>Здравствуйте</b>",
    "Hello, Ирина! Sorry за задержку, we'll call you завтра до 18:00.",
    "!!!!!!!!!!",
    "А" * 5000,
    "Извините. " * 10_000,
]


def _check(text: str, lang: str) -> None:
    for finding in detect(text, lang, "Ирина" if lang == "ru" else "Laura"):
        assert finding.behavior in BEHAVIORS
        assert finding.spans
        for a, b in finding.spans:
            assert 0 <= a < b <= len(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400), st.sampled_from(["ru", "en"]))
def test_any_text_detects_without_error(text: str, lang: str) -> None:
    _check(text, lang)
    score, strategies = politeness(text, lang)
    assert -1 <= score <= 1 and all(n > 0 for n in strategies.values())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "Здравствуйте",
                "извините",
                "СКИДКА",
                "!!",
                "«цитата»",
                "10%",
                "завтра",
                "в 18:00",
                "не",
                ",",
                ".",
                "?",
                "Ирина",
                "Sorry",
                "LED",
            ]
        ),
        max_size=60,
    )
)
def test_word_soup_detects_without_error(words: list[str]) -> None:
    text = " ".join(words)
    _check(text, "ru")
    _check(text, "en")


@pytest.mark.parametrize("text", ODD, ids=range(len(ODD)))
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_odd_replies_score_without_error(kit: Kit, text: str, lang: str) -> None:
    instance = generate(kit.scenario("discount-demand-sports-food"), 1, lang)
    if len(text) > MAX_REPLY_CHARS:  # refused, with a message, before it is read
        with pytest.raises(ReplyTooLong):
            score_reply(instance, instance.turns[0].id, text, kit=kit)
        text = text[:MAX_REPLY_CHARS]
    result = score_reply(instance, instance.turns[0].id, text, kit=kit)
    assert 0 <= result.score <= 100
    _check(text, lang)


def test_hundred_thousand_characters_are_detected_and_refused_by_the_scorer(kit: Kit) -> None:
    """Detection (of an imported conversation, say) reads any length; a trainee's reply stops at the cap."""
    text = ("Здравствуйте! Извините за задержку, курьер привезёт заказ завтра до 18:00. " * 1400)[:100_000]
    assert len(text) == 100_000
    assert {"greeting", "apology", "timeframe"} <= {f.behavior for f in detect(text, "ru")}
    instance = generate(kit.scenario("discount-demand-sports-food"), 1, "ru")
    with pytest.raises(ReplyTooLong):
        score_reply(instance, "demand", text, kit=kit)
    assert 0 <= score_reply(instance, "demand", text[:MAX_REPLY_CHARS], kit=kit).score <= 100


@pytest.mark.alone
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_time_grows_linearly(lang: str) -> None:
    sentence = (
        "Здравствуйте, Ирина! Извините за задержку, передаю заявку {n} в отдел качества, ответим завтра до 18:00. "
        if lang == "ru"
        else "Hello Laura! Sorry for the delay, I'm passing case {n} to our quality team and we'll call you by 6 pm tomorrow. "
    )
    runs = iter(range(10**6))

    def cost(n: int) -> float:
        # every sentence and every run a text of its own: the detector keeps the findings of texts
        # and sentences it has seen, and a repeated one would time those memories, not the work
        best = float("inf")
        for _ in range(3):
            text = "".join(sentence.format(n=next(runs)) for _ in range(n))
            start = time.perf_counter()
            detect(text, lang)
            best = min(best, time.perf_counter() - start)
        return best

    cost(5)  # warm the caches
    small, large = cost(20), cost(400)
    assert large / small < 20 * 3, (small, large)  # 20 times the text, well under quadratic growth


_DATA = Path(__file__).parent / "data"
_REPLIES = [
    (row["lang"], row["text"], (row.get("context") or {}).get("customer_name"))
    for path in sorted(_DATA.glob("behaviors.*.extra.jsonl"))
    for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())
]
_HIDDEN = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff"]
_LOOK_ALIKE = {
    "ru": dict(zip("аеорсухАВЕКМНОРСТХ", "aeopcyxABEKMHOPCTX", strict=True)),
    "en": dict(zip("aeopcxy", "аеорсху", strict=True)),
}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_REPLIES), st.randoms(use_true_random=False))
def test_hidden_characters_and_look_alikes_inside_words_change_no_behaviour(
    reply: tuple[str, str, str | None], rnd: random.Random
) -> None:
    lang, text, name = reply
    chars = list(text)
    inside = [i for i in range(1, len(chars)) if chars[i].isalpha() and chars[i - 1].isalpha()]
    for i in sorted(rnd.sample(inside, min(4, len(inside))), reverse=True):
        if rnd.random() < 0.5 and chars[i] in _LOOK_ALIKE[lang]:
            chars[i] = _LOOK_ALIKE[lang][chars[i]]
        else:
            chars.insert(i, rnd.choice(_HIDDEN))
    disguised = "".join(chars)
    assert {f.behavior for f in detect(disguised, lang, name)} == {f.behavior for f in detect(text, lang, name)}
    _check(disguised, lang)


def test_what_is_kept_between_replies_never_changes_what_is_found() -> None:
    """Findings kept for a text, hits kept for a sentence and analyses kept for a text give what a
    detector seeing every sentence for the first time finds, in any order, met once or again."""
    from simkit.language.detection import Detector, detector
    from simkit.language.lexicon import load_lexicon

    replies = list(_REPLIES)
    random.Random(11).shuffle(replies)
    fresh = {lang: Detector(load_lexicon(lang)) for lang in ("ru", "en")}
    for rnd in range(2):
        for lang, text, name in replies if rnd == 0 else reversed(replies):
            cold = fresh[lang]
            cold.matcher._sentences.clear()
            expected = [(f.behavior, f.spans, f.value) for f in cold.detect(text, name)]
            assert [(f.behavior, f.spans, f.value) for f in detect(text, lang, name)] == expected, text
            assert [(f.behavior, f.spans, f.value) for f in detector(lang).detect(text, name)] == expected, text


def test_politeness_is_the_same_whether_or_not_the_reply_was_just_detected() -> None:
    """Politeness counts the findings detect has just made (under any customer name) as its own."""
    from simkit.language import tokens
    from simkit.language.detection import detector

    for lang, text, name in _REPLIES[::3]:
        tokens._RECENT.clear()
        alone = politeness(text, lang)
        detector(lang).detect(text, name or "Ирина")
        assert politeness(text, lang) == alone, text
