"""Tokens of a reply: character spans, lemmas, grammemes, sentences, clauses and quotations.

Russian words get every lemma and grammeme set that pymorphy3 proposes (all parses, not only
the likeliest, so "простите" is both "простить" and the plural imperative). English words get
their lower-case form and a few regular stems, which is all an English lexicon needs when its
patterns may end in ``*``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

_TOKEN = re.compile(
    r"(?P<time>\d{1,2}[:.]\d{2}(?!\d))"
    r"|(?P<num>\d+(?:[.,]\d+)?)"
    r"|(?P<sym>%)"
    r"|(?P<word>[^\W\d_]+(?:[-'’][^\W\d_]+)*)"
    r"|(?P<punct>!+|\?+|\.{2,}|…|[.,;:—–\-()«»“”\"'/])"
)
_SENTENCE_END = {".", "!", "?", "…", "..."}
_CLAUSE_END = {",", ";", ":", "—", "–", "(", ")"}
# A quotation runs from an opening mark to its closing mark on the same line; single quotes may
# hold contractions ("'there's nothing we can do'") and are at most 160 characters long.
_OPENING = re.compile("[«“\"']")
_CLOSING = {"«": "»", "“": "”", '"': '"'}
_SINGLE_QUOTED = re.compile(r"(?<!\w)'(?:[^'\n]|(?<=\w)'(?=\w)){1,160}?'(?!\w)")
# a full stop after these does not end a sentence
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "no",
        "nr",
        "ref",
        "tel",
        "approx",
        "etc",
        "vs",
        "e.g",
        "i.e",
        "ул",
        "д",
        "кв",
        "г",
        "гг",
        "вх",
        "исх",
        "тел",
        "т",
        "е",
        "им",
        "стр",
        "см",
        "руб",
        "коп",
        "млн",
        "тыс",
    ]
)


class Token(NamedTuple):
    """One word, number or clock time, with where it stands in the text.

    ``lemmas`` always holds the lower-case form itself as well. A named tuple rather than a frozen
    dataclass: a reply makes one per word, and a tuple is built four times faster.
    """

    text: str
    start: int
    end: int
    kind: str  # word | num | time | sym
    lower: str
    lemmas: frozenset[str]
    grams: tuple[frozenset[str], ...]
    sentence: int
    clause: int
    quoted: bool
    is_caps: bool  # a word of two or more letters, all upper case


class Sentence(NamedTuple):
    """A sentence's token range and how it ends."""

    first: int
    last: int  # exclusive
    question: bool


class Analysis(NamedTuple):
    """A tokenised reply."""

    text: str
    lang: str
    tokens: tuple[Token, ...]
    sentences: tuple[Sentence, ...]


@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3

    # every parse is taken, in no particular order: parses come as plain tuples (word, tag, normal
    # form, score, methods) and are not ranked, which spares a quarter of the time a word never
    # seen before costs (a reply of made-up words is made of little else)
    return pymorphy3.MorphAnalyzer(lang="ru", result_type=None, probability_estimator_cls=None)


@lru_cache(maxsize=200_000)
def _ru_word(lower: str) -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    try:
        parses = _morph().parse(lower)
    except Exception:  # pymorphy3 fails on a few exotic code points; such a word is unknown
        return frozenset({lower}), ()
    lemmas = frozenset({p[2].replace("ё", "е") for p in parses} | {lower})
    grams = tuple(frozenset(p[1].grammemes) for p in parses)
    return lemmas, grams


@lru_cache(maxsize=200_000)
def _en_word(lower: str) -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    forms = {lower}
    base = lower.replace("’", "'")
    forms.add(base)
    for suffix, repl in (("'s", ""), ("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e")):
        if base.endswith(suffix) and len(base) - len(suffix) >= 3:
            forms.add(base[: -len(suffix)] + repl)
    return frozenset(forms), ()


def warm_up(lang: str) -> None:
    """Load the lemmatiser now rather than on the first reply."""
    if lang == "ru":
        _ru_word("проверка")


def _continues(text: str, after: int, tokens: list[Token]) -> bool:
    """Whether a full stop is an abbreviation's ("Mr.", "ул.", "ref.") rather than a sentence end."""
    if tokens and tokens[-1].end == after - 1 and tokens[-1].lower in _ABBREVIATIONS:
        return True
    rest = text[after : after + 3].lstrip(" ")
    return bool(rest) and (rest[0].islower() or rest[0] == "№")


WordInfo = tuple[str, frozenset[str], tuple[frozenset[str], ...], bool]


