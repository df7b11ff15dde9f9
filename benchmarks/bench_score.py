"""Budgets of the scorer (PRODUCT.md):

- detect + score one 60-word reply, both languages loaded: median <= 0.5 ms;
- 100,000 replies on 2 cores: <= 30 s, peak memory <= 500 MB (the scoring part of a re-scoring;
  benchmarks/bench_rescore.py times the whole of one, database included);
- loading the lexicons and the lemmatiser: <= 0.3 s;
- >= 20x ConvoKit's politeness strategies on the same English replies, measured by
  ../shared/tools/speed_vs_convokit.py tests/data/behaviors.en.extra.jsonl (detect + politeness).

Run: .venv/bin/python benchmarks/bench_score.py [--replies 100000]
Replies are the shipped scenarios' model replies and customer lines, varied by seed, so the
words are realistic and the lemma cache sees new forms as it would in a session. The scorer
keeps what it has worked out about recent replies (findings of the same text, pattern hits of a
sentence met before, the lexicons compiled on disk): the median is printed as a session sees it
and again with those caches emptied before every reply, the cost of a reply unlike any before.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from typing import Any

from simkit import generate, load_kit
from simkit.engine.scoring import score_reply

BUDGET_REPLY_MS = 0.5
BUDGET_MANY_S = 30.0
BUDGET_MB = 500
BUDGET_LOAD_S = 0.3

LOAD_CODE = (
    "import time; t = time.perf_counter(); "
    "from simkit.language.detection import detector; from simkit.language.tokens import warm_up; "
    "detector('ru'); detector('en'); warm_up('ru'); print(time.perf_counter() - t)"
)


def _workload(count: int, offset: int = 0) -> list[tuple[str, int, str, str, str]]:
    kit = load_kit()
    ids = sorted(kit.scenarios)
    out = []
    k = offset
    while len(out) < count:
        scenario = kit.scenarios[ids[k % len(ids)]]
        lang = "ru" if k % 2 else "en"
        inst = generate(scenario, k, lang)
        for turn in inst.turns:
            text = turn.model_reply if k % 3 else f"{turn.model_reply} {turn.customer}"
            out.append((scenario.id, k, lang, turn.id, text))
        k += 1
    return out[:count]


_KIT: list[Any] = []


def _load_once() -> None:
    _KIT.append(load_kit())  # each worker loads and checks the kit once, as a rescoring job would


def _score_chunk(chunk: list[tuple[str, int, str, str, str]]) -> int:
    kit = _KIT[0]
    instances: dict[tuple[str, int, str], object] = {}
    for sid, seed, lang, turn, text in chunk:
        key = (sid, seed, lang)
        if key not in instances:
            instances[key] = generate(kit.scenarios[sid], seed, lang)
        score_reply(instances[key], turn, text, kit=kit)  # type: ignore[arg-type]
    return len(chunk)


def _forget_replies() -> None:
    """Empty the caches that remember replies and sentences (not the lexicons or the lemmas)."""
    from simkit.language import detection, learned, tokens

    detection._detected.cache_clear()
    tokens._RECENT.clear()
    for lang in ("ru", "en"):
        detection.detector(lang).matcher._sentences.clear()
        detection.detector(lang)._last_read = None
        model = learned.cues(lang)
        if model is not None:
            model.forget_sentences()


def single_reply() -> None:
    kit = load_kit()
    work = _workload(3000)
    instances = {(s, k, lang): generate(kit.scenarios[s], k, lang) for s, k, lang, _, _ in work}
    words = statistics.mean(len(text.split()) for *_, text in work)
    for s, k, lang, turn, text in work[:300]:  # warm both languages and the caches
        score_reply(instances[(s, k, lang)], turn, text, kit=kit)
    print(f"detect + score one reply ({words:.0f} words on average, {len(work)} replies, both languages loaded):")
    for label, forget in (("as a session sees them", False), ("each new to the caches", True)):
        times = []
        for s, k, lang, turn, text in work:
            if forget:
                _forget_replies()
            start = time.perf_counter()
            score_reply(instances[(s, k, lang)], turn, text, kit=kit)
            times.append(time.perf_counter() - start)
        times.sort()
        median, p99 = statistics.median(times) * 1000, times[int(len(times) * 0.99)] * 1000
        verdict = "within" if median <= BUDGET_REPLY_MS else "OVER"
        print(f"  {label}: median {median:.3f} ms (budget {BUDGET_REPLY_MS:g} ms; {verdict}), p99 {p99:.2f} ms")


def many_replies(count: int) -> None:
    work = _workload(count)
    chunks = [work[i : i + 2000] for i in range(0, len(work), 2000)]
    start = time.perf_counter()
    with get_context("fork").Pool(2, initializer=_load_once) as pool:
        done = sum(pool.imap_unordered(_score_chunk, chunks))
    elapsed = time.perf_counter() - start
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    per_100k = elapsed * 100_000 / max(done, 1)
    verdict = "within" if per_100k <= BUDGET_MANY_S and max(peak_self, peak_child) <= BUDGET_MB else "OVER"
    print(f"{done} replies on 2 processes: {elapsed:.1f} s, {done / elapsed:.0f} replies/s")
    print(f"  that is {per_100k:.1f} s for 100,000 (budget {BUDGET_MANY_S:g} s; {verdict})")
    print(f"  peak memory: parent {peak_self:.0f} MB, largest worker {peak_child:.0f} MB (budget {BUDGET_MB} MB)")


def load_time() -> None:
    with tempfile.TemporaryDirectory() as cache:  # a cache folder of its own: the first run compiles
        env = {**os.environ, "SIMKIT_CACHE_DIR": cache}
        runs = []
        for _ in range(6):
            out = subprocess.run([sys.executable, "-c", LOAD_CODE], capture_output=True, text=True, check=True, env=env)
            runs.append(float(out.stdout))
    median = statistics.median(runs[1:])
    verdict = "within" if median <= BUDGET_LOAD_S else "OVER"
    print(f"loading both lexicons and the lemmatiser: median {median:.3f} s (budget {BUDGET_LOAD_S:g} s; {verdict})")
    print(f"  the first load, compiling the lexicons and writing them to the cache: {runs[0]:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=100_000)
    args = parser.parse_args()
    from simkit.engine import scoring
    from simkit.language import detection, matcher
    from simkit.language.freshness import is_compiled

    # setup.py compiles the modules every reply goes through where a C compiler is found; the
    # figures depend on it
    compiled = all(map(is_compiled, (detection, matcher, scoring)))
    print("scoring modules compiled (setup.py):", "yes" if compiled else "NO, plain Python")
    load_time()
    single_reply()
    many_replies(args.replies)


if __name__ == "__main__":
    main()
