"""Hostile replies (issue 12, section 2): no reply stalls the scorer, none over the length cap gets in,
and no attempt of empty or content-free replies passes.

Times are measured as this process's CPU time (``time.process_time``): the machine may be busy
with other work, which stretches wall time but not the work done here. The garbage collector is
paused while a reply is timed: a full collection lands on whichever call happens to start one and
walks the whole test process (hundreds of milliseconds here), which is no cost of the reply's. A reply that could hang
(exponential backtracking) is tried in a child process with a timeout, so a regression fails
instead of stopping the suite.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simkit.content.kit import Kit
from simkit.engine.dialogue import Dialogue, StepClock, play_through
from simkit.engine.generation import ScenarioInstance, generate
from simkit.engine.scoring import MAX_REPLY_CHARS, score_reply
from simkit.errors import ReplyTooLong, SimkitError
from simkit.language.compiled import collector_paused
from simkit.language.detection import Detector, detect

from .conftest import ROOT, CliResult
from .deadline import within

SCENARIO = "discount-demand-sports-food"
SCENARIOS = sorted(p.stem.replace("_", "-") for p in (ROOT / "scenarios").glob("*.yaml"))
BUDGET_AT_CAP = 0.050  # seconds: scoring a reply at the length cap (issue 12, "Done when")
SAMPLES_AT_CAP = 8  # fresh texts of each kind at most: the first under the budget ends the test
WORDS = {
    "ru": ["скидка", "завтра", "извините", "заказ", "курьер", "отдел", "хорошо", "Ирина", "идиот", "спасибо"],
    "en": ["discount", "tomorrow", "sorry", "order", "courier", "team", "fine", "Laura", "idiot", "thanks"],
}


def _cpu(run: Callable[[], object]) -> float:
    with collector_paused():
        start = time.process_time()
        run()
        return time.process_time() - start


def _fill(n: int, piece: Callable[[], str]) -> str:
    out: list[str] = []
    size = 0
    while size < n:
        out.append(piece())
        size += len(out[-1])
    return "".join(out)[:n]


# --- finding 1: cost grows faster than length --------------------------------------------------


def _quoted(rnd: random.Random, lang: str, n: int) -> str:
    words = WORDS[lang]
    marks = ["«{}»", "“{}”", '"{}"', "'{}'"]
    return _fill(n, lambda: rnd.choice(marks).format(f"{rnd.choice(words)}{rnd.randrange(10**6)}") + " ")


def _unclosed(rnd: random.Random, lang: str, n: int) -> str:
    return _fill(n, lambda: rnd.choice('«“"') + rnd.choice(WORDS[lang]) + " ")


def _growth(make: Callable[[random.Random, int], str], lang: str, small: int, large: int) -> tuple[float, float]:
    """Best CPU time of detecting a fresh text of ``small`` and of ``large`` characters."""
    rnd = random.Random(7)
    detect(make(rnd, 200), lang)  # load the lexicon and lemmatiser

    def best(n: int) -> float:
        return min(_cpu(lambda: detect(make(rnd, n), lang)) for _ in range(3))

    return best(small), best(large)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_quoted_words_cost_grows_linearly(lang: str) -> None:
    """100k characters of quoted words took 52 s to detect: each word was looked up in every quotation."""
    small, large = _growth(lambda rnd, n: _quoted(rnd, lang, n), lang, 2_500, 40_000)
    assert large < 16 * 3 * max(small, 0.002), (small, large)  # 16 times the text, well under 256 times the time


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_unclosed_quotation_marks_cost_grows_linearly(lang: str) -> None:
    """An opening mark with no closing one was looked for to the end of the line from every mark."""
    small, large = _growth(lambda rnd, n: _unclosed(rnd, lang, n), lang, 2_500, 40_000)
    assert large < 16 * 3 * max(small, 0.002), (small, large)


@pytest.mark.alone
def test_within_searches_rather_than_copies() -> None:
    """``Detector.within`` copied the rest of a set's hits at every call: quadratic in a long reply."""

    def cost(n: int) -> float:
        hits = {"k": [(i, i + 1) for i in range(n)]}
        return _cpu(lambda: [(Detector.within(hits, "k", i, i + 1), Detector._any_within(hits, "k", i, i + 1)) for i in range(n)])

    small, large = min(cost(4_000) for _ in range(3)), min(cost(64_000) for _ in range(3))
    assert large < 16 * 3 * max(small, 0.001), (small, large)
    assert Detector.within({"k": [(0, 2), (1, 3), (4, 5)]}, "k", 1, 4) == [(1, 3)]


