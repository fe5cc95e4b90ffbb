"""Access tokens: providers, set_auth, refusals and expiry."""

from __future__ import annotations

import asyncio

from realtime_typed import AuthError, RealtimeClient, SubscribeState
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT, States
from .scripted import scripted_server


async def test_provider_called_on_connect_join_and_heartbeat(
    realtime_server: LocalRealtimeServer,
) -> None:
    calls: list[str] = []
    enough = asyncio.Event()

    async def provider() -> str:
        calls.append("call")
        if len(calls) >= 4:
            enough.set()
        return realtime_server.make_token()

    client = RealtimeClient(
        realtime_server.url,
        apikey=realtime_server.anon_key,
        access_token=provider,
        heartbeat_interval=0.05,
    )
    async with client:
        assert len(calls) == 1
        await client.channel("room").subscribe()
        await asyncio.wait_for(enough.wait(), WAIT)
        assert client.core.access_token is not None


async def test_set_auth_pushes_only_changes_to_joined_channels() -> None:
    async with scripted_server() as server, RealtimeClient(server.url, apikey="k") as client:
        client.channel("idle")
        await client.channel("room").subscribe()
        await client.set_auth("t1")
        await client.set_auth("t1")
        await client.set_auth("t2")
        first = await server.expect("access_token")
        second = await server.expect("access_token")
        assert (first.topic, first.payload) == ("realtime:room", {"access_token": "t1"})
        assert second.payload == {"access_token": "t2"}
        await client.channel("later").subscribe()
        join = await server.expect("phx_join")
        assert join.payload["access_token"] == "t2"


async def test_slow_old_token_never_overwrites_a_newer_one() -> None:
    release = asyncio.Event()
    returned = {"stale": asyncio.Event(), "fresh": asyncio.Event()}
    calls = 0

    async def provider() -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            await release.wait()
            token = "stale"
        else:
            token = "fresh"
        returned[token].set()
        return token

    async with (
        scripted_server() as server,
        RealtimeClient(server.url, apikey="k", access_token=provider) as client,
    ):
        returned["fresh"].clear()
        client.refresh_auth_later()
        client.refresh_auth_later()
        await asyncio.wait_for(returned["fresh"].wait(), WAIT)
        release.set()
        await asyncio.wait_for(returned["stale"].wait(), WAIT)
        assert calls == 3
        assert client.core.access_token == "fresh"
        await client.channel("room").subscribe()
        join = await server.expect("phx_join")
        assert join.payload["access_token"] == "fresh"


async def test_refused_refresh_closes_with_auth_error(
    realtime_server: LocalRealtimeServer,
) -> None:
    states = States()
    async with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
        await client.channel("room").subscribe(states)
        await client.set_auth("garbage")
        error = await states.until(SubscribeState.CLOSED)
        assert isinstance(error, AuthError)
        assert "garbage" not in str(error)
        assert client.channels == []


async def test_expired_token_closes_with_auth_error(
    realtime_server: LocalRealtimeServer,
) -> None:
    states = States()
    token = realtime_server.make_token(expires_in=1)
    client = RealtimeClient(
        realtime_server.url, apikey=realtime_server.anon_key, access_token=token
    )
    async with client:
        await client.channel("room").subscribe(states)
        error = await states.until(SubscribeState.CLOSED)
        assert isinstance(error, AuthError)
        assert "expired" in str(error)
