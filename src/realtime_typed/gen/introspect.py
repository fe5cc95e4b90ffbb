"""A live database to a :class:`~realtime_typed.gen.catalog.Catalog`, through ``pg_catalog``.

Reads what the server itself resolved: every table and partition, its columns in ordinal
order with their types, NOT NULL and primary key, replica identity, row level security,
partitioning, the ``supabase_realtime`` publication's ``publish_via_partition_root``, enums
with their values in sort order, domains (over any base, their NOT NULL), composite types,
extension types (those with a cast to json map to JSON values) and comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from realtime_typed.errors import SchemaError
from realtime_typed.gen.catalog import (
    BuiltinType,
    Catalog,
    ColumnDef,
    CompositeType,
    DomainType,
    EnumType,
    OpaqueType,
    PgType,
    ReplicaIdentity,
    Table,
    TypeRef,
)

__all__ = ["introspect", "redact_url"]

_TYPES = """
select t.oid, n.nspname, t.typname, t.typtype, t.typelem, t.typlen, t.typbasetype,
       t.typtypmod, t.typndims, t.typnotnull, t.typrelid, coalesce(r.relkind, ''),
       obj_description(t.oid, 'pg_type'),
       exists (select 1 from pg_cast c where c.castsource = t.oid
               and c.casttarget in ('json'::regtype, 'jsonb'::regtype))
from pg_type t
join pg_namespace n on n.oid = t.typnamespace
left join pg_class r on r.oid = t.typrelid
"""
_ENUM_VALUES = "select enumtypid, enumlabel from pg_enum order by enumtypid, enumsortorder"
_TABLES = """
select c.oid, n.nspname, c.relname, obj_description(c.oid, 'pg_class'),
       c.relreplident, c.relrowsecurity, c.relkind = 'p', c.relpersistence = 'u',
       pn.nspname, p.relname,
       array(select a.attname
             from pg_index i
             cross join unnest(i.indkey) with ordinality k(num, pos)
             join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.num
             where i.indrelid = c.oid and i.indisreplident order by k.pos)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
left join pg_inherits h on c.relispartition and h.inhrelid = c.oid
left join pg_class p on p.oid = h.inhparent
left join pg_namespace pn on pn.oid = p.relnamespace
where c.relkind in ('r', 'p') and c.relpersistence <> 't'
  and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
"""
_PUBLICATION = """
select pubviaroot from pg_publication where pubname = 'supabase_realtime'
"""
_REPLICA_IDENTITIES: dict[str, ReplicaIdentity] = {
    "d": "default",
    "f": "full",
    "i": "index",
    "n": "nothing",
}
_ATTRIBUTES = """
select a.attrelid, a.attname, a.atttypid, a.atttypmod, a.attndims, a.attnotnull,
       col_description(a.attrelid, a.attnum)
from pg_attribute a join pg_class c on c.oid = a.attrelid
where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'c')
order by a.attrelid, a.attnum
"""
_PRIMARY_KEYS = """
select c.conrelid, c.conname, array(
  select a.attname from unnest(c.conkey) with ordinality k(num, pos)
  join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.num order by k.pos)
