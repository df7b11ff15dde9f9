"""The commands that report on the evidence: ``readiness`` and ``report``.

They read the store and write the readiness verdicts (a terminal table, CSV, JSON, a workbook or
a web page) or one trainee's page for the personnel file; ``simkit.cli.commands`` dispatches to
them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from ..i18n import gettext, ngettext, translator
from ..i18n.names import name
from ..reports.cells import json_text
from .guard import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, say


def readiness_command(args: argparse.Namespace) -> int:
    """``simkit readiness``: the readiness verdicts, as a table, CSV, JSON, a workbook or a page."""
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


def report_command(args: argparse.Namespace) -> int:
    """``simkit report``: one trainee's page for the personnel file."""
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
