"""Trainer rounds in the store (SQLite and PostgreSQL): codes, seeds, live rows, common failures, end, exports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape
from openpyxl import load_workbook

import simkit
from simkit.content.kit import Kit
from simkit.engine.dialogue import Dialogue
from simkit.reports.cells import cell as defused
from simkit.reports.session import round_excel, round_html, round_tables
from simkit.store.database import _CODE_LETTERS, Store
from simkit.store.recorder import Recorder
from simkit.store.sessions import (
    Round,
    RoundError,
    common_failures,
    create_round,
    end_round,
    find_round,
    get_round,
    live_rows,
    reply_of_round,
    round_replies,
    seed_for,
)

SCENARIO = "discount-demand-sports-food"
BAD = "Calm down. I will give you a 10 % discount."  # breaks the 5 % limit (critical) and the calm-down rule
HOSTILE = '=HYPERLINK("http://x","y") <script>alert(1)</script>'


def _play(kit: Kit, url: str, found: Round, trainee: str, replies: list[tuple[str, list[str]]]) -> str:
    """A trainee plays the round's first scenario with the round's seed, recording after every reply as the player does."""
    instance = simkit.generate(kit.scenario(found.scenarios[0]), seed_for(found, trainee), found.lang)
    dialogue = Dialogue(instance, kit)
    with Recorder(kit, trainee, found.mode, cohort="G-1", session=found.code, url=url) as recorder:
        for text, actions in replies:
            dialogue.reply(text, actions)
            assert recorder.record(dialogue.result()) == "stored"
    return dialogue.attempt_id


def test_a_round_has_a_short_code_and_is_found_case_insensitively(db: str) -> None:
    with Store(db) as store:
        found = create_round(store, "  Monday   group ", [SCENARIO, SCENARIO], lang="en", cohort="G-1", trainer="Olga")
        other = create_round(store, "Tuesday", [SCENARIO])
        assert found.code != other.code
        assert re.fullmatch(f"[{_CODE_LETTERS}]{{6}}", found.code)
        assert (found.title, found.scenarios, found.lang, found.mode, found.cohort, found.trainer) == (
            "Monday group", (SCENARIO,), "en", "session", "G-1", "Olga")  # fmt: skip
        assert find_round(store, f" {found.code.lower()} ") == found
        with pytest.raises(RoundError, match="no round has the join code 'NOPE99'"):
            find_round(store, "nope99")
        with pytest.raises(RoundError, match="choose at least one scenario"):
            create_round(store, "Empty", [])
        with pytest.raises(RoundError, match="no name"):
            create_round(store, "   ", [SCENARIO])


def test_seeds_differ_per_trainee_with_the_same_script_or_are_one_for_all(kit: Kit) -> None:
    base = dict(title="r", scenarios=(SCENARIO,), lang="en", mode="session", cohort=None, trainer=None, created_at=None,
                ended_at=None)  # fmt: skip
    each = Round(code="ABCDEF", same_variant=False, **base)  # type: ignore[arg-type]
    same = Round(code="ABCDEF", same_variant=True, **base)  # type: ignore[arg-type]
    names = [f"Trainee {i}" for i in range(12)]
    seeds = [seed_for(each, n) for n in names]
    assert len(set(seeds)) == len(seeds)
    assert seed_for(each, " trainee   0 ") == seeds[0]  # rejoining (name typed differently) gives the same variant
    assert {seed_for(same, n) for n in names} == {seed_for(same, "anyone")}
    scenario = kit.scenario(SCENARIO)
    instances = [simkit.generate(scenario, s, "en") for s in seeds]
    # equal difficulty: the same script (turns, their rules and the actions they offer), different customers
    assert len({tuple((t.id, tuple(t.actions)) for t in i.turns) for i in instances}) == 1
    assert len({i.customer.name for i in instances}) > 1


def test_live_rows_common_failures_and_one_reply(db: str, kit: Kit) -> None:
    with Store(db) as store:
        found = create_round(store, "Live", [SCENARIO], lang="en")
        assert live_rows(store, found.code) == []
        first = _play(kit, db, found, "Anna", [(BAD, ["offer_discount:10"])])
        second = _play(kit, db, found, "<b>Boris</b>", [(BAD, ["offer_discount:10"]), (HOSTILE, [])])
        _play(kit, db, create_round(store, "Other", [SCENARIO], lang="en"), "Carl", [(BAD, ["offer_discount:10"])])
        rows = {r.trainee: r for r in live_rows(store, found.code)}
        assert set(rows) == {"Anna", "<b>Boris</b>"}  # Carl played another round
        stored = {a["id"]: a for a in store.attempts()}
        for row, attempt in ((rows["Anna"], first), (rows["<b>Boris</b>"], second)):
            replies = stored[attempt]["replies"]
            assert (row.attempt_id, row.turn_reached) == (attempt, len(replies))
            assert row.scores == tuple(r["score"] for r in replies)
            assert row.critical_failures == tuple(c for r in replies for c in r["critical_failures"])
            assert row.anger == replies[-1]["anger_after"]
            assert stored[attempt]["session"] == found.code and stored[attempt]["mode"] == "session"
        assert "discount-limit-five-percent" in rows["Anna"].critical_failures

        failures = common_failures(store, found.code)
        top = failures[0]
        assert top.trainees == 2 and top.replies >= 2
        both = {f.rule_id for f in failures if f.trainees == 2}
        assert "discount-limit-five-percent" in both and "no-calm-down-command" in both
        assert {e.trainee for e in top.examples} == {"Anna", "<b>Boris</b>"}
        over = next(f for f in failures if f.rule_id == "discount-over-limit-to-head")
        assert over.replies == 3 and over.trainees == 2  # Boris failed it twice

        replies = round_replies(store, found.code)
        assert len(replies) == 3
        hostile = next(r for r in replies if r.text == HOSTILE)
        assert reply_of_round(store, found.code, hostile.reply_id) == hostile
        with pytest.raises(RoundError):
            reply_of_round(store, found.code, "00000000-0000-0000-0000-000000000000")


def test_an_ended_round_cannot_be_joined_and_its_end_stays(db: str) -> None:
    with Store(db) as store:
        found = create_round(store, "Short", [SCENARIO])
        ended = end_round(store, found.code)
        assert ended.ended_at is not None and not ended.open
        assert end_round(store, found.code.lower()).ended_at == ended.ended_at  # the first end counts
        with pytest.raises(RoundError, match="has ended"):
            find_round(store, found.code)
        assert get_round(store, found.code) == ended


def test_exports_hold_no_formula_and_escape_every_typed_text(db: str, kit: Kit, tmp_path: Path) -> None:
    with Store(db) as store:
        found = create_round(store, "<i>Export</i>", [SCENARIO], lang="en", cohort="=cmd")
        _play(kit, db, found, "@evil", [(HOSTILE, [])])
        _play(kit, db, found, "-minus", [(BAD, ["offer_discount:10"])])
        rows, failures = live_rows(store, found.code), common_failures(store, found.code)
        replies, found = round_replies(store, found.code), get_round(store, found.code)
    for lang in ("ru", "en"):
        tables = round_tables(rows, failures, replies, kit, lang)
        path = round_excel(tables, tmp_path / f"round-{lang}.xlsx")
        book = load_workbook(path)
        cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
        assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell became a formula"
        texts = {str(c.value) for c in cells}
        assert "'" + HOSTILE in texts and "'@evil" in texts and "'-minus" in texts
        assert len(book.worksheets) == 3

        page = round_html(found, rows, failures, replies, kit, lang)
        assert "<script>alert(1)</script>" not in page and "<i>Export</i>" not in page
        assert str(escape(HOSTILE)) in page  # the reply, shown as text
        assert "&lt;i&gt;Export&lt;/i&gt;" in page and found.code in page
        assert kit.rules["discount-limit-five-percent"].title.get(lang) in page
        assert "<script" not in page.lower() and "<a " not in page and " src=" not in page  # self-contained, inert


def test_defused_prefixes_only_formula_starts() -> None:
    assert [defused(v) for v in ("=1+1", "+7", "-3", "@a", "plain", 5, None)] == ["'=1+1", "'+7", "'-3", "'@a", "plain", 5, None]
