"""The message catalogue: every marked string has a Russian translation, and lookups work."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from simkit.i18n import catalogue_path, gettext, ngettext

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": (2,), "ngettext": (2, 3), "pgettext": ((2, "c"), 3), "N_": None}
METHODS = [("simkit/**.py", "python"), ("simkit/**/templates/**.j2", "jinja2")]


def _marked() -> dict[tuple[str, str | None], str]:
    """Every (message id, context) marked in the package, with where it was first seen."""
    found: dict[tuple[str, str | None], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map=METHODS, keywords=KEYWORDS, options_map={"simkit/**/templates/**.j2": {"extensions": "jinja2.ext.i18n"}}
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids[:1]:
            if msgid:
                found.setdefault((msgid, context), f"{filename}:{lineno}")
    return found


def _catalogue(lang: str) -> dict[tuple[str, str | None], object]:
    with catalogue_path(lang).open("rb") as source:
        catalogue = read_po(source, locale=lang)
    return {(m.id[0] if isinstance(m.id, tuple) else m.id, m.context): m.string for m in catalogue if m.id}


def test_every_marked_string_has_a_russian_translation() -> None:
    marked = _marked()
    ru = _catalogue("ru")
    missing = [
        f"{where}: {msgid!r}" for (msgid, context), where in sorted(marked.items()) if not _translated(ru.get((msgid, context)))
    ]
    assert not missing, "untranslated in simkit/i18n/locale/ru/LC_MESSAGES/simkit.po:\n" + "\n".join(missing)


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(bool(s) for s in string)
    return bool(string)


def test_english_is_the_message_id_and_russian_is_translated() -> None:
    assert gettext("en", "Send") == "Send"
    assert gettext("ru", "Send") == "Отправить"


def test_an_unknown_language_falls_back_to_english() -> None:
    assert gettext("xx", "Send") == "Send"


@pytest.mark.parametrize(("n", "form"), [(1, 0), (3, 1), (5, 2), (11, 2), (21, 0), (24, 1)])
def test_russian_plural_forms_follow_the_number(n: int, form: int) -> None:
    from simkit.i18n import translations

    forms = ["a", "b", "c"]
    # the catalogue's plural rule picks form 0, 1 or 2 as Russian grammar does
    plural = translations("ru").plural  # type: ignore[attr-defined]
    assert forms[plural(n)] == forms[form]
    assert ngettext("en", "{n} reply", "{n} replies", n) == ("1 reply" if n == 1 else f"{n} replies")


def test_no_message_is_translated_twice() -> None:
    # entries are appended by hand; a second entry for the same id would silently win
    text = catalogue_path("ru").read_text(encoding="utf-8")
    seen: set[tuple[str | None, str]] = set()
    context: str | None = None
    for line in text.splitlines():
        if line.startswith("msgctxt "):
            context = line
        elif line.startswith("msgid ") and line != 'msgid ""':
            key = (context, line)
            assert key not in seen, f"duplicate entry in simkit.po: {line}"
            seen.add(key)
            context = None


def test_strings_marked_inside_f_strings_are_translated_too() -> None:
    # Babel's extractor does not look inside f-strings on Python 3.11: read the source as text
    import re

    ru = {msgid for msgid, _context in _catalogue("ru")}
    call = re.compile(r"""(?<![\w.])_\(\s*(?P<q>["'])(?P<text>(?:(?!(?P=q)).)+)(?P=q)\s*[,)]""")
    missing = []
    for path in sorted((ROOT / "simkit").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for found in call.finditer(line):
                if not re.search(r"""\bf["']""", line[: found.start()]):
                    continue  # outside an f-string: the extractor above sees it
                text = found.group("text")
                if text not in ru:
                    missing.append(f"{path.relative_to(ROOT)}:{number}: {text!r}")
    assert not missing, "untranslated strings:\n" + "\n".join(missing)
