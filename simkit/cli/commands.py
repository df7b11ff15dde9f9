"""The ``simkit`` command line: a thin adapter over the library.

Exit codes: 0 success; 1 the content has problems (each printed as PATH:LINE:COL: CODE message) or
another error that names what to fix (a store that cannot be opened, nothing to report); 2 usage
errors (unknown command or option, unknown scenario, no kit found, a file that is not there); 130
interrupted (Ctrl-C). Output cut short by its reader (``simkit list | head -1``) ends quietly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from ..content.vocabulary import CHANNELS
from ..errors import ContentError, GenerationError, KitNotFound, SimkitError, UnknownScenario
from ..i18n import gettext, ngettext, pgettext, translator
from ..i18n.names import name
from ..language.evaluation import LabelledSetError
from ..language.lexicon import LexiconError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a process stopped by Ctrl-C
EXIT_PIPE = 141  # 128 + SIGPIPE: the reader of the output went away


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` returns the code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}")


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="simkit", description="Customer-service practice kit: content, scenarios, scoring.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("validate", help="check every content file; print each problem as PATH:LINE:COL: CODE message")
    p.add_argument("kit", nargs="?", help="kit folder (default: SIMKIT_HOME or the current folder)")
    p.add_argument("--kit", dest="kit_option", metavar="KIT", help="kit folder, as the other commands take it")
    p.add_argument("--no-excerpt", action="store_true", help="do not print the offending line under each problem")
    p.add_argument("--codes", action="store_true", help="list the problem codes and exit")

    p = sub.add_parser("generate", help="render concrete instances of a scenario")
    p.add_argument("scenario", help="scenario id (see 'simkit list')")
    p.add_argument("--seed", type=int, default=1, help="variant number (default 1)")
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    p.add_argument("--count", type=int, help="how many variants, with seeds seed, seed+1, ...")
    p.add_argument("--json", action="store_true", help="print JSON (a list when --count is given)")
    p.add_argument("--today", type=date.fromisoformat, help="reference date for date facts (YYYY-MM-DD)")
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
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    p.add_argument("--turn", help="turn id (default: the first turn)")
    p.add_argument(
        "--action",
        action="append",
        help="an action chosen beside the text: id or id:param (route_department:legal, offer_discount:5, "
        "promise_callback:2); repeat for several; without any, intents in the text count (text-only mode)",
    )
    p.add_argument("--anger", type=int, help="the customer's anger before the reply (default: the scenario's start)")
    p.add_argument("--all", action="store_true", help="also list the rules that do not apply (n/a)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--kit", help="kit folder")

    p = sub.add_parser("play", help="a dialogue in the terminal: type replies, or play scripted or model replies")
    p.add_argument("scenario", help="scenario id")
    p.add_argument("--seed", type=int, default=1)
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
    p.add_argument("--db", help="database URL (default: SIMKIT_DB_URL, else simkit.db in the kit root)")
    p.add_argument("--kit", help="kit folder")

    p = sub.add_parser("rescore", help="score stored replies with the current rulebook; earlier verdicts stay")
    p.add_argument("--since", help="only attempts started on or after this date (YYYY-MM-DD)")
    p.add_argument("--workers", type=int, help="worker processes that score (default: 2, or 1 on a single core)")
    p.add_argument("--db", help="database URL (default: SIMKIT_DB_URL, else simkit.db in the kit root)")
    p.add_argument("--kit", help="kit folder")

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
    p.add_argument("--db", help="database URL (default: SIMKIT_DB_URL, else simkit.db in the kit root)")
    p.add_argument("--kit", help="kit folder")
    p.add_argument(
        "--rulebook",
        metavar="HASH",
        help="judge under this rulebook version (default: the kit's; replies not re-scored under it count as first scored)",
    )

    p = sub.add_parser("report", help="a self-contained HTML page on one trainee for the personnel file")
    p.add_argument("trainee", help="the trainee's name as stored (see 'simkit readiness')")
    p.add_argument("--out", help="HTML file to write (default: report-<name>.html in the current folder)")
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    p.add_argument("--db", help="database URL (default: SIMKIT_DB_URL, else simkit.db in the kit root)")
    p.add_argument("--kit", help="kit folder")

    p = sub.add_parser(
        "import-transcripts",
        help="score real conversations from a CSV export (conversation_id,timestamp,speaker,text) as a trainee's evidence",
    )
    p.add_argument("file", help="CSV file with a header row; optional columns: customer, channel")
    p.add_argument("--trainee", required=True, help="the trainee whose conversations these are")
    p.add_argument("--role", help="the trainee's role in the kit (default: the first role of rulebook/roles.yaml)")
    p.add_argument("--channel", choices=CHANNELS, default="chat", help="channel of rows without a channel column (default chat)")
    p.add_argument("--lang", choices=("ru", "en"), help="language of the conversations (default: read from each one)")
    p.add_argument("--db", help="database URL (default: SIMKIT_DB_URL, else simkit.db in the kit root)")
    p.add_argument("--kit", help="kit folder")

    p = sub.add_parser("demo-data", help="fill a database with simulated trainees' attempts, played through the engine")
    p.add_argument("--trainees", type=int, default=30, help="how many simulated trainees (default 30)")
    p.add_argument("--seed", type=int, default=1, help="the same seed gives the same data; running it again adds nothing")
    p.add_argument("--today", type=date.fromisoformat, help="the attempts fall on the three days before it (default today)")
    p.add_argument("--db", help="database URL (default: SIMKIT_DB_URL, else simkit.db in the kit root)")
    p.add_argument("--kit", help="kit folder")

    p = sub.add_parser("store", help="the evidence store: 'flush' writes spooled attempts")
    p.add_argument("action", choices=("flush",))
    p.add_argument("--db", help="database URL (default: SIMKIT_DB_URL, else simkit.db in the kit root)")
    p.add_argument("--kit", help="kit folder")

    p = sub.add_parser("eval-behaviors", help="score the detector against a labelled JSON Lines set")
    p.add_argument("file", help="labelled set in the behaviour-vocabulary format")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--misses", action="store_true", help="also list each reply the detector got wrong")

    p = sub.add_parser("schema", help="write the content JSON Schemas")
    p.add_argument("--out", help="folder to write into (default: KIT/schemas)")
    p.add_argument("--kit", help="kit folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # a reader that went away is found here, not by the interpreter at exit
        return code
    except KeyboardInterrupt:
        print("\nsimkit: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_PIPE


def _quiet_stdout() -> None:
    # the Python documentation's recipe for SIGPIPE: stdout goes to devnull, so that the
    # interpreter's own flush at exit does not fail a second time with a traceback
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # a stdout without a file descriptor (run in-process) has nothing to flush
        pass


def _main(argv: Sequence[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if args.version:
        from .. import __version__

        print(f"simkit {__version__}")
        return EXIT_OK
    if args.command is None:
        _parser().print_help()
        return EXIT_USAGE
    try:
        return int(_COMMANDS[args.command](args))
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return EXIT_PROBLEMS
    except (GenerationError, LexiconError) as exc:
        print(f"simkit: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except (KitNotFound, UnknownScenario, LabelledSetError) as exc:
        print(f"simkit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SimkitError as exc:  # e.g. a store that cannot be opened
        print(f"simkit: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS


def _validate(args: argparse.Namespace) -> int:
    from ..content.kit import check_kit, find_root
    from ..content.problems import CODES, format_problems

    if args.codes:
        for code, about in CODES.items():
            print(f"{code:22} {about}")
        return EXIT_OK
    if args.kit and args.kit_option and args.kit != args.kit_option:
        print(f"simkit validate: two kit folders given ({args.kit} and --kit {args.kit_option}); give one", file=sys.stderr)
        return EXIT_USAGE
    root = find_root(args.kit or args.kit_option)
    kit, problems = check_kit(root)
    if problems:
        print(format_problems(problems, root, excerpts=not args.no_excerpt))
    if kit is None:
        return EXIT_PROBLEMS
    print(
        f"{root}: ok: {len(kit.jobs)} job descriptions, {len(kit.roles)} roles, {len(kit.rules)} rules, "
        f"{len(kit.scenarios)} scenarios (rulebook {kit.rulebook_hash})"
    )
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from ..content.kit import load_kit
    from ..engine.generation import generate_many

    if args.count is not None and args.count < 1:
        print("simkit generate: --count must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    scenario = load_kit(args.kit).scenario(args.scenario)
    instances = generate_many(scenario, args.seed, args.lang, args.count or 1, args.today)
    if args.json:
        data = [i.model_dump(mode="json") for i in instances]
        print(json.dumps(data if args.count is not None else data[0], ensure_ascii=False, indent=2))
        return EXIT_OK
    for k, inst in enumerate(instances):
        if k:
            print()
        lang = inst.lang
        _ = translator(lang)
        female = inst.customer.gender == "female"
        gender = pgettext(lang, "gender, one letter", "f") if female else pgettext(lang, "gender, one letter", "m")
        variant, customer, anger = _("variant"), _("Customer"), _("anger {n}/10", n=inst.anger)
        facts, expected, actions, model = _("Facts"), _("Expected"), _("Actions"), _("Model reply")
        print(f"{inst.scenario_id} ({variant} {inst.seed}, {lang}): {inst.title}")
        print(f"{customer}: {inst.customer.name} ({gender}), {anger}")
        print(f"{facts}: " + ", ".join(f"{k}={v}" for k, v in inst.facts.items()))
        for turn in inst.turns:
            print(f"\n[{turn.id}] {customer}: {turn.customer}")
            print(f"  {expected}: {', '.join(name('behavior', b, lang) for b in turn.expect)}")
            print(f"  {actions}: {', '.join(name('action', a, lang) for a in turn.actions)}")
            print(f"  {model}: {turn.model_reply}")
        outcomes = _("Outcomes")
        print(f"\n{outcomes}:")
        for outcome, line in inst.outcomes.items():
            print(f"  {name('outcome', outcome, lang)}: {line}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from ..content.kit import load_kit

    kit = load_kit(args.kit)
    for scenario in sorted(kit.scenarios.values(), key=lambda s: (s.kind, s.id)):
        kind, channel = name("kind", scenario.kind, args.lang), name("channel", scenario.channel, args.lang)
        print(f"{scenario.id:34} {kind:30} {channel:12} {scenario.title.get(args.lang)}")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from ..content.kit import find_root
    from ..content.schema import write_schemas

    folder = Path(args.out) if args.out else find_root(args.kit) / "schemas"
    for path in write_schemas(folder):
        print(path)
    return EXIT_OK


def _detect(args: argparse.Namespace) -> int:
    from ..language.detection import detect

    findings = detect(args.text, args.lang, args.name)
    if args.json:
        data = [
            {"behavior": f.behavior, "spans": [list(s) for s in f.spans], "text": f.quotes(args.text), "value": f.value}
            for f in findings
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    for f in findings:
        value = f" = {list(f.value) if isinstance(f.value, tuple) else f.value}" if f.value is not None else ""
        print(f"{f.behavior:24}{value:14} " + " | ".join(f"«{q}»" for q in f.quotes(args.text)))
    if not findings:
        print(gettext(args.lang, "(no behaviours found)"))
    return EXIT_OK


def _score(args: argparse.Namespace) -> int:
    from ..content.kit import load_kit
    from ..engine.generation import generate
    from ..engine.scoring import parse_action, score_reply
    from .play import action_label

    kit = load_kit(args.kit)
    instance = generate(kit.scenario(args.scenario), args.seed, args.lang)
    turn = args.turn or instance.turns[0].id
    if turn not in {t.id for t in instance.turns}:
        print(
            f"simkit score: scenario '{args.scenario}' has no turn '{turn}' (turns: {', '.join(t.id for t in instance.turns)})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        actions = None if args.action is None else [parse_action(a) for a in args.action]
    except ValueError as exc:
        print(f"simkit score: {exc}", file=sys.stderr)
        return EXIT_USAGE
    result = score_reply(instance, turn, args.text, actions, kit=kit, anger=args.anger)
    if args.json:
        print(json.dumps(_score_json(result), ensure_ascii=False, indent=2))
        return EXIT_OK
    lang = instance.lang
    _ = translator(lang)
    variant, customer, behaviours = _("variant"), _("Customer"), _("Behaviours")
    taken, from_text = _("Actions"), _("from the text")
    print(f"{instance.scenario_id} / {turn} ({variant} {instance.seed}, {lang})")
    print(f"{customer}: {instance.turn(turn).customer}")
    print(f"{behaviours}: " + (", ".join(name("behavior", f.behavior, lang) for f in result.findings) or "-"))
    print(
        f"{taken}: "
        + (", ".join(action_label(a, lang) for a in result.actions) or "-")
        + (f" ({from_text})" if result.text_only else "")
    )
    print()
    # columns as wide as their longest word in this language
    statuses = _statuses(lang)
    wide = max(5, *(len(s) for s in statuses.values()))
    wider = max(9, *(len(name("severity", s, lang)) for s in ("critical", "major", "minor")))
    for v in result.verdicts:
        if v.status == "n/a" and not args.all:
            continue
        quote = "; ".join(e.text for e in v.evidence)[:60]
        status, severity = statuses.get(v.status, v.status), name("severity", v.severity, lang)
        print(f"{status:{wide}} {severity:{wider}} {v.weight:>4g}  {v.rule_id:34} {quote}")
    print()
    critical, score = _("critical rules failed"), f"{result.score:g}"
    print(
        _("Score: {score}/100", score=score) + (f"  {critical}: {', '.join(result.critical_failures)}" if result.failed else "")
    )
    for line in result.feedback:
        print(f"- {line}")
    return EXIT_OK


def _statuses(lang: str) -> dict[str, str]:
    """A verdict's status as the score command prints it."""
    return {
        "pass": pgettext(lang, "verdict status", "pass"),
        "fail": pgettext(lang, "verdict status", "fail"),
        "n/a": pgettext(lang, "verdict status", "n/a"),
    }


