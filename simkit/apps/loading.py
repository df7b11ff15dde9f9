"""The kit, loaded once per process and in the background, so an app shows itself before it is ready.

Loading the kit (YAML, validation, cross-checks) takes about half a second and the lexicons as
long again; a notebook's first widget must appear faster than that. The trainee bar starts the
load (``prefetch_kit``) when it is created; an app that needs the kit before it has arrived draws
itself first and finishes when it comes (``when_kit_ready``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..content.kit import Kit

_LOCK = threading.Lock()
_KITS: dict[str | None, Kit] = {}
_WARMED = threading.Event()


def cached_kit(root: str | None = None) -> Kit:
    """The kit at ``root`` (None: found as ``load_kit`` finds it), loaded once per process."""
    found = _KITS.get(root)
    if found is not None:
        return found
    with _LOCK:  # a second caller waits for the load under way instead of loading again
        found = _KITS.get(root)
        if found is None:
            from ..content.kit import load_kit

            found = _KITS[root] = load_kit(root)
        return found


def loaded_kit(root: str | None = None) -> Kit | None:
    """The kit if it is loaded already (never waits)."""
    return _KITS.get(root)


def when_kit_ready(callback: Callable[[Kit | None, Exception | None], None], root: str | None = None) -> None:
    """Call ``callback(kit, None)`` once the kit is loaded (in a background thread), or ``(None, error)``."""

    def work() -> None:
        try:
            kit = cached_kit(root)
        except Exception as exc:  # a broken kit is reported to the app, which shows it
            callback(None, exc)
            return
        callback(kit, None)
        warm_up()

    threading.Thread(target=work, name="simkit-kit-load", daemon=True).start()


def prefetch_kit(root: str | None = None) -> None:
    """Start loading the kit (and then the lexicons) in the background, if it is not loaded yet."""
    if root in _KITS:
        return
    when_kit_ready(lambda _kit, _error: None, root)


def warm_up() -> None:
    """Load the lexicons and the plotting library in the background, once, so the first reply is quick."""
    if _WARMED.is_set():
        return
    _WARMED.set()

    def work() -> None:
        try:
            from ..language.detection import detect

            # a real phrase, so the word analysers load too, not only the compiled patterns
            for lang, phrase in (("ru", "Здравствуйте, спасибо за звонок"), ("en", "Hello, thank you for calling")):
                detect(phrase, lang)
            import matplotlib.backends.backend_agg  # noqa: F401
        except Exception:  # a failed warm-up only means the first reply loads them itself
            pass

    threading.Thread(target=work, name="simkit-warm-up", daemon=True).start()