@lru_cache(maxsize=200_000)
def _ru_info(piece: str) -> WordInfo:
    lower = piece.lower().replace("ё", "е")
    return (lower, *_ru_word(lower), len(piece) >= 2 and piece.isupper())


@lru_cache(maxsize=200_000)
def _en_info(piece: str) -> WordInfo:
    lower = piece.lower().replace("ё", "е")
    return (lower, *_en_word(lower), len(piece) >= 2 and piece.isupper())


# The last few texts analysed: the same reply is often read twice in a row (its behaviours, then
# its politeness), and an Analysis is immutable, so it can be shared. Long texts are not kept.
_RECENT: dict[tuple[str, str], Analysis] = {}
_RECENT_SIZE = 32
_RECENT_MAX_CHARS = 4000


def analyse(text: str, lang: str) -> Analysis:
    """Split ``text`` into tokens with lemmas, sentence and clause numbers, and quote marks."""
    key = (text, lang)
    found = _RECENT.get(key)
    if found is None:
        found = _analyse(text, lang)
        if len(text) <= _RECENT_MAX_CHARS:
            if len(_RECENT) >= _RECENT_SIZE:
                _RECENT.clear()  # one call, safe beside other threads
            _RECENT[key] = found
    return found


_new = tuple.__new__


def quotations(text: str) -> list[tuple[int, int]]:
    """The quotations of ``text``, left to right, as character spans that include their marks.

    The leftmost opening mark whose closing mark stands later on its line opens a quotation, and
    the next one is looked for after it ends (as a regular expression would find them). Where the
    next closing mark and the next line end stand is remembered, so the text is read once: opening
    marks with no closing mark cost one look along the line, not one each (which made a long
    reply of unclosed quotes quadratic).
    """
    out: list[tuple[int, int]] = []
    ahead: dict[str, int] = {}  # a mark (or the line end): where it next stands, -1 for nowhere

    def next_at(mark: str, i: int) -> int:
        at = ahead.get(mark)
        if at is None or 0 <= at < i:  # ``i`` only grows: a mark found nowhere is nowhere later too
            at = ahead[mark] = text.find(mark, i)
        return at

    pos = 0
    while (m := _OPENING.search(text, pos)) is not None:
        i = m.start()
        mark = text[i]
        if mark == "'":
            single = _SINGLE_QUOTED.match(text, i)
            if single is not None:
                out.append(single.span())
                pos = single.end()
                continue
        else:
            close = next_at(_CLOSING[mark], i + 1)
            line_end = next_at("\n", i + 1)
            if close != -1 and (line_end == -1 or close < line_end):
                out.append((i, close + 1))
                pos = close + 1
                continue
        pos = i + 1
    return out


def _analyse(text: str, lang: str) -> Analysis:
    quoted_spans = quotations(text)
    quote = 0  # the first quotation that does not end before the current token (tokens go left to right)
    info = _ru_info if lang == "ru" else _en_info
    lines = "\n" in text
    tokens: list[Token] = []
    sentences: list[Sentence] = []
    sentence = clause = 0
    first = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "punct"
        piece = m.group()
        if kind == "punct":
            if piece == "." and _continues(text, m.end(), tokens):
                continue
            if piece[0] in "!?" or piece in _SENTENCE_END or piece.startswith(".."):
                if len(tokens) > first:
                    sentences.append(Sentence(first, len(tokens), "?" in piece))
                    first = len(tokens)
                    sentence += 1
                    clause += 1
            elif piece in _CLAUSE_END or (piece == "-" and m.start() > 0 and text[m.start() - 1] == " "):
                clause += 1
            continue
        start, end = m.span()
        if kind == "word":
            lower, lemmas, grams, caps = info(piece)
        else:
            lower = piece.lower()
            lemmas, grams, caps = frozenset((lower,)), (), False
        while quote < len(quoted_spans) and quoted_spans[quote][1] <= start:
            quote += 1
        inside = quote < len(quoted_spans) and quoted_spans[quote][0] < start
        # tuple.__new__ builds the named tuple without the Python-level __new__ of its class
        tokens.append(_new(Token, (piece, start, end, kind, lower, lemmas, grams, sentence, clause, inside, caps)))
        # a newline ends a sentence too (lists, letters)
        if lines:
            nxt = text.find("\n", end, end + 3)
            if nxt != -1 and text[end:nxt].strip() == "":
                sentences.append(Sentence(first, len(tokens), False))
                first = len(tokens)
                sentence += 1
                clause += 1
    if len(tokens) > first:
        sentences.append(Sentence(first, len(tokens), text.rstrip().endswith("?")))
    return Analysis(text, lang, tuple(tokens), tuple(sentences))
