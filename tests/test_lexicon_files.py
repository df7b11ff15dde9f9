"""The lexicon files say what their authors meant: YAML reads " #" in a plain scalar as a comment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

LEXICONS = sorted(Path(__file__).resolve().parents[1].joinpath("simkit", "language", "lexicons").glob("*.yaml"))
# a list item or value written without quotes, in which a number or time slot follows a space: YAML
# drops it and all after it as a comment ("- входящ* ~2 #num" became "- входящ* ~2")
_CUT_SLOT = re.compile(r"""^\s*(?:-\s+|[\w-]+:\s+)(?!["'\[{]).*\s#(?:num|time)\b""")


@pytest.mark.parametrize("path", LEXICONS, ids=lambda p: p.name)
def test_no_slot_is_lost_to_a_comment(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    cut = [f"{path.name}:{n}: {line.strip()}" for n, line in enumerate(lines, 1) if _CUT_SLOT.match(line)]
    assert cut == [], "quote these patterns: " + "; ".join(cut)


def test_the_check_sees_a_cut_slot() -> None:
    assert _CUT_SLOT.match("      - входящ* ~2 #num")
    assert _CUT_SLOT.match("  key: a ~1 #time")
    assert not _CUT_SLOT.match('      - "входящ* ~2 #num"')
    assert not _CUT_SLOT.match('  numw: ["#num|a|an"]')
