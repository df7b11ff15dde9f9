"""The language layer's YAML files, read and checked: the lexicons and the profanity lists.

Each file is checked against a pydantic schema, so that a mistake in it is reported with its file
and line like any content file's, then turned into the plain frozen records the detector uses
(language.lexicon, language.profanity). Those records are what the compiled cache keeps
(language.compiled): a process that finds its lexicons there never imports this module, nor
pydantic, which alone took about a third of the time the lexicons took to load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import Field

from ..content.models import Model
from .lexicon import BehaviorLexicon, Lexicon
from .patterns import LexiconError
from .profanity import LanguageLists

Patterns = list[str]
R = TypeVar("R")
Window = Annotated[int, Field(ge=0, le=6)]


class BehaviorSchema(Model):
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
    negation_window: Window | None = Field(None, description="Overrides the lexicon's window.")


class LexiconSchema(Model):
    """A language's lexicon: behaviours, helper groups, departments, politeness strategies."""

    lang: str
    negators: list[str]
    negation_window: Window = 3
    acronyms: list[str] = Field(default_factory=list)
    common_caps_words: list[str] = Field(default_factory=list, description="Short words that are never acronyms.")
    common_words: list[str] = Field(
        default_factory=list, description="Words met in most replies: no pattern is looked for by one of them (language.matcher)."
    )
    titles: list[str] = Field(default_factory=list, description="Words before a surname: Mr, Ms, господин.")
    groups: dict[str, Patterns] = Field(default_factory=dict)
    departments: dict[str, Patterns]
    behaviors: dict[str, BehaviorSchema]
    politeness: dict[str, Patterns] = Field(default_factory=dict)
    topics: dict[str, Patterns] = Field(default_factory=dict, description="What a customer's words raise (language.topics).")


class ProfanitySchema(Model):
    """One language's lists (see the data file's header)."""

    prefixes: list[str]
    obscene: list[str]
    insult: list[str]
    forms: list[str]
    report: list[str]
    excepted: list[str]


def read_lexicon(path: Path, content: bytes) -> Lexicon:
    """The lexicon in ``content`` (the bytes of ``path``), checked; LexiconError lists its problems."""
    from ..content.validation import validate_document
    from ..content.yamlload import load_yaml

    doc, problems = load_yaml(content.decode("utf-8"), str(path))
    if doc is not None and not problems:
        checked, problems = validate_document(doc, LexiconSchema)
        if checked is not None:
            return _record(checked, Lexicon)
    raise LexiconError("the lexicon has problems:\n" + "\n".join(map(str, problems)))


def read_profanity(path: Path, lang: str) -> LanguageLists:
    """The profanity lists of ``lang`` in the file at ``path``, checked."""
    from ..content.yamlload import load_yaml

    doc, problems = load_yaml(path.read_text(encoding="utf-8"), str(path))
    if doc is not None and not problems:
        data = doc.data if isinstance(doc.data, dict) else {}
        if lang not in data:
            raise LexiconError(f"no profanity lists for language '{lang}' in {path}")
        section = dict(data[lang])
        section["excepted"] = section.pop("except", [])
        return _record(ProfanitySchema.model_validate(section), LanguageLists)
    raise LexiconError("the profanity lists have problems:\n" + "\n".join(map(str, problems)))


def _record(checked: Model, kind: type[R]) -> R:
    """The plain record of a checked model, its lists made tuples; a field the two do not share
    fails here, at the first compile, rather than being lost."""
    fields: dict[str, Any] = {name: _frozen(value) for name, value in checked}
    return kind(**fields)


def _frozen(value: object) -> object:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return {name: _frozen(item) for name, item in value.items()}
    if isinstance(value, BehaviorSchema):
        return _record(value, BehaviorLexicon)
    return value
