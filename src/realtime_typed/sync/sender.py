"""Broadcasts from a blocking client, with as few trips to its event loop as they need.

A blocking ``send_broadcast`` on a channel without ``broadcast_ack`` (and without REST fallback)
needs nothing back from the loop while the socket takes writes. Its push is built and checked
on the caller's thread (a payload the channel's checks or a typed key refuse raises there), put
in a queue, and the call returns. The loop takes everything queued in one callback, pushes it
in order and writes it at once, so one wake-up of the loop serves a burst of sends.
Whatever a thread asks of the client after its sends (an acked send, ``unsubscribe()``,
``close()``) runs on the loop after them.

The call waits instead, through the async client's own push, when waiting is its answer:

- the socket's send buffer is full (the server is not reading): it waits for the buffer to
  drain, at most the push timeout, then raises :class:`~realtime_typed.errors.PushTimeout`,
  as the async client does;
- the channel is closed: it raises :class:`~realtime_typed.errors.ChannelError`;
- the client is closed (:class:`~realtime_typed.sync.loop.ClientClosed`), or the caller runs on
  the loop's own thread (``RuntimeError``);
- :data:`MAX_QUEUED` broadcasts already wait for the loop: the call waits for the loop to catch
  up, so a sender never runs further ahead of the socket than that.

A broadcast queued while its channel closes fails on the loop, where it is reported through
``on_error`` (the caller has returned). The queue holds each broadcast as two entries, topic
and push payload, with no tuple per broadcast.

With ``broadcast_ack`` the push is also built on the caller's thread; the loop pushes it and
the caller waits for the reply's future itself (:meth:`LoopThread.wait_for
<realtime_typed.sync.loop.LoopThread.wait_for>`), with no task and no coroutine on the loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Final

from realtime_typed.client.client import RealtimeClient as AsyncRealtimeClient
from realtime_typed.errors import ChannelError
from realtime_typed.sync.loop import LoopThread

__all__ = ["MAX_QUEUED", "Sender"]

MAX_QUEUED: Final = 100
"""Broadcasts a client's senders may have waiting for its loop before a send waits too."""


class Sender:
    """Queues a blocking client's broadcasts without ack for its event loop."""

    def __init__(self, client: AsyncRealtimeClient, loop: LoopThread) -> None:
        self._client = client
        self._loop = loop
        self._lock = threading.Lock()
        self._queued: deque[Any] = deque()
        """Topic and push payload of each broadcast waiting for the loop, in order."""
        self._scheduled = False
        """Whether the loop is due to take the queue."""

    def send(
        self,
        topic: str,
        body: dict[str, Any],
        timeout: float | None,
        on_timeout: Callable[[], Exception],
    ) -> None:
        """Send the broadcast push ``body`` on ``topic``; waits only when it must (see above).

        ``timeout`` bounds a wait (``None``: the push timeout alone); ``on_timeout()`` is
        raised when it passes.
        """
        client = self._client
        loop = self._loop
        if (
            not client.writes_blocked
            and topic in client.core.channels
            and loop.running
            and not loop.in_loop_thread()
            and self._queue(topic, body)
        ):
            return
        loop.call(
            client.push(topic, "broadcast", body, wait=False),
            timeout,
            on_timeout,
            "send_broadcast()",
        )

    def _queue(self, topic: str, body: dict[str, Any]) -> bool:
        """Queue a broadcast for the loop, unless :data:`MAX_QUEUED` already wait; whether it
        was queued."""
        with self._lock:
            queued = self._queued
            if len(queued) >= 2 * MAX_QUEUED:
                return False
            queued.append(topic)
            queued.append(body)
            scheduled = self._scheduled
            self._scheduled = True
        if not scheduled:
            self._loop.submit(self._push_queued)
        return True

    def send_acked(
        self,
        topic: str,
        body: dict[str, Any],
        timeout: float | None,
        on_timeout: Callable[[], Exception],
    ) -> None:
        """Send the broadcast push ``body`` on ``topic`` and wait for the server's reply."""
        client = self._client

        def start() -> asyncio.Future[None]:
            reply = client.start_push(topic, "broadcast", body)
            client.pump()
            return reply

        self._loop.wait_for(start, timeout, on_timeout, "send_broadcast()")

    def _push_queued(self) -> None:
        """On the loop: push every broadcast queued, then write them."""
        with self._lock:
            queued = self._queued
            self._queued = deque()
            self._scheduled = False
        client = self._client
        core = client.core
        now = client.now()
        entries = iter(queued)
        for topic, body in zip(entries, entries, strict=True):
            try:
                core.push(topic, "broadcast", body, now, expects_reply=False)
            except ChannelError as exc:
                client.report(exc)
        client.pump()
