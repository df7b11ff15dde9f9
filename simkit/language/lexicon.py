"""Lexicons: phrases over lemmas, with gaps and alternatives, as data (one YAML file per language).

A pattern is a line of slots separated by spaces:

- ``извинить``      a lemma (Russian: any lemma pymorphy3 proposes; English: the form or a stem)
- ``извин*``        a prefix of a lemma or of the word form
- ``=please``       the written form itself, not a lemma ("pleased" is no "please")
- ``==Fairway``     the written form with its capitals
- ``*``             any word
- ``a|b*|c``        any of the alternatives
- ``x?``            an optional slot
- ``~3``            up to three words of anything, within the sentence
- ``#num`` ``#time`` a number, a clock time (17:00); ``%`` the percent sign
- ``@futr`` ``@VERB+impr``  a word with these grammemes in one of its parses (Russian)
- ``{group}``       any pattern of the named group, inline

Matching walks the tokens of one sentence; a pattern never spans two sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from ..content.models import Model
from ..errors import SimkitError
from .tokens import Analysis, Token

LEXICON_DIR = Path(__file__).parent / "lexicons"

Patterns = list[str]


class BehaviorLexicon(Model):
    """How one behaviour shows in text."""

    patterns: Patterns
    block: Patterns = Field(default_factory=list, description="Cancel a hit when one of these is in its clause.")
    block_sentence: Patterns = Field(default_factory=list, description="Cancel a hit when one of these is in its sentence.")
    context: Patterns = Field(default_factory=list, description="A hit needs one of these in its sentence.")
    negatable: bool = Field(True, description="A negator shortly before the hit, in its clause, cancels it.")
    quoted: bool = Field(False, description="Whether words inside quotation marks can count.")
    question: bool = Field(False, description="Only in sentences that end with '?'.")
    question_patterns: Patterns = Field(default_factory=list, description="Patterns that count only in a question.")
    first_sentences: Annotated[int, Field(ge=0)] = Field(0, description="Only in the first N sentences (0: anywhere).")
    last_sentences: Annotated[int, Field(ge=0)] = Field(0, description="Only in the last N sentences (0: anywhere).")
    negation_window: Annotated[int, Field(ge=0, le=6)] | None = Field(None, description="Overrides the lexicon's window.")


class Lexicon(Model):
    """A language's lexicon: behaviours, helper groups, departments, politeness strategies."""

    lang: str
    negators: list[str]
    negation_window: Annotated[int, Field(ge=0, le=6)] = 3
    acronyms: list[str] = Field(default_factory=list)
    common_caps_words: list[str] = Field(default_factory=list, description="Short words that are never acronyms.")
    titles: list[str] = Field(default_factory=list, description="Words before a surname: Mr, Ms, господин.")
    groups: dict[str, Patterns] = Field(default_factory=dict)
    departments: dict[str, Patterns]
    behaviors: dict[str, BehaviorLexicon]
    politeness: dict[str, Patterns] = Field(default_factory=dict)
    topics: dict[str, Patterns] = Field(default_factory=dict, description="What a customer's words raise (language.topics).")


class LexiconError(SimkitError):
    """A lexicon that does not load or whose pattern does not parse."""


# -- patterns -------------------------------------------------------------------------------

AltKind = Literal["lemma", "prefix", "form", "cased", "any", "num", "time", "sym", "gram"]


@dataclass(frozen=True, slots=True)
class Alt:
    kind: AltKind
    value: str = ""
    grams: frozenset[str] = frozenset()

    def test(self, token: Token) -> bool:
        if self.kind == "lemma":
            return self.value in token.lemmas
        if self.kind == "prefix":
            return token.lower.startswith(self.value) or any(lemma.startswith(self.value) for lemma in token.lemmas)
        if self.kind == "form":
            return token.lower == self.value
        if self.kind == "cased":
            return token.text == self.value
        if self.kind == "any":
            return token.kind == "word"
        if self.kind == "gram":
            return any(self.grams <= g for g in token.grams)
        return token.kind == self.kind


@dataclass(frozen=True, slots=True)
class Slot:
    alts: tuple[Alt, ...]
    optional: bool = False
    gap: int = 0  # >0: a gap of up to ``gap`` tokens instead of a word
    # the alternatives split for speed: plain lemmas and forms are tested as sets
    lemmas: frozenset[str] = frozenset()
    forms: frozenset[str] = frozenset()
    others: tuple[Alt, ...] = ()

    @classmethod
    def of(cls, alts: tuple[Alt, ...], optional: bool = False) -> Slot:
        return cls(
            alts,
            optional,
            0,
            frozenset(a.value for a in alts if a.kind == "lemma"),
            frozenset(a.value for a in alts if a.kind == "form"),
            tuple(a for a in alts if a.kind not in ("lemma", "form")),
        )

    def test(self, token: Token) -> bool:
        if self.lemmas and not self.lemmas.isdisjoint(token.lemmas):
            return True
        if token.lower in self.forms:
            return True
        return any(a.test(token) for a in self.others)


