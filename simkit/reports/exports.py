"""Exports of the report tables: CSV files, an Excel workbook, and self-contained HTML pages.

The HTML pages go into a trainee's personnel file, so they hold everything themselves: inline CSS,
figures as base64 PNG data URIs, no scripts and no links to other resources. They are rendered by
Jinja2 with autoescaping on: names, cohorts and replies are typed by people, and a reply that
contains markup must show as text in the page, never act as markup. The templates' own words are
``{{ _("...") }}`` from the catalogue (``jinja2.ext.i18n``); names of verdicts, requirements, kinds
and modes come from ``simkit.i18n.names``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from .. import __version__
from ..i18n import N_, gettext, translations
from ..i18n.names import name as named
from .cells import cell

if TYPE_CHECKING:
    import pandas as pd

    from ..content.kit import Kit
    from ..store.decisions import Decision
    from ..store.judgement import JudgedVerdict
    from .readiness import Reason, TraineeReadiness

TEMPLATES = Path(__file__).resolve().parent / "templates"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_UNSAFE_FILE = re.compile(r"[^\w.-]+")
_EXCEL_FIRST_DAY = datetime(1900, 1, 1)

# what the "met" column of a reason says; requirement, verdict and kind names come from simkit.i18n.names
_YES = N_("yes")
_NO = N_("no")
_NO_EVIDENCE = N_("no evidence")
_CONFIRMED = N_("confirmed")
_OVERRULED = N_("overruled")
_STATUS = {"pass": N_("passed"), "fail": N_("failed"), "n/a": N_("not applicable")}  # a rule's verdict on a reply
DASH = "—"  # a figure that does not exist (never judged, no attempts): not 0


def safe_name(name: str) -> str:
    """A file-name part from a trainee's name: letters, digits, '.', '-' and '_' only."""
    cleaned = _UNSAFE_FILE.sub("_", name).strip("._")
    return cleaned or "trainee"


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    # a named index (trainee) is data; Excel cannot hold time zones, so times go as naive UTC
    out = frame.reset_index() if frame.index.name is not None else frame.reset_index(drop=True)
    for column in out.columns:
        dtype = out[column].dtype
        if getattr(dtype, "tz", None) is not None:
            out[column] = out[column].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def _excel_moments(frame: pd.DataFrame) -> pd.DataFrame:
    """Moments before 1900, which Excel cannot show as dates (it shows ####), as ISO text; the rest stay dates."""
    import pandas as pd

    out = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind == "M" and (values.dropna() < _EXCEL_FIRST_DAY).any():
            shown = [v.isoformat(sep=" ") if not pd.isna(v) and v < _EXCEL_FIRST_DAY else v for v in values]
            out[column] = pd.Series(shown, index=frame.index, dtype=object)
    return out


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a spreadsheet may hold it: no text cell or header acts as a formula or holds a control character."""
    out = frame.map(cell) if len(frame.columns) else frame.copy()
    out.columns = [cell(c) for c in out.columns]
    return out


def to_csv(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write each table as ``<name>.csv`` (UTF-8) into ``folder``; returns the files written."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = target / f"{safe_name(name)}.csv"
        # rows end in CRLF as RFC 4180 has it: the csv module then quotes a field holding a bare CR,
        # which a reader would otherwise take for the end of the row
        _safe(_plain(frame)).to_csv(path, index=False, encoding="utf-8", lineterminator="\r\n")
        written.append(path)
    return written


def _sheet_names(names: Sequence[str]) -> list[str]:
    # Excel allows 31 characters, no []:*?/\ and no two sheets of the same name
    taken: list[str] = []
    for name in names:
        base = _SHEET_FORBIDDEN.sub("_", name)[:31] or "sheet"
        sheet, n = base, 1
        while sheet.lower() in (t.lower() for t in taken):
            n += 1
            sheet = f"{base[: 31 - len(str(n)) - 1]}_{n}"
        taken.append(sheet)
    return taken


def to_excel(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write one sheet per table into the workbook at ``path`` (header row frozen, columns sized)."""
    import pandas as pd
    from openpyxl.utils import get_column_letter

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # built in memory, then written at once: a write that fails (a full disk) fails here, cleanly,
    # and not later in a half-closed zip file that the garbage collector finishes
    book = io.BytesIO()
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        for sheet, frame in zip(_sheet_names(list(tables)), tables.values(), strict=True):
            plain = _safe(_excel_moments(_plain(frame)))
            plain.to_excel(writer, sheet_name=sheet, index=False)
            worksheet = writer.sheets[sheet]
            worksheet.freeze_panes = "A2"
            for i, column in enumerate(plain.columns, start=1):
                longest = max([len(str(column)), *(len(str(v)) for v in plain[column].head(200))])
                worksheet.column_dimensions[get_column_letter(i)].width = min(60, longest + 2)
    target.write_bytes(book.getvalue())
    return target


