"""A scripted Phoenix server on a real socket, for faults the local server does not make.

It answers joins with ok (echoing Postgres-changes bindings with ids), heartbeats unless
``answer_heartbeats`` is off, and broadcasts with an ok reply unless ``answer_pushes`` is off.
Tests can send raw frames to every connection and read what clients sent.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

from realtime_typed.protocol.frames import Frame, decode_client_frame, encode_server_frame


class ScriptedServer:
    """What the scripted server saw and how it behaves."""

    def __init__(self) -> None:
        self.answer_heartbeats = True
        self.answer_pushes = True
        self.refuse_status: int | None = None
        self.mangle_bindings = False
        self.connections: list[ServerConnection] = []
        self.received: asyncio.Queue[Frame] = asyncio.Queue()
        self.connected = asyncio.Event()
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/socket"

    async def send_raw(self, data: str | bytes) -> None:
        for connection in self.connections:
            await connection.send(data)

    async def send(self, frame: Frame) -> None:
        await self.send_raw(encode_server_frame(frame))

    async def expect(self, event: str) -> Frame:
        """The next frame a client sent with ``event`` (others are skipped)."""
        while True:
            frame = await asyncio.wait_for(self.received.get(), 5)
            if frame.event == event:
                return frame

    async def _reply(self, connection: ServerConnection, frame: Frame, response: Any) -> None:
        payload = {"status": "ok", "response": response}
        reply = Frame(frame.join_ref, frame.ref, frame.topic, "phx_reply", payload)
        await connection.send(encode_server_frame(reply))

    def refuse(self, connection: ServerConnection, request: Request) -> Response | None:
        """Answer the upgrade with ``refuse_status`` when it is set."""
        if self.refuse_status is None:
            return None
        return connection.respond(self.refuse_status, '{"error": "Tenant not found"}\n')

    async def drop_all(self) -> None:
        """Close every connection (close code 1012, as a server restart)."""
        for connection in list(self.connections):
            await connection.close(1012, "restart")

    async def handle(self, connection: ServerConnection) -> None:
        self.connections.append(connection)
        self.connected.set()
        try:
            async for data in connection:
                message = decode_client_frame(data)
                frame = message if isinstance(message, Frame) else message.as_frame()
                await self.received.put(frame)
                if frame.event == "phx_join":
                    config = frame.payload.get("config", {})
                    bindings = config.get("postgres_changes", [])
                    echoed = [dict(binding, id=n + 100) for n, binding in enumerate(bindings)]
                    if self.mangle_bindings:
                        echoed = [dict(binding, event="*") for binding in echoed]
                    await self._reply(connection, frame, {"postgres_changes": echoed})
                elif frame.event == "heartbeat":
                    if self.answer_heartbeats:
                        await self._reply(connection, frame, {})
                elif frame.event in ("phx_leave", "presence") or (
                    frame.event == "broadcast" and self.answer_pushes
                ):
                    await self._reply(connection, frame, {})
        finally:
            self.connections.remove(connection)


@asynccontextmanager
async def scripted_server() -> AsyncGenerator[ScriptedServer, None]:
    """Run a :class:`ScriptedServer` on a free port."""
    script = ScriptedServer()
    async with serve(script.handle, "127.0.0.1", 0, process_request=script.refuse) as server:
        [listener] = list(server.sockets)
        script.port = listener.getsockname()[1]
        yield script


_DECIMAL = re.compile(r'"decimal:([-0-9.eE+]+)"')


def changes_frame(topic: str, ids: list[int], data: dict[str, Any]) -> str:
    """A ``postgres_changes`` text frame (vsn 2.0.0); Decimals are written digit for digit."""
    payload = {"ids": ids, "data": data}
    text = json.dumps([None, None, topic, "postgres_changes", payload], default=_decimal)
    return _DECIMAL.sub(r"\1", text)


def _decimal(value: object) -> str:
    if isinstance(value, Decimal):
        return f"decimal:{value}"
    raise TypeError(f"cannot encode {type(value).__name__}")
