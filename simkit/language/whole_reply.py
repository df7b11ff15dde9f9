"""The behaviours the detector decides over the whole reply rather than hit by hit.

A phrase pattern says what one stretch of words shows; some behaviours only show in how the
reply hangs together: a sarcasm formula cancels the politeness it imitates, a reply is
dismissive when it deflects and offers nothing anywhere, shouting is a run of capitals, and the
customer's name may appear in any case form. language.detection's Detector reads them with these
methods, after its pattern hits are checked.
"""

from __future__ import annotations

import re
from operator import itemgetter

from .hits import Matches, Span
from .lexicon import Lexicon
from .tokens import Analysis, Token, _morph, quotations

# Behaviours that offer the customer something; a reply with none of them cannot be dismissive
# by deflection alone.
HELPFUL = (
    "next_step",
    "escalate_to_supervisor",
    "route_to_department",
    "register_request",
    "offer_discount",
    "clarifying_question",
)

# Helper groups that the detector's code reads by name.
CODE_GROUPS = (
    "sarcasm",
    "deflect",
    "alternative",
    "stall",
    "percent_word",
    "curt",
    "vocative",
    "familiar",
    "retort",
    "tautology",
    "tautology_end",
)
GROUP_KEYS = {name: f"g:{name}" for name in CODE_GROUPS}
_CAPS = itemgetter(Token._fields.index("is_caps"))
_LEMMAS = itemgetter(Token._fields.index("lemmas"))
_MARKS = re.compile(r"!{2,}")
# Faces that show contempt whatever the words beside them: eye-roll, facepalm, upside-down face,
# clown. On every labelled set, 53 replies hold one and 51 of them are rude; the shrug is not among
# them (5 of its 8 replies are not rude), nor the smiles and winks, which ordinary
# replies use as often as hurtful ones.
_CONTEMPT = re.compile("[\U0001F644\U0001F926\U0001F643\U0001F921]")
_NON_BMP = re.compile("[\U00010000-\U0010FFFF]")


def _hostile_sentences(a: Analysis, hits: dict[str, list[Span]], names: tuple[str, ...] = ("rude", "blame_customer")) -> set[int]:
    """The sentences that blame or mock (or show another of ``names``): what is offered or asked
    in them helps no one."""
    return {a.tokens[s].sentence for name in names for s, _ in hits.get(name, [])}


def _done(t: Token) -> bool:
    """Whether a word reports something already done: a verb only ever read in the past tense
    ("отправили", "внесла", "подключили"), not reflexive ("заказ задержался"). Russian verbs carry
    their tense; English ones carry none here, and "Refund's approved" is a lexicon phrase instead."""
    return bool(t.grams) and not t.lower.endswith(("ся", "сь")) and all("VERB" in g and "past" in g for g in t.grams)


def _done_by_speaker(a: Analysis, i: int) -> bool:
    """Whether word ``i`` may be read as a past-tense verb whose subject, in its clause, is the
    speaker ("я", "мы"): "Заказ я уже перевыставила" reports a fix done, though the lemmatiser,
    not knowing the verb, also guesses it a noun (which _done does not accept)."""
    t = a.tokens[i]
    if not any("VERB" in g and "past" in g for g in t.grams):
        return False
    return any(u.clause == t.clause and any(g >= _SPEAKER for g in u.grams) for u in a.tokens)


_SPEAKER = frozenset({"NPRO", "1per", "nomn"})