from pg_constraint c where c.contype = 'p'
"""


@dataclass(frozen=True, slots=True)
class _TypeRow:
    oid: int
    schema: str
    name: str
    kind: str
    element: int
    length: int
    base: int
    typmod: int
    ndims: int
    not_null: bool
    relid: int
    relkind: str
    comment: str | None
    json_cast: bool


def redact_url(url: str) -> str:
    """The database URL without user or password, for headers and messages."""
    info = conninfo_to_dict(url)
    host = info.get("host") or "localhost"
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{host}{port}/{info.get('dbname') or ''}"


def _typmods(name: str, typmod: int) -> tuple[int, ...]:
    if typmod < 0:
        return ()
    if name in {"bpchar", "varchar"}:
        return (typmod - 4,)
    if name == "numeric":
        return ((typmod - 4) >> 16, (typmod - 4) & 0xFFFF)
    return (typmod,)


class _Reader:
    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        cursor.execute(_TYPES)
        self.rows = {row[0]: _TypeRow(*row) for row in cursor.fetchall()}
        cursor.execute(_ENUM_VALUES)
        self.enum_values: dict[int, list[str]] = {}
        for oid, label in cursor.fetchall():
            self.enum_values.setdefault(oid, []).append(label)
        cursor.execute(_ATTRIBUTES)
        self.attributes: dict[int, list[tuple[Any, ...]]] = {}
        for row in cursor.fetchall():
            self.attributes.setdefault(row[0], []).append(row[1:])
        self.types: dict[int, PgType] = {}
        self.catalog = Catalog()

    def ref(self, oid: int, typmod: int, ndims: int) -> TypeRef:
        row = self.rows[oid]
        if row.element and row.length == -1 and row.kind == "b":
            element = self.rows[row.element]
            return TypeRef(self.type(element.oid), _typmods(element.name, typmod), max(ndims, 1))
        return TypeRef(self.type(oid), _typmods(row.name, typmod), 0)

    def type(self, oid: int) -> PgType:
        known = self.types.get(oid)
        if known is not None:
            return known
        row = self.rows[oid]
        made: PgType
        if row.kind == "e":
            made = EnumType(row.schema, row.name, self.enum_values.get(oid, []), row.comment)
        elif row.kind == "d":
            base = self.ref(row.base, row.typmod, row.ndims)
            made = DomainType(row.schema, row.name, base, row.not_null, row.comment)
        elif row.kind == "c" and row.relkind == "c":
            composite = CompositeType(row.schema, row.name, [], row.comment)
            self.types[oid] = composite
            composite.attributes = self.columns(row.relid)
            made = composite
        elif row.kind == "c":
            made = OpaqueType(row.schema, row.name, json_cast=True)
        elif row.schema == "pg_catalog":
            made = BuiltinType(row.name)
        else:
            made = OpaqueType(row.schema, row.name, json_cast=row.json_cast)
        self.types[oid] = made
        if isinstance(made, EnumType | DomainType | CompositeType):
            self.catalog.types[(made.schema, made.name)] = made
        return made

    def columns(self, relid: int) -> list[ColumnDef]:
        return [
            ColumnDef(name, self.ref(typid, typmod, ndims), bool(not_null), comment)
            for name, typid, typmod, ndims, not_null, comment in self.attributes.get(relid, [])
        ]


def introspect(url: str) -> Catalog:
    """Read the tables and types of the database at ``url``."""
    try:
        with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cursor:
            reader = _Reader(cursor)
            cursor.execute(_PRIMARY_KEYS)
            primary_keys = {row[0]: (row[1], tuple(row[2])) for row in cursor.fetchall()}
            cursor.execute(_TABLES)
            for row in cursor.fetchall():
                oid, schema, name, comment, replident, rls, partitioned, unlogged = row[:8]
                parent_schema, parent, identity_index = row[8:]
                pk_name, pk = primary_keys.get(oid, (None, ()))
                table = Table(schema, name, reader.columns(oid), pk, pk_name, comment)
                table.replica_identity = _REPLICA_IDENTITIES[replident]
                table.identity_index = tuple(identity_index)
                table.row_security = bool(rls)
                table.partitioned = bool(partitioned)
                table.unlogged = bool(unlogged)
                table.partition_of = (parent_schema, parent) if parent is not None else None
                reader.catalog.tables[(schema, name)] = table
            cursor.execute(_PUBLICATION)
            publication = cursor.fetchone()
            reader.catalog.publish_via_partition_root = bool(publication and publication[0])
    except psycopg.Error as exc:
        raise SchemaError(f"cannot read the database {redact_url(url)}: {exc}") from exc
    return reader.catalog
