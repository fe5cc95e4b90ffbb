"""``--db-url`` on a real PostgreSQL: the same module as the DDL path, for the same schema.

Each case loads its SQL into a fresh database (prepared like a Supabase project) and compares
the introspected module with the one generated from the SQL files, header lines aside.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from realtime_typed.gen.cli import main
from realtime_typed.gen.ddl import migration_files

from .gen_cases import MIGRATIONS, RENAMES, ROOT, SCHEMA_SQL, body

_META_COMMAND = re.compile(r"(?m)^[ \t]*\\.*$")


def _load(url: str, files: list[Path]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for path in files:
            conn.execute(_META_COMMAND.sub("", path.read_text(encoding="utf-8")).encode())


def _generate(tmp_path: Path, name: str, args: list[str]) -> str:
    output = tmp_path / f"{name}.py"
    assert main([*args, "-o", str(output)]) == 0
    return output.read_text(encoding="utf-8")


@pytest.mark.postgres
def test_database_of_the_exhaustive_schema_gives_the_ddl_module(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    _load(database, [SCHEMA_SQL])
    from_ddl = _generate(tmp_path, "ddl", ["--tables", str(SCHEMA_SQL), *RENAMES])
    from_db = _generate(tmp_path, "db", ["--db-url", database, *RENAMES])
    assert body(from_db) == body(from_ddl)
    assert "# Inputs: --db-url postgresql://127.0.0.1:" in from_db


@pytest.mark.postgres
def test_database_after_the_migrations_gives_the_migrations_module(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    _load(database, migration_files(MIGRATIONS))
    from_ddl = _generate(tmp_path, "ddl", ["--migrations", str(MIGRATIONS)])
    from_db = _generate(tmp_path, "db", ["--db-url", database])
    assert body(from_db) == body(from_ddl)


@pytest.mark.postgres
def test_schema_selection_applies_to_the_database(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    _load(database, [SCHEMA_SQL])
    from_db = _generate(tmp_path, "db", ["--db-url", database, "--schema", "audit"])
    assert "class AuditEvents:" in from_db
    assert "class Todos:" not in from_db