_HANG_CODE = """
import sys, time
from simkit.language.detection import detect
detect("разогрев", "ru"); detect("warm up", "en")
text = sys.argv[1]
start = time.process_time()
for lang in ("ru", "en"):
    detect(text, lang)
print(time.process_time() - start)
"""


@pytest.mark.parametrize(
    "text",
    [
        "a" + "*" * 60 + "_",  # mask marks before an underscore: 2**60 ways to split them
        "ху" + "#*" * 40 + "_ конец",
        ("f" + "*" * 30 + "_ ") * 100,
    ],
    ids=["stars", "marks-inside-a-word", "repeated"],
)
def test_a_masked_word_with_many_marks_is_read_in_bounded_time(text: str) -> None:
    """Runs of '*' or '#' in a word made the masked-word pattern backtrack exponentially (30 marks: minutes)."""
    done = subprocess.run([sys.executable, "-c", _HANG_CODE, text], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 0.5, done.stdout


_LETTERS = {"ru": "абвгдежзиклмнопрстуфхцчшщыэюя", "en": "abcdefghijklmnopqrstuvwxyz"}


def _made_up(rnd: random.Random, lang: str) -> str:
    """A word never seen before: the lemmatiser guesses its forms, the costliest word to read."""
    word = "".join(rnd.choice(_LETTERS[lang]) for _ in range(rnd.randint(2, 9)))
    return word.capitalize() if rnd.random() < 0.3 else word


def _six_digits(rnd: random.Random, lang: str) -> str:
    """A made-up word with six digits of two readings each: 64 guesses at a word, all of them wrong."""
    digit = {"ru": "3", "en": "1"}[lang]
    return "".join(rnd.choice(_LETTERS[lang]) + digit for _ in range(6)) + rnd.choice(_LETTERS[lang])


def _at_cap_kinds() -> dict[str, Callable[[random.Random, str], str]]:
    punctuation = list("!?.,;:—–-()«»“”\"'/…*#@$%&[]{}<>|\\~`^_+=")
    emoji = ["😀", "😡", "🙏", "👍🏽", "👨‍👩‍👧‍👦", "🇷🇺", "❤️", "🤬"]
    insult = {"ru": "Вы идиот! ", "en": "You idiot! "}
    leet = ["6лин", "sh1t", "3з3з3з3з", "h3ll0"]
    offers = {"ru": "могу дать скидку или передать старшему ", "en": "I can give a discount or pass you to a manager "}
    scripts = ["Привет", "hello", "wоrld", "مرحبا", "你好", "שלום", "γειά", "ДА", "NO!!"]

    def word(rnd: random.Random, lang: str) -> str:
        return rnd.choice(WORDS[lang]) + str(rnd.randrange(100))

    return {
        "quoted-words": lambda rnd, lang: _quoted(rnd, lang, MAX_REPLY_CHARS),
        "unclosed-quotes": lambda rnd, lang: _unclosed(rnd, lang, MAX_REPLY_CHARS),
        "one-huge-word": lambda rnd, lang: rnd.choice("аяzЖ") * MAX_REPLY_CHARS,
        # a mark sends the text down the careful path, where each letter of the word was the start
        # of a search for a digit in it (quadratic: 0.4 s)
        "one-huge-word-and-a-mark": lambda rnd, lang: (rnd.choice(WORDS[lang]) * MAX_REPLY_CHARS)[: MAX_REPLY_CHARS - 1] + "*",
        "punctuation-only": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: rnd.choice(punctuation)),
        "emoji": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: rnd.choice(emoji)),
        "repeated-insult": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: insult[lang]),
        "mixed-scripts": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: rnd.choice(scripts) + rnd.choice(["", " "])),
        "masked-words": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: rnd.choice(["f*ck", "х**", "b*llsh1t", "#*#*_"]) + " "),
        "digits-for-letters": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: rnd.choice(leet) + " "),
        "spaced-letters": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: " ".join(rnd.choice(WORDS[lang])) + ", "),
        "zero-width": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: "\u200b".join(word(rnd, lang)) + " "),
        "combining": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: "и" + "\u0301\u0308" * rnd.randint(1, 40)),
        "one-long-sentence": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: word(rnd, lang) + " "),
        "made-up-words": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: _made_up(rnd, lang) + " "),
        "digits-in-made-up-words": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: _six_digits(rnd, lang) + " "),
        "offers-in-one-sentence": lambda rnd, lang: _fill(MAX_REPLY_CHARS, lambda: offers[lang]),
    }


