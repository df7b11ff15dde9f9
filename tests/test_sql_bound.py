"""Every SQL statement the kit runs is built by SQLAlchemy with bound parameters, never from strings.

A name, a join code or a reply is data, whoever typed it: the service and the apps pass them to the
store, which binds them. This reads the kit's source (the migrations aside, whose SQL names only
their own columns) and refuses raw SQL made from strings: ``text()``, ``exec_driver_sql()`` or a
DB-API ``execute()`` given an f-string, a ``%``/``+`` expression or a ``.format()`` call.
The few statements composed on purpose are listed in ``REVIEWED``: they join the schema's own
table and column names with placeholders (the values go to the driver beside the statement), or
set the planner from constants; a new one anywhere fails here until it is reviewed and listed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIMKIT = Path(__file__).resolve().parent.parent / "simkit"
RAW = {"text", "exec_driver_sql", "execute", "executemany", "executescript"}
# file: how many statements it composes, reviewed: schema names and placeholders, or constant settings
REVIEWED = {"store/rows.py": 3, "store/sums.py": 1}


def _built_from_strings(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return any(isinstance(side, (ast.Constant, ast.JoinedStr)) and not isinstance(getattr(side, "value", ""), (int, float))
                   for side in (node.left, node.right))  # fmt: skip
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _raw_sql(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    # a statement built into a variable first (``sql = f"..."``, then ``execute(sql)``) counts too
    built = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _built_from_strings(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        first = node.args[0]
        if name in RAW and (_built_from_strings(first) or (isinstance(first, ast.Name) and first.id in built)):
            found.append(node.lineno)
    return found


def _sources() -> list[Path]:
    return [p for p in sorted(SIMKIT.rglob("*.py")) if "migrations" not in p.parts]


def test_the_check_catches_sql_made_from_strings(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        'from sqlalchemy import text\nname = input()\ntext(f"SELECT * FROM trainees WHERE name = \'{name}\'")\n'
        'cursor.execute("DELETE FROM attempts WHERE id = %s" % name)\n'
        'connection.exec_driver_sql("SELECT {}".format(name))\n'
        'sql = f"UPDATE attempts SET score = {name}"\nconnection.exec_driver_sql(sql)\n',
        encoding="utf-8",
    )
    good = tmp_path / "good.py"
    good.write_text('text("SELECT 1 WHERE name = :name")\n', encoding="utf-8")
    assert len(_raw_sql(bad)) == 4
    assert _raw_sql(good) == []


@pytest.mark.parametrize("path", _sources(), ids=lambda p: p.relative_to(SIMKIT).as_posix())
def test_no_sql_is_made_from_strings(path: Path) -> None:
    lines = _raw_sql(path)
    assert len(lines) == REVIEWED.get(path.relative_to(SIMKIT).as_posix(), 0), f"SQL composed from strings at lines {lines}"
