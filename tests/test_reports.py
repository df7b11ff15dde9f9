"""Reports for HR and trainers: tables from real stored attempts, plots, CSV, Excel and HTML exports, CLI."""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import re
import subprocess
import sys
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from matplotlib.figure import Figure
from openpyxl import load_workbook

from simkit.content.kit import Kit
from simkit.engine.dialogue import AttemptResult, play_model, play_through
from simkit.engine.generation import generate
from simkit.reports.exports import readiness_html, safe_name, to_csv, to_excel, trainee_html
from simkit.reports.plots import heatmap_figure, png_bytes, png_data_uri, trend_figure
from simkit.reports.readiness import judge, readiness
from simkit.reports.tables import cohort_summary, kind_scores, report_tables, rule_pass_rates, score_trend
from simkit.store.database import Store

from .conftest import CliResult

ANNA = "Анна <b>&"  # a name with markup: it must never act as markup in a page
BORIS = "Борис"
SCRIPT = "<script>alert(1)</script> Здравствуйте, разберёмся."
RUDE = "Успокойтесь. Вы сами виноваты, надо было читать договор. Вы вообще слушаете?"
SHEETS = ["readiness", "rule_pass_rates", "kind_scores", "score_trend", "cohort_summary"]
PNG = b"\x89PNG\r\n\x1a\n"


# --- hand-made attempts: every figure below is worked out by hand ----------------------------------


def _verdict(rule: str, status: str, weight: float = 2.0, severity: str = "minor", rulebook: str = "h1") -> dict[str, Any]:
    return {
        "rule": rule,
        "status": status,
        "severity": severity,
        "category": "etiquette",
        "weight": weight,
        "rulebook_hash": rulebook,
    }


def _attempt(
    trainee: str,
    n: int,
    replies: list[list[dict[str, Any]]],
    score: float | None = 50.0,
    scenario: str = "discount-demand-sports-food",
    mode: str = "practice",
    rulebook: str = "h1",
    cohort: str | None = "A",
) -> dict[str, Any]:
    return {
        "id": f"{trainee}-{n}",
        "trainee": trainee,
        "cohort": cohort,
        "scenario_id": scenario,
        "mode": mode,
        "lang": "ru",
        "started_at": f"2025-03-0{n}T10:00:00+00:00",
        "finished_at": f"2025-03-0{n}T10:05:00+00:00" if score is not None else None,
        "outcome": "resolved" if score is not None else None,
        "score": score,
        "rulebook_hash": rulebook,
        "replies": [{"turn_index": i, "reply": f"reply {i}", "verdicts": v} for i, v in enumerate(replies)],
    }


def _hand_made() -> list[dict[str, Any]]:
    return [
        _attempt(
            "A",
            1,
            # the h0 verdict is a re-scoring under another rulebook: it must not count
            [[_verdict("x", "pass"), _verdict("y", "pass")], [_verdict("x", "fail"), _verdict("x", "fail", rulebook="h0")]],
            score=60.0,
        ),
        _attempt(
            "A",
            2,
            [[_verdict("x", "pass", weight=4.0, rulebook="h2")]],
            score=90.0,
            rulebook="h2",
            scenario="late-delivery-fridge",
        ),
        _attempt("A", 3, [], score=30.0, scenario="transcript:call-17", mode="real"),
        _attempt("A", 4, [], score=100.0, scenario="a-scenario-since-removed"),
        _attempt("A", 5, [[_verdict("y", "pass")]], score=None),  # unfinished: judged replies still count
        _attempt("B", 1, [[_verdict("y", "fail", severity="critical")]], score=20.0, cohort=None),
    ]


def test_rule_pass_rates_worked_by_hand() -> None:
    rates = rule_pass_rates(_hand_made())
    assert list(rates.index) == ["A", "B"] and list(rates.columns) == ["x", "y"]
    assert rates.loc["A", "x"] == 66.7  # pass, fail under h1; pass under h2 (the h0 fail is ignored)
    assert rates.loc["A", "y"] == 100.0 and rates.loc["B", "y"] == 0.0
    assert math.isnan(rates.loc["B", "x"])  # never judged
    weighted = rule_pass_rates(_hand_made(), weighted=True)
    assert weighted.loc["A", "x"] == 75.0  # (2 + 4) / (2 + 2 + 4)


