"""The Phoenix core driven by a fake clock: joins, pushes, heartbeats, reconnects, tokens."""

from __future__ import annotations

from typing import Any

import pytest

from realtime_typed.errors import AuthError, ChannelError, JoinError, JoinTimeout
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
from realtime_typed.protocol.phoenix import BINDING_MISMATCH, MAX_PUSH_BUFFER, PhoenixProtocol
from realtime_typed.protocol.postgres_bindings import binding_config

TOPIC = "realtime:room"

CONFIG: dict[str, Any] = {
    "broadcast": {"ack": False, "self": False},
    "presence": {"key": "", "enabled": False},
    "postgres_changes": [],
    "private": False,
}


class Harness:
    """A core, the time it believes it is, and what it said so far."""

    def __init__(self, **options: Any) -> None:
        self.core = PhoenixProtocol(**options)
        self.now = 0.0
        self.sent: list[Frame] = []
        self.events: list[CoreEvent] = []

    def drain(self) -> tuple[list[Frame], list[CoreEvent]]:
        frames = self.core.data_to_send()
        events = self.core.events_received()
        self.sent.extend(frames)
        self.events.extend(events)
        return frames, events

    def advance(self, seconds: float) -> tuple[list[Frame], list[CoreEvent]]:
        """Move the clock, firing every timer due on the way, one deadline at a time."""
        target = self.now + seconds
        while (deadline := self.core.next_deadline()) is not None and deadline <= target:
            self.now = deadline
            self.core.handle_timer(self.now)
        self.now = target
        return self.drain()

    def open(self) -> tuple[list[Frame], list[CoreEvent]]:
        self.core.connection_made(self.now)
        return self.drain()

    def receive(self, frame: Frame) -> bool:
        return self.core.receive(frame, self.now)

    def reply(self, to: Frame, status: str = "ok", response: Any = None) -> bool:
        payload: dict[str, Any] = {"status": status, "response": response or {}}
        return self.receive(Frame(to.join_ref, to.ref, to.topic, "phx_reply", payload))

    def joined(self, topic: str = "realtime:room", response: Any = None) -> Frame:
        """Add ``topic``, join it, answer ok; returns the join frame."""
        self.core.add_channel(topic, dict(CONFIG))
        self.core.join(topic, self.now)
        frames, _ = self.drain()
        join = next(frame for frame in frames if frame.event == "phx_join")
        self.reply(join, response=response)
        self.drain()
        return join


def states(events: list[CoreEvent]) -> list[SubscribeState]:
    return [event.state for event in events if isinstance(event, StateChanged)]


@pytest.fixture
def harness() -> Harness:
    connected = Harness()
    connected.open()
    return connected


def _only(frames: list[Frame], event: str) -> Frame:
    [frame] = [frame for frame in frames if frame.event == event]
    return frame


# ----------------------------------------------------------------------------- joining


def test_join_frame_carries_its_own_ref_as_join_ref(harness: Harness) -> None:
    harness.core.add_channel(TOPIC, dict(CONFIG))
    harness.core.join(TOPIC, harness.now)
    frames, _ = harness.drain()
    join = _only(frames, "phx_join")
    assert join.ref is not None
    assert join.join_ref == join.ref
    assert join.payload == {"config": CONFIG}
    assert harness.core.channels[TOPIC].join_ref == join.ref


def test_refs_are_strings_from_one_counter(harness: Harness) -> None:
    refs = [harness.core.make_ref() for _ in range(3)]
    assert refs == [str(int(refs[0]) + n) for n in range(3)]


def test_join_ok_subscribes_and_join_twice_is_a_no_op(harness: Harness) -> None:
    harness.joined()
    assert states(harness.events) == [SubscribeState.SUBSCRIBED]
    harness.core.join(TOPIC, harness.now)
    frames, _ = harness.drain()
    assert frames == []


