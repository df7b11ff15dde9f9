"""The kit as pandas tables, for notebooks and exports (pandas is imported only here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n import gettext, pgettext

if TYPE_CHECKING:
    import pandas as pd

    from ..content.kit import Kit
    from ..content.problems import Problem
    from ..engine.generation import ScenarioInstance

# the column words carry the context "kit table": as headers they may read otherwise than elsewhere
def _rule_columns(lang: str) -> list[str]:
    return [
        "id",
        pgettext(lang, "kit table", "rule"),
        pgettext(lang, "kit table", "category"),
        pgettext(lang, "kit table", "severity"),
        pgettext(lang, "kit table", "weight"),
        pgettext(lang, "kit table", "source"),
        pgettext(lang, "kit table", "clause"),
        pgettext(lang, "kit table", "roles"),
    ]


def _scenario_columns(lang: str) -> list[str]:
    return [
        "id",
        pgettext(lang, "kit table", "kind"),
        pgettext(lang, "kit table", "title"),
        pgettext(lang, "kit table", "role"),
        pgettext(lang, "kit table", "channel"),
        pgettext(lang, "kit table", "difficulty"),
        pgettext(lang, "kit table", "customer turns"),
        pgettext(lang, "kit table", "anger"),
    ]


def rules_table(kit: Kit, lang: str = "ru") -> pd.DataFrame:
    """One row per rule: what it says, how much it weighs and the clause it cites."""
    import pandas as pd

    rows = []
    for rule in kit.rules.values():
        clause = kit.clause(rule.source)
        rows.append(
            [
                rule.id,
                rule.title.get(lang),
                rule.category,
                rule.severity,
                rule.weight,
                rule.source,
                clause.summary.get(lang) if clause else gettext(lang, "common practice"),
                ", ".join(rule.roles),
            ]
        )
    return pd.DataFrame(rows, columns=_rule_columns(lang))


def scenarios_table(kit: Kit, lang: str = "ru") -> pd.DataFrame:
    """One row per scenario script."""
    import pandas as pd

    rows = [
        [s.id, s.kind, s.title.get(lang), s.role, s.channel, s.difficulty, len(s.turns), s.persona.anger]
        for s in sorted(kit.scenarios.values(), key=lambda s: (s.kind, s.id))
    ]
    return pd.DataFrame(rows, columns=_scenario_columns(lang))


def dialogue_table(*instances: ScenarioInstance) -> pd.DataFrame:
    """The turns of one or more instances side by side (e.g. the Russian and English versions)."""
    import pandas as pd

    frame = pd.DataFrame({"turn": [t.id for t in instances[0].turns]})
    for inst in instances:
        frame[f"customer ({inst.lang})"] = [t.customer for t in inst.turns]
        frame[f"model reply ({inst.lang})"] = [t.model_reply for t in inst.turns]
    return frame


def problems_table(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table: the same located messages that 'simkit validate' prints."""
    import pandas as pd

    return pd.DataFrame(
        [[p.path, p.line, p.column, p.code, p.message, p.hint] for p in sorted(problems)],
        columns=["file", "line", "column", "code", "message", "hint"],
    )
