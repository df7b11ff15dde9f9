"""The day apps without a browser: drills answered through widgets, stored once in mode drill, results and standing shown."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simkit.apps.days import DayPage, day1, day2, day3, with_class
from simkit.apps.drills import DeckState, DrillDeck, NoTrainee
from simkit.apps.results import Results
from simkit.content.kit import Kit
from simkit.content.vocabulary import ACTIONS, CATEGORIES, DEPARTMENTS, KINDS, OUTCOMES
from simkit.i18n.names import name
from simkit.store.database import Store
from simkit.store.spool import flush

# ids a person must never read on a Russian screen (actions, departments, kinds, outcomes, modes, verdicts ...)
IDS = re.compile(
    r"\b("
    + "|".join(
        [
            *ACTIONS,
            *DEPARTMENTS,
            *KINDS,
            *OUTCOMES,
            *CATEGORIES,
            "practice",
            "drill",
            "assessment",
            "not_ready",
            "insufficient_evidence",
        ]
    )
    + r")\b"
)
STYLE = re.compile(r"<style>.*?</style>", re.S)
TAG = re.compile(r"<[^>]+>")


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A throwaway SQLite store."""
    return f"sqlite:///{tmp_path / 'days.db'}"


def _one(root: Any, css_class: str) -> Any:
    found = with_class(root, css_class)
    assert len(found) == 1, f"{len(found)} widgets with class {css_class}"
    return found[0]


def _text(root: Any) -> Iterator[str]:
    """What a person reads on the page: HTML without tags, labels, placeholders, tooltips, option names."""
    for widget in [root, *_descendants(root)]:
        value = getattr(widget, "value", None)
        if type(widget).__name__ in ("HTML", "HTMLMath", "Label", "Coverage") and isinstance(value, str):
            yield html.unescape(TAG.sub(" ", STYLE.sub("", value)))
        for attribute in ("description", "placeholder", "tooltip"):
            text = getattr(widget, attribute, None)
            if isinstance(text, str):
                yield text
        for option in getattr(widget, "_options_labels", ()) or ():
            yield str(option)
        for tip in getattr(widget, "tooltips", None) or ():
            yield str(tip)


def _descendants(root: Any) -> Iterator[Any]:
    for child in getattr(root, "children", ()):
        yield child
        yield from _descendants(child)


def _deck(page: DayPage, kind: str) -> DrillDeck:
    decks = [d for d in with_class(page, "simkit-drills") if d.state.kind == kind]
    assert len(decks) == 1
    return decks[0]  # type: ignore[no-any-return]


def _show(deck: DrillDeck, scenario_id: str) -> None:
    for _ in range(len(deck.state.drills)):
        current = deck.state.current
        assert current is not None
        if current.instance.scenario_id == scenario_id:
            return
        _one(deck, "simkit-drill-next").click()
    raise AssertionError(f"no drill of {scenario_id} in the {deck.state.kind} deck")


def _confirm(page: DayPage, name: str, cohort: str = "") -> None:
    page.bar.name, page.bar.cohort = name, cohort
    assert page.bar.confirm()


def _answer(deck: DrillDeck, text: str, actions: dict[str, Any], clicks: int = 1) -> None:
    _one(deck, "simkit-reply").value = text
    for action_id, parameter in actions.items():
        _one(deck, f"simkit-action-{action_id}").value = True
        kind = ACTIONS[action_id]
        if kind is not None:
            _one(deck, f"simkit-param-{kind}").value = parameter
    for _ in range(clicks):
        _one(deck, "simkit-drill-answer").click()


