"""Binary broadcasts from the blocking client (socket and REST) and the REST fallback of
``send_broadcast`` while a channel is not joined."""

from __future__ import annotations

import httpx
from pydantic import JsonValue

from realtime_typed import BroadcastMessage
from realtime_typed.sync import RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT, Inbox, blocking

BLOB = bytes(range(256))


async def test_bytes_travel_as_bytes(realtime_server: LocalRealtimeServer) -> None:
    url, key = realtime_server.url, realtime_server.anon_key

    def scenario() -> None:
        with RealtimeClient(url, apikey=key) as alice, RealtimeClient(url, apikey=key) as bob:
            got: Inbox[BroadcastMessage[JsonValue]] = Inbox()
            listener = bob.channel("files")
            listener.on_broadcast("blob", got)
            listener.subscribe(timeout=WAIT)
            sender = alice.channel("files", broadcast_ack=True).subscribe(timeout=WAIT)
            sender.send_broadcast("blob", BLOB, timeout=WAIT)
            blob: object = got.get().payload  # untyped listeners are typed JsonValue
            assert blob == BLOB
            assert sender.send_broadcasts("blob", [b"\x01", {"json": True}]) == [None, None]
            batch: list[object] = [got.get().payload, got.get().payload]
            assert batch == [b"\x01", {"json": True}]
            sender.http_send("blob", b"\x00rest", timeout=WAIT)
            posted: object = got.get().payload
            assert posted == b"\x00rest"

    await blocking(scenario)


async def test_rest_fallback_sends_while_not_joined(realtime_server: LocalRealtimeServer) -> None:
    url, key = realtime_server.url, realtime_server.anon_key
    posted: list[str] = []

    async def record(request: httpx.Request) -> None:
        posted.append(request.url.path)

    def scenario(http: httpx.AsyncClient) -> None:
        with (
            RealtimeClient(url, apikey=key, http_client=http) as alice,
            RealtimeClient(url, apikey=key) as bob,
        ):
            got: Inbox[BroadcastMessage[JsonValue]] = Inbox()
            listener = bob.channel("room")
            listener.on_broadcast("*", got)
            listener.subscribe(timeout=WAIT)
            fallback = alice.channel("room", broadcast_rest_fallback=True)
            fallback.send_broadcast("early", {"n": 1}, timeout=WAIT)
            assert got.get().payload == {"n": 1}
            assert posted == ["/api/broadcast/room/events/early"]
            fallback.subscribe(timeout=WAIT)
            fallback.send_broadcast("joined", {"n": 2}, timeout=WAIT)
            assert got.get().payload == {"n": 2}
            assert posted == ["/api/broadcast/room/events/early"]

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as http:
        await blocking(lambda: scenario(http))
