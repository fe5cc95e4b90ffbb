"""``BurstWriter`` on a real WebSocket: every message arrives, in order, as written."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve

from realtime_typed.client.writer import FLUSH_BYTES, BurstWriter


@pytest.fixture
async def received() -> AsyncIterator[tuple[ClientConnection, asyncio.Queue[str | bytes]]]:
    """A client socket and the queue of messages its server receives."""
    queue: asyncio.Queue[str | bytes] = asyncio.Queue()

    async def collect(server_ws: ServerConnection) -> None:
        async for message in server_ws:
            queue.put_nowait(message)

    async with serve(collect, "127.0.0.1", 0, max_size=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        async with connect(f"ws://127.0.0.1:{port}", max_size=None) as ws:
            yield ws, queue


async def _take(queue: asyncio.Queue[str | bytes], count: int) -> list[str | bytes]:
    async with asyncio.timeout(10):
        return [await queue.get() for _ in range(count)]


async def test_a_burst_arrives_in_order_with_its_frame_types(
    received: tuple[ClientConnection, asyncio.Queue[str | bytes]],
) -> None:
    ws, queue = received
    writer = BurstWriter(ws)
    messages: list[str | bytes] = ["first", b"\x03second", *(f"m{i}" for i in range(50))]
    assert all(writer.write(message) for message in messages)
    await writer.drain()
    assert await _take(queue, len(messages)) == messages


async def test_a_large_burst_is_written_before_the_turn_ends(
    received: tuple[ClientConnection, asyncio.Queue[str | bytes]],
) -> None:
    ws, queue = received
    writer = BurstWriter(ws)
    chunk = b"x" * 4096
    count = 2 * FLUSH_BYTES // len(chunk) + 1
    for _ in range(count):
        writer.write(chunk)
    assert await _take(queue, count) == [chunk] * count


async def test_close_writes_what_waits_and_nothing_is_written_after_the_socket_closes(
    received: tuple[ClientConnection, asyncio.Queue[str | bytes]],
) -> None:
    ws, queue = received
    writer = BurstWriter(ws)
    writer.write("one")
    writer.write("two")
    writer.close()
    await ws.close()
    assert await _take(queue, 2) == ["one", "two"]
    assert not writer.write("late")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 300_000])
async def test_frames_of_every_length_form_arrive_intact(
    received: tuple[ClientConnection, asyncio.Queue[str | bytes]], size: int
) -> None:
    """The 7-bit, 16-bit and 64-bit length forms, text and binary, through a real server
    (which unmasks each frame with its own key)."""
    ws, queue = received
    writer = BurstWriter(ws)
    payload = bytes(index % 251 for index in range(size))
    messages: list[str | bytes] = [payload, "é" * (size // 2), payload[::-1]]
    for message in messages:
        writer.write(message)
    assert await _take(queue, len(messages)) == messages
