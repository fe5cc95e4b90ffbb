"""Faults: dropped sockets, missed heartbeats, refusals, lost replies, malformed frames."""

from __future__ import annotations

import json

import pytest
from pydantic import JsonValue

from realtime_typed import (
    BroadcastMessage,
    ConnectionClosed,
    ConnectionRefused,
    ProtocolError,
    PushTimeout,
    RealtimeClient,
    SubscribeState,
)
from realtime_typed.protocol.events import HeartbeatStatus
from realtime_typed.testing import LocalRealtimeServer

from .helpers import Inbox, States
from .scripted import scripted_server


def fast_retry(tries: int) -> float:
    return 0.05


async def test_dropped_socket_reconnects_and_rejoins(
    realtime_server: LocalRealtimeServer,
) -> None:
    states = States()
    client = RealtimeClient(
        realtime_server.url, apikey=realtime_server.anon_key, reconnect_after=fast_retry
    )
    async with client:
        got: Inbox[BroadcastMessage[JsonValue]] = Inbox()
        room = client.channel("room", broadcast_self=True, broadcast_ack=True)
        room.on_broadcast("e", got)
        await room.subscribe(states)
        first_join = room.join_ref
        await realtime_server.disconnect_all()
        error = await states.until(SubscribeState.CHANNEL_ERROR)
        assert isinstance(error, ConnectionClosed)
        assert error.code == 1012
        await states.until(SubscribeState.SUBSCRIBED)
        assert room.join_ref != first_join
        await room.send_broadcast("e", "after")
        assert (await got.next()).payload == "after"


async def test_pushes_while_disconnected_go_out_after_rejoin(
    realtime_server: LocalRealtimeServer,
) -> None:
    states = States()
    client = RealtimeClient(
        realtime_server.url, apikey=realtime_server.anon_key, reconnect_after=fast_retry
    )
    async with client:
        got: Inbox[BroadcastMessage[JsonValue]] = Inbox()
        room = client.channel("room", broadcast_self=True, broadcast_ack=True)
        room.on_broadcast("*", got)
        await room.subscribe(states)
        await realtime_server.disconnect_all()
        await states.until(SubscribeState.CHANNEL_ERROR)
        assert not client.is_connected
        await room.send_broadcast("queued", 1)
        assert states.seen[-1][0] is SubscribeState.SUBSCRIBED
        assert (await got.next()).event == "queued"


async def test_missed_heartbeat_closes_reconnects_and_rejoins() -> None:
    async with scripted_server() as server:
        beats: Inbox[tuple[HeartbeatStatus, float | None]] = Inbox()
        states = States()
        client = RealtimeClient(
            server.url, apikey="key", heartbeat_interval=0.1, reconnect_after=fast_retry
        )
        client.on_heartbeat(lambda status, latency: beats((status, latency)))
        async with client:
            await client.channel("room").subscribe(states)
            first = await server.expect("phx_join")
            assert await beats.next() == ("sent", None)
            status, latency = await beats.next()
            assert status == "ok"
            assert latency is not None
            server.answer_heartbeats = False
            while (await beats.next())[0] != "timeout":
                pass
            error = await states.until(SubscribeState.CHANNEL_ERROR)
            assert str(error) == "heartbeat timeout"
            server.answer_heartbeats = True
            await states.until(SubscribeState.SUBSCRIBED)
            rejoin = await server.expect("phx_join")
            assert rejoin.join_ref != first.join_ref


async def test_refused_reconnects_are_reported_and_retried() -> None:
    async with scripted_server() as server:
        errors: Inbox[Exception] = Inbox()
        states = States()
        client = RealtimeClient(server.url, apikey="key", reconnect_after=fast_retry)
        client.on_error(errors)
        async with client:
            await client.channel("room").subscribe(states)
            server.refuse_status = 404
            await server.drop_all()
            await states.until(SubscribeState.CHANNEL_ERROR)
            refused = await errors.next()
            assert isinstance(refused, ConnectionRefused)
            assert (refused.status, refused.message) == (404, "Tenant not found")
            assert isinstance(await states.until(SubscribeState.CHANNEL_ERROR), ConnectionRefused)
            server.refuse_status = None
            await states.until(SubscribeState.SUBSCRIBED)


async def test_ack_without_reply_raises_push_timeout() -> None:
    async with scripted_server() as server:
        client = RealtimeClient(server.url, apikey="key", timeout=0.2)
        async with client:
            room = await client.channel("room", broadcast_ack=True).subscribe()
            server.answer_pushes = False
            with pytest.raises(PushTimeout):
                await room.send_broadcast("e", {})
            server.answer_pushes = True
            await room.send_broadcast("e", {})


async def test_malformed_frames_and_unknown_events_reported_once() -> None:
    async with scripted_server() as server:
        errors: Inbox[Exception] = Inbox()
        got: Inbox[BroadcastMessage[JsonValue]] = Inbox()
        async with RealtimeClient(server.url, apikey="key") as client:
            client.on_error(errors)
            room = client.channel("room")
            room.on_broadcast("ok", got)
            await room.subscribe()
            for _ in range(2):
                await server.send_raw("not json")
                await server.send_raw('[null,null,"realtime:room","mystery",{}]')
                await server.send_raw('[null,null,"realtime:room","broadcast","oops"]')
            broadcast = {"type": "broadcast", "event": "ok", "payload": 1}
            await server.send_raw(json.dumps([None, None, "realtime:room", "broadcast", broadcast]))
            assert (await got.next()).payload == 1
            assert len(errors.items) == 3
            assert all(isinstance(error, ProtocolError) for error in errors.items)
            assert client.dropped["malformed"] == 2
