"""Many pushes, one awaitable: the outcomes of a batch of acknowledged sends.

A push that expects a reply carries a *waiter* (``Push.waiter``) that the client resolves when
the reply, a timeout or the connection's end decides it. For a single send the waiter is an
``asyncio.Future``. For a batch (:meth:`Channel.send_broadcasts`) each push gets a
:class:`BatchSlot` instead: settling a slot writes its outcome into the batch's list and only the
batch's last outcome resolves the one future the caller awaits. A batch of N sends therefore
costs no task, no future and no scheduled callback per message.

Outcomes keep the order of the messages: ``None`` for an acknowledged message, else the error
(:class:`~realtime_typed.errors.PushError`, :class:`~realtime_typed.errors.PushTimeout`,
:class:`~realtime_typed.errors.ChannelError`...).
"""

from __future__ import annotations

import asyncio
from typing import Final, Protocol, cast

from realtime_typed.errors import RealtimeError

__all__ = ["Abandonable", "BatchSlot", "Outcome", "PushBatch", "Waiter"]

Outcome = RealtimeError | None

_PENDING: Final = object()


class Abandonable(Protocol):
    """What the client fails when it closes with replies outstanding (a future, a batch)."""

    def done(self) -> bool:
        """Whether the outcome is already decided, or nobody waits for it any more."""
        ...

    def set_exception(self, exception: BaseException, /) -> None:
        """Fail what is not decided yet with ``exception``."""
        ...


class Waiter(Abandonable, Protocol):
    """What the client resolves when a push is decided (an ``asyncio.Future[None]`` fits)."""

    def set_result(self, result: None, /) -> None:
        """The push was acknowledged."""
        ...


class PushBatch:
    """The outcomes of ``size`` pushes; :attr:`future` resolves once all are decided."""

    __slots__ = ("_left", "_outcomes", "future")

    def __init__(self, size: int, loop: asyncio.AbstractEventLoop) -> None:
        self.future: asyncio.Future[list[Outcome]] = loop.create_future()
        self._outcomes: list[object] = [_PENDING] * size
        self._left = size
        if size == 0:
            self.future.set_result([])

    def slot(self, index: int) -> BatchSlot:
        """The waiter of the ``index``-th push."""
        return BatchSlot(self, index)

    def is_decided(self, index: int) -> bool:
        """Whether the ``index``-th outcome is known, or the caller stopped waiting."""
        return self.future.done() or self._outcomes[index] is not _PENDING

    def settle(self, index: int, outcome: Outcome) -> None:
        """Record the ``index``-th outcome; the last one resolves :attr:`future`."""
        if self.is_decided(index):
            return
        self._outcomes[index] = outcome
        self._left -= 1
        if self._left == 0:
            self.future.set_result(cast("list[Outcome]", self._outcomes))

    def done(self) -> bool:
        """Whether every outcome is known (or the caller stopped waiting)."""
        return self.future.done()

    def set_exception(self, exception: BaseException, /) -> None:
        """Every outcome not known yet becomes ``exception`` (the client is closing)."""
        error = _as_outcome(exception)
        for index, outcome in enumerate(self._outcomes):
            if outcome is _PENDING:
                self.settle(index, error)


class BatchSlot:
    """The waiter of one push of a :class:`PushBatch`."""

    __slots__ = ("_batch", "_index")

    def __init__(self, batch: PushBatch, index: int) -> None:
        self._batch = batch
        self._index = index

    def done(self) -> bool:
        """Whether this push's outcome is known, or the caller stopped waiting."""
        return self._batch.is_decided(self._index)

    def set_result(self, result: None, /) -> None:
        """The push was acknowledged."""
        self._batch.settle(self._index, None)

    def set_exception(self, exception: BaseException, /) -> None:
        """The push failed."""
        self._batch.settle(self._index, _as_outcome(exception))


def _as_outcome(exception: BaseException) -> RealtimeError:
    if isinstance(exception, RealtimeError):
        return exception
    return RealtimeError(f"{type(exception).__name__}: {exception}")
