"""The real server's limits: concurrent users, slow consumers, the idle timeout."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from realtime_typed.local import ServerOptions
from realtime_typed.protocol.frames import Frame
from realtime_typed.testing import LocalRealtimeServer

from .wire import open_client

TOPIC = "realtime:room"


async def test_concurrent_users_past_the_limit_are_refused() -> None:
    options = ServerOptions(max_concurrent_users=1)
    async with (
        LocalRealtimeServer(options=options) as server,
        open_client(server) as first,
        open_client(server) as second,
    ):
        await first.joined(TOPIC)
        _, reply = await second.join(TOPIC)
        assert reply.payload == {
            "status": "error",
            "response": {"reason": "ConnectionRateLimitReached: Too many connected users"},
        }
        await first.joined("realtime:other")  # already counted: more joins are fine
        with pytest.raises(InvalidStatus) as refused:
            async with open_client(server):
                pass
        response = refused.value.response
        assert response.status_code == 429
        assert json.loads(response.body or b"") == {"error": "Too many connected users"}


async def test_a_socket_that_does_not_read_is_dropped() -> None:
    options = ServerOptions(max_outbound_bytes=2_000_000)
    async with (
        LocalRealtimeServer(options=options) as server,
        open_client(server) as sender,
        open_client(server) as stalled,
    ):
        join_ref = await sender.joined(TOPIC)
        await stalled.joined(TOPIC)
        stalled.connection.transport.pause_reading()
        payload = {"type": "broadcast", "event": "e", "payload": {"x": "y" * 100_000}}
        for _ in range(200):
            await sender.send(Frame(join_ref, None, TOPIC, "broadcast", payload))
            await sender.nothing_pending()
            if server.state.slow_consumers:
                break
        assert server.state.slow_consumers == 1
        await sender.nothing_pending()


async def test_a_socket_that_sends_nothing_is_closed() -> None:
    options = ServerOptions(idle_timeout=0.5)
    async with LocalRealtimeServer(options=options) as server, open_client(server) as idle:
        await idle.joined(TOPIC)
        with pytest.raises(ConnectionClosed) as closed:
            await idle.recv(wait=30)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
