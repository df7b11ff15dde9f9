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

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from ..errors import ContentError, GenerationError, KitNotFound, SimkitError, UnknownScenario
from ..i18n import gettext, ngettext, pgettext, translator
from ..i18n.names import name
from ..language.evaluation import LabelledSetError
from ..language.lexicon import LexiconError
from ..reports.cells import json_text, visible
from .guard import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    dash_hint,
    environment_lang,
    message_lang,
    not_utf8,
    prepare_streams,
    quiet_stdout,
    say,
)
from .parser import UsageError
from .parser import parser as grammar
from .reading import InputFileError

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


def _validate(args: argparse.Namespace) -> int:
    from ..content.kit import check_kit, find_root
    from ..content.problems import CODES, format_problems

    if args.codes:
        for code, about in CODES.items():
            say(f"{code:22} {about}")
        return EXIT_OK
    if args.kit and args.kit_option and args.kit != args.kit_option:
        say(f"simkit validate: two kit folders given ({args.kit} and --kit {args.kit_option}); give one", file=sys.stderr)
        return EXIT_USAGE
    root = find_root(args.kit or args.kit_option)
    kit, problems = check_kit(root)
    if problems:
        say(format_problems(problems, root, excerpts=not args.no_excerpt))
    if kit is None:
        return EXIT_PROBLEMS
    say(
        f"{root}: ok: {len(kit.jobs)} job descriptions, {len(kit.roles)} roles, {len(kit.rules)} rules, "
        f"{len(kit.scenarios)} scenarios (rulebook {kit.rulebook_hash})"
    )
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from ..content.kit import load_kit
    from ..engine.generation import generate

    scenario = load_kit(args.kit).scenario(args.scenario)
    count = args.count or 1
    # one variant at a time: each is written as soon as it is made, so memory stays flat however many
    instances = (generate(scenario, args.seed + k, args.lang, args.today) for k in range(count))
    if args.json:
        if args.count is None:
            print(json_text(next(instances).model_dump(mode="json")))
            return EXIT_OK
        # a JSON list all the same, one variant per line: '[', the variants separated by ',', then ']'
        sys.stdout.write("[\n")
        for k, inst in enumerate(instances):
            sys.stdout.write(("," if k else "") + json_text(inst.model_dump(mode="json"), indent=None) + "\n")
        sys.stdout.write("]\n")
        return EXIT_OK
    for k, inst in enumerate(instances):
        if k:
            say()
        _show_instance(inst)
    return EXIT_OK


def _show_instance(inst: Any) -> None:
    lang = inst.lang
    _ = translator(lang)
    female = inst.customer.gender == "female"
    gender = pgettext(lang, "gender, one letter", "f") if female else pgettext(lang, "gender, one letter", "m")
    variant, customer, anger = _("variant"), _("Customer"), _("anger {n}/10", n=inst.anger)
    facts, expected, actions, model = _("Facts"), _("Expected"), _("Actions"), _("Model reply")
    say(f"{inst.scenario_id} ({variant} {inst.seed}, {lang}): {inst.title}")
    say(f"{customer}: {inst.customer.name} ({gender}), {anger}")
    say(f"{facts}: " + ", ".join(f"{k}={v}" for k, v in inst.facts.items()))
    for turn in inst.turns:
        say(f"\n[{turn.id}] {customer}: {turn.customer}")
        say(f"  {expected}: {', '.join(name('behavior', b, lang) for b in turn.expect)}")
        say(f"  {actions}: {', '.join(name('action', a, lang) for a in turn.actions)}")
        say(f"  {model}: {turn.model_reply}")
    outcomes = _("Outcomes")
    say(f"\n{outcomes}:")
    for outcome, line in inst.outcomes.items():
        say(f"  {name('outcome', outcome, lang)}: {line}")


def _list(args: argparse.Namespace) -> int:
    from ..content.kit import load_kit

    kit = load_kit(args.kit)
    for scenario in sorted(kit.scenarios.values(), key=lambda s: (s.kind, s.id)):
        kind, channel = name("kind", scenario.kind, args.lang), name("channel", scenario.channel, args.lang)
        say(f"{scenario.id:34} {kind:30} {channel:12} {scenario.title.get(args.lang)}")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from ..content.kit import find_root
    from ..content.schema import write_schemas

    folder = Path(args.out) if args.out else find_root(args.kit) / "schemas"
    try:
        written = write_schemas(folder)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = exc.filename or folder
        say(
            gettext(message_lang(args), "simkit schema: cannot write {path}: {reason}", path=str(where), reason=reason),
            sys.stderr,
        )
        return EXIT_PROBLEMS
    for path in written:
        say(path)
    return EXIT_OK


