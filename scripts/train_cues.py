"""Fit the learned cues (simkit/language/learned.py) on the kit's labelled replies.

Run from the kit's folder: .venv/bin/python scripts/train_cues.py [--lang ru|en]

For each language and each behaviour in CUE_BEHAVIORS, a logistic regression (scikit-learn) is
fitted on the features ``learned.cue_features`` reads from every labelled reply: the hostile tuning
sets, the behaviour sets, the constructions and tricky cases of the detection tests, the shared dev
set, and the model replies of every scenario and the suggested phrasings of every rule (which show
none of these behaviours), each whole and each of its sentences alone (neither rude nor blaming).
A set's ``judged`` field is honoured: a reply whose labeller did not judge a behaviour is not an
example of it either way. The held-out sets are never read, so their figures stay those of
replies the model has not seen.

The model has no intercept: a reply with no telling words shows nothing (with one, the prior of
sets written to be 70 % hurtful called "Добрый день." rude). Features seen in fewer than two
replies are dropped (one reply's wording is not a cue), and so are weights too small to matter;
what is left is written to simkit/language/lexicons/cues.<lang>.json with the name and SHA-256 of
every file it was fitted on. tests/test_learned.py fails when one of them changed since, so the
weights never silently lag behind their data.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simkit import generate, load_kit  # noqa: E402
from simkit.language.detection import detector  # noqa: E402
from simkit.language.evaluation import read_examples  # noqa: E402
from simkit.language.learned import CUES_DIR, DEEDS, cue_features  # noqa: E402
from simkit.language.tokens import Analysis  # noqa: E402

CUE_BEHAVIORS = ("rude", "dismissive", "blame_customer")
# tests/data files fitted on ({lang} is filled in); the held-out sets (hostile.heldout*) are not
TRAINING_SETS = (
    "tests/data/hostile.{lang}.jsonl",
    "tests/data/hostile.r2.{lang}.jsonl",
    "tests/data/hostile.r3.{lang}.jsonl",
    "tests/data/hostile.r4.{lang}.jsonl",
    "tests/data/hostile.r5.{lang}.jsonl",
    "tests/data/hostile.r6.{lang}.jsonl",
    "tests/data/hostile.r7.{lang}.jsonl",
    "tests/data/hostile.r8.{lang}.jsonl",
    "tests/data/hostile.r9.{lang}.jsonl",
    "tests/data/hostile.r10.{lang}.jsonl",
    "tests/data/hostile.r11.{lang}.jsonl",
    "tests/data/hostile.r12.{lang}.jsonl",
    "tests/data/hostile.r13.{lang}.jsonl",
    "tests/data/hostile.r14.{lang}.jsonl",
    "tests/data/hostile.r15.{lang}.jsonl",
    "tests/data/hostile.r16.{lang}.jsonl",
    "tests/data/hostile.r17.{lang}.jsonl",
    "tests/data/hostile.r18.{lang}.jsonl",
    "tests/data/hostile.r19.{lang}.jsonl",
    "tests/data/hostile.r20.{lang}.jsonl",
    "tests/data/hostile.r21.{lang}.jsonl",
    "tests/data/hostile.r22.{lang}.jsonl",
    "tests/data/hostile.r23.{lang}.jsonl",
    "tests/data/hostile.r24.{lang}.jsonl",
    "tests/data/hostile.r25.{lang}.jsonl",
    "tests/data/hostile.r26.{lang}.jsonl",
    "tests/data/hostile.r27.{lang}.jsonl",
    "tests/data/hostile.r28.{lang}.jsonl",
    "tests/data/hostile.r29.{lang}.jsonl",
    "tests/data/hostile.r30.{lang}.jsonl",
    "tests/data/hostile.r31.{lang}.jsonl",
    "tests/data/hostile.r32.{lang}.jsonl",
    "tests/data/hostile.r33.{lang}.jsonl",
    "tests/data/hostile.r34.{lang}.jsonl",
    "tests/data/hostile.r35.{lang}.jsonl",
    "tests/data/hostile.r36.{lang}.jsonl",
    "tests/data/hostile.r37.{lang}.jsonl",
    "tests/data/hostile.r38.{lang}.jsonl",
    "tests/data/hostile.r39.{lang}.jsonl",
    "tests/data/hostile.r40.{lang}.jsonl",
    "tests/data/behaviors.{lang}.extra.jsonl",
    "tests/data/heldout.{lang}.jsonl",
    "tests/data/constructions.jsonl",
    "tests/data/tricky.jsonl",
    "tests/data/courteous.jsonl",
    "tests/data/ordinary.jsonl",
    "tests/data/offers.jsonl",
    "tests/data/shared-words.{lang}.jsonl",
    "tests/data/owns-fault.{lang}.jsonl",
    "../shared/devset/behaviors.dev.jsonl",
)
# per language, the tuning rounds fitted on after those of TRAINING_SETS, each measured blind
# before it was. Russian: rounds 41-59. Leaving rounds 46-59 out in turn (scripts/cv_cues.py),
# pooled over their 3,360 replies, rude went from .893 / .902 (recall / precision of the detector
# fitted on rounds 1-40, on the same lines) to .899 / .920 and blame from .881 / .914 to .879 / .931
# at the thresholds below. Rounds 60 and 61, written afterwards and never fitted on: rude .871 /
# .897 (.857 / .857 fitted on rounds 1-40), dismissive .929 / .949 (.929 / .929), blame .929 /
# .935 (.929 / .922). Held-out 4, older and written otherwise, lost 3-5 points of recall for 1-2 of
# precision (tests/test_learned.py, HELD_OUT_FLOORS). Fitted on rounds 41-45 alone, Russian had
# moved by less than half a point and read plain lines as hurtful
LATER_ROUNDS: dict[str, tuple[int, ...]] = {"ru": tuple(range(41, 60)), "en": (41, 42, 43, 44, 45)}
# per language, tuning rounds fitted on for some behaviours only, after LATER_ROUNDS. English blame:
# rounds 46-63, each measured blind before. Leaving rounds 46-63 out in turn (scripts/cv_cues.py),
# pooled over their 4,320 replies, blame went from .871 / .904 (the detector not fitted on them) to
# .889 / .922 at its threshold. English rude and dismissive are not fitted on them: fitted on
# rounds 41-57, the cues read the detection tests' plain offers as rude ("Yes, I can read out the
# code for you now." 0.81: "can read", "can count" are sarcasm in the rounds)
BEHAVIOR_ROUNDS: dict[str, dict[int, frozenset[str]]] = {
    "ru": {},
    "en": {n: frozenset({"blame_customer"}) for n in range(46, 64)},
}
# per language, sets of plain answers fitted on after the rounds, each reply weighing as
# ORDINARY_WEIGHT: a few hundred short ordinary answers against thousands of short brush-offs in the
# hostile rounds, where "Yes," opened sarcasm and weighed +1.17 towards rude ("Yes, that's right."
# 0.79). English only: Russian fitted on them lost held-out 4's dismissive recall (.87 -> .76) and
# read as many of short2.ru.jsonl's plain answers as hurtful (docs/learned-cues.md). asked.en.jsonl
# (README-asked.md): polite requests and neutral questions about what the customer did, which the
# detector of 70f2f0e, never fitted on them, read as hurtful 36 times in 240 (28 blame); fitted on
# one half, the other half read 11 and 6 times, against 16 and 14 with blame fitted on the rounds alone.
# short2.<lang>.jsonl is never fitted on: it measures (tests/test_learned.py)
ORDINARY_SETS: dict[str, tuple[str, ...]] = {
    "ru": (),
    "en": ("tests/data/short.en.jsonl", "tests/data/answers.jsonl", "tests/data/ordinary2.jsonl", "tests/data/asked.en.jsonl"),
}
ORDINARY_WEIGHT = 3.0
ROUND_PATTERN = "tests/data/hostile.r{n}.{{lang}}.jsonl"  # a tuning round's entry in TRAINING_SETS
SEEDS = (1, 2, 3)  # instances per scenario whose model replies are examples of none of the behaviours
# per language, the regression's inverse regularisation, and whether each feature is first scaled by
# its naive-Bayes log-count ratio (fit). Leaving rounds 26-35, 37 and 38 out in turn
# (scripts/cv_cues.py), the best mean recall at a mean precision of .90: English gained most with
# the scaling at 0.5 (blame .77 -> .84 over the plain regression at 2, rude .85 -> .87, dismissive
# .93 -> .95; 0.25, 0.75 and 1 gave less). Russian was even with and without it (rude .86, blame
# .83-.84), and scaled, its probabilities read the kit's own courteous lines as hurtful
# ("От вас ничего не требуется…" 0.95 dismissive): it stays plain, at 2
C = {"ru": 2.0, "en": 0.5}
NAIVE_BAYES = {"ru": False, "en": True}
# the largest log-count ratio a feature is scaled by: unbounded, "dramatic" and "horror" alone
# called a sentence rude at 0.91 and 0.86; at 1.5 they score 0.74 and 0.68, and the mean recalls
# above held (1.0 cost blame .04, 2.0 kept them at 0.8)
RATIO_LIMIT = 1.5
# per language, the words that name the addressee as a subject, those that name the speaker, and
# the particles of the conditional mood (learned.cue_features): blame that states what the customer
# did ("вы оставили", "вы не дослушали") shares no word with the next such reply but its grammar.
# Leaving rounds 26-39 out, Russian blame's mean recall at the threshold below went from .854 to
# .857 at the same precision (.904), and its worst round's from .71 to .78. "вам" named the
# addressee as well at first and made "Вам же пришло письмо с кодом?" blame; the speaker's words
# are there so that "Нам надо было предупредить вас заранее." owns the fault (with the addressee's
# words alone it read as blame at 0.90, with the speaker's too at 0.81).
# English reads its past tense off the ending or a list (language.tokens): "You asked for same-day",
# "u booked the 2pm slot" are the blame the English cues missed most. Leaving rounds 26-45 out,
# English blame's mean recall at its threshold went from .831 to .848 at precision .902 -> .908.
# A deed asked about ("Did you get the code?", "А код вы ввели?") counts apart (ADDRESSEE_ASKED):
# the neutral question about what the customer did was the English cues' most common false blame.
# An "if" clause is a condition, not a deed: "Если вы хоть раз получали от нас такое письмо,
# перешлите его нам." read as blame at 0.84 with the deed counted, 0.40 without (the figures left out
# did not move). Only blame is fitted on them: fitted for all three, held-out 4's Russian
# dismissive recall fell from .87 to .84
PERSONS = {
    "ru": (frozenset({"вы"}), frozenset({"мы", "я", "нам", "мне"}), frozenset({"бы", "б", "если"})),
    "en": (
        frozenset({"you", "u", "you've", "you'd", "youve", "ya"}),
        frozenset({"we", "i", "we've", "i've", "we'd", "i'd"}),
        frozenset({"would", "could", "should", "if"}),
    ),
}
# per language, the words of leave-taking, and the pairs, that are no evidence of a brush-off: the
# writers of the hostile rounds ended brush-offs with "Goodbye." (all 54 English replies of rounds
# 1-45 with "goodbye" are dismissive), while a trainee ends a settled call with it. Fitted on,
# "goodbye" weighed +1.07 towards dismissive and "Thanks for calling, goodbye." read as a brush-off
# at 0.72. Dismissive is fitted without any feature holding one of them; whether leaving was a
# brush-off is read from the rest of the reply ("No refunds. Goodbye.")
LEAVE_TAKING = {
    # Russian keeps them: fitted without «до свидания», «всего доброго», rounds 26-40 left out in
    # turn lost dismissive recall (r27 .88 -> .85, r36 .92 -> .90) and mean precision (.90 -> .89),
    # while «Всего доброго, до свидания!» reads 0.80 with them, below the threshold of 0.82
    "ru": (frozenset(), frozenset()),
    "en": (
        frozenset({"goodbye", "bye", "farewell", "cheerio"}),
        frozenset({"take care", "good one", "good day", "nice day", "good evening", "good weekend"}),
    ),
}
LEAVE_TAKING_FOR = {"dismissive"}
PERSONS_READ_FOR = {"blame_customer"}
# per language, the probability above which each behaviour is added: the lowest at which the whole
# detector's mean precision over the rounds left out (scripts/cv_cues.py --sweep) is .90, raised
# where the kit's own courteous and ordinary lines (tests/test_learned.py) and plain short answers
# never fitted on (short2.<lang>.jsonl) would read as hurtful. English, fitted on rounds 1-45 and the
# plain answers, rounds 26-45 left out: the sweep gives 0.64 / 0.59 / 0.78 (rude / dismissive /
# blame); rude and dismissive are raised to 0.70, where short2.en.jsonl reads 11 of its 140 plain
# answers as hurtful as at 0.75 (13 at 0.68 / 0.65 without the plain answers fitted on), and mean
# recall / precision are .90 / .91 (rude), .92 / .92 (dismissive), .83 / .90 (blame). They were
# 0.82 / 0.81 / 0.76, fitted on rounds 1-40, where the rounds 41-45 measured blind afterwards found
# .77-.92 of rude and .72-.88 of dismissive: precision .91-.98 had room to give. Five ordinary
# lines of the detection tests read as hurtful at these thresholds (tests/test_detect.py,
# CUES_FALSE_ALARMS). Russian, fitted on rounds 1-59, rounds 46-59 left out and pooled: the sweep
# gives 0.79 / 0.63 / 0.77; rude is raised to 0.86 (.899 / .920 against .920 / .901), where the
# precision lost since round 49 comes back; dismissive to 0.87, where "Всего доброго, до свидания!"
# (0.86) reads as nothing hurtful (.933 / .919); blame to 0.87, where the speaker's own fault «Нам
# надо было предупредить вас заранее.» (0.86) is no blame (.879 / .931). Fitted on rounds 1-40,
# they were 0.83 / 0.82 / 0.83.
THRESHOLDS = {
    "ru": {"rude": 0.86, "dismissive": 0.87, "blame_customer": 0.87},
    "en": {"rude": 0.70, "dismissive": 0.70, "blame_customer": 0.78},
}
MIN_WEIGHT = 0.01
# per behaviour, the share of how far a reply's most telling sentence scores above the whole that
# is added to its score (learned.Cues.scores): blame sits in one sentence of a courteous letter
# more often than rudeness does. Chosen with scripts/cv_cues.py among 0, 0.3, 0.5 and 0.7 (rounds
# 10-19 left out in turn): blame gained most at 0.7, rude at 0.5; dismissive lost precision
# (its lexicon's own is already below .90 on some rounds) for no recall at a given precision
SENTENCE_WEIGHT = {"rude": 0.5, "dismissive": 0.0, "blame_customer": 0.7}
# per behaviour, the probability at or below which the model overrules a finding of the lexicon's
# patterns (not a swear word or a face), in the reply and in each sentence the patterns found it in.
# Leaving rounds 10-28 out in turn (scripts/cv_cues.py), 0.05 raised mean precision by a point for
# ru dismissive, en rude and en dismissive, and no recall was lost (docs/learned-cues.md). Leaving
# rounds 26-38 out, 0.10 in Russian and 0.15 in English (whose scaled fit is less sure either way)
# raised it by another 0.2-0.7 points, again with no recall lost. Russian dismissive is 0.05: with
# rounds 36 and 39 fitted on, the model held "Вы указали не тот номер заказа, поэтому заказ и
# задержался." dismissive at 0.086, and with rounds 41-59 at 0.06, and overruled the vocabulary's
# own reading of a reproach that offers nothing (behaviors.md); at 0.05 rounds 46-59 left out lose
# three replies of precision against 0.08 (.914 against .916 at 0.82).
# Russian rude stays at 0.10: at 0.30 the rounds gained half a point of precision, but the model
# overruled snide questions the lexicon names («Вам самой не надоело?», 0.24), whose words are
# all ordinary. Russian blame stays too: at 0.40 the rounds gained a point of precision, and
# held-out 3 and 4 lost two replies of blame recall.
# English rude is 0.35: leaving rounds 26-40 out, 0.40 raised mean precision from .923 to .935 at
# the threshold then for .003 of recall ("Our policy doesn't cover this, end of story." is a
# brush-off, not an insult); fitted on the plain answers too, the model held the vocabulary's "If
# you're that unhappy, then switch provider." rude at 0.377, and 0.35 keeps it (rounds 26-45:
# .896 / .913 against .896 / .917 at 0.40, .900 / .907 at 0.15). English dismissive is 0.14: at
# 0.18 and above, the model overruled "If you're that unhappy, then switch provider." (0.179), and
# at 0.40 "Stop calling this number."; fitted on the past tense as well, it holds that reply at
# 0.148. English rude is 0.33 since English blame was fitted on rounds 46-63 and asked.en.jsonl:
# the model holds that reply rude at 0.34 (rounds 46-63 left out: .923 / .930 against .923 / .931
# at 0.35)
VETOES = {
    "ru": {"rude": 0.10, "dismissive": 0.05, "blame_customer": 0.10},
    "en": {"rude": 0.33, "dismissive": 0.14, "blame_customer": 0.15},
}
MIN_COUNT = 2  # replies a feature must occur in: one reply's wording is not a cue


def sets_of(lang: str) -> tuple[str, ...]:
    """The files ``lang`` is fitted on, in order ({lang} is filled in by the reader)."""
    later = tuple(ROUND_PATTERN.format(n=n) for n in (*LATER_ROUNDS[lang], *BEHAVIOR_ROUNDS[lang]))
    return TRAINING_SETS + later + ORDINARY_SETS[lang]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def model_replies(lang: str) -> list[str]:
    """Every scenario's model replies in ``lang``, for a few instances, and every rule's suggested
    phrasing (what feedback shows a trainee must never read as hurtful itself)."""
    kit = load_kit(ROOT)
    texts = {getattr(rule.suggestion, lang) for rule in kit.rules.values() if rule.suggestion is not None}
    for scenario in kit.scenarios.values():
        if lang not in scenario.languages:
            continue
        for seed in SEEDS:
            for turn in generate(scenario, seed, lang).turns:
                if turn.model_reply:
                    texts.add(turn.model_reply)
    return sorted(texts)


def stop_words(lang: str) -> frozenset[str]:
    """The words that count only in pairs: the lexicon's function words and their lemmas."""
    words = detector(lang).function_words
    return words | {lemma for w in words for lemma in detector(lang).read(w)[1].tokens[0].lemmas}


