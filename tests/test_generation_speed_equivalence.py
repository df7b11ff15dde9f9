"""Generation works each scenario out once per language; an instance is what drawing and rendering afresh gives.

The reference below draws every fact and renders every line for each instance, as generation did
before it kept per-scenario plans. Both must agree on every field and on every error, for the
shipped scenarios and for content written to stress the quick forms: values with runs of spaces,
tabs or no-break spaces, braces in text, sums of a text and a number, filters, facts named like
the template builtins.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from jinja2.exceptions import TemplateError

from simkit.content.kit import Kit, load_kit
from simkit.content.models import Text
from simkit.content.sandbox import render
from simkit.content.scenario_model import Scenario
from simkit.engine.generation import REFERENCE_DATE, ScenarioInstance, _filled, _pieces, format_date, generate
from simkit.errors import GenerationError

from .conftest import FIXTURES

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _reference(scenario: Scenario, seed: int, lang: str, today: date = REFERENCE_DATE) -> ScenarioInstance:
    rng = random.Random(f"{scenario.id}/{seed}")
    person = scenario.persona.names[int(rng.random() * len(scenario.persona.names))]
    facts: dict[str, Any] = {}
    for name, fact in scenario.facts.items():
        if fact.pick is not None:
            value = fact.pick[int(rng.random() * len(fact.pick))]
            facts[name] = value.get(lang) if isinstance(value, Text) else value
        elif fact.between is not None:
            facts[name] = rng.randint(fact.between[0], fact.between[1])
        elif fact.pattern is not None:
            sources = [fact.pattern] if isinstance(fact.pattern, str) else [fact.pattern.ru, fact.pattern.en]
            draws = iter([rng.randrange(230) for _ in range(max(sum(ch in "#@" for ch in p) for p in sources))])
            source = fact.pattern if isinstance(fact.pattern, str) else fact.pattern.get(lang)
            facts[name] = "".join(
                str(next(draws) % 10) if ch == "#" else LETTERS[next(draws) // 10] if ch == "@" else ch for ch in source
            )
        else:
            assert fact.date_offset is not None
            facts[name] = format_date(today + timedelta(days=rng.randint(*fact.date_offset)), lang)
    female = person.gender == "female"
    customer = {"name": getattr(person, lang), "gender": person.gender}
    variables = {**facts, "customer": customer, "gender": lambda m, f: f if female else m}

    def line(source: str, where: str) -> str:
        pieces = _pieces(source)
        if isinstance(pieces, str):
            return pieces
        filled = None if pieces is None else _filled(pieces, facts, customer, female)
        try:
            return " ".join((render(source, variables) if filled is None else filled).split())
        except TemplateError as exc:
            raise GenerationError(f"scenario '{scenario.id}', {where}: {exc}; run 'simkit validate'") from None

    turns = []
    for turn in scenario.turns:
        lines = getattr(turn.customer, lang)
        pick = int(rng.random() * len(lines))
        turns.append(
            {
                "id": turn.id,
                "topics": turn.topics,
                "customer": line(lines[pick], f"turn '{turn.id}'"),
                "phrasing": pick,
                "expect": turn.expect,
                "actions": turn.actions,
                "model_reply": line(turn.model.get(lang), f"model reply of turn '{turn.id}'"),
                "model_actions": turn.model.actions,
            }
        )
    outcomes = {}
    for outcome, phrasings in scenario.outcomes.items():
        lines = getattr(phrasings, lang)
        outcomes[outcome] = line(lines[int(rng.random() * len(lines))], f"outcome '{outcome}'")
    return ScenarioInstance(
        scenario_id=scenario.id,
        kind=scenario.kind,
        role=scenario.role,
        channel=scenario.channel,
        difficulty=scenario.difficulty,
        lang=lang,
        seed=seed,
        title=scenario.title.get(lang),
        summary=scenario.summary.get(lang),
        customer={"name": customer["name"], "gender": person.gender},
        anger=scenario.persona.anger,
        facts=facts,
        turns=turns,
        outcomes=outcomes,
    )


def _outcome(make: Any, *args: Any) -> tuple[str, str]:
    """The instance as JSON, or the error it raised: both ways must end the same."""
    try:
        return "instance", make(*args).model_dump_json()
    except Exception as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_shipped_instances_match_the_reference(kit: Kit, lang: str) -> None:
    for scenario in kit.scenarios.values():
        for seed in (*range(12), 12345, -7):
            assert generate(scenario, seed, lang).model_dump_json() == _reference(scenario, seed, lang).model_dump_json()
        for today in (date(2024, 2, 29), date(2031, 12, 31)):
            assert generate(scenario, 3, lang, today) == _reference(scenario, 3, lang, today)


def _stressed() -> Scenario:
    """The minimal scenario with lines and facts that the quick forms must leave to the reference's way."""
    data = load_kit(FIXTURES / "minikit").scenario("mini").model_dump(exclude_defaults=True)
    data["id"] = "stressed"
    data["persona"]["names"].append({"ru": "Анна  Мария", "en": "Anna\tMaria", "gender": "female"})
    data["facts"].update(
        {
            "spaced": {"pick": ["two  spaces", " edge", "plain", {"ru": "а  б", "en": "a\u00a0b"}]},
            "braces": {"pattern": {"ru": "{#}-@ x", "en": "{@}##"}},
            "mixed": {"pick": [1, "2"]},
            "half": {"pick": [3, 4]},
            "when": {"date_offset": [-3, 3]},
            "gender": {"between": [1, 2]},
        }
    )
    turn = data["turns"][0]
    turn["customer"]["ru"] = [
        "Вот {{ spaced }} и {{ braces }} {x} }} ",
        "\tИтого\n{{ days + half }}, {{ mixed + days }}? {{ customer.name }}  {{ gender('a  b', '{c}') }}",
        "{{ spaced | upper }}  и {{ when }} .",
        "{{ days + gender }} {{ half + half }}",
    ]
    turn["customer"]["en"] = [
        "Got {{ spaced }} and {{ braces }} {x} }} ",
        "\tTotal\n{{ days + half }}, {{ mixed + days }}? {{ customer.name }}  {{ gender('a  b', '{c}') }}",
        "{{ spaced | upper }}  on {{ when }} .",
        "{{ days + gender }} {{ half + half }}",
    ]
    return Scenario.model_validate(data)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_stressed_content_matches_the_reference(lang: str) -> None:
    scenario = _stressed()
    ends = set()
    for seed in range(200):
        ours = _outcome(generate, scenario, seed, lang)
        assert ours == _outcome(_reference, scenario, seed, lang), seed
        ends.add(ours[0])
    assert ends == {"instance", "GenerationError"}  # both ways were taken, text and number added once


def test_an_instance_shares_no_list_with_another() -> None:
    scenario = load_kit(FIXTURES / "minikit").scenario("mini")
    first, second = generate(scenario, 1, "en"), generate(scenario, 2, "en")
    assert first.turns[0].topics is not second.turns[0].topics
    assert first.turns[0].model_actions is not second.turns[0].model_actions
    first.turns[0].topics.append("changed")
    assert generate(scenario, 1, "en").turns[0].topics == scenario.turns[0].topics
