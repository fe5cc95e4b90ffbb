"""A server that stops reading its socket: the client's liveness never waits on a write.

The hostile server answers the joins, then never reads again, so the TCP window and then the
client's send buffer fill while the application sends large broadcasts without ack. Every
operation still ends: the broadcast that finds the buffer full raises ``PushTimeout`` after the
push timeout, joins and acked pushes time out, ``remove_all_channels()`` and ``close()`` return,
and a link stalled past the heartbeat timeout is given up and the client reconnects. The
blocking client's broadcasts, which do not wait for its event loop while the socket takes
writes, wait and time out the same way once it does not.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest

from realtime_typed import RealtimeClient, SubscribeState
from realtime_typed.client.channel import Channel
from realtime_typed.errors import ChannelError, ConnectionError, JoinTimeout, PushTimeout
from realtime_typed.sync import RealtimeClient as BlockingClient

from .helpers import Inbox, States
from .hostile import Conduct, hostile_server

BLOB = os.urandom(128 * 1024).hex()
"""256 kB of incompressible text: a large broadcast."""
MAX_SENDS = 2_000
"""Broadcasts sent before the test gives up waiting for the buffer to fill (500 MB)."""


async def fill_send_buffer(channel: Channel[Any]) -> Exception:
    """Send large broadcasts without ack until one fails; returns its error."""
    for _ in range(MAX_SENDS):
        try:
            await channel.send_broadcast("big", {"blob": BLOB})
        except Exception as exc:
            return exc
    raise AssertionError(f"{MAX_SENDS} large broadcasts written and the buffer never filled")


async def test_every_operation_ends_while_the_send_buffer_is_full() -> None:
    async with hostile_server() as server:
        server.next_connections(Conduct(stop_reading_after_joins=2))
        client = RealtimeClient(server.url, apikey="anon", heartbeat_interval=60.0, timeout=0.5)
        async with client:
            plain = await client.channel("plain").subscribe()
            acked = await client.channel("acked", broadcast_ack=True).subscribe()
            await server.stopped_reading.wait()

            error = await fill_send_buffer(plain)
            assert isinstance(error, PushTimeout)
            assert "not written within 0.5 s" in str(error)
            assert client.is_connected

            with pytest.raises(PushTimeout, match="no reply"):
                await acked.send_broadcast("small", {"n": 1})
            with pytest.raises(PushTimeout, match="not written"):
                await plain.send_broadcast("big", {"blob": BLOB})
            with pytest.raises(JoinTimeout):
                await client.channel("late").subscribe(timeout=0.5)

            await client.remove_all_channels()
            assert client.channels == []
            assert not client.is_connected


async def test_close_returns_while_the_send_buffer_is_full_and_connect_rejoins() -> None:
    async with hostile_server() as server:
        server.next_connections(Conduct(stop_reading_after_joins=1))
        client = RealtimeClient(server.url, apikey="anon", heartbeat_interval=60.0, timeout=0.5)
        await client.connect()
        channel = await client.channel("room", broadcast_self=True).subscribe()
        await server.stopped_reading.wait()
        assert isinstance(await fill_send_buffer(channel), PushTimeout)
        await client.close()
        assert not client.is_connected

        echoes: Inbox[object] = Inbox()
        channel.on_broadcast("ping", echoes)
        states = States()
        await channel.subscribe(states)
        await client.connect()  # the next connection behaves: the channel rejoins
        await states.until(SubscribeState.SUBSCRIBED)
        await channel.send_broadcast("ping", {"n": 1})
        await echoes.next()
        await client.close()


async def test_a_stalled_link_is_given_up_and_the_client_reconnects() -> None:
    async with hostile_server() as server:
        server.next_connections(Conduct(stop_reading_after_joins=1))
        client = RealtimeClient(server.url, apikey="anon", heartbeat_interval=1.0, timeout=30.0)
        heartbeats: Inbox[str] = Inbox()
        client.on_heartbeat(lambda status, _latency: heartbeats(status))
        async with client:
            states = States()
            channel = await client.channel("room", broadcast_self=True).subscribe(states)
            await server.stopped_reading.wait()

            # the socket is given up (write stalled, or the heartbeat behind the full buffer
            # timed out) long before the 30 s push timeout: the waiting broadcast fails with it
            error = await fill_send_buffer(channel)
            assert isinstance(error, ConnectionError)
            assert "lost before broadcast on realtime:room was written" in str(error)
            lost = await states.until(SubscribeState.CHANNEL_ERROR)
            assert isinstance(lost, ConnectionError | ChannelError)
            assert "write stalled" in str(lost) or "heartbeat timeout" in str(lost)

            await states.until(SubscribeState.SUBSCRIBED)
            assert server.connections == 2
            echoes: Inbox[object] = Inbox()
            channel.on_broadcast("ping", echoes)
            await channel.send_broadcast("ping", {"n": 1})
            await echoes.next()


async def test_a_blocking_broadcast_waits_and_times_out_while_the_send_buffer_is_full() -> None:
    async with hostile_server() as server:
        server.next_connections(Conduct(stop_reading_after_joins=1))
        loop = asyncio.get_running_loop()

        def scenario() -> None:
            with BlockingClient(
                server.url, apikey="anon", heartbeat_interval=60.0, timeout=0.5
            ) as client:
                plain = client.channel("plain").subscribe()
                asyncio.run_coroutine_threadsafe(server.stopped_reading.wait(), loop).result(20)
                for _ in range(MAX_SENDS):
                    try:
                        plain.send_broadcast("big", {"blob": BLOB})
                    except PushTimeout as exc:
                        assert "not written within 0.5 s" in str(exc)
                        break
                else:
                    raise AssertionError(f"{MAX_SENDS} large broadcasts and no PushTimeout")
                assert client.async_client.writes_blocked
                with pytest.raises(PushTimeout, match="not written"):
                    plain.send_broadcast("big", {"blob": BLOB})
                assert client.is_connected

        await asyncio.to_thread(scenario)
