"""Every string a person reads, in the reader's language, from one gettext catalogue per language.

Message ids are the English text; ``locale/<lang>/LC_MESSAGES/simkit.po`` translates them. English
needs no catalogue. A third language is one more ``.po`` file (plus a lexicon for its replies).
The catalogues are read with Babel on first use and cached, so ``import simkit`` stays light.

Code marks strings in one of these ways, which ``pybabel extract`` (``babel.cfg``) finds:

- ``_ = translator(lang)`` then ``_("Send")`` or ``_("{n} replies", n=3)`` (fields filled in);
- ``gettext(lang, "Send")``, ``ngettext(lang, "{n} reply", "{n} replies", n)``,
  ``pgettext(lang, "score column", "Score")`` where one English word has two meanings;
- ``N_("Escalate to the supervisor")`` where a string is defined at import time and translated later.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Callable
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Final

LANGUAGES: Final = ("ru", "en")
DOMAIN: Final = "simkit"
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (translate it where it is shown)."""
    return message


def catalogue_path(lang: str) -> Path:
    """Where the catalogue of ``lang`` lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang``; English (or a language without a catalogue) is identity."""
    path = catalogue_path(lang)
    if not path.is_file():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as source:
        catalogue = read_po(source, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def _fill(text: str, values: dict[str, object]) -> str:
    return text.format(**values) if values else text


def gettext(lang: str, message: str, **values: object) -> str:
    """``message`` in ``lang``, with ``{name}`` fields filled in from ``values``."""
    return _fill(translations(lang).gettext(message), values)


def ngettext(lang: str, singular: str, plural: str, n: int, **values: object) -> str:
    """The singular or plural form for ``n`` in ``lang`` (Russian has three), ``{n}`` filled in."""
    return _fill(translations(lang).ngettext(singular, plural, n), {"n": n, **values})


def pgettext(lang: str, context: str, message: str, **values: object) -> str:
    """``message`` in ``lang`` where ``context`` tells apart two meanings of the same English text."""
    return _fill(translations(lang).pgettext(context, message), values)


def translator(lang: str) -> Callable[..., str]:
    """A ``_`` function bound to ``lang``: ``_ = translator("ru"); _("Send")``."""

    def _(message: str, **values: object) -> str:
        return gettext(lang, message, **values)

    return _
