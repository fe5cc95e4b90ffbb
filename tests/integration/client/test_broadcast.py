"""Broadcast between real clients: both serializers, ack, wildcards, typed payloads, streams."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import pytest
from pydantic import BaseModel, JsonValue

from realtime_typed import (
    BroadcastMessage,
    BroadcastSpec,
    Channel,
    RealtimeClient,
)
from realtime_typed.client import InvalidMessage
from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .helpers import Inbox

Untyped = BroadcastMessage[JsonValue]


class Cursor(BaseModel):
    x: float
    y: float


CURSOR = BroadcastSpec("cursor", Cursor)


@asynccontextmanager
async def pair(
    server: LocalRealtimeServer, vsn_a: Vsn = "2.0.0", vsn_b: Vsn = "2.0.0", **options: bool
) -> AsyncGenerator[tuple[RealtimeClient, RealtimeClient], None]:
    async with (
        RealtimeClient(server.url, apikey=server.anon_key, vsn=vsn_a) as alice,
        RealtimeClient(server.url, apikey=server.anon_key, vsn=vsn_b) as bob,
    ):
        yield alice, bob


@pytest.mark.parametrize(
    ("vsn_a", "vsn_b"),
    [("2.0.0", "2.0.0"), ("1.0.0", "1.0.0"), ("2.0.0", "1.0.0"), ("1.0.0", "2.0.0")],
)
async def test_broadcast_both_ways(
    realtime_server: LocalRealtimeServer, vsn_a: Vsn, vsn_b: Vsn
) -> None:
    async with pair(realtime_server, vsn_a, vsn_b) as (alice, bob):
        to_alice: Inbox[Untyped] = Inbox()
        to_bob: Inbox[Untyped] = Inbox()
        room_a = alice.channel("room", broadcast_ack=True)
        room_a.on_broadcast("ping", to_alice)
        room_b = bob.channel("room")
        room_b.on_broadcast("ping", to_bob)
        await room_a.subscribe()
        await room_b.subscribe()
        await room_a.send_broadcast("ping", {"from": "alice", "n": [1, 2.5]})
        assert await to_bob.next() == BroadcastMessage("ping", {"from": "alice", "n": [1, 2.5]})
        await room_b.send_broadcast("ping", "from bob")
        assert (await to_alice.next()).payload == "from bob"
        assert to_alice.items == [BroadcastMessage("ping", "from bob")]


async def test_self_broadcast_wildcard_and_case(realtime_server: LocalRealtimeServer) -> None:
    async with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
        room = client.channel("room", broadcast_self=True, broadcast_ack=True)
        every: Inbox[Untyped] = Inbox()
        upper: Inbox[Untyped] = Inbox()
        room.on_broadcast("*", every)
        room.on_broadcast("CURSOR", upper)
        await room.subscribe()
        await room.send_broadcast("Cursor", {"x": 1})
        await room.send_broadcast("other", None)
        assert (await every.next()).event == "Cursor"
        assert (await every.next()).event == "other"
        assert [msg.event for msg in upper.items] == ["Cursor"]


async def test_typed_broadcast_and_invalid_payload_reported(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with pair(realtime_server) as (alice, bob):
        errors: Inbox[Exception] = Inbox()
        bob.on_error(errors)
        cursors: Inbox[BroadcastMessage[Cursor]] = Inbox()
        room_b = bob.channel("room")
        room_b.on_broadcast(CURSOR, cursors)
        await room_b.subscribe()
        room_a = await alice.channel("room", broadcast_ack=True).subscribe()
        await room_a.send_broadcast("cursor", {"x": "not a number"})
        await room_a.send_broadcast(CURSOR, Cursor(x=1.0, y=2.0))
        assert (await cursors.next()).payload == Cursor(x=1.0, y=2.0)
        error = await errors.next()
        assert isinstance(error, InvalidMessage)
        assert error.data == {"x": "not a number"}


async def test_raising_callback_is_reported_and_delivery_goes_on(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with pair(realtime_server) as (alice, bob):
        errors: Inbox[Exception] = Inbox()
        bob.on_error(errors)
        got: Inbox[Untyped] = Inbox()

        def explode(message: Untyped) -> None:
            raise RuntimeError(f"boom {message.payload}")

        room_b = bob.channel("room")
        room_b.on_broadcast("e", explode)
        room_b.on_broadcast("e", got)
        await room_b.subscribe()
        room_a = await alice.channel("room", broadcast_ack=True).subscribe()
        for n in range(2):
            await room_a.send_broadcast("e", n)
        assert [(await got.next()).payload for _ in range(2)] == [0, 1]
        assert str(await errors.next()) == "boom 0"
        assert str(await errors.next()) == "boom 1"


async def test_slow_async_callback_does_not_block_others(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with pair(realtime_server) as (alice, bob):
        release = asyncio.Event()
        slow_seen: list[JsonValue] = []
        fast: Inbox[Untyped] = Inbox()

        async def slow(message: Untyped) -> None:
            await release.wait()
            slow_seen.append(message.payload)

        room_b = bob.channel("room")
        room_b.on_broadcast("e", slow)
        room_b.on_broadcast("e", fast)
        await room_b.subscribe()
        room_a = await alice.channel("room", broadcast_ack=True).subscribe()
        for n in range(3):
            await room_a.send_broadcast("e", n)
        assert [(await fast.next()).payload for _ in range(3)] == [0, 1, 2]
        assert slow_seen == []
        done: Inbox[Untyped] = Inbox()
        room_b.on_broadcast("done", done)
        release.set()
        await room_a.send_broadcast("done", None)
        await done.next()


async def test_stream_drops_the_oldest_when_full(realtime_server: LocalRealtimeServer) -> None:
    async with pair(realtime_server) as (alice, bob):
        room_b: Channel[dict[str, JsonValue]] = bob.channel("room")
        stream = room_b.broadcasts("tick", maxsize=2)
        typed = room_b.broadcasts(CURSOR)
        all_seen: Inbox[Untyped] = Inbox()
        room_b.on_broadcast("tick", all_seen)
        await room_b.subscribe()
        room_a = await alice.channel("room", broadcast_ack=True).subscribe()
        for n in range(5):
            await room_a.send_broadcast("tick", n)
        await room_a.send_broadcast(CURSOR, Cursor(x=0, y=0))
        for _ in range(5):
            await all_seen.next()
        assert stream.dropped == 3
        assert [(await anext(stream)).payload for _ in range(2)] == [3, 4]
        assert (await asyncio.wait_for(anext(typed), 5)).payload == Cursor(x=0, y=0)
        await room_b.unsubscribe()
        assert [message async for message in stream] == []


async def test_a_forwarded_stream_hands_over_each_message_until_the_channel_closes(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with pair(realtime_server) as (alice, bob):
        room_b: Channel[dict[str, JsonValue]] = bob.channel("room")
        stream = room_b.broadcasts("n")
        seen: Inbox[Untyped] = Inbox()
        room_b.on_broadcast("n", seen)
        await room_b.subscribe()
        room_a = await alice.channel("room", broadcast_ack=True).subscribe()
        await room_a.send_broadcast("n", 0)
        await seen.next()  # queued in the stream
        forwarded: Inbox[Untyped] = Inbox()
        forwarding = asyncio.create_task(stream.forward(forwarded))
        assert (await forwarded.next()).payload == 0  # what was queued goes first
        for n in range(1, 4):
            await room_a.send_broadcast("n", n)
            await seen.next()
            assert forwarded.items[-1].payload == n  # handed over as it was dispatched
        await room_b.unsubscribe()
        await asyncio.wait_for(forwarding, 5)
        assert [message.payload for message in forwarded.items] == [0, 1, 2, 3]
        assert stream.dropped == 0


async def test_send_before_join_is_queued(realtime_server: LocalRealtimeServer) -> None:
    async with pair(realtime_server) as (alice, bob):
        got: Inbox[Untyped] = Inbox()
        room_b = bob.channel("room")
        room_b.on_broadcast("early", got)
        await room_b.subscribe()
        room_a = alice.channel("room")
        await room_a.send_broadcast("early", 1)
        await room_a.subscribe()
        assert (await got.next()).payload == 1