# --- day 1 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_day1_drill_is_judged_with_its_clause_stored_once_and_in_the_results(kit: Kit, url: str, lang: str) -> None:
    page = day1(lang, kit=kit, url=url)
    assert page.results is not None and page.kit is kit
    deck = _deck(page, "escalation")
    _show(deck, "discount-demand-sports-food")
    # before the trainee is known nothing is judged or stored
    _answer(deck, "10 %", {"offer_discount": 10})
    assert _one(deck, "simkit-drill-verdict").value == ""
    assert Store(url).attempts() == []

    _confirm(page, "Ольга Петрова", "Г-1")
    _answer(deck, "Хорошо, дам скидку 10 %." if lang == "ru" else "Fine, 10 % off.", {"offer_discount": 10}, clicks=2)
    verdict = _one(deck, "simkit-drill-verdict").value
    job = kit.jobs["parusnik-client-manager"]
    assert 'class="simkit-not-passed"' in verdict and 'data-status="fail"' in verdict
    assert 'class="simkit-clause"' in verdict and "III.5" in verdict and html.escape(job.title.get(lang)) in verdict
    assert html.escape(kit.rules["discount-limit-five-percent"].title.get(lang)) in verdict

    attempts = Store(url).attempts("Ольга Петрова")
    assert len(attempts) == 1  # two clicks, one attempt
    attempt = attempts[0]
    assert attempt["mode"] == "drill" and attempt["cohort"] == "Г-1"
    assert attempt["scenario_id"] == "discount-demand-sports-food" and [r["turn"] for r in attempt["replies"]] == ["demand"]
    assert f'data-attempt="{attempt["id"]}"' in deck._status.value
    results = page.results.html
    assert f'data-attempt="{attempt["id"]}"' in results and 'data-mode="drill"' in results
    assert html.escape(kit.scenarios["discount-demand-sports-food"].title.get(lang)) in results
    assert ("упражнение" if lang == "ru" else "drill") in results


def test_day1_shows_the_rulebook_by_category_with_clauses(kit: Kit, url: str) -> None:
    page = day1("en", kit=kit, url=url)
    cards = _one(page, "simkit-rulebook").children[0].value
    assert cards.count('class="simkit-rule"') == len(kit.rules)
    assert [m for m in re.findall(r'data-category="(\w+)"', cards)] == [c for c in CATEGORIES]
    card = re.search(r'<div class="simkit-rule" data-rule="legal-threat-to-legal".*?</div></div>', cards, re.S)
    assert card is not None
    assert "claims-lawsuits" in card.group(0) and html.escape(kit.jobs["claims-department"].title.en) in card.group(0)
    assert "Requires: Route to a department" in card.group(0)  # what it requires, by name
    intro = page._intro.value
    assert "first-3-days" in intro and html.escape(kit.jobs["client-relations-roles"].title.en) in intro


def test_the_right_answer_passes_and_a_new_variant_starts_fresh(kit: Kit, url: str) -> None:
    page = day1("en", kit=kit, url=url)
    _confirm(page, "Ivan")
    deck = _deck(page, "escalation")
    _show(deck, "safety-hazard-charger")
    name = deck.state.current.instance.customer.name  # type: ignore[union-attr]
    _answer(
        deck,
        f"Hello, {name}. I'm sorry. Please stop using it. Are you hurt? I'm informing my supervisor now.",
        {"escalate_supervisor": None},
    )
    assert 'class="simkit-passed"' in _one(deck, "simkit-drill-verdict").value
    assert _one(deck, "simkit-drill-answer").disabled
    seed = deck.state.current.seed  # type: ignore[union-attr]
    _one(deck, "simkit-drill-again").click()
    assert deck.state.current.seed != seed  # type: ignore[union-attr]
    assert _one(deck, "simkit-drill-verdict").value == "" and not _one(deck, "simkit-drill-answer").disabled
    assert _one(deck, "simkit-reply").value == ""
    assert len(Store(url).attempts("Ivan")) == 1


def test_trainee_text_is_shown_as_text(kit: Kit, url: str) -> None:
    page = day1("en", kit=kit, url=url)
    _confirm(page, "Eve")
    deck = _deck(page, "escalation")
    _show(deck, "discount-demand-sports-food")
    _answer(deck, "Shut up, you idiot <script>alert(1)</script><img src=x onerror=alert(2)>", {"offer_discount": 10})
    verdict = _one(deck, "simkit-drill-verdict").value
    assert "idiot" in verdict and "<script>" not in verdict and "<img" not in verdict
    assert "&lt;script&gt;" in verdict
    stored = Store(url).attempts("Eve")[0]["replies"][0]["reply"]
    assert stored.endswith("<img src=x onerror=alert(2)>")  # stored as typed


