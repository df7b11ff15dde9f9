"""A politeness index in [-1, 1] from the same detection plus general politeness strategies.

The strategies follow the usual account of politeness in requests: gratitude, apology, hedges,
indirect requests and deference raise it; direct commands, negative address and the impolite
behaviours lower it. No training data: each strategy has a fixed weight and the sum is squashed
with tanh, so one strong marker moves the index a lot and many add up with diminishing effect.
"""

from __future__ import annotations

import math

from .detection import detector

WEIGHTS: dict[str, float] = {
    "gratitude": 0.6,
    "apology": 0.5,
    "hedges": 0.35,
    "indirect_requests": 0.6,
    "deference": 0.5,
    "greeting": 0.2,
    "empathy": 0.4,
    "direct_commands": -0.5,
    "negative_address": -1.2,
    "rude": -1.2,
    "shouting": -0.6,
    "calm_down_command": -0.7,
    "blame_customer": -0.6,
    "dismissive": -0.5,
}
# Strategies the detector already finds as behaviours.
_FROM_BEHAVIORS = {
    "gratitude",
    "apology",
    "greeting",
    "empathy",
    "rude",
    "shouting",
    "calm_down_command",
    "blame_customer",
    "dismissive",
}


def politeness(text: str, lang: str) -> tuple[float, dict[str, int]]:
    """The index in [-1, 1] and how often each strategy occurs in ``text``."""
    found = detector(lang)
    _, a = found.read(text)  # read as the detector reads it: hidden characters and look-alikes undone
    # the reply was usually just detected: its pattern hits and findings are known
    m = found.last_matches(a)
    findings = found.last_findings(a)
    if m is None:
        m = found.matcher.run(a)
    counts: dict[str, int] = {}
    for finding in found.findings(a, m) if findings is None else findings:
        if finding.behavior in _FROM_BEHAVIORS:
            counts[finding.behavior] = len(finding.spans)
    for name in found.lexicon.politeness:
        if name in counts or name not in WEIGHTS:
            continue
        hits = m.get(f"pol:{name}", [])
        if name == "direct_commands":
            # a command opens its sentence and is not softened by a politeness marker in it
            opening = [(s, a.sentences[a.tokens[s].sentence]) for s, _ in hits]
            hits = [
                (s, s + 1)
                for s, sentence in opening
                if s == sentence.first and not found.within(m, "pol:deference", sentence.first, sentence.last)
            ]
        if hits:
            counts[name] = len(hits)
    total = sum(WEIGHTS[name] * (1 + math.log(n)) for name, n in counts.items() if name in WEIGHTS)
    return round(math.tanh(total), 4), dict(sorted(counts.items()))
