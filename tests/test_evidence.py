"""The apps' evidence: the local store behind the ``Evidence`` interface on both backends, and the choice of it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from simkit.apps.calibration import Calibration
from simkit.apps.console import Console
from simkit.apps.dashboard import Dashboard
from simkit.apps.evidence import evidence_for, hub_user, refusal
from simkit.apps.identity import TraineeBar
from simkit.apps.join import JoinBar
from simkit.apps.local_evidence import LocalEvidence
from simkit.apps.player import Player
from simkit.content.kit import Kit
from simkit.engine.dialogue import AttemptResult, play_through
from simkit.engine.generation import generate
from simkit.errors import SimkitError
from simkit.reports.calibration import SCORER, calibration
from simkit.reports.readiness import store_judge, store_readiness
from simkit.service.client import ServiceEvidence
from simkit.service.errors import ServiceError
from simkit.service.operations import Service
from simkit.service.roles import Caller
from simkit.service.server import respond
from simkit.service.storage import StoreHandle
from simkit.service.submissions import Submissions
from simkit.service.timing import Timing
from simkit.store.database import Store
from simkit.store.decisions import decision_history
from simkit.store.judgement import (
    describe_replies,
    latest_overrides,
    latest_reviews,
    reviewers,
    sample_replies,
    verdicts_with_overrides,
)
from simkit.store.recorder import Recorder
from simkit.store.sessions import RoundError, common_failures, live_rows, round_replies

SCENARIO = "discount-demand-sports-food"
BAD = "Calm down. I will give you a 10 % discount."


def _played(kit: Kit, seed: int, replies: list[tuple[str, list[str]]]) -> AttemptResult:
    return play_through(generate(kit.scenario(SCENARIO), seed, "en"), replies, kit)


def test_the_local_store_does_everything_the_apps_ask_of_evidence(kit: Kit, db: str) -> None:
    evidence = LocalEvidence(db, kit)
    # a trainer opens a round, two trainees play in it through their recorders
    found = evidence.create_round("Monday", [SCENARIO], lang="en", cohort="G-1", trainer="Пётр")
    assert (found.title, found.scenarios, found.trainer, found.open) == ("Monday", (SCENARIO,), "Пётр", True)
    assert evidence.get_round(found.code.lower()) == found
    with pytest.raises(RoundError):
        evidence.get_round("NOPE99")
    results = {}
    for trainee in ("Anna", "Boris"):
        recorder = evidence.recorder(kit, trainee, "session", cohort="G-1", session=found.code)
        assert isinstance(recorder, Recorder)
        result = _played(kit, 4, [(BAD, ["offer_discount:10"])])
        recorder.shown(result.attempt_id)  # locally the dialogue times the replies: nothing to store
        assert recorder.record(result, final=True) == "stored"
        recorder.close()
        results[trainee] = result
    # what the trainer reads is what the store's own functions read
    with Store(db) as store:
        assert evidence.live_rows(found.code) == live_rows(store, found.code)
        assert evidence.common_failures(found.code) == common_failures(store, found.code)
        replies = round_replies(store, found.code)
        assert evidence.round_replies(found.code) == replies
    assert {r.trainee for r in evidence.live_rows(found.code)} == {"Anna", "Boris"}
    assert any(f.rule_id == "discount-limit-five-percent" for f in evidence.common_failures(found.code))
    reply = replies[0]
    assert evidence.reply_of_round(found.code, reply.reply_id) == reply
    assert evidence.add_reviews("Пётр", reply.reply_id, {"discount-limit-five-percent": "fail"}, {}) == 1
    ended = evidence.end_round(found.code)
    assert ended.code == found.code and not ended.open
    # a trainee reads their own attempts
    (anna,) = evidence.attempts("Anna")
    assert (anna["id"], anna["session"], anna["mode"]) == (results["Anna"].attempt_id, found.code, "session")
    assert len(evidence.attempts()) == 2
    # HR reads verdicts, records a decision and reads it back
    with Store(db) as store:
        assert [v.trainee for v in evidence.readiness(kit)] == [v.trainee for v in store_readiness(store, kit)]
        assert evidence.judge(kit, "Anna").verdict == store_judge(store, kit, "Anna").verdict
        reply_ids = [r["id"] for r in anna["replies"]]
        assert evidence.verdicts_with_overrides(reply_ids) == verdicts_with_overrides(store, reply_ids)
        assert [m.reviewer for m in latest_reviews(store)] == ["Пётр"]
    computed = evidence.judge(kit, "Anna")
    made = evidence.record_decision("Anna", computed.verdict, "not_ready", "one more round", "Ирина", kit.rulebook_hash)
    assert evidence.latest_decisions() == {"Anna": made}
    assert evidence.decision_history("Anna") == [made] and evidence.decision_history("Boris") == []
    books = evidence.rulebooks()
    assert [h for h, _n in books] == [kit.rulebook_hash] and books[0][1] == 2  # one reply each
    same = evidence.verdict_changes(kit, kit.rulebook_hash)
    assert same.moved == () and same.judged == 2  # the same rulebook moves nobody
    # closed, it opens the store again on the next call
    evidence.close()
    assert len(evidence.attempts()) == 2
    evidence.close()


def test_the_local_store_does_what_calibration_asks_as_the_stores_own_functions(kit: Kit, db: str) -> None:
    evidence = LocalEvidence(db, kit)
    for trainee, seed in (("Anna", 4), ("Boris", 5)):
        recorder = evidence.recorder(kit, trainee, "practice", cohort=f"G-{seed}")
        assert recorder.record(_played(kit, seed, [(BAD, ["offer_discount:10"])]), final=True) == "stored"
        recorder.close()
    with Store(db) as store:
        assert evidence.cohorts() == store.cohorts() == ["G-4", "G-5"]
        sample = evidence.sample_replies(kit, "Пётр", size=5, seed=1)
        assert sample == sample_replies(store, kit, "Пётр", 5, 1) and len(sample) == 2
        assert evidence.sample_replies(kit, "Пётр", cohort="G-4") == sample_replies(store, kit, "Пётр", cohort="G-4")
        ids = [r.reply_id for r in sample]
        assert evidence.describe_replies(kit, ids) == describe_replies(store, kit, ids)
        for reply in sample:
            assert evidence.add_reviews("Пётр", reply.reply_id, {rule.id: "fail" for rule in reply.rules}) == len(reply.rules)
            evidence.add_reviews("Oleg", reply.reply_id, {rule.id: "pass" for rule in reply.rules})
        assert evidence.reviewers() == reviewers(store) == ["Oleg", "Пётр"]
        assert evidence.sample_replies(kit, "Пётр") == []  # all reviewed by him
        mine = evidence.calibration(kit.rulebook_hash, "Пётр")
        expected = calibration(store, kit.rulebook_hash, "Пётр")
        assert mine.overall == expected.overall and mine.disagreements.equals(expected.disagreements)
        assert mine.per_rule.equals(expected.per_rule) and mine.second == SCORER
        both = evidence.calibration(kit.rulebook_hash, "Пётр", "Oleg")
        assert both.second == "Oleg" and both.overall.agreed == 0 and both.overall.n == sum(len(r.rules) for r in sample)
        rule_id = sample[0].rules[0].id
        made = evidence.add_override(sample[0].reply_id, rule_id, "pass", "Polite enough.", "Пётр")
        assert made.who == "Пётр"
        assert evidence.latest_overrides(ids) == latest_overrides(store, ids) == {(sample[0].reply_id, rule_id): made}
        assert evidence.latest_overrides() == latest_overrides(store)
    evidence.close()


def test_the_local_store_is_opened_on_first_use_and_its_failure_is_a_message(kit: Kit, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    evidence = LocalEvidence(f"sqlite:///{blocked / 'x.db'}", kit)  # nothing is opened yet: an app draws first
    with pytest.raises(SimkitError, match="cannot open the evidence store"):
        evidence.attempts("Anna")
    evidence.close()


def test_without_the_service_the_apps_use_the_store_at_the_url(kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIMKIT_SERVICE_URL", raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "a.petrova")  # a hub without the service: the local store still
    url = f"sqlite:///{tmp_path / 'local.db'}"
    chosen = evidence_for(kit, url)
    assert isinstance(chosen, LocalEvidence) and chosen.url == url
    assert chosen.attempts() == [] and Path(tmp_path / "local.db").exists()
    chosen.close()
    assert hub_user() is None  # nobody is locked in without the service


def test_under_the_hub_the_apps_use_the_service(kit: Kit, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SIMKIT_SERVICE_URL", "http://127.0.0.1:1/services/simkit/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "not-a-real-token")
    monkeypatch.setenv("JUPYTERHUB_USER", "a.petrova")
    chosen = evidence_for(kit, f"sqlite:///{tmp_path / 'never.db'}")  # the URL is not used: no credentials here
    assert isinstance(chosen, ServiceEvidence)
    assert not (tmp_path / "never.db").exists()
    assert hub_user() == "a.petrova"
    chosen.close()


def test_a_refusal_is_a_4xx_from_the_service_and_nothing_else() -> None:
    assert refusal(ServiceError(403, "forbidden", "trainers only")) == 403
    assert refusal(ServiceError(404, "no_round", "no such round")) == 404
    assert refusal(ServiceError(503, "unavailable", "the database is away")) is None  # spooled, not refused
    assert refusal(SimkitError("the store is away")) is None


# --- the apps through the service's client, the service's operations run in this process ----------


class ServiceClock:
    """The service's receipt clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def _service(kit: Kit, url: str, spool: Path, clock: ServiceClock | None = None) -> Service:
    handle = StoreHandle(url, kit.root)
    submissions = Submissions(kit, handle, spool, Timing(clock or ServiceClock()))
    return Service(kit, handle, submissions)


