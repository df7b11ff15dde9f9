"""The HR dashboard's pieces as HTML in the reader's language: cohort table, one trainee's evidence, what changed.

Names, cohorts, replies and reasons are typed by people: each is escaped here (``views.esc``),
where it becomes HTML. Verdicts, requirements, kinds and modes are shown by name, never by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..content.kit import Kit
from ..i18n import ngettext, translator
from ..i18n.names import name
from .views import esc, shown_text

if TYPE_CHECKING:
    from ..reports.changes import RuleChange, VerdictChanges
    from ..reports.readiness import Reason, TraineeReadiness
    from ..store.decisions import Decision
    from .dashboard_state import CohortRow, TraineeEvidence

DASH = "—"
COLOURS = {"ready": ("#d4edda", "#155724"), "not_ready": ("#f8d7da", "#721c24"), "insufficient_evidence": ("#fff3cd", "#856404")}
STYLE = """
.simkit-dashboard { font-family: system-ui, sans-serif; max-width: 78em; }
.simkit-dashboard table { border-collapse: collapse; margin: 0.4em 0 0.8em; width: 100%; table-layout: fixed; }
.simkit-dashboard th, .simkit-dashboard td { border-bottom: 1px solid #ddd; padding: 0.25em 0.5em; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
.simkit-dashboard th { background: #f4f4f4; }
.simkit-badge { display: inline-block; padding: 0.1em 0.6em; border-radius: 0.3em; font-weight: 600; }
.simkit-reply-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.simkit-muted { color: #666; font-size: 0.9em; }
tr[data-met="false"] td { color: #721c24; }
"""


def badge(verdict: str, lang: str) -> str:
    """A verdict by name on its colour."""
    background, colour = COLOURS.get(verdict, ("#eee", "#333"))
    text = esc(name("verdict", verdict, lang))
    return (
        f'<span class="simkit-badge" data-verdict="{esc(verdict)}" style="background:{background};color:{colour}">{text}</span>'
    )


def _when(moment: str | datetime | None) -> str:
    if not moment:
        return DASH
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def figure(reason: Reason, value: float | int | list[str], lang: str, is_figure: bool = True) -> str:
    """A requirement's figure or threshold as HR reads it; a figure with no evidence behind it is a dash."""
    if isinstance(value, list):
        return ", ".join(name("kind", k, lang) for k in value) or DASH
    if is_figure and not reason.evidence and reason.requirement.startswith(("min_score", "min_category_score")):
        return DASH
    return f"{value:g}"


def reasons_text(verdict: TraineeReadiness, lang: str) -> str:
    """The deciding reasons of a verdict: each unmet requirement with its figure and threshold."""
    _ = translator(lang)
    unmet = verdict.unmet()
    if not unmet:
        return esc(_("every requirement met"))
    parts = [
        f"{esc(name('requirement', r.requirement, lang))}: "
        f"{esc(figure(r, r.figure, lang))} / {esc(figure(r, r.threshold, lang, False))}"
        for r in unmet
    ]
    return "; ".join(parts)


def decision_text(decision: Decision | None, lang: str) -> str:
    """HR's decision in force, short: the verdict decided, by whom and when."""
    _ = translator(lang)
    if decision is None:
        return DASH
    action = _("confirmed") if decision.action == "confirm" else _("overruled")
    return (
        f'<span data-decision="{esc(decision.decision)}">{esc(action)}: {badge(decision.decision, lang)}</span>'
        f'<br><span class="simkit-muted">{esc(decision.who)}, {esc(_when(decision.created_at))}</span>'
    )


def cohort_html(rows: Sequence[CohortRow], lang: str, page: int, pages: int, total: int, counts: dict[str, int]) -> str:
    """One page of the cohort table: trainee, cohort, verdict, deciding reasons and HR's latest decision."""
    _ = translator(lang)
    summary = ", ".join(
        f"{name('verdict', v, lang)}: {counts.get(v, 0)}" for v in ("ready", "not_ready", "insufficient_evidence")
    )
    head = "".join(
        f'<th style="width:{w}">{esc(h)}</th>'
        for h, w in (
            (_("Trainee"), "18%"),
            (_("Cohort"), "10%"),
            (_("Verdict"), "14%"),
            (_("Deciding reasons"), "38%"),
            (_("HR decision"), "20%"),
        )
    )
    body = "".join(
        f'<tr data-trainee="{esc(r.readiness.trainee)}" data-verdict="{esc(r.readiness.verdict)}">'
        f"<td>{esc(r.readiness.trainee)}</td><td>{esc(r.readiness.cohort or DASH)}</td>"
        f"<td>{badge(r.readiness.verdict, lang)}</td><td>{reasons_text(r.readiness, lang)}</td>"
        f"<td>{decision_text(r.decision, lang)}</td></tr>"
        for r in rows
    )
    shown = _("Trainees: {n}. Page {page} of {pages}.", n=total, page=page + 1, pages=pages)
    if not rows:
        body = f'<tr><td colspan="5">{esc(_("No trainee matches the filters."))}</td></tr>'
    return (
        f'<div class="simkit-muted">{esc(shown)} {esc(summary)}</div>'
        f'<table class="simkit-cohort-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def requirements_html(verdict: TraineeReadiness, lang: str) -> str:
    """The policy's requirements as they stand for the trainee: figure, threshold, met."""
    _ = translator(lang)
    head = "".join(f"<th>{esc(h)}</th>" for h in (_("Requirement"), _("Figure"), _("Threshold"), _("Met")))
    rows = []
    for r in verdict.reasons:
        met = _("yes") if r.met else (_("no evidence") if not r.evidence else _("no"))
        rows.append(
            f'<tr data-requirement="{esc(r.requirement)}" data-met="{str(r.met).lower()}">'
            f"<td>{esc(name('requirement', r.requirement, lang))}</td><td>{esc(figure(r, r.figure, lang))}</td>"
            f"<td>{esc(figure(r, r.threshold, lang, False))}</td><td>{esc(met)}</td></tr>"
        )
    return f'<table class="simkit-requirements"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _title(kit: Kit, scenario_id: str, lang: str) -> str:
    scenario = kit.scenarios.get(scenario_id)
    return scenario.title.get(lang) if scenario is not None else scenario_id


def attempts_html(attempts: Sequence[dict[str, Any]], kit: Kit, lang: str) -> str:
    """Attempts, newest first: date, scenario, mode, outcome, score."""
    _ = translator(lang)
    if not attempts:
        return f"<div>{esc(_('No attempts.'))}</div>"
    head = "".join(f"<th>{esc(h)}</th>" for h in (_("Date"), _("Scenario"), _("Mode"), _("Outcome"), _("Score")))
    rows = "".join(
        f'<tr data-attempt="{esc(a["id"])}" data-mode="{esc(a["mode"])}">'
        f"<td>{esc(_when(a['finished_at'] or a['started_at']))}</td>"
        f"<td>{esc(_title(kit, a['scenario_id'], lang))}</td><td>{esc(name('mode', a['mode'], lang))}</td>"
        f"<td>{esc(name('outcome', a['outcome'] or 'unfinished', lang) if a['mode'] != 'drill' else DASH)}</td>"
        f"<td>{esc(DASH if a['score'] is None else format(float(a['score']), 'g'))}</td></tr>"
        for a in reversed(attempts)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _rule(kit: Kit, rule_id: str, lang: str) -> str:
    rule = kit.rules.get(rule_id)
    return f"{esc(rule.title.get(lang))} <code>{esc(rule_id)}</code>" if rule else f"<code>{esc(rule_id)}</code>"


def rates_html(evidence: TraineeEvidence, kit: Kit, lang: str) -> str:
    """Per rule: the share of the trainee's judged replies that passed it (overrides counted)."""
    _ = translator(lang)
    head = "".join(f"<th>{esc(h)}</th>" for h in (_("Rule"), _("Passed, %"), _("Replies judged")))
    rows = "".join(
        f'<tr data-rule="{esc(rule)}"><td>{_rule(kit, rule, lang)}</td>'
        f"<td>{round(100 * passed / judged):d}</td><td>{judged}</td></tr>"
        for rule, passed, judged in evidence.rule_rates
    )
    return f'<table class="simkit-rule-rates"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def critical_html(evidence: TraineeEvidence, kit: Kit, lang: str) -> str:
    """Each failed critical rule with the reply that broke it (escaped) and whether a trainer overrode it."""
    _ = translator(lang)
    if not evidence.critical:
        return f"<div>{esc(_('No critical failures.'))}</div>"
    items = []
    for c in evidence.critical:
        note = f' <span class="simkit-muted">({esc(_("overridden by a trainer"))})</span>' if c.overridden else ""
        items.append(
            f'<li data-rule="{esc(c.rule_id)}" data-attempt="{esc(c.attempt["id"])}">{_rule(kit, c.rule_id, lang)}{note}: '
            f"{esc(_when(c.attempt['finished_at'] or c.attempt['started_at']))}, "
            f"{esc(_title(kit, c.attempt['scenario_id'], lang))}"
            f'<div class="simkit-reply-text">{shown_text(c.reply["reply"], lang)}</div></li>'
        )
    return f'<ul class="simkit-critical">{"".join(items)}</ul>'


def overrides_html(evidence: TraineeEvidence, kit: Kit, lang: str) -> str:
    """Verdicts a trainer overrode: the automatic verdict beside the override, who, when and why."""
    _ = translator(lang)
    if not evidence.overrides:
        return f"<div>{esc(_('No verdict was overridden.'))}</div>"
    statuses = {"pass": _("passed"), "fail": _("failed"), "n/a": _("not applicable")}
    head = "".join(f"<th>{esc(h)}</th>" for h in (_("Rule"), _("Automatic"), _("Override"), _("Who, when, why")))
    rows = "".join(
        f'<tr data-rule="{esc(v.rule_id)}" data-reply="{esc(v.reply_id)}"><td>{_rule(kit, v.rule_id, lang)}</td>'
        f"<td>{esc(statuses.get(v.automatic, v.automatic))}</td><td>{esc(statuses.get(v.status, v.status))}</td>"
        f"<td>{esc(v.override.who)}, {esc(_when(v.override.created_at))}: {esc(v.override.reason)}</td></tr>"
        for v in evidence.overrides
        if v.override is not None
    )
    return f'<table class="simkit-overrides"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def kinds_html(evidence: TraineeEvidence, lang: str) -> str:
    """The required kinds of situation covered and still missing."""
    _ = translator(lang)
    covered, missing = evidence.kinds()
    shown_covered = ", ".join(name("kind", k, lang) for k in covered) or DASH
    shown_missing = ", ".join(name("kind", k, lang) for k in missing) or DASH
    return (
        f'<div class="simkit-kinds" data-missing="{esc(" ".join(missing))}">{esc(_("Covered"))}: {esc(shown_covered)}<br>'
        f"{esc(_('Missing'))}: {esc(shown_missing)}</div>"
    )


def trainee_html(evidence: TraineeEvidence, kit: Kit, lang: str, trend_png: str) -> str:
    """One trainee's whole evidence, as the dashboard shows it under the cohort table."""
    _ = translator(lang)
    v = evidence.readiness
    note = ""
    if v.fallback:
        note = ngettext(
            lang,
            "{n} attempt is judged under the rulebook it was first scored with (not re-scored yet).",
            "{n} attempts are judged under the rulebook they were first scored with (not re-scored yet).",
            len(v.fallback),
        )
    parts = [
        f'<h3 data-trainee="{esc(evidence.trainee)}">{esc(evidence.trainee)} {badge(v.verdict, lang)}</h3>',
        f'<div class="simkit-muted">{esc(_("Computed under rulebook version"))} '
        f"<code>{esc(v.rulebook)}</code>. {esc(note)}</div>",
        f"<h4>{esc(_('Requirements of the policy'))}</h4>",
        requirements_html(v, lang),
        f"<h4>{esc(_('Kinds of situation'))}</h4>",
        kinds_html(evidence, lang),
        f"<h4>{esc(_('Score trend'))}</h4>",
        f'<img src="{trend_png}" alt="{esc(_("Score trend"))}" style="max-width:100%">',
        f"<h4>{esc(_('Critical failures'))}</h4>",
        critical_html(evidence, kit, lang),
        f"<h4>{esc(_('Verdicts overridden by trainers'))}</h4>",
        overrides_html(evidence, kit, lang),
        f"<h4>{esc(_('Pass rate per rule'))}</h4>",
        rates_html(evidence, kit, lang),
        f"<h4>{esc(_('Attempts'))}</h4>",
        attempts_html(evidence.attempts, kit, lang),
        f"<h4>{esc(_('Drills'))}</h4>",
        attempts_html(evidence.drills, kit, lang),
    ]
    return f'<div class="simkit-trainee-evidence">{"".join(parts)}</div>'


def _rule_change(change: RuleChange, kit: Kit, lang: str) -> str:
    _ = translator(lang)
    statuses = {"pass": _("passed"), "fail": _("failed"), "n/a": _("not applicable")}

    def side(value: tuple[str, str, float] | None) -> str:
        if value is None:
            return _("not judged")
        return f"{statuses.get(value[0], value[0])}, {name('severity', value[1], lang)}, {value[2]:g}"

    replies = ngettext(lang, "{n} reply", "{n} replies", change.replies)
    return (
        f'<li data-rule="{esc(change.rule_id)}">{_rule(kit, change.rule_id, lang)}: '
        f"{esc(side(change.before))} → {esc(side(change.after))} ({esc(replies)})</li>"
    )


def changes_html(changes: VerdictChanges, kit: Kit, lang: str) -> str:
    """The trainees whose verdicts moved between two rulebooks, with the requirements and rules behind each."""
    _ = translator(lang)
    head = _(
        "Rulebook {before} → {after}: {moved} of {judged} trainees change verdict.",
        before=changes.before_hash[:12],
        after=changes.after_hash[:12],
        moved=len(changes.moved),
        judged=changes.judged,
    )
    items = []
    for m in changes.moved:
        requirements = "; ".join(
            f"{name('requirement', c.requirement, lang)}: "
            f"{figure(c.before, c.before.figure, lang) if c.before else DASH} → "
            f"{figure(c.after, c.after.figure, lang) if c.after else DASH}"
            for c in m.requirements
        )
        rules = "".join(_rule_change(r, kit, lang) for r in m.rules)
        items.append(
            f'<li data-trainee="{esc(m.trainee)}" data-before="{esc(m.before)}" data-after="{esc(m.after)}">'
            f"<b>{esc(m.trainee)}</b>: {badge(m.before, lang)} → {badge(m.after, lang)}"
            f"<div>{esc(requirements)}</div><ul>{rules}</ul></li>"
        )
    return f'<div class="simkit-changes-result"><div>{esc(head)}</div><ul>{"".join(items)}</ul></div>'
