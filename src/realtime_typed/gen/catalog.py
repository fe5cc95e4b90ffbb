"""The schema model realtime-gen works on: tables, columns and the user types they use.

Both inputs build it: DDL statements applied in order (:mod:`realtime_typed.gen.ddl`) and a
live database read through ``pg_catalog`` (:mod:`realtime_typed.gen.introspect`). Types are
held by reference, so renaming a type or a table moves every column that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "SYSTEM_SCHEMAS",
    "BuiltinType",
    "Catalog",
    "ColumnDef",
    "CompositeType",
    "DomainType",
    "EnumType",
    "Location",
    "OpaqueType",
    "PgType",
    "Table",
    "TypeRef",
]

SYSTEM_SCHEMAS = frozenset(
    {
        "pg_catalog",
        "information_schema",
        "pg_toast",
        "auth",
        "storage",
        "realtime",
        "_realtime",
        "extensions",
        "graphql",
        "graphql_public",
        "vault",
        "pgsodium",
        "pgsodium_masks",
        "supabase_functions",
        "supabase_migrations",
        "net",
        "cron",
        "pgbouncer",
        "_analytics",
    }
)
"""Schemas left out unless ``--schema`` names them: PostgreSQL's own and Supabase's."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where a definition came from: file, 1-based line and column, and the statement text."""

    file: str
    line: int
    column: int
    statement: str = ""


@dataclass(frozen=True, slots=True)
class BuiltinType:
    """A type of ``pg_catalog`` by its ``typname`` (``int4``, ``timestamptz``...)."""

    name: str


@dataclass(frozen=True, slots=True)
class OpaqueType:
    """A base type from an extension; ``json_cast`` when it has a cast to json (PostGIS)."""

    schema: str
    name: str
    json_cast: bool = False


@dataclass(eq=False, slots=True)
class EnumType:
    """``CREATE TYPE ... AS ENUM``; values in their sort order."""

    schema: str
    name: str
    values: list[str]
    comment: str | None = None


@dataclass(eq=False, slots=True)
class DomainType:
    """``CREATE DOMAIN``: a base type and whether the domain forbids nulls."""

    schema: str
    name: str
    base: TypeRef
    not_null: bool = False
    comment: str | None = None


@dataclass(eq=False, slots=True)
class CompositeType:
    """``CREATE TYPE ... AS (...)``: attributes are always nullable."""

    schema: str
    name: str
    attributes: list[ColumnDef]
    comment: str | None = None


PgType = BuiltinType | OpaqueType | EnumType | DomainType | CompositeType


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A column type: the element type, its modifiers and the number of array dimensions."""

    type: PgType
    typmods: tuple[int, ...] = ()
    dims: int = 0


@dataclass(eq=False, slots=True)
class ColumnDef:
    """A column of a table or an attribute of a composite type."""

    name: str
    type: TypeRef
    not_null: bool = False
    comment: str | None = None
    location: Location | None = None


@dataclass(eq=False, slots=True)
class Table:
    """A table: columns in ordinal order, its primary key and comment."""

    schema: str
    name: str
    columns: list[ColumnDef]
    primary_key: tuple[str, ...] = ()
    primary_key_name: str | None = None
    comment: str | None = None
    location: Location | None = None

    def column(self, name: str) -> ColumnDef | None:
        """The column called ``name``, if any."""
        return next((col for col in self.columns if col.name == name), None)


@dataclass(slots=True)
class Catalog:
    """Tables and user types by ``(schema, name)``."""

    tables: dict[tuple[str, str], Table] = field(default_factory=dict[tuple[str, str], Table])
    types: dict[tuple[str, str], EnumType | DomainType | CompositeType] = field(
        default_factory=dict[tuple[str, str], EnumType | DomainType | CompositeType]
    )
