"""A bounded queue that never blocks its producer: when full, the oldest item goes.

The socket reader must never wait on a slow consumer, so each async iterator and each async
callback gets one of these. Overflow drops the oldest item, counts it in :attr:`dropped` and
logs one warning per burst (a burst ends when the consumer empties the queue).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Generic, TypeVar

__all__ = ["DropOldestQueue", "QueueClosed", "warn_consumer_too_slow"]

T = TypeVar("T")


class QueueClosed(Exception):
    """The queue is closed and empty."""


class DropOldestQueue(Generic[T]):
    """A FIFO of at most ``maxsize`` items for one consumer."""

    __slots__ = (
        "_burst",
        "_closed",
        "_items",
        "_logger",
        "_maxsize",
        "_name",
        "_waiter",
        "dropped",
    )

    def __init__(self, maxsize: int, *, name: str, logger: logging.Logger) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._items: deque[T] = deque()
        self._maxsize = maxsize
        self._name = name
        self._logger = logger
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self._burst = False
        self.dropped: int = 0
        """How many items were dropped because the consumer fell behind."""

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def put(self, item: T) -> None:
        """Add ``item``; drop the oldest if full. Ignored once closed."""
        if self._closed:
            return
        items = self._items
        if len(items) >= self._maxsize:
            items.popleft()
            self.dropped += 1
            if not self._burst:
                self._burst = True
                warn_consumer_too_slow(self._logger, self._name, self._maxsize)
        items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> T:
        """The next item; raises :class:`QueueClosed` once closed and drained."""
        items = self._items
        while not items:
            if self._closed:
                raise QueueClosed
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None
        item = items.popleft()
        if not items:
            self._burst = False
        return item

    def close(self) -> None:
        """No more items; the consumer drains what is left, then gets :class:`QueueClosed`."""
        self._closed = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


def warn_consumer_too_slow(logger: logging.Logger, name: str, maxsize: int) -> None:
    """The warning of a bounded queue that starts dropping its oldest items (once per burst)."""
    logger.warning(
        "%s: consumer too slow, dropping the oldest messages (queue of %d)", name, maxsize
    )
