"""Calibration: Cohen's kappa by hand, two trainers, degenerate cases, labelled replies for eval-behaviors, and the app."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from simkit.apps.calibration import Calibration, CalibrationState, NotMarked
from simkit.content.kit import Kit
from simkit.engine.dialogue import AttemptResult, play_model, play_through
from simkit.engine.generation import generate
from simkit.language.detection import detect
from simkit.language.evaluation import load
from simkit.reports.calibration import (
    NO_PAIRS,
    ONE_CATEGORY,
    SCORER,
    agreement,
    behaviour_label,
    calibration,
    cohen_kappa,
    compare,
    confusion,
    consensus,
    export_labelled,
    labelled_examples,
    ratings_frame,
)
from simkit.store.database import Store
from simkit.store.judgement import add_override, add_reviews, latest_overrides, latest_reviews, sample_replies

RUDE = "Успокойтесь, вы сами виноваты."
HOSTILE = '<img src=x onerror="alert(1)"> <script>alert(2)</script> Здравствуйте!'
CliRun = Callable[..., tuple[int, str, str]]


# --- kappa -------------------------------------------------------------------------------


def test_kappa_matches_a_hand_computed_example() -> None:
    # trainer (first) against scorer (second), ten (reply, rule) pairs:
    #                 scorer pass  scorer fail  scorer n/a   | trainer total
    #   trainer pass       4            1            0       |     5
    #   trainer fail       1            3            0       |     4
    #   trainer n/a        1            0            0       |     1
    #   scorer total       6            4            0       |    10
    # p_o = (4 + 3) / 10 = 0.70
    # p_e = (5*6 + 4*4 + 1*0) / 100 = 46 / 100 = 0.46
    # kappa = (0.70 - 0.46) / (1 - 0.46) = 0.24 / 0.54 = 4/9 = 0.444...
    pairs = [("pass", "pass")] * 4 + [("pass", "fail"), ("fail", "pass")] + [("fail", "fail")] * 3 + [("n/a", "pass")]
    assert cohen_kappa(confusion(pairs)) == pytest.approx(4 / 9)
    found = agreement(pairs)
    assert (found.n, found.agreed, found.percent, found.note) == (10, 7, pytest.approx(70.0), "")
    assert found.kappa == pytest.approx(0.4444, abs=1e-4)


def test_kappa_in_the_degenerate_cases_is_undefined_or_plain_never_a_division_by_zero() -> None:
    none = agreement([])
    assert none.n == 0 and math.isnan(none.kappa) and math.isnan(none.percent) and none.note == NO_PAIRS
    same = agreement([("pass", "pass")] * 5)  # one category only: chance explains everything
    assert math.isnan(same.kappa) and same.percent == 100.0 and same.note == ONE_CATEGORY
    apart = agreement([("pass", "fail")] * 3)  # each used one category, a different one: p_e = 0
    assert apart.kappa == 0.0 and apart.percent == 0.0 and apart.note == ""
    perfect = agreement([("pass", "pass"), ("fail", "fail"), ("n/a", "n/a")])
    assert perfect.kappa == 1.0
    worse = agreement([("pass", "fail"), ("fail", "pass")])  # p_o = 0, p_e = 0.5
    assert worse.kappa == pytest.approx(-1.0)


def test_compare_gives_per_rule_pooled_overall_and_the_disagreements() -> None:
    rows = [
        ("r1", "greet", "Anna", "pass"),
        ("r1", "greet", SCORER, "pass"),
        ("r2", "greet", "Anna", "fail"),
        ("r2", "greet", SCORER, "fail"),
        ("r1", "rude", "Anna", "pass"),
        ("r1", "rude", SCORER, "pass"),
        ("r2", "rude", "Anna", "fail"),
        ("r2", "rude", SCORER, "pass"),
        ("r3", "rude", "Anna", "pass"),  # the scorer has no label here: left out
    ]
    ratings = pd.DataFrame(rows, columns=["reply_id", "rule_id", "rater", "status"])
    result = compare(ratings, "Anna", SCORER)
    per = result.per_rule.set_index("rule_id")
    assert per.loc["greet", "kappa"] == 1.0 and per.loc["greet", "percent"] == 100.0
    # rude: pairs (pass, pass), (fail, pass): p_o = 1/2, p_e = (1*2 + 1*0)/4 = 1/2 -> kappa 0
    assert per.loc["rude", "kappa"] == 0.0 and per.loc["rude", "n"] == 2
    # pooled: 4 pairs, 3 agree; trainer pass 2 fail 2, scorer pass 3 fail 1: p_e = (2*3 + 2*1)/16 = 1/2
    assert result.overall.n == 4 and result.overall.kappa == pytest.approx((3 / 4 - 1 / 2) / (1 / 2))
    assert result.disagreements.to_dict("records") == [{"reply_id": "r2", "rule_id": "rude", "first": "fail", "second": "pass"}]


# --- the store -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def attempts(kit: Kit) -> list[AttemptResult]:
    fridge = generate(kit.scenario("late-delivery-fridge"), 1, "ru")
    return [
        play_through(fridge, [(RUDE, None)], kit),  # the customer hangs up after it
        play_through(generate(kit.scenario("late-delivery-fridge"), 3, "ru"), [(HOSTILE, None)], kit),
        play_model(generate(kit.scenario("late-delivery-fridge"), 2, "ru"), kit),
    ]


def _filled(url: str, attempts: list[AttemptResult]) -> Store:
    store = Store(url)
    for result in attempts:
        store.save_attempt(result, "Anna", "practice", cohort="A")
    return store


@pytest.fixture
def store(tmp_path: Path, attempts: list[AttemptResult]) -> Iterator[Store]:
    opened = _filled(f"sqlite:///{tmp_path / 'c.db'}", attempts)
    yield opened
    opened.close()


def _automatic(store: Store, reply_id: str) -> dict[str, str]:
    return {v["rule"]: v["status"] for a in store.attempts() for r in a["replies"] if r["id"] == reply_id for v in r["verdicts"]}


def test_two_trainers_and_each_against_the_scorer(db: str, attempts: list[AttemptResult], kit: Kit) -> None:
    store = _filled(db, attempts)
    try:
        sample = sample_replies(store, kit, "Tatiana", size=3, seed=4)
        assert sample == sample_replies(store, kit, "Oleg", size=3, seed=4)  # the same seed: the same replies
        for reply in sample:
            scorer = _automatic(store, reply.reply_id)
            add_reviews(store, "Tatiana", reply.reply_id, {r.id: scorer[r.id] for r in reply.rules})
            # Oleg agrees with the scorer except on the first rule of each reply, which he calls n/a
            add_reviews(
                store, "Oleg", reply.reply_id, {r.id: "n/a" if k == 0 else scorer[r.id] for k, r in enumerate(reply.rules)}
            )
        pairs = sum(len(r.rules) for r in sample)
        tatiana = calibration(store, kit.rulebook_hash, "Tatiana")
        assert tatiana.overall.n == pairs and tatiana.overall.percent == 100.0 and tatiana.disagreements.empty
        both = calibration(store, kit.rulebook_hash, "Tatiana", "Oleg")
        assert both.overall.n == pairs and both.overall.agreed == pairs - len(sample)
        assert sorted(both.disagreements["second"]) == ["n/a"] * len(sample)
        # the pooled kappa, computed here from the counts as the formula says
        ratings = ratings_frame(store, kit.rulebook_hash)
        mine = ratings[ratings.rater == "Tatiana"].set_index(["reply_id", "rule_id"])["status"]
        his = ratings[ratings.rater == "Oleg"].set_index(["reply_id", "rule_id"])["status"]
        n = len(mine)
        chance = sum((mine == k).sum() * (his == k).sum() for k in ("pass", "fail", "n/a"))
        expected = (n * (pairs - len(sample)) - chance) / (n * n - chance)
        assert both.overall.kappa == pytest.approx(expected)
        assert set(ratings.rater) == {"Tatiana", "Oleg", SCORER}
    finally:
        store.close()


# --- export for eval-behaviors ---------------------------------------------------------------


def test_a_rule_mark_maps_to_a_behaviour_only_when_the_rule_checks_one_behaviour(kit: Kit) -> None:
    assert behaviour_label(kit.rules["no-rudeness"], "fail") == ("rude", True)
    assert behaviour_label(kit.rules["no-rudeness"], "pass") == ("rude", False)
    assert behaviour_label(kit.rules["greet-in-writing"], "pass") == ("greeting", True)
    assert behaviour_label(kit.rules["greet-in-writing"], "fail") == ("greeting", False)
    assert behaviour_label(kit.rules["greet-on-phone"], "fail") is None  # its fail may be the time limit
    assert behaviour_label(kit.rules["greet-on-phone"], "pass") == ("greeting", True)
    assert behaviour_label(kit.rules["no-rudeness"], "n/a") is None
    assert behaviour_label(kit.rules["refuse-confidential-request"], "pass") is None  # an action would do too
    assert behaviour_label(kit.rules["discount-limit-five-percent"], "fail") is None  # a condition on the value


def test_consensus_takes_the_override_else_agreeing_trainers(store: Store, kit: Kit) -> None:
    reply = next(s for s in sample_replies(store, kit, "T", size=100) if s.text == RUDE)
    add_reviews(store, "Tatiana", reply.reply_id, {"no-rudeness": "pass", "no-shouting": "pass", "no-calm-down-command": "fail"})
    add_reviews(store, "Oleg", reply.reply_id, {"no-rudeness": "fail", "no-shouting": "pass", "no-calm-down-command": "fail"})
    assert consensus(store) == {(reply.reply_id, "no-shouting"): "pass", (reply.reply_id, "no-calm-down-command"): "fail"}
    add_override(store, reply.reply_id, "no-rudeness", "fail", "sarcastic", "Oleg")
    assert consensus(store)[(reply.reply_id, "no-rudeness")] == "fail"
    assert consensus(store, ["Tatiana"])[(reply.reply_id, "no-rudeness")] == "fail"  # the override counts for everyone


def test_exported_labels_are_read_by_eval_behaviors(store: Store, kit: Kit, tmp_path: Path, cli: CliRun) -> None:
    rude = next(s for s in sample_replies(store, kit, "T", size=100) if s.text == RUDE)
    other = next(s for s in sample_replies(store, kit, "T", size=100) if s.text not in (RUDE, HOSTILE))
    assert "calm_down_command" in {f.behavior for f in detect(RUDE, "ru", rude.customer_name)}
    # the trainer says: no calm-down command here (the detector disagrees), and it blames the customer
    add_reviews(
        store, "Tatiana", rude.reply_id, {"no-calm-down-command": "pass", "no-blame-customer": "fail", "no-rudeness": "pass"}
    )
    add_reviews(store, "Tatiana", other.reply_id, {r.id: _automatic(store, other.reply_id)[r.id] for r in other.rules})
    path = tmp_path / "calibrated.jsonl"
    assert export_labelled(store, kit, path) == 2  # the replies nobody reviewed are left out
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    by_id = {line["id"]: line for line in lines}
    mine = by_id[rude.reply_id]
    assert mine["lang"] == "ru" and mine["text"] == RUDE and mine["context"]["customer_message"] == rude.customer
    assert (
        "calm_down_command" not in mine["behaviors"] and "blame_customer" in mine["behaviors"] and "rude" not in mine["behaviors"]
    )
    assert mine["judged"] == ["blame_customer", "calm_down_command", "rude"]
    examples = {e.id: e for e in load(path)}
    assert examples[rude.reply_id].gold == frozenset(mine["behaviors"])
    assert examples[rude.reply_id].customer_name == rude.customer_name
    code, out, err = cli("eval-behaviors", str(path), "--misses")
    assert code == 0, err
    assert "[ru] replies 2" in out and "micro-F1" in out
    assert f"{rude.reply_id}: missing [] extra ['calm_down_command']" in out  # exactly the trainer's disagreement
    assert other.reply_id not in out.split("misses:")[1]  # the trainer agreed with the scorer there
    code, out, _err = cli("eval-behaviors", str(path), "--json")
    assert code == 0 and json.loads(out)["all"]["n"] == 2


def test_nothing_to_export_without_reviews(store: Store, kit: Kit) -> None:
    assert labelled_examples(store, kit) == []


# --- the app's logic ----------------------------------------------------------------------------


def _review_text(app: Calibration) -> str:
    parts = [app.progress.value, app.reply.value, app.hint.value, app.note.value]
    for row in app.rules.children:
        parts += [child.value if isinstance(child.value, str) else repr(child.value) for child in row.children]
    return " ".join(parts)


def test_reviewing_never_shows_the_automatic_verdicts(store: Store, kit: Kit) -> None:
    app = Calibration("en", kit=kit, url=store.url)
    app.name_box.value = "  Tatiana  "
    app.confirm()
    assert app.state.trainer == "Tatiana"
    app.size.value = 10
    app.draw()
    seen, hostile_seen = 0, False
    while app.state.current is not None:
        reply = app.state.current
        failed = [r for r, s in _automatic(store, reply.reply_id).items() if s == "fail"]
        assert set(app.toggles) == {r.id for r in reply.rules}
        assert all(t.value is None for t in app.toggles.values())  # no toggle starts at the scorer's verdict
        shown = _review_text(app)
        assert "simkit-verdict" not in shown and "data-status" not in shown and "Reply score" not in shown
        for rule_id in failed:
            assert kit.rules[rule_id].feedback.en not in shown
        if reply.text == HOSTILE:
            assert "<img" not in app.reply.value and "<script" not in app.reply.value and "&lt;img" in app.reply.value
            hostile_seen = True
        for toggle in app.toggles.values():
            toggle.value = "pass"
        app.save_and_next()
        seen += 1
    assert seen == 5 and app.state.saved == 5 and hostile_seen


def test_saving_stores_the_marks_once_and_needs_every_rule_marked(store: Store, kit: Kit) -> None:
    app = Calibration("ru", kit=kit, url=store.url)
    app.name_box.value = "Tatiana"
    app.confirm()
    app.show_agreement()
    assert "Сравнивать пока нечего" in app.report.value  # nothing reviewed yet: no figures, no division by zero
    app.draw()
    reply = app.state.current
    assert reply is not None
    first, *rest = list(app.toggles)
    app.toggles[first].value = "fail"
    app.comment_boxes[first].value = "грубо <b>"
    app.save_button.click()  # some rules unmarked: nothing stored, a hint instead
    assert latest_reviews(store) == [] and app.hint.value and app.state.current == reply
    for rule_id in rest:
        app.toggles[rule_id].value = "n/a"
    app.save_button.click()
    app.save_button.click()  # a double click: the next reply is unmarked, nothing more is stored, no complaint
    assert app.hint.value == "" and app.state.saved == 1
    marks = {m.rule_id: m for m in latest_reviews(store, [reply.reply_id])}
    assert {r: m.status for r, m in marks.items()} == {first: "fail", **{r: "n/a" for r in rest}}
    assert marks[first].comment == "грубо <b>" and marks[first].reviewer == "Tatiana"
    assert len(latest_reviews(store)) == len(reply.rules)
    state = CalibrationState(kit, store.url)
    with pytest.raises(NotMarked):
        state.save_and_next() if state.current else state.draw()  # no trainer yet
    state.close()


def test_an_override_from_the_agreement_tab_keeps_the_automatic_verdict(store: Store, kit: Kit) -> None:
    app = Calibration("en", kit=kit, url=store.url)
    app.name_box.value = "Tatiana"
    app.confirm()
    app.draw()
    while app.state.current is not None:  # she fails every rule, and calls none of the hostile reply's in scope
        for toggle in app.toggles.values():
            toggle.value = "n/a" if app.state.current.text == HOSTILE else "fail"
        app.save_and_next()
    app.tabs.selected_index = 1
    assert 'class="simkit-cal-overall"' in app.report.value and "simkit-cal-disagreement" in app.report.value
    assert "<img" not in app.report.value and "&lt;img" in app.report.value
    reply_id, rule_id = next(v for _label, v in app.pick.options if _automatic(store, v[0])[v[1]] == "pass")
    app.pick.value = (reply_id, rule_id)
    app.override_status.value = "fail"
    app.record_override()  # no reason: refused, nothing stored
    assert latest_overrides(store) == {} and app.note.value
    app.reason.value = "The reply ignores the customer's question."
    app.record_override()
    made = latest_overrides(store)[(reply_id, rule_id)]
    assert (made.status, made.who, made.reason) == ("fail", "Tatiana", "The reply ignores the customer's question.")
    assert _automatic(store, reply_id)[rule_id] == "pass"  # the automatic verdict is still there
    assert "overridden: fail (Tatiana" in app.report.value
    app.lang_buttons.value = "ru"
    assert "Правило" in app.report.value


def test_the_app_compares_with_another_trainer(store: Store, kit: Kit) -> None:
    reply = sample_replies(store, kit, "Oleg", size=1)[0]
    add_reviews(store, "Oleg", reply.reply_id, {r.id: "pass" for r in reply.rules})
    add_reviews(store, "Tatiana", reply.reply_id, {r.id: "fail" for r in reply.rules})
    app = Calibration("en", kit=kit, url=store.url)
    app.name_box.value = "Tatiana"
    app.confirm()
    assert ("Oleg", "Oleg") in app.compare.options
    app.compare.value = "Oleg"
    app.show_agreement()
    assert "Tatiana and Oleg: agreement" in app.report.value
    assert app.comparison is not None and app.comparison.overall.n == len(reply.rules) and app.comparison.overall.agreed == 0


def test_a_bad_name_is_refused_in_the_readers_language(store: Store, kit: Kit) -> None:
    app = Calibration("ru", kit=kit, url=store.url)
    app.name_box.value = "   "
    app.confirm()
    assert app.state.trainer is None and "имя" in app.note.value.lower()
    assert app.draw_button.disabled
