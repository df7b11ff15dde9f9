"""The commands that write the evidence store: ``rescore``, ``store``, ``demo-data``, ``import-transcripts``.

Each opens the store (``--db``, else the kit's), runs one store operation with a progress bar
where it may take a while, and prints what was written; ``simkit.cli.commands`` dispatches to them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .guard import EXIT_OK, EXIT_USAGE, say


def rescore_command(args: argparse.Namespace) -> int:
    """``simkit rescore``: score stored replies with the current rulebook."""
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


def demo_data_command(args: argparse.Namespace) -> int:
    """``simkit demo-data``: fill the store with simulated trainees' attempts."""
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


def store_command(args: argparse.Namespace) -> int:
    """``simkit store flush``: write spooled attempts to the store."""
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


def import_transcripts_command(args: argparse.Namespace) -> int:
    """``simkit import-transcripts``: store real conversations as evidence."""
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
