"""A local Supabase project for supabase-py: Realtime with its database, the Auth stand-in and
the gateway in front of both, with private-channel policies for signed-in users.

Policies on ``realtime.messages``: role ``authenticated`` may read and write topics
``team:*``; role ``anon`` nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import psycopg
import pytest
import pytest_asyncio
from supabase import AsyncClient, Client, acreate_client, create_client

from realtime_typed.testing import LocalRealtimeServer

from .auth_standin import AuthStandIn, User
from .gateway import Gateway

POLICIES = """
drop policy if exists supabase_tests_read on realtime.messages;
drop policy if exists supabase_tests_write on realtime.messages;
create policy supabase_tests_read on realtime.messages for select to authenticated
  using (split_part(realtime.topic(), ':', 1) = 'team');
create policy supabase_tests_write on realtime.messages for insert to authenticated
  with check (split_part(realtime.topic(), ':', 1) = 'team');
"""

WAIT = 20.0
"""Seconds any single wait may take before the test fails (the machine is shared)."""

ALICE = User(email="alice@example.com", password="correct horse battery staple")


@dataclass
class Project:
    """What a supabase-py app is given, and the services behind it."""

    url: str
    anon_key: str
    realtime: LocalRealtimeServer
    auth: AuthStandIn
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.get_running_loop)

    def channel_tokens(self, topic: str) -> list[str]:
        """The access token of every server-side channel joined to ``topic`` now (from any
        thread: the server's state is read on its loop)."""
        if not self._on_loop():
            return asyncio.run_coroutine_threadsafe(self._tokens(topic), self.loop).result(WAIT)
        full = topic if topic.startswith("realtime:") else f"realtime:{topic}"
        return [
            session.channels[full].access_token
            for session in self.realtime.state.sessions
            if full in session.channels
        ]

    def _on_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False

    async def _tokens(self, topic: str) -> list[str]:
        return self.channel_tokens(topic)


@pytest_asyncio.fixture
async def project(postgres_dsn: str) -> AsyncIterator[Project]:
    """A local project: ``project.url`` and ``project.anon_key`` for ``create_client``."""
    async with LocalRealtimeServer(db_url=postgres_dsn) as realtime:
        async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as db:
            await db.execute(POLICIES.encode())
        async with (
            AuthStandIn(realtime, [ALICE]) as auth,
            Gateway(auth.port, realtime.port) as gateway,
        ):
            yield Project(gateway.url, realtime.anon_key, realtime, auth)


@pytest.fixture
def supabase_client(project: Project) -> Iterator[Client]:
    """A supabase-py ``Client`` of the project (its HTTP client closed after the test)."""
    client = create_client(project.url, project.anon_key)
    with client.auth:
        yield client


@pytest_asyncio.fixture
async def async_supabase_client(project: Project) -> AsyncIterator[AsyncClient]:
    """A supabase-py ``AsyncClient`` of the project (its HTTP client closed after the test)."""
    client = await acreate_client(project.url, project.anon_key)
    async with client.auth:
        yield client
