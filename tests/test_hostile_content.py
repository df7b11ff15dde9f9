"""Hostile content cannot hang or exhaust the machine, and what validation accepts does not fail at use.

Each test is named after a finding of the hardening review (content section): huge computations in
templates and conditions, YAML alias bombs and deep nesting, files that are not regular files or
lie outside the kit, byte-order marks, bad bytes and tabs, huge integers and non-finite numbers,
ids with path characters, and conditions that validation let through but that failed when played.
Checks that could hang or eat memory when broken run ``simkit validate`` in a child process with a
timeout and an address-space limit, so a regression fails here instead of stalling the suite.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jinja2.exceptions import SecurityError

from simkit.cli.commands import main
from simkit.content.files import MAX_FILE_BYTES
from simkit.content.kit import check_kit, load_kit
from simkit.content.problems import Problem
from simkit.content.sandbox import ConditionError, evaluate, render
from simkit.content.scenario_model import Action
from simkit.engine.generation import generate
from simkit.engine.scoring import parse_action, score_reply

from .conftest import CliResult

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "scenarios/mini.yaml"
RULES = "rulebook/rules/mini.yaml"
LINE = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[a-z-]+) ", re.M)

# The minikit's lines that the cases below replace, and where they are.
EN_LINE = "Kettle {{ order_no }} leaks."  # scenarios/mini.yaml:23
BRANCH = "anger >= 9 and 'apology' in missing"  # scenarios/mini.yaml:32
RULE_WHEN = "\"'quality_claim' in turn.topics\""  # rulebook/rules/mini.yaml:22
WHERE = "\"department == 'quality'\""  # rulebook/rules/mini.yaml:26


def _edit(kit: Path, rel: str, old: str, new: str) -> None:
    file = kit / rel
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new), encoding="utf-8")


def _line_of(kit: Path, rel: str, needle: str) -> int:
    lines = (kit / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _bounded_validate(kit: Path, seconds: float = 10, memory: int = 1 << 30) -> tuple[int, str, float]:
    """``simkit validate`` in a child process limited in time and address space."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "simkit", "validate", str(kit), "--no-excerpt"],
            capture_output=True,
            text=True,
            timeout=seconds,
            preexec_fn=lambda: _limit_memory(memory),
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"simkit validate took more than {seconds} s")
    took = time.perf_counter() - start
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    return done.returncode, done.stdout + done.stderr, took


def _found(out: str) -> set[tuple[str, str, int]]:
    return {(m["code"], m["path"], int(m["line"])) for m in LINE.finditer(out)}


def _problems(kit: Path) -> list[Problem]:
    loaded, problems = check_kit(kit)
    assert loaded is None, "the kit should not load"
    return problems


def _located(problems: list[Problem], code: str, path: str, line: int | None = None) -> Problem:
    hits = [p for p in problems if p.code == code and p.path == path and (line is None or p.line == line)]
    assert hits, "\n".join(map(str, problems))
    return hits[0]


# 1. Templates and conditions cannot compute without bound ------------------------------------------

HUGE = {
    "power-in-template": (SCENARIO, EN_LINE, "Kettle {{ 10**(10**8) }} leaks.", 23),
    "power-in-branch": (SCENARIO, BRANCH, "anger >= 10**(10**8)", 32),
    "power-in-rule-when": (RULES, RULE_WHEN, '"anger > 10**(10**8)"', 22),
    "power-in-check-where": (RULES, WHERE, '"hours is not none and hours > 7**(10**9)"', 26),
    "product-in-template": (SCENARIO, EN_LINE, "Kettle {{ 'a' * 10**9 }} leaks.", 23),
    "product-in-branch": (SCENARIO, BRANCH, "('ab' * 10**9) in missing", 32),
    "sized-filter": (SCENARIO, EN_LINE, "Kettle {{ order_no|center(1000000000) }} leaks.", 23),
    "percent-format": (SCENARIO, EN_LINE, "Kettle {{ '%0999999999d' % 1 }} leaks.", 23),
    "str-format": (SCENARIO, EN_LINE, "Kettle {{ '{:>999999999}'.format(1) }} leaks.", 23),
    "text-method": (SCENARIO, EN_LINE, "Kettle {{ order_no.ljust(999999999) }} leaks.", 23),
}


