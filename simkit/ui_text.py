"""Strings the user reads in the command line and notebooks, in Russian and English."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "customer": {"ru": "Клиент", "en": "Customer"},
    "anger": {"ru": "раздражение", "en": "anger"},
    "facts": {"ru": "Факты", "en": "Facts"},
    "model_reply": {"ru": "Образец ответа", "en": "Model reply"},
    "expected": {"ru": "Ожидается", "en": "Expected"},
    "actions": {"ru": "Действия", "en": "Actions"},
    "outcomes": {"ru": "Исходы", "en": "Outcomes"},
    "seed": {"ru": "вариант", "en": "seed"},
    "female": {"ru": "ж", "en": "f"},
    "male": {"ru": "м", "en": "m"},
    "resolved": {"ru": "решено", "en": "resolved"},
    "escalated": {"ru": "передано выше", "en": "escalated"},
    "lost": {"ru": "клиент потерян", "en": "lost"},
    "behaviours": {"ru": "Поведение", "en": "Behaviours"},
    "text_only": {"ru": "из текста", "en": "from the text"},
    "score": {"ru": "Оценка", "en": "Score"},
    "critical": {"ru": "нарушены критические правила", "en": "critical rules failed"},
    "you": {"ru": "Вы", "en": "You"},
    "actions_prompt": {
        "ru": "Действия: номера через пробел (2 или 3:quality, 1:5 для скидки 5 %), Enter — без действий",
        "en": "Actions: numbers separated by spaces (2, or 3:quality, 1:5 for a 5 % discount), Enter for none",
    },
    "scorecard": {"ru": "Итоги попытки", "en": "Scorecard"},
    "turn": {"ru": "реплика", "en": "turn"},
    "seconds": {"ru": "секунд", "en": "seconds"},
    "outcome": {"ru": "Исход", "en": "Outcome"},
    "passed": {"ru": "попытка засчитана", "en": "attempt passed"},
    "not_passed": {"ru": "попытка не засчитана", "en": "attempt not passed"},
}


def t(key: str, lang: str, **values: object) -> str:
    """The string ``key`` in ``lang``, with ``{name}`` fields filled in."""
    text = TEXT[key].get(lang) or TEXT[key]["en"]
    return text.format(**values) if values else text
