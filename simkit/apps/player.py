"""The scenario player widget: any scenario as a chat, in practice, session or assessment mode.

``Player`` draws a ``PlayerState`` (``apps.player_state``) with the pieces of ``views`` and
forwards typing and clicks to it; it holds no scoring, mood or storage logic of its own. The
reply time starts when a customer's line has been drawn (``PlayerState.shown``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..content.vocabulary import ACTIONS
from ..errors import SimkitError
from ..i18n import translator
from ..i18n.names import names
from . import views
from .identity import TraineeBar
from .loading import cached_kit, loaded_kit, warm_up, when_kit_ready
from .player_state import MODES, NoTrainee, PlayerMode, PlayerState, SendOutcome, ShownClock

if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..store.sessions import Round
    from .evidence import Evidence

__all__ = ["MODES", "NoTrainee", "Player", "PlayerMode", "PlayerState", "SendOutcome", "ShownClock", "cached_kit"]

DOUBLE_CLICK_SECONDS = 2.0  # an empty Send this soon after a reply is the second click of a double click


class Player(widgets.VBox):  # type: ignore[misc]
    """The scenario player widget: pick a scenario, chat with the customer, see feedback and the scorecard.

    Without ``kit`` it uses the process's cached kit; when that is still loading, the player draws
    itself at once and becomes ready when the kit arrives (``ready`` is set then).
    """

    def __init__(
        self,
        bar: TraineeBar,
        scenarios: list[str] | None = None,
        mode: PlayerMode = "practice",
        kit: Kit | None = None,
        url: str | None = None,
        session: str | None = None,
        evidence: Evidence | None = None,
        **kwargs: Any,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"the player's mode is one of {', '.join(MODES)}, not '{mode}'")
        self.bar = bar
        self.evidence = evidence  # None: the store at ``url``, or the hub's service (``evidence_for``)
        self.mode: PlayerMode = mode
        self.url = url
        self.session = session
        self.requested = None if scenarios is None else list(scenarios)
        self.scenario_ids: list[str] = []
        self._state: PlayerState | None = None  # made when the kit is there
        self.ready = threading.Event()
        self._last_send = 0.0
        self._hint_key = ""
        self._refused_length = 0  # the length of a reply refused as too long, for its hint
        self._error = ""
        self._plot: tuple[str, str, str] | None = None  # (attempt id, lang, data URI)
        self._build()
        parts = [self.intro, self._top, self._play_box, self.status, self.feedback, self.mood_why, self.scorecard]
        super().__init__([views.stylesheet(), *parts], **kwargs)
        self.add_class("simkit-player")
        self.start_button.on_click(lambda _b: self._guard(self._on_start))
        self.variant_button.on_click(lambda _b: self._guard(self._on_variant))
        self.send_button.on_click(lambda _b: self._guard(self._on_send))
        bar.observe(self._on_lang, names="lang")
        bar.observe(self._on_identity, names="confirmed")
        kit = kit if kit is not None else loaded_kit()
        if kit is not None:
            self._attach(kit)
            warm_up()
        else:
            self._relabel()
            self._render()
            when_kit_ready(self._kit_arrived)

    @property
    def state(self) -> PlayerState:
        """The attempt in progress and what was recorded of it (the player must be ``ready``)."""
        if self._state is None:
            raise SimkitError(self._error or "the player is still loading the kit; wait for player.ready")
        return self._state

    def _build(self) -> None:
        self.picker = widgets.Dropdown(layout=widgets.Layout(width="28em"))
        self.picker.add_class("simkit-scenario")
        self.start_button = widgets.Button(button_style="primary")
        self.start_button.add_class("simkit-start")
        self.variant_button = widgets.Button()
        self.variant_button.add_class("simkit-new-variant")
        self.intro = widgets.HTML()
        self.intro.add_class("simkit-intro")
        self.situation = widgets.HTML()
        self.situation.add_class("simkit-situation")
        self.chat = widgets.HTML()
        self.chat.add_class("simkit-chat")
        self.mood = widgets.HTML()
        self.mood.add_class("simkit-mood")
        self.reply_box = widgets.Textarea(rows=3, layout=widgets.Layout(width="100%"))
        self.reply_box.add_class("simkit-reply")
        self.action_toggles = {a: widgets.ToggleButton(value=False, layout=widgets.Layout(width="auto")) for a in ACTIONS}
        for action_id, toggle in self.action_toggles.items():
            toggle.add_class("simkit-action")
            toggle.add_class(f"simkit-action-{action_id}")
        self.department = widgets.Dropdown(layout=widgets.Layout(width="16em"))
        self.department.add_class("simkit-param-department")
        self.percent = widgets.BoundedIntText(value=5, min=0, max=100, layout=widgets.Layout(width="14em"))
        self.percent.add_class("simkit-param-percent")
        self.hours = widgets.BoundedIntText(value=2, min=1, max=168, layout=widgets.Layout(width="16em"))
        self.hours.add_class("simkit-param-hours")
        self.percent.style = self.hours.style = {"description_width": "initial"}
        self.actions_box = widgets.VBox()
        self.actions_box.add_class("simkit-actions")
        self.send_button = widgets.Button(button_style="success")
        self.send_button.add_class("simkit-send")
        self.hint = widgets.HTML()
        self.hint.add_class("simkit-hint")
        self.status = widgets.HTML()
        self.status.add_class("simkit-status-box")
        self.feedback = widgets.HTML()
        self.feedback.add_class("simkit-feedback")
        self.mood_why = widgets.HTML()
        self.mood_why.add_class("simkit-mood-why")
        self.scorecard = widgets.HTML()
        self.scorecard.add_class("simkit-scorecard")
        self._top = widgets.HBox([self.picker, self.start_button, self.variant_button])
        self._top.layout.flex_flow = "row wrap"
        self._play_box = widgets.VBox(
            [self.situation, self.chat, self.mood, self.reply_box, self.actions_box, widgets.HBox([self.send_button, self.hint])]
        )

    def _attach(self, kit: Kit) -> None:
        """Take the kit: check the scenarios asked for and make the state (an unknown scenario id raises)."""
        ids = list(kit.scenarios) if self.requested is None else self.requested
        for scenario_id in ids:
            kit.scenario(scenario_id)  # an unknown id fails here, naming the known ones
        if not ids:
            raise SimkitError("the player was given no scenario to play; name at least one")
        self.kit = kit
        self.scenario_ids = ids
        self._state = PlayerState(
            kit, self.bar.trainee, self.bar.cohort_name, self.bar.lang, self.mode, self.url, self.session, evidence=self.evidence
        )
        self.ready.set()
        self._relabel()
        self._render()

    def join(self, found: Round) -> None:
        """Play a trainer's round: only its scenarios, with its seed, language and mode (the player must be ``ready``)."""
        state = self.state
        for scenario_id in found.scenarios:
            self.kit.scenario(scenario_id)  # a round made with another kit names what is missing
        state.join(found)
        self.mode, self.session = state.mode, state.session
        self.scenario_ids = list(found.scenarios)
        self._plot = None
        self._relabel()
        self._render()

    def _kit_arrived(self, kit: Kit | None, error: Exception | None) -> None:
        # runs in the loading thread: widget updates from it reach the page like any other
        try:
            if kit is None:
                raise error or SimkitError("the kit could not be loaded")
            self._attach(kit)
        except Exception as exc:
            self._error = str(exc) or type(exc).__name__
            self._render()
            self.ready.set()

    # --- events ------------------------------------------------------------------------------

    def _guard(self, handler: Callable[[], None]) -> None:
        """Run a click handler; whatever goes wrong, the trainee reads a message, not a traceback."""
        self._error = ""
        try:
            handler()
        except Exception as exc:
            self._error = str(exc) or type(exc).__name__
            self._render()

    def _on_start(self) -> None:
        if self._state is None:
            return
        if self._state.round is None:
            self._state.lang = self.bar.lang
        self._state.start(self.picker.value)
        self._fresh_turn()

    def _on_variant(self) -> None:
        if self._state is None or self._state.scenario_id is None:
            return
        self._state.lang = self.bar.lang
        self._state.new_variant()
        self.picker.value = self._state.scenario_id
        self._fresh_turn()

    def _fresh_turn(self) -> None:
        assert self._state is not None
        self._plot = None
        self._hint_key = ""
        self.reply_box.value = ""
        self._reset_actions()
        self._render()
        self._state.shown()  # the first line is on the screen: the reply time runs from here

    def chosen_actions(self) -> list[str] | None:
        """The actions toggled on for this turn, as 'id' or 'id:param' (None: a department is not chosen)."""
        if self._state is None:
            return []
        chosen = []
        for action_id in self._state.offered:
            if not self.action_toggles[action_id].value:
                continue
            kind = ACTIONS[action_id]
            if kind == "department":
                if not self.department.value:
                    return None
                chosen.append(f"{action_id}:{self.department.value}")
            elif kind == "percent":
                chosen.append(f"{action_id}:{int(self.percent.value)}")
            elif kind == "hours":
                chosen.append(f"{action_id}:{int(self.hours.value)}")
            else:
                chosen.append(action_id)
        return chosen

    def _on_send(self) -> None:
        state = self._state
        if state is None or self.send_button.disabled or not state.running:
            return
        actions = self.chosen_actions()
        if actions is None:
            self._hint_key = "department"
            self._render()
            return
        text = self.reply_box.value
        if not text.strip() and not actions:
            # the second click of a double click arrives after the first emptied the box: no hint for it
            self._hint_key = "" if time.monotonic() - self._last_send < DOUBLE_CLICK_SECONDS else "empty"
            self._render()
            return
        self.send_button.disabled = self.reply_box.disabled = True
        try:
            outcome = state.send(text, actions)
            if outcome.accepted:
                self._last_send = time.monotonic()
                self._hint_key = ""
                self.reply_box.value = ""
                self._reset_actions()
            elif outcome.reason == "too_long":  # the reply stays in the box, to be shortened
                self._hint_key, self._refused_length = "too_long", len(text)
            self._render()
        finally:
            self.send_button.disabled = self.reply_box.disabled = False
            state.shown()  # the next line (or the scorecard) is on the screen

    def _reset_actions(self) -> None:
        for toggle in self.action_toggles.values():
            toggle.value = False
        self.department.value = ""
        self.percent.value = 5
        self.hours.value = 2

    def _on_lang(self, _change: dict[str, Any]) -> None:
        # a running dialogue keeps its language; the next one starts in the new one
        if self._state is not None and not self._state.running and self._state.round is None:
            self._state.lang = self.bar.lang
        self._relabel()
        self._render()

    def _on_identity(self, _change: dict[str, Any]) -> None:
        if self._state is not None:
            if not self.bar.confirmed and self._state.running:
                self._state.abandon()  # the attempt belongs to the name it was started under
            self._state.trainee = self.bar.trainee
            self._state.cohort = self.bar.cohort_name
        self._render()

    # --- drawing -----------------------------------------------------------------------------

    def _relabel(self) -> None:
        lang = self.bar.lang
        _ = translator(lang)
        if self._state is not None:
            chosen = self.picker.value
            self.picker.options = [(self.kit.scenario(s).title.get(lang), s) for s in self.scenario_ids]
            self.picker.value = chosen if chosen in self.scenario_ids else self.scenario_ids[0]
        self.start_button.description = _("Start")
        self.variant_button.description = _("Another variant")
        self.send_button.description = _("Send")
        self.reply_box.placeholder = _("Your reply to the customer")
        for action_id, label in names("action", lang).items():
            self.action_toggles[action_id].description = label
            self.action_toggles[action_id].tooltip = label
        department = self.department.value
        self.department.options = [(_("Choose a department"), ""), *((n, d) for d, n in names("department", lang).items())]
        self.department.value = department or ""
        self.percent.description = _("Discount, %")
        self.hours.description = _("Call back in, hours")

    def _actions_rows(self) -> list[widgets.Widget]:
        assert self._state is not None
        params = {"department": self.department, "percent": self.percent, "hours": self.hours}
        rows = []
        for action_id in self._state.offered:
            kind = ACTIONS[action_id]
            rows.append(widgets.HBox([self.action_toggles[action_id], *([params[kind]] if kind in params else [])]))
        return rows

    def _intro_text(self, lang: str) -> str:
        _ = translator(lang)
        if self._error:
            return _("Something went wrong: {reason}", reason=self._error)
        if self._state is None:
            return _("Loading the scenarios…")
        if not self.bar.confirmed:
            return _("Type your name above and press “That's me”, then choose a scenario and press Start.")
        return ""

    def _render(self) -> None:
        lang = self.bar.lang
        state = self._state
        intro = self._intro_text(lang)
        self.intro.value = f"<div>{views.esc(intro)}</div>" if intro else ""
        self.start_button.disabled = self.picker.disabled = state is None or not self.bar.confirmed
        self.variant_button.disabled = state is None or not self.bar.confirmed or state.scenario_id is None
        self.variant_button.layout.display = "none" if state is not None and state.round is not None else ""
        dialogue = state.dialogue if state is not None else None
        instance = state.instance if state is not None else None
        self._play_box.layout.display = "none" if dialogue is None else ""
        if state is None or dialogue is None or instance is None:
            self.status.value = self.feedback.value = self.mood_why.value = self.scorecard.value = ""
            return
        self.situation.value = views.situation(instance.title, instance.customer.name, instance.channel, instance.kind, lang)
        self.chat.value = views.chat(self._lines(lang), instance.customer.name, lang)
        self.mood.value = views.mood_meter(dialogue.anger, lang)
        running = state.running
        self.reply_box.layout.display = self.send_button.layout.display = "" if running else "none"
        self.actions_box.children = self._actions_rows() if running else []
        self.hint.value = self._hint_text(lang)
        self.status.value = self._status_html(lang)
        exchange = state.last_exchange
        if exchange is not None and state.show_feedback:
            score = exchange.score
            self.feedback.value = views.turn_feedback(score.score, score.failed, state.feedback(lang), exchange.reply, lang)
            self.mood_why.value = views.mood_why(exchange.anger_before, exchange.anger_after, state.mood_reasons(lang), lang)
        else:
            self.feedback.value = self.mood_why.value = ""
        self.scorecard.value = self._scorecard_html(lang) if dialogue.finished else ""

    def _lines(self, lang: str) -> list[views.Line]:
        assert self._state is not None and self._state.dialogue is not None
        from ..engine.feedback import action_label

        dialogue = self._state.dialogue
        lines = []
        for e in dialogue.exchanges:
            lines.append(views.Line("customer", e.turn.customer))
            lines.append(views.Line("trainee", e.reply, tuple(action_label(a, lang) for a in e.score.actions)))
        if not self._state.abandoned or dialogue.finished:
            lines.append(views.Line("customer", dialogue.customer_line))
        return lines

    def _status_html(self, lang: str) -> str:
        assert self._state is not None
        state = self._state
        shown: str = state.stored or ""
        if state.abandoned and state.stored in ("stored", "spooled"):
            shown = "abandoned"
        detail = _refusal(state.refused, state.store_error, lang) if state.refused is not None else state.store_error
        return views.status(shown, state.attempt_id, lang, detail, remote=shown == "spooled" and state.kept_by_service)

    def _hint_text(self, lang: str) -> str:
        _ = translator(lang)
        text = {
            "empty": _("Type a reply (or choose an action) before sending."),
            "department": _("Choose the department to route the request to."),
        }.get(self._hint_key, "")
        if self._hint_key == "too_long":
            from ..engine.scoring import MAX_REPLY_CHARS
            from ..errors import ReplyTooLong

            text = str(ReplyTooLong(self._refused_length, MAX_REPLY_CHARS, lang))
        return f"<span>{views.esc(text)}</span>" if text else ""

    def _scorecard_html(self, lang: str) -> str:
        assert self._state is not None
        result = self._state.result()
        if result is None:
            return ""
        if self._plot is None or self._plot[:2] != (result.attempt_id, lang):
            self._plot = (result.attempt_id, lang, views.anger_plot_uri(result.anger, self.kit.mood.hang_up_at, lang))
        return views.scorecard(result, self._state.practise(lang), self._state.critical_titles(lang), self._plot[2], lang)


def _refusal(status: int, reason: str, lang: str) -> str:
    """What the trainee can do about the service refusing an attempt (the practice goes on)."""
    _ = translator(lang)
    if status in (401, 403):
        return _(
            "the simkit service does not accept attempts from this account. Ask the trainer to add it to the "
            "trainees group; you can keep practising meanwhile."
        )
    return _(
        "the simkit service refused the attempt ({reason}). Tell the trainer; you can keep practising meanwhile.",
        reason=reason or str(status),
    )
