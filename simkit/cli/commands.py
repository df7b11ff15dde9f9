"""The ``simkit`` command line: a thin adapter over the library.

Exit codes (``simkit --help`` lists them; ``simkit.cli.guard`` defines them): 0 success; 1 the
content has problems (each printed as PATH:LINE:COL: CODE message) or another error that names what
to fix (a store that cannot be opened, a file that cannot be read or written, nothing to report);
2 usage errors (unknown command or option, a value out of range, text that is not UTF-8, unknown
scenario, no kit found, a file that is not there); 70 a defect in simkit; 130 interrupted
(Ctrl-C); 141 output cut short by its reader (``simkit list | head -1``), which ends quietly.
No input, however hostile, shows a traceback: an error that nothing else catches is one line and 70.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from ..errors import ContentError, GenerationError, KitNotFound, SimkitError, UnknownScenario
from ..i18n import gettext
from ..language.evaluation import LabelledSetError
from ..language.lexicon import LexiconError
from ..reports.cells import visible
from .guard import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    dash_hint,
    environment_lang,
    not_utf8,
    prepare_streams,
    quiet_stdout,
    say,
)
from .kit_commands import generate_command, list_command, schema_command, validate_command
from .parser import UsageError
from .parser import parser as grammar
from .reading import InputFileError
from .reply_commands import detect_command, eval_behaviors_command, play_command, score_command
from .report_commands import readiness_command, report_command
from .store_commands import demo_data_command, import_transcripts_command, rescore_command, store_command

__all__ = ["EXIT_OK", "EXIT_PIPE", "EXIT_PROBLEMS", "EXIT_USAGE", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    prepare_streams()
    try:
        code = _main(argv)
        sys.stdout.flush()  # a reader that went away is found here, not by the interpreter at exit
        return code
    except KeyboardInterrupt:
        print("\nsimkit: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        quiet_stdout()
        return EXIT_PIPE
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if _output_broken():  # a full disk, /dev/full: the output cannot be written
            quiet_stdout()
            print(gettext(environment_lang(), "simkit: cannot write the output: {reason}", reason=reason), file=sys.stderr)
        else:  # the system refused something else: say what and where
            print(f"simkit: {reason}" + (f": {exc.filename}" if exc.filename else ""), file=sys.stderr)
        return EXIT_PROBLEMS
    except Exception as exc:  # a defect: one line that names it; SIMKIT_TRACEBACK=1 shows where it is
        if os.environ.get("SIMKIT_TRACEBACK"):
            raise
        what = visible(f"{type(exc).__name__}: {exc}", "")[:500]
        message = gettext(
            environment_lang(),
            "simkit: internal error ({what}); please report it with the command. SIMKIT_TRACEBACK=1 shows where it happened",
            what=what,
        )
        print(message, file=sys.stderr)
        return EXIT_INTERNAL


def _output_broken() -> bool:
    # what the command printed still waits in the buffer when stdout failed: flushing fails again
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


def _main(argv: Sequence[str] | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = grammar()
    try:
        args = parser.parse_args(words)
    except UsageError as exc:
        say(exc, file=sys.stderr)
        hint = dash_hint(str(exc), words, parser, environment_lang())
        if hint:
            say(f"simkit: {hint}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if args.version:
        from .. import __version__

        print(f"simkit {__version__}")
        return EXIT_OK
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    problem = not_utf8(args)
    if problem:
        say(f"simkit {args.command}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return int(_COMMANDS[args.command](args))
    except ContentError as exc:
        say(exc, file=sys.stderr)
        return EXIT_PROBLEMS
    except (GenerationError, LexiconError) as exc:
        say(f"simkit: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except (KitNotFound, UnknownScenario, LabelledSetError) as exc:
        say(f"simkit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except InputFileError as exc:
        say(f"simkit {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE if exc.usage else EXIT_PROBLEMS
    except SimkitError as exc:  # e.g. a store that cannot be opened
        say(f"simkit: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS


# one module per group of commands: the kit's content (kit_commands), judging replies
# (reply_commands), writing the store (store_commands), reporting on it (report_commands)
_COMMANDS = {
    "import-transcripts": import_transcripts_command,
    "validate": validate_command,
    "generate": generate_command,
    "list": list_command,
    "schema": schema_command,
    "detect": detect_command,
    "score": score_command,
    "play": play_command,
    "rescore": rescore_command,
    "store": store_command,
    "demo-data": demo_data_command,
    "readiness": readiness_command,
    "report": report_command,
    "eval-behaviors": eval_behaviors_command,
}
