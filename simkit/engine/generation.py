"""Generation: a scenario script plus a seed gives a concrete, rendered scenario instance.

Every random draw comes from one ``random.Random`` seeded with the scenario id and the seed
(string seeding hashes with SHA-512, so it is the same on every machine), and the draws do not
depend on the language: seed 7 gives the same customer, facts and phrasing choices in Russian and
in English. Dates count from a fixed reference date unless the caller passes another, so the same
inputs give byte-identical JSON on every run.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import TemplateError
from pydantic import BaseModel, ConfigDict

from ..content.models import Text
from ..content.sandbox import parse_template, render
from ..content.scenario_model import Action, Fact, Gender, Outcome, Scenario
from ..errors import GenerationError

REFERENCE_DATE = date(2026, 3, 2)

_MONTHS = {
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Customer(_Frozen):
    """The generated customer."""

    name: str
    gender: Gender


class InstanceTurn(_Frozen):
    """One turn as rendered for this instance."""

    id: str
    topics: list[str]
    customer: str
    phrasing: int
    expect: list[str]
    actions: list[str]
    model_reply: str
    model_actions: list[Action]


class ScenarioInstance(_Frozen):
    """A concrete scenario: what the trainee will see, in one language."""

    scenario_id: str
    kind: str
    role: str
    channel: str
    difficulty: int
    lang: str
    seed: int
    title: str
    summary: str
    customer: Customer
    anger: int
    facts: dict[str, int | str]
    turns: list[InstanceTurn]
    outcomes: dict[Outcome, str]

    def turn(self, turn_id: str) -> InstanceTurn:
        """The turn with this id (KeyError names it if absent)."""
        for t in self.turns:
            if t.id == turn_id:
                return t
        raise KeyError(f"scenario '{self.scenario_id}' has no turn '{turn_id}'")


def format_date(day: date, lang: str) -> str:
    """A date as people write it: '14 марта' / '14 March'."""
    return f"{day.day} {_MONTHS[lang][day.month - 1]}"


def _draw(fact: Fact, rng: random.Random) -> Any:
    """The language-neutral value of one fact: an index, an integer, a text or a day offset."""
    if fact.pick is not None:
        return fact.pick[int(rng.random() * len(fact.pick))]
    if fact.between is not None:
        return rng.randint(fact.between[0], fact.between[1])
    if fact.pattern is not None:
        sources = [fact.pattern] if isinstance(fact.pattern, str) else [fact.pattern.ru, fact.pattern.en]
        slots = max(sum(ch in "#@" for ch in p) for p in sources)
        return _Pattern(fact.pattern, [rng.randrange(10 * len(_LETTERS)) for _ in range(slots)])
    assert fact.date_offset is not None
    return timedelta(days=rng.randint(fact.date_offset[0], fact.date_offset[1]))


class _Pattern:
    """A pattern with its random slots drawn once, filled per language in the same order."""

    def __init__(self, pattern: str | Text, draws: list[int]) -> None:
        self.pattern = pattern
        self.draws = draws

    def fill(self, lang: str) -> str:
        source = self.pattern if isinstance(self.pattern, str) else self.pattern.get(lang)
        draws = iter(self.draws)
        out = []
        for ch in source:
            if ch == "#":
                out.append(str(next(draws) % 10))
            elif ch == "@":
                out.append(_LETTERS[next(draws) // 10])
            else:
                out.append(ch)
        return "".join(out)


def _localise(value: Any, lang: str, today: date) -> int | str:
    if isinstance(value, _Pattern):
        return value.fill(lang)
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, timedelta):
        return format_date(today + value, lang)
    return value  # type: ignore[no-any-return]


# A template piece: literal text, or ("fact", name, ""), ("sum", name, name), ("customer", field, ""),
# ("gender", masculine, feminine).
Piece = str | tuple[str, str, str]


@lru_cache(maxsize=4096)
def _pieces(source: str) -> str | tuple[Piece, ...] | None:
    """The template as literal text and plain substitutions, or None when it needs Jinja.

    Nearly every scenario line is text with ``{{ fact }}``, ``{{ customer.name }}``,
    ``{{ gender('...', '...') }}`` or ``{{ a + b }}`` in it; filling those directly gives what the
    sandbox renders at a tenth of its cost. Anything else (expressions, filters, tags) is left to
    Jinja. A line with no substitution at all comes back as its final text, spaces collapsed.
    """
    try:
        ast = parse_template(source)
    except ValueError:
        return None
    out: list[Piece] = []
    for output in ast.body:
        if not isinstance(output, nodes.Output):
            return None
        for node in output.nodes:
            if isinstance(node, nodes.TemplateData):
                out.append(node.data)
            elif isinstance(node, nodes.Name):
                out.append(("fact", node.name, ""))
            elif isinstance(node, nodes.Add) and isinstance(node.left, nodes.Name) and isinstance(node.right, nodes.Name):
                out.append(("sum", node.left.name, node.right.name))  # a bill's total: two amounts
            elif isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name == "customer":
                if node.attr not in ("name", "gender"):
                    return None
                out.append(("customer", node.attr, ""))
            elif (
                isinstance(node, nodes.Call)
                and isinstance(node.node, nodes.Name)
                and node.node.name == "gender"
                and len(node.args) == 2
                and all(isinstance(a, nodes.Const) and isinstance(a.value, str) for a in node.args)
                and not (node.kwargs or node.dyn_args or node.dyn_kwargs)
            ):
                masculine, feminine = (str(getattr(a, "value", "")) for a in node.args)
                out.append(("gender", masculine, feminine))
            else:
                return None
    literal = [piece for piece in out if isinstance(piece, str)]
    if len(literal) == len(out):
        return " ".join("".join(literal).split())
    return tuple(out)


def _filled(pieces: tuple[Piece, ...], facts: dict[str, Any], customer: dict[str, str], female: bool) -> str | None:
    """The pieces filled in, or None when one names something that is not a plain fact."""
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        elif piece[0] == "fact":
            value = facts.get(piece[1])
            # a name that is no fact (or is a builtin) goes to Jinja, which reports it as it always did
            if not isinstance(value, int | str) or piece[1] in ("customer", "gender"):
                return None
            out.append(str(value))
        elif piece[0] == "sum":
            left, right = facts.get(piece[1]), facts.get(piece[2])
            # anything but two whole numbers that are facts: Jinja decides, as it always did
            if type(left) is not int or type(right) is not int or {piece[1], piece[2]} & {"customer", "gender"}:
                return None
            out.append(str(left + right))
        elif piece[0] == "customer":
            out.append(customer[piece[1]])
        else:
            out.append(piece[2] if female else piece[1])
    return "".join(out)


def generate(scenario: Scenario, seed: int, lang: str, today: date | None = None) -> ScenarioInstance:
    """Render one instance of ``scenario`` for ``seed`` in ``lang`` ('ru' or 'en')."""
    if lang not in scenario.languages:
        raise GenerationError(f"scenario '{scenario.id}' is not written in '{lang}' (it has {', '.join(scenario.languages)})")
    rng = random.Random(f"{scenario.id}/{seed}")
    base = today or REFERENCE_DATE
    person = scenario.persona.names[int(rng.random() * len(scenario.persona.names))]
    facts = {name: _localise(_draw(fact, rng), lang, base) for name, fact in scenario.facts.items()}
    customer = Customer(name=getattr(person, lang), gender=person.gender)
    female = person.gender == "female"
    variables: dict[str, Any] = {
        **facts,
        "customer": {"name": customer.name, "gender": customer.gender},
        "gender": lambda masculine, feminine: feminine if female else masculine,
    }

    def _render(source: str, where: str) -> str:
        pieces = _pieces(source)
        if isinstance(pieces, str):
            return pieces
        if pieces is not None:
            text = _filled(pieces, facts, variables["customer"], female)
            if text is not None:
                return " ".join(text.split())
        try:
            return " ".join(render(source, variables).split())
        except TemplateError as exc:
            raise GenerationError(f"scenario '{scenario.id}', {where}: {exc}; run 'simkit validate'") from None

    turns = []
    for turn in scenario.turns:
        lines = getattr(turn.customer, lang)
        pick = int(rng.random() * len(lines))
        turns.append(
            InstanceTurn(
                id=turn.id,
                topics=list(turn.topics),
                customer=_render(lines[pick], f"turn '{turn.id}'"),
                phrasing=pick,
                expect=list(turn.expect),
                actions=list(turn.actions),
                model_reply=_render(turn.model.get(lang), f"model reply of turn '{turn.id}'"),
                model_actions=list(turn.model.actions),
            )
        )
    outcomes = {}
    for outcome, phrasings in scenario.outcomes.items():
        lines = getattr(phrasings, lang)
        outcomes[outcome] = _render(lines[int(rng.random() * len(lines))], f"outcome '{outcome}'")
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
        customer=customer,
        anger=scenario.persona.anger,
        facts=facts,
        turns=turns,
        outcomes=outcomes,
    )


def generate_many(scenario: Scenario, seed: int, lang: str, count: int, today: date | None = None) -> list[ScenarioInstance]:
    """``count`` instances with consecutive seeds from ``seed``: one variant per trainee."""
    return [generate(scenario, seed + k, lang, today) for k in range(count)]
