"""Connection controls against the local server: state, heartbeats, disconnect, leave outcomes.

The smaller pieces the reference client has: ``connection_state``, ``send_heartbeat()`` (and
its ``disconnected`` status), ``disconnect(code, reason)``, the endpoint URLs, what
``unsubscribe()`` and ``remove_channel()`` report, the presence listener of every event, and
an httpx client of the caller's own.
"""

from __future__ import annotations

import httpx
import pytest
from pydantic import JsonValue

from realtime_typed import PresenceUpdate, RealtimeClient, SubscribeState
from realtime_typed.client import ConnectionState
from realtime_typed.protocol.events import HeartbeatStatus
from realtime_typed.testing import LocalRealtimeServer

from .helpers import Inbox, States


async def test_connection_state_follows_the_socket(realtime_server: LocalRealtimeServer) -> None:
    client = RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key)
    seen: list[ConnectionState] = [client.connection_state]
    await client.connect()
    seen.append(client.connection_state)
    await client.close()
    seen.append(client.connection_state)
    assert seen == ["closed", "open", "closed"]


async def test_endpoint_urls(realtime_server: LocalRealtimeServer) -> None:
    client = RealtimeClient("http://127.0.0.1:4000/socket", apikey="k", params={"a": "b"})
    assert client.endpoint_url == "ws://127.0.0.1:4000/socket/websocket?apikey=k&a=b&vsn=2.0.0"
    assert client.http_endpoint_url == "http://127.0.0.1:4000/api/broadcast?apikey=k&a=b&vsn=2.0.0"


async def test_send_heartbeat_now_and_while_disconnected(
    realtime_server: LocalRealtimeServer,
) -> None:
    beats: Inbox[tuple[HeartbeatStatus, float | None]] = Inbox()
    client = RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key)
    client.on_heartbeat(lambda status, latency: beats((status, latency)))
    async with client:
        client.send_heartbeat()
        assert (await beats.next())[0] == "sent"
        status, latency = await beats.next()
        assert status == "ok"
        assert latency is not None and latency >= 0
    client.send_heartbeat()
    assert await beats.next() == ("disconnected", None)


async def test_disconnect_with_a_code_keeps_channels_for_the_next_connect(
    realtime_server: LocalRealtimeServer,
) -> None:
    states = States()
    client = RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key)
    async with client:
        channel = await client.channel("room").subscribe(states)
        await client.disconnect(4000, "going away")
        assert await states.until(SubscribeState.CHANNEL_ERROR) is not None
        assert client.connection_state == "closed"
        assert client.channels == [channel]
        await client.connect()
        await states.until(SubscribeState.SUBSCRIBED)
    with pytest.raises(ValueError, match="close code"):
        await client.disconnect(1006)


async def test_unsubscribe_reports_its_outcome(realtime_server: LocalRealtimeServer) -> None:
    """ "timed out" and "error" need a server that stays silent or refuses: see the core tests."""
    client = RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key)
    async with client:
        joined = await client.channel("a").subscribe()
        assert await joined.unsubscribe() == "ok"
        assert await joined.unsubscribe() == "ok"
        assert await client.remove_channel(client.channel("never-joined")) == "ok"
        await client.channel("b").subscribe()
        assert await client.remove_all_channels() == ["ok"]


async def test_presence_listener_of_every_event(realtime_server: LocalRealtimeServer) -> None:
    url, key = realtime_server.url, realtime_server.anon_key
    async with RealtimeClient(url, apikey=key) as alice, RealtimeClient(url, apikey=key) as bob:
        updates: Inbox[PresenceUpdate[dict[str, JsonValue]]] = Inbox()
        watcher = bob.channel("room")
        watcher.on_presence(updates)
        await watcher.subscribe()
        assert (await updates.next()).event == "sync"
        room = await alice.channel("room", presence_key="alice").subscribe()
        await room.track({"status": "online"})
        joined = await updates.next()
        assert (joined.event, joined.key, joined.current) == ("join", "alice", [])
        assert joined.changed[0]["status"] == "online"
        assert (await updates.next()).event == "sync"
        await room.untrack()
        left = await updates.next()
        assert (left.event, left.key, left.current) == ("leave", "alice", [])


async def test_an_injected_http_client_is_used_and_left_open(
    realtime_server: LocalRealtimeServer,
) -> None:
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as http:
        client = RealtimeClient(
            realtime_server.url, apikey=realtime_server.anon_key, http_client=http
        )
        async with client:
            await client.channel("room").http_send("ping", {"n": 1})
        assert [request.url.path for request in sent] == ["/api/broadcast/room/events/ping"]
        assert not http.is_closed
