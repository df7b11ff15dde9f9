"""The edge of the command line: exit codes, bounded argument types, text checks, output streams.

Whatever a person types or pipes in ends here as a one-line message and an exit code from
``EXIT_CODES``, never as a traceback. Values are bounded when they are parsed (a count, a number of
workers, a date), text arguments must be valid UTF-8 (the shell may hand over any bytes), and what
is printed shows control characters instead of obeying them (``simkit.reports.cells.visible``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TextIO

from ..i18n import LANGUAGES, gettext
from ..reports.cells import visible
from .reading import LABELLED_SET_LIMIT, REPLIES_LIMIT

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_INTERNAL = 70  # EX_SOFTWARE of sysexits.h: a defect in simkit, not in what it was given
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a process stopped by Ctrl-C
EXIT_PIPE = 141  # 128 + SIGPIPE: the reader of the output went away
EXIT_CODES = (EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_PIPE)

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)  # --today: date facts count days from it
MAX_COUNT = 1_000_000  # generate --count
MAX_WORKERS = 64  # rescore --workers: processes, each with the kit in memory
MAX_TRAINEES = 10_000  # demo-data --trainees
MAX_SEED = 2**31 - 1  # a seed is stored in a 32-bit column
PATH_OPTIONS = frozenset({"kit", "kit_option", "out", "file", "replies"})  # file names may hold any bytes

EPILOG = f"""\
exit codes:
  {EXIT_OK}    done
  {EXIT_PROBLEMS}    the content, a file or the store has a problem, each named with what to fix (content
       problems as PATH:LINE:COL: CODE message); nothing to report; a file that cannot be written
  {EXIT_USAGE}    usage: an unknown command or option, a value out of range, text that is not UTF-8, an
       unknown scenario, no kit found, a file that is not there or is not a regular file
  {EXIT_INTERNAL}   a defect in simkit itself (one line names it; SIMKIT_TRACEBACK=1 shows where)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
  {EXIT_PIPE}  the reader of the output went away (simkit list | head -1)

limits: --count up to {MAX_COUNT:,}; --workers 1 to {MAX_WORKERS}; --trainees up to {MAX_TRAINEES:,};
--seed 0 to {MAX_SEED}; --today from {FIRST_DAY} to {LAST_DAY}; a replies file up to {REPLIES_LIMIT >> 20} MiB,
a labelled set up to {LABELLED_SET_LIMIT >> 20} MiB (regular UTF-8 files only).

A value that starts with '-' is given as --option=VALUE, or after '--' for a positional argument:
simkit report -- -name.
Messages are in the command's --lang where it has one, otherwise in the language of LC_ALL,
LC_MESSAGES or LANG (Russian or English)."""


def environment_lang() -> str:
    """The reader's language from the locale variables: Russian for ru_*, English otherwise."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


def message_lang(args: argparse.Namespace | None = None) -> str:
    """The language of the command's messages: its --lang, else the locale's."""
    lang = getattr(args, "lang", None)
    return lang if lang in LANGUAGES else environment_lang()


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                gettext(environment_lang(), "'{text}' is not a whole number", text=visible(text, ""))
            ) from None
        if not low <= value <= high:
            message = gettext(
                environment_lang(), "{value} is out of range: from {low} to {high}", value=value, low=low, high=high
            )
            raise argparse.ArgumentTypeError(message)
        return value

    return parse


def day(text: str) -> date:
    """An argparse type: a date YYYY-MM-DD from ``FIRST_DAY`` to ``LAST_DAY``."""
    lang = environment_lang()
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            gettext(lang, "'{text}' is not a date such as 2026-03-01", text=visible(text, ""))
        ) from None
    if not FIRST_DAY <= value <= LAST_DAY:
        message = gettext(lang, "{value} is out of range: from {low} to {high}", value=value, low=FIRST_DAY, high=LAST_DAY)
        raise argparse.ArgumentTypeError(message)
    return value


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def not_utf8(args: argparse.Namespace) -> str | None:
    """The first text argument that is not valid UTF-8 (the shell passed bytes that decode to no text), as a message."""
    for key, value in vars(args).items():
        if key in PATH_OPTIONS:
            continue
        for text in _texts(value):
            if any("\ud800" <= ch <= "\udfff" for ch in text):  # surrogateescape: bytes that were not UTF-8
                shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                return gettext(
                    message_lang(args),
                    "{option}: '{text}' is not UTF-8 text; give names and texts in UTF-8",
                    option=key.removesuffix("_option").replace("_", "-"),
                    text=visible(shown, ""),
                )
    return None


_DASH_ERRORS = ("expected one argument", "the following arguments are required", "unrecognized arguments")


def dash_hint(error: str, argv: Sequence[str], parser: argparse.ArgumentParser, lang: str) -> str | None:
    """A hint when argparse's ``error`` comes of a value starting with '-' taken for an option: how to give it."""
    if "--" in argv or not any(e in error for e in _DASH_ERRORS):
        return None
    known = _option_strings(parser)
    stray = [a for a in argv if a.startswith("-") and a.split("=", 1)[0] not in known and not _number(a)]
    if not stray:
        return None
    return gettext(
        lang,
        "a value that starts with '-' ({value}) is given as --option=VALUE, or after '--' for a positional "
        "argument: simkit report -- {value}",
        value=visible(stray[0], ""),
    )


def _number(text: str) -> bool:
    # argparse takes '-2' or '-0.5' for a value, not for an option
    try:
        float(text)
    except ValueError:
        return False
    return True


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    found: set[str] = set()
    for action in parser._actions:  # argparse keeps its options there; there is no public accessor
        found.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _option_strings(sub)
    return found


def prepare_streams() -> None:
    """Text that cannot be encoded (a file name of non-UTF-8 bytes) is printed escaped, not raised."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a stream already closed or not a text wrapper
                reconfigure(errors="backslashreplace")


def say(text: object = "", file: TextIO | None = None) -> None:
    """Print a line for a person: control characters from names, replies or content are shown, never obeyed."""
    print(visible(str(text)), file=file if file is not None else sys.stdout)


def quiet_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's own flush at exit cannot fail a second time."""
    # the Python documentation's recipe for SIGPIPE, used for a full disk too
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # a stdout without a file descriptor (run in-process) has nothing to flush
        pass
