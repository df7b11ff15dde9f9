"""Behaviour detection: a reply becomes findings (behaviour id, character spans, value).

Most behaviours are phrase patterns from the language's lexicon, each hit checked against its
clause and sentence: negated ("не буду извиняться"), quoted ("you say it's 'not my problem'"),
blocked by a phrase in the same clause (a discount that "I can't give"), or lacking a required
context (a time with no promised action). A few are decided over the whole reply:

- sarcasm formulas ("ну извините", "excuse me for asking") are ``rude`` and cancel the
  politeness they imitate;
- ``shouting`` is the literal rule: two or more all-caps words that are not acronyms, or "!!";
- ``address_by_name`` compares the customer's name with every word's lemmas, so any case form
  counts;
- ``dismissive`` is also a reply that only deflects and offers nothing: a brush-off phrase, a
  last sentence that is only a refusal ("Нет.", "Next."), or a tautology that promises nothing
  ("приедет, когда приедет", "it'll get there when it gets there");
- a name-calling word used as a form of address ("Баран, прочитай договор", "you muppet") is
  ``rude``;
- values: the percent of a discount offer, the department ids a case is routed to;
- obscene words and insults (language.profanity) are ``rude`` too.

The reply is read as a reader sees it (language.normalize: invisible characters, look-alike
letters of another script, digits standing for letters), and every span points into the text
as it was given.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from ..content.vocabulary import BEHAVIORS
from .compiled import collector_paused
from .hits import Matches, Span, any_within, clause_spans, within
from .learned import Cues, cues
from .lexicon import Lexicon, Matcher, PatternSet, compile_set, lexicon_words, load_lexicon
from .normalize import Normalized, normalize
from .profanity import Profanity, profanity
from .tokens import Analysis, Token, _morph, analyse
from .values import departments_routed, percent_offered
from .whole_reply import CODE_GROUPS, WholeReply, _hostile_sentences

__all__ = ["Detector", "Finding", "Matches", "Span", "detect", "detector"]

_ORDER = {name: k for k, name in enumerate(BEHAVIORS)}
_SARCASM_CANCELS = ("apology", "gratitude", "empathy", "please")
_DENIABLE = frozenset({"blame_customer"})  # denied in the lexicon's reading, not re-found by the cues
# An insult is no statement that a negation could deny: "Nobody's going to help you with that
# attitude" still sneers (language.detection's _denied).
_EXPRESSIVE = frozenset({"rude"})
_HOSTILE = ("rude", "blame_customer", "calm_down_command")  # what a sentence says that offers nothing
_QUOTED = itemgetter(Token._fields.index("quoted"))


@dataclass(frozen=True)
class Finding:
    """One behaviour shown in a reply, with the text that shows it."""

    behavior: str
    spans: tuple[Span, ...]
    value: int | tuple[str, ...] | None = None

    def quotes(self, text: str) -> list[str]:
        """The matched pieces of ``text``."""
        return [text[a:b] for a, b in self.spans]


class Detector(WholeReply):
    """A compiled lexicon, ready to detect behaviours in replies of its language.

    Every pattern set (behaviours, their blocks and contexts, helper groups, departments,
    politeness strategies) goes into one Matcher under a prefixed name, so a reply is matched in
    a single pass and every later check is a lookup among its hits. The behaviours decided over
    the whole reply are read by the methods it takes from language.whole_reply.
    """

    def __init__(self, lexicon: Lexicon, swearing: Profanity | None = None, learned: Cues | None = None) -> None:
        self.lexicon = lexicon
        self.cues = learned if learned is not None else cues(lexicon.lang)
        self.profanity = swearing if swearing is not None else profanity(lexicon.lang)
        g = lexicon.groups
        sets: dict[str, PatternSet] = {}
        for name, b in lexicon.behaviors.items():
            sets[f"b:{name}"] = compile_set(b.patterns, g)
            sets[f"bq:{name}"] = compile_set(b.question_patterns, g)
            # Blocks and contexts are matched with the rest, in every sentence, though only those
            # beside a hit of their behaviour are read: one pass, with one cache entry per word,
            # costs less than a second pass over the sentences with a hit (on replies new to the
            # caches, the ones that cost most).
            sets[f"block:{name}"] = compile_set(b.block, g)
            sets[f"bs:{name}"] = compile_set(b.block_sentence, g)
            sets[f"ctx:{name}"] = compile_set(b.context, g)
        for name in CODE_GROUPS:  # the other groups are only inlined into patterns
            if name in g:
                sets[f"g:{name}"] = compile_set(g[name], g)
        for name, patterns in lexicon.departments.items():
            sets[f"d:{name}"] = compile_set(patterns, g)
        for name, patterns in lexicon.politeness.items():
            sets[f"pol:{name}"] = compile_set(patterns, g)
        self.matcher = Matcher(sets, frozenset(w.lower() for w in lexicon.common_words))
        self.negators = frozenset(lexicon.negators)
        self.acronyms = frozenset(a.lower() for a in lexicon.acronyms)
        self.common_caps = frozenset(w.lower() for w in lexicon.common_caps_words)
        self.titles = frozenset(t.lower() for t in lexicon.titles)
        self._last: tuple[Analysis, Matches, list[Finding]] | None = None  # see last_findings
        self._last_read: tuple[str, Normalized, Analysis] | None = None  # see read
        self._words, self._prefixes = lexicon_words(lexicon)
        # the names every hit is looked up by, made once rather than for every reply
        self._hit_keys = {f"b:{name}": (name, False) for name in lexicon.behaviors}
        self._hit_keys.update({f"bq:{name}": (name, True) for name in lexicon.behaviors})
        self._check_keys = {name: (f"block:{name}", f"bs:{name}", f"ctx:{name}") for name in lexicon.behaviors}
        self._department_keys = tuple((name, f"d:{name}") for name in lexicon.departments)
        self._targets: dict[str, frozenset[str]] = {}  # see _names
        self.function_words = _words(g.get("function_words", ()))
        self.clause_negators = _words(g.get("clause_negators", ()))
        self.answer_no = _words(g.get("answer_no", ()))
        self.own_action = _words(g.get("own_action", ()))
        self.deed_negators = _words(g.get("deed_negators", ()))
        self.customer_subject = _words(g.get("customer_subject", ()))

    # where hits lie (language.hits), as the detector's own: language.politeness asks it
    within = staticmethod(within)
    _any_within = staticmethod(any_within)

    # -- one hit ------------------------------------------------------------------------

    def _valid(
        self, a: Analysis, m: Matches, name: str, hit: Span, clauses: dict[int, Span], question: bool = False, quotes: bool = True
    ) -> bool:
        """Whether a hit of behaviour ``name`` counts; ``quotes`` False says the reply quotes nothing."""
        tokens = a.tokens
        start, end = hit
        b = self.lexicon.behaviors[name]
        first = tokens[start]
        sentence = a.sentences[first.sentence]
        if quotes and not b.quoted and any(t.quoted for t in tokens[start:end]):
            return False
        if (b.question or question) and not sentence.question:
            return False
        if b.first_sentences and first.sentence >= b.first_sentences:
            return False
        if b.last_sentences and first.sentence < len(a.sentences) - b.last_sentences:
            return False
        if b.negatable and self._said_against(a, name, hit, clauses):
            return False
        block, block_sentence, context = self._check_keys[name]
        # most behaviours have no block or context hit in a reply: the lookup spares the search
        if block in m:
            lo, hi = clauses[first.clause]
            if any_within(m, block, lo, hi):
                return False
        if block_sentence in m and any_within(m, block_sentence, sentence.first, sentence.last):
            return False
        return not (b.context and not any_within(m, context, sentence.first, sentence.last))

    def _deflections(self, a: Analysis, m: Matches) -> list[Span]:
        """Deflecting words not negated by the word just before them: "я не отказываю, а подсказываю"
        says the agent is helping."""
        tokens = a.tokens
        return [
            (s, e)
            for s, e in self._group(a, m, "deflect")
            if s == 0 or tokens[s - 1].lower not in self.negators or tokens[s - 1].sentence != tokens[s].sentence
        ]

    def _said_against(self, a: Analysis, name: str, hit: Span, clauses: dict[int, Span]) -> bool:
        """Whether the reply says the opposite of a hit of ``name``: a negator just before it, a
        negative pronoun opening its clause, or (blame) a customer who did nothing."""
        tokens = a.tokens
        start = hit[0]
        first = tokens[start]
        b = self.lexicon.behaviors[name]
        window = self.lexicon.negation_window if b.negation_window is None else b.negation_window
        for j in range(start - 1, max(start - 1 - window, -1), -1):
            if tokens[j].clause != first.clause:
                break
            if tokens[j].lower in self.negators:
                return True
        if name not in _EXPRESSIVE and self._denied(a, hit, clauses[first.clause][0]):
            return True
        return name == "blame_customer" and bool(self.deed_negators) and self._no_deed(a, hit)

    def _denied(self, a: Analysis, hit: Span, lo: int) -> bool:
        """Whether the hit's clause (from token ``lo``) says the opposite of what the hit says.

        A negative pronoun that opens the clause negates all of it, however far before the hit
        ("None of this is your fault", "Nobody's saying you didn't check"); and a negative
        statement right after a bare "No," agrees with the negative, so denies what the customer
        feared ("No, you didn't use the wrong adaptor", "Нет, вы не сломали роутер").
        """
        tokens = a.tokens
        start, end = hit
        for j in range(lo, start):
            # the pronoun is the clause's subject: its first word but for "and", "but", "so" ...
            # ("waiting all day for nothing is rubbish" negates nothing)
            if tokens[j].lower not in self.function_words:
                if tokens[j].lower in self.clause_negators:
                    return True
                break
        if lo == 0 or lo != start or tokens[lo - 1].lower not in self.answer_no:
            return False
        no = tokens[lo - 1]
        # the "No" is a clause of its own in the hit's sentence, and the hit itself is negative
        alone = no.sentence == tokens[start].sentence and (lo == 1 or tokens[lo - 2].clause != no.clause)
        return alone and any(t.lower in self.negators for t in tokens[start:end])

    def _no_deed(self, a: Analysis, hit: Span) -> bool:
        """Whether a fault is denied by its own object: the customer did nothing ("вы ничего не
        подключали", "вы ничего неправильно не сделали"). Only in the hit's first clause: in "если
        бы вы оплатили, ничего бы не отключили" the "ничего" belongs to what followed."""
        tokens = a.tokens
        start, end = hit
        clause = tokens[start].clause
        return any(t.clause == clause and t.lower in self.deed_negators for t in tokens[start:end])

    # -- the reply ----------------------------------------------------------------------

    def detect(self, text: str, customer_name: str | None = None) -> list[Finding]:
        """Every behaviour the reply shows, in vocabulary order, with spans into ``text``."""
        norm, a = self.read(text)
        m = self.matcher.run(a)
        found = self.findings(a, m, customer_name)
        self._last = (a, m, found)
        if norm.starts is None:
            return found
        return [Finding(f.behavior, tuple(sorted({norm.span(s, e) for s, e in f.spans})), f.value) for f in found]

    def last_findings(self, a: Analysis) -> list[Finding] | None:
        """What ``detect`` found last, if it read this very analysis: language.politeness counts
        these rather than finding them again. They may carry a customer's name; only
        ``address_by_name`` depends on it."""
        last = self._last
        return last[2] if last is not None and last[0] is a else None

    def last_matches(self, a: Analysis) -> Matches | None:
        """The pattern hits ``detect`` found last, if it read this very analysis (not to be changed)."""
        last = self._last
        return last[1] if last is not None and last[0] is a else None

    def read(self, text: str) -> tuple[Normalized, Analysis]:
        """The reply as a reader sees it (language.normalize), and its analysis."""
        last = self._last_read
        if last is not None and last[0] == text:
            # read twice in a row: for its behaviours, then for its politeness (both immutable)
            return last[1], last[2]
        norm = normalize(text, self.lexicon.lang, self.known, self.profanity.unmask)
        a = analyse(norm.text, self.lexicon.lang)
        self._last_read = (text, norm, a)
        return norm, a

    def _reproach_only(self, a: Analysis, hits: dict[str, list[Span]]) -> bool:
        """Whether a reply that blames, and offers nothing the lexicon can see, is a brush-off too.

        It is when every sentence of it blames, mocks or orders calm: nothing else is said. When
        something else is, the learned cues have the last word: they have read offers no pattern was
        written for ("Shall I set it back remotely for you?", "I can look at a cheaper plan for you
        right now if you want"), and a reproach that goes on to help is no brush-off. More likely than not is
        enough, below the bar at which they add a finding of their own: the lexicon already found
        the reproach."""
        if self.cues is None:
            return True
        tokens = a.tokens
        hostile = _hostile_sentences(a, hits, _HOSTILE)
        for k, sentence in enumerate(a.sentences):
            if k not in hostile and any(t.kind == "word" for t in tokens[sentence.first : sentence.last]):
                return self.cues.leans(a, "dismissive")
        return True

    def known(self, word: str) -> bool:
        """Whether a lower-case word means something to the detector (a word, an insult, a lexicon word)."""
        if self.profanity.known(word) or word in self._words or word.startswith(self._prefixes):
            return True
        if self.lexicon.lang == "ru":
            return bool(_morph().word_is_known(word))
        return False

    def findings(self, a: Analysis, m: Matches, customer_name: str | None = None) -> list[Finding]:
        """The findings of an analysed reply, given its pattern hits."""
        tokens = a.tokens
        clauses = clause_spans(tokens)
        # only the behaviours with a hit are checked: a set without one is not among the keys
        hits: dict[str, list[Span]] = {}
        asked: dict[str, list[Span]] = {}  # question hits, listed after the plain ones
        hit_keys = self._hit_keys
        quotes = any(map(_QUOTED, tokens))  # most replies quote nothing: no hit need look
        # what the reply names only to deny it ("None of this is your fault"): the learned cues,
        # which read words and not the scope of a negation, are not to find it there either
        denied: set[str] = set()
        for key, spans in m.items():
            rule = hit_keys.get(key)
            if rule is None:
                continue
            name, question = rule
            valid = [h for h in spans if self._valid(a, m, name, h, clauses, question, quotes)]
            if valid:
                (asked if question else hits)[name] = valid
            elif (
                name in _DENIABLE
                and self.lexicon.behaviors[name].negatable
                and any(self._said_against(a, name, h, clauses) for h in spans)
            ):
                denied.add(name)
        for name, valid in asked.items():
            hits[name] = hits.get(name, []) + valid
        values: dict[str, int | tuple[str, ...]] = {}

        gratitude = hits.get("gratitude")
        sarcasm = self._group(a, m, "sarcasm") + (self._scare_quoted(a, gratitude) if gratitude else [])
        if sarcasm:
            hits.setdefault("rude", []).extend(sarcasm)
            sarcastic = {tokens[s].clause for s, _ in sarcasm}
            for name in _SARCASM_CANCELS:
                hits[name] = [(s, e) for s, e in hits.get(name, []) if tokens[s].clause not in sarcastic]

        empathy = hits.get("empathy")
        alone = self._alone(a, m, clauses, "vocative")
        if alone and empathy:
            # an endearment in a sentence that shows empathy is said kindly, not talked down
            # ("Софья, голубушка, понимаю, с малышом такое видеть жутко."; README-hostile-r5.md)
            kind = {tokens[s].sentence for s, _ in empathy}
            alone = [(s, e) for s, e in alone if tokens[s].sentence not in kind]
        talked_down = bool(alone)  # a vocative left after the excusal
        alone += self._retorts(a, m, clauses)
        if not empathy:
            # "ты" to a customer talks down; beside empathy it is warm or the generic "you"
            alone += self._group(a, m, "familiar")
        if alone:
            hits.setdefault("rude", []).extend(alone)
        swearing, excused = self.profanity.read(a, self.negators, self.lexicon.negation_window)
        if excused and not swearing:
            denied.add("rude")  # an insult quoted, negated or reported is none (language.profanity)
        if (hits.get("rude") or swearing) and hits.get("refuse_confidential"):
            # a hostile refusal is rude, not a polite decline
            hostile = {tokens[s].sentence for s, _ in hits.get("rude", [])}
            hostile |= {tokens[h.tokens[0]].sentence for h in swearing if h.tokens[0] < len(tokens)}
            hits["refuse_confidential"] = [(s, e) for s, e in hits["refuse_confidential"] if tokens[s].sentence not in hostile]

        caps, marks = self._shouting(a)
        if caps:
            hits["shouting"] = hits.get("shouting", []) + caps
        char_spans: dict[str, list[Span]] = {}
        if marks:
            char_spans["shouting"] = marks
        if swearing:
            char_spans["rude"] = [(h.start, h.end) for h in swearing]
        contempt = self._contempt(a, quotes)
        if contempt:
            char_spans["rude"] = char_spans.get("rude", []) + contempt
        if customer_name:
            hits["address_by_name"] = self._names(a, customer_name)

        if hits.get("route_to_department"):
            routed = departments_routed(a, m, hits["route_to_department"], clauses, self._department_keys)
            hits["route_to_department"] = [span for span, _ in routed]
            if routed:
                values["route_to_department"] = tuple(sorted({d for _, ds in routed for d in ds}))

        if hits.get("offer_discount"):
            percent = percent_offered(a, m, hits["offer_discount"], clauses)
            if percent is not None:
                values["offer_discount"] = percent

        tautology = self._tautology(a, m, clauses)
        if tautology:
            # "ответит, когда ответит" promises nothing
            for name in ("next_step", "timeframe"):
                hits[name] = [h for h in hits.get(name, []) if not any(h[0] < e and s < h[1] for s, e in tautology)]
        if not hits.get("dismissive") and not self._helps(a, hits):
            stall = self._group(a, m, "stall")
            deflect = self._deflections(a, m) + self._curt(a, m) + tautology + stall
            alternative = any(self._offers(a, span, hits, stall) for span in self._group(a, m, "alternative"))
            if not alternative and not deflect and hits.get("blame_customer"):
                # a reproach that goes on to say what will be done, or when, is no brush-off
                alternative = self._promises(a, hits, clauses)
            if deflect and not alternative:
                hits["dismissive"] = deflect
            elif hits.get("blame_customer") and not alternative and self._reproach_only(a, hits):
                hits["dismissive"] = list(hits["blame_customer"])

        if self.cues is not None:
            # what the lexicon missed, the learned cues may still see (language.learned)
            found = {n for n, h in hits.items() if h}
            # a swear word, a face or a talking-down vocative ("Sweetie, ...") is not open to a veto
            unvetoable = char_spans.keys() | ({"rude"} if talked_down else set())
            patterned = {
                n: {tokens[s].sentence for s, _ in hits[n]} for n in self.cues.behaviors if n in found and n not in unvetoable
            }
            added, overruled = self.cues.judge(a, found | set(char_spans) | denied, patterned)
            for name, span in added:
                hits[name] = [span]
            for name in overruled:
                del hits[name]

        out = []
        # in vocabulary order: the few behaviours with a hit, not all of them
        for name in sorted(_ORDER.keys() & (hits.keys() | char_spans.keys()), key=_ORDER.__getitem__):
            shown = hits.get(name)
            chars = char_spans.get(name)
            if not shown and not chars:
                continue
            at: set[Span] = {(tokens[s].start, tokens[e - 1].end) for s, e in shown} if shown else set()
            if chars:
                at.update(chars)
            out.append(Finding(name, tuple(sorted(at)), values.get(name)))
        return out


def _words(patterns: Sequence[str]) -> frozenset[str]:
    """The words of a helper group that the code reads as a word list, not as patterns."""
    return frozenset(w for p in patterns for w in re.split(r"[\s|]+", p.lower()) if w)


@lru_cache(maxsize=8)
def detector(lang: str) -> Detector:
    """The detector of ``lang``, compiled once."""
    with collector_paused():  # some 100,000 objects, none of them garbage (language.compiled)
        built = Detector(load_lexicon(lang))
    # What is loaded by now (the kit, the compiled lexicons: some 100,000 objects) lives as long as
    # the process. Frozen, it is no longer walked by the garbage collector's full collections,
    # which took 90-140 ms and landed on whichever reply happened to start one (benchmarks/
    # bench_fuzz.py); a full collection now takes a third of that or less.
    gc.freeze()
    return built


def detect(text: str, lang: str, customer_name: str | None = None) -> list[Finding]:
    """The behaviours ``text`` shows (``lang`` 'ru' or 'en'), each with spans and value."""
    if len(text) > _KEPT_CHARS:
        return detector(lang).detect(text, customer_name)
    return [Finding(*kept) for kept in _detected(text, lang, customer_name)]


# Replies repeat (a group answers the same turn; a re-scoring meets the same short answers again
# and again): the findings of recent replies are kept.
_KEPT_CHARS = 2000
_Kept = tuple[str, tuple[Span, ...], "int | tuple[str, ...] | None"]


@lru_cache(maxsize=8192)
def _detected(text: str, lang: str, customer_name: str | None) -> tuple[_Kept, ...]:
    # Kept as tuples of strings and numbers, not as Finding objects: the garbage collector stops
    # tracking such tuples, while thousands of long-lived objects made each of its full
    # collections walk them all (a re-scoring spent a sixth of its time so).
    return tuple((f.behavior, f.spans, f.value) for f in detector(lang).detect(text, customer_name))
