"""Conditions and templates run sandboxed: no escape to Python, undefined names are errors."""

from __future__ import annotations

import pytest
from jinja2.exceptions import UndefinedError

from simkit.content.sandbox import (
    ConditionError,
    ExpressionError,
    evaluate,
    membership_tests,
    names_used,
    parse_condition,
    render,
)


def test_condition_evaluates_over_variables() -> None:
    assert evaluate("anger >= 7 and 'apology' in missing", {"anger": 8, "missing": ["apology"]})
    assert not evaluate("anger >= 7 and 'apology' in missing", {"anger": 8, "missing": []})


def test_missing_fact_can_be_tested_with_defined() -> None:
    assert evaluate("facts.percent is not defined or facts.percent > 5", {"facts": {}})
    assert not evaluate("facts.percent is not defined or facts.percent > 5", {"facts": {"percent": 5}})


@pytest.mark.parametrize(
    "source",
    [
        "().__class__.__bases__[0].__subclasses__()",
        "facts.__class__.__mro__",
        "''.__class__.__mro__[1].__subclasses__()",
    ],
)
def test_attribute_escapes_are_refused(source: str) -> None:
    with pytest.raises(ConditionError, match="unsafe"):
        evaluate(source, {"facts": {}})


def test_no_globals_are_available() -> None:
    ast = parse_condition("range(10) and lipsum() and anger")
    assert names_used(ast) == {"range", "lipsum", "anger"}
    with pytest.raises(ConditionError, match="'range' is undefined"):
        evaluate("range(3)", {})


def test_undefined_template_variable_raises() -> None:
    with pytest.raises(UndefinedError):
        render("Hello {{ nobody }}", {})


def test_bad_condition_raises_expression_error() -> None:
    with pytest.raises(ExpressionError):
        parse_condition("anger >=")


def test_membership_tests_are_found() -> None:
    ast = parse_condition("'apology' not in missing or 'x' in turn.topics or 'y' in 'xyz'")
    assert set(membership_tests(ast)) == {("apology", "missing"), ("x", "turn.topics")}
