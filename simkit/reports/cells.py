"""What text may hold where people read it: a spreadsheet cell, a terminal line.

Names, cohorts, conversation ids and replies are typed by people and stored as typed. Where they
are shown they are made harmless, here, and nowhere else:

- a spreadsheet (CSV or xlsx) reads text starting with ``=``, ``+``, ``-``, ``@``, tab or CR as a
  formula (``=HYPERLINK(...)`` sends data away when clicked). Such text gets a leading apostrophe,
  as the OWASP guide on CSV injection recommends; numbers stay numbers, a lone ``-`` (a missing
  value) stays as it is. Excel shows the apostrophe; no program evaluates the cell;
- a control character (ESC, NUL, vertical tab...) is shown as its symbol from the Unicode block
  Control Pictures (ESC as ␛, NUL as ␀), so a name cannot recolour or clear a terminal, set its
  title, or make an xlsx file that Excel refuses (XML forbids those characters). C1 controls (which
  have no pictures, and which some terminals obey like ESC sequences) are written as ``\\x9b``.

Only the standard library is imported: the command line uses this without loading pandas.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
LAYOUT: Final = "\n\t"  # what a terminal line may keep: a new line and a tab move the text, nothing more
CELL_LAYOUT: Final = "\t\n\r"  # what xlsx (XML) and a quoted CSV field hold without harm

_C0 = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ ... ␟
_DEL = {0x7F: "\u2421"}  # ␡
_C1 = {code: f"\\x{code:02x}" for code in range(0x80, 0xA0)}
_TABLES: dict[str, tuple[re.Pattern[str], dict[int, str]]] = {}
# JSON escapes C0 controls itself; DEL and C1 it leaves raw, so they are escaped here (valid JSON, same data)
_JSON_RAW = re.compile("[\x7f-\x9f]")


def _table(keep: str) -> tuple[re.Pattern[str], dict[int, str]]:
    found = _TABLES.get(keep)
    if found is None:
        table = {code: shown for code, shown in (_C0 | _DEL | _C1).items() if chr(code) not in keep}
        # a search first: most text holds no control character, and finding that is far faster than translating
        found = re.compile("[" + "".join(re.escape(chr(code)) for code in table) + "]"), table
        _TABLES[keep] = found
    return found


def visible(text: str, keep: str = LAYOUT) -> str:
    """``text`` with every control character but those in ``keep`` shown as a visible symbol."""
    pattern, table = _table(keep)
    return text if pattern.search(text) is None else text.translate(table)


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell holds it safely: text visible and never a formula; other values unchanged."""
    if not isinstance(value, str):
        return value
    text = visible(value, CELL_LAYOUT)
    if text.startswith(FORMULA_STARTS) and text != "-":
        return "'" + text
    return text


def json_text(data: Any, indent: int | None = 2) -> str:
    """``data`` as JSON for a terminal or a pipe: non-ASCII letters as they are, every control character escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    if _JSON_RAW.search(text) is None:
        return text
    return _JSON_RAW.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
