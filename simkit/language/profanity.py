"""Obscene words and insults: the words that make a reply ``rude`` by themselves.

The lists are data (``lexicons/profanity.yaml``): regular expressions over whole words, so that
Russian mat is caught with its prefixes and endings ("заебали", "распиздяй", "охуеть") while the
ordinary words that contain the same letters are not ("употреблять", "застрахуйте", "скребок",
"class", "assess", "Dickens"). Spellings meant to slip past a filter are read too: look-alike
letters, digits and invisible characters are undone before (language.normalize); masked words
("бл*", "f*ck", "п**дец") and words spelt out letter by letter ("f u c k") are compared here with
the list's plain forms.

A hit counts unless the words are in quotation marks (the customer's words, or a word the agent
names: слово «блин»). An insult - not an obscene word - also does not count when it is negated
("вопрос совсем не глупый") or reported ("вы назвали нас дебилами", "he called you an idiot").
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import itemgetter
from pathlib import Path

from .compiled import cached, source_of
from .lexicon import LEXICON_DIR
from .normalize import MASKED_WORD
from .tokens import Analysis, Token

PROFANITY_FILE = LEXICON_DIR / "profanity.yaml"

# a word with mask characters in it: "бл*", "f*ck", "п**дец", "#@$%"-style marks excluded (the
# pattern of language.normalize, which cannot backtrack over a long run of marks)
_MASKED = MASKED_WORD
# three or more single letters with one separator between them: "f u c k", "б.л.я"
_SPACED = re.compile(r"(?<!\w)[^\W\d_](?:[ .\-_][^\W\d_]){2,}(?!\w)")
# what every such run holds, found several times faster (a search that starts at a separator, not
# at every letter): a single letter between separators, then a letter that no letter or digit
# follows. Most replies have none, and are not searched for runs at all
_SPACED_HINT = re.compile(r"[ .\-_][^\W\d_][ .\-_][^\W\d_](?![^\W_])")
_REPORT_WINDOW = 4
_KINDS_KEPT = 50_000
_LOWER = itemgetter(Token._fields.index("lower"))
_NAME_GRAMS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn"})
_BE = frozenset({"be", "будьте", "будь", "act", "behave"})
_HYPOTHETICAL = frozenset({"бы", "would", "i'd", "i’d"})


def _end(token: Token) -> int:
    return token.end


# what may stand before a sentence's first word: "S*** happens." and "F*** off" swear at its start
_SENTENCE_STARTS = frozenset(".!?…\n\"'«“(-—:;")


def _masks_data(text: str, start: int, end: int) -> bool:
    """Whether a word of one letter and marks at [start, end) hides personal data, not a swear
    word: an e-mail's name ("s***@mail.ru") or a person's ("Mr S***", "Dear A***"): a capital
    inside a sentence."""
    if text[end : end + 1] == "@" or text[start - 1 : start] == "@":
        return True
    before = text[:start].rstrip(" \t")
    return text[start].isupper() and bool(before) and before[-1] not in _SENTENCE_STARTS


@dataclass(frozen=True, slots=True)
class LanguageLists:
    """One language's lists (see the data file's header; checked by language.sources)."""

    prefixes: tuple[str, ...]
    obscene: tuple[str, ...]
    insult: tuple[str, ...]
    forms: tuple[str, ...]
    report: tuple[str, ...]
    excepted: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    """A rude word at [start, end) of the analysed text."""

    start: int
    end: int
    kind: str  # obscene | insult
    tokens: tuple[int, int]  # the tokens it covers (first, last + 1); (i, i) when none


class Profanity:
    """A language's lists, compiled."""

    def __init__(self, lists: LanguageLists) -> None:
        prefixes = "|".join(sorted(lists.prefixes, key=len, reverse=True)) or "(?!)"

        def whole(patterns: tuple[str, ...]) -> re.Pattern[str]:
            body = "|".join(f"(?:{p.replace('{P}', prefixes)})" for p in patterns) or "(?!)"
            return re.compile(f"(?:{body})")

        self._obscene = whole(lists.obscene)
        self._insult = whole(lists.insult)
        self._excepted = frozenset(lists.excepted)
        self.forms = tuple(lists.forms)
        self._report = frozenset(lists.report)
        # each word's kind once looked up, "" for none: a reply's words are looked up in one loop in C
        self._kinds: dict[str, str] = {}

    def kind(self, word: str) -> str | None:
        """'obscene', 'insult' or None for one lower-case word (ё written е)."""
        found = self._kinds.get(word)
        if found is None:
            found = self._remember(word)
        return found or None

    def _remember(self, word: str) -> str:
        if len(self._kinds) >= _KINDS_KEPT:
            self._kinds.clear()
        found = self._kinds[word] = self._kind(word) or ""
        return found

    def _kind(self, word: str) -> str | None:
        """'obscene', 'insult' or None for one lower-case word (ё written е); parts of a hyphenated word count."""
        if word in self._excepted:
            return None
        if self._obscene.fullmatch(word):
            return "obscene"
        if self._insult.fullmatch(word):
            return "insult"
        if "-" in word or "'" in word or "’" in word:
            kinds = {self.kind(part) for part in re.split(r"[-'’]", word) if part}
            return "obscene" if "obscene" in kinds else "insult" if "insult" in kinds else None
        return None

    def known(self, word: str) -> bool:
        """Whether ``word`` is on the lists (for language.normalize: digits read as letters)."""
        return self.kind(word) is not None

    def find(self, a: Analysis, negators: frozenset[str], window: int) -> list[Hit]:
        """Every rude word of the analysed text that counts (see the module's docstring)."""
        return self.read(a, negators, window)[0]

    def read(self, a: Analysis, negators: frozenset[str], window: int) -> tuple[list[Hit], bool]:
        """Every rude word of the analysed text that counts, and whether it holds an insult that does
        not: quoted, negated or reported ("He called you an idiot? I apologise."). The learned cues
        read such a word and not its scope, so the detector keeps them from finding rudeness there."""
        out: list[Hit] = []
        excused = False
        tokens = a.tokens
        # every word looked up in one loop in C: most replies have no rude word at all
        lowers = list(map(_LOWER, tokens))
        kinds = list(map(self._kinds.get, lowers))
        if None in kinds:
            kinds = [self._remember(lower) if kind is None else kind for lower, kind in zip(lowers, kinds, strict=True)]
        for i, kind in enumerate(kinds) if any(kinds) else ():
            t = tokens[i]
            if not kind or t.kind != "word" or self._name(a, i):
                continue
            if not t.quoted and not (kind == "insult" and self._excused(tokens, i, negators, window)):
                out.append(Hit(t.start, t.end, kind, (i, i + 1)))
            elif kind == "insult":
                excused = True
        text = a.text
        if "*" in text or "#" in text:
            for m in _MASKED.finditer(text):
                kind = self._masked(text, m.start(), m.end())
                if kind:
                    out += self._hit(a, m.start(), m.end(), kind, negators, window)
        for m in _SPACED.finditer(text) if _SPACED_HINT.search(text) else ():
            word = re.sub(r"[ .\-_]", "", m.group()).lower().replace("ё", "е")
            kind = self.kind(word)
            if kind:
                out += self._hit(a, m.start(), m.end(), kind, negators, window)
        return out, excused

    @staticmethod
    def _name(a: Analysis, i: int) -> bool:
        """A capitalised word inside a sentence that is a name: "Сучков", "Олеговна", "Wankel"."""
        t = a.tokens[i]
        if not t.text[:1].isupper() or t.is_caps or a.sentences[t.sentence].first == i:
            return False
        return a.lang != "ru" or any(g & _NAME_GRAMS for g in t.grams)

    def _masked(self, text: str, start: int, end: int) -> str | None:
        """The kind of the masked word at [start, end) of ``text``, or None."""
        piece = text[start:end]
        letters = sum(c.isalpha() for c in piece)
        if letters == 1:
            return self._initial_masked(text, start, end)
        if letters < 2:
            return None
        word = piece.lower().replace("ё", "е")
        runs = re.findall(r"[*#]+|[^*#]+", word)
        parts = []
        for k, run in enumerate(runs):
            if run[0] not in "*#":
                # a digit left in a masked word stands for some letter: "b*llsh1t"
                parts.append("".join("." if c.isdigit() else re.escape(c) for c in run))
            elif k == len(runs) - 1:
                parts.append(".*")  # "бл*": any ending
            else:
                parts.append(f".{{{len(run)},{len(run) + 1}}}")  # mostly a letter a mark
        body = "".join(parts)
        pattern = re.compile(body)
        for form in self.forms:
            if pattern.fullmatch(form):
                return self.kind(form) or "obscene"
        return None

    def _initial_masked(self, text: str, start: int, end: int) -> str | None:
        """A swear word written as its first letter and a mark for each other letter ("f***",
        "s***", "х**", "б***"): "obscene" when a listed obscene form has that first letter and
        that length, unless it hides a name or an address (_masks_data). One letter tells too
        little for an insult, or for a word of two letters."""
        word = text[start:end].lower().replace("ё", "е")
        if len(word) < 3 or not word[0].isalpha() or not set(word[1:]) <= {"*", "#"}:
            return None
        if (word[0], len(word)) not in self._obscene_initials or _masks_data(text, start, end):
            return None
        return "obscene"

    @cached_property
    def _obscene_initials(self) -> frozenset[tuple[str, int]]:
        return frozenset((form[0], len(form)) for form in self.forms if self.kind(form) == "obscene")

    def unmask(self, piece: str) -> str | None:
        """The one listed form a masked word stands for, letter for mark ("f*ck": "fuck"), in the
        piece's capitals; None when no form or several fit."""
        if sum(c.isalpha() for c in piece) < 2:
            return None
        body = "".join("." if c in "*#" else re.escape(c) for c in piece.lower().replace("ё", "е"))
        pattern = re.compile(body)
        fits = {form for form in self.forms if len(form) == len(piece) and pattern.fullmatch(form)}
        if len(fits) != 1:
            return None
        (form,) = fits
        return "".join(f.upper() if p.isupper() else f for p, f in zip(piece, form, strict=True))

    def _hit(self, a: Analysis, start: int, end: int, kind: str, negators: frozenset[str], window: int) -> list[Hit]:
        # the tokens overlapping [start, end): found by a search, not a scan of every token
        first = bisect_right(a.tokens, start, key=_end)
        covered = list(itertools.takewhile(lambda i: a.tokens[i].start < end, range(first, len(a.tokens))))
        if any(a.tokens[i].quoted for i in covered):
            return []
        if covered and kind == "insult" and self._excused(a.tokens, covered[0], negators, window):
            return []
        first = covered[0] if covered else 0
        return [Hit(start, end, kind, (first, covered[-1] + 1) if covered else (first, first))]

    def _excused(self, tokens: tuple[Token, ...], i: int, negators: frozenset[str], window: int) -> bool:
        """Whether the insult at token ``i`` is negated or reported."""
        clause = tokens[i].clause
        for j in range(i - 1, max(i - 1 - max(window, _REPORT_WINDOW), -1), -1):
            t = tokens[j]
            if t.clause != clause:
                break
            if i - j <= window and t.lower in negators:
                # "не тупите", "don't be an idiot", "не будьте дураком" still call names
                imperative = any("impr" in g for g in tokens[i].grams)
                return not imperative and not any(tokens[k].lower in _BE for k in range(j + 1, i))
            if t.lower in self._report or not self._report.isdisjoint(t.lemmas):
                return not (j > 0 and tokens[j - 1].lower in _HYPOTHETICAL)
        return False


def load_lists(lang: str, path: Path = PROFANITY_FILE) -> LanguageLists:
    """The lists of ``lang`` from the data file."""
    from .sources import read_profanity  # only when the cache misses: it imports pydantic

    return read_profanity(path, lang)


@lru_cache(maxsize=4)
def profanity(lang: str) -> Profanity:
    """The compiled lists of ``lang``.

    The lists are kept in the compiled-lexicon cache (language.compiled): reading the YAML file,
    once per language, was a sixth of the time the lexicons took to load."""
    code = source_of(__name__, "simkit.language.sources", "simkit.content.models", "simkit.content.yamlload")
    parts = [PROFANITY_FILE.read_bytes(), lang.encode(), code]
    return Profanity(cached(f"profanity-{lang}", parts, lambda: load_lists(lang), LanguageLists))
