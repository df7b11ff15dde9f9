"""The trainee's own results: their attempts from the store and their standing against the readiness policy.

``read_results`` reads one trainee's attempts and has ``reports.readiness`` judge them (the verdict,
every requirement with its figure and threshold), through an ``Evidence`` (the local store, or the
hub's simkit service); nothing here decides readiness. ``results_html`` draws that in the reader's
language, and ``Results`` is the widget a day page ends with: it reads the evidence when the
trainee is confirmed and whenever the page calls ``refresh()`` (an attempt was recorded), and
relabels itself from what it read when the language changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..content.kit import Kit
from ..errors import SimkitError
from ..i18n import translator
from ..i18n.names import name
from . import views
from .evidence import evidence_for
from .identity import TraineeBar
from .loading import cached_kit

if TYPE_CHECKING:  # the store and readiness are imported on the first read: the page draws itself first
    from ..reports.readiness import Reason, TraineeReadiness
    from .evidence import Evidence

SHOWN_ATTEMPTS = 15  # the latest attempts listed; the count says how many there are in all


@dataclass(frozen=True)
class TraineeResults:
    """One trainee's attempts (oldest first, as the store gives them) and their readiness under the policy."""

    trainee: str
    attempts: tuple[dict[str, Any], ...]
    readiness: TraineeReadiness

    def reason(self, requirement: str) -> Reason | None:
        """The policy's requirement ``requirement`` as it stands for the trainee."""
        return next((r for r in self.readiness.reasons if r.requirement == requirement), None)

    def missing_kinds(self) -> list[str]:
        """The kinds of situation the policy requires that the trainee has not yet played (in the policy's order)."""
        reason = self.reason("required_kinds")
        if reason is None or not isinstance(reason.threshold, list) or not isinstance(reason.figure, list):
            return []
        return [k for k in reason.threshold if k not in reason.figure]


def read_results(evidence: Evidence, kit: Kit, trainee: str) -> TraineeResults:
    """The trainee's attempts and their readiness verdict, judged by ``reports.readiness``."""
    # the same verdict HR sees: under the current rulebook, with the trainers' overrides
    attempts = evidence.attempts(trainee)
    return TraineeResults(trainee, tuple(attempts), evidence.judge(kit, trainee))


def _when(attempt: dict[str, Any]) -> str:
    moment = attempt.get("finished_at") or attempt.get("started_at")
    if not moment:
        return ""
    return datetime.fromisoformat(moment).astimezone().strftime("%Y-%m-%d %H:%M")


def _score(value: Any) -> str:
    return "—" if value is None else f"{float(value):g}"


def _outcome(attempt: dict[str, Any], lang: str) -> str:
    if attempt["mode"] == "drill":
        return "—"  # a drill is one reply: it has a verdict, not an ending
    if attempt.get("finished_at") is None or attempt.get("outcome") is None:
        return name("outcome", "unfinished", lang)
    return name("outcome", attempt["outcome"], lang)


def _title(kit: Kit, scenario_id: str, lang: str) -> str:
    scenario = kit.scenarios.get(scenario_id)
    return scenario.title.get(lang) if scenario is not None else scenario_id


def _figure(reason: Reason, value: float | int | list[str], lang: str) -> str:
    if isinstance(value, list):
        return ", ".join(name("kind", k, lang) for k in value) or "—"
    return f"{value:g}"


def _shown_figure(reason: Reason, lang: str) -> str:
    # a score with nothing behind it is no score: a dash, not 0
    if reason.requirement.startswith(("min_score", "min_category_score")) and not reason.evidence:
        return "—"
    return _figure(reason, reason.figure, lang)


