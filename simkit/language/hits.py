"""Where a reply's pattern hits lie, and the questions the detector asks of them.

Every check after matching is a lookup among the hits: does a blocking phrase lie inside this
clause, a context inside this sentence? The matcher lists each set's hits in text order, so
these are binary searches and a long reply costs a search per question, not a scan.
"""

from __future__ import annotations

from bisect import bisect_left

from .tokens import Token

Span = tuple[int, int]
Matches = dict[str, list[Span]]


def _start(span: Span) -> int:
    return span[0]


def clause_spans(tokens: tuple[Token, ...]) -> dict[int, Span]:
    """Each clause's token range. Clause numbers only grow along a reply, so a clause is one run."""
    clauses: dict[int, Span] = {}
    lo = 0
    current = tokens[0].clause if tokens else 0
    for i, t in enumerate(tokens):
        if t.clause != current:
            clauses[current] = (lo, i)
            current, lo = t.clause, i
    if tokens:
        clauses[current] = (lo, len(tokens))
    return clauses


def any_within(m: Matches, key: str, lo: int, hi: int) -> bool:
    """Whether a hit of set ``key`` lies inside tokens[lo:hi] (``within``, without the list)."""
    spans = m.get(key)
    if not spans:
        return False
    for i in range(bisect_left(spans, lo, key=_start), len(spans)):
        s, e = spans[i]
        if s >= hi:
            return False
        if e <= hi:
            return True
    return False


def within(m: Matches, key: str, lo: int, hi: int) -> list[Span]:
    """Hits of set ``key`` that lie inside tokens[lo:hi]."""
    spans = m.get(key)
    if not spans:
        return []
    # the matcher lists a set's hits in text order: a long reply costs a search, not a scan
    # (nor a copy of the hits after ``lo``, which made many calls quadratic)
    out = []
    for i in range(bisect_left(spans, lo, key=_start), len(spans)):
        s, e = spans[i]
        if s >= hi:
            break
        if e <= hi:
            out.append((s, e))
    return out
