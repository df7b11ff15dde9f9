"""Learned cues: a linear model over a reply's words that catches hurtful replies the lexicon misses.

The lexicon's patterns catch the hurtful phrasings they were written for and little else: on
labelled replies written by someone who never saw them, they found about half of the rude,
dismissive and blaming ones (docs/profanity.md). A reply that hurts a customer mostly does so in
its words, whatever their order: "ваша", "проблема", "сами", "надо было", "whatever", "you lot". So
every reply is also read by a logistic model over its lemmas and the lemma pairs inside one
clause, trained on all the kit's labelled sets (``scripts/train_cues.py``); a behaviour the
lexicon did not find is added when the model is sure enough of it, and what the lexicon's
patterns found is dropped when the model holds it all but impossible (a probability of .05 or
less) in the reply and in the sentence it was found in: a brush-off phrase in a reply that owns the
fault and helps. A swear word or a face of contempt stays rude whatever the model says, and every
other behaviour is the lexicon's alone.

A learned finding points at the sentence that weighs most towards it, so a trainer sees which
words made the call. Quoted words are left out, as the lexicon leaves them out: repeating the
customer's insult in quotation marks is not an insult.

The weights live in ``lexicons/cues.<lang>.json``, next to the lexicons they complement; the
file names the labelled sets it was trained on with their hashes, and a test fails when a set
changes and the weights were not trained again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import add, itemgetter
from pathlib import Path
from typing import Any

from .compiled import cached, source_of
from .tokens import UNMARKED, Analysis, Sentence, Token

__all__ = ["CUES_DIR", "DEEDS", "Cues", "CuesError", "cue_features", "cues", "cues_of", "read_cues"]

CUES_DIR = Path(__file__).with_name("lexicons")


Negation = tuple[frozenset[str], int] | None  # the negators, and how many words after one they reach
# a word as the model sees it: its lemma, its own weights (None: none, or a stop word),
# the weighted pairs it begins (by their second word), its weights after a negator, whether it is a
# negator, and its weights as a past-tense verb
_Weights = tuple[float, ...]
_QUOTED = itemgetter(9)  # Token.quoted, read without a Python call
_Pairs = dict[str, _Weights]
_Word = tuple[str, "_Weights | None", "_Pairs | None", "_Weights | None", bool, "_Weights | None", int]
# the words that name the addressee, the speaker, and the particles of the conditional mood
# (ADDRESSEE_PAST, SPEAKER_PAST)
Persons = tuple[frozenset[str], frozenset[str], frozenset[str]] | None
# what one sentence brings: its features' weights by id, and their sum per behaviour
_Sentence = tuple[dict[int, _Weights], _Weights]
# per language, a word's lower-case form -> the one lemma it is counted by. Kept by the form, not by
# its set of lemmas: the choice leaves the form itself out, so "код" and "кода" (both {код, кода})
# choose differently, and kept by the lemmas the first one read chose for both, which made a
# reply's score depend on the replies read before it. Kept by language as well: "claims" in a
# Russian reply (no Russian lemma but itself) made the English "claims" count as "claims", not
# "claim", once a Russian reply had been read in the same process
_CHOSEN: dict[str, dict[str, str]] = {}
# words kept (by _CHOSEN and each model's memory of words) before the memory is emptied: a long
# session meets new words without end, made-up ones included
_WORDS_KEPT = 200_000
# what each sentence's features weigh is kept by the sentence's text (bounded as the matcher's)
_SENTENCES_KEPT = 20_000
_SENTENCE_KEPT_CHARS = 400
# a reply the model holds a behaviour this unlikely in overrules a pattern's finding of it unless
# the sentence it was found in reads as more likely than not to show it alone (Cues.judge)
_ALL_BUT_IMPOSSIBLE = 0.01


def _lemma(token: Token, known: dict[str, str]) -> str:
    """One lemma per word, the same one every time: of its dictionary forms other than the word
    itself, the shortest, then the first in order (the word itself when it has no other).
    ``known``: the choices made before in the word's language (_CHOSEN)."""
    chosen = known.get(token.lower)
    if chosen is None:
        lemmas = token.lemmas
        spelled_out = UNMARKED.get(token.lower)
        if spelled_out is not None:
            # chat's "dont" and "ur" are read as "don't" and "your" too, for the patterns
            # (language.tokens); the cues were fitted on the word as written
            lemmas = lemmas - spelled_out
        others = lemmas - {token.lower} or lemmas
        chosen = min(others, key=lambda lemma: (len(lemma), lemma))
        if len(known) >= _WORDS_KEPT:
            known.clear()
        known[token.lower] = chosen
    return chosen


