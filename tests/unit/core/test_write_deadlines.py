"""Every write has a deadline, and a reply is matched by topic as well as ref (fake clock).

The I/O layer reports a full send buffer (``writes_blocked``) and its draining
(``writes_resumed``); the core times out the pushes waiting for it and gives up a socket whose
buffer stays full for the heartbeat timeout, while heartbeat, join and push timeouts keep
firing.
"""

from __future__ import annotations

from typing import Any

from realtime_typed.errors import ConnectionError, JoinTimeout
from realtime_typed.protocol.events import (
    CloseConnection,
    CoreEvent,
    FrameDropped,
    HeartbeatUpdate,
    PushDone,
    ReconnectDue,
    StateChanged,
    SubscribeState,
)
from realtime_typed.protocol.frames import Frame
from realtime_typed.protocol.phoenix import REPLY_TOPIC_MISMATCH, WRITE_STALLED, PhoenixProtocol

TOPIC = "realtime:room"
OTHER = "realtime:other"
CONFIG: dict[str, Any] = {"broadcast": {"ack": False, "self": False}, "private": False}


class Clock:
    """A core driven by a fake clock, collecting what it says."""

    def __init__(self, **options: Any) -> None:
        self.core = PhoenixProtocol(**options)
        self.now = 0.0
        self.core.connection_made(self.now)

    def said(self) -> tuple[list[Frame], list[CoreEvent]]:
        return self.core.data_to_send(), self.core.events_received()

    def advance(self, seconds: float) -> list[CoreEvent]:
        target = self.now + seconds
        events: list[CoreEvent] = []
        while (deadline := self.core.next_deadline()) is not None and deadline <= target:
            self.now = deadline
            self.core.handle_timer(self.now)
            events += self.core.events_received()
        self.now = target
        return events

    def join(self, topic: str = TOPIC) -> Frame:
        self.core.add_channel(topic, dict(CONFIG))
        self.core.join(topic, self.now)
        [frame] = [f for f in self.core.data_to_send() if f.event == "phx_join"]
        return frame

    def reply(self, to: Frame, topic: str | None = None) -> None:
        payload: dict[str, Any] = {"status": "ok", "response": {}}
        reply = Frame(to.join_ref, to.ref, topic or to.topic, "phx_reply", payload)
        self.core.receive(reply, self.now)

    def joined(self, topic: str = TOPIC) -> None:
        self.reply(self.join(topic))
        self.said()


def test_a_push_waiting_for_a_full_buffer_is_written_when_it_drains() -> None:
    clock = Clock(timeout=10.0)
    clock.joined()
    push = clock.core.push(TOPIC, "broadcast", {"n": 1}, clock.now, expects_reply=False)
    clock.core.writes_blocked(clock.now)
    assert clock.core.writes_are_blocked
    assert clock.core.wait_written(push, clock.now)
    assert clock.advance(9.0) == []
    clock.core.writes_resumed(clock.now)
    assert clock.said()[1] == [PushDone(push, "ok")]
    assert not clock.core.writes_are_blocked
    assert clock.advance(100.0)[:1] == [HeartbeatUpdate("sent")]


def test_a_push_waiting_for_a_full_buffer_times_out_after_its_timeout() -> None:
    clock = Clock(timeout=3.0, heartbeat_interval=25.0)
    clock.joined()
    push = clock.core.push(TOPIC, "broadcast", {}, clock.now, expects_reply=False)
    clock.core.writes_blocked(clock.now)
    assert clock.core.wait_written(push, clock.now)
    assert clock.advance(2.9) == []
    assert clock.advance(0.1) == [PushDone(push, "timeout")]
    clock.core.writes_resumed(clock.now)
    assert clock.said()[1] == []


def test_nothing_waits_unless_writes_are_blocked_and_the_push_was_written() -> None:
    clock = Clock()
    clock.join()  # not joined yet: pushes are buffered, not written
    buffered = clock.core.push(TOPIC, "broadcast", {}, clock.now, expects_reply=False)
    clock.core.writes_blocked(clock.now)
    assert not clock.core.wait_written(buffered, clock.now)
    clock.core.writes_resumed(clock.now)
    clock.joined(OTHER)
    sent = clock.core.push(OTHER, "broadcast", {}, clock.now, expects_reply=False)
    assert not clock.core.wait_written(sent, clock.now)


