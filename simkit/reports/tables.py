"""Report tables for HR and trainers, as pandas DataFrames built from the evidence store.

Every function takes the attempts as ``Store.attempts()`` gives them (plain mappings), so the
tables can be built from a live store, a JSON dump or a test's own data alike. Verdicts count only
under the rulebook an attempt was played with, as readiness does: re-scorings sit beside them in
the store and would otherwise be counted twice. Imported transcripts (mode ``real``) may name a
scenario the kit does not hold; they get the kind ``real_transcript`` instead of failing.

pandas is imported here and not by ``simkit`` itself, so the command line stays fast to start.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..content.vocabulary import KINDS

if TYPE_CHECKING:
    from ..content.kit import Kit
    from .readiness import TraineeReadiness

REAL_KIND = "real_transcript"
UNKNOWN_KIND = "unknown"
NO_COHORT = "-"
MOMENT_DTYPE = "datetime64[us, UTC]"
TREND_WINDOW = 3  # attempts in the rolling mean: short enough to show a recent change
VERDICT_COLUMNS = [
    "trainee",
    "cohort",
    "attempt",
    "mode",
    "scenario",
    "turn_index",
    "rule",
    "category",
    "severity",
    "weight",
    "status",
]
TREND_COLUMNS = ["trainee", "cohort", "attempt", "finished_at", "scenario", "kind", "mode", "score", "outcome", "rolling_mean"]
SUMMARY_COLUMNS = [
    "cohort",
    "trainees",
    "attempts",
    "finished",
    "mean_score",
    "critical_failures",
    "ready",
    "not_ready",
    "insufficient_evidence",
]
READINESS_COLUMNS = [
    "trainee",
    "cohort",
    "verdict",
    "requirement",
    "figure",
    "threshold",
    "met",
    "evidence",
    "attempts",
    "attempt_ids",
]


def utc_moment(moment: str | datetime) -> datetime:
    """A stored moment (ISO text or datetime) in UTC; one that UTC would push past the calendar keeps its clock time."""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is in year 10000 in UTC: off by its offset at the calendar's edge
        return when.replace(tzinfo=UTC)


def scenario_kind(scenario_id: str, mode: str, kit: Kit | None) -> str:
    """The kind of situation of a scenario id; ``real_transcript`` or ``unknown`` when the kit lacks it."""
    if kit is not None and scenario_id in kit.scenarios:
        return str(kit.scenarios[scenario_id].kind)
    if mode == "real" or scenario_id.startswith("transcript:"):
        return REAL_KIND
    return UNKNOWN_KIND


def current_verdicts(attempt: dict[str, Any]) -> Iterable[tuple[dict[str, Any], dict[str, Any]]]:
    """(reply, verdict) pairs judged under the rulebook the attempt was played with."""
    for reply in attempt["replies"]:
        for v in reply["verdicts"]:
            if v["rulebook_hash"] == attempt["rulebook_hash"]:
                yield reply, v


def verdict_frame(attempts: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per stored verdict (long form): who, which attempt and reply, which rule, pass or fail."""
    rows = [
        {
            "trainee": a["trainee"],
            "cohort": a.get("cohort"),
            "attempt": a["id"],
            "mode": a["mode"],
            "scenario": a["scenario_id"],
            "turn_index": reply["turn_index"],
            "rule": v["rule"],
            "category": v["category"],
            "severity": v["severity"],
            "weight": float(v["weight"]),
            "status": v["status"],
        }
        for a in attempts
        for reply, v in current_verdicts(a)
    ]
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def _trainees(attempts: Sequence[dict[str, Any]]) -> list[str]:
    return sorted({a["trainee"] for a in attempts})


def rule_pass_rates(attempts: Sequence[dict[str, Any]], weighted: bool = False) -> pd.DataFrame:
    """Trainee x rule: the share of judged replies that passed the rule, in % (NaN when never judged).

    Every reply of every attempt counts, finished or not: an interrupted attempt is still evidence of
    how the replies were judged. ``weighted`` weighs each verdict by its rule's weight, which only
    differs from the plain share when the rule's weight changed between rulebook versions.
    """
    frame = verdict_frame(attempts)
    trainees = pd.Index(_trainees(attempts), name="trainee")
    if frame.empty:
        return pd.DataFrame(index=trainees, columns=pd.Index([], name="rule"), dtype=float)
    frame["unit"] = frame["weight"] if weighted else 1.0
    frame["passed"] = frame["unit"].where(frame["status"] == "pass", 0.0)
    sums = frame.groupby(["trainee", "rule"])[["passed", "unit"]].sum()
    rates = (100 * sums["passed"] / sums["unit"]).round(1).unstack("rule")
    rates = rates.reindex(index=trainees, columns=sorted(rates.columns))
    rates.columns.name = "rule"
    return rates.astype(float)


def _finished(attempts: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for a in attempts if a["finished_at"] and a["score"] is not None]


