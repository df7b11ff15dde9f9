"""The commands on the kit's content: ``validate``, ``generate``, ``list`` and ``schema``.

They read the kit and write nothing to the evidence store; each is a thin adapter that calls the
library and prints what it returns (``simkit.cli.commands`` dispatches to them and maps errors to
exit codes).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..i18n import gettext, pgettext, translator
from ..i18n.names import name
from ..reports.cells import json_text
from .guard import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, message_lang, say


def validate_command(args: argparse.Namespace) -> int:
    """``simkit validate``: check every content file of the kit, print each problem."""
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
    if kit is not None:
        from ..engine.review import review_model_replies

        problems = sorted(set(problems) | set(review_model_replies(kit)))
    if problems:
        say(format_problems(problems, root, excerpts=not args.no_excerpt))
    if kit is None:
        return EXIT_PROBLEMS
    say(
        f"{root}: ok: {len(kit.jobs)} job descriptions, {len(kit.roles)} roles, {len(kit.rules)} rules, "
        f"{len(kit.scenarios)} scenarios (rulebook {kit.rulebook_hash})"
    )
    return EXIT_OK


def generate_command(args: argparse.Namespace) -> int:
    """``simkit generate``: render instances of a scenario, as text or JSON."""
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


def list_command(args: argparse.Namespace) -> int:
    """``simkit list``: the scenarios of the kit, one a line."""
    from ..content.kit import load_kit

    kit = load_kit(args.kit)
    for scenario in sorted(kit.scenarios.values(), key=lambda s: (s.kind, s.id)):
        kind, channel = name("kind", scenario.kind, args.lang), name("channel", scenario.channel, args.lang)
        say(f"{scenario.id:34} {kind:30} {channel:12} {scenario.title.get(args.lang)}")
    return EXIT_OK


def schema_command(args: argparse.Namespace) -> int:
    """``simkit schema``: write the content JSON Schemas."""
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