_PAST = "|past"
# a clause where the customer is the subject of a past-tense verb, whatever the verb: "вы оставили",
# "вы не дослушали". What blame states as a plain fact the customer did or failed to do; its
# verbs are too many for each to earn a weight of its own. Not in a clause with a word of the
# conditional mood, whose verb only looks past: "Не хотели бы вы перейти…" asks
ADDRESSEE_PAST = "@addressee|past"
# the same clause in a question: "did you get the code?" asks what "you didn't enter the code" states
ADDRESSEE_ASKED = "@addressee|past?"
# the same with the speaker as the subject: "мы не предупредили", "нам надо было" own the fault
SPEAKER_PAST = "@speaker|past"
# every feature a clause counts by its person as (_deed)
DEEDS = (ADDRESSEE_PAST, ADDRESSEE_ASKED, SPEAKER_PAST)
# per clause: whether a word names the addressee, the speaker, whether a verb is past, whether the
# mood is conditional
_ADDRESSED, _SPEAKING, _IN_PAST, _CONDITIONAL, _ASKED = 1, 2, 4, 8, 16


def _deed(state: int) -> str | None:
    """The person feature of a clause that holds ``state`` (_ADDRESSED...), if any: the speaker
    wins when both are named ("мы вам отправили" is the speaker's deed)."""
    if state & (_IN_PAST | _CONDITIONAL) != _IN_PAST:
        return None
    if state & _SPEAKING:
        return SPEAKER_PAST
    if not state & _ADDRESSED:
        return None
    return ADDRESSEE_ASKED if state & _ASKED else ADDRESSEE_PAST


def _past(grams: tuple[frozenset[str], ...]) -> bool:
    """Whether every reading of a word is a past-tense verb (pymorphy3's grammemes), a particle
    aside: "было" is a particle too ("чуть было не"), and "нам надо было предупредить" is the
    speaker's deed, which read as blame at 0.90 when "было" was not counted past."""
    return any("past" in g for g in grams) and all("past" in g or "PRCL" in g for g in grams)


def cue_features(
    a: Analysis,
    stop_words: frozenset[str] = frozenset(),
    negation: Negation = None,
    persons: Persons = None,
) -> dict[str, int]:
    """The features of a reply, each with the index of the first token it stands at.

    Training and detection both read replies through this one function, so the model sees at
    detection exactly what it was trained on. A feature counts once however often it occurs.

    - every word's lemma, except ``stop_words`` (pronouns, articles, particles) and one-letter
      words: alone, "a" and "you" took weights from which sets happened to use them more, and
      made "I will give you a 10 % discount" rude;
    - every pair of neighbouring words in one clause, stop words included ("your fault", "вы сами");
    - ``negation`` (negators, window): a word that follows a negator closely in its clause counts
      once more as "¬lemma", so "isn't stupid" is told from "stupid";
    - a verb that can only be read in the past tense counts once more as "lemma|past": a lemma
      loses the tense, and "стоило" (you should have) blames where "стоит" (it may be worth)
      suggests;
    - ``persons`` (the words naming the addressee, the speaker, the conditional mood): a clause
      with a past-tense verb and the addressee as its subject counts once as ADDRESSEE_PAST (in a
      question, ADDRESSEE_ASKED), with the speaker as SPEAKER_PAST (the reply's first such clause
      stands for it).

    Quoted words are the customer's, not the agent's; numbers, times and signs tell nothing of a
    tone ("10 %" made discount offers rude): both are left out and break pairs.
    """
    features: dict[str, int] = {}
    negators, window = negation if negation is not None else (frozenset(), 0)
    previous = ""  # the last word counted, while in the same clause
    clause = -1
    negated_until = -1  # tokens up to this index follow a negator
    chosen = _CHOSEN.setdefault(a.lang, {})
    person_words = _person_flags(persons)
    flagged, state, at = -1, 0, 0  # the clause, what it holds so far (_ADDRESSED...), where it began
    for i, token in enumerate(a.tokens):
        if token.quoted or token.kind != "word":
            previous = ""
            continue
        lemma = chosen.get(token.lower) or _lemma(token, chosen)
        if lemma not in features and lemma not in stop_words and len(token.lower) > 1:
            features[lemma] = i
        if token.clause != flagged:
            _count_deed(features, state, at)
            flagged, state, at = token.clause, _ASKED if a.sentences[token.sentence].question else 0, i
        state |= person_words.get(token.lower, 0)
        if token.grams and _past(token.grams):
            state |= _IN_PAST
            past = lemma + _PAST
            if past not in features:
                features[past] = i
        if previous and clause == token.clause:
            pair = previous + " " + lemma
            if pair not in features:
                features[pair] = i - 1
            if i <= negated_until:
                negated = "¬" + lemma
                if negated not in features:
                    features[negated] = i
        elif i <= negated_until:
            negated_until = -1  # a new clause: the negation is over
        if token.lower in negators:
            negated_until = i + window
        previous, clause = lemma, token.clause
    _count_deed(features, state, at)
    return features


