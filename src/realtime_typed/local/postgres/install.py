"""Installing what the local server needs into a database: Supabase's basics, the feed's schema
and ``realtime.messages`` with its functions (private channels, Broadcast from the database)."""

from __future__ import annotations

from typing import Any

import psycopg

from realtime_typed.local.postgres.sql_files import read_sql

__all__ = ["install_schema"]

_LOCK_KEY = 0x7265616C  # one installer at a time per database
_SUPABASE_READY = """
select (select count(*) from pg_catalog.pg_roles
         where rolname in ('anon', 'authenticated', 'service_role')) = 3
   and to_regprocedure('auth.uid()') is not null
   and exists (select from pg_catalog.pg_publication where pubname = %s)
"""


async def install_schema(conn: psycopg.AsyncConnection[Any], publication: str) -> None:
    """Create the Supabase roles, auth helpers and publication if missing, then (re)install
    the ``realtime.feed_*`` objects and ``realtime.messages``; safe to run concurrently and
    repeatedly."""
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        cursor = await conn.execute(_SUPABASE_READY, (publication,))
        row = await cursor.fetchone()
        if row is None or not row[0]:
            await conn.execute(read_sql("supabase.sql").encode())
        await conn.execute(read_sql("realtime.sql").encode())
        await conn.execute(read_sql("messages.sql").encode())
