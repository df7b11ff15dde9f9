"""The calibration app: a trainer marks stored replies blind, then reads how far they agree with the scorer.

``Calibration`` draws a ``CalibrationState`` (``apps.calibration_state``: the trainer, the sample,
the marks, saving, the agreement and overrides) and forwards clicks to it; ``calibration_views``
draws the reply and the figures. The review tab shows the customer's line, the reply and one
unset pass/fail/n-a toggle per rule in scope, never the scorer's verdicts; the agreement tab shows
the figures, the disagreements and the override form. Under the hub the trainer is the signed-in
hub user, locked: the service records that user's marks and overrides.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..errors import SimkitError
from ..i18n import LANGUAGES, N_, translator
from ..i18n.names import name
from . import views
from .calibration_state import STATUSES, CalibrationState, Disagreement, NotMarked
from .calibration_views import STYLE, disagreements_html, reply_html, report_html, status_name
from .evidence import hub_user, refusal
from .identity import clean_name, name_problem
from .loading import cached_kit

if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..reports.calibration import Comparison
    from .evidence import Evidence

DOUBLE_CLICK_SECONDS = 2.0  # "save and next" clicked again this soon, on an unmarked reply, is a double click
# the app's notes, kept untranslated and translated on every drawing (the language may change)
_NOT_DONE = N_("Not done: {reason}")
_DRAWN = N_("Replies to review: {n}.")
_NONE_DRAWN = N_("No replies to review with these filters: the replies must be scored under the current rules.")
_SAVED = N_("Saved: {n} of {total}.")
_PICK_FIRST = N_("Choose a disagreement first.")
_OVERRIDE_NEEDS = N_("Choose the verdict that should count and say why: both are required.")
_NOT_ALLOWED = N_("Not done: this hub account is not in the trainers group. Ask the hub's administrator to add it.")


class Calibration(widgets.VBox):  # type: ignore[misc]
    """The calibration app: the trainer's name, blind review of a sample, then the agreement and overrides."""

    def __init__(
        self, lang: str = "ru", kit: Kit | None = None, url: str | None = None, evidence: Evidence | None = None, **kwargs: Any
    ) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"the language '{lang}' is not offered (choose one of: {', '.join(LANGUAGES)})")
        self.lang = lang
        # the store at ``url``, or the hub's simkit service when the apps run under the hub
        self.state = CalibrationState(kit if kit is not None else cached_kit(), url, evidence)
        self.comparison: Comparison | None = None
        self.found: list[Disagreement] = []
        self._message: tuple[str, dict[str, Any]] | None = None  # the note, translated on every draw
        # under the hub the service records the signed-in user as the reviewer: the name is theirs, locked
        signed_in = clean_name(hub_user() or "")
        self.locked = signed_in if signed_in and name_problem(signed_in, lang) is None else ""
        self._build()
        super().__init__(
            [views.stylesheet(), widgets.HTML(f"<style>{STYLE}</style>"), self.header, self.filters, self.note, self.tabs],
            **kwargs,
        )
        self.add_class("simkit-calibration")
        if self.locked:
            self.name_box.value, self.name_box.disabled, self.confirm_button.disabled = self.locked, True, True
            self.state.set_trainer(self.locked)
        self._render()

    # --- building ------------------------------------------------------------------------

    def _widget(self, widget: Any, css: str) -> Any:
        widget.add_class(css)
        return widget

    def _build(self) -> None:
        w = widgets
        self.name_box = self._widget(w.Text(layout=w.Layout(width="16em")), "simkit-trainer-name")
        self.confirm_button = self._widget(w.Button(button_style="primary"), "simkit-trainer-confirm")
        self.lang_buttons = self._widget(
            w.ToggleButtons(options=[(c.upper(), c) for c in LANGUAGES], value=self.lang, style={"button_width": "3.5em"}),
            "simkit-lang",
        )
        self.header = w.HBox([self.name_box, self.confirm_button, self.lang_buttons])
        self.cohort = self._widget(w.Dropdown(layout=w.Layout(width="14em")), "simkit-cal-cohort")
        self.session = self._widget(w.Text(layout=w.Layout(width="9em")), "simkit-cal-session")
        self.kind = self._widget(w.Dropdown(layout=w.Layout(width="16em")), "simkit-cal-kind")
        self.size = self._widget(w.BoundedIntText(value=10, min=1, max=200, layout=w.Layout(width="12em")), "simkit-cal-size")
        self.seed = self._widget(w.BoundedIntText(value=1, min=0, max=10**6, layout=w.Layout(width="12em")), "simkit-cal-seed")
        self.size.style = self.seed.style = {"description_width": "initial"}
        self.draw_button = self._widget(w.Button(), "simkit-cal-draw")
        self.filters = w.HBox([self.cohort, self.session, self.kind, self.size, self.seed, self.draw_button])
        self.filters.layout.flex_flow = "row wrap"
        self.note = self._widget(w.HTML(), "simkit-cal-note")
        self.progress = self._widget(w.HTML(), "simkit-cal-progress")
        self.reply = self._widget(w.HTML(), "simkit-cal-reply")
        self.rules = self._widget(w.VBox(), "simkit-cal-rules")
        self.save_button = self._widget(w.Button(button_style="primary"), "simkit-cal-save")
        self.hint = self._widget(w.HTML(), "simkit-hint")
        self.review = self._widget(
            w.VBox([self.progress, self.reply, self.rules, self.save_button, self.hint]), "simkit-cal-review"
        )
        self.compare = self._widget(w.Dropdown(layout=w.Layout(width="20em")), "simkit-cal-compare")
        self.refresh_button = self._widget(w.Button(), "simkit-cal-refresh")
        self.report = self._widget(w.HTML(), "simkit-cal-report")
        self.pick = self._widget(w.Dropdown(layout=w.Layout(width="40em")), "simkit-override-pick")
        self.override_status = self._widget(w.ToggleButtons(options=[], value=None), "simkit-override-status")
        self.reason = self._widget(w.Textarea(rows=2, layout=w.Layout(width="40em")), "simkit-override-reason")
        self.override_button = self._widget(w.Button(button_style="warning"), "simkit-override-save")
        self.override_note = self._widget(w.HTML(), "simkit-override-note")
        self.override_title = w.HTML()
        self.override_form = self._widget(
            w.VBox([self.override_title, self.pick, self.override_status, self.reason, self.override_button, self.override_note]),
            "simkit-override",
        )
        self.agreement = self._widget(
            w.VBox([w.HBox([self.compare, self.refresh_button]), self.report, self.override_form]), "simkit-cal-agreement"
        )
        self.tabs = self._widget(w.Tab(children=[self.review, self.agreement]), "simkit-cal-tabs")
        self.toggles: dict[str, Any] = {}
        self._shown_reply: str | None = None
        self._last_save = -DOUBLE_CLICK_SECONDS
        self.comment_boxes: dict[str, Any] = {}
        self.confirm_button.on_click(lambda _b: self._guard(self.confirm))
        self.draw_button.on_click(lambda _b: self._guard(self.draw))
        self.save_button.on_click(lambda _b: self._guard(self.save_and_next))
        self.refresh_button.on_click(lambda _b: self._guard(self.show_agreement))
        self.override_button.on_click(lambda _b: self._guard(self.record_override))
        self.lang_buttons.observe(self._on_lang, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")

    # --- actions -------------------------------------------------------------------------

    def _guard(self, action: Any) -> None:
        # no traceback reaches the trainer: a SimkitError says what to do, anything else is named
        try:
            action()
        except SimkitError as exc:
            if refusal(exc) in (401, 403):
                self._say(_NOT_ALLOWED)
            else:
                self._say(_NOT_DONE, reason=str(exc))
        except Exception as exc:  # an unexpected failure is shown, not raised into the page
            self._say(_NOT_DONE, reason=f"{type(exc).__name__}: {exc}")

    def _say(self, message: str, **values: Any) -> None:
        self._message = (message, values)
        self._render_note()

    def confirm(self) -> None:
        """Take the typed name as the trainer's."""
        typed = " ".join(self.name_box.value.split())
        problem = name_problem(typed, self.lang)
        if problem is not None:
            self.note.value = f"<span>{views.esc(problem)}</span>"
            return
        self.name_box.value = self.state.set_trainer(typed)
        self._message = None
        self._fill_filters()
        self._render()

    def draw(self) -> None:
        """Draw a sample with the chosen filters."""
        count = self.state.draw(self.size.value, self.seed.value, self.cohort.value, self.session.value.strip(), self.kind.value)
        self._say(_DRAWN if count else _NONE_DRAWN, n=count)
        self.tabs.selected_index = 0
        self._render()

    def save_and_next(self) -> None:
        """Store the marks of the reply on screen and show the next."""
        reply = self.state.current
        if reply is None:
            return
        nothing_marked = all(t.value is None for t in self.toggles.values())
        if nothing_marked and time.monotonic() - self._last_save < DOUBLE_CLICK_SECONDS:
            return  # the second click of a double click on the reply just saved: nothing to say
        for rule_id, toggle in self.toggles.items():
            self.state.mark(rule_id, toggle.value)
            text = self.comment_boxes[rule_id].value.strip()
            if text:
                self.state.comment(rule_id, text)
        if self.state.unmarked():
            _ = translator(self.lang)
            self.hint.value = views.esc(_("Mark every rule: kept, broken or not applicable."))
            return
        self.state.save_and_next()
        self._last_save = time.monotonic()
        self._say(_SAVED, n=self.state.saved, total=len(self.state.sample))
        self._render()

    def show_agreement(self) -> None:
        """Compute and draw the agreement with the chosen rater."""
        self.comparison = self.state.comparison(self.compare.value or None)
        self.found = self.state.disagreements(self.comparison)
        self._render_agreement()

    def record_override(self) -> None:
        """Record the override chosen in the form."""
        if self.pick.value is None:
            self._say(_PICK_FIRST)
            return
        if self.override_status.value is None or not self.reason.value.strip():
            self._say(_OVERRIDE_NEEDS)
            return
        reply_id, rule_id = self.pick.value
        made = self.state.override(reply_id, rule_id, self.override_status.value, self.reason.value)
        self.reason.value = ""
        self.override_status.value = None
        self._message = None
        _ = translator(self.lang)
        shown = _("Override saved: {status}, by {who}.", status=status_name(made.status, self.lang), who=made.who)
        self.show_agreement()
        self.override_note.value = f'<span class="simkit-override-saved">{views.esc(shown)}</span>'
        self._render_note()

    # --- drawing -------------------------------------------------------------------------

    def _on_lang(self, change: dict[str, Any]) -> None:
        self.lang = change["new"]
        self._render()
        if self.comparison is not None:
            self._render_agreement()

    def _on_tab(self, change: dict[str, Any]) -> None:
        if change["new"] == 1 and self.state.trainer:
            self._guard(self.show_agreement)

    def _fill_filters(self) -> None:
        _ = translator(self.lang)
        try:  # the filters are drawn whatever the store (or the service) says; a click says why it failed
            cohorts = self.state.cohorts()
        except SimkitError:
            cohorts = []
        self.cohort.options = [(_("All groups"), "")] + [(c, c) for c in cohorts]
        kinds = sorted({s.kind for s in self.state.kit.scenarios.values()})
        self.kind.options = (
            [(_("All situations"), "")]
            + [(name("kind", k, self.lang), k) for k in kinds]
            + [(name("kind", "real_transcript", self.lang), "real_transcript")]
        )
        try:
            others = self.state.others() if self.state.trainer else []
        except SimkitError:
            others = []
        self.compare.options = [(_("The scorer"), "")] + [(p, p) for p in others]

    def _render_note(self) -> None:
        if self._message is None:
            self.note.value = ""
            return
        message, values = self._message
        self.note.value = f"<span>{views.esc(translator(self.lang)(message, **values))}</span>"

    def _render(self) -> None:
        _ = translator(self.lang)
        self.name_box.placeholder = _("Trainer’s name")
        self.confirm_button.description = _("That's me")
        self.session.placeholder = _("Session code")
        self.size.description = _("Replies")
        self.seed.description = _("Sample no.")
        self.draw_button.description = _("Draw a sample")
        self.save_button.description = _("Save and next")
        self.refresh_button.description = _("Refresh")
        self.override_button.description = _("Record the override")
        self.reason.placeholder = _("Why (required)")
        self.override_title.value = "<b>" + views.esc(_("Override an automatic verdict")) + "</b>"
        self.tabs.set_title(0, _("Review"))
        self.tabs.set_title(1, _("Agreement"))
        options = [(status_name(s, self.lang), s) for s in STATUSES]
        self.override_status.options, self.override_status.value = options, self.override_status.value
        value = self.cohort.value, self.kind.value, self.compare.value
        self._fill_filters()
        self.cohort.value, self.kind.value = value[0] if value[0] in {v for _l, v in self.cohort.options} else "", value[1] or ""
        self.compare.value = value[2] if value[2] in {v for _l, v in self.compare.options} else ""
        ready = self.state.trainer is not None
        self.draw_button.disabled = not ready
        self._render_note()
        self._render_review()

    def _render_review(self) -> None:
        _ = translator(self.lang)
        reply = self.state.current
        self.hint.value = ""
        if self.state.trainer is None:
            self.progress.value = views.esc(_("Type your name and press “That's me”, then draw a sample."))
        elif reply is None:
            done = _("Done, replies reviewed: {n}. See the Agreement tab.", n=self.state.saved) if self.state.saved else ""
            self.progress.value = views.esc(done or _("Draw a sample to start."))
        else:
            self.progress.value = views.esc(_("Reply {n} of {total}", n=self.state.position + 1, total=len(self.state.sample)))
        self.save_button.disabled = reply is None
        self.reply.value = reply_html(reply, self.lang) if reply else ""
        # a redraw of the same reply (a new language) keeps what was marked; a new reply starts unmarked
        same = reply is not None and reply.reply_id == self._shown_reply
        previous = {k: (t.value, self.comment_boxes[k].value) for k, t in self.toggles.items()} if same else {}
        self._shown_reply = reply.reply_id if reply else None
        self.toggles, self.comment_boxes, rows = {}, {}, []
        for rule in reply.rules if reply else ():
            mark, comment = previous.get(rule.id, (None, ""))
            toggle = self._widget(
                widgets.ToggleButtons(options=[(status_name(s, self.lang), s) for s in STATUSES], value=mark), "simkit-cal-mark"
            )
            box = self._widget(widgets.Text(value=comment, placeholder=_("Comment (optional)")), "simkit-cal-comment")
            title = widgets.HTML(f"<b>{views.esc(rule.title(self.lang))}</b>", layout=widgets.Layout(width="22em"))
            row = self._widget(widgets.HBox([title, toggle, box]), "simkit-cal-rule")
            row.add_class(f"simkit-cal-rule-{rule.id}")
            self.toggles[rule.id], self.comment_boxes[rule.id] = toggle, box
            rows.append(row)
        self.rules.children = rows

    def _render_agreement(self) -> None:
        comparison = self.comparison
        if comparison is None:
            return
        self.report.value = report_html(self.state, comparison, self.lang) + disagreements_html(
            self.state, comparison, self.found, self.lang
        )
        options = []
        for d in self.found:
            rule = self.state.kit.rules.get(d.rule_id)
            title = rule.title.get(self.lang) if rule else d.rule_id
            options.append((f"{title} — {d.reply.text[:60]}", (d.reply.reply_id, d.rule_id)))
        self.pick.options = options
        self.override_form.layout.display = "" if options else "none"


def calibration(
    lang: str = "ru", kit: Kit | None = None, url: str | None = None, evidence: Evidence | None = None
) -> Calibration:
    """The calibration app for a notebook cell (the local store, or the hub's simkit service under the hub)."""
    return Calibration(lang, kit, url, evidence)


__all__ = ["STATUSES", "Calibration", "CalibrationState", "Disagreement", "NotMarked", "calibration", "status_name"]
