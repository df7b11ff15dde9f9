"""simkit: practice with angry customers, scored against the rules of the job description.

The package imports lightly: the public names below load their modules on first use, so
``import simkit`` costs little and never pulls in Jupyter or pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_kit": "content.kit",
    "check_kit": "content.kit",
    "find_root": "content.kit",
    "Kit": "content.kit",
    "generate": "engine.generation",
    "generate_many": "engine.generation",
    "ScenarioInstance": "engine.generation",
    "detect": "language.detection",
    "Finding": "language.detection",
    "score_reply": "engine.scoring",
    "TurnScore": "engine.scoring",
    "politeness": "language.politeness",
    "Dialogue": "engine.dialogue",
    "AttemptResult": "engine.dialogue",
    "Problem": "content.problems",
    "format_problems": "content.problems",
    "SimkitError": "errors",
    "ContentError": "errors",
    "UnknownScenario": "errors",
    "Store": "store.database",
    "readiness": "reports.readiness",
}

__all__ = [
    "AttemptResult",
    "ContentError",
    "Dialogue",
    "Finding",
    "Kit",
    "Problem",
    "ScenarioInstance",
    "SimkitError",
    "Store",
    "TurnScore",
    "UnknownScenario",
    "__version__",
    "check_kit",
    "detect",
    "find_root",
    "format_problems",
    "generate",
    "generate_many",
    "load_kit",
    "politeness",
    "readiness",
    "score_reply",
]

if TYPE_CHECKING:
    from .content.kit import Kit, check_kit, find_root, load_kit
    from .content.problems import Problem, format_problems
    from .engine.generation import ScenarioInstance, generate, generate_many
    from .errors import ContentError, SimkitError, UnknownScenario


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simkit' has no attribute '{name}'")
