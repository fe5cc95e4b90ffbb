"""The single owner of a component's background tasks.

Every task the client (socket reader, timers, reconnects, callback workers, token refreshes)
or the local server runs is started through a :class:`TaskOwner` and cancelled by
:meth:`TaskOwner.cancel_all`, so closing either leaves nothing running. A task that fails is
reported, never lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

__all__ = ["TaskOwner"]

_log = logging.getLogger(__name__)


def _log_failure(name: str, error: BaseException) -> None:
    _log.error("background task %s failed", name, exc_info=error)


class TaskOwner:
    """Holds every task it starts until it ends; reports the ones that fail.

    ``on_failure(task_name, error)`` is called for a task that ends with an exception; by
    default the failure is logged.
    """

    def __init__(self, on_failure: Callable[[str, BaseException], None] = _log_failure) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_failure = on_failure

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Start ``coro`` as an owned task."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            self._on_failure(task.get_name(), error)

    def __len__(self) -> int:
        return len(self._tasks)

    async def drain(self) -> None:
        """Let running tasks finish (they are awaited, not cancelled)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def cancel_all(self) -> None:
        """Cancel every task (but the caller's own) and wait until they are gone."""
        current = asyncio.current_task()
        while tasks := [task for task in self._tasks if task is not current]:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.difference_update(tasks)
