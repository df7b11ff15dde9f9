"""The new hire's three days, one app per day notebook: who is practising, what the day is for, the day's work, their results.

Each day opens with the trainee bar and what the day is for (our words, citing the induction plan
of ``client-relations-roles``, section ``first-3-days``), and ends with the trainee's own results
from the store, read again whenever an attempt of the page is recorded.

- ``day1()``: the rulebook as cards by category, then the escalation drills;
- ``day2()``: the procedure drills (routing, taking an order, registering, call-backs);
- ``day3()``: full dialogues with angry customers, the kinds the readiness policy requires first,
  with the kinds still missing shown above the player.

A page is built whole before it is shown: a widget made after Voilà has sent the page to the
browser (from a loading thread, say) may reach a browser that is not yet listening for it, and the
page would then refer to a widget it never heard of.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..errors import SimkitError
from ..i18n import N_, gettext, translator
from . import views
from .identity import TraineeBar
from .loading import cached_kit
from .results import Results, missing_html

if TYPE_CHECKING:
    from ..content.kit import Kit
    from .player import Player

PLAN: Final = "client-relations-roles#first-3-days"  # the induction plan the days follow
TITLES: Final = {
    1: N_("Day 1 of 3: the rules you work by"),
    2: N_("Day 2 of 3: procedures"),
    3: N_("Day 3 of 3: conversations with angry customers"),
}
ABOUT: Final = {
    1: N_(
        "Today you learn the company's rules for dealing with customers. Every rule comes from a clause of a job "
        "description: open a category to read its rules and where each is written. Then answer the escalation drills: "
        "a customer says something, and you choose what to do and write what you say. Each answer is judged at once "
        "and kept in your record."
    ),
    2: N_(
        "Today you practise the procedures: which department takes a claim, what to agree on when taking an order, "
        "how to register a request and how to promise a call-back with a concrete time. Each answer is judged at once "
        "and kept in your record."
    ),
    3: N_(
        "Today you talk with angry customers from the first line to the last. The customer's mood reacts to every "
        "reply, and after each reply you see which rules you kept or broke and why the mood moved. The situations "
        "the readiness policy requires come first in the list."
    ),
}
# headings of the day's parts (a drill deck titles itself)
SECTIONS: Final = {
    "rulebook": N_("The rulebook"),
    "procedures": N_("Procedure drills"),
    "practice": N_("Practice"),
}

Parts = list[tuple[str, widgets.Widget]]


def plan_html(kit: Kit, lang: str) -> str:
    """The induction plan the days follow, cited by the job description's title and section, with our summary."""
    _ = translator(lang)
    job_id, _sep, section = PLAN.partition("#")
    job = kit.jobs.get(job_id)
    clause = kit.clause(PLAN)
    if job is None or clause is None:
        return ""
    text = _(
        "From the induction plan ({title}, section {section}): {summary}",
        title=job.title.get(lang),
        section=section,
        summary=clause.summary.get(lang),
    )
    return f'<div class="simkit-clause">{views.esc(text)}</div>'


def _walk(widget: Any) -> Iterator[Any]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def with_class(root: Any, css_class: str) -> list[Any]:
    """The widgets under ``root`` carrying ``css_class`` (the apps' stable selectors, docs/apps.md)."""
    return [w for w in _walk(root) if css_class in getattr(w, "_dom_classes", ())]


class DayPage(widgets.VBox):  # type: ignore[misc]
    """One day of the path: the trainee bar, what the day is for, the day's parts, and the trainee's results."""

    def __init__(
        self,
        day: int,
        bar: TraineeBar,
        build: Callable[[DayPage, Kit], Parts],
        kit: Kit | None = None,
        url: str | None = None,
        kinds: bool = False,
        **kwargs: Any,
    ) -> None:
        self.day = day
        self.bar = bar
        self.url = url
        self.kinds = kinds
        self.kit: Kit | None = None
        self.results: Results | None = None
        self.parts: dict[str, widgets.Widget] = {}
        self._build = build
        self._error = ""
        self._intro = widgets.HTML()
        self._intro.add_class("simkit-day-intro")
        self._note = widgets.HTML()
        self._note.add_class("simkit-hint")
        self._headings: dict[str, widgets.HTML] = {}
        super().__init__([views.stylesheet(), bar, self._intro, self._note], **kwargs)
        self.add_class("simkit-day")
        self.add_class(f"simkit-day{day}")
        bar.observe(lambda _c: self._relabel(), names="lang")
        try:
            self._attach(kit if kit is not None else cached_kit())
        except Exception as exc:  # a broken kit: the trainee reads what is wrong, not a traceback
            self._error = str(exc) or type(exc).__name__
        self._relabel()

    def refresh(self) -> None:
        """Read the trainee's results again (an attempt of this page was recorded)."""
        if self.results is not None:
            self.results.refresh()

    def _attach(self, kit: Kit) -> None:
        self.kit = kit
        self.results = Results(self.bar, kit, self.url, kinds=self.kinds, watch=False)
        parts = self._build(self, kit)
        self.results.watch()  # after the parts: a confirmed name enables them before the store is read
        self.parts = dict(parts)
        self._headings = {key: widgets.HTML() for key, _part in parts}
        body: list[widgets.Widget] = []
        for key, part in parts:
            body += [self._headings[key], part]
        self.children = [views.stylesheet(), self.bar, self._intro, *body, self.results]

    def _relabel(self) -> None:
        lang = self.bar.lang
        _ = translator(lang)
        esc = views.esc
        about = esc(gettext(lang, ABOUT[self.day]))
        plan = plan_html(self.kit, lang) if self.kit is not None else ""
        title = gettext(lang, TITLES[self.day])
        self._intro.value = f"<h2>{esc(title)}</h2><p>{about}</p>{plan}"
        problem = _("Something went wrong: {reason}", reason=self._error) if self._error else ""
        self._note.value = f"<div>{esc(problem)}</div>" if problem else ""
        for key, heading in self._headings.items():
            section = gettext(lang, SECTIONS[key]) if key in SECTIONS else ""
            heading.value = f"<h3>{esc(section)}</h3>" if section else ""


