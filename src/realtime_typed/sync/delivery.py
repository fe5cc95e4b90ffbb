"""The delivery thread of a blocking client: where its plain callbacks run, in arrival order.

The event-loop thread never runs user code of a blocking client: each plain callback is wrapped
(:meth:`Delivery.wrap`) into a function that queues the call, and one thread per client, named
``realtime-delivery``, makes the calls one after the other. A callback that raises is logged
and handed to the ``on_error`` callbacks, and delivery goes on. The queue is bounded: when the
callbacks fall behind by :data:`DELIVERY_QUEUE_SIZE` calls, the oldest call is dropped, counted
in the client's ``dropped["slow callbacks"]`` and logged once per burst.

A call is queued as two entries, the callback's :class:`_Target` and its argument (the tuple of
its arguments when it takes other than one), so a burst of messages waiting for the delivery
thread holds no object per message besides the message itself.

Coroutine functions are not wrapped: they run on the event loop, as with the async client.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, Final

from realtime_typed.client.listeners import is_async_callable
from realtime_typed.sync.queues import QueueClosed, ThreadQueue

__all__ = ["DELIVERY_QUEUE_SIZE", "Delivery"]

DELIVERY_QUEUE_SIZE: Final = 10_000
"""Calls a client's callbacks may fall behind by before the oldest is dropped."""


class _Target:
    """A wrapped callback: what the delivery thread calls, and how."""

    __slots__ = ("callback", "spread", "where")

    def __init__(self, callback: Callable[..., object], where: str, *, spread: bool) -> None:
        self.callback = callback
        self.where = where
        self.spread = spread
        """Whether the queued argument is the tuple of the call's arguments."""


class Delivery:
    """One thread that runs a client's callbacks; ends after :meth:`stop`."""

    def __init__(self, logger: logging.Logger, dropped: Counter[str]) -> None:
        self._logger = logger
        self._dropped = dropped
        self._queue: ThreadQueue[Any] = ThreadQueue(
            DELIVERY_QUEUE_SIZE, name="callbacks", logger=logger, pairs=True
        )
        self.error_callbacks: list[Callable[[Exception], object]] = []
        """The user's ``on_error`` callbacks, told about callbacks that raise."""
        self._thread = threading.Thread(target=self._run, name="realtime-delivery", daemon=True)
        self._thread.start()

    @property
    def thread(self) -> threading.Thread:
        """The delivery thread."""
        return self._thread

    def wrap(self, callback: Callable[..., object], where: str) -> Callable[..., object]:
        """``callback`` made to run on the delivery thread (coroutine functions are kept)."""
        if is_async_callable(callback):
            return callback
        target = _Target(callback, where, spread=True)
        put_pair = self._queue.put_pair
        dropped = self._dropped

        def queue_call(*args: Any) -> None:
            if not put_pair(target, args):
                dropped["slow callbacks"] += 1

        return queue_call

    def wrap_one(self, callback: Callable[[Any], object], where: str) -> Callable[[Any], object]:
        """:meth:`wrap` for a callback called with one argument (a message): no tuple per call."""
        if is_async_callable(callback):
            return callback
        target = _Target(callback, where, spread=False)
        put_pair = self._queue.put_pair
        dropped = self._dropped

        def queue_call(argument: Any) -> None:
            if not put_pair(target, argument):
                dropped["slow callbacks"] += 1

        return queue_call

    def _run(self) -> None:
        take_all = self._queue.take_all
        while True:
            try:
                calls = iter(take_all())
            except QueueClosed:
                return
            target: _Target
            for target, argument in zip(calls, calls, strict=True):
                try:
                    if target.spread:
                        target.callback(*argument)
                    else:
                        target.callback(argument)
                except Exception as exc:
                    self._failed(exc, target.where)

    def _failed(self, error: Exception, where: str) -> None:
        self._logger.error("callback %s raised", where, exc_info=error)
        if where == "on_error":
            return
        for callback in list(self.error_callbacks):
            try:
                callback(error)
            except Exception as again:
                self._logger.error("callback on_error raised", exc_info=again)

    def stop(self, timeout: float, *, wait: bool = True) -> None:
        """Deliver the calls already queued, then end the thread; with ``wait``, wait up to
        ``timeout`` s for it (never from the delivery thread itself)."""
        self._queue.close()
        if not wait or threading.current_thread() is self._thread:
            return
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._logger.warning(
                "a callback is still running %.1f s after close(): its thread is left", timeout
            )
