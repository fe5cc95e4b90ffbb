"""Running blocking scenarios beside a server that lives on the test's event loop.

A test awaits :func:`blocking`, which runs the scenario on a worker thread while the test's
loop keeps serving the local server; :class:`ServerControl` lets the scenario act on the
server (restart, faults) from its thread. :class:`Inbox` is a thread-safe queue to wait on.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

T = TypeVar("T")

WAIT = 20.0
"""Seconds any single wait may take before the test fails (the machine is shared)."""


async def blocking(scenario: Callable[[], T]) -> T:
    """Run ``scenario()`` on a worker thread; the test's loop keeps running meanwhile."""
    return await asyncio.to_thread(scenario)


class ServerControl:
    """Runs coroutines on the test's loop (where the server lives) from a scenario's thread."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the server's loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(WAIT)

    def call(self, function: Callable[[], T]) -> T:
        """Call ``function()`` on the server's loop and wait for it."""

        async def call() -> T:
            return function()

        return self.run(call())


class Inbox(Generic[T]):
    """A callback that queues its argument, with the thread that called it."""

    def __init__(self) -> None:
        self._items: queue.Queue[T] = queue.Queue()
        self.threads: set[str] = set()

    def __call__(self, item: T) -> None:
        self.threads.add(threading.current_thread().name)
        self._items.put(item)

    def get(self, timeout: float = WAIT) -> T:
        """The next item; fails the test after ``timeout`` seconds."""
        try:
            return self._items.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"nothing arrived within {timeout} s") from None

    def empty(self) -> bool:
        """Whether nothing is queued right now."""
        return self._items.empty()


def client_threads() -> list[str]:
    """Names of the live threads a blocking client owns."""
    return [
        thread.name
        for thread in threading.enumerate()
        if thread.name in ("realtime-loop", "realtime-delivery")
    ]
