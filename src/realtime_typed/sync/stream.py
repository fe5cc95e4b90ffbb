"""Blocking iterators over a channel's messages: ``for change in ch.changes(Todos.insert)``.

A :class:`MessageIterator` reads, on the caller's thread, what an async
:class:`~realtime_typed.client.streams.MessageStream` of the same channel receives on the event
loop: the stream forwards each message, as the channel dispatches it, into a bounded
:class:`~realtime_typed.sync.queues.ThreadQueue` (``maxsize`` messages; when the consumer falls
behind, the oldest are dropped and counted in :attr:`MessageIterator.dropped`), and a task owned
by the client closes the queue when the stream ends. The iterator takes what is queued in one
go and hands it out one by one.

Iteration ends when ``timeout`` seconds pass without a message (``None``: never), when the
channel closes, when the client closes, or on :meth:`MessageIterator.close` (a ``with`` block
closes it on exit). Messages already queued are still read before it ends.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from realtime_typed.client.streams import MessageStream
from realtime_typed.sync.loop import LoopThread
from realtime_typed.sync.queues import QueueClosed, QueueEmpty, ThreadQueue

__all__ = ["MessageIterator"]

T = TypeVar("T")


class MessageIterator(Generic[T], Iterator[T]):
    """Messages of one subscription, in arrival order, for a blocking consumer."""

    __slots__ = ("_loop", "_queue", "_stream", "_taken", "timeout")

    def __init__(
        self,
        stream: MessageStream[T],
        queue: ThreadQueue[T],
        loop: LoopThread,
        timeout: float | None,
    ) -> None:
        self._stream = stream
        self._queue = queue
        self._loop = loop
        self._taken: deque[T] = deque()
        """Messages taken from the queue in one go, not handed out yet."""
        self.timeout: float | None = timeout
        """Seconds to wait for the next message before iteration ends (``None``: no limit)."""

    @property
    def dropped(self) -> int:
        """Messages dropped because this iterator's consumer fell behind."""
        return self._queue.dropped + self._stream.dropped

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> T:
        taken = self._taken
        if not taken:
            try:
                taken = self._taken = self._queue.take_all(self.timeout)
            except QueueEmpty:
                self.close()
                raise StopIteration from None
            except QueueClosed:
                raise StopIteration from None
        return taken.popleft()

    def get(self, timeout: float | None = None) -> T | None:
        """The next message, or ``None`` if none came within ``timeout`` s or the stream ended."""
        taken = self._taken
        if not taken:
            try:
                taken = self._taken = self._queue.take_all(timeout)
            except (QueueEmpty, QueueClosed):
                return None
        return taken.popleft()

    def close(self) -> None:
        """Stop receiving; messages already queued can still be read."""
        if not self._queue.closed:
            self._queue.close()
            self._loop.submit(self._stream.close)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


async def pump(stream: MessageStream[Any], queue: ThreadQueue[Any]) -> None:
    """Put every message of ``stream`` in ``queue`` as it arrives; close ``queue`` when
    ``stream`` ends."""
    try:
        await stream.forward(queue.put)
    finally:
        queue.close()
        stream.close()
