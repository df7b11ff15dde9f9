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
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from ..content.vocabulary import BEHAVIORS
from .lexicon import Lexicon, Matcher, PatternSet, compile_set, load_lexicon
from .normalize import Normalized, normalize
from .profanity import Profanity, profanity
from .tokens import Analysis, Token, _morph, analyse

Span = tuple[int, int]

# Behaviours that offer the customer something; a reply with none of them cannot be dismissive
# by deflection alone.
_HELPFUL = (
    "next_step",
    "escalate_to_supervisor",
    "route_to_department",
    "register_request",
    "offer_discount",
    "clarifying_question",
)
_SARCASM_CANCELS = ("apology", "gratitude", "empathy", "please")


@dataclass(frozen=True)
class Finding:
    """One behaviour shown in a reply, with the text that shows it."""

    behavior: str
    spans: tuple[Span, ...]
    value: int | tuple[str, ...] | None = None

    def quotes(self, text: str) -> list[str]:
        """The matched pieces of ``text``."""
        return [text[a:b] for a, b in self.spans]


Matches = dict[str, list[Span]]


def _start(span: Span) -> int:
    return span[0]


# Helper groups that the code below reads by name.
_CODE_GROUPS = (
    "sarcasm",
    "deflect",
    "alternative",
    "stall",
    "percent_word",
    "curt",
    "vocative",
    "retort",
    "tautology",
    "tautology_end",
)
_GROUP_KEYS = {name: f"g:{name}" for name in _CODE_GROUPS}


def _clauses(tokens: tuple[Token, ...]) -> dict[int, Span]:
    """Each clause's token range. Clause numbers only grow along a reply, so a clause is one run."""
    clauses: dict[int, Span] = {}
    lo = 0
    current = tokens[0].clause if tokens else 0
    for i, t in enumerate(tokens):
        if t.clause != current:
            clauses[current] = (lo, i)
            current, lo = t.clause, i
    if tokens:
        clauses[current] = (lo, len(tokens))
    return clauses


class _TwoPass:
    """Behaviour patterns first; then blocks and contexts in the sentences with a hit."""

    def __init__(self, first: Matcher, checks: Matcher) -> None:
        self.first = first
        self.checks = checks

    def run(self, a: Analysis) -> Matches:
        m = self.first.run(a)
        sentences = {a.tokens[s].sentence for key, spans in m.items() if key.startswith(("b:", "bq:")) for s, _ in spans}
        if sentences:
            m.update(self.checks.run(a, sentences))
        return m


