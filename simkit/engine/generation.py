"""Generation: a scenario script plus a seed gives a concrete, rendered scenario instance.

Every random draw comes from one ``random.Random`` seeded with the scenario id and the seed
(string seeding hashes with SHA-512, so it is the same on every machine), and the draws do not
depend on the language: seed 7 gives the same customer, facts and phrasing choices in Russian and
in English. Dates count from a fixed reference date unless the caller passes another, so the same
inputs give byte-identical JSON on every run.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import TemplateError
from pydantic import BaseModel, ConfigDict

from ..content.models import Text
from ..content.sandbox import TEMPLATE_BUILTINS, parse_template, render
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


# The slots of a pattern: a draw below 230 gives a digit (its last figure) or a letter (its tens).
_SLOT_DRAWS = 10 * len(_LETTERS)
_DIGITS = tuple(str(d % 10) for d in range(_SLOT_DRAWS))
_CAPITALS = tuple(_LETTERS[d // 10] for d in range(_SLOT_DRAWS))

# A fact's generator for one language: the random draws and the localised value they give.
_Draw = Callable[[random.Random, date], int | str]


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _clean(value: int | str) -> bool:
    """Whether a value goes into a line unchanged by the whitespace tidy-up (no run, edge or tab)."""
    text = str(value)
    return bool(text) and _tidy(text) == text


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _drawer(fact: Fact, lang: str) -> tuple[_Draw, bool]:
    """How one fact is drawn and localised, and whether every value it can take is clean.

    The draws are the same in every language (a pattern draws for its longer spelling), so that
    seed 7 gives the same facts in Russian and in English.
    """
    if fact.pick is not None:
        values = tuple(v.get(lang) if isinstance(v, Text) else v for v in fact.pick)
        return (lambda rng, base: values[int(rng.random() * len(values))]), all(map(_clean, values))
    if fact.between is not None:
        low, high = fact.between
        return (lambda rng, base: rng.randint(low, high)), True
    if fact.pattern is not None:
        sources = [fact.pattern] if isinstance(fact.pattern, str) else [fact.pattern.ru, fact.pattern.en]
        slots = range(max(sum(ch in "#@" for ch in p) for p in sources))
        source = fact.pattern if isinstance(fact.pattern, str) else fact.pattern.get(lang)
        form = _escaped(source).replace("#", "{}").replace("@", "{}")
        tables = [_DIGITS if ch == "#" else _CAPITALS for ch in source if ch in "#@"]

        def pattern(rng: random.Random, base: date) -> str:
            draws = [rng.randrange(_SLOT_DRAWS) for _ in slots]
            return form.format(*[table[d] for table, d in zip(tables, draws, strict=False)])

        return pattern, _clean(source)
    assert fact.date_offset is not None
    first, last = fact.date_offset
    return (lambda rng, base: format_date(base + timedelta(days=rng.randint(first, last)), lang)), True


class _Jinja:
    """A line the quick forms do not cover: filled piece by piece when it can be, else by the sandbox."""

    def __init__(self, source: str, where: str) -> None:
        self.source, self.where = source, where


# A line ready for an instance: its final text, format strings for a male and a female customer
# (filled with the instance's values), or a line left to Jinja.
_Ready = str | tuple[str, str] | _Jinja


class _Plan:
    """What generating one scenario in one language needs that no seed changes, worked out once.

    Each line becomes a format string over a tuple of the instance's values (facts in file order,
    the customer's name and gender, then the sums lines add up), with the gender() choice written
    in. When every value a fact or name can take is clean, the tidy-up is done on the format
    string itself: a clean value neither adds a run of spaces nor ends next to one, so tidying the
    filled line changes nothing more, and the line needs no tidying per instance.
    """

    def __init__(self, scenario: Scenario, lang: str) -> None:
        self.head: dict[str, Any] = dict(scenario_id=scenario.id, kind=scenario.kind, role=scenario.role, lang=lang)
        self.head |= dict(channel=scenario.channel, difficulty=scenario.difficulty, anger=scenario.persona.anger)
        self.head |= dict(title=scenario.title.get(lang), summary=scenario.summary.get(lang))
        # a customer holds two texts, so one validated customer serves every instance
        self.names = [(Customer(name=getattr(n, lang), gender=n.gender), n.gender == "female") for n in scenario.persona.names]
        drawers = {name: _drawer(fact, lang) for name, fact in scenario.facts.items()}
        self.facts = [(name, draw) for name, (draw, _) in drawers.items()]
        self.clean = all(clean for _, clean in drawers.values()) and all(_clean(c.name) for c, _ in self.names)
        self.slot = {name: k for k, name in enumerate(drawers)}
        self.slot["customer.name"], self.slot["customer.gender"] = len(drawers), len(drawers) + 1
        # facts that are a whole number in every instance, the only ones a sum is filled from directly
        whole = {n for n, f in scenario.facts.items() if f.between or (f.pick and all(type(v) is int for v in f.pick))}
        self.whole = whole - TEMPLATE_BUILTINS
        self.sums: list[tuple[str, str]] = []
        # the scenario's own lists can go in: validation copies every list into the instance
        self.turns = [
            (
                dict(id=turn.id, topics=turn.topics, expect=turn.expect, actions=turn.actions, model_actions=turn.model.actions),
                [self._line(source, f"turn '{turn.id}'") for source in getattr(turn.customer, lang)],
                self._line(turn.model.get(lang), f"model reply of turn '{turn.id}'"),
            )
            for turn in scenario.turns
        ]
        self.outcomes = [
            (outcome, [self._line(source, f"outcome '{outcome}'") for source in getattr(phrasings, lang)])
            for outcome, phrasings in scenario.outcomes.items()
        ]

    def _line(self, source: str, where: str) -> _Ready:
        """The line as final text or format strings, or a _Jinja when some instance may need the sandbox.

        A piece goes to a format field only where ``_filled`` would fill it for every seed.
        """
        pieces = _pieces(source)
        if isinstance(pieces, str):
            return pieces
        if pieces is None:
            return _Jinja(source, where)
        male: list[str] = []
        female: list[str] = []
        for piece in pieces:
            if isinstance(piece, str):
                male.append(_escaped(piece))
                female.append(male[-1])
                continue
            kind, first, second = piece
            if kind == "gender":
                male.append(_escaped(first))
                female.append(_escaped(second))
                continue
            if kind == "customer":
                slot = self.slot[f"customer.{first}"]
            elif kind == "fact" and first in self.slot and first not in TEMPLATE_BUILTINS:
                slot = self.slot[first]
            elif kind == "sum" and {first, second} <= self.whole:
                if (first, second) not in self.sums:
                    self.sums.append((first, second))
                slot = len(self.slot) + self.sums.index((first, second))
            else:
                return _Jinja(source, where)
            male.append(f"{{{slot}}}")
            female.append(male[-1])
        return (_tidy("".join(male)), _tidy("".join(female))) if self.clean else ("".join(male), "".join(female))


# Plans by scenario object and language. An entry holds its scenario, so the id is not reused while
# the entry exists; the oldest entries go once there are more than a reloaded kit or two needs.
_PLANS: dict[tuple[int, str], tuple[Scenario, _Plan]] = {}
_PLANS_KEPT = 256
_PLANS_LOCK = threading.Lock()


def _plan(scenario: Scenario, lang: str) -> _Plan:
    found = _PLANS.get((id(scenario), lang))
    if found is not None and found[0] is scenario:
        return found[1]
    plan = _Plan(scenario, lang)
    with _PLANS_LOCK:
        while len(_PLANS) >= _PLANS_KEPT:
            del _PLANS[next(iter(_PLANS))]
        _PLANS[(id(scenario), lang)] = (scenario, plan)
    return plan


def generate(scenario: Scenario, seed: int, lang: str, today: date | None = None) -> ScenarioInstance:
    """Render one instance of ``scenario`` for ``seed`` in ``lang`` ('ru' or 'en')."""
    if lang not in scenario.languages:
        raise GenerationError(f"scenario '{scenario.id}' is not written in '{lang}' (it has {', '.join(scenario.languages)})")
    plan = _plan(scenario, lang)
    rng = random.Random(f"{scenario.id}/{seed}")
    base = today or REFERENCE_DATE
    customer, female = plan.names[int(rng.random() * len(plan.names))]
    facts = {name: draw(rng, base) for name, draw in plan.facts}
    values = (*facts.values(), customer.name, customer.gender, *[int(facts[a]) + int(facts[b]) for a, b in plan.sums])
    clean = plan.clean

    def text(line: _Ready) -> str:
        if type(line) is str:
            return line
        if type(line) is tuple:
            filled = line[female].format(*values)
            return filled if clean else _tidy(filled)
        assert isinstance(line, _Jinja)
        return _rendered(line, facts, customer, female, scenario.id)

    turns = []
    for head, lines, reply in plan.turns:
        pick = int(rng.random() * len(lines))
        turns.append({**head, "customer": text(lines[pick]), "phrasing": pick, "model_reply": text(reply)})
    outcomes = {outcome: text(lines[int(rng.random() * len(lines))]) for outcome, lines in plan.outcomes}
    # one validation of the whole instance: the customer and the actions are models already, which
    # pydantic takes as they are, and the turns are checked in the same pass
    return ScenarioInstance.model_validate(
        {**plan.head, "seed": seed, "customer": customer, "facts": facts, "turns": turns, "outcomes": outcomes}
    )


def _rendered(line: _Jinja, facts: dict[str, int | str], customer: Customer, female: bool, scenario_id: str) -> str:
    """A line with pieces only some instances can fill directly, or one that needs the sandbox."""
    names = {"name": customer.name, "gender": customer.gender}
    pieces = _pieces(line.source)
    if isinstance(pieces, tuple):
        filled = _filled(pieces, facts, names, female)
        if filled is not None:
            return _tidy(filled)
    variables: dict[str, Any] = {
        **facts,
        "customer": names,
        "gender": lambda masculine, feminine: feminine if female else masculine,
    }
    try:
        return _tidy(render(line.source, variables))
    except TemplateError as exc:
        raise GenerationError(f"scenario '{scenario_id}', {line.where}: {exc}; run 'simkit validate'") from None


def generate_many(scenario: Scenario, seed: int, lang: str, count: int, today: date | None = None) -> list[ScenarioInstance]:
    """``count`` instances with consecutive seeds from ``seed``: one variant per trainee."""
    return [generate(scenario, seed + k, lang, today) for k in range(count)]
