"""Hostile replies: the slowest of every 1,000 random ones, and every kind at the length cap.

Budget (issue 12): scoring a reply at the length cap (simkit.engine.scoring.MAX_REPLY_CHARS)
takes under 50 ms, whatever it holds.

Run: .venv/bin/python benchmarks/bench_fuzz.py [--replies 3000] [--seed 12] [--cpu]
Each reply is made by one of the kinds below from a seeded random source, at a random length up
to the cap (one in five exactly at it), and scored (detection and every rule) as a reply to a
random turn of a shipped scenario, in Russian or English. Texts are random, so the detector's
memory of replies and sentences it has met does not hide the work (the "repeat" kinds do meet
their own sentences again, as a session does). Printed: per 1,000 replies the median and the
slowest with its kind and length; then the slowest of each kind at the cap, against the budget.
The garbage collector's full collections take tens of milliseconds and fall on whichever reply
starts one; the time they take is shown apart, and the budget is judged on the reply's own time.
Times are wall-clock; with --cpu they are this process's CPU time, which other work on a busy
machine does not stretch.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import statistics
import time
from collections.abc import Callable
from typing import NamedTuple

from simkit import generate, load_kit
from simkit.content.kit import Kit
from simkit.engine.generation import ScenarioInstance
from simkit.engine.scoring import MAX_REPLY_CHARS, score_reply
from simkit.errors import ReplyTooLong

BUDGET_MS = 50.0

_EMOJI = ["😀", "😡", "🙏", "👍🏽", "👨‍👩‍👧‍👦", "🇷🇺", "❤️", "🤬", "💩", "🔥"]
_PUNCT = list("!?.,;:—–-()«»“”\"'/…*#@$%&[]{}<>|\\~`^_+=")
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u200e", "\u200f", "\u202e", "\u2066", "\u2069"]
_COMBINING = [chr(c) for c in range(0x300, 0x370)]
_CONTROL = [chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127, *range(0x80, 0xA0))]
_SCRIPTS = ["Привет", "hello", "мир", "wоrld", "مرحبا", "你好", "שלום", "γειά", "こんにちは", "안녕", "ДА", "NO", "Ирина"]
_INSULTS = {
    "ru": ["Вы идиот!", "Сами дура.", "Да пошёл ты!", "бл*ть", "х*р вам", "6лин", "и д и о т", "Заткнитесь!!"],
    "en": ["You idiot!", "Shut up!!", "f*ck off", "sh1t", "a$$hole", "i d i o t", "you muppet,", "Whatever, moron."],
}
_MASKS = ["f*ck", "п**дец", "b*llsh1t", "*#*#", "х**", "a" + "*" * 40 + "_", "#" * 30 + "x_", "s#*t"]
_LEET = ["6лин", "sh1t", "3з3з3з3з", "@$$", "h3ll0", "ду6ина", "1d10t", "4$$h0l3", "8ы8ы8ы"]


class Bank(NamedTuple):
    """Sentences of the shipped scenarios, and their words."""

    sentences: list[str]
    words: list[str]


Make = Callable[[random.Random, int, Bank], str]


def _fill(rnd: random.Random, n: int, piece: Callable[[], str]) -> str:
    out: list[str] = []
    size = 0
    while size < n:
        p = piece()
        out.append(p)
        size += len(p)
    return "".join(out)[:n]


def _repeat(piece: str, n: int) -> str:
    return (piece * (n // max(1, len(piece)) + 1))[:n]


def _huge_word(r: random.Random, n: int, b: Bank) -> str:
    word = r.choice("аяzxЖ") * n if r.random() < 0.5 else _fill(r, n, lambda: r.choice(b.words))
    end = r.choice(["", "*", "1", "@", "ё", "x"])
    return word[: max(0, n - len(end))] + end


def _kinds() -> dict[str, Make]:
    def word(rnd: random.Random, bank: Bank) -> str:
        return rnd.choice(bank.words)

    def unicode_char(rnd: random.Random) -> str:
        while True:
            c = rnd.randrange(0x110000)
            if not 0xD800 <= c <= 0xDFFF:
                return chr(c)

    return {
        "quoted": lambda r, n, b: _fill(r, n, lambda: f"«{word(r, b)}» "),
        "single-quoted": lambda r, n, b: _fill(r, n, lambda: f"'{word(r, b)}' "),
        "double-quoted": lambda r, n, b: _fill(r, n, lambda: f'"{word(r, b)}" '),
        "unclosed-quotes": lambda r, n, b: _fill(r, n, lambda: r.choice("«“\"'") + word(r, b) + " "),
        "nested-brackets": lambda r, n, b: _fill(
            r, n, lambda: r.choice(["«", "(", "[", "“", "{"]) * r.randint(1, 30) + word(r, b)
        ),
        # one word of the whole length, sometimes ending in a mark or digit (not plain text)
        "huge-word": lambda r, n, b: _huge_word(r, n, b),
        "punctuation": lambda r, n, b: _fill(r, n, lambda: r.choice(_PUNCT)),
        "emoji": lambda r, n, b: _fill(r, n, lambda: r.choice(_EMOJI)),
        "insult": lambda r, n, b: _fill(r, n, lambda: r.choice(_INSULTS["ru" if r.random() < 0.5 else "en"]) + " "),
        "masked": lambda r, n, b: _fill(r, n, lambda: r.choice(_MASKS) + r.choice([" ", "", ", "])),
        "spaced": lambda r, n, b: _fill(r, n, lambda: " ".join(word(r, b)) + r.choice([" ", ", ", ". "])),
        "leet": lambda r, n, b: _fill(r, n, lambda: r.choice(_LEET) + " "),
        "mixed-scripts": lambda r, n, b: _fill(r, n, lambda: r.choice(_SCRIPTS) + r.choice(["", " "])),
        "control": lambda r, n, b: _fill(r, n, lambda: r.choice(_CONTROL) + (word(r, b) if r.random() < 0.5 else "")),
        "rtl-marks": lambda r, n, b: _fill(r, n, lambda: r.choice(_INVISIBLE[6:]) + word(r, b) + " "),
        "combining": lambda r, n, b: _fill(r, n, lambda: r.choice("aиe") + "".join(r.choices(_COMBINING, k=r.randint(1, 50)))),
        "zero-width": lambda r, n, b: _fill(r, n, lambda: r.choice(_INVISIBLE).join(word(r, b)) + " "),
        "random-unicode": lambda r, n, b: _fill(r, n, lambda: unicode_char(r)),
        "repeated-sentence": lambda r, n, b: _repeat(r.choice(b.sentences) + " ", n),
        "one-sentence": lambda r, n, b: _fill(r, n, lambda: re.sub(r"[.!?…\n]", "", r.choice(b.sentences)) + " "),
        "shuffled-words": lambda r, n, b: _fill(r, n, lambda: word(r, b) + r.choice([" ", " ", ", ", ". ", "! ", "? "])),
        "numbers": lambda r, n, b: _fill(r, n, lambda: r.choice(["18:00", "10%", "5 000", "12.5", "3,5", "П-76380", "№7"]) + " "),
        "newlines": lambda r, n, b: _fill(r, n, lambda: r.choice(["\n", "\n\n", "- ", "\r\n"]) + r.choice(["", word(r, b)])),
        "html": lambda r, n, b: _fill(
            r, n, lambda: r.choice(["<script>alert(1)</script>", "<b>", "</b>", "&amp;", "<!--"]) + word(r, b)
        ),
        "blank": lambda r, n, b: _fill(r, n, lambda: r.choice([" ", "\t", "\n", "\u00a0", "\u3000"])),
    }


KINDS = _kinds()


def phrase_bank(kit: Kit) -> Bank:
    """Sentences of the shipped scenarios (model replies and customer lines), both languages."""
    out: list[str] = []
    for scenario in sorted(kit.scenarios.values(), key=lambda s: s.id):
        for lang in ("ru", "en"):
            instance = generate(scenario, 1, lang)
            for turn in instance.turns:
                out += [s for s in re.split(r"(?<=[.!?])\s+", f"{turn.model_reply} {turn.customer}") if s]
    return Bank(out, [w for s in out for w in re.findall(r"[^\W\d_]+", s)])


def hostile_reply(rnd: random.Random, bank: Bank, at_cap: bool = False) -> tuple[str, str]:
    """A random hostile reply of a random kind: (kind, text), at most the cap long."""
    kind = rnd.choice(sorted(KINDS))
    n = MAX_REPLY_CHARS if at_cap else min(MAX_REPLY_CHARS, int(10 ** rnd.uniform(0, 3.7)))
    return kind, KINDS[kind](rnd, n, bank)[:MAX_REPLY_CHARS]


class _Collections:
    """Time spent in the garbage collector's collections, summed while it is switched on."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.total = 0.0
        self.longest = 0.0
        self._since = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._since = self.clock()
        else:
            took = self.clock() - self._since
            self.total += took
            self.longest = max(self.longest, took)


