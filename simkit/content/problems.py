"""Problems found in content: frozen records, formatted only at the edges.

A problem is one line ``PATH:LINE:COL: CODE message (hint)``, optionally followed by the
offending line and a caret under the column. Codes are stable; ``CODES`` documents each. The codes
in ``WARNINGS`` flag content that loads and plays but may read wrongly to a trainee: the kit is
still built, and the line says ``warning:`` before the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CODES: dict[str, str] = {
    "syntax": "the file is not valid YAML or not UTF-8 text (the bad byte, tab or character is located)",
    "not-a-file": "a content path that is not a regular file inside the kit: a FIFO, a device, a folder, "
    "or a link that leads out of the kit (it is not read)",
    "file-too-large": "a content file is larger than the cap of 1 MiB (1,048,576 bytes; it is not read)",
    "yaml-limit": "aliases that expand to more than 1,000 values or 100,000 characters, mappings and lists "
    "nested more than 40 deep, or a mapping or list of more than 5,000 entries",
    "duplicate-key": "a mapping names the same key twice",
    "unknown-key": "a key that this kind of content does not have",
    "missing-key": "a required key is absent",
    "missing-language": "a text lacks its Russian or English version",
    "wrong-type": "a value of the wrong type (text for a number, a list for a mapping, ...)",
    "bad-value": "a value outside what is allowed (enum, range, pattern, shape)",
    "duplicate-id": "two items of the same kind share an id",
    "id-mismatch": "a job description's id differs from its file name",
    "missing-file": "a file the kit needs is absent",
    "missing-schema-line": "the file does not start with its yaml-language-server $schema line",
    "unknown-clause": "a rule cites a clause that its job description does not have",
    "unknown-job": "a reference to a job description that does not exist",
    "unknown-role": "a reference to a role not in rulebook/roles.yaml",
    "unknown-behavior": "a behaviour id not in the vocabulary",
    "unknown-action": "an action id not in the vocabulary",
    "unknown-department": "a department id not in the vocabulary",
    "unknown-topic": "a turn topic not in the vocabulary",
    "unknown-rule": "a reference to a rule id that does not exist",
    "unknown-turn": "a branch or 'next' names a turn that does not exist",
    "unknown-fact": "a template uses a fact the scenario does not define",
    "unknown-variable": "a condition uses a name that is not available there",
    "action-not-offered": "a model reply takes an action the turn does not offer",
    "template-error": "a template does not parse",
    "condition-error": "a condition does not parse",
    "expression-limit": "a template or condition uses what content may not: tags other than if, calls other "
    "than gender(...), private attributes, filters outside the safe list, more than 1,000 (condition) or 5,000 "
    "(template) characters, nesting deeper than 30, or a result too large (texts and lists over 5,000 items, "
    "numbers over 256 bits, text formatting with %)",
    "condition-fails": "a condition raises an error when tried on the values it will meet (an unknown fact, a "
    "number compared with text, a parameter the action does not take)",
    "template-fails": "a template raises an error when rendered with the scenario's facts (division by zero, "
    "text added to a number, ...)",
    "unreachable-turn": "no path from the first turn leads to this turn",
    "missing-outcome": "an 'end' names an outcome that has no customer lines",
    "unmet-assumption": "a customer line takes as done an action or behaviour (its turn's 'assumes') "
    "that a path leading to it does not guarantee (warning)",
    "hurtful-model-reply": "the scorer reads a turn's model reply, as rendered for a few instances, as rude, "
    "dismissive or blaming the customer: a trainee who copies it is marked down (warning)",
}

WARNINGS: frozenset[str] = frozenset({"unmet-assumption", "hurtful-model-reply"})


@dataclass(frozen=True, order=True)
class Problem:
    """One problem at a 1-based line and column of a content file."""

    path: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""

    @property
    def warning(self) -> bool:
        """Whether this is only a warning: the content still loads."""
        return self.code in WARNINGS

    def __str__(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        label = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}:{self.column}: {self.code} {label}{self.message}{hint}"

    def excerpt(self, root: Path | None = None, lines: list[str] | None = None) -> str:
        """The offending source line with a caret under the column, or '' if unreadable.

        Only a regular file inside ``root`` (when given) is read, so a problem about a FIFO or a
        link out of the kit shows nothing of it; ``lines`` spares reading the file again.
        """
        lines = _source_lines(self.path, root) if lines is None else lines
        if not 1 <= self.line <= len(lines):
            return ""
        text = lines[self.line - 1]
        if len(text) > _EXCERPT_CHARS:  # a long line is shown around the column
            start = max(0, min(self.column - 1 - _EXCERPT_CHARS // 2, len(text) - _EXCERPT_CHARS))
            return f"    {text[start : start + _EXCERPT_CHARS]}\n    {' ' * max(self.column - 1 - start, 0)}^"
        return f"    {text}\n    {' ' * max(self.column - 1, 0)}^"


_EXCERPT_CHARS = 200


def _source_lines(path: str, root: Path | None) -> list[str]:
    from .files import Unreadable, read_bytes

    file = Path(path) if root is None else root / path
    try:
        data = read_bytes(file, root)
    except Unreadable:
        return []
    # a byte that is not UTF-8 shows as U+FFFD, so the caret still points at it
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff").splitlines()


def format_problems(problems: list[Problem], root: Path | None = None, excerpts: bool = True) -> str:
    """All problems as text, sorted by file and position, with a closing count."""
    out: list[str] = []
    sources: dict[str, list[str]] = {}
    for p in sorted(problems):
        out.append(str(p))
        if p.path not in sources and excerpts:
            sources[p.path] = _source_lines(p.path, root)
        snippet = p.excerpt(root, sources[p.path]) if excerpts else ""
        if snippet:
            out.append(snippet)
    files = len({p.path for p in problems})
    warnings = sum(p.warning for p in problems)
    errors = len(problems) - warnings
    counts = [f"{errors} problem{'s' if errors != 1 else ''}"] if errors or not warnings else []
    counts += [f"{warnings} warning{'s' if warnings != 1 else ''}"] if warnings else []
    out.append(f"{' and '.join(counts)} in {files} file{'s' if files != 1 else ''}")
    return "\n".join(out)
