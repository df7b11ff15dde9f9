"""Measure the learned cues on tuning rounds they were not fitted on: leave one round out at a time.

Run from the kit's folder: .venv/bin/python scripts/cv_cues.py [--lang ru|en] [--rounds 10-25] [--sweep]

For each round left out, the cues are fitted as scripts/train_cues.py fits them, on every set it
fits on but that round, and the whole detector (the lexicon, then the cues on what it missed and
on what its patterns found) is measured on the round: recall and precision of rude, dismissive and
blame_customer. The table
gives every round, the mean over rounds and the worst round. With ``--sweep`` it also gives, per
behaviour, the figures at other thresholds, which is how the thresholds of train_cues.py are
chosen: the lowest one that keeps precision at .90 or more on the rounds left out.

Only the tuning rounds are ever left out and measured; the held-out sets are neither read nor
fitted on (train_cues.py does not list them), so their figures stay those of unseen replies.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import train_cues  # noqa: E402

from simkit.language.detection import Detector  # noqa: E402
from simkit.language.evaluation import read_examples  # noqa: E402
from simkit.language.learned import cues_of  # noqa: E402
from simkit.language.lexicon import load_lexicon  # noqa: E402
from simkit.language.tokens import Analysis  # noqa: E402

BEHAVIORS = train_cues.CUE_BEHAVIORS
TARGET = (0.85, 0.90)  # the recall and precision asked of every behaviour on unseen replies
SWEEP = tuple(t / 100 for t in range(50, 100))  # every threshold from 0.50 to 0.99

Fit = Callable[[list[train_cues.Row], str], tuple[list[float], dict[str, list[float]]]]


@dataclass(frozen=True)
class Scored:
    """One reply of a round left out: its labels, what the lexicon alone found, and what the cues
    fitted without the round give each behaviour (None: too few words to judge)."""

    gold: frozenset[str]
    judged: frozenset[str] | None
    lexicon: frozenset[str]
    probabilities: tuple[float, ...] | None
    # per behaviour the lexicon's patterns found, what the cues' veto is weighed against: the
    # highest of the reply's probability and those of the sentences it was found in, read alone
    # (learned.Cues.judge); a behaviour shown by a swear word or a face is not open to it
    contested: dict[str, float] | None = None


def parse_rounds(text: str, lang: str) -> list[int]:
    """'10-19' or '10,12,15' -> the round numbers, each one ``lang`` is fitted on."""
    out: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    for n in out:
        if train_cues.ROUND_PATTERN.format(n=n) not in train_cues.sets_of(lang):
            raise SystemExit(f"round {n} is not among the {lang} tuning rounds of scripts/train_cues.py")
    return out


class _PatternsSeen:
    """Stands in for the cues while the lexicon alone reads a reply: it adds and overrules nothing,
    keeps what the detector offers the cues to overrule (the behaviours its patterns found, with
    their sentences: Detector.findings), and leans to every behaviour, as no cues at all do
    (Detector._reproach_only)."""

    behaviors = BEHAVIORS

    def __init__(self) -> None:
        self.patterned: dict[str, set[int]] = {}

    def judge(self, a: Analysis, found: set[str], patterned: dict[str, set[int]] | None = None) -> tuple[list, list]:
        self.patterned = patterned or {}
        return [], []

    def leans(self, a: Analysis, name: str) -> bool:
        return True


def lexicon_findings(lang: str, path: Path) -> list[tuple[frozenset[str], dict[str, set[int]], Analysis]]:
    """What the lexicon alone finds in each reply of a labelled set; the sentences in which its
    patterns found each behaviour the cues may overrule (learned.Cues.judge); and the reply as the
    detector read it."""
    det = Detector(load_lexicon(lang))
    seen = _PatternsSeen()
    det.cues = seen  # type: ignore[assignment]
    out = []
    for e in read_examples(path):
        if e.lang != lang:
            continue
        found = frozenset(f.behavior for f in det.detect(e.text, e.customer_name))
        out.append((found, seen.patterned, det.read(e.text)[1]))
    return out


def _counted(a: Analysis) -> bool:
    """Whether the cues judge the reply at all: two words or more (learned.Cues.judge)."""
    return sum(1 for t in a.tokens if t.kind == "word" and not t.quoted) >= 2


def _probability(z: float) -> float:
    return 0.0 if z < -30 else 1.0 / (1.0 + math.exp(-z))


def cross_validate(
    lang: str,
    rounds: list[int],
    read: list[train_cues.Reading],
    rows: list[train_cues.Row],
    fit: Fit = train_cues.fit,
) -> dict[int, list[Scored]]:
    """Per round left out, its replies scored by the cues fitted on all else. The rows must be
    those ``train_cues.rows_of`` reads (``fit`` may differ, for trying another fitting)."""
    out = {}
    for n in rounds:
        pattern = train_cues.ROUND_PATTERN.format(n=n)
        held = [i for i, row in enumerate(rows) if row[3] == pattern]
        bias, weights = fit([row for row in rows if row[3] != pattern], lang)
        lexicon = lexicon_findings(lang, ROOT / pattern.format(lang=lang))
        if len(lexicon) != len(held):
            raise SystemExit(f"{pattern}: {len(held)} replies read for the cues, {len(lexicon)} by the lexicon")
        model = cues_of(train_cues.model_of(lang, bias, weights))
        scored = []
        for i, (found, patterned, read_as) in zip(held, lexicon, strict=True):
            _, gold, judged, _ = rows[i]
            a = read[i][0]
            # as the detector reads it (learned.Cues.judge), the model's fast path included
            probabilities = tuple(map(_probability, model.scores(a))) if _counted(a) else None
            contested = None
            if probabilities is not None:
                contested = {}
                for name, sentences in patterned.items():
                    k = BEHAVIORS.index(name)
                    contested[name] = max([probabilities[k], *(model._alone(read_as, s, k) for s in sentences)])
            scored.append(Scored(gold, judged, found, probabilities, contested))
        out[n] = scored
    return out


def figures(scored: list[Scored], k: int, threshold: float, veto: float) -> tuple[float, float]:
    """Recall and precision of behaviour ``k`` of the whole detector on one round: what the lexicon
    found and the cues do not overrule (at or below ``veto``), and what the cues add."""
    behavior = BEHAVIORS[k]
    tp = fp = fn = 0
    for s in scored:
        if s.judged is not None and behavior not in s.judged:
            continue
        p = s.probabilities[k] if s.probabilities is not None else None
        kept = s.contested is None or s.contested.get(behavior, 1.0) > veto
        shown = (behavior in s.lexicon and kept) or (p is not None and p > threshold)
        real = behavior in s.gold
        tp += shown and real
        fp += shown and not real
        fn += real and not shown
    return (tp / (tp + fn) if tp else 0.0), (tp / (tp + fp) if tp else 0.0)


def table(lang: str, by_round: dict[int, list[Scored]], thresholds: Sequence[float]) -> str:
    """Recall / precision per round and behaviour, then the mean and the worst round."""
    head = f"{lang:4} " + " ".join(f"{b:>15}" for b in BEHAVIORS)
    lines = [head + "   (recall / precision)"]
    per: dict[int, list[tuple[float, float]]] = {k: [] for k in range(len(BEHAVIORS))}
    for n, scored in by_round.items():
        cells = []
        for k, t in enumerate(thresholds):
            r, p = figures(scored, k, t, train_cues.VETOES[lang][BEHAVIORS[k]])
            per[k].append((r, p))
            cells.append(f"{r:.2f} / {p:.2f}")
        lines.append(f"r{n:<3} " + " ".join(f"{c:>15}" for c in cells))
    mean = [f"{statistics.mean(r for r, _ in per[k]):.2f} / {statistics.mean(p for _, p in per[k]):.2f}" for k in per]
    worst = [f"{min(r for r, _ in per[k]):.2f} / {min(p for _, p in per[k]):.2f}" for k in per]
    lines.append("mean " + " ".join(f"{c:>15}" for c in mean))
    lines.append("worst" + " ".join(f"{c:>15}" for c in worst) + "   (lowest recall / lowest precision)")
    return "\n".join(lines)


def sweep(lang: str, by_round: dict[int, list[Scored]]) -> str:
    """Per behaviour: the lowest threshold whose mean precision over the rounds is .90 or more, and
    a few around it, each with its mean and worst recall and precision."""
    lines = [f"{lang} thresholds: mean recall / mean precision, worst recall / worst precision"]
    for k, behavior in enumerate(BEHAVIORS):
        rows = []
        veto = train_cues.VETOES[lang][behavior]
        for t in SWEEP:
            rp = [figures(scored, k, t, veto) for scored in by_round.values()]
            r = [x for x, _ in rp]
            p = [y for _, y in rp]
            rows.append((t, statistics.mean(r), statistics.mean(p), min(r), min(p)))
        meeting = [i for i, row in enumerate(rows) if row[2] >= TARGET[1]]
        lowest = meeting[0] if meeting else len(rows) - 1
        for i in range(max(0, lowest - 3), min(len(rows), lowest + 9)):
            t, r_mean, p_mean, r_worst, p_worst = rows[i]
            mark = " <- the lowest with precision >= .90 on average" if meeting and i == lowest else ""
            lines.append(f"  {behavior:15} {t:.2f}: {r_mean:.3f} / {p_mean:.3f}, {r_worst:.2f} / {p_worst:.2f}{mark}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("ru", "en"), action="append")
    parser.add_argument("--rounds", default="10-25", help="tuning rounds to leave out in turn, as 10-19 or 12,15")
    parser.add_argument("--sweep", action="store_true", help="also give the figures at other thresholds")
    args = parser.parse_args()
    for lang in args.lang or ("ru", "en"):
        rounds = parse_rounds(args.rounds, lang)
        start = time.perf_counter()
        read, _ = train_cues.readings(lang)
        by_round = cross_validate(lang, rounds, read, train_cues.rows_of(lang, read))
        print(table(lang, by_round, [train_cues.THRESHOLDS[lang][b] for b in BEHAVIORS]))
        if args.sweep:
            print(sweep(lang, by_round))
        print(f"({time.perf_counter() - start:.0f} s)\n")


if __name__ == "__main__":
    main()