def _count_deed(features: dict[str, int], state: int, at: int) -> None:
    """Count the person feature of a clause that ended holding ``state``, begun at token ``at``."""
    deed = _deed(state)
    if deed is not None:
        features.setdefault(deed, at)


def _person_flags(persons: Persons) -> dict[str, int]:
    """Each word that names a person or the conditional mood, with its flag (_ADDRESSED...)."""
    if persons is None:
        return {}
    addressee, speaker, conditional = persons
    return {**{w: _CONDITIONAL for w in conditional}, **{w: _ADDRESSED for w in addressee}, **{w: _SPEAKING for w in speaker}}


@dataclass(frozen=True)
class Cues:
    """A trained model for some behaviours of one language."""

    lang: str
    behaviors: tuple[str, ...]
    bias: tuple[float, ...]
    # per behaviour, the probability above which a reply shows it
    thresholds: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    stop_words: frozenset[str] = frozenset()
    negation: Negation = None
    # the words that name the customer, the speaker, and the conditional mood (ADDRESSEE_PAST...)
    persons: Persons = None
    # per behaviour, the share of how far a reply's most telling sentence scores above the whole
    # that is added to the reply's score (Cues.score); none for a model fitted without it
    sentence_weight: tuple[float, ...] = ()
    # per behaviour, the probability at or below which the model overrules a finding of the
    # lexicon's patterns (Cues.judge); none for a model fitted without it
    vetoes: tuple[float, ...] = ()
    # the model's own memory of what it has read: what each distinct word brings, the pairs by
    # their first word, what each sentence brings; it lives and dies with the model
    _word_memory: dict[str, _Word] = field(default_factory=dict, init=False, compare=False, repr=False)
    _pair_memory: dict[str, _Pairs] = field(default_factory=dict, init=False, compare=False, repr=False)
    _sentence_memory: dict[str, _Sentence] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def forget_sentences(self) -> None:
        """Empty the memory of sentences read (what words bring is kept): for measuring replies
        the model has not met."""
        self._sentence_memory.clear()

    def judge(
        self, a: Analysis, found: set[str], patterned: dict[str, set[int]] | None = None
    ) -> tuple[list[tuple[str, tuple[int, int]]], list[str]]:
        """The behaviours this model is sure of and the lexicon did not find, each with the token
        range of the sentence that weighs most towards it; and those of ``patterned`` (found by the
        lexicon's patterns alone, with the sentences they were found in) that it holds all but
        impossible (``vetoes``) in the reply and in each of those sentences read alone.

        A pattern reads a few words; the model has read the whole reply. "You're right to be
        cross, we're running late and nobody told you. That's on us." matches a brush-off phrase,
        and the model gives it next to no chance of being one. Its sentence is read alone as well:
        "Это не моя проблема." at the end of a courteous letter is a brush-off however kind the
        rest."""
        patterned = patterned or {}
        wanted = [k for k, name in enumerate(self.behaviors) if name not in found]
        vetoable = [k for k, name in enumerate(self.behaviors) if name in patterned] if self.vetoes else []
        if not (wanted or vetoable) or _words_counted(a.tokens) < 2:
            # one word alone is no evidence of a tone: "Sure." is fine, "Sure, whatever." may not be
            return [], []
        probabilities = list(map(_probability, self.scores(a)))
        added = []
        for k in wanted:
            if probabilities[k] > self.thresholds[k]:
                added.append((self.behaviors[k], self._strongest_sentence(a, k)))
        overruled = []
        for k in vetoable:
            name = self.behaviors[k]
            # the sentence read alone must be all but impossible too; when the reply as a whole
            # is (_ALL_BUT_IMPOSSIBLE), it is enough that the sentence is no more likely than not
            sentence_bar = 0.5 if probabilities[k] <= _ALL_BUT_IMPOSSIBLE else self.vetoes[k]
            if probabilities[k] <= self.vetoes[k] and all(
                self._alone(a, s, k) <= sentence_bar for s in patterned[name]
            ):
                overruled.append(name)
        return added, overruled

    def _alone(self, a: Analysis, s: int, k: int) -> float:
        """The probability of behaviour ``k`` in sentence ``s`` of the reply, read alone."""
        sentence = a.sentences[s]
        if sentence.first >= sentence.last:
            return 0.0
        return _probability(self.bias[k] + self._brought(a.tokens, a.text, sentence)[1][k])

    def leans(self, a: Analysis, name: str) -> bool:
        """Whether the model holds the reply more likely than not to show ``name`` (a probability
        above one half: below ``thresholds``, at which it adds a finding of its own)."""
        return name in self.behaviors and self.scores(a)[self.behaviors.index(name)] > 0.0

    def scores(self, a: Analysis) -> list[float]:
        """Each behaviour's score for the reply, from its total and its most telling sentence's.

        A long reply's courteous sentences outweigh the one that blames ("Thank you for your
        letter ... you should have read the terms ... we will gladly help"): the reply scores
        higher by a share (``sentence_weight``) of how far its most telling sentence alone scores
        above the whole. Never lower: a tone spread over the sentences is read from the whole."""
        total, best = self._read(a)
        return [t + share * (b - t) if b > t else t for t, b, share in zip(total, best, self.sentence_weight, strict=True)]

    def totals(self, a: Analysis) -> list[float]:
        """Each behaviour's score for the reply: what ``cue_features`` gives, weighed."""
        return self._read(a)[0]

    def _read(self, a: Analysis) -> tuple[list[float], list[float]]:
        """Each behaviour's total for the reply, and its highest total of one sentence alone.

        What ``cue_features`` gives, weighed, but found without spelling the features out, since
        every reply pays for it: what a word brings (its weights, the pairs it begins) is looked up
        once per distinct word, and what a sentence brings once per sentence text (replies repeat
        "Thank you for waiting." as they do for the pattern matcher, language.matcher), unless it
        holds a quotation."""
        tokens, text = a.tokens, a.text
        # each feature's weights are one tuple object: keyed by its id, a feature counts once
        found: dict[int, tuple[float, ...]] = {}
        counted = 0  # features met, once per sentence
        best: _Weights | None = None  # the highest sum of one sentence, per behaviour
        summed: _Weights = ()  # the sentences' sums added up
        for sentence in a.sentences:
            if sentence.first >= sentence.last:
                continue
            weights, own = self._brought(tokens, text, sentence)
            found.update(weights)
            counted += len(weights)
            if best is None:
                best = summed = own
            else:
                best = tuple(map(max, best, own))
                summed = tuple(map(add, summed, own))
        bias = self.bias
        if best is None:
            return list(bias), list(bias)
        if counted != len(found):  # a feature in two sentences counts once
            summed = tuple(map(sum, zip(*found.values(), strict=True)))
        return list(map(add, bias, summed)), list(map(add, bias, best))

    def _brought(self, tokens: tuple[Token, ...], text: str, sentence: Sentence) -> _Sentence:
        """What ``sentence`` brings, from memory when its text was read before (not when it holds
        a quotation: what is quoted counts for nothing)."""
        first, last, question = sentence
        if any(map(_QUOTED, tokens[first:last])):
            return self._sentence(tokens, sentence)
        known = self._sentence_memory
        # the question mark is no token: the same words asked and stated are two sentences
        key = text[tokens[first].start : tokens[last - 1].end] + ("?" if question else "")
        kept = known.get(key)
        if kept is None:
            kept = self._sentence(tokens, sentence)
            if len(key) <= _SENTENCE_KEPT_CHARS:
                if len(known) >= _SENTENCES_KEPT:
                    known.clear()
                known[key] = kept
        return kept

    def _sentence(self, tokens: tuple[Token, ...], sentence: Sentence) -> _Sentence:
        """The weights of the features of one sentence (a clause never spans two), by id, and
        their sum per behaviour."""
        first, last, question = sentence
        window = self.negation[1] if self.negation is not None else 0
        found = _features(tokens, first, last, self._words(), self._word, window, self._deed_weights, question)
        own = tuple(map(sum, zip(*found.values(), strict=True))) if found else self._zeros
        return found, own

    @property
    def _zeros(self) -> _Weights:
        return (0.0,) * len(self.behaviors)

    def _words(self) -> dict[str, _Word]:
        return self._word_memory

    def _word(self, token: Token) -> _Word:
        lemma = _lemma(token, _CHOSEN.setdefault(self.lang, {}))
        alone = None if lemma in self.stop_words or len(token.lower) <= 1 else self.weights.get(lemma)
        negator = self.negation is not None and token.lower in self.negation[0]
        is_past = bool(token.grams) and _past(token.grams)
        past = self.weights.get(lemma + _PAST) if is_past else None
        holds = self._person_flags.get(token.lower, 0) | (_IN_PAST if is_past else 0)
        return lemma, alone, self._pairs().get(lemma), self.weights.get("¬" + lemma), negator, past, holds

    @cached_property
    def _deed_weights(self) -> dict[str, _Weights]:
        return {f: self.weights[f] for f in DEEDS if f in self.weights}

    @cached_property
    def _person_flags(self) -> dict[str, int]:
        return _person_flags(self.persons)

    def _pairs(self) -> dict[str, _Pairs]:
        pairs = self._pair_memory
        if not pairs:
            for feature, w in self.weights.items():
                first, _, second = feature.partition(" ")
                if second:
                    pairs.setdefault(first, {})[second] = w
        return pairs

    def _strongest_sentence(self, a: Analysis, k: int) -> tuple[int, int]:
        """The token range of the sentence whose features weigh most towards behaviour ``k`` (the
        first of equals; a feature met in two sentences counts in the first). What the sentences
        bring was worked out for the score and is read back from memory."""
        tokens, text = a.tokens, a.text
        counted: set[int] = set()
        best, most = 0, 0.0
        for s, sentence in enumerate(a.sentences):
            if sentence.first >= sentence.last:
                continue
            total = 0.0
            for key, w in self._brought(tokens, text, sentence)[0].items():
                if key not in counted:
                    counted.add(key)
                    if w[k] > 0:
                        total += w[k]
            if total > most:
                best, most = s, total
        sentence = a.sentences[best]
        return sentence.first, max(sentence.last, sentence.first + 1)


