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

Matching walks the tokens of one sentence; a pattern never spans two sentences. The patterns
compile in language.patterns and match in language.matcher; this module loads a lexicon, with its
patterns compiled, from the disk cache (language.compiled) when it can.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .compiled import cached, source_of
from .matcher import Matcher as Matcher
from .patterns import LexiconError as LexiconError
from .patterns import PatternSet as PatternSet
from .patterns import compile_pattern

LEXICON_DIR = Path(__file__).parent / "lexicons"

Patterns = tuple[str, ...]
PatternTable = dict[str, Patterns]

# The records below are what a lexicon file holds once checked (language.sources, whose schema
# describes each field) and what the compiled cache keeps: plain frozen records, so that loading
# a lexicon from the cache imports neither pydantic nor the content models.


@dataclass(frozen=True, slots=True)
class BehaviorLexicon:
    """How one behaviour shows in text."""

    patterns: Patterns
    block: Patterns = ()
    block_sentence: Patterns = ()
    context: Patterns = ()
    negatable: bool = True
    quoted: bool = False
    question: bool = False
    question_patterns: Patterns = ()
    first_sentences: int = 0
    last_sentences: int = 0
    negation_window: int | None = None


@dataclass(frozen=True, slots=True)
class Lexicon:
    """A language's lexicon: behaviours, helper groups, departments, politeness strategies."""

    lang: str
    negators: tuple[str, ...]
    departments: PatternTable
    behaviors: dict[str, BehaviorLexicon]
    negation_window: int = 3
    acronyms: tuple[str, ...] = ()
    common_caps_words: tuple[str, ...] = ()
    common_words: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    groups: PatternTable = field(default_factory=dict)
    politeness: PatternTable = field(default_factory=dict)
    topics: PatternTable = field(default_factory=dict)


def compile_set(sources: Sequence[str], groups: PatternTable) -> PatternSet:
    """A pattern set from pattern texts (compiled already when they are a loaded lexicon's)."""
    known = _precompiled(groups)
    if known is not None:
        found = known.sets.get(tuple(sources))
        if found is not None:
            return found
    return PatternSet([p for s in sources for p in compile_pattern(s, groups)])


Words = tuple[frozenset[str], tuple[str, ...]]


@dataclass(frozen=True)
class _Compiled:
    """A lexicon with every pattern list of it compiled, as the disk cache keeps it."""

    lexicon: Lexicon
    sets: dict[tuple[str, ...], PatternSet]
    words: Words  # see lexicon_words


# The compiled pattern lists of each loaded lexicon, found by the identity of its groups (the
# dict every compile_set call of that lexicon passes); the groups are held, so the id stays theirs.
_PRECOMPILED: dict[int, _Compiled] = {}


def _precompiled(groups: PatternTable) -> _Compiled | None:
    """The compiled form of the loaded lexicon whose groups these are, if it is one."""
    known = _PRECOMPILED.get(id(groups))
    return known if known is not None and known.lexicon.groups is groups else None


def lexicon_words(lexicon: Lexicon) -> Words:
    """The words and word beginnings the lexicon's patterns name (for reading digits as letters:
    language.normalize); worked out when the lexicon is compiled, and kept with it."""
    known = _precompiled(lexicon.groups)
    return known.words if known is not None else _words(lexicon)


def _words(lexicon: Lexicon) -> Words:
    sources = [p for b in lexicon.behaviors.values() for p in (*b.patterns, *b.question_patterns)]
    sources += [p for patterns in lexicon.groups.values() for p in patterns]
    words: set[str] = set()
    prefixes: set[str] = set()
    # the pieces of all patterns at once, each distinct one looked at once: patterns repeat words
    for piece in set(_PIECE_SEPARATORS.split(" ".join(sources))):
        piece = piece.lstrip("=").lower()
        if piece.endswith("*") and len(piece) >= 5 and _PREFIX_PIECE.fullmatch(piece):
            prefixes.add(piece[:-1])
        elif len(piece) >= 3 and _WORD_PIECE.fullmatch(piece):
            words.add(piece)
    return frozenset(words), tuple(sorted(prefixes))


_PIECE_SEPARATORS = re.compile(r"[\s|?]+")
_PREFIX_PIECE = re.compile(r"[^\W\d_]+\*")
_WORD_PIECE = re.compile(r"[^\W\d_][\w'’-]*")


def _pattern_lists(lexicon: Lexicon) -> Iterator[Patterns]:
    for b in lexicon.behaviors.values():
        yield from (b.patterns, b.question_patterns, b.block, b.block_sentence, b.context)
    for table in (lexicon.groups, lexicon.departments, lexicon.politeness, lexicon.topics):
        yield from table.values()


def _compile(lexicon: Lexicon) -> _Compiled:
    sets: dict[tuple[str, ...], PatternSet] = {}
    for sources in _pattern_lists(lexicon):
        key = tuple(sources)
        if key not in sets:
            try:
                sets[key] = PatternSet([p for s in sources for p in compile_pattern(s, lexicon.groups)])
            except LexiconError:  # a group meant only for inlining: whoever compiles it alone is told so then
                continue
    return _Compiled(lexicon, sets, _words(lexicon))


@lru_cache(maxsize=8)
def load_lexicon(lang: str, folder: Path = LEXICON_DIR) -> Lexicon:
    """The lexicon of ``lang`` from ``folder`` (the package's own by default).

    Its patterns come compiled, from the disk cache (language.compiled) when the file has not
    changed since it was last compiled.
    """
    path = folder / f"{lang}.yaml"
    if not path.is_file():
        raise LexiconError(f"no lexicon for language '{lang}' (looked for {path})")
    content = path.read_bytes()
    folder_key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:8]
    # the code that reads and compiles the file, whether imported yet or not
    parts = [content, source_of(*_READERS)]
    compiled = cached(f"lexicon-{lang}-{folder_key}", parts, lambda: _compile(_read(path, content)), _Compiled)
    groups = compiled.lexicon.groups
    if len(_PRECOMPILED) >= 16:  # lexicons loaded again and again (tests): keep the latest
        del _PRECOMPILED[next(iter(_PRECOMPILED))]
    _PRECOMPILED[id(groups)] = compiled
    return compiled.lexicon


def _read(path: Path, content: bytes) -> Lexicon:
    from .sources import read_lexicon  # only when the cache misses: it imports pydantic

    return read_lexicon(path, content)


# The code that reads, checks and compiles a lexicon file, whether imported yet or not. pydantic's
# version is left out: what it checks is in the schema (language.sources), and the cache holds
# none of its objects.
_READERS = (
    __name__,
    "simkit.language.patterns",
    "simkit.language.sources",
    "simkit.content.models",
    "simkit.content.validation",
    "simkit.content.yamlload",
)
