"""Firehose: every joined socket gets exactly N copies, in order after what was queued before."""

from __future__ import annotations

import pytest

from realtime_typed.local.firehose import broadcast_fan_out, firehose
from realtime_typed.protocol.frames import Vsn, decode_server_frame, encode_user_broadcast
from realtime_typed.testing import LocalRealtimeServer

from .wire import open_client

TOPIC = "realtime:hose"
PAYLOAD = {"n": 1, "text": "é"}
COUNT = 500


@pytest.mark.parametrize(("vsn", "binary"), [("2.0.0", False), ("2.0.0", True), ("1.0.0", True)])
async def test_each_joined_socket_gets_count_frames(
    realtime_server: LocalRealtimeServer, vsn: Vsn, binary: bool
) -> None:
    async with (
        open_client(realtime_server, vsn=vsn) as first,
        open_client(realtime_server, vsn=vsn) as second,
        open_client(realtime_server, vsn=vsn) as elsewhere,
    ):
        await first.joined(TOPIC)
        await second.joined(TOPIC)
        await elsewhere.joined("realtime:other")
        message = broadcast_fan_out(TOPIC, "tick", PAYLOAD, binary=binary)
        report = await firehose(realtime_server, TOPIC, message, COUNT, timeout=10)
        assert (report.sockets, report.frames) == (2, 2 * COUNT)
        expected = message.encoded(vsn)
        if binary and vsn == "2.0.0":
            assert expected == encode_user_broadcast(TOPIC, "tick", PAYLOAD)
        for client in (first, second):
            frames = [await client.recv_raw() for _ in range(COUNT)]
            assert frames == [expected] * COUNT
            frame = decode_server_frame(frames[0], vsn)
            assert (frame.topic, frame.event) == (TOPIC, "broadcast")
            assert frame.payload["payload"] == PAYLOAD
            await client.nothing_pending()
        await elsewhere.nothing_pending()


async def test_private_namespace_is_separate(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as client:
        await client.joined(TOPIC)
        message = broadcast_fan_out(TOPIC, "tick", PAYLOAD, binary=False)
        report = await firehose(realtime_server, TOPIC, message, 10, private=True, timeout=10)
        assert (report.sockets, report.frames) == (0, 0)
        await client.nothing_pending()
