"""Closing and reopening: ``close()`` then ``connect()`` rejoins what was subscribed, and
``remove_all_channels()`` leaves nothing behind, no task and no socket.
"""

from __future__ import annotations

import asyncio

from pydantic import JsonValue

from realtime_typed import BroadcastMessage, RealtimeClient, SubscribeState
from realtime_typed.client.streams import MessageStream
from realtime_typed.testing import LocalRealtimeServer

from .threaded import ServerThread, connected_sockets
from .waiting import WAIT, StateLog, Tally


async def test_close_then_connect_rejoins_the_subscribed_channels(
    realtime_server: LocalRealtimeServer,
) -> None:
    states = StateLog()
    got: Tally[object] = Tally()
    client = RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key)
    try:
        await client.connect()
        room = client.channel("room", broadcast_self=True, broadcast_ack=True)
        room.on_broadcast("n", lambda message: got.add(message.payload))
        await room.subscribe(states.callback(room.topic))
        await client.close()
        await client.connect()
        assert client.channels == [room]
        await states.reached(SubscribeState.SUBSCRIBED, 2, [room.topic])
        await room.send_broadcast("n", "again")
        await got.seen(["again"])
    finally:
        await client.close()


async def test_remove_all_channels_leaves_no_task_and_no_socket() -> None:
    async with ServerThread() as server:
        before = asyncio.all_tasks()
        client = RealtimeClient(server.url, apikey=server.anon_key, heartbeat_interval=0.5)
        await client.connect()
        assert connected_sockets(server.port) == 1
        got: Tally[object] = Tally()

        async def slow(message: BroadcastMessage[JsonValue]) -> None:
            got.add(message.payload)

        streams: list[MessageStream[BroadcastMessage[JsonValue]]] = []
        for index in range(3):
            room = client.channel(f"room-{index}", broadcast_self=True, broadcast_ack=True)
            room.on_broadcast("n", slow)
            room.on_presence_sync(lambda: None)
            streams.append(room.broadcasts("n"))
            await room.subscribe()
            await room.track({"index": index})
            await room.send_broadcast("n", index)
        await got.seen(range(3))
        assert asyncio.all_tasks() - before

        await client.remove_all_channels()
        assert client.channels == []
        assert asyncio.all_tasks() - before == set()
        assert connected_sockets(server.port) == 0
        assert not client.is_connected
        for index, stream in enumerate(streams):
            drained = await asyncio.wait_for(_drain(stream), WAIT)
            assert [message.payload for message in drained] == [index]


async def _drain(
    stream: MessageStream[BroadcastMessage[JsonValue]],
) -> list[BroadcastMessage[JsonValue]]:
    return [message async for message in stream]