def kind_scores(attempts: Sequence[dict[str, Any]], kit: Kit | None) -> pd.DataFrame:
    """Trainee x kind of situation: the mean score of the trainee's finished attempts (NaN when none)."""
    rows = [
        {"trainee": a["trainee"], "kind": scenario_kind(a["scenario_id"], a["mode"], kit), "score": float(a["score"])}
        for a in _finished(attempts)
    ]
    trainees = pd.Index(_trainees(attempts), name="trainee")
    if not rows:
        return pd.DataFrame(index=trainees, columns=pd.Index([], name="kind"), dtype=float)
    means = pd.DataFrame(rows).groupby(["trainee", "kind"])["score"].mean().round(1).unstack("kind")
    # the kit's own order of kinds, then what the kit does not know
    order = [k for k in (*KINDS, REAL_KIND, UNKNOWN_KIND) if k in means.columns]
    order += sorted(set(means.columns) - set(order))
    means = means.reindex(index=trainees, columns=order)
    means.columns.name = "kind"
    return means.astype(float)


def score_trend(attempts: Sequence[dict[str, Any]], kit: Kit | None = None, window: int = TREND_WINDOW) -> pd.DataFrame:
    """One row per finished attempt, by trainee and time, with the rolling mean of the last ``window`` scores."""
    rows = [
        {
            "trainee": a["trainee"],
            "cohort": a.get("cohort"),
            "attempt": a["id"],
            "finished_at": a["finished_at"],
            "scenario": a["scenario_id"],
            "kind": scenario_kind(a["scenario_id"], a["mode"], kit),
            "mode": a["mode"],
            "score": float(a["score"]),
            "outcome": a["outcome"],
        }
        for a in _finished(attempts)
    ]
    frame = pd.DataFrame(rows, columns=TREND_COLUMNS[:-1])
    # microseconds, not pandas' default nanoseconds: those end in 2262, and a stored moment may be any date
    frame["finished_at"] = pd.Series([utc_moment(m) for m in frame["finished_at"]], dtype=MOMENT_DTYPE)
    frame["score"] = frame["score"].astype(float)
    frame = frame.sort_values(["trainee", "finished_at", "attempt"], kind="stable").reset_index(drop=True)
    rolling = frame.groupby("trainee")["score"].rolling(window, min_periods=1).mean()
    frame["rolling_mean"] = rolling.reset_index(level=0, drop=True).sort_index().round(1)
    return frame[TREND_COLUMNS]


def cohort_summary(attempts: Sequence[dict[str, Any]], verdicts: Sequence[TraineeReadiness]) -> pd.DataFrame:
    """Per cohort: trainees, attempts, mean score, attempts with a critical failure, and the verdict counts.

    ``verdicts`` are ``simkit.reports.readiness.readiness(attempts, kit)``; trainees without a cohort are
    summed under ``-``.
    """
    rows: dict[str, dict[str, Any]] = {}

    def row(cohort: str | None) -> dict[str, Any]:
        key = cohort or NO_COHORT
        return rows.setdefault(key, {c: 0 for c in SUMMARY_COLUMNS} | {"cohort": key, "_names": set(), "_scores": []})

    for a in attempts:
        r = row(a.get("cohort"))
        r["_names"].add(a["trainee"])
        r["attempts"] += 1
        if a["finished_at"] and a["score"] is not None:
            r["finished"] += 1
            r["_scores"].append(float(a["score"]))
        # counted per attempt, as the readiness policy counts critical failures
        if any(v["status"] == "fail" and v["severity"] == "critical" for _, v in current_verdicts(a)):
            r["critical_failures"] += 1
    for v in verdicts:
        row(v.cohort)[v.verdict] += 1
    table = []
    for key in sorted(rows):
        r = rows[key]
        scores = r.pop("_scores")
        r["trainees"] = len(r.pop("_names"))
        r["mean_score"] = round(sum(scores) / len(scores), 1) if scores else float("nan")
        table.append(r)
    return pd.DataFrame(table, columns=SUMMARY_COLUMNS)


def _flat(value: Any) -> Any:
    # lists (required kinds) become one cell, as in the CSV of ``simkit readiness``
    return "; ".join(map(str, value)) if isinstance(value, list) else value


def readiness_frame(verdicts: Sequence[TraineeReadiness]) -> pd.DataFrame:
    """One row per trainee and requirement: the verdict with each reason's figure, threshold and attempts."""
    rows = [
        {
            "trainee": v.trainee,
            "cohort": v.cohort,
            "verdict": v.verdict,
            "requirement": r.requirement,
            "figure": _flat(r.figure),
            "threshold": _flat(r.threshold),
            "met": r.met,
            "evidence": r.evidence,
            "attempts": len(r.attempts),
            "attempt_ids": " ".join(r.attempts),
        }
        for v in verdicts
        for r in v.reasons
    ]
    return pd.DataFrame(rows, columns=READINESS_COLUMNS)


def report_tables(
    attempts: Sequence[dict[str, Any]], kit: Kit, verdicts: Sequence[TraineeReadiness], lang: str | None = None
) -> dict[str, pd.DataFrame]:
    """Every report table by its sheet name: readiness, rule_pass_rates, kind_scores, score_trend, cohort_summary.

    Without ``lang`` the tables hold ids, for programs; with it (``"ru"``, ``"en"``) they are for people:
    sheet names, headers and values in that language (``simkit.reports.localized``).
    """
    tables = {
        "readiness": readiness_frame(verdicts),
        "rule_pass_rates": rule_pass_rates(attempts),
        "kind_scores": kind_scores(attempts, kit),
        "score_trend": score_trend(attempts, kit),
        "cohort_summary": cohort_summary(attempts, verdicts),
    }
    if lang is None:
        return tables
    from .localized import localized_tables

    return localized_tables(tables, kit, lang)
