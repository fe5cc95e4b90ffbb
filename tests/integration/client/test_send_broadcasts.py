"""``Channel.send_broadcasts`` against the local server: order, one outcome per message (ok,
refused, timed out, cut off by close), typed payloads, channels without ack."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from pydantic import BaseModel, JsonValue

from realtime_typed import (
    BroadcastMessage,
    BroadcastSpec,
    ChannelError,
    PushError,
    PushTimeout,
    RealtimeClient,
)
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT, Inbox

Untyped = BroadcastMessage[JsonValue]


class Cursor(BaseModel):
    x: float
    y: float


CURSOR = BroadcastSpec("cursor", Cursor)


class Collected:
    """Counts broadcasts until ``expected`` arrived."""

    def __init__(self, expected: int) -> None:
        self.items: list[Untyped] = []
        self.expected = expected
        self.complete = asyncio.Event()

    def __call__(self, message: Untyped) -> None:
        self.items.append(message)
        if len(self.items) >= self.expected:
            self.complete.set()

    async def wait(self) -> None:
        await asyncio.wait_for(self.complete.wait(), WAIT)


def _client(server: LocalRealtimeServer, timeout: float = 5.0) -> RealtimeClient:
    return RealtimeClient(server.url, apikey=server.anon_key, timeout=timeout)


@pytest.mark.parametrize("vsn", ["2.0.0", "1.0.0"])
async def test_every_message_is_acknowledged_and_arrives_in_order(
    realtime_server: LocalRealtimeServer, vsn: str
) -> None:
    count = 500
    received = Collected(count)
    async with (
        RealtimeClient(
            realtime_server.url,
            apikey=realtime_server.anon_key,
            vsn="1.0.0" if vsn == "1.0.0" else "2.0.0",
        ) as sender,
        _client(realtime_server) as listener,
    ):
        room = sender.channel("room", broadcast_ack=True)
        other = listener.channel("room")
        other.on_broadcast("n", received)
        await other.subscribe()
        await room.subscribe()
        outcomes = await room.send_broadcasts("n", [{"n": n} for n in range(count)])
        assert outcomes == [None] * count
        await received.wait()
    assert [message.payload for message in received.items] == [{"n": n} for n in range(count)]


async def test_each_refused_message_gets_its_own_error(
    realtime_server: LocalRealtimeServer,
) -> None:
    options = dataclasses.replace(realtime_server.options, max_payload_bytes=64)
    async with (
        LocalRealtimeServer(options=options) as server,
        _client(server) as sender,
        _client(server) as listener,
    ):
        received: Inbox[Untyped] = Inbox()
        listener_room = listener.channel("room")
        listener_room.on_broadcast("e", received)
        await listener_room.subscribe()
        room = await sender.channel("room", broadcast_ack=True).subscribe()
        payloads: list[JsonValue] = [
            {"n": 0},
            {"n": 1, "pad": "x" * 200},
            {"n": 2},
            {"n": 3, "pad": "y" * 200},
        ]
        outcomes = await room.send_broadcasts("e", payloads)
        assert outcomes[0] is None and outcomes[2] is None
        for index in (1, 3):
            error = outcomes[index]
            assert isinstance(error, PushError)
            assert error.event == "broadcast"
        assert (await received.next()).payload == {"n": 0}
        assert (await received.next()).payload == {"n": 2}
        # nothing else came: the next acknowledged broadcast is the next one delivered
        assert await room.send_broadcasts("e", [{"n": 4}]) == [None]
        assert (await received.next()).payload == {"n": 4}


async def test_lost_replies_time_out_one_by_one_and_later_batches_succeed(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with _client(realtime_server, timeout=0.3) as client:
        room = await client.channel("room", broadcast_ack=True).subscribe()
        realtime_server.faults.drop_replies("broadcast")
        outcomes = await room.send_broadcasts("e", [1, 2, 3])
        assert all(isinstance(outcome, PushTimeout) for outcome in outcomes)
        assert realtime_server.faults.rules.dropped_replies == 3
        realtime_server.faults.restore_replies("broadcast")
        assert await room.send_broadcasts("e", [4, 5]) == [None, None]


async def test_closing_the_client_ends_a_waiting_batch(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with _client(realtime_server) as client:
        room = client.channel("room", broadcast_self=True, broadcast_ack=True)
        echoes: Inbox[Untyped] = Inbox()
        room.on_broadcast("e", echoes)
        await room.subscribe()
        realtime_server.faults.delay_replies("broadcast", 30.0)
        batch = asyncio.ensure_future(room.send_broadcasts("e", [1, 2]))
        # the server relays both before it (late) acknowledges them
        assert [(await echoes.next()).payload for _ in range(2)] == [1, 2]
        await client.close()
        outcomes = await asyncio.wait_for(batch, WAIT)
    assert all(isinstance(outcome, ChannelError) for outcome in outcomes)


async def test_typed_payloads_are_encoded_and_validated_on_arrival(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with _client(realtime_server) as client:
        room = client.channel("room", broadcast_self=True, broadcast_ack=True)
        cursors: Inbox[BroadcastMessage[Cursor]] = Inbox()
        room.on_broadcast(CURSOR, cursors)
        await room.subscribe()
        moves = [Cursor(x=1.0, y=2.0), Cursor(x=3.5, y=-1.0)]
        assert await room.send_broadcasts(CURSOR, moves) == [None, None]
        assert [(await cursors.next()).payload for _ in moves] == moves
        assert await room.send_broadcasts(CURSOR, []) == []


async def test_without_ack_every_message_is_written(
    realtime_server: LocalRealtimeServer,
) -> None:
    received = Collected(50)
    async with _client(realtime_server) as sender, _client(realtime_server) as listener:
        other = listener.channel("room")
        other.on_broadcast("n", received)
        await other.subscribe()
        room = await sender.channel("room").subscribe()
        assert await room.send_broadcasts("n", list(range(50))) == [None] * 50
        await received.wait()
    assert [message.payload for message in received.items] == list(range(50))


async def test_a_closed_channel_raises_before_sending(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with _client(realtime_server) as client:
        room = await client.channel("room", broadcast_ack=True).subscribe()
        await room.unsubscribe()
        with pytest.raises(ChannelError, match="closed"):
            await room.send_broadcasts("e", [1])
