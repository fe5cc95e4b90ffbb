"""The local Realtime server's pytest fixtures, loaded by its ``pytest_plugin`` module.

* ``realtime_server``: a fresh :class:`LocalRealtimeServer` without a database, per test.
* ``postgres_dsn`` (session): a throwaway PostgreSQL cluster with wal2json. Skipped when the
  PostgreSQL binaries are missing, unless ``REALTIME_REQUIRE_PG`` is set (then it fails).
* ``realtime_server_db``: a :class:`LocalRealtimeServer` wired to that database.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from realtime_typed.local.server import LocalRealtimeServer

__all__ = ["postgres_dsn", "realtime_server", "realtime_server_db"]


@pytest_asyncio.fixture
async def realtime_server() -> AsyncIterator[LocalRealtimeServer]:
    """A local Realtime server without a database, on a free port."""
    async with LocalRealtimeServer() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """The superuser DSN of a throwaway PostgreSQL cluster shared by the session."""
    from realtime_typed.local.postgres import PostgresNotInstalled, TemporaryCluster
    from realtime_typed.local.postgres.binaries import find_binaries

    try:
        find_binaries()
    except PostgresNotInstalled as exc:
        if os.environ.get("REALTIME_REQUIRE_PG"):
            raise
        pytest.skip(f"PostgreSQL is not installed: {exc}")
    cluster = TemporaryCluster()
    cluster.start()
    try:
        yield cluster.dsn
    finally:
        cluster.stop()


@pytest_asyncio.fixture
async def realtime_server_db(postgres_dsn: str) -> AsyncIterator[LocalRealtimeServer]:
    """A local Realtime server with Postgres changes from the session's database."""
    async with LocalRealtimeServer(db_url=postgres_dsn) as server:
        yield server
