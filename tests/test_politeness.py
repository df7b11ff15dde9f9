"""The politeness index ranks polite above impolite requests, in service replies and in general text."""

from __future__ import annotations

import pytest

from simkit.language.politeness import politeness

PAIRS = [
    ("en", "Could you please close the window? Thank you.", "Close the window."),
    ("en", "Would you mind helping me with this report?", "Help me with this report now."),
    ("en", "Sorry to bother you, but could you check my order?", "Check my order, you idiot."),
    ("en", "I was wondering if you might lend me the book.", "Give me the book."),
    ("en", "If possible, send me the slides by Friday. Thanks!", "Send me the slides by Friday."),
    ("en", "Thanks for waiting, could I ask for your order number?", "Are you even listening? Order number. Now."),
    ("ru", "Не могли бы вы, пожалуйста, закрыть окно? Спасибо.", "Закройте окно."),
    ("ru", "Извините за беспокойство, не подскажете, как пройти к вокзалу?", "Эй, ты, как пройти к вокзалу?"),
    ("ru", "Будьте добры, передайте соль.", "Передай соль."),
    ("ru", "Если вам не трудно, помогите мне с отчётом.", "Помоги с отчётом, быстро."),
    ("ru", "Спасибо за терпение, подскажите, пожалуйста, номер заказа.", "Номер заказа говорите, вы вообще слушаете?"),
    ("ru", "Возможно, стоит перенести встречу на пятницу?", "ПЕРЕНЕСИТЕ ВСТРЕЧУ НА ПЯТНИЦУ!!"),
]


@pytest.mark.parametrize("lang, polite, rude", PAIRS, ids=[p[2][:30] for p in PAIRS])
def test_polite_ranks_above_impolite(lang: str, polite: str, rude: str) -> None:
    high, why_high = politeness(polite, lang)
    low, why_low = politeness(rude, lang)
    assert high > low, (why_high, why_low)
    assert high > 0 > low or (high > 0 and low <= 0), (high, low)


def test_strategies_are_named() -> None:
    score, strategies = politeness("Could you please check it? Thanks, and sorry for the trouble.", "en")
    assert {"indirect_requests", "deference", "gratitude", "apology"} <= set(strategies)
    assert score > 0.9
    score, strategies = politeness("Заткнитесь и ждите.", "ru")
    assert "negative_address" in strategies and score < -0.5


@pytest.mark.parametrize("text", ["", "   ", "12345", "😀"])
def test_neutral_text_is_zero(text: str) -> None:
    assert politeness(text, "en") == (0.0, {})
    assert politeness(text, "ru") == (0.0, {})