def _detect(args: argparse.Namespace) -> int:
    from ..language.detection import detect

    findings = detect(args.text, args.lang, args.name)
    if args.json:
        data = [
            {"behavior": f.behavior, "spans": [list(s) for s in f.spans], "text": f.quotes(args.text), "value": f.value}
            for f in findings
        ]
        print(json_text(data))
        return EXIT_OK
    for f in findings:
        value = f" = {list(f.value) if isinstance(f.value, tuple) else f.value}" if f.value is not None else ""
        say(f"{f.behavior:24}{value:14} " + " | ".join(f"«{q}»" for q in f.quotes(args.text)))
    if not findings:
        say(gettext(args.lang, "(no behaviours found)"))
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
        say(
            f"simkit score: scenario '{args.scenario}' has no turn '{turn}' (turns: {', '.join(t.id for t in instance.turns)})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        actions = None if args.action is None else [parse_action(a) for a in args.action]
    except ValueError as exc:
        say(f"simkit score: {exc}", file=sys.stderr)
        return EXIT_USAGE
    result = score_reply(instance, turn, args.text, actions, kit=kit, anger=args.anger)
    if args.json:
        say(json_text(_score_json(result)))
        return EXIT_OK
    lang = instance.lang
    _ = translator(lang)
    variant, customer, behaviours = _("variant"), _("Customer"), _("Behaviours")
    taken, from_text = _("Actions"), _("from the text")
    say(f"{instance.scenario_id} / {turn} ({variant} {instance.seed}, {lang})")
    say(f"{customer}: {instance.turn(turn).customer}")
    say(f"{behaviours}: " + (", ".join(name("behavior", f.behavior, lang) for f in result.findings) or "-"))
    say(
        f"{taken}: "
        + (", ".join(action_label(a, lang) for a in result.actions) or "-")
        + (f" ({from_text})" if result.text_only else "")
    )
    say()
    # columns as wide as their longest word in this language
    statuses = _statuses(lang)
    wide = max(5, *(len(s) for s in statuses.values()))
    wider = max(9, *(len(name("severity", s, lang)) for s in ("critical", "major", "minor")))
    for v in result.verdicts:
        if v.status == "n/a" and not args.all:
            continue
        quote = "; ".join(e.text for e in v.evidence)[:60]
        status, severity = statuses.get(v.status, v.status), name("severity", v.severity, lang)
        say(f"{status:{wide}} {severity:{wider}} {v.weight:>4g}  {v.rule_id:34} {quote}")
    say()
    critical, score = _("critical rules failed"), f"{result.score:g}"
    say(_("Score: {score}/100", score=score) + (f"  {critical}: {', '.join(result.critical_failures)}" if result.failed else ""))
    for line in result.feedback:
        say(f"- {line}")
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
    from .play import load_replies, run, say_nothing_is_stored

    if args.replies and args.model:
        say("simkit play: choose --replies or --model, not both", file=sys.stderr)
        return EXIT_USAGE
    if args.json and not (args.replies or args.model):
        say("simkit play: --json needs --replies or --model (typed play is interactive)", file=sys.stderr)
        return EXIT_USAGE
    given = [option for option, value in (("--cohort", args.cohort), ("--mode", args.mode), ("--db", args.db)) if value]
    if args.trainee is None and given:
        say(f"simkit play: {' and '.join(given)} need --trainee NAME: without a trainee nothing is stored", file=sys.stderr)
        return EXIT_USAGE
    if args.replies and not Path(args.replies).exists():
        say(f"simkit play: no such file: {args.replies} (--replies takes a YAML list of replies)", file=sys.stderr)
        return EXIT_USAGE
    # read before anything is stored: a file that cannot be used stops the command with nothing done
    scripted = load_replies(Path(args.replies), args.lang) if args.replies else None
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
            say(f"simkit play: --trainee: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if not (args.replies or args.model):
            recorder.connect()  # opened before the first reply, so that storing it takes milliseconds
    try:
        run(instance, kit, scripted, args.model, args.json, recorder, feedback=mode != "assessment")
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
        say(f"simkit rescore: --since takes a date such as 2026-03-01, not '{args.since}'", file=sys.stderr)
        return EXIT_USAGE
    kit = load_kit(args.kit)
    store = Store(args.db, root=kit.root)
    with Progress(transient=True) as bar:
        task = bar.add_task("rescore", total=None)
        report = rescore(store, kit, since, lambda done, total: bar.update(task, completed=done, total=total), args.workers)
    store.close()
    say(
        f"rulebook {report.rulebook_hash}: {report.scored} replies scored, {report.already} already scored under it, "
        f"{report.missing_content} skipped (scenario or turn no longer in the kit)"
    )
    return EXIT_OK


def _readiness(args: argparse.Namespace) -> int:
    import csv
    import io

    from ..content.kit import load_kit
    from ..reports.cells import cell
    from ..reports.readiness import store_readiness
    from ..store.database import Store

    if args.format in ("xlsx", "html") and not args.out:
        say(f"simkit readiness: --format {args.format} writes a file; give it with --out FILE", file=sys.stderr)
        return EXIT_USAGE
    kit = load_kit(args.kit)
    with Store(args.db, root=kit.root) as store:
        verdicts = store_readiness(store, kit, args.cohort, rulebook=args.rulebook)  # summed in SQL: no reply is read
        if not verdicts:
            say(f"simkit readiness: {_nothing_to_judge(store, args.cohort, args.lang)}", file=sys.stderr)
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
        print(json_text([v.to_json() for v in verdicts]), file=text)
    elif args.format == "csv":
        writer = csv.writer(text)
        writer.writerow(["trainee", "cohort", "verdict", "requirement", "figure", "threshold", "met", "attempts"])
        for v in verdicts:
            for r in v.reasons:
                figure = "; ".join(r.figure) if isinstance(r.figure, list) else r.figure
                threshold = "; ".join(r.threshold) if isinstance(r.threshold, list) else r.threshold
                # every text field as a spreadsheet may hold it: no formula, no control character
                row = [v.trainee, v.cohort or "", v.verdict, r.requirement, figure, threshold, r.met, " ".join(r.attempts)]
                writer.writerow([cell(field) for field in row])
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
        say(f"{v.trainee} ({v.cohort or '-'}): {name('verdict', v.verdict, lang)}", file=out)
        for r in v.reasons:
            mark = "ok " if r.met else ("-- " if not r.evidence else "NO ")
            attempts = ngettext(lang, "{n} attempt", "{n} attempts", len(r.attempts))
            label = name("requirement", r.requirement, lang)
            # a score with no attempts behind it is unknown, not zero; counts are counts
            figure = shown(r.figure, bool(r.attempts) or not r.requirement.startswith(("min_score", "min_category_score")))
            say(f"  {mark}{label:44} {figure:>10} / {shown(r.threshold):<10} ({attempts})", file=out)


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
        say(f"simkit: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    say(path)
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from ..content.kit import load_kit
    from ..reports.exports import safe_name, trainee_html
    from ..reports.readiness import judge
    from ..store.database import Store

    if (args.trainee is None) == (args.trainee_option is None):
        say(gettext(args.lang, "simkit report: give the trainee's name once: simkit report NAME, or --trainee=NAME"), sys.stderr)
        return EXIT_USAGE
    trainee = args.trainee if args.trainee is not None else args.trainee_option
    kit = load_kit(args.kit)
    with Store(args.db, root=kit.root) as store:
        attempts = store.attempts(trainee)
    if not attempts:
        say(
            f"simkit report: no attempts by trainee '{trainee}' in the store; names must match exactly, and "
            "'simkit readiness' lists every trainee with attempts",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    verdict = judge(kit.readiness, kit, trainee, attempts)
    page = trainee_html(trainee, attempts, verdict, kit, args.lang)
    out = args.out or f"report-{safe_name(trainee)}.html"
    return _written(out, lambda path: path.write_text(page, encoding="utf-8"))


def _demo_data(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from ..content.kit import load_kit
    from ..store.database import Store
    from .demo import fill

    kit = load_kit(args.kit)
    with Store(args.db, root=kit.root) as store, Progress(transient=True) as bar:
        task = bar.add_task("demo-data", total=args.trainees)
        report = fill(
            store, kit, args.trainees, args.seed, args.today, lambda done, total: bar.update(task, completed=done, total=total)
        )
    say(
        f"demo data (seed {args.seed}): {report.trainees} trainees, {report.attempts} attempts "
        f"({report.new} new, {report.attempts - report.new} stored before), {report.replies} replies"
    )
    say("readiness: " + ", ".join(f"{count} {verdict}" for verdict, count in report.verdicts.items()))
    return EXIT_OK


def _store(args: argparse.Namespace) -> int:
    from ..content.kit import load_kit
    from ..store.database import Store
    from ..store.spool import flush_spools, spool_dir

    kit = load_kit(args.kit)
    folder = spool_dir(kit.root)
    with Store(args.db, root=kit.root) as store:
        report = flush_spools(store, kit)  # the kit's spool folder and the trainee's own (a read-only kit's)
    for problem in report.problems:
        say(f"simkit store flush: cannot replay {problem}", file=sys.stderr)
    say(f"{report.written} spooled attempts written, {report.remaining} left in {folder}")
    return EXIT_OK


def _eval_behaviors(args: argparse.Namespace) -> int:
    from ..language.evaluation import as_json, evaluate, format_report, load
    from .reading import LABELLED_SET_LIMIT, read_text

    read_text(args.file, LABELLED_SET_LIMIT, message_lang(args))  # a regular UTF-8 file of bounded size, or a message
    report = evaluate(load(args.file))
    if args.json:
        print(as_json(report))
    else:
        if not args.misses:
            report.pop("errors", None)
        say(format_report(report))
    return EXIT_OK


def _import_transcripts(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from ..content.kit import load_kit
    from ..store.database import Store
    from ..store.transcripts import import_transcripts

    if not Path(args.file).is_file():
        say(f"simkit import-transcripts: no file {args.file}", file=sys.stderr)
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
        say(f"skipped {problem}", file=sys.stderr)
    say(
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
