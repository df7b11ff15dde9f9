"""The trainer console's HTML pieces: the live table, the common failures and one reply for discussion.

Every text a person typed (names, replies) is escaped here, where it becomes HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..i18n import ngettext, translator
from ..i18n.names import mood_word
from ..i18n.names import name as named
from . import views

if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..store.sessions import CommonFailure, LiveRow

_LABEL_CHARS = 60

STYLE = """
.simkit-console { font-family: system-ui, sans-serif; max-width: 72em; }
.simkit-code-big { font-size: 3em; font-weight: 700; letter-spacing: 0.15em; font-family: monospace; }
.simkit-live table, .simkit-common-failures table { border-collapse: collapse; width: 100%; }
.simkit-live td, .simkit-live th { border-bottom: 1px solid #ddd; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
.simkit-live .simkit-critical { color: #b71c1c; }
.simkit-common-failure { margin: 0.4em 0; }
.simkit-example { white-space: pre-wrap; overflow-wrap: anywhere; border-left: 3px solid #ccc;
  padding-left: 0.5em; margin: 0.2em 0; }
.simkit-discuss blockquote { white-space: pre-wrap; overflow-wrap: anywhere; background: #dcecff;
  padding: 0.4em 0.7em; margin: 0.3em 0; }
"""


def _rule_title(rule_id: str, kit: Kit, lang: str) -> str:
    return kit.rules[rule_id].title.get(lang) if rule_id in kit.rules else rule_id


def example_label(index: int, failure: CommonFailure, text: str, kit: Kit, lang: str) -> str:
    """A short label for an example reply in the discussion picker (no trainee name in it)."""
    short = " ".join(text.split())
    short = short if len(short) <= _LABEL_CHARS else short[: _LABEL_CHARS - 1] + "…"
    return f"{index + 1}. {_rule_title(failure.rule_id, kit, lang)}: «{short}»"


def live_html(rows: list[LiveRow], kit: Kit, lang: str) -> str:
    """The live table: one row per trainee (``tr[data-trainee][data-turn]``), every typed name escaped."""
    from ..reports.session import live_table

    _ = translator(lang)
    frame = live_table(rows, kit, lang)
    if not rows:
        return f"<p>{views.esc(_('No answers yet: trainees join with the code above.'))}</p>"
    head = "".join(f"<th>{views.esc(str(c))}</th>" for c in frame.columns)
    body = []
    for row, cells in zip(rows, frame.itertuples(index=False), strict=True):
        values = [views.esc(str(c)) for c in cells]
        if row.anger is not None:
            colour = views.mood_colour(row.anger)
            values[5] = f'<span style="color:{colour}"><b>{row.anger}/10</b> {views.esc(mood_word(row.anger, lang))}</span>'
        if row.critical_failures:
            values[4] = f'<span class="simkit-critical">{values[4]}</span>'
        body.append(
            f'<tr data-trainee="{views.esc(row.trainee)}" data-turn="{row.turn_reached}" '
            f'data-critical="{len(row.critical_failures)}" data-finished="{str(row.finished).lower()}">'
            + "".join(f"<td>{v}</td>" for v in values)
            + "</tr>"
        )
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def common_html(failures: list[CommonFailure], kit: Kit, lang: str) -> str:
    """The most common failures (``.simkit-common-failure[data-rule]``): rule, how many, example replies, escaped."""
    _ = translator(lang)
    if not failures:
        return f"<p>{views.esc(_('No rule was failed.'))}</p>"
    items = []
    for f in failures:
        people = ngettext(lang, "{n} trainee", "{n} trainees", f.trainees)
        many = people + ", " + ngettext(lang, "{n} reply", "{n} replies", f.replies)
        examples = "".join(f'<div class="simkit-example">{views.shown_text(e.text, lang, 400)}</div>' for e in f.examples)
        items.append(
            f'<li class="simkit-common-failure" data-rule="{views.esc(f.rule_id)}" data-trainees="{f.trainees}" '
            f'data-severity="{views.esc(f.severity)}"><b>{views.esc(_rule_title(f.rule_id, kit, lang))}</b> '
            f'<span class="simkit-severity">{views.esc(named("severity", f.severity, lang))}</span> · {views.esc(many)}'
            f"{examples}</li>"
        )
    return f"<ol>{''.join(items)}</ol>"


def discussion_html(reply: Any, kit: Kit, lang: str, hide_name: bool = True) -> str:
    """One reply for the class: the situation and customer line, the reply, its score and failed rules."""
    from ..engine.generation import generate

    _ = translator(lang)
    who = _("A trainee") if hide_name else reply.trainee
    customer = ""
    title = reply.scenario_id
    if reply.scenario_id in kit.scenarios:
        instance = generate(kit.scenario(reply.scenario_id), reply.seed, reply.lang)
        title = instance.title
        turn = next((t for t in instance.turns if t.id == reply.turn_id), None)
        if turn is not None:
            customer = f"<div><b>{views.esc(instance.customer.name)}:</b> {views.shown_text(turn.customer, lang)}</div>"
    failed = (
        "".join(f'<li data-rule="{views.esc(r)}">{views.esc(_rule_title(r, kit, lang))}</li>' for r in reply.failed)
        or f"<li>{views.esc(_('Every rule that applied was kept.'))}</li>"
    )
    score = "-" if reply.score is None else f"{reply.score:g}/100"
    return (
        f'<div data-reply="{views.esc(reply.reply_id)}" data-hidden="{str(hide_name).lower()}">'
        f"<div>{views.esc(title)} · {views.esc(_('Turn'))} {reply.turn_index + 1}</div>{customer}"
        f'<div><b class="simkit-discuss-who">{views.esc(who)}:</b></div>'
        f"<blockquote>{views.shown_text(reply.text, lang)}</blockquote>"
        f"<div>{views.esc(_('Score'))}: {views.esc(score)} · "
        f"{views.esc(_('Mood: {before} → {after}', before=reply.anger_before, after=reply.anger_after))}</div>"
        f"<ul>{failed}</ul></div>"
    )