class Detector:
    """A compiled lexicon, ready to detect behaviours in replies of its language.

    Every pattern set (behaviours, their blocks and contexts, helper groups, departments,
    politeness strategies) goes into one Matcher under a prefixed name, so a reply is matched in
    a single pass and every later check is a lookup among its hits.
    """

    def __init__(self, lexicon: Lexicon, swearing: Profanity | None = None) -> None:
        self.lexicon = lexicon
        self.profanity = swearing if swearing is not None else profanity(lexicon.lang)
        g = lexicon.groups
        first: dict[str, PatternSet] = {}
        checks: dict[str, PatternSet] = {}
        for name, b in lexicon.behaviors.items():
            first[f"b:{name}"] = compile_set(b.patterns, g)
            first[f"bq:{name}"] = compile_set(b.question_patterns, g)
            checks[f"block:{name}"] = compile_set(b.block, g)
            checks[f"bs:{name}"] = compile_set(b.block_sentence, g)
            checks[f"ctx:{name}"] = compile_set(b.context, g)
        for name in _CODE_GROUPS:  # the other groups are only inlined into patterns
            if name in g:
                first[f"g:{name}"] = compile_set(g[name], g)
        for name, patterns in lexicon.departments.items():
            first[f"d:{name}"] = compile_set(patterns, g)
        for name, patterns in lexicon.politeness.items():
            first[f"pol:{name}"] = compile_set(patterns, g)
        # blocks and contexts are matched only in sentences that hold a hit they could cancel
        self.matcher = _TwoPass(Matcher(first), Matcher(checks))
        self.negators = frozenset(lexicon.negators)
        self.acronyms = frozenset(a.lower() for a in lexicon.acronyms)
        self.common_caps = frozenset(w.lower() for w in lexicon.common_caps_words)
        self.titles = frozenset(t.lower() for t in lexicon.titles)
        self._last: tuple[Analysis, Matches, list[Finding]] | None = None  # see last_findings
        self._words, self._prefixes = _lexicon_words(lexicon)
        # the names every hit is looked up by, made once rather than for every reply
        self._hit_keys = {f"b:{name}": (name, False) for name in lexicon.behaviors}
        self._hit_keys.update({f"bq:{name}": (name, True) for name in lexicon.behaviors})
        self._check_keys = {name: (f"block:{name}", f"bs:{name}", f"ctx:{name}") for name in lexicon.behaviors}
        self._department_keys = tuple((name, f"d:{name}") for name in lexicon.departments)
        self._targets: dict[str, frozenset[str]] = {}  # see _names
        self.function_words = frozenset(w for p in g.get("function_words", []) for w in re.split(r"[\s|]+", p.lower()) if w)

    @staticmethod
    def _any_within(m: Matches, key: str, lo: int, hi: int) -> bool:
        """Whether a hit of set ``key`` lies inside tokens[lo:hi] (``within``, without the list)."""
        spans = m.get(key)
        if not spans:
            return False
        for i in range(bisect_left(spans, lo, key=_start), len(spans)):
            s, e = spans[i]
            if s >= hi:
                return False
            if e <= hi:
                return True
        return False

    @staticmethod
    def within(m: Matches, key: str, lo: int, hi: int) -> list[Span]:
        """Hits of set ``key`` that lie inside tokens[lo:hi]."""
        spans = m.get(key)
        if not spans:
            return []
        # the matcher lists a set's hits in text order: a long reply costs a search, not a scan
        # (nor a copy of the hits after ``lo``, which made many calls quadratic)
        out = []
        for i in range(bisect_left(spans, lo, key=_start), len(spans)):
            s, e = spans[i]
            if s >= hi:
                break
            if e <= hi:
                out.append((s, e))
        return out

    # -- one hit ------------------------------------------------------------------------

    def _valid(self, a: Analysis, m: Matches, name: str, hit: Span, clauses: dict[int, Span], question: bool = False) -> bool:
        tokens = a.tokens
        start, end = hit
        b = self.lexicon.behaviors[name]
        first = tokens[start]
        sentence = a.sentences[first.sentence]
        if not b.quoted and any(t.quoted for t in tokens[start:end]):
            return False
        if (b.question or question) and not sentence.question:
            return False
        if b.first_sentences and first.sentence >= b.first_sentences:
            return False
        if b.last_sentences and first.sentence < len(a.sentences) - b.last_sentences:
            return False
        if b.negatable:
            window = self.lexicon.negation_window if b.negation_window is None else b.negation_window
            for j in range(start - 1, max(start - 1 - window, -1), -1):
                if tokens[j].clause != first.clause:
                    break
                if tokens[j].lower in self.negators:
                    return False
        block, block_sentence, context = self._check_keys[name]
        lo, hi = clauses[first.clause]
        if self._any_within(m, block, lo, hi):
            return False
        if self._any_within(m, block_sentence, sentence.first, sentence.last):
            return False
        return not (b.context and not self._any_within(m, context, sentence.first, sentence.last))

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
        norm = normalize(text, self.lexicon.lang, self.known, self.profanity.unmask)
        return norm, analyse(norm.text, self.lexicon.lang)

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
        clauses = _clauses(tokens)
        # only the behaviours with a hit are checked: a set without one is not among the keys
        hits: dict[str, list[Span]] = {}
        asked: dict[str, list[Span]] = {}  # question hits, listed after the plain ones
        hit_keys = self._hit_keys
        for key, spans in m.items():
            rule = hit_keys.get(key)
            if rule is None:
                continue
            name, question = rule
            valid = [h for h in spans if self._valid(a, m, name, h, clauses, question)]
            if valid:
                (asked if question else hits)[name] = valid
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

        alone = self._alone(a, m, clauses, "vocative") + self._alone(a, m, clauses, "retort")
        if alone:
            hits.setdefault("rude", []).extend(alone)
        swearing = self.profanity.find(a, self.negators, self.lexicon.negation_window)
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
        if customer_name:
            hits["address_by_name"] = self._names(a, customer_name)

        if hits.get("route_to_department"):
            routed = self._route(a, m, hits["route_to_department"], clauses)
            hits["route_to_department"] = [span for span, _ in routed]
            if routed:
                values["route_to_department"] = tuple(sorted({d for _, ds in routed for d in ds}))

        if hits.get("offer_discount"):
            percent = self._percent(a, m, hits["offer_discount"], clauses)
            if percent is not None:
                values["offer_discount"] = percent

        tautology = self._tautology(a, m, clauses)
        if tautology:
            # "ответит, когда ответит" promises nothing
            for name in ("next_step", "timeframe"):
                hits[name] = [h for h in hits.get(name, []) if not any(h[0] < e and s < h[1] for s, e in tautology)]
        if not hits.get("dismissive") and not self._helps(a, hits):
            stall = self._group(a, m, "stall")
            deflect = self._group(a, m, "deflect") + self._curt(a, m) + tautology + stall
            alternative = any(self._offers(a, span, hits, stall) for span in self._group(a, m, "alternative"))
            if (deflect or hits.get("blame_customer")) and not alternative:
                hits["dismissive"] = deflect or list(hits["blame_customer"])

        out = []
        for name in BEHAVIORS:
            shown = hits.get(name)
            chars = char_spans.get(name)
            if not shown and not chars:
                continue
            at: set[Span] = {(tokens[s].start, tokens[e - 1].end) for s, e in shown} if shown else set()
            if chars:
                at.update(chars)
            out.append(Finding(name, tuple(sorted(at)), values.get(name)))
        return out

    # -- behaviours decided over the whole reply ------------------------------------------

    @staticmethod
    def _group(a: Analysis, m: Matches, name: str) -> list[Span]:
        """Hits of a helper group outside quotations (quoted words are the customer's)."""
        spans = m.get(_GROUP_KEYS[name])
        if not spans:  # most groups have no hit in a reply
            return []
        return [(s, e) for s, e in spans if not any(t.quoted for t in a.tokens[s:e])]

    def _curt(self, a: Analysis, m: Matches) -> list[Span]:
        """A last sentence that is nothing but a refusal or a brush-off ("Нет.", "Всё.", "Next caller.")."""
        last = a.sentences[-1] if a.sentences else None
        return [(s, e) for s, e in self._group(a, m, "curt") if last and s == last.first and e == last.last]

    def _alone(self, a: Analysis, m: Matches, clauses: dict[int, Span], group: str) -> list[Span]:
        """Hits of ``group`` that are a clause of their own: a name-calling word as a form of address
        ("Баран, ...", "..., you muppet"), or an impatient retort ("Вы закончили?", "Finished?",
        "Серьёзно?") that within a longer clause would be an ordinary question."""
        return [(s, e) for s, e in self._group(a, m, group) if clauses[a.tokens[s].clause] == (s, e)]

    def _tautology(self, a: Analysis, m: Matches, clauses: dict[int, Span]) -> list[Span]:
        """A thing said to be what it is, which promises nothing: "ответит, когда ответит", "ну списали
        и списали", "it'll get there when it gets there".

        The word just before a link ("когда", "when"; "и", "так" only when the repeat closes its
        clause) comes back within three words after it, in any form.
        """
        tokens = a.tokens
        out = []
        links = [(c, False) for c, _ in self._group(a, m, "tautology")]
        links += [(c, True) for c, _ in self._group(a, m, "tautology_end")]
        for c, at_end in links:
            if c == 0:
                continue
            before = tokens[c - 1]
            if not self._content(before) or before.sentence != tokens[c].sentence:
                continue
            for j in range(c + 1, min(c + 4, len(tokens))):
                after = tokens[j]
                if after.sentence != before.sentence:
                    break
                if self._content(after) and before.lemmas & after.lemmas:
                    if not at_end or clauses[after.clause][1] == j + 1:
                        out.append((c - 1, j + 1))
                    break
        return out

    @staticmethod
    def _helps(a: Analysis, hits: dict[str, list[Span]]) -> bool:
        """Whether the reply offers the customer something.

        A question asked in the sentence that blames or mocks ("Did you even read the manual?",
        "Всё сказали?") is rhetorical: it asks for nothing and helps no one.
        """
        hostile = {a.tokens[s].sentence for name in ("rude", "blame_customer") for s, _ in hits.get(name, [])}
        for name in _HELPFUL:
            spans = hits.get(name, [])
            if name == "clarifying_question":
                spans = [(s, e) for s, e in spans if a.tokens[s].sentence not in hostile]
            if spans:
                return True
        return False

    def _offers(self, a: Analysis, span: Span, hits: dict[str, list[Span]], stall: list[Span]) -> bool:
        """Whether an alternative's words really offer something.

        Not when negated ("не могу предложить"), when they are part of a reproach ("instead of
        ringing us"), or when a stall goes with them: "We'll look into it at some point", "Мы
        посмотрим. Когда-нибудь." promise nothing (the stall in the same or the next sentence).
        """
        s, e = span
        if self._negated(a, s):
            return False
        if any(hs < e and s < he for name in ("rude", "blame_customer") for hs, he in hits.get(name, [])):
            return False
        sentence = a.tokens[s].sentence
        return not any(a.tokens[t].sentence in (sentence, sentence + 1) for t, _ in stall)

    def _negated(self, a: Analysis, start: int) -> bool:
        """Whether a negator stands just before token ``start``, in its clause ("не могу вернуть")."""
        for j in range(start - 1, max(start - 3, -1), -1):
            if a.tokens[j].clause != a.tokens[start].clause:
                return False
            if a.tokens[j].lower in self.negators:
                return True
        return False

    def _content(self, t: Token) -> bool:
        return t.kind == "word" and len(t.lower) >= 3 and t.lower not in self.function_words and t.lower not in self.negators

    def _scare_quoted(self, a: Analysis, thanks: list[Span]) -> list[Span]:
        """Thanks whose object sits in quotation marks ("спасибо за ваше «терпение»") is sarcasm."""
        out = []
        for s, e in thanks:
            after = a.tokens[e : e + 4]
            # a quoted company name («Мегамаркет») is not irony; a quoted common word is
            if any(t.quoted and t.sentence == a.tokens[s].sentence and t.text[:1].islower() for t in after):
                out.append((s, e))
        return out

    def _shouting(self, a: Analysis) -> tuple[list[Span], list[Span]]:
        """Token spans of all-caps runs that are not acronyms, and character spans of '!!'."""
        out: list[Span] = []
        run: list[int] = []

        def close() -> None:
            words = [a.tokens[i] for i in run]
            loud = [t for t in words if not self._acronym(t)]
            long_words = [t for t in loud if sum(c.isalpha() for c in t.text) >= 3]
            # "two or more all-caps words of 3+ letters"; in a longer run short words count
            # too ("ВЫ НЕ ПОНИМАЕТЕ"), but "DO NOT" alone is not shouting
            if len(long_words) >= 2 or (len(words) >= 3 and len(loud) >= 3 and long_words):
                out.append((run[0], run[-1] + 1))
            run.clear()

        for i, t in enumerate(a.tokens):
            if t.is_caps and not t.quoted and (not run or a.tokens[run[-1]].sentence == t.sentence):
                run.append(i)
            else:
                if run:  # most words end no run: spare the call
                    close()
                if t.is_caps and not t.quoted:
                    run.append(i)
        if run:
            close()
        return out, [m.span() for m in re.finditer(r"!{2,}", a.text)]

    def _acronym(self, t: Token) -> bool:
        letters = sum(c.isalpha() for c in t.text)
        if t.lower in self.acronyms:
            return True
        if t.lower in self.common_caps or letters >= 5:
            return False
        if self.lexicon.lang == "ru" and re.search("[а-яё]", t.lower):
            return not _morph().word_is_known(t.lower) or all("Abbr" in g for g in t.grams)
        return True

    def _names(self, a: Analysis, customer_name: str) -> list[Span]:
        targets = self._targets.get(customer_name)
        if targets is None:
            if len(self._targets) >= 1000:  # a session meets few customers; a re-scoring many
                self._targets.clear()
            targets = self._targets[customer_name] = self._name_forms(customer_name)
        if not targets:
            return []
        out = []
        for i, t in enumerate(a.tokens):
            # a name is written with a capital: "Вера" is a name, "вера" is faith
            named = t.lower in targets or not targets.isdisjoint(t.lemmas)
            if named and t.kind == "word" and t.text[:1].isupper() and not t.quoted:
                out.append((i, i + 1))
        return out

    def _name_forms(self, customer_name: str) -> frozenset[str]:
        """The words of a customer's name, titles left out, with their lemmas."""
        parts = [
            p for p in re.findall(r"[^\W\d_]+", customer_name.lower().replace("ё", "е")) if p not in self.titles and len(p) >= 2
        ]
        targets = set(parts)
        if parts and self.lexicon.lang == "ru":
            from .tokens import _ru_word

            for p in parts:
                targets |= {lemma for lemma in _ru_word(p)[0]}
        return frozenset(targets)

    def _route(self, a: Analysis, m: Matches, hits: list[Span], clauses: dict[int, Span]) -> list[tuple[Span, set[str]]]:
        out = []
        for s, e in hits:
            # the department named in the routing clause; else any named in its sentence
            sentence = a.sentences[a.tokens[s].sentence]
            lo, hi = clauses[a.tokens[s].clause]
            found = {name for name, key in self._department_keys if self._any_within(m, key, lo, hi)}
            if not found:
                found = {name for name, key in self._department_keys if self._any_within(m, key, sentence.first, sentence.last)}
            if found:
                out.append(((s, e), found))
        return out

    def _percent(self, a: Analysis, m: Matches, hits: list[Span], clauses: dict[int, Span]) -> int | None:
        """The percent stated nearest to a valid offer: in its clause first, then its sentence."""
        tokens = a.tokens
        # every percent stated, once: looking through the clause and sentence of each offer made a
        # long sentence of offers and no percent quadratic
        stated = [
            i
            for i, t in enumerate(tokens)
            if t.kind == "num"
            and i + 1 < len(tokens)
            and (tokens[i + 1].kind == "sym" or bool(self.within(m, "g:percent_word", i + 1, min(i + 3, len(tokens)))))
        ]
        if not stated:
            return None

        def nearest(s: int, lo: int, hi: int) -> int | None:
            """The stated percent in tokens[lo:hi] nearest to token ``s`` (the earlier of two as near)."""
            at = bisect_left(stated, s)
            before = stated[at - 1] if at > 0 and stated[at - 1] >= lo else None
            after = stated[at] if at < len(stated) and stated[at] < hi else None
            if before is None or after is None:
                return after if before is None else before
            return before if s - before <= after - s else after

        for s, _ in hits:
            sentence = a.sentences[tokens[s].sentence]
            found = nearest(s, *clauses[tokens[s].clause])
            if found is None:
                found = nearest(s, sentence.first, sentence.last)
            if found is not None:
                return int(float(tokens[found].lower.replace(",", ".")))
        return None


