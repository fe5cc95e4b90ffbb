"""A raw WebSocket client for the local server's tests: frames in, frames out, with timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any, Final
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect

from realtime_typed.local.transport.session import SocketSession
from realtime_typed.protocol.frames import Frame, Vsn, decode_server_frame, encode_client_frame
from realtime_typed.testing import LocalRealtimeServer

TIMEOUT: Final = 5.0

DEFAULT_CONFIG: Final[dict[str, Any]] = {
    "broadcast": {"ack": False, "self": False},
    "presence": {"key": "", "enabled": False},
    "postgres_changes": [],
    "private": False,
}


def socket_url(
    server: LocalRealtimeServer,
    *,
    vsn: Vsn | None = "2.0.0",
    apikey: str | None = None,
    path: str = "/socket/websocket",
) -> str:
    """The socket URL with ``apikey`` (the anon key by default) and ``vsn`` query values."""
    query: dict[str, str] = {"apikey": server.anon_key if apikey is None else apikey}
    if vsn is not None:
        query["vsn"] = vsn
    return f"ws://{server.host}:{server.port}{path}?{urlencode(query)}"


class RawClient:
    """One socket: numbered refs, encode/decode with the shared serializers."""

    def __init__(self, connection: ClientConnection, vsn: Vsn) -> None:
        self.connection = connection
        self.vsn: Vsn = vsn
        self._ref = 0

    def next_ref(self) -> str:
        """A fresh ref."""
        self._ref += 1
        return str(self._ref)

    async def send(self, frame: Frame) -> None:
        """Encode and send one frame (v2 broadcasts with a string ``event`` go as kind 3)."""
        await self.connection.send(encode_client_frame(frame, self.vsn))

    async def send_raw(self, data: str | bytes) -> None:
        """Send bytes or text as they are."""
        await self.connection.send(data)

    async def push(self, topic: str, event: str, payload: Any, join_ref: str | None = None) -> str:
        """Send a push with a fresh ref; returns the ref."""
        ref = self.next_ref()
        await self.send(Frame(join_ref, ref, topic, event, payload))
        return ref

    async def recv_raw(self, wait: float = TIMEOUT) -> str | bytes:
        """The next frame as received."""
        async with asyncio.timeout(wait):
            return await self.connection.recv()

    async def recv(self, wait: float = TIMEOUT) -> Frame:
        """The next frame, decoded."""
        return decode_server_frame(await self.recv_raw(wait), self.vsn)

    async def expect(self, event: str, topic: str | None = None, wait: float = TIMEOUT) -> Frame:
        """The next frame, which must have this event (and topic)."""
        frame = await self.recv(wait)
        assert frame.event == event, frame
        if topic is not None:
            assert frame.topic == topic, frame
        return frame

    async def join(
        self, topic: str, config: dict[str, Any] | None = None, **extra: Any
    ) -> tuple[str, Frame]:
        """Join ``topic``; returns the join_ref and the reply frame."""
        ref = self.next_ref()
        payload: dict[str, Any] = {"config": DEFAULT_CONFIG if config is None else config}
        payload.update(extra)
        await self.send(Frame(ref, ref, topic, "phx_join", payload))
        reply = await self.expect("phx_reply", topic)
        assert reply.ref == ref, reply
        return ref, reply

    async def join_without_reply(self, topic: str, config: dict[str, Any] | None = None) -> str:
        """Send a join of ``topic`` without waiting for its reply; returns its join_ref."""
        ref = self.next_ref()
        payload = {"config": DEFAULT_CONFIG if config is None else config}
        await self.send(Frame(ref, ref, topic, "phx_join", payload))
        return ref

    async def joined(self, topic: str, config: dict[str, Any] | None = None, **extra: Any) -> str:
        """Join ``topic`` and check the reply is ok; returns the join_ref."""
        join_ref, reply = await self.join(topic, config, **extra)
        assert reply.payload["status"] == "ok", reply
        return join_ref

    async def nothing_pending(self) -> None:
        """Prove no frame is queued: a heartbeat's reply must be the next frame."""
        ref = await self.push("phoenix", "heartbeat", {})
        frame = await self.recv()
        assert (frame.event, frame.topic, frame.ref) == ("phx_reply", "phoenix", ref), frame


def config(
    *,
    self_: bool = False,
    ack: bool = False,
    presence: bool = False,
    key: str = "",
    postgres_changes: list[dict[str, Any]] | None = None,
    private: bool = False,
) -> dict[str, Any]:
    """A join config like the reference client builds."""
    return {
        "broadcast": {"ack": ack, "self": self_},
        "presence": {"key": key, "enabled": presence},
        "postgres_changes": postgres_changes or [],
        "private": private,
    }


@asynccontextmanager
async def open_client(
    server: LocalRealtimeServer,
    *,
    vsn: Vsn = "2.0.0",
    apikey: str | None = None,
    path: str = "/socket/websocket",
) -> AsyncGenerator[RawClient]:
    """A connected :class:`RawClient`."""
    async with connect(socket_url(server, vsn=vsn, apikey=apikey, path=path)) as connection:
        yield RawClient(connection, vsn)


def session_of(server: LocalRealtimeServer, client: RawClient) -> SocketSession:
    """The server side of ``client``'s socket, matched by the client's local port."""
    port = client.connection.local_address[1]
    for session in server.state.sessions:
        peer = session.ws.get_extra_info("peername")
        if peer is not None and peer[1] == port:
            return session
    raise AssertionError("no such session")
