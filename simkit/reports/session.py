"""A trainer round's tables and exports: the live table, the common failures, an Excel workbook, an HTML page.

The tables are pandas frames in the reader's language (the console shows them, the exports write
them). Replies and names are typed by people: in the workbook a text that Excel would read as a
formula (it starts with =, +, -, @) is prefixed with a quote, and the HTML page is rendered by a
sandboxed Jinja2 with autoescaping, so a reply holding markup shows as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..i18n import gettext
from ..i18n.names import name as named
from .exports import page_environment, to_excel

if TYPE_CHECKING:
    import pandas as pd

    from ..content.kit import Kit
    from ..store.sessions import CommonFailure, LiveRow, Round, RoundReply

def _rule_title(rule_id: str, kit: Kit | None, lang: str) -> str:
    if kit is not None and rule_id in kit.rules:
        return kit.rules[rule_id].title.get(lang)
    return rule_id


def _scenario_title(scenario_id: str, kit: Kit | None, lang: str) -> str:
    if kit is not None and scenario_id in kit.scenarios:
        return kit.scenarios[scenario_id].title.get(lang)
    return scenario_id


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).strftime("%H:%M:%S")


def _stamp(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def live_table(rows: Sequence[LiveRow], kit: Kit | None, lang: str) -> pd.DataFrame:
    """The live table: one row per trainee with scenario, turn reached, scores, critical failures, anger, last reply."""
    import pandas as pd

    columns = [
        gettext(lang, "Trainee"),
        gettext(lang, "Scenario"),
        gettext(lang, "Turn reached"),
        gettext(lang, "Scores"),
        gettext(lang, "Critical failures"),
        gettext(lang, "Anger"),
        gettext(lang, "Last reply"),
    ]
    data = [
        [
            r.trainee,
            _scenario_title(r.scenario_id, kit, lang),
            r.turn_reached,
            ", ".join(f"{s:g}" for s in r.scores) or "-",
            ", ".join(_rule_title(c, kit, lang) for c in r.critical_failures) or "-",
            "-" if r.anger is None else r.anger,
            _when(r.last_reply_at),
        ]
        for r in rows
    ]
    return pd.DataFrame(data, columns=columns)


def failures_table(failures: Sequence[CommonFailure], kit: Kit | None, lang: str) -> pd.DataFrame:
    """The common failures: rule, severity, how many trainees and replies, example replies."""
    import pandas as pd

    columns = [
        gettext(lang, "Rule"),
        gettext(lang, "Severity"),
        gettext(lang, "Trainees"),
        gettext(lang, "Replies"),
        gettext(lang, "Example replies"),
    ]
    data = [
        [
            _rule_title(f.rule_id, kit, lang),
            named("severity", f.severity, lang),
            f.trainees,
            f.replies,
            "\n".join(e.text for e in f.examples),
        ]
        for f in failures
    ]
    return pd.DataFrame(data, columns=columns)


def replies_table(replies: Sequence[RoundReply], kit: Kit | None, lang: str) -> pd.DataFrame:
    """Every reply of the round: trainee, scenario, turn, the reply, score, failed rules, anger after."""
    import pandas as pd

    columns = [
        gettext(lang, "Trainee"),
        gettext(lang, "Cohort"),
        gettext(lang, "Scenario"),
        gettext(lang, "Turn"),
        gettext(lang, "Reply"),
        gettext(lang, "Score"),
        gettext(lang, "Failed rules"),
        gettext(lang, "Critical failures"),
        gettext(lang, "Anger"),
    ]
    data = [
        [
            r.trainee,
            r.cohort or "",
            _scenario_title(r.scenario_id, kit, lang),
            r.turn_index + 1,
            r.text,
            r.score,
            ", ".join(_rule_title(f, kit, lang) for f in r.failed),
            ", ".join(_rule_title(c, kit, lang) for c in r.critical_failures),
            r.anger_after,
        ]
        for r in replies
    ]
    return pd.DataFrame(data, columns=columns)


def round_tables(
    rows: Sequence[LiveRow], failures: Sequence[CommonFailure], replies: Sequence[RoundReply], kit: Kit | None, lang: str
) -> dict[str, pd.DataFrame]:
    """The round's three tables by sheet name (in ``lang``): trainees, common failures, replies."""
    return {
        gettext(lang, "Trainees"): live_table(rows, kit, lang),
        gettext(lang, "Common failures"): failures_table(failures, kit, lang),
        gettext(lang, "Replies"): replies_table(replies, kit, lang),
    }


def round_excel(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write the round's tables as a workbook; no text cell can act as a formula (``exports.to_excel``)."""
    return to_excel(tables, path)


def round_html(
    found: Round,
    rows: Sequence[LiveRow],
    failures: Sequence[CommonFailure],
    replies: Sequence[RoundReply],
    kit: Kit | None,
    lang: str = "ru",
    generated: datetime | None = None,
) -> str:
    """A self-contained HTML page on the round: its settings, each trainee, the common failures, every reply."""
    trainees = live_table(rows, kit, lang)
    common = failures_table(failures, kit, lang)
    return (
        page_environment(lang)
        .get_template("session.html.j2")
        .render(
            lang=lang,
            version=__version__,
            title=found.title,
            code=found.code,
            cohort=found.cohort or "-",
            trainer=found.trainer or "-",
            mode=named("mode", found.mode, lang),
            round_lang=found.lang.upper(),
            scenarios=[_scenario_title(s, kit, lang) for s in found.scenarios],
            created=_stamp(found.created_at),
            ended=_stamp(found.ended_at),
            generated=(generated or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            trainee_columns=list(trainees.columns),
            trainee_rows=[[str(v) for v in row] for row in trainees.itertuples(index=False)],
            failure_columns=list(common.columns)[:4],
            failures=[
                {"cells": [str(v) for v in row[:4]], "examples": [e.text for e in f.examples]}
                for row, f in zip(common.itertuples(index=False), failures, strict=True)
            ],
            replies=[
                {
                    "trainee": r.trainee,
                    "scenario": _scenario_title(r.scenario_id, kit, lang),
                    "turn": r.turn_index + 1,
                    "text": r.text,
                    "score": "-" if r.score is None else f"{r.score:g}",
                    "failed": ", ".join(_rule_title(f, kit, lang) for f in r.failed) or "-",
                }
                for r in replies
            ],
        )
    )
