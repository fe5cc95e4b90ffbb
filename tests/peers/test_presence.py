"""Presence across realtime-typed, realtime-py and realtime-js: all three end in the same state."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable

import pytest

from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .js_peer import JsPeer
from .official_peer import OfficialPeer
from .peer import Peer, PresenceState
from .typed_peer import TypedPeer

pytestmark = pytest.mark.peers

TOPIC = "room:presence"


@pytest.fixture(params=["1.0.0", "2.0.0"], ids=["v1", "v2"])
async def trio(
    realtime_server: LocalRealtimeServer, request: pytest.FixtureRequest
) -> AsyncGenerator[dict[str, Peer]]:
    """The three clients, keyed by their presence key; realtime-typed and realtime-js on the
    given vsn (realtime-py speaks only 1.0.0)."""
    vsn: Vsn = request.param
    url, key = realtime_server.url, realtime_server.anon_key
    async with (
        TypedPeer.open(url, key, vsn) as typed,
        OfficialPeer.open(url, key) as python,
        JsPeer.open(url, key, vsn) as js,
    ):
        peers: dict[str, Peer] = {"typed": typed, "py": python, "js": js}
        for presence_key, peer in peers.items():
            await peer.join(TOPIC, presence_key=presence_key)
        yield peers


async def settled(peer: Peer, done: Callable[[PresenceState], bool]) -> PresenceState:
    """The peer's presence state once ``done`` holds, checked after every sync it reports."""
    while not done(state := await peer.presence_state(TOPIC)):
        await peer.presence_syncs.take(lambda topic: topic == TOPIC)
    return state


async def states_when(
    peers: dict[str, Peer], done: Callable[[PresenceState], bool]
) -> list[PresenceState]:
    return [await settled(peer, done) for peer in peers.values()]


def status_of(state: PresenceState) -> dict[str, list[object]]:
    """Each key's statuses, without the server-made ``presence_ref``."""
    return {key: [meta.get("status") for meta in metas] for key, metas in state.items()}


async def test_all_three_see_each_other_track_update_and_untrack(trio: dict[str, Peer]) -> None:
    for presence_key, peer in trio.items():
        await peer.track(TOPIC, {"name": presence_key, "status": "online"})

    everyone_online = {"typed": ["online"], "py": ["online"], "js": ["online"]}
    first = await states_when(trio, lambda state: status_of(state) == everyone_online)
    assert first[0] == first[1] == first[2], first
    assert {key: metas[0]["name"] for key, metas in first[0].items()} == {
        "typed": "typed",
        "py": "py",
        "js": "js",
    }

    await trio["js"].track(TOPIC, {"name": "js", "status": "away"})
    await trio["py"].untrack(TOPIC)

    js_away = {"typed": ["online"], "js": ["away"]}
    second = await states_when(trio, lambda state: status_of(state) == js_away)
    assert second[0] == second[1] == second[2], second
    assert second[0]["typed"] == first[0]["typed"]
    assert second[0]["js"][0]["presence_ref"] != first[0]["js"][0]["presence_ref"]

    await trio["typed"].untrack(TOPIC)

    only_js = {"js": ["away"]}
    third = await states_when(trio, lambda state: status_of(state) == only_js)
    assert third[0] == third[1] == third[2] == {"js": second[0]["js"]}
