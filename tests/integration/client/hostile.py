"""A hostile Phoenix server on a real socket, whose misbehaviour is chosen per connection.

It speaks enough of the Realtime protocol (vsn 2.0.0 and 1.0.0) for a client to join,
heartbeat, push and broadcast to itself, and misbehaves as the :class:`Conduct` planned for
each new connection says: stop reading its socket once some joins are answered (the TCP window
fills, the client's send buffer with it), name another topic in join replies, or run a hook
after each join that sends floods or poison. The REST broadcast endpoint answers as
:attr:`HostileServer.rest` says: a status with a body given in chunks, optionally trickled a
chunk at a time.

The listening socket has a small receive buffer, so a connection that stops reading backs up
within a few megabytes.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from realtime_typed.protocol.frames import Frame, Vsn, decode_client_frame, encode_server_frame

__all__ = ["Conduct", "HostileServer", "Peer", "RestReply", "hostile_server"]

RECEIVE_BUFFER = 4096
"""SO_RCVBUF of the listening socket, inherited by every connection."""


class Peer:
    """One client connection, as a hook sees it, in the serializer version it asked for."""

    def __init__(self, ws: web.WebSocketResponse, vsn: Vsn) -> None:
        self.ws = ws
        self.vsn: Vsn = vsn

    async def send(self, frame: Frame) -> None:
        await self.ws.send_str(encode_server_frame(frame, self.vsn))

    async def send_raw(self, text: str) -> None:
        await self.ws.send_str(text)


AfterJoin = Callable[[Peer, Frame], Awaitable[None]]


@dataclass
class Conduct:
    """How one connection behaves."""

    stop_reading_after_joins: int | None = None
    """Stop reading the socket once this many joins are answered (and answer nothing more)."""
    reply_topic: str | None = None
    """Name this topic, not the join's, in every join reply."""
    after_join: AfterJoin | None = None
    """Awaited after each join is answered, with the join frame."""


@dataclass
class RestReply:
    """How the REST broadcast endpoint answers."""

    status: int = 202
    chunks: Callable[[], Iterable[bytes]] = lambda: ()
    """The body, chunk by chunk (a new iterable for each request)."""
    trickle: float | None = None
    """Seconds between chunks, or None to write them as fast as the client reads."""
    length: int | None = None
    """The Content-Length to announce (None: chunked)."""


@dataclass
class HostileServer:
    """What the server does and saw."""

    plan: deque[Conduct] = field(default_factory=deque[Conduct])
    """Conducts for the next connections, in order; once empty, connections behave."""
    rest: RestReply = field(default_factory=RestReply)
    port: int = 0
    connections: int = 0
    rest_bytes_sent: int = 0
    """Body bytes the REST endpoint got into its socket before the client went away."""
    stopped_reading: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once a connection stops reading."""
    joins: asyncio.Queue[Frame] = field(default_factory=asyncio.Queue[Frame])
    """Every join received, answered or not."""

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/socket"

    def next_connections(self, *conducts: Conduct) -> None:
        """Plan how the next connections behave."""
        self.plan.extend(conducts)

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, compress=False)
        await ws.prepare(request)
        self.connections += 1
        conduct = self.plan.popleft() if self.plan else Conduct()
        peer = Peer(ws, "1.0.0" if request.query.get("vsn") == "1.0.0" else "2.0.0")
        configs: dict[str, dict[str, Any]] = {}
        answered = 0
        async for message in ws:
            if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue
            decoded = decode_client_frame(message.data, peer.vsn)
            frame = decoded if isinstance(decoded, Frame) else decoded.as_frame()
            if frame.event == "phx_join":
                await self.joins.put(frame)
                configs[frame.topic] = frame.payload.get("config", {})
                topic = conduct.reply_topic or frame.topic
                await _reply(peer, Frame(frame.join_ref, frame.ref, topic, "phx_reply", {}))
                if conduct.after_join is not None:
                    await conduct.after_join(peer, frame)
                answered += 1
                if answered == conduct.stop_reading_after_joins:
                    self.stopped_reading.set()
                    await asyncio.Event().wait()  # never read again, until the server stops
            elif frame.event in ("heartbeat", "phx_leave", "presence", "access_token"):
                await _reply(peer, frame)
            elif frame.event == "broadcast":
                broadcast = configs.get(frame.topic, {}).get("broadcast", {})
                if broadcast.get("ack"):
                    await _reply(peer, frame)
                if broadcast.get("self"):
                    echo = Frame(None, None, frame.topic, "broadcast", frame.payload)
                    await peer.send(echo)
        return ws

    async def rest_broadcast(self, request: web.Request) -> web.StreamResponse:
        await request.read()
        reply = self.rest
        response = web.StreamResponse(status=reply.status)
        response.content_type = "application/json"
        if reply.length is not None:
            response.content_length = reply.length
        await response.prepare(request)
        with suppress(ConnectionError):
            for chunk in reply.chunks():
                await response.write(chunk)
                self.rest_bytes_sent += len(chunk)
                if reply.trickle is not None:
                    await asyncio.sleep(reply.trickle)  # the misbehaviour itself: a slow body
            await response.write_eof()
        return response


async def _reply(peer: Peer, to: Frame) -> None:
    payload: dict[str, Any] = {"status": "ok", "response": {}}
    await peer.send(Frame(to.join_ref, to.ref, to.topic, "phx_reply", payload))


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def json_chunks(text: str) -> Callable[[], Iterable[bytes]]:
    """A body of one chunk: ``text`` encoded."""
    return lambda: (text.encode(),)


@asynccontextmanager
async def hostile_server() -> AsyncGenerator[HostileServer, None]:
    """Run a :class:`HostileServer` on a free port of 127.0.0.1."""
    server = HostileServer()
    app = web.Application()
    app.router.add_get("/socket/websocket", server.websocket)
    app.router.add_post("/api/broadcast/{topic}/events/{event}", server.rest_broadcast)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    sock = _listening_socket()
    site = web.SockSite(runner, sock)
    await site.start()
    server.port = sock.getsockname()[1]
    try:
        yield server
    finally:
        await runner.cleanup()


def error_body(message: object) -> str:
    """A REST error body as the real server writes it."""
    return json.dumps({"error": message})
