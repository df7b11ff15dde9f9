"""Calibration figures: how far trainers and the scorer agree, rule by rule, and labelled replies for eval-behaviors.

Agreement is measured on (reply, rule) pairs that both raters judged, over the categories pass,
fail and n/a: the share of pairs where they agree, and Cohen's kappa, which discounts the
agreement two raters would reach by chance given how often each uses each category::

    kappa = (p_o - p_e) / (1 - p_e),  p_o = agreed / n,  p_e = sum over k of (rows_k / n) * (columns_k / n)

computed on whole counts as (n * agreed - sum rows_k * columns_k) / (n * n - sum rows_k * columns_k).
Kappa is undefined (NaN, shown "—") when there are no pairs, or when both raters used one and the
same category for every pair (p_e = 1): there is no disagreement that chance would not explain.
The overall figure pools the pairs of every rule into one table (it is not a mean of the rules).
The scorer's label of a pair is its verdict under the chosen rulebook; a reply scored under it
without a row for the rule was judged n/a; a reply not scored under it is left out.

Export for ``simkit eval-behaviors`` (the behaviour-vocabulary JSON Lines of
``simkit.language.evaluation``). Reviews label rules, the format labels behaviours; a rule's mark
tells a behaviour only when the rule's whole check is one behaviour, without a ``where``
condition and without action alternatives:

- a rule that requires behaviour B: pass means B is present, fail means B is absent (for a rule
  that also has a time limit, only pass is used: its fail may be the time);
- a rule that forbids behaviour B: pass means B is absent, fail means B is present;
- n/a tells nothing; every other rule (any_of, actions, conditions on values) is skipped.

A (reply, rule) mark is the latest override if there is one, else the trainers' latest marks when
they all agree (a split is skipped). Two marks that give one behaviour opposite labels are skipped.
A line lists every behaviour present, so behaviours no trainer judged on a reply are filled in as
the scorer's detector finds them. Each line's ``judged`` lists the behaviours a trainer decided, and
``simkit eval-behaviors`` counts only those on that line, so every figure it prints is measured on
human labels alone, and the misses it lists are exactly the trainers' disagreements with the detector.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..content.vocabulary import KINDS
from ..store.judgement import STATUSES, automatic_statuses, describe_replies, latest_overrides, latest_reviews, scored_replies

if TYPE_CHECKING:
    from ..content.kit import Kit
    from ..content.models import Rule
    from ..store.judgement import Source

SCORER = "\x1fscorer"  # the scorer as a rater: no trainer's name can hold a control character
NO_PAIRS, ONE_CATEGORY = "no_pairs", "one_category"
RULE_COLUMNS = ["rule_id", "n", "agreed", "percent", "kappa", "note"]
DISAGREEMENT_COLUMNS = ["reply_id", "rule_id", "first", "second"]


def confusion(pairs: Iterable[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """How many pairs of each (first rater's status, second rater's status)."""
    return Counter(pairs)


def cohen_kappa(counts: Mapping[tuple[str, str], int]) -> float:
    """Cohen's kappa of a confusion table over pass/fail/n/a; NaN when undefined (no pairs, or one category only)."""
    n = sum(counts.values())
    agreed = sum(c for (a, b), c in counts.items() if a == b)
    rows = {k: sum(c for (a, _b), c in counts.items() if a == k) for k in STATUSES}
    columns = {k: sum(c for (_a, b), c in counts.items() if b == k) for k in STATUSES}
    chance = sum(rows[k] * columns[k] for k in STATUSES)
    if n == 0 or n * n == chance:
        return math.nan
    return (n * agreed - chance) / (n * n - chance)


@dataclass(frozen=True)
class Agreement:
    """Agreement over a set of pairs: how many, how many agreed, percent, kappa (NaN when undefined) and why."""

    n: int
    agreed: int
    percent: float
    kappa: float
    note: str  # "", NO_PAIRS or ONE_CATEGORY (kappa undefined)


def agreement(pairs: Iterable[tuple[str, str]]) -> Agreement:
    """Percent agreement and Cohen's kappa of (first, second) status pairs."""
    counts = confusion(pairs)
    n = sum(counts.values())
    agreed = sum(c for (a, b), c in counts.items() if a == b)
    kappa = cohen_kappa(counts)
    note = NO_PAIRS if n == 0 else (ONE_CATEGORY if math.isnan(kappa) else "")
    return Agreement(n, agreed, 100.0 * agreed / n if n else math.nan, kappa, note)


@dataclass(frozen=True)
class Comparison:
    """Two raters compared: per rule, overall, and the pairs where they disagree."""

    first: str
    second: str
    per_rule: pd.DataFrame  # RULE_COLUMNS, one row per rule both judged
    overall: Agreement
    disagreements: pd.DataFrame  # DISAGREEMENT_COLUMNS


def compare(ratings: pd.DataFrame, first: str, second: str) -> Comparison:
    """Agreement of rater ``first`` with ``second`` on the (reply, rule) pairs both rated in ``ratings``.

    ``ratings`` has the columns reply_id, rule_id, rater, status (one row per rater and pair).
    """
    mine = ratings[ratings["rater"] == first][["reply_id", "rule_id", "status"]]
    theirs = ratings[ratings["rater"] == second][["reply_id", "rule_id", "status"]]
    both = mine.merge(theirs, on=["reply_id", "rule_id"], suffixes=("_first", "_second")).sort_values(["rule_id", "reply_id"])
    rows = []
    for rule_id, group in both.groupby("rule_id", sort=True):
        found = agreement(zip(group["status_first"], group["status_second"], strict=True))
        rows.append([rule_id, found.n, found.agreed, found.percent, found.kappa, found.note])
    overall = agreement(zip(both["status_first"], both["status_second"], strict=True))
    apart = both[both["status_first"] != both["status_second"]]
    disagreements = pd.DataFrame(
        {
            "reply_id": apart["reply_id"],
            "rule_id": apart["rule_id"],
            "first": apart["status_first"],
            "second": apart["status_second"],
        },
        columns=DISAGREEMENT_COLUMNS,
    ).reset_index(drop=True)
    return Comparison(first, second, pd.DataFrame(rows, columns=RULE_COLUMNS), overall, disagreements)


