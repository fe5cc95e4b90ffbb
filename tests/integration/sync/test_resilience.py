"""The blocking client through a server restart and a half-open socket (the fault proxy): the
async client's reconnect and rejoin work unchanged underneath, and its states reach on_state."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import JsonValue

from realtime_typed import ChannelError, RealtimeError, SubscribeState
from realtime_typed.sync import RealtimeClient
from realtime_typed.testing import LocalRealtimeServer
from realtime_typed.testing.fault_proxy import FaultProxy

from .helpers import WAIT, Inbox, ServerControl, blocking

INTERVAL = 0.2


def retry_at_once(tries: int) -> float:
    return 0.05


class States(Inbox[tuple[SubscribeState, Exception | None]]):
    """``on_state`` calls, to wait for a given state."""

    def state(self, state: SubscribeState, error: Exception | None) -> None:
        self((state, error))

    def until(self, wanted: SubscribeState) -> Exception | None:
        while True:
            state, error = self.get()
            if state is wanted:
                return error


def _survives(
    server: LocalRealtimeServer, url: str, cut: Callable[[], None], heal: Callable[[], None]
) -> Exception | None:
    states = States()
    got: Inbox[JsonValue] = Inbox()
    client = RealtimeClient(
        url,
        apikey=server.anon_key,
        heartbeat_interval=INTERVAL,
        timeout=2.0,
        reconnect_after=retry_at_once,
        rejoin_after=retry_at_once,
    )
    with client:
        room = client.channel("room", broadcast_self=True, broadcast_ack=True)
        room.on_broadcast("m", lambda message: got(message.payload))
        room.subscribe(states.state, timeout=WAIT)
        assert states.until(SubscribeState.SUBSCRIBED) is None
        room.send_broadcast("m", "before", timeout=WAIT)
        assert got.get() == "before"
        cut()
        error = states.until(SubscribeState.CHANNEL_ERROR)
        heal()
        states.until(SubscribeState.SUBSCRIBED)
        room.send_broadcast("m", "after", timeout=WAIT)
        assert got.get() == "after"
        assert got.threads == {"realtime-delivery"}
        return error


async def test_a_server_restart(realtime_server: LocalRealtimeServer) -> None:
    control = ServerControl()

    def scenario() -> Exception | None:
        return _survives(
            realtime_server,
            realtime_server.url,
            lambda: control.run(realtime_server.restart()),
            lambda: None,
        )

    assert isinstance(await blocking(scenario), RealtimeError)


async def test_a_half_open_socket(realtime_server: LocalRealtimeServer) -> None:
    async with FaultProxy.for_url(realtime_server.url) as proxy:
        control = ServerControl()

        def scenario() -> Exception | None:
            return _survives(
                realtime_server,
                proxy.url_for(realtime_server.url),
                lambda: control.call(proxy.blackhole),
                lambda: control.call(proxy.resume),
            )

        error = await blocking(scenario)
    assert isinstance(error, ChannelError)
    assert str(error) == "heartbeat timeout"
