"""The ``simkit`` command line: a thin adapter over the library.

Exit codes: 0 success; 1 the content has problems (each printed as PATH:LINE:COL: CODE message);
2 usage errors (unknown command or option, unknown scenario, no kit found).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from .errors import ContentError, GenerationError, KitNotFound, UnknownScenario
from .ui_text import t

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


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

    p = sub.add_parser("schema", help="write the content JSON Schemas")
    p.add_argument("--out", help="folder to write into (default: KIT/schemas)")
    p.add_argument("--kit", help="kit folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if args.version:
        from . import __version__

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
    except GenerationError as exc:
        print(f"simkit: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except (KitNotFound, UnknownScenario) as exc:
        print(f"simkit: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _validate(args: argparse.Namespace) -> int:
    from .kit import check_kit, find_root
    from .problems import CODES, format_problems

    if args.codes:
        for code, about in CODES.items():
            print(f"{code:22} {about}")
        return EXIT_OK
    root = find_root(args.kit)
    kit, problems = check_kit(root)
    if problems:
        print(format_problems(problems, root, excerpts=not args.no_excerpt))
        return EXIT_PROBLEMS
    assert kit is not None
    print(
        f"{root}: ok: {len(kit.jobs)} job descriptions, {len(kit.roles)} roles, {len(kit.rules)} rules, "
        f"{len(kit.scenarios)} scenarios (rulebook {kit.rulebook_hash})"
    )
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from .generate import generate_many
    from .kit import load_kit

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
        print(f"{inst.scenario_id} ({t('seed', lang)} {inst.seed}, {lang}): {inst.title}")
        print(
            f"{t('customer', lang)}: {inst.customer.name} ({t(inst.customer.gender, lang)}), {t('anger', lang)} {inst.anger}/10"
        )
        print(f"{t('facts', lang)}: " + ", ".join(f"{k}={v}" for k, v in inst.facts.items()))
        for turn in inst.turns:
            print(f"\n[{turn.id}] {t('customer', lang)}: {turn.customer}")
            print(f"  {t('expected', lang)}: {', '.join(turn.expect)}")
            print(f"  {t('actions', lang)}: {', '.join(turn.actions)}")
            print(f"  {t('model_reply', lang)}: {turn.model_reply}")
        print(f"\n{t('outcomes', lang)}:")
        for outcome, line in inst.outcomes.items():
            print(f"  {t(outcome, lang)}: {line}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from .kit import load_kit

    kit = load_kit(args.kit)
    for scenario in sorted(kit.scenarios.values(), key=lambda s: (s.kind, s.id)):
        print(f"{scenario.id:34} {scenario.kind:22} {scenario.channel:7} {scenario.title.get(args.lang)}")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from .kit import find_root
    from .schema import write_schemas

    folder = Path(args.out) if args.out else find_root(args.kit) / "schemas"
    for path in write_schemas(folder):
        print(path)
    return EXIT_OK


_COMMANDS = {"validate": _validate, "generate": _generate, "list": _list, "schema": _schema}
