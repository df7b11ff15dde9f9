"""Text as a reader sees it: what the detector analyses, with a way back to the original offsets.

A reply can hide its words from a phrase matcher and still read the same: zero-width and other
invisible characters inside words, letters of another script that look alike ("вы сaми" with a
Latin "a"), compatibility forms (full-width "ｉｄｉｏｔ"), combining marks, or digits and
symbols standing for letters ("6лин", "sh1t", "@ss"). ``normalize`` undoes these:

1. invisible characters (format characters, variation selectors, bidi controls) are dropped;
   combining marks are composed with their letter where Unicode has the composed letter ("и" +
   breve is "й") and dropped otherwise; letters, digits and spaces in a compatibility form take
   their NFKC form. Symbols keep theirs: "№", "…", "²" and "™" mean what they show;
2. in a word that mixes scripts, letters of the other script that look like letters of the
   reply's language become those letters (Latin to Cyrillic in Russian, Cyrillic and Greek to
   Latin in English). A word written wholly in another script is left alone: it may be a brand;
3. digits and symbols inside a word that is otherwise letters become the letters they stand
   for, but only when that makes a word the caller knows (``known``): "6лин" becomes "блин",
   while "5pm", "4G", "mp3", order numbers and sums stay as they are;
4. a word masked with asterisks ("f*ck", "п**дец") becomes the one word the caller's
   ``unmask`` reads it as, letter for mark, so that phrases around it match ("f*ck off").

Every character of the result remembers the characters of the original it came from, so spans
found in the normalised text map back to the original (``Normalized.span``). Plain text, the
usual case, is recognised by a few regular-expression scans (``plain``) and returned as it is.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

Known = Callable[[str], bool]
Unmask = Callable[[str], str | None]

# Characters that draw nothing: zero-width space/joiners, word joiner, soft hyphen, BOM, bidi
# controls, Mongolian vowel separator, Hangul fillers, variation selectors, tags. Most are format
# characters (Cf) and go by their category; the list catches those that are not.
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
)

# What plain replies are written with: ASCII, Cyrillic, common typographic punctuation and
# signs. Anything else sends the text down the careful path, which then changes only what needs
# changing, so this list errs on the short side.
_PLAIN_CHARS = "\t\n\r -~А-яЁё«»—–…№“”„‘’\u00a0°₽€£×·•"
_OTHER = re.compile(f"[^{_PLAIN_CHARS}]")
_LATIN_ANY = re.compile("[A-Za-z]")
_CYRILLIC_ANY = re.compile("[А-яЁё]")
_MIXED = re.compile(r"[A-Za-z][А-яЁё]|[А-яЁё][A-Za-z]")
_MARKS = re.compile(r"[\d@$!]+")
# a letter next to a mask mark: "f*ck", "*уй" (a sum like "5*3" is no word)
_MASK_MARK = re.compile(r"[^\W\d_][*#]|[*#][^\W\d_]")
# possessive: a run of marks has one way to be read, so a run that fails ("a****_") fails at once
# (with backtracking, the ways to split 30 marks among the repeats took minutes to try)
MASKED_WORD = re.compile(r"(?<![\w*#])[^\W_]*+(?:[*#]++[^\W_]*+)++(?![\w*#])")

# Look-alike letters, by the script they are turned into (each character of the first string
# becomes the character under it). To Cyrillic: Latin letters that look the same, a few that only
# stand for one (m, t, h, d, l ...), and Greek ones.
_TO_CYRILLIC = dict(
    zip(
        "aABbcCdeEHhiIkKlmMnoOpPrTtuxXyYαΑβΒεΕηΗιΙκΚμΜοΟπΠρΡτΤυΥχΧ",
        "аАВьсСдеЕНниИкКлмМпоОрРгТтихХуУаАвВеЕпНиИкКмМоОпПрРтТуУхХ",
        strict=True,
    )
)
# To Latin: Cyrillic (with the Ukrainian, Serbian and Macedonian letters shaped like Latin ones) and Greek.
_TO_LATIN = dict(
    zip(
        "аАВсСеЕНіІјЈкКмМоОрРѕЅТтуУхХһԁԛԝпиαΑΒεΕΗιΙκΚΜΝνοΟρΡτΤυΥχΧ",
        "aABcCeEHiIjJkKmMoOpPsSTtyYxXhdqwnuaABeEHiIkKMNvoOpPtTuYxX",
        strict=True,
    )
)
_CYRILLIC_RE = re.compile("[А-яЁёЀ-ӿ]")
_LATIN_RE = re.compile("[A-Za-z]")
_GREEK_RE = re.compile("[Ͱ-Ͽ]")

# What a digit or symbol inside a word may stand for, by language; tried in this order.
_DIGITS = {
    "ru": {"0": "о", "3": "зе", "4": "ча", "6": "б", "9": "я", "@": "а", "1": "и", "8": "в", "$": "с"},
    "en": {"0": "o", "1": "il", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g", "@": "a", "$": "s", "!": "i", "8": "b"},
}
# a word-like run: letters with digits or look-alike symbols among them ('!' only inside)
_RUN = re.compile(r"[\w@$]+(?:!+[\w@$]+)*")
# ... and one with a digit or symbol in it, looked for only where a run starts: a run that has
# none would otherwise be searched again from each of its letters (quadratic in a long word)
_MARKED_RUN = re.compile(r"(?<![\w@$])(?:[\w@$]*[\d@$][\w@$]*(?:!+[\w@$]+)*|[\w@$]+(?:!+[\w@$]+)+)")
_MAX_GUESSES = 64
# ... and in all the words of one reply: a word takes a guess or two, but a reply of hundreds of
# made-up words each with six digits ("а3б3в3г3д3е3ж") would ask for tens of thousands
_MAX_GUESSES_PER_TEXT = 2_000


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text, and for each of its characters the original characters it came from."""

    text: str
    original: str
    starts: tuple[int, ...] | None = None  # None: the text was not changed in length or place
    ends: tuple[int, ...] | None = None

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the normalised span [start, end)."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else len(self.original)
            return at, at
        return self.starts[start], self.ends[end - 1]