def _score_json(result: Any) -> dict[str, Any]:
    return {
        "scenario_id": result.scenario_id,
        "turn": result.turn_id,
        "lang": result.lang,
        "text_only": result.text_only,
        "score": result.score,
        "failed": result.failed,
        "critical_failures": list(result.critical_failures),
        "behaviors": [{"behavior": f.behavior, "spans": [list(s) for s in f.spans], "value": f.value} for f in result.findings],
        "actions": [a.model_dump(exclude_none=True) for a in result.actions],
        "verdicts": [v.to_json() for v in result.verdicts],
        "feedback": result.feedback,
    }


def _play(args: argparse.Namespace) -> int:
    from ..content.kit import load_kit
    from ..engine.generation import generate
    from ..store.database import StoreError
    from ..store.recorder import Recorder
    from ..store.records import Mode
    from .play import run, say_nothing_is_stored

    if args.replies and args.model:
        print("simkit play: choose --replies or --model, not both", file=sys.stderr)
        return EXIT_USAGE
    if args.json and not (args.replies or args.model):
        print("simkit play: --json needs --replies or --model (typed play is interactive)", file=sys.stderr)
        return EXIT_USAGE
    given = [option for option, value in (("--cohort", args.cohort), ("--mode", args.mode), ("--db", args.db)) if value]
    if args.trainee is None and given:
        print(f"simkit play: {' and '.join(given)} need --trainee NAME: without a trainee nothing is stored", file=sys.stderr)
        return EXIT_USAGE
    if args.replies and not Path(args.replies).is_file():
        print(f"simkit play: no such file: {args.replies} (--replies takes a YAML list of replies)", file=sys.stderr)
        return EXIT_USAGE
    kit = load_kit(args.kit)
    instance = generate(kit.scenario(args.scenario), args.seed, args.lang)
    mode: Mode = "assessment" if args.mode == "assessment" else "practice"
    recorder = None
    if args.trainee is None:
        say_nothing_is_stored(args.lang)
    else:
        try:
            recorder = Recorder(kit, args.trainee, mode, cohort=args.cohort, url=args.db)
        except StoreError as exc:  # an empty name, a name too long
            print(f"simkit play: --trainee: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if not (args.replies or args.model):
            recorder.connect()  # opened before the first reply, so that storing it takes milliseconds
    try:
        run(instance, kit, args.replies, args.model, args.json, recorder, feedback=mode != "assessment")
    finally:
        if recorder is not None:
            recorder.close()
    return EXIT_OK


def _rescore(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from ..content.kit import load_kit
    from ..store.database import Store
    from ..store.rescore import parse_since, rescore

    try:
        since = parse_since(args.since) if args.since else None
    except ValueError:
        print(f"simkit rescore: --since takes a date such as 2026-03-01, not '{args.since}'", file=sys.stderr)
        return EXIT_USAGE
    kit = load_kit(args.kit)
    store = Store(args.db, root=kit.root)
    with Progress(transient=True) as bar:
        task = bar.add_task("rescore", total=None)
        report = rescore(store, kit, since, lambda done, total: bar.update(task, completed=done, total=total), args.workers)
    store.close()
    print(
        f"rulebook {report.rulebook_hash}: {report.scored} replies scored, {report.already} already scored under it, "
        f"{report.missing_content} skipped (scenario or turn no longer in the kit)"
    )
    return EXIT_OK


def _readiness(args: argparse.Namespace) -> int:
    import csv
    import io

    from ..content.kit import load_kit
    from ..reports.readiness import store_readiness
    from ..store.database import Store

    if args.format in ("xlsx", "html") and not args.out:
        print(f"simkit readiness: --format {args.format} writes a file; give it with --out FILE", file=sys.stderr)
        return EXIT_USAGE
    kit = load_kit(args.kit)
    with Store(args.db, root=kit.root) as store:
        verdicts = store_readiness(store, kit, args.cohort, rulebook=args.rulebook)  # summed in SQL: no reply is read
        if not verdicts:
            print(f"simkit readiness: {_nothing_to_judge(store, args.cohort, args.lang)}", file=sys.stderr)
            return EXIT_PROBLEMS
        attempts = store.attempts() if args.format == "xlsx" else []  # only the workbook lists attempts
    if args.format == "xlsx":
        from ..reports.exports import to_excel
        from ..reports.tables import report_tables

        chosen = [a for a in attempts if args.cohort is None or a.get("cohort") == args.cohort]
        return _written(args.out, lambda path: to_excel(report_tables(chosen, kit, verdicts, args.lang), path))
    if args.format == "html":
        from ..reports.exports import readiness_html

        page = readiness_html(verdicts, args.lang, kit, args.cohort)
        return _written(args.out, lambda path: path.write_text(page, encoding="utf-8"))
    text = io.StringIO()
    if args.format == "json":
        print(json.dumps([v.to_json() for v in verdicts], ensure_ascii=False, indent=2), file=text)
    elif args.format == "csv":
        writer = csv.writer(text)
        writer.writerow(["trainee", "cohort", "verdict", "requirement", "figure", "threshold", "met", "attempts"])
        for v in verdicts:
            for r in v.reasons:
                figure = "; ".join(r.figure) if isinstance(r.figure, list) else r.figure
                threshold = "; ".join(r.threshold) if isinstance(r.threshold, list) else r.threshold
                writer.writerow(
                    [v.trainee, v.cohort or "", v.verdict, r.requirement, figure, threshold, r.met, " ".join(r.attempts)]
                )
    else:
        _write_readiness_table(verdicts, args.lang, text)
    if args.out:
        # newline="": the csv module already ends its rows with \r\n
        return _written(args.out, lambda path: path.write_text(text.getvalue(), encoding="utf-8", newline=""))
    sys.stdout.write(text.getvalue())
    return EXIT_OK


def _write_readiness_table(verdicts: list[Any], lang: str, out: TextIO) -> None:
    """The terminal table: verdicts and requirements by name in the reader's language."""
    from ..i18n import ngettext
    from ..i18n.names import name

    def shown(value: object, known: bool = True) -> str:
        if isinstance(value, list):  # kinds of situation, by name
            return "; ".join(name("kind", str(k), lang) for k in value) or "—"
        return str(value) if known else "—"  # a figure without evidence is not a zero

    for v in verdicts:
        print(f"{v.trainee} ({v.cohort or '-'}): {name('verdict', v.verdict, lang)}", file=out)
        for r in v.reasons:
            mark = "ok " if r.met else ("-- " if not r.evidence else "NO ")
            attempts = ngettext(lang, "{n} attempt", "{n} attempts", len(r.attempts))
            label = name("requirement", r.requirement, lang)
            # a score with no attempts behind it is unknown, not zero; counts are counts
            figure = shown(r.figure, bool(r.attempts) or not r.requirement.startswith(("min_score", "min_category_score")))
            print(f"  {mark}{label:44} {figure:>10} / {shown(r.threshold):<10} ({attempts})", file=out)


def _nothing_to_judge(store: Any, cohort: str | None, lang: str) -> str:
    """Why readiness has no verdict to give: an empty store, or a cohort without attempts."""
    _ = translator(lang)
    if cohort is None:
        return _(
            "the store at {url} holds no attempts yet. Attempts are stored when trainees play under their name "
            "(the notebooks, or simkit play --trainee NAME).",
            url=store.shown_url,
        )
    cohorts = store.cohorts()
    if not cohorts:
        return _(
            "no trainee of cohort '{cohort}' has attempts: no trainee in the store at {url} has a cohort.",
            cohort=cohort,
            url=store.shown_url,
        )
    return ngettext(
        lang,
        "no trainee of cohort '{cohort}' has attempts. The cohort with attempts: {cohorts}.",
        "no trainee of cohort '{cohort}' has attempts. Cohorts with attempts: {cohorts}.",
        len(cohorts),
        cohort=cohort,
        cohorts=", ".join(cohorts),
    )


def _written(out: str, write: Any) -> int:
    """Run ``write(Path(out))`` for the readiness and report commands; a file that cannot be written exits 1."""
    path = Path(out)
    try:
        write(path)
    except OSError as exc:
        print(f"simkit: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(path)
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from ..content.kit import load_kit
    from ..reports.exports import safe_name, trainee_html
    from ..reports.readiness import judge
    from ..store.database import Store

    kit = load_kit(args.kit)
    with Store(args.db, root=kit.root) as store:
        attempts = store.attempts(args.trainee)
    if not attempts:
        print(
            f"simkit report: no attempts by trainee '{args.trainee}' in the store; names must match exactly, and "
            "'simkit readiness' lists every trainee with attempts",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    verdict = judge(kit.readiness, kit, args.trainee, attempts)
    page = trainee_html(args.trainee, attempts, verdict, kit, args.lang)
    out = args.out or f"report-{safe_name(args.trainee)}.html"
    return _written(out, lambda path: path.write_text(page, encoding="utf-8"))


def _demo_data(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from ..content.kit import load_kit
    from ..store.database import Store
    from .demo import fill

    if args.trainees < 1:
        print(f"simkit demo-data: --trainees must be at least 1, not {args.trainees}", file=sys.stderr)
        return EXIT_USAGE
    kit = load_kit(args.kit)
    with Store(args.db, root=kit.root) as store, Progress(transient=True) as bar:
        task = bar.add_task("demo-data", total=args.trainees)
        report = fill(
            store, kit, args.trainees, args.seed, args.today, lambda done, total: bar.update(task, completed=done, total=total)
        )
    print(
        f"demo data (seed {args.seed}): {report.trainees} trainees, {report.attempts} attempts "
        f"({report.new} new, {report.attempts - report.new} stored before), {report.replies} replies"
    )
    print("readiness: " + ", ".join(f"{count} {verdict}" for verdict, count in report.verdicts.items()))
    return EXIT_OK


def _store(args: argparse.Namespace) -> int:
    from ..content.kit import load_kit
    from ..store.database import Store
    from ..store.spool import flush, spool_dir

    kit = load_kit(args.kit)
    folder = spool_dir(kit.root)
    with Store(args.db, root=kit.root) as store:
        report = flush(store, kit, folder)
    for problem in report.problems:
        print(f"simkit store flush: cannot replay {problem}", file=sys.stderr)
    print(f"{report.written} spooled attempts written, {report.remaining} left in {folder}")
    return EXIT_OK


def _eval_behaviors(args: argparse.Namespace) -> int:
    from ..language.evaluation import as_json, evaluate, format_report, load

    report = evaluate(load(args.file))
    if args.json:
        print(as_json(report))
    else:
        if not args.misses:
            report.pop("errors", None)
        print(format_report(report))
    return EXIT_OK


def _import_transcripts(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from ..content.kit import load_kit
    from ..store.database import Store
    from ..store.transcripts import import_transcripts

    if not Path(args.file).is_file():
        print(f"simkit import-transcripts: no file {args.file}", file=sys.stderr)
        return EXIT_USAGE
    kit = load_kit(args.kit)
    with Store(args.db, root=kit.root) as store, Progress(transient=True) as bar:
        task = bar.add_task("import", total=None)
        report = import_transcripts(
            store,
            kit,
            args.file,
            args.trainee,
            role=args.role,
            channel=args.channel,
            lang=args.lang,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    for problem in report.problems:
        print(f"skipped {problem}", file=sys.stderr)
    print(
        f"{args.trainee}: {report.stored} conversations stored as real evidence ({report.replies} agent replies scored), "
        f"{report.already} stored before, {len(report.problems)} rows or conversations skipped"
    )
    return EXIT_OK


_COMMANDS = {
    "import-transcripts": _import_transcripts,
    "validate": _validate,
    "generate": _generate,
    "list": _list,
    "schema": _schema,
    "detect": _detect,
    "score": _score,
    "play": _play,
    "rescore": _rescore,
    "store": _store,
    "demo-data": _demo_data,
    "readiness": _readiness,
    "report": _report,
    "eval-behaviors": _eval_behaviors,
}
