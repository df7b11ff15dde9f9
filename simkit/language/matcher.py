"""The Matcher: many named pattern sets matched over the sentences of an analysed reply in one pass."""

from __future__ import annotations

import re
from functools import cached_property

from .patterns import PatternSet, Slot
from .tokens import Analysis, Token

# A pattern that may match from a token: set name, the slots still to match, how many tokens its
# first slot took, the bits of what its later slots need (see Matcher), whether the rest is a
# plain run of slots (no gaps, nothing optional), which a loop matches without backtracking, and
# the bit of its key need (0 when it needs nothing; see Matcher).
Candidate = tuple[str, tuple[Slot, ...], int, int, bool, int]
Matches = dict[str, list[tuple[int, int]]]
# A word form's cache entry: the bits of the needs it may fill; the candidates that need nothing;
# the bits of the key needs of the others; and those others by their key need's bit.
Entry = tuple[int, tuple[Candidate, ...], int, dict[int, tuple[Candidate, ...]]]


# What a required slot needs some token of the sentence to be: one of these words (lemmas or
# forms), of these kinds, with these capitals, starting so, or with these grammemes.
Need = tuple[frozenset[str], frozenset[str], frozenset[str], tuple[str, ...], tuple[frozenset[str], ...]]


def _need(slot: Slot) -> Need:
    """What a required slot needs: a sentence with no token for it cannot match."""
    return (slot.lemmas | slot.forms, slot.kinds, slot.cased, slot.prefixes, slot.grams)


# sentences whose hits are kept (see Matcher.run): at most this many, of at most this length
_SENTENCES_KEPT = 20_000
_SENTENCE_KEPT_CHARS = 400
_DIGIT = re.compile(r"\d")
# what stands for a number, a clock time or "%" that no pattern tells from another of its kind,
# in the keys of kept sentences (not strings: never equal to a word) and of cached entries (a
# character no token holds)
_STAND_INS = {"num": 0, "time": 1, "sym": 2}
_ENTRY_STAND_INS = {"num": "\0num", "time": "\0time", "sym": "\0sym"}
_CASED = "\0cased:"  # the prefix of the cache key of a word whose case some pattern reads


_KINDS = ("word", "num", "time", "sym")


def _may_fit(slot: Slot, kind: str) -> bool:
    """Whether ``slot`` can match some token of ``kind`` (words and forms may be digits too)."""
    return (
        kind in slot.kinds
        or bool(slot.lemmas or slot.forms or slot.cased or slot.prefixes)
        or (kind == "word" and bool(slot.grams))
    )


def _letterless(text: str) -> bool:
    return not any(c.isalpha() for c in text)


def _linear(slots: tuple[Slot, ...]) -> bool:
    return not any(slot.gap or slot.optional for slot in slots)


def _rarity(need: Need, common: frozenset[str]) -> int:
    """How common a need is likely to be met (lower: rarer), for choosing a candidate's key need.

    Any token of a kind ("*", #num) or with some grammemes is common, and so is a need met by a
    word of most sentences ("the", "your", "вы": ``common``); else a need met by few words is
    likely rarer than one met by many, and a prefix stands for many words. A guess: a poor one
    only leaves more candidates to the full test, never a different result.
    """
    words, kinds, cased, prefixes, grams = need
    if kinds or grams:
        return 1 << 30
    return (len(words & common) << 20) + len(words) + len(cased) + 20 * len(prefixes)


_ONE = 1  # a Python int: compiled, "1 << n" would be a C shift, wrong past 63 bits
_NO_GROUPS: dict[int, tuple[Candidate, ...]] = {}  # shared by every entry with no keyed candidates; never written


def _grouped(mask: int, candidates: list[Candidate]) -> Entry:
    """A cache entry: the candidates that need nothing, and the others grouped by their key need."""
    free: list[Candidate] = []
    keyed: dict[int, list[Candidate]] = {}
    keys = 0
    for candidate in candidates:
        key = candidate[5]
        if key:
            keys |= key
            keyed.setdefault(key, []).append(candidate)
        else:
            free.append(candidate)
    return mask, tuple(free), keys, {bit: tuple(c) for bit, c in keyed.items()}


