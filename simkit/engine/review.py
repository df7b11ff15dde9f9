"""What the kit's own model replies say, read by the scorer: a model reply must never read as hurtful.

New hires copy a turn's model reply, and the player shows it as the way to answer; if the detector
reads it as rude, dismissive or blaming, the trainee who copies it is marked down for the kit's own
words, however kindly a trainer meant them. ``simkit validate`` warns about such a reply, at its line in the
scenario file, with the words that made the call, so the trainer can reword it.

This lives in the engine, not with the content checks: it needs the detector (content sits below
language), and it reads the replies as rendered with a few seeds' facts, as trainees will see them.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..content.kit import Kit
from ..content.problems import Problem
from ..language.detection import detect
from .generation import generate

__all__ = ["HURTFUL", "review_model_replies"]

HURTFUL = ("rude", "dismissive", "blame_customer")
# the facts change a reply's words (names, dates, sums): a few instances show what most will say
_SEEDS = (1, 2, 3)
_EXCERPT_CHARS = 120


def review_model_replies(kit: Kit) -> list[Problem]:
    """A ``hurtful-model-reply`` warning for each turn and language whose model reply the scorer
    reads as hurtful in some instance, naming the behaviours and the words that show them."""
    return sorted(set(_problems(kit)))


def _problems(kit: Kit) -> Iterator[Problem]:
    for scenario in kit.scenarios.values():
        for lang in scenario.languages:
            seen: dict[str, set[str]] = {}  # turn id -> behaviours already reported
            for seed in _SEEDS:
                instance = generate(scenario, seed, lang)
                for turn in instance.turns:
                    text = turn.model_reply
                    known = seen.setdefault(turn.id, set())
                    for finding in detect(text, lang, instance.customer.name):
                        if finding.behavior not in HURTFUL or finding.behavior in known:
                            continue
                        known.add(finding.behavior)
                        where = kit.model_reply_locations.get((scenario.id, turn.id, lang))
                        path, line, column = where or (f"scenarios/{scenario.id}", 1, 1)
                        words = " ... ".join(_excerpt(q) for q in finding.quotes(text))
                        yield Problem(
                            path,
                            line,
                            column,
                            "hurtful-model-reply",
                            f"the model reply of turn '{turn.id}' ({lang}) reads as {finding.behavior}: \"{words}\"",
                            "reword it: trainees copy the model reply, and the scorer would count these words against them",
                        )


def _excerpt(quote: str) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= _EXCERPT_CHARS else quote[: _EXCERPT_CHARS - 1] + "…"
