"""The scenario player without a browser: its state object and its widget, against the real engine and store."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from simkit.apps.identity import TraineeBar
from simkit.apps.local_evidence import LocalEvidence
from simkit.apps.player import DOUBLE_CLICK_SECONDS, NoTrainee, Player, PlayerState
from simkit.content.kit import Kit
from simkit.engine.dialogue import AttemptResult
from simkit.engine.scoring import MAX_REPLY_CHARS
from simkit.service.errors import ServiceError
from simkit.store.database import Store
from simkit.store.recorder import Recorder
from simkit.store.records import Mode

SCENARIO = "discount-demand-sports-food"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A fresh SQLite store for one test."""
    return f"sqlite:///{tmp_path / 'player.db'}"


def _attempts(url: str, trainee: str | None = None) -> list[dict[str, Any]]:
    with Store(url) as store:
        return store.attempts(trainee)


class FakeTime:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _bar(lang: str = "en", name: str = "Анна Петрова", cohort: str = "G-7") -> TraineeBar:
    bar = TraineeBar(lang=lang, name=name, cohort=cohort)
    assert bar.confirm()
    return bar


@pytest.fixture
def player(kit: Kit, url: str) -> Iterator[Player]:
    """A confirmed trainee's player in practice mode, on a fresh store."""
    yield Player(_bar(), scenarios=[SCENARIO, "late-delivery-fridge"], kit=kit, url=url)


def _answer_with_model(player: Player) -> None:
    """Type the turn's model reply and set its model actions the way a trainee would, then press Send."""
    turn = player.state.dialogue.turn if player.state.dialogue else None
    assert turn is not None
    player.reply_box.value = turn.model_reply
    for action in turn.model_actions:
        player.action_toggles[action.id].value = True
        if action.department is not None:
            player.department.value = action.department
        if action.percent is not None:
            player.percent.value = int(action.percent)
        if action.hours is not None:
            player.hours.value = int(action.hours)
    player.send_button.click()


def _play_to_the_end(player: Player) -> int:
    turns = 0
    while player.state.running:
        _answer_with_model(player)
        turns += 1
        assert turns < 20
    return turns


# --- the state, plain Python -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_state_plays_a_scenario_and_records_it_once(kit: Kit, url: str, lang: str) -> None:
    state = PlayerState(kit, "Олег", "G-1", lang, "practice", url)
    instance = state.start(SCENARIO, seed=11)
    assert instance.lang == lang and instance.seed == 11
    state.shown()
    while state.running:
        turn = state.dialogue.turn if state.dialogue else None
        assert turn is not None
        outcome = state.send(turn.model_reply, list(turn.model_actions))
        assert outcome.accepted and outcome.stored == "stored"
    result = state.result()
    assert result is not None and result.finished and result.passed
    assert state.send("one more", []).reason == "finished"
    assert state.abandon() is None  # a finished attempt is not abandoned
    (stored,) = _attempts(url)
    assert (stored["id"], stored["trainee"], stored["cohort"], stored["mode"]) == (result.attempt_id, "Олег", "G-1", "practice")
    assert (stored["outcome"], stored["lang"], stored["seed"]) == (result.outcome, lang, 11)
    assert [r["reply"] for r in stored["replies"]] == [e.reply for e in result.exchanges]
    assert stored["finished_at"] is not None


def test_nothing_is_played_before_the_trainee_is_known(kit: Kit, url: str) -> None:
    state = PlayerState(kit, None, None, "en", "practice", url)
    with pytest.raises(NoTrainee):
        state.start(SCENARIO)
    assert state.send("hello", []).reason == "no_attempt"


def test_an_empty_reply_without_actions_is_not_sent(kit: Kit, url: str) -> None:
    state = PlayerState(kit, "Ann", None, "en", "practice", url)
    state.start(SCENARIO, seed=1)
    assert state.send("   \n ", []).reason == "empty"
    assert state.recorded == 0 and _attempts(url) == []
    assert state.send("", ["register_request"]).accepted  # an action alone is a reply


