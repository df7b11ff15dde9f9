"""The rulebook as cards by category (day 1): each rule with its severity, what it asks, and the clause it cites."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..content.kit import Kit
from ..content.models import Rule
from ..content.vocabulary import CATEGORIES
from ..engine.feedback import SEVERITY_ORDER, check_name, clause_of
from ..i18n import ngettext, translator
from ..i18n.names import name
from . import views
from .identity import TraineeBar
from .loading import cached_kit

STYLE = """
.simkit-rulebook details { margin: 0.4em 0; }
.simkit-rulebook summary { font-weight: 600; cursor: pointer; }
.simkit-rule { border-left: 4px solid #c9c9c9; padding: 0.3em 0.7em; margin: 0.5em 0; background: #fafafa; }
.simkit-rule[data-severity="critical"] { border-color: #c62828; }
.simkit-rule[data-severity="major"] { border-color: #ef6c00; }
.simkit-rule[data-severity="minor"] { border-color: #f9a825; }
.simkit-rule-title { font-weight: 600; }
.simkit-expected { margin: 0.3em 0; }
"""


def rule_card(rule: Rule, kit: Kit, lang: str) -> str:
    """One rule: title, severity, what it asks (in words and by name), and the clause it cites."""
    _ = translator(lang)
    esc = views.esc
    parts = [
        f'<div class="simkit-rule" data-rule="{esc(rule.id)}" data-severity="{esc(rule.severity)}">',
        f'<div><span class="simkit-rule-title">{esc(rule.title.get(lang))}</span>'
        f'<span class="simkit-severity">{esc(name("severity", rule.severity, lang))}</span></div>',
        f"<div>{esc(rule.feedback.get(lang))}</div>",
    ]
    if rule.requires:
        asked = "; ".join(check_name(c, lang) for c in rule.requires)
        label = _("Requires")
        parts.append(f"<div>{esc(label)}: {esc(asked)}</div>")
    if rule.forbids:
        banned = "; ".join(check_name(c, lang) for c in rule.forbids)
        label = _("Forbids")
        parts.append(f"<div>{esc(label)}: {esc(banned)}</div>")
    if rule.max_reply_seconds is not None:
        limit = f"{rule.max_reply_seconds:g}"
        within = _("Reply within {limit} s", limit=limit)
        parts.append(f"<div>{esc(within)}</div>")
    clause = clause_of(rule, kit, lang)
    if clause.common_practice:
        where = esc(_("Source: common practice"))
    else:
        where = esc(_("Source: {title}, section {section}", title=clause.job_title, section=clause.section))
        where += f" — {esc(clause.summary)}"
    parts.append(f'<div class="simkit-clause">{where}</div></div>')
    return "".join(parts)


def rulebook_html(kit: Kit, lang: str) -> str:
    """Every rule as a card, grouped by category (critical first within each), each group folding."""
    esc = views.esc
    out = [f"<style>{STYLE}</style>"]
    for category in CATEGORIES:
        rules = sorted(
            (r for r in kit.rules.values() if r.category == category),
            key=lambda r: (SEVERITY_ORDER.get(r.severity, 3), -r.weight, r.id),
        )
        if not rules:
            continue
        count = ngettext(lang, "{n} rule", "{n} rules", len(rules))
        heading = f"{name('category', category, lang).capitalize()} ({count})"
        cards = "".join(rule_card(r, kit, lang) for r in rules)
        group = f'<details class="simkit-rule-group" data-category="{esc(category)}">'
        out.append(f"{group}<summary>{esc(heading)}</summary>{cards}</details>")
    return "".join(out)


class RulebookCards(widgets.VBox):  # type: ignore[misc]
    """The rulebook as cards by category, relabelled when the trainee bar's language changes."""

    def __init__(self, bar: TraineeBar, kit: Kit | None = None, **kwargs: Any) -> None:
        self.bar = bar
        self.kit = kit if kit is not None else cached_kit()
        self._html = widgets.HTML()
        super().__init__([self._html], **kwargs)
        self.add_class("simkit-rulebook")
        bar.observe(lambda _c: self._render(), names="lang")
        self._render()

    def _render(self) -> None:
        self._html.value = rulebook_html(self.kit, self.bar.lang)