AT_CAP = _at_cap_kinds()


@pytest.mark.alone
@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("kind", sorted(AT_CAP))
def test_a_reply_at_the_length_cap_scores_within_budget(kit: Kit, kind: str, lang: str) -> None:
    instance = generate(kit.scenario(SCENARIO), 1, lang)
    score_reply(instance, "demand", "warm up", kit=kit)
    rnd = random.Random(kind)
    texts = [AT_CAP[kind](rnd, lang) for _ in range(SAMPLES_AT_CAP)]
    assert all(len(t) == MAX_REPLY_CHARS for t in texts)
    # the best of several fresh texts of the kind (no memory keeps a whole text this long, only
    # sentences and words, so the same one may come again): what the code costs, not what a busy
    # neighbour on a shared machine took from it at that moment
    times = []
    for text in texts:
        times.append(_cpu(lambda t=text: score_reply(instance, "demand", t, kit=kit)))
        if times[-1] < BUDGET_AT_CAP:
            break
    assert min(times) < BUDGET_AT_CAP, f"{kind}: " + ", ".join(f"{t * 1000:.1f}" for t in times) + " ms"


# --- the length cap ------------------------------------------------------------------------------


@pytest.mark.alone
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_reply_over_the_cap_is_refused_with_a_message_in_the_reply_language(kit: Kit, lang: str) -> None:
    instance = generate(kit.scenario(SCENARIO), 1, lang)
    at_cap = "а" * MAX_REPLY_CHARS
    assert 0 <= score_reply(instance, "demand", at_cap, kit=kit).score <= 100
    start = time.process_time()
    with pytest.raises(ReplyTooLong) as refused:
        score_reply(instance, "demand", "a" * 1_000_000, kit=kit)
    assert time.process_time() - start < 0.05  # refused before it is read
    assert isinstance(refused.value, SimkitError)
    message = str(refused.value)
    if lang == "en":
        assert "1,000,000" in message and "5,000 characters" in message
    else:  # Russian groups digits with a (no-break) space
        digits = "".join(message.split())
        assert "1000000" in digits and "5000символов" in digits and "characters" not in message
    assert "\n" not in message


def test_a_dialogue_refuses_a_reply_over_the_cap_and_goes_on(kit: Kit) -> None:
    instance = generate(kit.scenario(SCENARIO), 1, "ru")
    clock = StepClock([5, 7])
    dialogue = Dialogue(instance, kit, clock)
    with pytest.raises(ReplyTooLong):
        dialogue.reply("Здравствуйте! " * 1000, None)
    assert dialogue.exchanges == [] and dialogue.turn is not None and dialogue.turn.id == "demand"
    turn = instance.turns[0]
    exchange = dialogue.reply(turn.model_reply, list(turn.model_actions))
    assert exchange.seconds == 5  # the refused reply took nothing from the clock of a replay


