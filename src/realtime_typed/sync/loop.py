"""The private event loop of a blocking client, on a thread of its own.

:class:`LoopThread` starts an asyncio loop on a daemon thread named ``realtime-loop``, runs
coroutines and plain functions on it for callers on any other thread, and stops it cleanly:
the tasks still pending are cancelled and awaited, async generators and the default executor
are shut down and the loop is closed before the thread ends, so nothing is left behind and no
"Task was destroyed" warning is printed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from realtime_typed.errors import RealtimeError

__all__ = ["ClientClosed", "LoopThread"]

T = TypeVar("T")


class ClientClosed(RealtimeError):
    """The blocking client was closed: make a new one."""


class LoopThread:
    """An event loop running on its own thread until :meth:`stop`."""

    def __init__(self, logger: logging.Logger, name: str = "realtime-loop") -> None:
        self._logger = logger
        self._loop = asyncio.new_event_loop()
        self._stopping = False
        self._pending: set[concurrent.futures.Future[Any]] = set()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop (use only through the methods below from other threads)."""
        return self._loop

    @property
    def running(self) -> bool:
        """Whether the loop still takes work."""
        return not self._stopping

    def in_loop_thread(self) -> bool:
        """Whether the caller runs on the loop's thread."""
        return threading.current_thread() is self._thread

    def _run(self) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            try:
                _cancel_leftovers(loop)
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()
                for future in list(self._pending):
                    future.cancel()

    def _refuse(self, where: str) -> None:
        if self._stopping:
            raise ClientClosed("the client is closed: make a new one")
        if self.in_loop_thread():
            raise RuntimeError(
                f"{where} blocks: it cannot run on the client's event-loop thread "
                "(from a coroutine callback); use a plain callback, or the async client"
            )

    def _track(self, future: concurrent.futures.Future[T]) -> concurrent.futures.Future[T]:
        """Remember ``future`` until done, to cancel it if the loop ends before running it."""
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return future

    def _wait(self, future: concurrent.futures.Future[T], timeout: float | None) -> bool:
        try:
            done, _ = concurrent.futures.wait((future,), timeout)
        except BaseException:
            future.cancel()
            raise
        return bool(done)

    def _result(self, future: concurrent.futures.Future[T]) -> T:
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            if self._stopping:
                raise ClientClosed("the client closed before the call was done") from None
            raise

    def call(
        self,
        coro: Coroutine[Any, Any, T],
        timeout: float | None,
        on_timeout: Callable[[], Exception],
        where: str,
    ) -> T:
        """Run ``coro`` on the loop and wait for its result.

        After ``timeout`` seconds (``None``: no limit) the coroutine is cancelled and
        ``on_timeout()`` is raised. An interrupted wait (``KeyboardInterrupt``) cancels it too.
        """
        try:
            self._refuse(where)
            future = self._track(asyncio.run_coroutine_threadsafe(coro, self._loop))
        except BaseException:
            coro.close()
            raise
        if not self._wait(future, timeout):
            future.cancel()
            raise on_timeout()
        return self._result(future)

    def wait_for(
        self,
        start: Callable[[], asyncio.Future[T]],
        timeout: float | None,
        on_timeout: Callable[[], Exception],
        where: str,
    ) -> T:
        """Call ``start()`` on the loop and wait for the future it returns: :meth:`call` for
        work that is a future already (a push's reply), with no task and no coroutine.

        After ``timeout`` seconds (``None``: no limit), or when the wait is interrupted, the
        future is cancelled and ``on_timeout()`` is raised (or the interruption goes on).
        """
        self._refuse(where)
        future: concurrent.futures.Future[T] = self._track(concurrent.futures.Future())
        started: list[asyncio.Future[T]] = []

        def settle(done: asyncio.Future[T]) -> None:
            if not future.set_running_or_notify_cancel():
                return
            if done.cancelled():
                future.set_exception(concurrent.futures.CancelledError())
            elif (error := done.exception()) is not None:
                future.set_exception(error)
            else:
                future.set_result(done.result())

        def begin() -> None:
            if future.cancelled():
                return
            try:
                pending = start()
            except BaseException as exc:
                if future.set_running_or_notify_cancel():
                    future.set_exception(exc)
                return
            started.append(pending)
            pending.add_done_callback(settle)

        def abandon() -> None:
            future.cancel()
            self.submit(lambda: started and started[0].cancel())

        try:
            self._loop.call_soon_threadsafe(begin)
        except RuntimeError:
            raise ClientClosed("the client is closed: make a new one") from None
        try:
            done = self._wait(future, timeout)
        except BaseException:
            abandon()
            raise
        if not done:
            abandon()
            raise on_timeout()
        return self._result(future)

    def run(self, function: Callable[[], T]) -> T:
        """Call ``function()`` on the loop's thread and return its result (or raise its error)."""
        if self.in_loop_thread():
            return function()
        self._refuse("this call")
        future: concurrent.futures.Future[T] = self._track(concurrent.futures.Future())

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(function())
            except BaseException as exc:
                future.set_exception(exc)

        try:
            self._loop.call_soon_threadsafe(run)
        except RuntimeError:
            raise ClientClosed("the client is closed: make a new one") from None
        self._wait(future, None)
        return self._result(future)

    def submit(self, function: Callable[[], object]) -> None:
        """Call ``function()`` on the loop soon, without waiting; ignored once stopped."""
        try:
            self._loop.call_soon_threadsafe(function)
        except RuntimeError:
            self._logger.debug("the event loop is closed: %r not run", function)

    def stop(self, timeout: float) -> None:
        """Stop the loop after the work already scheduled; wait up to ``timeout`` s for it.

        From the loop's own thread (a finalizer run there) it only schedules the stop.
        """
        if self._stopping:
            return
        self._stopping = True
        try:
            self._loop.call_soon_threadsafe(self._loop.stop)
        except RuntimeError:
            return
        if self.in_loop_thread():
            return
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._logger.warning("the event-loop thread did not stop within %.1f s", timeout)


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel the tasks still pending on ``loop`` and wait for them, as ``asyncio.run`` does."""
    tasks = asyncio.all_tasks(loop)
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