def negation_of(lang: str) -> tuple[frozenset[str], int]:
    """The lexicon's negators and how far they reach."""
    lexicon = detector(lang).lexicon
    return frozenset(lexicon.negators), lexicon.negation_window


def sentences(replies: list[str]) -> list[str]:
    """The sentences of ``replies`` of two words or more, each once."""
    return sorted({s.strip() for text in replies for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 2} - set(replies))


def model_replies_hash(lang: str) -> str:
    return hashlib.sha256("\n".join(model_replies(lang)).encode()).hexdigest()


# one labelled reply as read: its analysis, its labels, the behaviours judged (None: all), and
# the training set it came from (a TRAINING_SETS pattern, or "" for the kit's own phrasing)
Reading = tuple[Analysis, frozenset[str], "frozenset[str] | None", str]
Row = tuple[list[str], frozenset[str], "frozenset[str] | None", str]


def readings(lang: str) -> tuple[list[Reading], list[dict[str, str]]]:
    """Every labelled reply of ``lang`` read by the detector, and the files they came from."""
    det = detector(lang)
    out: list[Reading] = []
    sources = []
    for pattern in sets_of(lang):
        path = (ROOT / pattern.format(lang=lang)).resolve()
        sources.append({"file": pattern.format(lang=lang), "sha256": sha256(path)})
        for e in read_examples(path):
            if e.lang == lang:
                out.append((det.read(e.text)[1], e.gold, e.judged, pattern))
    replies = model_replies(lang)
    for text in replies:
        out.append((det.read(text)[1], frozenset(), None, ""))
    # each sentence of a model reply, alone, is a short reply that is neither rude nor blaming
    # (alone it may well be dismissive); without them "Which option suits you?" read as rude
    for text in sentences(replies):
        out.append((det.read(text)[1], frozenset(), frozenset({"rude", "blame_customer"}), ""))
    sources.append({"file": "scenarios/ and rulebook/ (model replies, suggestions)", "sha256": model_replies_hash(lang)})
    return out, sources


