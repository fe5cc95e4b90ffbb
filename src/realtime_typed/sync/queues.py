"""A bounded queue between threads that never blocks its producer: when full, the oldest goes.

The thread twin of :class:`realtime_typed.client.queues.DropOldestQueue`: the client's event-loop
thread puts (it must never wait on a slow consumer), another thread takes with a timeout.
Overflow drops the oldest item, counts it in :attr:`ThreadQueue.dropped` and logs one warning
per burst (a burst ends when the consumer empties the queue).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Generic, TypeVar

from realtime_typed.client.queues import QueueClosed

__all__ = ["QueueClosed", "QueueEmpty", "ThreadQueue"]

T = TypeVar("T")


class QueueEmpty(Exception):
    """No item arrived within the timeout."""


class ThreadQueue(Generic[T]):
    """A FIFO of at most ``maxsize`` items, filled by one thread and read by others."""

    __slots__ = (
        "_burst",
        "_closed",
        "_items",
        "_lock",
        "_logger",
        "_maxsize",
        "_name",
        "_ready",
        "_waiting",
        "dropped",
    )

    def __init__(self, maxsize: int, *, name: str, logger: logging.Logger) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._items: deque[T] = deque()
        self._maxsize = maxsize
        self._name = name
        self._logger = logger
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._waiting = 0
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

    def put(self, item: T) -> bool:
        """Add ``item``, dropping the oldest if full; ``False`` when one was dropped or closed."""
        with self._lock:
            if self._closed:
                return False
            items = self._items
            kept = True
            if len(items) >= self._maxsize:
                items.popleft()
                self.dropped += 1
                kept = False
                if not self._burst:
                    self._burst = True
                    self._logger.warning(
                        "%s: consumer too slow, dropping the oldest messages (queue of %d)",
                        self._name,
                        self._maxsize,
                    )
            items.append(item)
            if self._waiting:
                self._ready.notify()
            return kept

    def get(self, timeout: float | None = None) -> T:
        """The next item; :class:`QueueEmpty` after ``timeout`` seconds without one,
        :class:`QueueClosed` once closed and drained."""
        with self._ready:
            items = self._items
            if not items:
                self._wait_for_items(timeout)
            item = items.popleft()
            if not items:
                self._burst = False
            return item

    def take_all(self, timeout: float | None = None) -> deque[T]:
        """Every item queued, at least one: one lock for a whole burst.

        Raises :class:`QueueEmpty` after ``timeout`` seconds without one, and
        :class:`QueueClosed` once closed and drained.
        """
        with self._ready:
            items = self._items
            if not items:
                self._wait_for_items(timeout)
                items = self._items
            self._items = deque()
            self._burst = False
            return items

    def _wait_for_items(self, timeout: float | None) -> None:
        """Wait (holding the lock) until an item is queued."""
        items = self._items
        deadline = None if timeout is None else time.monotonic() + timeout
        while not items:
            if self._closed:
                raise QueueClosed
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise QueueEmpty
            self._waiting += 1
            try:
                self._ready.wait(remaining)
            finally:
                self._waiting -= 1

    def close(self) -> None:
        """No more items; consumers drain what is left, then get :class:`QueueClosed`."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()
