"""realtime-js on the local server beyond plain broadcasts: heartbeats, self with ack, leaving."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import pytest

from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .js_peer import JsPeer
from .peer import JsonObject

pytestmark = pytest.mark.peers

TOPIC = "room:session"
HEARTBEAT_MS = 500


@pytest.fixture(params=["1.0.0", "2.0.0"], ids=["v1", "v2"])
async def js(
    realtime_server: LocalRealtimeServer, request: pytest.FixtureRequest
) -> AsyncGenerator[JsPeer]:
    """realtime-js on the given vsn, heartbeating every 500 ms."""
    vsn: Vsn = request.param
    async with JsPeer.open(
        realtime_server.url, realtime_server.anon_key, vsn, heartbeat_ms=HEARTBEAT_MS
    ) as peer:
        yield peer


def _heartbeat_outcome(event: JsonObject) -> bool:
    return event["type"] == "heartbeat" and event["status"] != "sent"


async def test_every_heartbeat_is_answered(js: JsPeer) -> None:
    await js.join(TOPIC)

    outcomes = [await js.events.take(_heartbeat_outcome) for _ in range(3)]

    assert [outcome["status"] for outcome in outcomes] == ["ok", "ok", "ok"]


async def test_a_self_broadcast_is_acknowledged_and_comes_back(js: JsPeer) -> None:
    await js.request(
        "join",
        topic=TOPIC,
        config={
            "broadcast": {"ack": True, "self": True},
            "presence": {"key": "", "enabled": False},
            "private": False,
        },
    )
    status = await js.events.take(lambda event: event["type"] == "status")
    assert status["status"] == "SUBSCRIBED"

    await js.send(TOPIC, "echo", {"n": 1})

    echoed = await js.broadcasts.take(lambda message: message.event == "echo")
    assert echoed.payload == {"n": 1}
    [frame] = js.inbound("broadcast")
    assert frame.payload == {"type": "broadcast", "event": "echo", "payload": {"n": 1}}
    binary = [str(raw["hex"]) for raw in js.frames.history if raw["dir"] == "in" and "hex" in raw]
    # realtime-js sends every v2 broadcast as binary kind 3; the echo comes back as kind 4.
    assert [kind[:2] for kind in binary] == (["04"] if js.vsn == "2.0.0" else [])


async def test_leaving_is_acknowledged_then_the_channel_closes(js: JsPeer) -> None:
    await js.join(TOPIC)

    reply = await js.request("leave", topic=TOPIC)

    assert reply["result"] == "ok"
    closed = await js.events.take(lambda event: event["type"] == "status")
    assert closed["status"] == "CLOSED"
    close = await js.next_inbound("phx_close")
    assert (close.topic, close.payload) == (f"realtime:{TOPIC}", {})
