"""The authoring notebook's plain-Python side: list, read, check, save, preview content, and a rule change's impact.

An edited text is checked in a throwaway copy of the kit (``check_kit``, the same checks as
``simkit validate``), so nothing on disk changes until it is saved; saving writes the file whole
(a temporary file moved into place) and keeps the previous version beside it as ``<name>.bak``.
Hostile text is stopped before the checks: a file over ``MAX_BYTES``, or YAML whose aliases would
expand past ``MAX_NODES`` nodes (a "billion laughs"), gives a message instead of a hang.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..content.kit import Kit, check_kit
from ..content.problems import Problem
from ..engine.review import review_model_replies
from ..errors import SimkitError

if TYPE_CHECKING:
    from ..engine.dialogue import AttemptResult
    from ..engine.generation import ScenarioInstance
    from ..reports.impact import Impact
    from ..store.database import Store

MAX_BYTES = 256 * 1024  # the largest shipped file is under 30 KB
MAX_NODES = 200_000  # YAML nodes after aliases are expanded
_FOLDERS = ("scenarios", "rulebook/rules", "rulebook/jobs")
_SINGLE = ("rulebook/roles.yaml", "rulebook/mood.yaml", "rulebook/readiness.yaml")
_COPIED = ("rulebook", "scenarios", "schemas")


class AuthoringError(SimkitError):
    """A content file that cannot be opened, checked or saved; the message says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # what the view translates: too-big, alias-bomb, not-content, not-text, unreadable


@dataclass(frozen=True)
class Located:
    """One problem with the offending line and a caret under its column (plain text, not yet escaped)."""

    problem: Problem
    excerpt: str


def content_files(root: Path) -> list[str]:
    """The kit's editable files relative to ``root``: scenarios, rules, jobs, then roles, mood and readiness."""
    found = [f.relative_to(root).as_posix() for folder in _FOLDERS for f in sorted((root / folder).glob("*.yaml"))]
    return found + [rel for rel in _SINGLE if (root / rel).is_file()]


def _resolve(root: Path, rel: str) -> Path:
    if rel not in content_files(root):
        raise AuthoringError("not-content", f"'{rel}' is not one of the kit's content files")
    return root / rel


def read_content(root: Path, rel: str) -> str:
    """The text of one content file (AuthoringError when it is too big or not UTF-8)."""
    file = _resolve(root, rel)
    if file.stat().st_size > MAX_BYTES:
        raise AuthoringError("too-big", f"'{rel}' is larger than {MAX_BYTES // 1024} KB")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise AuthoringError("not-text", f"'{rel}' is not UTF-8 text") from None


def expanded_nodes(text: str, limit: int = MAX_NODES) -> int:
    """How many YAML nodes ``text`` holds once its aliases are expanded (counting stops past ``limit``)."""
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return 0  # a syntax error: the checks locate it
    sizes: dict[int, int] = {}  # by node identity: an alias is the same node again, counted as often as used
    order: list[tuple[yaml.Node, bool]] = [(node, False)] if node is not None else []
    while order:  # iterative post-order: deep nesting must not exhaust the stack
        current, done = order.pop()
        if id(current) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(current, yaml.MappingNode):
            children = [n for pair in current.value for n in pair]
        elif isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        if done:
            sizes[id(current)] = min(limit + 1, 1 + sum(sizes.get(id(c), 0) for c in children))
            continue
        order.append((current, True))
        order.extend((c, False) for c in children if id(c) not in sizes)
    return sizes.get(id(node), 0) if node is not None else 0


def guard(rel: str, text: str) -> None:
    """Refuse text too big to check, or whose aliases expand beyond reason (AuthoringError)."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise AuthoringError("too-big", f"'{rel}' is larger than {MAX_BYTES // 1024} KB")
    if "*" in text and expanded_nodes(text) > MAX_NODES:
        raise AuthoringError("alias-bomb", f"the aliases (*name) in '{rel}' expand to more than {MAX_NODES} values")


class Checked:
    """An edited text checked in a throwaway copy of the kit; ``kit`` is None when there are problems."""

    def __init__(self, root: Path, rel: str, text: str) -> None:
        guard(rel, text)
        _resolve(root, rel)
        self._folder = tempfile.TemporaryDirectory(prefix="simkit-authoring-")
        self.copy = Path(self._folder.name)
        for folder in _COPIED:
            shutil.copytree(root / folder, self.copy / folder, ignore=shutil.ignore_patterns("*.bak"))
        (self.copy / rel).write_text(text, encoding="utf-8")
        try:
            self.kit, problems = check_kit(self.copy)
        except RecursionError:  # nesting deeper than the checks can walk
            raise AuthoringError("too-deep", f"'{rel}' is nested too deeply to check") from None
        if self.kit is not None:  # what the model replies say, as `simkit validate` reads them
            problems = [*problems, *review_model_replies(self.kit)]
        self.problems = [Located(p, p.excerpt(self.copy)) for p in sorted(problems)]

    def close(self) -> None:
        """Remove the throwaway copy."""
        self._folder.cleanup()


def check_text(root: Path, rel: str, text: str) -> Checked:
    """``text`` as the new content of ``rel``, checked with the rest of the kit at ``root``."""
    return Checked(root, rel, text)


def save_content(root: Path, rel: str, text: str) -> Path:
    """Write ``text`` to ``rel`` atomically, keeping the previous version as ``<file>.bak``; returns the backup."""
    file = _resolve(root, rel)
    guard(rel, text)
    backup = file.with_name(file.name + ".bak")
    shutil.copy2(file, backup)
    handle, temporary = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, file)  # readers see the old file or the new one, never half of it
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return backup


@dataclass(frozen=True)
class Variant:
    """One generated variant of a scenario played with its own model replies."""

    instance: ScenarioInstance
    result: AttemptResult


def preview(kit: Kit, scenario_id: str, seed: int, langs: tuple[str, ...] = ("ru", "en")) -> dict[str, Variant]:
    """The scenario's variant for ``seed`` in each language, answered with the model replies."""
    from ..engine.dialogue import play_model
    from ..engine.generation import generate

    scenario = kit.scenario(scenario_id)
    out: dict[str, Variant] = {}
    for lang in langs:
        if lang in scenario.languages:
            instance = generate(scenario, seed, lang)
            out[lang] = Variant(instance, play_model(instance, kit))
    return out


def rule_impact(store: Store, current: Kit, edited: Kit, cohort: str | None = None) -> Impact:
    """What re-scoring the stored replies under ``edited`` would change (nothing is written)."""
    from ..reports.impact import impact

    return impact(store, current, edited, cohort)