def test_the_reply_time_runs_from_when_the_line_is_shown(kit: Kit, url: str) -> None:
    clock = FakeTime()
    state = PlayerState(kit, "Ann", None, "en", "practice", url, clock=clock)
    state.start("late-delivery-fridge", seed=3)
    clock.now += 30  # drawing the screen takes long: not the trainee's time
    state.shown()
    clock.now += 7
    first = state.send("Good afternoon, Parusnik, Anna speaking. I'm sorry about the wait.", [])
    assert first.exchange is not None and first.exchange.seconds == 7
    clock.now += 50  # storing and drawing the feedback
    state.shown()
    clock.now += 20
    second = state.send("Let me check.", [])
    assert second.exchange is not None and second.exchange.seconds == 20


def test_a_slow_first_reply_on_the_phone_breaks_the_response_time_rule(kit: Kit, url: str) -> None:
    clock = FakeTime()
    state = PlayerState(kit, "Ann", None, "en", "practice", url, clock=clock)
    state.start("late-delivery-fridge", seed=3)
    state.shown()
    clock.now += 40
    state.send("Good afternoon, Parusnik, Anna speaking.", [])
    greet = next(f for f in state.feedback("en") if f.rule_id == "greet-on-phone")
    assert greet.missing == ("a reply within 15 s (it took 40 s)",)


def test_another_variant_records_the_unfinished_attempt_as_abandoned(kit: Kit, url: str) -> None:
    state = PlayerState(kit, "Ann", "G-2", "en", "session", url)
    first = state.start(SCENARIO, seed=5)
    state.shown()
    state.send("Hello, how can I help?", [])
    old_id = state.attempt_id
    second = state.new_variant()
    assert second.scenario_id == first.scenario_id and second.seed != first.seed
    assert state.attempt_id != old_id and state.running
    (abandoned,) = _attempts(url)
    assert abandoned["id"] == old_id and abandoned["mode"] == "session"
    assert abandoned["finished_at"] is not None and len(abandoned["replies"]) == 1
    assert state.new_variant().seed != second.seed  # no reply to the second: nothing recorded for it
    assert [a["id"] for a in _attempts(url)] == [old_id]


def test_assessment_mode_gives_no_feedback_before_the_end(kit: Kit, url: str) -> None:
    state = PlayerState(kit, "Ann", None, "en", "assessment", url)
    state.start(SCENARIO, seed=5)
    state.send("Calm down, it's your own fault.", [])
    assert state.last_exchange is not None and any(v.status == "fail" for v in state.last_exchange.score.verdicts)
    assert state.feedback("en") == [] and state.mood_reasons("en") == []
    assert state.practise("en")  # the scorecard still says what to practise


