"""A session-wide throwaway PostgreSQL cluster for the Postgres-changes tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from realtime_typed.testing.postgres import PostgresNotInstalled, TemporaryCluster


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