def plain(text: str) -> bool:
    """Whether ``text`` has nothing to normalise: the fast path, a few scans in C for a usual reply."""
    if _OTHER.search(text):
        return False
    if _LATIN_ANY.search(text) and _CYRILLIC_ANY.search(text) and _MIXED.search(text):
        return False
    if ("*" in text or "#" in text) and _MASK_MARK.search(text):
        return False
    for m in _MARKS.finditer(text):  # few in a reply: times, sums, "!"
        a, b = m.span()
        before = text[a - 1].isalpha() if a else False
        after = text[b].isalpha() if b < len(text) else False
        run = m.group()
        # a digit or symbol next to a letter ("6лин", "sh1t", "@ss"); '!' only inside a word
        if (before and (run[0] != "!" or after)) or (after and run[-1] != "!"):
            return False
    return True


def normalize(text: str, lang: str, known: Known | None = None, unmask: Unmask | None = None) -> Normalized:
    """``text`` as read (see the module's docstring); ``known`` says which words are words,
    ``unmask`` which word a masked one stands for (None: it stays masked)."""
    if plain(text):
        return Normalized(text, text)
    norm = Normalized(text, text)
    if _OTHER.search(text):
        chars, starts, ends = _characters(text)
        out = "".join(chars)
        moved = len(out) != len(text) or any(s != i for i, s in enumerate(starts))
        norm = Normalized(out, text, tuple(starts), tuple(ends)) if moved else Normalized(out, text)
    words = _words(norm.text, lang, known)
    if unmask is not None and ("*" in words or "#" in words):
        words = _unmasked(words, unmask)
    if words != norm.text:
        norm = Normalized(words, text, norm.starts, norm.ends)
    return norm


def _unmasked(text: str, unmask: Unmask) -> str:
    """Step 4: masked words replaced by the word they stand for, one letter for one mark."""
    out = list(text)
    for m in MASKED_WORD.finditer(text):
        word = unmask(m.group())
        if word is not None and len(word) == len(m.group()):
            out[m.start() : m.end()] = word
    return "".join(out)


