"""The values a finding carries: the departments a case is routed to, the percent of a discount.

A routing or a discount offer is found by its phrase; what it routes to or offers is read from
the words near it, the clause first and then the sentence, so that "передам в юридический
отдел" names the department the case goes to and a percent elsewhere in the reply does not
become the offer's.
"""

from __future__ import annotations

from bisect import bisect_left

from .hits import Matches, Span, any_within, within
from .tokens import Analysis


def departments_routed(
    a: Analysis, m: Matches, hits: list[Span], clauses: dict[int, Span], departments: tuple[tuple[str, str], ...]
) -> list[tuple[Span, set[str]]]:
    """Each routing hit that names a department, with the ids of those it names (``departments``:
    each id with the key of its pattern set)."""
    out = []
    for s, e in hits:
        # the department named in the routing clause; else any named in its sentence
        sentence = a.sentences[a.tokens[s].sentence]
        lo, hi = clauses[a.tokens[s].clause]
        found = {name for name, key in departments if any_within(m, key, lo, hi)}
        if not found:
            found = {name for name, key in departments if any_within(m, key, sentence.first, sentence.last)}
        if found:
            out.append(((s, e), found))
    return out


def percent_offered(a: Analysis, m: Matches, hits: list[Span], clauses: dict[int, Span]) -> int | None:
    """The percent stated nearest to a valid offer: in its clause first, then its sentence."""
    tokens = a.tokens
    # every percent stated, once: looking through the clause and sentence of each offer made a
    # long sentence of offers and no percent quadratic
    stated = [
        i
        for i, t in enumerate(tokens)
        if t.kind == "num"
        and i + 1 < len(tokens)
        and (tokens[i + 1].kind == "sym" or bool(within(m, "g:percent_word", i + 1, min(i + 3, len(tokens)))))
    ]
    if not stated:
        return None

    def nearest(s: int, lo: int, hi: int) -> int | None:
        """The stated percent in tokens[lo:hi] nearest to token ``s`` (the earlier of two as near)."""
        at = bisect_left(stated, s)
        before = stated[at - 1] if at > 0 and stated[at - 1] >= lo else None
        after = stated[at] if at < len(stated) and stated[at] < hi else None
        if before is None or after is None:
            return after if before is None else before
        return before if s - before <= after - s else after

    for s, _ in hits:
        sentence = a.sentences[tokens[s].sentence]
        found = nearest(s, *clauses[tokens[s].clause])
        if found is None:
            found = nearest(s, sentence.first, sentence.last)
        if found is not None:
            return int(float(tokens[found].lower.replace(",", ".")))
    return None