def test_a_replies_file_with_an_over_long_reply_gives_one_line_and_no_traceback(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    replies = tmp_path / "replies.yaml"
    replies.write_text(f"- {'Извините. ' * 600}\n", encoding="utf-8")
    code, out, err = cli("play", SCENARIO, "--replies", str(replies))
    assert code == 1 and "Traceback" not in err and out == ""
    *notices, message = err.strip().splitlines()  # after the notice that nothing is stored without --trainee
    assert message.startswith("simkit: ") and "5000символов" in "".join(message.split()) and len(notices) <= 1


def test_interactive_play_refuses_an_over_long_reply_and_asks_again(
    cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = "ok " * 2000 + "\nHello! Let me put you through to the head of the department.\n2\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    code, out, err = cli("play", SCENARIO, "--seed", "3", "--lang", "en")
    assert code == 0 and "Traceback" not in err
    assert "A reply may be at most 5,000 characters long; this one has 6,000." in out
    assert out.count("Scorecard") == 1 and "ok ok ok" not in out  # the refused reply was not played


def test_score_command_refuses_an_over_long_reply_in_one_line(cli: Callable[..., CliResult]) -> None:
    code, out, err = cli("score", SCENARIO, "ok " * 3000, "--lang", "en")
    assert code == 1 and out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "5,000" in err


def test_the_player_refuses_an_over_long_reply_and_keeps_the_attempt_going(kit: Kit, tmp_path: Path) -> None:
    from simkit.apps.player_state import PlayerState
    from simkit.store.database import Store

    url = f"sqlite:///{tmp_path / 'player.db'}"
    state = PlayerState(kit, "Ann", None, "ru", "practice", url)
    state.start(SCENARIO, seed=1)
    state.shown()
    refused = state.send("Извините. " * 600, ["escalate_supervisor"])
    assert not refused.accepted and refused.reason == "too_long"
    assert "5000символов" in "".join(refused.message.split()) and "6000" in "".join(refused.message.split())
    assert state.recorded == 0 and state.dialogue is not None and state.dialogue.exchanges == []
    assert state.send("Здравствуйте! Передаю ваш вопрос руководителю.", ["escalate_supervisor"]).accepted
    with Store(url) as store:
        (stored,) = store.attempts("Ann")
    assert [r["reply"] for r in stored["replies"]] == ["Здравствуйте! Передаю ваш вопрос руководителю."]


# --- finding 2: blank replies passed -------------------------------------------------------------

BLANK = ["", "   \n\t", "...", "?!", "—", "😀🙏", "\u200b\u200f", "ok", "ОК", "ок!", "Ok ok ok", "o k", "Ирина"]


def _with_model_actions(instance: ScenarioInstance, kit: Kit, text: str) -> Dialogue:
    """``text`` as every reply, each with the model answer's actions: the script may well end well."""
    dialogue = Dialogue(instance, kit, StepClock())
    for _ in range(3 * len(instance.turns)):
        turn = dialogue.turn
        if turn is None:
            break
        dialogue.reply(text, list(turn.model_actions))
    return dialogue


def test_three_empty_replies_do_not_pass_the_discount_demand(kit: Kit) -> None:
    """Three empty replies with the right actions ended 'escalated', no critical failure: a passed attempt."""
    for lang in ("ru", "en"):
        instance = generate(kit.scenario(SCENARIO), 1, lang)
        actions = {t.id: list(t.model_actions) for t in instance.turns}
        result = play_through(instance, [("", actions["demand"]), ("", actions["pushback"]), ("", actions["agree"])], kit)
        assert result.outcome == "escalated" and not result.critical_failures  # what the script made of it
        assert not result.passed
        assert all(e.silent for e in result.exchanges)


@pytest.mark.parametrize("text", BLANK, ids=range(len(BLANK)))
def test_no_attempt_of_content_free_replies_passes(kit: Kit, text: str) -> None:
    for scenario_id in SCENARIOS:
        for lang in ("ru", "en"):
            result = _with_model_actions(generate(kit.scenario(scenario_id), 2, lang), kit, text).result()
            assert not result.passed, (scenario_id, lang, result.outcome)


def test_one_content_free_reply_among_good_ones_fails_the_attempt(kit: Kit) -> None:
    instance = generate(kit.scenario(SCENARIO), 1, "en")
    replies = [(t.model_reply, list(t.model_actions)) for t in instance.turns if t.id != "not_escalated"]
    assert play_through(instance, replies, kit).passed  # the model answer passes
    replies[1] = ("ok", replies[1][1])
    result = play_through(instance, replies, kit)
    assert not result.passed and [e.silent for e in result.exchanges] == [False, True, False]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_drill_answered_with_the_right_actions_and_no_words_is_not_passed(kit: Kit, lang: str) -> None:
    """Every drill passed with an empty reply and the expected actions, though it asks what you say."""
    from simkit.apps.drills import verdict_html
    from simkit.engine.drills import DRILL_KINDS, build_drills

    for kind in DRILL_KINDS:
        for drill in build_drills(kit, kind, lang):
            actions = [a.as_text() for a in drill.expected]
            assert drill.judge(drill.model_reply, actions).passed, drill.id
            for text in ("", "ok"):
                verdict = drill.judge(text, actions)
                assert verdict.silent and not verdict.passed, (drill.id, text)
    words = {"ru": "нет ни слова для клиента", "en": "no words for the customer"}[lang]
    assert words in verdict_html(verdict, kit, "", lang)


@pytest.mark.alone
@pytest.mark.parametrize(
    "text",
    ["Sorry.", "Понимаю вас.", "One moment please", "Секунду, уточню по заказу", "Thank you, Sergei!"],
)
def test_a_short_reply_that_says_something_is_not_silent(kit: Kit, text: str) -> None:
    instance = generate(kit.scenario(SCENARIO), 1, "ru" if text[0] in "ПС" else "en")
    dialogue = Dialogue(instance, kit, StepClock())
    assert not dialogue.reply(text, None).silent


# --- property: hostile replies through the scorer and a dialogue --------------------------------

_PIECES = [
    *WORDS["ru"],
    *WORDS["en"],
    "Здравствуйте",
    "Sorry",
    "дам скидку 10%",
    "передам в отдел качества",
    "«",
    "»",
    "“",
    "”",
    '"',
    "'",
    "(",
    ")",
    "[",
    "]",
    "!!",
    "???",
    "...",
    "*",
    "#",
    "_",
    "\u200b",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066",
    "\u0301",
    "\u0308",
    "\ufeff",
    "\x00",
    "\x1b[31m",
    "\r",
    "\n",
    "\t",
    "😀",
    "👨‍👩‍👧‍👦",
    "6лин",
    "sh1t",
    "f*ck",
    "и д и о т",
    "18:00",
    "<script>",
]
_ANY_CHAR = st.characters(blacklist_categories=("Cs",))  # any code point but a lone surrogate
_PIECE = st.one_of(st.sampled_from(_PIECES), st.text(_ANY_CHAR, min_size=1, max_size=8))
HOSTILE = st.one_of(
    st.lists(_PIECE, max_size=60).map("".join),
    st.lists(st.sampled_from(_PIECES), max_size=40).map(" ".join),
    # one piece repeated, and what follows the run ("*" * 60 + "_")
    st.tuples(_PIECE, st.integers(1, 2_000), _PIECE).map(lambda p: (p[0] * p[1])[: MAX_REPLY_CHARS - len(p[2])] + p[2]),
    st.text(_ANY_CHAR, max_size=300),
)
_PROPERTY_BUDGET = 0.25  # CPU seconds a reply may take here (the budget proper is tested at the cap above)


def _instances(kit: Kit) -> dict[str, ScenarioInstance]:
    return {lang: generate(kit.scenario(SCENARIO), 3, lang) for lang in ("ru", "en")}


@pytest.mark.alone
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=HOSTILE, lang=st.sampled_from(["ru", "en"]))
def test_any_hostile_reply_is_detected_and_scored_in_bounded_time(kit: Kit, text: str, lang: str) -> None:
    instance = _instances(kit)[lang]
    with within(10), collector_paused():
        took = time.process_time()
        findings = detect(text, lang, instance.customer.name)
        result = score_reply(instance, "demand", text, kit=kit)
        took = time.process_time() - took
    assert took < _PROPERTY_BUDGET, (len(text), took)
    assert 0 <= result.score <= 100
    for finding in findings:
        assert all(0 <= a < b <= len(text) for a, b in finding.spans)


@pytest.mark.alone
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    replies=st.lists(st.tuples(HOSTILE, st.booleans()), min_size=1, max_size=4),
    lang=st.sampled_from(["ru", "en"]),
)
def test_a_dialogue_of_hostile_replies_ends_or_runs_on_without_error(
    kit: Kit, replies: list[tuple[str, bool]], lang: str
) -> None:
    instance = _instances(kit)[lang]
    dialogue = Dialogue(instance, kit, StepClock())
    took = 0.0
    for text, act in replies:
        if dialogue.finished:
            break
        turn = dialogue.turn
        assert turn is not None
        with within(10), collector_paused():
            start = time.process_time()
            exchange = dialogue.reply(text, list(turn.model_actions) if act else None)
            took += time.process_time() - start
        assert 0 <= exchange.score.score <= 100 and 0 <= exchange.anger_after <= 10
    result = dialogue.result()
    assert took < _PROPERTY_BUDGET * len(replies)
    assert 0 <= result.score <= 100
    if all(e.silent for e in result.exchanges):
        assert not result.passed