def test_an_unreachable_store_keeps_the_attempt_in_the_spool(kit: Kit, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the database's folder should be")
    state = PlayerState(kit, "Ann", None, "en", "practice", f"sqlite:///{blocked / 'x.db'}")
    state.start(SCENARIO, seed=5)
    outcome = state.send("Hello, how can I help?", [])
    assert outcome.accepted and outcome.stored == "spooled"


# --- the widget --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_widget_plays_a_whole_scenario(kit: Kit, url: str, lang: str) -> None:
    bar = _bar(lang)
    player = Player(bar, scenarios=[SCENARIO], kit=kit, url=url)
    assert "simkit-player" in player._dom_classes
    player.start_button.click()
    instance = player.state.instance
    assert instance is not None and instance.lang == lang
    situation = player.situation.value
    assert html.escape(instance.title) in situation and html.escape(instance.customer.name) in situation
    assert html.escape(instance.turns[0].model_reply, quote=True) not in situation + player.chat.value
    assert "simkit-msg-customer" in player.chat.value
    offered = {c.children[0] for c in player.actions_box.children}
    assert offered == {player.action_toggles[a] for a in instance.turns[0].actions}
    turns = _play_to_the_end(player)
    result = player.state.result()
    assert result is not None and result.finished
    assert player.chat.value.count("simkit-msg-trainee") == turns
    assert "simkit-mood-meter" in player.mood.value and 'data-anger="' in player.mood.value
    card = player.scorecard.value
    assert "data:image/png;base64," in card
    assert ("Исход" if lang == "ru" else "Outcome") in card
    (stored,) = _attempts(url, "Анна Петрова")
    assert (stored["id"], stored["cohort"], stored["mode"], len(stored["replies"])) == (
        result.attempt_id,
        "G-7",
        "practice",
        turns,
    )
    assert f'data-attempt="{result.attempt_id}"' in player.status.value
    assert 'data-state="stored"' in player.status.value


def test_feedback_quotes_the_reply_and_cites_the_clause(player: Player, kit: Kit) -> None:
    player.start_button.click()
    reply = "Calm down, it's your own fault."
    player.reply_box.value = reply
    player.send_button.click()
    feedback = player.feedback.value
    explained = player.state.feedback("en")
    assert feedback.count('class="simkit-verdict"') == len(explained) > 2
    blame = next(f for f in explained if f.rule_id == "no-blame-customer")
    for a, b in blame.spans:
        assert f"<mark>{html.escape(reply[a:b])}</mark>" in feedback
    assert html.escape(blame.clause.job_title) in feedback and "simkit-clause" in feedback
    assert html.escape(blame.better) in feedback
    assert "Reply score" in feedback
    assert "simkit-mood-why" in player.mood_why._dom_classes and "Blaming the customer" in player.mood_why.value


def test_assessment_mode_shows_only_the_scorecard_at_the_end(kit: Kit, url: str) -> None:
    player = Player(_bar(), scenarios=[SCENARIO], mode="assessment", kit=kit, url=url)
    player.start_button.click()
    player.reply_box.value = "Calm down, it's your own fault."
    player.send_button.click()
    while player.state.running:
        assert player.feedback.value == "" and player.mood_why.value == "" and player.scorecard.value == ""
        _answer_with_model(player)
    assert player.feedback.value == "" and player.mood_why.value == ""
    assert "data:image/png;base64," in player.scorecard.value
    (stored,) = _attempts(url)
    assert stored["mode"] == "assessment"


def test_a_double_click_on_send_stores_one_reply(player: Player, url: str) -> None:
    player.start_button.click()
    player.reply_box.value = "Hello, Parusnik, how can I help?"
    player.send_button.click()
    player.send_button.click()  # arrives after the first was handled: the box is empty by then
    assert len(player.state.dialogue.exchanges if player.state.dialogue else []) == 1
    (stored,) = _attempts(url)
    assert len(stored["replies"]) == 1
    assert player.hint.value == ""  # no scolding for a double click
    player._last_send -= DOUBLE_CLICK_SECONDS + 1  # later, an empty Send is a mistake worth a word
    player.send_button.click()
    assert "Type a reply" in player.hint.value
    assert len(_attempts(url)[0]["replies"]) == 1


def test_a_disabled_send_button_sends_nothing(player: Player, url: str) -> None:
    player.start_button.click()
    player.reply_box.value = "Hello"
    player.send_button.disabled = True  # a click that arrives while a reply is being processed
    player.send_button.click()
    assert _attempts(url) == []


def test_routing_needs_a_department(kit: Kit, url: str) -> None:
    player = Player(_bar(), scenarios=["late-delivery-fridge"], kit=kit, url=url)
    player.start_button.click()
    player.reply_box.value = "I'll pass this on."
    player.action_toggles["route_department"].value = True
    player.send_button.click()
    assert "Choose the department" in player.hint.value and _attempts(url) == []
    player.department.value = "delivery"
    player.send_button.click()
    (stored,) = _attempts(url)
    assert stored["replies"][0]["actions"] == [{"id": "route_department", "department": "delivery"}]


@pytest.mark.parametrize(
    "reply",
    [HOSTILE, "<script>alert('x')</script>", "Спасибо 🙏🏽 за терпение 👍", "&lt;b&gt; & \" '"],
)
def test_hostile_replies_are_scored_and_shown_as_text(player: Player, url: str, reply: str) -> None:
    player.start_button.click()
    player.reply_box.value = reply
    player.send_button.click()
    shown = player.chat.value + player.feedback.value
    assert html.escape(reply) in player.chat.value
    assert "<img" not in shown and "<script" not in shown
    (stored,) = _attempts(url)
    assert stored["replies"][0]["reply"] == reply


def test_a_huge_reply_is_refused_and_one_at_the_length_cap_is_stored_whole_and_shown_cut(player: Player, url: str) -> None:
    huge = ("Your fault! " + HOSTILE + " ") * 2500
    assert len(huge) > 100_000
    player.start_button.click()
    player.reply_box.value = huge
    player.send_button.click()
    assert "at most 5,000 characters" in player.hint.value and "<img" not in player.hint.value
    assert player.reply_box.value == huge and _attempts(url) == []  # left in the box, to be shortened
    reply = huge[:MAX_REPLY_CHARS]
    player.reply_box.value = reply
    player.send_button.click()
    assert player.hint.value == ""
    assert len(player.chat.value) < 20_000 and len(player.feedback.value) < 200_000
    assert "more characters not shown" in player.chat.value
    assert "<img" not in player.chat.value + player.feedback.value
    assert "<mark>" in player.feedback.value
    (stored,) = _attempts(url)
    assert stored["replies"][0]["reply"] == reply


def test_a_hostile_trainee_name_is_stored_as_typed_and_shown_escaped(kit: Kit, url: str) -> None:
    bar = _bar(name=f"  {HOSTILE} Ann  ")
    assert "<img" not in bar._note.value and html.escape(HOSTILE) in bar._note.value
    player = Player(bar, scenarios=[SCENARIO], kit=kit, url=url)
    player.start_button.click()
    player.reply_box.value = "Hello"
    player.send_button.click()
    (stored,) = _attempts(url)
    assert stored["trainee"] == f"{HOSTILE} Ann"


def test_another_variant_button_changes_the_seed_and_keeps_the_abandoned_attempt(player: Player, url: str) -> None:
    player.start_button.click()
    first = player.state.instance
    player.reply_box.value = "Hello, how can I help?"
    player.send_button.click()
    first_id = player.state.attempt_id
    player.variant_button.click()
    second = player.state.instance
    assert first is not None and second is not None
    assert second.scenario_id == first.scenario_id and second.seed != first.seed
    assert player.state.running and player.chat.value.count("simkit-msg-trainee") == 0
    (abandoned,) = _attempts(url)
    assert abandoned["id"] == first_id and abandoned["finished_at"] is not None


def test_the_language_switch_relabels_at_once_and_the_dialogue_keeps_its_language(player: Player) -> None:
    player.start_button.click()
    customer_line = player.state.dialogue.customer_line if player.state.dialogue else ""
    assert player.send_button.description == "Send"
    player.bar.lang = "ru"
    assert player.send_button.description == "Отправить"
    assert player.start_button.description == "Начать"
    assert player.action_toggles["offer_discount"].description == "Предложить скидку"
    assert "Клиент" in player.situation.value  # the labels follow the screen
    assert html.escape(customer_line) in player.chat.value  # the running dialogue stays English
    assert player.state.instance is not None and player.state.instance.lang == "en"
    player.variant_button.click()
    assert player.state.instance is not None and player.state.instance.lang == "ru"


def test_nothing_starts_before_the_name_is_confirmed(kit: Kit, url: str) -> None:
    bar = TraineeBar(lang="en")
    player = Player(bar, scenarios=[SCENARIO], kit=kit, url=url)
    assert player.start_button.disabled and "That's me" in player.intro.value.replace("&#x27;", "'")
    player.start_button.click()
    assert player.state.dialogue is None
    bar.name = "Ann"
    bar.confirm()
    assert not player.start_button.disabled
    player.start_button.click()
    assert player.state.running
    player.reply_box.value = "Hello"
    player.send_button.click()
    bar.change()  # a new name: the attempt of the old one ends and is kept under it
    assert not player.state.running
    (stored,) = _attempts(url, "Ann")
    assert stored["finished_at"] is not None


def test_the_player_draws_itself_before_the_kit_is_loaded(url: str) -> None:
    player = Player(_bar(), scenarios=[SCENARIO], url=url)
    assert "simkit-player" in player._dom_classes
    assert player.ready.wait(60)
    assert player.picker.options and player.picker.value == SCENARIO
    assert player.intro.value == ""


def test_the_status_carries_the_attempt_id(player: Player) -> None:
    player.start_button.click()
    player.reply_box.value = "Hello"
    player.send_button.click()
    match = re.search(r'class="simkit-status" data-attempt="([0-9a-f-]+)"', player.status.value)
    assert match is not None and match.group(1) == player.state.attempt_id


def test_an_unknown_scenario_is_named(kit: Kit, url: str) -> None:
    with pytest.raises(Exception, match="no-such-scenario"):
        Player(_bar(), scenarios=["no-such-scenario"], kit=kit, url=url)


def test_each_reply_is_in_the_store_before_its_feedback_is_drawn(player: Player, url: str) -> None:
    seen: list[int] = []

    def drawn(change: dict[str, Any]) -> None:
        if change["new"]:  # feedback is being drawn: count what the store holds at this moment
            attempts = _attempts(url)
            seen.append(len(attempts[0]["replies"]) if attempts else 0)

    player.feedback.observe(drawn, names="value")
    player.start_button.click()
    for expected in (1, 2):
        player.reply_box.value = "Hello, I'll check what happened."
        player.send_button.click()
        assert seen[-1] == expected


def test_under_jupyterhub_the_name_starts_as_the_hub_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "a.petrova")
    bar = TraineeBar(lang="ru")
    assert bar.name == "a.petrova" and bar.trainee is None  # still to be confirmed
    assert bar.confirm() and bar.trainee == "a.petrova"
    assert TraineeBar(name="Anna").name == "Anna"


