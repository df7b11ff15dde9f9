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
    "syntax": "the file is not valid YAML",
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
    "unreachable-turn": "no path from the first turn leads to this turn",
    "missing-outcome": "an 'end' names an outcome that has no customer lines",
    "unmet-assumption": "a customer line takes as done an action or behaviour (its turn's 'assumes') "
    "that a path leading to it does not guarantee (warning)",
}

WARNINGS: frozenset[str] = frozenset({"unmet-assumption"})


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

    def excerpt(self, root: Path | None = None) -> str:
        """The offending source line with a caret under the column, or '' if unreadable."""
        file = Path(self.path) if root is None else root / self.path
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return ""
        if not 1 <= self.line <= len(lines):
            return ""
        text = lines[self.line - 1]
        return f"    {text}\n    {' ' * max(self.column - 1, 0)}^"


def format_problems(problems: list[Problem], root: Path | None = None, excerpts: bool = True) -> str:
    """All problems as text, sorted by file and position, with a closing count."""
    out: list[str] = []
    for p in sorted(problems):
        out.append(str(p))
        snippet = p.excerpt(root) if excerpts else ""
        if snippet:
            out.append(snippet)
    files = len({p.path for p in problems})
    warnings = sum(p.warning for p in problems)
    errors = len(problems) - warnings
    counts = [f"{errors} problem{'s' if errors != 1 else ''}"] if errors or not warnings else []
    counts += [f"{warnings} warning{'s' if warnings != 1 else ''}"] if warnings else []
    out.append(f"{' and '.join(counts)} in {files} file{'s' if files != 1 else ''}")
    return "\n".join(out)
