"""The grammar of the ``simkit`` command line: every command, its arguments and their bounds.

``simkit --help`` ends with the exit codes and the limits (``simkit.cli.guard.EPILOG``). Numbers and
dates are checked as they are parsed, so a value out of range is a usage error before any work.
"""

from __future__ import annotations

import argparse

from ..content.vocabulary import CHANNELS
from .guard import EPILOG, MAX_COUNT, MAX_SEED, MAX_TRAINEES, MAX_WORKERS, bounded_int, day


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` returns the code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


class UsageError(Exception):
    """A command line that does not parse; the message names the command and what is wrong."""


_SEED = bounded_int(0, MAX_SEED)


def _store_options(p: argparse.ArgumentParser) -> None:
    # every command that reads or writes the evidence store takes it and the kit the same way
    p.add_argument("--db", help="database URL (default: SIMKIT_DB_URL, else simkit.db in the kit root)")
    p.add_argument("--kit", help="kit folder")


def parser() -> argparse.ArgumentParser:
    """The parser of every command; its errors raise UsageError."""
    parser = Parser(
        prog="simkit",
        description="Customer-service practice kit: content, scenarios, scoring.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)

    p = sub.add_parser("validate", help="check every content file; print each problem as PATH:LINE:COL: CODE message")
    p.add_argument("kit", nargs="?", help="kit folder (default: SIMKIT_HOME or the current folder)")
    p.add_argument("--kit", dest="kit_option", metavar="KIT", help="kit folder, as the other commands take it")
    p.add_argument("--no-excerpt", action="store_true", help="do not print the offending line under each problem")
    p.add_argument("--codes", action="store_true", help="list the problem codes and exit")

    p = sub.add_parser("generate", help="render concrete instances of a scenario")
    p.add_argument("scenario", help="scenario id (see 'simkit list')")
    p.add_argument("--seed", type=_SEED, default=1, help="variant number (default 1)")
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    p.add_argument(
        "--count", type=bounded_int(1, MAX_COUNT), help=f"how many variants (1 to {MAX_COUNT:,}), with seeds seed, seed+1, ..."
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON: one object; with --count a list, written as the variants are made, one variant per line",
    )
    p.add_argument("--today", type=day, help="reference date for date facts (YYYY-MM-DD, 1900-01-01 to 2999-12-31)")
    p.add_argument("--kit", help="kit folder")

    p = sub.add_parser("list", help="list the scenarios of the kit")
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    p.add_argument("--kit", help="kit folder")

    p = sub.add_parser("detect", help="print the behaviours a reply shows, with the text that shows them")
    p.add_argument("text", help="the reply")
    p.add_argument("--lang", choices=("ru", "en"), required=True)
    p.add_argument("--name", help="the customer's name (any case form in the reply counts)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("score", help="judge one reply to a scenario turn against every rule in scope")
    p.add_argument("scenario", help="scenario id")
    p.add_argument("text", help="the reply")
    p.add_argument("--seed", type=_SEED, default=1)
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    p.add_argument("--turn", help="turn id (default: the first turn)")
    p.add_argument(
        "--action",
        action="append",
        help="an action chosen beside the text: id or id:param (route_department:legal, offer_discount:5, "
        "promise_callback:2); repeat for several; without any, intents in the text count (text-only mode)",
    )
    p.add_argument(
        "--anger", type=bounded_int(0, 10), help="the customer's anger before the reply, 0 to 10 (default: the scenario's start)"
    )
    p.add_argument("--all", action="store_true", help="also list the rules that do not apply (n/a)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--kit", help="kit folder")

    p = sub.add_parser("play", help="a dialogue in the terminal: type replies, or play scripted or model replies")
    p.add_argument("scenario", help="scenario id")
    p.add_argument("--seed", type=_SEED, default=1)
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    p.add_argument("--replies", help="YAML list of replies, one per turn: a string, or {text, actions, seconds}")
    p.add_argument("--model", action="store_true", help="play the scenario's own model replies")
    p.add_argument("--json", action="store_true", help="print the attempt result as JSON (with --replies or --model)")
    p.add_argument("--trainee", help="store the attempt as this trainee's evidence (without it nothing is stored)")
    p.add_argument("--cohort", help="the trainee's cohort (group), given to a new trainee")
    p.add_argument(
        "--mode",
        choices=("practice", "assessment"),
        help="practice (feedback after every reply, the default) or assessment (the scores at the end)",
    )
    _store_options(p)

    p = sub.add_parser("rescore", help="score stored replies with the current rulebook; earlier verdicts stay")
    p.add_argument("--since", help="only attempts started on or after this date (YYYY-MM-DD)")
    p.add_argument(
        "--workers",
        type=bounded_int(1, MAX_WORKERS),
        help=f"worker processes that score, 1 to {MAX_WORKERS} (default: 2, or 1 on a single core)",
    )
    _store_options(p)

    p = sub.add_parser("readiness", help="readiness verdicts under rulebook/readiness.yaml, with their reasons")
    p.add_argument("--cohort", help="only trainees of this cohort")
    p.add_argument(
        "--format",
        choices=("table", "csv", "xlsx", "html", "json"),
        default="table",
        help="table, csv and json print (or write to --out); xlsx (one sheet per report table) and html need --out",
    )
    p.add_argument("--out", help="file to write instead of printing (required for xlsx and html)")
    p.add_argument("--lang", choices=("ru", "en"), default="ru", help="language of the html page (default ru)")
    _store_options(p)
    p.add_argument(
        "--rulebook",
        metavar="HASH",
        help="judge under this rulebook version (default: the kit's; replies not re-scored under it count as first scored)",
    )

    p = sub.add_parser("report", help="a self-contained HTML page on one trainee for the personnel file")
    p.add_argument(
        "trainee",
        nargs="?",
        help="the trainee's name as stored (see 'simkit readiness'); a name starting with '-' goes after '--' "
        "(simkit report -- -name) or as --trainee=-name",
    )
    p.add_argument("--trainee", dest="trainee_option", metavar="NAME", help="the trainee's name, as an option")
    p.add_argument("--out", help="HTML file to write (default: report-<name>.html in the current folder)")
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    _store_options(p)

    p = sub.add_parser(
        "import-transcripts",
        help="score real conversations from a CSV export (conversation_id,timestamp,speaker,text) as a trainee's evidence",
    )
    p.add_argument("file", help="CSV file with a header row; optional columns: customer, channel")
    p.add_argument("--trainee", required=True, help="the trainee whose conversations these are")
    p.add_argument("--role", help="the trainee's role in the kit (default: the first role of rulebook/roles.yaml)")
    p.add_argument("--channel", choices=CHANNELS, default="chat", help="channel of rows without a channel column (default chat)")
    p.add_argument("--lang", choices=("ru", "en"), help="language of the conversations (default: read from each one)")
    _store_options(p)

    p = sub.add_parser("demo-data", help="fill a database with simulated trainees' attempts, played through the engine")
    p.add_argument("--trainees", type=bounded_int(1, MAX_TRAINEES), default=30, help="how many simulated trainees (default 30)")
    p.add_argument("--seed", type=_SEED, default=1, help="the same seed gives the same data; running it again adds nothing")
    p.add_argument("--today", type=day, help="the attempts fall on the three days before it (default today)")
    _store_options(p)

    p = sub.add_parser("store", help="the evidence store: 'flush' writes spooled attempts")
    p.add_argument("action", choices=("flush",))
    _store_options(p)

    p = sub.add_parser("eval-behaviors", help="score the detector against a labelled JSON Lines set")
    p.add_argument("file", help="labelled set in the behaviour-vocabulary format")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--misses", action="store_true", help="also list each reply the detector got wrong")

    p = sub.add_parser("schema", help="write the content JSON Schemas")
    p.add_argument("--out", help="folder to write into (default: KIT/schemas)")
    p.add_argument("--kit", help="kit folder")
    return parser