@pytest.mark.parametrize("case", sorted(HUGE))
def test_huge_computation_is_refused_in_bounded_time_and_memory(minikit: Path, case: str) -> None:
    rel, old, new, line = HUGE[case]
    _edit(minikit, rel, old, new)
    code, out, took = _bounded_validate(minikit)
    assert code == 1, out
    assert ("expression-limit", rel, line) in _found(out), out
    assert took < 5, f"{took:.1f} s"


@pytest.mark.parametrize(
    "template",
    [
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        "{% for a in 'abcdefghij' %}{% for b in 'abcdefghij' %}x{% endfor %}{% endfor %}",
        "{% set x = 'a' %}{{ x }}",
        "{{ customer.name.upper() }}",
    ],
    ids=["recursive-macro", "loop", "assignment", "method-call"],
)
def test_recursion_loops_and_calls_are_refused(minikit: Path, template: str) -> None:
    _edit(minikit, SCENARIO, EN_LINE, template)
    problem = _located(_problems(minikit), "expression-limit", SCENARIO, 23)
    assert "gender" in problem.hint or "not allowed" in problem.message, problem


def test_deeply_nested_expression_is_a_problem_not_a_traceback(minikit: Path) -> None:
    _edit(minikit, SCENARIO, EN_LINE, "Kettle {{ " + "(" * 3000 + "1" + ")" * 3000 + " }} leaks.")
    _edit(minikit, SCENARIO, BRANCH, "not " * 3000 + "anger")
    problems = _problems(minikit)
    assert {p.line for p in problems if p.code in ("expression-limit", "template-error", "condition-error")} >= {23, 32}


@pytest.mark.alone
def test_limits_hold_at_run_time_for_values_known_only_then() -> None:
    # values from facts are not in the source: the sandbox checks them when it computes
    started = time.perf_counter()
    with pytest.raises(SecurityError):
        render("{{ a ** b }}", {"a": 10, "b": 100_000})
    with pytest.raises(SecurityError):
        render("{{ x * n }}", {"x": "ab", "n": 10_000_000})
    with pytest.raises(SecurityError):
        render("{{ x ~ x ~ x }}{{ (x * 1)|join(x) }}", {"x": "y" * 4000})
    with pytest.raises(ConditionError):
        evaluate("n ** n > 1", {"n": 100_000})
    assert time.perf_counter() - started < 1


def test_ordinary_arithmetic_still_works() -> None:
    assert render("{{ a + b }} {{ a * 3 }} {{ 2 ** 10 }} {{ s * 2 }}", {"a": 2, "b": 3, "s": "ab"}) == "5 6 1024 abab"
    assert evaluate("anger * 2 >= 10 and facts.n % 2 == 0", {"anger": 5, "facts": {"n": 4}})


# 2. YAML cannot expand or nest without bound; files are capped ----------------------------------------

BOMB = "\n".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
)


def test_alias_bomb_is_refused_in_bounded_memory(minikit: Path) -> None:
    _edit(minikit, SCENARIO, "persona:\n", f"bomb:\n  {BOMB.replace(chr(10), chr(10) + '  ')}\npersona:\n")
    code, out, took = _bounded_validate(minikit, memory=1 << 30)
    assert code == 1
    assert any(c == "yaml-limit" and p == SCENARIO for c, p, _ in _found(out)), out
    assert took < 5


def test_aliases_within_the_bound_still_work(minikit: Path) -> None:
    _edit(minikit, SCENARIO, '  order_no: {pattern: "#####"}', '  order_no: &num {pattern: "#####"}\n  other_no: *num')
    kit, problems = check_kit(minikit)
    assert kit is not None, problems
    assert kit.scenarios["mini"].facts["other_no"] == kit.scenarios["mini"].facts["order_no"]


def test_deep_yaml_nesting_is_a_located_problem(minikit: Path) -> None:
    _edit(minikit, SCENARIO, "  anger: 5", "  anger: 5\n  about: " + "[" * 900 + "]" * 900)
    problem = _located(_problems(minikit), "yaml-limit", SCENARIO, 15)
    assert "deep" in problem.message


