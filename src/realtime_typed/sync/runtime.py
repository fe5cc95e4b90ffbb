"""What a blocking client runs on: the async client, its loop thread and its delivery thread.

A :class:`Runtime` never refers back to the blocking client that owns it, so the client's
finalizer (``weakref.finalize``) can hold it: :meth:`Runtime.shutdown` runs on ``close()``,
when the client is garbage-collected, or at interpreter exit, whichever comes first, and
leaves no thread, task or socket behind.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from realtime_typed.client.channel import Channel as AsyncChannel
from realtime_typed.client.client import RealtimeClient as AsyncRealtimeClient
from realtime_typed.sync.delivery import Delivery
from realtime_typed.sync.loop import LoopThread
from realtime_typed.sync.sender import Sender

__all__ = ["Runtime"]


class Runtime:
    """The async client, the loop thread it runs on and the thread that runs its callbacks."""

    def __init__(self, client: AsyncRealtimeClient) -> None:
        self.client = client
        self.loop: LoopThread = LoopThread(client.logger)
        self.delivery: Delivery = Delivery(client.logger, client.dropped)
        self.sender: Sender = Sender(client, self.loop)
        self._lock = threading.Lock()
        self._closed = False
        self._closing: asyncio.Task[None] | None = None
        self.companions: dict[str, list[AsyncChannel[Any]]] = {}
        """Companion channels of late ``changes()`` iterators, by the topic they serve."""

    @property
    def timeout(self) -> float:
        """The client's timeout for joins, pushes and closing, in seconds."""
        return self.client.timeout

    @property
    def closed(self) -> bool:
        """Whether :meth:`shutdown` has run."""
        return self._closed

    def shutdown(self, timeout: float) -> None:
        """Close the socket, stop every task, then end both threads (idempotent).

        Callbacks already queued are still delivered. From the loop thread (a finalizer run
        there) the same happens without waiting.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
        client = self.client
        loop = self.loop
        if loop.in_loop_thread():

            async def close_then_stop() -> None:
                try:
                    await client.close()
                finally:
                    loop.stop(timeout)

            self._closing = loop.loop.create_task(close_then_stop(), name="realtime-close")
            self.delivery.stop(timeout, wait=False)
            return
        try:
            loop.call(
                asyncio.wait_for(client.close(), timeout),
                None,
                TimeoutError,
                "close()",
            )
        except Exception as exc:
            client.logger.warning("closing the client: %s", exc)
        loop.stop(timeout)
        self.delivery.stop(timeout)
