"""A local server wired to PostgreSQL with RLS policies on ``realtime.messages``.

Policies, keyed on the first part of the topic (``realtime.topic()``), for role authenticated:

* ``rw:*``: read and write, broadcast and presence;
* ``ro:*``: read both, write nothing;
* ``bro:*``: broadcast read only (no presence read), no write;
* ``half:*``: read and write both; role anon may read presence there (and nothing else);
* ``boom:*``: the read policy raises (division by zero);
* anything else: nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
import pytest_asyncio

from realtime_typed.local.auth.jwks import SigningKey
from realtime_typed.local.options import ServerOptions
from realtime_typed.testing import LocalRealtimeServer

POLICIES = """
drop policy if exists auth_tests_read on realtime.messages;
drop policy if exists auth_tests_anon_read on realtime.messages;
drop policy if exists auth_tests_write on realtime.messages;
create policy auth_tests_read on realtime.messages for select to authenticated using (
  case split_part(realtime.topic(), ':', 1)
    when 'rw' then true
    when 'ro' then true
    when 'half' then true
    when 'bro' then extension = 'broadcast'
    when 'boom' then length(realtime.topic()) / 0 = 1
    else false
  end
);
create policy auth_tests_anon_read on realtime.messages for select to anon using (
  split_part(realtime.topic(), ':', 1) = 'half' and extension = 'presence'
);
create policy auth_tests_write on realtime.messages for insert to authenticated with check (
  split_part(realtime.topic(), ':', 1) in ('rw', 'half')
);
"""


@pytest.fixture(scope="session")
def signing_keys() -> dict[str, SigningKey]:
    """One RS256 and one ES256 key, published in the servers' JWKS."""
    return {
        "RS256": SigningKey.generate("RS256", kid="rsa-1"),
        "ES256": SigningKey.generate("ES256", kid="ec-1"),
    }


def _jwks(keys: dict[str, SigningKey]) -> dict[str, Any]:
    return {"keys": [key.public_jwk for key in keys.values()]}


async def _with_policies(dsn: str) -> None:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute(POLICIES.encode())


@pytest_asyncio.fixture
async def server(
    postgres_dsn: str, signing_keys: dict[str, SigningKey]
) -> AsyncIterator[LocalRealtimeServer]:
    """A server with the database (policies above) and the test JWKS."""
    async with LocalRealtimeServer(db_url=postgres_dsn, jwks=_jwks(signing_keys)) as started:
        await _with_policies(postgres_dsn)
        yield started


@pytest_asyncio.fixture
async def private_only_server(postgres_dsn: str) -> AsyncIterator[LocalRealtimeServer]:
    """A server in PrivateOnly mode."""
    options = ServerOptions(private_only=True)
    async with LocalRealtimeServer(db_url=postgres_dsn, options=options) as started:
        await _with_policies(postgres_dsn)
        yield started


@pytest_asyncio.fixture
async def database(postgres_dsn: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A superuser connection to the test database (autocommit)."""
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as conn:
        yield conn