@dataclass(frozen=True)
class Pattern:
    """A compiled pattern; ``source`` is the text it was written as."""

    source: str
    slots: tuple[Slot, ...]

    def keys(self) -> list[tuple[str, str]] | None:
        """Index keys of the first slot, or None when the pattern can start anywhere."""
        first = self.slots[0]
        if first.gap or first.optional:
            return None
        out = []
        for alt in first.alts:
            if alt.kind == "lemma" or alt.kind == "form":
                out.append(("w", alt.value))
            elif alt.kind == "cased":
                out.append(("w", alt.value.lower().replace("ё", "е")))
            elif alt.kind == "prefix" and len(alt.value) >= 3:
                out.append(("p", alt.value[:3]))
            else:
                return None
        return out


_SLOT = re.compile(r"^(?:~(?P<gap>\d)|(?P<alts>[^\s?]+)(?P<opt>\?)?)$")


def _alt(text: str, source: str) -> Alt:
    if text in ("#num", "#time"):
        return Alt(text[1:])  # type: ignore[arg-type]
    if text == "%":
        return Alt("sym")
    if text.startswith("@"):
        return Alt("gram", grams=frozenset(text[1:].split("+")))
    if text == "*":
        return Alt("any")
    if text.startswith("=="):
        return Alt("cased", text[2:])
    if text.startswith("="):
        return Alt("form", text[1:].lower().replace("ё", "е"))
    value = text.lower().replace("ё", "е")
    if value.endswith("*"):
        return Alt("prefix", value[:-1])
    if not value or not re.match(r"^[\w'’-]+$", value):
        raise LexiconError(f"pattern '{source}': '{text}' is not a word, prefix*, =form, *, #num, #time, % or @grammeme")
    return Alt("lemma", value)


def compile_pattern(source: str, groups: dict[str, Patterns] | None = None) -> list[Pattern]:
    """The pattern (expanded over any ``{group}`` it names) as compiled alternatives."""
    groups = groups or {}
    match = re.search(r"\{(\w+)\}", source)
    if match:
        if match.group(1) not in groups:
            raise LexiconError(f"pattern '{source}': no group named '{match.group(1)}'")
        out: list[Pattern] = []
        for inner in groups[match.group(1)]:
            out += compile_pattern(source[: match.start()] + inner + source[match.end() :], groups)
        return out
    slots = []
    for piece in source.split():
        m = _SLOT.match(piece)
        if not m:
            raise LexiconError(f"pattern '{source}': cannot read '{piece}'")
        if m.group("gap"):
            slots.append(Slot((), gap=int(m.group("gap"))))
            continue
        alts = tuple(_alt(a, source) for a in m.group("alts").split("|"))
        slots.append(Slot.of(alts, optional=bool(m.group("opt"))))
    if not slots or all(s.gap or s.optional for s in slots):
        raise LexiconError(f"pattern '{source}' has no required word")
    return [Pattern(source, variant) for variant in _anchored(tuple(slots))]


def _anchored(slots: tuple[Slot, ...]) -> list[tuple[Slot, ...]]:
    """Equivalent variants that start with a required slot, so that they can be indexed.

    A leading gap only moves where a hit starts, and a leading optional slot is the same as two
    patterns, one with the slot required and one without it.
    """
    while slots and (slots[0].gap or slots[-1].gap):
        slots = slots[1:] if slots[0].gap else slots[:-1]
    first = slots[0]
    if not first.optional:
        return [slots]
    required = Slot.of(first.alts)
    return [(required, *slots[1:]), *_anchored(slots[1:])]


def _match_from(slots: tuple[Slot, ...], tokens: tuple[Token, ...], i: int, end: int) -> int | None:
    """Index after the last token matched when ``slots`` match from token ``i``, else None."""
    if not slots:
        return i
    slot, rest = slots[0], slots[1:]
    if slot.gap:
        for skip in range(slot.gap + 1):
            if i + skip > end:
                break
            found = _match_from(rest, tokens, i + skip, end)
            if found is not None:
                return found
        return None
    if i < end and slot.test(tokens[i]):
        found = _match_from(rest, tokens, i + 1, end)
        if found is not None:
            return found
    if slot.optional:
        return _match_from(rest, tokens, i, end)
    return None


@dataclass
class PatternSet:
    """Patterns indexed by their first word; a Matcher merges many sets and matches them."""

    patterns: list[Pattern]
    by_word: dict[str, list[Pattern]] = field(default_factory=dict)
    by_prefix: dict[str, list[Pattern]] = field(default_factory=dict)
    anywhere: list[Pattern] = field(default_factory=list)

    def __post_init__(self) -> None:
        for p in self.patterns:
            keys = p.keys()
            if keys is None:
                self.anywhere.append(p)
                continue
            for kind, key in keys:
                (self.by_word if kind == "w" else self.by_prefix).setdefault(key, []).append(p)


