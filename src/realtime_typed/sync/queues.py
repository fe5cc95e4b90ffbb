"""A bounded queue between threads that never blocks its producer: when full, the oldest goes.

The thread twin of :class:`realtime_typed.client.queues.DropOldestQueue`: the client's event-loop
thread puts (it must never wait on a slow consumer), another thread takes with a timeout.
Overflow drops the oldest item, counts it in :attr:`ThreadQueue.dropped` and logs one warning
per burst (a burst ends when the consumer empties the queue).

A burst of messages costs the garbage collector while it waits in the queue. Messages are
read from the socket a chunk at a time, hundreds of them, all while the loop thread holds the
GIL, and a consumer woken by the first one gets the GIL only when the loop lets go of it. The
collector runs a young collection every 700 new objects that are still alive, so queueing more
than a few hundred messages starts collections that find every one of them alive and move them
to older generations, until a full collection of the whole heap is due. Two things keep a burst
waiting in the queue short, so the messages die young:

- when :data:`HAND_OVER_AFTER` items of a burst are queued and the consumer is still idle (it
  was woken but has not run), the producer gives it the GIL: it waits until the consumer has
  taken the queue, at most :data:`HAND_OVER_WAIT` seconds, then goes on. A busy consumer is
  never waited for;
- a queue made with ``pairs=True`` and filled with :meth:`ThreadQueue.put_pair` holds each item
  (a call and its argument) as two entries, with no tuple per item.

The consumer is woken once per burst: when an item lands in an empty queue.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Final, Generic, TypeVar

from realtime_typed.client.queues import QueueClosed, warn_consumer_too_slow

__all__ = ["HAND_OVER_AFTER", "HAND_OVER_WAIT", "QueueClosed", "QueueEmpty", "ThreadQueue"]

T = TypeVar("T")

HAND_OVER_AFTER: Final = 256
"""Items of a burst queued before the producer hands the GIL to an idle consumer."""
HAND_OVER_WAIT: Final = 0.001
"""Seconds at most the producer waits for an idle consumer to take the queue."""


class QueueEmpty(Exception):
    """No item arrived within the timeout."""


class ThreadQueue(Generic[T]):
    """A FIFO of at most ``maxsize`` items, filled by one thread and read by others."""

    __slots__ = (
        "_burst",
        "_closed",
        "_hand_over",
        "_handed_over",
        "_items",
        "_limit",
        "_lock",
        "_logger",
        "_maxsize",
        "_name",
        "_ready",
        "_taken",
        "_waiting",
        "_width",
        "dropped",
    )

    def __init__(
        self, maxsize: int, *, name: str, logger: logging.Logger, pairs: bool = False
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._items: deque[T] = deque()
        self._maxsize = maxsize
        self._width = 2 if pairs else 1
        """Entries per item."""
        self._limit = maxsize * self._width
        """Entries the queue holds when full."""
        self._hand_over = min(HAND_OVER_AFTER * self._width, self._limit)
        """Entries queued when the producer hands the GIL to an idle consumer."""
        self._handed_over = False
        """Whether the producer handed the GIL over since the queue was last taken."""
        self._name = name
        self._logger = logger
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        """Notified when an item lands in the empty queue, and on close."""
        self._taken = threading.Condition(self._lock)
        """Notified when a consumer takes the queue."""
        self._waiting = 0
        """Consumers waiting for an item (woken or not)."""
        self._closed = False
        self._burst = False
        self.dropped: int = 0
        """How many items were dropped because the consumer fell behind."""

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
            kept = len(items) < self._limit
            if not kept:
                self._drop_oldest()
            items.append(item)
            if self._waiting:
                self._wake(len(items))
            return kept

    def put_pair(self, first: T, second: T) -> bool:
        """Add ``first`` then ``second`` as one item of a queue made with ``pairs=True``: they
        are dropped together and taken together (consecutive entries of :meth:`take_all`)."""
        with self._lock:
            if self._closed:
                return False
            items = self._items
            kept = len(items) < self._limit
            if not kept:
                self._drop_oldest()
            items.append(first)
            items.append(second)
            if self._waiting:
                self._wake(len(items))
            return kept

    def _wake(self, entries: int) -> None:
        """With a consumer waiting, now ``entries`` entries queued: wake it on the first item,
        hand it the GIL once at :data:`HAND_OVER_AFTER` (holding the lock)."""
        if entries == self._width:
            self._ready.notify()
        elif entries >= self._hand_over and not self._handed_over:
            self._handed_over = True
            self._taken.wait(HAND_OVER_WAIT)

    def _drop_oldest(self) -> None:
        """Drop the oldest item, count it and warn once per burst (holding the lock)."""
        popleft = self._items.popleft
        for _ in range(self._width):
            popleft()
        self.dropped += 1
        if not self._burst:
            self._burst = True
            warn_consumer_too_slow(self._logger, self._name, self._maxsize)

    def take_all(self, timeout: float | None = None) -> deque[T]:
        """Every entry queued, at least one item: one lock for a whole burst.

        Raises :class:`QueueEmpty` after ``timeout`` seconds without one, and
        :class:`QueueClosed` once closed and drained.
        """
        with self._lock:
            items = self._items
            if not items:
                self._wait_for_items(timeout)
                items = self._items
            self._items = deque()
            self._burst = False
            if self._handed_over:
                self._handed_over = False
                self._taken.notify()
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
        with self._lock:
            self._closed = True
            self._ready.notify_all()
