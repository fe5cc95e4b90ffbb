"""Joining and leaving channels against the local server."""

from __future__ import annotations

import pytest

from realtime_typed import (
    ChannelError,
    JoinError,
    JoinTimeout,
    RealtimeClient,
    SubscribeState,
)
from realtime_typed.local.options import ServerOptions
from realtime_typed.testing import LocalRealtimeServer

from .helpers import States


async def test_subscribe_reports_subscribed(realtime_server: LocalRealtimeServer) -> None:
    states = States()
    async with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
        channel = client.channel("room")
        assert channel.topic == "realtime:room"
        assert client.channel("realtime:room") is channel
        await channel.subscribe(states)
        assert states.seen == [(SubscribeState.SUBSCRIBED, None)]
        assert client.channels == [channel]


async def test_unsubscribe_closes_and_forgets(realtime_server: LocalRealtimeServer) -> None:
    states = States()
    async with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
        channel = await client.channel("room").subscribe(states)
        await channel.unsubscribe()
        assert states.seen[-1] == (SubscribeState.CLOSED, None)
        assert client.channels == []
        with pytest.raises(ChannelError, match="closed"):
            await channel.subscribe()
        assert client.channel("room") is not channel


async def test_refused_join_raises_with_the_server_code(
    realtime_server: LocalRealtimeServer,
) -> None:
    states = States()
    async with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
        channel = client.channel("realtime:")
        with pytest.raises(JoinError) as refused:
            await channel.subscribe(states)
        assert refused.value.code == "TopicNameRequired"
        assert [state for state, _ in states.seen] == [
            SubscribeState.CHANNEL_ERROR,
            SubscribeState.CLOSED,
        ]
        assert client.channels == []


async def test_join_with_a_bad_token_is_refused(realtime_server: LocalRealtimeServer) -> None:
    client = RealtimeClient(
        realtime_server.url, apikey=realtime_server.anon_key, access_token="not-a-jwt"
    )
    async with client:
        with pytest.raises(JoinError) as refused:
            await client.channel("room").subscribe()
        assert refused.value.code == "MalformedJWT"
        assert "not-a-jwt" not in str(refused.value)


async def test_too_many_channels_is_refused() -> None:
    async with (
        LocalRealtimeServer(options=ServerOptions(max_channels_per_client=1)) as server,
        RealtimeClient(server.url, apikey=server.anon_key) as client,
    ):
        await client.channel("one").subscribe()
        with pytest.raises(JoinError) as refused:
            await client.channel("two").subscribe()
        assert refused.value.code == "ChannelRateLimitReached"


async def test_join_without_reply_times_out() -> None:
    options = ServerOptions(join_error_delay=30.0)
    async with (
        LocalRealtimeServer(options=options) as server,
        RealtimeClient(server.url, apikey=server.anon_key, access_token="bad") as client,
    ):
        states = States()
        with pytest.raises(JoinTimeout):
            await client.channel("room").subscribe(states, timeout=0.2)
        assert [state for state, _ in states.seen] == [
            SubscribeState.TIMED_OUT,
            SubscribeState.CLOSED,
        ]