def test_the_trainee_bar_checks_the_name_and_relabels_itself() -> None:
    bar = TraineeBar(lang="ru", name="   ")
    assert not bar.confirm() and "имя" in bar._note.value
    bar.lang = "en"
    assert "name" in bar._note.value  # the reason follows the language
    bar.name = "x" * 81
    assert not bar.confirm() and "80" in bar._note.value
    bar.name = "  Ольга   Ким \t"
    assert bar.confirm() and bar.trainee == "Ольга Ким" and bar.cohort_name is None
    assert "simkit-identity" in bar._dom_classes
    with pytest.raises(ValueError, match="de"):
        TraineeBar(lang="de")


# --- the evidence the player records through -------------------------------------------------------


class WatchedRecorder(Recorder):
    """The real recorder, noting each time the player says a customer line is on the screen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pings: list[str] = []

    def shown(self, attempt_id: str) -> None:
        self.pings.append(attempt_id)


class WatchedEvidence(LocalEvidence):
    """The local store, with recorders that note the player's "shown" calls (the service times replies from them)."""

    def __init__(self, url: str, kit: Kit) -> None:
        super().__init__(url, kit)
        self.recorders: list[WatchedRecorder] = []

    def recorder(
        self, kit: Kit, trainee: str, mode: Mode, cohort: str | None = None, session: str | None = None
    ) -> WatchedRecorder:
        made = WatchedRecorder(kit, trainee, mode, cohort=cohort, session=session, url=self.url)
        self.recorders.append(made)
        return made


