"""User callbacks: plain functions run inline, coroutine functions on their own worker.

A :class:`Listener` never lets a callback's exception escape: it is reported through the
runtime (logger and ``client.on_error``) and delivery goes on. A coroutine callback gets a
bounded queue (:class:`~realtime_typed.client.queues.DropOldestQueue`) and a worker task owned
by the client, so a slow one delays only itself, never the socket reader or other listeners.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Final, Protocol

from realtime_typed.client.queues import DropOldestQueue, QueueClosed

__all__ = ["DEFAULT_QUEUE_SIZE", "Listener", "ListenerRuntime", "is_async_callable"]

DEFAULT_QUEUE_SIZE: Final = 1000


class ListenerRuntime(Protocol):
    """What a listener needs from its client."""

    logger: logging.Logger

    def callback_failed(self, error: Exception, where: str) -> None:
        """Report a callback that raised."""

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> object:
        """Run ``coro`` as a task the client owns."""


def is_async_callable(callback: object) -> bool:
    """Whether calling ``callback`` gives a coroutine (functions and ``async __call__``)."""
    return inspect.iscoroutinefunction(callback) or inspect.iscoroutinefunction(
        getattr(callback, "__call__", None)  # noqa: B004
    )


class Listener:
    """One registered callback, called with positional arguments."""

    __slots__ = ("_callback", "_queue", "_runtime", "_where", "_worker")

    def __init__(
        self,
        callback: Callable[..., object],
        runtime: ListenerRuntime,
        where: str,
        *,
        maxsize: int = DEFAULT_QUEUE_SIZE,
    ) -> None:
        self._callback = callback
        self._runtime = runtime
        self._where = where
        self._worker: object = None
        self._queue: DropOldestQueue[tuple[Any, ...]] | None = None
        if is_async_callable(callback):
            self._queue = DropOldestQueue(maxsize, name=where, logger=runtime.logger)

    @property
    def callback(self) -> Callable[..., object]:
        """The user's callback."""
        return self._callback

    def __call__(self, *args: Any) -> None:
        queue = self._queue
        if queue is None:
            try:
                result = self._callback(*args)
            except Exception as exc:
                self._runtime.callback_failed(exc, self._where)
                return
            if result is not None and inspect.isawaitable(result):
                self._runtime.spawn(self._settle(result), self._where)
            return
        queue.put(args)
        if self._worker is None:
            self._worker = self._runtime.spawn(self._work(queue), self._where)

    async def _settle(self, result: Awaitable[object]) -> None:
        try:
            await result
        except Exception as exc:
            self._runtime.callback_failed(exc, self._where)

    async def _work(self, queue: DropOldestQueue[tuple[Any, ...]]) -> None:
        callback = self._callback
        try:
            while True:
                args = await queue.get()
                try:
                    result = callback(*args)
                    if inspect.isawaitable(result):
                        await result
                except Exception as exc:
                    self._runtime.callback_failed(exc, self._where)
        except QueueClosed:
            return
        finally:
            self._worker = None

    def close(self) -> None:
        """Stop taking calls; queued ones are still delivered."""
        if self._queue is not None:
            self._queue.close()