def _characters(text: str) -> tuple[list[str], list[int], list[int]]:
    """Step 1: drop invisible characters, compose or drop combining marks, apply NFKC to letters."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, c in enumerate(text):
        if c.isascii():
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)
            continue
        category = unicodedata.category(c)
        if category == "Cf" or _is_invisible(c):
            continue
        if category in ("Mn", "Me", "Mc"):
            if chars:
                composed = unicodedata.normalize("NFC", chars[-1] + c)
                if len(composed) == 1:
                    chars[-1] = composed
                ends[-1] = i + 1  # the mark belongs to the letter before it, in any case
            continue
        if category[0] in "LN" or category == "Zs":
            folded = unicodedata.normalize("NFKC", c)
            if folded != c and all(f.isalnum() or f.isspace() for f in folded) and category != "No":
                for f in folded:
                    chars.append(f)
                    starts.append(i)
                    ends.append(i + 1)
                continue
        chars.append(c)
        starts.append(i)
        ends.append(i + 1)
    return chars, starts, ends


_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}\U000e0000-\U000e007f\U000e0100-\U000e01ef]")


def _is_invisible(c: str) -> bool:
    return bool(_INVISIBLE_RE.match(c))


def _words(text: str, lang: str, known: Known | None) -> str:
    """Steps 2 and 3, on the word-like runs that need them; every replacement is one character for one."""
    target = _TO_CYRILLIC if lang == "ru" else _TO_LATIN
    digits = _DIGITS.get(lang, _DIGITS["en"])
    mixed = bool(_CYRILLIC_RE.search(text)) + bool(_LATIN_RE.search(text)) + bool(_GREEK_RE.search(text)) >= 2
    pieces: list[str] = []
    last = 0
    read: dict[str, str] = {}  # each distinct run is read once
    left = _MAX_GUESSES_PER_TEXT
    for m in (_RUN if mixed else _MARKED_RUN).finditer(text):
        run = m.group()
        fixed = _mixed(run, lang, target) if mixed else run
        if known is not None:
            found = read.get(fixed)
            if found is None:
                found, tried = _digits(fixed, digits, known, min(_MAX_GUESSES, left))
                read[fixed] = found
                left -= tried
            fixed = found
        if fixed != run:
            pieces.append(text[last : m.start()])
            pieces.append(fixed)
            last = m.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _mixed(run: str, lang: str, target: dict[str, str]) -> str:
    """A word mixing scripts, with the look-alikes turned into the language's script."""
    scripts = bool(_CYRILLIC_RE.search(run)) + bool(_LATIN_RE.search(run)) + bool(_GREEK_RE.search(run))
    if scripts < 2:
        return run
    home = _CYRILLIC_RE if lang == "ru" else _LATIN_RE
    return "".join(c if home.match(c) else target.get(c, c) for c in run)


def _digits(run: str, table: dict[str, str], known: Known, limit: int) -> tuple[str, int]:
    """A run whose digits and symbols, read as letters, make a known word (else the run itself),
    trying at most ``limit`` readings; and how many were tried."""
    letters = sum(c.isalpha() for c in run)
    slots = [i for i, c in enumerate(run) if c in table]
    if not slots or any(not (c.isalpha() or c in table) for c in run):
        return run, 0
    # symbols stand for letters, where digits may be part of a code ("a$$" reads "ass", "a55" stays)
    symbols_only = not any(run[i].isdigit() for i in slots)
    if letters < 2 and not (symbols_only and letters == 1 and len(run) >= 3):
        return run, 0
    if len(slots) > letters and not symbols_only:
        return run, 0
    if run[0].isdigit() and run[-1].isdigit():
        return run, 0  # "12a34": a code
    options = [table[run[i]] for i in slots]
    upper = "".join(c for c in run if c.isalpha()).isupper()
    tried = 0
    for choice in itertools.islice(itertools.product(*options), limit):
        tried += 1
        chars = list(run)
        for i, letter in zip(slots, choice, strict=True):
            chars[i] = letter.upper() if upper else letter
        word = "".join(chars)
        if known(word.lower()):
            return word, tried
    return run, tried
