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
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import pydantic
from pydantic import Field

from ..content.models import Model
from .compiled import cached, source_of
from .matcher import Matcher as Matcher
from .patterns import LexiconError as LexiconError
from .patterns import Patterns, compile_pattern
from .patterns import PatternSet as PatternSet

LEXICON_DIR = Path(__file__).parent / "lexicons"


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
    common_words: list[str] = Field(
        default_factory=list, description="Words met in most replies: no pattern is looked for by one of them (language.matcher)."
    )
    titles: list[str] = Field(default_factory=list, description="Words before a surname: Mr, Ms, господин.")
    groups: dict[str, Patterns] = Field(default_factory=dict)
    departments: dict[str, Patterns]
    behaviors: dict[str, BehaviorLexicon]
    politeness: dict[str, Patterns] = Field(default_factory=dict)
    topics: dict[str, Patterns] = Field(default_factory=dict, description="What a customer's words raise (language.topics).")


def compile_set(sources: Patterns, groups: dict[str, Patterns]) -> PatternSet:
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


def _precompiled(groups: dict[str, Patterns]) -> _Compiled | None:
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
    modules = (__name__, "simkit.language.patterns", Model.__module__, "simkit.content.validation", "simkit.content.yamlload")
    code = source_of(*modules) + pydantic.VERSION.encode()
    compiled = cached(f"lexicon-{lang}-{folder_key}", [content, code], lambda: _compile(_read(path, content)), _Compiled)
    groups = compiled.lexicon.groups
    if len(_PRECOMPILED) >= 16:  # lexicons loaded again and again (tests): keep the latest
        del _PRECOMPILED[next(iter(_PRECOMPILED))]
    _PRECOMPILED[id(groups)] = compiled
    return compiled.lexicon


def _read(path: Path, content: bytes) -> Lexicon:
    """The lexicon file parsed and validated."""
    from ..content.validation import validate_document
    from ..content.yamlload import load_yaml

    doc, problems = load_yaml(content.decode("utf-8"), str(path))
    if doc is not None and not problems:
        lexicon, problems = validate_document(doc, Lexicon)
        if lexicon is not None:
            return lexicon
    raise LexiconError("the lexicon has problems:\n" + "\n".join(map(str, problems)))
