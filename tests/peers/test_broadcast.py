"""Broadcasts between realtime-typed and each official client, both ways, on each vsn."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager

import pytest

from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .js_peer import JsPeer
from .official_peer import OfficialPeer
from .peer import JsonObject, Peer, Received
from .typed_peer import TypedPeer

pytestmark = pytest.mark.peers

OpenPeer = Callable[[LocalRealtimeServer], AbstractAsyncContextManager[Peer]]

OFFICIAL_PEERS: dict[str, OpenPeer] = {
    "realtime-py-v1": lambda server: OfficialPeer.open(server.url, server.anon_key),
    "realtime-js-v1": lambda server: JsPeer.open(server.url, server.anon_key, "1.0.0"),
    "realtime-js-v2": lambda server: JsPeer.open(server.url, server.anon_key, "2.0.0"),
}

TOPIC = "room:peers"

# Nested, unicode, numbers of both kinds, null and booleans: what JSON can carry losslessly.
GREETING: JsonObject = {
    "text": "héllo wörld ✓",
    "count": 3,
    "ratio": 0.25,
    "tags": ["a", "b"],
    "nested": {"ok": True, "missing": None},
}
REPLY: JsonObject = {"text": "right back at you", "items": [1, 2, {"deep": [False]}]}


@pytest.fixture(params=sorted(OFFICIAL_PEERS))
def open_official(request: pytest.FixtureRequest) -> OpenPeer:
    """How to connect one official client (parametrised over every client and vsn)."""
    name: str = request.param
    return OFFICIAL_PEERS[name]


@pytest.fixture(params=["1.0.0", "2.0.0"], ids=["typed-v1", "typed-v2"])
def typed_vsn(request: pytest.FixtureRequest) -> Vsn:
    """The protocol version realtime-typed speaks."""
    vsn: Vsn = request.param
    return vsn


@pytest.fixture
async def pair(
    realtime_server: LocalRealtimeServer, open_official: OpenPeer, typed_vsn: Vsn
) -> AsyncGenerator[tuple[TypedPeer, Peer]]:
    """realtime-typed and one official client, both joined to ``TOPIC``."""
    async with (
        TypedPeer.open(realtime_server.url, realtime_server.anon_key, typed_vsn) as typed,
        open_official(realtime_server) as official,
    ):
        await typed.join(TOPIC)
        await official.join(TOPIC)
        yield typed, official


async def test_official_client_receives_what_realtime_typed_sends(
    pair: tuple[TypedPeer, Peer],
) -> None:
    typed, official = pair

    await typed.send(TOPIC, "greeting", GREETING)

    received = await official.broadcasts.take(lambda message: message.event == "greeting")
    assert received == Received(TOPIC, "greeting", GREETING)


async def test_realtime_typed_receives_what_official_client_sends(
    pair: tuple[TypedPeer, Peer],
) -> None:
    typed, official = pair

    await official.send(TOPIC, "reply", REPLY)

    received = await typed.broadcasts.take(lambda message: message.event == "reply")
    assert received == Received(TOPIC, "reply", REPLY)


async def test_a_burst_arrives_in_order_once_and_not_back_to_its_sender(
    pair: tuple[TypedPeer, Peer],
) -> None:
    typed, official = pair
    from_typed: list[JsonObject] = [{"turn": turn, "from": "typed"} for turn in range(5)]
    from_official: list[JsonObject] = [{"turn": turn, "from": "official"} for turn in range(5)]

    for payload in from_typed:
        await typed.send(TOPIC, "line", payload)
    heard = [await official.broadcasts.take(_is_line) for _ in from_typed]
    for payload in from_official:
        await official.send(TOPIC, "line", payload)
    answered = [await typed.broadcasts.take(_is_line) for _ in from_official]

    assert [message.payload for message in heard] == from_typed
    assert [message.payload for message in answered] == from_official
    assert official.broadcasts.history == heard
    assert typed.broadcasts.history == answered


def _is_line(message: Received) -> bool:
    return message.event == "line"
