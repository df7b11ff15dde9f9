"""Patterns: the lexicons' phrase language (see language.lexicon) compiled into slots.

A compiled pattern is a tuple of slots, each a set of alternatives split by kind so that one token
is tested against all of them at once. Patterns are indexed by their first slot (``PatternSet``),
which is how the Matcher (language.matcher) finds the few that may start at a word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, NamedTuple

from ..errors import SimkitError
from .tokens import Token

Patterns = Sequence[str]


class LexiconError(SimkitError):
    """A lexicon that does not load or whose pattern does not parse."""


AltKind = Literal["lemma", "prefix", "form", "cased", "any", "num", "time", "sym", "gram"]


# Alternatives and slots are named tuples: thousands of them are built and stored in the compiled
# lexicon (language.compiled), and tuples build, hash and unpickle several times faster than
# frozen dataclasses.
class Alt(NamedTuple):
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


class Slot(NamedTuple):
    alts: tuple[Alt, ...]
    optional: bool = False
    gap: int = 0  # >0: a gap of up to ``gap`` tokens instead of a word
    # the alternatives split for speed: plain lemmas and forms are tested as sets
    lemmas: frozenset[str] = frozenset()
    forms: frozenset[str] = frozenset()
    others: tuple[Alt, ...] = ()
    # ... and the others by kind: token kinds that match (``*``, #num, #time, %), cased forms,
    # prefixes (one ``str.startswith`` call for all of them) and grammeme sets
    kinds: frozenset[str] = frozenset()
    cased: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    grams: tuple[frozenset[str], ...] = ()

    @classmethod
    def of(cls, alts: tuple[Alt, ...], optional: bool = False) -> Slot:
        lemmas, forms, kinds, cased, grams = set(), set(), set(), set(), []
        prefixes: dict[str, None] = {}
        others = []
        for a in alts:
            if a.kind == "lemma":
                lemmas.add(a.value)
                continue
            if a.kind == "form":
                forms.add(a.value)
                continue
            others.append(a)
            if a.kind == "prefix":
                prefixes[a.value] = None
            elif a.kind == "cased":
                cased.add(a.value)
            elif a.kind == "gram":
                grams.append(a.grams)
            else:
                kinds.add("word" if a.kind == "any" else a.kind)
        return cls(
            alts,
            optional,
            0,
            frozenset(lemmas),
            frozenset(forms),
            tuple(others),
            frozenset(kinds),
            frozenset(cased),
            tuple(prefixes),
            tuple(grams),
        )

    def test(self, token: Token) -> bool:
        """Whether one of the alternatives matches ``token`` (what ``Alt.test`` says, faster)."""
        if not self.lemmas.isdisjoint(token.lemmas) or token.lower in self.forms:
            return True
        if not self.others:
            return False
        if token.kind in self.kinds or token.text in self.cased:
            return True
        prefixes = self.prefixes
        if prefixes and (token.lower.startswith(prefixes) or any(lemma.startswith(prefixes) for lemma in token.lemmas)):
            return True
        for grams in self.grams:
            for parse in token.grams:
                if grams <= parse:
                    return True
        return False


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
_GROUP = re.compile(r"\{(\w+)\}")


_NOT_A_SLOT = "is not a word, prefix*, =form, *, #num, #time, % or @grammeme"


@lru_cache(maxsize=65_536)
def _alt_of(text: str) -> Alt | None:
    """One alternative of a slot, or None when ``text`` is none of the forms an alternative takes."""
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
        return None
    return Alt("lemma", value)


@lru_cache(maxsize=65_536)
def _slot(piece: str) -> Slot | str:
    """The slot written as ``piece``, or why it does not read.

    Cached: group expansion repeats the same slots thousands of times, and the patterns then share
    one Slot object for each, which also keeps the compiled lexicon small.
    """
    m = _SLOT.match(piece)
    if not m:
        return f"cannot read '{piece}'"
    if m.group("gap"):
        return Slot((), gap=int(m.group("gap")))
    alts = []
    for text in m.group("alts").split("|"):
        alt = _alt_of(text)
        if alt is None:
            return f"'{text}' {_NOT_A_SLOT}"
        alts.append(alt)
    return Slot.of(tuple(alts), optional=bool(m.group("opt")))


@lru_cache(maxsize=65_536)
def _required_slot(slot: Slot) -> Slot:
    return Slot.of(slot.alts)


def compile_pattern(source: str, groups: Mapping[str, Patterns] | None = None) -> list[Pattern]:
    """The pattern (expanded over any ``{group}`` it names) as compiled alternatives."""
    groups = groups or {}
    match = _GROUP.search(source)
    if match:
        if match.group(1) not in groups:
            raise LexiconError(f"pattern '{source}': no group named '{match.group(1)}'")
        out: list[Pattern] = []
        for inner in groups[match.group(1)]:
            out += compile_pattern(source[: match.start()] + inner + source[match.end() :], groups)
        return out
    slots = []
    for piece in source.split():
        slot = _slot(piece)
        if isinstance(slot, str):
            raise LexiconError(f"pattern '{source}': {slot}")
        slots.append(slot)
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
    return [(_required_slot(first), *slots[1:]), *_anchored(slots[1:])]


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
