"""Test helpers: a channel stand-in that collects deliveries (waited on with a timeout) and a
connection wrapper for statements with generated table names."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import psycopg

from realtime_typed.local.postgres import PostgresChangesFeed

WAIT_S = 10.0


class Inbox:
    """Deliveries of one subscribed channel, in order."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def deliver(self, payload: dict[str, Any]) -> None:
        await self._queue.put(payload)

    async def next(self) -> dict[str, Any]:
        """The next delivery; fails the test if none comes in time."""
        return await asyncio.wait_for(self._queue.get(), WAIT_S)

    def empty(self) -> bool:
        return self._queue.empty()


async def subscribe(
    feed: PostgresChangesFeed,
    bindings: list[dict[str, Any]],
    claims: dict[str, Any] | None = None,
    channel: str = "room",
) -> tuple[Inbox, list[tuple[str, str]]]:
    """Subscribe bindings numbered 1, 2, ... on a fresh inbox; the inbox and the notices."""
    inbox = Inbox()
    notices = await feed.subscribe(
        channel,
        [(number, binding) for number, binding in enumerate(bindings, start=1)],
        claims if claims is not None else {"role": "anon"},
        inbox.deliver,
    )
    return inbox, notices


class Database:
    """An autocommit connection whose ``execute`` takes composed SQL text (tests build table
    names into statements)."""

    def __init__(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self.conn = conn

    async def execute(self, statement: str, params: Sequence[Any] | None = None) -> None:
        await self.conn.execute(statement.encode(), params)

    def transaction(self) -> AbstractAsyncContextManager[object]:
        return self.conn.transaction()