def test_the_language_switch_relabels_the_day(kit: Kit, url: str) -> None:
    page = day1("ru", kit=kit, url=url)
    _confirm(page, "Анна")
    deck = _deck(page, "escalation")
    _show(deck, "discount-demand-sports-food")
    russian_line = deck._line.value
    _answer(deck, "Дам 10 %.", {"offer_discount": 10})
    assert _one(deck, "simkit-drill-answer").description == "Ответить"
    page.bar.lang = "en"
    assert _one(deck, "simkit-drill-answer").description == "Answer"
    assert "Day 1 of 3" in page._intro.value
    assert deck._line.value != russian_line and "discount" in deck._line.value  # the customer now speaks English
    verdict = _one(deck, "simkit-drill-verdict").value
    assert html.escape(kit.rules["discount-limit-five-percent"].title.en) in verdict  # the same verdict, explained in English
    assert "Your results" in page.results.html  # type: ignore[union-attr]
    assert _one(deck, "simkit-action-escalate_supervisor").description == "Escalate to the supervisor"


# --- day 2 ---------------------------------------------------------------------------------------


def test_day2_routing_to_the_wrong_department_fails_citing_the_claims_clause(kit: Kit, url: str) -> None:
    page = day2("ru", kit=kit, url=url)
    _confirm(page, "Пётр")
    assert [d.state.kind for d in with_class(page, "simkit-drills")] == ["routing", "order", "register", "callback"]
    deck = _deck(page, "routing")
    _show(deck, "legal-threat-refund")
    department = _one(deck, "simkit-param-department")
    assert dict(department.options)["Юридический отдел"] == "legal"  # departments by name
    _answer(deck, "Передаю вашу претензию в отдел качества.", {"route_department": "quality"}, clicks=3)
    verdict = _one(deck, "simkit-drill-verdict").value
    assert 'class="simkit-not-passed"' in verdict and "claims-lawsuits" in verdict
    assert html.escape(kit.jobs["claims-department"].title.ru) in verdict
    assert "Юридический отдел" in verdict  # the expected action, named
    attempts = Store(url).attempts("Пётр")
    assert [(a["mode"], a["scenario_id"]) for a in attempts] == [("drill", "legal-threat-refund")]
    assert 'data-mode="drill"' in page.results.html  # type: ignore[union-attr]


def test_day2_a_route_without_a_department_asks_for_one(kit: Kit, url: str) -> None:
    page = day2("en", kit=kit, url=url)
    _confirm(page, "Pat")
    deck = _deck(page, "routing")
    _one(deck, "simkit-action-route_department").value = True
    _one(deck, "simkit-drill-answer").click()
    assert "Choose the department" in deck._hint.value
    assert Store(url).attempts("Pat") == []


# --- day 3 ---------------------------------------------------------------------------------------


def _play_model_answers(player: Any) -> None:
    for _ in range(12):
        dialogue = player.state.dialogue
        if dialogue is None or dialogue.finished:
            return
        turn = dialogue.turn
        _one(player, "simkit-reply").value = turn.model_reply
        for action in turn.model_actions:
            _one(player, f"simkit-action-{action.id}").value = True
            if action.department:
                _one(player, "simkit-param-department").value = action.department
            if action.percent is not None:
                _one(player, "simkit-param-percent").value = int(action.percent)
            if action.hours is not None:
                _one(player, "simkit-param-hours").value = int(action.hours)
        _one(player, "simkit-send").click()


def test_day3_plays_the_required_kinds_first_and_shows_what_is_missing(kit: Kit, url: str) -> None:
    page = day3("en", kit=kit, url=url)
    required = list(kit.readiness.required_kinds)
    player = _one(page, "simkit-player")
    order = [value for _label, value in _one(player, "simkit-scenario").options]
    assert [kit.scenarios[s].kind for s in order[: len(required)]] == required
    _confirm(page, "Dana", "G2")
    coverage = _one(page, "simkit-coverage").value
    assert all(html.escape(name("kind", k, "en")) in coverage for k in required)

    _one(player, "simkit-scenario").value = order[0]
    _one(player, "simkit-start").click()
    _play_model_answers(player)
    assert player.state.finished
    attempts = Store(url).attempts("Dana")
    assert [(a["mode"], a["scenario_id"], a["finished_at"] is not None) for a in attempts] == [("practice", order[0], True)]
    results = page.results.html  # type: ignore[union-attr]
    assert f'data-attempt="{attempts[0]["id"]}"' in results and 'data-mode="practice"' in results
    assert 'data-requirement="required_kinds"' in results and 'data-verdict="insufficient_evidence"' in results
    still = re.search(r'data-missing="([^"]*)"', _one(page, "simkit-coverage").value)
    assert still is not None and still.group(1).split() == required[1:]


# --- no English ids on Russian screens -----------------------------------------------------------


