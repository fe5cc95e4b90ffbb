"""The inspector's feed and routes over real HTTP: no token ever, the key off loopback, the
broadcast form's checks, and bounds that a stalled inspector cannot push."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx

from realtime_typed import RealtimeClient
from realtime_typed.local.inspector import TrafficRecorder
from realtime_typed.local.inspector.routes import MAX_FEEDS
from realtime_typed.testing import LocalRealtimeServer

from .feed import has_entry, open_feed


async def test_the_feed_never_carries_a_token(realtime_server: LocalRealtimeServer) -> None:
    server = realtime_server
    user_token = server.make_token("authenticated", sub="user-1")
    async with (
        open_feed(server.http_url) as feed,
        RealtimeClient(server.url, apikey=server.anon_key, access_token=user_token) as client,
    ):
        channel = client.channel("room:secrets", presence_key="user-1", broadcast_self=True)
        await channel.subscribe()
        await channel.track({"session": user_token, "access_token": "sb_secret_abc"})
        await channel.send_broadcast(
            "leak", {"apikey": server.service_key, "text": f"Bearer {user_token}"}
        )
        _, batch = await feed.until(has_entry(lambda entry: entry["event"] == "broadcast"))
        snapshot = feed.snapshot
    assert snapshot is not None
    joins = [entry for entry in batch["entries"] if entry["event"] == "phx_join"]
    assert len(joins) == 1
    assert '"access_token": "[redacted]"' in joins[0]["payload"]
    presence = snapshot["topics"][0]["presence"]["user-1"]["metas"][0]
    assert presence["session"] == presence["access_token"] == "[redacted]"
    text = "\n".join(feed.raw)
    for secret in (user_token, server.anon_key, server.service_key, "sb_secret_abc"):
        assert secret not in text


async def test_off_loopback_every_route_but_the_assets_needs_the_service_key() -> None:
    async with LocalRealtimeServer(host="0.0.0.0") as server:
        base = f"http://127.0.0.1:{server.port}"
        broadcast: dict[str, Any] = {"topic": "room", "event": "e", "payload": {}}
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            refused = await http.get("/inspector")
            assert refused.status_code == 401
            assert refused.headers["content-type"].startswith("text/html")
            assert "service key" in refused.text
            for key in (None, server.anon_key, "not-a-token"):
                params = {"apikey": key} if key else {}
                assert (await http.get("/inspector", params=params)).status_code == 401
                assert (await http.get("/inspector/feed", params=params)).status_code == 401
            assert (await http.post("/inspector/broadcast", json=broadcast)).status_code == 401
            assert (await http.get("/inspector/static/inspector.js")).status_code == 200

            service = {"apikey": server.service_key}
            page = await http.get("/inspector", params=service)
            assert page.status_code == 200
            assert "Realtime inspector" in page.text
            posted = await http.post("/inspector/broadcast", json=broadcast, headers=service)
            assert posted.json() == {"delivered": 0}
            bearer = {"Authorization": f"Bearer {server.service_key}"}
            posted = await http.post("/inspector/broadcast", json=broadcast, headers=bearer)
            assert posted.status_code == 200
        async with open_feed(base, params=service) as feed:
            name, snapshot = await feed.next_event()
            assert name == "snapshot"
            assert snapshot["sockets"] == []


async def test_on_loopback_the_page_is_open(realtime_server: LocalRealtimeServer) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        page = await http.get(realtime_server.inspector_url)
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_feeds_are_limited(realtime_server: LocalRealtimeServer) -> None:
    base = realtime_server.http_url
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(MAX_FEEDS):
            feed = await stack.enter_async_context(open_feed(base))
            assert (await feed.next_event())[0] == "snapshot"
        async with httpx.AsyncClient(timeout=30) as http:
            refused = await http.get(f"{base}/inspector/feed")
        assert refused.status_code == 503
        assert refused.json() == {"message": "Too many inspectors"}


async def test_the_broadcast_form_checks_what_it_sends(
    realtime_server: LocalRealtimeServer,
) -> None:
    url = f"{realtime_server.http_url}/inspector/broadcast"
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"topic": "", "event": "e", "payload": {}}, 422, "topic"),
        ({"topic": "t", "event": 3, "payload": {}}, 422, "event"),
        ({"topic": "t", "event": "e", "payload": [1]}, 422, "payload"),
        ({"topic": "t", "event": "e", "payload": {}, "private": "yes"}, 422, "private"),
        ({"topic": "t", "event": "e", "payload": {"x": "y" * 3_200_000}}, 413, "size limit"),
    ]
    async with httpx.AsyncClient(timeout=30) as http:
        for body, status, message in cases:
            response = await http.post(url, json=body)
            assert response.status_code == status, body
            assert message in response.json()["message"]
        # A form of another site cannot send JSON without CORS's permission.
        form = await http.post(url, data={"topic": "t", "event": "e", "payload": "{}"})
        assert form.status_code == 415
        assert (await http.post(url, content=b"{", headers=_JSON)).status_code == 400


_JSON = {"Content-Type": "application/json"}


async def test_a_stalled_inspector_neither_slows_the_server_nor_grows_its_memory(
    realtime_server: LocalRealtimeServer,
) -> None:
    server = realtime_server
    recorder = server.state.observer
    assert isinstance(recorder, TrafficRecorder)
    # A feed whose reader never reads: its writes block once the socket buffers are full.
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /inspector/feed HTTP/1.1\r\nHost: inspector\r\n\r\n")
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    count, text = 1500, "x" * 3000
    received: asyncio.Queue[object] = asyncio.Queue()
    async with RealtimeClient(server.url, apikey=server.anon_key) as client:
        channel = client.channel("flood", broadcast_self=True)
        channel.on_broadcast("n", received.put_nowait)
        await channel.subscribe()
        for number in range(count):
            await channel.send_broadcast("n", {"number": number, "text": text})
        async with asyncio.timeout(60):
            for _ in range(count):
                await received.get()
    records, skipped = recorder.since(0, 10 * count)
    assert len(records) <= 2000
    assert sum(len(record.data) for record in records) <= 4 * 1024 * 1024
    assert skipped == recorder.evicted > 0
    writer.close()
