"""A RealtimeClient reaching the local server through the FaultProxy, under network faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from pydantic import JsonValue

from realtime_typed import (
    BroadcastMessage,
    Channel,
    ConnectionClosed,
    RealtimeClient,
    RealtimeError,
    SubscribeState,
)
from realtime_typed.protocol.events import HeartbeatStatus
from realtime_typed.testing import LocalRealtimeServer
from realtime_typed.testing.fault_proxy import FaultProxy

from .echo import WAIT

HEARTBEAT_INTERVAL = 0.2


def retry_soon(tries: int) -> float:
    return 0.05


class Room:
    """A subscribed channel that broadcasts to itself, with what it saw, to await on."""

    def __init__(self, channel: Channel[Any]) -> None:
        self.channel = channel
        self.payloads: list[JsonValue] = []
        self._messages: asyncio.Queue[JsonValue] = asyncio.Queue()
        self._states: asyncio.Queue[tuple[SubscribeState, Exception | None]] = asyncio.Queue()
        channel.on_broadcast("m", self._on_message)

    def _on_message(self, message: BroadcastMessage[JsonValue]) -> None:
        self.payloads.append(message.payload)
        self._messages.put_nowait(message.payload)

    def _on_state(self, state: SubscribeState, error: Exception | None) -> None:
        self._states.put_nowait((state, error))

    async def subscribe(self) -> None:
        await self.channel.subscribe(self._on_state)

    async def until(self, wanted: SubscribeState) -> Exception | None:
        """Wait for the next change to ``wanted``; returns its error."""
        while True:
            state, error = await asyncio.wait_for(self._states.get(), WAIT)
            if state is wanted:
                return error

    async def next_message(self) -> JsonValue:
        return await asyncio.wait_for(self._messages.get(), WAIT)


@asynccontextmanager
async def subscribed_room(client: RealtimeClient) -> AsyncGenerator[Room]:
    """Connect ``client`` and subscribe it to a room that echoes its own broadcasts."""
    async with client:
        room = Room(client.channel("room", broadcast_self=True))
        await room.subscribe()
        yield room


def client_for(
    proxy: FaultProxy,
    server: LocalRealtimeServer,
    *,
    heartbeat_interval: float = 25.0,
    timeout: float = 10.0,
) -> RealtimeClient:
    return RealtimeClient(
        proxy.url_for(server.url),
        apikey=server.anon_key,
        heartbeat_interval=heartbeat_interval,
        timeout=timeout,
        reconnect_after=retry_soon,
    )


async def test_blackhole_is_detected_within_two_heartbeats_then_reconnected(
    realtime_server: LocalRealtimeServer,
) -> None:
    beats: asyncio.Queue[HeartbeatStatus] = asyncio.Queue()
    async with FaultProxy.for_url(realtime_server.url) as proxy:
        client = client_for(
            proxy, realtime_server, heartbeat_interval=HEARTBEAT_INTERVAL, timeout=0.5
        )
        client.on_heartbeat(lambda status, latency: beats.put_nowait(status))
        async with subscribed_room(client) as room:
            while await asyncio.wait_for(beats.get(), WAIT) != "ok":
                pass
            proxy.blackhole()
            sent_before_timeout = 0
            while (status := await asyncio.wait_for(beats.get(), WAIT)) != "timeout":
                sent_before_timeout += status == "sent"
            assert sent_before_timeout <= 1
            error = await room.until(SubscribeState.CHANNEL_ERROR)
            assert str(error) == "heartbeat timeout"
            proxy.resume()
            await room.until(SubscribeState.SUBSCRIBED)
            await room.channel.send_broadcast("m", "after")
            assert await room.next_message() == "after"
            assert proxy.stats.accepted >= 2


async def test_a_frame_cut_in_half_closes_the_socket_and_the_client_rejoins(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with (
        FaultProxy.for_url(realtime_server.url) as proxy,
        subscribed_room(client_for(proxy, realtime_server)) as room,
    ):
        proxy.cut_mid_frame()
        await room.channel.send_broadcast("m", "x" * 2000)
        error = await room.until(SubscribeState.CHANNEL_ERROR)
        assert isinstance(error, ConnectionClosed)
        await room.until(SubscribeState.SUBSCRIBED)
        assert proxy.stats.cut == 1
        await room.channel.send_broadcast("m", "after")
        assert await room.next_message() == "after"
        assert room.payloads == ["after"]


async def test_reset_and_refused_sockets_are_reported_and_retried(
    realtime_server: LocalRealtimeServer,
) -> None:
    errors: list[Exception] = []
    async with FaultProxy.for_url(realtime_server.url) as proxy:
        client = client_for(proxy, realtime_server)
        client.on_error(errors.append)
        async with subscribed_room(client) as room:
            proxy.refuse(True)
            await proxy.drop_all()
            error = await room.until(SubscribeState.CHANNEL_ERROR)
            assert isinstance(error, ConnectionClosed)
            await proxy.wait_until(lambda stats: stats.refused >= 2)
            proxy.refuse(False)
            await room.until(SubscribeState.SUBSCRIBED)
            await room.channel.send_broadcast("m", "after")
            assert await room.next_message() == "after"
    assert errors
    assert all(isinstance(error, RealtimeError) for error in errors)


async def test_slow_and_narrow_links_deliver_everything_in_order(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with FaultProxy.for_url(realtime_server.url) as proxy:
        proxy.set_latency(0.05)
        proxy.set_bandwidth(64_000)
        async with subscribed_room(client_for(proxy, realtime_server)) as room:
            sent = [f"{index}:" + "y" * 2000 for index in range(10)]
            for payload in sent:
                await room.channel.send_broadcast("m", payload)
            for _ in sent:
                await room.next_message()
            assert room.payloads == sent
