"""Fixtures shared by the integration tests of several folders."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest_asyncio
from psycopg.conninfo import make_conninfo


@pytest_asyncio.fixture
async def fresh_db_url(postgres_dsn: str) -> AsyncIterator[str]:
    """A new, empty database in the session's throwaway cluster, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as admin:
        await admin.execute(f"create database {name}".encode())
        try:
            yield make_conninfo(postgres_dsn, dbname=name)
        finally:
            # A replication slot that is still active keeps even a forced drop out: end its
            # backend (waiting for it to exit, which drops a temporary slot), drop what is left.
            await admin.execute(
                "select pg_terminate_backend(active_pid, 10000) from pg_replication_slots"
                " where database = %s and active_pid is not null",
                (name,),
            )
            await admin.execute(
                "select pg_drop_replication_slot(slot_name) from pg_replication_slots"
                " where database = %s",
                (name,),
            )
            await admin.execute(f"drop database {name} with (force)".encode())