def rows_of(lang: str, read: list[Reading]) -> list[Row]:
    """(features, labels, judged, source) per reply, as ``learned.cue_features`` reads them."""
    stop = stop_words(lang)
    negation = negation_of(lang)
    return [(list(cue_features(a, stop, negation, PERSONS[lang])), gold, judged, source) for a, gold, judged, source in read]


def leave_taking(feature: str, lang: str) -> bool:
    """Whether a feature holds a word or is a pair of leave-taking (LEAVE_TAKING)."""
    words, pairs = LEAVE_TAKING[lang]
    return feature in pairs or any(w.removeprefix("¬").partition("|")[0] in words for w in feature.split(" "))


def log_count_ratios(x: Any, y: Any) -> Any:
    """Per feature, how much more often it occurs in replies that show the behaviour than in those
    that do not, as a log ratio of their smoothed shares (naive Bayes' weight of the feature)."""
    import numpy as np

    shown = np.asarray(x[y].sum(0)).ravel() + 1.0
    not_shown = np.asarray(x[~y].sum(0)).ravel() + 1.0
    # bounded, or a word seen only in a few hurtful replies ("dramatic", "horror") is scaled so far
    # that the regression cannot shrink it, and it alone calls "The horror film starts at nine." rude
    return np.clip(np.log((shown / shown.sum()) / (not_shown / not_shown.sum())), -RATIO_LIMIT, RATIO_LIMIT)


