"""``InlineConnection`` cutting frames out of the bytes it reads, however the bytes are split.

A connection is opened to a real websockets server that says nothing; the byte streams a
server could send are then fed to the connection's ``data_received`` in chunks of every size
from one byte up, so frames and headers are cut at every position. Data frames must come out
whole and in order; everything else (pings, fragments, malformed frames) must reach the
library, which answers or fails the connection with its own close code. A last test has a raw
server send its upgrade response and the first frames in one write.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import struct
from collections.abc import AsyncIterator
from functools import partial
from typing import cast

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.protocol import State

from realtime_typed.client.inline import InlineConnection

MAX_SIZE = 100_000


def frame(first: int, payload: bytes, *, mask: bool = False) -> bytes:
    """A server frame: ``first`` is the header's first byte (FIN, RSV bits, opcode)."""
    size = len(payload)
    mask_bit = 0x80 if mask else 0
    if size < 126:
        header = bytes((first, mask_bit | size))
    elif size < 65536:
        header = bytes((first, mask_bit | 126)) + struct.pack("!H", size)
    else:
        header = bytes((first, mask_bit | 127)) + struct.pack("!Q", size)
    return header + (b"\x00\x00\x00\x00" if mask else b"") + payload


def text(value: str) -> bytes:
    return frame(0x81, value.encode())


def binary(value: bytes) -> bytes:
    return frame(0x82, value)


PING = frame(0x89, b"are you there")
STREAM = b"".join(
    [
        text("a"),
        binary(b"\x00\x01"),
        PING,
        text("é" * 100),  # 200 bytes: a 16-bit length
        binary(bytes(range(256)) * 300),  # 76,800 bytes: a 64-bit length
        frame(0x01, b"frag"),  # a text message in three fragments, a ping between them
        PING,
        frame(0x00, b"ment"),
        frame(0x80, b"ed"),
        text(""),
        text("end"),
    ]
)
EXPECTED: list[str | bytes] = [
    "a",
    b"\x00\x01",
    "é" * 100,
    bytes(range(256)) * 300,
    "fragmented",
    "",
    "end",
]


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """The URL of a websockets server that accepts and then only listens."""

    async def listen(ws: ServerConnection) -> None:
        async for _ in ws:
            pass

    async with serve(listen, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}"


class Collected:
    """The messages delivered, and an event set once ``expect`` of them came."""

    def __init__(self, expect: int) -> None:
        self.messages: list[str | bytes] = []
        self.expect = expect
        self.complete = asyncio.Event()

    def deliver(self, message: str | bytes) -> None:
        self.messages.append(message)
        if len(self.messages) >= self.expect:
            self.complete.set()


async def _open(url: str, expect: int = 0) -> tuple[InlineConnection, Collected]:
    collected = Collected(expect)
    factory = partial(InlineConnection, deliver=collected.deliver, max_size=MAX_SIZE)
    ws = await connect(
        url, max_size=MAX_SIZE, create_connection=cast("type[ClientConnection]", factory)
    )
    return cast("InlineConnection", ws), collected


def _feed(ws: InlineConnection, data: bytes, chunk: int) -> None:
    for start in range(0, len(data), chunk):
        ws.data_received(data[start : start + chunk])


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 10, 127, 1000, 65536, len(STREAM)])
async def test_messages_come_out_whole_and_in_order_however_the_bytes_are_cut(
    silent_server: str, chunk: int
) -> None:
    ws, collected = await _open(silent_server)
    try:
        _feed(ws, STREAM, chunk)
        assert collected.messages == EXPECTED
        assert ws.protocol.state is State.OPEN
    finally:
        await ws.close()


async def test_a_servers_ping_between_messages_is_answered() -> None:
    answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def ping_between(server_ws: ServerConnection) -> None:
        await server_ws.send("before")
        pong = await server_ws.ping(b"are you there")
        await server_ws.send("after")
        await pong
        answered.set_result(None)
        async for _ in server_ws:
            pass

    async with serve(ping_between, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        ws, collected = await _open(f"ws://127.0.0.1:{port}", expect=2)
        try:
            async with asyncio.timeout(10):
                await answered
                await collected.complete.wait()
            assert collected.messages == ["before", "after"]
        finally:
            await ws.close()


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (frame(0x81, b"masked", mask=True), 1002),  # a server must not mask
        (frame(0xC1, b"rsv1 without an extension"), 1002),
        (frame(0x83, b"an unknown opcode"), 1002),
        (frame(0x80, b"a continuation with no start"), 1002),
        (frame(0x81, b"\xff\xfe not utf-8"), 1007),
        (binary(b"x" * (MAX_SIZE + 1)), 1009),
    ],
    ids=["masked", "rsv1", "opcode", "continuation", "utf8", "too-big"],
)
@pytest.mark.parametrize("chunk", [1, 4096])
async def test_a_bad_frame_fails_the_connection_with_the_librarys_code(
    silent_server: str, bad: bytes, code: int, chunk: int
) -> None:
    ws, collected = await _open(silent_server)
    try:
        _feed(ws, text("before") + bad + text("after"), chunk)
        assert collected.messages == ["before"]
        assert ws.protocol.state is not State.OPEN
        assert ws.protocol.close_sent is not None
        assert ws.protocol.close_sent.code == code
    finally:
        await ws.close()


async def test_frames_sent_with_the_upgrade_response_are_delivered() -> None:
    """The handshake's last bytes and the first frames arrive in one read."""
    handled: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def upgrade(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await reader.readuntil(b"\r\n\r\n")
            key = next(
                line.split(b":", 1)[1].strip()
                for line in request.split(b"\r\n")
                if line.lower().startswith(b"sec-websocket-key:")
            )
            guid = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
            accept = base64.b64encode(hashlib.sha1(key + guid).digest())
            writer.write(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n" + STREAM
            )
            await writer.drain()
            await reader.read()  # until the client goes
        finally:
            writer.close()
            await writer.wait_closed()
            handled.set_result(None)

    server = await asyncio.start_server(upgrade, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        ws, collected = await _open(f"ws://127.0.0.1:{port}", expect=len(EXPECTED))
        try:
            async with asyncio.timeout(10):
                await collected.complete.wait()
            assert collected.messages == EXPECTED
        finally:
            ws.transport.abort()
            async with asyncio.timeout(10):
                await handled
