"""Property: whatever clients track, untrack or lose, every client ends with the server's state.

Each example starts a fresh local server and a swarm of clients on one topic, applies a random
sequence of operations (tracks, updates, untracks, leaving and joining again, one socket or all
sockets dropped, with a close frame or cut at the TCP level) and waits for the swarm to settle:
every client's ``presence_state()`` must then equal the server tracker's state, refs included,
and that state must be what the operations imply (dropped clients re-track on their own).
"""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer, ServerOptions

from .ops import Drop, DropAll, Op, Rejoin, Track, Untrack, ops, presence_keys
from .swarm import TYPED, UNTYPED, Flavor, Member, Swarm

CLIENTS = 3
VSNS: tuple[Vsn, ...] = ("1.0.0", "2.0.0")
UNLIMITED = ServerOptions(presence_max_calls=1_000_000)
"""The real server's presence rate limit (5 calls in 30 s per channel) would cut sequences short."""


async def run_scenario(
    flavor: Flavor[Any], keys: list[str], sequence: list[Op], vsn: Vsn = "2.0.0"
) -> None:
    server = LocalRealtimeServer(options=UNLIMITED)
    async with server, Swarm(server, flavor, keys, vsn) as swarm:
        for op in sequence:
            await swarm.apply(op)
        await swarm.settle()


@settings(max_examples=60, deadline=None)
@given(
    keys=presence_keys(CLIENTS),
    sequence=ops(CLIENTS, max_size=12),
    vsn=st.sampled_from(VSNS),
)
@example(
    keys=["a", "a", "b"],
    sequence=[Track(0, 1, "x"), DropAll(abrupt=True), Untrack(0), Drop(0, abrupt=True)],
    vsn="2.0.0",
)
@example(
    keys=["a", "b", "a"],
    sequence=[
        Track(1, 0, ""),
        Drop(1, abrupt=False),
        Track(1, 2, "é"),
        Rejoin(1),
        Track(1, 1, "x"),
    ],
    vsn="1.0.0",
)
async def test_every_client_converges_to_the_server_state(
    keys: list[str], sequence: list[Op], vsn: Vsn
) -> None:
    await run_scenario(UNTYPED, keys, sequence, vsn)


@settings(max_examples=20, deadline=None)
@given(keys=presence_keys(2), sequence=ops(2, max_size=8))
async def test_typed_channels_converge_with_model_metas(
    keys: list[str], sequence: list[Op]
) -> None:
    await run_scenario(TYPED, keys, sequence)


async def test_typed_state_holds_models() -> None:
    async with LocalRealtimeServer() as server, Swarm(server, TYPED, ["a", "a"]) as swarm:
        await swarm.apply(Track(0, 1, "x"))
        await swarm.apply(Track(1, 2, "é"))
        await swarm.settle()
        metas = swarm.channel(0).presence_state()["a"]
        assert sorted(metas, key=lambda meta: meta.n) == [
            Member(n=1, label="x"),
            Member(n=2, label="é"),
        ]
