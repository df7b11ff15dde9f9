"""Safe YAML loading that keeps the line and column of every key and value.

Content is read with PyYAML's safe loader (no object construction) under a stricter resolver:
only ``true``/``false`` are booleans (``no``, ``on``, ``yes`` stay text), nothing becomes a
date, and ``12:30`` stays text instead of becoming the base-60 integer 750. Duplicate keys are
problems, not silent overwrites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .problems import Problem

Path = tuple[str | int, ...]

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


# libyaml's parser when PyYAML was built with it (about ten times faster), else pure Python.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ContentLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader with YAML 1.2-like implicit types: no dates, no yes/no/on/off, no base 60."""


_ContentLoader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_INT, r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    (
        _FLOAT,
        r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
):
    _ContentLoader.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


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


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed node tree into plain data, recording positions and duplicate keys."""

    def __init__(self, loader: _ContentLoader, path: str) -> None:
        self.loader = loader
        self.path = path
        self.values: dict[Path, tuple[int, int]] = {}
        self.keys: dict[Path, tuple[int, int]] = {}
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, loc: Path) -> Any:
        self.values[loc] = _pos(node)
        if not isinstance(node, yaml.ScalarNode) and node.tag not in (_MAP, _SEQ):
            raise yaml.constructor.ConstructorError(
                None, None, f"could not determine a constructor for the tag {node.tag!r}", node.start_mark
            )
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            first: dict[Any, tuple[int, int]] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    line, col = _pos(key_node)
                    self.problems.append(
                        Problem(self.path, line, col, "wrong-type", "a key must be plain text", "write the key as a word")
                    )
                    continue
                key = self.loader.construct_object(key_node)
                key = key if isinstance(key, (str, int)) else str(key)
                if key in first:
                    line, col = _pos(key_node)
                    self.problems.append(
                        Problem(
                            self.path,
                            line,
                            col,
                            "duplicate-key",
                            f"'{key}' is given twice (first at line {first[key][0]})",
                            "keep one of them; YAML would silently keep only the last",
                        )
                    )
                    continue
                first[key] = _pos(key_node)
                self.keys[(*loc, key)] = _pos(key_node)
                out[key] = self.build(value_node, (*loc, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node)


def load_yaml(text: str, path: str) -> tuple[Document | None, list[Problem]]:
    """Parse ``text`` (shown as ``path`` in problems); the document is None on a syntax error."""
    loader = _ContentLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Document(path, text, None), []
        builder = _Builder(loader, path)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        hint = "check indentation, quotes and colons"
        if "could not determine a constructor" in str(exc):
            what, hint = "tags such as '!!python/...' are not allowed in content", "remove the tag"
        return None, [Problem(path, line, col, "syntax", what, hint)]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, 1, "syntax", str(exc).splitlines()[0], "check the file's YAML")]
    finally:
        loader.dispose()
    return Document(path, text, data, builder.values, builder.keys), builder.problems
