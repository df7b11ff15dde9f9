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

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from ..content.vocabulary import BEHAVIORS
from .lexicon import Lexicon, Matcher, PatternSet, compile_set, load_lexicon
from .normalize import Normalized, normalize
from .profanity import Profanity, profanity
from .tokens import Analysis, Token, analyse

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
        self._last: tuple[Analysis, list[Finding]] | None = None  # see last_findings
        self._words, self._prefixes = _lexicon_words(lexicon)
        self.function_words = frozenset(w for p in g.get("function_words", []) for w in re.split(r"[\s|]+", p.lower()) if w)

    @staticmethod
    def within(m: Matches, key: str, lo: int, hi: int) -> list[Span]:
        """Hits of set ``key`` that lie inside tokens[lo:hi]."""
        spans = m.get(key)
        if not spans:
            return []
        # the matcher lists a set's hits in text order: a long reply costs a search, not a scan
        out = []
        for s, e in spans[bisect_left(spans, lo, key=_start) :]:
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
        lo, hi = clauses[first.clause]
        if self.within(m, f"block:{name}", lo, hi):
            return False
        if self.within(m, f"bs:{name}", sentence.first, sentence.last):
            return False
        return not (b.context and not self.within(m, f"ctx:{name}", sentence.first, sentence.last))

    # -- the reply ----------------------------------------------------------------------

    def detect(self, text: str, customer_name: str | None = None) -> list[Finding]:
        """Every behaviour the reply shows, in vocabulary order, with spans into ``text``."""
        norm, a = self.read(text)
        found = self.findings(a, self.matcher.run(a), customer_name)
        self._last = (a, found)
        if norm.starts is None:
            return found
        return [Finding(f.behavior, tuple(sorted({norm.span(s, e) for s, e in f.spans})), f.value) for f in found]

    def last_findings(self, a: Analysis) -> list[Finding] | None:
        """What ``detect`` found last, if it read this very analysis: language.politeness counts
        these rather than finding them again. They may carry a customer's name; only
        ``address_by_name`` depends on it."""
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
            from .tokens import _morph

            return bool(_morph().word_is_known(word))
        return False

    def findings(self, a: Analysis, m: Matches, customer_name: str | None = None) -> list[Finding]:
        """The findings of an analysed reply, given its pattern hits."""
        tokens = a.tokens
        clauses: dict[int, Span] = {}
        for i, t in enumerate(tokens):
            lo, _ = clauses.get(t.clause, (i, i))
            clauses[t.clause] = (lo, i + 1)
        hits: dict[str, list[Span]] = {
            name: [h for h in m.get(f"b:{name}", ()) if self._valid(a, m, name, h, clauses)]
            + [h for h in m.get(f"bq:{name}", ()) if self._valid(a, m, name, h, clauses, question=True)]
            for name in self.lexicon.behaviors
        }
        values: dict[str, int | tuple[str, ...]] = {}

        sarcasm = self._group(a, m, "sarcasm") + self._scare_quoted(a, hits.get("gratitude", []))
        if sarcasm:
            hits.setdefault("rude", []).extend(sarcasm)
            sarcastic = {tokens[s].clause for s, _ in sarcasm}
            for name in _SARCASM_CANCELS:
                hits[name] = [(s, e) for s, e in hits.get(name, []) if tokens[s].clause not in sarcastic]

        hits.setdefault("rude", []).extend(self._alone(a, m, clauses, "vocative") + self._alone(a, m, clauses, "retort"))
        swearing = self.profanity.find(a, self.negators, self.lexicon.negation_window)
        if (hits.get("rude") or swearing) and hits.get("refuse_confidential"):
            # a hostile refusal is rude, not a polite decline
            hostile = {tokens[s].sentence for s, _ in hits.get("rude", [])}
            hostile |= {tokens[h.tokens[0]].sentence for h in swearing if h.tokens[0] < len(tokens)}
            hits["refuse_confidential"] = [(s, e) for s, e in hits["refuse_confidential"] if tokens[s].sentence not in hostile]

        caps, marks = self._shouting(a)
        hits["shouting"] = hits.get("shouting", []) + caps
        char_spans: dict[str, list[Span]] = {"shouting": marks, "rude": [(h.start, h.end) for h in swearing]}
        if customer_name:
            hits["address_by_name"] = self._names(a, customer_name)
        else:
            hits["address_by_name"] = hits.get("address_by_name", [])

        routed = self._route(a, m, hits.get("route_to_department", []), clauses)
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
            spans = {(tokens[s].start, tokens[e - 1].end) for s, e in hits.get(name, [])} | set(char_spans.get(name, []))
            if spans:
                out.append(Finding(name, tuple(sorted(spans)), values.get(name)))
        return out

    # -- behaviours decided over the whole reply ------------------------------------------

    @staticmethod
    def _group(a: Analysis, m: Matches, name: str) -> list[Span]:
        """Hits of a helper group outside quotations (quoted words are the customer's)."""
        return [(s, e) for s, e in m.get(f"g:{name}", ()) if not any(t.quoted for t in a.tokens[s:e])]

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
            from .tokens import _morph

            return not _morph().word_is_known(t.lower) or all("Abbr" in g for g in t.grams)
        return True

    def _names(self, a: Analysis, customer_name: str) -> list[Span]:
        parts = [
            p for p in re.findall(r"[^\W\d_]+", customer_name.lower().replace("ё", "е")) if p not in self.titles and len(p) >= 2
        ]
        if not parts:
            return []
        targets = set(parts)
        if self.lexicon.lang == "ru":
            from .tokens import _ru_word

            for p in parts:
                targets |= {lemma for lemma in _ru_word(p)[0]}
        out = []
        for i, t in enumerate(a.tokens):
            # a name is written with a capital: "Вера" is a name, "вера" is faith
            if t.kind == "word" and t.text[:1].isupper() and not t.quoted and (t.lemmas & targets or t.lower in targets):
                out.append((i, i + 1))
        return out

    def _route(self, a: Analysis, m: Matches, hits: list[Span], clauses: dict[int, Span]) -> list[tuple[Span, set[str]]]:
        out = []
        for s, e in hits:
            # the department named in the routing clause; else any named in its sentence
            sentence = a.sentences[a.tokens[s].sentence]
            lo, hi = clauses[a.tokens[s].clause]
            found = {name for name in self.lexicon.departments if self.within(m, f"d:{name}", lo, hi)}
            if not found:
                found = {name for name in self.lexicon.departments if self.within(m, f"d:{name}", sentence.first, sentence.last)}
            if found:
                out.append(((s, e), found))
        return out

    def _percent(self, a: Analysis, m: Matches, hits: list[Span], clauses: dict[int, Span]) -> int | None:
        """The percent stated nearest to a valid offer: in its clause first, then its sentence."""
        tokens = a.tokens

        def percents(lo: int, hi: int) -> list[int]:
            return [
                i
                for i in range(lo, hi)
                if tokens[i].kind == "num"
                and i + 1 < len(tokens)
                and (tokens[i + 1].kind == "sym" or bool(self.within(m, "g:percent_word", i + 1, min(i + 3, len(tokens)))))
            ]

        for s, _ in hits:
            sentence = a.sentences[tokens[s].sentence]
            found = percents(*clauses[tokens[s].clause]) or percents(sentence.first, sentence.last)
            if found:
                nearest = min(found, key=lambda i: abs(i - s))
                return int(float(tokens[nearest].lower.replace(",", ".")))
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
    return Detector(load_lexicon(lang))


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