class Matcher:
    """Many named pattern sets matched in one pass over the tokens.

    For each word form, the patterns whose first slot it satisfies are found once and cached, so
    a reply costs one dictionary lookup per token plus the matching of the rest of the few
    patterns that really start there. Only patterns that may start with a gap or an optional
    slot are tried everywhere.

    A pattern whose later slots fit no token of the sentence cannot match, and most candidates
    fail so. To tell them cheaply, every distinct need of a required slot gets a bit; a token's
    cache entry holds the bits of the needs it may fill, a sentence ORs its tokens' bits, and a
    candidate is tried only when all the bits it needs are among them: one integer operation
    instead of a test per slot.

    Frequent words ("you", "we", "вы", "не") start dozens of patterns each, and even that one
    operation per candidate was most of the matching. So each candidate also has a key need (the
    one likely rarest, see _rarity), and a token's entry groups its candidates by key: one AND of
    the entry's key bits with the sentence's bits finds the few groups worth the full test.
    """

    def __init__(self, sets: dict[str, PatternSet], common: frozenset[str] = frozenset()) -> None:
        # each pattern's candidate is made once; the index lists hold it beside the first slot (and
        # by_word also whether its key is one of that slot's lemmas: a token with that lemma fits)
        self.by_word: dict[str, list[tuple[Slot, Candidate, bool]]] = {}
        self.by_prefix: dict[str, list[tuple[Slot, Candidate]]] = {}
        self.pretest: list[tuple[Slot, Candidate]] = []  # first slot required but not indexable
        self.anywhere: list[Candidate] = []
        self._bits: dict[Need, int] = {}
        # which needs a token may fill, by its words, its kind, its written form, its words'
        # first three letters (for prefixes), and for the rest (short prefixes, grammemes) a list
        self._word_bits: dict[str, int] = {}
        self._kind_bits: dict[str, int] = {}
        self._cased_bits: dict[str, int] = {}
        self._prefix_bits: dict[str, list[tuple[str, int]]] = {}
        self._short_prefix_bits: list[tuple[str, int]] = []
        self._gram_bits: list[tuple[frozenset[str], int]] = []
        self._gram_masks: dict[frozenset[str], int] = {}  # see _gram_mask
        self._common = common  # words of most sentences (see _rarity)
        seen: dict[int, tuple[int, int]] = {}  # see _required
        for name, patterns in sets.items():
            made: dict[int, tuple[Slot, Candidate]] = {}
            for p in patterns.patterns:
                rest = p.slots[1:]
                required, rarest = self._required(rest, seen)
                made[id(p)] = (p.slots[0], (name, rest, 1, required, _linear(rest), rarest))
            for key, listed in patterns.by_word.items():
                self.by_word.setdefault(key, []).extend((*made[id(p)], key in p.slots[0].lemmas) for p in listed)
            for key, listed in patterns.by_prefix.items():
                self.by_prefix.setdefault(key, []).extend(made[id(p)] for p in listed)
            for p in patterns.anywhere:
                first = p.slots[0]
                if first.gap or first.optional:
                    required, rarest = self._required(p.slots, seen)
                    self.anywhere.append((name, p.slots, 0, required, _linear(p.slots), rarest))
                else:
                    self.pretest.append(made[id(p)])
        # A pretested slot that a word fits only by its listed words ("#num|#time|monday|...") is
        # indexed by those words too, so a word is not tested against it: every word new to the
        # caches was (see _entry).
        listed_words = {id(c) for s, c in self.pretest if not (s.cased or s.prefixes or s.grams or "word" in s.kinds)}
        for first, candidate in self.pretest:
            if id(candidate) in listed_words:
                for key in first.lemmas:
                    self.by_word.setdefault(key, []).append((first, candidate, True))
                for key in first.forms:
                    self.by_word.setdefault(key, []).append((first, candidate, False))
        # the pretested patterns a token of each kind may start (most want a number, not a word)
        self._pretest_for = {
            kind: [(s, c) for s, c in self.pretest if _may_fit(s, kind) and not (kind == "word" and id(c) in listed_words)]
            for kind in _KINDS
        }
        # A word's pretests, when they ask only for grammemes ("@VERB+impr") or for any word, pass
        # or fail by its parses alone: what each parse passes is kept (see _pretested).
        words = self._pretest_for["word"]
        self._pretest_by_parse = not any(s.lemmas or s.forms or s.cased or s.prefixes for s, _ in words)
        self._pretest_always = sum(_ONE << k for k, (s, _) in enumerate(words) if "word" in s.kinds)
        self._pretest_parses: dict[frozenset[str], int] = {}
        # the words whose case a slot reads ("==Come off it"), lower-cased: what a word starts and
        # fills is kept by its lower-case form, but for these by its text ("come off it" starts
        # nothing), and never under the lower-case form that _match looks up first
        firsts = [s for listed in self.by_word.values() for s, _, _ in listed]
        firsts += [s for listed in self.by_prefix.values() for s, _ in listed] + [s for s, _ in self.pretest]
        cased = {c for s in firsts for c in s.cased} | self._cased_bits.keys()
        self._cased_lower = frozenset(c.lower().replace("ё", "е") for c in cased)
        # by the token's lower-case form, which decides its kind, lemmas and grammemes too
        self._cache: dict[str, Entry] = {}
        self._sentences: dict[str | tuple[str | int, ...], tuple[tuple[str, int, int], ...]] = {}
        self._sets = sets  # read once more for what tells numbers apart (see _told), when first asked

    def _required(self, slots: tuple[Slot, ...], seen: dict[int, tuple[int, int]]) -> tuple[int, int]:
        """The bits of what ``slots`` need, and the bit of the need likely rarest (the last of
        equals; 0 when none). New needs get new bits (only while building). ``seen`` holds each
        slot object's bit and rarity: patterns share their slots, so most are worked out once."""
        required = key = 0
        best = None
        for slot in slots:
            if slot.gap or slot.optional:
                continue
            found = seen.get(id(slot))
            if found is None:
                need = _need(slot)
                found = seen[id(slot)] = (self._bit(need), _rarity(need, self._common))
            bit, rarity = found
            required |= bit
            if best is None or rarity <= best:
                key, best = bit, rarity
        return required, key

    def _bit(self, need: Need) -> int:
        """The bit of ``need``, a new one when it is new."""
        bit = self._bits.get(need)
        if bit is None:
            bit = self._bits[need] = _ONE << len(self._bits)
            words, kinds, cased, prefixes, grams = need
            for key, table in ((words, self._word_bits), (kinds, self._kind_bits), (cased, self._cased_bits)):
                for word in key:
                    table[word] = table.get(word, 0) | bit
            for prefix in prefixes:
                if len(prefix) >= 3:
                    self._prefix_bits.setdefault(prefix[:3], []).append((prefix, bit))
                else:
                    self._short_prefix_bits.append((prefix, bit))
            self._gram_bits += [(g, bit) for g in grams]
        return bit

    def _mask(self, token: Token, words: frozenset[str]) -> int:
        """The bits of every need that ``token`` may fill (a superset: it only spares work)."""
        mask = self._kind_bits.get(token.kind, 0) | self._cased_bits.get(token.text, 0)
        for w in words:
            mask |= self._word_bits.get(w, 0)
            for prefix, bit in self._prefix_bits.get(w[:3], ()):
                if w.startswith(prefix):
                    mask |= bit
            for prefix, bit in self._short_prefix_bits:
                if w.startswith(prefix):
                    mask |= bit
        if token.grams:
            mask |= self._gram_mask(token.grams)
        return mask

    def _gram_mask(self, parses: tuple[frozenset[str], ...]) -> int:
        """The bits of the grammeme needs some parse fills. Words share their parses' grammemes
        (every unknown noun of a reply, say) far more often than their lists of parses, so what
        each parse fills is kept."""
        found = 0
        known = self._gram_masks
        for parse in parses:
            bits = known.get(parse)
            if bits is None:
                bits = 0
                for grams, bit in self._gram_bits:
                    if grams <= parse:
                        bits |= bit
                if len(known) > 100_000:
                    known.clear()
                known[parse] = bits
            found |= bits
        return found

    def _pretested(self, parses: tuple[frozenset[str], ...]) -> int:
        """Which of a word's pretests (by their place in the list) it passes, when they depend on
        its parses alone (``_pretest_by_parse``)."""
        passed = self._pretest_always
        known = self._pretest_parses
        for parse in parses:
            bits = known.get(parse)
            if bits is None:
                bits = 0
                for k, (slot, _) in enumerate(self._pretest_for["word"]):
                    if any(grams <= parse for grams in slot.grams):
                        bits |= _ONE << k
                if len(known) > 100_000:
                    known.clear()
                known[parse] = bits
            passed |= bits
        return passed

    @cached_property
    def _told(self) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
        """What a number, a clock time or "%" could be told apart by: the words (and capitals
        lower-cased), the capitals and the prefixes of any slot written without letters ("24",
        "100"). A token with none of them passes and fails the very tests every other token of
        its kind does. Worked out when a reply first has a number, not while loading."""
        slots: dict[int, Slot] = {}  # patterns share their slots: each is looked at once
        for patterns in self._sets.values():
            for p in patterns.patterns:
                slots.update(zip(map(id, p.slots), p.slots, strict=True))
        words: set[str] = set()
        cased: set[str] = set()
        prefixes: set[str] = set()
        for slot in slots.values():
            words |= slot.lemmas | slot.forms
            cased |= slot.cased
            prefixes.update(slot.prefixes)
        told_cased = {c for c in cased if _letterless(c)}
        told_words = {w for w in words if _letterless(w)} | {c.lower().replace("ё", "е") for c in told_cased}
        return frozenset(told_words), frozenset(told_cased), tuple(sorted(x for x in prefixes if _letterless(x)))

    def _stands_in(self, token: Token) -> bool:
        """Whether ``token`` is a number, a clock time or "%" that no pattern tells apart from any
        other of its kind (see _told): its slot tests, and so its cache entry and what a sentence
        with it matches, are those of every such token (order numbers and sums, mostly, each new)."""
        if token.kind == "word":
            return False
        words, cased, prefixes = self._told
        return token.lower not in words and token.text not in cased and not token.lower.startswith(prefixes)

    def _entry(self, token: Token) -> Entry:
        key = token.lower if token.lower not in self._cased_lower else _CASED + token.text
        found = self._cache.get(key)
        if found is None and self._stands_in(token):
            key = _ENTRY_STAND_INS[token.kind]  # one entry for them all, not one for each number
            found = self._cache.get(key)
        if found is None:
            lemmas = token.lemmas
            # the lemmas hold the word's own form (language.tokens): most often no new set is made
            words = lemmas if token.lower in lemmas else lemmas | {token.lower}
            mask = self._mask(token, words)
            starts = self._starts(token, words)
            if len(self._cache) > 100_000:
                self._cache.clear()
            found = self._cache[key] = _grouped(mask, starts) if starts else (mask, (), 0, _NO_GROUPS)
        return found

    def _starts(self, token: Token, words: frozenset[str]) -> list[Candidate]:
        """The candidates whose first slot ``token`` fills (``words``: its lemmas and form)."""
        seen: dict[int, Candidate] = {}
        lemmas = token.lemmas
        by_word = self.by_word
        for w in words:
            listed = by_word.get(w)
            if listed is None:  # most words start no pattern
                continue
            for first, candidate, by_lemma in listed:
                if id(candidate) not in seen and ((by_lemma and w in lemmas) or first.test(token)):
                    seen[id(candidate)] = candidate
        by_prefix = self.by_prefix
        for prefix in {w[:3] for w in words}:
            for first, candidate in by_prefix.get(prefix, ()):
                if id(candidate) not in seen and first.test(token):
                    seen[id(candidate)] = candidate
        if token.kind == "word":
            pretests = self._pretest_for["word"]
            if pretests:
                if self._pretest_by_parse:
                    passed = self._pretested(token.grams)
                    tested = [candidate for k, (_, candidate) in enumerate(pretests) if passed >> k & 1]
                else:
                    tested = [candidate for first, candidate in pretests if first.test(token)]
                for candidate in tested:
                    seen.setdefault(id(candidate), candidate)
        else:
            for first, candidate in self._pretest_for.get(token.kind, self.pretest):
                if first.test(token):
                    seen.setdefault(id(candidate), candidate)
        return [*seen.values(), *self.anywhere]

    def run(self, analysis: Analysis) -> Matches:
        """Token spans of every hit, by pattern-set name.

        A set's hits are listed in text order. What a sentence matches depends on its words alone,
        and replies repeat sentences ("Здравствуйте!", "Thank you for waiting."), so the hits of
        each short sentence are kept, keyed by its text; a sentence with numbers in it is keyed
        by its tokens, each number no pattern tells apart standing in for all of its kind, so
        "Ваш заказ 48213 в пути." is matched once for every order number (see _stands_in).
        """
        tokens = analysis.tokens
        text = analysis.text
        out: Matches = {}
        known = self._sentences
        for sentence in analysis.sentences:
            first, last = sentence.first, sentence.last
            # the words from the first to the last: the same characters give the same tokens
            lo, hi = tokens[first].start, tokens[last - 1].end
            key: str | tuple[str | int, ...] = text[lo:hi]
            if _DIGIT.search(text, lo, hi):  # "заказ 48213", "в 14:30": the tokens, numbers standing in
                stands_in = self._stands_in
                key = tuple(t.text if t.kind == "word" or not stands_in(t) else _STAND_INS[t.kind] for t in tokens[first:last])
            hits = known.get(key)
            if hits is None:
                hits = self._match(tokens, first, last)
                if hi - lo <= _SENTENCE_KEPT_CHARS:
                    if len(known) >= _SENTENCES_KEPT:
                        known.clear()
                    known[key] = hits
            for name, start, end in hits:
                out.setdefault(name, []).append((first + start, first + end))
        return out

    def _match(self, tokens: tuple[Token, ...], first: int, last: int) -> tuple[tuple[str, int, int], ...]:
        """The hits in tokens[first:last] (one sentence), as (set name, start, end) from ``first``."""
        get, entry = self._cache.get, self._entry
        return _hits([get(t.lower) or entry(t) for t in tokens[first:last]], tokens, first, last)