class WholeReply:
    """The Detector's readings of the whole reply; the Detector sets the attributes below."""

    lexicon: Lexicon
    negators: frozenset[str]
    acronyms: frozenset[str]
    common_caps: frozenset[str]
    titles: frozenset[str]
    function_words: frozenset[str]
    own_action: frozenset[str]  # words that report the speaker's own action (see _own_action)
    customer_subject: frozenset[str]  # the customer as the subject (see _promises)
    _targets: dict[str, frozenset[str]]  # a customer's name: its words and their lemmas (see _names)

    @staticmethod
    def _group(a: Analysis, m: Matches, name: str) -> list[Span]:
        """Hits of a helper group outside quotations (quoted words are the customer's)."""
        spans = m.get(GROUP_KEYS[name])
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

    def _retorts(self, a: Analysis, m: Matches, clauses: dict[int, Span]) -> list[Span]:
        """Retorts that are a clause of their own (``_alone``); a one-word retort also ends its
        sentence: "Короче." cuts the customer off, "короче, у вас минус" is a filler."""
        return [(s, e) for s, e in self._alone(a, m, clauses, "retort") if e > s + 1 or self._ends_sentence(a, s)]

    @staticmethod
    def _ends_sentence(a: Analysis, i: int) -> bool:
        """Whether token ``i`` is the last of its sentence, or a full stop, "!" or "?" follows it:
        a full stop ends no sentence with no space after it ("шучу.бригада", as in "parusnik.ru")
        or before "№" (language.tokens)."""
        token = a.tokens[i]
        if a.sentences[token.sentence].last == i + 1:
            return True
        return a.text[token.end : token.end + 1] in (".", "!", "?", "…")

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
        hostile = _hostile_sentences(a, hits)
        for name in HELPFUL:
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

    def _promises(self, a: Analysis, hits: dict[str, list[Span]], clauses: dict[int, Span]) -> bool:
        """Whether the reply says when or what the speaker does for the customer.

        Not in a sentence that blames or mocks ("it's throttled until the 1st, simple as"), nor in
        a negated clause: a time at which nothing will happen promises nothing ("До понедельника
        ничего не будет", "no delivery today").
        """
        tokens = a.tokens
        hostile = _hostile_sentences(a, hits)
        for s, _ in hits.get("timeframe", []):
            if tokens[s].sentence in hostile:
                continue
            lo, hi = clauses[tokens[s].clause]
            if not any(t.lower in self.negators for t in tokens[lo:hi]):
                return True
        # what the speaker does or will do, or has done in a sentence with no customer for its
        # subject ("Отправили сегодня", but not "вы указали не тот номер"; see _done)
        theirs = {t.sentence for t in tokens if t.lower in self.customer_subject}
        for i, t in enumerate(tokens):
            done = (t.sentence not in theirs and _done(t)) or _done_by_speaker(a, i)
            if t.sentence in hostile or not (self._own_action(t) or done):
                continue
            if not self._negated(a, i):
                return True
        return False

    def _own_action(self, t: Token) -> bool:
        """Whether a word reports what the speaker does or will do: a verb in the first person
        ("отключаю", "перенесу", "меняем"), or "I've", "we'll" (English verbs carry no person)."""
        if t.lower in self.own_action:
            return True
        return bool(t.grams) and all("1per" in g and "VERB" in g for g in t.grams)

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

        if any(map(_CAPS, a.tokens)):  # most replies have no word in capitals
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
        return out, [m.span() for m in _MARKS.finditer(a.text)] if "!!" in a.text else []

    @staticmethod
    def _contempt(a: Analysis, quotes: bool) -> list[Span]:
        """Character spans of the faces that show contempt (eye-roll, facepalm), outside quotes
        (``quotes`` False says the reply quotes nothing)."""
        text = a.text
        if not _NON_BMP.search(text):  # most replies hold no emoji at all
            return []
        found = [m.span() for m in _CONTEMPT.finditer(text)]
        if found and quotes:
            quoted = quotations(text)
            found = [(s, e) for s, e in found if not any(first <= s < last for first, last in quoted)]
        return found

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
        # a word's lemmas hold its own form (language.tokens): one loop in C finds no name in most replies
        if not targets or all(map(targets.isdisjoint, map(_LEMMAS, a.tokens))):
            return []
        out = []
        for i, t in enumerate(a.tokens):
            # a name is written with a capital: "Вера" is a name, "вера" is faith (asked first:
            # most words have none)
            capital = t.text[:1].isupper() and t.kind == "word" and not t.quoted
            if capital and (t.lower in targets or not targets.isdisjoint(t.lemmas)):
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
