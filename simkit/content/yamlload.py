"""Safe YAML loading that keeps the line and column of every key and value.

Content is read from the parser's event stream (libyaml when PyYAML has it) into plain data; no
object is ever constructed from a tag. Types follow a stricter resolver than PyYAML's: only
``true``/``false`` are booleans (``no``, ``on``, ``yes`` stay text), nothing becomes a date, and
``12:30`` stays text instead of becoming the base-60 integer 750. Duplicate keys are problems, not
silent overwrites.

What a file may make the loader build is bounded, and checked while the events arrive, so a
hostile file stops early instead of being built first: aliases may expand to at most
``MAX_ALIAS_VALUES`` values and ``MAX_ALIAS_CHARS`` characters in all (an alias bomb of a few
lines would otherwise expand to gigabytes), mappings and lists nest at most ``MAX_DEPTH`` deep and
hold at most ``MAX_ENTRIES`` entries each, and a whole number has at most ``MAX_INT_DIGITS``
digits. Each excess is a located problem. Reading events instead of composing PyYAML's node tree
is also ten times faster on a large file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from .problems import Problem

Path = tuple[str | int, ...]

# What one file may make the loader build (see the module docstring).
MAX_ALIAS_VALUES = 1_000
MAX_ALIAS_CHARS = 100_000
MAX_DEPTH = 40
MAX_ENTRIES = 5_000  # keys of one mapping, items of one list (the largest lexicon list has 627)
MAX_INT_DIGITS = 18  # every whole number fits a 64-bit integer

# libyaml's parser when PyYAML was built with it (about ten times faster), else pure Python.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
# YAML 1.2-like implicit types of plain scalars, by their first character.
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_IMPLICIT: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _kind, _regexp, _first in (
    ("bool", _BOOL, "tTfF"),
    ("int", _INT, "-+0123456789"),
    ("float", _FLOAT, "-+0123456789."),
    ("null", _NULL, ["~", "n", "N", ""]),
):
    for _char in _first:
        _IMPLICIT.setdefault(_char, []).append((_kind, _regexp))


@dataclass(frozen=True)
class Document:
    """A loaded YAML file: its data and the 1-based position of every value and key."""

    path: str
    text: str
    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Path, key: bool = False) -> tuple[int, int]:
        """Position of ``loc``, or of its nearest ancestor that exists."""
        table = self.keys if key else self.values
        for n in range(len(loc), -1, -1):
            prefix = loc[:n]
            if prefix in table:
                return table[prefix]
            if key and prefix in self.values:
                return self.values[prefix]
        return (1, 1)

    def problem(self, loc: Path, code: str, message: str, hint: str = "", key: bool = False) -> Problem:
        """A problem located at ``loc`` in this document."""
        line, col = self.where(loc, key=key)
        return Problem(self.path, line, col, code, message, hint)


def _pos(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


class _Stop(Exception):
    """Building stops here: the problem says why (an alias bomb, a tag, an undefined alias)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


