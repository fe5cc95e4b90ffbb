"""``realtime-gen --apply``: run the migrations on a throwaway PostgreSQL and read its catalog.

The DDL path models what migrations do; this asks PostgreSQL itself. A temporary cluster is
started (the local server's, from the ``server`` extra; it needs PostgreSQL with wal2json
installed), prepared as a Supabase project is before its migrations (roles, the ``auth``,
``storage`` and ``extensions`` schemas, ``auth.users``, ``auth.uid()``...; the search path
``"$user", public, extensions``). Each SQL file then runs statement by statement in one
transaction, the way ``supabase db reset`` runs a migration, and
:func:`~realtime_typed.gen.introspect.introspect` reads the result. ``CREATE EXTENSION`` of
an extension this PostgreSQL does not have is skipped with a warning (a Supabase project
has more of them); whatever then uses it fails with PostgreSQL's own error, located in the
file.

realtime-gen stands apart from the local server and does not import it: the throwaway
database comes from whatever the ``realtime_typed.throwaway_postgres`` entry point names, a
function returning a context manager that yields a superuser URL. This distribution points
it at the local server's cluster (the ``server`` extra); ``realtime-gen`` without
``--apply`` needs neither that extra nor PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import psycopg

from realtime_typed.errors import DDLError, SchemaError
from realtime_typed.gen.catalog import Catalog
from realtime_typed.gen.introspect import introspect
from realtime_typed.gen.sql_nodes import extension_statements, statement_spans
from realtime_typed.gen.sql_source import read_sql_file

__all__ = ["apply_migrations", "catalog_after_migrations"]

_SEARCH_PATH = '"$user", public, extensions'
_PROVIDERS = "realtime_typed.throwaway_postgres"


def _available_extensions(conn: psycopg.Connection[Any]) -> set[str]:
    rows = conn.execute("select name from pg_catalog.pg_available_extensions").fetchall()
    return {str(row[0]) for row in rows}


def _location(text: str, start: int, error: psycopg.Error) -> tuple[int, int]:
    """Line and column in ``text`` of an error in the statement at offset ``start``."""
    position = error.diag.statement_position
    offset = start + (int(position) - 1 if position and position.isdigit() else 0)
    offset += len(text[offset:]) - len(text[offset:].lstrip()) if not position else 0
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _run_file(conn: psycopg.Connection[Any], text: str, display: str) -> None:
    """Run one file's statements in one transaction, as a migration runner does."""
    conn.execute(b"begin")
    for start, length in statement_spans(text, display):
        try:
            conn.execute(text[start : start + length].encode())
        except psycopg.Error as exc:
            line, column = _location(text, start, exc)
            detail = exc.diag.message_primary or str(exc)
            raise DDLError(
                f"PostgreSQL refused it: {detail}", file=display, line=line, column=column
            ) from exc
    conn.execute(b"commit")


def apply_migrations(url: str, files: Sequence[tuple[Path, str]]) -> list[str]:
    """Run each ``(path, display name)`` SQL file on the database at ``url``, in order.

    Returns the warnings (extensions skipped). Raises :class:`DDLError` naming the file,
    line and column of the first statement PostgreSQL refuses.
    """
    warnings: list[str] = []
    options = f"-c search_path={_SEARCH_PATH.replace(' ', '')}"
    with psycopg.connect(url, autocommit=True, options=options) as conn:
        available = _available_extensions(conn)
        for path, display in files:
            text = read_sql_file(path, display)
            for name, start, length in extension_statements(text, display):
                if name not in available:
                    line = text.count("\n", 0, start) + 1
                    warnings.append(
                        f"{display}:{line}:1: warning: extension {name!r} is not available "
                        "on this PostgreSQL; CREATE EXTENSION skipped"
                    )
                    text = text[:start] + " " * length + text[start + length :]
            _run_file(conn, text, display)
    return warnings


def _throwaway_database() -> AbstractContextManager[str]:
    """A context manager yielding the URL of a throwaway, Supabase-like database."""
    for entry in entry_points(group=_PROVIDERS):
        try:
            factory: Callable[[], AbstractContextManager[str]] = entry.load()
        except ImportError as exc:
            raise SchemaError(
                f"--apply starts a throwaway PostgreSQL ({entry.value}): install "
                f"realtime-typed[gen,server] ({exc})"
            ) from exc
        return factory()
    raise SchemaError("--apply needs a throwaway PostgreSQL: install realtime-typed[gen,server]")


def catalog_after_migrations(files: Sequence[tuple[Path, str]]) -> tuple[Catalog, list[str]]:
    """The catalog of a throwaway Supabase-like database after ``files``, and the warnings."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(_throwaway_database())
        except RuntimeError as exc:
            raise SchemaError(f"--apply could not start PostgreSQL: {exc}") from exc
        warnings = apply_migrations(url, files)
        return introspect(url), warnings
