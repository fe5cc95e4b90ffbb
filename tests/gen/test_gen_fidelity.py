"""Fidelity, proven differentially: the DDL path against PostgreSQL's own catalog.

Each folder of ``corpus/`` is a migrations folder written the way real Supabase apps write
them (pg_dump and ``supabase db diff`` output, idempotent ``DO`` blocks, years of renames and
drops, private schemas with quoted names, partitions). Each is modelled by the DDL path
and also run on a fresh database prepared like a Supabase project (by the code of
``realtime-gen --apply``), then read back through ``pg_catalog`` (the ``--db-url`` path).
The two catalogs must agree table by table and column by column: the tables, each column's
name, position, type (enum labels, domain bases and NOT NULL, composite attributes, typmods,
array dimensions), nullability, the primary key, the replica identity and its columns, what
an ``old_record`` always holds, row level security, partitioning and which tables deliver
changes under their own name. The generated modules must then be the same, byte for byte
below the header.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from realtime_typed.errors import DDLError
from realtime_typed.gen.apply import apply_migrations
from realtime_typed.gen.catalog import (
    BuiltinType,
    Catalog,
    CompositeType,
    DomainType,
    EnumType,
    OpaqueType,
    Table,
    TypeRef,
)
from realtime_typed.gen.cli import main
from realtime_typed.gen.ddl import DDLApplier, migration_files
from realtime_typed.gen.introspect import introspect
from realtime_typed.gen.pgtypes import BUILTIN_TYPES
from realtime_typed.gen.render import selected_tables

from .gen_cases import ROOT, body

CORPUS = Path(__file__).parent / "corpus"
FOLDERS = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())
EXPECTED_APPLY_WARNINGS = {
    "pg_dump": ["extension 'pg_graphql' is not available on this PostgreSQL"],
}


def _type(ref: TypeRef) -> str:
    pg = ref.type
    match pg:
        case BuiltinType(name=name):
            text = f"pg_catalog.{name}"
        case OpaqueType(schema=schema, name=name):
            text = f"{schema}.{name}"
        case EnumType(schema=schema, name=name, values=values):
            text = f"{schema}.{name} enum {values}"
        case DomainType(schema=schema, name=name, base=base, not_null=not_null):
            text = f"{schema}.{name} domain over {_type(base)}{' not null' if not_null else ''}"
        case CompositeType(schema=schema, name=name, attributes=attributes):
            inner = ", ".join(f"{a.name} {_type(a.type)}" for a in attributes)
            text = f"{schema}.{name} composite ({inner})"
    modifiers = f"({', '.join(map(str, ref.typmods))})" if ref.typmods else ""
    return f"{text}{modifiers}{'[]' * ref.dims}"


def _facts(catalog: Catalog, table: Table) -> dict[str, object]:
    """Everything realtime-gen uses of a table, as comparable values."""
    facts: dict[str, object] = {
        f"column {position} {column.name}": (
            f"{_type(column.type)}{' not null' if column.not_null else ''}"
        )
        for position, column in enumerate(table.columns, 1)
    }
    facts |= {
        "primary key": table.primary_key,
        "replica identity": table.replica_identity,
        "replica identity columns": table.identity_columns(),
        "old record columns": table.old_record_columns(),
        "row level security": table.row_security,
        "partitioned": table.partitioned,
        "partition of": table.partition_of,
        "unlogged": table.unlogged,
        "delivers changes": catalog.delivers(table),
        "comment": table.comment,
    }
    return facts


def _differences(ddl: Catalog, db: Catalog) -> list[str]:
    """Where the two catalogs disagree, one line per table or fact."""
    ddl_tables = {(t.schema, t.name): t for t in selected_tables(ddl, ())}
    db_tables = {(t.schema, t.name): t for t in selected_tables(db, ())}
    found = [f"{k[0]}.{k[1]}: only in the DDL path" for k in ddl_tables.keys() - db_tables]
    found += [f"{k[0]}.{k[1]}: only in the database" for k in db_tables.keys() - ddl_tables]
    for key in sorted(ddl_tables.keys() & db_tables.keys()):
        mine, theirs = _facts(ddl, ddl_tables[key]), _facts(db, db_tables[key])
        for fact in sorted(mine.keys() | theirs.keys()):
            if mine.get(fact) != theirs.get(fact):
                found.append(
                    f"{key[0]}.{key[1]} {fact}: DDL path {mine.get(fact)!r}, "
                    f"database {theirs.get(fact)!r}"
                )
    if ddl.publish_via_partition_root != db.publish_via_partition_root:
        found.append("publish_via_partition_root differs")
    return found


def _ddl_catalog(folder: Path) -> Catalog:
    applier = DDLApplier()
    for path in migration_files(folder):
        applier.apply_file(path, path.name)
    assert applier.warnings == []
    return applier.catalog


def _apply(url: str, folder: Path) -> list[str]:
    return apply_migrations(url, [(path, path.name) for path in migration_files(folder)])


@pytest.mark.postgres
@pytest.mark.parametrize("folder", FOLDERS)
def test_the_ddl_path_agrees_with_postgresql(folder: str, database: str) -> None:
    warnings = _apply(database, CORPUS / folder)
    expected = EXPECTED_APPLY_WARNINGS.get(folder, [])
    assert len(warnings) == len(expected)
    for warning, wanted in zip(warnings, expected, strict=True):
        assert wanted in warning
    ddl, db = _ddl_catalog(CORPUS / folder), introspect(database)
    assert selected_tables(ddl, ()), "every corpus folder defines tables"
    differences = _differences(ddl, db)
    assert not differences, "\n".join(differences)


@pytest.mark.postgres
@pytest.mark.parametrize("folder", FOLDERS)
def test_the_modules_are_the_same(
    folder: str, database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    _apply(database, CORPUS / folder)
    from_ddl, from_db = tmp_path / "ddl.py", tmp_path / "db.py"
    migrations = str((CORPUS / folder).relative_to(ROOT))
    assert main(["--migrations", migrations, "-o", str(from_ddl)]) == 0
    assert main(["--db-url", database, "-o", str(from_db)]) == 0
    assert body(from_db.read_text()) == body(from_ddl.read_text())


@pytest.mark.postgres
def test_every_column_type_of_pg_catalog_is_known(database: str) -> None:
    with psycopg.connect(database) as conn:
        rows = conn.execute(
            "select typname from pg_type where typnamespace = 'pg_catalog'::regnamespace"
            " and typtype in ('b', 'r', 'm') and typisdefined and typname !~ '^_'"
        ).fetchall()
    assert {str(row[0]) for row in rows} - BUILTIN_TYPES.keys() == set()


@pytest.mark.postgres
def test_apply_mode_reads_what_postgresql_made_of_the_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    migrations = str((CORPUS / "pg_dump").relative_to(ROOT))
    applied, modelled = tmp_path / "applied.py", tmp_path / "modelled.py"
    assert main(["--migrations", migrations, "--apply", "-o", str(applied)]) == 0
    assert "extension 'pg_graphql' is not available" in capsys.readouterr().err
    assert main(["--migrations", migrations, "-o", str(modelled)]) == 0
    assert "# Inputs: --migrations tests/gen/corpus/pg_dump --apply" in applied.read_text()
    assert body(applied.read_text()) == body(modelled.read_text())


@pytest.mark.postgres
def test_a_statement_postgresql_refuses_is_located(database: str, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "1_ok.sql").write_text("create table a (id int primary key);\n")
    (migrations / "2_bad.sql").write_text(
        "create table b (id int);\n\nalter table b\n  add constraint b_a_fkey foreign key (id)"
        " references a (nope);\n"
    )
    with pytest.raises(DDLError) as caught:
        _apply(database, migrations)
    assert caught.value.file == "2_bad.sql"
    assert (caught.value.line, caught.value.column) == (3, 1)
    assert 'PostgreSQL refused it: column "nope" referenced in foreign key' in str(caught.value)
    with psycopg.connect(database) as conn:
        assert conn.execute("select to_regclass('public.b')").fetchone() == (None,)
