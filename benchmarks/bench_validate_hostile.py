"""Budget: ``simkit validate`` finishes in under 5 s and 500 MB on any single content file up to the cap.

Run: .venv/bin/python benchmarks/bench_validate_hostile.py [--repeat N] [--only NAME ...]

Each case writes the worst file of its kind that is known (at or near the 1 MiB cap: alias
bombs, deep nesting, many keys, many and long templates and conditions, many rules, many
problems) into a temporary copy of the shipped kit and runs ``simkit validate`` on it in a child
process, with excerpts, as a user would. The child's time is wall-clock and its memory the peak
resident set from ``os.wait4``; it runs under a 4 GB address-space limit and a 120 s timeout, so a
regression shows as OVER instead of taking the machine down. The slowest run per case is printed
with the problems it reported.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from simkit.content.files import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S, BUDGET_MB = 5.0, 500
SCENARIO = "scenarios/late_delivery_fridge.yaml"
RULES = "rulebook/rules/etiquette.yaml"
HEAD = "# yaml-language-server: $schema=../schemas/scenario.schema.json\n"
RULES_HEAD = "# yaml-language-server: $schema=../../schemas/rules.schema.json\n"
CAP = MAX_FILE_BYTES - 1_000  # a little below the cap, so the file is read and parsed


def _shipped(rel: str) -> str:
    return (ROOT / rel).read_text(encoding="utf-8")


def _fill(head: str, unit: Callable[[int], str], tail: str = "") -> str:
    """``head``, then ``unit(0)``, ``unit(1)``, ... while the whole stays within CAP (or a unit is empty)."""
    parts, size, i = [head], len(head.encode()) + len(tail.encode()), 0
    while True:
        piece = unit(i)
        if not piece or size + len(piece.encode()) > CAP:
            return "".join(parts) + tail
        parts.append(piece)
        size += len(piece.encode())
        i += 1


def _turn(i: int, customer: list[str], model: str, branches: list[str], assumes: str = "") -> str:
    lines = "".join(f"        - {c!r}\n" for c in customer)
    out = (
        f"  - id: t{i}\n    topics: [complaint]\n    customer:\n      ru:\n{lines}      en:\n{lines}"
        f"    actions: [route_department, escalate_supervisor]\n    expect: [apology]\n"
        f"    model:\n      ru: {model!r}\n      en: {model!r}\n"
    )
    if assumes:
        out += f"    assumes: [{assumes}]\n"
    if branches:
        out += "    branches:\n" + "".join(f"      - when: {b!r}\n        goto: t{i + 1}\n" for b in branches)
    return out


def _scenario(turns: Callable[[int], str], count: int) -> str:
    """A scenario of ``count`` turns made by ``turns`` and a closing turn."""
    head = (
        HEAD + "id: hostile\nkind: late_delivery\ntitle: {ru: Т, en: T}\nsummary: {ru: С, en: S}\nrole: client_manager\n"
        "channel: phone\ndifficulty: 1\nlanguages: [ru, en]\npersona:\n  names:\n    - {ru: Анна, en: Anna, gender: female}\n"
        "    - {ru: Иван, en: Ivan, gender: male}\n  anger: 5\nfacts:\n  order_no: {pattern: '#####'}\n"
        "  days: {between: [2, 5]}\n  item: {pick: [kettle, 7]}\n"
    )
    closing = f"  - id: t{count}\n    customer: {{ru: [a, b], en: [a, b]}}\n    actions: []\n    expect: [closing]\n"
    closing += "    model: {ru: x, en: x}\n    end: resolved\n"
    outcomes = "outcomes:\n" + "".join(f"  {o}: {{ru: [a, b], en: [a, b]}}\n" for o in ("resolved", "lost", "escalated"))
    return head + "turns:\n" + "".join(turns(i) for i in range(count)) + closing + outcomes


def _bomb() -> str:
    levels = ["  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    return _shipped(SCENARIO) + "bomb:\n" + "\n".join(levels) + "\n"


def _wide_alias() -> str:
    anchor = "  big: &big '" + "x" * 90_000 + "'\n"
    return _fill(_shipped(SCENARIO) + "aliases:\n" + anchor, lambda i: f"  k{i}: *big\n")


def _deep_flow() -> str:
    return _shipped(SCENARIO) + "deep: " + "[" * 990 + "]" * 990 + "\n"


def _deep_block() -> str:
    # mappings nested by indentation, as deep as libyaml allows or the file cap fits
    room = CAP - len(_shipped(SCENARIO).encode())
    lines: list[str] = []
    while len(lines) < 999 and sum(len(x) + 1 for x in lines) + 2 * len(lines) + 10 < room:
        lines.append("  " * (len(lines) + 1) + f"k{len(lines)}:")
    return _shipped(SCENARIO) + "deep:\n" + "\n".join(lines) + " 1\n"


def _many_keys() -> str:
    return _fill(HEAD + "id: hostile\nfacts:\n", lambda i: f"  f{i}: {{between: [1, 2]}}\n")


def _many_unknown_keys() -> str:
    return _fill(_shipped(SCENARIO), lambda i: f"k{i}: 1\n")


def _many_duplicate_keys() -> str:
    return _fill(_shipped(SCENARIO) + "dup:\n", lambda i: "  k: 1\n")


def _many_bad_items() -> str:
    shipped = _shipped(SCENARIO)
    before, after = shipped.split("languages: [ru, en]\n")
    return _fill(before + "languages: [", lambda i: f"{i}, ", "]\n" + after)


def _long_line_problem() -> str:
    return _shipped(SCENARIO) + "unknown_key: '" + "y" * (CAP - len(_shipped(SCENARIO).encode()) - 40) + "'\n"


def _big_ints() -> str:
    return _fill(_shipped(SCENARIO) + "ints:\n", lambda i: "  - " + "9" * 4000 + "\n")


def _bad_bytes() -> str:
    return _fill(_shipped(SCENARIO) + "# ", lambda i: "x" * 99 + "\n# ") + "caf\udce9\n"


def _tabs() -> str:
    return _fill(_shipped(SCENARIO), lambda i: f"\tk{i}: 1\n")


def _filtered_template(i: int, width: int) -> str:
    core = f"Line {i}: {{{{ order_no|upper }}}} {{{{ (days + {i}) * 2 }}}} {{{{ item|string|title }}}} "
    return (core * (width // len(core) + 1))[:width].rsplit("}}", 1)[0] + "}}"


def _templates_over_budget() -> str:
    # every template the caps allow (50 turns, 10 phrasings per language), as long as the file cap allows
    width = CAP // (50 * 22 + 10)

    def phrasings(i: int) -> list[str]:
        return [_filtered_template(i * 100 + k, width // 2) for k in range(10)]

    return _scenario(lambda i: _turn(i, phrasings(i), _filtered_template(i, width // 2), []), count=49)


def _templates_within_budget() -> str:
    # as many templates as the caps allow, each computing something, within the expression budget

    def phrasings(i: int) -> list[str]:
        return [f"Line {i}-{k}: {{{{ days * {k} }}}} days." for k in range(10)]

    return _scenario(lambda i: _turn(i, phrasings(i), f"Model {i}: {{{{ days + 1 }}}}.", []), count=49)


def _long_templates() -> str:
    text = "{{ order_no|upper ~ ('x' * 4999) }}" * 1
    big = ("{{ order_no|upper }}{{ 'ab' * 2000 }}" * 200)[:4990]
    return _scenario(lambda i: _turn(i, [big, text], big, []), count=49)


def _hostile_templates() -> str:
    nasty = [
        "{{ 10**(10**8) }}",
        "{{ 'a' * 10**9 }}",
        "{{ order_no|center(1000000000) }}",
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        "{{ " + "(" * 60 + "1" + ")" * 60 + " }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ 1" + "0" * 400 + " }}",
        "{{ (order_no * 4000) * 4000 }}",
        "{{ days ** days ** days ** days }}",
    ]
    n = len(nasty)
    return _scenario(lambda i: _turn(i, [nasty[i % n], nasty[(i + 1) % n]], nasty[(i + 2) % n], []), count=49)


def _conditions_over_budget() -> str:
    def condition(i: int, k: int) -> str:
        terms = [f"'{b}' in behaviors" for b in ("apology", "empathy", "greeting", "closing")]
        terms += [f"anger >= {j % 10}" for j in range(k, k + 8)] + [f"'{d}' in routed" for d in ("legal", "quality")]
        text = " or ".join(f"({t} and facts.days > {i})" for t in terms)
        return (text + " or anger > 3")[:990]

    return _scenario(
        lambda i: _turn(i, ["a", "b"], "m", [condition(i, k) for k in range(10)], assumes="apology, route_department:legal"),
        count=49,
    )


def _reactions_within_budget() -> str:
    # branch conditions testing many ids at many angers, and turns that assume things: the analysis
    # of what every path has done tries each reply with each id switched on and off at each anger
    ids = ["apology", "empathy", "greeting", "closing", "timeframe", "next_step", "ownership", "please"]

    def condition(i: int, k: int) -> str:
        a, b = ids[k % 8], ids[(k + 3) % 8]
        return f"('{a}' in missing or '{b}' in behaviors) and anger >= {k % 9} and 'legal' not in routed"

    return _scenario(
        lambda i: _turn(i, ["a", "b"], "m", [condition(i, k) for k in range(10)], assumes="apology, route_department:legal"),
        count=22,
    )


def _rule(i: int, when: str, where: str, checks: int) -> str:
    check = f"      - action: route_department\n        where: {where!r}\n"
    return (
        f"  - id: r{i}\n    title: {{ru: т, en: t}}\n    feedback: {{ru: ф, en: f}}\n    category: procedure\n"
        f"    severity: minor\n    weight: 1\n    source: common-practice\n    roles: [all]\n"
        f"    when: {when!r}\n    requires:\n{check * checks}"
    )


def _rules_over_budget() -> str:
    # the most rules and checks a file may hold, each 'where' of about 1,000 characters, up to the file cap
    term = "(department == 'legal' or facts.days is not defined or facts.days > {j})"
    where = " and ".join(term.format(j=j) for j in range(12))[:990]
    when = "anger >= 0 or 'complaint' in turn.topics"
    return _fill(RULES_HEAD + "rules:\n", lambda i: _rule(i, when, where, 10) if i < 100 else "")


def _rules_within_budget() -> str:
    # the most rules a file may hold, each tried in every turn of every scenario and imported conversation
    when = "'complaint' in turn.topics and anger >= {i} or facts.days is defined and facts.days > {i}"
    where = "department is not none and (department == 'legal' or facts.days is defined)"
    return RULES_HEAD + "rules:\n" + "".join(_rule(i, when.format(i=i % 10), where, 1) for i in range(100))


CASES: dict[str, tuple[str, Callable[[], str]]] = {
    "alias-bomb": (SCENARIO, _bomb),
    "alias-wide": (SCENARIO, _wide_alias),
    "deep-flow": (SCENARIO, _deep_flow),
    "deep-block": (SCENARIO, _deep_block),
    "many-keys": (SCENARIO, _many_keys),
    "many-unknown-keys": (SCENARIO, _many_unknown_keys),
    "many-duplicate-keys": (SCENARIO, _many_duplicate_keys),
    "many-bad-items": (SCENARIO, _many_bad_items),
    "long-line-problem": (SCENARIO, _long_line_problem),
    "big-ints": (SCENARIO, _big_ints),
    "bad-bytes-at-end": (SCENARIO, _bad_bytes),
    "tabs": (SCENARIO, _tabs),
    "templates-over-budget": (SCENARIO, _templates_over_budget),
    "templates-within-budget": (SCENARIO, _templates_within_budget),
    "long-templates": (SCENARIO, _long_templates),
    "hostile-templates": (SCENARIO, _hostile_templates),
    "conditions-over-budget": (SCENARIO, _conditions_over_budget),
    "reactions-within-budget": (SCENARIO, _reactions_within_budget),
    "rules-over-budget": (RULES, _rules_over_budget),
    "rules-within-budget": (RULES, _rules_within_budget),
}
PROBLEMS = re.compile(r"^(\d+) problems?", re.M)


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def run_once(kit: Path) -> tuple[float, float, str]:
    """Seconds, peak MB and the last line of one ``simkit validate`` of ``kit`` in a child."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "simkit", "validate", str(kit)], stdout=out, stderr=subprocess.STDOUT, preexec_fn=_limit
        )
        deadline = start + 120
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.01)
        took = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().splitlines()
    last = lines[-1] if lines else ""
    if child.returncode not in (0, 1) or any(line.startswith("Traceback") for line in lines):
        last = f"CRASHED (exit {child.returncode}): {last[:100]}"
    return took, usage.ru_maxrss / 1024, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", nargs="*", choices=sorted(CASES))
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))  # a case that builds without end fails here
    print(f"budget: {BUDGET_S:g} s and {BUDGET_MB} MB per validate; files up to {MAX_FILE_BYTES:,} bytes")
    with tempfile.TemporaryDirectory() as tmp:
        kit = Path(tmp) / "kit"
        for folder in ("rulebook", "scenarios", "schemas"):
            shutil.copytree(ROOT / folder, kit / folder)
        took, peak, _ = max(run_once(kit) for _ in range(args.repeat))
        print(f"{'shipped kit':24} {'':>10} {took:6.2f} s {peak:7.0f} MB")
        worst = 0.0, 0.0
        for name in args.only or CASES:
            rel, build = CASES[name]
            original = (kit / rel).read_bytes()
            text = build()
            (kit / rel).write_bytes(text.encode("utf-8", errors="surrogateescape"))
            runs = [run_once(kit) for _ in range(args.repeat)]
            (kit / rel).write_bytes(original)
            took, peak, last = max(runs)
            peak = max(r[1] for r in runs)
            worst = max(worst[0], took), max(worst[1], peak)
            over = "" if took < BUDGET_S and peak < BUDGET_MB and "CRASHED" not in last else "  OVER"
            print(
                f"{name:24} {len(text.encode('utf-8', 'surrogateescape')):>10,} B {took:6.2f} s {peak:7.0f} MB  {last[:70]}{over}"
            )
        print(f"slowest {worst[0]:.2f} s, peak {worst[1]:.0f} MB (budget {BUDGET_S:g} s, {BUDGET_MB} MB)")


if __name__ == "__main__":
    main()
