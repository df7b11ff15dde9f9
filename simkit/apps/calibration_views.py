"""The calibration app's pages as HTML: a reply as the reviewer sees it, the agreement figures, the disagreements.

Everything the trainee or the customer wrote is escaped; nothing here shows the scorer's verdicts
on the review side (``reply_html`` is the reply and the customer's line only).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..i18n import pgettext, translator
from ..i18n.names import name
from . import views

if TYPE_CHECKING:
    from ..reports.calibration import Comparison
    from ..store.judgement import SampledReply
    from .calibration_state import CalibrationState, Disagreement


def status_name(status: str, lang: str) -> str:
    """A verdict status (pass, fail, n/a) as the reader says it."""
    return pgettext(lang, "verdict status", status)


def _percent(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.0f} %"


def _kappa(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f}"


def reply_html(reply: SampledReply, lang: str) -> str:
    """The customer's line and the reply (both escaped), without anything the scorer said."""
    _ = translator(lang)
    esc = views.esc
    parts = []
    if reply.kind != "unknown":
        parts.append(
            f'<div class="simkit-cal-situation">{esc(_("Situation: {kind}", kind=name("kind", reply.kind, lang)))}</div>'
        )
    parts.append('<div class="simkit-chat-lines">')
    if reply.customer:
        who = reply.customer_name or _("Customer")
        parts.append(
            f'<div class="simkit-msg simkit-msg-customer"><span class="simkit-msg-who">{esc(who)}</span>'
            f"{views.shown_text(reply.customer, lang)}</div>"
        )
    parts.append(
        f'<div class="simkit-msg simkit-msg-trainee"><span class="simkit-msg-who">{esc(_("Reply"))}</span>'
        f"{views.shown_text(reply.text, lang)}</div></div>"
    )
    return "".join(parts)


def report_html(state: CalibrationState, comparison: Comparison, lang: str) -> str:
    """Per rule and overall: pairs, percent agreement, kappa (a dash with a note when undefined)."""
    from ..reports.calibration import NO_PAIRS, SCORER

    _ = translator(lang)
    esc = views.esc
    other = _("the scorer") if comparison.second == SCORER else comparison.second
    title = _("{first} and {second}: agreement", first=comparison.first, second=other)
    if comparison.overall.note == NO_PAIRS:
        return f"<h4>{esc(title)}</h4><div>{esc(_('Nothing to compare yet: review some replies first.'))}</div>"
    head = "".join(f"<th>{esc(h)}</th>" for h in (_("Rule"), _("Marks"), _("Agreement"), _("Kappa")))
    rows = []
    for row in comparison.per_rule.itertuples():
        rule = state.kit.rules.get(row.rule_id)
        shown = rule.title.get(lang) if rule else row.rule_id
        rows.append(
            f'<tr data-rule="{esc(row.rule_id)}" data-kappa="{esc(_kappa(row.kappa))}"><td>{esc(shown)}</td><td>{row.n}</td>'
            f"<td>{esc(_percent(row.percent))}</td><td>{esc(_kappa(row.kappa))}</td></tr>"
        )
    total = comparison.overall
    rows.append(
        f'<tr class="simkit-cal-overall" data-kappa="{esc(_kappa(total.kappa))}"><td><b>{esc(_("All rules"))}</b></td>'
        f"<td>{total.n}</td><td>{esc(_percent(total.percent))}</td><td>{esc(_kappa(total.kappa))}</td></tr>"
    )
    notes = []
    if any(math.isnan(k) for k in comparison.per_rule["kappa"]) or math.isnan(total.kappa):
        notes.append(_("“—”: kappa cannot be computed when both gave one and the same mark every time."))
    notes.append(_("Kappa: 1 is full agreement, 0 is what chance alone would give, below 0 is worse than chance."))
    note = "".join(f'<div class="simkit-cal-kappa-note">{esc(n)}</div>' for n in notes)
    table = f'<table class="simkit-cal-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return f"<h4>{esc(title)}</h4>{table}{note}"


def disagreements_html(state: CalibrationState, comparison: Comparison, found: list[Disagreement], lang: str) -> str:
    """The replies where the two disagree, each with the rule and both marks."""
    from ..reports.calibration import SCORER

    _ = translator(lang)
    esc = views.esc
    if not found:
        return f"<div>{esc(_('No disagreements.'))}</div>"
    other = _("Scorer") if comparison.second == SCORER else comparison.second
    items = []
    for d in found:
        rule = state.kit.rules.get(d.rule_id)
        shown = rule.title.get(lang) if rule else d.rule_id
        marks = f"{comparison.first}: {status_name(d.first, lang)} · {other}: {status_name(d.second, lang)}"
        if d.override is not None:
            marks += " · " + _(
                "overridden: {status} ({who}, {when}: {why})",
                status=status_name(d.override.status, lang),
                who=d.override.who,
                when=d.override.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                why=d.override.reason,
            )
        items.append(
            f'<div class="simkit-cal-disagreement" data-reply="{esc(d.reply.reply_id)}" data-rule="{esc(d.rule_id)}">'
            f"<div><b>{esc(shown)}</b> — {esc(marks)}</div>{reply_html(d.reply, lang)}</div>"
        )
    heading = _("Where you disagree")
    return f"<h4>{esc(heading)}</h4>" + "".join(items)


STYLE = """
.simkit-calibration { font-family: system-ui, sans-serif; max-width: 60em; }
.simkit-cal-table { border-collapse: collapse; margin: 0.4em 0; }
.simkit-cal-table td, .simkit-cal-table th { border-bottom: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; }
.simkit-cal-overall td { border-top: 2px solid #999; }
.simkit-cal-disagreement { border-left: 4px solid #ef6c00; padding: 0.3em 0.7em; margin: 0.5em 0; background: #fafafa; }
.simkit-cal-kappa-note, .simkit-cal-situation { font-size: 0.85em; color: #555; }
"""
