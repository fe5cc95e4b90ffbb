"""realtime-typed clients on a private channel: broadcasts both ways, and a denied join."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from pydantic import JsonValue

from realtime_typed import BroadcastMessage, Channel, RealtimeClient
from realtime_typed.errors import JoinError
from realtime_typed.testing import LocalRealtimeServer

WAIT = 5.0


async def test_private_channel_between_two_clients(server: LocalRealtimeServer) -> None:
    room = f"rw:{uuid.uuid4().hex[:8]}"
    inboxes: dict[str, asyncio.Queue[BroadcastMessage[JsonValue]]] = {
        "alice": asyncio.Queue(),
        "bob": asyncio.Queue(),
    }
    async with (
        RealtimeClient(
            server.url, apikey=server.anon_key, access_token=server.make_token()
        ) as alice,
        RealtimeClient(server.url, apikey=server.anon_key, access_token=server.make_token()) as bob,
    ):
        channels: dict[str, Channel[Any]] = {}
        for name, client in (("alice", alice), ("bob", bob)):
            channel = client.channel(room, private=True, broadcast_ack=True)
            channel.on_broadcast("hello", inboxes[name].put_nowait)
            await channel.subscribe()
            channels[name] = channel
        await channels["alice"].send_broadcast("hello", {"from": "alice"})
        await channels["bob"].send_broadcast("hello", {"from": "bob"})
        to_bob = await asyncio.wait_for(inboxes["bob"].get(), WAIT)
        to_alice = await asyncio.wait_for(inboxes["alice"].get(), WAIT)
        assert to_bob.payload == {"from": "alice"}
        assert to_alice.payload == {"from": "bob"}


async def test_denied_private_join_raises_join_error(server: LocalRealtimeServer) -> None:
    topic = f"secret:{uuid.uuid4().hex[:8]}"
    async with RealtimeClient(
        server.url, apikey=server.anon_key, access_token=server.make_token()
    ) as client:
        with pytest.raises(JoinError) as refused:
            await client.channel(topic, private=True).subscribe()
    assert refused.value.code == "Unauthorized"
    assert refused.value.reason == (
        f"Unauthorized: You do not have permissions to read from this Channel topic: {topic}"
    )
