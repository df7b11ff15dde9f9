"""Saying the customer is not at fault is not blame; a blaming reply that offers help is no brush-off."""

from __future__ import annotations

import pytest

from simkit.language.detection import Detector, detect
from simkit.language.lexicon import load_lexicon


def _found(text: str, lang: str) -> set[str]:
    return {f.behavior for f in detect(text, lang)}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("None of this is your fault, and I'm sorry it happened.", "en"),
        ("No, you didn't use the wrong adaptor. The charger itself is faulty.", "en"),
        ("Nobody's saying you didn't check the parcel.", "en"),
        ("Вы ничего не подключали, эту услугу включили мы по ошибке.", "ru"),
        ("Нет, вы не оформляли подписку дважды, это сбой нашей системы.", "ru"),
    ],
)
def test_a_denial_of_blame_is_not_blame(text: str, lang: str) -> None:
    assert "blame_customer" not in _found(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("No, you should have read the terms before you signed.", "en"),
        ("Если бы вы оплатили вовремя, ничего бы не отключили.", "ru"),
    ],
)
def test_blame_after_a_no_or_with_a_negative_word_still_counts(text: str, lang: str) -> None:
    assert "blame_customer" in _found(text, lang)


def test_an_insult_stays_rude_under_a_negative_pronoun() -> None:
    assert "rude" in _found("Nobody is going to help an idiot like you.", "en")


def test_a_blaming_reply_that_promises_the_fix_is_not_a_brush_off() -> None:
    found = _found("You picked the wrong plan yourself. We'll switch it tonight.", "en")
    assert "blame_customer" in found and "dismissive" not in found
    assert "dismissive" in _found("You picked the wrong plan yourself. Not my problem.", "en")


@pytest.mark.parametrize(
    "text",
    [
        "Вы указали не тот номер заказа. Подключили вам бесплатный пакет.",
        "Вы указали не тот номер заказа. Адрес исправили, подключили вам бесплатный пакет.",
        "Оплата не прошла, потому что вы ввели старую карту. Заказ я уже перевыставила.",
    ],
)
def test_a_blaming_reply_that_reports_the_fix_done_is_not_a_brush_off(text: str) -> None:
    found = _found(text, "ru")
    assert "blame_customer" in found and "dismissive" not in found


@pytest.mark.parametrize(
    "text",
    [
        "Вы сами отключили услугу в личном кабинете.",  # the only past verb is the customer's
        "Вы указали не тот номер заказа. Мы ничего не исправляли.",  # what was done is denied
        "Вы указали не тот номер заказа, поэтому заказ и задержался.",  # reflexive: nobody acted
    ],
)
def test_a_blaming_reply_with_nothing_done_for_the_customer_is_still_a_brush_off(text: str) -> None:
    found = _found(text, "ru")
    assert "blame_customer" in found and "dismissive" in found


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "As we told you at sign-up, the intro price only lasted six months."
            " I can look at a cheaper plan for you right now if you want.",
            "en",
        ),
        ("The drops started after you changed the Wi-Fi channel yourself. Shall I set it back remotely for you?", "en"),
        ("Чек вы не сохранили, поэтому и отказ. Попробуем найти покупку по номеру карты.", "ru"),
    ],
)
def test_a_reproach_that_goes_on_to_help_is_no_brush_off_though_no_pattern_sees_the_help(text: str, lang: str) -> None:
    # the learned cues read the offer (language.detection, Detector._reproach_only)
    found = _found(text, lang)
    assert "blame_customer" in found and "dismissive" not in found


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("You entered the wrong postcode, that's why it bounced.", "en"),
        ("Calm down. You entered the wrong postcode yourself.", "en"),
        ("Успокойтесь. Вы сами ввели не тот индекс.", "ru"),
    ],
)
def test_a_reply_that_only_reproaches_is_a_brush_off_whatever_the_cues_say(text: str, lang: str) -> None:
    found = _found(text, lang)
    assert {"blame_customer", "dismissive"} <= found


@pytest.mark.parametrize(
    ("text", "hostile"),
    [
        ("Switch the main fuse off, then go outside and wait for the engineer.", False),
        ("Let the charger cool down, then leave it on a tile and ring us back.", False),
        ("Unplug the router, then switch it back on after a minute.", False),
        ("Don't like the price? Then go somewhere else.", True),
        ("If you're that unhappy, then switch provider.", True),
    ],
)
def test_then_go_is_a_brush_off_only_when_it_sends_the_customer_away(text: str, hostile: bool) -> None:
    found = _found(text, "en")
    assert ("dismissive" in found) is hostile and ("rude" in found) is hostile


def test_a_fix_reported_done_by_the_speaker_is_read_without_the_cues() -> None:
    # the lemmatiser does not know "перевыставить" and guesses it a noun as well as a past-tense
    # verb; with "я" for its subject it still reports a fix done, and the reproach is no brush-off
    lexicon_only = Detector(load_lexicon("ru"))
    lexicon_only.cues = None
    text = "Оплата не прошла, потому что вы ввели старую карту. Заказ я уже перевыставила."
    found = {f.behavior for f in lexicon_only.detect(text)}
    assert "blame_customer" in found and "dismissive" not in found
    # with no speaker for its subject the same guess reports nothing done
    bare = {f.behavior for f in lexicon_only.detect("Оплата не прошла, потому что вы ввели старую карту. Перевыставила.")}
    assert "dismissive" in bare
