"""Budgets of the scorer (issue: scoring; PRODUCT.md):

- detect + score one 60-word reply, both languages loaded: median <= 1 ms, p99 <= 5 ms;
- 100,000 replies on 2 cores: <= 60 s, peak memory <= 500 MB;
- loading the lexicons and the lemmatiser: <= 0.3 s.

Run: .venv/bin/python benchmarks/bench_score.py [--replies 100000]
Replies are the shipped scenarios' model replies and customer lines, varied by seed, so the
words are realistic and the lemma cache sees new forms as it would in a session.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from multiprocessing import get_context
from typing import Any

from simkit import generate, load_kit
from simkit.engine.scoring import score_reply

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


def single_reply() -> None:
    kit = load_kit()
    work = _workload(3000)
    instances = {(s, k, lang): generate(kit.scenarios[s], k, lang) for s, k, lang, _, _ in work}
    words = statistics.mean(len(text.split()) for *_, text in work)
    for s, k, lang, turn, text in work[:300]:  # warm both languages and the caches
        score_reply(instances[(s, k, lang)], turn, text, kit=kit)
    times = []
    for s, k, lang, turn, text in work:
        start = time.perf_counter()
        score_reply(instances[(s, k, lang)], turn, text, kit=kit)
        times.append(time.perf_counter() - start)
    times.sort()
    median, p99 = statistics.median(times) * 1000, times[int(len(times) * 0.99)] * 1000
    print(f"detect + score one reply ({words:.0f} words on average, {len(times)} replies, both languages loaded):")
    print(f"  median {median:.2f} ms (budget 1 ms), p99 {p99:.2f} ms (budget 5 ms)")


def many_replies(count: int) -> None:
    work = _workload(count)
    chunks = [work[i : i + 2000] for i in range(0, len(work), 2000)]
    start = time.perf_counter()
    with get_context("fork").Pool(2, initializer=_load_once) as pool:
        done = sum(pool.imap_unordered(_score_chunk, chunks))
    elapsed = time.perf_counter() - start
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{done} replies on 2 processes: {elapsed:.1f} s (budget 60 s), {done / elapsed:.0f} replies/s")
    print(f"  peak memory: parent {peak_self:.0f} MB, largest worker {peak_child:.0f} MB (budget 500 MB)")


def load_time() -> None:
    runs = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", LOAD_CODE], capture_output=True, text=True, check=True).stdout
        runs.append(float(out))
    print(f"loading both lexicons and the lemmatiser: median {statistics.median(runs):.3f} s (budget 0.3 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=100_000)
    args = parser.parse_args()
    load_time()
    single_reply()
    many_replies(args.replies)


if __name__ == "__main__":
    main()