@cache
def page_environment(lang: str) -> SandboxedEnvironment:
    """The Jinja2 environment of the HTML pages in ``lang``: sandboxed, autoescaped, gettext installed."""
    # one environment per language: the installed gettext belongs to the environment, so sharing
    # one between languages would let two reports built at once swap their words
    # autoescape on for every template: all text people typed is escaped where it is printed
    environment = SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return environment


def _number(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or DASH
    if isinstance(value, float):
        return DASH if value != value else f"{value:g}"  # NaN: never judged
    return str(value)


def _when(moment: str | datetime | None) -> str:
    from .tables import utc_moment

    if not moment:
        return DASH
    # isoformat, not strftime: strftime writes the year 1 as "1", isoformat as "0001"
    return utc_moment(moment).replace(tzinfo=None).isoformat(sep=" ", timespec="minutes") + " UTC"


def _reasons(verdict: TraineeReadiness, lang: str) -> list[dict[str, Any]]:
    def met(r: Reason) -> str:
        return gettext(lang, _YES if r.met else (_NO_EVIDENCE if not r.evidence else _NO))

    def shown(value: float | int | list[str]) -> str:
        # lists are kinds of situation (required_kinds): named as HR reads them
        return _number([named("kind", k, lang) for k in value] if isinstance(value, list) else value)

    def figure(r: Reason) -> str:
        # a score with nothing behind it does not exist: a dash, never 0
        if not r.evidence and r.requirement.startswith(("min_score", "min_category_score")):
            return DASH
        return shown(r.figure)

    def kind(value: Any, text: str) -> str:
        return "list" if isinstance(value, list) else ("missing-figure" if text == DASH else "num")

    return [
        {
            "requirement": named("requirement", r.requirement, lang),
            "id": r.requirement,
            "figure": figure(r),
            "figure_class": kind(r.figure, figure(r)),
            "threshold": shown(r.threshold),
            "threshold_class": kind(r.threshold, shown(r.threshold)),
            "met": met(r),
            "state": "met" if r.met else ("missing" if not r.evidence else "failed"),
            "attempts": len(r.attempts),
        }
        for r in verdict.reasons
    ]


def _failed(attempt: dict[str, Any], reply: dict[str, Any]) -> list[str]:
    from .tables import current_verdicts

    return sorted({v["rule"] for r, v in current_verdicts(attempt) if r is reply and v["status"] == "fail"})


def _page(template: str, lang: str, **context: Any) -> str:
    return page_environment(lang).get_template(template).render(lang=lang, version=__version__, **context)


def trainee_html(
    trainee: str,
    attempts: Sequence[dict[str, Any]],
    verdict: TraineeReadiness | None,
    kit: Kit,
    lang: str = "ru",
    generated: datetime | None = None,
    decisions: Sequence[Decision] = (),
    overrides: Sequence[JudgedVerdict] = (),
) -> str:
    """A self-contained HTML page on one trainee for the personnel file.

    It shows the readiness verdict with every reason and the rulebook version it was computed
    under, HR's decisions on it (``decisions``, oldest first: the last is in force), the trainers'
    overrides of automatic verdicts beside the automatic verdict (``overrides``: verdicts with an
    override), the score trend, the rule heat map row and pass rates, the mean score by kind of
    situation, every attempt, and each reply with the rules it failed. ``attempts`` may hold other
    trainees' attempts too; only ``trainee``'s are used.
    Without ``verdict`` it is judged here under the kit's readiness policy.
    """
    import pandas as pd

    from .plots import heatmap_figure, png_data_uri, trend_figure
    from .readiness import judge
    from .tables import kind_scores, rule_pass_rates, scenario_kind, score_trend

    own = [a for a in attempts if a["trainee"] == trainee]
    verdict = verdict or judge(kit.readiness, kit, trainee, own)
    rates = rule_pass_rates(own)
    judged = rates.loc[trainee].dropna().sort_values(kind="stable") if trainee in rates.index else pd.Series(dtype=float)
    rules = [
        {
            "id": rule,
            "title": kit.rules[rule].title.get(lang) if rule in kit.rules else "",
            "category": named("category", str(kit.rules[rule].category), lang) if rule in kit.rules else "",
            "rate": _number(float(rate)),
        }
        for rule, rate in judged.items()
    ]
    kinds = kind_scores(own, kit)
    by_kind = kinds.loc[trainee].dropna() if trainee in kinds.index else pd.Series(dtype=float)
    kind_rows = [{"kind": named("kind", str(k), lang), "score": _number(float(v))} for k, v in by_kind.items()]
    rows = []
    for a in own:
        scenario = kit.scenarios.get(a["scenario_id"])
        rows.append(
            {
                "date": _when(a["finished_at"] or a["started_at"]),
                "scenario": scenario.title.get(lang) if scenario else a["scenario_id"],
                "scenario_id": a["scenario_id"],
                "kind": named("kind", scenario_kind(a["scenario_id"], a["mode"], kit), lang),
                "mode": named("mode", a["mode"], lang),
                "score": _number(float(a["score"])) if a["score"] is not None else DASH,
                "outcome": named("outcome", a["outcome"] or "unfinished", lang),
                "replies": [
                    {
                        "turn": reply["turn_index"] + 1,
                        "text": reply["reply"],
                        "failed": [
                            {"id": rule, "title": kit.rules[rule].title.get(lang) if rule in kit.rules else ""}
                            for rule in _failed(a, reply)
                        ],
                    }
                    for reply in a["replies"]
                ],
            }
        )
    cohort = verdict.cohort if verdict.cohort is not None else next((a.get("cohort") for a in own if a.get("cohort")), None)
    return _page(
        "report.html.j2",
        lang,
        trainee=trainee,
        cohort=cohort or DASH,
        generated=(generated or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        rulebook=verdict.rulebook or kit.rulebook_hash,
        fallback=len(verdict.fallback),
        decisions=[_decision_row(d, lang) for d in decisions],
        overrides=_override_rows(overrides, own, kit, lang),
        verdict=verdict.verdict,
        verdict_name=named("verdict", verdict.verdict, lang),
        policy=kit.readiness.about.get(lang),
        reasons=_reasons(verdict, lang),
        trend_png=png_data_uri(trend_figure(score_trend(own, kit), trainee, lang)),
        heatmap_png=png_data_uri(heatmap_figure(rates, lang)),
        rules=rules,
        kinds=kind_rows,
        attempts=rows,
    )


def _decision_row(d: Decision, lang: str) -> dict[str, Any]:
    action = _CONFIRMED if d.action == "confirm" else _OVERRULED
    return {
        "when": _when(d.created_at),
        "who": d.who,
        "computed": named("verdict", d.computed, lang),
        "decision": named("verdict", d.decision, lang),
        "decision_id": d.decision,
        "action": gettext(lang, action),
        "reason": d.reason,
        "rulebook": d.rulebook_hash,
    }


def _override_rows(
    overrides: Sequence[JudgedVerdict], own: Sequence[dict[str, Any]], kit: Kit, lang: str
) -> list[dict[str, Any]]:
    replies = {r["id"]: (a, r) for a in own for r in a["replies"]}
    rows = []
    for v in overrides:
        if v.override is None or v.reply_id not in replies:
            continue
        attempt, reply = replies[v.reply_id]
        rule = kit.rules.get(v.rule_id)
        rows.append(
            {
                "date": _when(attempt["finished_at"] or attempt["started_at"]),
                "turn": reply["turn_index"] + 1,
                "reply": reply["reply"],
                "rule": v.rule_id,
                "title": rule.title.get(lang) if rule else "",
                "automatic": gettext(lang, _STATUS.get(v.automatic, v.automatic)),
                "status": gettext(lang, _STATUS.get(v.override.status, v.override.status)),
                "who": v.override.who,
                "when": _when(v.override.created_at),
                "reason": v.override.reason,
            }
        )
    return rows


def readiness_html(
    verdicts: Sequence[TraineeReadiness],
    lang: str = "ru",
    kit: Kit | None = None,
    cohort: str | None = None,
    generated: datetime | None = None,
) -> str:
    """A self-contained HTML page with the cohort's readiness table: each trainee, verdict and every reason."""
    return _page(
        "readiness.html.j2",
        lang,
        cohort=cohort,
        generated=(generated or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        rulebook=next((v.rulebook for v in verdicts if v.rulebook), kit.rulebook_hash if kit else ""),
        policy=kit.readiness.about.get(lang) if kit else "",
        trainees=[
            {
                "trainee": v.trainee,
                "cohort": v.cohort or DASH,
                "verdict": v.verdict,
                "verdict_name": named("verdict", v.verdict, lang),
                "reasons": _reasons(v, lang),
            }
            for v in verdicts
        ],
    )
