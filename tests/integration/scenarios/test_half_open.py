"""Half-open connections: the socket stays up but heartbeats go unanswered.

Two ways: the server stops answering heartbeats (its fault), or a proxy between client and
server blackholes the connection (TCP open, nothing forwarded). Either way the client must notice
within two heartbeat intervals, drop the socket and reconnect once the path heals. "Within two
intervals" is checked by counting, not timing: heartbeats go out once per interval, so at most
one more heartbeat may be sent between the fault and the timeout.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import JsonValue

from realtime_typed import BroadcastMessage, ChannelError, RealtimeClient, SubscribeState
from realtime_typed.protocol.events import HeartbeatStatus
from realtime_typed.testing import LocalRealtimeServer
from realtime_typed.testing.fault_proxy import FaultProxy

from .waiting import StateLog, Tally

INTERVAL = 0.2


def retry_at_once(tries: int) -> float:
    return 0.05


class Beats:
    """Heartbeat statuses in order, with a tally to wait on."""

    def __init__(self) -> None:
        self.statuses: list[HeartbeatStatus] = []
        self.tally: Tally[HeartbeatStatus] = Tally()

    def __call__(self, status: HeartbeatStatus, latency: float | None) -> None:
        self.statuses.append(status)
        self.tally.add(status)

    async def next_ok(self) -> None:
        oks = self.tally.counts["ok"]
        await self.tally.until(lambda: self.tally.counts["ok"] > oks)


async def _detected_then_recovered(
    server: LocalRealtimeServer, url: str, cut: Callable[[], None], heal: Callable[[], None]
) -> None:
    beats = Beats()
    states = StateLog()
    got: Tally[object] = Tally()
    client = RealtimeClient(
        url,
        apikey=server.anon_key,
        heartbeat_interval=INTERVAL,
        timeout=2.0,
        reconnect_after=retry_at_once,
    )
    client.on_heartbeat(beats)
    async with client:
        room = client.channel("room", broadcast_self=True, broadcast_ack=True)

        def on_message(message: BroadcastMessage[JsonValue]) -> None:
            got.add(message.payload)

        room.on_broadcast("m", on_message)
        await room.subscribe(states.callback(room.topic))
        await beats.next_ok()
        [session] = server.state.sessions

        cut()
        cut_at = len(beats.statuses)
        await beats.tally.seen(["timeout"])
        after_cut = beats.statuses[cut_at:]
        assert after_cut[: after_cut.index("timeout")].count("sent") <= 1
        await states.reached(SubscribeState.CHANNEL_ERROR, 1, [room.topic])
        error = states.errors[room.topic][-1]
        assert isinstance(error, ChannelError)
        assert str(error) == "heartbeat timeout"

        heal()
        await states.reached(SubscribeState.SUBSCRIBED, 2, [room.topic])
        assert any(other is not session for other in server.state.sessions)
        await room.send_broadcast("m", "after")
        await got.seen(["after"])
        await beats.next_ok()


async def test_unanswered_heartbeats_are_detected_and_the_client_reconnects(
    realtime_server: LocalRealtimeServer,
) -> None:
    faults = realtime_server.faults
    await _detected_then_recovered(
        realtime_server, realtime_server.url, faults.pause_heartbeats, faults.resume_heartbeats
    )
    assert faults.rules.dropped_replies >= 1


async def test_a_blackholed_connection_is_detected_and_the_client_reconnects(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with FaultProxy.for_url(realtime_server.url) as proxy:
        url = proxy.url_for(realtime_server.url)
        await _detected_then_recovered(realtime_server, url, proxy.blackhole, proxy.resume)
        assert proxy.stats.accepted >= 2
