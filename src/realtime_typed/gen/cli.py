"""The ``realtime-gen`` command: SQL schema and channel declarations to a typed module.

``-o name.py`` writes one module; ``-o folder`` writes a package of the same names, a module
per 50 tables, for schemas too large for one file. Exit status: 0 when the output was written
(one summary line says what it holds) or, with ``--check``, is up to date; 1 when ``--check``
finds it stale (a unified diff goes to stdout); 2 for invalid input, one line
``realtime-gen: error: ...`` naming the file, line and column. Input with no table and no
channel is refused unless ``--allow-empty`` is given. Output is written aside and renamed into
place (:mod:`realtime_typed.gen.output`), so a failed run never leaves a partial module or
package.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from realtime_typed._cli import CommandParser, fail
from realtime_typed.errors import SchemaError
from realtime_typed.gen.catalog import SYSTEM_SCHEMAS, Catalog, EnumType
from realtime_typed.gen.channels import load_channels
from realtime_typed.gen.format import format_source, format_sources
from realtime_typed.gen.output import is_package, stale_diff, write_output
from realtime_typed.gen.renames import parse_renames
from realtime_typed.gen.render import render_module, render_package, selected_tables

__all__ = ["Generated", "generate", "main"]

VERSION = "0.1.0"


def _parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        "realtime-gen",
        "Generate a typed Realtime module from SQL DDL and channel declarations.",
    )
    parser.epilog = (
        "--tables and --migrations model the DDL without a database: tables, keys (PRIMARY "
        "KEY USING INDEX too), replica identity, row level security, partitions, user types, "
        "renames, drops, search_path and the SQL of DO blocks. Functions, triggers, policies, "
        "grants, sequences, views and data are skipped on purpose; what cannot be modelled "
        "(CREATE TABLE AS, EXECUTE of a computed string) is an error or a warning. --apply "
        "asks PostgreSQL itself instead."
    )
    parser.add_argument(
        "--tables",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="SQL DDL file (repeatable, applied in order)",
    )
    parser.add_argument(
        "--migrations",
        type=Path,
        metavar="DIR",
        help="folder of timestamped .sql migrations, applied in name order",
    )
    parser.add_argument(
        "--apply",
        action="store_true",
        help="run the --tables/--migrations SQL on a throwaway PostgreSQL and read the schema "
        "from its catalog instead of modelling the DDL (needs PostgreSQL with wal2json and "
        "the server extra)",
    )
    parser.add_argument("--db-url", metavar="URL", help="read the schema from a live database")
    parser.add_argument(
        "--channels", type=Path, metavar="FILE", help="YAML or JSON channel declarations"
    )
    parser.add_argument(
        "--schema",
        action="append",
        default=[],
        metavar="NAME",
        help="schema to include (repeatable; default: all but system schemas)",
    )
    parser.add_argument(
        "--rename",
        action="append",
        default=[],
        metavar="SQL_NAME=NAME",
        help="Python name of a table or type (schema.name=ClassName) or of a column "
        "(schema.table.column=field_name); repeatable. Names never change on their own: "
        "two objects that would share a name are an error until one is renamed",
    )
    parser.add_argument(
        "--strict-enums",
        action="store_true",
        help="type enum values as the enum's Literal alone (default: Literal | str, so "
        "values added to the enum later still parse)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="PATH",
        help="the module to write (name.py), or a package folder (any other name): a module "
        "per 50 tables, imported on first use, so type checkers handle thousands of tables",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 with a diff when the output file is stale"
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="write the module even when the input declares no table and no channel",
    )
    return parser  # fmt: skip


def _display(path: Path) -> str:
    return path.as_posix()


def _load_catalog(
    args: argparse.Namespace, hashed: list[bytes], warnings: list[str]
) -> tuple[Catalog, list[str]]:
    """The catalog from the SQL inputs or the database, and the header's input names."""
    inputs: list[str] = []
    if args.db_url:
        from realtime_typed.gen.introspect import introspect, redact_url

        inputs.append(f"--db-url {redact_url(args.db_url)}")
        return introspect(args.db_url), inputs
    from realtime_typed.gen.ddl import DDLApplier, migration_files

    files: list[Path] = list(args.tables)
    for path in args.tables:
        inputs.append(f"--tables {_display(path)}")
    if args.migrations is not None:
        if not args.migrations.is_dir():
            raise SchemaError("not a directory", file=_display(args.migrations))
        inputs.append(f"--migrations {_display(args.migrations)}")
        files += migration_files(args.migrations)
    if args.apply:
        from realtime_typed.gen.apply import catalog_after_migrations

        inputs.append("--apply")
        catalog, applied = catalog_after_migrations([(path, _display(path)) for path in files])
        warnings += applied
    else:
        applier = DDLApplier()
        for path in files:
            applier.apply_file(path, _display(path))
        warnings += applier.warnings
        catalog = applier.catalog
    for path in files:
        hashed += [_display(path).encode(), path.read_bytes()]
    return catalog, inputs