def test_kind_scores_trend_and_cohort_summary_worked_by_hand(kit: Kit) -> None:
    attempts = _hand_made()
    kinds = kind_scores(attempts, kit)
    assert kinds.loc["A"].to_dict() == {
        "late_delivery": 90.0,
        "discount_demand": 60.0,
        "real_transcript": 30.0,
        "unknown": 100.0,
    }
    assert kinds.loc["B", "discount_demand"] == 20.0 and math.isnan(kinds.loc["B", "late_delivery"])
    trend = score_trend(attempts, kit)
    a = trend[trend["trainee"] == "A"]
    assert list(a["score"]) == [60.0, 90.0, 30.0, 100.0]  # the unfinished attempt has no point
    assert list(a["rolling_mean"]) == [60.0, 75.0, 60.0, 73.3]  # the mean of the last three
    assert list(a["kind"]) == ["discount_demand", "late_delivery", "real_transcript", "unknown"]
    assert list(a["mode"]) == ["practice", "practice", "real", "practice"]
    assert str(trend["finished_at"].dt.tz) == "UTC"
    summary = cohort_summary(attempts, readiness(attempts, kit)).set_index("cohort")
    assert summary.loc["A"].to_dict() == {
        "trainees": 1,
        "attempts": 5,
        "finished": 4,
        "mean_score": 70.0,
        "critical_failures": 0,
        "ready": 0,
        "not_ready": 0,
        "insufficient_evidence": 1,
    }
    assert (summary.loc["-", "critical_failures"], summary.loc["-", "mean_score"], summary.loc["-", "trainees"]) == (1, 20.0, 1)


def test_tables_of_no_attempts_are_empty_not_errors(kit: Kit) -> None:
    tables = report_tables([], kit, [])
    assert list(tables) == SHEETS and all(t.empty for t in tables.values())
    assert list(tables["score_trend"].columns)[-1] == "rolling_mean"


# --- real attempts, played through the engine and stored on each backend ---------------------------


def _model(kit: Kit, scenario: str, seed: int = 1) -> AttemptResult:
    return play_model(generate(kit.scenario(scenario), seed, "ru"), kit)


def _scripted(kit: Kit, text: str) -> AttemptResult:
    return play_through(generate(kit.scenario("discount-demand-sports-food"), 1, "ru"), [(text, None)] * 6, kit)


@pytest.fixture(scope="module")
def plays(kit: Kit) -> list[tuple[str, AttemptResult, str]]:
    """Who played what in which mode: model replies, a rude attempt, markup in a reply, a real transcript."""
    rude = _scripted(kit, RUDE)
    return [
        (ANNA, _model(kit, "discount-demand-sports-food", 1), "practice"),
        (ANNA, _model(kit, "late-delivery-fridge", 1), "assessment"),
        (ANNA, _scripted(kit, SCRIPT), "practice"),
        (BORIS, rude, "session"),
        # its own attempt id: the store keeps one attempt per id, whatever retries
        (BORIS, dataclasses.replace(rude, scenario_id="transcript:call-42", attempt_id=str(uuid.uuid4())), "real"),
    ]


@pytest.fixture
def stored(db: str, plays: list[tuple[str, AttemptResult, str]]) -> list[dict[str, Any]]:
    with Store(db) as store:
        store.add_trainee(ANNA, cohort="A-1")
        store.add_trainee(BORIS, cohort="B")
        for trainee, result, mode in plays:
            store.save_attempt(result, trainee, mode)
        return store.attempts()


