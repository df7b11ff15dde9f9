"""Shared HTML pieces of the apps: escaping, chat bubbles, the mood meter, verdict cards, the scorecard.

Each function returns an HTML string in the reader's language. Text a trainee typed (replies, names)
is escaped here and nowhere else: callers pass it raw. A huge reply is cut for display (it is
scored and stored whole). The stylesheet is one ``<style>`` element that every app shows once.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..i18n import ngettext, translator
from ..i18n.names import mood_word, name

if TYPE_CHECKING:  # the engine loads after the first drawing (apps.loading)
    from ..engine.dialogue import AttemptResult
    from ..engine.feedback import MoodReason, PracticeItem, RuleFeedback

_MOOD_COLOURS = ("#43a047",) * 3 + ("#9ccc65",) * 2 + ("#fbc02d",) * 2 + ("#fb8c00",) * 2 + ("#e53935", "#b71c1c")
SHOWN_CHARS = 2_000  # a longer reply is shown cut, with how much was left out
_CONTEXT = 200  # characters shown around a marked piece of a long reply

STYLE = """
.simkit-player, .simkit-identity { font-family: system-ui, sans-serif; max-width: 52em; }
.simkit-situation { font-size: 0.95em; color: #333; }
.simkit-chat-lines { display: flex; flex-direction: column; gap: 0.4em; padding: 0.4em 0; }
.simkit-msg { max-width: 80%; padding: 0.45em 0.7em; border-radius: 0.8em; line-height: 1.35;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.simkit-msg-customer { align-self: flex-start; background: #f0f0f3; }
.simkit-msg-trainee { align-self: flex-end; background: #dcecff; }
.simkit-msg-who { display: block; font-size: 0.8em; color: #555; }
.simkit-msg-actions { display: block; font-size: 0.85em; color: #24527a; margin-top: 0.2em; }
.simkit-cut { color: #777; font-style: italic; }
.simkit-mood-meter { display: flex; align-items: center; gap: 0.6em; }
.simkit-mood-track { width: 12em; height: 0.8em; background: #e6e6e6; border-radius: 0.4em; overflow: hidden; }
.simkit-mood-fill { height: 100%; }
.simkit-verdict { border-left: 4px solid #c9c9c9; padding: 0.3em 0.7em; margin: 0.5em 0; background: #fafafa; }
.simkit-verdict[data-severity="critical"] { border-color: #c62828; }
.simkit-verdict[data-severity="major"] { border-color: #ef6c00; }
.simkit-verdict[data-severity="minor"] { border-color: #f9a825; }
.simkit-verdict-title { font-weight: 600; }
.simkit-severity { font-size: 0.8em; text-transform: uppercase; color: #666; margin-left: 0.5em; }
.simkit-quote { white-space: pre-wrap; overflow-wrap: anywhere; }
.simkit-quote mark { background: #ffd54f; }
.simkit-clause { font-size: 0.85em; color: #555; }
.simkit-better { color: #1b5e20; }
.simkit-turn-score { font-weight: 600; }
.simkit-mood-why ul, .simkit-feedback ul { margin: 0.2em 0; padding-left: 1.2em; }
.simkit-scorecard table { border-collapse: collapse; margin: 0.4em 0; }
.simkit-scorecard td, .simkit-scorecard th { border-bottom: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; }
.simkit-passed { color: #1b5e20; font-weight: 600; }
.simkit-not-passed { color: #b71c1c; font-weight: 600; }
.simkit-status { font-size: 0.85em; color: #555; }
.simkit-status[data-state="failed"] { color: #b71c1c; }
.simkit-hint { color: #b71c1c; font-size: 0.9em; }
"""


def esc(text: str) -> str:
    """``text`` made safe to put in HTML (tags, quotes and ampersands escaped)."""
    return html.escape(text, quote=True)


def stylesheet() -> widgets.HTML:
    """The apps' stylesheet as one widget (show it once per app)."""
    return widgets.HTML(f"<style>{STYLE}</style>", layout=widgets.Layout(display="none"))


def _cut_note(left_out: int, lang: str) -> str:
    note = ngettext(lang, "… {n} more character not shown", "… {n} more characters not shown", left_out)
    return f' <span class="simkit-cut">{esc(note)}</span>'


def shown_text(text: str, lang: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` escaped for display, cut at ``limit`` characters with a note of how much was left out."""
    if len(text) <= limit:
        return esc(text)
    return esc(text[:limit]) + _cut_note(len(text) - limit, lang)


def marked(text: str, spans: Sequence[tuple[int, int]], lang: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` escaped with each span wrapped in ``<mark>``; a long text is shown around its marks."""
    spans = sorted((max(0, a), min(len(text), b)) for a, b in spans if b > a)
    start, end = 0, len(text)
    if len(text) > limit:
        first = spans[0][0] if spans else 0
        start = max(0, first - _CONTEXT)
        end = min(len(text), start + limit)
    out = ['<span class="simkit-cut">…</span>' if start else ""]
    at = start
    for a, b in spans:
        if b <= at or a >= end:
            continue
        a, b = max(a, at), min(b, end)
        out.append(esc(text[at:a]) + "<mark>" + esc(text[a:b]) + "</mark>")
        at = b
    out.append(esc(text[at:end]))
    if end < len(text):
        out.append(_cut_note(len(text) - end, lang))
    return "".join(out)


@dataclass(frozen=True)
class Line:
    """One line of the conversation: who says it, the text, and the actions chosen beside a reply."""

    who: str  # customer or trainee
    text: str
    actions: tuple[str, ...] = ()  # display names, with their parameters


def bubble(line: Line, customer_name: str, lang: str) -> str:
    """One chat bubble."""
    _ = translator(lang)
    who = customer_name if line.who == "customer" else _("You")
    actions = ""
    if line.actions:
        label = _("Actions")
        actions = f'<span class="simkit-msg-actions">{esc(label)}: {esc("; ".join(line.actions))}</span>'
    return (
        f'<div class="simkit-msg simkit-msg-{esc(line.who)}"><span class="simkit-msg-who">{esc(who)}</span>'
        f"{shown_text(line.text, lang)}{actions}</div>"
    )


def chat(lines: Sequence[Line], customer_name: str, lang: str) -> str:
    """The conversation as chat bubbles."""
    return '<div class="simkit-chat-lines">' + "".join(bubble(line, customer_name, lang) for line in lines) + "</div>"


def situation(title: str, customer_name: str, channel: str, kind: str, lang: str) -> str:
    """Who the customer is, how they reach us and what the situation is (never what to answer)."""
    _ = translator(lang)
    facts = [
        (_("Customer"), customer_name),
        (_("Channel"), name("channel", channel, lang)),
        (_("Situation"), name("kind", kind, lang)),
    ]
    return f"<div><b>{esc(title)}</b></div><div>" + " · ".join(f"{esc(k)}: {esc(v)}" for k, v in facts) + "</div>"


def mood_colour(anger: int) -> str:
    """The mood meter's colour for an anger of 0..10, green to red."""
    return _MOOD_COLOURS[min(max(anger, 0), 10)]


def mood_meter(anger: int, lang: str) -> str:
    """The customer's anger 0..10 as a coloured bar with its word ("calm" .. "about to hang up")."""
    _ = translator(lang)
    level = min(max(anger, 0), 10)
    label = _("Customer’s mood")
    return (
        f'<div class="simkit-mood-meter" data-anger="{level}"><span>{esc(label)}:</span>'
        f'<div class="simkit-mood-track" role="meter" aria-valuemin="0" aria-valuemax="10" aria-valuenow="{level}">'
        f'<div class="simkit-mood-fill" style="width:{level * 10}%;background:{mood_colour(level)}"></div></div>'
        f"<span><b>{level}/10</b> {esc(mood_word(level, lang))}</span></div>"
    )


def _clause(feedback: RuleFeedback, lang: str) -> str:
    _ = translator(lang)
    ref = feedback.clause
    if ref.common_practice:
        where = esc(_("Source: common practice"))
    else:
        where = esc(_("Source: {title}, section {section}", title=ref.job_title, section=ref.section))
        where += f" — {esc(ref.summary)}"
    return f'<div class="simkit-clause">{where}</div>'


def verdict_card(feedback: RuleFeedback, reply: str, lang: str) -> str:
    """One failed rule: title, severity, the trainee's words that broke it marked, what was missing, clause, better phrasing."""
    _ = translator(lang)
    parts = [
        f'<div class="simkit-verdict" data-rule="{esc(feedback.rule_id)}" data-severity="{esc(feedback.severity)}">',
        f'<div><span class="simkit-verdict-title">{esc(feedback.title)}</span>'
        f'<span class="simkit-severity">{esc(name("severity", feedback.severity, lang))}</span></div>',
        f"<div>{esc(feedback.feedback)}</div>",
    ]
    if feedback.spans:
        if feedback.broke:  # the words that broke the rule, marked in the reply
            label, quoted = _("Your words"), marked(reply, feedback.spans, lang)
        else:  # what the reply had towards the rule, which was not enough
            label, quoted = _("In your reply"), "; ".join(f"«{esc(q.text)}»" for q in feedback.quotes if q.span)
        parts.append(f'<div>{esc(label)}: <span class="simkit-quote">{quoted}</span></div>')
    actions = [q.text for q in feedback.quotes if q.span is None]
    if actions:
        label = _("Your action") if feedback.broke else _("Actions taken")
        parts.append(f"<div>{esc(label)}: {esc('; '.join(actions))}</div>")
    if feedback.missing:
        label = _("Missing")
        parts.append(f"<div>{esc(label)}: {esc('; '.join(feedback.missing))}</div>")
    parts.append(_clause(feedback, lang))
    if feedback.better:
        label = _("The model reply") if feedback.better_is_model else _("You could say")
        parts.append(f'<div class="simkit-better">{esc(label)}: «{esc(feedback.better)}»</div>')
    parts.append("</div>")
    return "".join(parts)


def turn_feedback(score: float, critical: bool, feedbacks: Sequence[RuleFeedback], reply: str, lang: str) -> str:
    """The feedback after one reply: its score and a card for every failed rule."""
    _ = translator(lang)
    head = _("Reply score: {score}/100", score=format(score, "g"))
    if critical:
        head += " · " + _("a critical rule was broken")
    body = (
        "".join(verdict_card(f, reply, lang) for f in feedbacks)
        if feedbacks
        else "<div>" + esc(_("Every rule that applied was kept.")) + "</div>"
    )
    return f'<div class="simkit-turn-score">{esc(head)}</div>{body}'


def mood_why(before: int, after: int, reasons: Sequence[MoodReason], lang: str) -> str:
    """Why the customer's mood moved after a reply, cause by cause."""
    _ = translator(lang)
    head = _("Mood: {before} → {after}", before=before, after=after)
    if not reasons:
        return f"<div>{esc(head)}</div>"
    items = "".join(f"<li><b>{r.delta:+d}</b> {esc(r.label)}</li>" for r in reasons)
    return f"<div>{esc(head)}</div><ul>{items}</ul>"


def status(state: str, attempt_id: str, lang: str, detail: str = "", remote: bool = False) -> str:
    """What happened to the attempt (stored, spooled here or by the hub's service, abandoned, not saved), with its id."""
    _ = translator(lang)
    texts = {
        "stored": _("Saved."),
        "spooled": _("The database is away: the simkit service has kept the attempt and will write it once the database is back.")
        if remote
        else _("The database cannot be reached: saved on this computer, it will be sent later."),
        "failed": _("Not saved: {reason}", reason=detail),
        "abandoned": _("The unfinished attempt was saved as abandoned."),
        "": "",
    }
    text = texts.get(state, "")
    return (
        f'<div class="simkit-status" data-attempt="{esc(attempt_id)}" data-state="{esc(state)}">{esc(text)}</div>'
        if attempt_id or text
        else ""
    )


def anger_plot_uri(anger: Sequence[int], hang_up_at: int, lang: str) -> str:
    """The anger curve (0..10 per reply) as a small PNG data URI; matplotlib's object API, no pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..reports.plots import png_data_uri

    _ = translator(lang)
    figure = Figure(figsize=(4.2, 2.2), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(range(len(anger)), list(anger), marker="o", color="#c62828", linewidth=1.8)
    axes.axhline(hang_up_at, linestyle="--", color="#777777", linewidth=1)
    axes.set_ylim(-0.5, 10.5)
    axes.set_yticks(range(0, 11, 2))
    axes.set_xticks(range(len(anger)))
    axes.set_xlabel(_("Reply"))
    axes.set_ylabel(_("Anger"))
    axes.set_title(_("The customer’s anger"), fontsize=10)
    axes.grid(True, alpha=0.3)
    return png_data_uri(figure)


def _failed_times(n: int, lang: str) -> str:
    return ngettext(lang, "failed {n} time", "failed {n} times", n)


def scorecard(
    result: AttemptResult,
    practise: Sequence[PracticeItem],
    critical_titles: Sequence[str],
    plot_uri: str,
    lang: str,
) -> str:
    """The final scorecard: outcome, score, turn scores, the anger curve, critical failures, what to practise next."""
    _ = translator(lang)
    passed, not_passed, yes = _("Passed"), _("Not passed"), _("yes")
    verdict = (
        f'<span class="simkit-passed">{esc(passed)}</span>'
        if result.passed
        else f'<span class="simkit-not-passed">{esc(not_passed)}</span>'
    )
    outcome = name("outcome", result.outcome, lang)
    rows = "".join(
        f"<tr><td>{k}</td><td>{e.score.score:g}</td><td>{e.anger_before} → {e.anger_after}</td><td>{e.seconds:.0f}</td>"
        f"<td>{esc(yes if e.score.critical_failures else '')}</td></tr>"
        for k, e in enumerate(result.exchanges, 1)
    )
    score_label = _("Score")
    head = "".join(f"<th>{esc(h)}</th>" for h in ("#", score_label, _("Anger"), _("Seconds"), _("Critical failure")))
    title, outcome_label, plot_label = _("Scorecard"), _("Outcome"), _("The customer’s anger")
    parts = [
        f"<h3>{esc(title)}</h3>",
        f"<div>{esc(outcome_label)}: <b>{esc(outcome)}</b> · {esc(score_label)}: <b>{result.score:g}/100</b> · {verdict}</div>",
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>",
        f'<img class="simkit-anger-plot" alt="{esc(plot_label)}" src="{plot_uri}">' if plot_uri else "",
    ]
    if critical_titles:
        label = _("Critical failures")
        items = "".join(f"<li>{esc(t)}</li>" for t in critical_titles)
        parts.append(f"<div>{esc(label)}:</div><ul>{items}</ul>")
    else:
        parts.append("<div>" + esc(_("No critical failures.")) + "</div>")
    if practise:
        label = _("Practise next")
        items = "".join(
            f"<li><b>{esc(p.title)}</b> ({esc(_failed_times(p.failures, lang))}): {esc(p.feedback)}</li>" for p in practise
        )
        parts.append(f"<div>{esc(label)}:</div><ul>{items}</ul>")
    return "".join(parts)
