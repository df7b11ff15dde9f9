"""The kit: every content file loaded, validated and cross-checked together.

A kit root is a folder holding ``scenarios/`` and ``rulebook/``. ``check_kit`` returns every
problem it finds (never only the first), and the kit when all of them are warnings; ``load_kit``
returns the kit or raises ContentError.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from ..errors import ContentError, KitNotFound, UnknownScenario
from . import crossref, trials
from .files import Unreadable, read_bytes, read_text
from .models import Clause, JobDescription, MoodTable, Readiness, Role, RoleFile, Rule, RuleFile
from .problems import Problem
from .scenario_model import Scenario
from .validation import validate_document
from .yamlload import Document, load_yaml

M = TypeVar("M", bound=BaseModel)

# Which JSON Schema each kind of file names in its first line.
SCHEMAS: dict[type[BaseModel], str] = {
    RoleFile: "roles.schema.json",
    JobDescription: "job.schema.json",
    RuleFile: "rules.schema.json",
    MoodTable: "mood.schema.json",
    Readiness: "readiness.schema.json",
    Scenario: "scenario.schema.json",
}
_MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$")


@dataclass(frozen=True)
class Kit:
    """Everything the engine needs, validated; ``rulebook_hash`` identifies the rules' version."""

    root: Path
    jobs: dict[str, JobDescription]
    roles: dict[str, Role]
    rules: dict[str, Rule]
    mood: MoodTable
    readiness: Readiness
    scenarios: dict[str, Scenario]
    rulebook_hash: str
    # rule id -> "file:line" of its id, so an error at run time can say where the rule is written
    locations: dict[str, str] = field(default_factory=dict)
    # (scenario id, turn id, language) -> (file, line, column) of that model reply's text, so a
    # check of what the reply says (engine.review) can point at it
    model_reply_locations: dict[tuple[str, str, str], tuple[str, int, int]] = field(default_factory=dict)

    def scenario(self, scenario_id: str) -> Scenario:
        """The scenario with this id, or UnknownScenario naming the close ones."""
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            raise UnknownScenario(scenario_id, sorted(self.scenarios)) from None

    def clause(self, source: str) -> Clause | None:
        """The clause a rule's ``source`` cites, or None for common practice."""
        job_id, _, section = source.partition("#")
        job = self.jobs.get(job_id)
        return next((c for c in job.clauses if c.section == section), None) if job else None

    def rule_location(self, rule_id: str) -> str:
        """Where the rule is written ("rulebook/rules/x.yaml:12"), or its id when not known."""
        return self.locations.get(rule_id, f"rule {rule_id}")


def find_root(start: str | Path | None = None) -> Path:
    """The kit root: ``start`` or its nearest parent holding scenarios/ and rulebook/.

    Without ``start``: ``SIMKIT_HOME``, then the current folder and its parents, then the folder
    this package was installed from (an editable install of the kit's own repository).
    """
    if start is None and os.environ.get("SIMKIT_HOME"):
        start = os.environ["SIMKIT_HOME"]
    candidates = [Path(start)] if start is not None else [Path.cwd(), Path(__file__).resolve().parents[2]]
    for base in candidates:
        base = base.resolve()
        for folder in (base, *base.parents):
            if (folder / "scenarios").is_dir() and (folder / "rulebook").is_dir():
                return folder
        if start is not None:
            break
    raise KitNotFound(candidates[0])


