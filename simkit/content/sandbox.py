"""Templates and conditions, run in Jinja2's sandbox with undefined names as errors and bounded cost.

Content never reaches Python's ``eval``: conditions are Jinja2 expressions compiled by the
sandboxed environment, which refuses access to private attributes and unsafe callables. Both
environments start with no globals, so a name is available only when the engine passes it in.

Content may be shared, so what an expression may compute is bounded as well. The operators that
can build something large (``**``, ``*``, ``+``, ``%``) are intercepted: Jinja then neither folds
them into constants while compiling (``10**(10**8)`` used to hang the compiler) nor runs them
unchecked, and each is refused before it would make a number of more than ``MAX_INT_BITS`` bits,
or a text or list of more than ``MAX_ITEMS`` items; ``%`` does not format text. Only the filters
in ``SAFE_FILTERS`` exist, each result checked, and the only calls allowed are to functions the
engine passes in (``gender``). ``expressions.py`` refuses statically what never belongs in
content (loops, macros, assignments, private attributes, deep nesting).
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Iterator
from functools import lru_cache, wraps
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes, pass_eval_context
from jinja2.exceptions import SecurityError, TemplateError, TemplateRuntimeError
from jinja2.filters import FILTERS
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import SimkitError

# Names each kind of condition may use (see docs/content-brief.md).
RULE_WHEN_NAMES = frozenset({"facts", "kind", "channel", "role", "turn", "anger"})
CHECK_WHERE_NAMES = frozenset({"percent", "department", "hours", "value", "facts"})
BRANCH_WHEN_NAMES = frozenset({"anger", "behaviors", "missing", "actions", "failed", "facts", "done", "routed"})
TEMPLATE_BUILTINS = frozenset({"customer", "gender"})
TEMPLATE_CALLABLES = frozenset({"gender"})

# What one template or condition may be and compute. The shipped content stays far below: its
# longest template has 587 characters, its longest condition 196, and no computed value exceeds
# a few dozen characters.
MAX_CONDITION_CHARS = 1_000
MAX_TEMPLATE_CHARS = 5_000
MAX_OUTPUT_CHARS = 20_000  # what one rendered template may come to
MAX_ITEMS = 5_000  # characters of a computed text, items of a computed list
MAX_INT_BITS = 256
MAX_NESTING = 50  # depth of an expression's syntax tree
# Characters of expressions ({{ }}, {% %} and conditions) in one content file, where the shipped
# files hold at most 1,800: Jinja parses about 300 kB of dense expressions a second and compiles a
# quarter as fast, so this keeps checking any one file within a fraction of a second.
MAX_FILE_EXPRESSION_CHARS = 20_000

SAFE_FILTERS = frozenset(
    {
        "abs", "capitalize", "count", "d", "default", "first", "float", "int", "join", "last", "length",
        "list", "lower", "max", "min", "reverse", "round", "sort", "string", "sum", "title", "trim",
        "unique", "upper", "wordcount",
    }
)  # fmt: skip


class LimitError(SecurityError):
    """A computation content may not make: too large a result, or a call it may not make."""


class ExpressionError(ValueError):
    """A condition or template that does not parse; ``lineno`` is 1-based within the source."""

    def __init__(self, message: str, lineno: int = 1) -> None:
        super().__init__(message)
        self.lineno = lineno


class ExpressionLimit(ExpressionError):
    """A condition or template refused for its size or nesting before it is parsed."""


class ConditionError(SimkitError):
    """A condition that failed when evaluated; ``where`` says whose condition it is, once known."""

    def __init__(self, source: str, reason: str, where: str = "", limited: bool = False) -> None:
        super().__init__(source, reason, where)
        self.source, self.reason, self.where = source, reason, where
        self.limited = limited  # it computed more than content may (a LimitError)

    def at(self, where: str) -> ConditionError:
        """The same failure, located (a rule and its file:line)."""
        return ConditionError(self.source, self.reason, where, self.limited)

    def __str__(self) -> str:
        at = f"{self.where}: " if self.where else ""
        return f"{at}the condition \"{self.source}\" failed: {self.reason}; run 'simkit validate' on the kit"


def describe(exc: BaseException) -> str:
    """An exception as a short reason for a problem or an error message."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text if isinstance(exc, TemplateError) else f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def checked(value: Any, what: str = "the result") -> Any:
    """``value``, or LimitError when it is a number, text or list larger than content may compute."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INT_BITS:
            raise LimitError(f"{what} is a number of more than {MAX_INT_BITS} bits")
    elif isinstance(value, (str, list, tuple, dict)) and len(value) > MAX_ITEMS:
        raise LimitError(f"{what} is a text or list of more than {MAX_ITEMS:,} items")
    return value


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def precheck(operator: str, left: Any, right: Any) -> None:
    """LimitError when ``left operator right`` would be larger than content may compute."""
    if operator == "**" and _whole(left) and _whole(right) and right > 0 and abs(left) > 1:
        if right * (abs(left).bit_length() - 1) > MAX_INT_BITS:
            raise LimitError(f"{left} ** {right} would be a number of more than {MAX_INT_BITS} bits")
    elif operator == "*":
        for seq, times in ((left, right), (right, left)):
            size = _size(seq)
            if size is not None and _whole(times) and size * times > MAX_ITEMS:
                raise LimitError(f"repeating a text or list {times} times would make more than {MAX_ITEMS:,} items")
        if _whole(left) and _whole(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
            raise LimitError(f"the product would be a number of more than {MAX_INT_BITS} bits")
    elif operator == "+":
        first, second = _size(left), _size(right)
        if first is not None and second is not None and first + second > MAX_ITEMS:
            raise LimitError(f"joining would make more than {MAX_ITEMS:,} items")
    elif operator == "%" and isinstance(left, str):
        raise LimitError("formatting text with % is not allowed; write the text around {{ }}")


def _checked_filter(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)  # keeps Jinja's pass_* marker, which wraps copies with __dict__
    def run(*args: Any, **kwargs: Any) -> Any:
        return checked(func(*args, **kwargs))

    return run


@pass_eval_context
def _join(eval_ctx: EvalContext, value: Any, d: str = "", attribute: Any = None) -> str:
    # the separator repeats between every two items: 5,000 items and a 5,000-character separator
    # would make 25 million characters, so the size is known before joining
    items = list(value)
    checked(items)
    size = sum(len(str(x)) for x in items) + len(str(d)) * max(len(items) - 1, 0)
    if size > MAX_ITEMS:
        raise LimitError(f"joining would make more than {MAX_ITEMS:,} characters")
    return str(FILTERS["join"](eval_ctx, items, d, attribute))


class _ContentEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with content's limits on operators, calls and filters."""

    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        precheck(operator, left, right)
        return checked(self.binop_table[operator](left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # the engine passes plain functions (gender); methods of texts and lists (ljust, format,
        # center) can build what the operators may not, and content has no use for them
        if isinstance(__obj, Undefined):
            __obj._fail_with_undefined_error()  # "'range' is undefined" says more than "may not be called"
        if type(__obj) is not types.FunctionType:
            raise LimitError(f"{getattr(__obj, '__name__', type(__obj).__name__)}() may not be called in content")
        return checked(__context.call(__obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format stays a method, which ``call`` refuses


def _environment() -> _ContentEnvironment:
    env = _ContentEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals.clear()
    env.filters = {name: _checked_filter(FILTERS[name]) for name in sorted(SAFE_FILTERS)}
    env.filters["join"] = _join
    return env


ENV = _environment()


_TAGS = re.compile(r"\{[{%#].*?(?:[}%#]\}|\Z)", re.S)


def expression_chars(source: str, condition: bool = False) -> int:
    """What a template or condition costs to check: the characters of its expressions."""
    return len(source) if condition else sum(len(tag) for tag in _TAGS.findall(source))


# The parts of nearly every scenario line: {{ fact }}, {{ customer.name }}, {{ gender('...', '...') }}
_PLAIN_PART = re.compile(
    r"""\{\{\s*(?:(?P<name>[a-z_][a-z0-9_]*)|(?P<customer>customer)\.(?:name|gender)|"""
    r"""gender\(\s*(?:'[^'\\]*'\s*,\s*'[^'\\]*'|"[^"\\]*"\s*,\s*"[^"\\]*")\s*\))\s*\}\}"""
)
_KEYWORDS = frozenset({"true", "false", "none", "and", "or", "not", "in", "is", "if", "else"})


def plain_names(source: str) -> set[str] | None:
    """The names a template of only text and plain parts reads, or None when it needs Jinja's parser.

    Checking these without parsing halves the time ``simkit validate`` takes; anything else
    (operators, filters, tags, a keyword such as ``none`` that Jinja reads as a constant) is parsed,
    and so is a template over the length allowed, so that it is refused as it would be when rendered.
    """
    if len(source) > MAX_TEMPLATE_CHARS:
        return None
    names = set()
    for match in _PLAIN_PART.finditer(source):
        if match["name"] in _KEYWORDS:
            return None
        names.add(match["name"] or match["customer"] or "gender")
    rest = _PLAIN_PART.sub("", source)
    return None if "{{" in rest or "{%" in rest or "{#" in rest else names


def _within(source: str, limit: int, what: str) -> None:
    if len(source) > limit:
        raise ExpressionLimit(f"the {what} has {len(source):,} characters; at most {limit:,} are allowed")


def _parse(source: str, what: str) -> nodes.Template:
    """Parse only (compiling is ten times dearer and happens on first use), but still reject
    filters and tests Jinja does not have, which it would otherwise report only when compiling."""
    try:
        ast = ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise ExpressionError(exc.message or "invalid expression", exc.lineno) from None
    except TemplateError as exc:
        raise ExpressionError(str(exc)) from None
    except RecursionError:
        raise ExpressionLimit(f"the {what} nests too deeply (at most {MAX_NESTING} levels)") from None
    except ValueError as exc:  # a number literal longer than Python reads (4,300 digits)
        raise ExpressionLimit(f"the {what} holds a number too long to read ({describe(exc)})") from None
    for node in ast.find_all((nodes.Filter, nodes.Test)):
        table, kind = (FILTERS, "filter") if isinstance(node, nodes.Filter) else (ENV.tests, "test")
        if node.name not in table:
            raise ExpressionError(f"no {kind} named '{node.name}'", node.lineno)
    return ast


def parse_condition(source: str) -> nodes.Template:
    """The AST of a condition, raising ExpressionError with Jinja's message if it does not parse."""
    if "}}" in source or "{%" in source:
        raise ExpressionError("a condition is a bare expression, without {{ }} or {% %}")
    _within(source, MAX_CONDITION_CHARS, "condition")
    return _parse("{{ (" + source + ") }}", "condition")


def parse_template(source: str) -> nodes.Template:
    """The AST of a template, raising ExpressionError if it does not parse."""
    _within(source, MAX_TEMPLATE_CHARS, "template")
    return _parse(source, "template")


def names_used(ast: nodes.Template) -> set[str]:
    """Top-level names a parsed template or condition reads.

    Every name read is a top-level one, because content may not bind names (``expressions.py``
    refuses ``set``, ``for``, ``with`` and macros); this walk costs a tenth of Jinja's own
    (``meta.find_undeclared_variables`` generates the template's code).
    """
    return {node.name for node in ast.find_all(nodes.Name) if node.ctx == "load"}


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
    parse_condition(source)  # the size and nesting limits hold before Jinja compiles anything
    return ENV.compile_expression(source, undefined_to_none=False)


@lru_cache(maxsize=4096)
def compile_template(source: str) -> Any:
    """A compiled template, cached by its source text."""
    return ENV.from_string(parse_template(source))  # compiled from the tree parsed within the limits


def evaluate(source: str, variables: dict[str, Any]) -> bool:
    """Whether the condition holds for these variables; ConditionError when it cannot be decided."""
    try:
        return bool(compile_condition(source)(**variables))
    except Exception as exc:
        raise ConditionError(source, describe(exc), limited=isinstance(exc, (LimitError, ExpressionLimit))) from None


def render(source: str, variables: dict[str, Any]) -> str:
    """The template rendered with these variables (undefined names raise).

    Errors are TemplateError: Jinja's own, LimitError for a computation content may not make, and
    TemplateRuntimeError for anything else the template made fail (a division by zero).
    """
    try:
        text = str(compile_template(source).render(variables))
    except TemplateError:
        raise
    except ExpressionLimit as exc:
        raise LimitError(str(exc)) from None
    except Exception as exc:  # a division by zero, text added to a number, a template that does not parse
        raise TemplateRuntimeError(describe(exc)) from None
    if len(text) > MAX_OUTPUT_CHARS:
        raise LimitError(f"the template renders to more than {MAX_OUTPUT_CHARS:,} characters")
    return text
