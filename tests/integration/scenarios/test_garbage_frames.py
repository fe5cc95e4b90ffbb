"""Invalid frames from the server reach a live client through the raw-frame fault.

The receive loop must survive every one (the same socket keeps delivering), and every bad frame
must leave exactly one trace in ``client.dropped``, the documented counter of frames not
delivered; ``client.on_error`` hears of each kind of problem at least once. Each bad frame is
followed by a valid sentinel broadcast: when the sentinel arrives, the bad frame has been handled.
"""

from __future__ import annotations

import json

from realtime_typed import ProtocolError, RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

from .garbage import ROOM, bad_payloads, garbage_frames
from .waiting import Tally


class Sentinels:
    """A client joined to :data:`ROOM`, and the sentinel broadcasts it has received."""

    def __init__(self, server: LocalRealtimeServer, client: RealtimeClient) -> None:
        self.server = server
        self.client = client
        self.got: Tally[object] = Tally()
        self.errors: list[Exception] = []
        self._next = 0
        client.on_error(self.errors.append)

    async def join(self) -> None:
        room = self.client.channel(ROOM)
        room.on_broadcast("sentinel", lambda message: self.got.add(message.payload))
        await room.subscribe()

    def counted(self) -> int:
        return sum(self.client.dropped.values())

    async def send(self, frame: str | bytes) -> int:
        """Send ``frame`` then a sentinel; returns how much ``client.dropped`` grew."""
        before = self.counted()
        assert await self.server.faults.send_raw(frame, topic=ROOM) == 1
        self._next += 1
        sentinel = {"type": "broadcast", "event": "sentinel", "payload": self._next}
        await self.server.faults.send_raw(json.dumps([None, None, ROOM, "broadcast", sentinel]))
        await self.got.seen([self._next])
        return self.counted() - before


async def _check_every_frame_counted_once(
    server: LocalRealtimeServer, frames: list[str] | list[str | bytes]
) -> None:
    async with RealtimeClient(server.url, apikey=server.anon_key) as client:
        sentinels = Sentinels(server, client)
        await sentinels.join()
        [session] = server.state.sessions
        growth = [await sentinels.send(frame) for frame in [*frames, *frames]]
        assert growth == [1] * len(growth)
        assert sentinels.got.duplicates() == {}
        assert server.state.sessions == {session}
        assert client.is_connected
        assert sentinels.errors
        assert all(isinstance(error, ProtocolError) for error in sentinels.errors)


async def test_undecodable_and_unroutable_frames_are_counted_and_the_loop_survives(
    realtime_server: LocalRealtimeServer,
) -> None:
    await _check_every_frame_counted_once(realtime_server, garbage_frames())


async def test_payloads_that_do_not_fit_their_event_are_counted(
    realtime_server: LocalRealtimeServer,
) -> None:
    await _check_every_frame_counted_once(realtime_server, bad_payloads())