def fit(rows: list[Row], lang: str, verbose: bool = False) -> tuple[list[float], dict[str, list[float]]]:
    """The bias and the weights of each feature, one number per behaviour of CUE_BEHAVIORS."""
    import numpy as np
    from scipy.sparse import diags  # type: ignore[import-untyped]
    from sklearn.feature_extraction import DictVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    seen = Counter(f for features, _, _, _ in rows for f in set(features))
    bias = []
    weights: dict[str, list[float]] = {}
    for k, behavior in enumerate(CUE_BEHAVIORS):
        # the rounds fitted on for other behaviours only (BEHAVIOR_ROUNDS)
        others = {ROUND_PATTERN.format(n=n) for n, names in BEHAVIOR_ROUNDS[lang].items() if behavior not in names}
        judged_rows = [row for row in rows if (row[2] is None or behavior in row[2]) and row[3] not in others]
        used = [(features, behavior in gold) for features, gold, _, _ in judged_rows]
        weight = np.array([ORDINARY_WEIGHT if source in ORDINARY_SETS[lang] else 1.0 for *_, source in judged_rows])
        if behavior not in PERSONS_READ_FOR:
            used = [([f for f in features if f not in DEEDS], label) for features, label in used]
        if behavior in LEAVE_TAKING_FOR:
            used = [([f for f in features if not leave_taking(f, lang)], label) for features, label in used]
        vectors = DictVectorizer()
        x = vectors.fit_transform([{f: 1 for f in features if seen[f] >= MIN_COUNT} for features, _ in used])
        y = np.array([label for _, label in used])
        # the regression is fitted on features scaled by their naive-Bayes ratios, so a word seen
        # in few replies keeps the weight its counts give it instead of being shrunk to nothing;
        # the weight a reply is scored with is the fitted one times the scale, of the same form
        ratios = log_count_ratios(x, y) if NAIVE_BAYES[lang] else np.ones(x.shape[1])
        fitted = LogisticRegression(C=C[lang], max_iter=5000, class_weight="balanced", fit_intercept=False)
        fitted.fit(x @ diags(ratios), y, sample_weight=weight)
        bias.append(0.0)
        for feature, w in zip(vectors.get_feature_names_out(), fitted.coef_[0] * ratios, strict=True):
            if abs(w) >= MIN_WEIGHT:
                weights.setdefault(str(feature), [0.0] * len(CUE_BEHAVIORS))[k] = round(float(w), 4)
        if verbose:
            kept = sum(1 for w in weights.values() if w[k])
            print(f"{lang} {behavior}: {int(y.sum())} of {len(y)} replies show it; {kept} weights")
    return bias, weights


