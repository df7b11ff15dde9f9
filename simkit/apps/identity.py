"""The trainee bar: who is practising (name, cohort) and in which language, asked once per notebook.

Every app takes the bar and observes ``lang`` (it relabels itself at once) and ``confirmed``
(nothing is played or stored before the trainee is known). The bar keeps what was typed for as
long as the notebook's kernel runs; under JupyterHub the name starts as the hub user. Under the
hub with its simkit service the name is the hub user, confirmed and locked: the service records
attempts under the signed-in user whatever is typed, so another name would only mislead.
"""

from __future__ import annotations

import html
import os
import unicodedata
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]
import traitlets

from ..i18n import LANGUAGES, translator
from .evidence import hub_user
from .loading import prefetch_kit

MAX_NAME = 80


def clean_name(raw: str) -> str:
    """A name or cohort as typed, trimmed, with every run of white space made one space."""
    return " ".join(raw.split())


def name_problem(name: str, lang: str, required: bool = True) -> str | None:
    """Why ``name`` (already cleaned) cannot be used, in ``lang``; None when it is fine."""
    _ = translator(lang)
    if not name:
        return _("Type your name first.") if required else None
    if len(name) > MAX_NAME:
        return _("At most {n} characters, please.", n=MAX_NAME)
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return _("The text holds a control character; type it again.")
    return None


class TraineeBar(widgets.VBox):  # type: ignore[misc]
    """The trainee's name, cohort and language; ``trainee`` is None until a name is confirmed."""

    name = traitlets.Unicode("")
    cohort = traitlets.Unicode("")
    lang = traitlets.Enum(LANGUAGES, default_value="ru")
    confirmed = traitlets.Bool(False)

    def __init__(self, lang: str = "ru", name: str = "", cohort: str = "", **kwargs: Any) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"the language '{lang}' is not offered (choose one of: {', '.join(LANGUAGES)})")
        signed_in = clean_name(hub_user() or "")
        # the service records the signed-in user: the name is theirs (one the bar could not take is left open)
        self.locked = signed_in if signed_in and name_problem(signed_in, lang) is None else ""
        typed = self.locked or name or os.environ.get("JUPYTERHUB_USER", "").strip()
        self._name_box = widgets.Text(value=typed, layout=widgets.Layout(width="16em"))
        self._name_box.add_class("simkit-name")
        self._cohort_box = widgets.Text(value=cohort, layout=widgets.Layout(width="12em"))
        self._cohort_box.add_class("simkit-cohort")
        self._lang_buttons = widgets.ToggleButtons(
            options=[(code.upper(), code) for code in LANGUAGES], value=lang, style={"button_width": "3.5em"}
        )
        self._lang_buttons.add_class("simkit-lang")
        self._confirm_button = widgets.Button(button_style="primary")
        self._confirm_button.add_class("simkit-confirm")
        self._complain = False  # whether the last confirm was refused (the reason follows the language)
        self._note = widgets.HTML()
        self._note.add_class("simkit-identity-note")
        row = widgets.HBox([self._name_box, self._cohort_box, self._confirm_button, self._lang_buttons])
        row.layout.flex_flow = "row wrap"
        super().__init__([row, self._note], **kwargs)
        self.add_class("simkit-identity")
        self.lang = lang
        self.name = self._name_box.value
        self.cohort = cohort
        widgets.link((self._name_box, "value"), (self, "name"))
        widgets.link((self._cohort_box, "value"), (self, "cohort"))
        widgets.link((self._lang_buttons, "value"), (self, "lang"))
        self._confirm_button.on_click(lambda _button: self._toggle())
        if self.locked:
            self.confirmed = True
        self._relabel()
        prefetch_kit()  # the bar is a notebook's first widget: the apps after it find the kit loaded

    # --- state -----------------------------------------------------------------------------

    @property
    def trainee(self) -> str | None:
        """The confirmed trainee's name (cleaned), or None until a name is given and confirmed."""
        return clean_name(self.name) if self.confirmed else None

    @property
    def cohort_name(self) -> str | None:
        """The confirmed cohort (cleaned), or None when none was given."""
        return clean_name(self.cohort) or None

    def confirm(self) -> bool:
        """Take the typed name and cohort; False (with the reason shown) when the name cannot be used."""
        name, cohort = clean_name(self.name), clean_name(self.cohort)
        if self._problem(name, cohort) is not None:
            self._complain = True
            self.confirmed = False
            self._relabel()
            return False
        self._complain = False
        self.name, self.cohort = name, cohort
        self.confirmed = True
        return True

    def _problem(self, name: str, cohort: str) -> str | None:
        return name_problem(name, self.lang) or name_problem(cohort, self.lang, required=False)

    def change(self) -> None:
        """Let the trainee edit the name again (nothing more is stored until it is confirmed)."""
        self.confirmed = False

    def _toggle(self) -> None:
        if self.confirmed:
            self.change()
        else:
            self.confirm()

    @traitlets.validate("name")
    def _locked_name(self, proposal: dict[str, Any]) -> str:
        # under the hub's service the name stays the signed-in user's, whoever sets it
        return getattr(self, "locked", "") or str(proposal["value"])

    @traitlets.validate("confirmed")
    def _valid_confirmation(self, proposal: dict[str, Any]) -> bool:
        value = bool(proposal["value"])
        if value and name_problem(clean_name(self.name), self.lang) is not None:
            raise traitlets.TraitError("a trainee bar is confirmed only with a name of 1 to 80 characters")
        return value

    @traitlets.observe("name", "cohort")
    def _edited(self, change: dict[str, Any]) -> None:
        # a name changed after confirming (only code can: the boxes are locked) must be confirmed again
        if self.confirmed and change["new"] != change["old"]:
            self.confirmed = False

    @traitlets.observe("lang", "confirmed")
    def _changed(self, _change: dict[str, Any]) -> None:
        self._relabel()

    # --- view ------------------------------------------------------------------------------

    def _relabel(self) -> None:
        _ = translator(self.lang)
        self._name_box.placeholder = _("Your name")
        self._name_box.description = ""
        self._cohort_box.placeholder = _("Group (optional)")
        self._lang_buttons.tooltips = [_("Russian"), _("English")]
        self._name_box.disabled = self.confirmed or bool(self.locked)
        self._cohort_box.disabled = self.confirmed
        if self.confirmed:
            self._confirm_button.description = _("Change the group") if self.locked else _("Change name")
            self._confirm_button.button_style = ""
            cohort = self.cohort_name
            who = "<b>" + html.escape(clean_name(self.name)) + "</b>"
            text = (
                _("Practising as {name} (group {cohort}).", name=who, cohort=html.escape(cohort))
                if cohort
                else _("Practising as {name}.", name=who)
            )
            self._note.value = f'<span class="simkit-identity-ok">{text}</span>'
            if self.locked:
                locked = _("This is the name you signed in with; it cannot be changed here.")
                self._note.value += f' <span class="simkit-identity-locked">{html.escape(locked)}</span>'
        else:
            self._confirm_button.description = _("That's me")
            self._confirm_button.button_style = "primary"
            problem = self._problem(clean_name(self.name), clean_name(self.cohort)) if self._complain else None
            if self.locked:
                ask = _("Type your group, if any, and press “That's me”.")
            else:
                ask = _("Type your name and press “That's me”.")
            message = problem or ask
            self._note.value = f'<span class="simkit-identity-ask">{html.escape(message)}</span>'
