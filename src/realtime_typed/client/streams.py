"""Async iterators over a channel's messages, bounded, never blocking the socket reader.

``async for msg in channel.broadcasts("cursor")`` reads from a
:class:`~realtime_typed.client.queues.DropOldestQueue`: when the consumer falls behind, the
oldest messages are dropped and counted in :attr:`MessageStream.dropped` (with one warning per
burst). The stream ends when the channel closes or :meth:`MessageStream.close` is called;
``async with`` closes it on exit. A consumer that is not a task (the blocking client's
iterators) takes the messages with :meth:`MessageStream.forward` instead, as they arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Generic, Self, TypeVar

from realtime_typed.client.queues import DropOldestQueue, QueueClosed

__all__ = ["MessageStream"]

T = TypeVar("T")


class MessageStream(Generic[T]):
    """Messages of one subscription, in arrival order."""

    __slots__ = ("_on_close", "_queue", "_sink")

    def __init__(self, queue: DropOldestQueue[T], on_close: Callable[[], None]) -> None:
        self._queue = queue
        self._on_close = on_close
        self._sink: Callable[[T], object] | None = None

    @property
    def dropped(self) -> int:
        """Messages dropped because this stream was full."""
        return self._queue.dropped

    def put(self, item: T) -> None:
        """Add a message (called by the channel)."""
        sink = self._sink
        if sink is None:
            self._queue.put(item)
        else:
            sink(item)

    async def forward(self, sink: Callable[[T], object]) -> None:
        """Hand every message to ``sink`` instead, until the stream ends.

        Messages already queued go first; each later one is handed over as the channel
        dispatches it, with no queue and no task switch.
        """
        self._sink = sink
        async for item in self:
            sink(item)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        try:
            return await self._queue.get()
        except QueueClosed:
            raise StopAsyncIteration from None

    def close(self) -> None:
        """Stop receiving; messages already queued can still be read."""
        if not self._queue.closed:
            self._queue.close()
            self._on_close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
