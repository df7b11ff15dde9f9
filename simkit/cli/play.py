"""``simkit play``: a dialogue in the terminal, typed, scripted (``--replies``) or demonstrated (``--model``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from ..content.models import Model
from ..content.problems import Problem
from ..content.scenario_model import Action
from ..content.yamlload import load_yaml
from ..engine.dialogue import AttemptResult, Dialogue, Exchange, play_model, play_through
from ..engine.scoring import parse_action
from ..errors import ContentError
from ..ui_text import t

if TYPE_CHECKING:
    from rich.console import Console

    from ..content.kit import Kit
    from ..engine.generation import InstanceTurn, ScenarioInstance

Reply = tuple[str, list[Action] | None]


class ReplyItem(Model):
    """One scripted reply: the text, the actions chosen beside it, and how long it took."""

    text: str
    actions: list[str] | None = None
    seconds: float = 0.0


def load_replies(path: Path) -> tuple[list[Reply], list[float]]:
    """A replies file: a YAML list, each item a string (text only) or {text, actions, seconds}."""
    name = str(path)
    if not path.is_file():
        raise ContentError(
            [Problem(name, 1, 1, "missing-file", "no such replies file", "give the path of a YAML list of replies")]
        )
    doc, problems = load_yaml(path.read_text(encoding="utf-8"), name)
    if doc is None or problems:
        raise ContentError(problems)
    if not isinstance(doc.data, list):
        raise ContentError([doc.problem((), "wrong-type", "a replies file is a YAML list", "write one '- reply' per turn")])
    replies: list[Reply] = []
    seconds: list[float] = []
    for i, item in enumerate(doc.data):
        if isinstance(item, str):
            replies.append((item, None))
            seconds.append(0.0)
            continue
        try:
            parsed = ReplyItem.model_validate(item)
            actions = None if parsed.actions is None else [parse_action(a) for a in parsed.actions]
        except (ValidationError, ValueError) as exc:
            message = (
                str(exc).splitlines()[0]
                if isinstance(exc, ValueError) and not isinstance(exc, ValidationError)
                else ("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
            )
            problems.append(
                doc.problem((i,), "bad-value", message, "an item is a string or {text: ..., actions: [id or id:param]}")
            )
            continue
        replies.append((parsed.text, actions))
        seconds.append(parsed.seconds)
    if problems:
        raise ContentError(problems)
    return replies, seconds


def anger_bar(anger: int) -> str:
    """The anger as a ten-cell bar."""
    return "█" * anger + "░" * (10 - anger) + f" {anger}/10"


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _show_exchange(console: Console, e: Exchange, lang: str) -> None:
    from rich.markup import escape

    console.print(f"[bold]{t('customer', lang)}:[/bold] {escape(e.turn.customer)}")
    console.print(f"[bold]{t('you', lang)}:[/bold] {escape(e.reply)}")
    if e.score.actions:
        console.print(f"  {t('actions', lang)}: " + ", ".join(a.as_text() for a in e.score.actions))
    _show_feedback(console, e, lang)


def _show_feedback(console: Console, e: Exchange, lang: str) -> None:
    from rich.markup import escape

    colour = "red" if e.score.failed else ("yellow" if e.score.score < 80 else "green")
    console.print(
        f"  [{colour}]{t('score', lang)}: {e.score.score:g}/100[/{colour}]   {t('anger', lang)}: {anger_bar(e.anger_after)}"
    )
    for line in e.score.feedback[:2]:
        console.print(f"  - {escape(line)}")


def show_scorecard(console: Console, result: AttemptResult) -> None:
    """The attempt's scorecard: turns, scores, critical failures, outcome."""
    from rich.markup import escape
    from rich.table import Table

    lang = result.lang
    console.print()
    console.print(f"[bold]{t('customer', lang)}:[/bold] {escape(result.closing_line)}")
    table = Table(title=t("scorecard", lang))
    for column in ("#", t("turn", lang), t("score", lang), t("anger", lang), t("seconds", lang), t("critical", lang)):
        table.add_column(column)
    for k, e in enumerate(result.exchanges, 1):
        table.add_row(
            str(k),
            e.turn.id,
            f"{e.score.score:g}",
            f"{e.anger_before}→{e.anger_after}",
            f"{e.seconds:g}",
            ", ".join(e.score.critical_failures),
        )
    console.print(table)
    verdict = t("passed" if result.passed else "not_passed", lang)
    console.print(
        f"{t('outcome', lang)}: [bold]{t(result.outcome, lang)}[/bold]   {t('score', lang)}: {result.score:g}/100   {verdict}"
    )
    if result.critical_failures:
        console.print(f"{t('critical', lang)}: {', '.join(result.critical_failures)}")


def _ask_actions(console: Console, turn: InstanceTurn, lang: str) -> list[Action] | None:
    """Actions typed as numbers from the offered list ('2', '3:quality') or as 'id:param'; Enter for none."""
    while True:
        answer = console.input(f"{t('actions_prompt', lang)}> ").strip()
        if not answer:
            return None
        try:
            chosen = []
            for token in answer.replace(",", " ").split():
                head, _, param = token.partition(":")
                name = turn.actions[int(head) - 1] if head.isdigit() and 0 < int(head) <= len(turn.actions) else head
                chosen.append(parse_action(f"{name}:{param}" if param else name))
            return chosen
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]")


def interactive(instance: ScenarioInstance, kit: Kit, console: Console | None = None) -> AttemptResult:
    """Play by typing: the customer's line, the anger bar, a reply, actions, feedback; then the scorecard."""
    from rich.markup import escape
    from rich.panel import Panel

    console = console or _console()
    lang = instance.lang
    console.print(
        Panel(f"{escape(instance.title)}\n{escape(instance.summary)}", title=f"{instance.scenario_id} · {instance.channel}")
    )
    dialogue = Dialogue(instance, kit)
    while (turn := dialogue.turn) is not None:
        console.print()
        console.print(f"[bold]{t('customer', lang)} ({escape(instance.customer.name)}):[/bold] {escape(turn.customer)}")
        console.print(f"{t('anger', lang)}: {anger_bar(dialogue.anger)}")
        console.print(f"{t('actions', lang)}: " + "  ".join(f"{k}) {a}" for k, a in enumerate(turn.actions, 1)))
        try:
            text = console.input(f"[bold]{t('you', lang)}>[/bold] ")
            actions = _ask_actions(console, turn, lang)
        except EOFError:
            break
        exchange = dialogue.reply(text, actions)
        _show_feedback(console, exchange, lang)
    result = dialogue.result()
    show_scorecard(console, result)
    return result


def run(instance: ScenarioInstance, kit: Kit, replies_file: str | None, model: bool, as_json: bool) -> AttemptResult:
    """The ``play`` command: pick the mode, play, print the transcript or JSON."""
    if model:
        result = play_model(instance, kit)
    elif replies_file is not None:
        replies, seconds = load_replies(Path(replies_file))
        result = play_through(instance, replies, kit, seconds)
    else:
        return interactive(instance, kit)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return result
    console = _console()
    for e in result.exchanges:
        console.print()
        _show_exchange(console, e, instance.lang)
    show_scorecard(console, result)
    return result