@dataclasses.dataclass(frozen=True)
class Generated:
    """Generated files, the warnings to print, and what they hold.

    ``files`` maps a package's file names to their text; a module is the one file ``""``.
    """

    files: dict[str, str]
    warnings: list[str]
    tables: list[str]
    enums: list[str]
    channels: list[str]

    def summary(self, head: str) -> str:
        """One line: ``realtime-gen: HEAD: 2 tables (...), 1 enum (...), 0 channels``."""
        parts = [
            _counted(len(names), noun, names)
            for noun, names in (("table", self.tables), ("enum", self.enums))
        ]
        parts.append(_counted(len(self.channels), "channel", self.channels))
        return f"realtime-gen: {head}: {', '.join(parts)}"


_LISTED = 6
"""Names listed in the summary line before it says how many more."""


def _counted(count: int, noun: str, names: list[str]) -> str:
    text = f"{count} {noun}{'' if count == 1 else 's'}"
    if not names:
        return text
    shown = names[:_LISTED]
    more = f", {len(names) - len(shown)} more" if len(names) > len(shown) else ""
    return f"{text} ({', '.join(shown)}{more})"


def _qualified(schema: str, name: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"


def _enums(catalog: Catalog, schemas: Sequence[str]) -> list[str]:
    """The enum types of the selected schemas (as :func:`selected_tables` selects them)."""
    return [
        _qualified(*key)
        for key, kind in sorted(catalog.types.items())
        if isinstance(kind, EnumType)
        and (key[0] in schemas if schemas else key[0] not in SYSTEM_SCHEMAS)
        and not key[0].startswith("pg_")
    ]


def generate(args: argparse.Namespace) -> Generated:
    """The formatted module for parsed arguments, the warnings to print and what it holds."""
    if not (args.tables or args.migrations or args.db_url or args.channels):
        raise SchemaError(
            "nothing to generate: give --tables, --migrations, --db-url or --channels"
        )
    if args.db_url and (args.tables or args.migrations):
        raise SchemaError("--db-url reads the schema itself: drop --tables and --migrations")
    if args.apply and not (args.tables or args.migrations):
        raise SchemaError("--apply runs SQL files: give --tables or --migrations")
    hashed: list[bytes] = []
    warnings: list[str] = []
    catalog, inputs = _load_catalog(args, hashed, warnings)
    channels = None
    if args.channels is not None:
        channels = load_channels(args.channels, _display(args.channels))
        inputs.append(f"--channels {_display(args.channels)}")
        hashed += [_display(args.channels).encode(), args.channels.read_bytes()]
    inputs += [f"--schema {schema}" for schema in args.schema]
    inputs += [f"--rename {entry}" for entry in args.rename]
    if args.strict_enums:
        inputs.append("--strict-enums")
    renames = parse_renames(args.rename)
    tables = selected_tables(catalog, args.schema)
    declared = [] if channels is None else [channel.name for channel in channels.channels]
    if not tables and not declared and not args.allow_empty:
        raise SchemaError(
            "the input declares no table and no channel, so the module would be empty"
            " (--allow-empty writes it anyway)"
        )
    digest = hashlib.sha256(b"\0".join(hashed)).hexdigest()
    header = [
        f"# Generated by realtime-gen {VERSION}; do not edit.",
        *textwrap.wrap(
            f"# Inputs: {' '.join(inputs)}",
            width=100,
            subsequent_indent="#   ",
            break_long_words=False,
            break_on_hyphens=False,
        ),
        f"# Input sha256: {digest}",
        '"""Typed Realtime keys and payload models for this app\'s tables and channels."""',
        "",
    ]
    if is_package(args.output):
        sources, lossy = render_package(
            catalog, tables, channels, header, renames, strict_enums=args.strict_enums
        )
        files = format_sources(sources)
    else:
        source, lossy = render_module(
            catalog, tables, channels, header, renames, strict_enums=args.strict_enums
        )
        files = {"": format_source(source)}
    return Generated(
        files,
        warnings + [str(warning) for warning in lossy],
        [_qualified(table.schema, table.name) for table in tables],
        _enums(catalog, args.schema),
        declared,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``realtime-gen``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        generated = generate(args)
    except SchemaError as exc:
        return fail("realtime-gen", str(exc))
    except OSError as exc:  # a file named on the command line that cannot be read
        return fail("realtime-gen", f"{exc.filename}: {exc.strerror}")
    for warning in generated.warnings:
        print(f"realtime-gen: {warning}", file=sys.stderr)
    output: Path = args.output
    if args.check:
        diff = list(stale_diff(output, generated.files))
        if not diff:
            print(generated.summary(f"{_display(output)} is up to date"))
            return 0
        sys.stdout.writelines(diff)
        print(f"realtime-gen: {_display(output)} is stale; regenerate it", file=sys.stderr)
        return 1
    try:
        write_output(output, generated.files)
    except OSError as exc:
        return fail("realtime-gen", f"cannot write {_display(output)}: {exc.strerror}")
    print(generated.summary(f"wrote {_display(output)}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