def test_tables_from_the_store_match_the_played_attempts(
    stored: list[dict[str, Any]], plays: list[tuple[str, AttemptResult, str]], kit: Kit
) -> None:
    passed: dict[tuple[str, str], int] = defaultdict(int)
    judged: dict[tuple[str, str], int] = defaultdict(int)
    for trainee, result, _ in plays:  # counted from the engine's own results, not from the store
        for exchange in result.exchanges:
            for v in exchange.score.verdicts:
                if v.status != "n/a":
                    judged[trainee, v.rule_id] += 1
                    passed[trainee, v.rule_id] += v.status == "pass"
    rates = rule_pass_rates(stored)
    assert {(t, r) for t in rates.index for r in rates.columns if not math.isnan(rates.loc[t, r])} == set(judged)
    for (trainee, rule), n in judged.items():
        assert rates.loc[trainee, rule] == round(100 * passed[trainee, rule] / n, 1)
    assert rates.loc[BORIS, "no-rudeness"] == 0.0
    kinds = kind_scores(stored, kit)
    assert kinds.loc[BORIS, "real_transcript"] == plays[4][1].score
    assert kinds.loc[ANNA, "late_delivery"] == plays[1][1].score
    assert kinds.loc[ANNA, "discount_demand"] == round((plays[0][1].score + plays[2][1].score) / 2, 1)
    verdicts = readiness(stored, kit)
    summary = cohort_summary(stored, verdicts).set_index("cohort")
    assert list(summary.index) == ["A-1", "B"]
    assert summary.loc["B", "critical_failures"] == 2  # the rude attempt and its imported twin
    assert summary.loc["A-1", "attempts"] == 3 and summary.loc["A-1", "insufficient_evidence"] == 1
    tables = report_tables(stored, kit, verdicts)
    reasons = tables["readiness"]
    assert len(reasons) == sum(len(v.reasons) for v in verdicts)
    assert set(reasons["requirement"]) >= {"min_attempts", "required_kinds", "max_critical_failures"}


