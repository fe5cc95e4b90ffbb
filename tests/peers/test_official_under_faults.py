"""The official client (``realtime`` 2.34.1) and realtime-typed side by side under one fault.

Both join the same topic on the same local server; the server is made to fail; each test then
asserts what each client does, and a broadcast sent afterwards through the server's REST
endpoint (no client socket involved) shows who still receives. Where the official client does
nothing, the test waits a bounded multiple of realtime-typed's heartbeat interval for the
event that does not come.

The official client cannot be made to heartbeat more often than every 15 s (its heartbeat
loop sleeps ``max(hb_interval, 15)``), sends heartbeats with a null ref and never reads their
replies; realtime-typed heartbeats here every :data:`INTERVAL` seconds.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

from realtime_typed import RealtimeClient
from realtime_typed.errors import ProtocolError
from realtime_typed.local.transport.session import SocketSession
from realtime_typed.testing import LocalRealtimeServer

from .official_peer import OfficialPeer
from .peer import JsonObject, Received, StateChange
from .typed_peer import TypedPeer

pytestmark = [
    pytest.mark.peers,
    # realtime-py reads ConnectionClosed.code and .reason, deprecated in websockets 13.1, on its
    # reconnect path. With warnings as errors (this suite's setting) the warning kills its
    # receive loop and it never reconnects; an application, where a DeprecationWarning is
    # silent, does not see that, so neither do these tests.
    pytest.mark.filterwarnings(
        r"ignore:ConnectionClosed\.(code|reason) is deprecated:DeprecationWarning"
    ),
]

TOPIC = "room:faults"
INTERVAL = 0.2
"""realtime-typed's heartbeat interval, in seconds."""
QUIET = 5 * INTERVAL
"""How long an event that must not come is waited for."""


@dataclass(frozen=True)
class SideBySide:
    """realtime-typed (vsn 2.0.0) and realtime-py (vsn 1.0.0, reconnecting), both joined."""

    server: LocalRealtimeServer
    client: RealtimeClient
    typed: TypedPeer
    official: OfficialPeer

    def official_session(self) -> SocketSession:
        """The server's socket for realtime-py (the only vsn 1.0.0 client)."""
        [session] = [s for s in self.server.state.sessions if s.vsn == "1.0.0"]
        return session

    async def announce(self, event: str, payload: JsonObject) -> None:
        """Broadcast to ``TOPIC`` through the server's REST endpoint."""
        message = {"topic": TOPIC, "event": event, "payload": payload}
        async with httpx.AsyncClient(base_url=self.server.http_url) as http:
            response = await http.post(
                "/api/broadcast",
                json={"messages": [message]},
                headers={"apikey": self.server.anon_key},
            )
        assert response.status_code == 202, response.text

    async def both_receive(self, event: str, payload: JsonObject) -> None:
        """Announce ``event`` and require it at both clients."""
        await self.announce(event, payload)
        for peer in (self.typed, self.official):
            assert await peer.broadcasts.take(_is(event)) == Received(TOPIC, event, payload)


def _at_once(_tries: int) -> float:
    return 0.05


def _is(event: str) -> Callable[[Received], bool]:
    return lambda message: message.event == event


def _state(state: str, error: str | None = None) -> Callable[[StateChange], bool]:
    return lambda change: change.state == state and error in (None, change.error)


@asynccontextmanager
async def side_by_side(server: LocalRealtimeServer) -> AsyncGenerator[SideBySide]:
    """Both clients joined to ``TOPIC``, their first SUBSCRIBED already taken."""
    client = RealtimeClient(
        server.url,
        apikey=server.anon_key,
        heartbeat_interval=INTERVAL,
        timeout=2.0,
        reconnect_after=_at_once,
        rejoin_after=_at_once,
    )
    async with (
        client,
        OfficialPeer.open(
            server.url, server.anon_key, auto_reconnect=True, initial_backoff=0.2
        ) as official,
    ):
        typed = TypedPeer(client, "2.0.0")
        await typed.join(TOPIC)
        await official.join(TOPIC)
        for peer in (typed, official):
            await peer.states.take(_state("SUBSCRIBED"))
        yield SideBySide(server, client, typed, official)


