"""A presence push whose socket dies before its reply: the call returns, the rejoin applies it."""

from __future__ import annotations

import asyncio

from realtime_typed import RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

WAIT = 5.0
"""Seconds a single wait may take; the push timeout below is far longer."""
PUSH_TIMEOUT = 600.0


def _fast(attempt: int) -> float:
    return 0.01


async def test_track_cut_off_by_a_dropped_socket_returns_and_is_retracked() -> None:
    async with LocalRealtimeServer() as server:
        client = RealtimeClient(
            server.url,
            apikey=server.anon_key,
            timeout=PUSH_TIMEOUT,
            reconnect_after=_fast,
            rejoin_after=_fast,
        )
        async with client:
            room = client.channel("room", presence_key="me")
            synced = asyncio.Event()
            room.on_presence_sync(synced.set)
            await room.subscribe()

            async def tracked_ref(*, other_than: object = None) -> object:
                """The presence_ref of the single meta {n: 1}, once it is not ``other_than``."""
                while True:
                    metas = room.presence_state().get("me", [])
                    if len(metas) == 1 and metas[0]["n"] == 1:
                        ref = metas[0]["presence_ref"]
                        if ref != other_than:
                            return ref
                    synced.clear()
                    await asyncio.wait_for(synced.wait(), WAIT)

            server.faults.drop_replies("presence")
            track = asyncio.ensure_future(room.track({"n": 1}))
            first = await tracked_ref()
            assert not track.done()
            server.faults.restore_replies()
            await server.faults.drop_all()
            await asyncio.wait_for(track, WAIT)
            await tracked_ref(other_than=first)