def test_csv_and_excel_hold_one_file_or_sheet_per_table(stored: list[dict[str, Any]], kit: Kit, tmp_path: Path) -> None:
    tables = report_tables(stored, kit, readiness(stored, kit))
    files = to_csv(tables, tmp_path / "csv")
    assert [f.name for f in files] == [f"{name}.csv" for name in SHEETS]
    back = pd.read_csv(tmp_path / "csv" / "rule_pass_rates.csv", index_col="trainee")
    pd.testing.assert_frame_equal(back, tables["rule_pass_rates"], check_names=False)
    trend = pd.read_csv(tmp_path / "csv" / "score_trend.csv")
    assert list(trend["score"]) == list(tables["score_trend"]["score"]) and len(trend) == len(stored)
    book = load_workbook(to_excel(tables, tmp_path / "r.xlsx"))
    assert book.sheetnames == SHEETS
    sheet = book["rule_pass_rates"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "trainee" and header[1:] == list(tables["rule_pass_rates"].columns)
    assert {sheet.cell(row=r, column=1).value for r in (2, 3)} == {ANNA, BORIS}
    assert book["readiness"].max_row == 1 + len(tables["readiness"])
    assert [c.value for c in book["cohort_summary"]["A"]][1:] == ["A-1", "B"]


def _self_contained(page: str) -> None:
    assert "<script" not in page.lower()
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page.lower() and "@import" not in page
    assert all(src.startswith("data:image/png;base64,") for src in re.findall(r'src="([^"]*)"', page))


def test_trainee_page_escapes_what_people_typed_and_is_self_contained(stored: list[dict[str, Any]], kit: Kit) -> None:
    verdict = judge(kit.readiness, kit, ANNA, [a for a in stored if a["trainee"] == ANNA])
    page = trainee_html(ANNA, stored, verdict, kit, "ru")
    _self_contained(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Здравствуйте, разберёмся." in page
    assert "Анна &lt;b&gt;&amp;" in page and ANNA not in page
    assert "A-1" in page and BORIS not in page  # another trainee's attempts stay out
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 2 and all(base64.b64decode(i).startswith(PNG) for i in images)
    assert "Вердикт" in page and "недостаточно данных" in page
    for r in verdict.reasons:
        assert f"<code>{r.requirement}</code>" in page
    assert page.count('<tr><td class="num">') == sum(len(a["replies"]) for a in stored if a["trainee"] == ANNA)
    failed = {
        v["rule"] for a in stored if a["trainee"] == ANNA for r in a["replies"] for v in r["verdicts"] if v["status"] == "fail"
    }
    assert failed and all(f"<code>{rule}</code>" in page for rule in failed)
    english = trainee_html(ANNA, stored, None, kit, "en")
    assert "Verdict" in english and "insufficient evidence" in english and "Вердикт" not in english


def test_real_transcripts_appear_in_the_trainee_page(stored: list[dict[str, Any]], kit: Kit) -> None:
    page = trainee_html(BORIS, stored, None, kit, "en")
    _self_contained(page)
    assert "transcript:call-42" in page and "real transcript" in page and "no-rudeness" in page


def test_the_cohort_readiness_page_escapes_names(stored: list[dict[str, Any]], kit: Kit) -> None:
    page = readiness_html(readiness(stored, kit), "en", kit, cohort="<i>A</i>")
    _self_contained(page)
    assert "Анна &lt;b&gt;&amp;" in page and "&lt;i&gt;A&lt;/i&gt;" in page and "<i>" not in page
    assert page.count('class="verdict ') == 2


def test_figures_render_with_a_colour_bar_and_odd_names(kit: Kit) -> None:
    attempts = _hand_made()
    for a in attempts:
        a["trainee"] = "$x_{" + a["trainee"]  # unbalanced TeX must show as text, not break the render
    heat = heatmap_figure(rule_pass_rates(attempts))
    assert isinstance(heat, Figure) and len(heat.axes) == 2  # the map and its colour bar
    trend = trend_figure(score_trend(attempts, kit))
    assert len(trend.axes[0].get_lines()) == 2
    one = trend_figure(score_trend(attempts, kit), "$x_{A")
    assert len(one.axes[0].get_lines()) == 2  # the scores and their rolling mean
    for figure in (heat, trend, one, heatmap_figure(rule_pass_rates([])), trend_figure(score_trend([]))):
        assert png_bytes(figure).startswith(PNG)
    assert png_data_uri(heat).startswith("data:image/png;base64,iVBOR")


def _ticks(figure: Figure) -> tuple[list[str], str]:
    figure.canvas.draw()
    axis = figure.axes[0].xaxis
    return [t.get_text() for t in axis.get_ticklabels()], axis.get_major_formatter().get_offset()


ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)", re.IGNORECASE)


@pytest.mark.parametrize("months", [1, 5, 14])
def test_the_trend_names_months_in_the_report_language(kit: Kit, months: int) -> None:
    attempts = []
    for n in range(6):
        a = _attempt("A", 1, [], score=10.0 * n)
        day = pd.Timestamp("2025-01-03T10:00:00+00:00") + pd.Timedelta(days=round(30.4 * months * n / 5))
        a["id"], a["finished_at"] = f"A-{n}", day.isoformat()
        attempts.append(a)
    trend = score_trend(attempts, kit)
    ru, ru_offset = _ticks(trend_figure(trend, "A", "ru"))
    en, en_offset = _ticks(trend_figure(trend, "A", "en"))
    assert not re.search("[а-яё]", " ".join(en) + en_offset)
    assert ru and len(ru) == len(en)
    assert not ENGLISH_MONTHS.search(" ".join(ru) + ru_offset), ru
    assert any(re.search("[а-я]", label) for label in ru) or months == 14, ru
    assert ENGLISH_MONTHS.search(" ".join(en)) or months == 14, en
    if months == 14:  # ticks over two years: the year is named, not left to guess
        assert any("2026" in label for label in ru) and any("2026" in label for label in en)


def test_date_labels_pick_the_parts_the_ticks_need() -> None:
    from matplotlib import dates as mdates

    from simkit.reports.plots import date_labels

    def numbers(*moments: str) -> list[float]:
        return [float(mdates.date2num(pd.Timestamp(m).to_pydatetime())) for m in moments]

    hours, day = date_labels(numbers("2025-03-05T09:00Z", "2025-03-05T12:00Z"), "ru")
    assert hours == ["09:00", "12:00"] and "мар" in day and "2025" in day
    months, year = date_labels(numbers("2025-02-01T00:00Z", "2025-03-01T00:00Z"), "ru")
    assert months == ["февр.", "март"] and "2025" in year
    assert date_labels(numbers("2025-02-01T00:00Z", "2025-03-01T00:00Z"), "en")[0] == ["Feb", "Mar"]
    days, _ = date_labels(numbers("2025-03-05T00:00Z", "2025-03-12T00:00Z"), "ru")
    assert days == ["5 мар.", "12 мар."]
    years, _ = date_labels(numbers("2024-01-01T00:00Z", "2025-01-01T00:00Z"), "ru")
    assert years == ["2024", "2025"]
    assert date_labels(numbers("2025-03-05T00:00Z"), "xx")[0] == ["Mar 5"]  # no locale data: English


def test_tables_for_people_are_in_the_report_language(stored: list[dict[str, Any]], kit: Kit, tmp_path: Path) -> None:
    verdicts = readiness(stored, kit)
    ids = report_tables(stored, kit, verdicts)
    ru = report_tables(stored, kit, verdicts, "ru")
    assert list(ru) == ["Готовность", "Правила, % пройденных", "Баллы по видам ситуаций", "Динамика баллов", "Сводка по группам"]
    for sheet, frame in ru.items():
        headers = [str(c) for c in frame.columns] + [str(n) for n in frame.index.names if n is not None]
        # every header is Russian; a rule's column is its title in the kit
        assert all(re.search("[а-яё]", h, re.IGNORECASE) for h in headers), (sheet, headers)
    reasons = ru["Готовность"]
    assert list(reasons["id требования"]) == list(ids["readiness"]["requirement"])  # the ids stay for programs
    assert set(reasons["Вердикт"]) == {"недостаточно данных"} and set(reasons["Выполнено"]) <= {"да", "нет"}
    kinds = reasons.loc[reasons["id требования"] == "required_kinds", "Порог"].iloc[0]
    assert "требование скидки" in kinds and "discount_demand" not in kinds
    rates = ru["Правила, % пройденных"]
    assert kit.rules["no-rudeness"].title.get("ru") in rates.columns and "no-rudeness" not in rates.columns
    assert rates.loc[BORIS, kit.rules["no-rudeness"].title.get("ru")] == ids["rule_pass_rates"].loc[BORIS, "no-rudeness"]
    assert "реальная переписка" in ru["Баллы по видам ситуаций"].columns
    trend = ru["Динамика баллов"]
    assert list(trend["id попытки"]) == list(ids["score_trend"]["attempt"])
    assert set(trend["Режим"]) == {"самостоятельная практика", "аттестация", "занятие с тренером", "реальная переписка"}
    assert kit.scenarios["late-delivery-fridge"].title.get("ru") in set(trend["Сценарий"])
    assert "late-delivery-fridge" in set(trend["id сценария"])
    assert list(ru["Сводка по группам"].columns)[-3:] == ["готов", "не готов", "недостаточно данных"]
    book = load_workbook(to_excel(ru, tmp_path / "ru.xlsx"))
    assert book.sheetnames == list(ru)
    assert [c.value for c in book["Готовность"][1]][:4] == ["Сотрудник", "Группа", "Вердикт", "Требование"]
    files = to_csv(report_tables(stored, kit, verdicts, "en"), tmp_path / "en")
    names = ["Readiness", "Rule_pass_rates", "Scores_by_kind_of_situation", "Score_trend", "Cohorts"]
    assert [f.name for f in files] == [f"{n}.csv" for n in names]
    assert list(pd.read_csv(files[0]).columns)[:4] == ["Trainee", "Cohort", "Verdict", "Requirement"]


def test_the_russian_trainee_page_names_things_instead_of_showing_ids(stored: list[dict[str, Any]], kit: Kit) -> None:
    page = trainee_html(BORIS, stored, None, kit, "ru")
    # ids are allowed where they are marked as ids, and as the style sheet's class names
    text = re.sub(r"<code>[^<]*</code>|<style>.*?</style>", "", page, flags=re.S)
    for raw in ("practice", "session", "real_transcript", "discount_demand", "insufficient_evidence", "min_attempts"):
        assert not re.search(rf">[^<]*\b{raw}\b[^<]*<", text), raw
    assert "занятие с тренером" in page and "реальная переписка" in page and "Пройдено, %<" in page
    rude = kit.rules["no-rudeness"].title.get("ru")
    assert f"{rude} <code>no-rudeness</code>" in page  # a failed rule by its title, its id beside it
    english = trainee_html(BORIS, stored, None, kit, "en")
    assert "Passed, %<" in english and "trainer session" in english
    typed = r"<(td|h3)[^>]*>.*?</\1>|<title>.*?</title>|<strong>.*?</strong>"  # names, replies, titles of the kit
    assert not re.search("[а-яё]", re.sub(typed, "", english, flags=re.S))


def test_the_kit_tables_have_headers_in_the_language(kit: Kit) -> None:
    from simkit.reports.catalog import rules_table, scenarios_table

    for table in (rules_table, scenarios_table):
        ru, en = table(kit, "ru"), table(kit, "en")
        assert list(ru["id"]) == list(en["id"]) and len(ru.columns) == len(en.columns)
        assert all(re.search("[а-я]", c) for c in ru.columns[1:]) and not any(re.search("[а-я]", c) for c in en.columns)
    practice = [i for i, r in enumerate(kit.rules.values()) if kit.clause(r.source) is None]
    assert practice  # the kit has rules citing no clause: they say so in the reader's language
    assert rules_table(kit, "ru").iloc[practice[0], 6] == "общая практика"
    assert rules_table(kit, "en").iloc[practice[0], 6] == "common practice"


# --- command line -------------------------------------------------------------------------------


def test_cli_readiness_exports(
    cli: Callable[..., CliResult], stored: list[dict[str, Any]], db: str, kit: Kit, tmp_path: Path
) -> None:
    common = ("--db", db, "--kit", str(kit.root))
    for fmt in ("xlsx", "html"):
        code, _, err = cli("readiness", "--format", fmt, *common)
        assert code == 2 and "--out" in err
    out = tmp_path / "r.xlsx"
    code, printed, _ = cli("readiness", "--format", "xlsx", "--out", str(out), *common)
    assert code == 0 and printed.strip() == str(out)
    # the workbook speaks the reader's language (Russian by default): sheet names from the catalogue
    from simkit.i18n import gettext
    from simkit.reports.localized import SHEETS as SHEET_NAMES

    russian = [gettext("ru", SHEET_NAMES[s]) for s in SHEETS]
    assert load_workbook(out).sheetnames == russian and russian != [gettext("en", SHEET_NAMES[s]) for s in SHEETS]
    code, _, _ = cli("readiness", "--format", "xlsx", "--out", str(out), "--cohort", "B", "--lang", "en", *common)
    book = load_workbook(out)
    assert code == 0 and [c.value for c in book[gettext("en", SHEET_NAMES["rule_pass_rates"])]["A"]][1:] == [BORIS]
    page = tmp_path / "r.html"
    code, _, _ = cli("readiness", "--format", "html", "--out", str(page), "--lang", "en", *common)
    assert code == 0 and "Анна &lt;b&gt;&amp;" in page.read_text(encoding="utf-8")
    _self_contained(page.read_text(encoding="utf-8"))
    code, printed, _ = cli("readiness", "--format", "json", *common)
    data = json.loads(printed)
    assert code == 0 and [(d["trainee"], d["verdict"]) for d in data] == [
        (ANNA, "insufficient_evidence"),
        (BORIS, "insufficient_evidence"),
    ]
    assert all(d["reasons"] and {"requirement", "figure", "threshold", "met"} <= set(d["reasons"][0]) for d in data)
    code, _, _ = cli("readiness", "--format", "csv", "--out", str(tmp_path / "r.csv"), *common)
    assert code == 0 and set(pd.read_csv(tmp_path / "r.csv")["trainee"]) == {ANNA, BORIS}


def test_cli_report_writes_the_trainee_page(
    cli: Callable[..., CliResult],
    stored: list[dict[str, Any]],
    db: str,
    kit: Kit,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    common = ("--db", db, "--kit", str(kit.root))
    monkeypatch.chdir(tmp_path)
    code, printed, _ = cli("report", ANNA, *common)
    default = tmp_path / f"report-{safe_name(ANNA)}.html"
    assert code == 0 and safe_name(ANNA) == "Анна_b" and printed.strip() == default.name
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in default.read_text(encoding="utf-8")
    code, _, _ = cli("report", BORIS, "--out", str(tmp_path / "b.html"), "--lang", "en", *common)
    assert code == 0 and "Trainee training report" in (tmp_path / "b.html").read_text(encoding="utf-8")
    code, _, err = cli("report", "Никто", *common)
    assert code == 1 and "Никто" in err and "simkit readiness" in err
    code, _, err = cli("report", ANNA, "--out", str(tmp_path / "missing" / "dir" / "a.html"), *common)
    assert code == 1 and "cannot write" in err


def test_importing_the_cli_loads_neither_pandas_nor_matplotlib() -> None:
    code = (
        "import sys, simkit, simkit.cli.commands; "
        "print(sorted(m for m in ('pandas', 'matplotlib', 'openpyxl') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
