"""What a template or condition may contain, checked on its syntax tree before anything runs.

Content says things and decides between branches; it does not program. A template may hold text,
``{{ expressions }}`` and ``{% if %}``; a condition is one expression. Loops, macros (which can
recurse), assignments, imports and calls other than ``gender(...)`` are refused, as are private
attributes (``__class__``), filters outside ``sandbox.SAFE_FILTERS``, trees nested deeper than
``sandbox.MAX_NESTING``, and constant arithmetic whose result would pass the sandbox's limits
(``10**(10**8)``, ``'a' * 10**9``), which is worked out here with those limits, never in full.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jinja2 import nodes

from .sandbox import ENV, MAX_NESTING, SAFE_FILTERS, LimitError, checked, precheck

# Nodes an expression may hold; anything else is refused with the reason in _REFUSED or a generic one.
_ALLOWED: tuple[type[nodes.Node], ...] = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.If,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Slice,
    nodes.Const,
    nodes.List,
    nodes.Tuple,
    nodes.Dict,
    nodes.Pair,
    nodes.Keyword,
    nodes.CondExpr,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Neg,
    nodes.Pos,
    nodes.Compare,
    nodes.Operand,
    nodes.Concat,
    nodes.BinExpr,
    nodes.Filter,
    nodes.Test,
    nodes.Call,
)
_REFUSED: dict[type[nodes.Node], str] = {
    nodes.Macro: "macros are not allowed in content (they can call themselves without end)",
    nodes.CallBlock: "call blocks are not allowed in content",
    nodes.For: "loops are not allowed in content",
    nodes.Assign: "assignments ({% set %}) are not allowed in content",
    nodes.AssignBlock: "assignments ({% set %}) are not allowed in content",
    nodes.With: "{% with %} is not allowed in content",
    nodes.FilterBlock: "filter blocks are not allowed in content",
    nodes.Include: "includes are not allowed in content",
    nodes.Import: "imports are not allowed in content",
    nodes.FromImport: "imports are not allowed in content",
    nodes.Extends: "template inheritance is not allowed in content",
    nodes.Block: "blocks are not allowed in content",
}
_OPERATORS = {
    nodes.Add: "+",
    nodes.Mul: "*",
    nodes.Pow: "**",
    nodes.Mod: "%",
    nodes.Sub: "-",
    nodes.Div: "/",
    nodes.FloorDiv: "//",
}
_UNKNOWN = object()


class Refusal(ValueError):
    """Why an expression is refused: ``message``, ``hint`` and the 1-based line in its source."""

    def __init__(self, message: str, hint: str, lineno: int) -> None:
        super().__init__(message)
        self.message, self.hint, self.lineno = message, hint, lineno


def refusals(ast: nodes.Template, callables: frozenset[str] = frozenset()) -> Iterator[Refusal]:
    """Each thing in ``ast`` that content may not do; ``callables`` are the names it may call."""
    depth = _depth(ast)
    if depth > MAX_NESTING:
        yield Refusal(f"the expression nests {depth} levels deep; at most {MAX_NESTING} are allowed", "split it up", 1)
        return
    # an operation inside another is worked out with it: only the outermost is reported
    inner = {id(child) for node in ast.find_all(nodes.BinExpr) for child in (node.left, node.right)}
    for node in ast.find_all(nodes.Node):
        line = getattr(node, "lineno", 1) or 1
        if not isinstance(node, _ALLOWED):
            reason = next((why for kind, why in _REFUSED.items() if isinstance(node, kind)), None)
            yield Refusal(reason or f"'{type(node).__name__}' is not allowed in content", _hint(callables), line)
        elif isinstance(node, nodes.Call):
            if not (isinstance(node.node, nodes.Name) and node.node.name in callables) or node.dyn_args or node.dyn_kwargs:
                yield Refusal(
                    "only gender(...) may be called" if callables else "a condition calls nothing", _hint(callables), line
                )
        elif isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            yield Refusal(f"private attribute '{node.attr}' is not allowed", "use a fact or customer.name", line)
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and str(node.arg.value).startswith("_"):
            yield Refusal(f"private item '{node.arg.value}' is not allowed", "use a fact or customer.name", line)
        elif isinstance(node, nodes.Filter) and node.name not in SAFE_FILTERS:
            yield Refusal(
                f"the filter '{node.name}' is not available in content", "available: " + ", ".join(sorted(SAFE_FILTERS)), line
            )
        elif isinstance(node, nodes.Const):
            try:
                checked(node.value, "the constant")
            except LimitError as exc:
                yield Refusal(str(exc), "use a smaller number", line)
        elif isinstance(node, nodes.BinExpr) and id(node) not in inner:
            try:
                _fold(node)
            except LimitError as exc:
                yield Refusal(str(exc), "content computes small numbers and short texts only", line)
            except Exception:
                pass


def _hint(callables: frozenset[str]) -> str:
    if callables:
        return "a template holds text, {{ facts }}, customer.name, gender('...', '...') and {% if %}"
    return "a condition compares names with values: \"anger >= 7 and 'apology' in missing\""


def _depth(ast: nodes.Node) -> int:
    deepest, todo = 0, [(ast, 1)]
    while todo:
        node, depth = todo.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_NESTING:
            todo += [(child, depth + 1) for child in node.iter_child_nodes()]
    return deepest


def _fold(node: nodes.Node) -> Any:
    """The value of a constant (sub)expression, computed only within the limits, or _UNKNOWN."""
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, (nodes.Neg, nodes.Pos)):
        value = _fold(node.node)
        return _UNKNOWN if value is _UNKNOWN else (-value if isinstance(node, nodes.Neg) else +value)
    if isinstance(node, nodes.BinExpr) and type(node) in _OPERATORS:
        left, right = _fold(node.left), _fold(node.right)
        if left is _UNKNOWN or right is _UNKNOWN:
            return _UNKNOWN
        operator = _OPERATORS[type(node)]
        precheck(operator, left, right)
        return checked(ENV.binop_table[operator](left, right))
    return _UNKNOWN


def facts_read(ast: nodes.Template) -> Iterator[str]:
    """Names of the facts a condition reads as ``facts.x`` or ``facts['x']``, except where it only
    asks whether they are defined."""
    tested = {id(t.node) for t in ast.find_all(nodes.Test) if t.name in ("defined", "undefined")}
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        if id(node) in tested or not isinstance(node, (nodes.Getattr, nodes.Getitem)):
            continue
        if not (isinstance(node.node, nodes.Name) and node.node.name == "facts"):
            continue
        if isinstance(node, nodes.Getattr):
            yield node.attr
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            yield node.arg.value
