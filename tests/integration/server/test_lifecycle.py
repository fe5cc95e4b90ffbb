"""Leaving, closing sockets, and server-initiated disconnects (close code 1012)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .wire import RawClient, config, open_client

VSNS: list[Vsn] = ["1.0.0", "2.0.0"]
DISCONNECT = {"extension": "system", "status": "ok", "message": "Server requested disconnect"}


async def _expect_disconnect(client: RawClient, topics: set[str]) -> None:
    seen: set[str] = set()
    for _ in topics:
        frame = await client.expect("system")
        assert (frame.join_ref, frame.ref, frame.payload) == (None, None, DISCONNECT)
        seen.add(frame.topic)
    assert seen == topics
    with pytest.raises(ConnectionClosed) as closed:
        await client.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1012


@pytest.mark.parametrize("vsn", VSNS)
async def test_disconnect_all_tells_every_channel_then_closes_1012(
    realtime_server: LocalRealtimeServer, vsn: Vsn
) -> None:
    async with open_client(realtime_server, vsn=vsn) as client:
        await client.joined("realtime:one")
        await client.joined("realtime:two")
        await realtime_server.disconnect_all()
        await _expect_disconnect(client, {"realtime:one", "realtime:two"})


async def test_stopping_the_server_disconnects_with_1012() -> None:
    server = LocalRealtimeServer()
    await server.start()
    async with open_client(server) as client:
        await client.joined("realtime:bye")
        stopping = asyncio.create_task(server.stop())
        await _expect_disconnect(client, {"realtime:bye"})
        await stopping


async def test_leave_then_messages_are_unmatched(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as alice, open_client(realtime_server) as bob:
        join_ref = await alice.joined("realtime:room")
        bob_ref = await bob.joined("realtime:room")
        await alice.push("realtime:room", "phx_leave", {}, join_ref)
        await alice.expect("phx_reply", "realtime:room")
        await alice.expect("phx_close", "realtime:room")
        message: dict[str, Any] = {"type": "broadcast", "event": "e", "payload": {}}
        await bob.push("realtime:room", "broadcast", message, bob_ref)
        await alice.nothing_pending()
        ref = await alice.push("realtime:room", "broadcast", message, join_ref)
        reply = await alice.expect("phx_reply", "realtime:room")
        assert reply.ref == ref
        assert reply.payload == {"status": "error", "response": {"reason": "unmatched topic"}}


async def test_closing_a_socket_removes_its_channels_and_presences(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as watcher:
        await watcher.joined("realtime:gone", config(presence=True))
        await watcher.expect("presence_state", "realtime:gone")
        async with open_client(realtime_server) as leaver:
            join_ref = await leaver.joined("realtime:gone", config(presence=True, key="leaver"))
            await leaver.expect("presence_state")
            await leaver.push(
                "realtime:gone", "presence", {"event": "track", "payload": {"n": 1}}, join_ref
            )
            joined = await watcher.expect("presence_diff", "realtime:gone")
            assert list(joined.payload["joins"]) == ["leaver"]
        left = await watcher.expect("presence_diff", "realtime:gone")
        assert left.payload["joins"] == {}
        assert list(left.payload["leaves"]) == ["leaver"]
        assert left.payload["leaves"]["leaver"]["metas"][0]["n"] == 1
    assert realtime_server.state.registry.members_count() == 0
