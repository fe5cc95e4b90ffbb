"""A raw socket for the auth tests: connect with a token, push frames, read decoded frames."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any, Final
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect

from realtime_typed.protocol.frames import Frame, Vsn, decode_server_frame, encode_client_frame
from realtime_typed.testing import LocalRealtimeServer

WAIT: Final = 5.0


def join_config(
    *,
    private: bool = True,
    presence: bool = False,
    ack: bool = False,
    self_: bool = False,
    replay: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A join ``config`` as the reference client sends it."""
    broadcast: dict[str, Any] = {"ack": ack, "self": self_}
    if replay is not None:
        broadcast["replay"] = replay
    return {
        "broadcast": broadcast,
        "presence": {"key": "", "enabled": presence},
        "postgres_changes": [],
        "private": private,
    }


class Socket:
    """One client socket with numbered refs."""

    def __init__(self, connection: ClientConnection, vsn: Vsn) -> None:
        self.connection = connection
        self.vsn: Vsn = vsn
        self._ref = 0

    async def push(self, topic: str, event: str, payload: Any, join_ref: str | None = None) -> str:
        """Send a push with a fresh ref; returns the ref."""
        self._ref += 1
        ref = str(self._ref)
        frame = Frame(join_ref if join_ref is not None else ref, ref, topic, event, payload)
        await self.connection.send(encode_client_frame(frame, self.vsn))
        return ref

    async def recv(self) -> Frame:
        """The next frame, decoded."""
        async with asyncio.timeout(WAIT):
            return decode_server_frame(await self.connection.recv(), self.vsn)

    async def expect(self, event: str, topic: str | None = None) -> Frame:
        """The next frame, which must have ``event`` (and ``topic``)."""
        frame = await self.recv()
        assert frame.event == event, frame
        assert topic is None or frame.topic == topic, frame
        return frame

    async def join(self, topic: str, config: dict[str, Any], **extra: Any) -> Frame:
        """Join and return the reply's payload frame."""
        ref = await self.push(topic, "phx_join", {"config": config, **extra})
        reply = await self.expect("phx_reply", topic)
        assert reply.ref == ref, reply
        return reply

    async def joined(self, topic: str, config: dict[str, Any], **extra: Any) -> None:
        """Join and check the reply is ok."""
        reply = await self.join(topic, config, **extra)
        assert reply.payload["status"] == "ok", reply

    async def nothing_pending(self) -> None:
        """Prove no frame is queued: a heartbeat's reply comes next."""
        ref = await self.push("phoenix", "heartbeat", {}, join_ref="")
        frame = await self.recv()
        assert (frame.event, frame.ref) == ("phx_reply", ref), frame


@asynccontextmanager
async def open_socket(
    server: LocalRealtimeServer, token: str, *, vsn: Vsn = "2.0.0"
) -> AsyncGenerator[Socket]:
    """A socket authenticated with ``token`` in the ``x-api-key`` header."""
    url = f"ws://{server.host}:{server.port}/socket/websocket?{urlencode({'vsn': vsn})}"
    async with connect(url, additional_headers={"x-api-key": token}) as connection:
        yield Socket(connection, vsn)
