"""Broadcast fan-out: self, ack, kind 3 to kind 4, v1/v2 interop, binary, size limit."""

from __future__ import annotations

import json

from realtime_typed.protocol.frames import Frame
from realtime_typed.testing import LocalRealtimeServer

from .wire import config, open_client

TOPIC = "realtime:top"
MESSAGE = {"type": "broadcast", "event": "user-event", "payload": {"a": "b"}}


async def test_self_gets_its_own_broadcast_only_when_asked(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with (
        open_client(realtime_server, vsn="1.0.0") as quiet,
        open_client(realtime_server, vsn="1.0.0") as echo,
    ):
        quiet_ref = await quiet.joined(TOPIC)
        echo_ref = await echo.joined(TOPIC, config(self_=True))
        await quiet.push(TOPIC, "broadcast", MESSAGE, quiet_ref)
        assert (await echo.expect("broadcast", TOPIC)).payload == MESSAGE
        await quiet.nothing_pending()
        await echo.push(TOPIC, "broadcast", MESSAGE, echo_ref)
        got = await echo.expect("broadcast", TOPIC)
        assert (got.payload, got.ref) == (MESSAGE, None)
        assert (await quiet.expect("broadcast", TOPIC)).payload == MESSAGE


async def test_ack_replies_ok_and_no_ack_replies_nothing(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as acked, open_client(realtime_server) as plain:
        acked_ref = await acked.joined(TOPIC, config(ack=True))
        plain_ref = await plain.joined(TOPIC)
        ref = await acked.push(TOPIC, "broadcast", MESSAGE, acked_ref)
        reply = await acked.expect("phx_reply", TOPIC)
        assert (reply.join_ref, reply.ref) == (acked_ref, ref)
        assert reply.payload == {"status": "ok", "response": {}}
        await plain.expect("broadcast", TOPIC)
        await plain.push(TOPIC, "broadcast", MESSAGE, plain_ref)
        await acked.expect("broadcast", TOPIC)
        await plain.nothing_pending()


async def test_kind_3_goes_out_as_kind_4_byte_exact(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as alice, open_client(realtime_server) as bob:
        join_ref = await alice.joined(TOPIC)
        await bob.joined(TOPIC)
        await alice.push(TOPIC, "broadcast", MESSAGE, join_ref)
        topic = TOPIC.encode()
        expected = bytes((4, len(topic), 10, 0, 1)) + topic + b'user-event{"a":"b"}'
        assert await bob.recv_raw() == expected
        await alice.push(
            TOPIC, "broadcast", {"type": "broadcast", "event": "raw", "payload": b"\x00\xff"}
        )
        assert await bob.recv_raw() == bytes((4, len(topic), 3, 0, 0)) + topic + b"raw\x00\xff"


async def test_v1_and_v2_sockets_hear_each_other(realtime_server: LocalRealtimeServer) -> None:
    async with (
        open_client(realtime_server, vsn="1.0.0") as old,
        open_client(realtime_server, vsn="2.0.0") as new,
    ):
        old_ref = await old.joined(TOPIC)
        new_ref = await new.joined(TOPIC)
        await old.push(TOPIC, "broadcast", MESSAGE, old_ref)
        raw = await new.recv_raw()
        assert isinstance(raw, str)
        assert json.loads(raw) == [None, None, TOPIC, "broadcast", MESSAGE]
        await new.push(TOPIC, "broadcast", MESSAGE, new_ref)
        raw = await old.recv_raw()
        assert isinstance(raw, str)
        assert json.loads(raw) == {
            "topic": TOPIC,
            "event": "broadcast",
            "payload": {"type": "broadcast", "event": "user-event", "payload": {"a": "b"}},
            "ref": None,
        }


async def test_binary_broadcasts_skip_v1_sockets(realtime_server: LocalRealtimeServer) -> None:
    async with (
        open_client(realtime_server, vsn="2.0.0") as sender,
        open_client(realtime_server, vsn="1.0.0") as old,
        open_client(realtime_server, vsn="2.0.0") as new,
    ):
        join_ref = await sender.joined(TOPIC)
        await old.joined(TOPIC)
        await new.joined(TOPIC)
        binary = {"type": "broadcast", "event": "blob", "payload": b"\x01\x02"}
        await sender.push(TOPIC, "broadcast", binary, join_ref)
        got = await new.expect("broadcast", TOPIC)
        assert got.payload == binary
        await old.nothing_pending()
    assert realtime_server.state.registry.undeliverable == 1


async def test_non_map_payloads_are_relayed_unchanged(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as alice, open_client(realtime_server) as bob:
        join_ref = await alice.joined(TOPIC)
        await bob.joined(TOPIC)
        await alice.send(Frame(join_ref, "5", TOPIC, "broadcast", [1, "two", None]))
        got = await bob.expect("broadcast", TOPIC)
        assert got.payload == [1, "two", None]


async def test_oversized_payload_is_refused_with_a_bare_string(
    realtime_server: LocalRealtimeServer,
) -> None:
    big = "x" * (3000 * 1024 + 501)
    async with open_client(realtime_server) as alice, open_client(realtime_server) as bob:
        join_ref = await alice.joined(TOPIC, config(ack=True, self_=True))
        await bob.joined(TOPIC)
        for payload in ({"type": "broadcast", "event": "e", "payload": big}, big.encode()):
            message = payload if isinstance(payload, dict) else {"event": "e", "payload": payload}
            ref = await alice.push(TOPIC, "broadcast", message, join_ref)
            reply = await alice.expect("phx_reply", TOPIC)
            assert (reply.ref, reply.payload) == (
                ref,
                {"status": "error", "response": "payload_size_exceeded"},
            )
        await bob.nothing_pending()
    assert realtime_server.state.oversized_payloads == 2