def _bar(bar: TraineeBar | None, lang: str) -> TraineeBar:
    return bar if bar is not None else TraineeBar(lang=lang)


def _decks(page: DayPage, kit: Kit, kinds: tuple[str, ...], seed: int) -> widgets.VBox:
    from ..engine.drills import DRILL_KINDS
    from .drills import DrillDeck

    return widgets.VBox(
        [DrillDeck(page.bar, k, kit, seed, page.url, on_recorded=page.refresh) for k in DRILL_KINDS if k in kinds]
    )


def day1(
    lang: str = "ru", kit: Kit | None = None, url: str | None = None, seed: int | None = None, bar: TraineeBar | None = None
) -> DayPage:
    """Day 1: the rulebook as cards by category, then the escalation drills; the trainee's results at the end."""

    def build(page: DayPage, kit: Kit) -> Parts:
        from ..engine.drills import DAY1, DEFAULT_SEED
        from .rulebook import RulebookCards

        return [("rulebook", RulebookCards(page.bar, kit)), ("drills", _decks(page, kit, DAY1, seed or DEFAULT_SEED))]

    return DayPage(1, _bar(bar, lang), build, kit, url)


def day2(
    lang: str = "ru", kit: Kit | None = None, url: str | None = None, seed: int | None = None, bar: TraineeBar | None = None
) -> DayPage:
    """Day 2: routing, order-taking, registering and call-back drills; the trainee's results at the end."""

    def build(page: DayPage, kit: Kit) -> Parts:
        from ..engine.drills import DAY2, DEFAULT_SEED

        return [("procedures", _decks(page, kit, DAY2, seed or DEFAULT_SEED))]

    return DayPage(2, _bar(bar, lang), build, kit, url)


class Coverage(widgets.HTML):  # type: ignore[misc]
    """The kinds of situation the readiness policy requires that the trainee has still to play (day 3, above the player)."""

    def __init__(self, bar: TraineeBar, results: Results, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bar = bar
        self.results = results
        self.add_class("simkit-coverage")
        bar.observe(lambda _c: self.update(), names="lang")
        results.on_refresh(self.update)
        self.update()

    def update(self) -> None:
        """Redraw from what the results panel read last."""
        self.value = "" if self.results.results is None else missing_html(self.results.results, self.bar.lang)


def _after_attempt_changes(player: Player, callback: Callable[[], None]) -> None:
    # the player records before it draws; once a click has changed what is stored of an attempt
    # (its first reply, its end, an abandon), the results are read again
    seen: list[tuple[str, bool, str]] = []

    def check(_button: Any) -> None:
        try:
            state = player.state
        except SimkitError:  # the player is still loading: nothing was recorded
            return
        key = (state.attempt_id, state.finished, str(state.stored))
        if state.recorded and (not seen or seen[-1] != key):
            seen.append(key)
            callback()

    for css_class in ("simkit-send", "simkit-start", "simkit-new-variant"):
        for button in with_class(player, css_class):
            button.on_click(check)


def day3(lang: str = "ru", kit: Kit | None = None, url: str | None = None, bar: TraineeBar | None = None) -> DayPage:
    """Day 3: full dialogues in practice mode, the required kinds first; the kinds still missing and the standing."""

    def build(page: DayPage, kit: Kit) -> Parts:
        from ..engine.drills import practice_order
        from .player import Player

        assert page.results is not None
        coverage = Coverage(page.bar, page.results)
        player = Player(page.bar, scenarios=practice_order(kit, page.bar.lang), mode="practice", kit=kit, url=page.url)
        _after_attempt_changes(player, page.refresh)
        return [("practice", widgets.VBox([coverage, player]))]

    return DayPage(3, _bar(bar, lang), build, kit, url, kinds=True)
