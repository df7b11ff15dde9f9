"""``simkit play``: a dialogue in the terminal, typed, scripted (``--replies``) or demonstrated (``--model``).

With a trainee the attempt is evidence: a ``Recorder`` stores it after every reply, before the
reply's feedback is printed (or spools it when the database is away). Everything printed is in the
scenario's language, from the message catalogue.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from ..content.models import Model
from ..content.scenario_model import Action
from ..content.vocabulary import ACTIONS, DEPARTMENTS
from ..content.yamlload import load_yaml
from ..engine.dialogue import AttemptResult, Dialogue, Exchange, play_model, play_through
from ..engine.scoring import MAX_REPLY_CHARS, parse_action
from ..errors import ContentError, ReplyTooLong
from ..i18n import gettext, ngettext, translator
from ..i18n.names import name
from ..reports.cells import json_text, visible
from .reading import REPLIES_LIMIT, read_text

if TYPE_CHECKING:
    from rich.console import Console

    from ..content.kit import Kit
    from ..engine.generation import InstanceTurn, ScenarioInstance
    from ..store.recorder import Recorded, Recorder

Reply = tuple[str, list[Action] | None]


class ReplyItem(Model):
    """One scripted reply: the text, the actions chosen beside it, and how long it took."""

    text: str
    actions: list[str] | None = None
    seconds: float = 0.0


def load_replies(path: Path, lang: str = "en") -> tuple[list[Reply], list[float]]:
    """A replies file: a YAML list, each item a string (text only) or {text, actions, seconds}.

    Only a regular UTF-8 file of at most ``REPLIES_LIMIT`` bytes is read; anything else raises
    ``InputFileError`` with a message in ``lang``.
    """
    name_ = str(path)
    doc, problems = load_yaml(read_text(path, REPLIES_LIMIT, lang), name_)
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


def shown(text: str) -> str:
    """Text people or content wrote, as Rich prints it: markup taken literally, control characters visible."""
    from rich.markup import escape

    return escape(visible(text))


def anger_bar(anger: int) -> str:
    """The anger as a ten-cell bar."""
    return "█" * anger + "░" * (10 - anger) + f" {anger}/10"


def action_label(action: Action, lang: str) -> str:
    """An action as a person reads it: its name, and its department, percent or hours."""
    label = name("action", action.id, lang)
    if action.department:
        return f"{label}: {name('department', action.department, lang)}"
    if action.percent is not None:
        return f"{label}: {action.percent:g} %"
    if action.hours is not None:
        count = f"{action.hours:g}"
        hours = ngettext(lang, "{hours} hour", "{hours} hours", int(action.hours), hours=count)
        return f"{label}: {hours}"
    return label


def _console() -> Console:
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich's own answer exits with 1; simkit's main ends quietly with 141, as every command does
            self.quiet = True
            raise BrokenPipeError

    return _Console(highlight=False, soft_wrap=True)


def _show_exchange(console: Console, e: Exchange, lang: str) -> None:
    _ = translator(lang)
    customer, you, actions = _("Customer"), _("You"), _("Actions")
    console.print(f"[bold]{customer}:[/bold] {shown(e.turn.customer)}")
    console.print(f"[bold]{you}:[/bold] {shown(e.reply)}")
    if e.score.actions:
        console.print(f"  {actions}: " + shown(", ".join(action_label(a, lang) for a in e.score.actions)))
    _show_feedback(console, e, lang)


def _show_feedback(console: Console, e: Exchange, lang: str) -> None:
    _ = translator(lang)
    colour = "red" if e.score.failed else ("yellow" if e.score.score < 80 else "green")
    figure, bar = f"{e.score.score:g}", anger_bar(e.anger_after)
    score, anger = _("Reply score: {score}/100", score=figure), _("anger: {bar}", bar=bar)
    console.print(f"  [{colour}]{score}[/{colour}]   {anger}")
    for line in e.score.feedback:  # every failed rule, most severe first, as scoring orders them
        console.print(f"  - {shown(line)}")


def show_scorecard(console: Console, result: AttemptResult, kit: Kit | None = None) -> None:
    """The attempt's scorecard: turns, scores, critical failures, outcome (rule titles from ``kit`` if given)."""
    from rich.table import Table

    lang = result.lang
    _ = translator(lang)
    console.print()
    customer = _("Customer")
    console.print(f"[bold]{customer}:[/bold] {shown(result.closing_line)}")
    table = Table(title=_("Scorecard"))
    for column in ("#", customer, _("Score"), _("Anger"), _("Seconds"), _("Critical failures")):
        table.add_column(column)
    for k, e in enumerate(result.exchanges, 1):
        line = e.turn.customer if len(e.turn.customer) <= 30 else e.turn.customer[:29] + "…"
        table.add_row(
            str(k),
            shown(line),
            f"{e.score.score:g}",
            f"{e.anger_before}→{e.anger_after}",
            f"{e.seconds:g}",
            shown(", ".join(_rule_title(kit, r, lang) for r in e.score.critical_failures)),
        )
    console.print(table)
    verdict = _("Passed") if result.passed else _("Not passed")
    outcome = name("outcome", result.outcome, lang)
    figure = f"{result.score:g}"
    label, score = _("Outcome"), _("Score: {score}/100", score=figure)
    console.print(f"{label}: [bold]{outcome}[/bold]   {score}   {verdict}")
    if result.critical_failures:
        titles = ", ".join(_rule_title(kit, r, lang) for r in result.critical_failures)
        label = _("Critical failures")
        console.print(f"{label}: {shown(titles)}")