def _timed(instances: list[ScenarioInstance], kit: Kit, rnd: random.Random, text: str, gcs: _Collections) -> tuple[float, float]:
    """Seconds to score ``text`` as a reply to a random turn, and of these the seconds spent collecting garbage."""
    instance = rnd.choice(instances)
    turn = rnd.choice(instance.turns).id
    before = gcs.total
    start = gcs.clock()
    score_reply(instance, turn, text, kit=kit)
    return gcs.clock() - start, gcs.total - before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--cpu", action="store_true", help="time with this process's CPU time, not the wall clock")
    args = parser.parse_args()
    kit = load_kit()
    bank = phrase_bank(kit)
    rnd = random.Random(args.seed)
    instances = [generate(s, 1, lang) for s in sorted(kit.scenarios.values(), key=lambda s: s.id) for lang in ("ru", "en")]
    for instance in instances[:2]:
        score_reply(instance, instance.turns[0].id, "Здравствуйте! Hello!", kit=kit)  # load the lexicons and lemmatiser
    gcs = _Collections(time.process_time if args.cpu else time.perf_counter)
    print(f"length cap {MAX_REPLY_CHARS:,} characters; {len(KINDS)} kinds of hostile reply; seed {args.seed}")
    print(
        f"times are {'CPU' if args.cpu else 'wall-clock'}; 'gc' is the part spent in the garbage collector's "
        "collections, which land on whichever reply happens to start one"
    )
    at_cap: dict[str, tuple[float, float]] = {}
    block: list[tuple[float, float, str, int]] = []
    for k in range(1, args.replies + 1):
        kind, text = hostile_reply(rnd, bank, at_cap=rnd.random() < 0.2)
        took, collecting = _timed(instances, kit, rnd, text, gcs)
        block.append((took, collecting, kind, len(text)))
        if len(text) == MAX_REPLY_CHARS:
            at_cap[kind] = max(at_cap.get(kind, (0.0, 0.0)), (took - collecting, took))
        if k % 1000 == 0 or k == args.replies:
            slowest = max(block)
            alone = max(block, key=lambda b: b[0] - b[1])
            median = statistics.median(b[0] for b in block)
            print(
                f"replies {k - len(block) + 1:>6,}-{k:<6,}: median {median * 1000:5.2f} ms; slowest {slowest[0] * 1000:6.1f} ms "
                f"(gc {slowest[1] * 1000:.1f} ms; {slowest[2]}, {slowest[3]:,} characters); slowest without gc "
                f"{(alone[0] - alone[1]) * 1000:5.1f} ms ({alone[2]}, {alone[3]:,} characters)"
            )
            block = []
    # every kind at the cap, a few times each, so none is missed by chance
    for kind in sorted(KINDS):
        for _ in range(3):
            text = KINDS[kind](rnd, MAX_REPLY_CHARS, bank)[:MAX_REPLY_CHARS]
            took, collecting = _timed(instances, kit, rnd, text, gcs)
            at_cap[kind] = max(at_cap.get(kind, (0.0, 0.0)), (took - collecting, took))
    by_kind = ", ".join(f"{kind} {at_cap[kind][0] * 1000:.1f}" for kind in sorted(at_cap))
    print(f"slowest at the cap by kind, ms without gc: {by_kind}")
    worst = max(at_cap, key=lambda kind: at_cap[kind])
    alone, took = at_cap[worst]
    verdict = "within" if alone * 1000 <= BUDGET_MS else "OVER"
    print(
        f"slowest reply at the cap: {alone * 1000:.1f} ms without gc, {took * 1000:.1f} ms in all ({worst}); "
        f"budget {BUDGET_MS:g} ms; {verdict} budget; longest collection {gcs.longest * 1000:.1f} ms"
    )
    refused = gcs.clock()
    try:
        score_reply(instances[0], instances[0].turns[0].id, "a" * 1_000_000, kit=kit)
    except ReplyTooLong:
        refused = gcs.clock() - refused
    print(f"a reply of 1,000,000 characters: refused in {refused * 1000:.2f} ms")


if __name__ == "__main__":
    main()
