"""The closed vocabularies that content refers to: behaviours, departments, actions, kinds.

Behaviour and department ids are a public contract (``behaviors.md``); the action vocabulary is
simkit's own. Content validation checks every reference against these tuples, and the JSON
Schemas offer them as completions.
"""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("ru", "en")

BEHAVIORS: Final = (
    # positive etiquette
    "greeting",
    "self_introduction",
    "address_by_name",
    "apology",
    "empathy",
    "gratitude",
    "please",
    "clarifying_question",
    "ownership",
    "next_step",
    "timeframe",
    "closing",
    # negative etiquette
    "blame_customer",
    "rude",
    "dismissive",
    "calm_down_command",
    "shouting",
    "unconditional_promise",
    # procedure and escalation
    "escalate_to_supervisor",
    "route_to_department",
    "register_request",
    "offer_discount",
    "refuse_confidential",
)

DEPARTMENTS: Final = ("quality", "delivery", "accounting", "legal", "service_center", "technical")

# Each action a trainee can choose beside the text, with the parameter it carries (if any).
# ``percent``: a discount in percent; ``department``: one of DEPARTMENTS; ``hours``: how many
# hours until the promised call-back.
ACTIONS: Final[dict[str, str | None]] = {
    "escalate_supervisor": None,
    "route_department": "department",
    "offer_discount": "percent",
    "register_request": None,
    "promise_callback": "hours",
    "refuse_disclosure": None,
    "end_conversation": None,
    "send_information": None,
    "confirm_order": None,
    "suggest_items": None,
    "explain_bill": None,
    "offer_replacement": None,
    "offer_refund": None,
    "offer_repair": None,
}

# Situations a turn can present; rules use them in their ``when`` conditions (``turn.topics``).
TOPICS: Final = (
    "complaint",
    "deadline_missed",
    "quality_claim",
    "discount_demand",
    "non_standard",
    "offtopic_request",
    "emergency",
    "safety_threat",
    "legal_threat",
    "confidential_request",
    "order_taking",
    "bill_question",
    "repeat_contact",
    "abuse",
    "information_request",
    "written_claim",
    "wrap_up",
)

KINDS: Final = (
    "late_delivery",
    "defective_product",
    "discount_demand",
    "isp_outage",
    "wrong_bill",
    "car_not_ready",
    "legal_threat",
    "confidential_request",
    "safety_hazard",
    "offtopic_call",
    "repeat_claim",
    "abusive_customer",
    "written_claim",
)

CATEGORIES: Final = ("etiquette", "procedure", "escalation", "confidentiality")
SEVERITIES: Final = ("critical", "major", "minor")
OUTCOMES: Final = ("resolved", "escalated", "lost")
CHANNELS: Final = ("phone", "chat", "email", "letter")
GENDERS: Final = ("female", "male")
