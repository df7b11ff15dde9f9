"""Tokens of a reply: character spans, lemmas, grammemes, sentences, clauses and quotations.

Russian words get every lemma and grammeme set that pymorphy3 proposes (all parses, not only
the likeliest, so "простите" is both "простить" and the plural imperative). English words get
their lower-case form and a few regular stems, which is all an English lexicon needs when its
patterns may end in ``*``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache, partial
from itertools import compress
from operator import attrgetter
from typing import Any, NamedTuple, cast

from .compiled import collector_paused

# Alternatives that start with different characters, the commonest (words) first; the lookahead
# names every character a token starts with, so the engine skips the spaces between tokens in C
# rather than trying each alternative at each space. A time comes before a number: both start
# with a digit.
_TOKEN = re.compile(
    r"(?=[\w%!?.…,;:—–\-()«»“”\"'/])(?:"
    r"(?P<word>[^\W\d_]+(?:[-'’][^\W\d_]+)*)"
    r"|(?P<time>\d{1,2}[:.]\d{2}(?!\d))"
    r"|(?P<num>\d+(?:[.,]\d+)?)"
    r"|(?P<sym>%)"
    r"|(?P<punct>!+|\?+|\.{2,}|…|[.,;:—–\-()«»“”\"'/]))"
)
_PUNCT_GROUP = _TOKEN.groupindex["punct"]
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
    import pymorphy3_dicts_ru

    # every parse is taken, in no particular order: parses come as plain tuples (word, tag, normal
    # form, score, methods) and are not ranked, which spares a quarter of the time a word never
    # seen before costs (a reply of made-up words is made of little else)
    with collector_paused():  # its dictionary: thousands of objects that live as long as the process
        # the dictionary's folder given, not looked up among every installed package's entry
        # points: a third of the time the lemmatiser took to load
        path = pymorphy3_dicts_ru.get_path()
        return pymorphy3.MorphAnalyzer(path, lang="ru", result_type=None, probability_estimator_cls=None)


@lru_cache(maxsize=1)
def _guesser() -> Any:
    from pymorphy3.units import KnownSuffixAnalyzer

    # the lemmatiser's guess by a word's ending, alone: for a form its dictionary does not hold,
    # the other guesses (a known word after a prefix, a shape) cost as much again, and a reply of
    # made-up words is made of little else. Without them (the cues fitted again), two true findings
    # of all the labelled replies were lost and two false ones dropped (docs/limits.md)
    unit = KnownSuffixAnalyzer()
    unit.init(_morph())
    return unit


@lru_cache(maxsize=200_000)
def _ru_word(lower: str) -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    try:
        morph = _morph()
        guess = lower.isalpha() and not morph.word_is_known(lower)  # hyphens and digits: the full reading
        parses = _guesser().parse(lower, lower, set()) if guess else morph.parse(lower)
    except Exception:  # pymorphy3 fails on a few exotic code points; such a word is unknown
        return frozenset({lower}), ()
    lemmas = frozenset({p[2].replace("ё", "е") for p in parses} | {lower})
    grams = tuple(frozenset(p[1].grammemes) for p in parses)
    return lemmas, grams


# Contractions chat writes without the apostrophe, where no other word is spelled so ("well",
# "were", "ill", "its", "lets", "hell", "shed" are words of their own): read as their written form
# too, by the patterns ("dont" matches "don't"); the learned cues leave those forms aside (UNMARKED)
_CONTRACTIONS: tuple[str, ...] = ("don't", "didn't", "doesn't", "isn't", "aren't", "wasn't", "weren't", "haven't", "hasn't")
_CONTRACTIONS += ("hadn't", "won't", "can't", "wouldn't", "couldn't", "shouldn't", "mustn't", "you're", "you've", "you'd")
_CONTRACTIONS += ("you'll", "that's", "there's", "what's", "i'm", "i've", "i'd", "they're", "we've")
# Chat's short spellings, read as the words they stand for in the same way: "ur mistake" is
# "your mistake" to every pattern written for the long form
_CHAT_SPELLINGS = {
    "u": ("you",), "ur": ("your", "you're"), "yr": ("your",), "ure": ("you're",), "urself": ("yourself",),
    "pls": ("please",), "plz": ("please",), "cos": ("because",), "coz": ("because",), "cuz": ("because",),
    "tho": ("though",),
}
# each chat spelling with the forms it is read as besides itself
UNMARKED: dict[str, frozenset[str]] = {w.replace("'", ""): frozenset((w,)) for w in _CONTRACTIONS}
UNMARKED.update((w, frozenset(forms)) for w, forms in _CHAT_SPELLINGS.items())


@lru_cache(maxsize=200_000)
def _en_word(lower: str) -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    forms = {lower}
    base = lower.replace("’", "'")
    forms.add(base)
    for suffix, repl in (("'s", ""), ("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e")):
        if base.endswith(suffix) and len(base) - len(suffix) >= 3:
            forms.add(base[: -len(suffix)] + repl)
    spelled_out = UNMARKED.get(lower)
    if spelled_out is not None:
        forms.update(spelled_out)
    return frozenset(forms), _PAST_GRAMS if _en_past(base) else ()


# English has no lemmatiser: a past tense (or participle) is told by its ending or by a list
_PAST_GRAMS = (frozenset({"past"}),)
_IRREGULAR_PAST = frozenset(
    (
        "did", "didn't", "had", "hadn't", "was", "wasn't", "were", "weren't", "went", "gone", "made",
        "took", "taken", "got", "gotten", "gave", "given", "said", "told", "sent", "left", "put", "paid",
        "bought", "brought", "broke", "broken", "forgot", "forgotten", "chose", "chosen", "wrote",
        "written", "rang", "rung", "came", "saw", "seen", "knew", "known", "thought", "found", "kept",
        "lost", "meant", "spent", "understood", "wore", "worn", "ate", "eaten", "drove", "driven", "ran",
        "threw", "thrown", "sat", "stood", "hung", "shut", "sold", "built", "fell", "fallen", "felt",
        "held", "lent", "led", "began", "begun", "tore", "torn", "misread", "misunderstood", "mislaid"
    )
)
_NOT_PAST = frozenset(
    (
        "need", "feed", "seed", "speed", "bleed", "breed", "indeed", "proceed", "succeed", "exceed",
        "embed", "hundred", "shed", "greed", "weed", "deed", "sacred", "naked", "wicked", "ahead",
        "instead", "sled", "shred", "steed", "tweed", "reed", "heed"
    )
)


def _en_past(word: str) -> bool:
    """Whether an English word reads as a past tense or participle ("booked", "told"): every word
    of four letters or more ending in "-ed" but a few ("need", "indeed"), and the irregular forms
    listed (words of three letters are all listed: "bed" and "red" are none)."""
    if word in _IRREGULAR_PAST:
        return True
    return len(word) >= 4 and word.endswith("ed") and word not in _NOT_PAST


def warm_up(lang: str) -> None:
    """Load the lemmatiser now rather than on the first reply."""
    if lang == "ru":
        _ru_word("проверка")


# What a token's written form alone decides: its kind (words, numbers, times and "%" are written
# with different characters), lower-case form, lemmas, grammemes, and whether it is in capitals.
TokenInfo = tuple[str, str, frozenset[str], tuple[frozenset[str], ...], bool]


def _info(piece: str, kind: str, lang: str) -> TokenInfo:
    if kind != "word":
        lower = piece.lower()
        return kind, lower, frozenset((lower,)), (), False
    lower = piece.lower().replace("ё", "е")
    lemmas, grams = _ru_word(lower) if lang == "ru" else _en_word(lower)
    return kind, lower, lemmas, grams, len(piece) >= 2 and piece.isupper()


# Each language's token infos by written form, a plain dict in front of the lemma caches above: a
# reply's sixty-odd words are each looked up once, and a dict lookup is the cheapest there is.
# Emptied when full, which bounds it like the caches behind it.
_INFOS: dict[str, dict[str, TokenInfo]] = {"ru": {}, "en": {}}
_INFOS_KEPT = 200_000


# The last few texts analysed: the same reply is often read twice in a row (its behaviours, then
# its politeness), and an Analysis is immutable, so it can be shared. Long texts are not kept, and
# only a few: the 32 once kept held some 2,000 tokens alive, which the garbage collector moved
# to its oldest generation and then walked in every full collection.
_RECENT: dict[tuple[str, str], Analysis] = {}
_RECENT_SIZE = 4
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


# A reply is analysed column by column, each column made by a loop in C (``map``, ``zip``,
# ``compress``): a Python loop over the tokens did some sixty steps for each and was a quarter of
# the detector's time. Only the punctuation, a few marks a sentence, is walked in Python.
_group = re.Match.group
_start = re.Match.start
_end = re.Match.end
_lastindex = attrgetter("lastindex")
# tuple.__new__ builds the named tuple without the Python-level __new__ of its class
_make_token = partial(tuple.__new__, Token)
# a newline right after a word (at most two spaces between) ends a sentence too (lists, letters)
_LINE_END = re.compile(r"[^\S\n]{0,2}\n")


def _analyse(text: str, lang: str) -> Analysis:
    matches = list(_TOKEN.finditer(text))
    groups = list(map(_lastindex, matches))
    marks = list(compress(range(len(matches)), map(_PUNCT_GROUP.__eq__, groups)))
    words = list(compress(matches, map(_PUNCT_GROUP.__ne__, groups))) if marks else matches
    pieces = list(map(_group, words))
    starts = list(map(_start, words))
    ends = list(map(_end, words))
    known = _INFOS["ru" if lang == "ru" else "en"]
    looked_up = list(map(known.get, pieces))
    if None in looked_up:  # a form not met before
        for k, found in enumerate(looked_up):
            if found is None:
                found = looked_up[k] = _info(pieces[k], words[k].lastgroup or "word", lang)
                if len(known) >= _INFOS_KEPT:
                    known.clear()
                known[pieces[k]] = found
    infos = cast("list[TokenInfo]", looked_up)
    n = len(pieces)
    sentences, changes = _sentences(text, matches, marks, ends, infos)
    if changes:  # each token's sentence and clause number, run by run
        sentence_of: list[int] = []
        clause_of: list[int] = []
        at, sentence, clause = 0, 0, 0
        for upto, next_sentence, next_clause in changes:
            sentence_of += [sentence] * (upto - at)
            clause_of += [clause] * (upto - at)
            at, sentence, clause = upto, next_sentence, next_clause
        sentence_of += [sentence] * (n - at)
        clause_of += [clause] * (n - at)
    else:
        sentence_of = clause_of = [0] * n
    quoted = [False] * n
    for first, last in quotations(text):  # the tokens that start inside a quotation
        lo, hi = bisect_right(starts, first), bisect_left(starts, last)
        quoted[lo:hi] = [True] * (hi - lo)
    kinds, lowers, lemmas, grams, caps = zip(*infos, strict=True) if infos else ((), (), (), (), ())
    columns = zip(pieces, starts, ends, kinds, lowers, lemmas, grams, sentence_of, clause_of, quoted, caps, strict=True)
    return Analysis(text, lang, tuple(map(_make_token, columns)), tuple(sentences))


def _sentences(
    text: str, matches: list[re.Match[str]], marks: list[int], ends: list[int], infos: list[TokenInfo]
) -> tuple[list[Sentence], list[tuple[int, int, int]]]:
    """The sentences, and where the sentence or clause number changes: (token index from which,
    sentence, clause). ``marks`` are the indices of the punctuation among ``matches``; ``ends``
    and ``infos`` are the other tokens'."""
    n = len(ends)
    lines = _line_ends(text, ends) if "\n" in text else []
    line = 0
    sentences: list[Sentence] = []
    changes: list[tuple[int, int, int]] = []
    sentence = clause = first = 0
    for j, k in enumerate(marks):
        count = k - j  # the tokens before this mark
        while line < len(lines) and lines[line] <= count:  # line ends before it
            upto = lines[line]
            line += 1
            sentences.append(Sentence(first, upto, False))
            first = upto
            sentence += 1
            clause += 1
            changes.append((upto, sentence, clause))
        m = matches[k]
        piece = m.group()
        if piece == ".":
            # an abbreviation's full stop ("Mr.", "ул.", "ref.") ends nothing...
            after = m.end()
            if count and ends[count - 1] == after - 1 and infos[count - 1][1] in _ABBREVIATIONS:
                continue
            # ... or one inside a web address or a number ("parusnik.ru", "№"). Before a lower-case
            # word after a space it ends a sentence: chat writes its sentences in lower case, and
            # "юлия, понимаю, обидно. вакансия висела до 1 мая…" kept in one sentence read as a
            # reply that only reproaches (a brush-off, language.detection)
            rest = text[after : after + 3].lstrip(" ")
            if rest and (rest[0] == "№" or (rest[0].islower() and not text[after : after + 1].isspace())):
                continue
        if piece[0] in "!?" or piece in _SENTENCE_END or piece.startswith(".."):
            if count > first:
                sentences.append(Sentence(first, count, "?" in piece))
                first = count
                sentence += 1
                clause += 1
                changes.append((count, sentence, clause))
        elif piece in _CLAUSE_END or (piece == "-" and m.start() > 0 and text[m.start() - 1] == " "):
            clause += 1
            changes.append((count, sentence, clause))
    for upto in lines[line:]:
        sentences.append(Sentence(first, upto, False))
        first = upto
        sentence += 1
        clause += 1
        changes.append((upto, sentence, clause))
    if n > first:
        sentences.append(Sentence(first, n, text.rstrip().endswith("?")))
    return sentences, changes


def _line_ends(text: str, ends: list[int]) -> list[int]:
    """After how many tokens a line ends: a newline right after a token (not after punctuation)."""
    out = []
    for m in _LINE_END.finditer(text):
        at = bisect_left(ends, m.start())
        if at < len(ends) and ends[at] == m.start():
            out.append(at + 1)
    return out
