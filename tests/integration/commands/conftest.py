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
            await admin.execute(f"drop database {name} with (force)".encode())