def ratings_frame(source: Source, rulebook_hash: str, reviewers: Sequence[str] | None = None) -> pd.DataFrame:
    """The latest marks of trainers (``reviewers``, or all) and the scorer's verdicts on the pairs they marked.

    Columns reply_id, rule_id, rater (a trainer's name, or ``SCORER``), status.
    """
    marks = latest_reviews(source, reviewers=reviewers)
    rows = [(m.reply_id, m.rule_id, m.reviewer, m.status) for m in marks]
    reply_ids = sorted({m.reply_id for m in marks})
    automatic = automatic_statuses(source, reply_ids, rulebook_hash)
    scored = scored_replies(source, reply_ids, rulebook_hash)
    for reply_id, rule_id in sorted({(m.reply_id, m.rule_id) for m in marks}):
        if reply_id in scored:
            rows.append((reply_id, rule_id, SCORER, automatic.get((reply_id, rule_id), "n/a")))
    return pd.DataFrame(rows, columns=["reply_id", "rule_id", "rater", "status"])


def raters(ratings: pd.DataFrame) -> list[str]:
    """The trainers in ``ratings`` (the scorer left out), sorted."""
    return sorted(r for r in set(ratings["rater"]) if r != SCORER)


def calibration(source: Source, rulebook_hash: str, first: str, second: str = SCORER) -> Comparison:
    """Trainer ``first`` compared with the scorer (default) or with trainer ``second``."""
    trainers = [p for p in (first, second) if p != SCORER]
    return compare(ratings_frame(source, rulebook_hash, trainers), first, second)


# --- labelled replies for eval-behaviors -----------------------------------------------------


def behaviour_label(rule: Rule, status: str) -> tuple[str, bool] | None:
    """What a mark of ``rule`` says of one behaviour: (behaviour id, present), or None when it says nothing."""
    checks = [*rule.requires, *rule.forbids]
    if status == "n/a" or len(checks) != 1:
        return None
    check = checks[0]
    if check.behavior is None or check.where is not None:
        return None
    if rule.requires:
        if status == "fail" and rule.max_reply_seconds is not None:
            return None  # a late reply fails the rule whatever it says
        return check.behavior, status == "pass"
    return check.behavior, status == "fail"


def consensus(source: Source, reviewers: Sequence[str] | None = None) -> dict[tuple[str, str], str]:
    """The agreed status per reviewed (reply, rule): the latest override, else the trainers' latest marks when all agree."""
    marks: dict[tuple[str, str], set[str]] = {}
    for mark in latest_reviews(source, reviewers=reviewers):
        marks.setdefault((mark.reply_id, mark.rule_id), set()).add(mark.status)
    overrides = latest_overrides(source, sorted({reply_id for reply_id, _ in marks}))
    out = {pair: next(iter(statuses)) for pair, statuses in marks.items() if len(statuses) == 1}
    out.update({pair: overrides[pair].status for pair in marks if pair in overrides})
    return out


def labelled_examples(source: Source, kit: Kit, reviewers: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The calibrated replies as lines of the behaviour-vocabulary format, oldest reply id first (see the module doc)."""
    from ..language.detection import detect

    labels: dict[str, dict[str, set[bool]]] = {}
    for (reply_id, rule_id), status in sorted(consensus(source, reviewers).items()):
        rule = kit.rules.get(rule_id)
        said = behaviour_label(rule, status) if rule is not None else None
        if said is not None:
            labels.setdefault(reply_id, {}).setdefault(said[0], set()).add(said[1])
    replies = describe_replies(source, kit, sorted(labels))
    out = []
    for reply_id in sorted(labels):
        reply = replies.get(reply_id)
        judged = {b: next(iter(v)) for b, v in labels[reply_id].items() if len(v) == 1}
        if reply is None or not judged or reply.lang not in ("ru", "en"):
            continue
        findings = {f.behavior: f for f in detect(reply.text, reply.lang, reply.customer_name)}
        present = {b for b, yes in judged.items() if yes} | {b for b in findings if b not in judged}
        context: dict[str, Any] = {"customer_message": reply.customer}
        if reply.customer_name:
            context["customer_name"] = reply.customer_name
        if reply.kind in KINDS:
            context["kind"] = reply.kind
        line: dict[str, Any] = {"id": reply_id, "lang": reply.lang, "context": context, "text": reply.text}
        line["behaviors"] = sorted(present)
        values = {
            b: _value(findings[b].value) for b in ("offer_discount", "route_to_department") if b in present and b in findings
        }
        values = {b: v for b, v in values.items() if v is not None}
        if values:
            line["values"] = values
        line["judged"] = sorted(judged)
        line["note"] = "calibration: " + ", ".join(f"{b} {'present' if judged[b] else 'absent'}" for b in sorted(judged))
        out.append(line)
    return out


def _value(value: int | tuple[str, ...] | None) -> int | list[str] | None:
    return list(value) if isinstance(value, tuple) else value


def export_labelled(source: Source, kit: Kit, path: str | Path, reviewers: Sequence[str] | None = None) -> int:
    """Write the calibrated replies to ``path`` as JSON Lines for ``simkit eval-behaviors``; returns how many."""
    lines = labelled_examples(source, kit, reviewers)
    Path(path).write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return len(lines)
