"""The checks of ``realtime-doctor``: catalog queries turned into findings.

Supabase Realtime streams a table's changes through logical decoding (wal2json) of the tables
in the ``supabase_realtime`` publication, then sends each change only to subscribers whose role
may select the row: a table grant, usage of its schema and, with row level security, a
permissive SELECT policy. Each of these, when missing, is silence on the client. Private
channels need policies on ``realtime.messages`` instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import psycopg

from realtime_typed.doctor.findings import Finding, Level

__all__ = ["DEFAULT_ROLES", "PUBLICATION", "TableName", "diagnose"]

PUBLICATION: Final = "supabase_realtime"
DEFAULT_ROLES: Final = ("anon", "authenticated")
"""The roles of Supabase's API keys and signed-in users: the usual subscribers."""

_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")
_OPERATIONS: Final = ("insert", "update", "delete")


def ident(name: str) -> str:
    """``name`` as an SQL identifier (quoted only when it needs to be)."""
    return name if _PLAIN.match(name) else '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class TableName:
    """A schema-qualified table name."""

    schema: str
    name: str

    @classmethod
    def parse(cls, text: str) -> TableName:
        """``schema.table`` or ``table`` (in ``public``); ``ValueError`` otherwise."""
        schema, dot, name = text.rpartition(".")
        if not name or (dot and not schema):
            raise ValueError(f"{text!r} is not a table name (schema.table)")
        return cls(schema or "public", name)

    @property
    def sql(self) -> str:
        return f"{ident(self.schema)}.{ident(self.name)}"

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class _Publication:
    operations: tuple[str, ...]
    via_root: bool
    all_tables: bool


_TABLE = """
select c.oid, c.relkind::text, c.relreplident::text, c.relrowsecurity, c.relispartition,
       array(select a.attname::text
               from pg_catalog.pg_index i
               join pg_catalog.pg_attribute a
                 on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
              where i.indrelid = c.oid and i.indisprimary
              order by a.attnum)
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where n.nspname = %s and c.relname = %s
"""
_PUBLISHED = """
select exists (select from pg_catalog.pg_publication_tables
                where pubname = %s and schemaname = %s and tablename = %s)
"""
_LEAVES = """
select (select n.nspname from pg_catalog.pg_class c
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace where c.oid = t.relid)
       || '.' || (select relname from pg_catalog.pg_class where oid = t.relid)
  from pg_catalog.pg_partition_tree(%s) t
 where t.isleaf
 order by 1
"""
_CAN_READ = """
select pg_catalog.has_schema_privilege(%(role)s, %(schema)s, 'usage'),
       pg_catalog.has_table_privilege(%(role)s, %(oid)s, 'select'),
       exists (select from pg_catalog.pg_policy p
                where p.polrelid = %(oid)s and p.polpermissive and p.polcmd in ('r', '*')
                  and (0 = any(p.polroles)
                       or exists (select from unnest(p.polroles) r
                                   where pg_catalog.pg_has_role(%(role)s, r, 'member'))))
"""
_MESSAGES_POLICY = """
select exists (select from pg_catalog.pg_policy p
                where p.polrelid = 'realtime.messages'::regclass and p.polpermissive
                  and p.polcmd in (%(cmd)s, '*')
                  and (0 = any(p.polroles)
                       or exists (select from unnest(p.polroles) r, unnest(%(roles)s::text[]) u
                                   where pg_catalog.pg_has_role(u, r, 'member'))))
"""


