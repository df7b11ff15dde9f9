"""Drill decks: day 1 escalation drills and day 2 procedure drills, one card at a time.

``DeckState`` holds a deck (the drills of one kind, built by ``engine.drills``), the card shown,
and what each card's answer became; it records every answer with its evidence's recorder (mode
"drill"; the local store, or the hub's simkit service) before its verdict can be shown, once per
answer whatever the clicks. ``DrillDeck`` is the widget: a card with the customer's line, the
question, a reply box and the action controls (the player's, with the parameters as proper
controls), the answer button and the verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..content.kit import Kit
from ..content.scenario_model import Action
from ..content.vocabulary import ACTIONS
from ..engine.drills import DEFAULT_SEED, TITLES, Drill, DrillKind, DrillVerdict, build_drills
from ..errors import SimkitError
from ..i18n import gettext, translator
from ..i18n.names import names
from . import views
from .evidence import evidence_for
from .identity import TraineeBar
from .loading import cached_kit

if TYPE_CHECKING:
    from .evidence import AttemptRecorder, Evidence

Stored = Literal["stored", "spooled", "failed"]


@dataclass(frozen=True)
class Answered:
    """A card's answer: what was typed and chosen, whether it was kept, and (once kept) its verdict."""

    text: str
    actions: tuple[Action, ...]
    attempt_id: str
    stored: Stored
    verdict: DrillVerdict | None  # None while the answer could not be kept: the verdict waits for the evidence
    error: str = ""


class NoTrainee(SimkitError):
    """A drill was answered before the trainee gave and confirmed a name."""

    def __str__(self) -> str:
        return "type the trainee's name and confirm it before answering a drill"


class DeckState:
    """The drills of one kind, the card shown, and each card's answer; records answers in mode "drill"."""

    def __init__(
        self,
        kit: Kit,
        kind: DrillKind,
        lang: str = "ru",
        seed: int = DEFAULT_SEED,
        trainee: str | None = None,
        cohort: str | None = None,
        url: str | None = None,
        evidence: Evidence | None = None,
    ) -> None:
        self.kit = kit
        self.kind: DrillKind = kind
        self.lang = lang
        self.seed = seed
        self.trainee = trainee
        self.cohort = cohort
        self.url = url
        self.drills: list[Drill] = build_drills(kit, kind, lang, seed)
        self.index = 0
        self.answers: dict[str, Answered] = {}  # drill id: the answer to the card as it stands
        self.recorded = 0  # how many answers were handed to the recorder
        self._evidence = evidence
        self._recorder: AttemptRecorder | None = None
        self._recorder_for: tuple[str, str | None] | None = None

    @property
    def current(self) -> Drill | None:
        """The drill on the card shown (None for an empty deck)."""
        return self.drills[self.index] if self.drills else None

    @property
    def answer(self) -> Answered | None:
        """The answer given to the card shown."""
        drill = self.current
        return self.answers.get(drill.id) if drill is not None else None

    def move(self, step: int) -> None:
        """Show the card ``step`` places on (wrapping round the deck)."""
        if self.drills:
            self.index = (self.index + step) % len(self.drills)

    def set_trainee(self, trainee: str | None, cohort: str | None) -> None:
        """Who answers from now on; another trainee starts with every card unanswered (answers belong to who gave them)."""
        if trainee and trainee != self.trainee:
            self.answers = {}
        self.trainee, self.cohort = trainee, cohort

    def set_lang(self, lang: str) -> None:
        """The same drills, with the same facts, in ``lang`` (answers given stay, explained in the new language)."""
        if lang == self.lang:
            return
        built = {d.id: d for d in build_drills(self.kit, self.kind, lang, self.seed)}
        moved = []
        for drill in self.drills:  # a card showing another variant keeps its facts
            same = built.get(drill.id) if drill.seed == self.seed else None
            moved.append(same or drill.in_lang(lang) or drill)
        self.drills, self.lang = moved, lang

    def verdict(self, lang: str) -> DrillVerdict | None:
        """The verdict on the card shown, explained in ``lang`` (None before a kept answer)."""
        answer = self.answer
        if answer is None or answer.verdict is None:
            return None
        return answer.verdict.explained(self.kit, lang)

    def submit(self, text: str, actions: Sequence[Action]) -> Answered:
        """Judge the answer to the card shown and record it; the verdict is kept only once the answer is.

        A card already answered returns its answer unchanged (a double click stores nothing more);
        one whose recording failed is recorded again under the same attempt id.
        """
        drill = self.current
        if drill is None:
            raise SimkitError("this deck has no drills")
        if not self.trainee:
            raise NoTrainee()
        before = self.answers.get(drill.id)
        if before is not None and before.verdict is not None:
            return before
        attempt_id = before.attempt_id if before is not None else None
        answer = drill.answer(text, actions, attempt_id=attempt_id)
        try:
            stored: Stored = self._recorder_now().record(answer.result, final=True)
            error = ""
        except Exception as exc:  # the trainee reads why; the verdict waits until the answer is kept
            stored, error = "failed", str(exc) or type(exc).__name__
        self.recorded += 1
        kept = answer.verdict if stored != "failed" else None
        done = Answered(text, tuple(actions), answer.result.attempt_id, stored, kept, error)
        self.answers[drill.id] = done
        return done

    def another_variant(self) -> Drill | None:
        """The card shown with the facts of the next seed, unanswered (None, and nothing changes, if there is none)."""
        drill = self.current
        if drill is None:
            return None
        for step in range(1, 6):  # a seed whose facts put the drill's rules out of scope is skipped
            other = drill.variant(drill.seed + step)
            if other is not None:
                self.drills[self.index] = other
                self.answers.pop(drill.id, None)
                return other
        return None

    def _recorder_now(self) -> AttemptRecorder:
        assert self.trainee
        who = (self.trainee, self.cohort)
        if self._recorder is None or self._recorder_for != who:
            if self._evidence is None:
                self._evidence = evidence_for(self.kit, self.url)
            self._recorder = self._evidence.recorder(self.kit, self.trainee, "drill", cohort=self.cohort)
            self._recorder_for = who
        return self._recorder