def _hits(entries: list[Entry], tokens: tuple[Token, ...], first: int, last: int) -> tuple[tuple[str, int, int], ...]:
    """The hits of the sentence of tokens[first:last], given their cache entries (Matcher._match).

    A function, not a method, so that compiled its token indices are C integers (matcher.pxd):
    it runs for every candidate of every sentence.
    """
    out: list[tuple[str, int, int]] = []
    present = 0
    for e in entries:
        present |= e[0]
    i = first - 1
    for _, free, keys, keyed in entries:
        i += 1
        live = keys & present
        if live:
            candidates = free
            while live:  # the groups whose key need the sentence has, one bit at a time
                low = live & -live
                candidates += keyed[low]
                live ^= low
        elif free:
            candidates = free
        else:
            continue
        # the order of candidates within a token was never fixed (its words are a set): the
        # hits of one set stay in the order of their first token, which is all that is read
        for name, slots, done, required, linear, _ in candidates:
            if not slots:  # a one-word pattern, already tested on this word
                out.append((name, i - first, i - first + done))
                continue
            if required & present != required:
                continue
            if linear:
                j = i + done
                if j + len(slots) > last:
                    continue
                for slot in slots:
                    if not slot.test(tokens[j]):
                        break
                    j += 1
                else:
                    out.append((name, i - first, j - first))
                continue
            end = _match_from(slots, 0, tokens, i + done, last)
            if end > i:  # -1 when they do not match
                out.append((name, i - first, end - first))
    return tuple(out)


def _match_from(slots: tuple[Slot, ...], k: int, tokens: tuple[Token, ...], i: int, end: int) -> int:
    """Index after the last token matched when ``slots[k:]`` match from token ``i``, else -1.

    The slots still to match are told by their index, not sliced off: this recursion runs for
    most candidates of every sentence, and a slice was a new tuple at each step. Compiled, the
    indices are C integers (matcher.pxd); -1 rather than None keeps the result one of them.
    """
    if k == len(slots):
        return i
    slot = slots[k]
    if slot.gap:
        for skip in range(slot.gap + 1):
            if i + skip > end:
                break
            found = _match_from(slots, k + 1, tokens, i + skip, end)
            if found >= 0:
                return found
        return -1
    if i < end and slot.test(tokens[i]):
        found = _match_from(slots, k + 1, tokens, i + 1, end)
        if found >= 0:
            return found
    if slot.optional:
        return _match_from(slots, k + 1, tokens, i, end)
    return -1