class RefusingRecorder(Recorder):
    """A recorder whose service refuses every attempt with ``status`` (tests/test_evidence.py has the real service refuse)."""

    status = 403

    def record(self, result: AttemptResult, final: bool = False) -> Literal["stored", "spooled"]:
        raise ServiceError(self.status, "forbidden" if self.status == 403 else "bad_request", "trainees only")


class RefusingEvidence(LocalEvidence):
    def __init__(self, url: str, kit: Kit, status: int) -> None:
        super().__init__(url, kit)
        self.status = status

    def recorder(
        self, kit: Kit, trainee: str, mode: Mode, cohort: str | None = None, session: str | None = None
    ) -> RefusingRecorder:
        made = RefusingRecorder(kit, trainee, mode, cohort=cohort, session=session, url=self.url)
        made.status = self.status
        return made


def test_the_recorder_is_told_each_time_a_customer_line_is_put_on_screen(kit: Kit, url: str) -> None:
    evidence = WatchedEvidence(url, kit)
    player = Player(_bar(), scenarios=[SCENARIO], kit=kit, url=url, evidence=evidence)
    player.start_button.click()
    (recorder,) = evidence.recorders
    attempt = player.state.attempt_id
    assert recorder.pings == [attempt]  # the first line is on the screen
    player.reply_box.value = "x" * (MAX_REPLY_CHARS + 1)
    player.send_button.click()  # refused as too long: the line on screen is the same one
    player.reply_box.value = ""
    player._last_send -= DOUBLE_CLICK_SECONDS + 1
    player.send_button.click()  # refused as empty
    assert recorder.pings == [attempt]
    turns = _play_to_the_end(player)
    # one line shown per reply asked for; the scorecard after the last reply asks for none
    assert recorder.pings == [attempt] * turns
    (stored,) = _attempts(url)
    assert stored["id"] == attempt and len(stored["replies"]) == turns  # recorded through the evidence given


