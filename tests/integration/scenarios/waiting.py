"""Waiting on conditions with a timeout: the only synchronisation the scenarios use."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

from realtime_typed import SubscribeState

K = TypeVar("K", bound=Hashable)

WAIT = 20.0
"""Seconds a single wait may take before the scenario fails (generous: the machine is shared)."""


class Tally(Generic[K]):
    """Counts what a callback sees, by key; waits until a condition on the counts holds."""

    def __init__(self) -> None:
        self.counts: Counter[K] = Counter()
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []

    def add(self, key: K) -> None:
        """Count ``key`` (from a callback) and wake the waiters whose condition now holds."""
        self.counts[key] += 1
        for predicate, future in self._waiters:
            if not future.done() and predicate():
                future.set_result(None)

    async def until(self, predicate: Callable[[], bool], timeout: float = WAIT) -> None:
        """Wait until ``predicate()`` holds (checked after every count)."""
        if predicate():
            return
        waiter = (predicate, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter[1], timeout)
        finally:
            self._waiters.remove(waiter)

    async def seen(self, keys: Iterable[K], times: int = 1, timeout: float = WAIT) -> None:
        """Wait until every key of ``keys`` has been counted at least ``times`` times."""
        wanted = list(keys)
        await self.until(lambda: all(self.counts[key] >= times for key in wanted), timeout)

    def duplicates(self) -> dict[K, int]:
        """Keys counted more than once."""
        return {key: count for key, count in self.counts.items() if count > 1}


class StateLog(Tally[tuple[str, SubscribeState]]):
    """Every channel state change, by topic, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[SubscribeState]] = {}
        self.errors: dict[str, list[Exception | None]] = {}

    def callback(self, topic: str) -> Callable[[SubscribeState, Exception | None], None]:
        """The ``on_state`` callback of ``topic``."""

        def record(state: SubscribeState, error: Exception | None) -> None:
            self.history.setdefault(topic, []).append(state)
            self.errors.setdefault(topic, []).append(error)
            self.add((topic, state))

        return record

    async def reached(
        self, state: SubscribeState, times: int, topics: Iterable[str], timeout: float = WAIT
    ) -> None:
        """Wait until every topic has entered ``state`` at least ``times`` times."""
        await self.seen([(topic, state) for topic in topics], times, timeout)