def _lexicon_words(lexicon: Lexicon) -> tuple[frozenset[str], tuple[str, ...]]:
    """The words and word beginnings the lexicon's patterns name (for reading digits as letters)."""
    sources = [p for b in lexicon.behaviors.values() for p in (*b.patterns, *b.question_patterns)]
    sources += [p for patterns in lexicon.groups.values() for p in patterns]
    words: set[str] = set()
    prefixes: set[str] = set()
    for source in sources:
        for piece in re.split(r"[\s|?]+", source):
            piece = piece.lstrip("=").lower()
            if piece.endswith("*") and len(piece) >= 5 and re.fullmatch(r"[^\W\d_]+\*", piece):
                prefixes.add(piece[:-1])
            elif len(piece) >= 3 and re.fullmatch(r"[^\W\d_][\w'’-]*", piece):
                words.add(piece)
    return frozenset(words), tuple(sorted(prefixes))


@lru_cache(maxsize=8)
def detector(lang: str) -> Detector:
    """The detector of ``lang``, compiled once."""
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
    return list(_detected(text, lang, customer_name))


# Replies repeat (a group answers the same turn; a re-scoring meets the same short answers again
# and again), and findings are immutable: those of recent replies are kept and shared.
_KEPT_CHARS = 2000


@lru_cache(maxsize=8192)
def _detected(text: str, lang: str, customer_name: str | None) -> tuple[Finding, ...]:
    return tuple(detector(lang).detect(text, customer_name))