def test_a_refusal_other_than_forbidden_names_the_services_reason(kit: Kit, url: str) -> None:
    state = PlayerState(kit, "Ann", None, "en", "practice", url, evidence=RefusingEvidence(url, kit, 422))
    state.start(SCENARIO, seed=5)
    assert state.send("Hello, how can I help?", []).stored == "failed" and state.refused == 422
    player = Player(_bar(), scenarios=[SCENARIO], kit=kit, evidence=RefusingEvidence(url, kit, 422))
    player.start_button.click()
    player.reply_box.value = "Hello, how can I help?"
    player.send_button.click()
    assert "the simkit service refused the attempt (bad_request: trainees only). Tell the trainer" in player.status.value


def test_under_the_hubs_service_the_name_is_the_hub_user_and_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "a.petrova")
    monkeypatch.setenv("SIMKIT_SERVICE_URL", "http://127.0.0.1:1/services/simkit/")
    bar = TraineeBar(lang="ru", name="Someone Else")
    assert bar.confirmed and bar.trainee == "a.petrova" and bar._name_box.disabled
    assert "a.petrova" in bar._note.value and "под которым вы вошли" in bar._note.value
    bar.name = "Mallory"  # not even code renames the signed-in user
    assert bar.name == "a.petrova" and bar.trainee == "a.petrova"
    bar.change()  # the group may still be changed
    assert bar._name_box.disabled and not bar._cohort_box.disabled and bar.trainee is None
    assert "группу" in bar._note.value
    bar.cohort = "G-3"
    bar.lang = "en"
    assert bar.confirm() and (bar.trainee, bar.cohort_name) == ("a.petrova", "G-3")
    assert "the name you signed in with" in bar._note.value and bar._confirm_button.description == "Change the group"


def test_without_the_service_the_hub_user_is_only_a_suggestion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "a.petrova")
    monkeypatch.delenv("SIMKIT_SERVICE_URL", raising=False)
    bar = TraineeBar(lang="en")
    assert not bar.confirmed and not bar._name_box.disabled
    bar.name = "Anna Petrova"
    assert bar.confirm() and bar.trainee == "Anna Petrova" and "signed in" not in bar._note.value


def test_under_the_hub_the_attempt_is_the_hub_users(kit: Kit, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "b.ivanov")
    monkeypatch.setenv("SIMKIT_SERVICE_URL", "http://127.0.0.1:1/services/simkit/")
    bar = TraineeBar(lang="en", name="Somebody")
    player = Player(bar, scenarios=[SCENARIO], kit=kit, evidence=LocalEvidence(url, kit))
    player.start_button.click()  # no name to type and confirm: the player is ready at once
    player.reply_box.value = "Hello, Parusnik, how can I help?"
    player.send_button.click()
    assert [a["trainee"] for a in _attempts(url)] == ["b.ivanov"]