def test_join_error_reports_code_and_rejoins_with_backoff(harness: Harness) -> None:
    harness.core.add_channel(TOPIC, dict(CONFIG))
    harness.core.join(TOPIC, harness.now)
    join = _only(harness.drain()[0], "phx_join")
    harness.reply(join, "error", {"reason": "PrivateOnly: This project only allows private"})
    _, events = harness.drain()
    [changed] = events
    assert isinstance(changed, StateChanged)
    assert changed.state is SubscribeState.CHANNEL_ERROR
    assert isinstance(changed.error, JoinError)
    assert changed.error.code == "PrivateOnly"
    frames, _ = harness.advance(0.99)
    assert frames == []
    frames, _ = harness.advance(0.01)
    rejoin = _only(frames, "phx_join")
    assert rejoin.join_ref != join.join_ref
    harness.reply(rejoin, "error", {"reason": "unmatched topic"})
    harness.drain()
    assert _only(harness.advance(2.0)[0], "phx_join").ref != rejoin.ref


def test_join_timeout_leaves_errors_and_rejoins(harness: Harness) -> None:
    harness.core.add_channel(TOPIC, dict(CONFIG))
    harness.core.join(TOPIC, harness.now, timeout=3.0)
    join = _only(harness.drain()[0], "phx_join")
    frames, events = harness.advance(3.0)
    leave = _only(frames, "phx_leave")
    assert leave.join_ref == join.join_ref
    [changed] = events
    assert isinstance(changed, StateChanged)
    assert changed.state is SubscribeState.TIMED_OUT
    assert isinstance(changed.error, JoinTimeout)
    rejoin = _only(harness.advance(1.0)[0], "phx_join")
    harness.reply(join)  # the old join's late reply is ignored
    harness.reply(rejoin)
    assert states(harness.drain()[1]) == [SubscribeState.SUBSCRIBED]


def test_join_while_disconnected_goes_out_on_open() -> None:
    harness = Harness()
    harness.core.add_channel(TOPIC, dict(CONFIG))
    harness.core.join(TOPIC, harness.now)
    assert harness.drain()[0] == []
    frames, _ = harness.open()
    harness.reply(_only(frames, "phx_join"))
    assert states(harness.drain()[1]) == [SubscribeState.SUBSCRIBED]


def test_join_payload_carries_the_token_once_set(harness: Harness) -> None:
    harness.core.set_access_token(None)
    harness.core.add_channel(TOPIC, dict(CONFIG))
    harness.core.join(TOPIC, harness.now)
    join = _only(harness.drain()[0], "phx_join")
    assert join.payload == {"config": CONFIG, "access_token": None}


# ----------------------------------------------------------------------------- dispatch


def test_data_frames_with_stale_join_ref_are_dropped(harness: Harness) -> None:
    join = harness.joined()
    fresh = Frame(join.join_ref, None, TOPIC, "presence_state", {})
    stale = Frame("old", None, TOPIC, "presence_state", {})
    fanout = Frame(None, None, TOPIC, "broadcast", {"event": "x"})
    assert harness.receive(fresh)
    assert harness.receive(fanout)
    assert not harness.receive(stale)
    [dropped] = harness.drain()[1]
    assert isinstance(dropped, FrameDropped)
    assert dropped.reason == "stale join_ref"


def test_unknown_topic_is_reported(harness: Harness) -> None:
    assert not harness.receive(Frame(None, None, "realtime:nobody", "broadcast", {}))
    [dropped] = harness.drain()[1]
    assert isinstance(dropped, FrameDropped)
    assert dropped.reason == "unknown topic"


def test_phx_error_with_a_wrong_ref_is_ignored_the_right_one_rejoins(harness: Harness) -> None:
    join = harness.joined()
    harness.receive(Frame(None, "wrong-ref", TOPIC, "phx_error", {"reason": "channel_crash"}))
    assert states(harness.drain()[1]) == []
    harness.receive(Frame(join.join_ref, join.join_ref, TOPIC, "phx_error", {}))
    _, events = harness.drain()
    [changed] = events
    assert isinstance(changed, StateChanged)
    assert changed.state is SubscribeState.CHANNEL_ERROR
    assert str(changed.error) == "channel error: connection lost"
    assert _only(harness.advance(1.0)[0], "phx_join").ref != join.ref


