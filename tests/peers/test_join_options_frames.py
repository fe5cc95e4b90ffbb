"""realtime-js and realtime-typed put the same join options and binary broadcasts on the wire.

Both clients join a recording WebSocket server with ``replication_ready``,
``postgres_changes_options`` (wait, timeout) and one Postgres-changes binding; the ``config``
of their ``phx_join`` frames must be equal. Then each broadcasts the same bytes: both must be
kind-3 frames with payload encoding 0 and the same topic, event, metadata and bytes. (What the
local server does with these is tested in ``tests/integration/client/test_join_options.py`` and
``test_binary_and_fallback.py``.)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from realtime_typed import RealtimeClient
from realtime_typed.protocol.frames import (
    Frame,
    UserBroadcast,
    decode_client_frame,
    encode_server_frame,
)

from .js_peer import JsPeer

pytestmark = pytest.mark.peers

TOPIC = "room:options"
BLOB = bytes(range(256))


class Recorder:
    """Keeps every ``phx_join`` a client sends and answers it ok with the bindings' ids."""

    def __init__(self) -> None:
        self.joins: asyncio.Queue[Frame] = asyncio.Queue()
        self.broadcasts: asyncio.Queue[UserBroadcast] = asyncio.Queue()
        self.port = 0

    async def handle(self, connection: ServerConnection) -> None:
        async for data in connection:
            message = decode_client_frame(data)
            if isinstance(message, UserBroadcast):
                await self.broadcasts.put(message)
                continue
            frame = message
            if frame.event == "phx_join":
                await self.joins.put(frame)
                bindings: list[dict[str, Any]] = frame.payload["config"]["postgres_changes"]
                echoed = [dict(binding, id=n + 1) for n, binding in enumerate(bindings)]
                response = {"postgres_changes": echoed}
            elif frame.event in ("heartbeat", "phx_leave"):
                response = {}
            else:
                continue
            payload = {"status": "ok", "response": response}
            reply = Frame(frame.join_ref, frame.ref, frame.topic, "phx_reply", payload)
            await connection.send(encode_server_frame(reply))


@asynccontextmanager
async def recording_server() -> AsyncGenerator[Recorder]:
    recorder = Recorder()
    async with serve(recorder.handle, "127.0.0.1", 0) as server:
        [listener] = list(server.sockets)
        recorder.port = listener.getsockname()[1]
        yield recorder


async def test_join_options_and_binary_frames_match_realtime_js() -> None:
    async with recording_server() as recorder:
        url = f"ws://127.0.0.1:{recorder.port}/socket"
        async with JsPeer.open(url, "key", "2.0.0") as js:
            await js.request(
                "join",
                topic=TOPIC,
                config={
                    "broadcast": {"ack": False, "self": False, "replication_ready": True},
                    "presence": {"key": "", "enabled": False},
                    "private": False,
                    "postgres_changes_options": {"wait": True, "timeout": 5000},
                },
                postgres=[{"event": "INSERT", "schema": "public", "table": "todos"}],
            )
            js_join = await asyncio.wait_for(recorder.joins.get(), 10)
            status = await js.events.take(lambda event: event["type"] == "status")
            assert status["status"] == "SUBSCRIBED"
            await js.request("send_binary", topic=TOPIC, event="blob", hex=BLOB.hex())
            js_blob = await asyncio.wait_for(recorder.broadcasts.get(), 10)
        async with RealtimeClient(url, apikey="key") as client:
            channel = client.channel(
                TOPIC,
                replication_ready=True,
                postgres_changes_wait=True,
                postgres_changes_timeout=5.0,
            )
            channel.on_postgres_changes("INSERT", lambda change: None, table="todos")
            await channel.subscribe()
            ours = await asyncio.wait_for(recorder.joins.get(), 10)
            await channel.send_broadcast("blob", BLOB)
            our_blob = await asyncio.wait_for(recorder.broadcasts.get(), 10)
    assert ours.topic == js_join.topic == f"realtime:{TOPIC}"
    assert json.dumps(ours.payload["config"], sort_keys=True) == json.dumps(
        js_join.payload["config"], sort_keys=True
    )
    fields = ("topic", "user_event", "metadata", "payload", "binary")
    assert [getattr(our_blob, name) for name in fields] == [
        getattr(js_blob, name) for name in fields
    ]
    assert (our_blob.payload, our_blob.binary) == (BLOB, True)
