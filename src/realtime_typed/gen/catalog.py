"""The schema model realtime-gen works on: tables, columns and the user types they use.

Both inputs build it: DDL statements applied in order (:mod:`realtime_typed.gen.ddl`) and a
live database read through ``pg_catalog`` (:mod:`realtime_typed.gen.introspect`). Types are
held by reference, so renaming a type or a table moves every column that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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
    "ReplicaIdentity",
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


ReplicaIdentity = Literal["default", "full", "index", "nothing"]
"""``pg_class.relreplident``: what the WAL holds of a changed row's old version."""


@dataclass(eq=False, slots=True)
class Table:
    """A table: columns in ordinal order, primary key, replica identity, RLS and partitioning.

    ``identity_index`` holds the columns of the ``REPLICA IDENTITY USING INDEX`` index (empty
    when that index was dropped, which leaves PostgreSQL logging no old values). A partition
    names its parent in ``partition_of``; a partitioned table (``PARTITION BY``) has
    ``partitioned`` set and holds no rows itself. An ``UNLOGGED`` table writes no WAL, so
    logical decoding, and Realtime, never sees its changes.
    """

    schema: str
    name: str
    columns: list[ColumnDef]
    primary_key: tuple[str, ...] = ()
    primary_key_name: str | None = None
    comment: str | None = None
    location: Location | None = None
    replica_identity: ReplicaIdentity = "default"
    identity_index: tuple[str, ...] = ()
    row_security: bool = False
    partitioned: bool = False
    partition_of: tuple[str, str] | None = None
    unlogged: bool = False

    def column(self, name: str) -> ColumnDef | None:
        """The column called ``name``, if any."""
        return next((col for col in self.columns if col.name == name), None)

    def identity_columns(self) -> tuple[str, ...]:
        """The columns the WAL carries of a row's old version (its replica identity)."""
        if self.replica_identity == "full":
            return tuple(column.name for column in self.columns)
        if self.replica_identity == "index":
            return self.identity_index
        if self.replica_identity == "nothing":
            return ()
        return self.primary_key

    def old_record_columns(self) -> tuple[str, ...]:
        """The columns every ``old_record`` of an update or delete holds.

        Realtime sends the replica identity columns; under row level security a delete's old
        record is cut to the primary key columns (the server cannot check a deleted row
        against the policies), so only those are sure to be there.
        """
        identity = self.identity_columns()
        if self.row_security:
            return tuple(name for name in identity if name in self.primary_key)
        return identity


@dataclass(slots=True)
class Catalog:
    """Tables and user types by ``(schema, name)``, and how the realtime publication works.

    ``publish_via_partition_root`` is the option of the ``supabase_realtime`` publication:
    false (PostgreSQL's default), the publication lists the leaf partitions of a
    partitioned table; true, the partitioned table alone. :meth:`delivers` says which
    tables' changes Realtime sends.
    """

    tables: dict[tuple[str, str], Table] = field(default_factory=dict[tuple[str, str], Table])
    types: dict[tuple[str, str], EnumType | DomainType | CompositeType] = field(
        default_factory=dict[tuple[str, str], EnumType | DomainType | CompositeType]
    )
    publish_via_partition_root: bool = False

    def delivers(self, table: Table) -> bool:
        """Whether Realtime sends changes to ``table``'s rows under its own name.

        Realtime reads the WAL through wal2json, which names the leaf partition that holds
        a changed row, and keeps only the tables the publication lists. A partitioned table
        holds no rows, so a subscription to it never receives anything; its leaf partitions
        deliver while the publication lists them (``publish_via_partition_root`` false),
        and nothing of a partitioned table arrives when it is true. An unlogged table
        writes no WAL: its changes never arrive.
        """
        if table.unlogged or table.partitioned:
            return False
        return table.partition_of is None or not self.publish_via_partition_root
