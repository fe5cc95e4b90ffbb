"""One WebSocket connection: decoding, routing to channels, ordered writes, and its end.

Frames are decoded with the shared serializers; a frame that cannot be decoded is logged,
counted and skipped, never fatal. Outgoing frames go through an outbox drained by one writer
task, so a fan-out never waits on a slow socket and every socket sees its frames in order; the
writer hands every frame waiting in the outbox to the transport in one write (see ``wire``).
A socket idle for ``idle_timeout`` is closed by a timer that each frame received moves on,
not by a deadline around each read.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Final, Protocol, TypeAlias

from aiohttp import WSMsgType, web

from realtime_typed.errors import ProtocolError
from realtime_typed.local.channels.broadcast import relay_broadcast, relay_user_broadcast
from realtime_typed.local.channels.channel import ServerChannel
from realtime_typed.local.channels.joining import join
from realtime_typed.local.channels.presence_wiring import channel_closed, handle_presence
from realtime_typed.local.channels.private_channels import PRIVATE_EVENTS, handle_private
from realtime_typed.local.channels.shared import SharedState
from realtime_typed.local.channels.token_refresh import handle_access_token
from realtime_typed.local.transport.wire import frame_header
from realtime_typed.local.untrusted_json import json_problem
from realtime_typed.protocol.frames import (
    Frame,
    UserBroadcast,
    Vsn,
    decode_client_frame,
    encode_server_frame,
)

__all__ = [
    "CLOSE_SERVICE_RESTART",
    "Burst",
    "FaultHooks",
    "SessionState",
    "SocketObserver",
    "SocketSession",
]

_log = logging.getLogger(__name__)

CLOSE_SERVICE_RESTART: Final = 1012
CLOSE_INTERNAL_ERROR: Final = 1011
CLOSE_NORMAL: Final = 1000
_CLOSED: Final = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)
SERVER_DISCONNECT: Final = {
    "extension": "system",
    "status": "ok",
    "message": "Server requested disconnect",
}


Burst: TypeAlias = Callable[[web.WebSocketResponse], Awaitable[None]]
"""A writer that takes the socket for a while, in turn with queued frames (the firehose)."""


def _size_bound(data: str | bytes) -> int:
    """An upper bound of the frame's size in bytes (UTF-8 takes at most 4 per character)."""
    return len(data) if isinstance(data, bytes) else 4 * len(data)


class FaultHooks(Protocol):
    """Where fault injection (``realtime_typed.local.faults.FaultRules``) steps into sockets."""

    def receive(self, session: SocketSession, data: str | bytes) -> None:
        """Hand a client frame to ``session`` (or hold it back)."""

    async def refused(self, request: web.Request) -> web.StreamResponse | None:
        """The refusal for a socket request, or ``None`` to serve it."""
        ...


class SocketObserver(Protocol):
    """What watches the sockets (the inspector): it is told, and must return at once."""

    def opened(self, session: SocketSession) -> None:
        """``session`` starts serving."""

    def closed(self, session: SocketSession) -> None:
        """``session`` has ended."""

    def received(
        self, session: SocketSession, data: str | bytes, message: Frame | UserBroadcast | None
    ) -> None:
        """A client frame, decoded (``None``: it could not be decoded)."""

    def sent(self, session: SocketSession, data: str | bytes) -> None:
        """A frame queued for the client (a fan-out passes the same ``data`` to each member)."""


class SessionState(SharedState, Protocol):
    """What a socket needs of its server's shared state (the transport's ``ServerState``)."""

    malformed_frames: int
    """Client frames that could not be decoded."""
    ignored_events: int
    """Pushes of events the server does not handle."""
    slow_consumers: int
    """Sockets dropped for not reading their frames."""

    @property
    def faults(self) -> FaultHooks:
        """The fault hooks every socket goes through."""
        ...

    @property
    def observer(self) -> SocketObserver | None:
        """What watches the sockets, if anything."""
        ...


class _CloseRequest:
    __slots__ = ("code", "reason")

    def __init__(self, code: int, reason: str = "") -> None:
        self.code = code
        self.reason = reason