def test_system_error_then_close_is_an_auth_error(harness: Harness) -> None:
    join = harness.joined()
    message = "Token has expired 3 seconds ago"
    system = {"extension": "system", "status": "error", "message": message, "channel": "room"}
    assert harness.receive(Frame(join.join_ref, None, TOPIC, "system", system))
    harness.receive(Frame(join.join_ref, join.join_ref, TOPIC, "phx_close", {}))
    [changed] = harness.drain()[1]
    assert isinstance(changed, StateChanged)
    assert changed.state is SubscribeState.CLOSED
    assert isinstance(changed.error, AuthError)
    assert message in str(changed.error)
    assert TOPIC not in harness.core.channels
    frames, _ = harness.advance(20.0)
    assert frames == []


def test_rate_limit_close_is_a_channel_error_not_auth(harness: Harness) -> None:
    join = harness.joined()
    system = {"extension": "system", "status": "error", "message": "Too many messages per second"}
    harness.receive(Frame(join.join_ref, None, TOPIC, "system", system))
    harness.receive(Frame(join.join_ref, join.join_ref, TOPIC, "phx_close", {}))
    [changed] = harness.drain()[1]
    assert isinstance(changed, StateChanged)
    assert type(changed.error) is ChannelError


# ----------------------------------------------------------------------------- pushes


def test_push_when_joined_is_sent_and_matched_by_ref(harness: Harness) -> None:
    join = harness.joined()
    push = harness.core.push(TOPIC, "broadcast", {"event": "e"}, harness.now)
    frame = _only(harness.drain()[0], "broadcast")
    assert (frame.join_ref, frame.ref) == (join.join_ref, push.ref)
    harness.reply(frame, response={"extra": 1})
    [done] = harness.drain()[1]
    assert done == PushDone(push, "ok", {"extra": 1})


def test_push_error_and_timeout(harness: Harness) -> None:
    harness.joined()
    failing = harness.core.push(TOPIC, "broadcast", {"event": "e"}, harness.now)
    silent = harness.core.push(TOPIC, "broadcast", {"event": "e"}, harness.now, timeout=2.0)
    frames, _ = harness.drain()
    harness.receive(
        Frame(
            frames[0].join_ref,
            frames[0].ref,
            TOPIC,
            "phx_reply",
            {"status": "error", "response": "too_big"},
        )
    )
    assert harness.drain()[1] == [PushDone(failing, "error", "too_big")]
    assert harness.advance(1.99)[1] == []
    assert harness.advance(0.01)[1] == [PushDone(silent, "timeout")]


def test_push_without_reply_is_not_tracked(harness: Harness) -> None:
    harness.joined()
    harness.core.push(TOPIC, "broadcast", {"event": "e"}, harness.now, expects_reply=False)
    frames, events = harness.advance(harness.core.timeout + 1)
    assert [frame.event for frame in frames] == ["broadcast"]
    assert events == []


def test_pushes_before_join_are_buffered_and_sent_with_fresh_refs(harness: Harness) -> None:
    harness.core.add_channel(TOPIC, dict(CONFIG))
    first = harness.core.push(TOPIC, "presence", {"event": "track"}, harness.now)
    harness.core.join(TOPIC, harness.now)
    join = _only(harness.drain()[0], "phx_join")
    assert first.ref is None
    harness.reply(join)
    frames, _ = harness.drain()
    sent = _only(frames, "presence")
    assert (sent.join_ref, sent.ref) == (join.join_ref, first.ref)
    assert first.ref is not None


def test_buffered_push_times_out_in_the_buffer() -> None:
    harness = Harness(timeout=5.0)
    harness.core.add_channel(TOPIC, dict(CONFIG))
    push = harness.core.push(TOPIC, "broadcast", {"event": "e"}, harness.now)
    _, events = harness.advance(5.0)
    assert events == [PushDone(push, "timeout")]
    assert not harness.core.channels[TOPIC].buffer


def test_push_buffer_drops_the_oldest_past_the_cap(harness: Harness) -> None:
    harness.core.add_channel(TOPIC, dict(CONFIG))
    pushes = [
        harness.core.push(TOPIC, "broadcast", {"n": n}, harness.now, expects_reply=False)
        for n in range(MAX_PUSH_BUFFER + 2)
    ]
    _, events = harness.drain()
    assert events == [PushDone(pushes[0], "dropped"), PushDone(pushes[1], "dropped")]
    assert len(harness.core.channels[TOPIC].buffer) == MAX_PUSH_BUFFER


