"""Templates and conditions, run in Jinja2's sandbox with undefined names as errors.

Content never reaches Python's ``eval``: conditions are Jinja2 expressions compiled by the
sandboxed environment, which refuses access to private attributes and unsafe callables. Both
environments start with no globals, so a name is available only when the engine passes it in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import TemplateError
from jinja2.sandbox import SandboxedEnvironment

# Names each kind of condition may use (see docs/content-brief.md).
RULE_WHEN_NAMES = frozenset({"facts", "kind", "channel", "role", "turn", "anger"})
CHECK_WHERE_NAMES = frozenset({"percent", "department", "hours", "value", "facts"})
BRANCH_WHEN_NAMES = frozenset({"anger", "behaviors", "missing", "actions", "failed", "facts", "done", "routed"})
TEMPLATE_BUILTINS = frozenset({"customer", "gender"})


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals.clear()
    return env


ENV = _environment()


class ExpressionError(ValueError):
    """A condition or template that does not parse; ``lineno`` is 1-based within the source."""

    def __init__(self, message: str, lineno: int = 1) -> None:
        super().__init__(message)
        self.lineno = lineno


def _parse(source: str) -> nodes.Template:
    """Parse only (compiling is ten times dearer and happens on first use), but still reject
    unknown filters and tests, which Jinja would otherwise report only when compiling."""
    try:
        ast = ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise ExpressionError(exc.message or "invalid expression", exc.lineno) from None
    except TemplateError as exc:
        raise ExpressionError(str(exc)) from None
    for node in ast.find_all((nodes.Filter, nodes.Test)):
        table, what = (ENV.filters, "filter") if isinstance(node, nodes.Filter) else (ENV.tests, "test")
        if node.name not in table:
            raise ExpressionError(f"no {what} named '{node.name}'", node.lineno)
    return ast


def parse_condition(source: str) -> nodes.Template:
    """The AST of a condition, raising ExpressionError with Jinja's message if it does not parse."""
    if "}}" in source or "{%" in source:
        raise ExpressionError("a condition is a bare expression, without {{ }} or {% %}")
    return _parse("{{ (" + source + ") }}")


def parse_template(source: str) -> nodes.Template:
    """The AST of a template, raising ExpressionError if it does not parse."""
    return _parse(source)


def names_used(ast: nodes.Template) -> set[str]:
    """Top-level names a parsed template or condition reads."""
    return set(meta.find_undeclared_variables(ast))


def membership_tests(ast: nodes.Template) -> Iterator[tuple[str, str]]:
    """Pairs (literal, collection) for every ``'literal' in collection`` or ``not in`` test.

    ``collection`` is a name (``missing``) or a dotted attribute (``turn.topics``); this lets
    validation check the literal against the vocabulary the collection holds.
    """
    for compare in ast.find_all(nodes.Compare):
        if not (isinstance(compare.expr, nodes.Const) and isinstance(compare.expr.value, str)):
            continue
        for operand in compare.ops:
            if operand.op not in ("in", "notin"):
                continue
            target = operand.expr
            if isinstance(target, nodes.Name):
                yield compare.expr.value, target.name
            elif isinstance(target, nodes.Getattr) and isinstance(target.node, nodes.Name):
                yield compare.expr.value, f"{target.node.name}.{target.attr}"


@lru_cache(maxsize=4096)
def compile_condition(source: str) -> Callable[..., Any]:
    """A callable that evaluates the condition over keyword variables."""
    return ENV.compile_expression(source, undefined_to_none=False)


@lru_cache(maxsize=4096)
def compile_template(source: str) -> Any:
    """A compiled template, cached by its source text."""
    return ENV.from_string(source)


def evaluate(source: str, variables: dict[str, Any]) -> bool:
    """Whether the condition holds for these variables."""
    return bool(compile_condition(source)(**variables))


def render(source: str, variables: dict[str, Any]) -> str:
    """The template rendered with these variables (undefined names raise)."""
    return str(compile_template(source).render(variables))
