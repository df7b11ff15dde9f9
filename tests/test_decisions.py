"""HR decisions: confirm or overrule the computed verdict, a new row each time, the latest in force."""

from __future__ import annotations

import pytest

from simkit.store.database import Store
from simkit.store.decisions import DecisionError, decision_history, latest_decisions, record_decision


def test_decisions_are_new_rows_and_the_latest_counts(db: str) -> None:
    with Store(db) as store:
        store.add_trainee("Анна", cohort="A")
        store.add_trainee("Борис <b>", cohort="A")
        first = record_decision(store, "Анна", "not_ready", None, "Согласна с расчётом", "Ирина (HR)", "abc123")
        assert (first.decision, first.action, first.who) == ("not_ready", "confirm", "Ирина (HR)")
        second = record_decision(store, "Анна", "not_ready", "ready", "Разобрали ошибки на встрече", "Олег", "abc123")
        assert second.action == "overrule" and second.id > first.id
        record_decision(store, "Борис <b>", "ready", "ready", "ok", "Ирина", "def456")
        history = decision_history(store, "Анна")
        assert [(d.decision, d.who) for d in history] == [("not_ready", "Ирина (HR)"), ("ready", "Олег")]
        assert history[0].created_at.tzinfo is not None and history[0].created_at <= history[1].created_at
        assert history[1].rulebook_hash == "abc123" and history[1].computed == "not_ready"
        latest = latest_decisions(store)
        assert {name: d.decision for name, d in latest.items()} == {"Анна": "ready", "Борис <b>": "ready"}
        assert set(latest_decisions(store, ["Анна"])) == {"Анна"}
        assert latest_decisions(store, ["Никто"]) == {}


@pytest.mark.parametrize(
    ("trainee", "computed", "decision", "reason", "who", "message"),
    [
        ("Анна", "ready", None, "   ", "Ирина", "reason is empty"),
        ("Анна", "ready", None, "ok", "", "name of who decides is empty"),
        ("Анна", "maybe", None, "ok", "Ирина", "not one of"),
        ("Анна", "ready", "promoted", "ok", "Ирина", "not one of"),
        ("Никто", "ready", None, "ok", "Ирина", "no trainee"),
    ],
)
def test_a_decision_without_what_the_file_needs_is_refused(
    db: str, trainee: str, computed: str, decision: str | None, reason: str, who: str, message: str
) -> None:
    with Store(db) as store:
        store.add_trainee("Анна")
        with pytest.raises(DecisionError, match=message):
            record_decision(store, trainee, computed, decision, reason, who, "abc")
        assert decision_history(store, "Анна") == []