def test_push_to_a_closed_channel_raises(harness: Harness) -> None:
    with pytest.raises(ChannelError, match="closed"):
        harness.core.push("realtime:gone", "broadcast", {}, harness.now)


# ----------------------------------------------------------------------------- leaving


def test_leave_waits_for_the_reply_then_closes(harness: Harness) -> None:
    harness.joined()
    harness.core.leave(TOPIC, harness.now)
    leave = _only(harness.drain()[0], "phx_leave")
    harness.core.leave(TOPIC, harness.now)
    assert harness.drain()[0] == []
    harness.reply(leave)
    assert states(harness.drain()[1]) == [SubscribeState.CLOSED]
    assert TOPIC not in harness.core.channels


def test_leave_closes_on_timeout(harness: Harness) -> None:
    harness.joined()
    pending = harness.core.push(TOPIC, "broadcast", {"event": "e"}, harness.now, timeout=60)
    harness.core.leave(TOPIC, harness.now)
    harness.drain()
    _, events = harness.advance(harness.core.timeout)
    assert events == [PushDone(pending, "closed"), StateChanged(TOPIC, SubscribeState.CLOSED)]


def test_leave_while_not_joined_closes_at_once() -> None:
    harness = Harness()
    harness.core.add_channel(TOPIC, dict(CONFIG))
    harness.core.leave(TOPIC, harness.now)
    frames, events = harness.drain()
    assert frames == []
    assert states(events) == [SubscribeState.CLOSED]


# ----------------------------------------------------------------------------- heartbeat


def test_heartbeat_cadence_is_reply_plus_interval() -> None:
    harness = Harness(heartbeat_interval=25.0)
    harness.open()
    assert harness.advance(24.9)[0] == []
    frames, events = harness.advance(0.1)
    beat = _only(frames, "heartbeat")
    assert (beat.topic, beat.join_ref, beat.payload) == ("phoenix", None, {})
    assert events == [HeartbeatUpdate("sent")]
    harness.advance(3.0)
    harness.reply(beat)
    [update] = harness.drain()[1]
    assert update == HeartbeatUpdate("ok", 3.0)
    assert harness.advance(24.9)[0] == []
    assert _only(harness.advance(0.1)[0], "heartbeat").ref != beat.ref


def test_heartbeat_error_reply_is_reported() -> None:
    harness = Harness(heartbeat_interval=5.0)
    harness.open()
    beat = _only(harness.advance(5.0)[0], "heartbeat")
    harness.receive(Frame(None, beat.ref, "phoenix", "phx_reply", {"status": "error"}))
    assert harness.drain()[1] == [HeartbeatUpdate("error", 0.0)]


def test_heartbeat_timeout_errors_channels_closes_and_reconnects() -> None:
    harness = Harness(heartbeat_interval=5.0)
    harness.open()
    harness.joined()
    harness.advance(5.0)
    assert harness.advance(4.9)[1] == []
    _, events = harness.advance(0.1)
    assert events[:2] == [HeartbeatUpdate("timeout"), CloseConnection("heartbeat timeout")]
    [changed] = [event for event in events if isinstance(event, StateChanged)]
    assert changed.state is SubscribeState.CHANNEL_ERROR
    assert str(changed.error) == "heartbeat timeout"
    assert not harness.core.connected
    assert harness.advance(0.99)[1] == []
    assert harness.advance(0.01)[1] == [ReconnectDue(1)]
    frames, _ = harness.open()
    harness.reply(_only(frames, "phx_join"))
    assert states(harness.drain()[1]) == [SubscribeState.SUBSCRIBED]


def test_no_heartbeat_while_disconnected_and_reconnect_backoff_grows() -> None:
    harness = Harness()
    harness.open()
    harness.core.connection_lost(harness.now, ChannelError("gone"))
    delays: list[float] = []
    for _ in range(5):
        start = harness.now
        while not any(isinstance(e, ReconnectDue) for e in harness.advance(0.5)[1]):
            pass
        delays.append(harness.now - start)
        harness.core.connection_lost(harness.now, ChannelError("refused"))
    assert delays == [1.0, 2.0, 5.0, 10.0, 10.0]
    assert not [frame for frame in harness.sent if frame.event == "heartbeat"]


