"""Topics of a customer's words: what situation a real conversation presents at each turn.

A scripted turn names its topics; an imported transcript has only the customer's text, so the
rules' ``when`` conditions (``'discount_demand' in turn.topics``) need the topics read from it.
The patterns live in the lexicons' ``topics`` section, in the same pattern language as the
behaviours. A hit shortly after a negator in its sentence ("я не собираюсь судиться", "I'm not
suing") does not count. ``wrap_up`` is never read from text: the end of a conversation is known
from its structure.
"""

from __future__ import annotations

from functools import lru_cache

from ..content.vocabulary import KINDS, TOPICS
from .lexicon import Matcher, compile_set, load_lexicon
from .tokens import analyse

_NEGATION_WINDOW = 3

# The situation a conversation most likely is, from the topics met in it, most specific first;
# rules read the kind only to tell complaints about a bill or a missed date from other ones.
_KIND_BY_TOPIC = (
    ("safety_threat", "safety_hazard"),
    ("legal_threat", "legal_threat"),
    ("confidential_request", "confidential_request"),
    ("written_claim", "written_claim"),
    ("abuse", "abusive_customer"),
    ("discount_demand", "discount_demand"),
    ("bill_question", "wrong_bill"),
    ("quality_claim", "defective_product"),
    ("deadline_missed", "late_delivery"),
    ("offtopic_request", "offtopic_call"),
)
assert all(t in TOPICS and k in KINDS for t, k in _KIND_BY_TOPIC)


class _TopicReader:
    def __init__(self, lang: str) -> None:
        lexicon = load_lexicon(lang)
        self.matcher = Matcher({name: compile_set(p, lexicon.groups) for name, p in lexicon.topics.items()})
        self.negators = frozenset(lexicon.negators)

    def read(self, text: str, lang: str) -> tuple[str, ...]:
        a = analyse(text, lang)
        found: set[str] = set()
        for topic, spans in self.matcher.run(a).items():
            for start, _end in spans:
                lo = max(a.sentences[a.tokens[start].sentence].first, start - _NEGATION_WINDOW)
                if not any(self.negators & {a.tokens[i].lower, *a.tokens[i].lemmas} for i in range(lo, start)):
                    found.add(topic)
                    break
        return tuple(t for t in TOPICS if t in found)


@lru_cache(maxsize=4)
def _reader(lang: str) -> _TopicReader:
    return _TopicReader(lang)


def customer_topics(text: str, lang: str) -> tuple[str, ...]:
    """The topics the customer's ``text`` raises, in the vocabulary's order."""
    return _reader(lang).read(text, lang)


def kind_of(topics: set[str] | tuple[str, ...]) -> str:
    """The scenario kind a conversation with these topics most resembles (``other`` if none fits)."""
    return next((kind for topic, kind in _KIND_BY_TOPIC if topic in topics), "other")
