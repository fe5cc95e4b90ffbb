"""Stable names: adding objects never renames others; a collision is an error with its fix."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from realtime_typed.gen.cli import main
from realtime_typed.gen.names import export_order

BASE = """\
create type todo_state as enum ('open', 'done');
create table public.billing_invoices (id int primary key, "x y" text, total numeric);
create table todos (id int primary key, state todo_state, "due-date" date);
"""

ADDITIONS = [
    "create table zzz (id int primary key);\ncreate table aaa (id int primary key);\n",
    "create type aaa_kind as enum ('a');\ncreate table kinds (k aaa_kind);\n",
    "create schema audit;\ncreate table audit.events (id int primary key);\n",
    'alter table todos add column "due at" text;\nalter table todos add column done bool;\n',
    "create table billing_invoices_2 (id int primary key);\n",
]


def _generate(tmp_path: Path, sql: str, *extra: str) -> tuple[int, Path]:
    schema = tmp_path / "schema.sql"
    schema.write_text(sql, encoding="utf-8")
    output = tmp_path / "out.py"
    return main(["--tables", str(schema), *extra, "-o", str(output)]), output


def _names(module: Path) -> dict[str, list[str]]:
    """Each public class or alias and the fields of its ``Row`` (or of itself)."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names: dict[str, list[str]] = {}

    def fields(body: list[ast.stmt]) -> list[str]:
        return [
            s.target.id
            for s in body
            if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
        ]

    for statement in tree.body:
        if isinstance(statement, ast.If):
            for inner in statement.body:
                if isinstance(inner, ast.ClassDef):
                    row = next(s for s in inner.body if isinstance(s, ast.ClassDef))
                    names[inner.name] = fields(row.body)
        elif isinstance(statement, ast.ClassDef) and not statement.name.startswith("_"):
            names[statement.name] = fields(statement.body)
        elif (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and not statement.target.id.startswith("_")
        ):
            names[statement.target.id] = []
    return names


@pytest.mark.parametrize("addition", ADDITIONS)
def test_adding_objects_renames_nothing(tmp_path: Path, addition: str) -> None:
    status, output = _generate(tmp_path, BASE)
    assert status == 0
    before = _names(output)
    status, output = _generate(tmp_path, BASE + addition)
    assert status == 0
    after = _names(output)
    for name, fields in before.items():
        assert after[name][: len(fields)] == fields


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        (
            "create schema billing;\ncreate table billing.invoices (id int primary key);\n",
            "table billing.invoices and table billing_invoices would both be the class "
            "BillingInvoices of the module; rename one of them: --rename billing.invoices=NAME "
            "or --rename billing_invoices=NAME",
        ),
        (
            'create table "todo state" (id int primary key);\n',
            "table todo state and enum todo_state would both be the class TodoState of the module; "
            "rename one of them: --rename '\"todo state\"=NAME' or --rename todo_state=NAME",
        ),
        (
            'alter table todos add column "due date" date;\n',
            "column 'due-date' and column 'due date' would both be the field due_date of todos; "
            "rename one of them: --rename 'public.todos.\"due-date\"=NAME'",
        ),
        (
            'create table "Todos" (id int primary key);\n',
            "table Todos and table todos would both be the class Todos of the module; rename one "
            "of them: --rename '\"Todos\"=NAME' or --rename todos=NAME",
        ),
    ],
)
def test_a_collision_is_an_error_naming_both_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], addition: str, message: str
) -> None:
    status, _ = _generate(tmp_path, BASE + addition)
    assert status == 2
    assert message in capsys.readouterr().err


def test_a_rename_settles_a_collision_and_keeps_the_other_name(tmp_path: Path) -> None:
    sql = BASE + "create schema billing;\ncreate table billing.invoices (id int primary key);\n"
    status, output = _generate(tmp_path, sql, "--rename", "billing.invoices=Invoice")
    assert status == 0
    names = _names(output)
    assert "Invoice" in names
    assert names["BillingInvoices"] == ["id", "x_y", "total"]


def test_a_column_rename_names_the_field(tmp_path: Path) -> None:
    status, output = _generate(tmp_path, BASE, "--rename", 'public.todos."due-date"=due')
    assert status == 0
    assert _names(output)["Todos"] == ["id", "state", "due"]
    assert "validation_alias='due-date'" in output.read_text().replace('"', "'")


@pytest.mark.parametrize(
    ("rename", "message"),
    [
        ("nosuch=Thing", "--rename public.nosuch: no such table, type or column"),
        ("todos=class", "'class' cannot name a class"),
        ("todos=_Private", "'_Private' cannot name a class"),
        ("public.todos.id=model_dump", "'model_dump' cannot name a field"),
        ("a.b.c.d=X", "expected schema.name or schema.table.column"),
        ('"unterminated=X', "unterminated quoted identifier"),
        ("todos", "expected SQL_NAME=PythonName"),
    ],
)
def test_a_bad_rename_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rename: str, message: str
) -> None:
    status, _ = _generate(tmp_path, BASE, "--rename", rename)
    assert status == 2
    assert message in capsys.readouterr().err


def test_exports_are_listed_in_the_order_ruff_sorts_all(tmp_path: Path) -> None:
    names = ["Table10", "Table9", "Table1", "S10Table1", "S1Table2", "T10a", "T2b", "Zeta"]
    names += ["AB", "ABC", "A", "Ab", "MOOD", "Mood", "x", "x1", "x_1", "x10", "x2y"]
    module = tmp_path / "exports.py"
    module.write_text(f"__all__ = {sorted(reversed(names), key=export_order)!r}\n")
    command = [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "RUF022"]
    result = subprocess.run([*command, str(module)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
