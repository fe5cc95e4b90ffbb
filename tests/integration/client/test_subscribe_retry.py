"""``subscribe(retry=True)``: the first join retried like a rejoin, every state reported.

The default (raise on the first failure) is covered in ``test_subscribe.py``.
"""

from __future__ import annotations

import asyncio

import pytest

from realtime_typed import ChannelError, JoinError, JoinTimeout, RealtimeClient, SubscribeState
from realtime_typed.local.options import ServerOptions
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT, States


async def test_a_rate_limited_first_join_is_retried_after_the_delay() -> None:
    async with LocalRealtimeServer(options=ServerOptions(max_channels_per_client=1)) as server:
        client = RealtimeClient(server.url, apikey=server.anon_key, rate_limit_delay=0.2)
        async with client:
            first = await client.channel("first").subscribe()
            states = States()
            second = client.channel("second")
            joining = asyncio.ensure_future(second.subscribe(states, retry=True))
            refusal = await states.until(SubscribeState.CHANNEL_ERROR)
            assert isinstance(refusal, JoinError)
            assert refusal.code == "ChannelRateLimitReached"
            assert not joining.done()
            await first.unsubscribe()
            assert await asyncio.wait_for(joining, WAIT) is second
            assert states.seen[-1] == (SubscribeState.SUBSCRIBED, None)


async def test_a_first_join_timing_out_is_retried(realtime_server: LocalRealtimeServer) -> None:
    client = RealtimeClient(
        realtime_server.url,
        apikey=realtime_server.anon_key,
        timeout=0.2,
        rejoin_after=lambda tries: 0.05,
    )
    async with client:
        realtime_server.faults.drop_replies("phx_join")
        states = States()
        joining = asyncio.ensure_future(client.channel("room").subscribe(states, retry=True))
        assert isinstance(await states.until(SubscribeState.TIMED_OUT), JoinTimeout)
        realtime_server.faults.restore_replies()
        await asyncio.wait_for(joining, WAIT)
        assert states.seen[-1] == (SubscribeState.SUBSCRIBED, None)


async def test_unsubscribe_ends_the_retries(realtime_server: LocalRealtimeServer) -> None:
    async with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
        states = States()
        channel = client.channel("realtime:")
        joining = asyncio.ensure_future(channel.subscribe(states, retry=True))
        refusal = await states.until(SubscribeState.CHANNEL_ERROR)
        assert isinstance(refusal, JoinError)
        await channel.unsubscribe()
        with pytest.raises(ChannelError) as ended:
            await asyncio.wait_for(joining, WAIT)
        assert ended.value is refusal
