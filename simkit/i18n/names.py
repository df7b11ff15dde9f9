"""Display names of the vocabulary ids (actions, behaviours, departments, kinds ...), in the reader's language.

Ids such as ``route_department`` or ``insufficient_evidence`` are for machines; a person reads
``name("action", "route_department", "ru")`` -> "Передать в отдел". The English names are the message
ids of the catalogue (``locale/<lang>/LC_MESSAGES/simkit.po``). Names of things a person clicks or
reads as a heading (actions, behaviours, departments, requirements) start with a capital; names
read inside a sentence or a table cell (kinds, topics, outcomes, modes ...) are lower case, as
"3 attempts in practice" reads.

This module imports nothing else of simkit but the errors, so every layer may use it; the tests
check that every id of ``simkit.content.vocabulary`` has a name here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..errors import SimkitError
from . import N_, gettext

_ACTIONS: Final = {
    "escalate_supervisor": N_("Escalate to the supervisor"),
    "route_department": N_("Route to a department"),
    "offer_discount": N_("Offer a discount"),
    "register_request": N_("Register the request"),
    "promise_callback": N_("Promise a call-back"),
    "refuse_disclosure": N_("Refuse to disclose"),
    "end_conversation": N_("End the conversation"),
    "send_information": N_("Send information"),
    "confirm_order": N_("Confirm the order"),
    "suggest_items": N_("Suggest items"),
    "explain_bill": N_("Explain the bill"),
    "offer_replacement": N_("Offer a replacement"),
    "offer_refund": N_("Offer a refund"),
    "offer_repair": N_("Offer a repair"),
}

_BEHAVIORS: Final = {
    "greeting": N_("Greeting"),
    "self_introduction": N_("Self-introduction"),
    "address_by_name": N_("Addressing the customer by name"),
    "apology": N_("Apology"),
    "empathy": N_("Empathy"),
    "gratitude": N_("Gratitude"),
    "please": N_("Saying please"),
    "clarifying_question": N_("Clarifying question"),
    "ownership": N_("Taking ownership"),
    "next_step": N_("Next step"),
    "timeframe": N_("Timeframe"),
    "closing": N_("Closing"),
    "blame_customer": N_("Blaming the customer"),
    "rude": N_("Rudeness"),
    "dismissive": N_("Dismissiveness"),
    "calm_down_command": N_("Telling the customer to calm down"),
    "shouting": N_("Shouting"),
    "unconditional_promise": N_("Unconditional promise"),
    "escalate_to_supervisor": N_("Escalation to the supervisor"),
    "route_to_department": N_("Routing to a department"),
    "register_request": N_("Registering the request"),
    "offer_discount": N_("Discount offer"),
    "refuse_confidential": N_("Refusing confidential data"),
}

_DEPARTMENTS: Final = {
    "quality": N_("Quality department"),
    "delivery": N_("Delivery service"),
    "accounting": N_("Accounting"),
    "legal": N_("Legal department"),
    "service_center": N_("Service centre"),
    "technical": N_("Technical support"),
}

_KINDS: Final = {
    "late_delivery": N_("late delivery"),
    "defective_product": N_("defective product"),
    "discount_demand": N_("discount demand"),
    "isp_outage": N_("ISP outage"),
    "wrong_bill": N_("wrong bill"),
    "car_not_ready": N_("car not ready"),
    "legal_threat": N_("threat to sue"),
    "confidential_request": N_("request for confidential data"),
    "safety_hazard": N_("safety hazard"),
    "offtopic_call": N_("off-topic call"),
    "repeat_claim": N_("repeat claim"),
    "abusive_customer": N_("abusive customer"),
    "written_claim": N_("written claim"),
}

_TOPICS: Final = {
    "complaint": N_("complaint"),
    "deadline_missed": N_("missed deadline"),
    "quality_claim": N_("quality claim"),
    "discount_demand": N_("discount demand"),
    "non_standard": N_("non-standard request"),
    "offtopic_request": N_("off-topic request"),
    "emergency": N_("emergency"),
    "safety_threat": N_("danger to people"),
    "legal_threat": N_("threat to sue"),
    "confidential_request": N_("request for confidential data"),
    "order_taking": N_("order taking"),
    "bill_question": N_("question about a bill"),
    "repeat_contact": N_("repeat contact"),
    "abuse": N_("abuse"),
    "information_request": N_("request for information"),
    "written_claim": N_("written claim"),
    "wrap_up": N_("wrap-up"),
}

_OUTCOMES: Final = {"resolved": N_("resolved"), "escalated": N_("escalated"), "lost": N_("lost")}
_CHANNELS: Final = {"phone": N_("phone"), "chat": N_("chat"), "email": N_("email"), "letter": N_("letter")}
_CATEGORIES: Final = {
    "etiquette": N_("etiquette"),
    "procedure": N_("procedure"),
    "escalation": N_("escalation"),
    "confidentiality": N_("confidentiality"),
}
_SEVERITIES: Final = {"critical": N_("critical"), "major": N_("major"), "minor": N_("minor")}
_MODES: Final = {
    "practice": N_("practice"),
    "session": N_("trainer session"),
    "assessment": N_("assessment"),
    "real": N_("real transcript"),
    "drill": N_("drill"),
}
_VERDICTS: Final = {
    "ready": N_("ready"),
    "not_ready": N_("not ready"),
    "insufficient_evidence": N_("insufficient evidence"),
}
# the requirement ids of simkit.reports.readiness; min_category_score also comes as "min_category_score:<category>"
_REQUIREMENTS: Final = {
    "min_attempts": N_("Attempts in the window"),
    "required_kinds": N_("Required situations"),
    "min_score": N_("Mean score"),
    "min_category_score": N_("Category score"),
    "max_critical_failures": N_("Attempts with critical failures"),
}
_CATEGORY_SCORE: Final = N_("Category score: {category}")

_VOCABULARIES: Final[dict[str, Mapping[str, str]]] = {
    "action": _ACTIONS,
    "behavior": _BEHAVIORS,
    "department": _DEPARTMENTS,
    "kind": _KINDS,
    "outcome": _OUTCOMES,
    "channel": _CHANNELS,
    "category": _CATEGORIES,
    "severity": _SEVERITIES,
    "mode": _MODES,
    "topic": _TOPICS,
    "verdict": _VERDICTS,
    "requirement": _REQUIREMENTS,
}
KINDS_OF_NAME: Final = tuple(_VOCABULARIES)

# ids that reports meet but that no one picks from a list: named, but left out of names()
_EXTRA: Final[dict[str, Mapping[str, str]]] = {
    "kind": {"real_transcript": N_("real transcript"), "unknown": N_("unknown")},
    "outcome": {"unfinished": N_("unfinished")},
}

# anger 0..10 -> the word the mood meter shows (the upper bound of each band)
_MOODS: Final = (
    (2, N_("calm")),
    (4, N_("dissatisfied")),
    (6, N_("irritated")),
    (8, N_("angry")),
    (10, N_("about to hang up")),
)


class UnknownName(SimkitError):
    """An id (or a kind of id) that has no display name."""

    def __init__(self, kind: str, id: str, known: tuple[str, ...]) -> None:
        super().__init__(kind, id)
        self.kind = kind
        self.id = id
        self.known = known

    def __str__(self) -> str:
        if self.kind not in _VOCABULARIES:
            return f"no display names for '{self.kind}' (known: {', '.join(self.known)})"
        return f"unknown {self.kind} '{self.id}': it has no display name (known: {', '.join(self.known)})"


def _vocabulary(kind: str) -> Mapping[str, str]:
    try:
        return _VOCABULARIES[kind]
    except KeyError:
        raise UnknownName(kind, "", KINDS_OF_NAME) from None


def name(kind: str, id: str, lang: str) -> str:
    """The display name of vocabulary ``id`` of ``kind`` ("action", "behavior", ...) in ``lang``.

    An unknown ``kind`` or ``id`` raises ``UnknownName``: a raw id is never shown in its place.
    """
    vocabulary = _vocabulary(kind)
    message = vocabulary.get(id) or _EXTRA.get(kind, {}).get(id)
    if message is not None:
        return gettext(lang, message)
    if kind == "requirement":
        requirement, _, category = id.partition(":")
        if requirement == "min_category_score" and category:
            return gettext(lang, _CATEGORY_SCORE, category=name("category", category, lang))
    raise UnknownName(kind, id, tuple(vocabulary))


def names(kind: str, lang: str) -> dict[str, str]:
    """Every id of ``kind`` with its display name in ``lang``, in the vocabulary's order (for lists to pick from)."""
    return {id: gettext(lang, message) for id, message in _vocabulary(kind).items()}


def mood_word(anger: int, lang: str) -> str:
    """The word for an anger of 0..10 ("calm" .. "about to hang up") in ``lang``; outside 0..10 is clamped."""
    level = min(max(int(anger), 0), 10)
    return gettext(lang, next(word for top, word in _MOODS if level <= top))
