"""How far two labellers of the same replies agree: per behaviour, the second's recall and precision
against the first's labels, and micro-F1 over the behaviours both judged.

Run from the kit's folder:
    .venv/bin/python scripts/agreement.py tests/data/hostile.r31.ru.jsonl tests/data/second-labeller/hostile.r31.ru.labels.jsonl

The first file is a labelled set (its ``behaviors`` and ``judged``); the second gives, per id, the
``behaviors`` another labeller found, without having seen the first's. It says how high a detector
can be expected to reach on such a set: replies on which careful people disagree cap its figures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def read(path: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["id"]: row for row in rows}


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    first, second = read(Path(sys.argv[1])), read(Path(sys.argv[2]))
    if set(first) != set(second):
        raise SystemExit(f"the two files label different replies ({len(set(first) ^ set(second))} ids differ)")
    judged = next(iter(first.values()))["judged"]
    total = [0, 0, 0]
    for behavior in judged:
        tp = fp = fn = 0
        for key, row in first.items():
            a, b = behavior in row["behaviors"], behavior in second[key]["behaviors"]
            tp, fp, fn = tp + (a and b), fp + (b and not a), fn + (a and not b)
        total = [total[0] + tp, total[1] + fp, total[2] + fn]
        recall = tp / (tp + fn) if tp + fn else 1.0
        precision = tp / (tp + fp) if tp + fp else 1.0
        print(f"{behavior:18} recall {recall:.2f}  precision {precision:.2f}  ({tp + fn} in the first, {tp + fp} in the second)")
    tp, fp, fn = total
    print(f"micro-F1 {2 * tp / (2 * tp + fp + fn):.3f} over {len(first)} replies")


if __name__ == "__main__":
    main()
