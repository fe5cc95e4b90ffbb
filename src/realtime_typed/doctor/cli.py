"""The ``realtime-doctor`` command.

``realtime-doctor --db-url URL [--table schema.table ...] [--module app/realtime_types.py]``
prints one finding per line (``ok``, ``warn`` or ``error``, the object, what is wrong, the SQL
that fixes it). Without tables it checks every table of the publication. Exit status: 0 when
no error was found, 1 when some table can deliver no changes (or none can), 2 when the command
itself failed (bad arguments, no connection), with one line ``realtime-doctor: error: ...``.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path

from realtime_typed._cli import CommandParser, fail
from realtime_typed.doctor.checks import DEFAULT_ROLES, PUBLICATION, TableName, diagnose

__all__ = ["main", "module_tables"]

PROG = "realtime-doctor"


def _parser() -> CommandParser:
    parser = CommandParser(
        PROG,
        "Explain why Supabase Realtime delivers no (or partial) Postgres changes for tables: "
        "wal_level, the publication, replica identity, grants, row level security, "
        "partitions and private channels' policies.",
    )
    parser.add_argument(
        "--db-url", required=True, metavar="URL", help="the database (postgresql://...)"
    )
    parser.add_argument(
        "--table",
        action="append",
        default=[],
        metavar="SCHEMA.TABLE",
        help="a table to check (repeatable; default: every table of the publication)",
    )
    parser.add_argument(
        "--module",
        type=Path,
        metavar="FILE",
        help="a module written by realtime-gen: check each of its tables",
    )
    parser.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="ROLE",
        help=f"a subscribing role to check (repeatable; default: {', '.join(DEFAULT_ROLES)})",
    )
    parser.add_argument("--publication", default=PUBLICATION, help="the Realtime publication")
    return parser


def module_tables(path: Path) -> list[TableName]:
    """The tables of a module written by realtime-gen (its ``ChangeSpec`` keys)."""
    from realtime_typed.typed import ChangeSpec

    spec = importlib.util.spec_from_file_location(f"_realtime_doctor_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"{path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the models' annotations through it
    spec.loader.exec_module(module)
    tables: dict[tuple[str, str], TableName] = {}
    names = [*vars(module), *getattr(module, "__all__", ())]
    for name in names:
        value = getattr(module, name, None)
        key = getattr(value, "insert", None)
        if isinstance(value, type) and isinstance(key, ChangeSpec):
            tables[(key.schema, key.table)] = TableName(key.schema, key.table)
    if not tables:
        raise ValueError(f"{path} declares no table (is it a module written by realtime-gen?)")
    return list(tables.values())


def _tables(args_tables: Sequence[str], module: Path | None) -> list[TableName] | None:
    tables = [TableName.parse(text) for text in args_tables]
    if module is not None:
        if not module.is_file():
            raise ValueError(f"{module}: no such file")
        tables += module_tables(module)
    return tables or None


def _display(url: str) -> str:
    """The database URL without credentials (or a placeholder when it does not parse)."""
    from realtime_typed.gen.introspect import redact_url

    try:
        return redact_url(url)
    except Exception:  # an unparsable URL: psycopg's own message says what is wrong
        return "--db-url"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``realtime-doctor``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        tables = _tables(args.table, args.module)
    except ValueError as exc:
        return fail(PROG, str(exc))
    except Exception as exc:  # the module is the user's code: whatever it raises is reported
        return fail(PROG, f"cannot import {args.module}: {type(exc).__name__}: {exc}")
    import psycopg

    try:
        conn = psycopg.connect(args.db_url, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        return fail(PROG, f"cannot connect to {_display(args.db_url)}: {exc}")
    with conn:
        try:
            findings = diagnose(conn, tables, tuple(args.role) or DEFAULT_ROLES, args.publication)
        except psycopg.Error as exc:
            return fail(PROG, f"reading the catalog failed: {exc}")
    for finding in findings:
        print(finding.line())
    return 1 if any(finding.level == "error" for finding in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
