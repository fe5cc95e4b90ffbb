"""Connect, heartbeat, join, broadcast and leave over real sockets, both serializers."""

from __future__ import annotations

import pytest

from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .wire import config, open_client

VSNS: list[Vsn] = ["1.0.0", "2.0.0"]


@pytest.mark.parametrize("vsn", VSNS)
async def test_heartbeat_is_answered_ok(realtime_server: LocalRealtimeServer, vsn: Vsn) -> None:
    async with open_client(realtime_server, vsn=vsn) as client:
        ref = await client.push("phoenix", "heartbeat", {})
        reply = await client.expect("phx_reply", "phoenix")
        assert reply.ref == ref
        assert reply.join_ref is None
        assert reply.payload == {"status": "ok", "response": {}}


@pytest.mark.parametrize("vsn", VSNS)
async def test_join_then_broadcast_then_leave(
    realtime_server: LocalRealtimeServer, vsn: Vsn
) -> None:
    async with (
        open_client(realtime_server, vsn=vsn) as alice,
        open_client(realtime_server, vsn=vsn) as bob,
    ):
        join_ref, reply = await alice.join("realtime:room", config(ack=True))
        assert reply.payload == {"status": "ok", "response": {"postgres_changes": []}}
        await bob.joined("realtime:room")
        message = {"type": "broadcast", "event": "hi", "payload": {"n": 1}}
        ref = await alice.push("realtime:room", "broadcast", message, join_ref)
        got = await bob.expect("broadcast", "realtime:room")
        assert got.payload == message
        ack = await alice.expect("phx_reply", "realtime:room")
        assert ack.ref == ref
        assert ack.payload == {"status": "ok", "response": {}}
        leave_ref = await alice.push("realtime:room", "phx_leave", {}, join_ref)
        left = await alice.expect("phx_reply", "realtime:room")
        assert left.ref == leave_ref
        assert left.payload == {"status": "ok", "response": {}}
        closed = await alice.expect("phx_close", "realtime:room")
        assert closed.payload == {}
        assert closed.ref == join_ref
