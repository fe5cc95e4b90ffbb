"""Binary broadcasts (socket kind 3 and REST octet-stream) and the REST fallback of send."""

from __future__ import annotations

import httpx
import pytest
from pydantic import JsonValue

from realtime_typed import BroadcastMessage, RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

from .helpers import Inbox

BLOB = bytes(range(256))


async def test_bytes_travel_as_bytes_over_the_socket_and_over_rest(
    realtime_server: LocalRealtimeServer,
) -> None:
    url, key = realtime_server.url, realtime_server.anon_key
    async with RealtimeClient(url, apikey=key) as alice, RealtimeClient(url, apikey=key) as bob:
        received: Inbox[BroadcastMessage[JsonValue]] = Inbox()
        listener = bob.channel("files")
        listener.on_broadcast("blob", received)
        await listener.subscribe()
        sender = await alice.channel("files", broadcast_ack=True).subscribe()
        await sender.send_broadcast("blob", BLOB)
        # Untyped listeners are typed JsonValue (api.md); a binary broadcast brings bytes.
        blob: object = (await received.next()).payload
        assert blob == BLOB
        await sender.http_send("blob", b"\x00rest")
        posted: object = (await received.next()).payload
        assert posted == b"\x00rest"
        await sender.send_broadcast("blob", {"json": True})
        assert (await received.next()).payload == {"json": True}


async def test_bytes_on_the_json_serializer_are_refused(
    realtime_server: LocalRealtimeServer,
) -> None:
    url, key = realtime_server.url, realtime_server.anon_key
    async with RealtimeClient(url, apikey=key, vsn="1.0.0") as client:
        channel = await client.channel("files").subscribe()
        with pytest.raises(ValueError, match=r"2\.0\.0"):
            await channel.send_broadcast("blob", BLOB)


async def test_rest_fallback_sends_while_not_joined(realtime_server: LocalRealtimeServer) -> None:
    url, key = realtime_server.url, realtime_server.anon_key
    posted: list[str] = []

    async def record(request: httpx.Request) -> None:
        posted.append(request.url.path)

    async with (
        httpx.AsyncClient(event_hooks={"request": [record]}) as http,
        RealtimeClient(url, apikey=key, http_client=http) as alice,
        RealtimeClient(url, apikey=key) as bob,
    ):
        received: Inbox[BroadcastMessage[JsonValue]] = Inbox()
        listener = bob.channel("room")
        listener.on_broadcast("*", received)
        await listener.subscribe()
        fallback = alice.channel("room", broadcast_rest_fallback=True)
        await fallback.send_broadcast("early", {"n": 1})
        assert (await received.next()).payload == {"n": 1}
        assert posted == ["/api/broadcast/room/events/early"]
        await fallback.subscribe()
        await fallback.send_broadcast("joined", {"n": 2})
        assert (await received.next()).payload == {"n": 2}
        assert posted == ["/api/broadcast/room/events/early"]