def _features(
    tokens: tuple[Token, ...],
    first: int,
    last: int,
    words: dict[str, _Word],
    word_of: Callable[[Token], _Word],
    window: int,
    deeds: dict[str, _Weights],
    question: bool,
) -> dict[int, _Weights]:
    """The weights of the features of the sentence of tokens ``first`` to ``last``, by id
    (Cues._sentence): ``words`` holds what each form brings, ``word_of`` reads a form new to it.

    A function, not a method, so that compiled its token indices, clause numbers and flags are C
    integers (learned.pxd): it runs for every word of every reply.
    """
    found: dict[int, _Weights] = {}
    previous: _Word | None = None
    last_clause = -1
    negated_until = -1
    asked = _ASKED if question else 0
    flagged, state = -1, asked
    i = first - 1
    # a token unpacked, not read field by field: this loop runs for every word of every reply
    for _, _, _, kind, lower, _, _, _, clause, quoted, _ in tokens[first:last]:
        i += 1
        if quoted or kind != "word":
            previous = None
            continue
        # by the form: what a word brings depends on the form, not only on its lemmas (_CHOSEN)
        word = words.get(lower)
        if word is None:
            if len(words) >= _WORDS_KEPT:
                words.clear()
            word = words[lower] = word_of(tokens[i])
        lemma, alone, _, negated, negator, past, holds = word
        if alone is not None:
            found[id(alone)] = alone
        if past is not None:
            found[id(past)] = past
        if deeds:
            if clause != flagged:
                _weigh_deed(found, deeds, state)
                flagged, state = clause, asked
            state |= holds
        if previous is not None and last_clause == clause:
            pairs = previous[2]  # a dict once compiled (learned.pxd): looked up in C, not called
            if pairs is not None:
                w = pairs.get(lemma)
                if w is not None:
                    found[id(w)] = w
            if negated is not None and i <= negated_until:
                found[id(negated)] = negated
        elif i <= negated_until:
            negated_until = -1
        if negator:
            negated_until = i + window
        previous, last_clause = word, clause
    if deeds:
        _weigh_deed(found, deeds, state)
    return found


