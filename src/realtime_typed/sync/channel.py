"""The blocking ``Channel``: the async channel's surface, each call made on the client's loop.

Every method mirrors :class:`realtime_typed.client.Channel` with the same overloads, so typed
keys give the same types. Methods that wait (:meth:`Channel.subscribe`, :meth:`send_broadcast`,
:meth:`track`, :meth:`untrack`, :meth:`http_send`, :meth:`unsubscribe`) block the calling
thread, at most ``timeout`` seconds when one is given; a broadcast without ack waits only when
the socket's send buffer is full (see :mod:`realtime_typed.sync.sender`). Callbacks run on the
client's delivery thread (see :mod:`realtime_typed.sync.delivery`); :meth:`broadcasts` and
:meth:`changes` give blocking iterators.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import Any, Generic, Literal, Self, TypeAlias, TypeVar, cast, overload

from pydantic import JsonValue

from realtime_typed.client.channel import WAIT_DEFAULT, WAIT_GRACE
from realtime_typed.client.channel import Channel as AsyncChannel
from realtime_typed.client.listeners import DEFAULT_QUEUE_SIZE
from realtime_typed.client.persist import Persist
from realtime_typed.client.presence import PresenceUpdate
from realtime_typed.client.streams import MessageStream
from realtime_typed.errors import ChannelError, JoinTimeout, PushTimeout, RealtimeError
from realtime_typed.protocol.channel_state import ChannelState
from realtime_typed.protocol.events import LeaveOutcome, SubscribeState
from realtime_typed.sync.queues import ThreadQueue
from realtime_typed.sync.runtime import Runtime
from realtime_typed.sync.stream import MessageIterator, pump
from realtime_typed.typed import (
    AnyChange,
    BroadcastMessage,
    BroadcastSpec,
    ChangeSpec,
    DeleteChange,
    Filter,
    InsertChange,
    UpdateChange,
)

__all__ = ["Channel"]

T = TypeVar("T")
P = TypeVar("P")
R = TypeVar("R")
MetaT = TypeVar("MetaT")

Row: TypeAlias = dict[str, JsonValue]
TOPIC_PREFIX = "realtime:"
_JOINED = (ChannelState.JOINING, ChannelState.JOINED)
StateCallback: TypeAlias = Callable[[SubscribeState, Exception | None], object]


class Channel(Generic[MetaT]):
    """A topic on the blocking client's socket. ``MetaT`` is the presence meta type."""

    __slots__ = ("__weakref__", "_channel", "_runtime")

    def __init__(self, runtime: Runtime, channel: AsyncChannel[MetaT]) -> None:
        self._runtime = runtime
        self._channel = channel

    def __repr__(self) -> str:
        return repr(self._channel)

    @property
    def topic(self) -> str:
        """The full topic, ``realtime:<name>``."""
        return self._channel.topic

    @property
    def private(self) -> bool:
        """Whether the channel is private (authorized by ``realtime.messages`` policies)."""
        return self._channel.private

    @property
    def state(self) -> ChannelState:
        """Where the channel is: closed, joining, joined, errored or leaving."""
        return self._channel.state

    @property
    def join_ref(self) -> str | None:
        """The ref of the current join, if any."""
        return self._channel.join_ref

    @property
    def broadcast_ack(self) -> bool:
        """Whether the server acknowledges each broadcast (``send_broadcast`` waits for it)."""
        return self._channel.broadcast_ack

    @property
    def broadcast_rest_fallback(self) -> bool:
        """Whether a broadcast sent while not joined goes through :meth:`http_send`."""
        return self._channel.broadcast_rest_fallback

    @property
    def async_channel(self) -> AsyncChannel[MetaT]:
        """The async channel underneath (use it only on the client's event loop)."""
        return self._channel

    # ------------------------------------------------------------------ helpers

    def _call(
        self,
        coro: Coroutine[Any, Any, R],
        timeout: float | None,
        error: Callable[[], Exception],
        where: str,
    ) -> R:
        return self._runtime.loop.call(coro, timeout, error, where)

    def _run(self, function: Callable[[], R]) -> R:
        return self._runtime.loop.run(function)

    def _wrap(self, callback: Callable[..., object], where: str) -> Callable[..., object]:
        return self._runtime.delivery.wrap(callback, f"{self.topic} {where}")

    def _wrap_one(self, callback: Callable[[Any], object], where: str) -> Callable[[Any], object]:
        return self._runtime.delivery.wrap_one(callback, f"{self.topic} {where}")

    def _push_timeout(self, what: str, timeout: float | None) -> Callable[[], Exception]:
        return lambda: PushTimeout(f"{what} on {self.topic} not done within {timeout} s")

    # ------------------------------------------------------------------ lifecycle

    def subscribe(
        self,
        on_state: StateCallback | None = None,
        *,
        timeout: float | None = None,
        retry: bool = False,
    ) -> Self:
        """Join the channel; blocks until joined (the async channel's ``subscribe``).

        ``timeout`` is the join's timeout (the client's ``timeout`` when ``None``; a channel
        made with ``postgres_changes_wait`` waits longer, as the async one does);
        ``on_state(state, error)`` runs on the delivery thread for every state change. Raises
        :class:`~realtime_typed.errors.JoinError`, :class:`~realtime_typed.errors.JoinTimeout`
        or the connection error.

        With ``retry=True`` a refused or timed-out first join is retried like a rejoin (each
        failure reported to ``on_state``) and this blocks until joined, however long that
        takes; it raises only if the channel closes first, so :meth:`unsubscribe` from another
        thread (or from ``on_state``) ends the wait.
        """
        callback = None if on_state is None else self._wrap(on_state, "state")
        # A safety net only: the join times out on the loop, after at most the longest wait
        # a server may hold a join reply for (postgres_changes_wait) beyond ``timeout``.
        limit = (
            None
            if timeout is None or retry
            else timeout + self._runtime.timeout + WAIT_DEFAULT + WAIT_GRACE
        )
        self._call(
            self._channel.subscribe(callback, timeout=timeout, retry=retry),
            limit,
            lambda: JoinTimeout(f"{self.topic} not joined within {limit} s"),
            "subscribe()",
        )
        return self

    def update_join_payload(self, payload: Mapping[str, JsonValue]) -> None:
        """Merge ``payload``'s keys into every later ``phx_join`` of this channel (the async
        channel's ``update_join_payload``: a ``config`` map is merged key by key)."""
        self._run(lambda: self._channel.update_join_payload(payload))

    def unsubscribe(self, *, timeout: float | None = None) -> LeaveOutcome:
        """Leave the channel (and the companions of its late :meth:`changes` iterators); blocks
        until the server answers or the client's timeout passes, and returns how the leave
        ended: ``"ok"``, ``"error"`` or ``"timed out"`` (the channel is closed in every case)."""
        companions = self._runtime.companions.pop(self.topic, [])

        async def leave() -> LeaveOutcome:
            outcome, *_ = await asyncio.gather(
                self._channel.unsubscribe(), *(other.unsubscribe() for other in companions)
            )
            return outcome

        return self._call(
            leave(), timeout, self._push_timeout("unsubscribe()", timeout), "unsubscribe()"
        )

    # ------------------------------------------------------------------ broadcast

    @overload
    def on_broadcast(
        self, event: BroadcastSpec[T], callback: Callable[[BroadcastMessage[T]], object]
    ) -> Callable[[], None]: ...
    @overload
    def on_broadcast(
        self, event: str, callback: Callable[[BroadcastMessage[JsonValue]], object]
    ) -> Callable[[], None]: ...
    def on_broadcast(
        self, event: BroadcastSpec[Any] | str, callback: Callable[[Any], object]
    ) -> Callable[[], None]:
        """Call ``callback`` (on the delivery thread) for each broadcast of ``event``, or every
        one for ``*``. Returns a function that removes the listener."""
        name = event.event if isinstance(event, BroadcastSpec) else event
        wrapped = self._wrap_one(callback, f"broadcast {name}")
        remove = self._run(lambda: self._channel.on_broadcast(event, wrapped))
        return lambda: self._run(remove)

    @overload
    def broadcasts(
        self, event: BroadcastSpec[T], *, maxsize: int = ..., timeout: float | None = ...
    ) -> MessageIterator[BroadcastMessage[T]]: ...
    @overload
    def broadcasts(
        self, event: str = ..., *, maxsize: int = ..., timeout: float | None = ...
    ) -> MessageIterator[BroadcastMessage[JsonValue]]: ...
    def broadcasts(
        self,
        event: BroadcastSpec[Any] | str = "*",
        *,
        maxsize: int = DEFAULT_QUEUE_SIZE,
        timeout: float | None = None,
    ) -> MessageIterator[Any]:
        """A blocking iterator over broadcasts of ``event`` (``*`` for all).

        It holds at most ``maxsize`` messages (the oldest are dropped and counted in
        ``.dropped``) and ends after ``timeout`` seconds without one (``None``: never), when
        the channel or the client closes, or on ``close()``.
        """
        name = event.event if isinstance(event, BroadcastSpec) else event
        return self._iterate(
            lambda: self._channel.broadcasts(event, maxsize=maxsize),
            maxsize,
            timeout,
            f"broadcasts({name})",
        )

    def _iterate(
        self,
        open_stream: Callable[[], MessageStream[Any]],
        maxsize: int,
        timeout: float | None,
        name: str,
        companion: AsyncChannel[Any] | None = None,
    ) -> MessageIterator[Any]:
        client = self._runtime.client
        queue: ThreadQueue[Any] = ThreadQueue(
            maxsize, name=f"{self.topic} {name}", logger=client.logger
        )

        async def move(stream: MessageStream[Any]) -> None:
            await pump(stream, queue)
            if companion is not None:
                await companion.unsubscribe()

        def start() -> MessageStream[Any]:
            stream = open_stream()
            client.spawn(move(stream), f"{self.topic} {name}")
            return stream

        return MessageIterator(self._run(start), queue, self._runtime.loop, timeout)

    @overload
    def send_broadcast(
        self,
        event: BroadcastSpec[T],
        payload: T,
        *,
        persist: Persist = ...,
        timeout: float | None = ...,
    ) -> None: ...
    @overload
    def send_broadcast(
        self,
        event: str,
        payload: JsonValue | bytes,
        *,
        persist: Persist = ...,
        timeout: float | None = ...,
    ) -> None: ...
    def send_broadcast(
        self,
        event: BroadcastSpec[Any] | str,
        payload: Any,
        *,
        persist: Persist = False,
        timeout: float | None = None,
    ) -> None:
        """Broadcast ``payload`` as ``event``; with ``broadcast_ack``, blocks for the reply.

        Without ack the message is checked on the calling thread and handed to the client's
        event loop, which writes it in order; the call returns without waiting for the loop,
        unless the socket's send buffer is full (the server is not reading): then it waits for
        the buffer to drain, at most the push timeout, as the async channel's does (see
        :mod:`realtime_typed.sync.sender`). A closed channel raises
        :class:`~realtime_typed.errors.ChannelError`; a payload the JSON encoder refuses is
        reported through ``on_error`` when it is written, as by the async channel.

        ``bytes`` go out as a binary broadcast (2.0.0 serializer only); on a channel made with
        ``broadcast_rest_fallback=True`` a broadcast sent while not joined goes through
        :meth:`http_send`, as the async channel's ``send_broadcast`` does.

        Raises :class:`~realtime_typed.errors.PushTimeout` (also when ``timeout`` seconds pass
        in a wait) or :class:`~realtime_typed.errors.PushError`.
        """
        channel = self._channel
        on_timeout = self._push_timeout("send_broadcast()", timeout)
        if channel.broadcast_rest_fallback:
            self._call(
                channel.send_broadcast(event, payload, persist=persist),
                timeout,
                on_timeout,
                "send_broadcast()",
            )
            return
        body = channel.broadcast_body(event, payload, persist)
        if channel.broadcast_ack:
            self._runtime.sender.send_acked(channel.topic, body, timeout, on_timeout)
        else:
            self._runtime.sender.send(channel.topic, body, timeout, on_timeout)

    @overload
    def send_broadcasts(
        self,
        event: BroadcastSpec[T],
        payloads: Iterable[T],
        *,
        persist: Persist = ...,
        timeout: float | None = ...,
    ) -> list[RealtimeError | None]: ...
    @overload
    def send_broadcasts(
        self,
        event: str,
        payloads: Iterable[JsonValue | bytes],
        *,
        persist: Persist = ...,
        timeout: float | None = ...,
    ) -> list[RealtimeError | None]: ...
    def send_broadcasts(
        self,
        event: BroadcastSpec[Any] | str,
        payloads: Iterable[Any],
        *,
        persist: Persist = False,
        timeout: float | None = None,
    ) -> list[RealtimeError | None]:
        """Broadcast every payload as ``event``; each one's outcome, in order (the async
        channel's ``send_broadcasts``: ``None`` when it went through, else its error).

        With ``broadcast_ack`` one wait covers every reply. ``timeout`` bounds the whole call
        (:class:`~realtime_typed.errors.PushTimeout`); each message also has the client's.
        """
        messages = list(payloads)
        return self._call(
            self._channel.send_broadcasts(event, messages, persist=persist),
            timeout,
            self._push_timeout("send_broadcasts()", timeout),
            "send_broadcasts()",
        )

    def http_send(
        self,
        event: BroadcastSpec[Any] | str,
        payload: Any,
        *,
        timeout: float | None = None,
        persist: Persist = False,
    ) -> None:
        """Broadcast through the REST API; blocks until the server answers (202). A ``bytes``
        payload is posted as ``application/octet-stream``."""
        limit = None if timeout is None else timeout + 1.0
        self._call(
            self._channel.http_send(event, payload, timeout=timeout, persist=persist),
            limit,
            self._push_timeout("http_send()", timeout),
            "http_send()",
        )

    # ------------------------------------------------------------------ system

    def on_system(self, callback: Callable[[dict[str, JsonValue]], object]) -> None:
        """Call ``callback`` (on the delivery thread) with every ``system`` message's payload."""
        wrapped = self._wrap_one(callback, "system")
        self._run(lambda: self._channel.on_system(wrapped))

    # ------------------------------------------------------------------ postgres changes

    @overload
    def on_postgres_changes(
        self,
        spec: ChangeSpec[P],
        callback: Callable[[P], object],
        *,
        filter: Filter | str | None = None,
        select: list[str] | None = None,
    ) -> None: ...
    @overload
    def on_postgres_changes(
        self,
        spec: Literal["INSERT"],
        callback: Callable[[InsertChange[Row]], object],
        *,
        schema: str = "public",
        table: str | None = None,
        filter: Filter | str | None = None,
        select: list[str] | None = None,
    ) -> None: ...
    @overload
    def on_postgres_changes(
        self,
        spec: Literal["UPDATE"],
        callback: Callable[[UpdateChange[Row, Row]], object],
        *,
        schema: str = "public",
        table: str | None = None,
        filter: Filter | str | None = None,
        select: list[str] | None = None,
    ) -> None: ...
    @overload
    def on_postgres_changes(
        self,
        spec: Literal["DELETE"],
        callback: Callable[[DeleteChange[Row]], object],
        *,
        schema: str = "public",
        table: str | None = None,
        filter: Filter | str | None = None,
        select: list[str] | None = None,
    ) -> None: ...
    @overload
    def on_postgres_changes(
        self,
        spec: Literal["*"],
        callback: Callable[[AnyChange[Row, Row]], object],
        *,
        schema: str = "public",
        table: str | None = None,
        filter: Filter | str | None = None,
        select: list[str] | None = None,
    ) -> None: ...
    def on_postgres_changes(
        self,
        spec: ChangeSpec[Any] | str,
        callback: Callable[[Any], object],
        *,
        schema: str = "public",
        table: str | None = None,
        filter: Filter | str | None = None,
        select: list[str] | None = None,
    ) -> None:
        """Call ``callback`` (on the delivery thread) for each change (register before
        ``subscribe()``); typed keys give typed changes, as with the async channel."""
        wrapped = self._wrap_one(callback, "postgres_changes")
        channel = self._channel

        def add() -> None:
            if isinstance(spec, ChangeSpec):
                channel.on_postgres_changes(spec, wrapped, filter=filter, select=select)
            else:
                event = cast("Literal['*']", spec)
                channel.on_postgres_changes(
                    event, wrapped, schema=schema, table=table, filter=filter, select=select
                )

        self._run(add)

    @overload
    def changes(
        self,
        spec: ChangeSpec[P],
        *,
        filter: Filter | str | None = None,
        select: list[str] | None = None,
        maxsize: int = ...,
        timeout: float | None = ...,
    ) -> MessageIterator[P]: ...
    @overload
    def changes(
        self,
        spec: Literal["INSERT", "UPDATE", "DELETE", "*"],
        *,
        schema: str = "public",
        table: str | None = None,
        filter: Filter | str | None = None,
        select: list[str] | None = None,
        maxsize: int = ...,
        timeout: float | None = ...,
    ) -> MessageIterator[AnyChange[Row, Row]]: ...
    def changes(
        self,
        spec: ChangeSpec[Any] | str,
        *,
        schema: str = "public",
        table: str | None = None,
        filter: Filter | str | None = None,
        select: list[str] | None = None,
        maxsize: int = DEFAULT_QUEUE_SIZE,
        timeout: float | None = None,
    ) -> MessageIterator[Any]:
        """A blocking iterator over changes, bounded and ended like :meth:`broadcasts`.

        Before ``subscribe()`` it adds its binding to the channel's join. Once the channel is
        joined its bindings are fixed, so the iterator gets a companion channel of its own,
        ``<topic>#changes-<id>``, with just this binding (Postgres changes do not depend on the
        topic): this call returns once the server streams its changes (or raises the join's
        error), and the companion is left when the iterator ends or the channel is unsubscribed.
        """
        companion = self._companion() if self._channel.state in _JOINED else None
        channel = self._channel if companion is None else companion

        def open_stream() -> MessageStream[Any]:
            if isinstance(spec, ChangeSpec):
                return channel.changes(spec, filter=filter, select=select, maxsize=maxsize)
            event = cast("Literal['*']", spec)
            return channel.changes(
                event, schema=schema, table=table, filter=filter, select=select, maxsize=maxsize
            )

        iterator = self._iterate(open_stream, maxsize, timeout, "changes", companion)
        if companion is not None:
            try:
                self._call(_join_companion(companion, self._runtime.timeout), None, _never, "")
            except BaseException:
                iterator.close()
                raise
        return iterator

    def _companion(self) -> AsyncChannel[Any]:
        client = self._runtime.client
        name = f"{self.topic.removeprefix(TOPIC_PREFIX)}#changes-{uuid.uuid4().hex[:8]}"
        companion = self._run(lambda: client.channel(name))
        self._runtime.companions.setdefault(self.topic, []).append(companion)
        return companion

    # ------------------------------------------------------------------ presence

    def on_presence_sync(self, callback: Callable[[], object]) -> None:
        """Call ``callback()`` (on the delivery thread) after each presence state or diff."""
        wrapped = self._wrap(callback, "presence sync")
        self._run(lambda: self._channel.on_presence_sync(wrapped))

    def on_presence_join(self, callback: Callable[[str, list[MetaT], list[MetaT]], object]) -> None:
        """Call ``callback(key, current_metas, joined_metas)`` for each join."""
        wrapped = self._wrap(callback, "presence join")
        self._run(lambda: self._channel.on_presence_join(wrapped))

    def on_presence_leave(
        self, callback: Callable[[str, list[MetaT], list[MetaT]], object]
    ) -> None:
        """Call ``callback(key, remaining_metas, left_metas)`` for each leave."""
        wrapped = self._wrap(callback, "presence leave")
        self._run(lambda: self._channel.on_presence_leave(wrapped))

    def on_presence(self, callback: Callable[[PresenceUpdate[MetaT]], object]) -> None:
        """Call ``callback(update)`` (on the delivery thread) for every presence event: sync,
        join and leave; ``update.event`` says which."""
        wrapped = self._wrap_one(callback, "presence *")
        self._run(lambda: self._channel.on_presence(wrapped))

    def presence_state(self) -> dict[str, list[MetaT]]:
        """Key -> metas currently present (typed channels: the spec's model)."""
        return self._run(self._channel.presence_state)

    def track(self, meta: MetaT, *, timeout: float | None = None) -> None:
        """Be present with ``meta`` (re-tracked after every rejoin); once joined, blocks for
        the server's reply."""
        self._call(
            self._channel.track(meta), timeout, self._push_timeout("track()", timeout), "track()"
        )

    def untrack(self, *, timeout: float | None = None) -> None:
        """Stop being present on this channel."""
        self._call(
            self._channel.untrack(), timeout, self._push_timeout("untrack()", timeout), "untrack()"
        )


def _never() -> Exception:
    return AssertionError("no outer timeout was set")


async def _join_companion(companion: AsyncChannel[Any], timeout: float) -> None:
    """Join ``companion`` and wait for the server's notice that its changes flow."""
    streaming: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_system(notice: dict[str, JsonValue]) -> None:
        if notice.get("extension") != "postgres_changes" or streaming.done():
            return
        if notice.get("status") == "ok":
            streaming.set_result(None)
        else:
            streaming.set_exception(ChannelError(f"{companion.topic}: {notice.get('message')}"))

    companion.on_system(on_system)
    await companion.subscribe()
    try:
        await asyncio.wait_for(streaming, timeout)
    except TimeoutError:
        raise JoinTimeout(f"{companion.topic}: no Postgres changes within {timeout} s") from None
