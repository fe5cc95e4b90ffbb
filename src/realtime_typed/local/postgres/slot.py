"""The publication that decides what is streamed, and the temporary wal2json slot read by polling.

Changes come from ``pg_logical_slot_get_changes`` with wal2json format-version 2 (include-pk,
include-timestamp, include-type-oids, no transaction markers), limited to the actions and
tables the publication publishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

__all__ = ["Publication", "create_slot", "drop_slot", "read_changes", "read_publication"]

_ESCAPED = set("\\,.* \t\n\r")

_GET_CHANGES = """
select data from pg_catalog.pg_logical_slot_get_changes(
  %s, null, %s,
  'format-version', '2',
  'include-pk', 'true',
  'include-timestamp', 'true',
  'include-type-oids', 'true',
  'include-transaction', 'false',
  'actions', %s,
  'add-tables', %s)
"""


def _wal2json_name(name: str) -> str:
    return "".join(f"\\{char}" if char in _ESCAPED else char for char in name)


@dataclass(frozen=True)
class Publication:
    """The tables and actions of one publication (no tables: nothing to stream)."""

    tables: tuple[tuple[str, str], ...]
    actions: tuple[str, ...]

    @property
    def add_tables(self) -> str:
        """The wal2json ``add-tables`` option value."""
        return ",".join(f"{_wal2json_name(s)}.{_wal2json_name(t)}" for s, t in self.tables)


async def read_publication(conn: psycopg.AsyncConnection[Any], name: str) -> Publication:
    """The publication's tables and published actions (empty when it does not exist)."""
    cursor = await conn.execute(
        "select pubinsert, pubupdate, pubdelete from pg_catalog.pg_publication where pubname = %s",
        (name,),
    )
    flags = await cursor.fetchone()
    if flags is None:
        return Publication((), ())
    actions = tuple(
        action for action, on in zip(("insert", "update", "delete"), flags, strict=True) if on
    )
    cursor = await conn.execute(
        "select schemaname::text, tablename::text from pg_catalog.pg_publication_tables"
        " where pubname = %s order by 1, 2",
        (name,),
    )
    tables = tuple((str(schema), str(table)) for schema, table in await cursor.fetchall())
    return Publication(tables, actions)


async def create_slot(conn: psycopg.AsyncConnection[Any], slot: str) -> None:
    """Create a temporary wal2json slot owned by this connection's session."""
    await conn.execute(
        "select pg_catalog.pg_create_logical_replication_slot(%s, 'wal2json', true)", (slot,)
    )


async def drop_slot(conn: psycopg.AsyncConnection[Any], slot: str) -> None:
    """Drop the slot if it exists."""
    await conn.execute(
        "select pg_catalog.pg_drop_replication_slot(slot_name)"
        " from pg_catalog.pg_replication_slots where slot_name = %s",
        (slot,),
    )


async def read_changes(
    conn: psycopg.AsyncConnection[Any], slot: str, publication: Publication, max_changes: int
) -> list[str]:
    """Consume up to ``max_changes`` changes; each is one wal2json JSON document."""
    cursor = await conn.execute(
        _GET_CHANGES, (slot, max_changes, ",".join(publication.actions), publication.add_tables)
    )
    return [str(data) for (data,) in await cursor.fetchall()]
