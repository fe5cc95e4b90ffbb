"""An inbox of received items that a test awaits by predicate, with a timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

WAIT_SECONDS = 10.0


class Inbox(Generic[T]):
    """Items arrive through :meth:`put` (from any callback); :meth:`take` awaits a matching one.

    Each item is taken at most once, in arrival order; everything ever put is kept in
    :attr:`history` so a failed wait can show what did arrive.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.history: list[T] = []
        self._pending: list[T] = []
        self._waiters: list[tuple[Callable[[T], bool], asyncio.Future[T]]] = []

    def put(self, item: T) -> None:
        """Record an item and hand it to the oldest waiter it satisfies."""
        self.history.append(item)
        for waiter in self._waiters:
            matches, future = waiter
            if not future.done() and matches(item):
                self._waiters.remove(waiter)
                future.set_result(item)
                return
        self._pending.append(item)

    async def take(self, matches: Callable[[T], bool]) -> T:
        """Remove and return the first item satisfying ``matches``, waiting up to WAIT_SECONDS."""
        for item in self._pending:
            if matches(item):
                self._pending.remove(item)
                return item
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        waiter = (matches, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, WAIT_SECONDS)
        except TimeoutError:
            raise AssertionError(
                f"{self.name}: nothing matching arrived within {WAIT_SECONDS} s; "
                f"received: {self.history!r}"
            ) from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    async def absent(self, matches: Callable[[T], bool], seconds: float) -> None:
        """Fail if an item satisfying ``matches`` arrives within ``seconds`` (or is pending)."""
        for item in self._pending:
            assert not matches(item), f"{self.name}: unexpected {item!r}"
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        waiter = (matches, future)
        self._waiters.append(waiter)
        try:
            item = await asyncio.wait_for(future, seconds)
        except TimeoutError:
            return
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
        raise AssertionError(f"{self.name}: unexpected {item!r} within {seconds} s")
