"""Small waiting helpers for client integration tests: no sleeps, only events with timeouts."""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

from realtime_typed import SubscribeState

T = TypeVar("T")

WAIT = 5.0
"""Seconds any single wait may take before the test fails."""


class Inbox(Generic[T]):
    """Collects what a callback receives; tests await the next item."""

    def __init__(self) -> None:
        self.items: list[T] = []
        self._queue: asyncio.Queue[T] = asyncio.Queue()

    def __call__(self, item: T) -> None:
        self.items.append(item)
        self._queue.put_nowait(item)

    async def next(self) -> T:
        return await asyncio.wait_for(self._queue.get(), WAIT)


class States:
    """An ``on_state`` callback recording every state change."""

    def __init__(self) -> None:
        self.seen: list[tuple[SubscribeState, Exception | None]] = []
        self._queue: asyncio.Queue[tuple[SubscribeState, Exception | None]] = asyncio.Queue()

    def __call__(self, state: SubscribeState, error: Exception | None) -> None:
        self.seen.append((state, error))
        self._queue.put_nowait((state, error))

    async def until(self, wanted: SubscribeState) -> Exception | None:
        """Wait for the next change to ``wanted``; returns its error."""
        while True:
            state, error = await asyncio.wait_for(self._queue.get(), WAIT)
            if state is wanted:
                return error
