"""The HR readiness dashboard: the cohort's verdicts, one trainee's evidence, HR's decision and its export.

``Dashboard`` is the widget ``notebooks/hr_readiness.ipynb`` shows. It holds no readiness logic:
``DashboardState`` reads verdicts (summed in SQL, a page of 50 trainees drawn at a time), one
trainee's evidence, records decisions and writes the personnel-file page; ``dashboard_html``
draws them in the reader's language. Every store error becomes a message, never a traceback.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..content.kit import Kit
from ..i18n import LANGUAGES, ngettext, translator
from ..i18n.names import name
from ..store.records import VERDICTS
from . import dashboard_html as pieces
from .dashboard_state import DashboardState
from .evidence import Evidence, evidence_for, hub_user
from .loading import cached_kit
from .views import esc

ALL = ""  # the filters' "all" choice


def _error(exc: Exception) -> str:
    # a store or content problem the reader can act on; anything else by its kind and message
    from ..errors import SimkitError

    return str(exc) if isinstance(exc, SimkitError) else f"{type(exc).__name__}: {exc}"


class Dashboard(widgets.VBox):  # type: ignore[misc]
    """The HR officer's dashboard (root class ``simkit-dashboard``)."""

    def __init__(
        self,
        lang: str = "ru",
        kit: Kit | None = None,
        url: str | None = None,
        rulebook: str | None = None,
        export_folder: str | Path = "exports",
        who: str = "",
        evidence: Evidence | None = None,
        **kwargs: Any,
    ) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"the language '{lang}' is not offered (choose one of: {', '.join(LANGUAGES)})")
        self.lang = lang
        self.kit = kit if kit is not None else cached_kit()
        self.export_folder = Path(export_folder)
        self.page_number = 0
        self.selected: str | None = None
        self.error = ""
        self.last_export: Path | None = None
        self._trend = ""
        self.state: DashboardState | None = None
        self._books: list[tuple[str, int]] = []  # rulebook versions in the store, read after the first drawing
        self._books_ready = threading.Event()
        self._make_widgets(who)
        super().__init__(
            [
                widgets.HTML(f"<style>{pieces.STYLE}</style>", layout=widgets.Layout(display="none")),
                self._heading,
                widgets.HBox([self._lang_buttons, self._cohort, self._verdict, self._refresh]),
                self._status,
                self._table,
                widgets.HBox([self._previous, self._page_label, self._next]),
                widgets.HBox([self._pick, self._open]),
                self._trainee,
                self._form,
                self._changes_box,
            ],
            **kwargs,
        )
        self.add_class("simkit-dashboard")
        try:
            state = DashboardState(evidence if evidence is not None else evidence_for(self.kit, url), self.kit, rulebook)
            state.load()
            self.state = state
        except Exception as exc:
            self.error = _error(exc)
        self._fill_choices()
        self._render()
        # the rulebook versions only serve "what changed": read them once the table is drawn
        threading.Thread(target=self._read_rulebooks, daemon=True).start()

    def _read_rulebooks(self) -> None:
        try:
            self._books = self.state.rulebooks() if self.state else []
            self._fill_rulebooks()
        except Exception as exc:  # the store went away: the table says so on the next read
            self.error = _error(exc)
        finally:
            self._books_ready.set()

    def _fill_rulebooks(self) -> None:
        keep_book = self._before.value
        self._before.options = [(f"{h[:12]} ({ngettext(self.lang, '{n} reply', '{n} replies', n)})", h) for h, n in self._books]
        if keep_book in [h for h, _n in self._books]:
            self._before.value = keep_book
        elif len(self._books) > 1:
            self._before.value = self._books[1][0]

    # --- building ---------------------------------------------------------------------------

    def _make_widgets(self, who: str) -> None:
        def classed(widget: Any, css: str) -> Any:
            widget.add_class(css)
            return widget

        self._heading = widgets.HTML()
        self._lang_buttons = classed(
            widgets.ToggleButtons(options=[(c.upper(), c) for c in LANGUAGES], value=self.lang, style={"button_width": "3.5em"}),
            "simkit-lang",
        )
        self._cohort = classed(widgets.Dropdown(), "simkit-dashboard-cohort")
        self._verdict = classed(widgets.Dropdown(), "simkit-dashboard-verdict")
        self._refresh = classed(widgets.Button(), "simkit-dashboard-refresh")
        self._status = classed(widgets.HTML(), "simkit-dashboard-status")
        self._table = classed(widgets.HTML(), "simkit-cohort")
        self._previous = classed(widgets.Button(), "simkit-page-previous")
        self._next = classed(widgets.Button(), "simkit-page-next")
        self._page_label = classed(widgets.HTML(), "simkit-page")
        self._pick = classed(widgets.Combobox(ensure_option=False), "simkit-trainee-pick")
        self._open = classed(widgets.Button(), "simkit-trainee-open")
        self._trainee = classed(widgets.HTML(), "simkit-trainee")
        self._action = classed(widgets.ToggleButtons(), "simkit-decision-action")
        self._decided = classed(widgets.Dropdown(), "simkit-decision-verdict")
        self._reason = classed(widgets.Textarea(layout=widgets.Layout(width="40em", height="5em")), "simkit-decision-reason")
        signed_in = hub_user()  # under the hub the service records the signed-in user as who decided
        self._who = classed(widgets.Text(value=signed_in or who, disabled=bool(signed_in)), "simkit-decision-who")
        self._record = classed(widgets.Button(button_style="primary"), "simkit-decision-record")
        self._export = classed(widgets.Button(), "simkit-export")
        self._form_note = classed(widgets.HTML(), "simkit-decision-status")
        self._form = classed(
            widgets.VBox(
                [
                    widgets.HBox([self._action, self._decided]),
                    self._reason,
                    widgets.HBox([self._who, self._record, self._export]),
                    self._form_note,
                ]
            ),
            "simkit-decision-form",
        )
        self._before = classed(widgets.Dropdown(), "simkit-changes-before")
        self._compare_button = classed(widgets.Button(), "simkit-changes-run")
        self._changes = classed(widgets.HTML(), "simkit-changes-view")
        self._changes_title = widgets.HTML()
        self._changes_box = classed(
            widgets.VBox([self._changes_title, widgets.HBox([self._before, self._compare_button]), self._changes]),
            "simkit-changes",
        )
        self._lang_buttons.observe(lambda c: self.set_lang(c["new"]), names="value")
        self._cohort.observe(lambda _c: self._filtered(), names="value")
        self._verdict.observe(lambda _c: self._filtered(), names="value")
        self._action.observe(lambda _c: self._sync_form(), names="value")
        self._refresh.on_click(lambda _b: self.refresh())
        self._previous.on_click(lambda _b: self.go(self.page_number - 1))
        self._next.on_click(lambda _b: self.go(self.page_number + 1))
        self._open.on_click(lambda _b: self.show(self._pick.value))
        self._record.on_click(lambda _b: self._guarded(self.record))
        self._export.on_click(lambda _b: self._guarded(self.export))
        self._compare_button.on_click(lambda _b: self._guarded(self.compare))

    def _fill_choices(self) -> None:
        _ = translator(self.lang)
        cohorts = self.state.cohorts() if self.state else []
        keep_cohort, keep_verdict = self._cohort.value, self._verdict.value
        self._cohort.options = [(_("All cohorts"), ALL)] + [(c, c) for c in cohorts]
        self._cohort.value = keep_cohort if keep_cohort in cohorts else ALL
        self._verdict.options = [(_("All verdicts"), ALL)] + [(name("verdict", v, self.lang), v) for v in VERDICTS]
        self._verdict.value = keep_verdict or ALL
        keep_action = self._action.value or "confirm"
        self._action.options = [(_("Confirm"), "confirm"), (_("Overrule"), "overrule")]
        self._action.value = keep_action
        keep = self._decided.value
        self._decided.options = [(name("verdict", v, self.lang), v) for v in VERDICTS]
        self._decided.value = keep or VERDICTS[0]
        self._fill_rulebooks()
        self._pick.options = [r.readiness.trainee for r in self.rows()]
        self._sync_form()

    # --- actions ----------------------------------------------------------------------------

    def rows(self) -> list[Any]:
        """The cohort table's rows under the current filters."""
        if self.state is None:
            return []
        return self.state.rows(self._cohort.value or None, self._verdict.value or None)

    def set_lang(self, lang: str) -> None:
        """Relabel everything in ``lang``."""
        self.lang = lang
        self._lang_buttons.value = lang
        self._trend = ""  # its labels are in the language too
        self._fill_choices()
        self._render()

    def refresh(self) -> None:
        """Read the verdicts, decisions and rulebook versions again."""
        if self.state is not None:
            try:
                self.state.load()
                self._books = self.state.rulebooks()
                self.error = ""
            except Exception as exc:
                self.error = _error(exc)
        self._fill_choices()
        self._render()

    def filter(self, cohort: str | None = None, verdict: str | None = None) -> None:
        """Show only ``cohort`` and ``verdict`` (None: all)."""
        self._cohort.value = cohort or ALL
        self._verdict.value = verdict or ALL

    def _filtered(self) -> None:
        self.page_number = 0
        self._pick.options = [r.readiness.trainee for r in self.rows()]
        self._render_table()

    def go(self, page: int) -> None:
        """Show page ``page`` (from 0) of the cohort table."""
        if self.state is not None:
            self.page_number = min(max(0, page), self.state.pages(self.rows()) - 1)
        self._render_table()

    def show(self, trainee: str) -> None:
        """Open one trainee's evidence below the table."""
        self.selected = trainee.strip() or None
        self._pick.value = self.selected or ""
        self._trend = ""
        self._form_note.value = ""
        self._render_trainee()
        self._sync_form()

    def record(self) -> None:
        """Store the decision in the form for the open trainee (confirm, or overrule with the chosen verdict)."""
        _ = translator(self.lang)
        if self.state is None or not self.selected:
            raise ValueError(_("Open a trainee first."))
        decision = self._decided.value if self._action.value == "overrule" else None
        made = self.state.decide(self.selected, decision, self._reason.value, self._who.value)
        self._reason.value = ""
        self._note(
            _("Decision recorded: {verdict}, by {who}.", verdict=name("verdict", made.decision, self.lang), who=made.who),
            "recorded",
        )
        self._render_table()
        self._render_trainee()

    def export(self) -> Path:
        """Write the open trainee's page for the personnel file (with the decisions and overrides); returns it."""
        _ = translator(self.lang)
        if self.state is None or not self.selected:
            raise ValueError(_("Open a trainee first."))
        path = self.state.export(self.selected, self.lang, self.export_folder)
        self.last_export = path
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        text = _("Saved for the personnel file: {path}", path=str(path.resolve()))
        link = _("Download")
        self._form_note.value = (
            f'<span class="simkit-export-status" data-path="{esc(str(path.resolve()))}">{esc(text)}</span> '
            f'<a download="{esc(path.name)}" href="data:text/html;base64,{data}">{esc(link)}</a>'
        )
        return path

    def compare(self) -> None:
        """Show which trainees' verdicts move from the rulebook chosen in "what changed" to the current one."""
        _ = translator(self.lang)
        self._books_ready.wait(30)
        if self.state is None or not self._before.value:
            raise ValueError(_("The store holds verdicts under one rulebook only: nothing to compare."))
        found = self.state.changes(self._before.value)
        self._changes.value = pieces.changes_html(found, self.kit, self.lang)

    def _guarded(self, action: Callable[[], Any]) -> None:
        try:
            action()
        except Exception as exc:
            self._note(_error(exc) if not isinstance(exc, ValueError) else str(exc), "failed")

    def _note(self, text: str, state: str) -> None:
        self._form_note.value = f'<span class="simkit-decision-note" data-state="{state}">{esc(text)}</span>'

    # --- drawing ----------------------------------------------------------------------------

    def _sync_form(self) -> None:
        self._decided.layout.display = "" if self._action.value == "overrule" else "none"
        self._form.layout.display = "" if self.selected else "none"

    def _render(self) -> None:
        _ = translator(self.lang)
        self._heading.value = f"<h2>{esc(_('Readiness for independent work'))}</h2>"
        self._refresh.description = _("Read again")
        self._previous.description = _("Previous")
        self._next.description = _("Next")
        self._pick.placeholder = _("Trainee's name")
        self._open.description = _("Open")
        self._reason.placeholder = _("Reason (required)")
        self._who.placeholder = _("Your name")
        if self._who.disabled:
            self._who.tooltip = _("This is the name you signed in with; it cannot be changed here.")
        self._record.description = _("Record the decision")
        self._export.description = _("Export for the personnel file")
        self._changes_title.value = f"<h3>{esc(_('What a rule change changed'))}</h3>"
        self._compare_button.description = _("Compare with the current rulebook")
        self._render_table()
        self._render_trainee()

    def _render_table(self) -> None:
        _ = translator(self.lang)
        if self.state is None:
            self._status.value = (
                f'<div class="simkit-hint">{esc(_("The store cannot be read now: {reason}", reason=self.error))}</div>'
            )
            self._table.value = ""
            return
        rows = self.rows()
        pages = self.state.pages(rows)
        self.page_number = min(self.page_number, pages - 1)
        counts = self.state.counts(self._cohort.value or None)
        book = _("Rulebook version {hash}.", hash=self.state.rulebook[:12])
        self._status.value = f'<div class="simkit-muted">{esc(book)} {esc(self.error)}</div>'
        self._table.value = pieces.cohort_html(
            self.state.page(rows, self.page_number), self.lang, self.page_number, pages, len(rows), counts
        )
        self._page_label.value = f"{self.page_number + 1} / {pages}"
        self._previous.disabled = self.page_number == 0
        self._next.disabled = self.page_number >= pages - 1

    def _render_trainee(self) -> None:
        _ = translator(self.lang)
        if self.state is None or not self.selected:
            self._trainee.value = ""
            return
        try:
            evidence = self.state.trainee(self.selected)
            if not evidence.attempts and not evidence.drills:
                self._trainee.value = f"<div>{esc(_('No attempts by {name}.', name=self.selected))}</div>"
                return
            if not self._trend:
                self._trend = self._trend_png(evidence.attempts)
            self._trainee.value = pieces.trainee_html(evidence, self.kit, self.lang, self._trend)
        except Exception as exc:
            self._trainee.value = f'<div class="simkit-hint">{esc(_error(exc))}</div>'

    def _trend_png(self, attempts: Any) -> str:
        from ..reports.plots import png_data_uri, trend_figure
        from ..reports.tables import score_trend

        return png_data_uri(trend_figure(score_trend(list(attempts), self.kit), self.selected, self.lang))


def hr_readiness(lang: str = "ru", kit: Kit | None = None, url: str | None = None) -> Dashboard:
    """The dashboard as ``notebooks/hr_readiness.ipynb`` shows it."""
    return Dashboard(lang=lang, kit=kit, url=url)
