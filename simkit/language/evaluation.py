"""Scoring the detector against a labelled set (JSON Lines in the behaviour-vocabulary format).

Per behaviour: precision, recall, F1 and support; over all behaviours: micro-F1; per reply:
exact-set accuracy. Reported per language and overall, so a company can check the scorer on its
own labelled replies before trusting it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..content.vocabulary import BEHAVIORS
from ..errors import SimkitError


class LabelledSetError(SimkitError):
    """A labelled set that cannot be read; names the file and line."""


@dataclass(frozen=True)
class Example:
    """One labelled reply."""

    id: str
    lang: str
    text: str
    customer_name: str | None
    gold: frozenset[str]
    values: dict[str, Any]
    difficulty: str
    # the behaviours a person actually judged on this reply (calibration exports): only these count;
    # None when every behaviour was labelled, as in a hand-labelled set
    judged: frozenset[str] | None = None


def read_examples(path: Path) -> list[Example]:
    """The examples of a JSON Lines file; a malformed line raises with its number."""
    out = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                gold = frozenset(row["behaviors"])
                unknown = gold - set(BEHAVIORS)
                if unknown:
                    raise ValueError(f"unknown behaviour ids {sorted(unknown)}")
                if row["lang"] not in ("ru", "en"):
                    raise ValueError(f"lang must be 'ru' or 'en', not {row['lang']!r}")
                out.append(
                    Example(
                        id=str(row.get("id", f"line-{number}")),
                        lang=row["lang"],
                        text=str(row["text"]),
                        customer_name=(row.get("context") or {}).get("customer_name"),
                        gold=gold,
                        values=row.get("values") or {},
                        difficulty=row.get("difficulty", "plain"),
                        judged=_judged(row),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
                raise LabelledSetError(f"{path}:{number}: {what}") from None
    return out


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp else 0.0
    r = tp / (tp + fn) if tp else 0.0
    return p, r, (2 * p * r / (p + r) if tp else 0.0)


def metrics(pairs: Iterable[tuple[frozenset[str], frozenset[str]]]) -> dict[str, Any]:
    """Micro-F1, exact-set accuracy and per-behaviour figures over (gold, predicted) pairs."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    n = exact = 0
    for gold, pred in pairs:
        n += 1
        exact += gold == pred
        tp.update(gold & pred)
        fp.update(pred - gold)
        fn.update(gold - pred)
    per = {}
    for b in BEHAVIORS:
        if tp[b] or fp[b] or fn[b]:
            p, r, f = _prf(tp[b], fp[b], fn[b])
            per[b] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "support": tp[b] + fn[b]}
    micro = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))[2]
    return {"n": n, "micro_f1": round(micro, 4), "exact": round(exact / n, 4) if n else 0.0, "per_behavior": per}


Predictor = Callable[[str, str, str | None], frozenset[str]]


def _judged(row: dict[str, Any]) -> frozenset[str] | None:
    if "judged" not in row:
        return None
    judged = frozenset(row["judged"])
    unknown = judged - set(BEHAVIORS)
    if unknown:
        raise ValueError(f"unknown behaviour ids in 'judged': {sorted(unknown)}")
    return judged


def _default_predictor(text: str, lang: str, name: str | None) -> frozenset[str]:
    from .detection import detect

    return frozenset(f.behavior for f in detect(text, lang, name))


def evaluate(examples: list[Example], predict: Predictor = _default_predictor) -> dict[str, Any]:
    """Figures per language ('ru', 'en') and over all ('all'), plus the misses per example."""
    predicted = []
    for e in examples:
        found = predict(e.text, e.lang, e.customer_name)
        judged = e.judged
        if judged is not None:  # what nobody judged is neither a hit nor a miss
            e, found = replace(e, gold=e.gold & judged), found & judged
        predicted.append((e, found))
    report: dict[str, Any] = {}
    for lang in ("ru", "en"):
        subset = [(e.gold, p) for e, p in predicted if e.lang == lang]
        if subset:
            report[lang] = metrics(subset)
    report["all"] = metrics((e.gold, p) for e, p in predicted)
    report["errors"] = [
        {"id": e.id, "missing": sorted(e.gold - p), "extra": sorted(p - e.gold)} for e, p in predicted if e.gold != p
    ]
    return report


def format_report(report: dict[str, Any]) -> str:
    """A readable table of the figures."""
    lines = []
    for key in ("ru", "en", "all"):
        if key not in report:
            continue
        r = report[key]
        lines.append(f"[{key}] replies {r['n']}  micro-F1 {r['micro_f1']:.3f}  exact {r['exact']:.3f}")
        for b, m in r["per_behavior"].items():
            lines.append(f"    {b:24} P {m['p']:.2f}  R {m['r']:.2f}  F1 {m['f1']:.2f}  n={m['support']}")
    if report.get("errors"):
        lines.append("misses:")
        for err in report["errors"]:
            lines.append(f"    {err['id']}: missing {err['missing']} extra {err['extra']}")
    return "\n".join(lines)


def load(path: str | Path) -> list[Example]:
    """Read a labelled set, with a clear error for a missing file."""
    file = Path(path)
    if not file.is_file():
        raise LabelledSetError(f"{file}: no such file")
    return read_examples(file)


def as_json(report: dict[str, Any]) -> str:
    """The report as JSON for machines (the misses are left out)."""
    return json.dumps({k: v for k, v in report.items() if k != "errors"}, ensure_ascii=False, indent=2)