async def test_unanswered_heartbeats(realtime_server: LocalRealtimeServer) -> None:
    """realtime-typed times out, reconnects and rejoins; realtime-py notices nothing and keeps
    its socket (which still carries broadcasts)."""
    async with side_by_side(realtime_server) as both:
        before = both.official_session()

        realtime_server.faults.pause_heartbeats()
        await both.typed.states.take(_state("CHANNEL_ERROR", "heartbeat timeout"))
        await both.official.states.absent(lambda _change: True, QUIET)
        realtime_server.faults.resume_heartbeats()
        await both.typed.states.take(_state("SUBSCRIBED"))

        await both.both_receive("after", {"n": 1})
        assert realtime_server.faults.rules.dropped_replies >= 1
        assert both.official_session() is before
        assert both.official.states.history == [StateChange(TOPIC, "SUBSCRIBED", None)]


async def test_every_socket_dropped(realtime_server: LocalRealtimeServer) -> None:
    """Both see CHANNEL_ERROR, reconnect, rejoin and receive what is sent afterwards."""
    async with side_by_side(realtime_server) as both:
        before = both.official_session()

        assert await realtime_server.faults.drop_all() == 2
        for peer in (both.typed, both.official):
            await peer.states.take(_state("CHANNEL_ERROR"))
            await peer.states.take(_state("SUBSCRIBED"))

        await both.both_receive("after", {"n": 2})
        assert both.official_session() is not before


async def test_server_restart(realtime_server: LocalRealtimeServer) -> None:
    """Both see CHANNEL_ERROR, reconnect to the restarted server, rejoin and receive."""
    async with side_by_side(realtime_server) as both:
        await realtime_server.faults.restart()
        for peer in (both.typed, both.official):
            await peer.states.take(_state("CHANNEL_ERROR"))
            await peer.states.take(_state("SUBSCRIBED"))

        await both.both_receive("after", {"n": 3})


async def test_a_callback_that_raises(realtime_server: LocalRealtimeServer) -> None:
    """realtime-typed reports the error and goes on delivering; realtime-py's receive loop
    dies with the exception: nothing more arrives, no state changes, and its socket stays
    open on the server."""

    def explode(_message: object) -> None:
        raise RuntimeError("callback failed")

    async with side_by_side(realtime_server) as both:
        both.typed.channel(TOPIC).on_broadcast("boom", explode)
        both.official.channel(TOPIC).on_broadcast("boom", explode)
        before = both.official_session()

        await both.both_receive("boom", {})
        await both.announce("after", {"n": 4})

        assert await both.typed.broadcasts.take(_is("after")) == Received(TOPIC, "after", {"n": 4})
        error = await both.typed.errors.take(lambda _error: True)
        assert str(error) == "callback failed"
        await both.official.broadcasts.absent(_is("after"), QUIET)
        assert both.official.states.history == [StateChange(TOPIC, "SUBSCRIBED", None)]
        assert both.official_session() is before


async def test_garbage_frames(
    realtime_server: LocalRealtimeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Both survive frames they cannot decode and receive the next broadcast. realtime-typed
    counts each in ``client.dropped`` and reports each kind of error once; realtime-py logs an
    ERROR for each and counts nothing."""
    garbage: list[str | bytes] = [
        "not json",
        "{}",
        f'[null, null, "realtime:{TOPIC}", "broadcast"]',
        b"\x09junk",
    ]
    reported: list[Exception] = []
    async with side_by_side(realtime_server) as both:
        both.client.on_error(reported.append)
        with caplog.at_level(logging.ERROR, logger="realtime"):
            for frame in garbage:
                assert await realtime_server.faults.send_raw(frame) == 2
            await both.both_receive("after", {"n": 5})

        unrecognized = [r for r in caplog.records if "Unrecognized message" in r.getMessage()]
        assert len(unrecognized) == len(garbage)
        assert sum(both.client.dropped.values()) == len(garbage)
        assert all(isinstance(error, ProtocolError) for error in reported)
        assert len({str(error) for error in reported}) == len(reported) > 0
        assert both.official.states.history == [StateChange(TOPIC, "SUBSCRIBED", None)]
        assert both.typed.states.history == [StateChange(TOPIC, "SUBSCRIBED", None)]
