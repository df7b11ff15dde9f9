"""A hostile CSV import: each bad row is reported by its line and every good row is kept.

Issue 12, section 5 (CSV) and section 3 (timestamps bounded at import). Each test builds ten good
conversations and breaks the file in one place; the ten must all be read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from simkit.content.kit import Kit
from simkit.store.database import Store
from simkit.store.transcripts import FIELD_LIMIT, TranscriptError, import_transcripts, read_transcripts

from .deadline import within

ROOT = Path(__file__).resolve().parent.parent
HEADER = b"conversation_id,timestamp,speaker,text,customer,channel\n"
IDS = [f"c-{n}" for n in range(1, 11)]


def _conversation(n: int) -> list[bytes]:
    return [
        f'c-{n},2026-03-02T10:{n:02d}:00,customer,"Where is my order {n}? It was due yesterday.",Tom Hill,chat\n'.encode(),
        f"c-{n},2026-03-02T10:{n:02d}:30,agent,\"Hello Tom, I'm sorry for the delay. I'll call you by 5 pm today.\",,\n".encode(),
    ]


def _file(tmp_path: Path, inserted: dict[int, bytes], line_end: bytes = b"\n") -> tuple[Path, dict[int, int]]:
    """Ten good conversations with ``inserted[k]`` put before conversation k; returns where each insert begins."""
    lines = [HEADER]
    at: dict[int, int] = {}
    for n in range(1, 11):
        if n in inserted:
            at[n] = len(lines) + 1
            lines.append(inserted[n])
        lines += _conversation(n)
    path = tmp_path / "export.csv"
    path.write_bytes(b"".join(lines).replace(b"\n", line_end))
    return path, at


def _by_line(problems: list[object]) -> dict[int, str]:
    return {p.line: p.message for p in problems}  # type: ignore[attr-defined]


def test_invalid_utf8_in_one_row_skips_only_that_row(tmp_path: Path) -> None:
    bad = b'c-5,2026-03-02T10:04:00,customer,"Caf\xe9 au lait, \xff please",,\n'  # Latin-1 bytes in a UTF-8 file
    path, at = _file(tmp_path, {5: bad, 9: b"c-9,2026-03-02T10:08:00,customer,Hi,\xc3,\n"})
    conversations, problems = read_transcripts(path)
    assert [c.id for c in conversations] == IDS
    assert all(len(c.lines) == 2 for c in conversations)
    by_line = _by_line(problems)
    assert sorted(by_line) == [at[5], at[9]]
    assert "not UTF-8" in by_line[at[5]] and "0xE9" in by_line[at[5]] and "column 38" in by_line[at[5]]
    assert "0xC3" in by_line[at[9]]


def test_invalid_utf8_in_the_header_names_its_column(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"conversation_id,time\xffstamp,speaker,text\nc,2026-03-02T10:00:00,agent,hi\n")
    with pytest.raises(TranscriptError, match=r"t\.csv:1: .*not UTF-8.*0xFF.*column 21"):
        read_transcripts(path)


@pytest.mark.parametrize("quoted", [False, True])
def test_a_field_over_the_cap_skips_only_that_row(tmp_path: Path, quoted: bool) -> None:
    text = "x" * (FIELD_LIMIT + 1)
    if quoted:
        text = f'"{text[:1000]}\n{text[1000:]}"'  # over two lines
    path, at = _file(tmp_path, {5: f"c-5,2026-03-02T10:04:10,customer,{text},,\n".encode()})
    conversations, problems = read_transcripts(path)
    assert [c.id for c in conversations] == IDS
    assert all(len(c.lines) == 2 for c in conversations)
    (problem,) = problems
    assert problem.line == at[5] and f"longer than {FIELD_LIMIT:,} characters" in problem.message


def test_a_line_of_a_text_within_the_cap_is_read(tmp_path: Path) -> None:
    text = "y" * (FIELD_LIMIT - 10)
    path, _ = _file(tmp_path, {5: f"c-5,2026-03-02T10:04:10,customer,{text},,\n".encode()})
    conversations, problems = read_transcripts(path)
    assert problems == [] and max(len(m.text) for m in conversations[4].lines) == len(text)


def test_an_unclosed_quote_does_not_swallow_the_next_conversation(tmp_path: Path) -> None:
    path, at = _file(tmp_path, {5: b'c-5,2026-03-02T10:04:10,customer,"Where is it, Tom Hill,chat\n'})
    conversations, problems = read_transcripts(path)
    assert [c.id for c in conversations] == IDS
    assert all(len(c.lines) == 2 for c in conversations)
    (problem,) = problems
    assert problem.line == at[5] and "quote" in problem.message


def test_an_unclosed_quote_at_the_end_is_reported(tmp_path: Path) -> None:
    path, _ = _file(tmp_path, {})
    with path.open("ab") as out:
        out.write(b'c-10,2026-03-02T10:59:00,customer,"I am still waiting\n')
    conversations, problems = read_transcripts(path)
    assert [c.id for c in conversations] == IDS and all(len(c.lines) == 2 for c in conversations)
    assert [p.line for p in problems] == [22] and "quote" in problems[0].message


def test_a_text_over_several_lines_is_still_one_row(tmp_path: Path) -> None:
    quoted = b'c-5,2026-03-02T10:04:10,customer,"First line,\nsecond line, with commas,\nthird",,\n'
    path, at = _file(tmp_path, {5: quoted})
    conversations, problems = read_transcripts(path)
    assert problems == []
    (extra,) = [m for m in conversations[4].lines if m.line == at[5]]
    assert extra.text == "First line,\nsecond line, with commas,\nthird"
    assert conversations[5].first_line == at[5] + 5  # the lines after it keep their numbers


def test_a_bare_cr_does_not_split_a_row(tmp_path: Path) -> None:
    path, at = _file(tmp_path, {5: b"c-5,2026-03-02T10:04:10,customer,Hello\rI need help,,\n"})
    conversations, problems = read_transcripts(path)
    assert problems == []
    assert [c.id for c in conversations] == IDS
    (extra,) = [m for m in conversations[4].lines if m.line == at[5]]
    assert extra.text == "Hello\nI need help"


@pytest.mark.parametrize("line_end", [b"\r\n", b"\r"])
def test_windows_and_old_mac_line_ends_read_alike(tmp_path: Path, line_end: bytes) -> None:
    path, at = _file(tmp_path, {5: b'c-5,2026-03-02T10:04:10,customer,"two\nlines",,\n'}, line_end)
    conversations, problems = read_transcripts(path)
    assert problems == [] and [c.id for c in conversations] == IDS
    assert sorted(m.line for c in conversations for m in c.lines)[-1] == 23
    (extra,) = [m for m in conversations[4].lines if m.line == at[5]]
    assert extra.text.splitlines() == ["two", "lines"]


def test_imported_timestamps_out_of_range_are_refused_by_row(tmp_path: Path) -> None:
    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat(timespec="seconds")
    moments = [
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59",
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+14:00",
        "1999-12-31T23:59:59+00:00",
        soon,
    ]
    rows = b"".join(f"c-5,{m},customer,Are you there?,,\n".encode() for m in moments)
    path, at = _file(tmp_path, {5: rows})
    conversations, problems = read_transcripts(path)
    assert [c.id for c in conversations] == IDS and all(len(c.lines) == 2 for c in conversations)
    by_line = _by_line(problems)
    assert sorted(by_line) == list(range(at[5], at[5] + len(moments)))
    assert all("out of range" in m and "2000-01-01" in m for m in by_line.values())


def test_a_fifo_or_a_device_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    with within(5):
        for path in (fifo, Path("/dev/zero")):
            with pytest.raises(TranscriptError, match="not a regular file"):
                read_transcripts(path)


def test_quotes_left_open_on_every_row_are_each_reported_in_bounded_time(tmp_path: Path) -> None:
    # every row opens a quote that the next row would close (two rows read as one, each looking
    # valid), then a run of 200,000 quotes: a quadratic re-reading would take minutes here
    rows = [f'c-{n % 50},2026-03-02T10:00:{n % 60:02d},customer,"open {n},,\n'.encode() for n in range(20_000)]
    rows.append(b"c-1,2026-03-02T10:00:00,customer," + b'"' * 200_000 + b",,\n")
    path = tmp_path / "hostile.csv"
    path.write_bytes(HEADER + b"".join(rows))
    with within(20):
        conversations, problems = read_transcripts(path)
    assert [p.line for p in problems] == list(range(2, 20_002))
    assert all("quote" in p.message for p in problems)
    assert [c.id for c in conversations] == ["c-1"] and len(conversations[0].lines[0].text) == 99_999


def _all_defects(tmp_path: Path) -> tuple[Path, dict[int, int]]:
    return _file(
        tmp_path,
        {
            2: b'c-2,2026-03-02T10:01:10,customer,"\xff\xfe",,\n',
            3: f"c-3,2026-03-02T10:02:10,customer,{'z' * (FIELD_LIMIT + 5)},,\n".encode(),
            4: b'c-4,2026-03-02T10:03:10,customer,"Where is it, Tom Hill,chat\n',
            5: b"c-5,2026-03-02T10:04:10,customer,Hello\rI need help,,\n",
            6: b"c-6,9999-12-31T23:59:59,customer,When?,,\n",
            7: b"c-7,0001-01-01T00:00:00,customer,When?,,\n",
            8: b"c-8,2026-03-02T10:07:10,customer,Nul\x00here,,\n",
        },
    )


def test_import_keeps_every_good_conversation_of_a_hostile_file(db: str, kit: Kit, tmp_path: Path) -> None:
    path, at = _all_defects(tmp_path)
    with Store(db) as store:
        report = import_transcripts(store, kit, path, "Ольга")
        assert (report.conversations, report.stored) == (10, 10)
        assert [p.line for p in report.problems] == [at[k] for k in (2, 3, 4, 6, 7, 8)]
        assert "NUL" in report.problems[-1].message
        attempts = store.attempts("Ольга")
    assert len(attempts) == 10 and all(len(a["replies"]) == 1 for a in attempts)


def test_cli_import_reports_each_bad_row_by_line(db: str, tmp_path: Path) -> None:
    path, at = _all_defects(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "simkit", "import-transcripts", str(path), "--trainee", "Ольга", "--db", db, "--kit", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "10 conversations stored" in done.stdout and "6 rows or conversations skipped" in done.stdout
    for k in (2, 3, 4, 6, 7, 8):
        assert f"{path}:{at[k]}:" in done.stderr


def test_an_agent_text_over_the_reply_limit_skips_only_that_row(tmp_path: Path) -> None:
    from simkit.engine.scoring import MAX_REPLY_CHARS

    long = "We are sorry. " * (MAX_REPLY_CHARS // 14 + 1)
    path, at = _file(tmp_path, {5: f'c-5,2026-03-02T10:04:10,agent,"{long}",,\n'.encode()})
    conversations, problems = read_transcripts(path)
    assert [c.id for c in conversations] == IDS and all(len(c.lines) == 2 for c in conversations)
    assert [(p.line, f"{MAX_REPLY_CHARS:,}" in p.message) for p in problems] == [(at[5], True)]
