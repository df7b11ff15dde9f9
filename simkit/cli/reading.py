"""Files the command line reads besides the kit: replies (``play --replies``), labelled sets (``eval-behaviors``).

Only a regular file is read, and only up to a limit: a path may name a folder, a pipe that never
ends or a device such as ``/dev/zero``, and reading one into memory would hang or exhaust the
machine. The file is opened without blocking and checked on the open handle, so a path swapped
for a pipe after the check is still refused. Text must be UTF-8 (a leading byte-order mark is
accepted); a bad byte is reported at its line and column.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import SimkitError
from ..i18n import N_, gettext

REPLIES_LIMIT = 1 << 20  # 1 MiB: a dialogue's replies, each under the reply length cap
LABELLED_SET_LIMIT = 64 << 20  # 64 MiB: a labelled set of some hundred thousand replies


class InputFileError(SimkitError):
    """A file given on the command line that cannot be read.

    ``usage`` is true when the path names no readable regular file (the command was given the wrong
    thing), false when the file is there but its content cannot be used (too large, not UTF-8).
    """

    def __init__(self, message: str, usage: bool) -> None:
        super().__init__(message)
        self.usage = usage


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return N_("folder")
    if stat.S_ISFIFO(mode):
        return N_("pipe")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return N_("device")
    return N_("special file")


def read_text(path: str | Path, limit: int, lang: str = "en") -> str:
    """The UTF-8 text of the regular file at ``path``, at most ``limit`` bytes; InputFileError otherwise."""
    file = Path(path)
    try:
        # O_NONBLOCK: opening a pipe with no writer would otherwise wait for one forever
        handle = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputFileError(gettext(lang, "no such file: {path}", path=str(file)), usage=True) from None
    except OSError as exc:
        message = gettext(lang, "cannot read {path}: {reason}", path=str(file), reason=exc.strerror or str(exc))
        raise InputFileError(message, usage=True) from None
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        os.close(handle)
        message = gettext(lang, "{path} is a {kind}, not a regular file", path=str(file), kind=gettext(lang, _kind(mode)))
        raise InputFileError(message, usage=True)
    with os.fdopen(handle, "rb") as source:
        data = source.read(limit + 1)  # the size may change between a check and the read: read one byte more
    if len(data) > limit:
        message = gettext(lang, "{path} is larger than {limit} bytes, the most that is read", path=str(file), limit=limit)
        raise InputFileError(message, usage=False)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(_not_utf8(file, data, exc, lang), usage=False) from None


def _not_utf8(file: Path, data: bytes, exc: UnicodeDecodeError, lang: str) -> str:
    start = data.rfind(b"\n", 0, exc.start) + 1
    line = data.count(b"\n", 0, exc.start) + 1
    column = len(data[start : exc.start].decode("utf-8", "replace")) + 1
    return gettext(
        lang,
        "{path}:{line}:{column}: the file is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8",
        path=str(file),
        line=line,
        column=column,
        byte=data[exc.start],
    )