def test_russian_screens_show_no_english_ids(kit: Kit, url: str) -> None:
    one, two, three = day1("ru", kit=kit, url=url), day2("ru", kit=kit, url=url), day3("ru", kit=kit, url=url)
    for page, who in ((one, "Мария"), (two, "Мария"), (three, "Мария")):
        _confirm(page, who)
    deck = _deck(one, "escalation")
    _show(deck, "discount-demand-sports-food")
    _answer(deck, "Скидку 10 % дам.", {"offer_discount": 10})
    routing = _deck(two, "routing")
    _answer(routing, "Передаю в бухгалтерию.", {"route_department": "accounting"})
    callback = _deck(two, "callback")
    _answer(callback, "Перезвоню.", {"promise_callback": 0})
    player = _one(three, "simkit-player")
    _one(player, "simkit-start").click()
    _play_model_answers(player)
    for page in (one, two, three):
        page.refresh()
        shown = " ".join(_text(page))
        assert "Ваши результаты" in shown
        found = sorted(set(IDS.findall(shown)))
        assert not found, f"English ids on the Russian day {page.day}: {found}"


# --- the state objects and failures --------------------------------------------------------------


def test_deck_state_records_each_answer_once(kit: Kit, url: str) -> None:
    state = DeckState(kit, "register", "en", trainee="Sam", url=url)
    with pytest.raises(NoTrainee):
        DeckState(kit, "register", "en", url=url).submit("Hello", [])
    first = state.submit("I'm registering your request.", [])
    again = state.submit("Something else", [])
    assert again is first and state.recorded == 1
    assert first.stored == "stored" and first.verdict is not None
    state.move(1)
    state.submit("Registered.", [])
    assert state.recorded == 2 and len(Store(url).attempts("Sam")) == 2
    state.set_lang("ru")
    assert state.verdict("ru") is not None and state.current is not None and state.current.lang == "ru"


def test_an_unreachable_store_spools_the_answer_and_still_judges_it(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIMKIT_SPOOL", str(tmp_path / "spool"))
    away = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'x.db'}"
    page = day1("en", kit=kit, url=away)
    _confirm(page, "Lee")
    deck = _deck(page, "escalation")
    _answer(deck, "I'm passing this on.", {"escalate_supervisor": None})
    assert 'data-state="spooled"' in deck._status.value
    assert _one(deck, "simkit-drill-verdict").value != ""
    assert len(list((tmp_path / "spool").glob("*.json"))) == 1
    assert "cannot be read now" in page.results.html  # type: ignore[union-attr]
    # once a store is reachable, the spooled answer is replayed from the drill's own turn and stored once
    drill = deck.state.current
    assert drill is not None
    with Store(f"sqlite:///{tmp_path / 'back.db'}") as store:
        flush(store, kit, tmp_path / "spool")
        flush(store, kit, tmp_path / "spool")
        attempts = store.attempts("Lee")
    assert [(a["mode"], a["scenario_id"], [r["turn"] for r in a["replies"]]) for a in attempts] == [
        ("drill", drill.instance.scenario_id, [drill.turn_id])
    ]
    assert attempts[0]["id"] == re.search(r'data-attempt="([^"]+)"', deck._status.value).group(1)  # type: ignore[union-attr]


def test_another_trainee_starts_with_the_cards_unanswered(kit: Kit, url: str) -> None:
    page = day1("en", kit=kit, url=url)
    _confirm(page, "First")
    deck = _deck(page, "escalation")
    _answer(deck, "I'm passing this on.", {"escalate_supervisor": None})
    assert _one(deck, "simkit-drill-answer").disabled
    page.bar.change()
    _confirm(page, "Second")
    assert not _one(deck, "simkit-drill-answer").disabled and _one(deck, "simkit-drill-verdict").value == ""
    _answer(deck, "I'm passing this on.", {"escalate_supervisor": None})
    assert [len(Store(url).attempts(who)) for who in ("First", "Second")] == [1, 1]


def test_results_before_a_name_and_with_no_attempts(kit: Kit, url: str) -> None:
    page = day1("en", kit=kit, url=url)
    results = _one(page, "simkit-results")
    assert isinstance(results, Results) and "That's me" in html.unescape(results.html) and results.reads == 0
    _confirm(page, "Newcomer")
    assert "No attempts yet." in results.html and results.reads == 1
    assert 'data-verdict="insufficient_evidence"' in results.html
