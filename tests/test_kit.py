"""The shipped kit covers what the job descriptions ask for, in both languages."""

from __future__ import annotations

from collections import Counter

import pytest

from simkit.content.kit import Kit
from simkit.content.vocabulary import ACTIONS, BEHAVIORS, CATEGORIES, DEPARTMENTS, KINDS, SEVERITIES

# Every row of the escalation, procedure and etiquette tables of the job-description summary,
# with the sources any one of which a rule covering that row cites.
ROWS = {
    "discount above 5 % goes to the head of department": {"parusnik-client-manager#III.5"},
    "non-standard situation: consult the head": {
        "parusnik-client-manager#III.6",
        "favorit-client-service#IV",
        "client-manager-hu#KAM-2.9",
    },
    "off-topic calls go to the head": {"parusnik-client-manager#III.12"},
    "no decision outside competence without the manager": {"favorit-client-service#IV"},
    "emergency: inform the manager at once": {"favorit-client-service#IV"},
    "threat to life or health reported at once": {"favorit-client-service#XII"},
    "quality claim to the department for its type": {
        "claims-department#sales-manager-duties",
        "claims-department#complaint-bureau",
    },
    "legal disputes to the legal department": {"claims-department#claims-lawsuits"},
    "remarks and wishes passed on promptly": {"parusnik-client-manager#III.13"},
    "every call and order registered": {"parusnik-client-manager#III.8", "claims-department#sales-manager-duties"},
    "order details agreed": {"parusnik-client-manager#III.7", "favorit-client-service#Appendix-3.Q5"},
    "order readiness, payment and delivery told": {"parusnik-client-manager#III.2"},
    "two or three more items offered when taking an order": {"parusnik-client-manager#III.3"},
    "bill explained and not above the agreed amount": {
        "favorit-client-service#Appendix-3.Q9",
        "favorit-client-service#Appendix-3.Q10",
    },
    "deadlines kept": {"favorit-client-service#IV", "favorit-client-service#XV"},
    "returns and refusals recorded": {"client-manager-hu#KAM-2.11"},
    "secrets and personal data kept": {
        "parusnik-client-manager#III.19",
        "favorit-client-service#IV",
        "favorit-client-service#IX",
    },
    "correct reference information": {"parusnik-client-manager#II.2", "parusnik-client-manager#III.11"},
    "extremely polite and considerate": {"favorit-client-service#IV"},
    "friendly and responsive": {
        "favorit-client-service#II",
        "favorit-client-service#Appendix-3.Q11",
        "favorit-client-service#Appendix-3.Q12",
    },
    "answer quickly": {"favorit-client-service#Appendix-3.Q1", "client-manager-hu#qualities"},
    "accuracy, promptness, responsibility": {"parusnik-client-manager#II.5"},
    "etiquette, objections, conflict-free": {
        "client-manager-hu#general-5",
        "client-manager-hu#duties-6",
        "client-manager-hu#duties-10",
        "client-manager-hu#qualities",
    },
    "customer sure the problem will be solved": {"client-manager-hu#main-goal"},
}


def test_rulebook_size_and_spread(kit: Kit) -> None:
    assert len(kit.rules) >= 25
    assert {r.category for r in kit.rules.values()} == set(CATEGORIES)
    assert {r.severity for r in kit.rules.values()} == set(SEVERITIES)
    assert sum(r.source == "common-practice" for r in kit.rules.values()) >= 5


@pytest.mark.parametrize("row", sorted(ROWS))
def test_every_table_row_has_a_rule(kit: Kit, row: str) -> None:
    cited = {r.source for r in kit.rules.values()}
    assert cited & ROWS[row], f"no rule cites any of {sorted(ROWS[row])}"


def test_every_source_resolves_to_a_clause(kit: Kit) -> None:
    for rule in kit.rules.values():
        if rule.source != "common-practice":
            clause = kit.clause(rule.source)
            assert clause is not None, rule.id
            assert clause.summary.ru and clause.summary.en


def test_job_descriptions_are_the_five_sources(kit: Kit) -> None:
    assert set(kit.jobs) == {
        "parusnik-client-manager",
        "favorit-client-service",
        "claims-department",
        "client-relations-roles",
        "client-manager-hu",
    }
    cited = {r.source.partition("#")[0] for r in kit.rules.values()}
    assert cited - {"common-practice"} <= set(kit.jobs)


def test_scenarios_cover_every_kind(kit: Kit) -> None:
    assert len(kit.scenarios) >= 16
    assert {s.kind for s in kit.scenarios.values()} == set(KINDS)


def test_scenarios_have_turns_branches_and_both_languages(kit: Kit) -> None:
    generators: Counter[str] = Counter()
    genders = set()
    for s in kit.scenarios.values():
        assert len(s.turns) >= 3, s.id
        assert set(s.languages) == {"ru", "en"}, s.id
        assert any(t.branches for t in s.turns), s.id
        assert "lost" in s.outcomes, s.id
        for t in s.turns:
            assert len(t.customer.ru) >= 2 and len(t.customer.en) >= 2, (s.id, t.id)
            assert t.model.ru and t.model.en
        for fact in s.facts.values():
            generators.update(k for k in ("pick", "between", "pattern", "date_offset") if getattr(fact, k) is not None)
        genders |= {n.gender for n in s.persona.names}
    assert set(generators) == {"pick", "between", "pattern", "date_offset"}
    assert genders == {"female", "male"}


def test_library_uses_every_role_and_department(kit: Kit) -> None:
    assert {s.role for s in kit.scenarios.values()} == set(kit.roles)
    routed = {a.department for s in kit.scenarios.values() for t in s.turns for a in t.model.actions if a.department}
    assert routed == set(DEPARTMENTS)


def test_action_vocabulary_covers_the_required_choices() -> None:
    required = {
        "escalate_supervisor": None,
        "route_department": "department",
        "offer_discount": "percent",
        "register_request": None,
        "promise_callback": "hours",
        "refuse_disclosure": None,
        "end_conversation": None,
    }
    assert {k: ACTIONS[k] for k in required} == required


def test_mood_table_moves_anger_the_right_way(kit: Kit) -> None:
    mood = kit.mood
    assert set(mood.behaviors) <= set(BEHAVIORS)
    for bad in ("rude", "blame_customer", "calm_down_command", "dismissive"):
        assert mood.behaviors.get(bad, 0) > 0, bad
    for good in ("apology", "empathy"):
        assert mood.behaviors.get(good, 0) < 0, good
    assert mood.severity["critical"] >= mood.severity["major"] >= mood.severity["minor"]


def test_readiness_policy_names_real_kinds(kit: Kit) -> None:
    policy = kit.readiness
    assert set(policy.required_kinds) <= {s.kind for s in kit.scenarios.values()}
    assert policy.min_attempts >= len(policy.required_kinds)