_COLLECTION_START = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_COLLECTION_END = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class _Builder:
    """Builds plain data from parser events, recording positions, duplicate keys and excesses."""

    def __init__(self, events: Iterator[yaml.Event], path: str) -> None:
        self.events = events
        self.path = path
        self.values: dict[Path, tuple[int, int]] = {}
        self.keys: dict[Path, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # anchor -> (value, values, characters)
        self.expanded = [0, 0]  # values and characters that aliases expanded to so far

    def problem(self, event: yaml.Event, code: str, message: str, hint: str) -> Problem:
        line, col = _pos(event)
        return Problem(self.path, line, col, code, message, hint)

    def document(self) -> Any:
        """The data of the stream's single document (None when there is none)."""
        event = next(self.events)  # StreamStart
        event = next(self.events)
        if isinstance(event, yaml.StreamEndEvent):
            return None
        data, _, _ = self.node(next(self.events), (), 0)
        next(self.events)  # DocumentEnd
        event = next(self.events)
        if not isinstance(event, yaml.StreamEndEvent):
            raise _Stop(self.problem(event, "syntax", "the file holds more than one YAML document", "remove the '---' line"))
        return data

    def node(self, event: yaml.Event, loc: Path, depth: int) -> tuple[Any, int, int]:
        """The value that starts with ``event``, with how many values and characters it holds."""
        self.values[loc] = _pos(event)
        if isinstance(event, yaml.AliasEvent):
            return self.alias(event)
        if getattr(event, "tag", None) not in (None, "!") and not isinstance(event, yaml.ScalarEvent):
            raise _Stop(self.problem(event, "syntax", "tags such as '!!python/...' are not allowed in content", "remove the tag"))
        if isinstance(event, yaml.ScalarEvent):
            out: tuple[Any, int, int] = (self.scalar(event), 1, len(event.value))
        elif depth >= MAX_DEPTH:
            self.skip(event)
            message = f"mappings and lists nest more than {MAX_DEPTH} deep here"
            self.problems.append(self.problem(event, "yaml-limit", message, "flatten the structure"))
            out = (None, 1, 0)
        elif isinstance(event, yaml.SequenceStartEvent):
            out = self.sequence(event, loc, depth)
        else:
            out = self.mapping(event, loc, depth)
        anchor = getattr(event, "anchor", None)
        if anchor:
            self.anchors[anchor] = out
        return out

    def alias(self, event: yaml.AliasEvent) -> tuple[Any, int, int]:
        if event.anchor not in self.anchors:
            raise _Stop(self.problem(event, "syntax", f"the alias *{event.anchor} names no anchor", "define &name first"))
        value, values, chars = self.anchors[event.anchor]
        self.expanded[0] += values
        self.expanded[1] += chars
        if self.expanded[0] > MAX_ALIAS_VALUES or self.expanded[1] > MAX_ALIAS_CHARS:
            message = f"aliases in this file expand to more than {MAX_ALIAS_VALUES:,} values or {MAX_ALIAS_CHARS:,} characters"
            raise _Stop(self.problem(event, "yaml-limit", message, "write the values out, or use fewer aliases"))
        return value, values, chars

    def sequence(self, start: yaml.Event, loc: Path, depth: int) -> tuple[Any, int, int]:
        items: list[Any] = []
        values, chars = 1, 0
        for event in self.entries(start):
            value, n, c = self.node(event, (*loc, len(items)), depth + 1)
            items.append(value)
            values, chars = values + n, chars + c
        return items, values, chars

    def mapping(self, start: yaml.Event, loc: Path, depth: int) -> tuple[Any, int, int]:
        out: dict[Any, Any] = {}
        first: dict[Any, tuple[int, int]] = {}
        values, chars = 1, 0
        entries = self.entries(start)
        for key_event in entries:
            value_event = next(entries)
            if not isinstance(key_event, yaml.ScalarEvent):
                self.skip(key_event)
                self.skip(value_event)
                self.problems.append(self.problem(key_event, "wrong-type", "a key must be plain text", "write the key as a word"))
                continue
            key = self.scalar(key_event)
            key = key if isinstance(key, (str, int)) else str(key)
            if key in first:
                self.skip(value_event)
                self.problems.append(
                    self.problem(
                        key_event,
                        "duplicate-key",
                        f"'{key}' is given twice (first at line {first[key][0]})",
                        "keep one of them; YAML would silently keep only the last",
                    )
                )
                continue
            first[key] = self.keys[(*loc, key)] = _pos(key_event)
            out[key], n, c = self.node(value_event, (*loc, key), depth + 1)
            values, chars = values + n, chars + c
        return out, values, chars

    def entries(self, start: yaml.Event) -> Iterator[yaml.Event]:
        """The events that start each entry of the collection ``start`` opens, up to its end.

        Past ``MAX_ENTRIES`` (keys and values count apart in a mapping) the rest is skipped.
        """
        limit = MAX_ENTRIES * (2 if isinstance(start, yaml.MappingStartEvent) else 1)
        for count, event in enumerate(self.events, 1):
            if isinstance(event, _COLLECTION_END):
                return
            if count > limit:
                self.skip(event)
                self.skip_to_end()
                what = "keys" if limit > MAX_ENTRIES else "items"
                message = f"more than {MAX_ENTRIES:,} {what} here; a mapping or list has at most {MAX_ENTRIES:,}"
                self.problems.append(self.problem(start, "yaml-limit", message, "split it up"))
                return
            yield event

    def skip(self, event: yaml.Event) -> None:
        """Consume the rest of the value that ``event`` starts, building nothing."""
        if isinstance(event, _COLLECTION_START):
            self.skip_to_end()

    def skip_to_end(self) -> None:
        depth = 1
        for event in self.events:
            if isinstance(event, _COLLECTION_START):
                depth += 1
            elif isinstance(event, _COLLECTION_END):
                depth -= 1
                if depth == 0:
                    return

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        value: str = event.value
        tag = event.tag
        if tag in (None, "!"):
            plain = event.implicit[0] and tag is None
            kind = next((k for k, regexp in _IMPLICIT.get(value[:1], ()) if regexp.match(value)), "str") if plain else "str"
        elif tag.startswith(_TAG) and tag[len(_TAG) :] in ("str", "int", "float", "bool", "null"):
            kind = tag[len(_TAG) :]
        else:
            raise _Stop(self.problem(event, "syntax", "tags such as '!!python/...' are not allowed in content", "remove the tag"))
        try:
            return self.convert(event, kind, value)
        except ValueError:
            raise _Stop(self.problem(event, "syntax", f"'{value[:40]}' is not a valid {kind}", "remove the tag")) from None

    def convert(self, event: yaml.ScalarEvent, kind: str, value: str) -> Any:
        if kind == "bool":
            return value.lower() == "true"
        if kind == "null":
            return None
        if kind == "int":
            # Python refuses to read an integer of more than 4,300 digits (a ValueError, not a YAML
            # error); content needs far fewer, so a long one is a located problem and stays text
            digits = len(value.lstrip("+-"))
            if digits > MAX_INT_DIGITS:
                message = f"a whole number with {digits:,} digits; content numbers have at most {MAX_INT_DIGITS}"
                self.problems.append(
                    self.problem(event, "bad-value", message, "write a smaller number, or quote it to make it text")
                )
                return value
            return int(value)
        if kind == "float":
            special = value.lstrip("+-").lower()
            if special in (".inf", ".nan"):
                return float(("-" if value.startswith("-") else "") + special[1:])
            return float(value)
        return value


def _located_error(text: str, path: str, exc: yaml.YAMLError) -> Problem:
    """A syntax problem at the error's line and column, naming a tab when a tab is the cause."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    position = getattr(exc, "position", None)
    if mark is not None:
        line, col = mark.line + 1, mark.column + 1
    elif isinstance(position, int):  # a ReaderError counts characters, or bytes of UTF-8 from libyaml
        before = text.encode()[:position].decode(errors="replace") if _Loader is not yaml.SafeLoader else text[:position]
        line, col = before.count("\n") + 1, len(before) - before.rfind("\n")
    else:
        line, col = 1, 1
    what = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc).splitlines()[0]
    hint = "check indentation, quotes and colons"
    lines = text.split("\n")
    if 0 < line <= len(lines) and lines[line - 1][col - 1 : col] == "\t":
        what, hint = "a tab character here: YAML indents with spaces only", "replace the tab with spaces"
    elif isinstance(exc, yaml.reader.ReaderError):
        what, hint = f"a control character (#x{exc.character:04x}) that YAML does not allow", "remove it"
    return Problem(path, line, col, "syntax", what, hint)


def load_yaml(text: str, path: str) -> tuple[Document | None, list[Problem]]:
    """Parse ``text`` (shown as ``path`` in problems); the document is None on a syntax error."""
    text = text.removeprefix("\ufeff")  # a byte-order mark is no content
    builder = _Builder(yaml.parse(text, Loader=_Loader), path)
    try:
        data = builder.document()
    except _Stop as stop:
        return None, [*builder.problems, stop.problem]
    except yaml.YAMLError as exc:
        return None, [*builder.problems, _located_error(text, path, exc)]
    except RecursionError:  # only the pure-Python parser recurses this deep; libyaml stops first
        message = f"mappings and lists nest more than {MAX_DEPTH} deep"
        return None, [*builder.problems, Problem(path, 1, 1, "yaml-limit", message, "flatten the structure")]
    return Document(path, text, data, builder.values, builder.keys), builder.problems