class _Catalog:
    """Small typed wrappers over one connection's queries."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def row(self, query: str, params: Sequence[Any] | dict[str, Any] = ()) -> tuple[Any, ...]:
        row = self._conn.execute(query.encode(), params).fetchone()
        assert row is not None
        return tuple(row)

    def maybe(
        self, query: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> tuple[Any, ...] | None:
        row = self._conn.execute(query.encode(), params).fetchone()
        return None if row is None else tuple(row)

    def column(self, query: str, params: Sequence[Any] = ()) -> list[Any]:
        return [row[0] for row in self._conn.execute(query.encode(), params).fetchall()]


def diagnose(
    conn: psycopg.Connection[Any],
    tables: Sequence[TableName] | None = None,
    roles: Sequence[str] = DEFAULT_ROLES,
    publication: str = PUBLICATION,
) -> list[Finding]:
    """Every finding for ``tables`` (default: the publication's) and ``roles``, in order:
    the database, the publication, each table, private channels."""
    catalog = _Catalog(conn)
    findings = [_wal_level(catalog)]
    pub, publication_findings = _publication(catalog, publication)
    findings += publication_findings
    known = set(catalog.column("select rolname::text from pg_catalog.pg_roles"))
    missing_roles = [role for role in roles if role not in known]
    for role in missing_roles:
        findings.append(
            Finding("warn", f"role {role}", "does not exist, so it is not checked", None)
        )
    present = [role for role in roles if role in known]
    if tables is None:
        tables = [
            TableName(schema, name)
            for schema, name in conn.execute(
                b"select schemaname::text, tablename::text from pg_catalog.pg_publication_tables"
                b" where pubname = %s order by 1, 2",
                (publication,),
            ).fetchall()
        ]
        if not tables:
            findings.append(
                Finding("warn", publication, "publishes no table: no changes are streamed")
            )
    for table in tables:
        findings += _table(catalog, table, pub, publication, present)
    findings += _private_channels(catalog, present)
    return findings


def _wal_level(catalog: _Catalog) -> Finding:
    (level,) = catalog.row("select pg_catalog.current_setting('wal_level')")
    if level == "logical":
        return Finding("ok", "database", "wal_level is logical")
    return Finding(
        "error",
        "database",
        f"wal_level is {level}: no logical decoding, so no changes at all",
        "alter system set wal_level = logical; -- then restart PostgreSQL",
    )


def _publication(catalog: _Catalog, name: str) -> tuple[_Publication | None, list[Finding]]:
    row = catalog.maybe(
        "select pubinsert, pubupdate, pubdelete, pubviaroot, puballtables"
        " from pg_catalog.pg_publication where pubname = %s",
        (name,),
    )
    if row is None:
        fix = f"create publication {ident(name)};"
        return None, [Finding("error", name, "the publication does not exist", fix)]
    insert, update, delete, via_root, all_tables = row
    operations = tuple(
        operation for operation, on in zip(_OPERATIONS, (insert, update, delete), strict=True) if on
    )
    publication = _Publication(operations, bool(via_root), bool(all_tables))
    missing = [operation for operation in _OPERATIONS if operation not in operations]
    if not missing:
        scope = "every table" if all_tables else "its tables"
        return publication, [Finding("ok", name, f"publishes insert, update and delete of {scope}")]
    level: Level = "error" if not operations else "warn"
    fix = f"alter publication {ident(name)} set (publish = 'insert, update, delete');"
    return publication, [
        Finding(level, name, f"does not publish {', '.join(missing)}: those never arrive", fix)
    ]


def _table(
    catalog: _Catalog,
    table: TableName,
    pub: _Publication | None,
    publication: str,
    roles: Sequence[str],
) -> list[Finding]:
    row = catalog.maybe(_TABLE, (table.schema, table.name))
    subject = str(table)
    if row is None:
        return [Finding("error", subject, "no such table", None)]
    oid, kind, identity, rls, is_partition, primary_key = row
    if kind not in ("r", "p"):
        return [Finding("error", subject, "not a table: Realtime streams tables only", None)]
    findings: list[Finding] = []
    if pub is not None:
        findings += _membership(catalog, table, oid, kind, bool(is_partition), pub, publication)
        findings += _replica_identity(table, identity, list(primary_key), pub)
    findings += _readers(catalog, table, oid, bool(rls), roles)
    return findings


def _membership(
    catalog: _Catalog,
    table: TableName,
    oid: int,
    kind: str,
    is_partition: bool,
    pub: _Publication,
    publication: str,
) -> list[Finding]:
    subject = str(table)
    (published,) = catalog.row(_PUBLISHED, (publication, table.schema, table.name))
    add = f"alter publication {ident(publication)} add table {table.sql};"
    if kind == "p":
        leaves = catalog.column(_LEAVES, (oid,))
        named = ", ".join(leaves) if leaves else "none yet"
        if pub.via_root:
            return [
                Finding(
                    "error",
                    subject,
                    "partitioned, and the publication publishes through the partition root: "
                    "subscribing to it works, but its changes are decoded under each "
                    "partition's name, so none arrive",
                    f"alter publication {ident(publication)} set "
                    f"(publish_via_partition_root = false); -- then subscribe to {named}",
                )
            ]
        leaves_published = bool(leaves) and all(
            catalog.row(_PUBLISHED, (publication, *leaf.split(".", 1)))[0] for leaf in leaves
        )
        return [
            Finding(
                "error",
                subject,
                "partitioned: the publication lists its partitions, not it, so subscribing to "
                f'it fails ("Unable to subscribe"); subscribe to the partitions ({named})',
                None if leaves_published else add,
            )
        ]
    if published:
        return [Finding("ok", subject, f"in publication {publication}")]
    if is_partition and pub.via_root:
        return [
            Finding(
                "error",
                subject,
                "a partition, and the publication publishes through the partition root: its "
                "changes never arrive",
                f"alter publication {ident(publication)} set (publish_via_partition_root = false);",
            )
        ]
    return [Finding("error", subject, f"not in publication {publication}: no changes arrive", add)]


def _replica_identity(
    table: TableName, identity: str, primary_key: list[str], pub: _Publication
) -> list[Finding]:
    subject = str(table)
    full = f"alter table {table.sql} replica identity full;"
    if not primary_key:
        refused = ""
        if identity in ("d", "n") and {"update", "delete"} & set(pub.operations):
            refused = "; and PostgreSQL refuses its UPDATEs and DELETEs while it is published"
        return [
            Finding(
                "error",
                subject,
                "no primary key: Realtime sends each of its changes as an error "
                f'("no primary key") instead of the row{refused}',
                f"alter table {table.sql} add primary key (...); -- its key columns",
            )
        ]
    columns = ", ".join(primary_key)
    if identity == "f":
        return [Finding("ok", subject, "replica identity full: old_record holds the whole row")]
    if identity == "i":
        return [Finding("ok", subject, "old_record holds the replica identity index's columns")]
    if identity == "n":
        return [
            Finding(
                "warn",
                subject,
                "replica identity nothing: PostgreSQL refuses its UPDATEs and DELETEs while it "
                "is published",
                full,
            )
        ]
    return [
        Finding(
            "ok",
            subject,
            f"old_record holds the primary key ({columns}) only; for whole old rows: {full}",
        )
    ]


def _readers(
    catalog: _Catalog, table: TableName, oid: int, rls: bool, roles: Sequence[str]
) -> list[Finding]:
    """Who receives the table's changes: schema usage, a SELECT grant and, with RLS, a policy."""
    if not roles:
        return []
    subject = str(table)
    lacking: dict[str, list[str]] = {"usage": [], "grant": [], "policy": []}
    for role in roles:
        usage, grant, policy = catalog.row(
            _CAN_READ, {"role": role, "schema": table.schema, "oid": oid}
        )
        if not usage:
            lacking["usage"].append(role)
        if not grant:
            lacking["grant"].append(role)
        if rls and not policy:
            lacking["policy"].append(role)
    readers = [role for role in roles if not any(role in names for names in lacking.values())]
    if readers:
        text = f"changes reach {', '.join(readers)}"
        others = [role for role in roles if role not in readers]
        if others:
            text += f"; not {', '.join(others)} ({_why(others, lacking)})"
        return [Finding("ok", subject, text)]
    findings: list[Finding] = []
    if lacking["usage"]:
        findings.append(
            Finding(
                "error",
                subject,
                f"{_names(lacking['usage'])} cannot use schema {table.schema}: no changes "
                "reach them",
                f"grant usage on schema {ident(table.schema)} to {_names(lacking['usage'])};",
            )
        )
    if lacking["grant"]:
        findings.append(
            Finding(
                "error",
                subject,
                f"no SELECT grant to {_names(lacking['grant'])}: no changes reach them",
                f"grant select on {table.sql} to {_names(lacking['grant'])};",
            )
        )
    if lacking["policy"]:
        findings.append(
            Finding(
                "error",
                subject,
                f"row level security is on and no SELECT policy lets {_names(lacking['policy'])}"
                " read it: no changes reach them",
                f'create policy "realtime can read" on {table.sql} for select to '
                f"{_names(lacking['policy'])} using (true); -- narrow using (...) to the rows "
                "each user may see",
            )
        )
    return findings


def _names(roles: Sequence[str]) -> str:
    return ", ".join(roles)


def _why(roles: Sequence[str], lacking: dict[str, list[str]]) -> str:
    reasons = {
        "usage": "no schema usage",
        "grant": "no SELECT grant",
        "policy": "no SELECT policy",
    }
    parts: list[str] = []
    for role in roles:
        missing = [reasons[what] for what, names in lacking.items() if role in names]
        parts.append(f"{role}: {', '.join(missing)}")
    return "; ".join(parts)


def _private_channels(catalog: _Catalog, roles: Sequence[str]) -> list[Finding]:
    subject = "realtime.messages"
    (exists,) = catalog.row("select pg_catalog.to_regclass('realtime.messages') is not null")
    if not exists:
        return [
            Finding(
                "warn",
                subject,
                "missing: private channels need Realtime's own schema (Supabase and self-hosted "
                "Realtime create it)",
            )
        ]
    if not roles:
        return []
    (can_read,) = catalog.row(_MESSAGES_POLICY, {"cmd": "r", "roles": list(roles)})
    (can_write,) = catalog.row(_MESSAGES_POLICY, {"cmd": "a", "roles": list(roles)})
    who = _names(roles)
    findings: list[Finding] = []
    if can_read:
        findings.append(Finding("ok", subject, "a SELECT policy lets private channels be joined"))
    else:
        findings.append(
            Finding(
                "warn",
                subject,
                f"no SELECT policy for {who}: every join of a private channel is refused",
                'create policy "members can receive" on realtime.messages for select to '
                "authenticated using (true); -- narrow using (...) with realtime.topic()",
            )
        )
    if can_write:
        findings.append(
            Finding("ok", subject, "an INSERT policy lets private channels send and track")
        )
    else:
        findings.append(
            Finding(
                "warn",
                subject,
                f"no INSERT policy for {who}: private channels cannot send broadcasts or track "
                "presence",
                'create policy "members can send" on realtime.messages for insert to '
                "authenticated with check (true); -- narrow with realtime.topic()",
            )
        )
    return findings
