"""``RealtimeClient``: the socket, its background tasks and its channels.

The protocol lives in :class:`~realtime_typed.protocol.phoenix.PhoenixProtocol`; this module is
its asyncio driver. One :class:`~realtime_typed.client.tasks.TaskOwner` owns every background
task: the socket reader, the timer loop (heartbeats, join and push timeouts, rejoins,
reconnects), reconnect attempts, token refreshes and the workers of async callbacks.
:meth:`RealtimeClient.close` cancels them all and closes the socket.

The receive path is kept short: decode the frame, let the core check its topic and join_ref,
look up the channel by topic and the listeners by event, call them.

No background task ever waits for a write to complete: frames are written at once (the socket
buffers them), and when its send buffer is full the core is told so
(``PhoenixProtocol.writes_blocked``) and a watcher task tells it when the buffer drains. Only an
application's broadcast without ack waits for the drain, for at most its timeout; the core's
deadlines (heartbeat, join, push, stalled write) keep firing meanwhile, and a socket is closed
within the client's timeout whatever the peer does.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import math
import ssl
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from types import TracebackType
from typing import Any, Final, Literal, Self, TypeAlias, TypeVar, Unpack, cast, overload
from urllib.parse import quote

import httpx
from pydantic import BaseModel, JsonValue
from websockets.exceptions import ConnectionClosed as WebSocketClosed

from realtime_typed._tasks import TaskOwner
from realtime_typed.client.batch import Abandonable, Outcome, PushBatch, Waiter
from realtime_typed.client.channel import Channel
from realtime_typed.client.connection import Proxy, SocketOptions, close_socket, open_socket
from realtime_typed.client.endpoint import rest_broadcast_url, socket_url
from realtime_typed.client.inline import InlineConnection
from realtime_typed.client.listeners import Listener
from realtime_typed.client.options import ClientOptions
from realtime_typed.client.persist import BroadcastReplay, Persist, check_replay, persist_query
from realtime_typed.client.reporting import ReportFilter
from realtime_typed.client.rest import post_broadcast
from realtime_typed.client.supabase import SupabaseAuthSession, SupabaseClient
from realtime_typed.client.writer import BurstWriter
from realtime_typed.errors import (
    ChannelError,
    ConnectionClosed,
    ConnectionError,
    ProtocolError,
    PushError,
    PushTimeout,
    RealtimeError,
)
from realtime_typed.protocol.backoff import Backoff, reconnect_after, rejoin_after
from realtime_typed.protocol.events import (
    CloseConnection,
    CoreEvent,
    FrameDropped,
    HeartbeatStatus,
    HeartbeatUpdate,
    LeaveOutcome,
    PushDone,
    ReconnectDue,
    StateChanged,
    SubscribeState,
)
from realtime_typed.protocol.frames import Frame, Vsn, decode_server_frame, encode_client_frame
from realtime_typed.protocol.phoenix import REPLY_TOPIC_MISMATCH, PhoenixProtocol
from realtime_typed.protocol.pushes import Push
from realtime_typed.typed import PresenceSpec

__all__ = ["AccessToken", "ConnectionState", "RealtimeClient", "TokenProvider"]

ModelT = TypeVar("ModelT", bound=BaseModel)

TokenProvider: TypeAlias = Callable[[], str | Awaitable[str | None] | None]
AccessToken: TypeAlias = str | TokenProvider | None
HeartbeatCallback: TypeAlias = Callable[[HeartbeatStatus, float | None], object]
ErrorCallback: TypeAlias = Callable[[Exception], object]
ConnectionState: TypeAlias = Literal["connecting", "open", "closing", "closed"]

TOPIC_PREFIX: Final = "realtime:"
_VSNS: Final = ("1.0.0", "2.0.0")


class RealtimeClient:
    """A connection to Supabase Realtime (or the local server) and its channels.

    Args:
        url: ``ws(s)://host/socket``, ``.../realtime/v1``, ``.../websocket`` or a project URL
            ``https://<ref>.supabase.co``.
        apikey: the project's API key (required); sent as the ``apikey`` query parameter.
        access_token: a JWT, or a callable (sync or async) returning one or ``None``, called
            on connect, after each heartbeat and after each join.
        vsn: serializer version, ``"2.0.0"`` (default) or ``"1.0.0"``.
        heartbeat_interval: seconds between heartbeats; a heartbeat unanswered this long
            closes the socket and reconnects.
        timeout: seconds to wait for join, leave and push replies.
        reconnect_after, rejoin_after: backoff policies (attempt number -> seconds).
        rate_limit_delay: seconds before a join refused for a rate limit
            (``ChannelRateLimitReached``, ``ClientJoinRateLimitReached``...) is tried again.
        params: extra query parameters for the socket URL.
        logger: where to log; ``realtime_typed.client`` by default.
        http_client: the ``httpx.AsyncClient`` for REST broadcasts (proxies, TLS, transports);
            the caller owns it and closes it. By default the client makes its own.
        headers: extra HTTP headers for the WebSocket handshake.
        ssl: the TLS context for ``wss://`` (a private CA, client certificates).
        proxy: the WebSocket's proxy: a URL (``http://``, ``socks5://``; websockets 15 and
            later), ``True`` for the environment's settings (the default) or ``False`` for none.
    """

    def __init__(
        self,
        url: str,
        *,
        apikey: str,
        access_token: AccessToken = None,
        vsn: Vsn = "2.0.0",
        heartbeat_interval: float = 25.0,
        timeout: float = 10.0,
        reconnect_after: Backoff = reconnect_after,
        rejoin_after: Backoff = rejoin_after,
        rate_limit_delay: float = 30.0,
        params: Mapping[str, str] | None = None,
        logger: logging.Logger | None = None,
        http_client: httpx.AsyncClient | None = None,
        headers: Mapping[str, str] | None = None,
        ssl: ssl.SSLContext | None = None,
        proxy: Proxy = True,
    ) -> None:
        if not apikey:
            raise ValueError("API key is required to connect to Realtime")
        if vsn not in _VSNS:
            raise ValueError(f"unsupported serializer version {vsn!r}")
        self._vsn: Vsn = vsn
        self._url = socket_url(url, apikey, params, vsn)
        self._socket_options = SocketOptions(headers=headers, ssl=ssl, proxy=proxy)
        self._apikey = apikey
        self.timeout: float = timeout
        self.logger: logging.Logger = (
            logger if logger is not None else logging.getLogger("realtime_typed.client")
        )
        self.core: PhoenixProtocol = PhoenixProtocol(
            heartbeat_interval=heartbeat_interval,
            timeout=timeout,
            reconnect_after=reconnect_after,
            rejoin_after=rejoin_after,
            rate_limit_delay=rate_limit_delay,
        )
        self._provider: TokenProvider | None = None
        if callable(access_token):
            self._provider = access_token
        elif access_token is not None:
            self.core.set_access_token(access_token)
        self._auth_generation = 0
        self._channels: dict[str, Channel[Any]] = {}
        self._tasks = TaskOwner(self._task_failed)
        self._ws: InlineConnection | None = None
        self._writer: BurstWriter | None = None
        self._clock: Callable[[], float] = self.now
        """:meth:`now`, bound to the running loop's clock once a socket opens."""
        self._watching_drain = False
        self._generation = 0
        self._started = False
        self._connect_lock: asyncio.Lock | None = None
        self._wake: asyncio.Event | None = None
        self._sleeping_until = math.inf
        self._error_listeners: list[Listener] = []
        self._heartbeat_listeners: list[Listener] = []
        self._http: httpx.AsyncClient | None = http_client
        self._owns_http = http_client is None
        self._opening = False
        self._closing = False
        self._reported = ReportFilter()
        self._waiters: set[Abandonable] = set()
        self.dropped: Counter[str] = Counter()
        """Frames not delivered, by reason (malformed, unknown topic, stale join_ref, unknown
        event, malformed payload, invalid payload...)."""

    @classmethod
    def from_supabase(
        cls, supabase_client: SupabaseClient, **options: Unpack[ClientOptions]
    ) -> Self:
        """A client for the Realtime of a supabase-py ``Client`` or ``AsyncClient``.

        The URL and the API key are the supabase-py client's, and the access token follows its
        auth session: sign-in, refresh and sign-out reach every joined channel at once (see
        :mod:`realtime_typed.client.supabase`). ``options`` are the constructor's keywords.
        """
        session = SupabaseAuthSession(supabase_client)
        client = cls(session.url, apikey=session.api_key, access_token=session, **options)
        session.follow(client)
        return client

    # ------------------------------------------------------------------ context manager

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ public API

    @property
    def channels(self) -> list[Channel[Any]]:
        """The channels not closed yet."""
        return list(self._channels.values())

    @property
    def vsn(self) -> Vsn:
        """The serializer version of the socket."""
        return self._vsn

    @property
    def is_connected(self) -> bool:
        """Whether the socket is open."""
        return self.core.connected

    @property
    def writes_blocked(self) -> bool:
        """Whether the socket's send buffer is full (the server is not reading): a broadcast
        without ack sent now waits for it to drain, at most the push timeout."""
        return self._watching_drain

    @property
    def connection_state(self) -> ConnectionState:
        """``connecting`` (a handshake in progress), ``open``, ``closing`` or ``closed``.

        Between two reconnect attempts the state is ``closed``.
        """
        if self._closing:
            return "closing"
        if self.core.connected and self._ws is not None:
            return "open"
        return "connecting" if self._opening else "closed"

    @property
    def endpoint_url(self) -> str:
        """The WebSocket URL the client connects to, query included (it carries the API key)."""
        return self._url

    @property
    def http_endpoint_url(self) -> str:
        """The REST broadcast URL (``.../api/broadcast``), query included."""
        base, query = rest_broadcast_url(self._url)
        return f"{base}?{query}" if query else base

    @overload
    def channel(
        self,
        topic: str,
        *,
        presence: PresenceSpec[ModelT],
        broadcast_self: bool = False,
        broadcast_ack: bool = False,
        presence_key: str = "",
        presence_enabled: bool | None = None,
        private: bool = False,
        broadcast_replay: BroadcastReplay | None = None,
        replication_ready: bool = False,
        postgres_changes_wait: bool = False,
        postgres_changes_timeout: float | None = None,
        join_payload: Mapping[str, JsonValue] | None = None,
        broadcast_rest_fallback: bool = False,
    ) -> Channel[ModelT]: ...
    @overload
    def channel(
        self,
        topic: str,
        *,
        presence: None = None,
        broadcast_self: bool = False,
        broadcast_ack: bool = False,
        presence_key: str = "",
        presence_enabled: bool | None = None,
        private: bool = False,
        broadcast_replay: BroadcastReplay | None = None,
        replication_ready: bool = False,
        postgres_changes_wait: bool = False,
        postgres_changes_timeout: float | None = None,
        join_payload: Mapping[str, JsonValue] | None = None,
        broadcast_rest_fallback: bool = False,
    ) -> Channel[dict[str, JsonValue]]: ...
    def channel(
        self,
        topic: str,
        *,
        presence: PresenceSpec[Any] | None = None,
        broadcast_self: bool = False,
        broadcast_ack: bool = False,
        presence_key: str = "",
        presence_enabled: bool | None = None,
        private: bool = False,
        broadcast_replay: BroadcastReplay | None = None,
        replication_ready: bool = False,
        postgres_changes_wait: bool = False,
        postgres_changes_timeout: float | None = None,
        join_payload: Mapping[str, JsonValue] | None = None,
        broadcast_rest_fallback: bool = False,
    ) -> Channel[Any]:
        """The channel for ``topic`` (``realtime:`` is prefixed), created if needed.

        A topic has one channel at a time: asking again returns the existing one, whatever
        the options. Presence (receiving ``presence_state`` and diffs, so that
        :meth:`Channel.presence_state` and the presence callbacks work) is asked for when
        ``presence_enabled`` is true; when it is left out, when ``presence`` or a non-empty
        ``presence_key`` is given, a presence callback is registered or ``track()`` is called
        before subscribing. ``presence_enabled=False`` joins without it even then: ``track()``
        still makes this client visible to others, but it sees nobody, itself included.

        ``broadcast_replay={"since": ms, "limit": n}`` asks the server to replay the broadcasts
        stored since ``since`` (milliseconds since the epoch; at most ``limit``) at the join;
        they arrive with ``meta.replayed`` set. Only private channels may replay: a public one
        raises ``ValueError`` here, before anything is sent.

        ``replication_ready=True`` asks the server for a ``system`` message (extension
        ``system``, "Replication connection established") once its replication connection is
        up; :meth:`Channel.on_system` receives it. ``postgres_changes_wait=True`` makes the
        server hold the join reply until the Postgres-changes subscription is live (at most
        ``postgres_changes_timeout`` seconds, 15 by default; the server caps it at 20), so that
        ``subscribe()`` returning means no change will be missed; a subscription that fails
        refuses the join (``JoinError`` with ``RealtimeDisabledForConfiguration`` or
        ``PostgresChangesSubscribeTimeout``), and the join timeout grows to cover the wait.
        ``join_payload`` adds keys to the join payload (see :meth:`Channel.update_join_payload`).

        ``broadcast_rest_fallback=True`` sends broadcasts through the REST API while the channel
        is not joined, as realtime-js's ``send()`` does; by default they wait in the channel's
        buffer for the join (see docs/peers.md for why).
        """
        full = topic if topic.startswith(TOPIC_PREFIX) else TOPIC_PREFIX + topic
        if broadcast_replay is not None:
            check_replay(full, broadcast_replay, private=private)
        existing = self._channels.get(full)
        if existing is not None:
            return existing
        channel: Channel[Any] = Channel(
            self,
            full,
            broadcast_self=broadcast_self,
            broadcast_ack=broadcast_ack,
            presence_key=presence_key,
            presence_enabled=presence_enabled,
            private=private,
            presence=presence,
            replay=broadcast_replay,
            replication_ready=replication_ready,
            postgres_changes_wait=postgres_changes_wait,
            postgres_changes_timeout=postgres_changes_timeout,
            join_payload=join_payload,
            broadcast_rest_fallback=broadcast_rest_fallback,
        )
        self._channels[full] = channel
        return channel

    async def remove_channel(self, channel: Channel[Any]) -> LeaveOutcome:
        """Unsubscribe ``channel`` and forget it; returns how the leave ended.

        ``"ok"``, ``"error"`` or ``"timed out"``, as :meth:`Channel.unsubscribe`: the channel
        is forgotten in every case.
        """
        return await channel.unsubscribe()

    async def remove_all_channels(self) -> list[LeaveOutcome]:
        """Unsubscribe every channel, then close the client (no task, no socket left).

        Returns the outcome of each leave, in the order of :attr:`channels`.
        """
        outcomes = await asyncio.gather(*(channel.unsubscribe() for channel in self.channels))
        await self.close()
        return list(outcomes)

    def on_error(self, callback: ErrorCallback) -> None:
        """Call ``callback(error)`` for every problem reported in the background."""
        self._error_listeners.append(Listener(callback, self, "on_error"))

    def on_heartbeat(self, callback: HeartbeatCallback) -> None:
        """Call ``callback(status, latency)``: sent, ok, error or timeout; latency in seconds.

        ``disconnected`` comes from :meth:`send_heartbeat` called while the socket is down.
        """
        self._heartbeat_listeners.append(Listener(callback, self, "on_heartbeat"))

    async def set_auth(self, token: str | None) -> None:
        """Use ``token`` from now on (``None`` for none).

        Joined channels get an ``access_token`` message when the value changes, and every
        later join carries it. With a token provider, the provider is called again at the
        next refresh point.
        """
        self._auth_generation += 1
        if self.core.set_access_token(token):
            self.pump()

    def set_auth_nowait(self, token: str | None) -> None:
        """:meth:`set_auth` for synchronous code running on the client's event loop.

        Joins from now on carry ``token``; joined channels get it as soon as the loop runs.
        """
        self._auth_generation += 1
        if self.core.set_access_token(token):
            self.pump()

    async def connect(self) -> None:
        """Open the socket; a no-op when already started.

        The first attempt's failure raises (:class:`~realtime_typed.errors.ConnectionRefused`
        with the HTTP status, or :class:`~realtime_typed.errors.ConnectionError`) and leaves
        nothing running. Once connected, every lost connection is retried with the
        ``reconnect_after`` backoff until :meth:`close`.
        """
        if self._connect_lock is None:
            self._connect_lock = asyncio.Lock()
            self._wake = asyncio.Event()
        async with self._connect_lock:
            if self._started:
                return
            self.core.start()
            self._tasks.spawn(self._run_timers(), "realtime-timers")
            try:
                await self._refresh_auth()
                await self._open()
            except BaseException:
                await self._shutdown()
                raise
            self._started = True

    async def close(self) -> None:
        """Close the socket and stop every background task, keeping the channels.

        Joined channels become errored (``CHANNEL_ERROR``) and rejoin, with the current token,
        on the next :meth:`connect`; :meth:`remove_all_channels` leaves them instead. Pushes
        waiting for a reply or for the channel to join fail with
        :class:`~realtime_typed.errors.ChannelError`.
        """
        await self.disconnect()

    async def disconnect(self, code: int = 1000, reason: str = "") -> None:
        """:meth:`close` with a WebSocket close ``code`` and ``reason`` (the reference's name).

        As in the reference client, channels are not left: they rejoin on :meth:`connect`.
        """
        if not (code == 1000 or 3000 <= code <= 4999):
            raise ValueError(f"close code {code} is not 1000 or in 3000-4999")
        if len(reason.encode()) > 123:
            raise ValueError("a close reason is at most 123 UTF-8 bytes")
        self._started = False
        self._closing = True
        try:
            await self._shutdown(code, reason)
        finally:
            self._closing = False

    def send_heartbeat(self) -> None:
        """Send a heartbeat now (the next one follows its reply by ``heartbeat_interval``).

        A heartbeat still unanswered makes this a heartbeat timeout, as at its time. While the
        socket is down nothing is sent and ``on_heartbeat`` callbacks get ``"disconnected"``.
        """
        self.core.send_heartbeat(self.now())
        self.pump()

    # ------------------------------------------------------------------ connection

    async def ensure_connected(self) -> None:
        """Connect unless already started (the socket may be reconnecting)."""
        if not self._started:
            await self.connect()

    def now(self) -> float:
        """The clock the core runs on."""
        return asyncio.get_running_loop().time()

    async def _open(self) -> None:
        self._opening = True
        try:
            ws = await open_socket(
                self._url,
                open_timeout=self.timeout,
                deliver=self._message_received,
                options=self._socket_options,
            )
        finally:
            self._opening = False
        self._generation += 1
        self._ws = ws
        self._writer = BurstWriter(ws)
        ws.on_read = self._writer.read_started
        self._clock = asyncio.get_running_loop().time
        self.core.connection_made(self.now())
        self._tasks.spawn(self._watch_socket(ws, self._generation), "realtime-reader")
        self.pump()

    async def _reconnect(self) -> None:
        await self._refresh_auth()
        try:
            await self._open()
        except ConnectionError as exc:
            self.report(exc)
            self.core.connection_lost(self.now(), exc)
            self.pump()

    def _message_received(self, data: str | bytes) -> None:
        """One message from the server, as the WebSocket protocol parses it.

        Called by the socket (:class:`~realtime_typed.client.inline.InlineConnection`): decode,
        let the core check topic and join_ref (and match replies), hand channel data to its
        channel, then write and resolve whatever the core produced. A malformed frame is
        counted and reported, and the next one is read.
        """
        try:
            frame = decode_server_frame(data, self._vsn)
        except ProtocolError as exc:
            self.dropped["malformed"] += 1
            self.report_once(f"malformed:{exc}", exc)
            return
        core = self.core
        if core.receive(frame, self._clock()):
            channel = self._channels.get(frame.topic)
            if channel is not None:
                channel.dispatch(frame)
        if core.has_output:
            self._flush()

    async def _watch_socket(self, ws: InlineConnection, generation: int) -> None:
        """Wait for the end of ``ws`` (its messages are delivered inline), then report it."""
        core = self.core
        error: Exception | None = None
        try:
            # Messages never reach this loop (the connection hands them over as it parses
            # them); it ends when the connection does.
            async for data in ws:
                self._message_received(data)
        except WebSocketClosed:
            pass
        except Exception as exc:
            error = exc
            raise
        finally:
            if ws.failure is not None:
                error = error or ws.failure
                self._task_failed("realtime-reader", ws.failure)
            if generation == self._generation:
                self._forget_socket()
                await close_socket(ws, self.timeout)
                closing = ws.protocol  # Connection.close_code is websockets 15+; this is 14 too
                lost = error or ConnectionClosed(closing.close_code, closing.close_reason or "")
                core.connection_lost(self.now(), lost)
                self.pump()

    async def _shutdown(self, code: int = 1000, reason: str = "") -> None:
        core = self.core
        core.stopped = True
        if core.connected:
            core.connection_lost(self.now(), ConnectionClosed(1000, "the client closed"))
        self._end_pushes()
        while core.has_output:
            self._process_events()
            core.data_to_send()
        ws = self._forget_socket()
        self._generation += 1
        if ws is not None:
            await close_socket(ws, self.timeout, reason, code=code)
        http = self._http
        if http is not None and self._owns_http:
            self._http = None
            await http.aclose()
        await self._tasks.cancel_all()

    def _end_pushes(self) -> None:
        """Fail every push still waiting, for a reply or to be sent: the socket is closing."""
        for machine in self.core.channels.values():
            for push in machine.buffer:
                push.cancel_deadline()
                self._push_done(PushDone(push, "closed"))
            machine.buffer.clear()
        waiters = list(self._waiters)
        self._waiters.clear()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(ChannelError("the client closed before the reply came"))

    # ------------------------------------------------------------------ driving the core

    def pump(self) -> None:
        """Act on the core's events and write its frames now; never waits for the socket."""
        self._flush()

    def _flush(self) -> bool:
        """Act on the core's events and write its frames; whether the send buffer is full.

        A buffer found full is reported to the core (its stall deadline starts) and watched
        until it drains.
        """
        core = self.core
        while core.has_output:
            self._process_events()
            frames = core.data_to_send()
            if frames:
                self._write(frames)
        writer = self._writer
        blocked = writer is not None and writer.must_drain
        if blocked and not self._watching_drain:
            assert writer is not None
            self._watching_drain = True
            core.writes_blocked(self.now())
            self._tasks.spawn(self._watch_drain(writer, self._generation), "realtime-drain")
        deadline = core.next_deadline()
        if deadline is not None and deadline < self._sleeping_until and self._wake is not None:
            self._wake.set()
        return blocked

    async def _watch_drain(self, writer: BurstWriter, generation: int) -> None:
        """Tell the core when the full send buffer of this socket drains."""
        try:
            await writer.drain()
        except Exception:  # the socket is gone: its reader reports the loss
            return
        if generation == self._generation:
            self._watching_drain = False
            self.core.writes_resumed(self.now())
            self._flush()

    def _write(self, frames: list[Frame]) -> None:
        writer = self._writer
        if writer is None:
            return
        vsn = self._vsn
        for frame in frames:
            try:
                data = encode_client_frame(frame, vsn)
            except (ProtocolError, TypeError, ValueError) as exc:
                self.report(ProtocolError(f"cannot encode {frame.event} on {frame.topic}: {exc}"))
                continue
            if not writer.write(data):
                return

    async def _run_timers(self) -> None:
        core = self.core
        loop = asyncio.get_running_loop()
        wake = self._wake
        assert wake is not None
        while True:
            deadline = core.next_deadline()
            self._sleeping_until = math.inf if deadline is None else deadline
            if deadline is None or deadline > loop.time():
                wake.clear()
                try:
                    async with asyncio.timeout_at(deadline):
                        await wake.wait()
                except TimeoutError:
                    pass
            self._sleeping_until = -math.inf
            core.handle_timer(loop.time())
            self._flush()

    def _process_events(self) -> None:
        for event in self.core.events_received():
            self._handle(event)

    def _handle(self, event: CoreEvent) -> None:
        if isinstance(event, PushDone):
            self._push_done(event)
        elif isinstance(event, StateChanged):
            channel = self._channels.get(event.topic)
            if channel is not None:
                if event.state is SubscribeState.CLOSED:
                    del self._channels[event.topic]
                channel.state_changed(event.state, event.error)
        elif isinstance(event, HeartbeatUpdate):
            for listener in self._heartbeat_listeners:
                listener(event.status, event.latency)
            if event.status == "sent":
                self.refresh_auth_later()
        elif isinstance(event, FrameDropped):
            self.dropped[event.reason] += 1
            frame = event.frame
            self.logger.debug("dropped %s on %s: %s", frame.event, frame.topic, event.reason)
            if event.reason == REPLY_TOPIC_MISMATCH:
                self.report_once(
                    f"{REPLY_TOPIC_MISMATCH}:{frame.topic}",
                    ProtocolError(
                        f"the server replied to ref {frame.ref} with topic {frame.topic!r}, "
                        "which is not the topic of that push; the reply was ignored"
                    ),
                )
        elif isinstance(event, CloseConnection):
            self._drop_socket(event.reason)
        elif isinstance(event, ReconnectDue) and self._started:  # pyright: ignore[reportUnnecessaryIsInstance]
            # not started: a reconnect left over from before close(); connect() opens the socket
            self.logger.info("reconnecting (attempt %d)", event.attempt)
            self._tasks.spawn(self._reconnect(), "realtime-reconnect")

    def _forget_socket(self) -> InlineConnection | None:
        """Stop writing to the current socket; returns it."""
        ws = self._ws
        self._ws = None
        writer = self._writer
        self._writer = None
        self._watching_drain = False
        if writer is not None:
            writer.close()
        return ws

    def _drop_socket(self, reason: str) -> None:
        ws = self._forget_socket()
        self._generation += 1
        self.logger.warning("closing the socket: %s", reason)
        if ws is not None:
            self._tasks.spawn(close_socket(ws, self.timeout, reason), "realtime-close")

    def _push_done(self, done: PushDone) -> None:
        push = done.push
        waiter = cast("Waiter | None", push.waiter)
        if waiter is not None:
            self._waiters.discard(waiter)
        if waiter is not None and waiter.done():
            self.logger.debug(
                "%s on %s: %s after its caller stopped waiting", push.event, push.topic, done.status
            )
            return
        if done.status == "ok":
            if waiter is not None:
                waiter.set_result(None)
            return
        error = _push_failure(push, done.status, done.response)
        if waiter is not None:
            waiter.set_exception(error)
        else:
            self.report(error)

    def start_push(self, topic: str, event: str, payload: Any) -> asyncio.Future[None]:
        """Queue a channel message that expects a reply; the future resolves with the reply.

        It fails with the reply's error, a timeout or the channel's closing. Cancelling it
        abandons the reply quietly. The frame goes out at the next :meth:`pump`.
        """
        push = self.core.push(topic, event, payload, self.now())
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        push.waiter = waiter
        self._waiters.add(waiter)
        return waiter

    async def push_many(self, topic: str, event: str, payloads: list[Any]) -> list[Outcome]:
        """Send channel messages that expect replies; each one's outcome, in order.

        ``None`` for a message the server acknowledged, else its error (the reply's error, a
        timeout, the channel's or the connection's end). The messages are queued in the core
        and written together; one future waits for them all, no task or future per message.
        """
        batch = PushBatch(len(payloads), asyncio.get_running_loop())
        if not payloads:
            return await batch.future
        core = self.core
        now = self.now()
        slot = batch.slot
        for index, payload in enumerate(payloads):
            core.push(topic, event, payload, now).waiter = slot(index)
        self._waiters.add(batch)
        try:
            self._flush()
            return await batch.future
        finally:
            self._waiters.discard(batch)

    async def push(self, topic: str, event: str, payload: Any, *, wait: bool) -> None:
        """Send a channel message; with ``wait``, until the server's reply.

        Without ``wait`` it returns once the frame is written, or queued while the channel is
        not joined; when the socket's send buffer is full it waits for the buffer to drain, at
        most the push timeout (then :class:`~realtime_typed.errors.PushTimeout`).
        """
        if wait:
            waiter = self.start_push(topic, event, payload)
            self._flush()
            await waiter
            return
        core = self.core
        push = core.push(topic, event, payload, self.now(), expects_reply=False)
        if not self._flush() or not core.wait_written(push, self.now()):
            return
        waiter = asyncio.get_running_loop().create_future()
        push.waiter = waiter
        self._waiters.add(waiter)
        self._flush()
        await waiter

    # ------------------------------------------------------------------ tokens

    def refresh_auth_later(self) -> None:
        """Ask the token provider again, in the background (no-op without a provider)."""
        if self._provider is not None:
            self._tasks.spawn(self._refresh_auth(), "realtime-auth")

    async def _refresh_auth(self) -> None:
        provider = self._provider
        if provider is None:
            return
        self._auth_generation += 1
        generation = self._auth_generation
        try:
            token = provider()
            if inspect.isawaitable(token):
                token = await token
        except Exception as exc:
            self.report(RealtimeError(f"the access token provider failed: {type(exc).__name__}"))
            return
        if generation != self._auth_generation:
            return
        if self.core.set_access_token(token):
            self.pump()

    # ------------------------------------------------------------------ REST

    async def rest_broadcast(
        self,
        channel: Channel[Any],
        event: str,
        payload: Any,
        wait_for: float | None,
        persist: Persist | None = None,
    ) -> None:
        """POST one broadcast to the REST API (see :meth:`Channel.http_send`)."""
        if payload is None:
            raise ValueError("a payload is required for http_send()")
        base, query = rest_broadcast_url(self._url)
        sub_topic = channel.topic.removeprefix(TOPIC_PREFIX)
        url = f"{base}/{quote(sub_topic, safe='')}/events/{quote(event, safe='')}"
        extra = ["private=true"] if channel.private else []
        if persist is not None:
            extra.append(persist_query(persist))
        query = "&".join([query, *extra] if query else extra)
        binary = isinstance(payload, bytes | bytearray | memoryview)
        content_type = "application/octet-stream" if binary else "application/json"
        headers = {"apikey": self._apikey, "Content-Type": content_type}
        if self.core.access_token:
            headers["Authorization"] = f"Bearer {self.core.access_token}"
        if self._http is None:
            self._http = httpx.AsyncClient()
        await post_broadcast(
            self._http,
            f"{url}?{query}" if query else url,
            bytes(cast("bytes", payload))
            if binary
            else json.dumps(payload, separators=(",", ":")).encode(),
            headers,
            event=event,
            timeout=wait_for or self.timeout,
        )

    # ------------------------------------------------------------------ reporting

    def report(self, error: Exception) -> None:
        """Log ``error`` and hand it to the ``on_error`` callbacks."""
        self.logger.warning("%s", error)
        for listener in self._error_listeners:
            listener(error)

    def report_once(self, key: str, error: Exception) -> None:
        """:meth:`report` the first error of kind ``key``; later ones are only logged (debug).

        Memory and reports stay bounded whatever the peer sends: see
        :class:`~realtime_typed.client.reporting.ReportFilter`.
        """
        if self._reported.should_report(key):
            self.report(error)
        else:
            self.logger.debug("%s (again)", error)

    def callback_failed(self, error: Exception, where: str) -> None:
        """A user callback raised: log it and report it (unless it is an on_error callback)."""
        self.logger.error("callback %s raised", where, exc_info=error)
        if where != "on_error":
            for listener in self._error_listeners:
                listener(error)

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> object:
        """Run ``coro`` as a task this client owns."""
        return self._tasks.spawn(coro, name)

    def _task_failed(self, name: str, error: BaseException) -> None:
        self.logger.error("background task %s failed", name, exc_info=error)
        if isinstance(error, Exception):
            for listener in self._error_listeners:
                listener(error)


def _push_failure(push: Push, status: str, response: Any) -> Exception:
    where = f"{push.event} on {push.topic}"
    written = push.ref is not None
    if status == "timeout":
        if push.expects_reply or not written:
            return PushTimeout(f"no reply to {where} within {push.timeout} s")
        return PushTimeout(
            f"{where} not written within {push.timeout} s: the socket's send buffer stayed "
            "full (the server is not reading); it may still be sent"
        )
    if status == "dropped":
        return PushTimeout(f"{where} dropped: the channel's push buffer is full")
    if status == "closed":
        if push.expects_reply or not written:
            return ChannelError(f"{push.topic} closed before {push.event} was answered")
        return ConnectionError(f"the connection was lost before {where} was written")
    return PushError(push.event, response)