def _as(service: Service, user: str, *groups: str) -> ServiceEvidence:
    """What a kernel of hub user ``user`` talks to: the service's own answers, without the hub's HTTP in between."""
    caller = Caller.of(user, groups)

    def answer(request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/", 1)[-1]
        if request.method == "GET":
            return httpx.Response(200, json={"result": {"store": True, "spooled": service.submissions.spooled()}})
        status, body = respond(service, caller, name, request.read(), service.submissions.timing.now())
        return httpx.Response(status, json=body)

    return ServiceEvidence("http://127.0.0.1:1/services/simkit/", "kernel-token", transport=httpx.MockTransport(answer))


def _confirmed(name: str, lang: str = "en") -> TraineeBar:
    bar = TraineeBar(lang=lang, name=name, cohort="G-5")
    assert bar.confirm()
    return bar


def test_a_trainee_plays_through_the_service_as_the_hub_user_timed_by_the_service(kit: Kit, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    clock = ServiceClock()
    service = _service(kit, url, tmp_path / "spool", clock)
    player = Player(_confirmed("Typed Name"), scenarios=[SCENARIO], kit=kit, evidence=_as(service, "a.petrova", "trainees"))
    player.start_button.click()  # the first line is announced to the service
    clock.now += 9  # the trainee reads and types, by the service's clock
    player.reply_box.value = "Hello, Parusnik, how can I help?"
    player.send_button.click()
    clock.now += 4
    player.reply_box.value = "I understand, let me check the order."
    player.send_button.click()
    assert player.state.stored == "stored" and 'data-state="stored"' in player.status.value
    with Store(url) as store:
        (stored,) = store.attempts()
    assert stored["trainee"] == "a.petrova"  # the hub user, not the name typed in the bar
    assert [r["seconds"] for r in stored["replies"]] == [9, 4]
    service.close()


def test_while_the_services_database_is_away_the_player_says_the_service_keeps_the_attempt(kit: Kit, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("where the database's folder should be")
    service = _service(kit, f"sqlite:///{blocked / 'x.db'}", tmp_path / "spool")
    player = Player(_confirmed("Anna", "ru"), scenarios=[SCENARIO], kit=kit, evidence=_as(service, "a.petrova", "trainees"))
    player.start_button.click()
    player.reply_box.value = "Здравствуйте, чем могу помочь?"
    player.send_button.click()
    assert player.state.stored == "spooled" and player.state.kept_by_service
    status = player.status.value
    assert 'data-state="spooled"' in status and "сервис simkit сохранил попытку" in status
    assert service.submissions.spooled() == 1 and player.state.running  # kept on the server; the practice goes on
    service.close()


@pytest.mark.parametrize(("lang", "said"), [("en", "Ask the trainer to add it to the trainees group"), ("ru", "Попросите")])
def test_an_account_outside_the_trainees_group_is_told_what_to_do(kit: Kit, tmp_path: Path, lang: str, said: str) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    service = _service(kit, url, tmp_path / "spool")
    player = Player(_confirmed("Anna", lang), scenarios=[SCENARIO], kit=kit, evidence=_as(service, "guest"))
    player.start_button.click()
    player.reply_box.value = "Hello, how can I help?"
    player.send_button.click()
    status = player.status.value
    assert player.state.refused == 403 and 'data-state="failed"' in status and said in status and "Traceback" not in status
    assert player.feedback.value  # the reply is scored and explained all the same
    assert player.state.running and player.state.send("Let me check.", []).accepted  # the practice goes on
    with Store(url) as store:
        assert store.attempts() == []
    service.close()


def test_the_trainer_and_hr_work_through_the_service(kit: Kit, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    service = _service(kit, url, tmp_path / "spool")
    console = Console(lang="en", kit=kit, interval=0.1, trainer="Typed", evidence=_as(service, "t.smirnov", "trainers"))
    console.title_box.value = "Hub round"
    console.scenario_pick.value = (SCENARIO,)
    console.round_lang.value = "en"
    found = console.create()
    console.stop_polling()  # the test refreshes by hand
    assert found.trainer == "t.smirnov"
    bar = _confirmed("Anna")
    player = Player(bar, kit=kit, evidence=_as(service, "a.petrova", "trainees"))
    assert JoinBar(bar, player).join(found.code), "the trainee could not join"
    player.start_button.click()
    player.reply_box.value = BAD
    player.action_toggles["offer_discount"].value = True
    player.percent.value = 10
    player.send_button.click()
    assert console.refresh() and [r.trainee for r in console.rows] == ["a.petrova"]
    assert console.common.value and console.discuss(console.discuss_pick.options[0][1])
    board = Dashboard(lang="en", kit=kit, who="Typed", evidence=_as(service, "hr.irina", "hr"))
    assert board.state is not None and not board.error, board.error
    assert [r.readiness.trainee for r in board.rows()] == ["a.petrova"]
    board.show("a.petrova")
    board._reason.value = "One session only"
    board._guarded(board.record)
    assert 'data-state="recorded"' in board._form_note.value
    with Store(url) as store:
        assert [d.who for d in decision_history(store, "a.petrova")] == ["hr.irina"]  # the hub user, not "Typed"
    # a trainee's kernel cannot read the dashboard
    refused = Dashboard(lang="en", kit=kit, evidence=_as(service, "a.petrova", "trainees"))
    assert refused.state is None and refused.error
    console.shutdown()
    service.close()


def _under_the_hub(monkeypatch: pytest.MonkeyPatch, user: str) -> None:
    monkeypatch.setenv("SIMKIT_SERVICE_URL", "http://127.0.0.1:1/services/simkit/")
    monkeypatch.setenv("JUPYTERHUB_USER", user)


def test_a_trainer_calibrates_through_the_service_as_the_hub_user(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    service = _service(kit, url, tmp_path / "spool")
    for user in ("a.petrova", "b.orlov"):
        player = Player(_confirmed("Typed"), scenarios=[SCENARIO], kit=kit, evidence=_as(service, user, "trainees"))
        player.start_button.click()
        player.reply_box.value = BAD
        player.send_button.click()
        assert player.state.stored == "stored"
    _under_the_hub(monkeypatch, "t.smirnov")
    app = Calibration("en", kit=kit, evidence=_as(service, "t.smirnov", "trainers"))
    assert app.state.trainer == "t.smirnov" and app.name_box.value == "t.smirnov"  # the hub user, locked
    assert app.name_box.disabled and app.confirm_button.disabled and not app.draw_button.disabled
    assert [v for _label, v in app.cohort.options] == ["", "G-5"]
    app.size.value = 10
    app.draw()
    assert len(app.state.sample) == 2, app.note.value
    while app.state.current is not None:  # fails every rule the scorer judged
        for toggle in app.toggles.values():
            toggle.value = "fail"
        app.save_and_next()
    app.tabs.selected_index = 1  # the agreement, through the service
    assert app.comparison is not None and app.comparison.first == "t.smirnov", app.note.value
    assert 'class="simkit-cal-overall"' in app.report.value and app.pick.options
    reply_id, rule_id = app.pick.options[0][1]
    app.pick.value = (reply_id, rule_id)
    app.override_status.value = "fail"
    app.reason.value = "The discount is over the limit."
    app.record_override()
    assert "simkit-override-saved" in app.override_note.value and "t.smirnov" in app.override_note.value, app.note.value
    with Store(url) as store:
        assert {m.reviewer for m in latest_reviews(store)} == {"t.smirnov"}
        assert [(o.who, o.status) for o in latest_overrides(store).values()] == [("t.smirnov", "fail")]
        expected = calibration(store, kit.rulebook_hash, "t.smirnov")
    assert app.comparison.overall == expected.overall  # the figures the store gives
    service.close()


@pytest.mark.parametrize(("lang", "said"), [("en", "not in the trainers group"), ("ru", "не входит в группу тренеров")])
def test_a_trainees_account_cannot_calibrate_and_is_told_why(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, said: str
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    service = _service(kit, url, tmp_path / "spool")
    player = Player(_confirmed("Typed"), scenarios=[SCENARIO], kit=kit, evidence=_as(service, "a.petrova", "trainees"))
    player.start_button.click()
    player.reply_box.value = BAD
    player.send_button.click()
    _under_the_hub(monkeypatch, "a.petrova")
    app = Calibration(lang, kit=kit, evidence=_as(service, "a.petrova", "trainees"))  # drawn, not raised
    assert app.state.trainer == "a.petrova" and app.cohort.options[1:] == ()
    app.draw_button.click()
    assert said in app.note.value and "Traceback" not in app.note.value and app.state.sample == []
    with Store(url) as store:
        (reply,) = [r for a in store.attempts() for r in a["replies"]]
        state = app.state
        for ask in (
            lambda: state.evidence.add_reviews("a.petrova", reply["id"], {"no-rudeness": "pass"}),
            lambda: state.evidence.add_override(reply["id"], "no-rudeness", "pass", "I was polite", "a.petrova"),
            lambda: state.comparison(),
            lambda: state.evidence.describe_replies(kit, [reply["id"]]),
        ):
            with pytest.raises(ServiceError) as caught:
                ask()
            assert caught.value.status == 403
        assert latest_reviews(store) == [] and latest_overrides(store) == {}
    service.close()
