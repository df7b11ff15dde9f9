"""Joining a trainer's round: the trainee types the code the trainer shows, and the player plays the round.

``JoinBar`` finds the round by its code through the player's evidence (the store, or the hub's
simkit service) and hands the open one to the player (``Player.join``): the round's scenarios,
its seed for this trainee, its language and mode, and every attempt recorded with the round's
code. ``round_page`` is the trainee's page.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from ..i18n import ngettext, translator
from . import views
from .evidence import refusal
from .identity import TraineeBar
from .loading import cached_kit
from .player import Player


class JoinBar(widgets.VBox):  # type: ignore[misc]
    """A code field and a Join button; the player plays the round once the code is found."""

    def __init__(self, bar: TraineeBar, player: Player, hide_until_joined: bool = False, **kwargs: Any) -> None:
        self.bar = bar
        self.player = player
        self.joined: Any = None  # the Round, once joined
        self._problem = ""
        self._hide = hide_until_joined
        self.code_box = widgets.Text(layout=widgets.Layout(width="10em"))
        self.code_box.add_class("simkit-join-code")
        self.join_button = widgets.Button(button_style="primary")
        self.join_button.add_class("simkit-join-button")
        self.note = widgets.HTML()
        self.note.add_class("simkit-join-note")
        super().__init__([widgets.HBox([self.code_box, self.join_button]), self.note], **kwargs)
        self.add_class("simkit-join")
        self.join_button.on_click(lambda _b: self.join())
        bar.observe(lambda _c: self._relabel(), names="lang")
        if self._hide:
            player.layout.display = "none"
        self._relabel()

    def join(self, code: str | None = None) -> bool:
        """Join the open round with ``code`` (else the typed one); False with the reason shown when it cannot."""
        from ..store.sessions import RoundError, normal_code

        _ = translator(self.bar.lang)
        self._problem = ""
        typed = normal_code(code if code is not None else self.code_box.value)
        try:
            if not typed:
                raise RoundError(_("Type the code the trainer shows."))
            self.player.ready.wait(120)
            try:
                found = self.player.state.evidence.get_round(typed)
            except Exception as exc:
                status = refusal(exc)  # the service's refusals are RoundErrors too: only "not found" is a wrong code
                if status != 404 and (status is not None or not isinstance(exc, RoundError)):
                    raise  # the store or the service away, or the service refusing this account: said as it is
                raise RoundError(_("No round has the code {code}; check it with the trainer.", code=typed)) from None
            if not found.open:
                raise RoundError(_("The round “{title}” has ended; ask the trainer for the new code.", title=found.title))
            self.player.join(found)
        except Exception as exc:  # a wrong code, an ended round, the store away: said, never a traceback
            self._problem = str(exc) or type(exc).__name__
            self._relabel()
            return False
        self.joined = found
        self.code_box.value = found.code
        self.code_box.disabled = self.join_button.disabled = True
        self.player.layout.display = ""
        self._relabel()
        return True

    def _relabel(self) -> None:
        _ = translator(self.bar.lang)
        self.code_box.placeholder = _("Join code")
        self.join_button.description = _("Join the round")
        if self._problem:
            self.note.value = f'<span class="simkit-join-problem">{views.esc(self._problem)}</span>'
        elif self.joined is not None:
            n = len(self.joined.scenarios)
            plays = ngettext(self.bar.lang, "{n} scenario to play.", "{n} scenarios to play.", n)
            joined = _("Joined the round “{title}”.", title=self.joined.title)
            text = f"{joined} {plays} {_('Choose one and press Start.')}"
            self.note.value = f'<span class="simkit-join-ok">{views.esc(text)}</span>'
        else:
            text = _("Type the code the trainer shows and press “Join the round”.")
            self.note.value = f'<span class="simkit-join-ask">{views.esc(text)}</span>'


def round_page(lang: str = "ru", url: str | None = None, root: str | None = None) -> widgets.VBox:
    """The trainee's page for a trainer's round: the trainee bar, the join code field, then the player."""
    kit = cached_kit(root)  # built whole before it is shown (see apps.days)
    bar = TraineeBar(lang=lang)
    player = Player(bar, mode="session", kit=kit, url=url)
    joining = JoinBar(bar, player, hide_until_joined=True)
    page = widgets.VBox([bar, joining, player])
    page.add_class("simkit-round-page")
    page.bar, page.join_bar, page.player = bar, joining, player
    return page