def _rule_title(kit: Kit | None, rule_id: str, lang: str) -> str:
    rule = kit.rules.get(rule_id) if kit is not None else None
    return rule.title.get(lang) if rule is not None else rule_id


def _offered(turn: InstanceTurn, lang: str) -> str:
    _ = translator(lang)
    actions, departments = _("Actions"), _("Departments")
    line = f"{actions}: " + "  ".join(f"{k}) {name('action', a, lang)}" for k, a in enumerate(turn.actions, 1))
    if any(ACTIONS.get(a) == "department" for a in turn.actions):
        line += f"\n{departments}: " + "  ".join(f"{k}) {name('department', d, lang)}" for k, d in enumerate(DEPARTMENTS, 1))
    return line


def parse_typed_actions(answer: str, turn: InstanceTurn) -> list[Action]:
    """Actions typed as numbers from the offered list, with a parameter after a colon.

    '2' is the second action offered; '3:2' routes to the second department (or '3:legal');
    '1:5' a 5 % discount; an action id may be typed instead of its number. ValueError if not understood.
    """
    chosen = []
    for token in answer.replace(",", " ").split():
        head, _, param = token.partition(":")
        action = turn.actions[int(head) - 1] if head.isdigit() and 0 < int(head) <= len(turn.actions) else head
        if ACTIONS.get(action) == "department" and param.isdigit() and 0 < int(param) <= len(DEPARTMENTS):
            param = DEPARTMENTS[int(param) - 1]
        chosen.append(parse_action(f"{action}:{param}" if param else action))
    return chosen


def _ask_actions(console: Console, turn: InstanceTurn, lang: str) -> list[Action] | None:
    """Ask until the actions typed are understood; Enter for none."""
    _ = translator(lang)
    while True:
        answer = console.input(
            _(
                "Actions: their numbers separated by spaces (2; 3:2 for the second department; "
                "1:5 for a 5 % discount), Enter for none"
            )
            + "> "
        ).strip()
        if not answer:
            return None
        try:
            return parse_typed_actions(answer, turn)
        except ValueError:
            problem = _("Not understood: {answer}. Type the numbers of actions from the list.", answer=answer)
            console.print(f"[red]{shown(problem)}[/red]")


def _record(recorder: Recorder | None, result: AttemptResult, final: bool = False) -> Recorded | None:
    return recorder.record(result, final=final) if recorder is not None and result.exchanges else None


def say_nothing_is_stored(lang: str) -> None:
    """The one-line notice on stderr for a play without a trainee: nothing is stored, and how to store."""
    message = gettext(lang, "Nothing is stored: add --trainee NAME (and --cohort GROUP) to keep the attempt as evidence.")
    print(message, file=sys.stderr)


