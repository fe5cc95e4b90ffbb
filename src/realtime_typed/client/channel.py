"""``Channel``: one Realtime topic: subscribe, broadcast, presence, Postgres changes.

Channels come from :meth:`RealtimeClient.channel`. Listeners are registered before or after
:meth:`Channel.subscribe` (presence and Postgres-changes listeners only before: they change
the join config). Every callback may be a plain function or a coroutine function; one that
raises is reported through the client's ``on_error`` and delivery goes on.

Received broadcasts follow the shortest path: the frame's topic finds the channel, the event
name (exact, then lower-cased) finds the listeners, and the payload reaches them without
validation unless a :class:`~realtime_typed.typed.BroadcastSpec` asked for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import (
    Any,
    ClassVar,
    Final,
    Generic,
    Literal,
    Protocol,
    Self,
    TypeAlias,
    TypeVar,
    cast,
    overload,
)

from pydantic import JsonValue, ValidationError

from realtime_typed.client.batch import Outcome
from realtime_typed.client.changes import UNTYPED_SPECS, ChangeRouter, ChangeSink, change_sink
from realtime_typed.client.listeners import DEFAULT_QUEUE_SIZE, Listener, ListenerRuntime
from realtime_typed.client.persist import BroadcastReplay, Persist, check_persist
from realtime_typed.client.presence import PresenceKind, PresenceUpdate, PresenceView
from realtime_typed.client.queues import DropOldestQueue
from realtime_typed.client.streams import MessageStream
from realtime_typed.errors import (
    ChannelError,
    ConnectionError,
    InvalidMessage,
    ProtocolError,
    RealtimeError,
)
from realtime_typed.protocol.channel_state import ChannelState
from realtime_typed.protocol.events import LeaveOutcome, SubscribeState
from realtime_typed.protocol.frames import MAX_FIELD_BYTES, Frame, Vsn
from realtime_typed.protocol.phoenix import PhoenixProtocol
from realtime_typed.protocol.postgres_bindings import binding_config
from realtime_typed.protocol.presence import MAX_PENDING_METAS, PresenceSync
from realtime_typed.typed import (
    AnyChange,
    BroadcastMessage,
    BroadcastMeta,
    BroadcastSpec,
    ChangeSpec,
    DeleteChange,
    Filter,
    InsertChange,
    PresenceSpec,
    UpdateChange,
)

__all__ = ["Channel", "ChannelHost", "StateCallback"]

T = TypeVar("T")
P = TypeVar("P")
MetaT = TypeVar("MetaT")

WAIT_DEFAULT: Final = 15.0
"""Seconds the server holds a ``postgres_changes_options.wait`` join by default."""
WAIT_GRACE: Final = 10.0
"""Added to that wait in the join timeout: the server pauses before refusing a join."""

Row: TypeAlias = dict[str, JsonValue]
StateCallback: TypeAlias = Callable[[SubscribeState, Exception | None], object]
_Sink: TypeAlias = Callable[[str, Any, BroadcastMeta | None], None]


class ChannelHost(ListenerRuntime, Protocol):
    """What a channel needs from the client that owns its socket (``RealtimeClient``)."""

    core: PhoenixProtocol
    dropped: Counter[str]
    logger: logging.Logger

    @property
    def vsn(self) -> Vsn:
        """The serializer version of the socket."""
        ...

    async def ensure_connected(self) -> None:
        """Connect unless already started."""

    def now(self) -> float:
        """The clock the core runs on."""
        ...

    def pump(self) -> None:
        """Act on the core's events and write its frames now; never waits for the socket."""

    def start_push(self, topic: str, event: str, payload: Any) -> asyncio.Future[None]:
        """Queue a push and return a future for its reply."""
        ...

    async def push(self, topic: str, event: str, payload: Any, *, wait: bool) -> None:
        """Send a channel message; with ``wait``, until the server's reply."""

    async def push_many(self, topic: str, event: str, payloads: list[Any]) -> list[Outcome]:
        """Send channel messages that expect replies; each one's outcome, in order."""
        ...

    def refresh_auth_later(self) -> None:
        """Fetch a fresh token in the background."""

    def report(self, error: Exception) -> None:
        """Report an error through the logger and ``on_error``."""

    def report_once(self, key: str, error: Exception) -> None:
        """Report an error once per key (bounded kinds and reports)."""

    async def rest_broadcast(
        self,
        channel: Channel[Any],
        event: str,
        payload: Any,
        wait_for: float | None,
        persist: Persist | None = None,
    ) -> None:
        """POST one broadcast to the REST API."""