def attempts_html(results: TraineeResults, kit: Kit, lang: str) -> str:
    """The trainee's latest attempts: date, scenario, mode, outcome and score."""
    _ = translator(lang)
    esc = views.esc
    if not results.attempts:
        none = _("No attempts yet.")
        return f"<div>{esc(none)}</div>"
    latest = list(reversed(results.attempts))[:SHOWN_ATTEMPTS]
    head = "".join(f"<th>{esc(h)}</th>" for h in (_("Date"), _("Scenario"), _("Mode"), _("Outcome"), _("Score")))
    rows = "".join(
        f'<tr data-attempt="{esc(a["id"])}" data-mode="{esc(a["mode"])}"><td>{esc(_when(a))}</td>'
        f"<td>{esc(_title(kit, a['scenario_id'], lang))}</td><td>{esc(name('mode', a['mode'], lang))}</td>"
        f"<td>{esc(_outcome(a, lang))}</td><td>{esc(_score(a.get('score')))}</td></tr>"
        for a in latest
    )
    total = _("Attempts: {n} in all; the latest {shown} are shown.", n=len(results.attempts), shown=len(latest))
    return f"<div>{esc(total)}</div><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def categories_html(results: TraineeResults, lang: str) -> str:
    """The trainee's score in each category of rules, beside the policy's threshold."""
    _ = translator(lang)
    esc = views.esc
    head = "".join(f"<th>{esc(h)}</th>" for h in (_("Category"), _("Your score"), _("Needed")))
    rows = []
    for reason in results.readiness.reasons:
        requirement, _sep, category = reason.requirement.partition(":")
        if requirement != "min_category_score":
            continue
        figure = _figure(reason, reason.figure, lang) if reason.evidence else "—"
        rows.append(
            f'<tr data-category="{esc(category)}"><td>{esc(name("category", category, lang))}</td>'
            f"<td>{esc(figure)}</td><td>{esc(_figure(reason, reason.threshold, lang))}</td></tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def standing_html(results: TraineeResults, kit: Kit, lang: str) -> str:
    """The verdict under the readiness policy and every requirement: figure, threshold, met or not."""
    _ = translator(lang)
    esc = views.esc
    verdict = results.readiness.verdict
    head = "".join(f"<th>{esc(h)}</th>" for h in (_("Requirement"), _("You"), _("Needed"), ""))
    rows = []
    for reason in results.readiness.reasons:
        state = _("met") if reason.met else (_("not met") if reason.evidence else _("not enough evidence yet"))
        rows.append(
            f'<tr data-requirement="{esc(reason.requirement)}" data-met="{str(reason.met).lower()}">'
            f"<td>{esc(name('requirement', reason.requirement, lang))}</td><td>{esc(_shown_figure(reason, lang))}</td>"
            f"<td>{esc(_figure(reason, reason.threshold, lang))}</td><td>{esc(state)}</td></tr>"
        )
    counted = ", ".join(name("mode", m, lang) for m in kit.readiness.modes)
    window = _(
        "Counted: attempts of the last {days} days in these modes: {modes}.", days=kit.readiness.window_days, modes=counted
    )
    label = _("Readiness verdict")
    return (
        f'<div class="simkit-verdict-line" data-verdict="{esc(verdict)}">{esc(label)}: '
        f"<b>{esc(name('verdict', verdict, lang))}</b></div><div>{esc(window)}</div>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def missing_html(results: TraineeResults, lang: str) -> str:
    """Which kinds of situation the policy requires that the trainee has still to play."""
    _ = translator(lang)
    missing = results.missing_kinds()
    if not missing:
        text = _("Every kind of situation the readiness policy requires is covered.")
        return f'<div class="simkit-missing-kinds" data-missing="">{views.esc(text)}</div>'
    kinds = ", ".join(name("kind", k, lang) for k in missing)
    text = _("Still missing for readiness: {kinds}.", kinds=kinds)
    return f'<div class="simkit-missing-kinds" data-missing="{views.esc(" ".join(missing))}">{views.esc(text)}</div>'


def results_html(results: TraineeResults, kit: Kit, lang: str, kinds: bool = False) -> str:
    """The whole panel: attempts, category scores, standing (and, for day 3, the kinds still missing)."""
    _ = translator(lang)
    esc = views.esc
    heading = _("Your results")
    parts = [f"<h3>{esc(heading)}</h3>"]
    by_category, standing = _("Scores by category"), _("Your standing against the readiness policy")
    if kinds:
        parts.append(missing_html(results, lang))
    parts += [
        attempts_html(results, kit, lang),
        f"<h4>{esc(by_category)}</h4>",
        categories_html(results, lang),
        f"<h4>{esc(standing)}</h4>",
        standing_html(results, kit, lang),
    ]
    return "".join(parts)


class Results(widgets.VBox):  # type: ignore[misc]
    """The trainee's own results and standing, read from the store; ``refresh()`` after an attempt is recorded."""

    def __init__(
        self,
        bar: TraineeBar,
        kit: Kit | None = None,
        url: str | None = None,
        kinds: bool = False,
        watch: bool = True,
        **kwargs: Any,
    ) -> None:
        self.bar = bar
        self.kit = kit if kit is not None else cached_kit()
        self.url = url
        self.kinds = kinds
        self.results: TraineeResults | None = None
        self.error = ""
        self.reads = 0  # how many times the store was read
        self._evidence: Evidence | None = None
        self._listeners: list[Callable[[], None]] = []
        self._html = widgets.HTML()
        super().__init__([views.stylesheet(), self._html], **kwargs)
        self.add_class("simkit-results")
        if watch:
            self.watch()
        self.refresh()

    def watch(self) -> None:
        """Follow the bar: relabel on a new language, read the store on a new trainee.

        A page calls this after making its other apps, so that confirming a name enables them
        before the store is read.
        """
        self.bar.observe(lambda _c: self._render(), names="lang")
        self.bar.observe(lambda _c: self.refresh(), names="confirmed")

    def refresh(self) -> None:
        """Read the trainee's attempts and standing from the store again, and redraw."""
        trainee = self.bar.trainee
        self.results, self.error = None, ""
        if trainee:
            try:
                if self._evidence is None:
                    self._evidence = evidence_for(self.kit, self.url)
                self.results = read_results(self._evidence, self.kit, trainee)
                self.reads += 1
            except SimkitError as exc:  # the database is away: say so; the next refresh tries again
                self.error = str(exc)
                self.close_store()
            except Exception as exc:
                self.error = f"{type(exc).__name__}: {exc}"
                self.close_store()
        self._render()
        for listener in self._listeners:
            listener()

    def on_refresh(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every read of the store (a view that draws from ``results``)."""
        self._listeners.append(listener)

    def close_store(self) -> None:
        """Release the store's connections (the next refresh opens it again)."""
        if self._evidence is not None:
            self._evidence.close()
            self._evidence = None

    def missing_kinds(self) -> list[str]:
        """The required kinds of situation still missing (all of them before anything was read)."""
        if self.results is None:
            return list(self.kit.readiness.required_kinds)
        return self.results.missing_kinds()

    @property
    def html(self) -> str:
        """What the panel shows now (HTML)."""
        return str(self._html.value)

    def _render(self) -> None:
        lang = self.bar.lang
        _ = translator(lang)
        heading = _("Your results")
        if not self.bar.trainee:
            text = _("Your results appear here once you have typed your name above and pressed “That's me”.")
            self._html.value = f"<h3>{views.esc(heading)}</h3><div>{views.esc(text)}</div>"
        elif self.results is None:
            text = _("Your results cannot be read now: {reason}", reason=self.error)
            self._html.value = f"<h3>{views.esc(heading)}</h3><div class='simkit-hint'>{views.esc(text)}</div>"
        else:
            self._html.value = results_html(self.results, self.kit, lang, self.kinds)