def chosen_actions(
    offered: Sequence[str], chosen: dict[str, bool], department: str, percent: float, hours: float
) -> list[Action] | str:
    """The actions toggled on, with their parameters; or what is missing ("department", "percent")."""
    out = []
    for action_id in offered:
        if not chosen.get(action_id):
            continue
        kind = ACTIONS[action_id]
        if kind == "department":
            if not department:
                return "department"
            out.append(Action(id=action_id, department=department))
        elif kind == "percent":
            if percent <= 0:
                return "percent"
            out.append(Action(id=action_id, percent=float(percent)))
        elif kind == "hours":
            out.append(Action(id=action_id, hours=float(hours)) if hours > 0 else Action(id=action_id))
        else:
            out.append(Action(id=action_id))
    return out


def verdict_html(verdict: DrillVerdict, kit: Kit, reply: str, lang: str) -> str:
    """A drill's verdict: passed or not, the drill's rules kept or broken, each failure with its clause, the expected action."""
    _ = translator(lang)
    esc = views.esc
    passed, not_passed = _("Right: the drill is passed."), _("Not yet: the drill is not passed.")
    head = (
        f'<div class="simkit-passed">{esc(passed)}</div>'
        if verdict.passed
        else f'<div class="simkit-not-passed">{esc(not_passed)}</div>'
    )
    items = []
    for v in verdict.focus_verdicts():
        rule = kit.rules.get(v.rule_id)
        title = rule.title.get(lang) if rule is not None else v.rule_id
        mark = _("kept") if v.status == "pass" else _("broken")
        attributes = f'data-rule="{esc(v.rule_id)}" data-status="{esc(v.status)}"'
        items.append(f"<li {attributes}>{esc(title)}: <b>{esc(mark)}</b></li>")
    about = _("What this drill is about")
    parts = [head, f"<div>{esc(about)}:</div><ul>{''.join(items)}</ul>"]
    if verdict.silent:
        said = _("Your answer has no words for the customer: write what you say as well as what you do.")
        parts.append(f'<div class="simkit-not-passed">{esc(said)}</div>')
    parts += [views.verdict_card(f, reply, lang) for f in verdict.failed]
    if verdict.expected_names:
        expected = esc("; ".join(verdict.expected_names))
        label = _("Expected action")
        parts.append(f'<div class="simkit-expected">{esc(label)}: <b>{expected}</b></div>')
    if not verdict.passed:
        label = _("The model answer")
        parts.append(f'<div class="simkit-better">{esc(label)}: «{esc(verdict.model_reply)}»</div>')
    return "".join(parts)


