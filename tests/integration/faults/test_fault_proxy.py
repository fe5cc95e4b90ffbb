"""FaultProxy over real loopback sockets, in front of a real echo server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager

import pytest

from realtime_typed.testing.fault_proxy import FaultProxy

from .echo import WAIT, EchoServer

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@pytest.fixture
async def echo() -> AsyncIterator[EchoServer]:
    async with EchoServer() as server:
        yield server


@pytest.fixture
async def proxy(echo: EchoServer) -> AsyncIterator[FaultProxy]:
    async with FaultProxy("127.0.0.1", echo.port) as proxy:
        yield proxy


@asynccontextmanager
async def connected(proxy: FaultProxy) -> AsyncGenerator[Streams]:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    try:
        yield reader, writer
    finally:
        writer.transport.abort()


async def linked(proxy: FaultProxy, echo: EchoServer) -> None:
    """Wait until every client connection reached the echo server."""
    stats = await proxy.wait_until(lambda stats: stats.open == stats.accepted - stats.refused)
    await echo.wait_until(lambda server: server.connections == stats.open)


async def read_by_proxy(proxy: FaultProxy, size: int) -> None:
    """Wait until the proxy has read ``size`` bytes from its clients."""
    await proxy.wait_until(lambda stats: stats.read_from_client == size)


async def read_exactly(reader: asyncio.StreamReader, size: int) -> bytes:
    return await asyncio.wait_for(reader.readexactly(size), WAIT)


async def read_to_end(reader: asyncio.StreamReader) -> bytes:
    """Everything until the peer closes; a reset counts as a close."""
    try:
        return await asyncio.wait_for(reader.read(), WAIT)
    except ConnectionResetError:
        return b""


async def test_forwards_both_ways_and_counts(proxy: FaultProxy, echo: EchoServer) -> None:
    async with connected(proxy) as (reader, writer):
        writer.write(b"hello")
        assert await read_exactly(reader, 5) == b"hello"
        stats = proxy.stats
        assert (stats.accepted, stats.open) == (1, 1)
        assert (stats.read_from_client, stats.sent_upstream) == (5, 5)
        assert (stats.read_from_upstream, stats.sent_to_client) == (5, 5)
        writer.write_eof()
        assert await read_to_end(reader) == b""
    await proxy.wait_until(lambda stats: stats.open == 0)
    await echo.wait_until(lambda server: server.ended == 1)


async def test_blackhole_holds_both_directions_until_resume(
    proxy: FaultProxy, echo: EchoServer
) -> None:
    async with connected(proxy) as (reader, writer):
        await linked(proxy, echo)
        proxy.blackhole()
        writer.write(b"up")
        await read_by_proxy(proxy, 2)
        await echo.push(b"down")
        await proxy.wait_until(lambda stats: stats.read_from_upstream == 4)
        stats = proxy.stats
        assert (stats.sent_upstream, stats.sent_to_client) == (0, 0)
        assert echo.received == b""
        assert stats.open == 1
        assert echo.ended == 0
        proxy.resume()
        assert await read_exactly(reader, 6) == b"downup"
        assert echo.received == b"up"


async def test_latency_keeps_the_order_of_chunks(proxy: FaultProxy, echo: EchoServer) -> None:
    async with connected(proxy) as (reader, writer):
        await linked(proxy, echo)
        proxy.set_latency(0.3)
        writer.write(b"a")
        await read_by_proxy(proxy, 1)
        proxy.set_latency(0.0)
        writer.write(b"b")
        await read_by_proxy(proxy, 2)
        assert await read_exactly(reader, 2) == b"ab"
        assert echo.received == b"ab"


async def test_latency_delivers_every_chunk_in_order(proxy: FaultProxy, echo: EchoServer) -> None:
    async with connected(proxy) as (reader, writer):
        await linked(proxy, echo)
        proxy.set_latency(0.02)
        sent = b""
        for index in range(20):
            chunk = f"<{index}>".encode()
            writer.write(chunk)
            sent += chunk
            await read_by_proxy(proxy, len(sent))
        assert await read_exactly(reader, len(sent)) == sent


async def test_bandwidth_cap_delivers_everything_intact(
    proxy: FaultProxy, echo: EchoServer
) -> None:
    payload = os.urandom(600)
    async with connected(proxy) as (reader, writer):
        await linked(proxy, echo)
        proxy.set_bandwidth(2000)
        writer.write(payload)
        assert await read_exactly(reader, len(payload)) == payload
        proxy.set_bandwidth(None)
        writer.write(payload)
        assert await read_exactly(reader, len(payload)) == payload
    assert bytes(echo.received) == payload * 2


def test_fault_settings_are_validated() -> None:
    proxy = FaultProxy("127.0.0.1", 1)
    with pytest.raises(ValueError, match="negative"):
        proxy.set_latency(-1)
    with pytest.raises(ValueError, match="positive"):
        proxy.set_bandwidth(0)
    proxy.set_latency(0.5)
    proxy.set_bandwidth(10)
    assert (proxy.latency, proxy.bandwidth) == (0.5, 10)


async def test_cut_mid_frame_forwards_half_then_closes_both_sides(
    proxy: FaultProxy, echo: EchoServer
) -> None:
    async with connected(proxy) as (reader, _):
        await linked(proxy, echo)
        proxy.cut_mid_frame()
        await echo.push(b"0123456789")
        assert await read_to_end(reader) == b"01234"
    await echo.wait_until(lambda server: server.ended == 1)
    stats = await proxy.wait_until(lambda stats: stats.open == 0)
    assert stats.cut == 1
    async with connected(proxy) as (reader, writer):
        writer.write(b"whole")
        assert await read_exactly(reader, 5) == b"whole"


async def test_drop_all_resets_every_connection(proxy: FaultProxy, echo: EchoServer) -> None:
    async with connected(proxy) as (first, _), connected(proxy) as (second, _):
        await linked(proxy, echo)
        assert proxy.stats.open == 2
        await proxy.drop_all()
        assert (proxy.stats.open, proxy.stats.dropped) == (0, 2)
        assert await read_to_end(first) == b""
        assert await read_to_end(second) == b""
    await echo.wait_until(lambda server: server.ended == 2)
    async with connected(proxy) as (reader, writer):
        writer.write(b"again")
        assert await read_exactly(reader, 5) == b"again"


async def test_refused_connections_are_closed_without_reaching_upstream(
    proxy: FaultProxy, echo: EchoServer
) -> None:
    proxy.refuse(True)
    async with connected(proxy) as (reader, _):
        assert await read_to_end(reader) == b""
    assert (proxy.stats.accepted, proxy.stats.refused) == (1, 1)
    proxy.refuse(False)
    async with connected(proxy) as (reader, writer):
        writer.write(b"in")
        assert await read_exactly(reader, 2) == b"in"
    assert echo.connections == 1


async def test_unreachable_upstream_closes_the_client() -> None:
    async with EchoServer() as gone:
        port = gone.port
    async with FaultProxy("127.0.0.1", port) as proxy, connected(proxy) as (reader, _):
        assert await read_to_end(reader) == b""
        assert proxy.stats.upstream_failures == 1


async def test_no_task_outlives_the_proxy(echo: EchoServer) -> None:
    before = asyncio.all_tasks()
    async with (
        FaultProxy("127.0.0.1", echo.port) as proxy,
        connected(proxy) as (reader, writer),
        connected(proxy) as (_, idle),
    ):
        await linked(proxy, echo)
        writer.write(b"x")
        assert await read_exactly(reader, 1) == b"x"
        proxy.set_latency(10.0)
        proxy.blackhole()
        writer.write(b"held")
        idle.write(b"held too")
        await read_by_proxy(proxy, 13)
        started = {task.get_name() for task in asyncio.all_tasks() - before}
        assert {"fault-proxy-link", "fault-proxy-read"} <= started
        await proxy.close()
        leftover = {task.get_name() for task in asyncio.all_tasks() - before}
        assert leftover <= {"echo-connection"}
        assert await read_to_end(reader) == b""


async def test_url_for_points_at_the_proxy(proxy: FaultProxy, echo: EchoServer) -> None:
    upstream = f"ws://127.0.0.1:{echo.port}/socket?vsn=2.0.0"
    assert proxy.url_for(upstream) == f"ws://127.0.0.1:{proxy.port}/socket?vsn=2.0.0"
    with pytest.raises(ValueError, match="upstream port"):
        proxy.url_for(f"ws://127.0.0.1:{proxy.port}/socket")
    with pytest.raises(ValueError, match="explicit host and port"):
        proxy.url_for("ws://127.0.0.1/socket")
    from_url = FaultProxy.for_url(f"http://localhost:{echo.port}")
    assert (from_url.upstream_host, from_url.upstream_port) == ("localhost", echo.port)


def test_upstream_must_be_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy("10.0.0.1", 4000)
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy.for_url("wss://example.com:443/socket")
