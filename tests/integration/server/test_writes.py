"""The server's writes: frames queued together leave in one write and arrive whole and in order
at every length encoding; a frame that cannot be written ends its socket after the frames
before it; pings are answered; acks are what the encoder writes."""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from realtime_typed.protocol.frames import Frame, Vsn, encode_server_frame
from realtime_typed.testing import LocalRealtimeServer

from .wire import TIMEOUT, config, open_client, session_of

TOPIC = "realtime:room"
# Payload lengths on both sides of the 7-, 16- and 64-bit length encodings.
SIZES = (0, 1, 125, 126, 127, 65535, 65536, 70000)


async def test_frames_queued_together_arrive_whole_and_in_order(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as client:
        await client.joined(TOPIC)
        session = session_of(realtime_server, client)
        sent: list[str | bytes] = []
        for size in SIZES:
            sent += ["é" * (size // 2) + "t" * (size % 2), bytes([size % 251]) * size]
        for data in sent:
            session.send(data)
        for data in sent:
            assert await client.recv_raw() == data
        await client.nothing_pending()


async def test_an_unwritable_frame_ends_the_socket_after_the_frames_before_it(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as client:
        await client.joined(TOPIC)
        session = session_of(realtime_server, client)
        session.send("before")
        session.send(b"binary before")
        session.send("\ud800")  # no UTF-8 encoder writes this
        session.send("after")
        assert await client.recv_raw() == "before"
        assert await client.recv_raw() == b"binary before"
        with pytest.raises(ConnectionClosed) as closed:
            await client.recv_raw()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011


async def test_a_ping_is_answered(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as client:
        pong = await client.connection.ping(b"are you there")
        async with asyncio.timeout(TIMEOUT):
            await pong
        await client.nothing_pending()


@pytest.mark.parametrize("vsn", ["1.0.0", "2.0.0"])
async def test_acks_are_what_the_encoder_writes(
    realtime_server: LocalRealtimeServer, vsn: Vsn
) -> None:
    refs = ("7", None, 'a "quoted" \\ ref', "é ☃", "\x00ref\x00")
    message = {"type": "broadcast", "event": "e", "payload": {"n": 1}}
    ok: dict[str, object] = {"status": "ok", "response": {}}
    async with open_client(realtime_server, vsn=vsn) as client:
        # The second topic holds the mark an ack's template is split at.
        for topic in (TOPIC, "realtime:\x00ref\x00"):
            join_ref = await client.joined(topic, config(ack=True))
            for ref in refs:
                await client.send(Frame(join_ref, ref, topic, "broadcast", message))
                reply = Frame(join_ref, ref, topic, "phx_reply", ok)
                assert await client.recv_raw() == encode_server_frame(reply, vsn)
