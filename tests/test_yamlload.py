"""Safe YAML loading: no implicit surprises, duplicate keys found, positions kept."""

from __future__ import annotations

from simkit.content.yamlload import load_yaml


def test_only_true_and_false_are_booleans() -> None:
    doc, problems = load_yaml("a: no\nb: on\nc: yes\nd: off\ne: true\nf: false\n", "x.yaml")
    assert not problems and doc is not None
    assert doc.data == {"a": "no", "b": "on", "c": "yes", "d": "off", "e": True, "f": False}


def test_dates_times_and_base60_stay_text() -> None:
    doc, _ = load_yaml("day: 2026-03-02\ntime: 12:30\nstamp: 2026-03-02T10:00:00\n", "x.yaml")
    assert doc is not None
    assert doc.data == {"day": "2026-03-02", "time": "12:30", "stamp": "2026-03-02T10:00:00"}


def test_numbers_and_null() -> None:
    doc, _ = load_yaml("a: 5\nb: -3\nc: 1.5\nd: ~\ne: null\nf: 007\ng: 1_000\n", "x.yaml")
    assert doc is not None
    assert doc.data == {"a": 5, "b": -3, "c": 1.5, "d": None, "e": None, "f": "007", "g": "1_000"}


def test_duplicate_key_is_reported_with_both_lines() -> None:
    doc, problems = load_yaml("a: 1\nb:\n  c: 1\n  c: 2\n", "x.yaml")
    assert doc is not None
    assert [(p.code, p.line, p.column) for p in problems] == [("duplicate-key", 4, 3)]
    assert "first at line 3" in problems[0].message


def test_python_tags_are_refused() -> None:
    doc, problems = load_yaml("a: !!python/object/apply:os.system ['echo hi']\n", "x.yaml")
    assert doc is None
    assert [(p.code, p.line) for p in problems] == [("syntax", 1)]
    assert "not allowed" in problems[0].message


def test_syntax_error_is_located() -> None:
    doc, problems = load_yaml("a:\n  - 1\n - 2\n", "x.yaml")
    assert doc is None
    assert problems[0].code == "syntax" and problems[0].line == 3


def test_positions_of_keys_and_values() -> None:
    doc, _ = load_yaml("top:\n  items:\n    - {id: x, n: 2}\n", "x.yaml")
    assert doc is not None
    assert doc.where(("top", "items", 0, "n")) == (3, 18)
    assert doc.where(("top", "items", 0, "n"), key=True) == (3, 15)
    assert doc.where(("top", "missing", 5)) == (2, 3)  # the nearest ancestor that exists


def test_empty_file_is_none_without_problems() -> None:
    doc, problems = load_yaml("# only a comment\n", "x.yaml")
    assert doc is not None and doc.data is None and not problems
