"""The report tables as a person reads them: sheet names, headers and vocabulary in the report's language.

``simkit.reports.tables`` builds tables of ids (``discount_demand``, ``not_ready``, rule ids) for
notebooks and programs. For HR's CSV files and workbooks the same tables are shown here in the
reader's language: every header translated, kinds, modes, outcomes, verdicts and requirements by
their names, rules by their titles in the kit, scenarios by their titles. The ids a program needs to
join one table with another (attempt, scenario and requirement ids) stay as columns of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..i18n import N_, gettext
from ..i18n.names import UnknownName, name

if TYPE_CHECKING:
    from ..content.kit import Kit

SHEETS = {
    "readiness": N_("Readiness"),
    "rule_pass_rates": N_("Rule pass rates, %"),
    "kind_scores": N_("Scores by kind of situation"),
    "score_trend": N_("Score trend"),
    "cohort_summary": N_("Cohorts"),
}
HEADERS = {
    "trainee": N_("Trainee"),
    "cohort": N_("Cohort"),
    "verdict": N_("Verdict"),
    "requirement": N_("Requirement"),
    "requirement_id": N_("Requirement id"),
    "figure": N_("Figure"),
    "threshold": N_("Threshold"),
    "met": N_("Met"),
    "evidence": N_("Enough evidence"),
    "attempts": N_("Attempts"),
    "attempt_ids": N_("Attempt ids"),
    "attempt": N_("Attempt id"),
    "finished_at": N_("Finished (UTC)"),
    "scenario": N_("Scenario"),
    "scenario_id": N_("Scenario id"),
    "kind": N_("Situation"),
    "mode": N_("Mode"),
    "score": N_("Score"),
    "outcome": N_("Outcome"),
    "rolling_mean": N_("Rolling mean"),
    "trainees": N_("Trainees"),
    "finished": N_("Finished attempts"),
    "mean_score": N_("Mean score"),
    "critical_failures": N_("Attempts with critical failures"),
}
_YES = N_("yes")
_NO = N_("no")


def _named(kind: str, value: Any, lang: str) -> Any:
    # an empty cell stays empty; an id with no name (data from a newer kit) is shown as it is
    if not isinstance(value, str) or not value:
        return value
    try:
        return name(kind, value, lang)
    except UnknownName:
        return value


def _header(column: str, lang: str) -> str:
    return gettext(lang, HEADERS[column]) if column in HEADERS else column


def _yes_no(value: Any, lang: str) -> Any:
    return gettext(lang, _YES if value else _NO) if isinstance(value, bool) else value


def _readiness(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = frame.copy()
    kinds = out["requirement"] == "required_kinds"
    for column in ("figure", "threshold"):
        # the required kinds come joined by "; " (one cell): each is named
        out.loc[kinds, column] = out.loc[kinds, column].map(
            lambda cell: "; ".join(_named("kind", k, lang) for k in str(cell).split("; ") if k)
        )
    out.insert(list(out.columns).index("requirement") + 1, "requirement_id", out["requirement"])
    out["requirement"] = out["requirement"].map(lambda r: _named("requirement", r, lang))
    out["verdict"] = out["verdict"].map(lambda v: _named("verdict", v, lang))
    for column in ("met", "evidence"):
        out[column] = out[column].map(lambda v: _yes_no(v, lang)).astype(object)
    return out.rename(columns=lambda c: _header(str(c), lang))


def _rule_titles(frame: pd.DataFrame, kit: Kit | None, lang: str) -> pd.DataFrame:
    titles = {r: kit.rules[r].title.get(lang) for r in frame.columns if kit is not None and r in kit.rules}
    taken: dict[str, int] = {}
    for title in titles.values():
        taken[title] = taken.get(title, 0) + 1
    # a title two rules share would make two columns of one name: those keep their id beside it
    shown = {r: (f"{t} ({r})" if taken[t] > 1 else t) for r, t in titles.items()}
    out = frame.rename(columns=lambda r: shown.get(str(r), str(r)))
    out.columns.name = None
    out.index.name = _header("trainee", lang)
    return out


def _kind_names(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = frame.rename(columns=lambda k: _named("kind", str(k), lang))
    out.columns.name = None
    out.index.name = _header("trainee", lang)
    return out


def _trend(frame: pd.DataFrame, kit: Kit | None, lang: str) -> pd.DataFrame:
    out = frame.copy()
    out.insert(list(out.columns).index("scenario") + 1, "scenario_id", out["scenario"])
    out["scenario"] = out["scenario"].map(
        lambda s: kit.scenarios[s].title.get(lang) if kit is not None and s in kit.scenarios else s
    )
    for column, kind in (("kind", "kind"), ("mode", "mode"), ("outcome", "outcome")):
        out[column] = out[column].map(lambda v, kind=kind: _named(kind, v, lang))
    return out.rename(columns=lambda c: _header(str(c), lang))


def _summary(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    verdicts = {v: name("verdict", v, lang) for v in ("ready", "not_ready", "insufficient_evidence")}
    return frame.rename(columns=lambda c: verdicts.get(str(c)) or _header(str(c), lang))


def localized_tables(tables: Mapping[str, pd.DataFrame], kit: Kit | None, lang: str) -> dict[str, pd.DataFrame]:
    """``report_tables``' tables with sheet names, headers and values in ``lang``; other tables only get headers."""
    out: dict[str, pd.DataFrame] = {}
    for key, frame in tables.items():
        if key == "readiness":
            shown = _readiness(frame, lang)
        elif key == "rule_pass_rates":
            shown = _rule_titles(frame, kit, lang)
        elif key == "kind_scores":
            shown = _kind_names(frame, lang)
        elif key == "score_trend":
            shown = _trend(frame, kit, lang)
        elif key == "cohort_summary":
            shown = _summary(frame, lang)
        else:
            shown = frame.rename(columns=lambda c: _header(str(c), lang))
        out[gettext(lang, SHEETS[key]) if key in SHEETS else key] = shown
    return out