def _meta(raw: Any) -> BroadcastMeta | None:
    if not isinstance(raw, Mapping):
        return None
    fields: Mapping[str, Any] = raw  # pyright: ignore[reportUnknownVariableType]
    ident = fields.get("id")
    return BroadcastMeta(
        id=None if ident is None else str(ident), replayed=bool(fields.get("replayed"))
    )


def _filter_text(filter: Filter | str | None) -> str | None:
    return filter.build() if isinstance(filter, Filter) else filter


class Channel(Generic[MetaT]):
    """A topic on the socket. ``MetaT`` is the presence meta type (a model when typed)."""

    def __init__(
        self,
        client: ChannelHost,
        topic: str,
        *,
        broadcast_self: bool,
        broadcast_ack: bool,
        presence_key: str,
        presence_enabled: bool | None,
        private: bool,
        presence: PresenceSpec[Any] | None,
        replay: BroadcastReplay | None = None,
        replication_ready: bool = False,
        postgres_changes_wait: bool = False,
        postgres_changes_timeout: float | None = None,
        join_payload: Mapping[str, JsonValue] | None = None,
        broadcast_rest_fallback: bool = False,
    ) -> None:
        self._client = client
        self.topic = topic
        """The full topic, ``realtime:<name>``."""
        self.private = private
        self._ack = broadcast_ack
        self._self = broadcast_self
        self._replay = dict(replay) if replay is not None else None
        self._replication_ready = replication_ready
        self._rest_fallback = broadcast_rest_fallback
        self._wait = postgres_changes_wait
        self._wait_timeout = postgres_changes_timeout
        self._presence_key = presence_key
        self._presence_asked = presence_enabled
        self._presence_spec = presence
        self._presence_on = False
        """Whether the current join asked for presence (state and diffs)."""
        self._machine = client.core.add_channel(topic, {})
        if join_payload is not None:
            self.update_join_payload(join_payload)
        self._broadcast: dict[str, list[_Sink]] = {}
        self._broadcast_any: list[_Sink] = []
        self._system: list[Listener] = []
        self._state_listeners: list[Listener] = []
        self._changes = ChangeRouter(client.logger)
        self._presence: PresenceView[MetaT] = PresenceView(presence, self._invalid_meta)
        self._streams: list[MessageStream[Any]] = []
        self._first_join: asyncio.Future[None] | None = None
        self._closed_waiter: asyncio.Future[None] | None = None
        self._join_lost: asyncio.Future[None] | None = None
        """Resolved when the current join ends (error, timeout, close)."""
        self._closed = False
        self._retry_first = False
        """``subscribe(retry=True)``: the first join's failures are retried, not raised."""
        self._last_error: Exception | None = None

    def __repr__(self) -> str:
        return f"Channel({self.topic!r}, {self._machine.state.value})"

    # ------------------------------------------------------------------ lifecycle

    @property
    def state(self) -> ChannelState:
        """Where the channel is: closed, joining, joined, errored or leaving."""
        return self._machine.state

    @property
    def join_ref(self) -> str | None:
        """The ref of the current join, if any."""
        return self._machine.join_ref

    @property
    def broadcast_ack(self) -> bool:
        """Whether the server acknowledges each broadcast (``send_broadcast`` waits for it)."""
        return self._ack

    @property
    def broadcast_rest_fallback(self) -> bool:
        """Whether a broadcast sent while not joined goes through :meth:`http_send`."""
        return self._rest_fallback

    def _wants_presence(self) -> bool:
        """Explicit ``presence_enabled``, else whether anything on the channel uses presence."""
        if self._presence_asked is not None:
            return self._presence_asked
        return bool(
            self._presence_key
            or self._presence_spec is not None
            or self._presence.has_listeners
            or self._presence.tracked is not None
        )

    def _join_config(self) -> dict[str, Any]:
        broadcast: dict[str, Any] = {"ack": self._ack, "self": self._self}
        if self._replay is not None:
            broadcast["replay"] = self._replay
        if self._replication_ready:
            broadcast["replication_ready"] = True
        self._presence_on = self._wants_presence()
        config: dict[str, Any] = {
            "broadcast": broadcast,
            "presence": {"key": self._presence_key, "enabled": self._presence_on},
            "postgres_changes": self._changes.configs(),
            "private": self.private,
        }
        if self._wait:
            options: dict[str, Any] = {"wait": True}
            if self._wait_timeout is not None:
                options["timeout"] = round(self._wait_timeout * 1000)
            config["postgres_changes_options"] = options
        return config

    def _join_timeout(self, timeout: float | None) -> float | None:
        """The join's timeout; a join whose reply the server holds gets the server's wait + 10 s.

        As realtime-js: ``max(timeout, (postgres_changes_timeout or 15 s) + 10 s)``, the 10 s
        covering the pause the server takes before refusing a join.
        """
        if not (self._wait and self._changes.configs()):
            return timeout
        waited = (self._wait_timeout or WAIT_DEFAULT) + WAIT_GRACE
        return max(timeout or self._client.core.timeout, waited)

    def update_join_payload(self, payload: Mapping[str, JsonValue]) -> None:
        """Merge ``payload``'s keys into every later ``phx_join`` of this channel.

        For keys the server reads that this client has no option for. A ``config`` map is
        merged into the join config key by key (``{"config": {"new_flag": True}}``); the
        access token is always the client's.
        """
        extra = self._machine.extra_payload
        for key, value in payload.items():
            current = extra.get(key)
            if key == "config" and isinstance(value, dict) and isinstance(current, dict):
                extra[key] = {**cast("dict[str, Any]", current), **value}
            else:
                extra[key] = value

    async def subscribe(
        self,
        on_state: StateCallback | None = None,
        *,
        timeout: float | None = None,
        retry: bool = False,
    ) -> Self:
        """Join the channel; returns once joined.

        ``on_state(state, error)`` fires on every later state change too, rejoins included.
        The first join's failure raises :class:`~realtime_typed.errors.JoinError` (with the
        server's code), :class:`~realtime_typed.errors.JoinTimeout` or the connection error,
        and closes the channel (create a new one to try again); later failures are retried
        with the ``rejoin_after`` backoff and reported through ``on_state``.

        With ``retry=True`` the first join is retried like a rejoin, as realtime-js does:
        every refusal and timeout is reported to ``on_state`` and tried again with the
        ``rejoin_after`` backoff (a rate-limit refusal waits the client's
        ``rate_limit_delay``, 30 s), and this returns once joined, however long that takes
        (bound it with ``asyncio.timeout``; :meth:`unsubscribe` stops the retries). It raises
        only if the channel closes first (a server ``phx_close``, a Postgres-changes binding
        mismatch, ``unsubscribe()``). Opening the socket is not retried here: a first
        connection that fails still raises.
        """
        if on_state is not None:
            self._state_listeners.append(Listener(on_state, self._client, f"{self.topic} state"))
        if self._closed:
            raise ChannelError(f"{self.topic} is closed: create a new channel to join again")
        if self._first_join is None:
            self._retry_first = retry
            await self._client.ensure_connected()
            self._first_join = asyncio.get_running_loop().create_future()
            self._machine.config = self._join_config()
            self._client.core.join(self.topic, self._client.now(), self._join_timeout(timeout))
            self._client.pump()
        await asyncio.shield(self._first_join)
        return self

    async def unsubscribe(self) -> LeaveOutcome:
        """Leave: ``phx_leave``, then closed when the server answers or the timeout passes.

        Returns how the leave ended, as the reference client reports it: ``"ok"`` (answered,
        or nothing to leave: not joined or the socket down), ``"error"`` (the server answered
        with an error) or ``"timed out"`` (no answer within the client's ``timeout``). The
        channel is closed in every case.
        """
        if self._closed:
            return "ok"
        if self._closed_waiter is None:
            self._closed_waiter = asyncio.get_running_loop().create_future()
        waiter = self._closed_waiter
        machine = self._machine
        self._client.core.leave(self.topic, self._client.now())
        self._client.pump()
        await asyncio.shield(waiter)
        return machine.leave_outcome or "ok"

    def state_changed(self, state: SubscribeState, error: Exception | None) -> None:
        """Called by the client for each state change of this channel."""
        lost = self._join_lost
        if lost is not None and not lost.done():
            lost.set_result(None)
        if state is SubscribeState.SUBSCRIBED:
            self._joined()
        elif state is SubscribeState.CLOSED:
            self._closed = True
        first = self._first_join
        if first is not None and not first.done():
            if state is SubscribeState.SUBSCRIBED:
                first.set_result(None)
            elif state is SubscribeState.CLOSED or not self._retry_first:
                failure = error or self._last_error
                first.set_exception(failure or ChannelError(f"{self.topic} closed before joining"))
                if state is not SubscribeState.CLOSED:
                    self._client.core.leave(self.topic, self._client.now())
            else:
                self._last_error = error
        for listener in self._state_listeners:
            listener(state, error)
        if state is SubscribeState.CLOSED:
            self._finish()

    def _joined(self) -> None:
        self._changes.assign_ids(self._machine.binding_ids)
        self._join_lost = asyncio.get_running_loop().create_future()
        tracked = self._presence.tracked
        if tracked is not None:
            retrack = self._client.start_push(self.topic, "presence", _track(tracked))
            retrack.add_done_callback(self._retrack_done)
        self._client.refresh_auth_later()

    def _retrack_done(self, retrack: asyncio.Future[None]) -> None:
        """Report a failed automatic re-track, unless the channel closed meanwhile."""
        if retrack.cancelled():
            return
        error = retrack.exception()
        if isinstance(error, Exception) and not (self._closed and isinstance(error, ChannelError)):
            self._client.report(error)

    def _finish(self) -> None:
        for stream in list(self._streams):
            stream.close()
        waiter = self._closed_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # ------------------------------------------------------------------ receiving

    def dispatch(self, frame: Frame) -> None:
        """Deliver one data frame (called by the client's reader).

        An unknown event or a payload that does not fit its event is counted in
        ``client.dropped`` every time and reported through ``on_error`` once per kind.
        """
        handler = self._HANDLERS.get(frame.event)
        if handler is None:
            self._client.dropped["unknown event"] += 1
            self._client.report_once(
                f"unknown:{self.topic}:{frame.event}",
                ProtocolError(f"unknown event {frame.event!r} on {self.topic}"),
            )
            return
        try:
            handler(self, frame.payload)
        except (ProtocolError, ValidationError, LookupError, TypeError, AttributeError) as exc:
            self._client.dropped["malformed payload"] += 1
            self._client.report_once(
                f"malformed:{self.topic}:{frame.event}",
                InvalidMessage(
                    f"malformed payload ({type(exc).__name__}: {exc})",
                    topic=self.topic,
                    event=frame.event,
                    data=frame.payload,
                ),
            )

    def _broadcast_received(self, payload: Any) -> None:
        event = payload["event"]
        sinks = self._broadcast.get(event)
        if sinks is None:
            sinks = self._broadcast.get(event.lower())
        wildcard = self._broadcast_any
        if sinks is None and not wildcard:
            return
        value = payload.get("payload")
        raw_meta = payload.get("meta")
        meta = None if raw_meta is None else _meta(raw_meta)
        if sinks:
            for sink in sinks:
                sink(event, value, meta)
        for sink in wildcard:
            sink(event, value, meta)

    def _changes_received(self, payload: Any) -> None:
        self._changes.route(payload)

    def _presence_sync(self) -> PresenceSync:
        """The sync, reset first if this is the first presence message of a new join."""
        sync = self._presence.sync
        join_ref = self._machine.join_ref
        if join_ref is not None and sync.join_ref != join_ref:
            sync.reset(join_ref)
        return sync

    def _presence_state_received(self, payload: Any) -> None:
        sync = self._presence_sync()
        self._presence.deliver(sync.apply_state(self._machine.join_ref, payload))

    def _presence_diff_received(self, payload: Any) -> None:
        if not self._presence_on:
            # Joined without presence: no presence_state will ever come to apply these to
            # (a server sends diffs once this client tracks), so they are checked, not kept:
            # a sync of their own, waiting for a state, parses each and is dropped.
            PresenceSync().apply_diff(payload)
            return
        sync = self._presence_sync()
        overflowed = sync.overflowed_diffs
        events = sync.apply_diff(payload)
        if sync.overflowed_diffs != overflowed:
            self._client.dropped["presence diff overflow"] += sync.overflowed_diffs - overflowed
            self._client.report_once(
                f"presence diff overflow:{self.topic}",
                ProtocolError(
                    f"presence_diff messages on {self.topic} before its presence_state hold more "
                    f"than {MAX_PENDING_METAS} metas: the oldest were dropped"
                ),
            )
        self._presence.deliver(events)

    def _invalid_meta(self, key: str, meta: dict[str, Any], error: ValidationError) -> None:
        self._client.dropped["invalid presence meta"] += 1
        invalid = InvalidMessage(
            f"a presence meta of {key!r} does not match {self._presence.spec!r} "
            "and is left out of presence_state()",
            topic=self.topic,
            event="presence",
            data=meta,
        )
        invalid.__cause__ = error
        self._client.report_once(f"invalid presence meta:{self.topic}:{key}", invalid)

    def _system_received(self, payload: Any) -> None:
        if payload.get("status") == "error":
            # Such as "Unable to subscribe to changes with given parameters" for a table outside
            # the publication: without a report, the only symptom is silence.
            message = payload.get("message")
            self._client.report_once(
                f"system:{self.topic}:{payload.get('extension')}:{message}",
                ChannelError(f"{self.topic}: {payload.get('extension')} error: {message}"),
            )
        for listener in self._system:
            listener(payload)

    _HANDLERS: ClassVar[dict[str, Callable[[Channel[Any], Any], None]]] = {
        "broadcast": _broadcast_received,
        "postgres_changes": _changes_received,
        "presence_state": _presence_state_received,
        "presence_diff": _presence_diff_received,
        "system": _system_received,
    }
    """The handler of each data event, shared by every channel."""

    def _report_invalid(self, error: InvalidMessage) -> None:
        self._client.dropped["invalid payload"] += 1
        self._client.report(error)

    # ------------------------------------------------------------------ broadcast

    def _add_broadcast(self, event: str, sink: _Sink) -> Callable[[], None]:
        if event == "*":
            self._broadcast_any = [*self._broadcast_any, sink]
        else:
            key = event.lower()
            self._broadcast[key] = [*self._broadcast.get(key, ()), sink]

        def remove() -> None:
            if event == "*":
                self._broadcast_any = [s for s in self._broadcast_any if s is not sink]
            else:
                key = event.lower()
                rest = [s for s in self._broadcast.get(key, ()) if s is not sink]
                if rest:
                    self._broadcast[key] = rest
                else:
                    self._broadcast.pop(key, None)

        return remove

    def _broadcast_sink(
        self, spec: BroadcastSpec[Any] | None, deliver: Callable[[Any], None]
    ) -> _Sink:
        if spec is None:

            def untyped(event: str, value: Any, meta: BroadcastMeta | None) -> None:
                deliver(BroadcastMessage(event, value, meta))

            return untyped
        decode = spec.decode
        topic = self.topic

        def typed(event: str, value: Any, meta: BroadcastMeta | None) -> None:
            try:
                payload = decode(value)
            except ValidationError as exc:
                invalid = InvalidMessage(
                    f"payload does not match {spec!r}", topic=topic, event=event, data=value
                )
                invalid.__cause__ = exc
                self._report_invalid(invalid)
                return
            deliver(BroadcastMessage(event, payload, meta))

        return typed

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
        """Call ``callback`` for each broadcast of ``event`` (any case), or every one for ``*``.

        With a :class:`~realtime_typed.typed.BroadcastSpec` the payload is validated into its
        model; a payload that does not validate is reported through ``on_error``. Returns a
        function that removes the listener.
        """
        spec = event if isinstance(event, BroadcastSpec) else None
        name = event.event if isinstance(event, BroadcastSpec) else event
        listener = Listener(callback, self._client, f"{self.topic} broadcast {name}")
        return self._add_broadcast(name, self._broadcast_sink(spec, listener))

    @overload
    def broadcasts(
        self, event: BroadcastSpec[T], *, maxsize: int = ...
    ) -> MessageStream[BroadcastMessage[T]]: ...
    @overload
    def broadcasts(
        self, event: str = ..., *, maxsize: int = ...
    ) -> MessageStream[BroadcastMessage[JsonValue]]: ...
    def broadcasts(
        self, event: BroadcastSpec[Any] | str = "*", *, maxsize: int = DEFAULT_QUEUE_SIZE
    ) -> MessageStream[Any]:
        """An async iterator over broadcasts of ``event`` (``*`` for all).

        It holds at most ``maxsize`` messages: when the consumer falls behind, the oldest are
        dropped and counted in ``.dropped``. It ends when the channel closes or on ``close()``.
        """
        spec = event if isinstance(event, BroadcastSpec) else None
        name = event.event if isinstance(event, BroadcastSpec) else event
        queue: DropOldestQueue[Any] = DropOldestQueue(
            maxsize, name=f"{self.topic} broadcasts({name})", logger=self._client.logger
        )
        remove: Callable[[], None] = lambda: None  # noqa: E731
        stream: MessageStream[Any] = MessageStream(queue, lambda: self._drop_stream(stream, remove))
        remove = self._add_broadcast(name, self._broadcast_sink(spec, stream.put))
        self._streams.append(stream)
        return stream

    def _drop_stream(self, stream: MessageStream[Any], remove: Callable[[], None]) -> None:
        remove()
        if stream in self._streams:
            self._streams.remove(stream)

    @overload
    async def send_broadcast(
        self, event: BroadcastSpec[T], payload: T, *, persist: Persist = ...
    ) -> None: ...
    @overload
    async def send_broadcast(
        self, event: str, payload: JsonValue | bytes, *, persist: Persist = ...
    ) -> None: ...
    async def send_broadcast(
        self, event: BroadcastSpec[Any] | str, payload: Any, *, persist: Persist = False
    ) -> None:
        """Broadcast ``payload`` as ``event`` to the channel's subscribers.

        Without ``broadcast_ack`` this returns once the frame is written (or queued, when the
        channel is not joined yet). With it, it waits for the server's reply and raises
        :class:`~realtime_typed.errors.PushTimeout` or :class:`~realtime_typed.errors.PushError`.
        ``persist=True`` (or ``{"ttl": n}``) asks the server to store the message for replay;
        it needs a private channel and the 2.0.0 serializer (``ValueError`` otherwise).

        ``bytes`` are sent as they are (a binary user broadcast, payload encoding 0): the
        2.0.0 serializer only (``ValueError`` on 1.0.0, which cannot carry them). Receivers
        on 2.0.0 get the same ``bytes``; the server drops them for 1.0.0 sockets.

        On a channel made with ``broadcast_rest_fallback=True``, a broadcast sent while the
        channel is not joined (or the socket is down) goes through :meth:`http_send` instead
        of waiting for the join, as realtime-js's ``send()`` does.
        """
        if self._rest_fallback and not (
            self._client.core.connected and self._machine.state is ChannelState.JOINED
        ):
            await self.http_send(event, payload, persist=persist)
            return
        body = self.broadcast_body(event, payload, persist)
        await self._client.push(self.topic, "broadcast", body, wait=self._ack)

    @overload
    async def send_broadcasts(
        self, event: BroadcastSpec[T], payloads: Iterable[T], *, persist: Persist = ...
    ) -> list[RealtimeError | None]: ...
    @overload
    async def send_broadcasts(
        self, event: str, payloads: Iterable[JsonValue | bytes], *, persist: Persist = ...
    ) -> list[RealtimeError | None]: ...
    async def send_broadcasts(
        self, event: BroadcastSpec[Any] | str, payloads: Iterable[Any], *, persist: Persist = False
    ) -> list[RealtimeError | None]:
        """Broadcast every payload of ``payloads`` as ``event``; each one's outcome, in order.

        The outcome is ``None`` for a message that went through, else its error, which is
        returned, not raised: :class:`~realtime_typed.errors.PushError` (the server refused
        it), :class:`~realtime_typed.errors.PushTimeout` (no reply within the client's
        ``timeout``, or dropped from a full buffer while the channel was not joined),
        :class:`~realtime_typed.errors.ChannelError` or
        :class:`~realtime_typed.errors.ConnectionError` (the channel or the socket ended first).

        With ``broadcast_ack`` the messages go out together and one wait covers every reply:
        no task and no future per message, which makes this the fast way to send many
        acknowledged broadcasts. Without it, each is sent as :meth:`send_broadcast` does and
        ``None`` means written. A payload the encoder refuses raises before anything is sent;
        so does a closed channel.
        """
        bodies = [self.broadcast_body(event, payload, persist) for payload in payloads]
        client = self._client
        if client.core.channels.get(self.topic) is not self._machine:
            raise ChannelError(f"channel {self.topic} is closed")
        if self._ack:
            return await client.push_many(self.topic, "broadcast", bodies)
        outcomes: list[RealtimeError | None] = []
        for body in bodies:
            try:
                await client.push(self.topic, "broadcast", body, wait=False)
            except (ChannelError, ConnectionError) as exc:
                outcomes.append(exc)
            else:
                outcomes.append(None)
        return outcomes

    def broadcast_body(
        self, event: BroadcastSpec[Any] | str, payload: Any, persist: Persist
    ) -> dict[str, Any]:
        """The ``broadcast`` push payload of one message (checked, typed payloads encoded).

        It reads only the channel's settings, so any thread may call it.
        """
        if isinstance(event, BroadcastSpec):
            name, value = event.event, event.encode(payload)
        else:
            name, value = event, payload
        binary = isinstance(value, bytes | bytearray | memoryview)
        if binary and self._client.vsn != "2.0.0":
            raise ValueError("binary broadcasts need the 2.0.0 serializer")
        if len(name.encode()) > MAX_FIELD_BYTES:
            raise ProtocolError(f"broadcast event name exceeds {MAX_FIELD_BYTES} bytes")
        body: dict[str, Any] = {"type": "broadcast", "event": name, "payload": value}
        if persist is not False:
            check_persist(self.topic, persist, private=self.private, vsn=self._client.vsn)
            body["persist"] = persist if isinstance(persist, bool) else dict(persist)
        return body

    async def http_send(
        self,
        event: BroadcastSpec[Any] | str,
        payload: Any,
        *,
        timeout: float | None = None,
        persist: Persist = False,
    ) -> None:
        """Broadcast through the REST API (``POST /api/broadcast/<topic>/events/<event>``).

        Raises :class:`~realtime_typed.errors.PushError` unless the server answers 202, and
        :class:`~realtime_typed.errors.PushTimeout` when it does not answer in time.
        ``persist`` is as for :meth:`send_broadcast` (private channels only). A ``bytes``
        payload is posted as ``application/octet-stream``, anything else as JSON.
        """
        if isinstance(event, BroadcastSpec):
            name, value = event.event, event.encode(payload)
        else:
            name, value = event, payload
        if persist is not False:
            check_persist(self.topic, persist, private=self.private, vsn=None)
        await self._client.rest_broadcast(
            self, name, value, timeout, None if persist is False else persist
        )

    # ------------------------------------------------------------------ system

    def on_system(self, callback: Callable[[dict[str, JsonValue]], object]) -> None:
        """Call ``callback`` with the payload of every ``system`` message of the channel."""
        self._system.append(Listener(callback, self._client, f"{self.topic} system"))

    # ------------------------------------------------------------------ postgres changes

    def _check_config_open(self, what: str) -> None:
        if self._machine.state in (ChannelState.JOINING, ChannelState.JOINED):
            raise ChannelError(f"cannot add {what} callbacks for {self.topic} after subscribe()")

    def _add_change(
        self,
        spec: ChangeSpec[Any] | str,
        deliver: Callable[[Any], None],
        schema: str,
        table: str | None,
        filter: Filter | str | None,
        select: list[str] | None,
    ) -> ChangeSink:
        self._check_config_open("postgres_changes")
        if isinstance(spec, ChangeSpec):
            decoder: ChangeSpec[Any] = spec
            config = binding_config(
                spec.event, spec.schema, spec.table, _filter_text(filter), select
            )
        else:
            if spec not in UNTYPED_SPECS:
                raise ValueError(f"unknown postgres change event {spec!r}")
            decoder = UNTYPED_SPECS[spec]
            config = binding_config(spec, schema, table, _filter_text(filter), select)
        sink = change_sink(decoder, deliver, self._report_invalid, self.topic)
        self._changes.add(config, sink)
        return sink

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
        """Call ``callback`` for each change of a table (register before ``subscribe()``).

        A :class:`~realtime_typed.typed.ChangeSpec` gives typed changes; an event name gives
        change objects whose rows are dicts (numerics as ``Decimal``). A change that fails
        validation or carries ``errors`` is reported through ``on_error`` with its raw data.
        """
        listener = Listener(callback, self._client, f"{self.topic} postgres_changes")
        self._add_change(spec, listener, schema, table, filter, select)

    @overload
    def changes(
        self,
        spec: ChangeSpec[P],
        *,
        filter: Filter | str | None = None,
        select: list[str] | None = None,
        maxsize: int = ...,
    ) -> MessageStream[P]: ...
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
    ) -> MessageStream[AnyChange[Row, Row]]: ...
    def changes(
        self,
        spec: ChangeSpec[Any] | str,
        *,
        schema: str = "public",
        table: str | None = None,
        filter: Filter | str | None = None,
        select: list[str] | None = None,
        maxsize: int = DEFAULT_QUEUE_SIZE,
    ) -> MessageStream[Any]:
        """An async iterator over changes, bounded like :meth:`broadcasts`."""
        queue: DropOldestQueue[Any] = DropOldestQueue(
            maxsize, name=f"{self.topic} changes", logger=self._client.logger
        )
        sink_box: list[ChangeSink] = []
        stream: MessageStream[Any] = MessageStream(
            queue, lambda: self._drop_change_stream(stream, sink_box)
        )
        sink_box.append(self._add_change(spec, stream.put, schema, table, filter, select))
        self._streams.append(stream)
        return stream

    def _drop_change_stream(self, stream: MessageStream[Any], sinks: list[ChangeSink]) -> None:
        for sink in sinks:
            self._changes.remove(sink)
        if stream in self._streams:
            self._streams.remove(stream)

    # ------------------------------------------------------------------ presence

    def _on_presence(self, kind: PresenceKind, callback: Callable[..., object]) -> None:
        self._check_config_open("presence")
        listener = Listener(callback, self._client, f"{self.topic} presence {kind}")
        self._presence.add_listener(kind, listener)

    def on_presence_sync(self, callback: Callable[[], object]) -> None:
        """Call ``callback()`` after each presence state or diff is applied."""
        self._on_presence("sync", callback)

    def on_presence_join(self, callback: Callable[[str, list[MetaT], list[MetaT]], object]) -> None:
        """Call ``callback(key, current_metas, joined_metas)`` for each join."""
        self._on_presence("join", callback)

    def on_presence_leave(
        self, callback: Callable[[str, list[MetaT], list[MetaT]], object]
    ) -> None:
        """Call ``callback(key, remaining_metas, left_metas)`` for each leave."""
        self._on_presence("leave", callback)

    def on_presence(self, callback: Callable[[PresenceUpdate[MetaT]], object]) -> None:
        """Call ``callback(update)`` for every presence event: sync, join and leave.

        The reference client's ``on("presence", {event: "*"})``; ``update.event`` says which.
        """
        self._check_config_open("presence")
        listener = Listener(callback, self._client, f"{self.topic} presence *")
        self._presence.any_listeners.append(listener)

    def presence_state(self) -> dict[str, list[MetaT]]:
        """Key -> metas currently present (typed channels: the spec's model)."""
        return self._presence.state()

    async def track(self, meta: MetaT) -> None:
        """Make this client present with ``meta``; re-tracked after every rejoin.

        Before the channel is joined the meta is kept and sent on join (and the join asks for
        presence, unless ``presence_enabled=False``). Once joined this returns when the server
        has accepted the meta (raising PushTimeout or PushError). The accepted meta reaches
        every member with presence, this client included, in the ``presence_diff`` the server
        sends right after its reply: :meth:`presence_state` holds it from then on, and
        ``on_presence_join`` / ``on_presence_sync`` fire for it. Tracking an identical meta
        again changes nothing and sends no diff.

        On a channel joined without presence the track still makes this client visible to
        others, as the official clients do, but this client receives no presence at all: a
        warning says so, once per channel.
        """
        payload = self._presence.encode(meta)
        self._presence.tracked = payload
        if self._machine.state is ChannelState.JOINED and not self._presence_on:
            self._client.report_once(
                f"presence-off:{self.topic}",
                ChannelError(
                    f"track() on {self.topic}, joined without presence: others see this "
                    "client, but presence_state() stays empty and presence callbacks never "
                    "fire; pass presence_key=, presence= or presence_enabled=True to "
                    "client.channel() to receive presence"
                ),
            )
        await self._push_presence(_track(payload))

    async def untrack(self) -> None:
        """Stop being present on this channel (the server forgets it on every disconnect)."""
        self._presence.tracked = None
        await self._push_presence({"type": "presence", "event": "untrack"})

    async def _push_presence(self, body: dict[str, Any]) -> None:
        """Send a presence push when joined and wait for its reply.

        If the join is lost before the reply (a dropped socket), the wait ends there: the server
        drops the presence of a lost connection and the rejoin re-tracks the last tracked meta,
        so the request takes effect without waiting out a reply that can no longer come.
        """
        lost = self._join_lost
        if self._machine.state is not ChannelState.JOINED or lost is None or lost.done():
            return
        reply = self._client.start_push(self.topic, "presence", body)
        self._client.pump()
        try:
            await asyncio.wait((reply, lost), return_when=asyncio.FIRST_COMPLETED)
            if reply.done():
                reply.result()
        finally:
            reply.cancel()


def _track(meta: dict[str, Any]) -> dict[str, Any]:
    return {"type": "presence", "event": "track", "payload": meta}