def test_open_resets_the_reconnect_backoff() -> None:
    harness = Harness(reconnect_after=float)
    harness.open()
    harness.core.connection_lost(harness.now, ChannelError("gone"))
    harness.advance(1.0)
    harness.core.connection_lost(harness.now, ChannelError("refused"))
    assert harness.core.next_deadline() == harness.now + 2.0
    harness.open()
    harness.core.connection_lost(harness.now, ChannelError("gone"))
    assert harness.core.next_deadline() == harness.now + 1.0


def test_losing_the_socket_while_leaving_closes_the_channel(harness: Harness) -> None:
    harness.joined()
    harness.core.leave(TOPIC, harness.now)
    harness.drain()
    harness.core.connection_lost(harness.now, ChannelError("gone"))
    assert states(harness.drain()[1]) == [SubscribeState.CLOSED]


def test_stop_closes_everything_and_never_reconnects(harness: Harness) -> None:
    harness.joined()
    push = harness.core.push(TOPIC, "broadcast", {"event": "e"}, harness.now)
    harness.drain()
    harness.core.stop()
    _, events = harness.drain()
    assert PushDone(push, "closed") in events
    assert states(events) == [SubscribeState.CLOSED]
    harness.core.connection_lost(harness.now, ChannelError("gone"))
    assert harness.core.next_deadline() is None


# ----------------------------------------------------------------------------- tokens


def test_access_token_pushed_to_joined_channels_only_on_change(harness: Harness) -> None:
    join = harness.joined()
    harness.core.add_channel("realtime:idle", dict(CONFIG))
    assert harness.core.set_access_token("t1")
    frames, _ = harness.drain()
    token = _only(frames, "access_token")
    assert (token.topic, token.join_ref, token.payload) == (
        TOPIC,
        join.join_ref,
        {"access_token": "t1"},
    )
    assert not harness.core.set_access_token("t1")
    assert harness.drain()[0] == []
    assert harness.core.set_access_token(None)
    assert _only(harness.drain()[0], "access_token").payload == {"access_token": None}


def test_rejoin_uses_the_current_token(harness: Harness) -> None:
    harness.joined()
    harness.core.set_access_token("new")
    harness.core.connection_lost(harness.now, ChannelError("gone"))
    harness.advance(1.0)
    frames, _ = harness.open()
    assert _only(frames, "phx_join").payload["access_token"] == "new"


# ----------------------------------------------------------------------------- postgres ids


def test_binding_ids_are_stored_on_join(harness: Harness) -> None:
    config = dict(CONFIG, postgres_changes=[binding_config("INSERT", "public", "todos")])
    harness.core.add_channel(TOPIC, config)
    harness.core.join(TOPIC, harness.now)
    join = _only(harness.drain()[0], "phx_join")
    echoed = [{"event": "INSERT", "schema": "public", "table": "todos", "id": 42}]
    harness.reply(join, response={"postgres_changes": echoed})
    assert states(harness.drain()[1]) == [SubscribeState.SUBSCRIBED]
    assert harness.core.channels[TOPIC].binding_ids == [42]


def test_binding_mismatch_errors_and_leaves(harness: Harness) -> None:
    config = dict(CONFIG, postgres_changes=[binding_config("INSERT", "public", "todos")])
    harness.core.add_channel(TOPIC, config)
    harness.core.join(TOPIC, harness.now)
    join = _only(harness.drain()[0], "phx_join")
    harness.reply(join, response={"postgres_changes": [{"id": "abc", "event": "*", "schema": "*"}]})
    frames, events = harness.drain()
    [changed] = events
    assert isinstance(changed, StateChanged)
    assert changed.state is SubscribeState.CHANNEL_ERROR
    assert str(changed.error) == BINDING_MISMATCH
    harness.reply(_only(frames, "phx_leave"))
    assert states(harness.drain()[1]) == [SubscribeState.CLOSED]


