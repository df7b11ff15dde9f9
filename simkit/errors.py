"""simkit's exceptions: one base class, messages a trainer can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from pydantic import ValidationError

    from .content.problems import Problem


def first_problems(exc: ValidationError, whole: str, most: int = 3) -> str:
    """The first ``most`` problems pydantic found, each as 'where: what' (``whole`` where it is the
    whole input), and how many more: a message that names the fields, never echoes the input."""
    shown = [f"{'.'.join(str(p) for p in e['loc']) or whole}: {e['msg']}" for e in exc.errors()[:most]]
    more = f" (and {exc.error_count() - most} more)" if exc.error_count() > most else ""
    return "; ".join(shown) + more


class SimkitError(Exception):
    """Base of every error simkit raises on purpose."""


class KitNotFound(SimkitError):
    """No kit root (a folder holding scenarios/ and rulebook/) could be found."""

    def __init__(self, start: Path) -> None:
        super().__init__(start)
        self.start = start

    def __str__(self) -> str:
        return (
            f"no kit found at or above {self.start}: a kit is a folder holding 'scenarios/' and "
            "'rulebook/'; pass its path or set SIMKIT_HOME"
        )


class ContentError(SimkitError):
    """The kit's content has problems; each one names its file, line and column."""

    def __init__(self, problems: list[Problem], root: Path | None = None) -> None:
        super().__init__(problems)
        self.problems = sorted(problems)
        self.root = root

    def __str__(self) -> str:
        from .content.problems import format_problems

        return "the kit's content has problems; fix them and run 'simkit validate':\n" + format_problems(self.problems, self.root)


class UnknownScenario(SimkitError):
    """A scenario id that the kit does not hold."""

    def __init__(self, scenario_id: str, known: list[str]) -> None:
        super().__init__(scenario_id)
        self.scenario_id = scenario_id
        self.known = known

    def __str__(self) -> str:
        from difflib import get_close_matches

        close = get_close_matches(self.scenario_id, self.known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"unknown scenario '{self.scenario_id}' ({hint}known: {', '.join(self.known)})"


class GenerationError(SimkitError):
    """A template or generator failed while rendering a scenario instance."""


class ReplyTooLong(SimkitError):
    """A reply longer than a reply may be (``engine.scoring.MAX_REPLY_CHARS``), refused before it is read.

    The message is in the reply's language: the trainee who typed it reads it.
    """

    def __init__(self, length: int, limit: int, lang: str) -> None:
        super().__init__(length, limit, lang)
        self.length, self.limit, self.lang = length, limit, lang

    def __str__(self) -> str:
        from babel.numbers import format_decimal

        from .i18n import LANGUAGES, gettext

        locale = self.lang if self.lang in LANGUAGES else "en"
        return gettext(
            self.lang,
            "A reply may be at most {limit} characters long; this one has {length}. Say it in fewer words.",
            limit=format_decimal(self.limit, locale=locale),
            length=format_decimal(self.length, locale=locale),
        )
