"""The trainer's console: run a live round with a group, watch answers arrive, discuss, end and export.

The trainer creates a round (name, cohort, scenarios, language, mode, one variant for all or one
per trainee) and reads its join code out. Trainees join from their player (``apps.join``) in their
own kernels; their attempts reach the shared store, and a background thread here polls it through
the console's evidence (the store, or the hub's simkit service: ``evidence_for``) every
``interval`` seconds and sets the values of the live table, the common failures and the
discussion picker. The thread only sets values of widgets made before
the page was shown: widgets created from a thread can reach a Voilà page before it listens.
"""

from __future__ import annotations

import base64
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..i18n import LANGUAGES, translator
from ..i18n.names import name as named
from . import views
from .console_views import STYLE, common_html, discussion_html, example_label, live_html
from .evidence import evidence_for, hub_user
from .loading import cached_kit

if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..store.sessions import CommonFailure, LiveRow, Round
    from .evidence import Evidence

INTERVAL = 0.5  # seconds between polls: an answer shows within about this plus one widget round trip
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Console(widgets.VBox):  # type: ignore[misc]
    """The trainer's console for one round at a time (root class ``simkit-console``)."""

    def __init__(
        self,
        lang: str = "ru",
        kit: Kit | None = None,
        url: str | None = None,
        interval: float = INTERVAL,
        trainer: str = "",
        evidence: Evidence | None = None,
        **kwargs: Any,
    ) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"the language '{lang}' is not offered (choose one of: {', '.join(LANGUAGES)})")
        self.lang = lang
        self.kit = kit if kit is not None else cached_kit()
        self.evidence: Evidence = evidence if evidence is not None else evidence_for(self.kit, url)
        self.interval = interval
        self.round: Round | None = None
        self.rows: list[LiveRow] = []
        self.failures: list[CommonFailure] = []
        self.listeners: list[Callable[[list[LiveRow]], None]] = []  # called after each poll (the benchmark listens)
        self.exported: dict[str, bytes] = {}  # file name: content, the latest exports
        self._problem = ""
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._build(trainer)
        live_html([], self.kit, lang)  # pandas is imported now, not in the poll that brings the first answers
        super().__init__([widgets.HTML(f"<style>{STYLE}</style>", layout=widgets.Layout(display="none")), views.stylesheet(),
                          self.lang_buttons, self._form, self.note, self._round_box], **kwargs)  # fmt: skip
        self.add_class("simkit-console")
        self._relabel()
        self._render()

    # --- building ------------------------------------------------------------------------------

    def _build(self, trainer: str) -> None:
        self.lang_buttons = widgets.ToggleButtons(options=[(c.upper(), c) for c in LANGUAGES], value=self.lang)
        self.lang_buttons.add_class("simkit-console-lang")
        self.lang_buttons.observe(self._on_lang, names="value")
        self.title_box = widgets.Text(layout=widgets.Layout(width="24em"))
        self.title_box.add_class("simkit-round-title")
        self.cohort_box = widgets.Text(layout=widgets.Layout(width="12em"))
        self.cohort_box.add_class("simkit-round-cohort")
        signed_in = hub_user()  # under the hub the service records the signed-in user as the round's trainer
        self.trainer_box = widgets.Text(value=signed_in or trainer, disabled=bool(signed_in), layout=widgets.Layout(width="16em"))
        self.trainer_box.add_class("simkit-round-trainer")
        self.scenario_pick = widgets.SelectMultiple(rows=8, layout=widgets.Layout(width="34em"))
        self.scenario_pick.add_class("simkit-round-scenarios")
        self.round_lang = widgets.Dropdown(options=[(c.upper(), c) for c in LANGUAGES], value=self.lang)
        self.round_lang.add_class("simkit-round-lang")
        self.mode_pick = widgets.Dropdown()
        self.mode_pick.add_class("simkit-round-mode")
        self.same_box = widgets.Checkbox(value=False, indent=False)
        self.same_box.add_class("simkit-round-same")
        self.create_button = widgets.Button(button_style="primary")
        self.create_button.add_class("simkit-round-create")
        self.open_box = widgets.Text(layout=widgets.Layout(width="8em"))
        self.open_box.add_class("simkit-round-open-code")
        self.open_button = widgets.Button()
        self.open_button.add_class("simkit-round-open")
        self.note = widgets.HTML()
        self.note.add_class("simkit-console-note")
        self.code_view = widgets.HTML()
        self.code_view.add_class("simkit-round-code")
        self.live = widgets.HTML()
        self.live.add_class("simkit-live")
        self.common = widgets.HTML()
        self.common.add_class("simkit-common-failures")
        self.discuss_pick = widgets.Dropdown(layout=widgets.Layout(width="40em"))
        self.discuss_pick.add_class("simkit-discuss-pick")
        self.hide_name = widgets.Checkbox(value=True, indent=False)
        self.hide_name.add_class("simkit-discuss-hide")
        self.discussion = widgets.HTML()
        self.discussion.add_class("simkit-discuss")
        self.end_button = widgets.Button(button_style="danger")
        self.end_button.add_class("simkit-round-end")
        self.excel_button = widgets.Button()
        self.excel_button.add_class("simkit-export-excel")
        self.html_button = widgets.Button()
        self.html_button.add_class("simkit-export-html")
        self.links = widgets.HTML()
        self.links.add_class("simkit-export-links")
        self._headings = {k: widgets.HTML() for k in ("new", "live", "common", "discuss", "export")}
        row = widgets.HBox
        self._form = widgets.VBox([
            self._headings["new"],
            row([self.title_box, self.cohort_box, self.trainer_box]),
            self.scenario_pick,
            row([self.round_lang, self.mode_pick, self.same_box]),
            row([self.create_button, self.open_box, self.open_button]),
        ])  # fmt: skip
        self._round_box = widgets.VBox([
            self.code_view,
            self._headings["live"], self.live,
            self._headings["common"], self.common,
            self._headings["discuss"], row([self.discuss_pick, self.hide_name]), self.discussion,
            self._headings["export"], row([self.end_button, self.excel_button, self.html_button]), self.links,
        ])  # fmt: skip
        self.create_button.on_click(lambda _b: self._guard(self.create))
        self.open_button.on_click(lambda _b: self._guard(lambda: self.open_round(self.open_box.value)))
        self.end_button.on_click(lambda _b: self._guard(self.end))
        self.excel_button.on_click(lambda _b: self._guard(self.export_excel))
        self.html_button.on_click(lambda _b: self._guard(self.export_html))
        self.discuss_pick.observe(lambda _c: self._guard(self._draw_discussion), names="value")
        self.hide_name.observe(lambda _c: self._guard(self._draw_discussion), names="value")

    # --- what the trainer does -----------------------------------------------------------------

    def create(self) -> Round:
        """Create a round from the form and start watching it."""
        from ..store.sessions import RoundError

        _ = translator(self.lang)
        if not self.title_box.value.strip():
            raise RoundError(_("Give the round a name."))
        if not self.scenario_pick.value:
            raise RoundError(_("Choose at least one scenario for the round."))
        found = self.evidence.create_round(
            self.title_box.value,
            list(self.scenario_pick.value),
            lang=self.round_lang.value,
            mode=self.mode_pick.value,
            same_variant=self.same_box.value,
            cohort=self.cohort_box.value,
            trainer=self.trainer_box.value,
        )
        self._watch(found)
        return found

    def open_round(self, code: str) -> Round:
        """Watch an existing round (open or ended) by its code, e.g. after the kernel restarted."""
        from ..store.sessions import RoundError, normal_code

        try:
            found = self.evidence.get_round(code)
        except RoundError:
            raise RoundError(translator(self.lang)("No round has the code {code}.", code=normal_code(code))) from None
        self._watch(found)
        return found

    def end(self) -> Round:
        """End the round: trainees can no longer join; the table keeps its last state."""
        if self.round is None:
            raise _no_round(self.lang)
        self.stop_polling()
        self.round = self.evidence.end_round(self.round.code)
        self.refresh()
        with self._lock:
            self._render()  # the code shows the round ended, even when no answer came since the last poll
        return self.round

    def refresh(self) -> bool:
        """Read the round from the store once and redraw what changed; True when something did."""
        with self._lock:
            if self.round is None:
                return False
            rows = self.evidence.live_rows(self.round.code)
            failures = self.evidence.common_failures(self.round.code)
            changed = rows != self.rows or failures != self.failures
            self.rows, self.failures = rows, failures
            if changed:
                self._render()
        for listener in list(self.listeners):
            listener(rows)
        return changed

    def discuss(self, reply_id: str | None, hide_name: bool | None = None) -> str:
        """Show one reply for the class (the trainee's name hidden unless ``hide_name`` is False); the HTML shown."""
        if hide_name is not None:
            self.hide_name.value = hide_name
        if reply_id is not None and reply_id not in [v for _l, v in self.discuss_pick.options]:
            self.discuss_pick.options = [*self.discuss_pick.options, (reply_id, reply_id)]
        self.discuss_pick.value = reply_id
        self._draw_discussion()
        return str(self.discussion.value)

    def export_excel(self) -> str:
        """The round as a workbook, offered as a download link; returns the file name."""
        from ..reports.session import round_excel

        name = f"round-{self._code()}.xlsx"
        with tempfile.TemporaryDirectory() as folder:
            path = round_excel(self._tables(), Path(folder) / name)
            self.exported[name] = path.read_bytes()
        self._draw_links()
        return name

    def export_html(self) -> str:
        """The round as a self-contained HTML page, offered as a download link; returns the file name."""
        from ..reports.session import round_html

        assert self.round is not None
        code = self._code()
        page = round_html(self.round, self.rows, self.failures, self.evidence.round_replies(code), self.kit, self.lang)
        name = f"round-{code}.html"
        self.exported[name] = page.encode("utf-8")
        self._draw_links()
        return name

    # --- polling -------------------------------------------------------------------------------

    def start_polling(self) -> None:
        """Poll the store in a background thread every ``interval`` seconds until the round ends."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._poll, name="simkit-live", daemon=True)
        self._thread.start()

    def stop_polling(self) -> None:
        """Stop the background polling (the table keeps its last state)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)
        self._thread = None

    def shutdown(self) -> None:
        """Stop polling and release the store (the widget stays as drawn)."""
        self.stop_polling()
        self.evidence.close()

    def _poll(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.refresh()
                if self._problem:
                    self._problem = ""
                    self._draw_note()
            except Exception as exc:  # the store away for a moment: say so, keep trying
                self._problem = str(exc) or type(exc).__name__
                self._draw_note()
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))

    # --- internals -----------------------------------------------------------------------------

    def _watch(self, found: Round) -> None:
        self.stop_polling()
        with self._lock:
            self.round, self.rows, self.failures, self.exported = found, [], [], {}
            self.discuss_pick.options, self.discussion.value, self.links.value = [], "", ""
        self.refresh()
        self._render()
        if found.open:
            self.start_polling()

    def _code(self) -> str:
        if self.round is None:
            raise _no_round(self.lang)
        return self.round.code

    def _tables(self) -> dict[str, Any]:
        from ..reports.session import round_tables

        return round_tables(self.rows, self.failures, self.evidence.round_replies(self._code()), self.kit, self.lang)

    def _guard(self, handler: Callable[[], object]) -> None:
        """Run a click handler; whatever goes wrong, the trainer reads a message, not a traceback."""
        self._problem = ""
        try:
            handler()
        except Exception as exc:
            self._problem = str(exc) or type(exc).__name__
        self._draw_note()

    def _on_lang(self, _change: dict[str, Any]) -> None:
        self.lang = self.lang_buttons.value
        self._relabel()
        with self._lock:
            self._render()
        self._draw_discussion()
        self._draw_links()

    def _relabel(self) -> None:
        lang = self.lang
        _ = translator(lang)
        chosen = self.scenario_pick.value
        self.scenario_pick.options = sorted(((s.title.get(lang), i) for i, s in self.kit.scenarios.items()), key=lambda o: o[0])
        self.scenario_pick.value = tuple(c for c in chosen if c in self.kit.scenarios)
        mode = self.mode_pick.value or "session"
        self.mode_pick.options = [(named("mode", m, lang), m) for m in ("session", "practice", "assessment")]
        self.mode_pick.value = mode
        self.title_box.placeholder = _("Name of the round")
        self.cohort_box.placeholder = _("Group (optional)")
        self.trainer_box.placeholder = _("Trainer")
        if self.trainer_box.disabled:
            self.trainer_box.tooltip = _("This is the name you signed in with; it cannot be changed here.")
        self.round_lang.description = _("Language")
        self.mode_pick.description = _("Mode")
        self.same_box.description = _("The same variant for everyone")
        self.create_button.description = _("Create the round")
        self.open_box.placeholder = _("Join code")
        self.open_button.description = _("Open a round")
        self.hide_name.description = _("Hide the trainee's name")
        self.end_button.description = _("End the round")
        self.excel_button.description = _("Export to Excel")
        self.html_button.description = _("Export as a web page")
        titles = {
            "new": _("A new round"),
            "live": _("Answers as they arrive"),
            "common": _("The most common failures"),
            "discuss": _("A reply to discuss"),
            "export": _("End and export"),
        }
        for key, heading in self._headings.items():
            heading.value = f"<h3>{views.esc(titles[key])}</h3>"

    def _draw_note(self) -> None:
        _ = translator(self.lang)
        said = _("Something went wrong: {reason}", reason=self._problem)
        self.note.value = f"<span>{views.esc(said)}</span>" if self._problem else ""

    def _render(self) -> None:
        lang = self.lang
        self._round_box.layout.display = "none" if self.round is None else ""
        if self.round is None:
            return
        self.code_view.value = self._code_html(lang)
        self.live.value = live_html(self.rows, self.kit, lang)
        self.common.value = common_html(self.failures, self.kit, lang)
        failures = enumerate(self.failures)
        options = [(example_label(i, f, e.text, self.kit, lang), e.reply_id) for i, f in failures for e in f.examples]
        seen = {v for _l, v in options}
        chosen = self.discuss_pick.value
        extra = [o for o in self.discuss_pick.options if o[1] not in seen and o[1] == chosen]
        if [tuple(o) for o in self.discuss_pick.options] != [*options, *extra]:
            self.discuss_pick.options = [*options, *extra]
            self.discuss_pick.value = chosen if chosen in seen or extra else None
        ended = not self.round.open
        self.end_button.disabled = ended

    def _code_html(self, lang: str) -> str:
        assert self.round is not None
        _ = translator(lang)
        found = self.round
        state = _("the round has ended") if not found.open else _("open for joining")
        scenarios = ", ".join(self.kit.scenarios[s].title.get(lang) if s in self.kit.scenarios else s for s in found.scenarios)
        variant = _("the same variant for everyone") if found.same_variant else _("a variant per trainee")
        return (
            f'<div class="simkit-round" data-code="{views.esc(found.code)}" data-open="{str(found.open).lower()}">'
            f"<div>{views.esc(_('Join code'))} ({views.esc(state)}):</div>"
            f'<div class="simkit-code-big">{views.esc(found.code)}</div>'
            f"<div><b>{views.esc(found.title)}</b> · {views.esc(found.cohort or '-')}"
            f" · {views.esc(named('mode', found.mode, lang))} · {views.esc(found.lang.upper())} · {views.esc(variant)}</div>"
            f"<div>{views.esc(scenarios)}</div></div>"
        )

    def _draw_discussion(self) -> None:
        reply_id = self.discuss_pick.value
        if self.round is None or not reply_id:
            self.discussion.value = ""
            return
        reply = self.evidence.reply_of_round(self.round.code, reply_id)
        self.discussion.value = discussion_html(reply, self.kit, self.lang, hide_name=self.hide_name.value)

    def _draw_links(self) -> None:
        _ = translator(self.lang)
        links = []
        for file_name, content in self.exported.items():
            kind = _XLSX if file_name.endswith(".xlsx") else "text/html"
            uri = f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}"
            links.append(
                f'<a class="simkit-download" download="{views.esc(file_name)}" href="{uri}">'
                f"{views.esc(_('Download {file}', file=file_name))}</a>"
            )
        self.links.value = " · ".join(links)


def _no_round(lang: str) -> Exception:
    from ..store.sessions import RoundError

    return RoundError(translator(lang)("Create a round or open one by its code first."))


def console(lang: str = "ru", url: str | None = None, root: str | None = None) -> Console:
    """The trainer's console, built whole (the kit loaded) before it is shown."""
    return Console(lang=lang, kit=cached_kit(root), url=url)


__all__ = ["INTERVAL", "Console", "common_html", "console", "discussion_html", "live_html"]
