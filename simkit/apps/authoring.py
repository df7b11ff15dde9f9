"""The authoring notebook: open a scenario or rule file, edit it, check it, preview it, and see what a rule change would change.

For trainers and HR officers. The file opens in the app's own editor (and, with a link, in
JupyterLab's editor when JupyterLab serves the kit's folder, as ``scripts/start.sh`` does). The
checks are ``simkit validate``'s, run on a throwaway copy of the kit, so a half-done edit never
breaks the kit on disk; saving is allowed once the checks pass. The logic is in ``authoring_state``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..content.kit import Kit, find_root
from ..errors import SimkitError
from ..i18n import LANGUAGES, N_, ngettext, pgettext, translator
from ..i18n.names import name
from ..reports.changes import RequirementChange, TraineeChange
from ..reports.impact import Impact
from . import views
from .authoring_state import AuthoringError, Checked, check_text, content_files, preview, read_content, rule_impact, save_content
from .loading import cached_kit

STYLE = """
.simkit-authoring { font-family: system-ui, sans-serif; max-width: 70em; }
.simkit-authoring-text textarea { font-family: ui-monospace, monospace; font-size: 0.85em; }
.simkit-problem { border-left: 4px solid #c62828; padding: 0.2em 0.6em; margin: 0.4em 0; background: #fafafa; }
.simkit-problem pre { margin: 0.2em 0; white-space: pre; overflow-x: auto; }
.simkit-problem-where { font-family: ui-monospace, monospace; }
.simkit-ok { color: #1b5e20; font-weight: 600; }
.simkit-variants { display: flex; flex-wrap: wrap; gap: 1.5em; }
.simkit-variant { flex: 1 1 28em; min-width: 0; }
.simkit-impact table { border-collapse: collapse; margin: 0.4em 0; }
.simkit-impact td, .simkit-impact th { border-bottom: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; }
"""

_REASONS = {
    "too-big": N_(
        "The file is too large to check here (over 256 KB). Content files are a few KB: check that the right text was pasted."
    ),
    "alias-bomb": N_(
        "The file's YAML aliases (*name) repeat each other so often that checking it would never end. Remove the aliases."
    ),
    "too-deep": N_("The file is nested too deeply to check. Check its indentation."),
    "not-text": N_("The file is not UTF-8 text. Save it as UTF-8."),
    "not-content": N_("This is not one of the kit's content files."),
}


def _reason(error: Exception, lang: str) -> str:
    _ = translator(lang)
    if isinstance(error, AuthoringError) and error.code in _REASONS:
        return _(_REASONS[error.code])
    return _("Something went wrong: {reason}", reason=str(error))


def problems_html(checked: Checked, lang: str) -> str:
    """Every problem located (file:line:column, code, message, hint, the line with a caret), escaped; or that all is well."""
    _ = translator(lang)
    esc = views.esc
    if not checked.problems:
        return f'<div class="simkit-ok" data-problems="0">{esc(_("No problems: the kit checks clean with this text."))}</div>'
    files = len({p.problem.path for p in checked.problems})
    head = ngettext(lang, "{n} problem", "{n} problems", len(checked.problems)) + " · "
    head += ngettext(lang, "in {n} file", "in {n} files", files)
    out = [f'<div data-problems="{len(checked.problems)}"><b>{esc(head)}</b></div>']
    for located in checked.problems:
        p = located.problem
        hint = f" ({esc(p.hint)})" if p.hint else ""
        excerpt = f"<pre>{esc(located.excerpt)}</pre>" if located.excerpt else ""
        out.append(
            f'<div class="simkit-problem" data-code="{esc(p.code)}" data-line="{p.line}">'
            f'<span class="simkit-problem-where">{esc(p.path)}:{p.line}:{p.column}</span> '
            f"<b>{esc(p.code)}</b> {esc(p.message)}{hint}{excerpt}</div>"
        )
    return "".join(out)


def _rule_title(kit: Kit, rule: str, lang: str) -> str:
    return kit.rules[rule].title.get(lang) if rule in kit.rules else rule


def variants_html(kit: Kit, scenario_id: str, seed: int, lang: str) -> str:
    """The scenario's variant for ``seed`` in each language, played with its model replies: transcript, scores, outcome."""
    _ = translator(lang)
    esc = views.esc
    columns = []
    for variant_lang, variant in preview(kit, scenario_id, seed).items():
        instance, result = variant.instance, variant.result
        lines = []
        for e in result.exchanges:
            lines.append(views.Line("customer", e.turn.customer))
            lines.append(views.Line("trainee", e.reply))
        if result.closing_line:
            lines.append(views.Line("customer", result.closing_line))
        rows = "".join(
            f"<tr><td>{k}</td><td>{esc(e.turn.id)}</td><td>{e.score.score:g}</td><td>{e.anger_before} → {e.anger_after}</td>"
            f"<td>{esc('; '.join(_rule_title(kit, r, lang) for r in e.score.critical_failures))}</td></tr>"
            for k, e in enumerate(result.exchanges, 1)
        )
        head = "".join(f"<th>{esc(h)}</th>" for h in ("#", _("Turn"), _("Score"), _("Anger"), _("Critical failure")))
        summary = _(
            "Outcome: {outcome} · score {score}/100",
            outcome=name("outcome", result.outcome, lang),
            score=format(result.score, "g"),
        )
        columns.append(
            f'<div class="simkit-variant" data-lang="{esc(variant_lang)}" data-outcome="{esc(result.outcome)}">'
            f"<h4>{esc(variant_lang.upper())} · {esc(instance.title)}</h4>"
            + views.chat(lines, instance.customer.name, variant_lang)
            + f'<div class="simkit-variant-summary"><b>{esc(summary)}</b></div>'
            f'<table class="simkit-scorecard"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
        )
    return f'<div class="simkit-variants">{"".join(columns)}</div>'


def _deciding(move: TraineeChange) -> list[RequirementChange]:
    # the requirements met before and not after (or back); else every requirement whose figure moved
    flipped = [r for r in move.requirements if r.met_changed]
    return flipped or list(move.requirements)


def impact_html(found: Impact, lang: str, kits: Sequence[Kit] = ()) -> str:
    """The trainees whose verdict would move and the rules whose verdicts change, with counts (names escaped).

    Rules are named by their title in ``kits`` (the edited kit first), their id only when no kit has them.
    """
    _ = translator(lang)

    def title(rule: str) -> str:
        return next((k.rules[rule].title.get(lang) for k in kits if rule in k.rules), rule)

    esc = views.esc
    out = [
        "<div>"
        + esc(
            _(
                "Stored replies judged again in memory: {n}; nothing was written. Trainees whose verdict would change: {moved}.",
                n=found.replies,
                moved=len(found.moves),
            )
        )
        + "</div>"
    ]
    if found.skipped:
        out.append("<div>" + esc(_("Replies skipped (their scenario or turn is gone): {n}", n=found.skipped)) + "</div>")
    if found.moves:
        head = "".join(
            f"<th>{esc(h)}</th>"
            for h in (
                _("Trainee"),
                _("Cohort"),
                _("Verdict now"),
                _("Verdict after the edit"),
                _("Requirements that flip"),
                _("Rule"),
            )
        )
        rows = "".join(
            f'<tr data-trainee="{esc(m.trainee)}" data-before="{esc(m.before)}" data-after="{esc(m.after)}">'
            f"<td>{esc(m.trainee)}</td><td>{esc(m.cohort or '')}</td><td>{esc(name('verdict', m.before, lang))}</td>"
            f"<td>{esc(name('verdict', m.after, lang))}</td>"
            f"<td>{esc('; '.join(name('requirement', r.requirement, lang) for r in _deciding(m)))}</td>"
            f"<td>{esc('; '.join(sorted({title(r.rule_id) for r in m.rules})))}</td></tr>"
            for m in found.moves
        )
        out.append(f'<table class="simkit-impact-moves"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
    if found.rules:
        head = "".join(
            f"<th>{esc(h)}</th>"
            for h in (_("Rule"), _("Replies judged differently"), _("Now failed"), _("Now passed"), _("Severity or weight only"))
        )
        rows = "".join(
            f'<tr data-rule="{esc(r.rule)}" data-replies="{r.replies}"><td>{esc(title(r.rule))}</td><td>{r.replies}</td>'
            f"<td>{r.now_fail}</td><td>{r.now_pass}</td><td>{r.severity}</td></tr>"
            for r in found.rules
        )
        out.append(f'<table class="simkit-impact-rules"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
    else:
        out.append("<div>" + esc(_("No stored reply would be judged differently.")) + "</div>")
    return "".join(out)


def editor_link(rel: str) -> str:
    """The JupyterLab address of a content file, relative to a notebook in notebooks/ (Voilà or JupyterLab page)."""
    # both /lab/tree/notebooks/authoring.ipynb and /voila/render/notebooks/authoring.ipynb sit three levels below the base
    return "../../../lab/tree/" + "/".join(part for part in rel.split("/"))


class Authoring(widgets.VBox):  # type: ignore[misc]
    """The authoring app: file picker, editor, check, save, variant preview, rule-change impact."""

    def __init__(self, lang: str = "ru", root: str | Path | None = None, store_url: str | None = None, **kwargs: Any) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"the language '{lang}' is not offered (choose one of: {', '.join(LANGUAGES)})")
        self.root = find_root(root)
        self.store_url = store_url
        self.checked: Checked | None = None
        options = [(c.upper(), c) for c in LANGUAGES]
        self._lang = widgets.ToggleButtons(options=options, value=lang, style={"button_width": "3.5em"})
        self._lang.add_class("simkit-lang")
        self.files = widgets.Dropdown(options=content_files(self.root), layout=widgets.Layout(width="28em"))
        self.files.add_class("simkit-authoring-file")
        self.open_link = widgets.HTML()
        self.open_link.add_class("simkit-authoring-open")
        self.text = widgets.Textarea(layout=widgets.Layout(width="100%", height="24em"))
        self.text.add_class("simkit-authoring-text")
        self.check_button = widgets.Button(button_style="primary")
        self.check_button.add_class("simkit-authoring-check")
        self.save_button = widgets.Button()
        self.save_button.add_class("simkit-authoring-save")
        self.problems = widgets.HTML()
        self.problems.add_class("simkit-authoring-problems")
        self.scenario = widgets.Dropdown(layout=widgets.Layout(width="24em"))
        self.scenario.add_class("simkit-authoring-scenario")
        self.seed = widgets.BoundedIntText(
            value=1, min=0, max=10**9, layout=widgets.Layout(width="14em"), style={"description_width": "initial"}
        )
        self.seed.add_class("simkit-authoring-seed")
        self.preview_button = widgets.Button()
        self.preview_button.add_class("simkit-authoring-preview")
        self.variants = widgets.HTML()
        self.variants.add_class("simkit-authoring-variants")
        self.impact_button = widgets.Button()
        self.impact_button.add_class("simkit-authoring-impact-run")
        self.impact = widgets.HTML()
        self.impact.add_class("simkit-impact")
        self._titles = [widgets.HTML() for _ in range(3)]
        self._hint = widgets.HTML()
        super().__init__(
            [
                views.stylesheet(),
                widgets.HTML(f"<style>{STYLE}</style>", layout=widgets.Layout(display="none")),
                self._lang,
                self._titles[0],
                widgets.HBox([self.files, self.open_link]),
                self.text,
                widgets.HBox([self.check_button, self.save_button]),
                self.problems,
                self._titles[1],
                widgets.HBox([self.scenario, self.seed, self.preview_button]),
                self.variants,
                self._titles[2],
                self._hint,
                self.impact_button,
                self.impact,
            ],
            **kwargs,
        )
        self.add_class("simkit-authoring")
        self.files.observe(lambda _c: self.open_file(), names="value")
        self.text.observe(lambda _c: self._drop_checked(), names="value")  # a check holds for the text it checked
        self._lang.observe(lambda _c: self._relabel(), names="value")
        self.check_button.on_click(lambda _b: self._safely(self.check, self.problems))
        self.save_button.on_click(lambda _b: self._safely(self.save, self.problems))
        self.preview_button.on_click(lambda _b: self._safely(self.show_preview, self.variants))
        self.impact_button.on_click(lambda _b: self._safely(self.show_impact, self.impact))
        self._relabel()
        self._scenarios()
        self.open_file()

    @property
    def lang(self) -> str:
        """The reader's language."""
        return str(self._lang.value)

    def _relabel(self) -> None:
        _ = translator(self.lang)
        self.check_button.description = pgettext(self.lang, "authoring", "Check")
        self.save_button.description = pgettext(self.lang, "authoring", "Save")
        self.preview_button.description = pgettext(self.lang, "authoring", "Preview")
        self.impact_button.description = _("What would change")
        self.seed.description = pgettext(self.lang, "authoring", "Seed")
        titles = (_("Edit a content file"), _("Preview a scenario in both languages"), _("What a rule change would change"))
        for widget, title in zip(self._titles, titles, strict=True):
            widget.value = f"<h3>{views.esc(title)}</h3>"
        self._hint.value = views.esc(
            _(
                "Edit a rule above and press the button: every stored reply is judged again in memory under the edited "
                "rules, and the readiness verdicts are compared. Nothing is stored."
            )
        )
        self._link()

    def _link(self) -> None:
        _ = translator(self.lang)
        rel = self.files.value or ""
        label = _("Open in JupyterLab's editor")
        self.open_link.value = f'<a href="{views.esc(editor_link(rel))}" target="_blank">{views.esc(label)}</a>' if rel else ""

    def _scenarios(self, kit: Kit | None = None) -> None:
        try:
            kit = kit or cached_kit(str(self.root))
        except SimkitError:
            self.scenario.options = []
            return
        current = self.scenario.value
        self.scenario.options = [(f"{s.title.get(self.lang)} ({s.id})", s.id) for s in kit.scenarios.values()]
        self.scenario.value = current if current in kit.scenarios else next(iter(kit.scenarios), None)

    def _drop_checked(self) -> None:
        if self.checked is not None:
            self.checked.close()
            self.checked = None

    def _safely(self, action: Callable[[], object], where: widgets.HTML) -> None:
        # a click never shows a traceback: anything the actions did not foresee becomes a message
        try:
            action()
        except Exception as exc:
            where.value = f'<div class="simkit-hint">{views.esc(_reason(exc, self.lang))}</div>'

    # --- actions ---------------------------------------------------------------------------

    def open_file(self) -> None:
        """Read the chosen file into the editor."""
        self._drop_checked()
        self.problems.value = self.variants.value = self.impact.value = ""
        self._link()
        rel = self.files.value
        if not rel:
            return
        try:
            self.text.value = read_content(self.root, rel)
        except (AuthoringError, OSError) as exc:
            self.text.value = ""
            self.problems.value = f'<div class="simkit-hint">{views.esc(_reason(exc, self.lang))}</div>'

    def check(self) -> Checked | None:
        """Check the editor's text with the rest of the kit (a throwaway copy); show every problem located."""
        self._drop_checked()
        try:
            self.checked = check_text(self.root, self.files.value, self.text.value)
        except (SimkitError, OSError, ValueError) as exc:
            self.problems.value = f'<div class="simkit-hint">{views.esc(_reason(exc, self.lang))}</div>'
            return None
        self.problems.value = problems_html(self.checked, self.lang)
        return self.checked

    def save(self) -> bool:
        """Save the editor's text when it checks clean (atomically, the old version kept as .bak)."""
        _ = translator(self.lang)
        checked = self.check()
        if checked is None or checked.kit is None:
            note = _("Not saved: fix the problems first.")
            self.problems.value += f'<div class="simkit-hint">{views.esc(note)}</div>'
            return False
        try:
            backup = save_content(self.root, self.files.value, self.text.value)
        except (SimkitError, OSError) as exc:
            self.problems.value += f'<div class="simkit-hint">{views.esc(_reason(exc, self.lang))}</div>'
            return False
        note = _("Saved. The previous version is kept as {file}.", file=backup.name)
        self.problems.value += f'<div class="simkit-ok simkit-saved">{views.esc(note)}</div>'
        self._scenarios(checked.kit)
        return True

    def _edited_kit(self) -> Kit | None:
        checked = self.checked if self.checked is not None and self.checked.kit is not None else self.check()
        return checked.kit if checked is not None else None

    def show_preview(self) -> None:
        """The chosen scenario's variant in both languages, under the edited text when it checks clean."""
        if not self.scenario.value:
            return
        try:
            kit = self._edited_kit() or cached_kit(str(self.root))
            self.variants.value = variants_html(kit, self.scenario.value, int(self.seed.value), self.lang)
        except (SimkitError, OSError, ValueError, KeyError) as exc:
            self.variants.value = f'<div class="simkit-hint">{views.esc(_reason(exc, self.lang))}</div>'

    def show_impact(self) -> None:
        """Judge the stored replies under the kit on disk and under the edited text; show what moves."""
        from ..store.database import Store

        _ = translator(self.lang)
        edited = self._edited_kit()
        if edited is None:
            self.impact.value = (
                f'<div class="simkit-hint">{views.esc(_("The edited text has problems: fix them, then try again."))}</div>'
            )
            return
        try:
            current = cached_kit(str(self.root))
            with Store(self.store_url) as store:
                self.impact.value = impact_html(rule_impact(store, current, edited), self.lang, (edited, current))
        except (SimkitError, OSError) as exc:
            self.impact.value = f'<div class="simkit-hint">{views.esc(_reason(exc, self.lang))}</div>'


def authoring(lang: str = "ru", root: str | Path | None = None, store_url: str | None = None) -> Authoring:
    """The authoring app for the notebook's one cell."""
    return Authoring(lang, root, store_url)
