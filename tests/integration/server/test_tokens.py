"""``access_token`` refreshes and the scheduled expiry check, over a socket."""

from __future__ import annotations

import re

from realtime_typed.testing import LocalRealtimeServer

from .wire import RawClient, open_client

TOPIC = "realtime:tokens"


async def _closed_with(client: RawClient, join_ref: str, pattern: str) -> None:
    system = await client.expect("system", TOPIC)
    assert (system.join_ref, system.ref) == (join_ref, None)
    message = system.payload.pop("message")
    assert re.fullmatch(pattern, message), message
    assert system.payload == {"extension": "system", "status": "error", "channel": "tokens"}
    closed = await client.expect("phx_close", TOPIC)
    assert (closed.join_ref, closed.ref, closed.payload) == (join_ref, join_ref, {})


async def test_ignored_tokens_get_no_reply(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as client:
        join_ref = await client.joined(TOPIC)
        for token in ("sb_secret_abc", realtime_server.anon_key, None):
            await client.push(TOPIC, "access_token", {"access_token": token}, join_ref)
        await client.nothing_pending()


async def test_a_valid_refresh_gets_no_reply(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as client:
        join_ref = await client.joined(TOPIC)
        fresh = realtime_server.make_token("authenticated", sub="user-1")
        await client.push(TOPIC, "access_token", {"access_token": fresh}, join_ref)
        await client.nothing_pending()


async def test_refused_refreshes_close_only_that_channel(
    realtime_server: LocalRealtimeServer,
) -> None:
    cases = {
        "": "The token provided is not a valid JWT",
        "garbage": "The token provided is not a valid JWT",
        realtime_server.make_token(expires_in=-10): r"Token has expired 1[01] seconds ago",
    }
    async with open_client(realtime_server) as client:
        await client.joined("realtime:other")
        for token, pattern in cases.items():
            join_ref = await client.joined(TOPIC)
            await client.push(TOPIC, "access_token", {"access_token": token}, join_ref)
            await _closed_with(client, join_ref, pattern)
        await client.push("realtime:other", "phx_leave", {})
        await client.expect("phx_reply", "realtime:other")


async def test_a_token_that_expires_closes_the_channel(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as client:
        short = realtime_server.make_token(expires_in=1)
        join_ref = await client.joined(TOPIC, access_token=short)
        await _closed_with(client, join_ref, r"Token has expired \d+ seconds ago")