def say_where_it_went(recorded: Recorded | None, recorder: Recorder | None, lang: str) -> None:
    """One line on stderr once the attempt is over: stored for whom, or kept in the spool."""
    _ = translator(lang)
    if recorder is None:
        return  # said before the play began
    if recorded == "spooled":
        line = _(
            "The database did not take the attempt ({reason}): it is kept in {folder} and is stored with the next "
            "save or by 'simkit store flush'.",
            reason=recorder.saved.reason if recorder.saved is not None and recorder.saved.reason else "?",
            folder=str(recorder.folder),
        )
    elif recorded == "stored":
        line = _("Stored as evidence for {trainee} ({mode}).", trainee=recorder.trainee, mode=name("mode", recorder.mode, lang))
    else:
        return  # no reply was given: nothing to store
    print(visible(line), file=sys.stderr)


def interactive(
    instance: ScenarioInstance,
    kit: Kit,
    console: Console | None = None,
    recorder: Recorder | None = None,
    feedback: bool = True,
) -> AttemptResult:
    """Play by typing: the customer's line, the anger bar, a reply, actions, feedback; then the scorecard.

    With a ``recorder`` the attempt is stored after every reply, before its feedback is printed;
    a dialogue left before its end (end of input, Ctrl-C) is stored as abandoned. Without
    ``feedback`` (assessment) the scores wait for the scorecard.
    """
    from rich.panel import Panel

    console = console or _console()
    lang = instance.lang
    _ = translator(lang)
    title = f"{instance.scenario_id} · {name('channel', instance.channel, lang)}"
    console.print(Panel(f"{shown(instance.title)}\n{shown(instance.summary)}", title=shown(title)))
    dialogue = Dialogue(instance, kit)
    customer, you = _("Customer"), _("You")
    recorded: Recorded | None = None
    try:
        while (turn := dialogue.turn) is not None:
            console.print()
            console.print(f"[bold]{customer} ({shown(instance.customer.name)}):[/bold] {shown(turn.customer)}")
            console.print(_("anger: {bar}", bar=anger_bar(dialogue.anger)))
            console.print(shown(_offered(turn, lang)))
            try:
                text = console.input(f"[bold]{you}>[/bold] ")
                if len(text) > MAX_REPLY_CHARS:  # refused before its actions are asked: the line is shown again
                    console.print(f"[red]{shown(str(ReplyTooLong(len(text), MAX_REPLY_CHARS, lang)))}[/red]")
                    continue
                actions = _ask_actions(console, turn, lang)
            except EOFError:
                break
            exchange = dialogue.reply(text, actions)
            recorded = _record(recorder, dialogue.result()) or recorded  # stored before the feedback shows
            if feedback:
                _show_feedback(console, exchange, lang)
    except KeyboardInterrupt:
        _record(recorder, dialogue.result(), final=True)  # what was answered stays, as an abandoned attempt
        raise
    result = dialogue.result()
    recorded = _record(recorder, result, final=True) or recorded
    show_scorecard(console, result, kit)
    if not feedback:
        for e in result.exchanges:
            console.print()
            _show_exchange(console, e, lang)
    say_where_it_went(recorded, recorder, lang)
    return result


def run(
    instance: ScenarioInstance,
    kit: Kit,
    scripted: tuple[list[Reply], list[float]] | None,
    model: bool,
    as_json: bool,
    recorder: Recorder | None = None,
    feedback: bool = True,
) -> AttemptResult:
    """The ``play`` command: pick the way to play, play, store through ``recorder``, print the transcript or JSON.

    ``scripted`` holds the replies of a replies file (``load_replies``), read before anything is stored.
    """
    if not model and scripted is None:
        return interactive(instance, kit, recorder=recorder, feedback=feedback)
    if model:
        result = play_model(instance, kit)
    else:
        assert scripted is not None
        replies, seconds = scripted
        result = play_through(instance, replies, kit, seconds)
    # scripted replies are all there at once: the attempt is stored whole, before anything is printed;
    # replies that run out before the end leave it abandoned
    recorded = _record(recorder, result, final=True)
    if as_json:
        print(json_text(result.to_json()))
    else:
        console = _console()
        for e in result.exchanges:
            console.print()
            _show_exchange(console, e, instance.lang)
        show_scorecard(console, result, kit)
    say_where_it_went(recorded, recorder, instance.lang)
    return result