Candidate = tuple[str, tuple[Slot, ...], int, tuple[frozenset[str], ...]]


def _needs(slots: tuple[Slot, ...]) -> tuple[frozenset[str], ...]:
    """For each required slot made only of words, the words one of which the sentence must hold."""
    return tuple(
        slot.lemmas | slot.forms
        for slot in slots
        if not slot.gap and not slot.optional and not slot.others and (slot.lemmas or slot.forms)
    )


class Matcher:
    """Many named pattern sets matched in one pass over the tokens.

    For each word form, the patterns whose first slot it satisfies are found once and cached, so
    a reply costs one dictionary lookup per token plus the matching of the rest of the few
    patterns that really start there. Only patterns that may start with a gap or an optional
    slot are tried everywhere.
    """

    def __init__(self, sets: dict[str, PatternSet]) -> None:
        self.by_word: dict[str, list[tuple[str, Pattern]]] = {}
        self.by_prefix: dict[str, list[tuple[str, Pattern]]] = {}
        self.pretest: list[tuple[str, Pattern]] = []  # first slot required but not indexable
        self.anywhere: list[Candidate] = []
        for name, patterns in sets.items():
            for key, listed in patterns.by_word.items():
                self.by_word.setdefault(key, []).extend((name, p) for p in listed)
            for key, listed in patterns.by_prefix.items():
                self.by_prefix.setdefault(key, []).extend((name, p) for p in listed)
            for p in patterns.anywhere:
                first = p.slots[0]
                if first.gap or first.optional:
                    self.anywhere.append((name, p.slots, 0, _needs(p.slots)))
                else:
                    self.pretest.append((name, p))
        self._cache: dict[tuple[str, str, frozenset[str]], tuple[Candidate, ...]] = {}

    def _candidates(self, token: Token) -> tuple[Candidate, ...]:
        key = (token.kind, token.lower, token.lemmas)
        found = self._cache.get(key)
        if found is None:
            seen: dict[tuple[str, int], Candidate] = {}
            words = {token.lower, *token.lemmas}
            pool = [item for w in words for item in self.by_word.get(w, ())]
            pool += [item for prefix in {w[:3] for w in words} for item in self.by_prefix.get(prefix, ())]
            for name, p in (*pool, *self.pretest):
                if (name, id(p)) not in seen and p.slots[0].test(token):
                    seen[(name, id(p))] = (name, p.slots[1:], 1, _needs(p.slots[1:]))
            if len(self._cache) > 200_000:
                self._cache.clear()
            found = self._cache[key] = (*seen.values(), *self.anywhere)
        return found

    def run(self, analysis: Analysis, only: set[int] | None = None) -> dict[str, list[tuple[int, int]]]:
        """Token spans of every hit, by pattern-set name (in the sentences ``only``, if given)."""
        tokens = analysis.tokens
        out: dict[str, list[tuple[int, int]]] = {}
        sentences = analysis.sentences if only is None else [analysis.sentences[k] for k in sorted(only)]
        for sentence in sentences:
            # a pattern whose later words are nowhere in the sentence cannot match: skip it cheaply
            words: set[str] = set()
            for t in tokens[sentence.first : sentence.last]:
                words.add(t.lower)
                words.update(t.lemmas)
            last = sentence.last
            for i in range(sentence.first, last):
                for name, slots, done, needs in self._candidates(tokens[i]):
                    if not slots:  # a one-word pattern, already tested on this word
                        out.setdefault(name, []).append((i, i + done))
                        continue
                    if needs and not _all_touch(needs, words):
                        continue
                    end = _match_from(slots, tokens, i + done, last)
                    if end is not None and end > i:
                        out.setdefault(name, []).append((i, end))
        return out


def _all_touch(needs: tuple[frozenset[str], ...], words: set[str]) -> bool:
    # a plain loop: this runs for every candidate pattern and a generator costs more here
    for need in needs:  # noqa: SIM110
        if need.isdisjoint(words):
            return False
    return True


def compile_set(sources: Patterns, groups: dict[str, Patterns]) -> PatternSet:
    """A pattern set from pattern texts."""
    return PatternSet([p for s in sources for p in compile_pattern(s, groups)])


@lru_cache(maxsize=8)
def load_lexicon(lang: str, folder: Path = LEXICON_DIR) -> Lexicon:
    """The lexicon of ``lang`` from ``folder`` (the package's own by default)."""
    from ..content.validation import validate_document
    from ..content.yamlload import load_yaml

    path = folder / f"{lang}.yaml"
    if not path.is_file():
        raise LexiconError(f"no lexicon for language '{lang}' (looked for {path})")
    doc, problems = load_yaml(path.read_text(encoding="utf-8"), str(path))
    if doc is not None and not problems:
        lexicon, problems = validate_document(doc, Lexicon)
        if lexicon is not None:
            return lexicon
    raise LexiconError("the lexicon has problems:\n" + "\n".join(map(str, problems)))
