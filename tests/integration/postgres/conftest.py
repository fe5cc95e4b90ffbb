"""A session-wide throwaway PostgreSQL cluster for the Postgres-changes tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest

from realtime_typed.local.postgres import (
    PostgresChangesFeed,
    PostgresNotInstalled,
    TemporaryCluster,
)

from .inbox import Database


@pytest.fixture(scope="session")
def cluster() -> Iterator[TemporaryCluster]:
    """One started cluster shared by every test of this folder."""
    temporary = TemporaryCluster()
    try:
        temporary.start()
    except PostgresNotInstalled as missing:
        if os.environ.get("REALTIME_REQUIRE_PG"):
            raise
        pytest.skip(str(missing))
    yield temporary
    temporary.stop()


@pytest.fixture(scope="session")
def dsn(cluster: TemporaryCluster) -> str:
    """The cluster's superuser connection string."""
    return cluster.dsn


@pytest.fixture
async def db(dsn: str) -> AsyncIterator[Database]:
    """An autocommit superuser connection for preparing tables and making changes."""
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        yield Database(conn)


@pytest.fixture
async def feed(dsn: str) -> AsyncIterator[PostgresChangesFeed]:
    """A started feed with the real defaults."""
    started = PostgresChangesFeed(dsn)
    await started.start()
    yield started
    await started.stop()


@pytest.fixture
def table_name() -> str:
    """A table name unique to the test."""
    return f"t_{uuid.uuid4().hex[:16]}"
