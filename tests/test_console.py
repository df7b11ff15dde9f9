"""The trainer console and joining a round, without a browser: real engine, real store, the console's own poller."""

from __future__ import annotations

import base64
import re
import threading
import time
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from simkit.apps.console import Console
from simkit.apps.identity import TraineeBar
from simkit.apps.join import JoinBar
from simkit.apps.local_evidence import LocalEvidence
from simkit.apps.player import Player
from simkit.content.kit import Kit
from simkit.store.database import Store
from simkit.store.sessions import LiveRow, seed_for

SCENARIO = "discount-demand-sports-food"
BAD = "Calm down. I will give you a 10 % discount."
HOSTILE = "=1+1 <img src=x onerror=alert(1)>"


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A fresh SQLite store for one test."""
    return f"sqlite:///{tmp_path / 'console.db'}"


def _console(kit: Kit, url: str, lang: str = "en") -> Console:
    console = Console(lang=lang, kit=kit, url=url, interval=0.1)
    console.title_box.value = "Monday round"
    console.cohort_box.value = "G-1"
    console.scenario_pick.value = (SCENARIO,)
    console.round_lang.value = "en"
    return console


def _trainee(kit: Kit, url: str, name: str, code: str) -> Player:
    bar = TraineeBar(lang="ru", name=name, cohort="G-1")
    assert bar.confirm()
    player = Player(bar, mode="practice", kit=kit, url=url)
    joining = JoinBar(bar, player)
    assert joining.join(code.lower()), joining.note.value
    return player


def _send(player: Player, text: str, actions: list[str]) -> None:
    player.reply_box.value = text
    for action in actions:
        action_id, _sep, value = action.partition(":")
        player.action_toggles[action_id].value = True
        if value:
            player.percent.value = int(value)
    player.send_button.click()


def test_a_round_is_created_from_the_form_and_shows_its_code(kit: Kit, url: str) -> None:
    console = _console(kit, url)
    console.create_button.click()
    assert console.note.value == ""
    found = console.round
    assert found is not None and found.scenarios == (SCENARIO,) and found.cohort == "G-1"
    assert f">{found.code}<" in console.code_view.value and "simkit-code-big" in console.code_view.value
    assert console._round_box.layout.display == ""
    console.shutdown()
    # a form without scenarios is refused with a message, not a traceback
    empty = Console(lang="ru", kit=kit, url=url)
    empty.title_box.value = "x"
    empty.create_button.click()
    assert "Выберите хотя бы один сценарий" in empty.note.value
    assert empty.round is None and empty._round_box.layout.display == "none"


def test_trainees_join_by_code_and_their_answers_reach_the_live_table_by_polling(kit: Kit, url: str) -> None:
    console = _console(kit, url)
    found = console.create()
    seen: list[tuple[float, list[LiveRow]]] = []
    arrived = threading.Event()

    def listen(rows: list[LiveRow]) -> None:
        seen.append((time.monotonic(), rows))
        if sum(r.turn_reached for r in rows) >= 2:
            arrived.set()

    console.listeners.append(listen)
    anna, boris = _trainee(kit, url, "Anna", found.code), _trainee(kit, url, "<b>Boris</b>", found.code)
    for player, name in ((anna, "Anna"), (boris, "<b>Boris</b>")):
        assert player.variant_button.layout.display == "none"  # one variant per trainee in a round
        player.start_button.click()
        assert player.state.instance is not None
        assert (player.state.instance.seed, player.state.instance.lang) == (seed_for(found, name), "en")
    _send(anna, BAD, ["offer_discount:10"])
    _send(boris, BAD, ["offer_discount:10"])
    stored_at = time.monotonic()
    assert arrived.wait(5), "the poller never saw both answers"
    assert seen[-1][0] - stored_at < 2.0
    live = console.live.value
    assert 'data-trainee="Anna"' in live and 'data-trainee="&lt;b&gt;Boris&lt;/b&gt;"' in live and "<b>Boris</b>" not in live
    assert re.search(r'data-trainee="Anna" data-turn="1" data-critical="1"', live)
    with Store(url) as store:
        attempts = store.attempts()
    assert {(a["session"], a["mode"]) for a in attempts} == {(found.code, "session")}
    score = f"{attempts[0]['replies'][0]['score']:g}"
    assert score in live
    common = console.common.value
    title = kit.rules["discount-limit-five-percent"].title.get("en")
    assert 'data-rule="discount-limit-five-percent" data-trainees="2"' in common and title in common
    console.shutdown()


def test_a_reply_is_discussed_with_the_name_hidden_and_the_round_ends_and_exports(kit: Kit, url: str) -> None:
    console = _console(kit, url)
    found = console.create()
    console.stop_polling()  # the test refreshes by hand
    player = _trainee(kit, url, "<i>Vera</i>", found.code)
    player.start_button.click()
    _send(player, HOSTILE, [])
    assert console.refresh()
    assert not console.refresh()  # nothing new: nothing redrawn
    reply_id = console.discuss_pick.options[0][1]
    shown = console.discuss(reply_id)
    assert "&lt;img src=x" in shown and "<img" not in shown and "Vera" not in shown and 'data-hidden="true"' in shown
    named = console.discuss(reply_id, hide_name=False)
    assert "&lt;i&gt;Vera&lt;/i&gt;" in named

    console.end_button.click()
    assert console.round is not None and not console.round.open and console.end_button.disabled
    assert "has ended" in _join_problem(kit, url, found.code)
    assert "No round has the code ZZZZZZ" in _join_problem(kit, url, "zz zzzz")

    console.excel_button.click()
    console.html_button.click()
    links = console.links.value
    assert f'download="round-{found.code}.xlsx"' in links and f'download="round-{found.code}.html"' in links
    workbook = re.search(r'href="data:[^;]+spreadsheetml.sheet;base64,([^"]+)"', links)
    assert workbook is not None
    book = load_workbook(BytesIO(base64.b64decode(workbook.group(1))))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"] and "'" + HOSTILE in {c.value for c in cells}
    page = console.exported[f"round-{found.code}.html"].decode("utf-8")
    assert "<img src=x" not in page and "&lt;img src=x" in page
    console.shutdown()


def _join_problem(kit: Kit, url: str, code: str) -> str:
    bar = TraineeBar(lang="en", name="Late", cohort="")
    bar.confirm()
    joining = JoinBar(bar, Player(bar, kit=kit, url=url))
    assert not joining.join(code)
    return str(joining.note.value)


def test_the_console_relabels_in_both_languages(kit: Kit, url: str) -> None:
    console = _console(kit, url, lang="ru")
    console.create()
    ru = console.create_button.description
    console.lang_buttons.value = "en"
    assert console.create_button.description == "Create the round" != ru
    assert console.scenario_pick.options[0][0] in {s.title.get("en") for s in kit.scenarios.values()}
    console.shutdown()


def test_the_console_and_the_trainees_work_through_evidence_objects(kit: Kit, url: str) -> None:
    console = Console(lang="en", kit=kit, interval=0.1, evidence=LocalEvidence(url, kit))  # no url: the evidence is the store
    console.title_box.value = "Tuesday round"
    console.scenario_pick.value = (SCENARIO,)
    console.round_lang.value = "en"
    found = console.create()
    console.stop_polling()  # the test refreshes by hand
    bar = TraineeBar(lang="en", name="Galina", cohort="G-2")
    assert bar.confirm()
    player = Player(bar, kit=kit, evidence=LocalEvidence(url, kit))
    joining = JoinBar(bar, player)
    assert not joining.join("zzzzzz") and "No round has the code ZZZZZZ" in joining.note.value
    assert joining.join(found.code), joining.note.value
    player.start_button.click()
    _send(player, BAD, ["offer_discount:10"])
    assert console.refresh()
    assert [(r.trainee, r.turn_reached) for r in console.rows] == [("Galina", 1)]
    reply_id = console.discuss_pick.options[0][1]
    assert "Galina" not in console.discuss(reply_id) and "Galina" in console.discuss(reply_id, hide_name=False)
    assert not console.end().open
    console.shutdown()
    with Store(url) as store:
        (attempt,) = store.attempts("Galina")
    assert (attempt["session"], attempt["cohort"]) == (found.code, "G-2")
    assert not console.evidence.get_round(found.code).open  # closed by shutdown, opened again when asked


def test_under_the_hub_the_round_is_the_signed_in_trainers(kit: Kit, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "t.smirnov")
    monkeypatch.setenv("SIMKIT_SERVICE_URL", "http://127.0.0.1:1/services/simkit/")
    console = Console(lang="ru", kit=kit, trainer="Someone Else", evidence=LocalEvidence(url, kit))
    assert console.trainer_box.value == "t.smirnov" and console.trainer_box.disabled
    assert "под которым вы вошли" in console.trainer_box.tooltip
    console.title_box.value = "Среда"
    console.scenario_pick.value = (SCENARIO,)
    found = console.create()
    assert found.trainer == "t.smirnov"
    console.shutdown()
