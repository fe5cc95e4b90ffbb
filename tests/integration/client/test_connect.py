"""Connecting: URLs, refusals with their HTTP status, and nothing left running."""

from __future__ import annotations

import asyncio

import pytest

from realtime_typed import ConnectionError, ConnectionRefused, RealtimeClient
from realtime_typed.protocol.channel_state import ChannelState
from realtime_typed.testing import LocalRealtimeServer


async def test_bad_key_is_refused_with_status(realtime_server: LocalRealtimeServer) -> None:
    client = RealtimeClient(realtime_server.url, apikey="not-a-jwt")
    before = len(asyncio.all_tasks())
    with pytest.raises(ConnectionRefused) as refused:
        await client.connect()
    assert refused.value.status == 401
    assert refused.value.message
    assert "not-a-jwt" not in str(refused.value)
    assert len(asyncio.all_tasks()) == before
    assert not client.is_connected


async def test_nothing_listening_is_a_connection_error() -> None:
    async with LocalRealtimeServer() as server:
        url = server.url
    client = RealtimeClient(url, apikey="key")
    with pytest.raises(ConnectionError):
        await client.connect()


async def test_connect_and_close_leave_no_task(realtime_server: LocalRealtimeServer) -> None:
    before = len(asyncio.all_tasks())
    async with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
        await client.channel("room").subscribe()
        assert client.is_connected
    assert len(asyncio.all_tasks()) == before
    assert [channel.state for channel in client.channels] == [ChannelState.ERRORED]


async def test_remove_all_channels_closes_everything(realtime_server: LocalRealtimeServer) -> None:
    before = len(asyncio.all_tasks())
    client = RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key)
    for name in ("a", "b"):
        await client.channel(name).subscribe()
    await client.remove_all_channels()
    assert client.channels == []
    assert not client.is_connected
    assert len(asyncio.all_tasks()) == before


async def test_realtime_v1_path_is_accepted(realtime_server: LocalRealtimeServer) -> None:
    url = realtime_server.http_url + "/realtime/v1"
    async with RealtimeClient(url, apikey=realtime_server.anon_key) as client:
        assert client.is_connected


def test_apikey_is_required() -> None:
    with pytest.raises(ValueError, match="API key is required"):
        RealtimeClient("ws://localhost/socket", apikey="")