def test_a_buffer_full_for_the_heartbeat_timeout_is_a_dead_link() -> None:
    clock = Clock(heartbeat_interval=25.0, timeout=100.0)
    clock.joined()
    clock.advance(5.0)
    push = clock.core.push(TOPIC, "broadcast", {}, clock.now, expects_reply=False)
    clock.core.writes_blocked(clock.now)
    clock.core.wait_written(push, clock.now)
    clock.advance(10.0)
    clock.core.writes_blocked(clock.now)  # still full: the deadline does not move
    events = clock.advance(14.9)
    assert CloseConnection(WRITE_STALLED) not in events
    events = clock.advance(0.1)
    assert CloseConnection(WRITE_STALLED) in events
    assert PushDone(push, "closed") in events
    [changed] = [event for event in events if isinstance(event, StateChanged)]
    assert changed.state is SubscribeState.CHANNEL_ERROR
    assert isinstance(changed.error, ConnectionError)
    assert WRITE_STALLED in str(changed.error)
    assert not clock.core.connected
    assert not clock.core.writes_are_blocked
    assert ReconnectDue(1) in clock.advance(1.0)


def test_a_buffer_that_drains_in_time_is_not_a_stall() -> None:
    clock = Clock(heartbeat_interval=25.0)
    clock.joined()
    clock.core.writes_blocked(clock.now)
    clock.advance(20.0)
    clock.core.writes_resumed(clock.now)
    clock.core.writes_blocked(clock.now)
    events = clock.advance(24.0)
    assert all(not isinstance(event, CloseConnection) for event in events)
    assert clock.core.connected


def test_heartbeat_join_and_push_timeouts_fire_while_writes_are_blocked() -> None:
    clock = Clock(heartbeat_interval=30.0, timeout=10.0)
    clock.joined()
    clock.core.writes_blocked(clock.now)
    acked = clock.core.push(TOPIC, "broadcast", {}, clock.now)
    clock.core.add_channel(OTHER, dict(CONFIG))
    clock.core.join(OTHER, clock.now, timeout=3.0)
    events = clock.advance(3.0)
    [timed_out] = [event for event in events if isinstance(event, StateChanged)]
    assert timed_out.state is SubscribeState.TIMED_OUT
    assert isinstance(timed_out.error, JoinTimeout)
    events = clock.advance(7.0)
    assert [event for event in events if isinstance(event, PushDone)] == [
        PushDone(acked, "timeout")
    ]
    clock.advance(10.0)
    clock.core.writes_resumed(clock.now)
    events = clock.advance(10.0)
    assert HeartbeatUpdate("sent") in events
    clock.advance(1.0)
    clock.core.writes_blocked(clock.now)  # the heartbeat waits behind a full buffer
    events = clock.advance(29.0)
    assert HeartbeatUpdate("timeout") in events
    assert CloseConnection("heartbeat timeout") in events
    assert CloseConnection(WRITE_STALLED) not in events


def test_writes_blocked_while_disconnected_start_no_stall_timer() -> None:
    clock = Clock()
    clock.core.connection_lost(clock.now, ConnectionError("gone"))
    clock.core.writes_blocked(clock.now)
    assert not clock.core.writes_are_blocked


def test_stop_fails_pushes_waiting_to_be_written() -> None:
    clock = Clock()
    clock.joined()
    push = clock.core.push(TOPIC, "broadcast", {}, clock.now, expects_reply=False)
    clock.core.writes_blocked(clock.now)
    clock.core.wait_written(push, clock.now)
    clock.core.stop()
    assert PushDone(push, "closed") in clock.said()[1]
    assert clock.core.next_deadline() is None


def test_a_join_reply_naming_another_topic_is_dropped_and_the_join_keeps_waiting() -> None:
    clock = Clock(timeout=10.0)
    clock.joined(OTHER)
    join = clock.join(TOPIC)
    clock.reply(join, topic=OTHER)
    [dropped] = clock.said()[1]
    assert isinstance(dropped, FrameDropped)
    assert dropped.reason == REPLY_TOPIC_MISMATCH
    assert clock.core.channels[TOPIC].state.value == "joining"
    clock.reply(join)
    [changed] = clock.said()[1]
    assert changed == StateChanged(TOPIC, SubscribeState.SUBSCRIBED)


def test_a_join_answered_only_for_another_topic_times_out() -> None:
    clock = Clock(timeout=2.0)
    join = clock.join(TOPIC)
    clock.reply(join, topic=OTHER)
    clock.said()
    events = clock.advance(2.0)
    [changed] = [event for event in events if isinstance(event, StateChanged)]
    assert changed.state is SubscribeState.TIMED_OUT


def test_a_push_reply_naming_another_topic_does_not_complete_the_push() -> None:
    clock = Clock(timeout=5.0)
    clock.joined()
    push = clock.core.push(TOPIC, "broadcast", {}, clock.now)
    [frame] = clock.said()[0]
    clock.reply(frame, topic=OTHER)
    [dropped] = clock.said()[1]
    assert isinstance(dropped, FrameDropped)
    assert clock.advance(5.0) == [PushDone(push, "timeout")]