class DrillDeck(widgets.VBox):  # type: ignore[misc]
    """A deck of drills of one kind as a card: the customer's line, the question, the answer and its verdict."""

    def __init__(
        self,
        bar: TraineeBar,
        kind: DrillKind = "escalation",
        kit: Kit | None = None,
        seed: int = DEFAULT_SEED,
        url: str | None = None,
        on_recorded: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        self.bar = bar
        self.kit = kit if kit is not None else cached_kit()
        self.state = DeckState(self.kit, kind, bar.lang, seed, bar.trainee, bar.cohort_name, url)
        self.on_recorded = on_recorded
        self._hint_key = ""
        self._error = ""

        self._title = widgets.HTML()
        self._title.add_class("simkit-drill-title")
        self._where = widgets.HTML()
        self._where.add_class("simkit-drill-count")
        self._situation = widgets.HTML()
        self._situation.add_class("simkit-situation")
        self._line = widgets.HTML()
        self._line.add_class("simkit-chat")
        self._question = widgets.HTML()
        self._question.add_class("simkit-drill-question")
        self._reply = widgets.Textarea(rows=2, layout=widgets.Layout(width="100%"))
        self._reply.add_class("simkit-reply")
        self._toggles = {a: widgets.ToggleButton(value=False, layout=widgets.Layout(width="auto")) for a in ACTIONS}
        for action_id, toggle in self._toggles.items():
            toggle.add_class(f"simkit-action-{action_id}")
            toggle.add_class("simkit-action")
        self._department = widgets.Dropdown(layout=widgets.Layout(width="16em"))
        self._department.add_class("simkit-param-department")
        # no default percent or time that would hint at the answer: 0 means none given
        self._percent = widgets.BoundedIntText(value=0, min=0, max=100, layout=widgets.Layout(width="10em"))
        self._percent.add_class("simkit-param-percent")
        self._hours = widgets.BoundedIntText(value=0, min=0, max=168, layout=widgets.Layout(width="14em"))
        self._hours.add_class("simkit-param-hours")
        self._actions = widgets.VBox()
        self._actions.add_class("simkit-actions")
        self._answer = widgets.Button(button_style="primary")
        self._answer.add_class("simkit-drill-answer")
        self._hint = widgets.HTML()
        self._hint.add_class("simkit-hint")
        self._status = widgets.HTML()
        self._status.add_class("simkit-status-box")
        self._verdict = widgets.HTML()
        self._verdict.add_class("simkit-drill-verdict")
        self._previous = widgets.Button()
        self._previous.add_class("simkit-drill-previous")
        self._next = widgets.Button()
        self._next.add_class("simkit-drill-next")
        self._again = widgets.Button()
        self._again.add_class("simkit-drill-again")

        card = widgets.VBox(
            [
                self._where,
                self._situation,
                self._line,
                self._question,
                self._reply,
                self._actions,
                widgets.HBox([self._answer, self._hint]),
                self._status,
                self._verdict,
                widgets.HBox([self._previous, self._next, self._again]),
            ]
        )
        card.add_class("simkit-drill")
        self.card = card
        super().__init__([views.stylesheet(), self._title, card], **kwargs)
        self.add_class("simkit-drills")
        self._answer.on_click(lambda _b: self._guard(self._on_answer))
        self._previous.on_click(lambda _b: self._guard(lambda: self._go(-1)))
        self._next.on_click(lambda _b: self._guard(lambda: self._go(1)))
        self._again.on_click(lambda _b: self._guard(self._on_again))
        bar.observe(self._on_lang, names="lang")
        bar.observe(self._on_identity, names="confirmed")
        self._relabel()
        self._render()

    # --- events ------------------------------------------------------------------------------

    def _guard(self, handler: Callable[[], None]) -> None:
        """Run a click handler; whatever goes wrong, the trainee reads a message, not a traceback."""
        try:
            self._error = ""
            handler()
        except SimkitError as exc:
            self._error = str(exc)
        except Exception as exc:
            self._error = f"{type(exc).__name__}: {exc}"
        if self._error:
            self._render()

    def _on_answer(self) -> None:
        state = self.state
        if self._answer.disabled or state.current is None or not self.bar.confirmed:
            return
        answered = state.answer
        if answered is not None and answered.verdict is not None:
            return  # the second click of a double click: the answer is in already
        actions = chosen_actions(
            state.current.offered,
            {a: t.value for a, t in self._toggles.items()},
            self._department.value or "",
            self._percent.value,
            self._hours.value,
        )
        if isinstance(actions, str):
            self._hint_key = actions
            self._render()
            return
        if not self._reply.value.strip() and not actions:
            self._hint_key = "empty"
            self._render()
            return
        self._hint_key = ""
        self._answer.disabled = True
        try:
            state.submit(self._reply.value, actions)
        finally:
            self._answer.disabled = False
        self._render()
        if self.on_recorded is not None:
            self.on_recorded()

    def _go(self, step: int) -> None:
        self.state.move(step)
        self._fresh_inputs()
        self._render()

    def _on_again(self) -> None:
        self.state.another_variant()
        self._fresh_inputs()
        self._render()

    def _fresh_inputs(self) -> None:
        # a card already answered shows what was answered; a fresh card starts empty
        answered = self.state.answer
        self._reply.value = answered.text if answered is not None else ""
        chosen = {a.id: a for a in answered.actions} if answered is not None else {}
        for action_id, toggle in self._toggles.items():
            toggle.value = action_id in chosen
        department = next((a.department for a in chosen.values() if a.department), "")
        self._department.value = department
        self._percent.value = int(next((a.percent for a in chosen.values() if a.percent is not None), 0))
        self._hours.value = int(next((a.hours for a in chosen.values() if a.hours is not None), 0))
        self._hint_key = ""

    def _on_lang(self, _change: dict[str, Any]) -> None:
        self.state.set_lang(self.bar.lang)
        self._relabel()
        self._render()

    def _on_identity(self, _change: dict[str, Any]) -> None:
        before = self.state.answers
        self.state.set_trainee(self.bar.trainee, self.bar.cohort_name)
        if self.state.answers is not before:
            self._fresh_inputs()
        self._render()

    # --- drawing -----------------------------------------------------------------------------

    def _relabel(self) -> None:
        lang = self.bar.lang
        _ = translator(lang)
        title = gettext(lang, TITLES[self.state.kind])
        self._title.value = f"<h3>{views.esc(title)}</h3>"
        self._reply.placeholder = _("What you say to the customer")
        action_names = names("action", lang)
        for action_id, toggle in self._toggles.items():
            toggle.description = action_names[action_id]
            toggle.tooltip = action_names[action_id]
        department = self._department.value
        self._department.options = [(_("Choose a department"), ""), *((n, d) for d, n in names("department", lang).items())]
        self._department.value = department
        self._percent.description = _("Discount, %")
        self._hours.description = _("Call back in, hours")
        self._percent.style = self._hours.style = {"description_width": "initial"}
        self._answer.description = _("Answer")
        self._previous.description = _("Previous drill")
        self._next.description = _("Next drill")
        self._again.description = _("Another variant")

    def _action_rows(self, drill: Drill) -> list[widgets.Widget]:
        params = {"department": self._department, "percent": self._percent, "hours": self._hours}
        rows = []
        for action_id in drill.offered:
            kind = ACTIONS[action_id]
            rows.append(widgets.HBox([self._toggles[action_id]] + ([params[kind]] if kind in params else [])))
        return rows

    def _render(self) -> None:
        lang = self.bar.lang
        _ = translator(lang)
        state = self.state
        drill = state.current
        if drill is None:
            self.card.children = [self._where]
            empty = _("There are no drills of this kind in the kit.")
            self._where.value = f"<div>{views.esc(empty)}</div>"
            return
        instance = drill.instance
        where = _("Drill {n} of {total}", n=state.index + 1, total=len(state.drills))
        self._where.value = f"<div>{views.esc(where)}</div>"
        self._situation.value = views.situation(instance.title, instance.customer.name, instance.channel, instance.kind, lang)
        self._line.value = views.chat([views.Line("customer", drill.customer_line)], instance.customer.name, lang)
        self._question.value = f"<div><b>{views.esc(drill.question(lang))}</b></div>"
        self._actions.children = self._action_rows(drill)
        answered = state.answer
        done = answered is not None and answered.verdict is not None
        confirmed = self.bar.confirmed
        self._answer.disabled = done or not confirmed
        self._reply.disabled = done
        for toggle in self._toggles.values():
            toggle.disabled = done
        self._department.disabled = self._percent.disabled = self._hours.disabled = done
        self._again.disabled = not done
        self._previous.disabled = self._next.disabled = len(state.drills) < 2
        self._hint.value = self._hint_text(lang, confirmed)
        if answered is None:
            self._status.value = ""
        else:
            self._status.value = views.status(answered.stored, answered.attempt_id, lang, answered.error)
        verdict = state.verdict(lang)
        self._verdict.value = verdict_html(verdict, self.kit, answered.text, lang) if verdict is not None and answered else ""

    def _hint_text(self, lang: str, confirmed: bool) -> str:
        _ = translator(lang)
        if self._error:
            text = _("Something went wrong: {reason}", reason=self._error)
        elif not confirmed:
            text = _("Type your name above and press “That's me” to answer the drills.")
        else:
            text = {
                "empty": _("Write what you say or choose an action before answering."),
                "department": _("Choose the department to route the request to."),
                "percent": _("Give the discount in percent."),
            }.get(self._hint_key, "")
        return f"<span>{views.esc(text)}</span>" if text else ""
