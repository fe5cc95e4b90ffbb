"""``-o folder`` writes a package: a module per 50 tables, imported on first use, typed."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from realtime_typed.gen.cli import main
from realtime_typed.gen.render import TABLES_PER_MODULE

TABLES = TABLES_PER_MODULE + 10

SCHEMA = "\n".join(
    [
        "create type state as enum ('open', 'done');",
        "create type point2 as (x int, y int);",
        *(
            f'create table t{n} (id int primary key, state state, at point2, "date" date);'
            for n in range(TABLES)
        ),
    ]
)

USE = """\
from datetime import date
from typing import assert_type

from app_pkg import Point2, State, T0, T59
from realtime_typed import Column, InsertChange


def on_insert(change: InsertChange[T59.Row]) -> None:
    assert_type(change.record.state, State | str | None)
    assert_type(change.record.at, Point2 | None)
    assert_type(change.record.date, date | None)
    assert_type(T0.c.date, Column[date])
"""


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "schema.sql").write_text(SCHEMA, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert main(["--tables", "schema.sql", "-o", "app_pkg"]) == 0
    return tmp_path / "app_pkg"


def test_tables_are_split_and_imported_on_first_use(package: Path) -> None:
    assert sorted(p.name for p in package.iterdir()) == [
        "__init__.py",
        "_shared.py",
        "_tables_000.py",
        "_tables_001.py",
    ]
    for name in list(sys.modules):
        if name.startswith("app_pkg"):
            del sys.modules[name]
    app = importlib.import_module("app_pkg")
    assert "app_pkg._tables_001" not in sys.modules
    t59 = app.T59
    assert "app_pkg._tables_001" in sys.modules
    assert "app_pkg._tables_000" not in sys.modules
    row = t59.Row.model_validate({"id": 1, "state": "open", "at": {"x": 1}, "date": "2024-01-02"})
    assert isinstance(row.at, app.Point2)
    assert str(row.date) == "2024-01-02"
    assert app.T0.c.date.eq(row.date).build() == "date=eq.2024-01-02"
    with pytest.raises(AttributeError, match="has no attribute 'T999'"):
        _ = app.T999


def test_check_sees_every_file_and_writing_replaces_the_folder(
    package: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--tables", "schema.sql", "-o", "app_pkg", "--check"]) == 0
    (package / "_tables_002.py").write_text("# left over\n")
    (package / "_shared.py").write_text("# edited\n")
    assert main(["--tables", "schema.sql", "-o", "app_pkg", "--check"]) == 1
    out = capsys.readouterr().out
    assert "app_pkg/_tables_002.py (on disk)" in out
    assert "app_pkg/_shared.py (generated)" in out
    assert main(["--tables", "schema.sql", "-o", "app_pkg"]) == 0
    assert not (package / "_tables_002.py").exists()
    assert main(["--tables", "schema.sql", "-o", "app_pkg", "--check"]) == 0


def test_the_package_passes_mypy_strict_and_pyright_strict(package: Path) -> None:
    root = package.parent
    (root / "use_pkg.py").write_text(USE, encoding="utf-8")
    (root / "pyrightconfig.json").write_text(
        json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.11"})
    )
    files = ["app_pkg", "use_pkg.py"]
    pyright = str(Path(sys.executable).with_name("pyright"))
    for command in (
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *files],
        [pyright, "--pythonpath", sys.executable, *files],
    ):
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
