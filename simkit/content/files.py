"""Reading content files: only regular files inside the kit, at most ``MAX_FILE_BYTES``, as UTF-8.

A content folder may be shared, so what lies in it is not trusted: a FIFO would block the reader,
a link to ``/dev/zero`` would read until memory runs out, and a link out of the kit would make
someone else's file a scenario (and print its lines in a problem's excerpt). Each file is opened
without blocking, checked to be a regular file whose real path lies inside the kit root, and read
up to the cap; a byte-order mark is dropped, and bytes that are not UTF-8 are located by line and
column.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .problems import Problem

# One content file at most: the largest shipped file is 25 kB, so this leaves forty times the room
# while keeping parsing and checking of any single file within seconds.
MAX_FILE_BYTES = 1 << 20

_BOM = "\ufeff"


class Unreadable(Exception):
    """A file that is not read: ``code`` and message say why, as a problem at line 1."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


def inside(file: Path, root: Path) -> bool:
    """Whether ``file``, its links followed, lies inside ``root``."""
    try:
        file.resolve(strict=True).relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):
        return False
    return True


def read_bytes(file: Path, root: Path | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file (inside ``root`` when given), or Unreadable."""
    if root is not None and not inside(file, root):
        raise Unreadable("not-a-file", "the path leads out of the kit (a link to a file elsewhere)", "copy the file into the kit")
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked on the open file
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise Unreadable("not-a-file", f"cannot be read ({exc.strerror})", "check the file's permissions") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a folder" if stat.S_ISDIR(info.st_mode) else "a device"
            raise Unreadable("not-a-file", f"this is {kind}, not a regular file", "put a YAML file here, or remove it")
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise Unreadable("not-a-file", f"cannot be read ({exc.strerror})", "check the file") from None
    finally:
        os.close(fd)
    if size > limit:  # the file grew while it was read
        raise _too_large(size, limit)
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> Unreadable:
    return Unreadable(
        "file-too-large",
        f"the file has {size:,} bytes; a content file may have at most {limit:,}",
        "split it into several files",
    )


def decode(data: bytes, rel: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text without a byte-order mark, or a problem at the first bad byte's line and column."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        start = before.rfind(b"\n") + 1
        column = len(before[start:].decode("utf-8", errors="replace")) + 1
        bad = data[exc.start : exc.end].hex(" ")
        return None, Problem(rel, line, column, "syntax", f"not UTF-8 text: byte {bad} ({exc.reason})", "save the file as UTF-8")
    return text.removeprefix(_BOM), None


def read_text(file: Path, root: Path, rel: str) -> tuple[str | None, Problem | None]:
    """A content file's text, or the problem that kept it from being read."""
    try:
        data = read_bytes(file, root)
    except Unreadable as exc:
        return None, Problem(rel, 1, 1, exc.code, exc.message, exc.hint)
    return decode(data, rel)
