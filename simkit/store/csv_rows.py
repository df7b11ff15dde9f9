"""A CSV file read row by row, so that one bad row costs that row and never the rest of the file.

The csv module parses the records; this module feeds it the file one line at a time, knows which
lines each record spans, and checks every record before it is handed on:

- bytes that are not UTF-8 are kept as surrogate escapes while the line is parsed, then the row
  that holds them is reported with the byte and its line and column (the whole file is not
  refused for one byte); so is a NUL character, which no database column takes;
- a field longer than ``FIELD_LIMIT`` characters is reported and reading goes on with the next
  line (the csv module's own limit, 131,072, used to end the reading there);
- a quote left open swallows the lines after it up to the next quote. A record that spans several
  lines, one of which begins like a row by itself (``starts_row``), is taken as such a quote: its
  first line is reported and reading starts again on its second line, so the next conversation
  is kept. A record closed by the end of the file with an odd number of quotes is marked so;
- a carriage return inside a line is a line break within the text, not the end of the row; a file
  whose lines end with CR alone (old Mac exports) is read by those.

Only a regular file is read (a FIFO or a device is refused before it can block or flood).
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import SimkitError

FIELD_LIMIT = 1_000_000  # characters in one field; a longer one is reported and its row skipped
LINE_LIMIT = 2 * FIELD_LIMIT  # characters in one line of the file, for the same reason
_SNIFF = 65_536  # bytes read to tell LF (or CRLF) line ends from CR alone
_CR = "\udc0d"  # stands for a CR inside a line while csv parses it: decoding never yields this surrogate
_BAD = re.compile("[\udc80-\udcff\x00]")  # an undecodable byte (surrogate escape) or a NUL


class CsvFileError(SimkitError):
    """The file cannot be read at all (absent, unreadable, not a regular file)."""


@dataclass(frozen=True)
class Row:
    """A record of the file and the line it begins on."""

    line: int
    cells: tuple[str, ...]
    open_at_end: bool = False  # ended by the end of the file inside a quote: a quote was left open


@dataclass(frozen=True)
class BadRow:
    """A record that cannot be used, the line to look at, and why."""

    line: int
    message: str


class CsvRows:
    """The records of one CSV file, read one at a time (a context manager: it closes the file)."""

    def __init__(self, path: Path) -> None:
        try:
            # O_NONBLOCK: opening a FIFO does not wait for a writer, so that it can be refused below
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise CsvFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
        raw = os.fdopen(fd, "rb")
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raw.close()
            raise CsvFileError(f"cannot read {path}: not a regular file (a folder, a FIFO or a device)")
        head = raw.read(_SNIFF)
        raw.seek(0)
        cr_only = b"\r" in head and b"\n" not in head
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="\r" if cr_only else "\n")
        self._lines = _Lines(text, cr_only)
        self._reader = csv.reader(self._lines, strict=False)
        self._limit = csv.field_size_limit()

    def __enter__(self) -> CsvRows:
        # the csv module's limit is the process's: raised while this file is read, then put back
        self._limit = csv.field_size_limit(FIELD_LIMIT)
        return self

    def __exit__(self, *_: object) -> None:
        csv.field_size_limit(self._limit)
        self._lines.text.close()

    def next(self, starts_row: Callable[[tuple[str, ...]], bool] | None = None) -> Row | BadRow | None:
        """The next record that is not blank, or a BadRow for it; None at the end of the file.

        ``starts_row`` tells whether one line read alone begins like a row (its id, time and
        speaker, say): a record spanning several lines, one of them such a line, began with a
        quote left open.
        """
        lines = self._lines
        while True:
            lines.taken = []
            too_long = len(lines.too_long)
            error = ""
            try:
                record = next(self._reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                record = []
                too_big = "field limit" in str(exc)
                error = f"a field longer than {FIELD_LIMIT:,} characters" if too_big else f"unreadable row ({exc})"
            taken = lines.taken
            if not taken:
                continue
            first = taken[0][0]
            if len(lines.too_long) > too_long:
                error = f"a line longer than {LINE_LIMIT:,} characters"
            if starts_row is not None and len(taken) > 1 and any(starts_row(_alone(t)) for _, t in taken[1:]):
                lines.give_back(taken[1:])
                return BadRow(first, "a quote opened on this line is not closed (the rows after it were read as its text)")
            if error:
                return BadRow(first, error)
            bad = next((why for number, t in taken if (why := bad_character(number, t))), "")
            if bad:
                return BadRow(first, bad)
            if any(c.strip() for c in record):
                open_at_end = lines.ended and not lines.again and sum(t.count('"') for _, t in taken) % 2 == 1
                return Row(first, _cells(record), open_at_end)

    def rows(self, starts_row: Callable[[tuple[str, ...]], bool] | None = None) -> Iterator[Row | BadRow]:
        """Every record left, as ``next`` gives them."""
        while (row := self.next(starts_row)) is not None:
            yield row


def bad_character(number: int, text: str) -> str:
    """Why line ``number`` cannot be kept (a byte that is not UTF-8, a NUL), or '' when it can."""
    found = _BAD.search(text)
    if found is None:
        return ""
    column = found.start() + 1
    if found.group() == "\x00":
        return f"a NUL character at line {number}, column {column}; remove it"
    byte = ord(found.group()) - 0xDC00
    return f"not UTF-8: byte 0x{byte:02X} at line {number}, column {column}; save the file as UTF-8"


class _Lines:
    """The file's lines for the csv reader, numbered, with lines given back to be read again."""

    def __init__(self, text: io.TextIOWrapper, cr_only: bool) -> None:
        self.text = text
        self.cr_only = cr_only
        self.number = 0
        self.again: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []  # the lines of the record being read
        self.too_long: list[int] = []
        self.ended = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        item = self.again.popleft() if self.again else self._read()
        self.taken.append(item)
        return item[1]

    def _read(self) -> tuple[int, str]:
        while True:
            line = self.text.readline(LINE_LIMIT + 1)
            if not line:
                self.ended = True
                raise StopIteration
            self.number += 1
            if len(line) <= LINE_LIMIT or line.endswith(("\n", "\r")):
                return self.number, line if self.cr_only else _mark_cr(line)
            while (rest := self.text.readline(LINE_LIMIT)) and not rest.endswith(("\n", "\r")):
                pass  # the rest of a line too long to keep is read past, not kept
            self.too_long.append(self.number)
            return self.number, "\n"

    def give_back(self, lines: list[tuple[int, str]]) -> None:
        self.again.extendleft(reversed(lines))


def _mark_cr(line: str) -> str:
    # a CR that does not end the line is text; csv would end the record there
    if "\r" not in line:
        return line
    end = "\r\n" if line.endswith("\r\n") else ("\n" if line.endswith("\n") else "")
    return line[: len(line) - len(end)].replace("\r", _CR) + end


def _cells(record: list[str]) -> tuple[str, ...]:
    return tuple(c.replace(_CR, "\n") for c in record)


def _alone(text: str) -> tuple[str, ...]:
    return tuple(next(csv.reader([text]), []))