@pytest.mark.alone
def test_file_over_the_size_cap_is_refused_before_parsing(minikit: Path) -> None:
    file = minikit / SCENARIO
    file.write_text(file.read_text(encoding="utf-8") + ("# padding\n" * (MAX_FILE_BYTES // 10 + 1)), encoding="utf-8")
    started = time.perf_counter()
    problem = _located(_problems(minikit), "file-too-large", SCENARIO, 1)
    assert f"{MAX_FILE_BYTES:,}" in problem.message
    assert time.perf_counter() - started < 2


def test_long_mappings_and_lists_are_refused_without_building_them(minikit: Path) -> None:
    many = ", ".join(f"k{i}: 1" for i in range(6_000))
    _edit(minikit, SCENARIO, "  anger: 5", "  anger: 5\n  about: {" + many + "}")
    problem = _located(_problems(minikit), "yaml-limit", SCENARIO, 15)
    assert "5,000" in problem.message


def test_lists_beyond_the_content_caps_are_located_problems(minikit: Path) -> None:
    # a scenario has at most 50 turns: the 51st and on are refused, not checked one by one
    turns = (minikit / SCENARIO).read_text(encoding="utf-8").split("turns:\n", 1)[1].split("outcomes:")[0]
    extra = "".join(turns.replace("id: opening", f"id: opening{i}").replace("id: second", f"id: second{i}") for i in range(20))
    _edit(minikit, SCENARIO, "turns:\n", "turns:\n" + extra)
    problem = _located(_problems(minikit), "bad-value", SCENARIO)
    assert "50" in problem.message


def test_yaml_errors_are_located_and_named(minikit: Path) -> None:
    line = _line_of(minikit, SCENARIO, "Fine.")
    column = (minikit / SCENARIO).read_text(encoding="utf-8").splitlines()[line - 1].index("Fine.") + 3
    _edit(minikit, SCENARIO, "Fine.", "Fi\x1bne.")
    problem = _located(_problems(minikit), "syntax", SCENARIO, line)
    assert "control character" in problem.message and problem.column == column
    _edit(minikit, SCENARIO, "Fi\x1bne.", "Fine.")
    _edit(minikit, SCENARIO, "  anger: 5", "  anger: *nowhere")
    assert "names no anchor" in _located(_problems(minikit), "syntax", SCENARIO, 14).message
    _edit(minikit, SCENARIO, "  anger: *nowhere", "  anger: !!python/object/apply:os.system [true]")
    assert "not allowed" in _located(_problems(minikit), "syntax", SCENARIO, 14).message


# 3. What validation accepts does not fail at use --------------------------------------------------------

AT_USE = {
    # case: (file, old, new, code, line)
    "recursive-macro": (SCENARIO, EN_LINE, "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "expression-limit", 23),
    "unknown-fact-in-branch": (SCENARIO, BRANCH, "facts.nope > 1", "unknown-fact", 32),
    "unknown-fact-in-rule": (RULES, RULE_WHEN, '"facts.nope > 1"', "condition-fails", 22),
    "number-with-text-in-branch": (SCENARIO, BRANCH, "facts.order_no > 5", "condition-fails", 32),
    "number-with-text-in-rule": (RULES, RULE_WHEN, "\"facts.days is defined and facts.days > 'x'\"", "condition-fails", 22),
    "dunder-in-template": (SCENARIO, EN_LINE, "Kettle {{ customer.__class__ }} leaks.", "expression-limit", 23),
    "dunder-in-condition": (SCENARIO, BRANCH, "facts.__class__ or anger > 9", "expression-limit", 32),
    "division-by-zero": (SCENARIO, EN_LINE, "Kettle {{ days / 0 }} leaks.", "template-fails", 23),
    "text-plus-number": (SCENARIO, EN_LINE, "Kettle {{ order_no + days }} leaks.", "template-fails", 23),
    "date-out-of-range": (SCENARIO, "days: {between: [2, 5]}", "days: {date_offset: [100000000, 100000000]}", "bad-value", 17),
    "param-the-action-does-not-take": (RULES, WHERE, '"percent > 5"', "condition-fails", 26),
    "power-of-a-fact": (SCENARIO, EN_LINE, "Kettle {{ days ** 100000 }} leaks.", "expression-limit", 23),
    # plain text and facts are checked without parsing; over the length allowed, rendering refuses it
    "plain-line-over-the-length": (SCENARIO, EN_LINE, "Kettle {{ days }} " + "leaks " * 834, "expression-limit", 23),
}


@pytest.mark.parametrize("case", sorted(AT_USE))
def test_validation_refuses_what_would_fail_at_use(minikit: Path, case: str) -> None:
    rel, old, new, code, line = AT_USE[case]
    _edit(minikit, rel, old, new)
    problem = _located(_problems(minikit), code, rel, line)
    assert problem.message


def test_rule_condition_failing_at_run_time_names_the_rule_and_its_line(minikit: Path) -> None:
    kit = load_kit(minikit)
    rule = kit.rules["route-claim"]
    # a rulebook of its own: the scorer keeps each rulebook's scopes, and an earlier test may have
    # judged this very turn under the unbroken one
    rules = {**kit.rules, rule.id: rule.model_copy(update={"when": "facts.order_no > 5"})}
    broken = replace(kit, rules=rules, rulebook_hash=kit.rulebook_hash + "-broken")
    instance = generate(kit.scenario("mini"), 1, "en")
    with pytest.raises(ConditionError) as caught:
        score_reply(instance, "opening", "Hello! Sorry.", kit=broken)
    message = str(caught.value)
    assert "route-claim" in message and f"{RULES}:{_line_of(minikit, RULES, 'id: route-claim')}" in message
    assert "facts.order_no > 5" in message


def test_branch_condition_failing_at_run_time_is_an_error_not_a_traceback(minikit: Path) -> None:
    from simkit.engine.dialogue import play_model

    kit = load_kit(minikit)
    scenario = kit.scenario("mini")
    turn = scenario.turns[0]
    branch = turn.branches[0].model_copy(update={"when": "facts.order_no > 5"})
    broken = scenario.model_copy(update={"turns": [turn.model_copy(update={"branches": [branch]}), *scenario.turns[1:]]})
    kit = replace(kit, scenarios={"mini": broken})
    with pytest.raises(ConditionError, match=re.escape("facts.order_no > 5")):
        play_model(generate(broken, 1, "en"), kit)


def test_expressions_beyond_the_file_budget_are_one_located_problem(minikit: Path) -> None:
    from simkit.content.sandbox import MAX_FILE_EXPRESSION_CHARS

    line = "Kettle {{ order_no ~ order_no ~ order_no ~ order_no ~ order_no ~ order_no ~ order_no }} leaks."
    count = MAX_FILE_EXPRESSION_CHARS // 80 + 1
    _edit(minikit, SCENARIO, f'en: ["{EN_LINE}", "I bought a kettle and it leaks."]', "en: " + json.dumps([line] * 10))
    _edit(
        minikit,
        SCENARIO,
        "  - id: second",
        "".join(f"  - id: extra{i}\n" + _EXTRA_TURN.replace("LINE", line) for i in range(count // 20)) + "  - id: second",
    )
    problems = [p for p in _problems(minikit) if p.code == "expression-limit"]
    assert len(problems) == 1 and f"{MAX_FILE_EXPRESSION_CHARS:,}" in problems[0].message


_EXTRA_TURN = """    customer:
      ru: ["LINE", "LINE", "LINE", "LINE", "LINE", "LINE", "LINE", "LINE", "LINE", "LINE"]
      en: ["LINE", "LINE", "LINE", "LINE", "LINE", "LINE", "LINE", "LINE", "LINE", "LINE"]
    actions: [end_conversation]
    expect: [closing]
    model: {ru: "LINE", en: "LINE"}
"""


def test_assumption_analysis_stops_with_a_warning_past_its_trials(
    minikit: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliResult]
) -> None:
    from simkit.content import reactions

    monkeypatch.setattr(reactions, "MAX_TRIALS", 3)
    _edit(minikit, SCENARIO, "    expect: [timeframe]\n", "    expect: [timeframe]\n    assumes: [apology]\n")
    code, out, _ = cli("validate", str(minikit), "--no-excerpt")
    assert code == 0, out
    assert "unmet-assumption warning: what the turns assume was not checked" in out


# 4. Only regular files inside the kit are read -------------------------------------------------------


def test_fifo_under_scenarios_is_refused_without_hanging(minikit: Path) -> None:
    os.mkfifo(minikit / "scenarios" / "pipe.yaml")
    code, out, took = _bounded_validate(minikit, seconds=10)
    assert code == 1 and took < 5
    assert ("not-a-file", "scenarios/pipe.yaml", 1) in _found(out), out


def test_symlink_to_dev_zero_is_refused(minikit: Path) -> None:
    (minikit / "scenarios" / "zero.yaml").symlink_to("/dev/zero")
    code, out, _ = _bounded_validate(minikit, seconds=10, memory=1 << 30)
    assert code == 1
    assert ("not-a-file", "scenarios/zero.yaml", 1) in _found(out), out


def test_symlink_out_of_the_kit_is_refused_and_its_text_not_shown(
    minikit: Path, tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text((minikit / SCENARIO).read_text(encoding="utf-8").replace("id: mini", "id: other\nSECRET-LINE: [") + "\n")
    (minikit / "scenarios" / "other.yaml").symlink_to(outside)
    code, out, _ = cli("validate", str(minikit))
    assert code == 1
    assert ("not-a-file", "scenarios/other.yaml", 1) in _found(out), out
    assert "SECRET-LINE" not in out


def test_symlink_inside_the_kit_is_read(minikit: Path) -> None:
    (minikit / "library").mkdir()
    (minikit / SCENARIO).rename(minikit / "library" / "mini.yaml")
    (minikit / SCENARIO).symlink_to(Path("..") / "library" / "mini.yaml")
    kit, problems = check_kit(minikit)
    assert kit is not None and "mini" in kit.scenarios, problems


# 5. Byte-order marks, bad bytes and tabs -------------------------------------------------------------


def test_bom_is_accepted(minikit: Path) -> None:
    for rel in (SCENARIO, RULES, "rulebook/roles.yaml"):
        file = minikit / rel
        file.write_bytes(b"\xef\xbb\xbf" + file.read_bytes())
    kit, problems = check_kit(minikit)
    assert kit is not None, problems


def test_invalid_utf8_is_located_at_its_line_and_column(minikit: Path) -> None:
    file = minikit / SCENARIO
    lines = file.read_bytes().split(b"\n")
    lines[39] += b"  # caf\xe9"  # Latin-1, not UTF-8
    column = lines[39].index(b"\xe9") + 1
    file.write_bytes(b"\n".join(lines))
    problem = _located(_problems(minikit), "syntax", SCENARIO, 40)
    assert problem.column == column and "UTF-8" in problem.message


def test_tab_is_named(minikit: Path) -> None:
    _edit(minikit, SCENARIO, "  anger: 5", "\tanger: 5")
    problem = _located(_problems(minikit), "syntax", SCENARIO, 14)
    assert "tab" in problem.message


# 6. Huge integers, non-finite numbers and ids with path characters -----------------------------------


def test_5000_digit_integer_in_yaml_is_a_located_problem(minikit: Path) -> None:
    _edit(minikit, SCENARIO, "  anger: 5", "  anger: 5" + "0" * 5000)
    problem = _located(_problems(minikit), "bad-value", SCENARIO, 14)
    assert "digits" in problem.message


def test_5000_digit_integer_in_template_and_condition_is_a_located_problem(minikit: Path) -> None:
    _edit(minikit, SCENARIO, EN_LINE, "Kettle {{ 1" + "0" * 5000 + " }} leaks.")
    _edit(minikit, SCENARIO, BRANCH, "anger > 1" + "0" * 5000)
    problems = _problems(minikit)
    assert {p.line for p in problems if p.path == SCENARIO} >= {23, 32}, problems


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1.0e400"])
def test_non_finite_numbers_are_refused(minikit: Path, value: str) -> None:
    _edit(minikit, RULES, "    weight: 3\n", f"    weight: 3\n    max_reply_seconds: {value}\n")
    _located(_problems(minikit), "bad-value", RULES, 9)


def test_non_finite_seconds_in_a_replies_file_are_refused(tmp_path: Path) -> None:
    from simkit.cli.play import load_replies
    from simkit.errors import ContentError

    replies = tmp_path / "replies.yaml"
    replies.write_text("- text: Hello\n  seconds: .inf\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_replies(replies)
    assert [(p.line, p.code) for p in caught.value.problems] == [(1, "bad-value")]


def test_department_with_path_characters_is_refused(minikit: Path, cli: Callable[..., CliResult]) -> None:
    with pytest.raises(ValueError):
        Action(id="route_department", department="../../etc")
    with pytest.raises(ValueError, match="department"):
        parse_action("route_department:../../etc")
    code, _, err = cli("score", "mini", "--kit", str(minikit), "--action", "route_department:../../etc", "Hello")
    assert code == 2 and "../../etc" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    _edit(minikit, SCENARIO, "department: quality}", "department: ../../etc}")
    assert any(p.line == 30 and p.path == SCENARIO for p in _problems(minikit))


# 7. Generated hostile content: no traceback, bounded time and memory, located messages ----------------

SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
BOMBS = [
    BOMB,
    "x: &a [*a]",
    "x: *nowhere",
    "x: &a {b: &b [*a, *a]}\ny: [*b, *b, *b]",
    "x: !!python/object/apply:os.system ['true']",
    "x: !!binary aGVsbG8=",
    "<<: {id: other}",
]
ODD = ["\ufeff", "\x00", "\x1b[31m", "\u202e", "\t", "\r", "\u2028", "\x85", "😀", "\ufffd", "\\x", "'", '"', "{{", "{%", "}}"]
TEMPLATE_PARTS = [
    "10**(10**8)",
    "'a' * 10**9",
    "days ** days ** days",
    "order_no * 99999",
    "'%0999999999d' % 1",
    "order_no|center(1000000000)",
    "order_no|join(order_no * 5000)",
    "order_no.ljust(10**9)",
    "customer.__class__.__mro__",
    "customer['__init__']",
    "gender(1, 2) * 10**6",
    "lipsum(10**6)",
    "range(10**9)|list",
    "1 / 0",
    "(" * 60 + "1" + ")" * 60,
    "not " * 400 + "1",
    "1" + "0" * 5000,
]
TEMPLATE_TAGS = [
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{% for a in 'abcdefghij' * 1000 %}{% for b in 'abcdefghij' %}x{% endfor %}{% endfor %}",
    "{% set x = 'a' * 10**9 %}{{ x }}",
    "{% include 'x' %}",
    "{{ self.__init__.__globals__ }}",
]


def _deep(n: int, opener: str) -> str:
    closer = {"[": "]", "{": "}"}[opener]
    return (opener + ("a: " if opener == "{" else "")) * n + "1" + closer * n


hostile_scalar = st.one_of(
    st.tuples(st.integers(17, 6000), st.sampled_from("-123456789")).map(lambda t: t[1] + "7" * t[0]),
    st.sampled_from([".inf", "-.inf", ".nan", "1.0e400", "0x10", "0o7", "1_000", "+12:30", "~", "null", "yes"]),
    st.lists(st.sampled_from(ODD) | st.characters(), max_size=20).map(lambda cs: json.dumps("".join(cs))),
    st.lists(st.sampled_from(TEMPLATE_PARTS), min_size=1, max_size=3).map(
        lambda ps: json.dumps(" ".join(f"{{{{ {p} }}}}" for p in ps))
    ),
    st.sampled_from(TEMPLATE_PARTS).map(json.dumps),
    st.sampled_from(TEMPLATE_TAGS).map(json.dumps),
    st.tuples(st.integers(1, 2000), st.sampled_from(["[", "{"])).map(lambda t: _deep(*t)),
)
mutation = st.one_of(
    st.tuples(st.just("expression"), st.integers(0, 10_000), st.sampled_from(TEMPLATE_PARTS + TEMPLATE_TAGS)),
    st.tuples(st.just("value"), st.integers(0, 10_000), hostile_scalar),
    st.tuples(st.just("line"), st.integers(0, 10_000), st.sampled_from(BOMBS) | hostile_scalar.map(lambda v: f"odd_key: {v}")),
    st.tuples(st.just("bytes"), st.integers(0, 10_000), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("tab"), st.integers(0, 10_000), st.just("")),
    st.tuples(st.just("cut"), st.integers(0, 10_000), st.just("")),
)


EXPRESSION_LINE = re.compile(rb"^(\s*(?:- |(?:when|ru|en): ))[\"']")


def _mutate(data: bytes, kind: str, at: int, payload: str | bytes) -> bytes:
    lines = data.split(b"\n")
    i = at % len(lines)
    spots = [n for n, line in enumerate(lines) if EXPRESSION_LINE.match(line)]
    if kind == "expression" and spots:  # a template or condition of the script, made hostile
        n = spots[at % len(spots)]
        prefix = EXPRESSION_LINE.match(lines[n])[1]  # type: ignore[index]
        text = str(payload)
        if not prefix.strip().startswith(b"when") and not text.startswith("{%"):
            text = f"Hello {{{{ {text} }}}} there"
        lines[n] = prefix + json.dumps(text).encode()
    elif kind == "value" and b": " in lines[i]:
        key = lines[i].split(b": ", 1)[0]
        lines[i] = key + b": " + str(payload).encode("utf-8", "surrogatepass")
    elif kind == "line":
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        lines.insert(i, indent + str(payload).replace("\n", "\n" + indent.decode()).encode("utf-8", "surrogatepass"))
    elif kind == "bytes":
        cut = at % (len(data) + 1)
        return data[:cut] + bytes(payload if isinstance(payload, bytes) else b"") + data[cut:]
    elif kind == "tab":
        lines[i] = b"\t" + lines[i].lstrip(b" ")
    elif kind == "cut":
        return data[: at % (len(data) + 1)]
    return b"\n".join(lines)


def _validate_in_child(kit: Path) -> tuple[int, str, float]:
    """``simkit validate`` in a forked child: (exit code, output, CPU seconds); the child's address
    space may grow by 1 GB at most, and it is killed after 20 s."""
    result = kit.parent / "result.json"
    result.unlink(missing_ok=True)
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            pages = int(Path("/proc/self/statm").read_text().split()[0])
            _limit_memory(pages * os.sysconf("SC_PAGE_SIZE") + (1 << 30))
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                code = main(["validate", str(kit), "--no-excerpt"])
            result.write_text(json.dumps([code, out.getvalue()]))
        except BaseException:  # reported to the parent, which fails the test
            result.write_text(json.dumps([99, traceback.format_exc()]))
        os._exit(0)
    deadline = time.monotonic() + 20
    while True:
        done, _, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.wait4(pid, 0)
            pytest.fail("simkit validate ran for more than 20 s")
        time.sleep(0.005)
    code, out = json.loads(result.read_text())
    return code, out, usage.ru_utime + usage.ru_stime


@pytest.fixture(scope="module")
def small_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped rulebook with one scenario slot: each example writes its scenario there."""
    kit = tmp_path_factory.mktemp("hostile") / "kit"
    for folder in ("rulebook", "schemas"):
        shutil.copytree(ROOT / folder, kit / folder)
    (kit / "scenarios").mkdir()
    for scenario in SHIPPED:  # compiled once here, the rules' conditions are shared with every child
        shutil.copy(scenario, kit / "scenarios")
    assert check_kit(kit)[0] is not None
    for scenario in SHIPPED:
        (kit / "scenarios" / scenario.name).unlink()
    return kit


@pytest.mark.alone
@settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", 30)), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SHIPPED), st.lists(mutation, min_size=1, max_size=3))
def test_generated_hostile_content_is_refused_quickly_with_located_messages(
    small_kit: Path, source: Path, mutations: list[tuple[str, int, str | bytes]]
) -> None:
    data = source.read_bytes()
    for kind, at, payload in mutations:
        data = _mutate(data, kind, at, payload)
    target = small_kit / "scenarios" / source.name
    target.write_bytes(data)
    try:
        code, out, cpu = _validate_in_child(small_kit)
    finally:
        target.unlink()
    assert code in (0, 1) and "Traceback" not in out, out[-3000:]
    assert cpu < 2, f"{cpu:.2f} s of CPU"
    rel = f"scenarios/{source.name}"
    lines = out.splitlines()
    assert lines and re.search(r"(ok:|problems?|warnings?) ", lines[-1]), out[-500:]
    located = [m for m in map(LINE.match, lines) if m]
    for found in sorted({m["code"] for m in located}) or ["valid"]:
        event(found)  # what the examples ran into (pytest --hypothesis-show-statistics)
    assert all(int(m["line"]) >= 1 and int(m["col"]) >= 1 for m in located)
    assert all(m["path"] in (rel, "scenarios") or m["path"].startswith("rulebook/") for m in located), out[-2000:]
    if code == 1:  # every problem is located in a file, at a line
        assert located and not [line for line in lines[:-1] if line and not LINE.match(line)], out[-2000:]