def _weigh_deed(found: dict[int, _Weights], deeds: dict[str, _Weights], state: int) -> None:
    """Add the weights of the person feature of a clause that ended holding ``state``, if weighed."""
    deed = _deed(state)
    w = deeds.get(deed) if deed is not None else None
    if w is not None:
        found[id(w)] = w


def _words_counted(tokens: tuple[Token, ...]) -> int:
    """How many words the model counts in a reply, up to two (all that is asked)."""
    n = 0
    for token in tokens:
        if token.kind == "word" and not token.quoted:
            n += 1
            if n == 2:
                break
    return n


def _probability(z: float) -> float:
    if z < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


class CuesError(ValueError):
    """A cues file that cannot be used; says which file and what is wrong."""


def read_cues(path: Path) -> Cues:
    """The model stored at ``path``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CuesError(f"{path}: the learned cues cannot be read ({exc}); train them again with scripts/train_cues.py") from None
    try:
        return cues_of(data)
    except CuesError as exc:
        raise CuesError(f"{path}: {exc}") from None


def cues_of(data: dict[str, Any]) -> Cues:
    """The model a cues file holds, parsed (scripts/train_cues.py writes them)."""
    try:
        behaviors = tuple(data["behaviors"])
        n = len(behaviors)
        weights = {str(f): tuple(float(x) for x in w) for f, w in data["weights"].items()}
        model = Cues(
            lang=str(data["lang"]),
            behaviors=behaviors,
            bias=tuple(float(x) for x in data["bias"]),
            thresholds=tuple(float(x) for x in data["thresholds"]),
            weights=weights,
            stop_words=frozenset(str(w) for w in data.get("stop_words", [])),
            negation=(frozenset(str(w) for w in data["negators"]), int(data["negation_window"])) if "negators" in data else None,
            persons=_persons_of(data),
            sentence_weight=tuple(float(x) for x in data.get("sentence_weight", [0.0] * n)),
            vetoes=tuple(float(x) for x in data["vetoes"]) if "vetoes" in data else (),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CuesError(f"the learned cues cannot be read ({exc}); train them again with scripts/train_cues.py") from None
    sizes = {len(model.bias), len(model.thresholds), len(model.sentence_weight), *map(len, weights.values())}
    if model.vetoes:
        sizes.add(len(model.vetoes))
    if sizes != {n}:
        raise CuesError(f"every weight, bias, threshold, sentence weight and veto needs one number per behaviour ({n})")
    return model


def _persons_of(data: dict[str, Any]) -> Persons:
    """The person words a cues file holds (none in a file fitted without them)."""
    if "addressee" not in data:
        return None

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w) for w in data.get(key, ()))

    return words("addressee"), words("speaker"), words("conditional")


@lru_cache(maxsize=4)
def cues(lang: str) -> Cues | None:
    """The learned cues of ``lang``, or None where none were trained.

    Kept in the compiled-lexicon cache (language.compiled): parsing the JSON took a tenth of the
    budget for loading the lexicons, reading the pickle a fifth of that."""
    path = CUES_DIR / f"cues.{lang}.json"
    if not path.exists():
        return None
    return cached(f"cues-{lang}", [path.read_bytes(), source_of(__name__)], lambda: read_cues(path), Cues)