def model_of(lang: str, bias: list[float], weights: dict[str, list[float]]) -> dict[str, object]:
    """What a cues file holds (less ``trained_on``), as ``learned.read_cues`` reads it."""
    return {
        "lang": lang,
        "behaviors": list(CUE_BEHAVIORS),
        "bias": bias,
        "thresholds": [THRESHOLDS[lang][b] for b in CUE_BEHAVIORS],
        "sentence_weight": [SENTENCE_WEIGHT[b] for b in CUE_BEHAVIORS],
        "vetoes": [VETOES[lang][b] for b in CUE_BEHAVIORS],
        "stop_words": sorted(stop_words(lang)),
        "negators": sorted(negation_of(lang)[0]),
        "negation_window": negation_of(lang)[1],
        "addressee": sorted(PERSONS[lang][0]),
        "speaker": sorted(PERSONS[lang][1]),
        "conditional": sorted(PERSONS[lang][2]),
        "weights": dict(sorted(weights.items())),
    }


def train(lang: str) -> dict[str, object]:
    read, sources = readings(lang)
    bias, weights = fit(rows_of(lang, read), lang, verbose=True)
    model = model_of(lang, bias, weights)
    # the files fitted on come before the weights, so that a diff of the weights reads apart
    return {**{k: v for k, v in model.items() if k != "weights"}, "trained_on": sources, "weights": model["weights"]}


def as_text(model: dict[str, object]) -> str:
    """JSON with one weight per line, so a change of the weights reads as a diff."""
    weights = model.pop("weights")
    assert isinstance(weights, dict)
    head = json.dumps(model, ensure_ascii=False, indent=1)[:-2]
    lines = ",\n".join(f"  {json.dumps(f, ensure_ascii=False)}: {json.dumps(w)}" for f, w in weights.items())
    return f'{head},\n "weights": {{\n{lines}\n }}\n}}\n'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("ru", "en"), action="append")
    args = parser.parse_args()
    for lang in args.lang or ("ru", "en"):
        out = CUES_DIR / f"cues.{lang}.json"
        out.write_text(as_text(train(lang)), encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