def test_failed_reconnect_attempts_reach_waiting_channels(harness: Harness) -> None:
    harness.joined()
    harness.core.connection_lost(harness.now, ChannelError("gone"))
    harness.drain()
    refused = ChannelError("refused")
    harness.advance(1.0)
    harness.core.connection_lost(harness.now, refused)
    assert harness.drain()[1] == [StateChanged(TOPIC, SubscribeState.CHANNEL_ERROR, refused)]


# ----------------------------------------------------------------------------- leave outcome


def test_leave_outcome_is_ok_error_or_timed_out(harness: Harness) -> None:
    machine = harness.core.channels.get(TOPIC) or harness.core.add_channel(TOPIC, dict(CONFIG))
    harness.core.leave(TOPIC, harness.now)
    assert machine.leave_outcome == "ok"
    for status, outcome in (("ok", "ok"), ("error", "error")):
        harness.joined()
        machine = harness.core.channels[TOPIC]
        harness.core.leave(TOPIC, harness.now)
        harness.reply(_only(harness.drain()[0], "phx_leave"), status=status)
        assert machine.leave_outcome == outcome
    harness.joined()
    machine = harness.core.channels[TOPIC]
    harness.core.leave(TOPIC, harness.now)
    harness.advance(harness.core.timeout)
    assert machine.leave_outcome == "timed out"
    assert TOPIC not in harness.core.channels


# ----------------------------------------------------------------------------- send_heartbeat


def test_send_heartbeat_now_then_the_cadence_restarts_from_its_reply() -> None:
    harness = Harness(heartbeat_interval=25.0)
    harness.core.send_heartbeat(harness.now)
    assert harness.drain() == ([], [HeartbeatUpdate("disconnected")])
    harness.open()
    harness.advance(10.0)
    harness.core.send_heartbeat(harness.now)
    frames, events = harness.drain()
    beat = _only(frames, "heartbeat")
    assert events == [HeartbeatUpdate("sent")]
    harness.reply(beat)
    assert harness.drain()[1] == [HeartbeatUpdate("ok", 0.0)]
    assert harness.advance(24.9)[0] == []
    assert _only(harness.advance(0.1)[0], "heartbeat").ref != beat.ref


def test_send_heartbeat_while_one_is_pending_is_a_timeout() -> None:
    harness = Harness(heartbeat_interval=25.0)
    harness.open()
    harness.core.send_heartbeat(harness.now)
    harness.drain()
    harness.core.send_heartbeat(harness.now)
    _, events = harness.drain()
    assert events[:2] == [HeartbeatUpdate("timeout"), CloseConnection("heartbeat timeout")]


# ----------------------------------------------------------------------------- rate limits


def test_a_rate_limited_join_waits_the_rate_limit_delay_reconnects_included() -> None:
    harness = Harness(rate_limit_delay=30.0)
    harness.open()
    harness.core.add_channel(TOPIC, dict(CONFIG))
    harness.core.join(TOPIC, harness.now)
    join = _only(harness.drain()[0], "phx_join")
    harness.reply(join, status="error", response={"reason": "ChannelRateLimitReached: Too many"})
    [refused] = [event for event in harness.drain()[1] if isinstance(event, StateChanged)]
    assert isinstance(refused.error, JoinError)
    assert refused.error.code == "ChannelRateLimitReached"
    harness.core.connection_lost(harness.now, ChannelError("gone"))
    harness.advance(1.0)
    frames, _ = harness.open()
    assert [frame.event for frame in frames if frame.event == "phx_join"] == []
    assert [f for f in harness.advance(28.9)[0] if f.event == "phx_join"] == []
    rejoin = _only(harness.advance(0.1)[0], "phx_join")
    harness.reply(rejoin)
    assert states(harness.drain()[1]) == [SubscribeState.SUBSCRIBED]
    assert harness.core.channels[TOPIC].not_before == 0.0


def test_other_refusals_keep_the_rejoin_backoff(harness: Harness) -> None:
    harness.core.add_channel(TOPIC, dict(CONFIG))
    harness.core.join(TOPIC, harness.now)
    join = _only(harness.drain()[0], "phx_join")
    harness.reply(join, status="error", response={"reason": "Unauthorized: no"})
    harness.drain()
    assert _only(harness.advance(1.0)[0], "phx_join").ref != join.ref
