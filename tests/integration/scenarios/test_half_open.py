"""Half-open connections: the socket stays up but heartbeats go unanswered.

The client must notice within two heartbeat intervals, drop the socket and reconnect. "Within two
intervals" is checked by counting, not timing: heartbeats go out once per interval, so at most
one more heartbeat may be sent between the fault and the timeout.
"""

from __future__ import annotations

from pydantic import JsonValue

from realtime_typed import BroadcastMessage, ChannelError, RealtimeClient, SubscribeState
from realtime_typed.protocol.events import HeartbeatStatus
from realtime_typed.testing import LocalRealtimeServer

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


async def test_unanswered_heartbeats_are_detected_and_the_client_reconnects(
    realtime_server: LocalRealtimeServer,
) -> None:
    server = realtime_server
    beats = Beats()
    states = StateLog()
    got: Tally[str] = Tally()
    client = RealtimeClient(
        server.url,
        apikey=server.anon_key,
        heartbeat_interval=INTERVAL,
        reconnect_after=retry_at_once,
    )
    client.on_heartbeat(beats)
    async with client:
        room = client.channel("room", broadcast_self=True, broadcast_ack=True)

        def on_message(message: BroadcastMessage[JsonValue]) -> None:
            got.add(str(message.payload))

        room.on_broadcast("m", on_message)
        await room.subscribe(states.callback(room.topic))
        await beats.tally.until(lambda: beats.tally.counts["ok"] >= 1)
        [session] = server.state.sessions

        server.faults.pause_heartbeats()
        paused_at = len(beats.statuses)
        await beats.tally.seen(["timeout"])
        after_fault = beats.statuses[paused_at:]
        assert after_fault[: after_fault.index("timeout")].count("sent") <= 1
        assert server.faults.rules.dropped_replies >= 1
        await states.reached(SubscribeState.CHANNEL_ERROR, 1, [room.topic])
        error = states.errors[room.topic][-1]
        assert isinstance(error, ChannelError)
        assert str(error) == "heartbeat timeout"

        server.faults.resume_heartbeats()
        await states.reached(SubscribeState.SUBSCRIBED, 2, [room.topic])
        assert any(other is not session for other in server.state.sessions)
        await room.send_broadcast("m", "after")
        await got.seen(["after"])
        oks_before = beats.tally.counts["ok"]
        await beats.tally.until(lambda: beats.tally.counts["ok"] > oks_before)
