"""simkit: practice with angry customers, scored against the rules of the job description.

The package imports lightly: the public names below load their modules on first use, so
``import simkit`` costs little and never pulls in Jupyter or pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_kit": "kit",
    "check_kit": "kit",
    "find_root": "kit",
    "Kit": "kit",
    "generate": "generation",
    "generate_many": "generation",
    "ScenarioInstance": "generation",
    "detect": "detection",
    "Finding": "detection",
    "score_reply": "scoring",
    "TurnScore": "scoring",
    "politeness": "politeness",
    "Dialogue": "dialogue",
    "AttemptResult": "dialogue",
    "Problem": "problems",
    "format_problems": "problems",
    "SimkitError": "errors",
    "ContentError": "errors",
    "UnknownScenario": "errors",
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
    "score_reply",
]

if TYPE_CHECKING:
    from .errors import ContentError, SimkitError, UnknownScenario
    from .generation import ScenarioInstance, generate, generate_many
    from .kit import Kit, check_kit, find_root, load_kit
    from .problems import Problem, format_problems


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simkit' has no attribute '{name}'")