class SocketSession:
    """The server side of one client socket."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        vsn: Vsn,
        state: SessionState,
        token: str,
        transport: asyncio.Transport,
    ) -> None:
        self.ws = ws
        self._transport = transport
        self.vsn: Vsn = vsn
        self.state = state
        self.token = token
        self.channels: dict[str, ServerChannel] = {}
        self._outbox: deque[str | bytes | Burst | _CloseRequest] = deque()
        self._outbox_ready = asyncio.Event()
        self._closing = False
        self.screen: Callable[[str | bytes], bool] | None = None
        """A fault filter: frames it returns True for are not queued (see ``faults``)."""
        self._deferred: asyncio.Task[None] | None = None
        self._queued_bytes = 0
        self._observer = state.observer
        self._max_outbound_bytes = state.options.max_outbound_bytes
        self._last_frame_at = 0.0
        self._idle_timer: asyncio.TimerHandle | None = None
        self.connected_at: float = state.clock()

    # ------------------------------------------------------------------ output

    def encode(self, frame: Frame) -> str:
        """``frame`` as this socket's serializer writes it."""
        return encode_server_frame(frame, self.vsn)

    def send(self, data: str | bytes) -> None:
        """Queue a frame for this socket (dropped once the socket is closing).

        A socket whose outbox and transport buffer together pass ``max_outbound_bytes`` (a
        client that does not read) is dropped without a close frame, as the real server's
        socket process is killed when its heap passes the same limit.
        """
        if self._closing or (self.screen is not None and self.screen(data)):
            return
        queued = self._queued_bytes + len(data)
        self._queued_bytes = queued
        if queued + self._transport.get_write_buffer_size() > self._max_outbound_bytes:
            self._drop_slow_consumer()
            return
        self._outbox.append(data)
        self._outbox_ready.set()
        if self._observer is not None:
            self._observer.sent(self, data)

    def _drop_slow_consumer(self) -> None:
        self.state.slow_consumers += 1
        _log.warning(
            "slow consumer: over %d bytes queued for a socket that does not read; dropped",
            self.state.options.max_outbound_bytes,
        )
        self._closing = True
        self._outbox.clear()
        self._queued_bytes = 0
        self._transport.abort()

    def _queue(self, item: Burst | _CloseRequest) -> None:
        self._outbox.append(item)
        self._outbox_ready.set()

    def send_burst(self, burst: Burst) -> None:
        """Queue ``burst``: the writer awaits it with the socket, after the frames before it."""
        if not self._closing:
            self._queue(burst)

    def reply_unmatched(self, frame: Frame) -> None:
        """Phoenix's answer to a push on a topic this socket has not joined."""
        reply = {"status": "error", "response": {"reason": "unmatched topic"}}
        self.send(self.encode(Frame(None, frame.ref, frame.topic, "phx_reply", reply)))

    def disconnect(self, code: int = CLOSE_SERVICE_RESTART) -> None:
        """Tell every channel "Server requested disconnect", then close the socket."""
        if self._closing:
            return
        for topic in self.channels:
            self.send(self.encode(Frame(None, None, topic, "system", SERVER_DISCONNECT)))
        self._closing = True
        self._queue(_CloseRequest(code))

    def close(self, code: int, reason: str = "") -> None:
        """Close the socket with ``code`` and ``reason`` after the frames already queued."""
        if not self._closing:
            self._closing = True
            self._queue(_CloseRequest(code, reason))

    # ------------------------------------------------------------------ channels

    def close_channel(self, channel: ServerChannel, *, notify: bool = True) -> None:
        """End ``channel``: leave its topic and presence, unsubscribe, then ``phx_close``."""
        if channel.closed:
            return
        channel.closed = True
        if self.channels.get(channel.topic) is channel:
            del self.channels[channel.topic]
        self.state.registry.remove(channel)
        if channel.token_timer is not None:
            channel.token_timer.cancel()
            channel.token_timer = None
        channel_closed(channel)
        self.state.postgres.closed(channel)
        if notify:
            close = Frame(channel.join_ref, channel.join_ref, channel.topic, "phx_close", {})
            self.send(self.encode(close))

    def shutdown_channel(self, channel: ServerChannel, message: str) -> None:
        """Close ``channel`` after a ``system`` error carrying ``message``."""
        channel.push_system("system", "error", message)
        self.close_channel(channel)

    # ------------------------------------------------------------------ input

    def receive(self, data: str | bytes) -> None:
        """Handle one frame from the client.

        A frame that cannot be decoded, or whose JSON the server could not relay (see
        ``untrusted_json``), is dropped, logged and counted, without a reply, as the real
        server drops what its decoder refuses.
        """
        try:
            message: Frame | UserBroadcast | None = decode_client_frame(data, self.vsn)
        except ProtocolError as exc:
            self._malformed(str(exc))
            message = None
        else:
            problem = json_problem(message, data)
            if problem is not None:
                self._malformed(problem)
                message = None
        if self._observer is not None:
            self._observer.received(self, data, message)
        if message is None:
            return
        if isinstance(message, UserBroadcast):
            channel = self.channels.get(message.topic)
            if channel is None:
                self.reply_unmatched(message.as_frame())
            elif channel.policies is not None:
                self.defer(handle_private(channel, message, _size_bound(data)))
            else:
                relay_user_broadcast(channel, message, _size_bound(data))
            return
        frame = message
        event = frame.event
        channel = self.channels.get(frame.topic)
        if channel is not None and channel.policies is not None and event in PRIVATE_EVENTS:
            self.defer(handle_private(channel, frame, _size_bound(data)))
        elif channel is not None:
            if event == "broadcast":
                relay_broadcast(channel, frame, _size_bound(data))
            elif event == "presence":
                handle_presence(channel, frame)
            elif event == "access_token":
                handle_access_token(channel, frame)
            elif event == "phx_leave":
                channel.reply_ok(frame.ref)
                _log.info("left %s", frame.topic)
                self.close_channel(channel)
            elif event == "phx_join":
                join(self, frame)
            else:
                self.state.ignored_events += 1
                _log.info("Unexpected message from client of type `%s` on %s", event, frame.topic)
        elif event == "heartbeat" and frame.topic == "phoenix":
            reply: dict[str, object] = {"status": "ok", "response": {}}
            self.send(self.encode(Frame(None, frame.ref, "phoenix", "phx_reply", reply)))
        elif event == "phx_join":
            join(self, frame)
        else:
            self.reply_unmatched(frame)

    def _malformed(self, problem: str) -> None:
        self.state.malformed_frames += 1
        _log.warning("MalformedWebSocketMessage: %s", problem)

    # ------------------------------------------------------------------ lifetime

    def defer(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` (a database check) now; the next frame waits until it has finished."""
        self._deferred = asyncio.get_running_loop().create_task(work, name="realtime-deferred")

    async def _finish_deferred(self) -> None:
        deferred, self._deferred = self._deferred, None
        if deferred is None:
            return
        (outcome,) = await asyncio.gather(deferred, return_exceptions=True)
        if isinstance(outcome, Exception):
            _log.error("a deferred frame handler failed", exc_info=outcome)

    async def run(self) -> None:
        """Serve the socket until it closes; then remove its channels."""
        loop = asyncio.get_running_loop()
        writer = loop.create_task(self._write(), name="realtime-writer")
        if self._observer is not None:
            self._observer.opened(self)
        ws = self.ws
        faults = self.state.faults
        self._last_frame_at = loop.time()
        if self.state.options.idle_timeout > 0:
            self._idle_timer = loop.call_at(
                self._last_frame_at + self.state.options.idle_timeout, self._check_idle
            )
        try:
            while True:
                message = await ws.receive()
                self._last_frame_at = loop.time()
                kind = message.type
                if kind is WSMsgType.TEXT or kind is WSMsgType.BINARY:
                    if self._deferred is not None:
                        await self._finish_deferred()
                    # A handler that fails is logged and the socket carries on, as the real
                    # server does ("UnknownErrorOnWebSocketMessage").
                    try:
                        faults.receive(self, message.data)
                    except Exception as exc:
                        _log.error(
                            "UnknownErrorOnWebSocketMessage: %s: %s", type(exc).__name__, exc
                        )
                        _log.debug("the frame handler failed", exc_info=exc)
                elif kind in _CLOSED:
                    break
                elif kind is WSMsgType.PING:
                    await ws.pong(message.data)
                elif kind is WSMsgType.ERROR:
                    _log.warning("socket error: %s", ws.exception())
        finally:
            if self._idle_timer is not None:
                self._idle_timer.cancel()
            self.state.users.discard(self)
            self._closing = True
            if self._deferred is not None:
                self._deferred.cancel()
            await self._finish_deferred()
            for channel in list(self.channels.values()):
                self.close_channel(channel, notify=False)
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
            if self._observer is not None:
                self._observer.closed(self)

    def _check_idle(self) -> None:
        """Close the socket once no frame (pings included) came for ``idle_timeout``."""
        timeout = self.state.options.idle_timeout
        deadline = self._last_frame_at + timeout
        loop = asyncio.get_running_loop()
        if loop.time() < deadline:
            self._idle_timer = loop.call_at(deadline, self._check_idle)
            return
        self._idle_timer = None
        _log.info("socket idle for %ss: closed", timeout)
        self.close(CLOSE_NORMAL)

    async def _write(self) -> None:
        """Write queued frames in order. A frame that cannot be written ends this socket
        (close 1011, logged), never the writer alone and never another socket."""
        ws = self.ws
        outbox = self._outbox
        ready = self._outbox_ready
        try:
            while True:
                if not outbox:
                    ready.clear()
                    await ready.wait()
                    continue
                item = outbox[0]
                if isinstance(item, str | bytes):
                    self._write_frames()
                    continue
                outbox.popleft()
                if isinstance(item, _CloseRequest):
                    await ws.close(code=item.code, message=item.reason.encode())
                    return
                await item(ws)
        except ConnectionResetError as exc:
            _log.debug("socket gone while writing: %s", exc)
        except Exception as exc:
            _log.error("a frame could not be written, closing the socket: %s", exc)
            self._closing = True
            await ws.close(code=CLOSE_INTERNAL_ERROR)

    def _write_frames(self) -> None:
        """Frame the text and binary frames at the head of the outbox and write them at once.

        A text frame that cannot be encoded raises, after the frames before it were written.
        """
        outbox = self._outbox
        parts: list[bytes] = []
        unwritable: UnicodeEncodeError | None = None
        while outbox:
            item = outbox[0]
            if isinstance(item, bytes):
                parts.append(frame_header(len(item), binary=True))
                parts.append(item)
            elif isinstance(item, str):
                try:
                    body = item.encode()
                except UnicodeEncodeError as exc:
                    unwritable = exc
                    break
                parts.append(frame_header(len(body), binary=False))
                parts.append(body)
            else:
                break
            outbox.popleft()
            self._queued_bytes -= len(item)
        if parts:
            if self.ws.closed or self._transport.is_closing():
                raise ConnectionResetError("the socket is closing")
            self._transport.writelines(parts)
        if unwritable is not None:
            raise unwritable
