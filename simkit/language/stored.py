"""Findings kept beside a stored reply, and the fingerprint that says whether they still hold.

What the detector finds in a reply depends only on the reply's text, its language, the
customer's name and the language layer itself (lexicons, the code that reads them, the
morphological dictionary). A store keeps each reply's findings with the fingerprint of that
layer, so judging stored replies again under a changed rulebook (the common case: a weight, a new
rule) does not read every reply again; a changed lexicon or release changes the fingerprint and
the replies are read afresh.

Detection also reads the customer's name (a reply that uses it), which comes from the scenario
and may change with the content: the name is kept with the findings, and findings kept under
another name are not used. The text form is compact JSON:
``[customer_name, [[behavior, [[start, end], ...], value], ...]]``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .detection import Finding

_LAYER = Path(__file__).resolve().parent
# bumped when the text form below changes
_FORMAT = b"simkit-findings-1"


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A short hash of everything detection depends on: this package's code, lexicons and learned cues, and the
    morphological analyser's release."""
    digest = hashlib.sha256(_FORMAT)
    for path in sorted([*_LAYER.glob("*.py"), *_LAYER.rglob("*.yaml"), *_LAYER.rglob("*.json")]):
        digest.update(path.relative_to(_LAYER).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for package in ("pymorphy3", "pymorphy3-dicts-ru"):
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()[:32]


def encode(findings: Sequence[Finding], customer_name: str | None) -> str:
    """The findings in a reply to ``customer_name`` as the text kept in the store."""
    rows = [[f.behavior, [list(s) for s in f.spans], list(f.value) if isinstance(f.value, tuple) else f.value] for f in findings]
    return json.dumps([customer_name, rows], ensure_ascii=False, separators=(",", ":"))


def decode(text: str, customer_name: str | None) -> tuple[Finding, ...] | None:
    """Findings read back from ``encode``'s text; None when they were found in a reply to another
    customer name, or the text is not of that form (the reply is then read again)."""
    try:
        name, rows = json.loads(text)
        if name != customer_name:
            return None
        return tuple(
            Finding(str(behavior), tuple((int(a), int(b)) for a, b in spans), tuple(value) if isinstance(value, list) else value)
            for behavior, spans, value in rows
        )
    except (ValueError, TypeError):
        return None