class _Reader:
    """Reads and validates files under one root, collecting problems."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.docs: dict[str, Document] = {}

    def read(self, file: Path, model: type[M]) -> tuple[M | None, Document | None]:
        rel = file.relative_to(self.root).as_posix()
        text, unreadable = read_text(file, self.root, rel)
        if text is None:
            self.problems += [unreadable] if unreadable else []
            return None, None
        doc, loaded = load_yaml(text, rel)
        self.problems += loaded
        self._check_modeline(rel, text, model)
        if doc is None:
            return None, None
        self.docs[rel] = doc
        value, problems = validate_document(doc, model)
        # a value the loader already refused (a number too long to read) is not reported twice
        refused = {(p.line, p.column) for p in loaded}
        self.problems += [p for p in problems if (p.line, p.column) not in refused]
        if any(p.code in ("bad-value", "yaml-limit") for p in loaded):
            value = None  # built around a value the loader refused: checked no further
        return value, doc

    def require(self, rel: str, model: type[M]) -> tuple[M | None, Document | None]:
        file = self.root / rel
        if not os.path.lexists(file):
            self.problems.append(Problem(rel, 1, 1, "missing-file", "the kit has no such file", f"create {rel}"))
            return None, None
        return self.read(file, model)

    def _check_modeline(self, rel: str, text: str, model: type[BaseModel]) -> None:
        schema = SCHEMAS[model]
        expected = os.path.relpath(self.root / "schemas" / schema, (self.root / rel).parent).replace(os.sep, "/")
        first = text.split("\n", 1)[0]
        match = _MODELINE.match(first)
        if not match or not match.group(1).endswith(schema):
            self.problems.append(
                Problem(
                    rel,
                    1,
                    1,
                    "missing-schema-line",
                    f"the first line must name the {schema} schema",
                    f"make line 1: # yaml-language-server: $schema={expected}",
                )
            )


def _rulebook_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted((root / "rulebook").rglob("*.yaml")):
        try:
            data = read_bytes(file, root)
        except Unreadable:
            continue  # not content (a FIFO, a link out of the kit): the reader reported any it needs
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(data.replace(b"\r\n", b"\n"))
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def check_kit(root: str | Path | None = None) -> tuple[Kit | None, list[Problem]]:
    """Load and check every content file; the kit is None when any problem but a warning was found."""
    base = find_root(root)
    reader = _Reader(base)
    roles_file, roles_doc = reader.require("rulebook/roles.yaml", RoleFile)
    jobs: list[tuple[JobDescription, Document]] = []
    for file in sorted((base / "rulebook" / "jobs").glob("*.yaml")):
        job, doc = reader.read(file, JobDescription)
        if job is not None and doc is not None:
            jobs.append((job, doc))
    rule_files: list[tuple[RuleFile, Document]] = []
    for file in sorted((base / "rulebook" / "rules").glob("*.yaml")):
        rules, doc = reader.read(file, RuleFile)
        if rules is not None and doc is not None:
            rule_files.append((rules, doc))
    mood, mood_doc = reader.require("rulebook/mood.yaml", MoodTable)
    readiness, _ = reader.require("rulebook/readiness.yaml", Readiness)
    scenarios: list[tuple[Scenario, Document]] = []
    for file in sorted((base / "scenarios").glob("*.yaml")):
        scenario, doc = reader.read(file, Scenario)
        if scenario is not None and doc is not None:
            scenarios.append((scenario, doc))
    if not scenarios and not any(p.path.startswith("scenarios/") for p in reader.problems):
        reader.problems.append(
            Problem("scenarios", 1, 1, "missing-file", "the kit has no scenario scripts", "add scenarios/*.yaml")
        )

    refs = crossref.References(
        jobs={j.id: j for j, _ in jobs},
        roles={r.id: r for r in roles_file.roles} if roles_file else None,
        rules={r.id: r for f, _ in rule_files for r in f.rules},
        broken_jobs={
            str(d.data.get("id"))
            for d in reader.docs.values()
            if d.path.startswith("rulebook/jobs/") and isinstance(d.data, dict)
        }
        - {j.id for j, _ in jobs},
        rules_complete=len(rule_files) == len(list((base / "rulebook" / "rules").glob("*.yaml"))),
    )
    problems = reader.problems
    problems += crossref.check_jobs(jobs)
    if roles_file and roles_doc:
        problems += crossref.check_roles(roles_file, roles_doc, refs)
    problems += crossref.check_rules(rule_files, refs)
    if mood and mood_doc:
        problems += crossref.check_mood(mood, mood_doc, refs)
    problems += crossref.check_scenarios(scenarios, refs, mood.hang_up_at if mood else 10)
    # what is otherwise sound is tried on the values it will meet (conditions and templates that
    # would fail when played); a file with problems already would only fail again
    broken = {p.path for p in problems if not p.warning}
    sound = [(s, d) for s, d in scenarios if d.path not in broken]
    problems += trials.try_scenarios(sound, mood.hang_up_at if mood else 10)
    if refs.roles is not None:
        problems += trials.try_rules([(r, d) for r, d in rule_files if d.path not in broken], sound, refs.roles)
    # warnings flag content that may read wrongly; it still loads, and they come back beside the kit
    warnings = sorted({p for p in problems if p.warning})
    if any(not p.warning for p in problems) or roles_file is None or mood is None or readiness is None:
        return None, sorted(set(problems))
    kit = Kit(
        root=base,
        jobs=refs.jobs,
        roles=refs.roles or {},
        rules=refs.rules,
        mood=mood,
        readiness=readiness,
        scenarios={s.id: s for s, _ in scenarios},
        rulebook_hash=_rulebook_hash(base),
        locations={r.id: f"{d.path}:{d.where(('rules', i, 'id'))[0]}" for f, d in rule_files for i, r in enumerate(f.rules)},
        model_reply_locations={
            (s.id, t.id, lang): (d.path, *d.where(("turns", i, "model", lang)))
            for s, d in scenarios
            for i, t in enumerate(s.turns)
            for lang in s.languages
        },
    )
    return kit, warnings


def load_kit(root: str | Path | None = None) -> Kit:
    """The kit at ``root`` (or found from the current folder); ContentError lists all problems."""
    kit, problems = check_kit(root)
    if kit is None:
        raise ContentError(problems, find_root(root))
    return kit
