"""Pushes made while the socket is down: each is delivered after the reconnect or fails with
PushTimeout, none vanishes, and the channel's buffer keeps at most 100 of them.

The server refuses sockets (HTTP 503) and cuts the open one, so the client stays offline until
the test lets it back in. The channel broadcasts to itself with acks, so what it receives after
the reconnect is exactly what the server relayed.
"""

from __future__ import annotations

import asyncio

from pydantic import JsonValue

from realtime_typed import BroadcastMessage, PushTimeout, RealtimeClient, SubscribeState
from realtime_typed.protocol.phoenix import MAX_PUSH_BUFFER
from realtime_typed.testing import LocalRealtimeServer

from .waiting import WAIT, StateLog, Tally


def retry_at_once(tries: int) -> float:
    return 0.05


class Offline:
    """A client whose channel broadcasts to itself, then is cut off by the server."""

    def __init__(self, client: RealtimeClient) -> None:
        self.client = client
        self.states = StateLog()
        self.got: Tally[int] = Tally()
        self.errors: Tally[str] = Tally()
        client.on_error(lambda error: self.errors.add(type(error).__name__))

    async def refused_once(self) -> None:
        """Wait until a reconnect attempt has been refused."""
        await self.errors.seen(["ConnectionRefused"])


async def _offline_room(server: LocalRealtimeServer, timeout: float) -> Offline:
    client = RealtimeClient(
        server.url, apikey=server.anon_key, timeout=timeout, reconnect_after=retry_at_once
    )
    offline = Offline(client)
    states, got = offline.states, offline.got
    await client.connect()
    room = client.channel("room", broadcast_self=True, broadcast_ack=True)

    def on_message(message: BroadcastMessage[JsonValue]) -> None:
        assert isinstance(message.payload, int)
        got.add(message.payload)

    room.on_broadcast("n", on_message)
    await room.subscribe(states.callback(room.topic))
    server.faults.refuse(status=503)
    await server.faults.drop_all()
    await states.reached(SubscribeState.CHANNEL_ERROR, 1, [room.topic])
    assert not client.is_connected
    return offline


async def test_offline_pushes_beyond_the_buffer_fail_and_the_rest_arrive_once(
    realtime_server: LocalRealtimeServer,
) -> None:
    server = realtime_server
    offline = await _offline_room(server, timeout=WAIT)
    client, states, got = offline.client, offline.states, offline.got
    try:
        room = client.channels[0]
        extra = 20
        pushes = [
            asyncio.create_task(room.send_broadcast("n", n)) for n in range(MAX_PUSH_BUFFER + extra)
        ]
        dropped, _ = await asyncio.wait(pushes[:extra], timeout=WAIT)
        assert len(dropped) == extra
        for push in dropped:
            assert isinstance(push.exception(), PushTimeout)
        await offline.refused_once()
        assert not any(push.done() for push in pushes[extra:])

        server.faults.accept()
        await states.reached(SubscribeState.SUBSCRIBED, 2, [room.topic])
        await asyncio.wait_for(asyncio.gather(*pushes[extra:]), WAIT)
        await got.seen(range(extra, MAX_PUSH_BUFFER + extra))
        assert sorted(got.counts) == list(range(extra, MAX_PUSH_BUFFER + extra))
        assert got.duplicates() == {}
        assert server.faults.rules.refused_connections >= 1
    finally:
        await client.close()


async def test_offline_pushes_time_out_and_are_never_sent_late(
    realtime_server: LocalRealtimeServer,
) -> None:
    server = realtime_server
    offline = await _offline_room(server, timeout=0.3)
    client, states, got = offline.client, offline.states, offline.got
    try:
        room = client.channels[0]
        results = await asyncio.gather(
            *(room.send_broadcast("n", n) for n in range(3)), return_exceptions=True
        )
        assert all(isinstance(result, PushTimeout) for result in results)

        await offline.refused_once()
        server.faults.accept()
        await states.reached(SubscribeState.SUBSCRIBED, 2, [room.topic])
        await room.send_broadcast("n", 99)
        await got.seen([99])
        assert list(got.counts) == [99]
    finally:
        await client.close()
