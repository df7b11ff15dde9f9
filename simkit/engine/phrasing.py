"""A better phrasing that fits the conversation: the sentences of the turn's own model reply.

A failed rule's feedback suggests what to say. The turn's model reply is already written for this
customer and these facts, so the sentences of it that show what the reply lacked fit; a rule's own
suggestion, which names no person and no product, serves only where there is no model reply (an
imported conversation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ..content.models import Check, Rule
from ..language.detection import detect

# The behaviour that says in words what an action does: an expected behaviour is met by either,
# and the sentence of a model reply that shows a required action is the one saying it.
SAID_AS = {
    "escalate_supervisor": "escalate_to_supervisor",
    "register_request": "register_request",
    "refuse_disclosure": "refuse_confidential",
    "route_department": "route_to_department",
    "offer_discount": "offer_discount",
    "promise_callback": "timeframe",
}


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@lru_cache(maxsize=2048)
def _model_sentences(text: str, lang: str, customer_name: str | None) -> tuple[tuple[str, frozenset[str]], ...]:
    """A model reply split into sentences, each with the behaviours the detector finds in it."""
    starts: list[int] = []
    pieces: list[str] = []
    position = 0
    for piece in _SENTENCE_END.split(text.strip()):
        if piece:
            position = text.index(piece, position)
            starts.append(position)
            pieces.append(piece)
            position += len(piece)
    shown: list[set[str]] = [set() for _ in pieces]
    for finding in detect(text, lang, customer_name):
        for a, _ in finding.spans:
            index = max((i for i, start in enumerate(starts) if start <= a), default=0)
            if shown:
                shown[index].add(finding.behavior)
    return tuple(zip(pieces, map(frozenset, shown), strict=True))


def pick_sentences(model_reply: str, lang: str, customer_name: str | None, behaviors: frozenset[str]) -> str:
    """The sentences of ``model_reply`` that show any of ``behaviors``; the whole reply if none does."""
    if not model_reply or not behaviors:
        return model_reply
    picked = [piece for piece, shown in _model_sentences(model_reply, lang, customer_name) if shown & behaviors]
    return " ".join(picked) if picked else model_reply


def behaviors_for(checks: Iterable[Check]) -> set[str]:
    """The behaviours that show in words what ``checks`` ask for (an action by the behaviour saying it)."""
    out: set[str] = set()
    for check in checks:
        if check.any_of is not None:
            out |= behaviors_for(check.any_of)
        elif check.behavior is not None:
            out.add(check.behavior)
        elif check.action in SAID_AS:
            out.add(SAID_AS[check.action])
    return out


def better_phrasing(rule: Rule, lang: str, model_reply: str, customer_name: str | None, wanted: frozenset[str]) -> str:
    """What to show as a better phrasing for a failed ``rule``, fitting the conversation.

    The turn's model reply is already rendered with this customer's name and facts: the sentences
    of it that show ``wanted`` (what the reply lacked), else all of it. Without a model reply (an
    imported conversation) the rule's own suggestion, which names no one and no product.
    """
    if model_reply:
        return pick_sentences(model_reply, lang, customer_name, wanted)
    return rule.suggestion.get(lang) if rule.suggestion else ""
