"""Dialogues: model answers win, rude scripts lose, runs reproduce, time and endings behave."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from simkit.content.kit import Kit, load_kit
from simkit.engine.dialogue import Dialogue, DialogueOver, StepClock, play_model, play_through
from simkit.engine.generation import generate

from .conftest import ROOT, CliResult

SCENARIOS = sorted(p.stem.replace("_", "-") for p in (ROOT / "scenarios").glob("*.yaml"))
RUDE = {
    "ru": "Успокойтесь. Вы сами виноваты, надо было читать договор. Вы вообще слушаете? Ничем не могу помочь.",
    "en": "Calm down. You should have read the contract. Are you even listening? Not my problem.",
}


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_model_answers_resolve_or_escalate(kit: Kit, scenario_id: str, lang: str) -> None:
    for seed in range(20):
        result = play_model(generate(kit.scenario(scenario_id), seed, lang), kit)
        assert result.finished, (seed, [e.turn.id for e in result.exchanges])
        assert result.outcome in ("resolved", "escalated"), (seed, result.outcome, result.anger)
        assert not result.critical_failures, (seed, result.critical_failures)


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_rude_script_loses_or_fails(kit: Kit, scenario_id: str, lang: str) -> None:
    instance = generate(kit.scenario(scenario_id), 1, lang)
    result = play_through(instance, [(RUDE[lang], None)] * 12, kit)
    assert result.outcome == "lost" or result.critical_failures
    assert not result.passed
    assert result.anger[-1] > result.anger[0] or result.outcome == "lost"


def test_same_replies_give_the_same_attempt(kit: Kit) -> None:
    instance = generate(kit.scenario("isp-outage-how-long"), 4, "ru")
    replies = [
        ("Здравствуйте! Извините, сейчас проверю.", None),
        ("Передаю инженерам, приедут завтра до 12:00.", ["route_department:technical"]),
    ]
    first = play_through(instance, replies, kit, seconds=[12, 30]).to_json()
    second = play_through(instance, replies, kit, seconds=[12, 30]).to_json()
    assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)
    assert first["seconds"] == [12, 30]


def test_the_anger_curve_follows_the_mood_table(kit: Kit) -> None:
    instance = generate(kit.scenario("late-delivery-fridge"), 2, "en")
    result = play_through(instance, [(RUDE["en"], None)], kit)
    (exchange,) = result.exchanges
    mood = kit.mood
    expected = mood.drift + sum(mood.behaviors.get(f.behavior, 0) for f in exchange.score.findings)
    expected += sum(mood.rules.get(v.rule_id, mood.severity[v.severity]) for v in exchange.score.verdicts if v.status == "fail")  # type: ignore[index]
    assert result.anger == [instance.anger, max(0, min(10, instance.anger + expected))]


def test_slow_first_answer_on_the_phone_fails_the_three_rings_rule(kit: Kit) -> None:
    instance = generate(kit.scenario("discount-demand-sports-food"), 1, "ru")
    turn = instance.turns[0]
    quick = play_through(instance, [(turn.model_reply, list(turn.model_actions))], kit, seconds=[5])
    slow = play_through(instance, [(turn.model_reply, list(turn.model_actions))], kit, seconds=[40])
    verdict = {v.rule_id: v for v in slow.exchanges[0].score.verdicts}["greet-on-phone"]
    assert {v.rule_id: v for v in quick.exchanges[0].score.verdicts}["greet-on-phone"].status == "pass"
    assert verdict.status == "fail" and "15" in verdict.missing[0] and "40" in verdict.missing[0]


def test_turn_reply_limit_makes_the_customer_angrier(shipped_copy: Path) -> None:
    file = shipped_copy / "scenarios" / "late_delivery_fridge.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("  - id: late\n", "  - id: late\n    reply_limit_seconds: 20\n", 1), encoding="utf-8")
    kit = load_kit(shipped_copy)
    instance = generate(kit.scenario("late-delivery-fridge"), 1, "ru")
    reply = [(instance.turns[0].model_reply, list(instance.turns[0].model_actions))]
    in_time = play_through(instance, reply, kit, seconds=[10])
    late = play_through(instance, reply, kit, seconds=[60])
    assert late.exchanges[0].late and not in_time.exchanges[0].late
    assert late.anger[1] == in_time.anger[1] + 1


def test_hanging_up_on_an_open_case_is_lost(kit: Kit) -> None:
    instance = generate(kit.scenario("late-delivery-fridge"), 1, "ru")
    turn = instance.turns[0]
    result = play_through(instance, [(turn.model_reply, [*turn.model_actions, "end_conversation"])], kit)
    assert result.outcome == "lost" and result.finished


def test_replies_running_out_leave_the_case_unresolved(kit: Kit) -> None:
    instance = generate(kit.scenario("late-delivery-fridge"), 1, "en")
    turn = instance.turns[0]
    result = play_through(instance, [(turn.model_reply, list(turn.model_actions))], kit)
    assert not result.finished and result.outcome == "lost"
    assert len(result.exchanges) == 1


def test_no_reply_after_the_end(kit: Kit) -> None:
    instance = generate(kit.scenario("discount-demand-sports-food"), 1, "en")
    dialogue = Dialogue(instance, kit, StepClock())
    while dialogue.turn is not None:
        dialogue.reply(dialogue.turn.model_reply, list(dialogue.turn.model_actions))
    assert dialogue.outcome == "escalated"
    assert dialogue.customer_line == instance.outcomes["escalated"]
    with pytest.raises(DialogueOver):
        dialogue.reply("Hello?")


def test_cli_play_model_json(cli: Callable[..., CliResult]) -> None:
    code, out, _ = cli(
        "play", "discount-demand-sports-food", "--seed", "3", "--lang", "en", "--model", "--json", "--kit", str(ROOT)
    )
    data = json.loads(out)
    assert code == 0
    assert data["outcome"] == "escalated" and data["critical_failures"] == []
    assert 0 <= data["score"] <= 100 and len(data["anger"]) == len(data["turns"]) + 1
    assert {"customer", "reply", "verdicts", "feedback"} <= set(data["turns"][0])


def test_cli_play_replies_file(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    replies = tmp_path / "replies.yaml"
    replies.write_text(
        "- Хорошо, дам вам скидку 10%.\n"
        "- text: Здравствуйте! Переключаю вас на начальника отдела.\n"
        "  actions: [escalate_supervisor]\n"
        "  seconds: 4\n",
        encoding="utf-8",
    )
    code, out, _ = cli(
        "play", "discount-demand-sports-food", "--seed", "3", "--replies", str(replies), "--json", "--kit", str(ROOT)
    )
    data = json.loads(out)
    assert code == 0
    assert "discount-limit-five-percent" in data["critical_failures"]
    assert data["turns"][0]["text_only"] is True and data["turns"][1]["actions"] == [{"id": "escalate_supervisor"}]
    assert data["seconds"][1] == 4


def test_cli_play_bad_replies_file_names_the_line(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    replies = tmp_path / "replies.yaml"
    replies.write_text("- Здравствуйте!\n- text: Переключаю.\n  actions: [fly_away]\n", encoding="utf-8")
    code, _, err = cli("play", "discount-demand-sports-food", "--replies", str(replies), "--kit", str(ROOT))
    assert code == 1
    assert f"{replies}:2:" in err and "fly_away" in err


def test_cli_play_usage(cli: Callable[..., CliResult]) -> None:
    assert cli("play", "discount-demand-sports-food", "--json", "--kit", str(ROOT))[0] == 2
    assert cli("play", "discount-demand-sports-food", "--model", "--replies", "x.yaml", "--kit", str(ROOT))[0] == 2


def test_typed_play_reads_replies_and_actions_from_the_terminal() -> None:
    typed = "Здравствуйте! Соединяю вас с начальником отдела.\n2\nПонимаю вас, начальник перезвонит в течение часа.\n\n"
    run = subprocess.run(
        [sys.executable, "-m", "simkit", "play", "discount-demand-sports-food", "--seed", "3", "--lang", "ru"],
        input=typed,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Клиент" in out and "раздражение" in out and "Итоги попытки" in out
    assert "Передать руководителю" in out  # escalate_supervisor, by its name on a Russian screen
