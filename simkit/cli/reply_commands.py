"""The commands that judge replies: ``detect``, ``score``, ``play`` and ``eval-behaviors``.

Each runs the language layer or the engine on replies given on the command line, in a file or
typed in the terminal, and prints findings, verdicts and feedback (``play`` also stores the
attempt when given a trainee); ``simkit.cli.commands`` dispatches to them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..i18n import gettext, pgettext, translator
from ..i18n.names import name
from ..reports.cells import json_text
from .guard import EXIT_OK, EXIT_USAGE, message_lang, say


def detect_command(args: argparse.Namespace) -> int:
    """``simkit detect``: the behaviours a reply shows, with the text that shows them."""
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


def score_command(args: argparse.Namespace) -> int:
    """``simkit score``: judge one reply to a scenario turn against every rule in scope."""
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


def play_command(args: argparse.Namespace) -> int:
    """``simkit play``: a dialogue in the terminal, with typed, scripted or model replies."""
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


def eval_behaviors_command(args: argparse.Namespace) -> int:
    """``simkit eval-behaviors``: score the detector against a labelled set."""
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
